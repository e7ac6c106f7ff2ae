using System.Buffers;
using CsCheck;
using MailActors.Protocol.Smtp.Data;
using static MailActors.Protocol.Tests.Data.DataTestHelpers;

namespace MailActors.Protocol.Tests.Data;

public class LineEndingNormalizerTests
{
    private static byte[] Normalize(byte[] content, int[] cuts, bool ensureTrailing = false)
    {
        var normalizer = new LineEndingNormalizer(ensureTrailing);
        var output = new ArrayBufferWriter<byte>();
        foreach (var chunk in Split(content, cuts)) normalizer.Normalize(chunk.Span, output);
        normalizer.Complete(output);
        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("a\nb", "a\r\nb")]
    [InlineData("a\rb", "a\r\nb")]
    [InlineData("a\r\nb", "a\r\nb")]
    [InlineData("a\r\r\n", "a\r\n\r\n")]
    [InlineData("a\n\r", "a\r\n\r\n")]
    [InlineData(".x\n", ".x\r\n")]
    public void Turns_every_line_ending_into_CRLF_without_stuffing(string content, string expected)
    {
        Assert.Equal(expected, Text(Normalize(Bytes(content), [])));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("a", "a\r\n")]
    [InlineData("a\n", "a\r\n")]
    [InlineData("a\r", "a\r\n")]
    public void Can_ensure_a_trailing_line_ending(string content, string expected)
    {
        Assert.Equal(expected, Text(Normalize(Bytes(content), [], ensureTrailing: true)));
    }

    [Fact]
    public void Any_chunking_matches_the_reference_and_NormalizedLength()
    {
        ContentWithCuts.Sample(
            (content, cuts) =>
            {
                var normalized = Normalize(content, cuts);
                Assert.Equal(NormalizeReference(content), normalized);
                Assert.Equal(normalized.Length, LineEndingNormalizer.NormalizedLength(content));
                AssertNoBareLineEndings(normalized);
            },
            iter: 2000);
    }

    [Fact]
    public void Counters_track_input_and_output()
    {
        var normalizer = new LineEndingNormalizer();
        var output = new ArrayBufferWriter<byte>();

        normalizer.Normalize("a\nb\r"u8, output);
        normalizer.Normalize("\nc"u8, output);

        Assert.Equal(6, normalizer.BytesIn);
        Assert.Equal(7, normalizer.BytesOut);
        normalizer.Reset();
        Assert.Equal(0, normalizer.BytesIn);
    }
}
