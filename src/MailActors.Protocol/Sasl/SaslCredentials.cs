namespace MailActors.Protocol.Sasl;

/// <summary>What a client authenticates with: a user name and a password, or (for XOAUTH2) an OAuth 2.0 access token.</summary>
/// <param name="UserName">The authentication identity.</param>
/// <param name="Password">The password; empty for token-only credentials.</param>
/// <param name="AuthorizationId">Optional identity to act as (PLAIN authzid, SCRAM a=); null to act as <paramref name="UserName"/>.</param>
/// <remarks><see cref="ToString"/> never shows the password or token, so credentials are safe to log.</remarks>
public sealed record SaslCredentials(string UserName, string Password, string? AuthorizationId = null)
{
    /// <summary>An OAuth 2.0 bearer token for XOAUTH2; null for password credentials.</summary>
    public string? AccessToken { get; init; }

    /// <summary>True when a non-empty password is present (the password mechanisms can be used).</summary>
    public bool HasPassword => !string.IsNullOrEmpty(Password);

    /// <summary>True when an access token is present (XOAUTH2 can be used).</summary>
    public bool HasAccessToken => !string.IsNullOrEmpty(AccessToken);

    /// <summary>Credentials for XOAUTH2: a user name and an OAuth 2.0 access token, no password.</summary>
    /// <param name="userName">The mailbox user (e.g. an email address).</param>
    /// <param name="accessToken">The bearer token.</param>
    /// <returns>Token credentials.</returns>
    public static SaslCredentials OAuthToken(string userName, string accessToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        return new SaslCredentials(userName, string.Empty) { AccessToken = accessToken };
    }

    /// <summary>Describes the credentials without their secrets.</summary>
    /// <returns>User name, authorization id and which secrets are present.</returns>
    public override string ToString() =>
        $"SaslCredentials {{ UserName = {UserName}, AuthorizationId = {AuthorizationId}, Password = {(HasPassword ? "***" : "(none)")}, AccessToken = {(HasAccessToken ? "***" : "(none)")} }}";
}
