using System.Security.Cryptography.X509Certificates;

namespace CityTwin.Client.Tls;

/// <summary>Certificate checks against one trusted certificate, without the system's store.</summary>
public static class PeerCertificates
{
    /// <summary>
    /// True when <paramref name="certificate"/> is <paramref name="trusted"/> itself, or a chain built from it ends at
    /// <paramref name="trusted"/> as the only trusted root (within its validity; revocation not checked: a private CA
    /// rarely publishes it).
    /// </summary>
    public static bool IsIssuedBy(System.Security.Cryptography.X509Certificates.X509Certificate certificate, X509Certificate2 trusted)
    {
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (presented.RawDataMemory.Span.SequenceEqual(trusted.RawDataMemory.Span))
        {
            return DateTime.Now >= presented.NotBefore && DateTime.Now <= presented.NotAfter;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }
}
