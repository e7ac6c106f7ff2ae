using Akka.Configuration;

namespace MailActors.Outbox;

/// <summary>Per-message overrides of the retry policy (null members fall back to the route's, then the outbox's).</summary>
/// <param name="BaseDelay">First retry delay.</param>
/// <param name="MaxDelay">Longest retry delay.</param>
/// <param name="MaxAge">Age after which an undelivered recipient expires.</param>
public sealed record RetryOverride(TimeSpan? BaseDelay = null, TimeSpan? MaxDelay = null, TimeSpan? MaxAge = null);

/// <summary>
/// The retry keys a route's <c>outbox.retry { ... }</c> block sets; null members follow <see cref="OutboxOptions.Retry"/>
/// as it is when the route is looked up (<see cref="OutboxOptions.ForRoute"/>), so a later change of the outbox's policy
/// reaches every key the route leaves unset.
/// </summary>
/// <remarks>
/// Unlike <see cref="RetryOverride"/>, which is journaled with each message, this is configuration only, so it can hold
/// every member of <see cref="RetryPolicy"/>.
/// </remarks>
/// <param name="BaseDelay">First retry delay.</param>
/// <param name="Multiplier">Growth factor of each further delay.</param>
/// <param name="MaxDelay">Longest retry delay.</param>
/// <param name="Jitter">Largest fraction taken off a delay at random.</param>
/// <param name="MaxAge">Age after which an undelivered recipient expires.</param>
public sealed record RouteRetryOverride(TimeSpan? BaseDelay = null, double? Multiplier = null, TimeSpan? MaxDelay = null, double? Jitter = null, TimeSpan? MaxAge = null)
{
    /// <summary>Reads the keys present in a route's <c>retry { ... }</c> block, refusing what <see cref="RetryPolicy.FromConfig(Config?, RetryPolicy?)"/> refuses.</summary>
    /// <param name="config">The block; null or empty for none.</param>
    /// <param name="where">The block's path, for error messages.</param>
    /// <exception cref="ConfigurationException">A duration is not one, or is negative (other than <c>infinite</c>).</exception>
    internal static RouteRetryOverride? FromConfig(Config? config, string where)
    {
        if (config is null || config.IsEmpty)
        {
            return null;
        }
        // The fallbacks are never used: each key is read only when present.
        return new RouteRetryOverride(
            config.HasPath("base-delay") ? HoconDurations.Read(config, "base-delay", TimeSpan.Zero, where) : null,
            config.HasPath("multiplier") ? config.GetDouble("multiplier") : null,
            config.HasPath("max-delay") ? HoconDurations.Read(config, "max-delay", TimeSpan.Zero, where) : null,
            config.HasPath("jitter") ? config.GetDouble("jitter") : null,
            config.HasPath("max-age") ? HoconDurations.Read(config, "max-age", TimeSpan.Zero, where) : null);
    }
}

/// <summary>Where a bounce came from.</summary>
public enum BounceSource
{
    /// <summary>A permanent (5xx) reply in the SMTP transaction.</summary>
    Smtp,
    /// <summary>A delivery status notification (RFC 3464) that arrived later, e.g. from the bounce mailbox.</summary>
    Dsn,
}
