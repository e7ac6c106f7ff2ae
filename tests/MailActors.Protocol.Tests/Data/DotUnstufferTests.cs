using System.Buffers;
using CsCheck;
using MailActors.Protocol.Smtp.Data;
using static MailActors.Protocol.Tests.Data.DataTestHelpers;

namespace MailActors.Protocol.Tests.Data;

public class DotUnstufferTests
{
    private static (bool Done, string Body, int Consumed) DecodeAll(string wire, long maxBytes = long.MaxValue)
    {
        var unstuffer = new DotUnstuffer(maxBytes);
        var output = new ArrayBufferWriter<byte>();
        bool done = unstuffer.Decode(Bytes(wire), output, out int consumed);
        return (done, Text(output.WrittenSpan), consumed);
    }

    /// <summary>Byte by byte: a line starts only after CRLF; there ".\r\n" ends the data and any other leading '.' is dropped.</summary>
    private static (byte[] Body, int Consumed) UnstuffReference(byte[] wire)
    {
        var body = new List<byte>();
        bool lineStart = true;
        for (int i = 0; i < wire.Length; i++)
        {
            if (lineStart && wire[i] == (byte)'.')
            {
                if (wire.AsSpan(i + 1).StartsWith("\r\n"u8)) return (body.ToArray(), i + 3);
                lineStart = false;
                continue;
            }

            body.Add(wire[i]);
            lineStart = wire[i] == (byte)'\n' && i > 0 && wire[i - 1] == (byte)'\r';
        }

        throw new InvalidOperationException("The wire has no terminator.");
    }

    [Theory]
    [InlineData(".\r\n", "")]
    [InlineData("a\r\n.\r\n", "a\r\n")]
    [InlineData("..\r\n.\r\n", ".\r\n")]
    [InlineData("..x\r\n...\r\n.\r\n", ".x\r\n..\r\n")]
    [InlineData("x.\r\n.\r\n", "x.\r\n")]
    [InlineData(".x\r\n.\r\n", "x\r\n")]
    public void Removes_stuffing_and_stops_at_the_terminator(string wire, string expectedBody)
    {
        var (done, body, consumed) = DecodeAll(wire);

        Assert.True(done);
        Assert.Equal(expectedBody, body);
        Assert.Equal(wire.Length, consumed);
    }

    [Theory]
    [InlineData("a\n.\nb\r\n.\r\n", "a\n.\nb\r\n")]
    [InlineData("a\r.\rb\r\n.\r\n", "a\r.\rb\r\n")]
    [InlineData("a\n.\r\nb\r\n.\r\n", "a\n.\r\nb\r\n")]
    public void Bare_line_endings_never_terminate(string wire, string expectedBody)
    {
        var (done, body, consumed) = DecodeAll(wire);

        Assert.True(done);
        Assert.Equal(expectedBody, body);
        Assert.Equal(wire.Length, consumed);
    }

    [Fact]
    public void A_dot_CR_not_followed_by_LF_is_content_with_the_stuffing_dot_removed()
    {
        var (done, body, _) = DecodeAll(".\rx\r\n.\r\n");

        Assert.True(done);
        Assert.Equal("\rx\r\n", body);
    }

    [Fact]
    public void Without_a_terminator_everything_is_consumed_and_false_returned()
    {
        var (done, body, consumed) = DecodeAll("a\r\n..b\r\n.");

        Assert.False(done);
        Assert.Equal("a\r\n.b\r\n", body);
        Assert.Equal(9, consumed);
    }

    [Fact]
    public void Bytes_after_the_terminator_are_left_for_the_next_reply()
    {
        var (done, body, consumed) = DecodeAll("x\r\n.\r\n+OK next\r\n");

        Assert.True(done);
        Assert.Equal("x\r\n", body);
        Assert.Equal(6, consumed);
    }

