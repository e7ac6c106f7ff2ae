using MailActors.Outbox.State;

namespace MailActors.Outbox.Persistence;

/// <summary>
/// A partition's state, encoded while the actor owns it (the snapshot store serializes on its own thread, so it must
/// not see the live, mutable state). Version 2 refers to message contents by journal row instead of holding them
/// (see <see cref="StoredContent"/>); version 1 snapshots, which hold them, are still read. Version 3 adds per-recipient
/// parameters to envelopes; it is written only when an unfinished message has some, so that otherwise earlier versions
/// can still read the store. Version 4 adds to version 3 the pre-encoded ORCPT of pending DSNs' recipients; it is written
/// only when a pending DSN has one.
/// </summary>
internal sealed record PartitionSnapshot(byte[] Bytes) : IOutboxPersisted
{
    private const byte Version = 4;
    private const byte VersionWithoutRawOriginalRecipients = 3;
    private const byte VersionWithoutPerRecipientParameters = 2;

    public static PartitionSnapshot From(PartitionState state) => new(BinaryCodec.Encode(w => Write(w, state)));

    private static void Write(BinaryWriter w, PartitionState state)
    {
        var version = state.DsnPending.Values.Any(d => d.Recipients.Any(r => r.OriginalRecipientRaw is not null)) ? Version
            : state.Unfinished.Values.Any(r => r.Envelope.HasPerRecipientParameters) ? VersionWithoutRawOriginalRecipients
            : VersionWithoutPerRecipientParameters;
        w.Write(version);
        w.Write(state.MessagesAccepted);
        w.Write(state.Delivered);
        w.Write(state.Bounced);
        w.Write(state.Expired);
        w.Write(state.Suppressed);
        w.Write7BitEncodedInt(state.SourcePositions.Count);
        foreach (var (source, position) in state.SourcePositions.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.Write(source);
            w.Write(position);
        }
        w.Write7BitEncodedInt(state.Unfinished.Count);
        foreach (var record in state.Unfinished.Values.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            w.Write(record.Id);
            w.Write(record.AcceptedAt);
            w.Write(record.Envelope, withPerRecipient: version >= 3);
            WriteContent(w, record.Content);
            w.WriteNullable(record.Retry);
            w.Write7BitEncodedInt(record.Recipients.Length);
            foreach (var r in record.Recipients)
            {
                w.Write(r.Address);
                w.Write((byte)r.State);
                w.Write7BitEncodedInt(r.Attempts);
                w.WriteNullable(r.LastReply);
                w.WriteNullable(r.LastError);
                w.WriteNullable(r.NextAttemptAt);
                w.Write(r.UpdatedAt);
                w.Write(r.ReportedByDsn);
            }
        }
        var recent = state.Recent.ToList();
        w.Write7BitEncodedInt(recent.Count);
        foreach (var status in recent)
        {
            WriteStatus(w, status);
        }
        w.Write7BitEncodedInt(state.DsnPending.Count);
        foreach (var request in state.DsnPending.Values.OrderBy(r => r.MessageId, StringComparer.Ordinal))
        {
            w.Write(request.MessageId);
            w.Write(request.EnvelopeId);
            w.Write(request.Sender);
            w.Write(request.AcceptedAt);
            w.Write((sbyte)(request.Return is { } ret ? (int)ret : -1));
            // A finished message's rows are deleted by the next cleanup: what the DSN quotes goes into the snapshot.
            WriteContent(w, request.Content.IsLoaded ? StoredContent.Inline(request.Original) : request.Content);
            w.Write7BitEncodedInt(request.Recipients.Count);
            foreach (var r in request.Recipients)
            {
                w.Write(r.Address);
                w.WriteNullable(r.OriginalRecipient);
                w.Write((byte)r.State);
                w.WriteNullable(r.Reply);
                w.WriteNullable(r.Error);
                w.Write(r.At);
                if (version >= 4)
                {
                    w.WriteNullable(r.OriginalRecipientRaw);
                }
            }
        }
    }

