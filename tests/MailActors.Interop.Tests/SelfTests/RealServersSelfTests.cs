using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MailActors.Interop.Tests.Infrastructure;

namespace MailActors.Interop.Tests.SelfTests;

/// <summary>Checks that the real servers behave as the interop tests assume, using raw sockets only.</summary>
[Collection(RealServers.CollectionName)]
public sealed partial class RealServersSelfTests(RealServers servers)
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    [GeneratedRegex(@"<[^<>\s]+@[^<>\s]+>")]
    private static partial Regex ApopTimestamp();

    [Fact]
    public async Task Plain_smtp_ports_greet_with_220()
    {
        foreach (var port in new[] { servers.Smtp, servers.Submission, servers.Sink })
        {
            await using var connection = await RawLineConnection.ConnectAsync(servers.Host, port);
            var greeting = await connection.ReadSmtpReplyAsync();
            Assert.StartsWith("220 ", greeting[^1], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Implicit_tls_smtp_port_greets_with_220_after_a_pinned_handshake()
    {
        await using var connection = await RawLineConnection.ConnectTlsAsync(servers.Host, servers.SmtpTls, servers.PinnedTlsOptions());
        var greeting = await connection.ReadSmtpReplyAsync();
        Assert.StartsWith("220 ", greeting[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smtp_port_advertises_the_extensions_the_client_is_tested_against()
    {
        await using var connection = await RawLineConnection.ConnectAsync(servers.Host, servers.Smtp);
        await connection.ReadSmtpReplyAsync();
        var plain = Keywords(await connection.SmtpCommandAsync("EHLO selftest.example"));
        foreach (var expected in new[] { "STARTTLS", "PIPELINING", "DSN", "SMTPUTF8", "CHUNKING", "8BITMIME", "ENHANCEDSTATUSCODES" })
        {
            Assert.Contains(expected, plain);
        }

        Assert.Contains($"SIZE {servers.MessageSizeLimit}", plain);
        Assert.Equal(1048576, servers.MessageSizeLimit);

        Assert.StartsWith("220 ", (await connection.SmtpCommandAsync("STARTTLS"))[0], StringComparison.Ordinal);
        await connection.StartTlsAsync(servers.PinnedTlsOptions());
        var secured = Keywords(await connection.SmtpCommandAsync("EHLO selftest.example"));
        Assert.Contains(secured, keyword => keyword.StartsWith("AUTH ", StringComparison.Ordinal) && keyword.Contains("PLAIN", StringComparison.Ordinal));
        Assert.DoesNotContain("STARTTLS", secured);
    }

    [Fact]
    public async Task Submission_port_offers_auth_only_after_starttls_and_it_succeeds_then()
    {
        await using var connection = await RawLineConnection.ConnectAsync(servers.Host, servers.Submission);
        await connection.ReadSmtpReplyAsync();
        var plain = Keywords(await connection.SmtpCommandAsync("EHLO selftest.example"));
        Assert.DoesNotContain(plain, keyword => keyword.StartsWith("AUTH", StringComparison.Ordinal));
        Assert.StartsWith("530 ", (await connection.SmtpCommandAsync($"AUTH PLAIN {PlainCredentials(servers.Alice)}"))[0], StringComparison.Ordinal);

        await connection.SmtpCommandAsync("STARTTLS");
        await connection.StartTlsAsync(servers.PinnedTlsOptions());
        var secured = Keywords(await connection.SmtpCommandAsync("EHLO selftest.example"));
        Assert.Contains(secured, keyword => keyword.StartsWith("AUTH ", StringComparison.Ordinal));
        Assert.StartsWith("235 ", (await connection.SmtpCommandAsync($"AUTH PLAIN {PlainCredentials(servers.Alice)}"))[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pinned_certificate_validates_and_default_trust_rejects_it()
    {
        await using (var pinned = await RawLineConnection.ConnectTlsAsync(servers.Host, servers.SmtpTls, servers.PinnedTlsOptions()))
        {
            Assert.NotNull(pinned.Tls?.RemoteCertificate);
            Assert.Equal(servers.Certificate.RawData, pinned.Tls!.RemoteCertificate!.GetRawCertData());
        }

        var systemTrust = new SslClientAuthenticationOptions { TargetHost = servers.Host };
        await Assert.ThrowsAsync<AuthenticationException>(async () =>
        {
            await using var unpinned = await RawLineConnection.ConnectTlsAsync(servers.Host, servers.Pop3s, systemTrust);
        });
    }

    [Fact]
    public async Task Pop3_greets_with_an_apop_timestamp_and_accepts_apop_and_user_pass()
    {
        await using (var apop = await RawLineConnection.ConnectAsync(servers.Host, servers.Pop3))
        {
            var greeting = await apop.ReadLineAsync();
            Assert.StartsWith("+OK", greeting, StringComparison.Ordinal);
            var timestamp = ApopTimestamp().Match(greeting);
            Assert.True(timestamp.Success, $"no APOP timestamp in: {greeting}");
            await apop.SendLineAsync($"APOP {servers.Bob.Name} {ApopDigest(timestamp.Value, servers.Bob.Password)}");
            Assert.StartsWith("+OK", await apop.ReadLineAsync(), StringComparison.Ordinal);
        }

        await using var userPass = await RawLineConnection.ConnectAsync(servers.Host, servers.Pop3);
        await userPass.ReadLineAsync();
        await userPass.SendLineAsync($"USER {servers.Alice.Name}");
        Assert.StartsWith("+OK", await userPass.ReadLineAsync(), StringComparison.Ordinal);
        await userPass.SendLineAsync($"PASS {servers.Alice.Password}");
        Assert.StartsWith("+OK", await userPass.ReadLineAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pop3s_greets_with_ok_after_a_pinned_handshake()
    {
        await using var connection = await RawLineConnection.ConnectTlsAsync(servers.Host, servers.Pop3s, servers.PinnedTlsOptions());
        Assert.StartsWith("+OK", await connection.ReadLineAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smtp_sink_ends_its_ehlo_reply_with_a_bare_250_line()
    {
        await using var connection = await RawLineConnection.ConnectAsync(servers.Host, servers.Sink);
        await connection.ReadSmtpReplyAsync();
        var reply = await connection.SmtpCommandAsync("EHLO selftest.example");
        Assert.Equal("250", reply[^1].TrimEnd());
        Assert.DoesNotContain("STARTTLS", Keywords(reply));
    }

    [Fact]
    public async Task Mail_sent_to_bob_lands_in_his_maildir_and_postfix_logs_it()
    {
        var subject = $"fixture-selftest-{Guid.NewGuid():N}";
        await using (var connection = await RawLineConnection.ConnectAsync(servers.Host, servers.Smtp))
        {
            await connection.ReadSmtpReplyAsync();
            await connection.SmtpCommandAsync("EHLO selftest.example");
            Assert.StartsWith("250 ", (await connection.SmtpCommandAsync($"MAIL FROM:<{servers.Alice.Address}>"))[0], StringComparison.Ordinal);
            Assert.StartsWith("250 ", (await connection.SmtpCommandAsync($"RCPT TO:<{servers.Bob.Address}>"))[0], StringComparison.Ordinal);
            Assert.StartsWith("354 ", (await connection.SmtpCommandAsync("DATA"))[0], StringComparison.Ordinal);
            await connection.SendLineAsync($"Subject: {subject}");
            await connection.SendLineAsync("");
            await connection.SendLineAsync("fixture self-test");
            Assert.StartsWith("250 ", (await connection.SmtpCommandAsync("."))[0], StringComparison.Ordinal);
            await connection.SmtpCommandAsync("QUIT");
        }

        var delivered = await servers.WaitForMaildirMessagesAsync(
            servers.Bob.Name, text => text.Contains(subject, StringComparison.Ordinal), DeliveryTimeout);

        var file = Assert.Single(delivered);
        Assert.StartsWith(servers.MaildirOf(servers.Bob.Name), file, StringComparison.Ordinal);
        var deliveries = await servers.PostfixLog.LinesContainingAsync($"to=<{servers.Bob.Address}>");
        Assert.Contains(deliveries, line => line.Contains("status=sent", StringComparison.Ordinal));
    }

    private static List<string> Keywords(IReadOnlyList<string> ehloReply) =>
        ehloReply.Skip(1).Select(line => line.Length > 4 ? line[4..] : "").ToList();

    private static string PlainCredentials(MailUser user) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user.Name}\0{user.Password}"));

#pragma warning disable CA5351 // APOP (RFC 1939) is defined with MD5; the test must speak it.
    private static string ApopDigest(string timestamp, string password) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(timestamp + password)));
#pragma warning restore CA5351
}
