using System.Xml.Linq;
using MailActors.Cli.Load;
using MailActors.Load;
using Spectre.Console;

namespace MailActors.Cli.Tests;

/// <summary>The report renderers (HTML, JSON, terminal) on made-up reports: edge cases a real run rarely produces.</summary>
public sealed class HtmlReportTests
{
    private static string Summary(LoadReport report)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            Interactive = InteractionSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 200;
        LoadConsole.Over(console).Summary(report);
        return writer.ToString();
    }

    private static XElement Chart(string html, string id) => Charts(html).Single(c => (string?)c.Attribute("id") == id);

    private static IEnumerable<XElement> Marks(XElement chart, string series) =>
        chart.Descendants().Where(e => (string?)e.Attribute("class") == "series" && (string?)e.Attribute("data-series") == series);

    private static LoadReport Report(IReadOnlyList<SecondSample> timeline, IReadOnlyList<LatencyStats> steps, IReadOnlyList<ErrorCount> errors) => new()
    {
        Header = new LoadReportHeader("smtp", "127.0.0.1:25", "hold", 3, null, null, TimeSpan.FromSeconds(1), DateTimeOffset.UnixEpoch, new Dictionary<string, string> { ["tls"] = "none" }),
        Elapsed = TimeSpan.FromSeconds(1),
        SendingElapsed = TimeSpan.Zero,
        Attempted = 0,
        Delivered = 0,
        Failed = 0,
        Bytes = 0,
        RecipientsAccepted = 0,
        RecipientsRefused = 0,
        ConnectionsOpened = 3,
        ConnectionsFailed = 0,
        PeakSessions = 3,
        MessagesPerSecond = 0,
        MessageLatency = new LatencyStats("message", 0, 0, 0, 0, 0, 0, 0),
        Steps = steps,
        Timeline = timeline,
        Errors = errors,
        RepliesByCode = new Dictionary<int, long> { [220] = 3 },
    };

    private static IEnumerable<XElement> Charts(string html)
    {
        var start = 0;
        while ((start = html.IndexOf("<svg ", start, StringComparison.Ordinal)) >= 0)
        {
            var end = html.IndexOf("</svg>", start, StringComparison.Ordinal) + "</svg>".Length;
            yield return XElement.Parse(html[start..end]);
            start = end;
        }
    }

    [Fact]
    public void A_run_without_messages_still_draws_well_formed_charts()
    {
        var html = HtmlReport.Render(Report([], [new LatencyStats("connect", 3, 1, 1, 1, 1, 1, 1)], []));

        var charts = Charts(html).ToList();
        Assert.Equal(3, charts.Count);
        Assert.Contains("no data", html, StringComparison.Ordinal);
        Assert.Contains("<p>None.</p>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_from_the_run_is_escaped()
    {
        var html = HtmlReport.Render(Report(
            [new SecondSample(1, 10, 1, 100, 1, 2, 3)],
            [new LatencyStats("<script>", 1, 1, 1, 1, 1, 1, 1)],
            [new ErrorCount("RCPT", "5<b>50</b>", 1)]));

        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>50</b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.All(Charts(html), chart => Assert.Equal("svg", chart.Name.LocalName));
    }

    [Fact]
    public void Latency_spanning_decades_gets_a_log_axis_with_every_decade()
    {
        var html = HtmlReport.Render(Report(
            [new SecondSample(1, 10, 0, 100, 0.2, 30, 4000), new SecondSample(2, 10, 0, 100, 0.3, 25, 900)],
            [new LatencyStats("MAIL", 2, 1, 0.2, 0.5, 30, 40, 4000)],
            []));

        var latency = Charts(html).Single(c => (string?)c.Attribute("id") == "chart-latency-time");
        var ticks = latency.Descendants().Where(e => (string?)e.Attribute("class") == "tick").Select(e => e.Value).ToList();
        foreach (var decade in new[] { "0.1", "1", "10", "100", "1000", "10k" })
        {
            Assert.Contains(decade, ticks);
        }
    }

    [Fact]
    public void Json_report_carries_totals_latency_and_errors()
    {
        var json = JsonReport.Render(Report([new SecondSample(1, 10, 1, 100, 1, 2, 3)], [new LatencyStats("MAIL", 10, 1, 1, 1, 1, 1, 1)], [new ErrorCount("RCPT", "451", 2)]));

        using var document = System.Text.Json.JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("hold", root.GetProperty("mode").GetString());
        Assert.Equal(3, root.GetProperty("totals").GetProperty("connectionsOpened").GetInt64());
        Assert.Equal("MAIL", root.GetProperty("latencyMs")[1].GetProperty("step").GetString());
        Assert.Equal(2, root.GetProperty("errors")[0].GetProperty("count").GetInt64());
        Assert.Equal(3, root.GetProperty("repliesByCode").GetProperty("220").GetInt64());
    }

    [Fact]
    public void Latencies_of_ten_seconds_and_more_stay_in_milliseconds_under_one_unit()
    {
        var report = Report([new SecondSample(1, 10, 0, 100, 12_000, 15_000, 15_000)], [new LatencyStats("DOT", 10, 12_000, 11_000, 14_000, 15_000, 15_000, 15_000)], []) with
        {
            Attempted = 10,
            Delivered = 10,
            MessageLatency = new LatencyStats("message", 10, 12_000, 11_000, 14_000, 15_000, 15_000, 15_000),
        };

        var html = HtmlReport.Render(report);
        var summary = Summary(report);

        Assert.DoesNotContain("s ms", html, StringComparison.Ordinal);
        Assert.Contains("15,000 ms", html, StringComparison.Ordinal);
        Assert.DoesNotContain("s ms", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("15.0 s", summary, StringComparison.Ordinal);
        Assert.Contains("15,000", summary, StringComparison.Ordinal);
        Assert.Contains("latency (ms)", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Idle_seconds_count_in_the_throughput_and_a_partial_last_second_is_not_a_rate()
    {
        // 82 whole seconds with one message in the 40th, then 0.099 s in which one more ended (83 s in all).
        var timeline = Enumerable.Range(1, 82).Select(i => new SecondSample(i, i == 40 ? 1 : 0, 0, i == 40 ? 2000 : 0, i == 40 ? 5 : null, i == 40 ? 5 : null, i == 40 ? 5 : null))
            .Append(new SecondSample(83, 1, 0, 2000, 7, 7, 7, 0.099)).ToList();
        var report = Report(timeline, [], []) with { Attempted = 2, Delivered = 2 };

        var throughput = Throughput.Summarize(timeline);
        var html = HtmlReport.Render(report);
        var summary = Summary(report);

        Assert.Equal(new Throughput.Summary(0, 1 / 82.0, 1, 82), throughput);
        var delivered = Marks(Chart(html, "chart-throughput"), "delivered").Single();
        Assert.Equal(82, ((string)delivered.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        // The y axis (its ticks are the right-aligned ones) goes up to 1 a second, not to 1 in 0.099 s scaled up to 10.
        var yTicks = Chart(html, "chart-throughput").Descendants()
            .Where(e => (string?)e.Attribute("class") == "tick" && (string?)e.Attribute("text-anchor") == "end")
            .Select(e => double.Parse(e.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(1, yTicks.Max());
        Assert.Contains("id=\"partial-second\"", html, StringComparison.Ordinal);
        Assert.Contains("min 0, mean 0.0, max 1 over 82 whole seconds", summary, StringComparison.Ordinal);
        Assert.Contains("not the last 0.099 s: 1 delivered", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_a_late_tick_cut_short_in_the_middle_keeps_its_place()
    {
        var timeline = new List<SecondSample>
        {
            new(1, 3, 0, 6000, 5, 5, 5), new(2, 2, 0, 4000, 5, 5, 5, 0.85), new(3, 4, 0, 8000, 5, 5, 5, 1.15), new(4, 1, 0, 2000, 5, 5, 5, 0.3),
        };

        Assert.Equal([1L, 2L, 3L], Throughput.WholeSeconds(timeline).Select(s => s.Second));
        Assert.Equal(new Throughput.Summary(2, 3, 4, 3), Throughput.Summarize(timeline));
        Assert.Equal(4, Throughput.PartialEnd(timeline)!.Second);
    }

    [Fact]
    public void Seconds_in_which_no_message_ended_have_no_latency_rather_than_zero()
    {
        var timeline = new[]
        {
            new SecondSample(1, 10, 0, 100, 2, 3, 4),
            new SecondSample(2, 0, 0, 0, null, null, null),
            new SecondSample(3, 10, 0, 100, 900, 950, 1000),
        };
        var report = Report(timeline, [], []) with { Attempted = 20, Delivered = 20, MessageLatency = new LatencyStats("message", 20, 400, 2, 950, 1000, 1000, 1000) };

        var html = HtmlReport.Render(report);
        using var json = System.Text.Json.JsonDocument.Parse(JsonReport.Render(report));
        var line = LoadConsole.ProgressLine(new LoadProgress(TimeSpan.FromSeconds(2), 20, 10, 0, 100, 0, 1, 1, 0, null, null, 0));

        var p50 = Marks(Chart(html, "chart-latency-time"), "p50").ToList();
        Assert.Equal(2, p50.Count); // the line breaks at second 2 instead of dropping to the bottom of the chart
        Assert.DoesNotContain(p50, mark => mark.Name.LocalName == "polyline" && ((string)mark.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > 1);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("timeline")[1].GetProperty("p50Ms").ValueKind);
        Assert.Equal(2, json.RootElement.GetProperty("timeline")[0].GetProperty("p50Ms").GetDouble());
        Assert.Contains("p50 —  p99 —", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_latency_row_with_nothing_recorded_is_null_in_the_json_not_zero()
    {
        var json = JsonReport.Render(Report([], [new LatencyStats("connect", 3, 1, 1, 1, 1, 1, 1)], []));

        using var document = System.Text.Json.JsonDocument.Parse(json);
        var message = document.RootElement.GetProperty("latencyMs")[0];
        Assert.Equal("message", message.GetProperty("step").GetString());
        Assert.Equal(0, message.GetProperty("count").GetInt64());
        foreach (var field in new[] { "mean", "p50", "p90", "p99", "p999", "max" })
        {
            Assert.Equal(System.Text.Json.JsonValueKind.Null, message.GetProperty(field).ValueKind);
        }
        Assert.Equal(1, document.RootElement.GetProperty("latencyMs")[1].GetProperty("p50").GetDouble());
    }
}
