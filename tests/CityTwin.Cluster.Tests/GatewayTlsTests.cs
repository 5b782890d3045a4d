using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CityTwin.Client;
using CityTwin.Client.Tls;
using CityTwin.Silo;
using CityTwin.Silo.Security;
using Microsoft.AspNetCore.Builder;

namespace CityTwin.Cluster.Tests;

/// <summary>
/// A silo whose gateway and silo port speak TLS with a self-signed certificate made here: clients that trust it (a pin,
/// or the certificate as the trusted one) connect; a plain client, a client that trusts another certificate and a
/// client that checks a name the certificate does not carry fail to connect, saying why; the silo port accepts only a
/// peer presenting the cluster's certificate; the HTTP API's own calls still work.
/// </summary>
public sealed class GatewayTlsTests(GatewayTlsTests.TlsSilo silo) : IClassFixture<GatewayTlsTests.TlsSilo>
{
    [Fact]
    public async Task A_client_that_pins_the_certificate_or_trusts_it_connects_and_its_calls_are_checked_as_before()
    {
        await using var pinned = await CityTwinClient.ConnectAsync(silo.Gateway, SiloHostFixture.TokenOf("ana"), tls: ClusterTls.Pinned(silo.Certificate));
        Assert.Equal("ana", pinned.Caller!.Name);
        Assert.Equal(Plans.Signal, (await pinned.GetSignalAsync(Plans.Signal)).Id);

        // The certificate without its key as the trusted one, and the address it was made for as the name.
        using var publicPart = X509CertificateLoader.LoadCertificate(silo.Certificate.RawData);
        await using var trusting = await CityTwinClient.ConnectAsync(silo.Gateway, SiloHostFixture.TokenOf("sensor-1"), tls: new ClusterTls { TrustedCertificate = publicPart, ServerName = "127.0.0.1" });
        var refused = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => trusting.GetSignalAsync(Plans.Signal));
        Assert.StartsWith("the token 'sensor-1' has the role sensor;", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_client_cannot_connect_to_a_tls_gateway()
    {
        // Without TLS the client cannot tell why the gateway closes the connection, and tries again (Orleans' default):
        // it is given ten seconds; the silo's log says why it refused.
        using var tenSeconds = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var plain = await Record.ExceptionAsync(() => CityTwinClient.ConnectAsync(silo.Gateway, SiloHostFixture.TokenOf("admin"), cancellationToken: tenSeconds.Token));
        Assert.NotNull(plain);
        await LogCapture.On(silo.App).WaitForAsync("TLS handshake on the gateway with ", " failed: ");
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_certificate_fails_to_connect_and_says_why()
    {
        using var other = SelfSigned("CN=someone else");
        var pin = await Assert.ThrowsAsync<AuthenticationException>(() => WithinAsync(CityTwinClient.ConnectAsync(silo.Gateway, SiloHostFixture.TokenOf("admin"), tls: ClusterTls.Pinned(other))));
        Assert.Contains($"is not the cluster's: its certificate (CN=citytwin-test, SHA-256 {ClusterTls.Sha256(silo.Certificate)}) is not the pinned one ({ClusterTls.Sha256(other)})", pin.Message, StringComparison.Ordinal);

        var trusted = await Assert.ThrowsAsync<AuthenticationException>(() => WithinAsync(CityTwinClient.ConnectAsync(silo.Gateway, SiloHostFixture.TokenOf("admin"), tls: new ClusterTls { TrustedCertificate = other })));
        Assert.Contains("is neither the trusted certificate (CN=someone else) nor issued by it", trusted.Message, StringComparison.Ordinal);

        var system = await Assert.ThrowsAsync<AuthenticationException>(() => WithinAsync(CityTwinClient.ConnectAsync(silo.Gateway, SiloHostFixture.TokenOf("admin"), tls: new ClusterTls { ServerName = "127.0.0.1" })));
        Assert.Contains("its certificate (CN=citytwin-test) is not trusted by this system", system.Message, StringComparison.Ordinal);

        using var publicPart = X509CertificateLoader.LoadCertificate(silo.Certificate.RawData);
        var name = await Assert.ThrowsAsync<AuthenticationException>(() => WithinAsync(CityTwinClient.ConnectAsync(silo.Gateway, SiloHostFixture.TokenOf("admin"), tls: new ClusterTls { TrustedCertificate = publicPart, ServerName = "twin.example" })));
        Assert.Contains("does not carry the name 'twin.example'", name.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tls_client_fails_against_a_gateway_without_tls_and_says_so()
    {
        var settings = SiloHostFixture.Settings();
        await using var app = CityTwinHost.Build(settings, SampleCity.Model);
        await app.StartAsync();
        var plainGateway = new IPEndPoint(IPAddress.Loopback, settings.GatewayPort);
        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => WithinAsync(CityTwinClient.ConnectAsync(plainGateway, SiloHostFixture.TokenOf("admin"), tls: ClusterTls.Pinned(silo.Certificate))));
        Assert.Contains($"no TLS handshake with the gateway at {plainGateway}", refused.Message, StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public async Task The_silo_port_takes_only_a_peer_that_presents_the_clusters_certificate()
    {
        // The cluster's certificate: the handshake completes.
        Assert.True(await SiloPortHandshakeAsync(silo.Certificate));

        // Another certificate, or none: the silo ends the handshake.
        using var other = SelfSigned("CN=not a silo");
        Assert.False(await SiloPortHandshakeAsync(other));
        Assert.False(await SiloPortHandshakeAsync(null));
        await LogCapture.On(silo.App).WaitForAsync("TLS handshake on the silo port with ", " failed: ");
    }

    [Fact]
    public async Task Calls_inside_a_tls_silo_still_work()
    {
        var twin = "tls-" + Guid.NewGuid().ToString("N")[..8];
        using var http = new HttpClient { BaseAddress = new Uri(CityTwinHost.Addresses(silo.App)[0]) };
        var api = new CityTwinHttpClient(http, SiloHostFixture.TokenOf("admin"));
        Assert.Equal(1, (await api.IngestAsync(twin, Events.Body(Events.Detector("DET-S01-E", DateTimeOffset.UtcNow, 1, 7)))).Accepted);
        await using var connected = await CityTwinClient.ConnectAsync(silo.Gateway, SiloHostFixture.TokenOf("pia"), tls: ClusterTls.Pinned(silo.Certificate));
        var client = connected.ForTwin(twin);
        await Events.EventuallyAsync(() => client.GetSignalAsync(Plans.Signal), s => s.Counters.Applied == 1);
    }

    [Fact]
    public void Certificates_are_read_from_pfx_and_pem_files_and_bad_settings_name_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("citytwin-tls-").FullName;
        try
        {
            using var cert = SelfSigned("CN=files");
            var pfx = Path.Combine(dir, "silo.pfx");
            File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pkcs12, "pw"));
            var pem = Path.Combine(dir, "silo.crt");
            var key = Path.Combine(dir, "silo.key");
            File.WriteAllText(pem, cert.ExportCertificatePem());
            File.WriteAllText(key, cert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

            Assert.Null(SiloTls.Load(new SiloSettings()));
            Assert.Equal(cert.Thumbprint, SiloTls.Load(new SiloSettings { TlsCertificate = pfx, TlsPassword = "pw" })!.Certificate.Thumbprint);
            var fromPem = SiloTls.Load(new SiloSettings { TlsCertificate = pem, TlsKey = key })!;
            Assert.True(fromPem.Certificate.HasPrivateKey);
            Assert.Equal(cert.Thumbprint, fromPem.TrustedSilos.Thumbprint);

            Assert.Equal($"{Path.Combine(dir, "none.pfx")} (--tls-certificate, CityTwin:Tls:Certificate) does not exist",
                Assert.Throws<ArgumentException>(() => SiloTls.Load(new SiloSettings { TlsCertificate = Path.Combine(dir, "none.pfx") })).Message);
            Assert.StartsWith($"{pfx} (--tls-certificate, CityTwin:Tls:Certificate) cannot be read as a certificate: ",
                Assert.Throws<ArgumentException>(() => SiloTls.Load(new SiloSettings { TlsCertificate = pfx, TlsPassword = "wrong" })).Message, StringComparison.Ordinal);
            Assert.StartsWith($"{pem} (--tls-certificate, CityTwin:Tls:Certificate) cannot be read as a certificate: ",
                Assert.Throws<ArgumentException>(() => SiloTls.Load(new SiloSettings { TlsCertificate = pem })).Message, StringComparison.Ordinal);
            Assert.StartsWith("TLS settings (CityTwin:Tls:Key, :Password, :TrustedCertificate) are given without a certificate",
                Assert.Throws<ArgumentException>(() => SiloTls.Load(new SiloSettings { TlsKey = key })).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Up_warns_only_when_the_orleans_ports_listen_beyond_this_machine_without_tls()
    {
        var exposed = new SiloSettings { Storage = StorageKind.Postgres, Postgres = "Host=db", AdvertisedAddress = "10.1.2.3" };
        Assert.True(exposed.OrleansPortsExposedWithoutTls);
        Assert.False((exposed with { TlsCertificate = "silo.pfx" }).OrleansPortsExposedWithoutTls);
        Assert.False((exposed with { AdvertisedAddress = "127.0.0.1" }).OrleansPortsExposedWithoutTls);
        Assert.False(new SiloSettings().OrleansPortsExposedWithoutTls);
    }

    /// <summary>A TLS handshake with the silo port as a silo would make it, presenting <paramref name="certificate"/>; true when it completed and the connection stayed open.</summary>
    private async Task<bool> SiloPortHandshakeAsync(X509Certificate2? certificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, silo.SiloPort);
        var expected = ClusterTls.Sha256(silo.Certificate);
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, presented, _, _) => presented is not null && ClusterTls.Sha256(presented) == expected);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                ClientCertificates = certificate is null ? null : [certificate],
            });

            // With TLS 1.3 the server checks the client's certificate after the client is done: a refusal closes the
            // connection, so a read ends; an accepted peer gets the silo's preamble.
            var buffer = new byte[4];
            var read = await ssl.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            return read > 0;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return false;
        }
    }

    private static async Task<T> WithinAsync<T>(Task<T> task) => await task.WaitAsync(TimeSpan.FromSeconds(60));

    /// <summary>A self-signed certificate for 127.0.0.1 (ECDSA P-256, server and client authentication), made here.</summary>
    public static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The TLS silo of these tests: the shared host's tokens, a certificate made for it.</summary>
    public sealed class TlsSilo : IAsyncLifetime
    {
        public X509Certificate2 Certificate { get; } = SelfSigned("CN=citytwin-test");

        public WebApplication App { get; private set; } = null!;

        public IPEndPoint Gateway { get; private set; } = null!;

        public int SiloPort { get; private set; }

        public async Task InitializeAsync()
        {
            var settings = SiloHostFixture.Settings() with { Tls = SiloTls.From(Certificate) };
            App = CityTwinHost.Build(settings, SampleCity.Model);
            LogCapture.On(App);
            await App.StartAsync();
            Gateway = new IPEndPoint(IPAddress.Loopback, settings.GatewayPort);
            SiloPort = settings.SiloPort;
        }

        public async Task DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
            Certificate.Dispose();
        }
    }
}
