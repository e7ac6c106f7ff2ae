using System.Text;
using MailActors.Diagnostics;
using MailActors.Interop.Tests.Infrastructure;
using MailActors.Pop3;
using MailActors.Protocol.Sasl;
using MailActors.Transport;

namespace MailActors.Interop.Tests.Pop3;

/// <summary>
/// The POP3 engine against the real Dovecot started by scripts/servers (STLS on 1110, POP3S on 1995, certificate
/// validated against the pinned test certificate). Never skipped. See <see cref="DovecotMailbox"/> for how the specs
/// share the mailbox with the rest of the interop suite.
/// </summary>
[Collection(RealServers.CollectionName)]
public sealed class DovecotInteropSpecs(RealServers servers)
{
    private readonly DovecotMailbox _mailbox = new(servers);

    private MailUser User => _mailbox.User;

    [Fact]
    public async Task Stls_with_validated_certificate_then_user_pass_uidl_top_and_retr()
    {
        var subject = DovecotMailbox.Unique("stls-user-pass");
        var sent = _mailbox.MessageBytes(subject);
        await _mailbox.DeliverAsync(subject, sent);

        await using (var client = await Pop3Client.ConnectAsync(_mailbox.Options()))
        {
            Assert.True(client.IsEncrypted);
            Assert.True(client.Capabilities.Uidl);
            Assert.True(client.Capabilities.Pipelining);
            var count = await client.LoginAsync(User.Name, User.Password);
            var number = Assert.Single(await DovecotMailbox.FindAsync(client, subject));

            var uid = await client.UidlAsync(number);
            var all = await client.UidlAsync();
            var top = await client.TopAsync(number, 1);
            var content = await client.GetBytesAsync(number);

            Assert.True(count >= 1);
            Assert.Equal(uid, all[number]);
            Assert.Contains(top, line => line == "Subject: " + subject);
            Assert.Equal("hello from the POP3 interop specs", top[^1]);
            Assert.True(content.Span.EndsWith(sent), "the retrieved message ends with the bytes that were sent");
            Assert.Equal(content.Length, await client.ListAsync(number));
            await client.QuitAsync();
        }
        await _mailbox.DeleteOwnAsync(subject);
    }

