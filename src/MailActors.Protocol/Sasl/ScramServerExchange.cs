using System.Security.Cryptography;
using System.Text;

namespace MailActors.Protocol.Sasl;

/// <summary>
/// The server side of one SCRAM exchange, for test servers: <see cref="ProcessClientFirst"/> answers with server-first,
/// <see cref="ProcessClientFinal"/> checks the client proof and answers with server-final. Create it through
/// <see cref="SaslServerVerifier.CreateScram"/>.
/// </summary>
public sealed class ScramServerExchange
{
    private const int ServerNonceBytes = 18;
    private const int SaltBytes = 16;

    private readonly ScramAlgorithm _algorithm;
    private readonly Func<string, string?> _passwordOf;
    private readonly int _iterations;
    private readonly string _serverNonce;
    private readonly byte[] _salt;
    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _gs2Header;
    private string? _nonce;
    private byte[]? _saltedPassword;

    internal ScramServerExchange(ScramAlgorithm algorithm, Func<string, string?> passwordOf, int iterations, string? serverNonce = null, byte[]? salt = null)
    {
        ArgumentNullException.ThrowIfNull(passwordOf);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        _algorithm = algorithm;
        _passwordOf = passwordOf;
        _iterations = iterations;
        _serverNonce = serverNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(ServerNonceBytes));
        _salt = salt ?? RandomNumberGenerator.GetBytes(SaltBytes);
    }

    /// <summary>The mechanism name ("SCRAM-SHA-256" or "SCRAM-SHA-1").</summary>
    public string MechanismName => _algorithm.MechanismName;

    /// <summary>The user named in client-first, once it has been processed.</summary>
    public string? UserName { get; private set; }

    /// <summary>True once <see cref="ProcessClientFinal"/> accepted the client's proof.</summary>
    public bool IsAuthenticated { get; private set; }

    /// <summary>Parses client-first and produces server-first (<c>r=nonce,s=salt,i=iterations</c>).</summary>
    /// <param name="clientFirst">The decoded client-first message.</param>
    /// <returns>The server-first message.</returns>
    /// <exception cref="SaslException">When the message is malformed or asks for channel binding.</exception>
    public byte[] ProcessClientFirst(ReadOnlySpan<byte> clientFirst)
    {
        if (_serverFirst is not null)
        {
            throw new InvalidOperationException("client-first was already processed.");
        }

        string text = ScramMessage.DecodeUtf8(clientFirst);
        // gs2-header = cbind-flag "," [authzid] ","
        int firstComma = text.IndexOf(',', StringComparison.Ordinal);
        int secondComma = firstComma < 0 ? -1 : text.IndexOf(',', firstComma + 1);
        if (secondComma < 0)
        {
            throw new SaslException("Malformed SCRAM client-first message.");
        }

        string flag = text[..firstComma];
        if (flag.StartsWith("p=", StringComparison.Ordinal))
        {
            throw new SaslException("Channel binding is not supported.");
        }

        if (flag is not ("n" or "y"))
        {
            throw new SaslException("Malformed SCRAM gs2 header.");
        }

        string authzid = text[(firstComma + 1)..secondComma];
        if (authzid.Length > 0 && !authzid.StartsWith("a=", StringComparison.Ordinal))
        {
            throw new SaslException("Malformed SCRAM authorization id.");
        }

        _gs2Header = text[..(secondComma + 1)];
        _clientFirstBare = text[(secondComma + 1)..];
        var attributes = ScramMessage.Parse(_clientFirstBare);
        if (attributes.Count < 2 || attributes[0].Key != 'n' || attributes[1].Key != 'r' || attributes[1].Value.Length == 0)
        {
            throw new SaslException("Malformed SCRAM client-first message: expected n=, r=.");
        }

        UserName = ScramMessage.UnescapeName(attributes[0].Value);
        _nonce = attributes[1].Value + _serverNonce;
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_salt)},i={_iterations.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

        // An unknown user still gets a well-formed server-first; its proof can never verify.
        string? password = _passwordOf(UserName);
        _saltedPassword = password is null
            ? RandomNumberGenerator.GetBytes(_algorithm.HashSize)
            : _algorithm.SaltedPassword(Encoding.UTF8.GetBytes(SaslPrep.Prepare(password, "password")), _salt, _iterations);
        return Encoding.UTF8.GetBytes(_serverFirst);
    }

    /// <summary>Checks client-final and produces server-final.</summary>
    /// <param name="clientFinal">The decoded client-final message.</param>
    /// <returns>
    /// <c>v=signature</c> when the proof is valid (and <see cref="IsAuthenticated"/> becomes true); otherwise <c>e=invalid-proof</c>
    /// (or another RFC 5802 error value), after which the server fails the authentication.
    /// </returns>
    /// <exception cref="InvalidOperationException">When client-first was not processed first.</exception>
    public byte[] ProcessClientFinal(ReadOnlySpan<byte> clientFinal)
    {
        if (_serverFirst is null || _saltedPassword is null)
        {
            throw new InvalidOperationException("client-first must be processed before client-final.");
        }

        string text = ScramMessage.DecodeUtf8(clientFinal);
        int proofAt = text.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            return "e=other-error"u8.ToArray();
        }

        var attributes = ScramMessage.Parse(text[..proofAt]);
        if (attributes.Count < 2 || attributes[0].Key != 'c' || attributes[1].Key != 'r')
        {
            return "e=other-error"u8.ToArray();
        }

        if (attributes[0].Value != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header!)))
        {
            return "e=channel-bindings-dont-match"u8.ToArray();
        }

        if (attributes[1].Value != _nonce)
        {
            return "e=other-error"u8.ToArray();
        }

        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(text[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            return "e=invalid-proof"u8.ToArray();
        }

        byte[] authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{text[..proofAt]}");
        byte[] storedKey = _algorithm.HashOf(_algorithm.ClientKey(_saltedPassword));
        byte[] clientSignature = _algorithm.Hmac(storedKey, authMessage);
        if (proof.Length != clientSignature.Length)
        {
            return "e=invalid-proof"u8.ToArray();
        }

        byte[] clientKey = ScramAlgorithm.Xor(proof, clientSignature);
        if (!CryptographicOperations.FixedTimeEquals(_algorithm.HashOf(clientKey), storedKey))
        {
            return "e=invalid-proof"u8.ToArray();
        }

        IsAuthenticated = true;
        byte[] serverSignature = _algorithm.Hmac(_algorithm.ServerKey(_saltedPassword), authMessage);
        return Encoding.UTF8.GetBytes($"v={Convert.ToBase64String(serverSignature)}");
    }
}
