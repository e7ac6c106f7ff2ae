using MailActors.Outbox.Persistence;
using MailActors.Protocol.Smtp;

namespace MailActors.Outbox.State;

/// <summary>
/// The journaled state of one outbox partition, changed only by <see cref="Apply"/> so that replaying the events (after a
/// snapshot) rebuilds exactly the state the live actor had. Finished messages leave <see cref="Unfinished"/> and stay
/// queryable in a bounded list of recent statuses; their events are deleted after the next snapshot.
/// </summary>
internal sealed class PartitionState(int statusRetention, bool generateDsn)
{
    private readonly LinkedList<MessageStatus> _recent = new();
    private readonly Dictionary<string, LinkedListNode<MessageStatus>> _recentById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idByEnvelopeId = new(StringComparer.Ordinal);

    public int StatusRetention { get; } = statusRetention;

    public bool GenerateDsn { get; } = generateDsn;

    public Dictionary<string, MessageRecord> Unfinished { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> SourcePositions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DsnRequest> DsnPending { get; } = new(StringComparer.Ordinal);

    public IEnumerable<MessageStatus> Recent => _recent;

    public long MessagesAccepted { get; set; }
    public long Delivered { get; set; }
    public long Bounced { get; set; }
    public long Expired { get; set; }
    public long Suppressed { get; set; }

    private readonly long[] _pending = new long[Enum.GetValues<RecipientState>().Length];

    /// <summary>Recipients of unfinished messages in a pending state (Queued, InFlight, Deferred), kept up to date by every change.</summary>
    public long PendingIn(RecipientState state) => _pending[(int)state];

    /// <summary>Octets of content held by unfinished messages (what their journal rows must keep).</summary>
    public long UnfinishedContentBytes { get; private set; }

    /// <summary>The part of <see cref="UnfinishedContentBytes"/> in memory now (not evicted, or read back since).</summary>
    public long LoadedContentBytes { get; private set; }

    /// <summary>The message with this id or ENVID: unfinished, or finished and still among the recent statuses.</summary>
    public MessageStatus? Find(string id)
    {
        if (Unfinished.TryGetValue(id, out var record) || _idByEnvelopeId.TryGetValue(id, out var byEnvid) && Unfinished.TryGetValue(byEnvid, out record))
        {
            return record.ToStatus();
        }
        if (_recentById.TryGetValue(id, out var node))
        {
            return node.Value;
        }
        return _recent.FirstOrDefault(s => s.EnvelopeId == id);
    }

    /// <summary>Applies one event of the journal row <paramref name="sequenceNr"/> (where message contents are found again).</summary>
    public void Apply(IOutboxPersisted persisted, long sequenceNr)
    {
        switch (persisted)
        {
            case MessageAccepted accepted:
                Accept(accepted, sequenceNr);
                break;
            case ContentRestated restated when Unfinished.TryGetValue(restated.MessageId, out var moved):
                LoadedContentBytes += moved.Content.IsLoaded ? 0 : moved.Content.Length;
                moved.Content.MovedTo(sequenceNr, restated.Content);
                break;
            case DeliveryAttempted attempted when Unfinished.TryGetValue(attempted.MessageId, out var record):
                foreach (var address in attempted.Recipients)
                {
                    if (record.Recipient(address) is { IsFinal: false } recipient)
                    {
                        Move(recipient, RecipientState.InFlight);
                        recipient.Attempts = Math.Max(recipient.Attempts, attempted.Attempt);
                        recipient.NextAttemptAt = null;
                        recipient.UpdatedAt = attempted.At;
                    }
                }
                break;
            case RecipientDeferred deferred when Unfinished.TryGetValue(deferred.MessageId, out var record):
                if (record.Recipient(deferred.Recipient) is { IsFinal: false } late)
                {
                    Move(late, RecipientState.Deferred);
                    late.Attempts = Math.Max(late.Attempts, deferred.Attempt);
                    late.LastReply = deferred.Reply;
                    late.LastError = deferred.Error;
                    late.NextAttemptAt = deferred.NextAttemptAt;
                    late.UpdatedAt = deferred.At;
                }
                break;
            case IRecipientEvent final:
                Settle(final);
                break;
            case DsnQueued queued:
                DsnPending.Remove(queued.MessageId);
                break;
        }
    }

    private void Accept(MessageAccepted accepted, long sequenceNr)
    {
        MessagesAccepted++;
        if (accepted.Source is { } source && (!SourcePositions.TryGetValue(source, out var position) || accepted.Position > position))
        {
            SourcePositions[source] = accepted.Position;
        }
        if (Unfinished.ContainsKey(accepted.MessageId))
        {
            return;
        }
        var suppressed = new HashSet<string>(accepted.Suppressed, StringComparer.OrdinalIgnoreCase);
        var recipients = accepted.Envelope.Recipients.Select(address => new RecipientRecord(address)
        {
            State = suppressed.Contains(address) ? RecipientState.Suppressed : RecipientState.Queued,
            LastError = suppressed.Contains(address) ? "on the suppression list" : null,
            UpdatedAt = accepted.AcceptedAt,
        }).ToArray();
        foreach (var recipient in recipients)
        {
            Count(recipient.State, +1);
        }
        var record = new MessageRecord(accepted.MessageId, accepted.AcceptedAt, accepted.Envelope, StoredContent.Journaled(accepted.Content, sequenceNr), accepted.Retry, recipients);
        Unfinished[record.Id] = record;
        UnfinishedContentBytes += record.Content.Length;
        LoadedContentBytes += record.Content.Length;
        if (record.EnvelopeId != record.Id)
        {
            _idByEnvelopeId[record.EnvelopeId] = record.Id;
        }
        FinishIfDone(record);
    }

    private void Settle(IRecipientEvent settled)
    {
        var (state, reply, error) = settled switch
        {
            RecipientDelivered d => (RecipientState.Delivered, d.Reply, (string?)null),
            RecipientBounced b => (RecipientState.Bounced, b.Reply, b.Error),
            RecipientExpired x => (RecipientState.Expired, x.LastReply, x.LastError),
            RecipientSuppressed s => (RecipientState.Suppressed, (SmtpReply?)null, s.Reason),
            _ => throw new ArgumentOutOfRangeException(nameof(settled), settled.GetType().Name),
        };
        if (Unfinished.TryGetValue(settled.MessageId, out var record))
        {
            if (record.Recipient(settled.Recipient) is not { } recipient || !CanMove(recipient.State, state))
            {
                return;
            }
            Move(recipient, state);
            recipient.LastReply = reply ?? recipient.LastReply;
            recipient.LastError = error;
            recipient.NextAttemptAt = null;
            recipient.UpdatedAt = settled.At;
            recipient.ReportedByDsn = settled is RecipientBounced { Source: BounceSource.Dsn };
            FinishIfDone(record);
        }
        else if (_recentById.TryGetValue(settled.MessageId, out var node))
        {
            // A DSN about a message already finished (typically "delivered" to a relay that bounced it later).
            var status = node.Value;
            if (status.Recipient(settled.Recipient) is not { } before || !CanMove(before.State, state))
            {
                return;
            }
            Count(before.State, -1);
            Count(state, +1);
            var after = before with { State = state, LastReply = reply ?? before.LastReply, LastError = error, UpdatedAt = settled.At };
            node.Value = status with { Recipients = status.Recipients.Select(r => ReferenceEquals(r, before) ? after : r).ToArray() };
        }
    }

    /// <summary>Pending recipients can reach any final state; a delivered one can still bounce (a later DSN).</summary>
    private static bool CanMove(RecipientState from, RecipientState to) =>
        from is RecipientState.Queued or RecipientState.InFlight or RecipientState.Deferred
        || (from == RecipientState.Delivered && to == RecipientState.Bounced);

    private void Move(RecipientRecord recipient, RecipientState state)
    {
        Count(recipient.State, -1);
        Count(state, +1);
        recipient.State = state;
    }

    private void Count(RecipientState state, int delta)
    {
        switch (state)
        {
            case RecipientState.Delivered: Delivered += delta; break;
            case RecipientState.Bounced: Bounced += delta; break;
            case RecipientState.Expired: Expired += delta; break;
            case RecipientState.Suppressed: Suppressed += delta; break;
            default: _pending[(int)state] += delta; break;
        }
    }

    private void FinishIfDone(MessageRecord record)
    {
        if (!record.IsFinished)
        {
            return;
        }
        Unfinished.Remove(record.Id);
        UnfinishedContentBytes -= record.Content.Length;
        LoadedContentBytes -= record.Content.IsLoaded ? record.Content.Length : 0;
        _idByEnvelopeId.Remove(record.EnvelopeId);
        Remember(record.ToStatus());
        if (GenerateDsn && DsnFor(record) is { } request)
        {
            DsnPending[record.Id] = request;
        }
    }

    // NOTIFY unset means the default of RFC 3461: failures are reported; NEVER, or a list without FAILURE, asks for none.
    private static bool WantsFailureNotice(RecipientParameters? parameters)
    {
        var notify = parameters?.Notify ?? DsnNotify.None;
        return notify == DsnNotify.None || ((notify & DsnNotify.Never) == 0 && (notify & DsnNotify.Failure) != 0);
    }

    private static DsnRequest? DsnFor(MessageRecord record)
    {
        if (Actors.SuppressionSet.Normalize(record.Envelope.Sender) is "") // "", "<>" and "Name <>" alike
        {
            return null; // never answer a bounce with a bounce
        }
        var failed = record.Recipients
            .Where(r => r.State is RecipientState.Bounced or RecipientState.Expired && !r.ReportedByDsn)
            .Select(r => (Recipient: r, Own: record.Envelope.RecipientParametersFor(r.Address)))
            .Where(x => WantsFailureNotice(x.Own))
            .Select(x => new DsnRecipient(x.Recipient.Address, x.Own?.OriginalRecipient, x.Recipient.State, x.Recipient.LastReply, x.Recipient.LastError, x.Recipient.UpdatedAt)
            {
                OriginalRecipientRaw = x.Own?.OriginalRecipientRaw,
            })
            .ToArray();
        if (failed.Length == 0)
        {
            return null;
        }
        var ret = record.Envelope.Parameters?.Return;
        // Only what the DSN will quote (the whole message for RET=FULL, the header section otherwise); content not read
        // back from the journal yet after a restart is shared with the record and trimmed when the DSN is built.
        var content = record.Content.IsLoaded
            ? StoredContent.Inline(ret == DsnReturn.Full ? record.Content.Bytes : HeaderSection(record.Content.Bytes))
            : record.Content;
        return new DsnRequest(record.Id, record.EnvelopeId, record.Envelope.Sender, record.AcceptedAt, ret, content, failed) { Route = record.Envelope.Route };
    }

    /// <summary>The content up to and including the blank line that ends the header section (all of it if there is none).</summary>
    internal static ReadOnlyMemory<byte> HeaderSection(ReadOnlyMemory<byte> content)
    {
        var span = content.Span;
        var end = span.IndexOf("\r\n\r\n"u8);
        if (end >= 0)
        {
            return content[..(end + 4)];
        }
        end = span.IndexOf("\n\n"u8);
        return end >= 0 ? content[..(end + 2)] : content;
    }

    private void Remember(MessageStatus status)
    {
        if (StatusRetention <= 0)
        {
            return;
        }
        if (_recentById.Remove(status.MessageId, out var existing))
        {
            _recent.Remove(existing);
        }
        _recentById[status.MessageId] = _recent.AddLast(status);
        while (_recent.Count > StatusRetention)
        {
            var oldest = _recent.First!;
            _recent.RemoveFirst();
            _recentById.Remove(oldest.Value.MessageId);
        }
    }

    /// <summary>Restores a recent status from a snapshot (oldest first).</summary>
    public void RestoreRecent(MessageStatus status) => Remember(status);

    /// <summary>Restores an unfinished message from a snapshot.</summary>
    public void RestoreUnfinished(MessageRecord record)
    {
        foreach (var recipient in record.Recipients.Where(r => r.IsPending))
        {
            _pending[(int)recipient.State]++;
        }
        Unfinished[record.Id] = record;
        UnfinishedContentBytes += record.Content.Length;
        LoadedContentBytes += record.Content.IsLoaded ? record.Content.Length : 0;
        if (record.EnvelopeId != record.Id)
        {
            _idByEnvelopeId[record.EnvelopeId] = record.Id;
        }
    }

    /// <summary>
    /// Drops an unfinished message's content from memory (it stays in its journal row; <see cref="LoadContent"/> puts it
    /// back). Not journaled: which contents are in memory is the running partition's business, not the state's history.
    /// </summary>
    public void EvictContent(MessageRecord record)
    {
        if (record.Content.Evict())
        {
            LoadedContentBytes -= record.Content.Length;
        }
    }

    /// <summary>An unfinished message's content, read back from its journal row.</summary>
    public void LoadContent(MessageRecord record, ReadOnlyMemory<byte> bytes)
    {
        if (record.Content.IsLoaded)
        {
            return;
        }
        record.Content.Load(bytes);
        LoadedContentBytes += record.Content.Length;
    }
}
