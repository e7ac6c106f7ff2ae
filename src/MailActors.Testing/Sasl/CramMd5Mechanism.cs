using System.Security.Cryptography;
using System.Text;

namespace MailActors.Testing;

/// <summary>CRAM-MD5 (RFC 2195): the client answers <c>user SP hex(HMAC-MD5(password, challenge))</c>.</summary>
internal sealed class CramMd5Mechanism(IReadOnlyDictionary<string, string> users, string serverName) : SaslServerMechanism(users)
{
    private byte[] _challenge = [];

    public override SaslStep Start(byte[]? initialResponse)
    {
        if (initialResponse is not null)
        {
            return SaslStep.Failed();
        }

        _challenge = Encoding.ASCII.GetBytes(Timestamps.Next(serverName));
        return SaslStep.Continue(_challenge);
    }

    public override SaslStep Next(byte[] response)
    {
        var text = Encoding.UTF8.GetString(response);
        var space = text.LastIndexOf(' ');
        if (space <= 0)
        {
            return SaslStep.Failed();
        }

        var user = text[..space];
        var digest = text[(space + 1)..];
        if (!Users.TryGetValue(user, out var password))
        {
            return SaslStep.Failed();
        }

        var expected = Convert.ToHexStringLower(HMACMD5.HashData(Encoding.UTF8.GetBytes(password), _challenge));
        return string.Equals(expected, digest, StringComparison.OrdinalIgnoreCase) ? SaslStep.Succeeded(user) : SaslStep.Failed();
    }
}
