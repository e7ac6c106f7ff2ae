using System.Buffers;
using System.Text;
using MailActors.Protocol.Smtp;

namespace MailActors.Protocol.Tests.Smtp;

public class SmtpCommandTests
{
    public static TheoryData<SmtpCommand, string, string> SimpleCommands => new()
    {
        { SmtpCommand.Ehlo("client.example.test"), "EHLO", "EHLO client.example.test" },
        { SmtpCommand.Ehlo("[127.0.0.1]"), "EHLO", "EHLO [127.0.0.1]" },
        { SmtpCommand.Helo("client.example.test"), "HELO", "HELO client.example.test" },
        { SmtpCommand.MailFrom("<alice@example.test>"), "MAIL", "MAIL FROM:<alice@example.test>" },
        { SmtpCommand.MailFrom("<>"), "MAIL", "MAIL FROM:<>" },
        { SmtpCommand.RcptTo("<bob@example.test>"), "RCPT", "RCPT TO:<bob@example.test>" },
        { SmtpCommand.RcptTo("<Postmaster>"), "RCPT", "RCPT TO:<Postmaster>" },
        { SmtpCommand.Data(), "DATA", "DATA" },
        { SmtpCommand.Rset(), "RSET", "RSET" },
        { SmtpCommand.Quit(), "QUIT", "QUIT" },
        { SmtpCommand.StartTls(), "STARTTLS", "STARTTLS" },
        { SmtpCommand.Noop(), "NOOP", "NOOP" },
        { SmtpCommand.Noop(string.Empty), "NOOP", "NOOP" },
        { SmtpCommand.Noop("keepalive 1"), "NOOP", "NOOP keepalive 1" },
        { SmtpCommand.Bdat(0, last: true), "BDAT", "BDAT 0 LAST" },
        { SmtpCommand.Bdat(65536, last: false), "BDAT", "BDAT 65536" },
        { SmtpCommand.Bdat(12_345_678_901, last: true), "BDAT", "BDAT 12345678901 LAST" },
        { SmtpCommand.Vrfy("alice"), "VRFY", "VRFY alice" },
        { SmtpCommand.Vrfy("John Smith"), "VRFY", "VRFY John Smith" },
        { SmtpCommand.Expn("staff-list"), "EXPN", "EXPN staff-list" },
        { SmtpCommand.Help(), "HELP", "HELP" },
        { SmtpCommand.Help("MAIL"), "HELP", "HELP MAIL" },
        { SmtpCommand.Etrn("example.test"), "ETRN", "ETRN example.test" },
        { SmtpCommand.Etrn("@example.test"), "ETRN", "ETRN @example.test" },
        { SmtpCommand.Etrn("#queue1"), "ETRN", "ETRN #queue1" },
        { SmtpCommand.Send("<alice@example.test>"), "SEND", "SEND FROM:<alice@example.test>" },
        { SmtpCommand.SendOrMail("<alice@example.test>"), "SOML", "SOML FROM:<alice@example.test>" },
        { SmtpCommand.SendAndMail("<>"), "SAML", "SAML FROM:<>" },
        { SmtpCommand.Auth("login"), "AUTH", "AUTH LOGIN" },
        { SmtpCommand.Raw("xclient", "NAME=spike.example.test", "ADDR=127.0.0.1"), "XCLIENT", "XCLIENT NAME=spike.example.test ADDR=127.0.0.1" },
        { SmtpCommand.Raw("NOOP"), "NOOP", "NOOP" },
    };

    [Theory]
    [MemberData(nameof(SimpleCommands))]
    public void Builders_produce_the_expected_verb_and_line(SmtpCommand command, string verb, string line)
    {
        Assert.Equal(verb, command.Verb);
        Assert.Equal(line, command.Line);
        Assert.False(command.IsSensitive);
        Assert.Equal(line, command.ToTranscript());
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("tab\there")]
    [InlineData("bell\u0007")]
    [InlineData("new\r\nline")]
    public void Domains_must_be_one_non_empty_token(string domain)
    {
        Assert.Throws<MailArgumentException>(() => SmtpCommand.Ehlo(domain));
        Assert.Throws<MailArgumentException>(() => SmtpCommand.Helo(domain));
        Assert.Throws<MailArgumentException>(() => SmtpCommand.Etrn(domain));
    }

    [Theory]
    [InlineData("alice@example.test")]
    [InlineData("<alice@example.test")]
    [InlineData("<alice>")]
    [InlineData("<alice@example.test> SIZE=5")]
    public void Mail_from_needs_a_valid_path(string path)
    {
        Assert.Throws<MailArgumentException>(() => SmtpCommand.MailFrom(path));
        Assert.Throws<MailArgumentException>(() => SmtpCommand.Send(path));
    }

    [Fact]
    public void Rcpt_to_refuses_the_null_path()
    {
        Assert.Throws<MailArgumentException>(() => SmtpCommand.RcptTo("<>"));
    }

