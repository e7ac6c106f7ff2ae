using MailActors.Protocol.Sasl;

namespace MailActors.Testing;

/// <summary>Names of the SASL mechanisms the test servers can offer.</summary>
public static class SaslMechanisms
{
    /// <summary>PLAIN (RFC 4616).</summary>
    public const string Plain = SaslMechanismNames.Plain;

    /// <summary>LOGIN (draft-murchison-sasl-login).</summary>
    public const string Login = SaslMechanismNames.Login;

    /// <summary>CRAM-MD5 (RFC 2195).</summary>
    public const string CramMd5 = SaslMechanismNames.CramMd5;

    /// <summary>SCRAM-SHA-256 (RFC 7677), without channel binding.</summary>
    public const string ScramSha256 = SaslMechanismNames.ScramSha256;

    /// <summary>Creates the server side of <paramref name="mechanism"/>, or null when it is not one of the supported names.</summary>
    internal static SaslServerMechanism? CreateServer(string mechanism, IReadOnlyDictionary<string, string> users, string serverName) =>
        mechanism.ToUpperInvariant() switch
        {
            Plain => new PlainServerMechanism(users),
            Login => new LoginServerMechanism(users),
            CramMd5 => new CramMd5ServerMechanism(users, serverName),
            ScramSha256 => new ScramServerMechanism(users),
            _ => null,
        };
}
