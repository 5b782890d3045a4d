using System.CommandLine;
using CityTwin.Client.Tls;
using CityTwin.Grains;
using CityTwin.Silo;
using CityTwin.Silo.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CityTwin.Cli;

/// <summary><c>citytwin up</c>: runs a silo with the HTTP API, the city loaded into twin <c>live</c>.</summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = $"HTTP address of the API (default {SiloSettings.DefaultUrls})" };
        var storage = new Option<string?>("--storage") { Description = "Grain storage and membership: memory (default) or postgres" };
        storage.AcceptOnlyFromAmong("memory", "postgres");
        var dbInit = new Option<bool>("--db-init") { Description = "Create or upgrade the PostgreSQL schema before starting (as 'citytwin db init')" };
        var clusterId = new Option<string?>("--cluster-id") { Description = $"The cluster to form or join (with --storage postgres; default '{SiloSettings.DefaultClusterId}')" };
        var siloPort = new Option<int?>("--silo-port") { Description = "Orleans silo-to-silo port (default 11111)" };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = "Orleans gateway port for cluster clients (default 30000)" };
        var advertised = new Option<string?>("--advertised-address") { Description = "IP address other silos and clients reach this silo at (default 127.0.0.1)" };
        var tlsCertificate = new Option<string?>("--tls-certificate") { Description = "TLS on the gateway and silo ports with this certificate: a PFX file (password in CityTwin:Tls:Password) or a PEM file" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "The PEM private key of --tls-certificate, when it is in a file of its own" };
        var command = new Command("up", "Run a silo with the HTTP API, the city loaded into twin 'live'")
        {
            Cluster.CityOption, urls, storage, Settings.PostgresOption, dbInit, clusterId, siloPort, gatewayPort, advertised, tlsCertificate, tlsKey,
        };
        command.SetAction((parse, cancellationToken) => Run.GuardedAsync(async () =>
        {
            var configured = Settings.Load();
            var settings = configured with
            {
                CityDirectory = parse.GetValue(Cluster.CityOption) ?? configured.CityDirectory,
                Urls = parse.GetValue(urls) ?? configured.Urls,
                Storage = parse.GetValue(storage) is { } s ? Enum.Parse<StorageKind>(s, ignoreCase: true) : configured.Storage,
                Postgres = parse.GetValue(Settings.PostgresOption) ?? configured.Postgres,
                InitSchema = parse.GetValue(dbInit) || configured.InitSchema,
                ClusterId = parse.GetValue(clusterId) ?? configured.ClusterId,
                SiloPort = parse.GetValue(siloPort) ?? configured.SiloPort,
                GatewayPort = parse.GetValue(gatewayPort) ?? configured.GatewayPort,
                AdvertisedAddress = parse.GetValue(advertised) ?? configured.AdvertisedAddress,
                TlsCertificate = parse.GetValue(tlsCertificate) ?? configured.TlsCertificate,
                TlsKey = parse.GetValue(tlsKey) ?? configured.TlsKey,
            };
            Settings.Check(settings);
            settings = settings with { Tls = Settings.Guard(() => SiloTls.Load(settings)) };

            // A silo run by up always has a data directory (configured or the user's): its credentials and, without
            // PostgreSQL, its audit log live there.
            settings = settings with { DataDirectory = settings.DataDirectoryOrDefault };
            (settings, var notes) = Settings.Guard(() => CityTwinHost.PrepareLocalCredentials(settings, DateTimeOffset.UtcNow));
            var city = CityTwinHost.LoadCity(settings);
            await using var app = await CityTwinHost.CreateAsync(settings, city, cancellationToken);
            await app.StartAsync(cancellationToken);
            Console.WriteLine($"CityTwin is up: city '{city.Name}' in twin 'live' ({city.Districts.Count} districts, {city.Signals.Count} signals, " +
                $"{city.Links.Count} links, {city.Parking.Count} parking facilities, {city.Detectors.Count} detectors, {city.Cells.Count} cells of {city.CellSizeM:0} m)");
            Console.WriteLine(settings.Storage == StorageKind.Postgres
                ? $"Storage: PostgreSQL; cluster '{settings.ClusterId}', silo {settings.AdvertisedAddress}:{settings.SiloPort}, gateway port {settings.GatewayPort}"
                : $"Storage: in memory (nothing is kept when this process stops); gateway port {settings.GatewayPort}");
            Console.WriteLine($"Audit log: {app.Services.GetRequiredService<IAuditStore>().Where}");
            if (settings.Tls is { } tls)
            {
                Console.WriteLine($"TLS on the gateway and silo ports: certificate {tls.Certificate.Subject}, SHA-256 {ClusterTls.Sha256(tls.Certificate)} (clients pin it with ClusterTls.CertificateSha256)");
            }
            else if (settings.OrleansPortsExposedWithoutTls)
            {
                Console.Error.WriteLine($"citytwin: warning: the gateway (port {settings.GatewayPort}) and the silo port ({settings.SiloPort}) listen on all interfaces without TLS: cluster clients' tokens and the silos' calls travel in clear, and anyone who reaches the silo port is taken for a silo. Give the silos a certificate (--tls-certificate, CityTwin:Tls:Certificate; docs/security.md)");
            }

            foreach (var note in notes)
            {
                Console.WriteLine(note);
            }

            Console.WriteLine($"HTTP API: {string.Join(", ", CityTwinHost.Addresses(app))}  (GET /api/health; Ctrl+C stops)");
            await app.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
