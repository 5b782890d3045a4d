using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CityTwin.Client.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace CityTwin.Silo.Security;

/// <summary>
/// TLS on a silo's Orleans connections, with the silo's certificate (<c>CityTwin:Tls:Certificate</c>): the gateway
/// speaks only TLS (cluster clients check the certificate; they present none), and so does the silo-to-silo port, in
/// both directions with both sides presenting a certificate: a silo accepts another only when its certificate is the
/// trusted one (<c>CityTwin:Tls:TrustedCertificate</c>; default: this silo's own, one certificate copied to every
/// silo) or issued by it. Silos reach each other by address, so names are not checked between silos.
/// </summary>
public sealed partial class SiloTls
{
    private SiloTls(X509Certificate2 certificate, X509Certificate2 trustedSilos)
    {
        Certificate = certificate;
        TrustedSilos = trustedSilos;
    }

    /// <summary>This silo's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>What other silos' certificates must be or be issued by.</summary>
    public X509Certificate2 TrustedSilos { get; }

    /// <summary>
    /// The TLS settings of <paramref name="settings"/>; null without a certificate. Throws <see cref="ArgumentException"/>
    /// naming the setting and the file when one cannot be used.
    /// </summary>
    public static SiloTls? Load(SiloSettings settings)
    {
        if (settings.TlsCertificate is not { } path)
        {
            return (settings.TlsKey, settings.TlsPassword, settings.TlsTrustedCertificate) is (null, null, null)
                ? null
                : throw new ArgumentException($"TLS settings (CityTwin:Tls:Key, :Password, :TrustedCertificate) are given without a certificate: set {SiloSettings.Section}:Tls:Certificate (--tls-certificate)");
        }

        var certificate = Read(path, $"--tls-certificate, {SiloSettings.Section}:Tls:Certificate", () =>
        {
            var pfx = Path.GetExtension(path).ToLowerInvariant() is ".pfx" or ".p12";
            return pfx
                ? X509CertificateLoader.LoadPkcs12FromFile(path, settings.TlsPassword)
                : X509Certificate2.CreateFromPemFile(path, settings.TlsKey);
        });
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException($"{path} (--tls-certificate, {SiloSettings.Section}:Tls:Certificate) holds no private key: give a PFX with its key, or the PEM key file as {SiloSettings.Section}:Tls:Key (--tls-key)");
        }

        var trusted = settings.TlsTrustedCertificate is { } ca
            ? Read(ca, $"{SiloSettings.Section}:Tls:TrustedCertificate", () => X509CertificateLoader.LoadCertificateFromFile(ca))
            : certificate;
        return new SiloTls(certificate, trusted);
    }

    /// <summary>A certificate built in code (tests, embedding).</summary>
    public static SiloTls From(X509Certificate2 certificate, X509Certificate2? trustedSilos = null) =>
        certificate.HasPrivateKey ? new SiloTls(certificate, trustedSilos ?? certificate) : throw new ArgumentException("the silo's certificate needs its private key", nameof(certificate));

    private static X509Certificate2 Read(string path, string setting, Func<X509Certificate2> read)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"{path} ({setting}) does not exist");
        }

        try
        {
            return read();
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"{path} ({setting}) cannot be read as a certificate: {e.Message}");
        }
    }

    /// <summary>Puts the gateway and the silo-to-silo connections on TLS (before any other connection middleware).</summary>
    public void Configure(ISiloBuilder silo)
    {
        silo.Configure<SiloConnectionOptions>(o =>
        {
            o.ConfigureGatewayInboundConnection(c => c.Use(Server(c, "gateway", clientCertificate: false)));
            o.ConfigureSiloInboundConnection(c => c.Use(Server(c, "silo port", clientCertificate: true)));
            o.ConfigureSiloOutboundConnection(c => c.Use(TlsTransport.Middleware(
                (ssl, connection, token) => ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = (connection.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "silo",
                        ClientCertificates = [Certificate],
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    },
                    token),
                (_, certificate, _, _) => IsTrustedSilo(certificate),
                Failed(c, "to a silo"))));
        });
    }

    private Func<ConnectionDelegate, ConnectionDelegate> Server(IConnectionBuilder connections, string port, bool clientCertificate) =>
        TlsTransport.Middleware(
            (ssl, _, token) => ssl.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificate = Certificate,
                    ClientCertificateRequired = clientCertificate,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                },
                token),
            (_, certificate, _, _) => !clientCertificate || IsTrustedSilo(certificate),
            Failed(connections, "on the " + port));

    private bool IsTrustedSilo(X509Certificate? certificate) => certificate is not null && PeerCertificates.IsIssuedBy(certificate, TrustedSilos);

    private static Action<ConnectionContext, Exception> Failed(IConnectionBuilder connections, string where)
    {
        var log = connections.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger<SiloTls>();
        return (connection, e) => LogFailed(log, where, connection.RemoteEndPoint?.ToString() ?? "an unknown address", e.GetBaseException().Message);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS handshake {Where} with {Remote} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string where, string remote, string reason);
}
