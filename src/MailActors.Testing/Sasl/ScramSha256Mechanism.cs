using System.Security.Cryptography;
using System.Text;

namespace MailActors.Testing;

/// <summary>
/// SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding. The salt is random per exchange (the server keeps only
/// plaintext passwords), which a client cannot tell apart from a stored salt.
/// </summary>
internal sealed class ScramSha256Mechanism(IReadOnlyDictionary<string, string> users) : SaslServerMechanism(users)
{
    private const int Iterations = 4096;

    private Phase _phase = Phase.AwaitingClientFirst;
    private string _user = "";
    private string _clientFirstBare = "";
    private string _serverFirst = "";
    private string _nonce = "";
    private string _gs2Header = "";
    private byte[] _salt = [];

    private enum Phase
    {
        AwaitingClientFirst,
        AwaitingClientFinal,
        AwaitingAcknowledgement,
    }

    public override SaslStep Start(byte[]? initialResponse) =>
        initialResponse is null ? SaslStep.Continue([]) : Next(initialResponse);

    public override SaslStep Next(byte[] response) => _phase switch
    {
        Phase.AwaitingClientFirst => OnClientFirst(Encoding.UTF8.GetString(response)),
        Phase.AwaitingClientFinal => OnClientFinal(Encoding.UTF8.GetString(response)),
        _ => response.Length == 0 ? SaslStep.Succeeded(_user) : SaslStep.Failed(),
    };

    private SaslStep OnClientFirst(string message)
    {
        // gs2-header: "n,," or "y,," (no channel binding), optionally with "a=authzid".
        if (message.Length < 3 || (message[0] != 'n' && message[0] != 'y') || message[1] != ',')
        {
            return SaslStep.Failed();
        }

        var secondComma = message.IndexOf(',', 2);
        if (secondComma < 0)
        {
            return SaslStep.Failed();
        }

        _gs2Header = message[..(secondComma + 1)];
        _clientFirstBare = message[(secondComma + 1)..];
        var attributes = ParseAttributes(_clientFirstBare);
        if (!attributes.TryGetValue('n', out var name) || !attributes.TryGetValue('r', out var clientNonce) || clientNonce.Length == 0)
        {
            return SaslStep.Failed();
        }

        _user = name.Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
        _nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        _salt = RandomNumberGenerator.GetBytes(16);
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_salt)},i={Iterations}";
        _phase = Phase.AwaitingClientFinal;
        return SaslStep.Continue(Encoding.UTF8.GetBytes(_serverFirst));
    }

    private SaslStep OnClientFinal(string message)
    {
        var proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0 || !Users.TryGetValue(_user, out var password))
        {
            return SaslStep.Failed();
        }

        var withoutProof = message[..proofAt];
        var attributes = ParseAttributes(withoutProof);
        if (!attributes.TryGetValue('r', out var nonce) || nonce != _nonce
            || !attributes.TryGetValue('c', out var binding) || binding != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header)))
        {
            return SaslStep.Failed();
        }

        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(message[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            return SaslStep.Failed();
        }

        var saltedPassword = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), _salt, Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(saltedPassword, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientSignature = HMACSHA256.HashData(storedKey, authMessage);
        if (proof.Length != clientSignature.Length)
        {
            return SaslStep.Failed();
        }

        var recoveredClientKey = new byte[proof.Length];
        for (var i = 0; i < proof.Length; i++)
        {
            recoveredClientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        }

        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(recoveredClientKey), storedKey))
        {
            return SaslStep.Failed();
        }

        var serverKey = HMACSHA256.HashData(saltedPassword, "Server Key"u8);
        var serverSignature = HMACSHA256.HashData(serverKey, authMessage);
        _phase = Phase.AwaitingAcknowledgement;
        return SaslStep.Continue(Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature)));
    }

    private static Dictionary<char, string> ParseAttributes(string text)
    {
        var attributes = new Dictionary<char, string>();
        foreach (var part in text.Split(','))
        {
            if (part.Length >= 2 && part[1] == '=')
            {
                attributes.TryAdd(part[0], part[2..]);
            }
        }

        return attributes;
    }
}
