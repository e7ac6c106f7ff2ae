using System.Buffers;
using CsCheck;
using MailActors.Protocol.Smtp.Data;
using static MailActors.Protocol.Tests.Data.DataTestHelpers;

namespace MailActors.Protocol.Tests.Data;

public class DataEncoderPropertyTests
{
    [Fact]
    public void Any_chunking_encodes_identically()
    {
        ContentWithCuts.Sample(
            (content, cuts) => Assert.Equal(EncodeInChunks(content, []), EncodeInChunks(content, cuts)),
            iter: 2000);
    }

    [Fact]
    public void Output_matches_the_line_by_line_reference_encoding()
    {
        ContentWithCuts.Sample(
            (content, cuts) => Assert.Equal(EncodeReference(content), EncodeInChunks(content, cuts)),
            iter: 2000);
    }

    [Fact]
    public void Output_has_no_bare_CR_or_LF_and_every_dot_line_is_stuffed()
    {
        ContentWithCuts.Sample(
            (content, cuts) =>
            {
                var wire = EncodeInChunks(content, cuts);
                AssertNoBareLineEndings(wire);
                Assert.True(wire.AsSpan().EndsWith("\r\n"u8), "the wire form ends with CRLF");
                var lines = Text(wire).Split("\r\n")[..^1];
                Assert.Equal(".", lines[^1]);
                Assert.All(lines[..^1], line => Assert.False(line.StartsWith('.') && !line.StartsWith("..", StringComparison.Ordinal), $"unstuffed line '{line}'"));
                Assert.True(wire.Length <= DataEncoder.MaxOutputLength(content.Length));
            },
            iter: 2000);
    }

    [Fact]
    public void Unstuffing_the_encoding_gives_back_the_normalised_content_and_stops_only_at_the_end()
    {
        ContentWithCuts.Sample(
            (content, cuts) =>
            {
                var wire = EncodeInChunks(content, cuts);
                var unstuffer = new DotUnstuffer();
                var body = new ArrayBufferWriter<byte>();

                bool done = unstuffer.Decode(wire, body, out int consumed);

                Assert.True(done);
                Assert.Equal(wire.Length, consumed); // a ".\r\n" line inside the content never terminated early
                Assert.Equal(ExpectedBody(content), body.WrittenSpan.ToArray());
                Assert.Equal(body.WrittenCount, unstuffer.BytesOut);
            },
            iter: 2000);
    }

    [Fact]
    public void Unstuffing_in_any_chunking_stops_at_the_terminator_and_leaves_the_next_reply()
    {
        ContentWithCuts.Sample(
            (content, cuts) =>
            {
                var trailing = "250 2.0.0 queued\r\n"u8.ToArray();
                byte[] wire = [.. EncodeInChunks(content, []), .. trailing];
                var unstuffer = new DotUnstuffer();
                var body = new ArrayBufferWriter<byte>();
                int position = 0;
                bool done = false;
                // Stretch the cut points over the whole wire so they also fall in the terminator and the trailing reply.
                var wireCuts = cuts.Select(c => (int)((long)c * wire.Length / Math.Max(content.Length, 1))).ToArray();
                foreach (var chunk in Split(wire, wireCuts))
                {
                    if (done) break;
                    done = unstuffer.Decode(chunk.Span, body, out int consumed);
                    position += consumed;
                    if (!done) Assert.Equal(chunk.Length, consumed);
                }

                Assert.True(done);
                Assert.Equal(wire.Length - trailing.Length, position);
                Assert.Equal(ExpectedBody(content), body.WrittenSpan.ToArray());
            },
            iter: 2000);
    }
}