    [Theory]
    [InlineData("a\r\n|.|\r|\n")]
    [InlineData("a\r|\n.|\r\n")]
    [InlineData("a\r\n.|\r\n")]
    [InlineData("a\r\n.\r|\n")]
    [InlineData("a|\r|\n|.|\r|\n")]
    public void A_terminator_split_across_chunks_is_recognised(string pipeSeparatedChunks)
    {
        var unstuffer = new DotUnstuffer();
        var output = new ArrayBufferWriter<byte>();
        var chunks = pipeSeparatedChunks.Split('|');
        var results = new List<bool>();

        foreach (var chunk in chunks)
        {
            results.Add(unstuffer.Decode(Bytes(chunk), output, out int consumed));
            Assert.Equal(chunk.Length, consumed);
        }

        Assert.Equal([.. Enumerable.Repeat(false, chunks.Length - 1), true], results);
        Assert.Equal("a\r\n", Text(output.WrittenSpan));
        Assert.True(unstuffer.IsCompleted);
    }

    [Fact]
    public void A_stuffed_dot_split_from_its_line_is_removed()
    {
        var unstuffer = new DotUnstuffer();
        var output = new ArrayBufferWriter<byte>();

        Assert.False(unstuffer.Decode("x\r\n."u8, output, out _));
        Assert.False(unstuffer.Decode(".y\r\n"u8, output, out _));
        Assert.True(unstuffer.Decode(".\r\n"u8, output, out _));

        Assert.Equal("x\r\n.y\r\n", Text(output.WrittenSpan));
    }

    [Fact]
    public void After_termination_nothing_more_is_consumed_until_Reset()
    {
        var unstuffer = new DotUnstuffer();
        var output = new ArrayBufferWriter<byte>();
        unstuffer.Decode(".\r\n"u8, output, out _);

        Assert.True(unstuffer.Decode("more\r\n"u8, output, out int consumed));
        Assert.Equal(0, consumed);
        Assert.Equal(0, output.WrittenCount);

        unstuffer.Reset();
        Assert.False(unstuffer.IsCompleted);
        Assert.True(unstuffer.Decode("more\r\n.\r\n"u8, output, out consumed));
        Assert.Equal(9, consumed);
        Assert.Equal("more\r\n", Text(output.WrittenSpan));
        Assert.Equal(6, unstuffer.BytesOut);
    }

    [Fact]
    public void Content_up_to_the_limit_is_accepted()
    {
        var (done, body, _) = DecodeAll("12345678\r\n.\r\n", maxBytes: 10);

        Assert.True(done);
        Assert.Equal("12345678\r\n", body);
    }

    [Fact]
    public void Content_beyond_the_limit_throws_InvalidDataException()
    {
        Assert.Throws<InvalidDataException>(() => DecodeAll("123456789\r\n.\r\n", maxBytes: 10));
    }

    [Fact]
    public void An_endless_response_fed_in_chunks_hits_the_limit()
    {
        var unstuffer = new DotUnstuffer(maxBytes: 1000);
        var output = new ArrayBufferWriter<byte>();
        var line = "0123456789012345678\r\n"u8.ToArray();

        var error = Assert.Throws<InvalidDataException>(() =>
        {
            for (int i = 0; i < 1000; i++) unstuffer.Decode(line, output, out _);
        });

        Assert.Contains("1000", error.Message, StringComparison.Ordinal);
        Assert.True(unstuffer.BytesOut <= 1000);
    }

    [Fact]
    public void Any_raw_wire_in_any_chunking_decodes_like_the_line_by_line_reference()
    {
        // Raw bytes, not DataEncoder output: bare CR and LF next to dots, so lines that do and do not start after CRLF mix.
        ContentWithCuts.Sample(
            (content, cuts) =>
            {
                byte[] wire = [.. content, .. "\r\n.\r\nNEXT"u8];
                var unstuffer = new DotUnstuffer();
                var body = new ArrayBufferWriter<byte>();
                int position = 0;
                bool done = false;
                foreach (var chunk in Split(wire, cuts))
                {
                    if (done) break;
                    done = unstuffer.Decode(chunk.Span, body, out int consumed);
                    position += consumed;
                }

                var (expectedBody, expectedConsumed) = UnstuffReference(wire);
                Assert.True(done);
                Assert.Equal(expectedConsumed, position);
                Assert.Equal(Text(expectedBody), Text(body.WrittenSpan));
            },
            iter: 2000);
    }

    [Fact]
    public void A_negative_limit_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DotUnstuffer(-1));
    }
}
