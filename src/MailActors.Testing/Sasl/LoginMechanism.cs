using System.Text;

namespace MailActors.Testing;

/// <summary>The non-standard but ubiquitous LOGIN mechanism: prompts "Username:" then "Password:".</summary>
internal sealed class LoginMechanism(IReadOnlyDictionary<string, string> users) : SaslServerMechanism(users)
{
    private static readonly byte[] UserPrompt = "Username:"u8.ToArray();
    private static readonly byte[] PasswordPrompt = "Password:"u8.ToArray();

    private string? _user;

    public override SaslStep Start(byte[]? initialResponse)
    {
        if (initialResponse is null)
        {
            return SaslStep.Continue(UserPrompt);
        }

        _user = Encoding.UTF8.GetString(initialResponse);
        return SaslStep.Continue(PasswordPrompt);
    }

    public override SaslStep Next(byte[] response)
    {
        if (_user is null)
        {
            _user = Encoding.UTF8.GetString(response);
            return SaslStep.Continue(PasswordPrompt);
        }

        return PasswordMatches(_user, Encoding.UTF8.GetString(response)) ? SaslStep.Succeeded(_user) : SaslStep.Failed();
    }
}
