using HdrHistogram;

namespace MailActors.Load;

/// <summary>A latency summary in milliseconds: count, mean, the percentiles server engineers read, and the maximum.</summary>
/// <param name="Name">The step (<c>connect</c>, <c>EHLO</c>, <c>DOT</c>, ...) or <c>message</c> for whole messages.</param>
/// <param name="Count">Values recorded.</param>
/// <param name="Mean">Mean, ms.</param>
/// <param name="P50">Median, ms.</param>
/// <param name="P90">90th percentile, ms.</param>
/// <param name="P99">99th percentile, ms.</param>
/// <param name="P999">99.9th percentile, ms.</param>
/// <param name="Max">Maximum, ms.</param>
public sealed record LatencyStats(string Name, long Count, double Mean, double P50, double P90, double P99, double P999, double Max)
{
    /// <summary>Summarises a histogram of microseconds.</summary>
    internal static LatencyStats From(string name, HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
        {
            return new LatencyStats(name, 0, 0, 0, 0, 0, 0, 0);
        }
        static double Ms(double microseconds) => Math.Round(microseconds / 1000.0, 3);
        return new LatencyStats(
            name,
            histogram.TotalCount,
            Ms(histogram.GetMean()),
            Ms(histogram.GetValueAtPercentile(50)),
            Ms(histogram.GetValueAtPercentile(90)),
            Ms(histogram.GetValueAtPercentile(99)),
            Ms(histogram.GetValueAtPercentile(99.9)),
            Ms(histogram.GetMaxValue()));
    }
}
