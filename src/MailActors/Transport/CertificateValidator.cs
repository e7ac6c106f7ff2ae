using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailActors.Transport;

/// <summary>Builds the validation callback for <see cref="TlsOptions"/>.</summary>
internal static class CertificateValidator
{
    public static RemoteCertificateValidationCallback For(TlsOptions options)
    {
        if (options.CertificateValidation is { } custom)
        {
            return custom;
        }
        if (options.AcceptAnyCertificate)
        {
            return static (_, _, _, _) => true;
        }
        var anchors = options.TrustedCertificates;
        return (_, certificate, chain, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }
            // A name mismatch or a missing certificate is never rescued by pinning.
            if (anchors is null || anchors.Count == 0 || certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
            {
                return false;
            }
            return ChainsToAnchor(new X509Certificate2(certificate), chain, anchors);
        };
    }

    private static bool ChainsToAnchor(X509Certificate2 leaf, X509Chain? presented, X509Certificate2Collection anchors)
    {
        foreach (var anchor in anchors)
        {
            if (anchor.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
            {
                return true;
            }
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return chain.Build(leaf);
    }
}
