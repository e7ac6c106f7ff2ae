using CsCheck;
using MailActors.Protocol.Smtp.Data;
using static MailActors.Protocol.Tests.Data.DataTestHelpers;

namespace MailActors.Protocol.Tests.Data;

public class ContentInspectorTests
{
    [Theory]
    [InlineData("", ContentKind.SevenBit)]
    [InlineData("Subject: hi\r\n\r\nplain text\r\n", ContentKind.SevenBit)]
    [InlineData("caf\u00e9\r\n", ContentKind.EightBit)]
    [InlineData("a\0b\r\n", ContentKind.Binary)]
    [InlineData("caf\u00e9\0\r\n", ContentKind.Binary)]
    public void Classifies_content(string content, ContentKind expected)
    {
        Assert.Equal(expected, ContentInspector.Inspect(Bytes(content)));
    }

    [Fact]
    public void A_line_of_998_octets_is_text_and_999_is_binary()
    {
        Assert.Equal(ContentKind.SevenBit, ContentInspector.Inspect(Bytes(new string('x', 998) + "\r\nshort\r\n")));
        Assert.Equal(ContentKind.Binary, ContentInspector.Inspect(Bytes("short\r\n" + new string('x', 999))));
    }

    [Fact]
    public void Reports_sizes_longest_line_and_bare_line_endings()
    {
        var result = ContentInspector.Analyze(Bytes("ab\ncdef\r\ng\r"));

        Assert.Equal(ContentKind.SevenBit, result.Kind);
        Assert.Equal(11, result.Length);
        Assert.Equal(13, result.NormalizedLength);
        Assert.Equal(4, result.LongestLine);
        Assert.True(result.HasBareLineEndings);
        Assert.False(ContentInspector.Analyze(Bytes("ab\r\ncd\r\n")).HasBareLineEndings);
    }

    [Fact]
    public void Scanning_in_chunks_agrees_with_scanning_at_once()
    {
        ContentWithCuts.Sample(
            (content, cuts) =>
            {
                var scanner = new ContentScanner();
                foreach (var chunk in Split(content, cuts)) scanner.Scan(chunk.Span);

                var whole = ContentInspector.Analyze(content);
                Assert.Equal(whole, scanner.Result);
                Assert.Equal(NormalizeReference(content).Length, whole.NormalizedLength);
                bool hasBare = NormalizeReference(content).Length != content.Length;
                Assert.Equal(hasBare, whole.HasBareLineEndings);
            },
            iter: 1000);
    }
}