    [Fact]
    public void Bdat_refuses_a_negative_size()
    {
        Assert.Throws<MailArgumentException>(() => SmtpCommand.Bdat(-1, last: true));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Vrfy_and_expn_need_an_argument(string what)
    {
        Assert.Throws<MailArgumentException>(() => SmtpCommand.Vrfy(what));
        Assert.Throws<MailArgumentException>(() => SmtpCommand.Expn(what));
    }

    [Fact]
    public void Auth_with_initial_response_is_sensitive_and_redacted_in_transcripts()
    {
        var command = SmtpCommand.Auth("PLAIN", "AGFsaWNlAHNlY3JldA==");

        Assert.Equal("AUTH PLAIN AGFsaWNlAHNlY3JldA==", command.Line);
        Assert.True(command.IsSensitive);
        Assert.Equal("AUTH PLAIN ****", command.ToTranscript());
        Assert.Equal("AUTH PLAIN ****", command.ToString());
        Assert.DoesNotContain("AGFs", command.ToTranscript(), StringComparison.Ordinal);
    }

    [Fact]
    public void Auth_with_empty_initial_response_uses_equals_sign()
    {
        Assert.Equal("AUTH EXTERNAL =", SmtpCommand.Auth("external", "=").Line);
        Assert.Throws<MailArgumentException>(() => SmtpCommand.Auth("EXTERNAL", string.Empty));
    }

    [Theory]
    [InlineData("")]
    [InlineData("PLAIN LOGIN")]
    [InlineData("MECHANISM-NAME-TOO-LONG")]
    [InlineData("PL@IN")]
    public void Auth_refuses_malformed_mechanism_names(string mechanism)
    {
        Assert.Throws<MailArgumentException>(() => SmtpCommand.Auth(mechanism));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("abc def")]
    public void Auth_refuses_responses_outside_base64_without_echoing_them(string response)
    {
        var error = Assert.Throws<MailArgumentException>(() => SmtpCommand.Auth("PLAIN", response));
        Assert.DoesNotContain(response, error.Message, StringComparison.Ordinal);
        Assert.Throws<MailArgumentException>(() => SmtpCommand.AuthContinuation(response));
    }

    [Theory]
    [InlineData("dXNlcm5hbWU=")]
    [InlineData("")]
    [InlineData("*")]
    public void Auth_continuation_is_always_sensitive_and_fully_redacted(string response)
    {
        var command = SmtpCommand.AuthContinuation(response);

        Assert.Equal("AUTH", command.Verb);
        Assert.Equal(response, command.Line);
        Assert.True(command.IsSensitive);
        Assert.Equal("****", command.ToTranscript());
    }

    [Theory]
    [InlineData("PLAIN", "AGFsaWNlAHNlY3JldA==")]
    [InlineData("PLAIN AGFsaWNlAHNlY3JldA==", null)] // Net::SMTP's command('AUTH', "PLAIN $b64") shape
    public void Raw_auth_with_payload_is_sensitive(string first, string? second)
    {
        var command = second is null ? SmtpCommand.Raw("auth", first) : SmtpCommand.Raw("auth", first, second);

        Assert.True(command.IsSensitive);
        Assert.Equal("AUTH PLAIN ****", command.ToTranscript());
        Assert.Equal("AUTH PLAIN ****", command.ToString());
        Assert.False(SmtpCommand.Raw("AUTH", "PLAIN").IsSensitive);
    }

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("TWO WORDS", new string[0])]
    [InlineData("VERB", new[] { "" })]
    [InlineData("VERB", new[] { "ok", " " })]
    [InlineData("VERB", new[] { "a\rb" })]
    [InlineData("VÉRB", new string[0])]
    public void Raw_refuses_bad_verbs_and_arguments(string verb, string[] args)
    {
        Assert.Throws<MailArgumentException>(() => SmtpCommand.Raw(verb, args));
    }

    [Fact]
    public void Wire_bytes_are_utf8_followed_by_crlf()
    {
        var command = SmtpCommand.MailFrom("<jörg@bücher.example>", new MailParameters { SmtpUtf8 = true });

        var expected = Encoding.UTF8.GetBytes("MAIL FROM:<jörg@bücher.example> SMTPUTF8\r\n");
        Assert.Equal(expected, command.ToWireBytes());
        Assert.Equal(expected.Length, command.GetWireByteCount());
    }

    [Fact]
    public void Writing_into_a_buffer_writer_gives_the_same_bytes()
    {
        var command = SmtpCommand.RcptTo("<bob@example.test>");
        var writer = new ArrayBufferWriter<byte>();

        var written = command.WriteTo(writer);

        Assert.Equal(command.ToWireBytes(), writer.WrittenSpan.ToArray());
        Assert.Equal(written, writer.WrittenCount);
    }

    [Fact]
    public void Writing_into_a_too_small_span_is_refused()
    {
        var command = SmtpCommand.Quit();

        Assert.ThrowsAny<ArgumentException>(() => command.WriteTo(new byte[5]));
        Assert.Equal(6, command.WriteTo(new byte[6]));
    }

    [Fact]
    public void Constructor_refuses_lines_that_would_break_framing()
    {
        Assert.Throws<MailArgumentException>(() => new SmtpCommand("NOOP", "NOOP\r\nRSET"));
        Assert.Throws<MailArgumentException>(() => new SmtpCommand("NO OP", "NOOP"));
        Assert.Throws<MailArgumentException>(() => new SmtpCommand("NOOP", string.Empty));
    }

    [Fact]
    public void Default_command_cannot_be_written()
    {
        var command = default(SmtpCommand);

        Assert.Throws<InvalidOperationException>(() => command.ToWireBytes());
        Assert.Equal(string.Empty, command.ToString());
    }

    [Fact]
    public void Commands_compare_by_value()
    {
        Assert.Equal(SmtpCommand.Quit(), new SmtpCommand("QUIT", "QUIT"));
        Assert.NotEqual(SmtpCommand.Quit(), SmtpCommand.Rset());
    }
}
