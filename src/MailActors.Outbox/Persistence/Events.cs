using MailActors.Protocol.Smtp;

namespace MailActors.Outbox.Persistence;

/// <summary>Marks what the outbox journals or snapshots; bound to <see cref="OutboxSerializer"/> in the persistence HOCON.</summary>
public interface IOutboxPersisted;

/// <summary>An event about one message of a partition.</summary>
internal interface IMessageEvent : IOutboxPersisted
{
    string MessageId { get; }
}

/// <summary>A recipient's outcome event.</summary>
internal interface IRecipientEvent : IMessageEvent
{
    string Recipient { get; }

    DateTime At { get; }
}

/// <summary>
/// The envelope as journaled: what <see cref="Delivery.OutgoingMail"/> needs besides the content.
/// <paramref name="PerRecipientParameters"/> (case-insensitive keys) is null when the caller gave none; only then is the
/// envelope written in the format of earlier versions.
/// </summary>
internal sealed record StoredEnvelope(
    string Sender,
    IReadOnlyList<string> Recipients,
    string? Route,
    MailParameters? Parameters,
    RecipientParameters? RecipientParameters,
    IReadOnlyDictionary<string, RecipientParameters>? PerRecipientParameters = null)
{
    /// <summary>Whether the envelope needs the format that holds per-recipient parameters.</summary>
    public bool HasPerRecipientParameters => PerRecipientParameters is { Count: > 0 };

    /// <summary>The RCPT TO parameters the caller gave for <paramref name="recipient"/>: its own, else the shared ones.</summary>
    public RecipientParameters? RecipientParametersFor(string recipient) =>
        PerRecipientParameters is { } own && own.TryGetValue(recipient, out var parameters) ? parameters : RecipientParameters;
}

/// <summary>A message journaled: from here on it is never lost. Recipients listed in <paramref name="Suppressed"/> are skipped.</summary>
internal sealed record MessageAccepted(
    string MessageId,
    DateTime AcceptedAt,
    StoredEnvelope Envelope,
    ReadOnlyMemory<byte> Content,
    RetryOverride? Retry,
    string? Source,
    long Position,
    IReadOnlyList<string> Suppressed) : IMessageEvent;

/// <summary>
/// The content of a message accepted long ago, journaled again so that the older rows it kept alive (with the events of
/// finished messages around it) can be deleted after the next snapshot.
/// </summary>
internal sealed record ContentRestated(string MessageId, ReadOnlyMemory<byte> Content) : IMessageEvent;

/// <summary>A delivery attempt began for these recipients (the attempt's number per recipient is <paramref name="Attempt"/>).</summary>
internal sealed record DeliveryAttempted(string MessageId, IReadOnlyList<string> Recipients, int Attempt, DateTime At) : IMessageEvent;

/// <summary>A server accepted responsibility for the recipient.</summary>
internal sealed record RecipientDelivered(string MessageId, string Recipient, SmtpReply? Reply, DateTime At) : IRecipientEvent;

/// <summary>A transient failure; the next attempt is due at <paramref name="NextAttemptAt"/>.</summary>
internal sealed record RecipientDeferred(string MessageId, string Recipient, SmtpReply? Reply, string? Error, int Attempt, DateTime NextAttemptAt, DateTime At) : IRecipientEvent;

/// <summary>A permanent failure. <paramref name="Hard"/>: the address itself is bad (5.1.x), so it is suppressed.</summary>
internal sealed record RecipientBounced(string MessageId, string Recipient, SmtpReply? Reply, string? Error, bool Hard, BounceSource Source, DateTime At) : IRecipientEvent;

/// <summary>The recipient was not delivered within its maximum age.</summary>
internal sealed record RecipientExpired(string MessageId, string Recipient, SmtpReply? LastReply, string? LastError, DateTime At) : IRecipientEvent;

/// <summary>The recipient is on the suppression list; the outbox did not send to it.</summary>
internal sealed record RecipientSuppressed(string MessageId, string Recipient, string Reason, DateTime At) : IRecipientEvent;

/// <summary>The DSN for this (finished) message was handed to the outbox; it needs no re-drive after a restart.</summary>
internal sealed record DsnQueued(string MessageId) : IMessageEvent;

/// <summary>An address was put on the suppression list.</summary>
internal sealed record AddressSuppressed(string Address, string Reason, DateTime At) : IOutboxPersisted;

/// <summary>An address was taken off the suppression list.</summary>
internal sealed record AddressUnsuppressed(string Address, DateTime At) : IOutboxPersisted;

/// <summary>The store's partition count, journaled once when the store is first used.</summary>
internal sealed record OutboxCreated(int Partitions, DateTime At) : IOutboxPersisted;

/// <summary>
/// One group commit of a partition: the events (each still about one message and recipient) that one journal write
/// made durable together. Journaling them as one row instead of one row each divides the per-row work of the store
/// (statements, parameters, index updates) by the batch size; recovery applies them in order as if they were separate.
/// </summary>
internal sealed record EventBatch(IReadOnlyList<IOutboxPersisted> Events) : IOutboxPersisted
{
    /// <summary>The events of one journal row: a batch's, or the single event older rows hold.</summary>
    public static IReadOnlyList<IOutboxPersisted> Unpack(IOutboxPersisted row) => row is EventBatch batch ? batch.Events : [row];
}

/// <summary>The suppression list's snapshot.</summary>
internal sealed record SuppressionSnapshot(IReadOnlyList<AddressSuppressed> Entries) : IOutboxPersisted;
