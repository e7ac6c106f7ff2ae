using System.Net;
using System.Net.Sockets;
using System.Text;
using MailActors.Diagnostics;
using MailActors.Protocol;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Tests.Support;
using MailActors.Transport;
using MimeKit;
using Xunit.Abstractions;

namespace MailActors.Tests.Smtp;

/// <summary>The Net::SMTP facade: one test (at least) per method and per constructor option; see docs/net-smtp-parity.md.</summary>
public sealed class SmtpClientSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private SmtpClientOptions OptionsFor(SmtpTestServer server) => new()
    {
        Host = [$"127.0.0.1:{server.Port}"],
        Hello = "client.example.test",
        Timeout = TimeSpan.FromSeconds(5),
        Tls = new TlsOptions { TrustedCertificates = [server.Certificate], TargetHost = "localhost" },
        ActorSystem = Sys,
    };

    private async Task<(SmtpTestServer Server, SmtpClient Client)> ConnectAsync(SmtpTestServerOptions? serverOptions = null, Func<SmtpClientOptions, SmtpClientOptions>? tweak = null)
    {
        var server = await StartServerAsync(serverOptions);
        var options = OptionsFor(server);
        var client = await SmtpClient.ConnectAsync(tweak is null ? options : tweak(options));
        return (server, client);
    }

    [Fact]
    public async Task New_connects_greets_and_exposes_banner_domain_and_host()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;

        Assert.StartsWith("localhost", client.Banner, StringComparison.Ordinal);
        Assert.Equal("localhost", client.Domain);
        Assert.Equal($"127.0.0.1:{server.Port}", client.Host);
        Assert.Equal("client.example.test", server.Sessions.Single().HeloName);
    }

    [Fact]
    public async Task Code_and_message_after_connect_are_the_hellos_or_the_greetings_without_one()
    {
        var (_, greeted) = await ConnectAsync();
        await using var _ = greeted;
        var (__, silent) = await ConnectAsync(tweak: o => o with { SendHello = false });
        await using var ___ = silent;

        Assert.Equal(250, greeted.Code); // Net::SMTP: code() after new() is the hello's
        Assert.Equal(220, silent.Code);
        Assert.StartsWith("localhost", silent.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_list_is_tried_in_turn()
    {
        var server = await StartServerAsync();
        var deadPort = UnusedPort();
        await using var client = await SmtpClient.ConnectAsync(OptionsFor(server) with { Host = [$"127.0.0.1:{deadPort}", $"127.0.0.1:{server.Port}"] });

        Assert.Equal($"127.0.0.1:{server.Port}", client.Host);
    }

    [Fact]
    public async Task Port_applies_to_hosts_that_name_none()
    {
        var server = await StartServerAsync();
        await using var client = await SmtpClient.ConnectAsync(OptionsFor(server) with { Host = ["127.0.0.1"], Port = server.Port });

        Assert.Equal(1, server.SessionsOpened);
    }

    [Fact]
    public async Task Ssl_connects_with_implicit_tls()
    {
        var (server, client) = await ConnectAsync(new SmtpTestServerOptions { ImplicitTls = true }, o => o with { Ssl = true });
        await using var _ = client;

        Assert.True(client.IsEncrypted);
        Assert.True(server.Sessions.Single().UsedTls);
    }

    [Fact]
    public async Task Cancelling_the_connect_during_the_TLS_handshake_leaves_no_connection_open()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { ImplicitTls = true });
        var checkedIt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var options = OptionsFor(server) with { Ssl = true, Tls = SlowCertificateCheck(checkedIt) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SmtpClient.ConnectAsync(options, cancel.Token));

        await AwaitNoServerSessionAfter(checkedIt, () => server.SessionsActive);
    }

    [Fact]
    public async Task SendHello_off_leaves_the_greeting_to_HelloAsync()
    {
        var (server, client) = await ConnectAsync(tweak: o => o with { SendHello = false });
        await using var _ = client;
        Assert.Null(server.Sessions.Single().HeloName);

        var capabilities = await client.HelloAsync("manual.example.test");

        Assert.True(capabilities.Pipelining);
        Assert.Equal("manual.example.test", server.Sessions.Single().HeloName);
    }

    [Fact]
    public async Task SendHello_off_with_StartTls_required_upgrades_on_the_first_hello()
    {
        var (server, client) = await ConnectAsync(tweak: o => o with { SendHello = false, StartTls = TlsMode.StartTls });
        await using var _ = client;
        Assert.False(client.IsEncrypted);

        var capabilities = await client.HelloAsync();
        await client.MailAsync("a@example.test");
        await client.ToAsync("b@example.test");
        await client.DataAsync("Subject: tls\r\n\r\nsecret\r\n");

        Assert.True(client.IsEncrypted);
        Assert.False(capabilities.StartTls); // what the server advertises once TLS is up
        Assert.True(server.Messages.Single().UsedTls);
    }

    [Fact]
    public async Task SendHello_off_with_StartTls_required_ends_the_session_on_the_first_hello_when_not_offered()
    {
        var (server, client) = await ConnectAsync(new SmtpTestServerOptions { StartTls = false }, o => o with { SendHello = false, StartTls = TlsMode.StartTls });
        await using var _ = client;

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => client.HelloAsync());
        await Assert.ThrowsAnyAsync<Exception>(() => client.MailAsync("a@example.test"));

        Assert.Equal("STARTTLS", error.Extension);
        Assert.DoesNotContain(server.CommandLog, c => c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LocalAddr_and_LocalPort_bind_the_client_socket()
    {
        var localPort = UnusedPort();
        var (server, client) = await ConnectAsync(tweak: o => o with { LocalAddr = IPAddress.Parse("127.0.0.1"), LocalPort = localPort });
        await using var _ = client;

        Assert.Equal(localPort, server.Sessions.Single().RemoteEndPoint!.Port);
    }

    [Fact]
    public async Task Family_ipv6_connects_over_ipv6()
    {
        Assert.True(SmtpClient.CanInet6, "this machine must support IPv6 on loopback for the Family option to be tested");
        var server = await StartServerAsync(new SmtpTestServerOptions { Address = IPAddress.IPv6Loopback });
        await using var client = await SmtpClient.ConnectAsync(OptionsFor(server) with { Host = [$"[::1]:{server.Port}"], Family = AddressFamily.InterNetworkV6 });

        Assert.Equal(AddressFamily.InterNetworkV6, server.Sessions.Single().RemoteEndPoint!.AddressFamily);
    }

    [Fact]
    public async Task Family_ipv4_refuses_an_ipv6_host()
    {
        var server = await StartServerAsync();
        await Assert.ThrowsAsync<MailConnectException>(() =>
            SmtpClient.ConnectAsync(OptionsFor(server) with { Host = [$"[::1]:{server.Port}"], Family = AddressFamily.InterNetwork }));
    }

    [Fact]
    public async Task Timeout_bounds_the_wait_for_a_reply()
    {
        var (server, client) = await ConnectAsync(tweak: o => o with { Timeout = TimeSpan.FromSeconds(1) });
        await using var _ = client;
        server.Faults.Add(FaultRule.On("NOOP", FaultAction.Tarpit()));

        await Assert.ThrowsAsync<MailTimeoutException>(() => client.NoopAsync());
    }

    [Fact]
    public async Task ExactAddresses_refuses_display_name_forms_that_are_otherwise_extracted()
    {
        var (server, loose) = await ConnectAsync();
        await using var _ = loose;
        await loose.MailAsync("Alice Example <alice@example.test>");
        Assert.Contains("MAIL FROM:<alice@example.test>", server.CommandLog);

        var exact = await SmtpClient.ConnectAsync(OptionsFor(server) with { ExactAddresses = true });
        await using var __ = exact;
        await Assert.ThrowsAnyAsync<MailArgumentException>(() => exact.MailAsync("Alice Example <alice@example.test>"));
        await exact.MailAsync("<\"funny user\"@example.test>");
        Assert.Contains("MAIL FROM:<\"funny user\"@example.test>", server.CommandLog);
    }

    [Fact]
    public async Task Debug_transcript_shows_both_sides()
    {
        var transcript = new CollectingTranscript();
        var (_, client) = await ConnectAsync(tweak: o => o with { Transcript = transcript });
        await using var __ = client;
        await client.NoopAsync();

        var text = transcript.ToString();
        Assert.Contains("S: 220 ", text, StringComparison.Ordinal);
        Assert.Contains("C: EHLO client.example.test", text, StringComparison.Ordinal);
        Assert.Contains("C: NOOP", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Supports_returns_the_keyword_parameter()
    {
        var (_, client) = await ConnectAsync(new SmtpTestServerOptions { MaxMessageSize = 12345 });
        await using var __ = client;

        Assert.Equal("12345", client.Supports("SIZE"));
        Assert.Equal("", client.Supports("PIPELINING"));
        Assert.Null(client.Supports("XNOTHING"));
    }

    [Fact]
    public void CanSsl_is_true()
    {
        Assert.True(SmtpClient.CanSsl);
    }

    [Fact]
    public async Task Etrn_asks_for_a_queue_run()
    {
        var (server, client) = await ConnectAsync(new SmtpTestServerOptions { Etrn = true });
        await using var _ = client;

        var reply = await client.EtrnAsync("example.test");

        Assert.True(reply.IsPositiveCompletion);
        Assert.Contains("ETRN example.test", server.CommandLog);
    }

    [Fact]
    public async Task StartTls_then_Auth()
    {
        var (server, client) = await ConnectAsync(new SmtpTestServerOptions { AuthMechanisms = ["PLAIN"], Users = new Dictionary<string, string> { ["u"] = "p" } });
        await using var _ = client;

        await client.StartTlsAsync();
        await client.AuthAsync("u", "p");

        Assert.True(client.IsEncrypted);
        Assert.Equal(235, client.Code);
        Assert.Equal("u", server.Sessions.Single().AuthenticatedUser);
    }

    [Fact]
    public async Task Mail_sends_every_Net_SMTP_option()
    {
        var (server, client) = await ConnectAsync(new SmtpTestServerOptions { AdditionalExtensions = ["XVERP", "CHECKPOINT"], AuthMechanisms = ["PLAIN"], MaxMessageSize = 100000 });
        await using var _ = client;

        await client.MailAsync("a@example.test", new MailOptions
        {
            Size = 2048,
            Return = DsnReturn.Headers,
            Bits = BodyType.EightBitMime,
            Transaction = "tx1@example.test",
            Envelope = "env id+1",
            Xverp = true,
            Auth = "<>",
        });

        var mail = server.CommandLog.Single(c => c.StartsWith("MAIL", StringComparison.Ordinal));
        Assert.Equal("MAIL FROM:<a@example.test> SIZE=2048 BODY=8BITMIME RET=HDRS ENVID=env+20id+2B1 AUTH=<> TRANSID=<tx1@example.test> XVERP", mail);
    }

    [Fact]
    public async Task A_pre_encoded_ENVID_or_AUTH_needs_the_extension_like_the_raw_form()
    {
        var (server, client) = await ConnectAsync(new SmtpTestServerOptions { Dsn = false });
        await using var _ = client;
        var before = server.CommandLog.Count;

        var envId = await Assert.ThrowsAsync<MailNotSupportedException>(() => client.MailAsync("a@example.test", new MailOptions { EnvId = "x+E9y" }));
        var auth = await Assert.ThrowsAsync<MailNotSupportedException>(() => client.MailAsync("a@example.test", new MailOptions { AuthEncoded = "a+2Bb@example.test" }));

        Assert.Equal("DSN", envId.Extension);
        Assert.Equal("AUTH", auth.Extension);
        Assert.Equal(before, server.CommandLog.Count); // refused before anything went out
    }

    [Fact]
    public async Task Mail_with_a_pre_encoded_ENVID_sends_it_unchanged()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;

        await client.MailAsync("a@example.test", new MailOptions { EnvId = "abc+2Bdef" });
        await client.ResetAsync();
        // +E9 is no UTF-8: decoded and encoded again it would become +EF+BF+BD (U+FFFD).
        await client.MailAsync("a@example.test", new MailOptions { EnvId = "x+E9y" });

        var mails = server.CommandLog.Where(c => c.StartsWith("MAIL", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, mails.Count);
        Assert.Contains(" ENVID=abc+2Bdef", mails[0], StringComparison.Ordinal);
        Assert.EndsWith(" ENVID=x+E9y", mails[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+G1")]
    [InlineData("a=b")]
    [InlineData("caf\u00e9")]
    [InlineData("")]
    public async Task Mail_with_a_pre_encoded_ENVID_or_AUTH_that_is_not_xtext_is_refused(string encoded)
    {
        var (server, client) = await ConnectAsync(new SmtpTestServerOptions { AuthMechanisms = ["PLAIN"] });
        await using var _ = client;

        var envid = await Assert.ThrowsAsync<MailArgumentException>(() => client.MailAsync("a@example.test", new MailOptions { EnvId = encoded }));
        var auth = await Assert.ThrowsAsync<MailArgumentException>(() => client.MailAsync("a@example.test", new MailOptions { AuthEncoded = encoded }));

        Assert.Contains("ENVID", envid.Message, StringComparison.Ordinal);
        Assert.Contains("not xtext", envid.Message, StringComparison.Ordinal);
        Assert.Contains("AUTH=", auth.Message, StringComparison.Ordinal);
        Assert.Contains("not xtext", auth.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.CommandLog, c => c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mail_with_a_pre_encoded_AUTH_sends_it_unchanged_and_a_raw_one_encoded()
    {
        var (server, client) = await ConnectAsync(new SmtpTestServerOptions { AuthMechanisms = ["PLAIN"] });
        await using var _ = client;

        await client.MailAsync("a@example.test", new MailOptions { AuthEncoded = "a+2Bb@example.test" });
        await client.ResetAsync();
        await client.MailAsync("a@example.test", new MailOptions { Auth = "a+b@example.test" });
        await client.ResetAsync();
        await client.MailAsync("a@example.test", new MailOptions { AuthEncoded = "a+E9b@example.test" });

        var mails = server.CommandLog.Where(c => c.StartsWith("MAIL", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, mails.Count);
        Assert.All(mails.Take(2), m => Assert.EndsWith(" AUTH=a+2Bb@example.test", m, StringComparison.Ordinal));
        Assert.EndsWith(" AUTH=a+E9b@example.test", mails[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SEND")]
    [InlineData("SOML")]
    [InlineData("SAML")]
    public async Task Send_SendOrMail_SendAndMail_use_their_RFC_821_verbs(string verb)
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;

        var reply = verb switch
        {
            "SEND" => await client.SendAsync("a@example.test"),
            "SOML" => await client.SendOrMailAsync("a@example.test"),
            _ => await client.SendAndMailAsync("a@example.test"),
        };

        Assert.True(reply.IsPositiveCompletion);
        Assert.Contains($"{verb} FROM:<a@example.test>", server.CommandLog);
    }

    [Fact]
    public async Task Reset_cancels_the_transaction()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        await client.MailAsync("a@example.test");

        await client.ResetAsync();
        await client.MailAsync("b@example.test");

        Assert.Contains("RSET", server.CommandLog);
    }

    [Fact]
    public async Task Recipient_stops_at_the_first_refusal_without_SkipBad()
    {
        var (server, client) = await ConnectAsync(new SmtpTestServerOptions { UnknownRecipients = ["bad@example.test"] });
        await using var _ = client;
        await client.MailAsync("a@example.test");

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.RecipientAsync("ok@example.test", "bad@example.test", "never@example.test"));

        Assert.Equal(550, error.Reply.Code);
        Assert.DoesNotContain(server.CommandLog, c => c.Contains("never@", StringComparison.Ordinal));
        Assert.DoesNotContain("RSET", server.CommandLog);
    }

    [Fact]
    public async Task Recipient_with_SkipBad_returns_the_accepted_addresses()
    {
        var (_, client) = await ConnectAsync(new SmtpTestServerOptions { UnknownRecipients = ["bad@example.test"] });
        await using var __ = client;
        await client.MailAsync("a@example.test");

        var accepted = await client.RecipientAsync(["ok@example.test", "bad@example.test", "ok2@example.test"], new RecipientOptions { SkipBad = true });

        Assert.Equal(["ok@example.test", "ok2@example.test"], accepted);
    }

    [Fact]
    public async Task Recipient_sends_Notify_and_ORcpt()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        await client.MailAsync("a@example.test");

        await client.RecipientAsync(["b@example.test"], new RecipientOptions { Notify = DsnNotify.Success | DsnNotify.Failure, ORcpt = "rfc822;b@example.test" });

        Assert.Contains("RCPT TO:<b@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.test", server.CommandLog);
    }

    [Fact]
    public async Task Notify_NEVER_must_stand_alone()
    {
        var (_, client) = await ConnectAsync();
        await using var __ = client;
        await client.MailAsync("a@example.test");

        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.RecipientAsync(["b@example.test"], new RecipientOptions { Notify = DsnNotify.Never | DsnNotify.Success }));
    }

    [Fact]
    public async Task To_Cc_Bcc_are_synonyms_of_Recipient()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        await client.MailAsync("a@example.test");

        await client.ToAsync("to@example.test");
        await client.CcAsync("cc@example.test");
        await client.BccAsync("bcc@example.test");
        await client.DataAsync("Subject: s\r\n\r\nx\r\n");

        Assert.Equal(["to@example.test", "cc@example.test", "bcc@example.test"], server.Messages.Single().Envelope.Recipients.Select(r => r.Address));
    }

    [Fact]
    public async Task Data_with_bytes_string_or_stream_sends_the_whole_message()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        for (var i = 0; i < 3; i++)
        {
            await client.MailAsync("a@example.test");
            await client.ToAsync("b@example.test");
            var text = $"Subject: {i}\n\n.starts with a dot\nend\n";
            var reply = i switch
            {
                0 => await client.DataAsync(Encoding.ASCII.GetBytes(text)),
                1 => await client.DataAsync(text),
                _ => await client.DataAsync(new MemoryStream(Encoding.ASCII.GetBytes(text))),
            };
            Assert.Equal(250, reply.Code);
        }

        Assert.Equal(3, server.Messages.Count);
        Assert.All(server.Messages, m => Assert.EndsWith("\r\n.starts with a dot\r\nend\r\n", m.DataText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Data_DataSend_DataEnd_stream_the_message()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        await client.MailAsync("a@example.test");
        await client.ToAsync("b@example.test");

        var go = await client.DataAsync();
        await client.DataSendAsync("To: postmaster\n");
        await client.DataSendAsync("\n");
        await client.DataSendAsync("A simple test message\n");
        var done = await client.DataEndAsync();

        Assert.Equal(354, go.Code);
        Assert.Equal(250, done.Code);
        Assert.Equal("To: postmaster\r\n\r\nA simple test message\r\n", server.Messages.Single().DataText);
    }

    [Fact]
    public async Task Bdat_and_BdatLast_send_chunks()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        await client.MailAsync("a@example.test", new MailOptions { Bits = BodyType.BinaryMime });
        await client.ToAsync("b@example.test");

        await client.BdatAsync("Subject: b\r\n\r\n"u8.ToArray());
        var last = await client.BdatLastAsync("binary\0body\r\n"u8.ToArray());

        Assert.Equal(250, last.Code);
        Assert.Equal("Subject: b\r\n\r\nbinary\0body\r\n", server.Messages.Single().DataText);
    }

    [Fact]
    public async Task Expand_Verify_Help_return_what_the_server_says()
    {
        var (_, client) = await ConnectAsync(new SmtpTestServerOptions
        {
            Expn = true,
            MailingLists = new Dictionary<string, IReadOnlyList<string>> { ["team"] = ["<a@example.test>", "<b@example.test>"] },
            UnknownRecipients = ["ghost@example.test"],
        });
        await using var __ = client;

        var members = await client.ExpandAsync("team");
        var nobody = await client.ExpandAsync("no-such-list");
        var known = await client.VerifyAsync("a@example.test");
        var ghost = await client.VerifyAsync("ghost@example.test");
        var help = await client.HelpAsync();

        Assert.Equal(2, members.Count);
        Assert.Contains("a@example.test", members[0], StringComparison.Ordinal);
        Assert.Empty(nobody);
        Assert.True(known);
        Assert.False(ghost);
        Assert.False(string.IsNullOrEmpty(help));
    }

    [Fact]
    public async Task Noop_and_Command_return_replies_as_they_come()
    {
        var (_, client) = await ConnectAsync();
        await using var __ = client;

        var noop = await client.NoopAsync();
        var unknown = await client.CommandAsync("XYZZY", "plugh");

        Assert.Equal(250, noop.Code);
        Assert.Equal(502, unknown.Code);
        Assert.Equal(502, client.Code);
        Assert.False(string.IsNullOrEmpty(client.Message));
    }

    [Fact]
    public async Task Quit_closes_and_later_calls_say_so()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;

        var bye = await client.QuitAsync();
        await Assert.ThrowsAsync<MailSessionClosedException>(() => client.NoopAsync());

        Assert.Equal(221, bye.Code);
        Assert.Contains("QUIT", server.CommandLog);
    }

    [Theory]
    [InlineData("a@example.test\r\nDATA")]
    [InlineData("a@example.test\n")]
    [InlineData("a\0b@example.test")]
    public async Task Arguments_with_CR_LF_or_NUL_throw_before_anything_is_written(string bad)
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        var before = server.CommandLog.Count;

        await Assert.ThrowsAsync<MailArgumentException>(() => client.MailAsync(bad));
        await Assert.ThrowsAsync<MailArgumentException>(() => client.VerifyAsync(bad));
        await Assert.ThrowsAsync<MailArgumentException>(() => client.EtrnAsync(bad));
        await Assert.ThrowsAsync<MailArgumentException>(() => client.HelpAsync(bad));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.CommandAsync("NOOP", bad));

        Assert.Equal(before, server.CommandLog.Count);
    }

    [Theory]
    [InlineData("client example.test")]
    [InlineData("")]
    public async Task A_hello_domain_EHLO_cannot_carry_is_refused_before_connecting(string bad)
    {
        var server = await StartServerAsync();

        var error = await Assert.ThrowsAsync<MailArgumentException>(() => SmtpClient.ConnectAsync(OptionsFor(server) with { Hello = bad }));
        await using var client = await SmtpClient.ConnectAsync(OptionsFor(server) with { SendHello = false });
        var later = await Assert.ThrowsAsync<MailArgumentException>(() => client.HelloAsync(bad));

        Assert.Equal("Hello", error.ParamName);
        Assert.Equal("domain", later.ParamName);
        Assert.Equal(1, server.SessionsOpened); // only the second client's connection: the refused one never dialled
        Assert.DoesNotContain(server.CommandLog, c => c.StartsWith("EHLO", StringComparison.Ordinal) || c.StartsWith("HELO", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_null_path_is_a_sender_but_never_a_recipient()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        await client.MailAsync("");
        var before = server.CommandLog.Count;

        var error = await Assert.ThrowsAsync<MailArgumentException>(() => client.RecipientAsync(["bob@example.test", "<>"]));
        var accepted = await client.RecipientAsync(["Postmaster"]);

        Assert.Contains("null path", error.Message, StringComparison.Ordinal);
        Assert.Equal(before + 1, server.CommandLog.Count); // nothing of the refused list went out, not even bob
        Assert.Contains("MAIL FROM:<>", server.CommandLog);
        Assert.Equal("RCPT TO:<Postmaster>", server.CommandLog[^1]);
        Assert.Equal(["Postmaster"], accepted);
    }

    [Fact]
    public async Task SendMessage_takes_the_envelope_from_headers_and_hides_Bcc()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Alice", "alice@example.test"));
        message.To.Add(new MailboxAddress("Bob", "bob@example.test"));
        message.Cc.Add(new MailboxAddress("Carol", "carol@example.test"));
        message.Bcc.Add(new MailboxAddress("Dave", "dave@example.test"));
        message.To.Add(new MailboxAddress("Bob again", "BOB@example.test"));
        message.Subject = "hello";
        message.Body = new TextPart("plain") { Text = "Grüße aus dem Test\n" };

        var result = await client.SendMessageAsync(message);

        Assert.True(result.Sent);
        var received = server.Messages.Single();
        Assert.Equal("alice@example.test", received.Envelope.MailFrom);
        Assert.Equal(["bob@example.test", "carol@example.test", "dave@example.test"], received.Envelope.Recipients.Select(r => r.Address));
        Assert.DoesNotContain("dave@example.test", received.DataText, StringComparison.Ordinal);
        Assert.Equal("8BITMIME", received.Envelope.GetMailParameter("BODY"));
    }

    [Fact]
    public async Task SendMessage_uses_the_Resent_headers_when_present()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("original@example.test"));
        message.To.Add(MailboxAddress.Parse("first@example.test"));
        message.ResentFrom.Add(MailboxAddress.Parse("forwarder@example.test"));
        message.ResentTo.Add(MailboxAddress.Parse("second@example.test"));
        message.ResentBcc.Add(MailboxAddress.Parse("hidden@example.test"));
        message.Body = new TextPart("plain") { Text = "x" };

        await client.SendMessageAsync(message);

        var received = server.Messages.Single();
        Assert.Equal("forwarder@example.test", received.Envelope.MailFrom);
        Assert.Equal(["second@example.test", "hidden@example.test"], received.Envelope.Recipients.Select(r => r.Address));
        Assert.DoesNotContain("hidden@example.test", received.DataText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendMessage_reports_partial_refusal_instead_of_throwing()
    {
        var (_, client) = await ConnectAsync(new SmtpTestServerOptions { UnknownRecipients = ["bad@example.test"] });
        await using var __ = client;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("a@example.test"));
        message.To.Add(MailboxAddress.Parse("good@example.test"));
        message.To.Add(MailboxAddress.Parse("bad@example.test"));
        message.Body = new TextPart("plain") { Text = "x" };

        var result = await client.SendMessageAsync(message);

        Assert.True(result.Sent);
        Assert.Equal("good@example.test", result.Accepted.Single().Address);
        var refused = result.Refused.Single();
        Assert.Equal("bad@example.test", refused.Address);
        Assert.Equal(550, refused.Reply.Code);
    }

    [Fact]
    public async Task SendMessage_reencodes_8bit_parts_when_the_server_lacks_8BITMIME()
    {
        var (server, client) = await ConnectAsync(new SmtpTestServerOptions { EightBitMime = false });
        await using var _ = client;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("a@example.test"));
        message.To.Add(MailboxAddress.Parse("b@example.test"));
        message.Body = new TextPart("plain") { Text = "Grüße\n" };

        var result = await client.SendMessageAsync(message);

        Assert.True(result.Sent);
        var received = server.Messages.Single();
        Assert.Null(received.Envelope.GetMailParameter("BODY"));
        Assert.All(received.Data.ToArray(), b => Assert.True(b < 0x80));
        var parsed = MimeMessage.Load(new MemoryStream(received.Data.ToArray()));
        Assert.Equal("Grüße\n", parsed.TextBody);
    }

    [Fact]
    public async Task SendMessage_with_dsn_options_sends_NOTIFY_RET_and_ENVID()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("a@example.test"));
        message.To.Add(MailboxAddress.Parse("b@example.test"));
        message.Body = new TextPart("plain") { Text = "x" };

        await client.SendMessageAsync(message, new SendMessageOptions { Notify = DsnNotify.Failure | DsnNotify.Delay, Return = DsnReturn.Headers, EnvelopeId = "batch-7" });

        var envelope = server.Messages.Single().Envelope;
        Assert.Equal("HDRS", envelope.GetMailParameter("RET"));
        Assert.Equal("batch-7", envelope.GetMailParameter("ENVID"));
        Assert.Equal("FAILURE,DELAY", envelope.Recipients.Single().GetParameter("NOTIFY"));
    }

    [Fact]
    public async Task The_facade_is_safe_to_call_from_many_threads()
    {
        var (server, client) = await ConnectAsync();
        await using var _ = client;

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("a@example.test"));
            message.To.Add(MailboxAddress.Parse($"r{i}@example.test"));
            message.Body = new TextPart("plain") { Text = $"message {i}" };
            var result = await client.SendMessageAsync(message);
            Assert.True(result.Sent);
        })));

        Assert.Equal(20, server.Messages.Count);
        Assert.Equal(20, server.Messages.Select(m => m.Envelope.Recipients.Single().Address).Distinct().Count());
    }

    private static int UnusedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
