using System.Buffers;
using CsCheck;
using MailActors.Protocol.Pop3;
using static MailActors.Protocol.Tests.Pop3.Sequences;

namespace MailActors.Protocol.Tests.Pop3;

public class Pop3MultiLineDecoderTests
{
    // Lines that exercise every branch of un-stuffing: dots alone, doubled, followed by CR, inside text, lone CRs.
    private const string TrickyWire =
        "Subject: dots\r\n" +
        "..\r\n" +
        "...\r\n" +
        ".. leading dot and blank\r\n" +
        "..\r\r\n" +
        ".\rX\r\n" +
        "\r\n" +
        "a.b.\r\n" +
        "middle\rCR\r\n" +
        "..\r\n" +
        ".\r\n" +
        "+OK next response\r\n";

    private const string TrickyContent =
        "Subject: dots\r\n" +
        ".\r\n" +
        "..\r\n" +
        ". leading dot and blank\r\n" +
        ".\r\r\n" +
        "\rX\r\n" +
        "\r\n" +
        "a.b.\r\n" +
        "middle\rCR\r\n" +
        ".\r\n";

    private const string TrickyRest = "+OK next response\r\n";

    private static (bool Done, string Content, string Remainder, Pop3MultiLineDecoder Decoder) DecodeChunks(
        IEnumerable<byte[]> chunks, Pop3ParserOptions? options = null)
    {
        var decoder = new Pop3MultiLineDecoder(options);
        var output = new ArrayBufferWriter<byte>();
        var (done, rest) = Feed(chunks, (ref ReadOnlySequence<byte> b) => decoder.Decode(ref b, output));
        return (done, Text(output.WrittenSpan), Text(rest), decoder);
    }

    [Fact]
    public void Un_stuffs_dots_and_stops_at_the_terminator()
    {
        var (done, content, rest, decoder) = DecodeChunks([Ascii(TrickyWire)]);

        Assert.True(done);
        Assert.True(decoder.IsComplete);
        Assert.Equal(TrickyContent, content);
        Assert.Equal(TrickyRest, rest);
        Assert.Equal(TrickyWire.Length - TrickyRest.Length, decoder.BytesIn);
        Assert.Equal(TrickyContent.Length, decoder.BytesOut);
        Assert.Equal(10, decoder.LineCount);
    }

    [Fact]
    public void Gives_the_same_result_at_every_pair_of_chunk_boundaries()
    {
        foreach (var chunks in AllTwoCutSplits(Ascii(TrickyWire)))
        {
            var (done, content, rest, _) = DecodeChunks(chunks);

            Assert.True(done);
            Assert.Equal(TrickyContent, content);
            Assert.Equal(TrickyRest, rest);
        }
    }

    [Fact]
    public void Gives_the_same_result_one_octet_at_a_time()
    {
        var (done, content, rest, _) = DecodeChunks(Ascii(TrickyWire).Select(b => new[] { b }));

        Assert.True(done);
        Assert.Equal(TrickyContent, content);
        Assert.Equal(TrickyRest, rest);
    }

    [Theory]
    [InlineData(".")]
    [InlineData(".\r")]
    public void Waits_when_the_terminator_is_split_across_buffers(string firstPart)
    {
        var decoder = new Pop3MultiLineDecoder();
        var output = new ArrayBufferWriter<byte>();
        var buffer = new ReadOnlySequence<byte>(Ascii("line\r\n" + firstPart));

        Assert.False(decoder.Decode(ref buffer, output));
        Assert.True(buffer.IsEmpty);
        Assert.Equal("line\r\n", Text(output.WrittenSpan));

        var second = new ReadOnlySequence<byte>(Ascii((firstPart == "." ? "\r\n" : "\n") + "+OK"));
        Assert.True(decoder.Decode(ref second, output));
        Assert.Equal("+OK", Text(second.ToArray()));
        Assert.Equal("line\r\n", Text(output.WrittenSpan));
    }

    [Fact]
    public void An_empty_body_is_just_the_terminator()
    {
        var (done, content, rest, decoder) = DecodeChunks([Ascii(".\r\n")]);

        Assert.True(done);
        Assert.Equal("", content);
        Assert.Equal("", rest);
        Assert.Equal(0, decoder.LineCount);
    }

    [Fact]
    public void Accepts_bare_line_feeds_and_keeps_them()
    {
        var (done, content, rest, _) = DecodeChunks([Ascii("one\n..two\n.\nafter")]);

        Assert.True(done);
        Assert.Equal("one\n.two\n", content);
        Assert.Equal("after", rest);
    }

