using MailActors.Load;

namespace MailActors.Cli.Load;

/// <summary>
/// The per-second rate figures of the reports, taken from the timeline so the terminal and the HTML page agree: only
/// whole seconds are rates (the last interval, cut short by the end of the run, would be scaled up to a second and
/// overstate it), and a second in which nothing ended is a rate of 0, not a gap to skip.
/// </summary>
internal static class Throughput
{
    /// <summary>Delivered messages per whole second: the lowest, the mean and the highest, over <paramref name="Seconds"/> seconds.</summary>
    public sealed record Summary(long Min, double Mean, long Max, int Seconds);

    /// <summary>
    /// The whole seconds of the timeline, idle ones included: all but a partial last interval. An interval in the
    /// middle that a late tick made a little short stays, so the seconds keep their places on the chart.
    /// </summary>
    public static IReadOnlyList<SecondSample> WholeSeconds(IReadOnlyList<SecondSample> timeline) =>
        PartialEnd(timeline) is null ? timeline : [.. timeline.Take(timeline.Count - 1)];

    /// <summary>The last interval when it is shorter than a second (and so left out of the rates), else null.</summary>
    public static SecondSample? PartialEnd(IReadOnlyList<SecondSample> timeline) =>
        timeline.Count > 0 && !timeline[^1].IsWholeSecond ? timeline[^1] : null;

    /// <summary>The summary over the whole seconds, or null when the run had none or no message ended in it.</summary>
    public static Summary? Summarize(IReadOnlyList<SecondSample> timeline)
    {
        var whole = WholeSeconds(timeline);
        if (whole.Count == 0 || timeline.All(s => s.Delivered + s.Failed == 0))
        {
            return null;
        }
        return new Summary(whole.Min(s => s.Delivered), whole.Average(s => s.Delivered), whole.Max(s => s.Delivered), whole.Count);
    }
}
