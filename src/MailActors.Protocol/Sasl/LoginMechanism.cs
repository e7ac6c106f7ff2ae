using System.Text;

namespace MailActors.Protocol.Sasl;

/// <summary>
/// The LOGIN mechanism: the server prompts "Username:" then "Password:" (base64 on the wire, decoded here) and the client
/// answers each. Prompts are matched case-insensitively; an unrecognised prompt gets the user name first, then the password.
/// </summary>
public sealed class LoginMechanism : SaslMechanism
{
    private readonly byte[] _userName;
    private readonly byte[] _password;
    private bool _userNameSent;

    /// <summary>Prepares the answers.</summary>
    /// <param name="credentials">User name and password.</param>
    public LoginMechanism(SaslCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(credentials.UserName, nameof(credentials));
        _userName = Encoding.UTF8.GetBytes(credentials.UserName);
        _password = Encoding.UTF8.GetBytes(credentials.Password);
    }

    /// <inheritdoc/>
    public override string Name => SaslMechanismNames.Login;

    /// <inheritdoc/>
    public override bool SupportsInitialResponse => false;

    /// <inheritdoc/>
    public override byte[]? InitialResponse() => null;

    /// <summary>Answers a "Username:" or "Password:" prompt.</summary>
    /// <param name="challenge">The decoded prompt.</param>
    /// <returns>The user name or password.</returns>
    /// <exception cref="SaslException">When a prompt arrives after the password was sent.</exception>
    public override byte[] Respond(ReadOnlySpan<byte> challenge)
    {
        if (IsCompleted)
        {
            throw new SaslException("LOGIN received a prompt after the password was sent.");
        }

        string prompt = Encoding.UTF8.GetString(challenge).Trim();
        bool wantsPassword = prompt.Contains("pass", StringComparison.OrdinalIgnoreCase);
        bool wantsUserName = !wantsPassword
            && (prompt.Contains("user", StringComparison.OrdinalIgnoreCase) || prompt.Contains("login", StringComparison.OrdinalIgnoreCase));
        if (!wantsPassword && !wantsUserName)
        {
            wantsUserName = !_userNameSent;
        }

        if (wantsUserName)
        {
            _userNameSent = true;
            return (byte[])_userName.Clone();
        }

        IsCompleted = true;
        return (byte[])_password.Clone();
    }
}
