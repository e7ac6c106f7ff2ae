using Akka.Actor;
using Akka.Serialization;

namespace MailActors.Outbox.Persistence;

/// <summary>
/// Compact binary serializer for the outbox's events and snapshots (bound to <see cref="IOutboxPersisted"/> in
/// <c>persistence-*.conf</c>). Each type has a short, stable manifest; payloads are length-prefixed fields written
/// with <see cref="BinaryWriter"/>, so nothing depends on CLR type names or a general-purpose JSON serializer.
/// </summary>
public sealed class OutboxSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id, also set in the HOCON (<c>serialization-identifiers</c>).</summary>
    public const int SerializerId = 7301;

    /// <summary>Created by Akka's serialization extension.</summary>
    public OutboxSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        // "A2" holds per-recipient parameters; without them the older "A" is written, which earlier versions can read.
        MessageAccepted a => a.Envelope.HasPerRecipientParameters ? "A2" : "A",
        ContentRestated => "R",
        DeliveryAttempted => "T",
        RecipientDelivered => "D",
        RecipientDeferred => "F",
        RecipientBounced => "B",
        RecipientExpired => "X",
        RecipientSuppressed => "S",
        DsnQueued => "Q",
        AddressSuppressed => "AS",
        AddressUnsuppressed => "AU",
        OutboxCreated => "C",
        SuppressionSnapshot => "SS",
        PartitionSnapshot => "PS",
        EventBatch => "E",
        _ => throw new ArgumentException($"The outbox serializer does not handle {o.GetType()}.", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        if (obj is PartitionSnapshot snapshot)
        {
            return snapshot.Bytes;
        }
        return BinaryCodec.Encode(w => Write(w, obj));
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest == "PS")
        {
            return new PartitionSnapshot(bytes);
        }
        using var r = BinaryCodec.Reader(bytes);
        return manifest switch
        {
            "A" => ReadAccepted(r, withPerRecipient: false),
            "A2" => ReadAccepted(r, withPerRecipient: true),
            "R" => new ContentRestated(r.ReadString(), r.ReadBytes()),
            "T" => new DeliveryAttempted(r.ReadString(), r.ReadStrings(), r.Read7BitEncodedInt(), r.ReadDateTime()),
            "D" => new RecipientDelivered(r.ReadString(), r.ReadString(), r.ReadNullableReply(), r.ReadDateTime()),
            "F" => new RecipientDeferred(r.ReadString(), r.ReadString(), r.ReadNullableReply(), r.ReadNullableString(), r.Read7BitEncodedInt(), r.ReadDateTime(), r.ReadDateTime()),
            "B" => new RecipientBounced(r.ReadString(), r.ReadString(), r.ReadNullableReply(), r.ReadNullableString(), r.ReadBoolean(), (BounceSource)r.ReadByte(), r.ReadDateTime()),
            "X" => new RecipientExpired(r.ReadString(), r.ReadString(), r.ReadNullableReply(), r.ReadNullableString(), r.ReadDateTime()),
            "S" => new RecipientSuppressed(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadDateTime()),
            "Q" => new DsnQueued(r.ReadString()),
            "AS" => ReadSuppressed(r),
            "AU" => new AddressUnsuppressed(r.ReadString(), r.ReadDateTime()),
            "C" => new OutboxCreated(r.Read7BitEncodedInt(), r.ReadDateTime()),
            "E" => ReadBatch(r),
            "SS" => new SuppressionSnapshot(Enumerable.Range(0, r.Read7BitEncodedInt()).Select(_ => ReadSuppressed(r)).ToArray()),
            _ => throw new System.Runtime.Serialization.SerializationException($"Unknown outbox manifest '{manifest}'."),
        };
    }

    private EventBatch ReadBatch(BinaryReader r)
    {
        var events = new IOutboxPersisted[r.Read7BitEncodedInt()];
        for (var i = 0; i < events.Length; i++)
        {
            var manifest = r.ReadString();
            var length = r.Read7BitEncodedInt();
            events[i] = (IOutboxPersisted)FromBinary(r.ReadBytes(length), manifest);
        }
        return new EventBatch(events);
    }

    private static MessageAccepted ReadAccepted(BinaryReader r, bool withPerRecipient) =>
        new(r.ReadString(), r.ReadDateTime(), r.ReadEnvelope(withPerRecipient), r.ReadBytes(), r.ReadNullableRetry(), r.ReadNullableString(), r.ReadInt64(), r.ReadStrings());

    private static AddressSuppressed ReadSuppressed(BinaryReader r) => new(r.ReadString(), r.ReadString(), r.ReadDateTime());

    private void Write(BinaryWriter w, object obj)
    {
        switch (obj)
        {
            case EventBatch batch:
                w.Write7BitEncodedInt(batch.Events.Count);
                using (var item = new MemoryStream())
                using (var iw = BinaryCodec.Writer(item)) // one writer for the batch: BinaryWriter does not buffer, so the stream is current after each event
                {
                    for (var i = 0; i < batch.Events.Count; i++)
                    {
                        var e = batch.Events[i];
                        item.SetLength(0);
                        Write(iw, e);
                        w.Write(Manifest(e));
                        w.Write7BitEncodedInt((int)item.Length);
                        w.Write(item.GetBuffer(), 0, (int)item.Length);
                    }
                }
                break;
            case MessageAccepted a:
                w.Write(a.MessageId);
                w.Write(a.AcceptedAt);
                w.Write(a.Envelope, a.Envelope.HasPerRecipientParameters);
                w.WriteBytes(a.Content);
                w.WriteNullable(a.Retry);
                w.WriteNullable(a.Source);
                w.Write(a.Position);
                w.WriteStrings(a.Suppressed);
                break;
            case ContentRestated c:
                w.Write(c.MessageId);
                w.WriteBytes(c.Content);
                break;
            case DeliveryAttempted t:
                w.Write(t.MessageId);
                w.WriteStrings(t.Recipients);
                w.Write7BitEncodedInt(t.Attempt);
                w.Write(t.At);
                break;
            case RecipientDelivered d:
                w.Write(d.MessageId);
                w.Write(d.Recipient);
                w.WriteNullable(d.Reply);
                w.Write(d.At);
                break;
            case RecipientDeferred f:
                w.Write(f.MessageId);
                w.Write(f.Recipient);
                w.WriteNullable(f.Reply);
                w.WriteNullable(f.Error);
                w.Write7BitEncodedInt(f.Attempt);
                w.Write(f.NextAttemptAt);
                w.Write(f.At);
                break;
            case RecipientBounced b:
                w.Write(b.MessageId);
                w.Write(b.Recipient);
                w.WriteNullable(b.Reply);
                w.WriteNullable(b.Error);
                w.Write(b.Hard);
                w.Write((byte)b.Source);
                w.Write(b.At);
                break;
            case RecipientExpired x:
                w.Write(x.MessageId);
                w.Write(x.Recipient);
                w.WriteNullable(x.LastReply);
                w.WriteNullable(x.LastError);
                w.Write(x.At);
                break;
            case RecipientSuppressed s:
                w.Write(s.MessageId);
                w.Write(s.Recipient);
                w.Write(s.Reason);
                w.Write(s.At);
                break;
            case DsnQueued q:
                w.Write(q.MessageId);
                break;
            case AddressSuppressed s:
                WriteSuppressed(w, s);
                break;
            case AddressUnsuppressed u:
                w.Write(u.Address);
                w.Write(u.At);
                break;
            case OutboxCreated c:
                w.Write7BitEncodedInt(c.Partitions);
                w.Write(c.At);
                break;
            case SuppressionSnapshot ss:
                w.Write7BitEncodedInt(ss.Entries.Count);
                foreach (var entry in ss.Entries)
                {
                    WriteSuppressed(w, entry);
                }
                break;
            default:
                throw new ArgumentException($"The outbox serializer does not handle {obj.GetType()}.", nameof(obj));
        }
    }

    private static void WriteSuppressed(BinaryWriter w, AddressSuppressed s)
    {
        w.Write(s.Address);
        w.Write(s.Reason);
        w.Write(s.At);
    }
}
