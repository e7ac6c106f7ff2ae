using System.Text;
using Akka.Actor;
using MailActors.Protocol.Smtp;
using MailActors.Smtp;
using MailActors.Testing;
using MailActors.Tests.Support;
using Xunit.Abstractions;
using static MailActors.Smtp.SmtpSession;

namespace MailActors.Tests.Smtp;

/// <summary>The pipelined transaction, chunking, and the extension checks made before anything is written.</summary>
public sealed class SmtpSessionTransactionSpecs(ITestOutputHelper output) : SessionTestKit(output)
{
    private static MessageContent Content(string text) => MessageContent.FromBytes(Encoding.UTF8.GetBytes(text));

    private static Transaction To(params string[] recipients) =>
        new("sender@example.test", recipients.Select(r => new TransactionRecipient(r)).ToArray(), Content("Subject: hi\r\n\r\n.dot line\r\nbody\r\n"));

    [Fact]
    public async Task Pipelined_transaction_delivers_to_accepted_recipients_and_reports_the_refused_one()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { UnknownRecipients = ["nobody@example.test"] });
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var result = await session.Ask<TransactionResult>(To("a@example.test", "nobody@example.test", "b@example.test"), TimeSpan.FromSeconds(10));

        Assert.True(result.Delivered);
        Assert.False(result.UsedChunking);
        Assert.Equal([true, false, true], result.Recipients.Select(r => r.Accepted));
        Assert.Equal(new EnhancedStatusCode(5, 1, 1), result.Recipients[1].Reply.EnhancedCode);
        var message = server.Messages.Single();
        Assert.Equal(["a@example.test", "b@example.test"], message.Envelope.Recipients.Select(r => r.Address));
        Assert.Equal("Subject: hi\r\n\r\n.dot line\r\nbody\r\n", message.DataText);
        // MAIL, every RCPT and DATA went out in one write: the server saw them before answering any.
        var log = server.Sessions.Single().CommandLog;
        Assert.Equal(["MAIL", "RCPT", "RCPT", "RCPT", "DATA"], log.SkipWhile(c => !c.StartsWith("MAIL", StringComparison.Ordinal)).Take(5).Select(c => c.Split(' ')[0]));
        Assert.Equal("Ready", await StateOf(session));
    }

    [Fact]
    public async Task Transaction_without_pipelining_runs_the_same_steps_in_turn()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Pipelining = false });
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var result = await session.Ask<TransactionResult>(To("a@example.test"), TimeSpan.FromSeconds(10));

        Assert.True(result.Delivered);
        Assert.Single(server.Messages);
    }

    [Fact]
    public async Task All_recipients_refused_sends_no_content_and_resets()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { UnknownRecipients = ["x@example.test", "y@example.test"] });
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var result = await session.Ask<TransactionResult>(To("x@example.test", "y@example.test"), TimeSpan.FromSeconds(10));

        Assert.False(result.Delivered);
        Assert.Empty(server.Messages);
        Assert.Contains(server.Sessions.Single().CommandLog, c => c == "RSET");
        Assert.Equal("Ready", await StateOf(session));
    }

    [Fact]
    public async Task Refused_MAIL_reports_the_reply_and_sends_no_content()
    {
        var server = await StartServerAsync();
        server.Faults.Add(FaultRule.On("MAIL", FaultAction.Reply("550 5.7.1 sender blocked")));
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var result = await session.Ask<TransactionResult>(To("a@example.test"), TimeSpan.FromSeconds(10));

        Assert.False(result.Delivered);
        Assert.Equal(550, result.MailReply.Code);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Chunking_sends_the_content_as_bounded_bdat_chunks()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server) with { PreferChunking = true, ChunkSize = 1000 });
        var body = string.Concat(Enumerable.Range(0, 300).Select(i => $"line {i}\r\n"));

        var result = await session.Ask<TransactionResult>(
            new Transaction("s@example.test", [new TransactionRecipient("r@example.test")], Content("Subject: big\r\n\r\n" + body)), TimeSpan.FromSeconds(10));

        Assert.True(result.Delivered);
        Assert.True(result.UsedChunking);
        var message = server.Messages.Single();
        Assert.True(message.UsedBdat);
        Assert.Equal("Subject: big\r\n\r\n" + body, message.DataText);
        Assert.True(server.Sessions.Single().CommandLog.Count(c => c.StartsWith("BDAT", StringComparison.Ordinal)) >= 3);
    }

    [Fact]
    public async Task Bdat_commands_build_a_message_from_chunks()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));
        await session.Ask<SmtpReply>(new Mail("a@example.test"), TimeSpan.FromSeconds(5));
        await session.Ask<SmtpReply>(new Recipient("b@example.test"), TimeSpan.FromSeconds(5));

        var first = await session.Ask<SmtpReply>(new Bdat("Subject: c\r\n\r\n"u8.ToArray(), false), TimeSpan.FromSeconds(5));
        var rcptAfterBdat = await Assert.ThrowsAsync<MailStateException>(() => session.Ask<SmtpReply>(new Recipient("c@example.test"), TimeSpan.FromSeconds(5)));
        var last = await session.Ask<SmtpReply>(new Bdat("chunked body\r\n"u8.ToArray(), true), TimeSpan.FromSeconds(5));

        Assert.True(first.IsPositiveCompletion);
        Assert.Contains("BDAT", rcptAfterBdat.State, StringComparison.Ordinal);
        Assert.True(last.IsPositiveCompletion);
        Assert.Equal("Subject: c\r\n\r\nchunked body\r\n", server.Messages.Single().DataText);
        Assert.Equal("Ready", await StateOf(session));
    }

    [Fact]
    public async Task Message_over_the_advertised_size_is_refused_before_MAIL()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { MaxMessageSize = 100 });
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => session.Ask<TransactionResult>(
            new Transaction("a@example.test", [new TransactionRecipient("b@example.test")], Content(new string('x', 500))), TimeSpan.FromSeconds(5)));

        Assert.Equal("SIZE", error.Extension);
        Assert.DoesNotContain(server.CommandLog, c => c.StartsWith("MAIL", StringComparison.Ordinal));
        Assert.Equal("Ready", await StateOf(session));
    }

    [Fact]
    public async Task Size_is_declared_when_the_server_advertises_it()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { MaxMessageSize = 10_000 });
        var session = await ConnectedSessionAsync(SettingsFor(server));
        var transaction = To("a@example.test");

        await session.Ask<TransactionResult>(transaction, TimeSpan.FromSeconds(5));

        Assert.Equal(transaction.Content.Length.ToString(), server.Messages.Single().Envelope.GetMailParameter("SIZE"));
    }

    [Fact]
    public async Task Size_is_declared_when_the_server_advertises_a_bare_SIZE_keyword()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { MaxMessageSize = 0 });
        var session = await ConnectedSessionAsync(SettingsFor(server));
        var transaction = To("a@example.test");

        await session.Ask<TransactionResult>(transaction, TimeSpan.FromSeconds(5));

        Assert.Equal(transaction.Content.Length.ToString(), server.Messages.Single().Envelope.GetMailParameter("SIZE"));
    }

    [Theory]
    [InlineData("a\nb\n", false, false)] // bare LFs become CRLF: 6 octets sent
    [InlineData("a\r\nb", false, false)] // DATA ends the unterminated last line with CRLF
    [InlineData("a\rb\r\n", false, false)] // a bare CR becomes CRLF
    [InlineData("a\nb\n", true, false)] // BDAT normalises line endings too
    [InlineData("a\r\nb", true, false)] // but adds no final CRLF
    [InlineData("a\nb\n", true, true)] // BODY=BINARYMIME goes octet for octet
    public async Task Size_declares_the_message_as_the_server_receives_it(string text, bool chunked, bool binary)
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { MaxMessageSize = 10_000 });
        var session = await ConnectedSessionAsync(SettingsFor(server) with { PreferChunking = chunked });

        var result = await session.Ask<TransactionResult>(
            new Transaction("a@example.test", [new TransactionRecipient("b@example.test")], Content(text), binary ? new MailParameters { Body = BodyType.BinaryMime } : null),
            TimeSpan.FromSeconds(5));

        Assert.True(result.Delivered);
        Assert.Equal(chunked, result.UsedChunking);
        var message = server.Messages.Single();
        Assert.Equal(message.Data.Length.ToString(), message.Envelope.GetMailParameter("SIZE"));
    }

    [Fact]
    public async Task Message_over_the_size_limit_only_once_its_line_endings_are_CRLF_is_refused_before_MAIL()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { MaxMessageSize = 950 });
        var session = await ConnectedSessionAsync(SettingsFor(server));
        var text = string.Concat(Enumerable.Repeat("abcdefgh\n", 100)); // 900 octets given, 1000 sent

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => session.Ask<TransactionResult>(
            new Transaction("a@example.test", [new TransactionRecipient("b@example.test")], Content(text)), TimeSpan.FromSeconds(5)));

        Assert.Equal("SIZE", error.Extension);
        Assert.Contains("1000", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.CommandLog, c => c.StartsWith("MAIL", StringComparison.Ordinal) || c.StartsWith("DATA", StringComparison.Ordinal));
        Assert.Empty(server.Messages);
        Assert.Equal("Ready", await StateOf(session));
    }

    [Theory]
    [InlineData(false)] // found binary: NUL octets make the content BINARYMIME
    [InlineData(true)] // declared binary: BODY=BINARYMIME given by the caller for content without NUL
    public async Task Binary_content_goes_over_bdat_octet_for_octet(bool declared)
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server) with { ChunkSize = 16 });
        byte[] octets = [.. "Subject: bin\r\nContent-Transfer-Encoding: binary\r\n\r\n"u8, 0x89, 0x50, 0x0A, 0x1A, 0x0D, 0x00, 0x0D, 0x0A, 0xFF, 0x0A, .. "x\ry\nz"u8];
        if (declared)
        {
            octets = [.. octets.Where(b => b != 0)];
        }
        var content = MessageContent.FromBytes(octets);

        var result = await session.Ask<TransactionResult>(
            new Transaction("a@example.test", [new TransactionRecipient("b@example.test")], content, declared ? new MailParameters { Body = BodyType.BinaryMime } : null),
            TimeSpan.FromSeconds(5));

        Assert.True(result.Delivered);
        Assert.True(result.UsedChunking);
        var message = server.Messages.Single();
        Assert.Equal("BINARYMIME", message.Envelope.GetMailParameter("BODY"));
        Assert.Equal(octets, message.Data.ToArray()); // no bare CR or LF became CRLF
    }

    [Fact]
    public async Task Eight_bit_content_is_declared_as_8BITMIME()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));

        await session.Ask<TransactionResult>(new Transaction("a@example.test", [new TransactionRecipient("b@example.test")], Content("Subject: ü\r\n\r\nGrüße\r\n")), TimeSpan.FromSeconds(5));

        Assert.Equal("8BITMIME", server.Messages.Single().Envelope.GetMailParameter("BODY"));
    }

    [Fact]
    public async Task Eight_bit_content_without_8BITMIME_is_a_clear_error_and_nothing_is_sent()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { EightBitMime = false });
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => session.Ask<TransactionResult>(
            new Transaction("a@example.test", [new TransactionRecipient("b@example.test")], Content("Grüße\r\n")), TimeSpan.FromSeconds(5)));

        Assert.Equal("8BITMIME", error.Extension);
        Assert.DoesNotContain(server.CommandLog, c => c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Utf8_address_declares_SMTPUTF8()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var result = await session.Ask<TransactionResult>(
            new Transaction("jürgen@example.test", [new TransactionRecipient("zoë@example.test")], Content("Subject: x\r\n\r\nx\r\n")), TimeSpan.FromSeconds(5));

        Assert.True(result.Delivered);
        var envelope = server.Messages.Single().Envelope;
        Assert.Contains(envelope.MailParameters, p => p.Equals("SMTPUTF8", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("zoë@example.test", envelope.Recipients.Single().Address);
    }

    [Fact]
    public async Task A_utf8_recipient_alone_declares_SMTPUTF8_for_the_transaction()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var result = await session.Ask<TransactionResult>(
            new Transaction("noreply@example.test", [new TransactionRecipient("bob@example.test"), new TransactionRecipient("zoë@example.test")], Content("Subject: x\r\n\r\nx\r\n")),
            TimeSpan.FromSeconds(5));

        Assert.True(result.Delivered);
        var envelope = server.Messages.Single().Envelope;
        Assert.Contains(envelope.MailParameters, p => p.Equals("SMTPUTF8", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["bob@example.test", "zoë@example.test"], envelope.Recipients.Select(r => r.Address));
    }

    [Fact]
    public async Task A_non_ascii_display_name_needs_no_SMTPUTF8()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { SmtpUtf8 = false });
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var result = await session.Ask<TransactionResult>(
            new Transaction("noreply@example.test", [new TransactionRecipient("Zoë Müller <zoe@example.test>")], Content("Subject: x\r\n\r\nx\r\n")),
            TimeSpan.FromSeconds(5));

        Assert.True(result.Delivered);
        var envelope = server.Messages.Single().Envelope;
        Assert.DoesNotContain(envelope.MailParameters, p => p.Equals("SMTPUTF8", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("zoe@example.test", envelope.Recipients.Single().Address);
    }

    [Fact]
    public async Task Utf8_address_without_SMTPUTF8_is_refused_before_anything_is_written()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { SmtpUtf8 = false });
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => session.Ask<TransactionResult>(
            new Transaction("jürgen@example.test", [new TransactionRecipient("b@example.test")], Content("x\r\n")), TimeSpan.FromSeconds(5)));

        Assert.Equal("SMTPUTF8", error.Extension);
        Assert.DoesNotContain(server.CommandLog, c => c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dsn_parameters_need_DSN()
    {
        var server = await StartServerAsync(new SmtpTestServerOptions { Dsn = false });
        var session = await ConnectedSessionAsync(SettingsFor(server));

        var error = await Assert.ThrowsAsync<MailNotSupportedException>(() => session.Ask<SmtpReply>(
            new Mail("a@example.test", new MailParameters { Return = DsnReturn.Headers }), TimeSpan.FromSeconds(5)));

        Assert.Equal("DSN", error.Extension);
    }

    [Theory]
    [InlineData("a@example.test\r\nRCPT TO:<evil@example.test>")]
    [InlineData("a@example.test\nX")]
    [InlineData("a\0@example.test")]
    public async Task Control_characters_in_an_address_never_reach_the_wire(string address)
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));
        var before = server.Sessions.Single().CommandLog.Count;

        await Assert.ThrowsAnyAsync<ArgumentException>(() => session.Ask<SmtpReply>(new Mail(address), TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => session.Ask<TransactionResult>(To(address), TimeSpan.FromSeconds(5)));

        Assert.Equal(before, server.Sessions.Single().CommandLog.Count);
        Assert.Equal("Ready", await StateOf(session));
    }

    [Fact]
    public async Task A_content_stream_that_throws_ends_the_session_and_nothing_is_delivered()
    {
        var server = await StartServerAsync();
        var session = await ConnectedSessionAsync(SettingsFor(server));
        var broken = MessageContent.FromStream(() => new ThrowingStream());

        var error = await Assert.ThrowsAsync<MailContentException>(() => session.Ask<TransactionResult>(
            new Transaction("a@example.test", [new TransactionRecipient("b@example.test")], broken), TimeSpan.FromSeconds(10)));

        Assert.IsType<IOException>(error.InnerException);
        Assert.Equal("Closed", await StateOf(session));
        Assert.Empty(server.Messages);
    }

    private sealed class ThrowingStream : Stream
    {
        private int _reads;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_reads++ > 0)
            {
                throw new IOException("disk on fire");
            }
            "Subject: partial\r\n"u8.CopyTo(buffer.AsSpan(offset));
            return 18;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
