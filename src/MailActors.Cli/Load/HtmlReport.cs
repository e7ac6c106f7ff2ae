using System.Globalization;
using System.Net;
using System.Text;
using MailActors.Load;

namespace MailActors.Cli.Load;

/// <summary>
/// One self-contained HTML page: summary, throughput over time, message latency over time, latency percentiles per
/// step (inline SVG, no external resources), and the tables. A few lines of inline script add nothing but a check
/// that every chart drew something, recorded on the body as <c>data-charts-rendered</c>.
/// </summary>
internal static class HtmlReport
{
    private static readonly (string Name, string Color)[] Percentiles =
    [
        ("p50", "#16a34a"), ("p90", "#0891b2"), ("p99", "#ea580c"), ("p99.9", "#dc2626"), ("max", "#7c3aed"),
    ];

    public static string Render(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var h = report.Header;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append(Invariant($"<title>mailactors load: {E(h.Target)} {E(h.StartedAt.ToString("u", CultureInfo.InvariantCulture))}</title>"))
            .Append("<style>").Append(Css).Append("</style></head><body>");
        html.Append(Invariant($"<h1>mailactors load — {E(h.Protocol.ToUpperInvariant())} {E(h.Target)}</h1>"));
        html.Append(Invariant($"<p class=\"sub\">{E(h.Mode)}, {h.Sessions} sessions")
            + (h.TargetRate is { } rate ? Invariant($", target {rate:0.###} msg/s") : "")
            + (h.PlannedMessages is { } planned ? Invariant($", {planned:#,0} messages planned") : "")
            + (h.Duration is { } d ? Invariant($", {d.TotalSeconds:0.###} s") : "")
            + Invariant($"; started {E(h.StartedAt.ToString("u", CultureInfo.InvariantCulture))}</p>"));
        if (report.AbortReason is { } reason)
        {
            html.Append(Invariant($"<p class=\"warn\">Ended early: {E(reason)}</p>"));
        }

        html.Append("<div class=\"cards\">");
        Card(html, "throughput", Units.Rate(report.MessagesPerSecond) + " msg/s");
        Card(html, "delivered", Units.Count(report.Delivered));
        Card(html, "failed", Units.Count(report.Failed));
        var measured = report.MessageLatency.Count > 0;
        Card(html, "message p50", Units.Latency(measured ? report.MessageLatency.P50 : null));
        Card(html, "message p99", Units.Latency(measured ? report.MessageLatency.P99 : null));
        Card(html, "message max", Units.Latency(measured ? report.MessageLatency.Max : null));
        Card(html, "bytes", Units.Bytes(report.Bytes));
        Card(html, "connections", Units.Count(report.ConnectionsOpened));
        Card(html, "peak sessions", Units.Count(report.PeakSessions));
        Card(html, "elapsed", Units.Seconds(report.Elapsed));
        html.Append("</div>");

        var timeline = report.Timeline;
        var wholeSeconds = Throughput.WholeSeconds(timeline);
        html.Append("<h2>Throughput over time</h2>");
        html.Append(SvgChart.Lines("chart-throughput", "Messages per second", "messages / s",
        [
            new SvgChart.Series("delivered", "#2563eb", [.. wholeSeconds.Select(s => (double)s.Delivered)], Fill: true),
            new SvgChart.Series("failed", "#dc2626", [.. wholeSeconds.Select(s => (double)s.Failed)]),
        ], logY: false));
        if (Throughput.PartialEnd(timeline) is { } partial)
        {
            html.Append(Invariant($"<p class=\"note\" id=\"partial-second\">Whole seconds only: the last {partial.IntervalSeconds:0.###} s of the run ({Units.Count(partial.Delivered)} delivered, {Units.Count(partial.Failed)} failed) is not plotted, as its count is not a rate per second.</p>"));
        }

        html.Append("<h2>Message latency over time</h2>");
        html.Append(SvgChart.Lines("chart-latency-time", "Message latency per second (ms)", "ms (log scale)",
        [
            new SvgChart.Series("p50", "#16a34a", [.. timeline.Select(s => s.P50 ?? double.NaN)]),
            new SvgChart.Series("p99", "#ea580c", [.. timeline.Select(s => s.P99 ?? double.NaN)]),
            new SvgChart.Series("max", "#7c3aed", [.. timeline.Select(s => s.Max ?? double.NaN)]),
        ], logY: true));
        html.Append("<p class=\"note\">A gap is a second in which no message ended: nothing was measured, which is not a latency of 0.</p>");

        html.Append("<h2>Latency per step</h2>");
        var steps = new[] { report.MessageLatency }.Concat(report.Steps).Where(s => s.Count > 0).ToList();
        html.Append(SvgChart.PercentileBars("chart-steps", "Latency percentiles per step (ms)",
            [.. steps.Select(s => (LoadConsole.StepLabel(s.Name), (IReadOnlyList<double>)[s.P50, s.P90, s.P99, s.P999, s.Max]))], Percentiles));

        html.Append("<table><thead><tr><th>step</th><th>count</th><th>mean</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead><tbody>");
        foreach (var s in steps)
        {
            html.Append(Invariant($"<tr><td>{E(LoadConsole.StepLabel(s.Name))}</td><td>{Units.Count(s.Count)}</td><td>{Units.Ms(s.Mean)}</td><td>{Units.Ms(s.P50)}</td><td>{Units.Ms(s.P90)}</td><td>{Units.Ms(s.P99)}</td><td>{Units.Ms(s.P999)}</td><td>{Units.Ms(s.Max)}</td></tr>"));
        }
        html.Append("</tbody></table><p class=\"note\">Milliseconds. Steps are timed from the moment their bytes were queued to the reply; "
            + "<em>message</em> from the hand-over to a session (closed loop) or the scheduled send time (open loop) to the final reply.</p>");

        html.Append("<h2>Errors by phase and code</h2>");
        if (report.Errors.Count == 0)
        {
            html.Append("<p>None.</p>");
        }
        else
        {
            html.Append("<table><thead><tr><th>phase</th><th>code / kind</th><th>count</th></tr></thead><tbody>");
            foreach (var e in report.Errors)
            {
                html.Append(Invariant($"<tr><td>{E(LoadConsole.StepLabel(e.Phase))}</td><td>{E(e.What)}</td><td>{Units.Count(e.Count)}</td></tr>"));
            }
            html.Append("</tbody></table>");
        }

        html.Append("<h2>Totals</h2><table><tbody>");
        Row(html, "attempted", Units.Count(report.Attempted));
        Row(html, "delivered", Units.Count(report.Delivered));
        Row(html, "failed", Units.Count(report.Failed));
        Row(html, "bytes accepted", Invariant($"{Units.Count(report.Bytes)} ({Units.Bytes(report.Bytes)})"));
        Row(html, "recipients accepted / refused", Invariant($"{Units.Count(report.RecipientsAccepted)} / {Units.Count(report.RecipientsRefused)}"));
        Row(html, "connections opened / failed", Invariant($"{Units.Count(report.ConnectionsOpened)} / {Units.Count(report.ConnectionsFailed)}"));
        Row(html, "sending time", Units.Seconds(report.SendingElapsed));
        Row(html, "replies by code", string.Join(", ", report.RepliesByCode.Select(p => Invariant($"{p.Key}: {Units.Count(p.Value)}"))));
        if (report.Integrity is { } integrity)
        {
            Row(html, "integrity valid / missing / changed", Invariant($"{Units.Count(integrity.Valid)} / {Units.Count(integrity.Missing)} / {Units.Count(integrity.Mismatch)}"));
        }
        foreach (var (key, value) in h.Settings)
        {
            Row(html, key, value);
        }
        html.Append("</tbody></table>");
        html.Append("<footer>Generated by mailactors load. Self-contained: no network resources.</footer>");
        html.Append("<script>").Append(Script).Append("</script></body></html>\n");
        return html.ToString();
    }

