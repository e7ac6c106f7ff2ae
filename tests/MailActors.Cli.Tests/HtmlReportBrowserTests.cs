using System.Text.RegularExpressions;
using MailActors.Cli.Tests.Support;

namespace MailActors.Cli.Tests;

/// <summary>The HTML report of a real load run, opened in headless Chromium: no script errors, and the charts are drawn.</summary>
public sealed class HtmlReportBrowserTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mailactors-html-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_report_opens_without_errors_and_renders_its_charts()
    {
        var html = Path.Combine(_directory, "report.html");
        var run = await CliRunner.RunAsync(["load", "--embedded-sink", "--sessions", "4", "--duration", "2500ms", "--html", html, "--quiet"]);
        Assert.Equal(0, run.ExitCode);
        var source = await File.ReadAllTextAsync(html);
        Assert.DoesNotMatch(new Regex("(src|href)=\"https?:", RegexOptions.IgnoreCase), source);

        var page = await HeadlessChromium.OpenAsync(html);

        Assert.DoesNotContain(":CONSOLE", page.Log, StringComparison.Ordinal);
        Assert.Contains("data-charts-rendered=\"3\"", page.Dom, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Matches(page.Dom, "<svg [^>]*data-rendered=\"true\"").Count);
        var image = PngImage.Decode(page.Screenshot);
        Assert.Equal(1100, image.Width);
        // The chart colours are only used by the charts: throughput line, latency lines and percentile bars.
        Assert.True(image.Count("#2563eb") > 300, "throughput line drawn");
        Assert.True(image.Count("#16a34a") > 300, "p50 latency drawn");
        Assert.True(image.Count("#7c3aed") > 300, "max latency drawn");
        Assert.True(image.Count("#ea580c") > 300, "p99 drawn");
    }
}
