using System.Globalization;
using System.Text.RegularExpressions;
using MailActors.Cli.Tests.Support;
using MailActors.Testing;

namespace MailActors.Cli.Tests;

/// <summary><c>mailactors load</c> run as a process: bounded runs, the summary, and JSON that matches what the server counted.</summary>
public sealed partial class LoadCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mailactors-load-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string File(string name) => Path.Combine(_directory, name);

    [Fact]
    public async Task Embedded_sink_run_prints_the_summary_and_the_sink_counted_the_same()
    {
        var json = File("report.json");

        var result = await CliRunner.RunAsync(["load", "--embedded-sink", "--sessions", "5", "--messages", "500", "--json", json]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("done in", result.Output, StringComparison.Ordinal);
        Assert.Contains("latency (ms)", result.Output, StringComparison.Ordinal);
        Assert.Contains("DOT (end of data)", result.Output, StringComparison.Ordinal);
        Assert.Contains("errors: none", result.Output, StringComparison.Ordinal);
        var sink = SinkCounted().Match(result.Output);
        Assert.True(sink.Success, result.Output);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal(500, report.Total("delivered"));
        Assert.Equal(long.Parse(sink.Groups["messages"].Value, CultureInfo.InvariantCulture), report.Total("delivered"));
        Assert.Equal(long.Parse(sink.Groups["bytes"].Value, CultureInfo.InvariantCulture), report.Total("bytes"));
        Assert.Equal(long.Parse(sink.Groups["recipients"].Value, CultureInfo.InvariantCulture), report.Total("recipientsAccepted"));
        Assert.Equal("closed-loop", report.GetProperty("mode").GetString());
        Assert.Contains("MAIL", report.Steps());
        Assert.Contains("DOT", report.Steps());
    }

    [Fact]
    public async Task A_run_without_a_bound_is_refused()
    {
        var result = await CliRunner.RunAsync(["load", "--embedded-sink", "--sessions", "2"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("needs a bound", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--size", "lots")]
    [InlineData("--to", "user{x}@example.test")]
    [InlineData("--duration", "soon")]
    [InlineData("--pipelining", "maybe")]
    [InlineData("--rate", "NaN")] // NaN is not <= 0: it used to pass, and a schedule at NaN makes nothing due, ever
    [InlineData("--rate", "Infinity")]
    [InlineData("--connect-rate", "NaN")]
    [InlineData("--connect-rate", "Infinity")]
    public async Task Bad_values_are_usage_errors(string option, string value)
    {
        var result = await CliRunner.RunAsync(["load", "--embedded-sink", "--messages", "5", option, value]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_by_code_in_the_json_match_what_a_faulty_server_sent()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Record = false,
            Faults = [.. FaultSpec.Parse("RCPT:reply:451 4.3.0 try later;every=4"), .. FaultSpec.Parse(".:reply:552 5.3.4 too big;every=7")],
        });
        var json = File("faults.json");

        var result = await CliRunner.RunAsync(["load", "--host", "127.0.0.1", "--port", server.Port.ToString(CultureInfo.InvariantCulture),
            "--sessions", "3", "--messages", "200", "--json", json, "--quiet"]);

        Assert.Equal(0, result.ExitCode);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal(server.RepliesByCode.OrderBy(p => p.Key), report.RepliesByCode().OrderBy(p => p.Key));
        Assert.Equal(server.RepliesByCode[451], report.Errors().Single(e => e is { Phase: "RCPT", What: "451" }).Count);
        Assert.Equal(server.RepliesByCode[552], report.Errors().Single(e => e is { Phase: "DOT", What: "552" }).Count);
        Assert.Equal(server.MessagesReceived, report.Total("delivered"));
        Assert.Equal(200, report.Total("delivered") + report.Total("failed"));
        Assert.Contains("errors by phase and code", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starttls_and_auth_are_timed_as_steps_and_the_password_stays_secret()
    {
        var json = File("tls.json");

        var result = await CliRunner.RunAsync(
            ["load", "--embedded-sink", "--tls", "starttls", "--user", "alice", "--password-env", "LOAD_TEST_PW", "--sessions", "2", "--messages", "20", "--json", json],
            new Dictionary<string, string> { ["LOAD_TEST_PW"] = "s3cret-load-pass" });

        Assert.Equal(0, result.ExitCode);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal(20, report.Total("delivered"));
        Assert.Contains("STARTTLS", report.Steps());
        Assert.Contains("tls", report.Steps());
        Assert.Contains("AUTH", report.Steps());
        Assert.DoesNotContain("s3cret-load-pass", result.Output + result.Error + await System.IO.File.ReadAllTextAsync(json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Implicit_tls_connects_with_tls_from_the_first_byte()
    {
        var json = File("implicit.json");

        var result = await CliRunner.RunAsync(["load", "--embedded-sink", "--tls", "implicit", "--sessions", "2", "--messages", "10", "--json", json, "--quiet"]);

        Assert.Equal(0, result.ExitCode);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal(10, report.Total("delivered"));
        Assert.Equal("implicit", report.GetProperty("settings").GetProperty("tls").GetString());
        Assert.DoesNotContain("STARTTLS", report.Steps());
    }

    [Fact]
    public async Task One_message_per_connection_opens_a_connection_for_each()
    {
        var json = File("perconn.json");

        var result = await CliRunner.RunAsync(["load", "--embedded-sink", "--sessions", "3", "--messages", "30", "--messages-per-connection", "1", "--connect-rate", "1000", "--json", json, "--quiet"]);

        Assert.Equal(0, result.ExitCode);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal(30, report.Total("delivered"));
        Assert.Equal(30, report.Total("connectionsOpened"));
        Assert.Contains("sink counted: 30 messages", result.Output, StringComparison.Ordinal);
        Assert.Contains("30 sessions", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_loop_sends_on_schedule_and_reports_its_target()
    {
        var json = File("open.json");

        var result = await CliRunner.RunAsync(["load", "--embedded-sink", "--rate", "200", "--duration", "1s", "--sessions", "4", "--json", json, "--quiet"]);

        Assert.Equal(0, result.ExitCode);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal("open-loop", report.GetProperty("mode").GetString());
        Assert.Equal(200, report.GetProperty("targetRate").GetDouble());
        Assert.Equal(200, report.GetProperty("plannedMessages").GetInt64());
        Assert.Equal(200, report.Total("delivered"));
    }

    [Fact]
    public async Task Hold_mode_keeps_sessions_open_and_sends_nothing()
    {
        var json = File("hold.json");

        // The duration leaves room for the connect ramp on a loaded machine: sessions that connect after it has ended
        // quit at once, and the peak would fall short of 30.
        var result = await CliRunner.RunAsync(["load", "--embedded-sink", "--hold", "--sessions", "30", "--duration", "3s", "--json", json, "--quiet"]);

        Assert.Equal(0, result.ExitCode);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal("hold", report.GetProperty("mode").GetString());
        Assert.Equal(30, report.Total("peakSessions"));
        Assert.Equal(0, report.Total("attempted"));
        Assert.Contains("sink counted: 0 messages", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hold_with_a_rate_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync(["load", "--embedded-sink", "--hold", "--rate", "10", "--duration", "1s", "--quiet"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--rate and --hold cannot go together", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_ends_the_run_with_the_connect_exit_code()
    {
        var port = LoopbackPort.Unused();

        var result = await CliRunner.RunAsync(["load", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--messages", "10", "--sessions", "2", "--quiet"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ended early", result.Output, StringComparison.Ordinal);
        Assert.Contains("refused", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_prints_the_transcript_of_the_first_connection_only()
    {
        var result = await CliRunner.RunAsync(["load", "--embedded-sink", "--sessions", "3", "--messages", "6", "--debug", "--quiet"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("[1] C: EHLO", result.Output, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(result.Output, "C: EHLO"));
    }

    [Fact]
    public async Task Several_recipients_with_the_default_to_are_distinct_addresses()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());

        var result = await CliRunner.RunAsync(["load", "--host", "127.0.0.1", "--port", server.Port.ToString(CultureInfo.InvariantCulture),
            "--sessions", "1", "--messages", "4", "--recipients", "3", "--quiet"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(4, server.Messages.Count);
        Assert.All(server.Messages, m => Assert.Equal(3, m.Envelope.Recipients.Select(r => r.Address).Distinct().Count()));
        Assert.Equal(12, server.Messages.SelectMany(m => m.Envelope.Recipients).Select(r => r.Address).Distinct().Count());
    }

    [Theory]
    [InlineData("bob@example.test", "3")]
    [InlineData("user{n%100}@example.test", "2")]
    [InlineData("rcpt{n}.{r%2}@example.test", "3")] // recipients 1 and 3 would both be rcpt{n}.1
    public async Task Several_recipients_with_a_to_that_repeats_an_address_are_refused_before_connecting(string to, string recipients)
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());

        var result = await CliRunner.RunAsync(["load", "--host", "127.0.0.1", "--port", server.Port.ToString(CultureInfo.InvariantCulture),
            "--sessions", "1", "--messages", "2", "--recipients", recipients, "--to", to, "--quiet"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"--to '{to}' gives several of the {recipients} recipients of a message", result.Error, StringComparison.Ordinal);
        Assert.Contains("put {r} in --to", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, server.SessionsOpened);
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("--html")]
    public async Task A_report_path_in_a_missing_directory_is_a_usage_error_before_the_run(string option)
    {
        var result = await CliRunner.RunAsync(["load", "--embedded-sink", "--messages", "5", option, Path.Combine(_directory, "missing", "report.out")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: {option}:", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("done in", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_that_cannot_be_written_does_not_cost_the_other_one()
    {
        // The directory exists, so the up-front check passes; the name is longer than a file name may be, so the write fails.
        var json = File(new string('j', 300) + ".json");
        var html = File("report.html");

        var result = await CliRunner.RunAsync(["load", "--embedded-sink", "--messages", "5", "--json", json, "--html", html, "--quiet"]);

        Assert.Equal(27, result.ExitCode);
        Assert.Contains("done in", result.Output, StringComparison.Ordinal);
        Assert.Contains("error: the JSON report could not be written", result.Error, StringComparison.Ordinal);
        Assert.Contains("<svg", await System.IO.File.ReadAllTextAsync(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_against_a_stalled_server_still_prints_the_report_in_a_few_seconds()
    {
        // The server holds the end of data for 80 s: longer than the run's drain time (30 s), which is as long as the
        // process termination timeout, so a stop that waited for the drain was killed before it printed anything.
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Record = false,
            Faults = [FaultRule.On(FaultCommands.EndOfData, FaultAction.Delay(TimeSpan.FromSeconds(80)))],
        });
        var json = File("stopped.json");
        await using var load = CliProcess.Start(["load", "--host", "127.0.0.1", "--port", server.Port.ToString(CultureInfo.InvariantCulture),
            "--sessions", "1", "--messages", "5", "--json", json]);
        await load.WaitForLineAsync("] delivered", TimeSpan.FromSeconds(30)); // a progress line: the run is under way
        var stalled = System.Diagnostics.Stopwatch.StartNew();
        while (server.RepliesByCode.GetValueOrDefault(354) == 0 && stalled.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }
        Assert.True(server.RepliesByCode.GetValueOrDefault(354) > 0, "the run reached the stalled end of data before the stop");

        var result = await load.TerminateAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("ended early: stopped", result.Output, StringComparison.Ordinal);
        Assert.Contains("latency (ms)", result.Output, StringComparison.Ordinal);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal("stopped", report.GetProperty("abortKind").GetString());
        Assert.Equal(0, report.Total("delivered"));
        Assert.Equal(report.Total("attempted"), report.Errors().Single(e => e is { Phase: "drain", What: "cut-off" }).Count);
    }

    [GeneratedRegex(@"sink counted: (?<messages>\d+) messages, (?<bytes>\d+) bytes, (?<recipients>\d+) recipients")]
    private static partial Regex SinkCounted();
}
