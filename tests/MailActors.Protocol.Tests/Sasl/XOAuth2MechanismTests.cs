using System.Text;
using MailActors.Protocol.Sasl;

namespace MailActors.Protocol.Tests.Sasl;

public class XOAuth2MechanismTests
{
    private static readonly SaslCredentials Token = SaslCredentials.OAuthToken("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");

    [Fact]
    public void Sends_user_and_bearer_token_separated_by_ctrl_A()
    {
        var xoauth2 = SaslMechanism.Create("XOAUTH2", Token);

        Assert.True(xoauth2.SupportsInitialResponse);
        Assert.Equal(
            "user=someuser@example.com\u0001auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\u0001\u0001",
            Encoding.UTF8.GetString(xoauth2.InitialResponse()!));
        Assert.True(xoauth2.IsCompleted);
    }

    [Fact]
    public void Matches_the_documented_base64_form()
    {
        // Google's XOAUTH2 documentation example, base64 of the message above.
        var xoauth2 = SaslMechanism.Create("XOAUTH2", Token);

        Assert.Equal(
            "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==",
            Convert.ToBase64String(xoauth2.InitialResponse()!));
    }

    [Fact]
    public void An_error_challenge_is_answered_with_an_empty_response_and_kept()
    {
        var xoauth2 = (XOAuth2Mechanism)SaslMechanism.Create("XOAUTH2", Token);
        xoauth2.InitialResponse();
        var json = """{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}""";

        Assert.Empty(xoauth2.Respond(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(json, xoauth2.ServerError);
        Assert.Throws<SaslException>(() => xoauth2.Respond([]));
    }

    [Fact]
    public void Without_an_initial_response_the_first_challenge_gets_the_token()
    {
        var xoauth2 = SaslMechanism.Create("XOAUTH2", Token);

        Assert.StartsWith("user=someuser@example.com\u0001", Encoding.UTF8.GetString(xoauth2.Respond([])), StringComparison.Ordinal);
    }

    [Fact]
    public void Needs_an_access_token()
    {
        Assert.Throws<ArgumentException>(() => SaslMechanism.Create("XOAUTH2", new SaslCredentials("u", "password")));
    }
}
