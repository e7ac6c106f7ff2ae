using Akka.Configuration;

namespace MailActors.Outbox;

/// <summary>
/// When to try a deferred recipient again, and when to give up: exponential backoff with jitter up to a maximum
/// delay, and a maximum age after which the recipient is bounced as expired.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>The first retry's delay.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Each further retry waits this many times longer.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>The longest delay between attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromHours(4);

    /// <summary>Up to this fraction of a delay is taken off at random, so messages deferred together do not retry together.</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>A recipient not delivered this long after acceptance is bounced as expired.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(5);

    /// <summary>The delay before retry number <paramref name="attempt"/> (1 = the first retry), jitter drawn from <paramref name="random"/>.</summary>
    public TimeSpan DelayBefore(int attempt, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Clamp(attempt - 1, 0, 64);
        var ticks = Math.Min(MaxDelay.Ticks, BaseDelay.Ticks * Math.Pow(Math.Max(1, Multiplier), exponent));
        ticks *= 1 - Math.Clamp(Jitter, 0, 1) * random.NextDouble();
        return TimeSpan.FromTicks(Math.Max(0, (long)ticks));
    }

    /// <summary>This policy with the members <paramref name="retry"/> sets.</summary>
    public RetryPolicy With(RetryOverride? retry) => retry is null
        ? this
        : this with { BaseDelay = retry.BaseDelay ?? BaseDelay, MaxDelay = retry.MaxDelay ?? MaxDelay, MaxAge = retry.MaxAge ?? MaxAge };

    /// <summary>Reads a <c>retry { ... }</c> block (base-delay, multiplier, max-delay, jitter, max-age); absent keys keep <paramref name="fallback"/>'s values.</summary>
    public static RetryPolicy FromConfig(Config? config, RetryPolicy? fallback = null)
    {
        var basis = fallback ?? new RetryPolicy();
        if (config is null || config.IsEmpty)
        {
            return basis;
        }
        return new RetryPolicy
        {
            BaseDelay = config.GetTimeSpan("base-delay", basis.BaseDelay),
            Multiplier = config.GetDouble("multiplier", basis.Multiplier),
            MaxDelay = config.GetTimeSpan("max-delay", basis.MaxDelay),
            Jitter = config.GetDouble("jitter", basis.Jitter),
            MaxAge = config.GetTimeSpan("max-age", basis.MaxAge),
        };
    }
}
