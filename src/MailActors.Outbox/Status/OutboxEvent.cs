using MailActors.Protocol.Smtp;

namespace MailActors.Outbox;

/// <summary>A delivery event, published live (after it is journaled) to <see cref="Outbox.Subscribe"/> readers.</summary>
/// <param name="MessageId">The message.</param>
/// <param name="At">When it happened (UTC).</param>
public abstract record OutboxEvent(string MessageId, DateTime At);

/// <summary>A message was journaled.</summary>
public sealed record MessageAcceptedEvent(string MessageId, IReadOnlyList<string> Recipients, DateTime At) : OutboxEvent(MessageId, At);

/// <summary>An attempt began.</summary>
public sealed record DeliveryAttemptedEvent(string MessageId, IReadOnlyList<string> Recipients, int Attempt, DateTime At) : OutboxEvent(MessageId, At);

/// <summary>A recipient was delivered.</summary>
public sealed record DeliveredEvent(string MessageId, string Recipient, SmtpReply? Reply, DateTime At) : OutboxEvent(MessageId, At);

/// <summary>A recipient was deferred until <paramref name="NextAttemptAt"/>.</summary>
public sealed record DeferredEvent(string MessageId, string Recipient, SmtpReply? Reply, string? Error, int Attempt, DateTime NextAttemptAt, DateTime At) : OutboxEvent(MessageId, At);

/// <summary>
/// The failure notification: a recipient bounced (5xx or a DSN), expired, or was suppressed. Carries what the sender
/// needs to act on it.
/// </summary>
/// <param name="MessageId">The message.</param>
/// <param name="Recipient">The recipient that failed.</param>
/// <param name="State">Bounced, Expired or Suppressed.</param>
/// <param name="Reply">The deciding reply, if a server gave one.</param>
/// <param name="Error">The reason when no reply tells it.</param>
/// <param name="Hard">The address itself is bad (it was put on the suppression list).</param>
/// <param name="Source">SMTP transaction or DSN (for bounces).</param>
/// <param name="At">When (UTC).</param>
public sealed record DeliveryFailed(string MessageId, string Recipient, RecipientState State, SmtpReply? Reply, string? Error, bool Hard, BounceSource Source, DateTime At) : OutboxEvent(MessageId, At);
