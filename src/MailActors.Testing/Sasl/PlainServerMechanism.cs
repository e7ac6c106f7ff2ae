using MailActors.Protocol.Sasl;

namespace MailActors.Testing;

/// <summary>SASL PLAIN (RFC 4616): <c>authzid NUL authcid NUL passwd</c>; an authzid other than the authcid is refused.</summary>
internal sealed class PlainServerMechanism(IReadOnlyDictionary<string, string> users) : SaslServerMechanism(users)
{
    public override SaslStep Start(byte[]? initialResponse) =>
        initialResponse is null ? SaslStep.Continue([]) : Next(initialResponse);

    public override SaslStep Next(byte[] response) =>
        SaslServerVerifier.VerifyPlain(response, PasswordOf, out var user) ? SaslStep.Succeeded(user!) : SaslStep.Failed();
}
