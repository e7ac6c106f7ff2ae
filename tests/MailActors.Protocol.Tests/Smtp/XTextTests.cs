using System.Text;
using CsCheck;
using MailActors.Protocol.Smtp;

namespace MailActors.Protocol.Tests.Smtp;

public class XTextTests
{
    // Scalar values only: lone surrogates have no UTF-8 form, so they cannot round-trip through any octet encoding.
    private static readonly Gen<string> AnyText =
        Gen.Frequency(
                (6, Gen.Int[0, 0x7F]),
                (2, Gen.Int[0x80, 0xD7FF]),
                (1, Gen.Int[0xE000, 0x10FFFF]))
            .Array[0, 30]
            .Select(codePoints => string.Concat(codePoints.Select(c => new Rune(c).ToString())));

    [Theory]
    [InlineData("", "")]
    [InlineData("plain-text_123", "plain-text_123")]
    [InlineData("a+b", "a+2Bb")]
    [InlineData("a=b", "a+3Db")]
    [InlineData("a b", "a+20b")]
    [InlineData("\t\r\n", "+09+0D+0A")]
    [InlineData("~!", "~!")]
    [InlineData("\u007f", "+7F")]
    [InlineData("é", "+C3+A9")]
    public void Encode_known_values(string plain, string encoded)
    {
        Assert.Equal(encoded, XText.Encode(plain));
        Assert.Equal(plain, XText.Decode(encoded));
    }

    [Fact]
    public void Decode_accepts_lower_case_hex_and_raw_utf8()
    {
        Assert.Equal("a+b", XText.Decode("a+2bb"));
        Assert.Equal("grüße", XText.Decode("grüße"));
    }

    [Theory]
    [InlineData("+")]
    [InlineData("+2")]
    [InlineData("+GG")]
    [InlineData("a b")]
    [InlineData("a=b")]
    [InlineData("\u0001")]
    public void Decode_refuses_malformed_xtext(string value)
    {
        Assert.Throws<MailArgumentException>(() => XText.Decode(value));
        Assert.False(XText.TryDecode(value, out _));
    }

    [Fact]
    public void Round_trip_holds_for_any_text_and_the_encoding_is_wire_safe()
    {
        AnyText.Sample(text =>
        {
            var encoded = XText.Encode(text);

            Assert.All(encoded, c => Assert.InRange(c, '!', '~'));
            Assert.DoesNotContain('=', encoded);
            Assert.Equal(text, XText.Decode(encoded));
        }, iter: 2000);
    }
}
