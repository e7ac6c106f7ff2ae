using System.Text;
using MailActors.Diagnostics;
using MailActors.Interop.Tests.Infrastructure;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MailActors.Transport;
using MimeKit;

namespace MailActors.Interop.Tests.Smtp;

/// <summary>The SMTP engine against a real Postfix with Dovecot SASL (see scripts/servers). Never skipped.</summary>
[Collection(RealServers.CollectionName)]
public sealed class PostfixInteropSpecs(RealServers servers)
{
    private static readonly TimeSpan DeliveryWait = TimeSpan.FromSeconds(30);

    private SmtpClientOptions Options(int port, bool ssl = false, TlsMode startTls = TlsMode.None, ITranscript? transcript = null) => new()
    {
        Host = [$"{servers.Host}:{port}"],
        Ssl = ssl,
        StartTls = startTls,
        Hello = "interop.example.test",
        Timeout = TimeSpan.FromSeconds(30),
        Tls = new TlsOptions { TrustedCertificates = [servers.Certificate] },
        Transcript = transcript,
    };

    private static MimeMessage Message(string from, string to, string subject, string body = "hello from MailActors\n")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("interop.example.test");
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    private static string Unique(string what) => $"{what} {Guid.NewGuid():N}";

    [Fact]
    public async Task StartTls_with_validated_certificate_and_auth_plain()
    {
        var subject = Unique("starttls-plain");
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp));
        Assert.NotNull(client.Supports("STARTTLS"));

        await client.StartTlsAsync();
        await client.AuthAsync(new Protocol.Sasl.SaslCredentials(servers.Alice.Name, servers.Alice.Password), "PLAIN");
        var result = await client.SendMessageAsync(Message(servers.Alice.Address, servers.Bob.Address, subject));
        await client.QuitAsync();

        Assert.True(client.IsEncrypted);
        Assert.True(result.Sent);
        await servers.WaitForMaildirMessagesAsync("bob", text => text.Contains(subject, StringComparison.Ordinal), DeliveryWait);
    }

    [Fact]
    public async Task Auth_login_after_starttls()
    {
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp, startTls: TlsMode.StartTls));

        await client.AuthAsync(new Protocol.Sasl.SaslCredentials(servers.Bob.Name, servers.Bob.Password), "LOGIN");

        Assert.Equal(235, client.Code);
        Assert.Equal(new EnhancedStatusCode(2, 7, 0), client.LastReply!.EnhancedCode);
    }

    [Fact]
    public async Task Wrong_password_is_refused_by_dovecot_sasl()
    {
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp, startTls: TlsMode.StartTls));

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            client.AuthAsync(new Protocol.Sasl.SaslCredentials(servers.Bob.Name, "not-the-password"), "PLAIN"));

        Assert.Contains("535", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unpinned_certificate_is_rejected()
    {
        var options = Options(servers.Smtp, startTls: TlsMode.StartTls) with { Tls = TlsOptions.Default };

        await Assert.ThrowsAsync<MailConnectException>(() => SmtpClient.ConnectAsync(options));
    }

    [Fact]
    public async Task Implicit_tls_port_delivers()
    {
        var subject = Unique("smtps");
        await using var client = await SmtpClient.ConnectAsync(Options(servers.SmtpTls, ssl: true));

        var result = await client.SendMessageAsync(Message("sender@example.test", servers.Alice.Address, subject));

        Assert.True(client.IsEncrypted);
        Assert.True(result.Sent);
        await servers.WaitForMaildirMessagesAsync("alice", text => text.Contains(subject, StringComparison.Ordinal), DeliveryWait);
    }

    [Fact]
    public async Task Pipelined_transaction()
    {
        var subject = Unique("pipelined");
        var transcript = new CollectingTranscript();
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp, transcript: transcript));
        Assert.True(client.Capabilities.Pipelining);
        var message = Message("sender@example.test", servers.Alice.Address, subject);
        message.To.Add(MailboxAddress.Parse(servers.Bob.Address));

        var result = await client.SendMessageAsync(message);

        Assert.True(result.Sent);
        Assert.Equal(2, result.Accepted.Count);
        // MAIL, RCPT, RCPT and DATA were written before the first reply came back.
        var lines = transcript.Lines.SkipWhile(l => !l.Line.StartsWith("MAIL", StringComparison.Ordinal)).Take(4).ToArray();
        Assert.All(lines, l => Assert.Equal(TranscriptDirection.Client, l.Direction));
        await servers.WaitForMaildirMessagesAsync("alice", text => text.Contains(subject, StringComparison.Ordinal), DeliveryWait);
        await servers.WaitForMaildirMessagesAsync("bob", text => text.Contains(subject, StringComparison.Ordinal), DeliveryWait);
    }

    [Fact]
    public async Task Size_over_the_limit_is_refused_locally_from_the_advertised_SIZE()
    {
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp));
        Assert.Equal(servers.MessageSizeLimit.ToString(), client.Supports("SIZE"));
        var big = Message("sender@example.test", servers.Alice.Address, Unique("too big"), new string('x', servers.MessageSizeLimit + 10));

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => client.SendMessageAsync(big));

        Assert.Equal("SIZE", error.Extension);
    }

    [Fact]
    public async Task Size_declared_over_the_limit_gets_552_from_postfix()
    {
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp));

        // Bypass the local check by not declaring SIZE, and let Postfix measure the data itself.
        await client.MailAsync("sender@example.test");
        await client.ToAsync(servers.Alice.Address);
        var error = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.DataAsync("Subject: big\r\n\r\n" + new string('y', servers.MessageSizeLimit + 1000) + "\r\n"));

        Assert.Equal(552, error.Reply.Code);
        Assert.Equal(new EnhancedStatusCode(5, 3, 4), error.Reply.EnhancedCode);
    }

    [Fact]
    public async Task Dsn_notify_success_produces_a_real_delivery_status_notification()
    {
        var subject = Unique("dsn-success");
        var envelopeId = "env-" + Guid.NewGuid().ToString("N")[..12];
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp));

        var result = await client.SendMessageAsync(
            Message(servers.Bob.Address, servers.Alice.Address, subject),
            new SendMessageOptions { Notify = DsnNotify.Success, Return = DsnReturn.Headers, EnvelopeId = envelopeId });

        Assert.True(result.Sent);
        var reports = await servers.WaitForMaildirMessagesAsync("bob",
            text => text.Contains(envelopeId, StringComparison.Ordinal) && text.Contains("delivery-status", StringComparison.OrdinalIgnoreCase), DeliveryWait);
        var report = await File.ReadAllTextAsync(reports[0]);
        Assert.Contains("Action: delivered", report, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Eight_bit_message_arrives_intact_with_8BITMIME()
    {
        var subject = Unique("8bit");
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp));
        Assert.True(client.Capabilities.EightBitMime);
        var message = Message("sender@example.test", servers.Alice.Address, subject);
        message.Body = new TextPart("plain") { Text = "Grüße, Ærøskøbing, 東京\n", ContentTransferEncoding = ContentEncoding.EightBit };

        var result = await client.SendMessageAsync(message);

        Assert.True(result.Sent);
        var files = await servers.WaitForMaildirMessagesAsync("alice", text => text.Contains(subject, StringComparison.Ordinal), DeliveryWait);
        var received = await MimeMessage.LoadAsync(files[0]);
        Assert.Equal("Grüße, Ærøskøbing, 東京\n", received.TextBody);
    }

    [Fact]
    public async Task Smtputf8_recipient()
    {
        var subject = Unique("smtputf8");
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp));
        Assert.True(client.Capabilities.SmtpUtf8);

        var result = await client.SendMessageAsync(Message("jürgen@example.test", servers.Utf8AliasAddress, subject));

        Assert.True(result.Sent);
        await servers.WaitForMaildirMessagesAsync("alice", text => text.Contains(subject, StringComparison.Ordinal), DeliveryWait);
    }

    [Fact]
    public async Task Chunking_with_bdat()
    {
        var subject = Unique("bdat");
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp));
        Assert.True(client.Capabilities.Chunking);

        await client.MailAsync("sender@example.test");
        await client.ToAsync(servers.Alice.Address);
        await client.BdatAsync(Encoding.ASCII.GetBytes($"Subject: {subject}\r\n\r\n"));
        var final = await client.BdatLastAsync("body sent in two BDAT chunks\r\n"u8.ToArray());

        Assert.Equal(250, final.Code);
        await servers.WaitForMaildirMessagesAsync("alice", text => text.Contains(subject, StringComparison.Ordinal) && text.Contains("two BDAT chunks", StringComparison.Ordinal), DeliveryWait);
    }

    [Fact]
    public async Task Unknown_recipient_550_5_1_1_with_SkipBad()
    {
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp));
        await client.MailAsync("sender@example.test");

        var accepted = await client.RecipientAsync(["nobody@example.test", servers.Alice.Address], new RecipientOptions { SkipBad = true });
        var strict = await Assert.ThrowsAsync<SmtpCommandException>(() => client.RecipientAsync("ghost@example.test"));

        Assert.Equal([servers.Alice.Address], accepted);
        Assert.Equal(550, strict.Reply.Code);
        Assert.Equal(new EnhancedStatusCode(5, 1, 1), strict.Reply.EnhancedCode);
    }

    [Fact]
    public async Task Relay_to_another_domain_is_denied_with_554()
    {
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp));
        await client.MailAsync("sender@example.test");

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.RecipientAsync("someone@elsewhere.test"));

        Assert.Equal(554, error.Reply.Code);
        Assert.Equal(new EnhancedStatusCode(5, 7, 1), error.Reply.EnhancedCode);
    }

    [Fact]
    public async Task Strict_submission_port_refuses_auth_before_tls_and_accepts_it_after()
    {
        var options = Options(servers.Submission) with { AllowCleartextAuthentication = true };
        await using var client = await SmtpClient.ConnectAsync(options);
        Assert.Empty(client.Capabilities.AuthMechanisms);

        var refused = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            client.AuthAsync(new Protocol.Sasl.SaslCredentials(servers.Alice.Name, servers.Alice.Password), "PLAIN"));
        await client.StartTlsAsync();
        await client.AuthAsync(servers.Alice.Name, servers.Alice.Password);

        Assert.Matches("5[0-9][0-9]", refused.Message);
        Assert.Contains("PLAIN", client.Capabilities.AuthMechanisms);
        Assert.Equal(235, client.Code);
    }

    [Fact]
    public async Task Auth_is_not_sent_in_cleartext_by_default()
    {
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp));

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthAsync(servers.Alice.Name, servers.Alice.Password));

        Assert.Contains("unencrypted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_and_Etrn_against_postfix()
    {
        await using var client = await SmtpClient.ConnectAsync(Options(servers.Smtp));

        var known = await client.VerifyAsync(servers.Alice.Address);
        var etrn = await client.CommandAsync("ETRN", "example.test");

        Assert.True(known);
        Assert.True(etrn.Code is 250 or 458 or 459, $"ETRN answered {etrn}");
    }
}
