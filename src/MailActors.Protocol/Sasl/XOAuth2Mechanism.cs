using System.Text;

namespace MailActors.Protocol.Sasl;

/// <summary>
/// XOAUTH2 (Google, Microsoft): one message <c>user=U ^A auth=Bearer T ^A ^A</c>. When the token is rejected the server sends
/// a JSON error as a challenge, which the client must answer with an empty response; the server then fails the command.
/// </summary>
public sealed class XOAuth2Mechanism : SaslMechanism
{
    private readonly byte[] _message;
    private bool _messageSent;

    /// <summary>Prepares the XOAUTH2 message.</summary>
    /// <param name="credentials">Credentials carrying an access token (see <see cref="SaslCredentials.OAuthToken"/>).</param>
    /// <exception cref="ArgumentException">When the credentials carry no access token.</exception>
    public XOAuth2Mechanism(SaslCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(credentials.UserName, nameof(credentials));
        if (!credentials.HasAccessToken)
        {
            throw new ArgumentException("XOAUTH2 needs credentials with an access token.", nameof(credentials));
        }

        _message = Encoding.UTF8.GetBytes($"user={credentials.UserName}\u0001auth=Bearer {credentials.AccessToken}\u0001\u0001");
    }

    /// <inheritdoc/>
    public override string Name => SaslMechanismNames.XOAuth2;

    /// <inheritdoc/>
    public override bool SupportsInitialResponse => true;

    /// <summary>The JSON error the server sent for a rejected token (status, schemes, scope), or null.</summary>
    public string? ServerError { get; private set; }

    /// <inheritdoc/>
    public override byte[]? InitialResponse()
    {
        _messageSent = true;
        IsCompleted = true;
        return (byte[])_message.Clone();
    }

    /// <summary>
    /// Before the message was sent, an (empty) challenge is answered with it; after, a challenge is the server's JSON error,
    /// kept in <see cref="ServerError"/> and answered with an empty response.
    /// </summary>
    /// <param name="challenge">The decoded challenge.</param>
    /// <returns>The XOAUTH2 message, or empty after an error challenge.</returns>
    /// <exception cref="SaslException">When a second error challenge arrives.</exception>
    public override byte[] Respond(ReadOnlySpan<byte> challenge)
    {
        if (!_messageSent)
        {
            return InitialResponse()!;
        }

        if (ServerError is not null)
        {
            throw new SaslException("XOAUTH2 received another challenge after the error challenge.");
        }

        ServerError = Encoding.UTF8.GetString(challenge);
        return [];
    }
}
