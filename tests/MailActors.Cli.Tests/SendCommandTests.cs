using MailActors.Testing;

namespace MailActors.Cli.Tests;

/// <summary><c>mailactors send</c> run as a process: transcript, exit codes by phase, clear errors for bad input.</summary>
public sealed class SendCommandTests
{
    [Fact]
    public async Task Embedded_sink_send_prints_the_transcript_and_succeeds()
    {
        var result = await CliRunner.RunAsync(["send", "--embedded-sink", "--from", "alice@example.test", "--to", "bob@example.test", "--body", "hi"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("C: MAIL FROM:<alice@example.test>", result.Output, StringComparison.Ordinal);
        Assert.Contains("S: 250 2.0.0 Ok: queued", result.Output, StringComparison.Ordinal);
        Assert.Contains("sent to 1 recipient(s)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sends_to_a_server_with_starttls_and_auth_and_redacts_the_password()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            AuthMechanisms = ["PLAIN"],
            Users = new Dictionary<string, string> { ["alice"] = "s3cret-pass" },
        });
        var cert = Path.GetTempFileName();
        await File.WriteAllTextAsync(cert, server.Certificate.ExportCertificatePem());

        var result = await CliRunner.RunAsync(
            ["send", "--host", "localhost", "--port", server.Port.ToString(), "--tls", "starttls", "--trust-cert", cert,
             "--user", "alice", "--password-env", "MAILACTORS_TEST_PW", "--from", "alice@example.test", "--to", "bob@example.test", "--debug"],
            new Dictionary<string, string> { ["MAILACTORS_TEST_PW"] = "s3cret-pass" });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("C: AUTH PLAIN ****", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pass", result.Output + result.Error, StringComparison.Ordinal);
        Assert.Equal("alice", server.Messages.Single().AuthenticatedUser);
    }

    [Fact]
    public async Task The_embedded_sink_offers_the_tls_and_knows_the_user_the_command_asks_for()
    {
        var result = await CliRunner.RunAsync(
            ["send", "--embedded-sink", "--tls", "starttls", "--user", "alice", "--password-env", "MAILACTORS_TEST_PW",
             "--from", "alice@example.test", "--to", "bob@example.test", "--body", "hi"],
            new Dictionary<string, string> { ["MAILACTORS_TEST_PW"] = "s3cret-pass" });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("C: STARTTLS", result.Output, StringComparison.Ordinal);
        Assert.Contains("C: AUTH PLAIN ****", result.Output, StringComparison.Ordinal);
        Assert.Contains("sent to 1 recipient(s)", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pass", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_tls_mode_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync(["send", "--embedded-sink", "--tls", "startls", "--from", "alice@example.test", "--to", "bob@example.test"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Unknown TLS mode 'startls'", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("FormatException", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleartext_auth_is_refused_and_names_the_auth_phase()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            AuthMechanisms = ["PLAIN"],
            Users = new Dictionary<string, string> { ["alice"] = "pw" },
        });

        var result = await CliRunner.RunAsync(
            ["send", "--host", "127.0.0.1", "--port", server.Port.ToString(), "--user", "alice", "--password-env", "MAILACTORS_TEST_PW",
             "--from", "alice@example.test", "--to", "bob@example.test"],
            new Dictionary<string, string> { ["MAILACTORS_TEST_PW"] = "pw" });

        Assert.Equal(28, result.ExitCode);
        Assert.Contains("failed in phase auth", result.Error, StringComparison.Ordinal);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Unreachable_host_names_the_connect_phase()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await CliRunner.RunAsync(["send", "--host", "127.0.0.1", "--port", port.ToString(), "--from", "a@example.test", "--to", "b@example.test"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("failed in phase connect", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_recipient_names_the_rcpt_phase()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { UnknownRecipients = ["nobody@example.test"] });

        var result = await CliRunner.RunAsync(["send", "--host", "127.0.0.1", "--port", server.Port.ToString(), "--from", "a@example.test", "--to", "nobody@example.test"]);

        Assert.Equal(24, result.ExitCode);
        Assert.Contains("nobody@example.test: 550", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".:disconnect", "120", 25, "data")]
    [InlineData(".:delay:3s", "1", 25, "data")]
    [InlineData("RCPT:disconnect", "120", 24, "rcpt")]
    [InlineData("MAIL:disconnect", "120", 23, "mail")]
    public async Task A_connection_dropped_or_stalled_mid_transaction_names_the_interrupted_phase(string fault, string timeout, int exitCode, string phase)
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Faults = FaultSpec.Parse(fault) });

        var result = await CliRunner.RunAsync(["send", "--host", "127.0.0.1", "--port", server.Port.ToString(), "--timeout", timeout,
            "--from", "a@example.test", "--to", "b@example.test"]);

        Assert.Equal(exitCode, result.ExitCode);
        var error = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"failed in phase {phase}: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newline_in_an_address_is_refused_before_connecting()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());

        var result = await CliRunner.RunAsync(["send", "--host", "127.0.0.1", "--port", server.Port.ToString(), "--from", "a@example.test\r\nRCPT TO:<x@evil.test>", "--to", "b@example.test"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error:", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, server.SessionsOpened);
    }
}
