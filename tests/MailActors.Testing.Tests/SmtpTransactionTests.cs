using System.Text;

namespace MailActors.Testing.Tests;

public sealed class SmtpTransactionTests
{
    private static async Task<RawClient> ConnectAndGreetAsync(SmtpTestServer server, string ehlo = "EHLO client.test")
    {
        var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        Assert.Equal(250, (await client.CommandAsync(ehlo)).Code);
        return client;
    }

    [Fact]
    public async Task Full_transaction_is_recorded_byte_exact_with_dot_unstuffing()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await RawClient.ConnectAsync(server.EndPoint);

        var greeting = await client.ReadReplyAsync();
        Assert.Equal(220, greeting.Code);
        Assert.StartsWith("220 localhost ", greeting.Last, StringComparison.Ordinal);
        Assert.Equal(250, (await client.CommandAsync("EHLO client.test")).Code);
        Assert.Equal("250 2.1.0 Ok", (await client.CommandAsync("MAIL FROM:<alice@example.test> BODY=8BITMIME")).Last);
        Assert.Equal("250 2.1.5 Ok", (await client.CommandAsync("RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE")).Last);
        Assert.Equal("250 2.1.5 Ok", (await client.CommandAsync("RCPT TO:<carol@example.test>")).Last);
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);

        // Stuffed dots (".." at line start), a lone "." inside a line, a bare LF followed by a dot (content, not an end), 8-bit bytes.
        var wire = "Subject: test\r\n\r\n..leading dot\r\nmiddle . dot\r\n...\r\nbare\n.lf\r\n\u00e9t\u00e9\r\n.\r\n";
        await client.SendAsync(wire);
        var accepted = await client.ReadReplyAsync();
        Assert.Equal(250, accepted.Code);
        Assert.StartsWith("250 2.0.0 Ok: queued as ", accepted.Last, StringComparison.Ordinal);
        Assert.Equal(221, (await client.CommandAsync("QUIT")).Code);

        var message = Assert.Single(server.Messages);
        var expected = Encoding.UTF8.GetBytes("Subject: test\r\n\r\n.leading dot\r\nmiddle . dot\r\n..\r\nbare\n.lf\r\n\u00e9t\u00e9\r\n");
        Assert.Equal(expected, message.Data.ToArray());
        Assert.Equal("alice@example.test", message.Envelope.MailFrom);
        Assert.Equal(["BODY=8BITMIME"], message.Envelope.MailParameters);
        Assert.Equal("8BITMIME", message.Envelope.GetMailParameter("body"));
        Assert.Equal(["bob@example.test", "carol@example.test"], message.Envelope.Recipients.Select(r => r.Address));
        Assert.Equal("SUCCESS,FAILURE", message.Envelope.Recipients[0].GetParameter("NOTIFY"));
        Assert.False(message.UsedTls);
        Assert.False(message.UsedBdat);
        Assert.True(message.UsedEhlo);
        Assert.Equal("client.test", message.HeloName);
        Assert.Null(message.AuthenticatedUser);
        Assert.Equal(accepted.Last["250 2.0.0 Ok: queued as ".Length..], message.QueueId);
        Assert.Equal(1, server.MessagesReceived);
        Assert.Equal(expected.Length, server.BytesReceived);
        Assert.Equal(2, server.RecipientsAccepted);
        Assert.Equal(
            ["EHLO client.test", "MAIL FROM:<alice@example.test> BODY=8BITMIME", "RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE", "RCPT TO:<carol@example.test>", "DATA", "QUIT"],
            server.CommandLog);
    }

    [Fact]
    public async Task Empty_message_is_recorded_as_empty_content()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await ConnectAndGreetAsync(server);
        await client.CommandAsync("MAIL FROM:<>");
        await client.CommandAsync("RCPT TO:<bob@example.test>");
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        Assert.Equal(250, (await client.CommandAsync(".")).Code);
        var message = Assert.Single(server.Messages);
        Assert.Equal(0, message.Data.Length);
        Assert.Equal("", message.Envelope.MailFrom);
    }

    [Fact]
    public async Task Pipelined_commands_in_one_write_get_all_replies_in_order()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await ConnectAndGreetAsync(server);

        await client.SendAsync("RSET\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<unknown@example.test>\r\nRCPT TO:<c@example.test>\r\nDATA\r\n");
        var codes = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            codes.Add((await client.ReadReplyAsync()).Code);
        }

        Assert.Equal([250, 250, 250, 250, 250, 354], codes);

        // The end of data and the next transaction pipelined together after the dot.
        await client.SendAsync("hello\r\n.\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<d@example.test>\r\nDATA\r\n");
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        Assert.Equal(354, (await client.ReadReplyAsync()).Code);
        await client.SendAsync("second\r\n.\r\nQUIT\r\n");
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        Assert.Equal(221, (await client.ReadReplyAsync()).Code);

        Assert.Equal(["hello\r\n", "second\r\n"], server.Messages.Select(m => m.DataText));
        Assert.Equal(3, server.Messages[0].Envelope.Recipients.Count);
    }

    [Fact]
    public async Task Bdat_chunks_including_binary_and_zero_length_last_are_concatenated()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await ConnectAndGreetAsync(server);

        byte[] first = [.. "Subject: chunked\r\n\r\n"u8, 0, 1, 2, .. "\r\n.\r\n"u8];
        byte[] second = [.. ".not stuffed\r\n"u8];
        await client.SendAsync("MAIL FROM:<a@example.test> BODY=BINARYMIME\r\nRCPT TO:<b@example.test>\r\n");
        await client.SendAsync(Encoding.ASCII.GetBytes($"BDAT {first.Length}\r\n"));
        await client.SendAsync(first);
        await client.SendAsync(Encoding.ASCII.GetBytes($"BDAT {second.Length}\r\n"));
        await client.SendAsync(second);
        await client.SendAsync("BDAT 0 LAST\r\n");

        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        Assert.Equal($"250 2.0.0 {first.Length} octets received", (await client.ReadReplyAsync()).Last);
        Assert.Equal($"250 2.0.0 {second.Length} octets received", (await client.ReadReplyAsync()).Last);
        Assert.StartsWith("250 2.0.0 Ok: queued as", (await client.ReadReplyAsync()).Last, StringComparison.Ordinal);

        var message = Assert.Single(server.Messages);
        Assert.True(message.UsedBdat);
        Assert.Equal([.. first, .. second], message.Data.ToArray());

        // DATA is out of sequence once BDAT has been used in a transaction.
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.SendAsync("BDAT 3\r\nabc");
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        Assert.Equal(503, (await client.CommandAsync("DATA")).Code);
    }

    [Fact]
    public async Task Bdat_without_transaction_is_refused_but_its_chunk_is_consumed()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await ConnectAndGreetAsync(server);

        await client.SendAsync("BDAT 12 LAST\r\nNOOP\r\nNOOP\r\n");
        Assert.Equal("503 5.5.1 Error: need MAIL command", (await client.ReadReplyAsync()).Last);
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
        Assert.Equal(["EHLO client.test", "BDAT 12 LAST", "NOOP"], server.CommandLog);
    }

    [Fact]
    public async Task Binarymime_with_data_is_refused()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await ConnectAndGreetAsync(server);
        await client.CommandAsync("MAIL FROM:<a@example.test> BODY=BINARYMIME");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        Assert.Equal(503, (await client.CommandAsync("DATA")).Code);
    }

    [Fact]
    public async Task Bad_sequences_get_503()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();

        Assert.Equal("503 5.5.1 Error: send HELO/EHLO first", (await client.CommandAsync("MAIL FROM:<a@example.test>")).Last);
        Assert.Equal(250, (await client.CommandAsync("HELO client.test")).Code);
        Assert.Equal("503 5.5.1 Error: need MAIL command", (await client.CommandAsync("RCPT TO:<b@example.test>")).Last);
        Assert.Equal(503, (await client.CommandAsync("DATA")).Code);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@example.test>")).Code);
        Assert.Equal("503 5.5.1 Error: nested MAIL command", (await client.CommandAsync("MAIL FROM:<a@example.test>")).Last);
        Assert.Equal("503 5.5.1 Error: need RCPT command", (await client.CommandAsync("DATA")).Last);
        Assert.Equal(250, (await client.CommandAsync("RSET")).Code);
        Assert.Equal(503, (await client.CommandAsync("RCPT TO:<b@example.test>")).Code);
    }

    [Fact]
    public async Task Syntax_errors_and_unknown_commands_get_50x()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();

        Assert.Equal(501, (await client.CommandAsync("EHLO")).Code);
        Assert.Equal(250, (await client.CommandAsync("EHLO client.test")).Code);
        Assert.Equal(500, (await client.CommandAsync("")).Code);
        Assert.Equal("502 5.5.2 Error: command not recognized", (await client.CommandAsync("FROB nicate")).Last);
        Assert.Equal(501, (await client.CommandAsync("MAIL TO:<a@example.test>")).Code);
        Assert.Equal("501 5.1.7 Bad sender address syntax", (await client.CommandAsync("MAIL FROM:a@example.test")).Last);
        Assert.Equal("555 5.5.4 Unsupported option: FOO=BAR", (await client.CommandAsync("MAIL FROM:<a@example.test> FOO=BAR")).Last);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM: <a@example.test>")).Code);
        Assert.Equal("501 5.1.3 Bad recipient address syntax", (await client.CommandAsync("RCPT TO:<>")).Last);
        Assert.Equal(501, (await client.CommandAsync("DATA now")).Code);
    }

    [Fact]
    public async Task Overlong_command_line_gets_500_and_the_session_goes_on()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { MaxCommandLineLength = 512 });
        await using var client = await ConnectAndGreetAsync(server);

        Assert.Equal("500 5.5.2 Error: line too long", (await client.CommandAsync("NOOP " + new string('x', 600))).Last);
        Assert.Equal("500 5.5.2 Error: line too long", (await client.CommandAsync("NOOP " + new string('y', 100_000))).Last);
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task Size_limit_is_advertised_and_enforced_on_mail_and_content()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { MaxMessageSize = 100 });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        var ehlo = await client.CommandAsync("EHLO client.test");
        Assert.Contains("250-SIZE 100", ehlo.Lines);

        Assert.Equal("552 5.3.4 Message size exceeds fixed limit", (await client.CommandAsync("MAIL FROM:<a@example.test> SIZE=101")).Last);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@example.test> SIZE=100")).Code);
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.CommandAsync("DATA");
        await client.SendAsync(new string('z', 150) + "\r\n.\r\n");
        Assert.Equal("552 5.3.4 Message size exceeds fixed limit", (await client.ReadReplyAsync()).Last);

        // BDAT: the chunk that crosses the limit is refused and ends the transaction.
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.SendAsync("BDAT 60\r\n" + new string('q', 60));
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        await client.SendAsync("BDAT 60 LAST\r\n" + new string('q', 60));
        Assert.Equal(552, (await client.ReadReplyAsync()).Code);
        Assert.Equal(503, (await client.CommandAsync("RCPT TO:<b@example.test>")).Code);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Ehlo_advertises_the_configured_extensions()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            ServerName = "mx.example.test",
            AuthMechanisms = [SaslMechanisms.Plain, SaslMechanisms.Login],
            Etrn = true,
            Dsn = false,
            AdditionalExtensions = ["XCLIENT NAME ADDR"],
        });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        var ehlo = await client.CommandAsync("EHLO client.test");

        Assert.Equal(
            ["250-mx.example.test", "250-PIPELINING", "250-VRFY", "250-ETRN", "250-STARTTLS", "250-AUTH PLAIN LOGIN", "250-ENHANCEDSTATUSCODES",
             "250-8BITMIME", "250-BINARYMIME", "250-SMTPUTF8", "250-CHUNKING", "250 XCLIENT NAME ADDR"],
            ehlo.Lines);
    }

    [Fact]
    public async Task Smtp_sink_style_ehlo_ends_with_a_bare_250_line()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            EhloStyle = EhloReplyStyle.SmtpSinkBareFinalLine,
            Chunking = false,
            StartTls = false,
            SmtpUtf8 = false,
            Vrfy = false,
        });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();
        var ehlo = await client.CommandAsync("EHLO client.test");

        Assert.Equal(["250-localhost", "250-PIPELINING", "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250 "], ehlo.Lines);
        Assert.Equal(502, (await client.CommandAsync("BDAT 0 LAST")).Code);
    }

    [Fact]
    public async Task Rejected_ehlo_lets_the_client_fall_back_to_helo()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { RejectEhlo = true, RejectEhloReply = "500 5.5.1 EHLO unknown" });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.ReadReplyAsync();

        Assert.Equal("500 5.5.1 EHLO unknown", (await client.CommandAsync("EHLO client.test")).Last);
        Assert.Equal("250 localhost", (await client.CommandAsync("HELO client.test")).Last);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@example.test>")).Code);
        Assert.Equal(555, (await client.CommandAsync("RCPT TO:<b@example.test> NOTIFY=NEVER")).Code);
    }

    [Fact]
    public async Task Enhanced_status_codes_can_be_turned_off()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { EnhancedStatusCodes = false });
        await using var client = await ConnectAndGreetAsync(server);
        Assert.Equal("250 Ok", (await client.CommandAsync("MAIL FROM:<a@example.test>")).Last);
    }

    [Fact]
    public async Task Unknown_recipients_and_relay_denied_domains_are_refused()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            UnknownRecipients = ["nobody@example.test"],
            IsUnknownRecipient = address => address.StartsWith("ghost", StringComparison.Ordinal),
            RelayDeniedDomains = ["elsewhere.test"],
            MaxRecipients = 2,
        });
        await using var client = await ConnectAndGreetAsync(server);
        await client.CommandAsync("MAIL FROM:<a@example.test>");

        Assert.Equal("550 5.1.1 <NOBODY@example.test>: Recipient address rejected: User unknown", (await client.CommandAsync("RCPT TO:<NOBODY@example.test>")).Last);
        Assert.Equal(550, (await client.CommandAsync("RCPT TO:<ghost1@example.test>")).Code);
        Assert.Equal("554 5.7.1 <x@elsewhere.test>: Relay access denied", (await client.CommandAsync("RCPT TO:<x@elsewhere.test>")).Last);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<b@example.test>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<c@example.test>")).Code);
        Assert.Equal("452 4.5.3 Error: too many recipients", (await client.CommandAsync("RCPT TO:<d@example.test>")).Last);
        Assert.Equal(2, server.RecipientsAccepted);
        Assert.Equal(3, server.RepliesByCode[550] + server.RepliesByCode[554]);
    }

    [Fact]
    public async Task Send_soml_and_saml_start_a_transaction_like_mail()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        foreach (var verb in new[] { "SEND", "SOML", "SAML" })
        {
            await using var client = await ConnectAndGreetAsync(server);
            Assert.Equal(250, (await client.CommandAsync($"{verb} FROM:<a@example.test>")).Code);
            await client.CommandAsync("RCPT TO:<b@example.test>");
            await client.CommandAsync("DATA");
            Assert.Equal(250, (await client.CommandAsync($"{verb}\r\n.")).Code);
        }

        Assert.Equal(3, server.MessagesReceived);
    }

    [Fact]
    public async Task Vrfy_expn_help_etrn_and_noop_answer_as_configured()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions
        {
            Expn = true,
            Etrn = true,
            UnknownRecipients = ["nobody@example.test"],
            MailingLists = new Dictionary<string, IReadOnlyList<string>> { ["staff"] = ["a@example.test", "b@example.test"] },
        });
        await using var client = await ConnectAndGreetAsync(server);

        Assert.Equal("252 2.0.0 someone@example.test", (await client.CommandAsync("VRFY <someone@example.test>")).Last);
        Assert.Equal(550, (await client.CommandAsync("VRFY nobody@example.test")).Code);
        Assert.Equal(["250-2.0.0 <a@example.test>", "250 2.0.0 <b@example.test>"], (await client.CommandAsync("EXPN staff")).Lines);
        Assert.Equal(550, (await client.CommandAsync("EXPN others")).Code);
        Assert.Equal(214, (await client.CommandAsync("HELP")).Code);
        Assert.Equal("250 Queuing started", (await client.CommandAsync("ETRN example.test")).Last);
        Assert.Equal(501, (await client.CommandAsync("ETRN")).Code);
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);

        await using var strict = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Vrfy = false, VrfyResponder = _ => "250 never" });
        await using var other = await ConnectAndGreetAsync(strict);
        Assert.Equal(502, (await other.CommandAsync("VRFY a@example.test")).Code);
        Assert.Equal(502, (await other.CommandAsync("EXPN staff")).Code);
        Assert.Equal(502, (await other.CommandAsync("ETRN example.test")).Code);
    }

    [Fact]
    public async Task Custom_vrfy_responder_answers_verbatim()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { VrfyResponder = address => "250 2.1.5 Verified " + address });
        await using var client = await ConnectAndGreetAsync(server);
        Assert.Equal("250 2.1.5 Verified bob", (await client.CommandAsync("VRFY bob")).Last);
    }

    [Fact]
    public async Task Unicode_addresses_require_smtputf8()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using var client = await ConnectAndGreetAsync(server);
        Assert.Equal(553, (await client.CommandAsync("MAIL FROM:<j\u00f6rg@example.test>")).Code);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<j\u00f6rg@example.test> SMTPUTF8")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<\u00fc@example.test>")).Code);
        await client.CommandAsync("DATA");
        Assert.Equal(250, (await client.CommandAsync("x\r\n.")).Code);
        Assert.Equal("j\u00f6rg@example.test", Assert.Single(server.Messages).Envelope.MailFrom);
    }

    [Fact]
    public async Task Without_recording_only_counters_are_kept()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Record = false });
        await using var client = await ConnectAndGreetAsync(server);
        for (var i = 0; i < 3; i++)
        {
            await client.CommandAsync("MAIL FROM:<a@example.test>");
            await client.CommandAsync("RCPT TO:<b@example.test>");
            await client.CommandAsync("DATA");
            Assert.Equal(250, (await client.CommandAsync("0123456789\r\n.")).Code);
        }

        await server.WaitForMessagesAsync(3, TimeSpan.FromSeconds(10));
        Assert.Equal(3, server.MessagesReceived);
        Assert.Equal(36, server.BytesReceived);
        Assert.Empty(server.Messages);
        Assert.Empty(server.CommandLog);
        Assert.Empty(server.Sessions);
        Assert.Equal(1, server.SessionsOpened);
        Assert.Equal(1, server.SessionsActive);
    }

    [Fact]
    public async Task Waiting_for_more_messages_than_arrive_times_out()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        var error = await Assert.ThrowsAsync<TimeoutException>(() => server.WaitForMessagesAsync(1, TimeSpan.FromMilliseconds(50)));
        Assert.Contains("got 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waiting_completes_when_messages_arrive_later()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        var waiting = server.WaitForMessagesAsync(2, TimeSpan.FromSeconds(30));
        await using var client = await ConnectAndGreetAsync(server);
        for (var i = 0; i < 2; i++)
        {
            Assert.False(waiting.IsCompleted);
            await client.CommandAsync("MAIL FROM:<a@example.test>");
            await client.CommandAsync("RCPT TO:<b@example.test>");
            await client.CommandAsync("DATA");
            await client.CommandAsync("x\r\n.");
        }

        await waiting;
        Assert.Equal(2, server.Messages.Count);
    }

    [Fact]
    public async Task Sessions_record_their_own_command_log_and_close()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions());
        await using (var client = await ConnectAndGreetAsync(server, "EHLO first.test"))
        {
            await client.CommandAsync("QUIT");
        }

        await using var second = await ConnectAndGreetAsync(server, "HELO second.test");
        await Eventually.TrueAsync(() => server.SessionsActive == 1, "the first session ends after QUIT");

        var sessions = server.Sessions;
        Assert.Equal(2, sessions.Count);
        Assert.Equal(["EHLO first.test", "QUIT"], sessions[0].CommandLog);
        Assert.False(sessions[0].IsOpen);
        Assert.Equal("second.test", sessions[1].HeloName);
        Assert.True(sessions[1].IsOpen);
        Assert.Equal(2, server.SessionsOpened);

        server.ClearRecords();
        Assert.Single(server.Sessions);
        Assert.Empty(server.CommandLog);
    }

    [Fact]
    public async Task Ipv6_loopback_is_supported()
    {
        await using var server = await SmtpTestServer.StartAsync(new SmtpTestServerOptions { Address = System.Net.IPAddress.IPv6Loopback });
        await using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        Assert.Equal(System.Net.IPAddress.IPv6Loopback, server.EndPoint.Address);
    }
}
