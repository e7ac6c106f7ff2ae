using System.Globalization;
using MailActors.Diagnostics;
using MailActors.Load;
using Spectre.Console;

namespace MailActors.Cli.Load;

/// <summary>
/// The terminal side of a load run: a live panel while it runs (or one plain line per second when the output is not a
/// terminal), and the summary tables at the end.
/// </summary>
internal sealed class LoadConsole
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(500);
    private readonly IAnsiConsole _console;
    private readonly bool _interactive;
    private readonly bool _quiet;

    private LoadConsole(IAnsiConsole console, bool interactive, bool quiet)
    {
        _console = console;
        _interactive = interactive;
        _quiet = quiet;
    }

    /// <summary>A console over <paramref name="console"/> that is not a terminal (plain progress lines).</summary>
    internal static LoadConsole Over(IAnsiConsole console, bool quiet = false) => new(console, interactive: false, quiet);

    public static LoadConsole Create(bool quiet)
    {
        var interactive = !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            console.Profile.Width = 160; // logs and pipes: keep table rows on one line
        }
        return new LoadConsole(console, interactive, quiet);
    }

    public ITranscript Transcript() => new TextWriterTranscript(Console.Out, sessionTag: "1");

    public void Note(string text) => _console.MarkupLine("[grey]*[/] " + Markup.Escape(text));

    /// <summary>Prints a line of Spectre markup (callers escape what they did not write themselves).</summary>
    public void Line(string markup) => _console.MarkupLine(markup);

    /// <summary>Shows progress until the run completes.</summary>
    public async Task FollowAsync(LoadRun run)
    {
        if (_quiet)
        {
            await run.Completion.ConfigureAwait(false);
            return;
        }
        if (_interactive)
        {
            await _console.Live(ProgressTable(run.Progress)).AutoClear(false).StartAsync(async context =>
            {
                while (!run.Completion.IsCompleted)
                {
                    await Task.WhenAny(run.Completion, Task.Delay(Refresh)).ConfigureAwait(false);
                    context.UpdateTarget(ProgressTable(run.Progress));
                }
            }).ConfigureAwait(false);
            return;
        }
        var lastPrinted = TimeSpan.Zero;
        while (!run.Completion.IsCompleted)
        {
            await Task.WhenAny(run.Completion, Task.Delay(Refresh)).ConfigureAwait(false);
            var p = run.Progress;
            if (p.Elapsed > lastPrinted && !run.Completion.IsCompleted)
            {
                lastPrinted = p.Elapsed;
                _console.WriteLine(ProgressLine(p));
            }
        }
    }

    internal static string ProgressLine(LoadProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"[{p.Elapsed.TotalSeconds,5:0}s] delivered {p.Delivered,9:#,0}  failed {p.Failed,6:#,0}  {p.LastSecondDelivered,7:#,0} msg/s  "
        + $"sessions {p.SessionsActive,5}  in flight {p.InFlight,5}{(p.Backlog > 0 ? $"  backlog {p.Backlog:#,0}" : "")}  "
        + $"p50 {Units.Latency(p.LastSecondP50)}  p99 {Units.Latency(p.LastSecondP99)}  errors {p.Errors:#,0}");

    private static Table ProgressTable(LoadProgress p)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]running[/]");
        foreach (var column in new[] { "elapsed", "delivered", "failed", "msg/s (last s)", "sessions", "in flight", "backlog", "p50 ms", "p99 ms", "errors" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }
        table.AddRow(
            Units.Seconds(p.Elapsed), Units.Count(p.Delivered), Units.Count(p.Failed), Units.Count(p.LastSecondDelivered),
            Units.Count(p.SessionsActive), Units.Count(p.InFlight), Units.Count(p.Backlog),
            p.LastSecondP50 is { } p50 ? Units.Ms(p50) : Units.NotMeasured, p.LastSecondP99 is { } p99 ? Units.Ms(p99) : Units.NotMeasured,
            p.Errors > 0 ? $"[red]{Units.Count(p.Errors)}[/]" : "0");
        return table;
    }

    public void Summary(LoadReport report)
    {
        _console.WriteLine();
        var verdict = report.AbortReason is null ? "[green]done[/]" : $"[yellow]ended early:[/] {Markup.Escape(report.AbortReason)}";
        _console.MarkupLine($"{verdict} in {Units.Seconds(report.Elapsed)}: [bold]{Units.Rate(report.MessagesPerSecond)} msg/s[/] "
            + $"({Units.Count(report.Delivered)} {(report.Header.Protocol == "smtp" ? "delivered" : "retrieved")}, {Units.Count(report.Failed)} failed of {Units.Count(report.Attempted)} in {Units.Seconds(report.SendingElapsed)})");
        var smtp = report.Header.Protocol == "smtp";
        _console.MarkupLine($"  {Units.Bytes(report.Bytes)} ({Units.Count(report.Bytes)} B) {(smtp ? "accepted" : "retrieved")}; "
            + (smtp ? $"recipients {Units.Count(report.RecipientsAccepted)} accepted, {Units.Count(report.RecipientsRefused)} refused; " : "")
            + $"connections {Units.Count(report.ConnectionsOpened)} opened, {Units.Count(report.ConnectionsFailed)} failed; peak sessions {Units.Count(report.PeakSessions)}");
        if (report.Integrity is { } integrity)
        {
            _console.MarkupLine($"  integrity: {Units.Count(integrity.Valid)} valid, {Units.Count(integrity.Missing)} without digest, "
                + (integrity.Mismatch > 0 ? $"[red]{Units.Count(integrity.Mismatch)} changed[/]" : "0 changed"));
        }
        if (Throughput.Summarize(report.Timeline) is { } throughput)
        {
            var partial = Throughput.PartialEnd(report.Timeline);
            _console.MarkupLine($"  throughput per second: {Sparkline([.. Throughput.WholeSeconds(report.Timeline).Select(s => s.Delivered)])}  "
                + $"min {Units.Count(throughput.Min)}, mean {Units.Rate(throughput.Mean)}, max {Units.Count(throughput.Max)} over {Units.Count(throughput.Seconds)} whole seconds"
                + (partial is null ? "" : $" (not the last {partial.IntervalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s: {Units.Count(partial.Delivered)} {(smtp ? "delivered" : "retrieved")})"));
        }
        _console.WriteLine();

        var latency = new Table().Border(TableBorder.Simple).Title("latency (ms)");
        latency.AddColumn("step");
        foreach (var column in new[] { "count", "mean", "p50", "p90", "p99", "p99.9", "max" })
        {
            latency.AddColumn(new TableColumn(column).RightAligned());
        }
        foreach (var step in new[] { report.MessageLatency }.Concat(report.Steps).Where(s => s.Count > 0))
        {
            latency.AddRow(
                step.Name == "message" ? "[bold]message[/]" : Markup.Escape(StepLabel(step.Name)),
                Units.Count(step.Count), Units.Ms(step.Mean), Units.Ms(step.P50), Units.Ms(step.P90), Units.Ms(step.P99), Units.Ms(step.P999), Units.Ms(step.Max));
        }
        _console.Write(latency);

        if (report.Errors.Count == 0)
        {
            _console.MarkupLine("errors: [green]none[/]");
        }
        else
        {
            var errors = new Table().Border(TableBorder.Simple).Title("errors by phase and code");
            errors.AddColumn("phase");
            errors.AddColumn("code / kind");
            errors.AddColumn(new TableColumn("count").RightAligned());
            foreach (var error in report.Errors)
            {
                errors.AddRow(Markup.Escape(StepLabel(error.Phase)), Markup.Escape(error.What), Units.Count(error.Count));
            }
            _console.Write(errors);
        }
        if (report.RepliesByCode.Count > 0)
        {
            _console.MarkupLine("replies by code: " + Markup.Escape(string.Join("  ", report.RepliesByCode.Select(p => $"{p.Key}×{Units.Count(p.Value)}"))));
        }
    }

    /// <summary>The report's step names with the protocol's words for the ones that are not commands.</summary>
    public static string StepLabel(string step) => step switch
    {
        "DOT" => "DOT (end of data)",
        "banner" => "banner (greeting)",
        "tls" => "tls (handshake)",
        _ => step,
    };

    private static string Sparkline(IReadOnlyList<long> values)
    {
        const string blocks = "▁▂▃▄▅▆▇█";
        if (values.Count == 0)
        {
            return "";
        }
        var shown = values.Count <= 60 ? values : [.. Enumerable.Range(0, 60).Select(i => values[i * values.Count / 60])];
        var max = Math.Max(1, shown.Max());
        return new string([.. shown.Select(v => blocks[(int)Math.Round((double)v / max * (blocks.Length - 1))])]);
    }
}
