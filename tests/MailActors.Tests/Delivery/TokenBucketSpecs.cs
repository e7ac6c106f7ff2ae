using MailActors.Delivery;

namespace MailActors.Tests.Delivery;

/// <summary>Rate shaping, measured against a fake clock so nothing depends on the machine's speed.</summary>
public sealed class TokenBucketSpecs
{
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    [Fact]
    public void Unlimited_always_gives_a_token()
    {
        var bucket = new TokenBucket(null);

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.True(bucket.TryTake(out TimeSpan _)));
    }

    [Fact]
    public void A_rate_allows_the_burst_then_one_token_per_interval()
    {
        var clock = new ManualClock();
        var bucket = new TokenBucket(10, burst: 3, clock);

        var burst = Enumerable.Range(0, 5).Count(_ => bucket.TryTake(out TimeSpan _));
        var refused = !bucket.TryTake(out var wait);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        var afterInterval = bucket.TryTake(out _);

        Assert.Equal(3, burst);
        Assert.True(refused);
        Assert.Equal(TimeSpan.FromMilliseconds(100), wait);
        Assert.True(afterInterval);
    }

    [Fact]
    public void Over_a_long_run_the_rate_is_the_configured_one()
    {
        var clock = new ManualClock();
        var bucket = new TokenBucket(50, burst: 1, clock);
        var taken = 0;

        for (var step = 0; step < 10_000; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            taken += bucket.TryTake(out _) ? 1 : 0;
        }

        Assert.InRange(taken, 499, 501); // 10 s at 50 per second
    }

    [Fact]
    public void Throttling_scales_the_rate_down()
    {
        var clock = new ManualClock();
        var bucket = new TokenBucket(100, burst: 1, clock) { Factor = 0.5 };
        Assert.True(bucket.TryTake(out _));

        Assert.False(bucket.TryTake(out var wait));

        Assert.Equal(TimeSpan.FromMilliseconds(20), wait);
    }
}
