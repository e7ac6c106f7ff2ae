using MailActors.Protocol.Pop3;

namespace MailActors.Protocol.Tests.Pop3;

public sealed class Pop3LanguageTests
{
    [Theory]
    [InlineData("en English", "en", "English")]
    [InlineData("de-CH Deutsch (Schweiz)", "de-CH", "Deutsch (Schweiz)")]
    [InlineData("  fr\tFrançais  ", "fr", "Français")]
    [InlineData("i-default", "i-default", "")]
    public void Parses_a_language_listing_line(string line, string tag, string description)
    {
        Assert.Equal(new Pop3Language(tag, description), Pop3Language.Parse(line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("en_US English")]
    [InlineData("* default")]
    [InlineData("ünï language")]
    [InlineData("en- English")]
    [InlineData("-en English")]
    [InlineData("a--b x")]
    [InlineData("123 digits")]
    [InlineData("englishes English")]
    public void Rejects_a_line_without_a_language_tag(string line)
    {
        var error = Assert.Throws<Pop3ProtocolException>(() => Pop3Language.Parse(line));
        Assert.Contains("LANG", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "LANG en")]
    [InlineData("de-CH", "LANG de-CH")]
    [InlineData("*", "LANG *")]
    [InlineData("i-default", "LANG i-default")]
    [InlineData("zh-Hant-TW", "LANG zh-Hant-TW")]
    public void Lang_sends_a_language_range(string range, string line)
    {
        Assert.Equal(line, Pop3Command.Lang(range).Line);
    }

    [Theory]
    [InlineData("en_US")]
    [InlineData("en US")]
    [InlineData("ü")]
    [InlineData("en*")]
    [InlineData("-")]
    [InlineData("en-")]
    [InlineData("-en")]
    [InlineData("a--b")]
    [InlineData("123")]
    [InlineData("de-abcdefghi")]
    public void Lang_refuses_what_is_not_a_language_range(string range)
    {
        Assert.Throws<Pop3ArgumentException>(() => Pop3Command.Lang(range));
    }

    [Fact]
    public void Lang_with_a_null_tag_is_refused_rather_than_read_as_the_listing()
    {
        Assert.Throws<ArgumentNullException>(() => Pop3Command.Lang(null!));
    }
}
