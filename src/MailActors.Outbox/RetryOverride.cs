namespace MailActors.Outbox;

/// <summary>Per-message overrides of the retry policy (null members fall back to the route's, then the outbox's).</summary>
/// <param name="BaseDelay">First retry delay.</param>
/// <param name="MaxDelay">Longest retry delay.</param>
/// <param name="MaxAge">Age after which an undelivered recipient expires.</param>
public sealed record RetryOverride(TimeSpan? BaseDelay = null, TimeSpan? MaxDelay = null, TimeSpan? MaxAge = null);

/// <summary>Where a bounce came from.</summary>
public enum BounceSource
{
    /// <summary>A permanent (5xx) reply in the SMTP transaction.</summary>
    Smtp,
    /// <summary>A delivery status notification (RFC 3464) that arrived later, e.g. from the bounce mailbox.</summary>
    Dsn,
}
