using MailActors.Protocol.Sasl;

namespace MailActors.Testing;

/// <summary>The non-standard but ubiquitous LOGIN mechanism: prompts "Username:" then "Password:".</summary>
internal sealed class LoginServerMechanism(IReadOnlyDictionary<string, string> users) : SaslServerMechanism(users)
{
    private byte[]? _userNameResponse;

    public override SaslStep Start(byte[]? initialResponse) =>
        initialResponse is null ? SaslStep.Continue(SaslServerVerifier.LoginUserNamePrompt.ToArray()) : Next(initialResponse);

    public override SaslStep Next(byte[] response)
    {
        if (_userNameResponse is null)
        {
            _userNameResponse = response;
            return SaslStep.Continue(SaslServerVerifier.LoginPasswordPrompt.ToArray());
        }

        return SaslServerVerifier.VerifyLogin(_userNameResponse, response, PasswordOf, out var user) ? SaslStep.Succeeded(user!) : SaslStep.Failed();
    }
}
