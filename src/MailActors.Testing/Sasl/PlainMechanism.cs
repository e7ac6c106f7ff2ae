using System.Text;

namespace MailActors.Testing;

/// <summary>SASL PLAIN (RFC 4616): <c>authzid NUL authcid NUL passwd</c>; an authzid other than the authcid is refused.</summary>
internal sealed class PlainMechanism(IReadOnlyDictionary<string, string> users) : SaslServerMechanism(users)
{
    public override SaslStep Start(byte[]? initialResponse) =>
        initialResponse is null ? SaslStep.Continue([]) : Next(initialResponse);

    public override SaslStep Next(byte[] response)
    {
        var parts = Encoding.UTF8.GetString(response).Split('\0');
        if (parts.Length != 3)
        {
            return SaslStep.Failed();
        }

        var (authorizationId, user, password) = (parts[0], parts[1], parts[2]);
        if (authorizationId.Length > 0 && authorizationId != user)
        {
            return SaslStep.Failed();
        }

        return PasswordMatches(user, password) ? SaslStep.Succeeded(user) : SaslStep.Failed();
    }
}
