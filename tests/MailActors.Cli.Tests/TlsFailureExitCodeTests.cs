using MailActors.Testing;

namespace MailActors.Cli.Tests;

/// <summary>
/// <c>send</c> and <c>fetch</c> exit 29 with one <c>failed in phase tls</c> line for every TLS failure, against the
/// in-process servers: STARTTLS/STLS refused, and an implicit handshake that fails on the certificate or on a server
/// that does not speak TLS at all.
/// </summary>
public sealed class TlsFailureExitCodeTests
{
    private const string PasswordVariable = "MAILACTORS_TEST_PW";

    [Fact]
    public async Task Send_exits_29_when_the_server_refuses_starttls()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Faults = FaultSpec.Parse("STARTTLS:reply:454 4.7.0 TLS not available"),
        });
        var certificate = await CertificateFileAsync(server.Certificate);
        try
        {
            var result = await SendAsync(server.Port, "--tls", "starttls", "--trust-cert", certificate);

            Assert.Equal(29, result.ExitCode);
            Assert.Contains("STARTTLS was refused: 454 4.7.0 TLS not available", TlsFailureLine(result), StringComparison.Ordinal);
            Assert.Empty(server.Messages);
        }
        finally
        {
            File.Delete(certificate);
        }
    }

    [Fact]
    public async Task Send_exits_29_when_the_implicit_tls_certificate_is_not_trusted()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { ImplicitTls = true, StartTls = false });

        var result = await SendAsync(server.Port, "--tls", "implicit");

        Assert.Equal(29, result.ExitCode);
        Assert.Contains("certificate", TlsFailureLine(result), StringComparison.Ordinal);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Send_exits_29_when_implicit_tls_meets_a_server_that_does_not_speak_tls()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());

        var result = await SendAsync(server.Port, "--tls", "implicit", "--insecure");

        Assert.Equal(29, result.ExitCode);
        TlsFailureLine(result);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Fetch_exits_29_when_the_server_refuses_stls()
    {
        await using var server = await Pop3TestServer.StartAsync(new Pop3TestServerOptions
        {
            Users = new Dictionary<string, string> { ["alice"] = "pop-pass-123" },
            Mailboxes = new Dictionary<string, Pop3Mailbox> { ["alice"] = Pop3Mailbox.InMemory(["Subject: x\r\n\r\nx\r\n"u8.ToArray()]) },
            Faults = FaultSpec.Parse("STLS:reply:-ERR [SYS/TEMP] TLS not available"),
        });
        var certificate = await CertificateFileAsync(server.Certificate);
        try
        {
            var result = await CliRunner.RunAsync(
                ["fetch", "--host", "localhost", "--port", server.Port.ToString(), "--tls", "starttls", "--trust-cert", certificate,
                 "--user", "alice", "--password-env", PasswordVariable],
                new Dictionary<string, string> { [PasswordVariable] = "pop-pass-123" });

            Assert.Equal(29, result.ExitCode);
            Assert.Contains("STLS was refused", TlsFailureLine(result), StringComparison.Ordinal);
            Assert.Equal(0, server.LoginsSucceeded);
        }
        finally
        {
            File.Delete(certificate);
        }
    }

    private static Task<CliRunner.Result> SendAsync(int port, params string[] tls) => CliRunner.RunAsync(
        ["send", "--host", "localhost", "--port", port.ToString(), .. tls, "--from", "a@example.test", "--to", "b@example.test"]);

    private static async Task<string> CertificateFileAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>The one line the command printed to standard error, which must name the tls phase.</summary>
    private static string TlsFailureLine(CliRunner.Result result)
    {
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("failed in phase tls: ", line, StringComparison.Ordinal);
        return line;
    }
}
