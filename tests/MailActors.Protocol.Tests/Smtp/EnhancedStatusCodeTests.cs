using MailActors.Protocol.Smtp;

namespace MailActors.Protocol.Tests.Smtp;

public class EnhancedStatusCodeTests
{
    [Theory]
    [InlineData("2.0.0", 2, 0, 0, 5)]
    [InlineData("5.1.1 User unknown", 5, 1, 1, 5)]
    [InlineData("4.7.0\tTry later", 4, 7, 0, 5)]
    [InlineData("5.999.999 big", 5, 999, 999, 9)]
    [InlineData("5.01.001 leading zeros", 5, 1, 1, 8)]
    public void Well_formed_codes_are_read_with_their_length(string text, int cls, int subject, int detail, int length)
    {
        Assert.True(EnhancedStatusCode.TryParse(text, out var code, out var consumed));

        Assert.Equal(new EnhancedStatusCode(cls, subject, detail), code);
        Assert.Equal(length, consumed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Ok")]
    [InlineData("3.1.1 wrong class")]
    [InlineData("1.0.0")]
    [InlineData("5.1")]
    [InlineData("5.1.")]
    [InlineData("5..1")]
    [InlineData("5.1.1abc")]
    [InlineData("5.1.1.1")]
    [InlineData("5.1000.1")]
    [InlineData("5.1.1000")]
    [InlineData(" 5.1.1")]
    [InlineData("55.1.1")]
    public void Malformed_codes_are_not_read(string text)
    {
        Assert.False(EnhancedStatusCode.TryParse(text, out var code, out var consumed));

        Assert.Equal(default, code);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void ToString_gives_the_dotted_form()
    {
        Assert.Equal("5.7.1", new EnhancedStatusCode(5, 7, 1).ToString());
        Assert.Equal("2.0.0", new EnhancedStatusCode(2, 0, 0).ToString());
    }
}