    public PartitionState Restore(int statusRetention, bool generateDsn)
    {
        var state = new PartitionState(statusRetention, generateDsn);
        using var r = BinaryCodec.Reader(Bytes);
        var version = r.ReadByte();
        if (version is not (1 or 2 or 3 or Version))
        {
            throw new NotSupportedException($"Outbox partition snapshot version {version} is not supported (expected 1 to {Version}).");
        }
        state.MessagesAccepted = r.ReadInt64();
        state.Delivered = r.ReadInt64();
        state.Bounced = r.ReadInt64();
        state.Expired = r.ReadInt64();
        state.Suppressed = r.ReadInt64();
        for (var n = r.Read7BitEncodedInt(); n > 0; n--)
        {
            state.SourcePositions[r.ReadString()] = r.ReadInt64();
        }
        for (var n = r.Read7BitEncodedInt(); n > 0; n--)
        {
            var id = r.ReadString();
            var acceptedAt = r.ReadDateTime();
            var envelope = r.ReadEnvelope(withPerRecipient: version >= 3);
            var content = ReadContent(r, version);
            var retry = r.ReadNullableRetry();
            var recipients = new RecipientRecord[r.Read7BitEncodedInt()];
            for (var i = 0; i < recipients.Length; i++)
            {
                recipients[i] = new RecipientRecord(r.ReadString())
                {
                    State = (RecipientState)r.ReadByte(),
                    Attempts = r.Read7BitEncodedInt(),
                    LastReply = r.ReadNullableReply(),
                    LastError = r.ReadNullableString(),
                    NextAttemptAt = r.ReadNullableDateTime(),
                    UpdatedAt = r.ReadDateTime(),
                    ReportedByDsn = r.ReadBoolean(),
                };
            }
            state.RestoreUnfinished(new MessageRecord(id, acceptedAt, envelope, content, retry, recipients));
        }
        for (var n = r.Read7BitEncodedInt(); n > 0; n--)
        {
            state.RestoreRecent(ReadStatus(r));
        }
        for (var n = r.Read7BitEncodedInt(); n > 0; n--)
        {
            var id = r.ReadString();
            var envid = r.ReadString();
            var sender = r.ReadString();
            var acceptedAt = r.ReadDateTime();
            var ret = r.ReadSByte();
            var original = ReadContent(r, version);
            var recipients = new DsnRecipient[r.Read7BitEncodedInt()];
            for (var i = 0; i < recipients.Length; i++)
            {
                recipients[i] = new DsnRecipient(r.ReadString(), r.ReadNullableString(), (RecipientState)r.ReadByte(), r.ReadNullableReply(), r.ReadNullableString(), r.ReadDateTime())
                {
                    OriginalRecipientRaw = version >= 4 ? r.ReadNullableString() : null,
                };
            }
            state.DsnPending[id] = new DsnRequest(id, envid, sender, acceptedAt, ret < 0 ? null : (Protocol.Smtp.DsnReturn)ret, original, recipients);
        }
        return state;
    }

    /// <summary>A journal row reference (sequence number and length), or 0 and the bytes themselves.</summary>
    private static void WriteContent(BinaryWriter w, StoredContent content)
    {
        w.Write7BitEncodedInt64(content.SequenceNr);
        if (content.SequenceNr == 0)
        {
            w.WriteBytes(content.Bytes);
        }
        else
        {
            w.Write7BitEncodedInt(content.Length);
        }
    }

    private static StoredContent ReadContent(BinaryReader r, byte version)
    {
        var sequenceNr = version == 1 ? 0 : r.Read7BitEncodedInt64();
        return sequenceNr == 0 ? StoredContent.Inline(r.ReadBytes()) : StoredContent.InJournal(sequenceNr, r.Read7BitEncodedInt());
    }

    private static void WriteStatus(BinaryWriter w, MessageStatus status)
    {
        w.Write(status.MessageId);
        w.Write(status.EnvelopeId);
        w.Write(status.Sender);
        w.Write(status.AcceptedAt);
        w.Write7BitEncodedInt(status.Recipients.Count);
        foreach (var r in status.Recipients)
        {
            w.Write(r.Address);
            w.Write((byte)r.State);
            w.Write7BitEncodedInt(r.Attempts);
            w.WriteNullable(r.LastReply);
            w.WriteNullable(r.LastError);
            w.WriteNullable(r.NextAttemptAt);
            w.Write(r.UpdatedAt);
        }
    }

    private static MessageStatus ReadStatus(BinaryReader r)
    {
        var id = r.ReadString();
        var envid = r.ReadString();
        var sender = r.ReadString();
        var acceptedAt = r.ReadDateTime();
        var recipients = new RecipientStatus[r.Read7BitEncodedInt()];
        for (var i = 0; i < recipients.Length; i++)
        {
            recipients[i] = new RecipientStatus(r.ReadString(), (RecipientState)r.ReadByte(), r.Read7BitEncodedInt(), r.ReadNullableReply(),
                r.ReadNullableString(), r.ReadNullableDateTime(), r.ReadDateTime());
        }
        return new MessageStatus(id, envid, sender, acceptedAt, recipients);
    }
}
