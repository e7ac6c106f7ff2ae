using MailActors.Protocol.Smtp;

namespace MailActors.Outbox;

/// <summary>Where one recipient of an outbox message stands.</summary>
public enum RecipientState
{
    /// <summary>Accepted and waiting for its first attempt.</summary>
    Queued,
    /// <summary>An attempt is under way (or was when the process stopped: it is retried after a restart).</summary>
    InFlight,
    /// <summary>A transient failure; waiting for the next attempt.</summary>
    Deferred,
    /// <summary>A server accepted responsibility (final, unless a DSN later reports a bounce).</summary>
    Delivered,
    /// <summary>Refused for good: a 5xx reply, or a DSN that reported failure (final).</summary>
    Bounced,
    /// <summary>Not delivered within the maximum age (final).</summary>
    Expired,
    /// <summary>On the suppression list: not sent (final).</summary>
    Suppressed,
}

/// <summary>One recipient's state, its attempts so far, and the last reply or error that decided it.</summary>
/// <param name="Address">The recipient.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Attempts">Delivery attempts begun.</param>
/// <param name="LastReply">The last server reply about this recipient, if any.</param>
/// <param name="LastError">The last error when no reply told it (lost connection, timeout, suppression reason...).</param>
/// <param name="NextAttemptAt">When a deferred recipient is tried again (UTC).</param>
/// <param name="UpdatedAt">When the state last changed (UTC).</param>
public sealed record RecipientStatus(string Address, RecipientState State, int Attempts, SmtpReply? LastReply, string? LastError, DateTime? NextAttemptAt, DateTime UpdatedAt)
{
    /// <summary>True for Delivered, Bounced, Expired and Suppressed.</summary>
    public bool IsFinal => State is RecipientState.Delivered or RecipientState.Bounced or RecipientState.Expired or RecipientState.Suppressed;
}

/// <summary>A message's status: one entry per recipient.</summary>
/// <param name="MessageId">The message id.</param>
/// <param name="EnvelopeId">The DSN envelope id (ENVID) the message was sent with.</param>
/// <param name="Sender">The envelope sender.</param>
/// <param name="AcceptedAt">When the outbox journaled it (UTC).</param>
/// <param name="Recipients">Per-recipient state.</param>
public sealed record MessageStatus(string MessageId, string EnvelopeId, string Sender, DateTime AcceptedAt, IReadOnlyList<RecipientStatus> Recipients)
{
    /// <summary>True when every recipient is final.</summary>
    public bool IsFinished => Recipients.All(r => r.IsFinal);

    /// <summary>
    /// The recipient <paramref name="address"/>, or null. Addresses are compared case-insensitively as bare addresses,
    /// so <c>bob@example.com</c>, <c>&lt;bob@example.com&gt;</c> and <c>Bob &lt;bob@example.com&gt;</c> find the same
    /// recipient however it was written at enqueue; one written exactly as asked is preferred.
    /// </summary>
    public RecipientStatus? Recipient(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var exact = Recipients.FirstOrDefault(r => string.Equals(r.Address, address, StringComparison.OrdinalIgnoreCase));
        if (exact is not null)
        {
            return exact;
        }
        // Recipients are stored as the caller wrote them, while DSNs (and their ORCPT, which the outbox sends bare)
        // name the bare address.
        var bare = Actors.SuppressionSet.Normalize(address);
        return Recipients.FirstOrDefault(r => string.Equals(Actors.SuppressionSet.Normalize(r.Address), bare, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// Recipient counts by state over the whole outbox. Queued, InFlight and Deferred are the unfinished recipients now;
/// Delivered, Bounced, Expired and Suppressed count every recipient that ever reached that state (kept across restarts).
/// </summary>
/// <param name="MessagesAccepted">Messages journaled since the store was created.</param>
/// <param name="MessagesUnfinished">Messages with at least one recipient not final.</param>
/// <param name="Queued">Recipients waiting for their first attempt (or re-driven).</param>
/// <param name="InFlight">Recipients in an attempt now.</param>
/// <param name="Deferred">Recipients waiting for a retry.</param>
/// <param name="Delivered">Recipients delivered.</param>
/// <param name="Bounced">Recipients bounced.</param>
/// <param name="Expired">Recipients expired.</param>
/// <param name="Suppressed">Recipients skipped because of the suppression list.</param>
public sealed record OutboxCounts(long MessagesAccepted, long MessagesUnfinished, long Queued, long InFlight, long Deferred, long Delivered, long Bounced, long Expired, long Suppressed)
{
    /// <summary>All zero.</summary>
    public static OutboxCounts Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Sum of two partitions' counts.</summary>
    public static OutboxCounts operator +(OutboxCounts a, OutboxCounts b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.MessagesAccepted + b.MessagesAccepted, a.MessagesUnfinished + b.MessagesUnfinished, a.Queued + b.Queued,
            a.InFlight + b.InFlight, a.Deferred + b.Deferred, a.Delivered + b.Delivered, a.Bounced + b.Bounced, a.Expired + b.Expired,
            a.Suppressed + b.Suppressed);
    }

    /// <summary>Same as <see cref="op_Addition"/>.</summary>
    public static OutboxCounts Add(OutboxCounts a, OutboxCounts b) => a + b;
}
