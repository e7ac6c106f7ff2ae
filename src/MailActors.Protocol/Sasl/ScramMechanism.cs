using System.Security.Cryptography;
using System.Text;

namespace MailActors.Protocol.Sasl;

/// <summary>
/// SCRAM-SHA-256 (RFC 7677) and SCRAM-SHA-1 (RFC 5802) without channel binding (gs2 header "n,"). The password never crosses
/// the wire, and the server must prove it knows it: the exchange is only <see cref="SaslMechanism.IsCompleted"/> once the
/// server signature in the final message verified.
/// </summary>
public sealed class ScramMechanism : SaslMechanism
{
    /// <summary>Iteration counts above this are refused: a forged server-first could otherwise burn minutes of CPU.</summary>
    public const int MaxIterations = 1_000_000;

    private const int ClientNonceBytes = 24;

    private readonly ScramAlgorithm _algorithm;
    private readonly byte[] _password;
    private readonly string _gs2Header;
    private readonly string _clientFirstBare;
    private readonly string _clientNonce;
    private Step _step;
    private byte[]? _expectedServerSignature;

    /// <summary>Creates a SCRAM-SHA-256 exchange.</summary>
    /// <param name="credentials">User name, password and optional authorization id.</param>
    /// <exception cref="ArgumentException">When the user name or password contains characters SASLprep prohibits.</exception>
    public ScramMechanism(SaslCredentials credentials)
        : this(ScramAlgorithm.Sha256, credentials)
    {
    }

    internal ScramMechanism(ScramAlgorithm algorithm, SaslCredentials credentials, string? clientNonce = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(credentials.UserName, nameof(credentials));
        _algorithm = algorithm;
        _password = Encoding.UTF8.GetBytes(SaslPrep.Prepare(credentials.Password, "password"));
        _clientNonce = clientNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(ClientNonceBytes));
        string userName = ScramMessage.EscapeName(SaslPrep.Prepare(credentials.UserName, "user name"));
        _gs2Header = credentials.AuthorizationId is { Length: > 0 } authzid
            ? $"n,a={ScramMessage.EscapeName(SaslPrep.Prepare(authzid, "authorization id"))},"
            : "n,,";
        _clientFirstBare = $"n={userName},r={_clientNonce}";
    }

    private enum Step
    {
        Start,
        SentClientFirst,
        SentClientFinal,
        Verified,
    }

    /// <inheritdoc/>
    public override string Name => _algorithm.MechanismName;

    /// <inheritdoc/>
    public override bool SupportsInitialResponse => true;

    /// <summary>Returns the client-first message (<c>n,,n=user,r=nonce</c>).</summary>
    /// <returns>The client-first message.</returns>
    /// <exception cref="InvalidOperationException">When the exchange has already started.</exception>
    public override byte[]? InitialResponse()
    {
        if (_step != Step.Start)
        {
            throw new InvalidOperationException("The SCRAM client-first message was already produced.");
        }

        _step = Step.SentClientFirst;
        return Encoding.UTF8.GetBytes(_gs2Header + _clientFirstBare);
    }

    /// <summary>
    /// Answers, in turn: an empty challenge (no initial response was sent) with client-first; server-first with client-final
    /// (carrying the proof); server-final by verifying the server signature and answering with an empty response.
    /// </summary>
    /// <param name="challenge">The decoded challenge.</param>
    /// <returns>The next client message.</returns>
    /// <exception cref="SaslException">
    /// On a malformed message, a nonce that does not extend the client's, an unusable salt or iteration count, a mandatory
    /// extension, a server error (e=), a server signature that does not verify, or a challenge after verification.
    /// </exception>
    public override byte[] Respond(ReadOnlySpan<byte> challenge) => _step switch
    {
        Step.Start when challenge.IsEmpty => InitialResponse()!,
        Step.Start => throw new SaslException("SCRAM expected an empty first challenge."),
        Step.SentClientFirst => RespondToServerFirst(ScramMessage.DecodeUtf8(challenge)),
        Step.SentClientFinal => VerifyServerFinal(ScramMessage.DecodeUtf8(challenge)),
        _ => throw new SaslException("SCRAM received a challenge after the server was verified."),
    };

    private byte[] RespondToServerFirst(string serverFirst)
    {
        var attributes = ScramMessage.Parse(serverFirst);
        if (attributes.Count > 0 && attributes[0].Key == 'm')
        {
            throw new SaslException("The server requires a SCRAM extension this client does not support.");
        }

        if (attributes.Count < 3 || attributes[0].Key != 'r' || attributes[1].Key != 's' || attributes[2].Key != 'i')
        {
            throw new SaslException("Malformed SCRAM server-first message: expected r=, s=, i=.");
        }

        string nonce = attributes[0].Value;
        if (nonce.Length <= _clientNonce.Length || !nonce.StartsWith(_clientNonce, StringComparison.Ordinal))
        {
            throw new SaslException("The SCRAM server nonce does not extend the client nonce.");
        }

        byte[] salt = ScramMessage.DecodeBase64(attributes[1].Value, "salt");
        if (salt.Length == 0)
        {
            throw new SaslException("The SCRAM salt is empty.");
        }

        if (!int.TryParse(attributes[2].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int iterations)
            || iterations < 1 || iterations > MaxIterations)
        {
            throw new SaslException($"The SCRAM iteration count '{ScramMessage.Truncate(attributes[2].Value)}' is not acceptable.");
        }

        string clientFinalWithoutProof = $"c={Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header))},r={nonce}";
        byte[] authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirst},{clientFinalWithoutProof}");

        byte[] saltedPassword = _algorithm.SaltedPassword(_password, salt, iterations);
        byte[] clientKey = _algorithm.ClientKey(saltedPassword);
        byte[] storedKey = _algorithm.HashOf(clientKey);
        byte[] clientSignature = _algorithm.Hmac(storedKey, authMessage);
        byte[] clientProof = ScramAlgorithm.Xor(clientKey, clientSignature);
        _expectedServerSignature = _algorithm.Hmac(_algorithm.ServerKey(saltedPassword), authMessage);
        CryptographicOperations.ZeroMemory(saltedPassword);
        CryptographicOperations.ZeroMemory(clientKey);

        _step = Step.SentClientFinal;
        return Encoding.UTF8.GetBytes($"{clientFinalWithoutProof},p={Convert.ToBase64String(clientProof)}");
    }

    private byte[] VerifyServerFinal(string serverFinal)
    {
        var attributes = ScramMessage.Parse(serverFinal);
        switch (attributes[0].Key)
        {
            case 'e':
                throw new SaslException($"The SCRAM server reported an error: {ScramMessage.Truncate(attributes[0].Value)}.");
            case 'v':
                byte[] signature = ScramMessage.DecodeBase64(attributes[0].Value, "server signature");
                if (!CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature))
                {
                    throw new SaslException("The SCRAM server signature does not verify: the server does not know the password.");
                }

                _step = Step.Verified;
                IsCompleted = true;
                return [];
            default:
                throw new SaslException("Malformed SCRAM server-final message: expected v= or e=.");
        }
    }
}
