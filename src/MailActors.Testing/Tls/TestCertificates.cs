using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailActors.Testing;

/// <summary>
/// Self-signed certificates for the test servers, generated in process. The <see cref="Localhost"/> certificate is
/// created once per process and shared by every server that does not bring its own, so clients can pin it or trust it
/// as a root (it is its own CA) while keeping certificate validation on.
/// </summary>
public static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> s_localhost = new(() => CreateSelfSigned("localhost"), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The shared certificate: ECDSA P-256, <c>CN=localhost</c>, SAN <c>DNS:localhost</c>, <c>IP:127.0.0.1</c>, <c>IP:::1</c>,
    /// basic constraints <c>CA:TRUE</c>, extended key usage serverAuth, valid from yesterday for ten years.
    /// </summary>
    public static X509Certificate2 Localhost => s_localhost.Value;

    /// <summary>Creates a new self-signed certificate (with private key) for <paramref name="hostName"/>, shaped like <see cref="Localhost"/>.</summary>
    public static X509Certificate2 CreateSelfSigned(string hostName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + hostName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());

        var now = DateTimeOffset.UtcNow;
        using var ephemeral = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));

        // A round trip through PKCS#12 gives a certificate whose key every TLS backend can use (ephemeral keys are not on all platforms).
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }
}
