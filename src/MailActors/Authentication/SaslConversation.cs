using MailActors.Protocol.Sasl;

namespace MailActors.Authentication;

/// <summary>
/// The client side of one SASL exchange, independent of the protocol that carries it (SMTP AUTH with 334 challenges,
/// POP3 AUTH with "+ " continuations): the credential policy, the choice of mechanism, the base64 framing of each step
/// and the final check that a SCRAM server proved it knows the password. Both session actors drive one of these.
/// </summary>
internal sealed class SaslConversation
{
    private readonly SaslMechanism _mechanism;

    private SaslConversation(string name, SaslMechanism mechanism, string? initialResponse)
    {
        Mechanism = name;
        _mechanism = mechanism;
        InitialResponse = initialResponse;
    }

    /// <summary>The mechanism in use, upper case.</summary>
    public string Mechanism { get; }

    /// <summary>The base64 initial response to send with the AUTH command ("=" for an empty one), or null for none.</summary>
    public string? InitialResponse { get; }

    /// <summary>
    /// Refuses credentials over a connection without TLS unless the caller opted in (the AllowCleartextAuthentication
    /// rule both engines share).
    /// </summary>
    /// <returns>The error to report, or null when sending credentials is allowed.</returns>
    public static MailAuthenticationException? CheckCleartext(bool encrypted, bool allowCleartext) =>
        encrypted || allowCleartext
            ? null
            : new MailAuthenticationException(
                "Refusing to send credentials over an unencrypted connection: use STARTTLS/STLS or implicit TLS, or opt in with AllowCleartextAuthentication.");

    /// <summary>Starts a conversation with <paramref name="forced"/>, or the strongest mechanism in <paramref name="offered"/>.</summary>
    /// <exception cref="MailAuthenticationException">No usable mechanism, or the mechanism cannot start with these credentials.</exception>
    public static SaslConversation Start(IEnumerable<string> offered, SaslCredentials credentials, string? forced)
    {
        var offeredList = offered.ToArray();
        var name = forced?.ToUpperInvariant() ?? SaslMechanism.ChooseBest(offeredList, credentials)
            ?? throw new MailAuthenticationException(
                $"No supported SASL mechanism offered (server: {string.Join(' ', offeredList)}; client: {string.Join(' ', SaslMechanism.Supported)}).");
        try
        {
            var mechanism = SaslMechanism.Create(name, credentials);
            var initial = mechanism.SupportsInitialResponse ? mechanism.InitialResponse() : null;
            return new SaslConversation(name, mechanism, initial is null ? null : initial.Length == 0 ? "=" : Convert.ToBase64String(initial));
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or SaslException)
        {
            throw new MailAuthenticationException($"AUTH {name}: {e.Message}", e);
        }
    }

    /// <summary>Answers a base64 server challenge.</summary>
    /// <param name="challengeBase64">The challenge as sent.</param>
    /// <param name="error">Why the client cannot go on (it must then cancel with "*"); null on success.</param>
    /// <returns>The base64 response, or null when the exchange must be cancelled.</returns>
    public string? Respond(string challengeBase64, out MailAuthenticationException? error)
    {
        try
        {
            var challenge = Convert.FromBase64String(challengeBase64.Trim());
            error = null;
            return Convert.ToBase64String(_mechanism.Respond(challenge));
        }
        catch (Exception e) when (e is FormatException or SaslException)
        {
            error = new MailAuthenticationException($"AUTH {Mechanism} cancelled: {e.Message}", e);
            return null;
        }
    }

    /// <summary>Checks a success reply: a SCRAM server must have proved that it knows the password.</summary>
    /// <returns>The error to report, or null when the success can be trusted.</returns>
    public MailAuthenticationException? CheckSuccess() =>
        Mechanism.StartsWith("SCRAM-", StringComparison.Ordinal) && !_mechanism.IsCompleted
            ? new MailAuthenticationException($"AUTH {Mechanism}: the server accepted without proving it knows the password.")
            : null;
}
