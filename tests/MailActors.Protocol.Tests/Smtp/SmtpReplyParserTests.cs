using System.Buffers;
using System.Text;
using CsCheck;
using MailActors.Protocol.Smtp;

namespace MailActors.Protocol.Tests.Smtp;

public class SmtpReplyParserTests
{
    private const string PostfixEhlo = SmtpSamples.PostfixEhlo;

    // One pipelined MAIL/RCPT/RCPT/DATA round as Postfix answers it, including a multi-line reply in the middle.
    private const string PipelinedReplies =
        "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550-5.1.1 <nobody@example.test>: Recipient address rejected:\r\n" +
        "550 5.1.1 User unknown in virtual mailbox table\r\n354 End data with <CR><LF>.<CR><LF>\r\n";

    [Fact]
    public void Single_line_reply_is_parsed_and_consumed()
    {
        var (replies, rest) = ReplyFeeder.ParseAll(ReplyFeeder.Bytes("250 2.0.0 Ok: queued as 4Xyz\r\n"));

        var reply = Assert.Single(replies);
        Assert.Equal(250, reply.Code);
        Assert.Equal(["2.0.0 Ok: queued as 4Xyz"], reply.Lines);
        Assert.Equal(new EnhancedStatusCode(2, 0, 0), reply.EnhancedCode);
        Assert.Empty(rest);
    }

    [Fact]
    public void Multi_line_ehlo_reply_keeps_every_line_in_order()
    {
        var reply = Assert.Single(ReplyFeeder.ParseAll(PostfixEhlo));

        Assert.Equal(250, reply.Code);
        Assert.Equal(12, reply.Lines.Count);
        Assert.Equal("mail.example.test", reply.Lines[0]);
        Assert.Equal("SIZE 10240000", reply.Lines[2]);
        Assert.Equal("CHUNKING", reply.Lines[^1]);
        Assert.Null(reply.EnhancedCode);
    }

    [Fact]
    public void Pipelined_replies_in_one_buffer_come_out_one_per_call()
    {
        var replies = ReplyFeeder.ParseAll(PipelinedReplies);

        Assert.Equal([250, 250, 550, 354], replies.Select(r => r.Code));
        Assert.Equal(
            ["5.1.1 <nobody@example.test>: Recipient address rejected:", "5.1.1 User unknown in virtual mailbox table"],
            replies[2].Lines);
        Assert.Equal(new EnhancedStatusCode(5, 1, 1), replies[2].EnhancedCode);
        Assert.Null(replies[3].EnhancedCode);
    }

    [Fact]
    public void Splitting_the_pipelined_buffer_at_any_byte_gives_the_same_replies()
    {
        var wire = ReplyFeeder.Bytes(PipelinedReplies + PostfixEhlo);
        var expected = ReplyFeeder.ParseAll(wire).Replies;
        Assert.Equal(5, expected.Count);

        for (var split = 0; split <= wire.Length; split++)
        {
            var chunked = ReplyFeeder.Feed([wire[..split], wire[split..]]);
            Assert.Equal(expected, chunked);

            var segmented = ReplyFeeder.ParseSegmented(wire[..split], wire[split..]);
            Assert.Equal(expected, segmented);
        }
    }

    [Fact]
    public void Bytes_arriving_one_at_a_time_give_the_same_replies()
    {
        var wire = ReplyFeeder.Bytes(PipelinedReplies + PostfixEhlo);
        var expected = ReplyFeeder.ParseAll(wire).Replies;

        var replies = ReplyFeeder.Feed(wire.Select(b => new[] { b }));

        Assert.Equal(expected, replies);
    }

    [Fact]
    public void Buffer_of_many_tiny_segments_is_parsed_like_a_contiguous_one()
    {
        var wire = ReplyFeeder.Bytes(PipelinedReplies);
        var expected = ReplyFeeder.ParseAll(wire).Replies;

        var replies = ReplyFeeder.ParseSegmented(wire.Chunk(3).ToArray());

        Assert.Equal(expected, replies);
    }

