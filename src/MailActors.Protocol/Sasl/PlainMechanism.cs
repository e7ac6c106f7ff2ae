using System.Text;

namespace MailActors.Protocol.Sasl;

/// <summary>RFC 4616 PLAIN: one message <c>authzid NUL authcid NUL passwd</c> (UTF-8). Use only over TLS.</summary>
public sealed class PlainMechanism : SaslMechanism
{
    private readonly byte[] _message;

    /// <summary>Prepares the PLAIN message.</summary>
    /// <param name="credentials">User name, password and optional authorization id (none may contain NUL).</param>
    /// <exception cref="ArgumentException">When a field contains NUL or the user name is empty.</exception>
    public PlainMechanism(SaslCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(credentials.UserName, nameof(credentials));
        string authzid = credentials.AuthorizationId ?? string.Empty;
        if (authzid.Contains('\0') || credentials.UserName.Contains('\0') || credentials.Password.Contains('\0'))
        {
            throw new ArgumentException("PLAIN credentials must not contain NUL characters.", nameof(credentials));
        }

        _message = Encoding.UTF8.GetBytes($"{authzid}\0{credentials.UserName}\0{credentials.Password}");
    }

    /// <inheritdoc/>
    public override string Name => SaslMechanismNames.Plain;

    /// <inheritdoc/>
    public override bool SupportsInitialResponse => true;

    /// <inheritdoc/>
    public override byte[]? InitialResponse()
    {
        IsCompleted = true;
        return (byte[])_message.Clone();
    }

    /// <summary>Answers the server's empty challenge (when no initial response was sent) with the PLAIN message.</summary>
    /// <param name="challenge">Must be empty.</param>
    /// <returns>The PLAIN message.</returns>
    /// <exception cref="SaslException">When the message was already sent or the challenge is not empty.</exception>
    public override byte[] Respond(ReadOnlySpan<byte> challenge)
    {
        if (IsCompleted)
        {
            throw new SaslException("PLAIN received a challenge after its only message was sent.");
        }

        if (!challenge.IsEmpty)
        {
            throw new SaslException("PLAIN expects an empty challenge.");
        }

        return InitialResponse()!;
    }
}
