using System.Globalization;
using MailActors.Cli.Tests.Support;
using MailActors.Load;
using MailActors.Testing;

namespace MailActors.Cli.Tests;

/// <summary><c>mailactors load --protocol pop3</c> run as a process, against its embedded POP3 server and an in-test one.</summary>
public sealed class LoadPop3CommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mailactors-pop3load-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Embedded_mailboxes_are_read_deleted_and_verified()
    {
        var json = Path.Combine(_directory, "pop3.json");

        var result = await CliRunner.RunAsync(["load", "--protocol", "pop3", "--embedded-sink", "--sessions", "3", "--messages", "300", "--delete",
            "--messages-per-connection", "40", "--json", json, "--quiet"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("300 messages retrieved, 300 deletions committed", result.Output, StringComparison.Ordinal);
        Assert.Contains("integrity: 300 valid, 0 without digest, 0 changed", result.Output, StringComparison.Ordinal);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal("pop3", report.GetProperty("protocol").GetString());
        Assert.Equal(300, report.Total("delivered"));
        Assert.Equal(300, report.GetProperty("integrity").GetProperty("valid").GetInt64());
        foreach (var step in new[] { "connect", "CAPA", "PASS", "STAT", "LIST", "UIDL", "RETR", "DELE", "QUIT" })
        {
            Assert.Contains(step, report.Steps());
        }
    }

    [Fact]
    public async Task Embedded_mailboxes_hold_whole_messages_above_the_in_memory_size()
    {
        var json = Path.Combine(_directory, "large.json");

        var result = await CliRunner.RunAsync(["load", "--protocol", "pop3", "--embedded-sink", "--size", "64k", "--messages", "10", "--json", json, "--quiet"]);

        Assert.Equal(0, result.ExitCode);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal(10, report.Total("delivered"));
        Assert.True(report.Total("bytes") > 10 * 64 * 1024, $"{report.Total("bytes")} bytes");
        Assert.Equal(10, report.GetProperty("integrity").GetProperty("valid").GetInt64());
    }

    [Fact]
    public async Task Mailboxes_found_empty_end_the_run_with_their_own_exit_code()
    {
        var users = Enumerable.Range(1, 4).Select(i => $"reader{i}").ToList();
        await using var server = await Pop3TestServer.StartAsync(new Pop3TestServerOptions
        {
            Users = users.ToDictionary(u => u, _ => "pw-123"),
            Mailboxes = users.ToDictionary(u => u, _ => Pop3Mailbox.InMemory([])),
            StartTls = false,
        });

        var result = await CliRunner.RunAsync(
            ["load", "--protocol", "pop3", "--host", "127.0.0.1", "--port", server.Port.ToString(CultureInfo.InvariantCulture), "--allow-cleartext-auth",
             "--user", "reader{s}", "--password-env", "POP3_LOAD_PW", "--sessions", "4", "--messages", "5", "--quiet"],
            new Dictionary<string, string> { ["POP3_LOAD_PW"] = "pw-123" });

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("found nothing to retrieve", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_body_read_back_exits_3_and_the_report_is_still_printed_and_written()
    {
        var factory = new LoadMessageFactory(new LoadMessageOptions());
        var tampered = factory.ContentBytes(3, 1);
        tampered[^3] ^= 0x20; // a body octet changed after its digest header was computed
        await using var server = await Pop3TestServer.StartAsync(new Pop3TestServerOptions
        {
            Users = new Dictionary<string, string> { ["reader1"] = "pw-123" },
            Mailboxes = new Dictionary<string, Pop3Mailbox> { ["reader1"] = Pop3Mailbox.InMemory([factory.ContentBytes(1, 1), factory.ContentBytes(2, 1), tampered]) },
            StartTls = false,
        });
        var json = Path.Combine(_directory, "changed.json");

        var result = await CliRunner.RunAsync(
            ["load", "--protocol", "pop3", "--host", "127.0.0.1", "--port", server.Port.ToString(CultureInfo.InvariantCulture), "--allow-cleartext-auth",
             "--user", "reader{s}", "--password-env", "POP3_LOAD_PW", "--sessions", "1", "--messages", "3", "--json", json, "--quiet"],
            new Dictionary<string, string> { ["POP3_LOAD_PW"] = "pw-123" });

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("integrity: 2 valid, 0 without digest, 1 changed", result.Output, StringComparison.Ordinal);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal(3, report.Total("delivered"));
        Assert.Equal(1, report.GetProperty("integrity").GetProperty("mismatch").GetInt64());
    }

    [Fact]
    public async Task Embedded_mailboxes_can_be_read_with_a_sasl_login()
    {
        var json = Path.Combine(_directory, "sasl.json");

        var result = await CliRunner.RunAsync(["load", "--protocol", "pop3", "--embedded-sink", "--login", "sasl", "--sessions", "2", "--messages", "20",
            "--json", json, "--quiet"]);

        Assert.Equal(0, result.ExitCode);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Equal(20, report.Total("delivered"));
        Assert.Contains("AUTH", report.Steps());
    }

    [Fact]
    public async Task A_real_host_with_starttls_a_user_template_and_a_password_from_the_environment()
    {
        var factory = new LoadMessageFactory(new LoadMessageOptions());
        var messages = Enumerable.Range(1, 10).Select(n => factory.ContentBytes(n, 1)).ToList();
        await using var server = await Pop3TestServer.StartAsync(new Pop3TestServerOptions
        {
            Users = new Dictionary<string, string> { ["reader1"] = "pw-123", ["reader2"] = "pw-123" },
            Mailboxes = new Dictionary<string, Pop3Mailbox> { ["reader1"] = Pop3Mailbox.InMemory(messages), ["reader2"] = Pop3Mailbox.InMemory(messages) },
        });
        var cert = Path.Combine(_directory, "cert.pem");
        await File.WriteAllTextAsync(cert, server.Certificate.ExportCertificatePem());
        var json = Path.Combine(_directory, "real.json");

        var result = await CliRunner.RunAsync(
            ["load", "--protocol", "pop3", "--host", "localhost", "--port", server.Port.ToString(CultureInfo.InvariantCulture), "--tls", "starttls", "--trust-cert", cert,
             "--user", "reader{s}", "--password-env", "POP3_LOAD_PW", "--sessions", "2", "--messages", "20", "--json", json, "--quiet"],
            new Dictionary<string, string> { ["POP3_LOAD_PW"] = "pw-123" });

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(20, server.MessagesRetrieved);
        var report = await JsonReportFile.ReadAsync(json);
        Assert.Contains("STLS", report.Steps());
        Assert.Equal(20, report.GetProperty("integrity").GetProperty("valid").GetInt64());
        Assert.DoesNotContain("pw-123", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--rate", "10")]
    [InlineData("--hold", null)]
    public async Task Smtp_only_options_are_refused(string option, string? value)
    {
        string[] extra = value is null ? [option] : [option, value];

        var result = await CliRunner.RunAsync(["load", "--protocol", "pop3", "--embedded-sink", "--duration", "1s", .. extra]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--protocol smtp", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--from", "x@example.test", true)]
    [InlineData("--pipelining", "off", true)]
    [InlineData("--recipients", "3", true)]
    [InlineData("--size", "1m", false)] // against a real server POP3 reads what is there: only the embedded mailboxes are sized
    public async Task Options_of_smtp_mode_are_refused_instead_of_ignored(string option, string value, bool embedded)
    {
        string[] target = embedded ? ["--embedded-sink"] : ["--host", "127.0.0.1", "--port", "1", "--user", "u", "--password-env", "LOAD_TEST_PW"];

        var result = await CliRunner.RunAsync(["load", "--protocol", "pop3", .. target, "--messages", "5", option, value],
            new Dictionary<string, string> { ["LOAD_TEST_PW"] = "pw" });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{option} does not apply to --protocol pop3", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_is_refused_in_smtp_mode_and_a_host_beside_the_embedded_sink_too()
    {
        var login = await CliRunner.RunAsync(["load", "--embedded-sink", "--messages", "5", "--login", "apop"]);
        var host = await CliRunner.RunAsync(["load", "--embedded-sink", "--messages", "5", "--host", "mail.example.test"]);

        Assert.NotEqual(0, login.ExitCode);
        Assert.Contains("--login is for --protocol pop3", login.Error + login.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, host.ExitCode);
        Assert.Contains("leave out --host and --port", host.Error + host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_real_host_needs_a_user()
    {
        var result = await CliRunner.RunAsync(["load", "--protocol", "pop3", "--host", "127.0.0.1", "--port", "1", "--messages", "5"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--user", result.Error, StringComparison.Ordinal);
    }
}