    [Fact]
    public void Incomplete_reply_waits_and_consumes_only_finished_lines()
    {
        var parser = new SmtpReplyParser();
        var buffer = new ReadOnlySequence<byte>(ReplyFeeder.Bytes("250-first\r\n250-sec"));

        Assert.False(parser.TryParse(ref buffer, out var reply));
        Assert.Null(reply);
        Assert.True(parser.HasPartialReply);
        Assert.Equal("250-sec", Encoding.ASCII.GetString(buffer.ToArray()));

        buffer = new ReadOnlySequence<byte>(ReplyFeeder.Bytes("250-second\r\n250 third\r\n"));
        Assert.True(parser.TryParse(ref buffer, out reply));
        Assert.Equal(["first", "second", "third"], reply!.Lines);
        Assert.False(parser.HasPartialReply);
    }

    [Fact]
    public void Empty_buffer_needs_more_bytes()
    {
        var parser = new SmtpReplyParser();
        var buffer = ReadOnlySequence<byte>.Empty;

        Assert.False(parser.TryParse(ref buffer, out var reply));
        Assert.Null(reply);
    }

    [Theory]
    [InlineData("250\r\n")]
    [InlineData("250 \r\n")]
    [InlineData("250\n")]
    public void Last_line_may_be_a_bare_code(string wire)
    {
        var reply = Assert.Single(ReplyFeeder.ParseAll(wire));

        Assert.Equal(250, reply.Code);
        Assert.Equal([string.Empty], reply.Lines);
        Assert.Equal(string.Empty, reply.Text);
    }

    [Fact]
    public void Smtp_sink_ehlo_reply_with_bare_last_line_is_accepted()
    {
        var reply = Assert.Single(ReplyFeeder.ParseAll(SmtpSamples.SmtpSinkEhlo));

        Assert.Equal(9, reply.Lines.Count);
        Assert.Equal("DSN", reply.Lines[^2]);
        Assert.Equal(string.Empty, reply.Lines[^1]);
    }

    [Fact]
    public void Lines_ending_in_lf_only_are_accepted_and_may_mix_with_crlf()
    {
        var replies = ReplyFeeder.ParseAll("250-a\n250-b\r\n250 c\n220 ready\n");

        Assert.Equal(2, replies.Count);
        Assert.Equal(["a", "b", "c"], replies[0].Lines);
        Assert.Equal(["ready"], replies[1].Lines);
    }

    [Fact]
    public void Text_is_decoded_as_utf8()
    {
        var reply = Assert.Single(ReplyFeeder.ParseAll("250 2.1.5 Ok, grüße an 用户@例子.测试\r\n"));

        Assert.Equal("2.1.5 Ok, grüße an 用户@例子.测试", reply.Text);
    }

    [Fact]
    public void Invalid_utf8_becomes_replacement_characters_rather_than_failing()
    {
        var wire = ReplyFeeder.Bytes("220 caf\r\n");
        wire = [.. wire[..7], 0xE9, .. wire[7..]]; // Latin-1 'é' as some old greetings send it

        var reply = Assert.Single(ReplyFeeder.ParseAll(wire).Replies);

        Assert.Equal("caf\uFFFD", reply.Text);
    }

    [Fact]
    public void Tab_in_text_is_allowed()
    {
        var reply = Assert.Single(ReplyFeeder.ParseAll("214 HELO\tEHLO\r\n"));

        Assert.Equal("HELO\tEHLO", reply.Text);
    }

    [Theory]
    [InlineData("220 mail.example.test ESMTP Postfix", null)]
    [InlineData("250 2.1.5 Ok", "2.1.5")]
    [InlineData("550 5.7.1 Relay access denied", "5.7.1")]
    [InlineData("451 4.3.0 Error: queue file write error", "4.3.0")]
    [InlineData("550 5.1 not quite", null)]
    [InlineData("550 5.1.1.1 too many", null)]
    [InlineData("550 6.1.1 no such class", null)]
    [InlineData("550 5.1000.1 subject too long", null)]
    [InlineData("550 5.1.1", "5.1.1")]
    public void Enhanced_code_comes_from_the_first_line_when_well_formed(string line, string? expected)
    {
        var reply = Assert.Single(ReplyFeeder.ParseAll(line + "\r\n"));

        Assert.Equal(expected, reply.EnhancedCode?.ToString());
    }

