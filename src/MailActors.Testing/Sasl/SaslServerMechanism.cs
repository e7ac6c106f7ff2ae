namespace MailActors.Testing;

/// <summary>
/// The server side of one SASL authentication exchange, as a sequence of challenges. The checks themselves are
/// <see cref="MailActors.Protocol.Sasl.SaslServerVerifier"/>'s; this only keeps the state between the client's messages.
/// </summary>
internal abstract class SaslServerMechanism
{
    protected SaslServerMechanism(IReadOnlyDictionary<string, string> users)
    {
        PasswordOf = user => users.TryGetValue(user, out var password) ? password : null;
    }

    /// <summary>The user's plaintext password, or null for an unknown user.</summary>
    protected Func<string, string?> PasswordOf { get; }

    /// <summary>Begins the exchange; <paramref name="initialResponse"/> is null when the client sent none.</summary>
    public abstract SaslStep Start(byte[]? initialResponse);

    /// <summary>Handles the client's answer to the last challenge.</summary>
    public abstract SaslStep Next(byte[] response);
}
