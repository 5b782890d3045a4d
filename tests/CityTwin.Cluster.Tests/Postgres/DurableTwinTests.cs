using System.Net.Http.Headers;
using System.Text.Json;
using Xunit.Abstractions;

namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>
/// The durable twin on real PostgreSQL with real silo processes: restarts, a silo killed right after it
/// answered, a silo killed mid-ingest in a three-silo cluster, and a silo that joins later.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DurableTwinTests(PostgresFixture pg, ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddHours(-1);

    [SkippableFact]
    public async Task State_written_by_one_silo_is_read_after_the_whole_cluster_restarts()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        var work = new Workload(SampleCity.Model, Start);
        const int Rounds = 20;

        await using (var a = await SiloProcess.StartAsync(db, "restart"))
        await using (var b = await SiloProcess.StartAsync(db, "restart"))
        {
            for (var r = 0; r < Rounds; r++)
            {
                var report = await PostAsync(r % 2 == 0 ? a : b, "live", work.Round(r));
                Assert.Equal(work.EventsPerRound, report.GetProperty("accepted").GetInt32());
            }

            await Events.EventuallyAsync(() => work.AcceptedPerSensorAsync(a.Http, "live"), c => work.Mismatches(c, Rounds).Count == 0, TimeSpan.FromSeconds(30));
            await a.StopAsync();
            await b.StopAsync();
        }

        // A graceful stop writes every grain's state and empties the intake journal: what follows is read from
        // grain state alone, by silos that never saw the events.
        Assert.Equal(["0"], await PostgresFixture.QueryAsync(db, "SELECT count(*) FROM citytwin_intake_journal"));

        await using var c = await SiloProcess.StartAsync(db, "restart");
        await using var d = await SiloProcess.StartAsync(db, "restart");
        Assert.Empty(work.Mismatches(await work.AcceptedPerSensorAsync(c.Http, "live"), Rounds));
        Assert.Empty(work.Mismatches(await work.AcceptedPerSensorAsync(d.Http, "live"), Rounds));
        var log = await c.GetJsonAsync("/api/twins/live/rejected");
        Assert.Equal(Rounds * work.EventsPerRound, log.GetProperty("accepted").GetInt64());
    }

    [SkippableFact]
    public async Task Events_answered_as_accepted_survive_their_silo_killed_right_after_the_answer()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        var work = new Workload(SampleCity.Model, Start);
        const int Rounds = 10;

        var silo = await SiloProcess.StartAsync(db, "kill-after-answer");
        var ports = silo.Ports;
        for (var r = 0; r < Rounds; r++)
        {
            Assert.Equal(work.EventsPerRound, (await PostAsync(silo, "live", work.Round(r))).GetProperty("accepted").GetInt32());
        }

        await silo.KillAsync();
        await silo.DisposeAsync();

        // Nothing was checkpointed yet: the accepted batches are in the journal only.
        var journaled = int.Parse(Assert.Single(await PostgresFixture.QueryAsync(db, "SELECT count(*) FROM citytwin_intake_journal")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(journaled > 0, "the killed silo had checkpointed already; the test would not exercise the journal");

        // The process is restarted at the same address (as a service manager would) and replaces its dead self.
        await using var again = await SiloProcess.StartAsync(db, "kill-after-answer", ports);
        Assert.Empty(work.Mismatches(await work.AcceptedPerSensorAsync(again.Http, "live"), Rounds));

        // The de-duplication windows were committed with the batches: the same events again are all repeats.
        for (var r = 0; r < Rounds; r++)
        {
            var report = await PostAsync(again, "live", work.Round(r));
            Assert.Equal(0, report.GetProperty("accepted").GetInt32());
            Assert.Equal(work.EventsPerRound, report.GetProperty("duplicates").GetInt32());
        }

        Assert.Empty(work.Mismatches(await work.AcceptedPerSensorAsync(again.Http, "live"), Rounds));
    }

    [SkippableFact]
    public async Task Three_silos_keep_serving_when_one_is_killed_mid_ingest_and_nothing_is_lost_or_doubled()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        var work = new Workload(SampleCity.Model, Start);
        const int Rounds = 150;
        const int KillAfter = 50;
        const string Twin = "failover";

        var silos = new List<SiloProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                silos.Add(await SiloProcess.StartAsync(db, "three"));
            }

            await Events.EventuallyAsync(() => silos[0].ActiveSilosAsync(), n => n == 3, TimeSpan.FromSeconds(30));
            var victim = silos[1];
            var next = 0;
            var sent = 0;
            var retries = 0;

            // Two senders, each posting whole rounds round-robin over the silos; a round that fails (the silo is
            // gone, or a grain it called was) is sent again to the next silo: at-least-once from the sender.
            async Task SenderAsync()
            {
                while (true)
                {
                    var r = Interlocked.Increment(ref next) - 1;
                    if (r >= Rounds)
                    {
                        return;
                    }

                    if (r == KillAfter)
                    {
                        await victim.KillAsync();
                    }

                    for (var attempt = 0; ; attempt++)
                    {
                        var silo = silos[(r + attempt) % silos.Count];
                        if (silo.HasExited)
                        {
                            continue;
                        }

                        try
                        {
                            await PostAsync(silo, Twin, work.Round(r));
                            Interlocked.Increment(ref sent);
                            break;
                        }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
                        {
                            Interlocked.Increment(ref retries);
                            Assert.True(attempt < 30, $"round {r} could not be delivered: {ex.Message}");
                            await Task.Delay(500);
                        }
                    }
                }
            }

            var watch = System.Diagnostics.Stopwatch.StartNew();
            await Task.WhenAll(SenderAsync(), SenderAsync());
            Assert.Equal(Rounds, sent);
            Assert.True(victim.HasExited);
            output.WriteLine($"{Rounds} rounds of {work.EventsPerRound} events sent in {watch.Elapsed.TotalSeconds:0.0} s with {retries} retried posts after the kill");

            // After recovery every sensor holds exactly the distinct events sent: nothing lost, nothing doubled.
            var survivor = silos[0];
            await Events.EventuallyAsync(() => work.AcceptedPerSensorAsync(survivor.Http, Twin), c => work.Mismatches(c, Rounds).Count == 0, TimeSpan.FromSeconds(90));
            Assert.Empty(work.Mismatches(await work.AcceptedPerSensorAsync(silos[2].Http, Twin), Rounds));
            output.WriteLine($"every sensor complete {watch.Elapsed.TotalSeconds:0.0} s after the first round");
            await Events.EventuallyAsync(() => survivor.ActiveSilosAsync(), n => n == 2, TimeSpan.FromSeconds(60));
        }
        finally
        {
            foreach (var s in silos)
            {
                await s.DisposeAsync();
            }
        }
    }

    [SkippableFact]
    public async Task A_silo_that_joins_later_takes_part()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        var work = new Workload(SampleCity.Model, Start);
        await using var a = await SiloProcess.StartAsync(db, "join");
        await using var b = await SiloProcess.StartAsync(db, "join");
        Assert.Equal(work.EventsPerRound, (await PostAsync(a, "before", work.Round(0))).GetProperty("accepted").GetInt32());

        await using var late = await SiloProcess.StartAsync(db, "join");
        var lateAddress = (await late.GetJsonAsync("/api/health")).GetProperty("silo").GetString();
        await Events.EventuallyAsync(() => a.ActiveSilosAsync(), n => n == 3, TimeSpan.FromSeconds(30));
        var before = await ActivationsAsync(a, lateAddress!);

        // New grains (a new twin's entities) are placed over all silos, the new one included.
        for (var r = 0; r < 3; r++)
        {
            Assert.Equal(work.EventsPerRound, (await PostAsync(a, "after", work.Round(r))).GetProperty("accepted").GetInt32());
        }

        var after = await ActivationsAsync(a, lateAddress!);
        Assert.True(after > before, $"the silo that joined later hosts {after} activations after the ingest, {before} before: it took no part");

        // Its gateway and HTTP API serve the whole cluster's state, the entities placed elsewhere included.
        Assert.Empty(work.Mismatches(await work.AcceptedPerSensorAsync(late.Http, "before"), 1));
        Assert.Empty(work.Mismatches(await work.AcceptedPerSensorAsync(late.Http, "after"), 3));
        await using var client = await CityTwin.Client.CityTwinClient.ConnectAsync([new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, late.GatewayPort)], "join", CliProcess.AdminToken, "after");
        var s01 = await client.GetSignalAsync("S-01");
        Assert.All(s01.Sensors, s => Assert.Equal(3, s.Applied));
    }

    private static async Task<JsonElement> PostAsync(SiloProcess silo, string twin, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await silo.Http.PostAsync($"/api/twins/{twin}/ingest", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"ingest on silo {silo.HttpPort}: {(int)response.StatusCode} {text}");
        var report = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(0, report.GetProperty("rejected").GetInt32());
        return report;
    }

    private static async Task<int> ActivationsAsync(SiloProcess silo, string address) =>
        (await silo.GetJsonAsync("/api/cluster")).GetProperty("silos").EnumerateArray()
            .Single(s => s.GetProperty("address").GetString() == address).GetProperty("activations").GetInt32();
}
