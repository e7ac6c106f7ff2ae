using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MailActors.Transport;

/// <summary>
/// How a session validates the server's certificate. Validation is on by default: the certificate must chain to a
/// trusted root (the system store, or <see cref="TrustedCertificates"/>) and match the host name.
/// </summary>
public sealed record TlsOptions
{
    /// <summary>Name to send as SNI and to check the certificate against; defaults to the host connected to.</summary>
    public string? TargetHost { get; init; }

    /// <summary>
    /// Extra trust anchors: a server certificate that is, or chains to, one of these is trusted (pinning a test
    /// certificate or a private CA). The host name is still checked.
    /// </summary>
    public X509Certificate2Collection? TrustedCertificates { get; init; }

    /// <summary>Turns validation off entirely. Only for tests against throwaway servers; never the default.</summary>
    public bool AcceptAnyCertificate { get; init; }

    /// <summary>Replaces the built-in validation when set.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }

    /// <summary>Client certificates to offer.</summary>
    public X509CertificateCollection? ClientCertificates { get; init; }

    /// <summary>Allowed protocol versions; <see cref="SslProtocols.None"/> lets the OS choose (TLS 1.2/1.3).</summary>
    public SslProtocols EnabledProtocols { get; init; } = SslProtocols.None;

    /// <summary>Checks certificate revocation online. Off by default because it needs the network.</summary>
    public bool CheckRevocation { get; init; }

    /// <summary>Default options: full validation against the system trust store.</summary>
    public static TlsOptions Default { get; } = new();
}
