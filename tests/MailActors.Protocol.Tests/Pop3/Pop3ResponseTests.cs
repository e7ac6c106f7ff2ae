using MailActors.Protocol.Pop3;

namespace MailActors.Protocol.Tests.Pop3;

public class Pop3ResponseTests
{
    [Theory]
    [InlineData(Pop3StatusKind.Ok, "ready", "+OK ready")]
    [InlineData(Pop3StatusKind.Ok, "", "+OK")]
    [InlineData(Pop3StatusKind.Err, "[IN-USE] locked", "-ERR [IN-USE] locked")]
    [InlineData(Pop3StatusKind.Continuation, "PDE+", "+ PDE+")]
    [InlineData(Pop3StatusKind.Continuation, "", "+")]
    public void Prints_as_the_wire_form_and_parses_back(Pop3StatusKind status, string text, string wire)
    {
        var response = new Pop3Response(status, text);

        Assert.Equal(wire, response.ToString());
        Assert.Equal(response, Pop3StatusParser.Parse(wire));
    }

    [Fact]
    public void Derived_properties_follow_a_with_expression()
    {
        var locked = new Pop3Response(Pop3StatusKind.Err, "[IN-USE] locked");
        var failed = locked with { Text = "[AUTH] wrong password" };

        Assert.Equal("IN-USE", locked.ResponseCode);
        Assert.Equal("AUTH", failed.ResponseCode);
        Assert.Equal("wrong password", failed.MessageText);
    }

    [Fact]
    public void Rejects_null_text()
    {
        Assert.Throws<ArgumentNullException>(() => new Pop3Response(Pop3StatusKind.Ok, null!));
    }
}
