namespace MailActors.Delivery;

/// <summary>
/// A token bucket for rate shaping (messages or connections per second). Not thread-safe: each route supervisor owns
/// its buckets and uses them from its own actor thread.
/// </summary>
public sealed class TokenBucket
{
    private readonly TimeProvider _clock;
    private double _tokens;
    private long _last;

    /// <summary>Creates a bucket.</summary>
    /// <param name="ratePerSecond">Sustained rate; null or not positive means unlimited.</param>
    /// <param name="burst">How many tokens may accumulate (at least 1).</param>
    /// <param name="clock">Time source (tests pass a fake).</param>
    public TokenBucket(double? ratePerSecond, double burst = 1, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        Rate = ratePerSecond is > 0 ? ratePerSecond : null;
        Burst = Math.Max(1, burst);
        _tokens = Burst;
        _last = _clock.GetTimestamp();
    }

    /// <summary>The configured rate (null = unlimited).</summary>
    public double? Rate { get; }

    /// <summary>The bucket size.</summary>
    public double Burst { get; }

    /// <summary>A factor in (0, 1] applied to the rate while the route is throttled.</summary>
    public double Factor { get; set; } = 1.0;

    /// <summary>Takes a token if one is there; otherwise says how long until one will be.</summary>
    public bool TryTake(out TimeSpan wait)
    {
        if (Rate is not { } rate)
        {
            wait = TimeSpan.Zero;
            return true;
        }
        var effective = rate * Math.Clamp(Factor, 0.01, 1.0);
        var now = _clock.GetTimestamp();
        _tokens = Math.Min(Burst, _tokens + _clock.GetElapsedTime(_last, now).TotalSeconds * effective);
        _last = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            wait = TimeSpan.Zero;
            return true;
        }
        wait = TimeSpan.FromSeconds((1 - _tokens) / effective);
        return false;
    }
}
