using HdrHistogram;

namespace MailActors.Load;

/// <summary>
/// A latency distribution in microseconds (HdrHistogram, 3 significant digits, 1 µs to 1 hour): recorded from any
/// thread through a <see cref="Recorder"/>, folded into a running total and per-interval snapshots by <see cref="Harvest"/>.
/// </summary>
internal sealed class LatencyHistogram
{
    private const long Highest = 3_600_000_000; // one hour in µs; longer values are clamped
    private readonly Recorder _recorder = HistogramFactory.With64BitBucketSize()
        .WithValuesFrom(1).WithValuesUpTo(Highest).WithPrecisionOf(3)
        .WithThreadSafeWrites().WithThreadSafeReads().Create();
    private readonly object _gate = new();
    private readonly HistogramBase _total = New();
    private HistogramBase? _interval;

    public static HistogramBase New() => new LongHistogram(1, Highest, 3);

    /// <summary>Records one latency (thread-safe, wait-free).</summary>
    public void Record(TimeSpan elapsed) => RecordMicroseconds((long)(elapsed.Ticks / 10.0));

    /// <summary>Records one latency in microseconds (thread-safe, wait-free).</summary>
    public void RecordMicroseconds(long microseconds) => _recorder.RecordValue(Math.Clamp(microseconds, 1, Highest));

    /// <summary>Moves what was recorded since the last harvest into the total and summarises that interval.</summary>
    public LatencyStats Harvest(string name)
    {
        lock (_gate)
        {
            var interval = _recorder.GetIntervalHistogram(_interval);
            _total.Add(interval);
            _interval = interval; // recycled by the next harvest
            return LatencyStats.From(name, interval);
        }
    }

    /// <summary>Summary of everything recorded so far (harvests first).</summary>
    public LatencyStats Summary(string name)
    {
        lock (_gate)
        {
            Harvest(name);
            return LatencyStats.From(name, _total);
        }
    }
}
