using System.Xml.Linq;
using MailActors.Cli.Load;
using MailActors.Load;

namespace MailActors.Cli.Tests;

/// <summary>The report renderers on made-up reports: edge cases a real run rarely produces.</summary>
public sealed class HtmlReportTests
{
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
}