    private static void Card(StringBuilder html, string label, string value) =>
        html.Append(Invariant($"<div class=\"card\"><div class=\"label\">{E(label)}</div><div class=\"value\">{E(value)}</div></div>"));

    private static void Row(StringBuilder html, string label, string value) =>
        html.Append(Invariant($"<tr><th>{E(label)}</th><td>{E(value)}</td></tr>"));

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private const string Css = """
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1000px;color:#111827;background:#fff}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
        .sub,.note,footer{color:#6b7280;font-size:13px}.warn{color:#b45309;font-weight:600}
        .cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
        .card{border:1px solid #e5e7eb;border-radius:8px;padding:8px 12px;min-width:120px}
        .card .label{font-size:12px;color:#6b7280}.card .value{font-size:18px;font-weight:600}
        table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{padding:4px 10px;border-bottom:1px solid #e5e7eb;text-align:right}
        th:first-child,td:first-child{text-align:left}tbody th{text-align:left;font-weight:500;color:#374151}
        svg.chart{display:block;max-width:100%;height:auto}
        svg .frame{fill:#fff;stroke:#e5e7eb}svg .grid{stroke:#f1f5f9}svg .tick,svg .legend,svg .step{font-size:11px;fill:#374151}
        svg .axis-label{font-size:12px;fill:#6b7280}svg .area{opacity:.15}svg .empty{fill:#9ca3af;font-size:14px}
        svg .hover{fill:transparent}svg .hover:hover{fill:#111827}
        footer{margin-top:32px}
        """;

    // Counts the charts whose data marks have a drawn size; the count ends up on <body> for a glance in the DOM.
    private const string Script = """
        (function () {
          var rendered = 0;
          document.querySelectorAll('svg.chart').forEach(function (svg) {
            var marks = svg.querySelectorAll('.series, .bar');
            for (var i = 0; i < marks.length; i++) {
              var box = marks[i].getBBox();
              if (box.width > 0 || box.height > 0) { rendered++; svg.setAttribute('data-rendered', 'true'); return; }
            }
            svg.setAttribute('data-rendered', 'false');
          });
          document.body.setAttribute('data-charts-rendered', String(rendered));
        })();
        """;
}
