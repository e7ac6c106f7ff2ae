namespace MailActors.Protocol.Tests.Smtp;

public class WireTextTests
{
    [Theory]
    [InlineData("ab\rc", "carriage return", 2)]
    [InlineData("\nabc", "line feed", 0)]
    [InlineData("abc\0", "NUL", 3)]
    public void Ensure_safe_names_the_character_the_position_and_the_parameter(string value, string character, int position)
    {
        var error = Assert.Throws<MailArgumentException>(() => WireText.EnsureSafe(value, "recipient"));

        Assert.Contains(character, error.Message, StringComparison.Ordinal);
        Assert.Contains($"position {position}", error.Message, StringComparison.Ordinal);
        Assert.Contains("'recipient'", error.Message, StringComparison.Ordinal);
        Assert.Equal("recipient", error.ParamName);
        Assert.False(WireText.IsSafe(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain text\twith tab")]
    [InlineData("ünïcødé \u2028 \u0085")]
    public void Other_text_is_safe(string value)
    {
        WireText.EnsureSafe(value, "value");
        Assert.True(WireText.IsSafe(value));
    }

    [Fact]
    public void Null_is_an_argument_null_error()
    {
        Assert.Throws<ArgumentNullException>(() => WireText.EnsureSafe(null!, "value"));
    }
}
