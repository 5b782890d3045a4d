using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using CityTwin.Client;
using CityTwin.Client.Tls;

namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>
/// Two silo processes on PostgreSQL with TLS on their gateway and silo ports (one certificate, made here, given to both
/// as PEM files): they form one cluster, share one cluster secret from the database, serve each other's twins, and a
/// cluster client that pins the certificate reaches them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterTlsTests(PostgresFixture pg)
{
    [SkippableFact]
    public async Task Two_silos_with_tls_form_one_cluster_with_one_secret_and_serve_a_pinned_client()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        var dir = Directory.CreateTempSubdirectory("citytwin-cluster-tls-").FullName;
        try
        {
            using var certificate = GatewayTlsTests.SelfSigned("CN=citytwin-cluster");
            var pem = Path.Combine(dir, "silo.crt");
            var key = Path.Combine(dir, "silo.key");
            await File.WriteAllTextAsync(pem, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(key, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            string[] tls = ["--tls-certificate", pem, "--tls-key", key];

            await using var a = await SiloProcess.StartAsync(db, "tls", more: tls);
            await using var b = await SiloProcess.StartAsync(db, "tls", more: tls);
            Assert.Contains($"TLS on the gateway and silo ports: certificate CN=citytwin-cluster, SHA-256 {ClusterTls.Sha256(certificate)}", a.Log, StringComparison.Ordinal);
            Assert.DoesNotContain("without TLS", a.Log, StringComparison.Ordinal);
            await Events.EventuallyAsync(b.ActiveSilosAsync, n => n == 2, TimeSpan.FromSeconds(60));

            // One secret for the cluster, in the database; it appears in neither silo's output.
            var secret = Assert.Single(await PostgresFixture.QueryAsync(db, "SELECT secret FROM citytwin_cluster_secret WHERE cluster_id = 'tls'"));
            Assert.DoesNotContain(secret, a.Log + b.Log, StringComparison.Ordinal);

            // Events fed through one silo reach grains on both (the silos' calls to each other go over TLS and carry the
            // secret), and the other silo reads every one.
            var work = new Workload(SampleCity.Model, DateTimeOffset.UtcNow.AddHours(-1));
            for (var r = 0; r < 4; r++)
            {
                using var content = new ByteArrayContent(work.Round(r));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                Assert.True((await a.Http.PostAsync("/api/twins/live/ingest", content)).IsSuccessStatusCode);
            }

            await Events.EventuallyAsync(() => work.AcceptedPerSensorAsync(b.Http, "live"), c => work.Mismatches(c, 4).Count == 0, TimeSpan.FromSeconds(30));
            Assert.True(await ActivationsOnEachAsync(a) > 0);

            await using var client = await CityTwinClient.ConnectAsync([new IPEndPoint(IPAddress.Loopback, b.GatewayPort)], "tls", CliProcess.AdminToken, tls: ClusterTls.Pinned(certificate));
            await Events.EventuallyAsync(client.GetIngestLogAsync, log => log.Accepted == 4 * work.EventsPerRound);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The smallest number of activations on a silo of the cluster (both silos hold grains).</summary>
    private static async Task<int> ActivationsOnEachAsync(SiloProcess silo) =>
        (await silo.GetJsonAsync("/api/cluster")).GetProperty("silos").EnumerateArray().Min(s => s.GetProperty("activations").GetInt32());
}
