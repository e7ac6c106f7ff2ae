using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace MailActors.Testing.Tests;

public sealed class SmtpTlsTests
{
    [Fact]
    public async Task Starttls_upgrades_in_place_with_a_pinnable_certificate_and_resets_the_session()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        Assert.Contains("250-STARTTLS", (await client.CommandAsync("EHLO client.test")).Lines);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@example.test>")).Code);
        Assert.Equal("220 2.0.0 Ready to start TLS", (await client.CommandAsync("STARTTLS")).Last);

        await client.UpgradeToTlsAsync(server.Certificate);

        Assert.NotNull(client.Tls);
        Assert.True(client.Tls!.IsAuthenticated);
        Assert.Equal("503 5.5.1 Error: send HELO/EHLO first", (await client.CommandAsync("RCPT TO:<b@example.test>")).Last);
        var ehlo = await client.CommandAsync("EHLO client.test");
        Assert.DoesNotContain(ehlo.Lines, line => line.Contains("STARTTLS", StringComparison.Ordinal));
        Assert.Equal(503, (await client.CommandAsync("RCPT TO:<b@example.test>")).Code);
        Assert.Equal(554, (await client.CommandAsync("STARTTLS")).Code);
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.CommandAsync("DATA");
        Assert.Equal(250, (await client.CommandAsync("secret\r\n.")).Code);

        var message = Assert.Single(server.Messages);
        Assert.True(message.UsedTls);
        Assert.NotEqual(System.Security.Authentication.SslProtocols.None, message.TlsProtocol);
        Assert.True(Assert.Single(server.Sessions).UsedTls);
    }

    [Fact]
    public async Task Plaintext_pipelined_after_starttls_is_discarded_not_executed()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.test");

        // The classic injection (CVE-2011-0411 family): commands smuggled in the same packet as STARTTLS.
        await client.SendAsync("STARTTLS\r\nEHLO evil.test\r\nMAIL FROM:<evil@example.test>\r\n");
        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        Assert.Equal(0, client.Buffered);
        await client.UpgradeToTlsAsync(server.Certificate);

        // A vulnerable server would now answer the injected EHLO and MAIL; ours has forgotten them.
        var reply = await client.CommandAsync("RCPT TO:<victim@example.test>");
        Assert.Equal("503 5.5.1 Error: send HELO/EHLO first", reply.Last);
        Assert.DoesNotContain("MAIL FROM:<evil@example.test>", server.CommandLog);
        Assert.Equal("EHLO client.test|STARTTLS|RCPT TO:<victim@example.test>", string.Join('|', server.CommandLog));
        Assert.True(Assert.Single(server.Sessions).DiscardedPlaintextAfterStartTls > 0);
    }

    [Fact]
    public async Task Implicit_tls_encrypts_before_the_greeting()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { ImplicitTls = true });
        await using var client = await RawClient.ConnectAsync(server.EndPoint, implicitTlsPin: server.Certificate);
        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        var ehlo = await client.CommandAsync("EHLO client.test");
        Assert.DoesNotContain("250-STARTTLS", ehlo.Lines);
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.CommandAsync("DATA");
        await client.CommandAsync("x\r\n.");
        Assert.True(Assert.Single(server.Messages).UsedTls);
    }

    [Fact]
    public async Task Plaintext_client_on_an_implicit_tls_port_gets_no_greeting()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { ImplicitTls = true });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("EHLO client.test\r\n");
        var (closed, remainder) = await client.ReadToEndAsync();
        Assert.True(closed);
        Assert.DoesNotContain("220", remainder, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shared_certificate_is_self_signed_ca_for_localhost_and_loopback()
    {
        var certificate = TestCertificates.Localhost;
        Assert.Same(certificate, TestCertificates.Localhost);
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("CN=localhost", certificate.Subject);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        var constraints = Assert.Single(certificate.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(constraints.CertificateAuthority);
        var names = Assert.Single(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());

        await using var first = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var second = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        Assert.Same(first.Certificate, second.Certificate);
    }

    [Fact]
    public async Task Certificate_validates_as_a_trust_anchor_with_host_name_checks_on()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { ImplicitTls = true });
        foreach (var host in new[] { "localhost", "127.0.0.1" })
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(server.EndPoint);
            SslPolicyErrors? seen = null;
            await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, errors) =>
            {
                seen = errors;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(server.Certificate);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                    && chain.Build(new X509Certificate2(certificate!));
            });
            await tls.AuthenticateAsClientAsync(host);
            Assert.True(tls.IsAuthenticated);
            Assert.Equal(SslPolicyErrors.None, seen!.Value & SslPolicyErrors.RemoteCertificateNameMismatch);
        }
    }

    [Fact]
    public async Task Mail_before_starttls_is_refused_when_tls_is_required()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { RequireTls = true });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal("530 5.7.0 Must issue a STARTTLS command first", (await client.CommandAsync("MAIL FROM:<a@example.test>")).Last);
        await client.CommandAsync("STARTTLS");
        await client.UpgradeToTlsAsync(server.Certificate);
        await client.CommandAsync("EHLO client.test");
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@example.test>")).Code);
    }
}
