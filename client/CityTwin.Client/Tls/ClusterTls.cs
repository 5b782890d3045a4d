using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CityTwin.Client.Tls;

/// <summary>
/// TLS for a cluster client's gateway connection (<see cref="CityTwinClient.ConnectAsync(System.Net.IPEndPoint, string, string, ClusterTls?, CancellationToken)"/>):
/// how the client decides that the gateway's certificate is the cluster's. One of three ways, the first one set:
/// <list type="bullet">
/// <item><see cref="CertificateSha256"/>: the certificate must be exactly this one (a pin; for a self-signed certificate);</item>
/// <item><see cref="TrustedCertificate"/>: the certificate must be this one or be issued by it (a private CA, or the
/// self-signed certificate itself);</item>
/// <item>neither: the system's trusted authorities, and <see cref="ServerName"/> must be a name the certificate carries.</item>
/// </list>
/// With a pin or a trusted certificate, the name is checked only when <see cref="ServerName"/> is given (silos are
/// usually reached by address).
/// </summary>
public sealed record ClusterTls
{
    /// <summary>The SHA-256 of the gateway's certificate (64 hex digits, as <c>openssl x509 -fingerprint -sha256</c> prints it, colons allowed).</summary>
    public string? CertificateSha256 { get; init; }

    /// <summary>A certificate the gateway's certificate must be, or be issued by (chain built to it as the only root).</summary>
    public X509Certificate2? TrustedCertificate { get; init; }

    /// <summary>The name the gateway's certificate must carry; with neither a pin nor a trusted certificate, it is required.</summary>
    public string? ServerName { get; init; }

    /// <summary>TLS trusting exactly one certificate (its SHA-256), e.g. a silo's self-signed one.</summary>
    public static ClusterTls Pinned(X509Certificate2 certificate) => new() { CertificateSha256 = Sha256(certificate) };

    /// <summary>The SHA-256 of a certificate's bytes, 64 lower-case hex digits.</summary>
    public static string Sha256(X509Certificate certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData()));

    /// <summary>Throws <see cref="ArgumentException"/> when the options cannot decide anything.</summary>
    public void Validate()
    {
        if (CertificateSha256 is { } pin && Normalise(pin).Length != 64)
        {
            throw new ArgumentException($"ClusterTls.CertificateSha256 '{pin}' is not a SHA-256 (64 hex digits)");
        }

        if (CertificateSha256 is null && TrustedCertificate is null && string.IsNullOrWhiteSpace(ServerName))
        {
            throw new ArgumentException("ClusterTls needs CertificateSha256, TrustedCertificate or ServerName (the name the gateway's certificate carries, checked against the system's trusted authorities)");
        }
    }

    /// <summary>The name sent to the gateway (and checked when given).</summary>
    internal string TargetHost(string address) => ServerName ?? address;

    /// <summary>Whether the gateway's certificate is the cluster's; when not, why (for the error the client throws).</summary>
    internal string? Refusal(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return "the gateway sent no certificate";
        }

        if (CertificateSha256 is { } pin)
        {
            var sha = Sha256(certificate);
            return sha == Normalise(pin) ? null : $"its certificate ({certificate.Subject}, SHA-256 {sha}) is not the pinned one ({Normalise(pin)})";
        }

        var nameErrors = ServerName is null ? SslPolicyErrors.None : errors & SslPolicyErrors.RemoteCertificateNameMismatch;
        if (nameErrors != SslPolicyErrors.None)
        {
            return $"its certificate ({certificate.Subject}) does not carry the name '{ServerName}'";
        }

        if (TrustedCertificate is { } trusted)
        {
            return PeerCertificates.IsIssuedBy(certificate, trusted)
                ? null
                : $"its certificate ({certificate.Subject}, SHA-256 {Sha256(certificate)}) is neither the trusted certificate ({trusted.Subject}) nor issued by it";
        }

        return errors == SslPolicyErrors.None ? null : $"its certificate ({certificate.Subject}) is not trusted by this system ({errors})";
    }

    private static string Normalise(string pin) => pin.Replace(":", "", StringComparison.Ordinal).Trim().ToLowerInvariant();
}
