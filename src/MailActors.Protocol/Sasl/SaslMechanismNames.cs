namespace MailActors.Protocol.Sasl;

/// <summary>The IANA names of the SASL mechanisms this library implements.</summary>
public static class SaslMechanismNames
{
    /// <summary>RFC 7677 SCRAM with SHA-256 (no channel binding).</summary>
    public const string ScramSha256 = "SCRAM-SHA-256";

    /// <summary>RFC 5802 SCRAM with SHA-1 (no channel binding).</summary>
    public const string ScramSha1 = "SCRAM-SHA-1";

    /// <summary>RFC 2195 challenge-response with HMAC-MD5.</summary>
    public const string CramMd5 = "CRAM-MD5";

    /// <summary>RFC 4616 clear-text user name and password.</summary>
    public const string Plain = "PLAIN";

    /// <summary>The non-standard but ubiquitous LOGIN mechanism (user name and password as two challenges).</summary>
    public const string Login = "LOGIN";

    /// <summary>Google/Microsoft OAuth 2.0 bearer-token mechanism.</summary>
    public const string XOAuth2 = "XOAUTH2";
}