    [Fact]
    public void Reports_incomplete_until_the_terminator_arrives()
    {
        var (done, content, _, decoder) = DecodeChunks([Ascii("a\r\n"), Ascii(".."), Ascii("\r\n")]);

        Assert.False(done);
        Assert.False(decoder.IsComplete);
        Assert.Equal("a\r\n.\r\n", content);
    }

    [Fact]
    public void Consumes_nothing_more_once_complete_and_starts_over_after_reset()
    {
        var decoder = new Pop3MultiLineDecoder();
        var output = new ArrayBufferWriter<byte>();
        var buffer = new ReadOnlySequence<byte>(Ascii("x\r\n.\r\ny\r\n.\r\n"));

        Assert.True(decoder.Decode(ref buffer, output));
        Assert.True(decoder.Decode(ref buffer, output));
        Assert.Equal("y\r\n.\r\n", Text(buffer.ToArray()));

        decoder.Reset();
        Assert.Equal(0, decoder.BytesIn);
        Assert.True(decoder.Decode(ref buffer, output));
        Assert.Equal("x\r\ny\r\n", Text(output.WrittenSpan));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Property_decoding_inverts_stuffing_for_any_content_and_any_chunking()
    {
        // Octets other than LF, biased towards the ones that matter: dots and CRs.
        var octet = Gen.Frequency(
            (3, Gen.Const((byte)'.')),
            (2, Gen.Const((byte)'\r')),
            (5, Gen.Byte.Where(b => b != (byte)'\n')));
        var lines = octet.Array[0, 12].Array[0, 25];
        var trailer = Gen.Byte.Array[0, 8];
        var cuts = Gen.Int[0, 4000].Array[0, 12];

        // RFC 1939 strips a leading dot from any line but the terminator, so a server may also stuff lines that did not need it.
        var needlessStuffing = Gen.Bool.Array[25];

        Gen.Select(lines, trailer, cuts, needlessStuffing).Sample((content, after, cutPoints, stuffAnyway) =>
        {
            var wire = new List<byte>();
            var expected = new List<byte>();
            for (int i = 0; i < content.Length; i++)
            {
                byte[] line = content[i];
                if (line.Length > 0 && (line[0] == (byte)'.' || stuffAnyway[i]))
                {
                    wire.Add((byte)'.');
                }

                wire.AddRange(line);
                wire.AddRange("\r\n"u8.ToArray());
                expected.AddRange(line);
                expected.AddRange("\r\n"u8.ToArray());
            }

            wire.AddRange(".\r\n"u8.ToArray());
            int bodyLength = wire.Count;
            wire.AddRange(after);
            byte[] wireBytes = [.. wire];

            var chunks = SplitAt(wireBytes, cutPoints.Select(c => c % (wireBytes.Length + 1)));
            var decoder = new Pop3MultiLineDecoder();
            var output = new ArrayBufferWriter<byte>();
            var (done, rest) = Feed(chunks, (ref ReadOnlySequence<byte> b) => decoder.Decode(ref b, output));

            Assert.True(done);
            Assert.Equal(expected, output.WrittenSpan.ToArray());
            Assert.Equal(after, rest);
            Assert.Equal(bodyLength, decoder.BytesIn);
            Assert.Equal(expected.Count, decoder.BytesOut);
            Assert.Equal(content.Length, decoder.LineCount);
        }, iter: 3000);
    }

    [Fact]
    public void Stops_an_endless_response_at_the_byte_limit()
    {
        const long limit = 1 << 20;
        var decoder = new Pop3MultiLineDecoder(new Pop3ParserOptions { MaxResponseBytes = limit });
        var sink = new CountingSink();
        byte[] chunk = Ascii(string.Concat(Enumerable.Repeat("endless line of text\r\n", 300)));
        long fed = 0;

        var error = Assert.Throws<Pop3ProtocolException>(() =>
        {
            while (fed < 4 * limit)
            {
                var buffer = new ReadOnlySequence<byte>(chunk);
                fed += chunk.Length;
                decoder.Decode(ref buffer, sink);
            }
        });

        Assert.Contains(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.InRange(fed, limit, limit + chunk.Length);
        Assert.True(sink.Count <= limit, $"{sink.Count} octets were written past the {limit}-octet limit.");
        Assert.True(decoder.BytesIn <= limit);
    }

    [Fact]
    public void A_body_of_exactly_the_limit_including_terminator_is_accepted()
    {
        byte[] wire = Ascii("12345\r\n.\r\n");
        var (done, content, _, _) = DecodeChunks([wire], new Pop3ParserOptions { MaxResponseBytes = wire.Length });
        Assert.True(done);
        Assert.Equal("12345\r\n", content);

        Assert.Throws<Pop3ProtocolException>(
            () => { DecodeChunks([wire], new Pop3ParserOptions { MaxResponseBytes = wire.Length - 1 }); });
    }

    [Fact]
    public void Rejects_a_content_line_over_the_limit_wherever_the_chunks_split_it()
    {
        var options = new Pop3ParserOptions { MaxContentLineLength = 10 };
        byte[] fits = Ascii("..23456789\r\n" + "1234567890\r\n" + "123456789\r\r\n" + ".\r\n");
        byte[] tooLong = Ascii("12345678901\r\n.\r\n");
        byte[] tooLongWithCr = Ascii("1234567890\rx\r\n.\r\n");

        foreach (var chunks in AllTwoCutSplits(fits))
        {
            Assert.True(DecodeChunks(chunks, options).Done);
        }

        foreach (byte[] wire in new[] { tooLong, tooLongWithCr })
        {
            foreach (var chunks in AllTwoCutSplits(wire))
            {
                Assert.Throws<Pop3ProtocolException>(() => { DecodeChunks(chunks, options); });
            }
        }
    }

    [Fact]
    public void Streams_100_MB_in_bounded_memory()
    {
        // One block of wire lines (some stuffed) and the content it must decode to; fed again and again, split mid-line.
        string blockWire = string.Concat(Enumerable.Repeat(
            "Received: from relay.example by mx.example; Tue, 1 Jul 2025 10:00:00 +0000\r\n" +
            "..a line that began with a dot\r\n" +
            "\r\n" +
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n", 400));
        byte[] block = Ascii(blockWire);
        byte[] expectedBlock = Ascii(blockWire.Replace("\r\n..", "\r\n.", StringComparison.Ordinal).Replace("..a", ".a", StringComparison.Ordinal));
        const long target = 100L * 1024 * 1024;
        int blocks = (int)(target / block.Length) + 1;

        var decoder = new Pop3MultiLineDecoder(new Pop3ParserOptions { MaxResponseBytes = 200L * 1024 * 1024 });
        var sink = new CountingSink(expectedBlock);
        var whole = new ReadOnlySequence<byte>(block);
        int split = 1237;

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < blocks; i++)
        {
            var head = whole.Slice(0, split);
            Assert.False(decoder.Decode(ref head, sink));
            var tail = whole.Slice(split);
            Assert.False(decoder.Decode(ref tail, sink));
        }

        var terminator = new ReadOnlySequence<byte>(".\r\n"u8.ToArray());
        Assert.True(decoder.Decode(ref terminator, sink));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.True(decoder.BytesIn > target);
        Assert.Equal((long)expectedBlock.Length * blocks, decoder.BytesOut);
        Assert.Equal(decoder.BytesOut, sink.Count);
        Assert.True(allocated < 1024 * 1024, $"Decoding 100 MB allocated {allocated} bytes.");
    }

    [Fact]
    public void Decodes_listing_lines_as_text()
    {
        var decoder = new Pop3MultiLineDecoder();
        var lines = new List<string>();
        var buffer = new ReadOnlySequence<byte>(Ascii("1 120\r\n2 200\r\n..3\r\n\r\n.\r\n+OK"));

        Assert.True(decoder.DecodeLines(ref buffer, lines));

        Assert.Equal(["1 120", "2 200", ".3", ""], lines);
        Assert.Equal("+OK", Text(buffer.ToArray()));
        Assert.Equal(4, decoder.LineCount);
    }

    [Fact]
    public void Decodes_listing_lines_at_every_pair_of_chunk_boundaries()
    {
        foreach (var chunks in AllTwoCutSplits(Ascii(TrickyWire)))
        {
            var decoder = new Pop3MultiLineDecoder();
            var lines = new List<string>();
            var (done, rest) = Feed(chunks, (ref ReadOnlySequence<byte> b) => decoder.DecodeLines(ref b, lines));

            Assert.True(done);
            Assert.Equal(TrickyContent.Split("\r\n")[..^1], lines);
            Assert.Equal(TrickyRest, Text(rest));
        }
    }

    [Fact]
    public void Rejects_an_over_long_listing_line_complete_or_not()
    {
        var options = new Pop3ParserOptions { MaxLineLength = 16 };
        var complete = new ReadOnlySequence<byte>(Ascii(new string('u', 17) + "\r\n.\r\n"));
        var unterminated = new ReadOnlySequence<byte>(Ascii(new string('u', 18)));
        var fits = new ReadOnlySequence<byte>(Ascii(new string('u', 16) + "\r"));

        Assert.Throws<Pop3ProtocolException>(() => new Pop3MultiLineDecoder(options).DecodeLines(ref complete, new List<string>()));
        Assert.Throws<Pop3ProtocolException>(() => new Pop3MultiLineDecoder(options).DecodeLines(ref unterminated, new List<string>()));
        Assert.False(new Pop3MultiLineDecoder(options).DecodeLines(ref fits, new List<string>()));
    }

    [Fact]
    public void A_listing_of_tiny_lines_stops_at_the_listing_limit_having_allocated_about_that_much()
    {
        // 8 MiB of two-octet lines is well inside the wire limit but would take some 170 MB as strings in a list.
        const long limit = 1024 * 1024;
        var wire = new byte[(8 * 1024 * 1024) + 3];
        for (int i = 0; i < wire.Length - 3; i += 2)
        {
            wire[i] = (byte)'1';
            wire[i + 1] = (byte)'\n';
        }

        ".\r\n"u8.CopyTo(wire.AsSpan(wire.Length - 3));
        var decoder = new Pop3MultiLineDecoder(new Pop3ParserOptions { MaxListingBytes = limit });
        var lines = new List<string>();
        var buffer = new ReadOnlySequence<byte>(wire);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<Pop3ProtocolException>(() => decoder.DecodeLines(ref buffer, lines));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("1048576", error.Message, StringComparison.Ordinal);
        Assert.Contains("listing", error.Message, StringComparison.Ordinal);
        Assert.Equal(limit / (2 + Pop3ParserOptions.ListingLineOverhead), lines.Count);
        Assert.True(allocated < 2 * limit, $"Decoding up to a {limit}-octet listing limit allocated {allocated} bytes.");
    }

    [Fact]
    public void A_listing_of_exactly_the_listing_limit_is_accepted_and_the_limit_is_per_response()
    {
        // "1 120" costs 2 * 5 + 48 = 58 octets; ten of them 580.
        byte[] wire = Ascii(string.Concat(Enumerable.Repeat("1 120\r\n", 10)) + ".\r\n");
        var fits = new Pop3MultiLineDecoder(new Pop3ParserOptions { MaxListingBytes = 580 });

        for (int response = 0; response < 2; response++)
        {
            var lines = new List<string>();
            var buffer = new ReadOnlySequence<byte>(wire);
            fits.Reset();
            Assert.True(fits.DecodeLines(ref buffer, lines));
            Assert.Equal(10, lines.Count);
        }

        var tooMuch = new ReadOnlySequence<byte>(wire);
        Assert.Throws<Pop3ProtocolException>(
            () => new Pop3MultiLineDecoder(new Pop3ParserOptions { MaxListingBytes = 579 }).DecodeLines(ref tooMuch, new List<string>()));
    }

    [Fact]
    public void The_default_listing_limit_takes_uidl_of_a_million_messages_with_70_character_ids()
    {
        // Scaled down a thousand times: a thousand such lines within a thousandth of the default limit.
        string line = "1000000 " + new string('u', 70) + "\r\n";
        var buffer = new ReadOnlySequence<byte>(Ascii(string.Concat(Enumerable.Repeat(line, 1000)) + ".\r\n"));
        var decoder = new Pop3MultiLineDecoder(new Pop3ParserOptions { MaxListingBytes = Pop3ParserOptions.Default.MaxListingBytes / 1000 });
        var lines = new List<string>();

        Assert.True(decoder.DecodeLines(ref buffer, lines));
        Assert.Equal(1000, lines.Count);
    }

    [Fact]
    public void Refuses_to_switch_to_lines_in_the_middle_of_a_streamed_line()
    {
        var decoder = new Pop3MultiLineDecoder();
        var buffer = new ReadOnlySequence<byte>(Ascii("half a li"));
        decoder.Decode(ref buffer, new ArrayBufferWriter<byte>());

        var more = new ReadOnlySequence<byte>(Ascii("ne\r\n.\r\n"));
        Assert.Throws<InvalidOperationException>(() => decoder.DecodeLines(ref more, new List<string>()));
    }

    /// <summary>A writer that reuses one buffer, counts what it gets and optionally checks it against a repeating pattern.</summary>
    private sealed class CountingSink(byte[]? pattern = null) : IBufferWriter<byte>
    {
        private readonly byte[] _buffer = new byte[64 * 1024];

        public long Count { get; private set; }

        public void Advance(int count)
        {
            if (pattern is not null)
            {
                int checkedCount = 0;
                while (checkedCount < count)
                {
                    int offset = (int)((Count + checkedCount) % pattern.Length);
                    int length = Math.Min(count - checkedCount, pattern.Length - offset);
                    if (!_buffer.AsSpan(checkedCount, length).SequenceEqual(pattern.AsSpan(offset, length)))
                    {
                        throw new InvalidOperationException($"Output differs from the expected content near octet {Count + checkedCount}.");
                    }

                    checkedCount += length;
                }
            }

            Count += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer;

        public Span<byte> GetSpan(int sizeHint = 0) => _buffer;
    }
}
