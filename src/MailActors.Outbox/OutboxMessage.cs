using MailActors.Delivery;

namespace MailActors.Outbox;

/// <summary>Identifies a message's place in an input the caller reads in order (a file list, a CSV), so a rerun can skip what was journaled.</summary>
/// <param name="Source">Names the input (e.g. <c>csv:/data/list.csv</c>).</param>
/// <param name="Position">The message's position in it, increasing.</param>
public readonly record struct SourcePosition(string Source, long Position);

/// <summary>A message for <see cref="Outbox.EnqueueAsync(OutboxMessage, CancellationToken)"/>: the mail plus outbox-only options.</summary>
/// <param name="Mail">Envelope, content and optional route; <see cref="OutgoingMail.MessageId"/> is the outbox key.</param>
public sealed record OutboxMessage(OutgoingMail Mail)
{
    /// <summary>Overrides of the retry policy for this message (max age, delays).</summary>
    public RetryOverride? Retry { get; init; }

    /// <summary>Where the message comes from, for resumable bulk input (see <see cref="Outbox.GetSourceCursorAsync"/>).</summary>
    public SourcePosition? Source { get; init; }
}

/// <summary>What happened to an enqueued message.</summary>
public enum EnqueueOutcome
{
    /// <summary>Journaled now.</summary>
    Accepted,
    /// <summary>Already journaled earlier (same unfinished message id, or an input position already taken): nothing written.</summary>
    AlreadyAccepted,
    /// <summary>Refused before anything was written; see <see cref="EnqueueResult.Error"/>.</summary>
    Rejected,
}

/// <summary>Why a message was refused at enqueue.</summary>
public enum OutboxRejection
{
    /// <summary>Not refused.</summary>
    None,
    /// <summary>Larger than the route's size limit.</summary>
    TooLarge,
    /// <summary>A malformed sender or recipient address (or one carrying CR, LF or NUL).</summary>
    InvalidAddress,
    /// <summary>The content could not be read (the stream threw).</summary>
    ContentUnreadable,
    /// <summary>The message names a route that does not exist.</summary>
    NoRoute,
    /// <summary>
    /// The outbox is read-only (passive), or the message's partition is not running (restarting after a journal
    /// failure, or stopping). The message may be enqueued again: an id the journal already holds comes back
    /// <see cref="EnqueueOutcome.AlreadyAccepted"/>.
    /// </summary>
    Unavailable,
    /// <summary>A MAIL or RCPT parameter is refused (ENVID, NOTIFY, ORCPT, AUTH, TRANSID or an extra parameter).</summary>
    InvalidParameters,
}

/// <summary>The result of enqueuing one message.</summary>
/// <param name="MessageId">The message id.</param>
/// <param name="Outcome">Accepted, already accepted, or rejected.</param>
/// <param name="Rejection">Why it was rejected.</param>
/// <param name="Error">The rejection in words.</param>
/// <param name="SuppressedRecipients">Recipients on the suppression list: journaled as suppressed and never sent.</param>
public sealed record EnqueueResult(string MessageId, EnqueueOutcome Outcome, OutboxRejection Rejection, string? Error, IReadOnlyList<string> SuppressedRecipients);

/// <summary>A message refused at enqueue; nothing of it was journaled.</summary>
public sealed class OutboxRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OutboxRejectedException(string messageId, OutboxRejection reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        MessageId = messageId;
        Reason = reason;
    }

    /// <summary>Creates the exception (serialization and tooling).</summary>
    public OutboxRejectedException()
        : this("", OutboxRejection.None, "The message was rejected.")
    {
    }

    /// <summary>Creates the exception (serialization and tooling).</summary>
    public OutboxRejectedException(string message)
        : this("", OutboxRejection.None, message)
    {
    }

    /// <summary>Creates the exception (serialization and tooling).</summary>
    public OutboxRejectedException(string message, Exception inner)
        : this("", OutboxRejection.None, message, inner)
    {
    }

    /// <summary>The refused message's id.</summary>
    public string MessageId { get; } = "";

    /// <summary>Why.</summary>
    public OutboxRejection Reason { get; }
}

/// <summary>
/// How far an input was journaled: per partition, the highest position accepted from it. A message at position P
/// is journaled exactly when <see cref="Contains"/> says so, because each partition accepts its share in order.
/// </summary>
public sealed class SourceCursor
{
    private readonly long[] _highest;
    private readonly Func<string, int> _partitionOf;

    internal SourceCursor(string source, long[] highest, Func<string, int> partitionOf)
    {
        Source = source;
        _highest = highest;
        _partitionOf = partitionOf;
    }

    /// <summary>The input's name.</summary>
    public string Source { get; }

    /// <summary>The lowest position some partition has not reached: everything before it was journaled.</summary>
    public long ResumeFrom => _highest.Min() + 1;

    /// <summary>Whether the message <paramref name="messageId"/> at <paramref name="position"/> was journaled already.</summary>
    public bool Contains(string messageId, long position) => position <= _highest[_partitionOf(messageId)];
}
