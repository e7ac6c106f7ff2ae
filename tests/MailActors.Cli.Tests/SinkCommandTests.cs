using System.Globalization;
using System.Net.Sockets;
using System.Text;
using MailActors.Cli.Tests.Support;
using MailActors.Testing;

namespace MailActors.Cli.Tests;

/// <summary><c>mailactors sink</c> run as a process: counting, integrity checks, recording, extensions and faults.</summary>
public sealed class SinkCommandTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("mailactors-sink-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string File(string name) => Path.Combine(_directory, name);

    private static async Task<int> PortOfAsync(CliProcess sink)
    {
        var line = await sink.WaitForLineAsync("listening on", Wait);
        return int.Parse(line[(line.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Counts_verifies_and_records_what_a_load_run_sent_then_stops_at_its_message_bound()
    {
        var mbox = File("sink.mbox");
        await using var sink = CliProcess.Start(["sink", "--port", "0", "--verify", "--record", mbox, "--messages", "40", "--quiet"]);
        var port = await PortOfAsync(sink);

        var load = await CliRunner.RunAsync(["load", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--sessions", "4", "--messages", "40", "--recipients", "2", "--quiet"]);
        var result = await sink.WaitForExitAsync(Wait);

        Assert.Equal(0, load.ExitCode);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("messages 40,", result.Output, StringComparison.Ordinal);
        Assert.Contains("recipients 80", result.Output, StringComparison.Ordinal);
        Assert.Contains("integrity: 40 valid, 0 without digest, 0 changed", result.Output, StringComparison.Ordinal);
        Assert.Contains("recorded 40 messages", result.Output, StringComparison.Ordinal);
        var recorded = await System.IO.File.ReadAllLinesAsync(mbox);
        Assert.Equal(40, recorded.Count(l => l.StartsWith("From ", StringComparison.Ordinal)));
        Assert.Equal(80, recorded.Count(l => l.StartsWith("X-Envelope-To: <rcpt", StringComparison.Ordinal)));
        Assert.Equal(40, recorded.Count(l => l.StartsWith("X-MailActors-Digest: sha256=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_changed_body_fails_verification_with_exit_code_3()
    {
        await using var sink = CliProcess.Start(["sink", "--port", "0", "--verify", "--messages", "2", "--quiet"]);
        var port = await PortOfAsync(sink);
        var tampered = File("tampered.eml");
        await System.IO.File.WriteAllTextAsync(tampered,
            "From: a@example.test\r\nTo: b@example.test\r\nSubject: t\r\nX-MailActors-Digest: sha256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\r\n\r\nnot the empty body\r\n");
        var plain = File("plain.eml");
        await System.IO.File.WriteAllTextAsync(plain, "From: a@example.test\r\nTo: b@example.test\r\nSubject: t\r\n\r\nno digest here\r\n");

        foreach (var eml in new[] { tampered, plain })
        {
            var sent = await CliRunner.RunAsync(["send", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--from", "a@example.test", "--to", "b@example.test", "--eml", eml]);
            Assert.Equal(0, sent.ExitCode);
        }
        var result = await sink.WaitForExitAsync(Wait);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("integrity: 0 valid, 1 without digest, 1 changed", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advertises_only_the_extensions_asked_for()
    {
        await using var sink = CliProcess.Start(["sink", "--port", "0", "--pipelining", "off", "--chunking", "off", "--starttls", "off", "--smtputf8", "off", "--size", "1000", "--quiet"]);
        var port = await PortOfAsync(sink);

        var ehlo = await EhloAsync(port);
        await sink.TerminateAsync(Wait);

        Assert.Contains("250-SIZE 1000", ehlo, StringComparison.Ordinal);
        Assert.Contains("8BITMIME", ehlo, StringComparison.Ordinal);
        foreach (var hidden in new[] { "PIPELINING", "CHUNKING", "STARTTLS", "SMTPUTF8" })
        {
            Assert.DoesNotContain(hidden, ehlo, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Smtp_sink_style_faults_reach_the_load_report()
    {
        await using var sink = CliProcess.Start(["sink", "--port", "0", "--soft-reject", "RCPT", "--quiet"]);
        var port = await PortOfAsync(sink);
        var json = File("soft.json");

        var load = await CliRunner.RunAsync(["load", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--sessions", "2", "--messages", "10", "--json", json, "--quiet"]);
        var result = await sink.TerminateAsync(Wait);

        Assert.Equal(0, load.ExitCode);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal(10, report.Errors().Single(e => e is { Phase: "RCPT", What: "450" }).Count);
        Assert.Equal(0, report.Total("delivered"));
        Assert.Contains("450×10", result.Output, StringComparison.Ordinal);
        Assert.Contains("messages 0,", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delays_and_421_faults_parse_and_apply()
    {
        await using var sink = CliProcess.Start(["sink", "--port", "0", "--delay", ".:50ms", "--close-421", "MAIL", "--quiet"]);
        var port = await PortOfAsync(sink);
        var json = File("421.json");

        var load = await CliRunner.RunAsync(["load", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--sessions", "1", "--messages", "3", "--json", json, "--quiet"]);
        var result = await sink.TerminateAsync(Wait);

        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal(3, report.Errors().Single(e => e is { Phase: "MAIL", What: "421" }).Count);
        Assert.Equal(3, report.Total("connectionsOpened"));
        Assert.Contains("421×3", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duration_bound_ends_the_sink_by_itself()
    {
        await using var sink = CliProcess.Start(["sink", "--port", "0", "--duration", "500ms"]);

        var result = await sink.WaitForExitAsync(Wait);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("sessions 0, messages 0", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_delay_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync(["sink", "--port", "0", "--delay", "RCPT"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--delay", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--size", "-5")]
    [InlineData("--max-sessions", "0")]
    [InlineData("--max-sessions", "-3")]
    [InlineData("--fault", ".:reply:451 4.3.0 later;every=0")]
    [InlineData("--fault", ".:reply:451 4.3.0 later;times=0")]
    [InlineData("--fault", ".:delay:0")]
    [InlineData("--delay", ".:0")]
    [InlineData("--delay", ".:soon")]
    [InlineData("--delay", ".:1s:0")]
    [InlineData("--fault", ".:tarpit;p=0")]
    [InlineData("--record", "/nonexistent-mailactors-dir/sink.mbox")]
    public async Task Bad_values_are_usage_errors(string option, string value)
    {
        // --duration bounds the run should the value be accepted after all.
        var result = await CliRunner.RunAsync(["sink", "--port", "0", "--quiet", "--duration", "2s", option, value]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("listening on", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5", 5_000)]
    [InlineData("5s", 5_000)]
    [InlineData("0.5", 500)]
    [InlineData("200ms", 200)]
    [InlineData("2m", 120_000)]
    public void Both_delay_syntaxes_mean_the_same_duration(string duration, int milliseconds)
    {
        var expected = FaultAction.Delay(TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal(expected, Assert.Single(FaultSpec.Parse($".:delay:{duration}")).Action);
        Assert.Equal(expected, Commands.SinkCommand.DelayRule($".:{duration}").Action);
    }

    private static async Task<string> EhloAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await reader.ReadLineAsync();
        await stream.WriteAsync("EHLO test.example\r\n"u8.ToArray());
        var reply = new StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            reply.AppendLine(line);
            if (line.Length >= 4 && line[3] == ' ')
            {
                break;
            }
        }
        return reply.ToString();
    }
}
