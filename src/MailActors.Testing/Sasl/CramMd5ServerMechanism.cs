using MailActors.Protocol.Sasl;

namespace MailActors.Testing;

/// <summary>CRAM-MD5 (RFC 2195): the client answers <c>user SP hex(HMAC-MD5(password, challenge))</c>.</summary>
internal sealed class CramMd5ServerMechanism(IReadOnlyDictionary<string, string> users, string serverName) : SaslServerMechanism(users)
{
    private byte[] _challenge = [];

    public override SaslStep Start(byte[]? initialResponse)
    {
        if (initialResponse is not null)
        {
            return SaslStep.Failed();
        }

        _challenge = SaslServerVerifier.CreateCramMd5Challenge(serverName);
        return SaslStep.Continue(_challenge);
    }

    public override SaslStep Next(byte[] response) =>
        SaslServerVerifier.VerifyCramMd5(_challenge, response, PasswordOf, out var user) ? SaslStep.Succeeded(user!) : SaslStep.Failed();
}
