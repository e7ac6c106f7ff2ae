namespace MailActors.Protocol.Sasl;

/// <summary>
/// A client-side SASL mechanism (RFC 4422). Challenges and responses are raw bytes; the SMTP or POP3 layer does the base64.
/// One instance serves one authentication exchange.
/// </summary>
/// <remarks>
/// Flow: if <see cref="SupportsInitialResponse"/>, send <see cref="InitialResponse"/> with the AUTH command (call it only when
/// it is actually sent); then answer each server challenge with <see cref="Respond"/> until the server replies with success or
/// failure. On success, check <see cref="IsCompleted"/>: for SCRAM it is true only once the server proved it knows the
/// password, so a success reply without that proof must be treated as a failed authentication.
/// </remarks>
public abstract class SaslMechanism
{
    // Strongest first; ChooseBest walks this order.
    private static readonly string[] PasswordPreference =
    [
        SaslMechanismNames.ScramSha256,
        SaslMechanismNames.ScramSha1,
        SaslMechanismNames.CramMd5,
        SaslMechanismNames.Plain,
        SaslMechanismNames.Login,
    ];

    /// <summary>The IANA mechanism name, e.g. "PLAIN" or "SCRAM-SHA-256".</summary>
    public abstract string Name { get; }

    /// <summary>True when the mechanism can send data with the AUTH command itself (RFC 4954 initial response).</summary>
    public abstract bool SupportsInitialResponse { get; }

    /// <summary>
    /// True when the client has said everything the mechanism requires and, for mechanisms that authenticate the server
    /// (SCRAM), the server's final message verified.
    /// </summary>
    public bool IsCompleted { get; protected set; }

    /// <summary>The mechanisms <see cref="Create"/> knows, strongest first.</summary>
    public static IReadOnlyList<string> Supported { get; } = [.. PasswordPreference, SaslMechanismNames.XOAuth2];

    /// <summary>The client's first message, sent with the AUTH command.</summary>
    /// <returns>The bytes to send (possibly empty), or null when the mechanism has none (LOGIN, CRAM-MD5).</returns>
    public abstract byte[]? InitialResponse();

    /// <summary>Answers a server challenge.</summary>
    /// <param name="challenge">The decoded challenge bytes (empty for an empty "334 " challenge).</param>
    /// <returns>The response bytes (possibly empty).</returns>
    /// <exception cref="SaslException">On a malformed, forged or unexpected challenge.</exception>
    public abstract byte[] Respond(ReadOnlySpan<byte> challenge);

    /// <summary>Creates the named mechanism for one exchange.</summary>
    /// <param name="name">Mechanism name, case-insensitive (see <see cref="Supported"/>).</param>
    /// <param name="credentials">What to authenticate with.</param>
    /// <returns>A fresh mechanism instance.</returns>
    /// <exception cref="NotSupportedException">For a mechanism this library does not implement.</exception>
    /// <exception cref="ArgumentException">When the credentials cannot be used by the mechanism.</exception>
    public static SaslMechanism Create(string name, SaslCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(credentials);
        return name.ToUpperInvariant() switch
        {
            SaslMechanismNames.Plain => new PlainMechanism(credentials),
            SaslMechanismNames.Login => new LoginMechanism(credentials),
            SaslMechanismNames.CramMd5 => new CramMd5Mechanism(credentials),
            SaslMechanismNames.XOAuth2 => new XOAuth2Mechanism(credentials),
            SaslMechanismNames.ScramSha256 => new ScramMechanism(ScramAlgorithm.Sha256, credentials),
            SaslMechanismNames.ScramSha1 => new ScramMechanism(ScramAlgorithm.Sha1, credentials),
            _ => throw new NotSupportedException($"SASL mechanism '{name}' is not supported."),
        };
    }

    /// <summary>
    /// Picks the strongest mechanism among those the server offers that the credentials can use: XOAUTH2 when the credentials
    /// carry an access token, otherwise (with a password) SCRAM-SHA-256 &gt; SCRAM-SHA-1 &gt; CRAM-MD5 &gt; PLAIN &gt; LOGIN.
    /// </summary>
    /// <param name="offered">Mechanism names from the server's AUTH capability, any case.</param>
    /// <param name="credentials">What the client has.</param>
    /// <returns>The canonical (upper-case) name to use, or null when nothing fits.</returns>
    public static string? ChooseBest(IEnumerable<string> offered, SaslCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(offered);
        ArgumentNullException.ThrowIfNull(credentials);
        var offeredSet = new HashSet<string>(offered, StringComparer.OrdinalIgnoreCase);
        if (credentials.HasAccessToken && offeredSet.Contains(SaslMechanismNames.XOAuth2))
        {
            return SaslMechanismNames.XOAuth2;
        }

        if (!credentials.HasPassword)
        {
            return null;
        }

        return Array.Find(PasswordPreference, offeredSet.Contains);
    }
}