    [Fact]
    public void Line_of_exactly_the_maximum_length_is_accepted()
    {
        var options = new SmtpReplyParserOptions { MaxLineLength = 20 };
        var line = "250 " + new string('x', 16);

        var reply = Assert.Single(ReplyFeeder.ParseAll(line + "\r\n", options));

        Assert.Equal(new string('x', 16), reply.Text);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public void Line_over_the_maximum_length_is_a_protocol_error(string ending)
    {
        var options = new SmtpReplyParserOptions { MaxLineLength = 20 };
        var line = "250 " + new string('x', 17);

        var error = Assert.Throws<MailProtocolException>(() => ReplyFeeder.ParseAll(line + ending, options));

        Assert.Contains("longer than 20", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Over_long_line_is_refused_before_its_line_ending_arrives()
    {
        var options = new SmtpReplyParserOptions { MaxLineLength = 20 };
        var parser = new SmtpReplyParser(options);
        var waiting = new ReadOnlySequence<byte>(ReplyFeeder.Bytes("250 " + new string('x', 17)));
        Assert.False(parser.TryParse(ref waiting, out _)); // 21 bytes: could still be 20 + CR

        var tooLong = new ReadOnlySequence<byte>(ReplyFeeder.Bytes("250 " + new string('x', 18)));

        Assert.Throws<MailProtocolException>(() => parser.TryParse(ref tooLong, out _));
    }

    [Fact]
    public void Endless_garbage_without_newline_is_refused_with_the_default_limit()
    {
        var parser = new SmtpReplyParser();
        var garbage = new byte[100_000];
        Array.Fill(garbage, (byte)'2');
        var buffer = new ReadOnlySequence<byte>(garbage);

        Assert.Throws<MailProtocolException>(() => parser.TryParse(ref buffer, out _));
    }

    [Fact]
    public void Reply_with_exactly_the_maximum_number_of_lines_is_accepted()
    {
        var options = new SmtpReplyParserOptions { MaxLines = 4 };

        var reply = Assert.Single(ReplyFeeder.ParseAll("250-a\r\n250-b\n250-c\r\n250 d\r\n", options));

        Assert.Equal(4, reply.Lines.Count);
    }

    [Fact]
    public void Reply_with_too_many_lines_is_a_protocol_error_and_lf_only_lines_count()
    {
        var options = new SmtpReplyParserOptions { MaxLines = 4 };

        var error = Assert.Throws<MailProtocolException>(
            () => ReplyFeeder.ParseAll("250-a\n250-b\n250-c\n250-d\n250 e\n", options));

        Assert.Contains("more than 4 lines", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flood_of_tiny_ehlo_lines_stops_at_the_line_limit_having_allocated_little()
    {
        // The POP3 listing flood's analogue: 8 MiB of "250-X" continuation lines. The line-count limit (512 by default)
        // stops it long before the lines could add up, so a reply never holds more than 512 lines of 4096 octets.
        byte[] line = "250-X\r\n"u8.ToArray();
        var flood = new byte[8 * 1024 * 1024 / line.Length * line.Length];
        for (int i = 0; i < flood.Length; i += line.Length)
        {
            line.CopyTo(flood, i);
        }

        var parser = new SmtpReplyParser();
        var buffer = new ReadOnlySequence<byte>(flood);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<MailProtocolException>(() => parser.TryParse(ref buffer, out _));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("more than 512 lines", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 256 * 1024, $"Parsing up to the 512-line limit allocated {allocated} bytes.");
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("25\r\n")]
    [InlineData("abc def\r\n")]
    [InlineData("199 informational\r\n")]
    [InlineData("600 too big\r\n")]
    [InlineData("050 leading zero\r\n")]
    [InlineData("2a0 letter\r\n")]
    [InlineData("+OK POP3 server ready\r\n")]
    [InlineData("HTTP/1.1 400 Bad Request\r\n")]
    [InlineData("2500 four digits\r\n")]
    [InlineData("250_underscore\r\n")]
    [InlineData("250\ttab separator\r\n")]
    [InlineData(" 250 leading space\r\n")]
    public void Garbage_code_or_separator_is_a_protocol_error(string wire)
    {
        Assert.Throws<MailProtocolException>(() => ReplyFeeder.ParseAll(wire));
    }

    [Fact]
    public void Continuation_line_with_a_different_code_is_a_protocol_error()
    {
        var error = Assert.Throws<MailProtocolException>(() => ReplyFeeder.ParseAll("250-first\r\n251 second\r\n"));

        Assert.Contains("251", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("250 a\u0001b\r\n")]
    [InlineData("250 a\u0000b\r\n")]
    [InlineData("250 a\rb\r\n")]
    [InlineData("250 ok\r\r\n")]
    [InlineData("250 a\u001bb\r\n")]
    [InlineData("250 a\u007fb\r\n")]
    [InlineData("250-a\u0007\r\n250 b\r\n")]
    public void Control_characters_in_text_are_a_protocol_error(string wire)
    {
        Assert.Throws<MailProtocolException>(() => ReplyFeeder.ParseAll(wire));
    }

    [Fact]
    public void Error_message_escapes_what_the_server_sent()
    {
        var error = Assert.Throws<MailProtocolException>(() => ReplyFeeder.ParseAll("250 evil\u001b[31m\r\n"));

        Assert.Contains("\\x1B", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', error.Message);
    }

    [Fact]
    public void Reset_forgets_a_partial_reply()
    {
        var parser = new SmtpReplyParser();
        var buffer = new ReadOnlySequence<byte>(ReplyFeeder.Bytes("250-first\r\n"));
        Assert.False(parser.TryParse(ref buffer, out _));

        parser.Reset();
        buffer = new ReadOnlySequence<byte>(ReplyFeeder.Bytes("220 fresh\r\n"));

        Assert.True(parser.TryParse(ref buffer, out var reply));
        Assert.Equal(["fresh"], reply!.Lines);
        Assert.False(parser.HasPartialReply);
    }

    [Fact]
    public void Earlier_multi_line_replies_are_not_changed_by_later_ones()
    {
        var replies = ReplyFeeder.ParseAll("250-a\r\n250 b\r\n251-c\r\n251 d\r\n");

        Assert.Equal(["a", "b"], replies[0].Lines);
        Assert.Equal(["c", "d"], replies[1].Lines);
    }

    [Theory]
    [InlineData(3, 10)]
    [InlineData(100, 0)]
    public void Limits_below_their_minimum_are_refused(int maxLineLength, int maxLines)
    {
        var options = new SmtpReplyParserOptions { MaxLineLength = maxLineLength, MaxLines = maxLines };

        Assert.Throws<ArgumentOutOfRangeException>(() => new SmtpReplyParser(options));
    }

    [Fact]
    public void Parsing_a_new_reply_allocates_only_the_reply_itself()
    {
        // A single-line reply needs its text, a one-element array and the SmtpReply: about 130 bytes on x64 for these.
        // Anything per byte or per scan (copies, enumerators, boxed readers) would push well past the bound.
        var parser = new SmtpReplyParser();
        const int replies = 2000;
        var wires = Enumerable.Range(0, replies + 100)
            .Select(i => ReplyFeeder.Bytes($"250 2.0.0 Ok: queued as {i:D8}\r\n"))
            .ToArray();
        for (var warmUp = 0; warmUp < 100; warmUp++)
        {
            var buffer = new ReadOnlySequence<byte>(wires[replies + warmUp]);
            Assert.True(parser.TryParse(ref buffer, out _));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < replies; i++)
        {
            var buffer = new ReadOnlySequence<byte>(wires[i]);
            parser.TryParse(ref buffer, out _);
            parser.TryParse(ref buffer, out _);
        }

        var perReply = (GC.GetAllocatedBytesForCurrentThread() - before) / replies;
        Assert.InRange(perReply, 1, 200);
    }

    [Fact]
    public void A_reply_line_seen_recently_is_handed_out_again_without_allocating()
    {
        var parser = new SmtpReplyParser();
        var wire = ReplyFeeder.Bytes("250 2.1.5 Ok\r\n");
        var first = ParseOne(parser, wire);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            var buffer = new ReadOnlySequence<byte>(wire);
            parser.TryParse(ref buffer, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Same(first, ParseOne(parser, wire));
    }

    [Fact]
    public void Recent_replies_are_reused_only_for_the_same_code_and_text()
    {
        var parser = new SmtpReplyParser();
        var ok = ParseOne(parser, ReplyFeeder.Bytes("250 Ok\r\n"));

        Assert.Equal((251, "Ok"), Describe(ParseOne(parser, ReplyFeeder.Bytes("251 Ok\r\n"))));
        Assert.Equal((250, "Ok."), Describe(ParseOne(parser, ReplyFeeder.Bytes("250 Ok.\r\n"))));
        Assert.Equal((250, "ok"), Describe(ParseOne(parser, ReplyFeeder.Bytes("250 ok\r\n"))));
        Assert.Equal((250, "Grüße"), Describe(ParseOne(parser, ReplyFeeder.Bytes("250 Grüße\r\n"))));
        Assert.Equal((250, "Grüße"), Describe(ParseOne(parser, ReplyFeeder.Bytes("250 Grüße\r\n"))));
        var multi = ParseOne(parser, ReplyFeeder.Bytes("250-Ok\r\n250 Ok\r\n"));
        Assert.Equal(["Ok", "Ok"], multi.Lines);

        Assert.Same(ok, ParseOne(parser, ReplyFeeder.Bytes("250 Ok\r\n")));
    }

    [Fact]
    public void The_least_recently_matched_reply_makes_room_for_a_new_one()
    {
        var parser = new SmtpReplyParser();
        SmtpReply Parse(string text) => ParseOne(parser, ReplyFeeder.Bytes($"250 {text}\r\n"));
        var a = Parse("a");
        var b = Parse("b");
        var c = Parse("c");
        var d = Parse("d");
        Assert.Same(a, Parse("a")); // a is now the most recent, b the least

        Parse("e");

        Assert.Same(a, Parse("a"));
        Assert.Same(c, Parse("c"));
        Assert.Same(d, Parse("d"));
        Assert.NotSame(b, Parse("b"));
    }

    private static SmtpReply ParseOne(SmtpReplyParser parser, byte[] wire)
    {
        var buffer = new ReadOnlySequence<byte>(wire);
        Assert.True(parser.TryParse(ref buffer, out var reply));
        Assert.True(buffer.IsEmpty);
        return reply!;
    }

    private static (int Code, string Text) Describe(SmtpReply reply) => (reply.Code, reply.Text);

    [Fact]
    public void Any_sequence_of_replies_survives_wire_form_and_arbitrary_chunking()
    {
        var textChar = Gen.OneOf(Gen.Char[' ', '~'], Gen.Char['\u00a0', '\ud7ff'], Gen.Const('\t'));
        var line = Gen.String[textChar, 0, 40];
        var reply = Gen.Select(Gen.Int[200, 599], line.Array[1, 6], SmtpReply.Create);
        var scenario = Gen.Select(reply.Array[1, 8], Gen.Int[1, 30].Array[1, 40]);

        scenario.Sample((replies, chunkSizes) =>
        {
            var wire = ReplyFeeder.Bytes(string.Concat(replies.Select(r => r.ToString())));
            var chunks = new List<byte[]>();
            var offset = 0;
            for (var i = 0; offset < wire.Length; i++)
            {
                var size = Math.Min(chunkSizes[i % chunkSizes.Length], wire.Length - offset);
                chunks.Add(wire[offset..(offset + size)]);
                offset += size;
            }

            Assert.Equal(replies, ReplyFeeder.Feed(chunks));
        });
    }
}
