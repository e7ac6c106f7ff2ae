namespace MailActors.Testing;

/// <summary>The server side of one SASL authentication exchange, verifying against a plaintext user table.</summary>
internal abstract class SaslServerMechanism
{
    protected SaslServerMechanism(IReadOnlyDictionary<string, string> users)
    {
        Users = users;
    }

    protected IReadOnlyDictionary<string, string> Users { get; }

    /// <summary>Begins the exchange; <paramref name="initialResponse"/> is null when the client sent none.</summary>
    public abstract SaslStep Start(byte[]? initialResponse);

    /// <summary>Handles the client's answer to the last challenge.</summary>
    public abstract SaslStep Next(byte[] response);

    protected bool PasswordMatches(string user, string password) =>
        Users.TryGetValue(user, out var expected) && string.Equals(expected, password, StringComparison.Ordinal);
}