    [Fact]
    public async Task Pop3s_with_validated_certificate_and_auth_plain()
    {
        await using var client = await Pop3Client.ConnectAsync(_mailbox.Options(ssl: true));

        await client.AuthAsync(new SaslCredentials(User.Name, User.Password), "PLAIN");
        var (count, size) = await client.PopStatAsync();

        Assert.True(client.IsEncrypted);
        Assert.True(count >= 0 && size >= 0);
        Assert.StartsWith("Logged in", client.Message, StringComparison.Ordinal);
        Assert.True((await client.QuitAsync()).IsOk);
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_the_tls_handshake()
    {
        var options = _mailbox.Options(ssl: true) with { Tls = TlsOptions.Default };

        var error = await Assert.ThrowsAsync<MailConnectException>(() => Pop3Client.ConnectAsync(options));

        Assert.IsType<System.Security.Authentication.AuthenticationException>(error.InnerException);
        Assert.Contains("certificate", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Apop_logs_in_with_the_greeting_timestamp_and_the_transcript_hides_the_digest()
    {
        var transcript = new CollectingTranscript();
        await using var client = await Pop3Client.ConnectAsync(_mailbox.Options(transcript: transcript));
        Assert.NotNull(client.ApopTimestamp);

        var count = await client.ApopAsync(User.Name, User.Password);

        Assert.True(count >= 0);
        await client.QuitAsync();
        Assert.Contains(transcript.Lines, l => l is { Direction: TranscriptDirection.Client, Line: "APOP bounce ****" });
        var digest = MailActors.Protocol.Pop3.Apop.Digest(client.ApopTimestamp!, User.Password);
        Assert.DoesNotContain(digest, transcript.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_login_and_cram_md5_are_accepted_and_redacted()
    {
        foreach (var mechanism in new[] { "LOGIN", "CRAM-MD5" })
        {
            var transcript = new CollectingTranscript();
            await using var client = await Pop3Client.ConnectAsync(_mailbox.Options(transcript: transcript));

            await client.AuthAsync(new SaslCredentials(User.Name, User.Password), mechanism);
            await client.QuitAsync();

            Assert.Contains(transcript.Lines, l => l is { Direction: TranscriptDirection.Server, Line: "+ ****" });
            Assert.DoesNotContain(User.Password, transcript.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_wrong_password_is_a_typed_error_with_the_auth_response_code()
    {
        await using var client = await Pop3Client.ConnectAsync(_mailbox.Options());

        var error = await Assert.ThrowsAsync<Pop3CommandException>(() => client.LoginAsync(User.Name, "not-the-password"));

        Assert.Equal("PASS", error.Command);
        Assert.Equal("AUTH", error.ResponseCode);
        Assert.True(error.IsAuthenticationFailure);
        Assert.Contains("Authentication failed", error.ServerText, StringComparison.Ordinal);
        // The session is still in AUTHORIZATION and usable.
        Assert.True(await client.LoginAsync(User.Name, User.Password) >= 0);
    }

    [Fact]
    public async Task Credentials_never_cross_cleartext_without_opting_in()
    {
        await using var client = await Pop3Client.ConnectAsync(_mailbox.Options(startTls: TlsMode.None));
        Assert.False(client.IsEncrypted);

        await Assert.ThrowsAsync<MailAuthenticationException>(() => client.LoginAsync(User.Name, User.Password));
        await Assert.ThrowsAsync<MailAuthenticationException>(() => client.ApopAsync(User.Name, User.Password));
        await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthAsync(User.Name, User.Password));

        await client.StartTlsAsync();
        Assert.True(await client.LoginAsync(User.Name, User.Password) >= 0);
    }

    [Fact]
    public async Task Retr_of_dot_stuffed_lines_and_8bit_content_returns_the_exact_bytes()
    {
        var subject = DovecotMailbox.Unique("dots-and-8bit");
        const string body = ".leading dot\r\n..two dots\r\n.\r\nline after a lone dot\r\nGrüße, ½ € — ok\r\n. \r\nend\r\n";
        var sent = _mailbox.MessageBytes(subject, body);
        await _mailbox.DeliverAsync(subject, sent);

        await using (var client = await Pop3Client.ConnectAsync(_mailbox.Options()))
        {
            await client.LoginAsync(User.Name, User.Password);
            var number = Assert.Single(await DovecotMailbox.FindAsync(client, subject));

            var content = await client.GetBytesAsync(number);
            var lines = await client.GetLinesAsync(number);
            var parsed = await client.GetAsync(number);

            Assert.True(content.Span.EndsWith(sent), "dot-stuffing and 8-bit octets survive the round trip unchanged");
            Assert.Contains(".", lines);
            Assert.Contains("Grüße, ½ € — ok", lines);
            Assert.Equal(subject, parsed.Subject);
            Assert.Contains("..two dots", parsed.TextBody, StringComparison.Ordinal);
            await client.QuitAsync();
        }
        await _mailbox.DeleteOwnAsync(subject);
    }

    [Fact]
    public async Task Dele_then_quit_commits_the_deletion()
    {
        var subject = DovecotMailbox.Unique("dele-quit");
        await _mailbox.DeliverAsync(subject);

        await using (var client = await Pop3Client.ConnectAsync(_mailbox.Options()))
        {
            await client.LoginAsync(User.Name, User.Password);
            var number = Assert.Single(await DovecotMailbox.FindAsync(client, subject));
            await client.DeleteAsync(number);
            Assert.Equal([number], await client.PendingDeletesAsync());
            Assert.True((await client.QuitAsync()).IsOk);
        }

        await using var after = await Pop3Client.ConnectAsync(_mailbox.Options());
        await after.LoginAsync(User.Name, User.Password);
        Assert.Empty(await DovecotMailbox.FindAsync(after, subject));
        await after.QuitAsync();
    }

    [Fact]
    public async Task Dele_then_rset_keeps_the_message_and_so_does_disposing_without_quit()
    {
        var subject = DovecotMailbox.Unique("dele-rset");
        await _mailbox.DeliverAsync(subject);

        await using (var client = await Pop3Client.ConnectAsync(_mailbox.Options()))
        {
            await client.LoginAsync(User.Name, User.Password);
            var number = Assert.Single(await DovecotMailbox.FindAsync(client, subject));
            await client.DeleteAsync(number);
            await client.ResetAsync();
            Assert.Empty(await client.PendingDeletesAsync());
            await client.QuitAsync();
        }
        await using (var client = await Pop3Client.ConnectAsync(_mailbox.Options()))
        {
            await client.LoginAsync(User.Name, User.Password);
            var number = Assert.Single(await DovecotMailbox.FindAsync(client, subject));
            await client.DeleteAsync(number);
            // Disposed with a deletion pending: RSET, then QUIT — nothing is deleted.
        }

        await using (var after = await Pop3Client.ConnectAsync(_mailbox.Options()))
        {
            await after.LoginAsync(User.Name, User.Password);
            Assert.Single(await DovecotMailbox.FindAsync(after, subject));
            await after.QuitAsync();
        }
        await _mailbox.DeleteOwnAsync(subject);
    }

    [Fact]
    public async Task Pipelined_batch_retrieves_and_deletes_several_messages_in_one_flight()
    {
        var subject = DovecotMailbox.Unique("pipelined-batch");
        for (var i = 0; i < 3; i++)
        {
            await _mailbox.DeliverAsync($"{subject} #{i}");
        }
        var transcript = new CollectingTranscript();

        await using (var client = await Pop3Client.ConnectAsync(_mailbox.Options(transcript: transcript)))
        {
            await client.LoginAsync(User.Name, User.Password);
            var own = await DovecotMailbox.FindAsync(client, subject);
            Assert.Equal(3, own.Count);

            var retrieved = await client.GetManyAsync(own);
            await client.DeleteAsync(own);

            Assert.Equal(own, retrieved.Select(m => m.Number));
            for (var i = 0; i < 3; i++)
            {
                Assert.Contains($"{subject} #", Encoding.UTF8.GetString(retrieved[i].Content!.Value.Span), StringComparison.Ordinal);
            }
            Assert.Equal(own.Order(), (await client.PendingDeletesAsync()).Order());
            await client.QuitAsync();
        }

        await using var after = await Pop3Client.ConnectAsync(_mailbox.Options());
        await after.LoginAsync(User.Name, User.Password);
        Assert.Empty(await DovecotMailbox.FindAsync(after, subject));
        await after.QuitAsync();
    }

    [Fact]
    public async Task GetStream_streams_the_message_and_the_session_goes_on_afterwards()
    {
        var subject = DovecotMailbox.Unique("getfh");
        var body = string.Concat(Enumerable.Range(0, 4000).Select(i => $"line {i} of a message big enough to need several reads\r\n"));
        var sent = _mailbox.MessageBytes(subject, body);
        await _mailbox.DeliverAsync(subject, sent);

        await using (var client = await Pop3Client.ConnectAsync(_mailbox.Options()))
        {
            await client.LoginAsync(User.Name, User.Password);
            var number = Assert.Single(await DovecotMailbox.FindAsync(client, subject));

            var copy = new MemoryStream();
            await using (var stream = await client.GetStreamAsync(number))
            {
                await stream.CopyToAsync(copy);
            }

            Assert.True(copy.ToArray().AsSpan().EndsWith(sent));
            Assert.True((await client.PopStatAsync()).Count >= 1);
            await client.QuitAsync();
        }
        await _mailbox.DeleteOwnAsync(subject);
    }

    [Fact]
    public async Task End_to_end_a_MimeMessage_sent_with_the_smtp_engine_comes_back_byte_for_byte()
    {
        var subject = DovecotMailbox.Unique("end-to-end");
        var message = new MimeKit.MimeMessage();
        message.From.Add(MimeKit.MailboxAddress.Parse(servers.Alice.Address));
        message.To.Add(MimeKit.MailboxAddress.Parse(User.Address));
        message.Subject = subject;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("interop.example.test");
        message.Body = new MimeKit.TextPart("plain") { Text = "Grüße aus MailActors.\n.a line with a leading dot\n.\nend\n" };
        await using (var smtp = await MailActors.Smtp.SmtpClient.ConnectAsync(new MailActors.Smtp.SmtpClientOptions
        {
            Host = [$"{servers.Host}:{servers.Smtp}"],
            Hello = "pop3-interop.example.test",
            Tls = new TlsOptions { TrustedCertificates = [servers.Certificate] },
        }))
        {
            Assert.True((await smtp.SendMessageAsync(message)).Sent);
            await smtp.QuitAsync();
        }
        // What went over the wire: the message as the SMTP engine prepared it (8-bit allowed, CRLF).
        var format = MimeKit.FormatOptions.Default.Clone();
        format.NewLineFormat = MimeKit.NewLineFormat.Dos;
        using var sent = new MemoryStream();
        await message.WriteToAsync(format, sent);
        await servers.WaitForMaildirMessagesAsync(User.Name, text => text.Contains(subject, StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        await using (var client = await Pop3Client.ConnectAsync(_mailbox.Options()))
        {
            await client.LoginAsync(User.Name, User.Password);
            var number = Assert.Single(await DovecotMailbox.FindAsync(client, subject));
            var fetched = await client.GetBytesAsync(number);

            Assert.True(fetched.Span.EndsWith(sent.ToArray()), "Postfix only prepends trace headers; the rest comes back unchanged");
            Assert.StartsWith("Return-Path: ", Encoding.ASCII.GetString(fetched.Span[..20]), StringComparison.Ordinal);
            await client.QuitAsync();
        }
        await _mailbox.DeleteOwnAsync(subject);
    }
}
