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

    /// <summary>
    /// A recipient not delivered this long after acceptance is bounced as expired: its retries are brought forward so
    /// that the last one falls at this age, and it expires when that attempt fails too. <see cref="TimeSpan.MaxValue"/>
    /// (HOCON <c>infinite</c>) never expires a recipient.
    /// </summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(5);

    /// <summary>The delay before retry number <paramref name="attempt"/> (1 = the first retry), jitter drawn from <paramref name="random"/>.</summary>
    public TimeSpan DelayBefore(int attempt, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Clamp(attempt - 1, 0, 64);
        var ticks = Math.Min(MaxDelay.Ticks, BaseDelay.Ticks * Math.Pow(Math.Max(1, Multiplier), exponent));
        ticks *= 1 - Math.Clamp(Jitter, 0, 1) * random.NextDouble();
        // An infinite delay times a jitter factor of 1 is no longer a long: it stays "never".
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks(Math.Max(0, (long)ticks));
    }

    /// <summary>
    /// When a recipient accepted at <paramref name="acceptedAt"/> expires: <see cref="DateTime.MaxValue"/> when
    /// <see cref="MaxAge"/> reaches past the calendar (so an infinite age never overflows), at once for a negative one.
    /// </summary>
    internal DateTime DeadlineFor(DateTime acceptedAt) =>
        MaxAge <= TimeSpan.Zero ? acceptedAt
        : MaxAge >= DateTime.MaxValue - acceptedAt ? DateTime.MaxValue
        : acceptedAt + MaxAge;

    /// <summary><paramref name="at"/> plus <paramref name="span"/>, <see cref="DateTime.MaxValue"/> rather than an overflow.</summary>
    internal static DateTime Later(DateTime at, TimeSpan span) =>
        span <= TimeSpan.Zero ? at : span >= DateTime.MaxValue - at ? DateTime.MaxValue : at + span;

    /// <summary>This policy with the members <paramref name="retry"/> sets.</summary>
    public RetryPolicy With(RetryOverride? retry) => retry is null
        ? this
        : this with { BaseDelay = retry.BaseDelay ?? BaseDelay, MaxDelay = retry.MaxDelay ?? MaxDelay, MaxAge = retry.MaxAge ?? MaxAge };

    /// <summary>This policy with the members a route's block sets (<paramref name="retry"/>).</summary>
    public RetryPolicy With(RouteRetryOverride? retry) => retry is null
        ? this
        : this with
        {
            BaseDelay = retry.BaseDelay ?? BaseDelay,
            Multiplier = retry.Multiplier ?? Multiplier,
            MaxDelay = retry.MaxDelay ?? MaxDelay,
            Jitter = retry.Jitter ?? Jitter,
            MaxAge = retry.MaxAge ?? MaxAge,
        };

    /// <summary>
    /// Reads a <c>retry { ... }</c> block (base-delay, multiplier, max-delay, jitter, max-age); absent keys keep
    /// <paramref name="fallback"/>'s values. A duration of <c>infinite</c> reads as <see cref="TimeSpan.MaxValue"/>.
    /// </summary>
    /// <exception cref="ConfigurationException">A duration is negative.</exception>
    public static RetryPolicy FromConfig(Config? config, RetryPolicy? fallback = null) => FromConfig(config, fallback, "retry");

    /// <param name="config">The <c>retry</c> block.</param>
    /// <param name="fallback">Values for absent keys.</param>
    /// <param name="where">The block's path, for error messages.</param>
    internal static RetryPolicy FromConfig(Config? config, RetryPolicy? fallback, string where)
    {
        var basis = fallback ?? new RetryPolicy();
        if (config is null || config.IsEmpty)
        {
            return basis;
        }
        return new RetryPolicy
        {
            BaseDelay = HoconDurations.Read(config, "base-delay", basis.BaseDelay, where),
            Multiplier = config.GetDouble("multiplier", basis.Multiplier),
            MaxDelay = HoconDurations.Read(config, "max-delay", basis.MaxDelay, where),
            Jitter = config.GetDouble("jitter", basis.Jitter),
            MaxAge = HoconDurations.Read(config, "max-age", basis.MaxAge, where),
        };
    }
}
