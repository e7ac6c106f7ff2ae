using System.Buffers;
using System.Text;
using MailActors.Protocol.Pop3;
using static MailActors.Protocol.Tests.Pop3.Sequences;

namespace MailActors.Protocol.Tests.Pop3;

public class Pop3StatusParserTests
{
    private static Pop3Response ParseOne(string wire)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire));
        Assert.True(new Pop3StatusParser().TryParseStatus(ref buffer, out var response));
        Assert.True(buffer.IsEmpty);
        return response;
    }

    [Theory]
    [InlineData("+OK 2 messages (320 octets)\r\n", Pop3StatusKind.Ok, "2 messages (320 octets)")]
    [InlineData("+OK\r\n", Pop3StatusKind.Ok, "")]
    [InlineData("+OK   padded  \r\n", Pop3StatusKind.Ok, "padded")]
    [InlineData("+OK\ttabbed\r\n", Pop3StatusKind.Ok, "tabbed")]
    [InlineData("+ok lower case\r\n", Pop3StatusKind.Ok, "lower case")]
    [InlineData("+OK bare line feed\n", Pop3StatusKind.Ok, "bare line feed")]
    [InlineData("-ERR no such message\r\n", Pop3StatusKind.Err, "no such message")]
    [InlineData("-ERR\r\n", Pop3StatusKind.Err, "")]
    [InlineData("-err invalid\r\n", Pop3StatusKind.Err, "invalid")]
    [InlineData("+ PDEyMzQ+\r\n", Pop3StatusKind.Continuation, "PDEyMzQ+")]
    [InlineData("+ \r\n", Pop3StatusKind.Continuation, "")]
    [InlineData("+\r\n", Pop3StatusKind.Continuation, "")]
    [InlineData("+ T0sgbm90IGFuIE9L\r\n", Pop3StatusKind.Continuation, "T0sgbm90IGFuIE9L")]
    public void Parses_every_status_kind(string wire, Pop3StatusKind status, string text)
    {
        var response = ParseOne(wire);

        Assert.Equal(status, response.Status);
        Assert.Equal(text, response.Text);
        Assert.Equal(status == Pop3StatusKind.Ok, response.IsOk);
        Assert.Equal(status == Pop3StatusKind.Err, response.IsError);
        Assert.Equal(status == Pop3StatusKind.Continuation, response.IsContinuation);
    }

    [Theory]
    [InlineData("-ERR [IN-USE] Mailbox locked by another session\r\n", "IN-USE", "Mailbox locked by another session")]
    [InlineData("-ERR [AUTH] Authentication failed.\r\n", "AUTH", "Authentication failed.")]
    [InlineData("-ERR [SYS/TEMP] Try again later\r\n", "SYS/TEMP", "Try again later")]
    [InlineData("-ERR [SYS/PERM] Broken\r\n", "SYS/PERM", "Broken")]
    [InlineData("-ERR [LOGIN-DELAY] wait 15 minutes\r\n", "LOGIN-DELAY", "wait 15 minutes")]
    [InlineData("-ERR [UTF8]\r\n", "UTF8", "")]
    [InlineData("+OK [XYZ] extension code on success\r\n", "XYZ", "extension code on success")]
    public void Extracts_response_codes(string wire, string code, string message)
    {
        var response = ParseOne(wire);

        Assert.Equal(code, response.ResponseCode);
        Assert.Equal(message, response.MessageText);
        Assert.True(response.HasResponseCode(code.ToLowerInvariant()));
    }

    [Theory]
    [InlineData("-ERR no code here")]
    [InlineData("-ERR [] empty")]
    [InlineData("-ERR [IN USE] blank inside")]
    [InlineData("-ERR [/SYS] leading slash")]
    [InlineData("-ERR [SYS/] trailing slash")]
    [InlineData("-ERR [SYS//TEMP] empty level")]
    [InlineData("-ERR [unclosed")]
    [InlineData("-ERR text [IN-USE] not at start")]
    [InlineData("+ [IN-USE]")]
    public void Ignores_malformed_or_misplaced_response_codes(string line)
    {
        var response = Pop3StatusParser.Parse(line);

        Assert.Null(response.ResponseCode);
        Assert.Equal(response.Text, response.MessageText);
    }

    [Fact]
    public void Hierarchical_response_codes_match_their_parents_only()
    {
        var response = Pop3StatusParser.Parse("-ERR [SYS/TEMP] busy");

        Assert.True(response.HasResponseCode("SYS"));
        Assert.True(response.HasResponseCode(Pop3ResponseCode.SystemTemporary));
        Assert.False(response.HasResponseCode(Pop3ResponseCode.SystemPermanent));
        Assert.False(response.HasResponseCode("SY"));
        Assert.False(response.HasResponseCode(""));
    }

    [Theory]
    [InlineData("HTTP/1.1 400 Bad Request\r\n")]
    [InlineData("* OK IMAP4rev1 ready\r\n")]
    [InlineData("220 smtp.example.com ESMTP\r\n")]
    [InlineData("+OKAY\r\n")]
    [InlineData("-ERROR\r\n")]
    [InlineData("OK\r\n")]
    [InlineData("\r\n")]
    [InlineData("-\r\n")]
    [InlineData(" +OK leading blank\r\n")]
    public void Rejects_garbage(string wire)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire));

        var error = Assert.Throws<Pop3ProtocolException>(() => new Pop3StatusParser().TryParseStatus(ref buffer, out _));
        Assert.Contains("not a status line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quotes_control_characters_of_garbage_visibly()
    {
        var error = Assert.Throws<Pop3ProtocolException>(() => Pop3StatusParser.Parse("\u001b[31mred"));

        Assert.Contains("\\x1B", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Needs_more_bytes_until_the_line_feed_and_leaves_the_buffer_untouched()
    {
        var parser = new Pop3StatusParser();
        var buffer = new ReadOnlySequence<byte>(Ascii("+OK almost\r"));

        Assert.False(parser.TryParseStatus(ref buffer, out var response));
        Assert.Null(response);
        Assert.Equal("+OK almost\r", Text(buffer.ToArray()));
    }

    [Fact]
    public void Parses_correctly_at_every_split_of_two_pipelined_responses()
    {
        byte[] wire = Ascii("+OK hello there\r\n-ERR [IN-USE] locked\r\nrest");
        foreach (var chunks in AllTwoCutSplits(wire))
        {
            var parser = new Pop3StatusParser();
            Pop3Response? first = null;
            var (done, rest) = Feed(chunks, (ref ReadOnlySequence<byte> b) => parser.TryParseStatus(ref b, out first));
            Assert.True(done);
            Assert.Equal(new Pop3Response(Pop3StatusKind.Ok, "hello there"), first);

            Pop3Response? second = null;
            (done, rest) = Feed([rest], (ref ReadOnlySequence<byte> b) => parser.TryParseStatus(ref b, out second));
            Assert.True(done);
            Assert.Equal("IN-USE", second!.ResponseCode);
            Assert.Equal("rest", Text(rest));
        }
    }

    [Fact]
    public void Leaves_a_multi_line_body_behind_the_status_line_in_the_buffer()
    {
        var buffer = Of(Ascii("+OK 120 octets\r\nSubject: x"), Ascii("\r\n.\r\n"));

        Assert.True(new Pop3StatusParser().TryParseStatus(ref buffer, out var response));
        Assert.Equal("120 octets", response.Text);
        Assert.Equal("Subject: x\r\n.\r\n", Text(buffer.ToArray()));
    }

    [Fact]
    public void Decodes_text_as_utf8()
    {
        var response = ParseOne("-ERR Postfach gesperrt für Müller\r\n");

        Assert.Equal("Postfach gesperrt für Müller", response.Text);
    }

    [Fact]
    public void Accepts_a_line_of_exactly_the_maximum_length()
    {
        var parser = new Pop3StatusParser(new Pop3ParserOptions { MaxLineLength = 32 });
        string line = "+OK " + new string('x', 28);
        var buffer = Of(Ascii(line), Ascii("\r\n"));

        Assert.True(parser.TryParseStatus(ref buffer, out var response));
        Assert.Equal(28, response.Text.Length);
    }

    [Fact]
    public void Rejects_a_line_one_octet_over_the_maximum_once_it_is_complete()
    {
        var parser = new Pop3StatusParser(new Pop3ParserOptions { MaxLineLength = 32 });
        var buffer = Of(Ascii("+OK " + new string('x', 29)), Ascii("\r\n"));

        var error = Assert.Throws<Pop3ProtocolException>(() => parser.TryParseStatus(ref buffer, out _));
        Assert.Contains("32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Waits_while_an_unterminated_line_could_still_fit_and_rejects_it_as_soon_as_it_cannot()
    {
        var parser = new Pop3StatusParser(new Pop3ParserOptions { MaxLineLength = 32 });

        // 33 octets could still be 32 plus the CR of CRLF.
        var couldFit = new ReadOnlySequence<byte>(Ascii("+OK " + new string('x', 28) + "\r"));
        Assert.False(parser.TryParseStatus(ref couldFit, out _));

        var cannotFit = new ReadOnlySequence<byte>(Ascii("+OK " + new string('x', 30)));
        Assert.Throws<Pop3ProtocolException>(() => parser.TryParseStatus(ref cannotFit, out _));
    }

    [Fact]
    public void Never_scans_an_endless_line_past_the_limit()
    {
        var parser = new Pop3StatusParser(new Pop3ParserOptions { MaxLineLength = 64 });
        var buffer = new ReadOnlySequence<byte>(new byte[10_000_000]);

        Assert.Throws<Pop3ProtocolException>(() => parser.TryParseStatus(ref buffer, out _));
    }

    [Fact]
    public void String_parse_accepts_a_trailing_line_ending()
    {
        Assert.Equal(new Pop3Response(Pop3StatusKind.Ok, "done"), Pop3StatusParser.Parse("+OK done\r\n"));
    }
}
