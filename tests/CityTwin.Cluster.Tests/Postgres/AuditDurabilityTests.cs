using System.Net;
using CityTwin.Client;
using CityTwin.Contracts;
using CityTwin.Postgres;
using Npgsql;

namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>
/// The audit log on real PostgreSQL: table <c>citytwin_audit</c>, written before the answer, read by the silos that
/// come after, refusing every change in the database, numbered without gaps when several silos append at once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AuditDurabilityTests(PostgresFixture pg)
{
    [SkippableFact]
    public async Task Audit_entries_survive_their_silo_killed_and_a_new_silo_lists_them()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        const string Twin = "audit-pg";
        var silo = await SiloProcess.StartAsync(db, "audit");
        var ports = silo.Ports;
        var api = new CityTwinHttpClient(silo.Http);
        using (var create = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/twins", UriKind.Relative)) { Content = new StringContent($$"""{"id":"{{Twin}}","kind":"replay"}""", System.Text.Encoding.UTF8, "application/json") })
        {
            create.Headers.Add("CityTwin-Why", "study 4");
            using var response = await silo.Http.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Equal(PlanChangeStatus.Applied, (await api.ApplyPlanAsync(Twin, Plans.Signal, new PlanApplyRequest(Plans.Safe("pg-audit", 5), "", "evening peak", "ev-9"))).Status);
        using (var request = new HttpRequestMessage(HttpMethod.Delete, new Uri($"/api/twins/{Twin}", UriKind.Relative)))
        {
            request.Headers.Add("CityTwin-Why", "study over");
            request.Headers.Add("CityTwin-Evidence", "ticket-12");
            using var response = await silo.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // No goodbye: what the silo answered must already be in the table.
        await silo.KillAsync();
        await silo.DisposeAsync();
        Assert.Equal(["1|admin|replay|study 4", "2|admin|plan-apply|evening peak|ev-9", "3|admin|twin-delete|study over|ticket-12"],
            await PostgresFixture.QueryAsync(db, "SELECT concat_ws('|', seq, who, kind, why, evidence) FROM citytwin_audit ORDER BY seq"));

        await using var again = await SiloProcess.StartAsync(db, "audit", ports);
        var entries = await new CityTwinHttpClient(again.Http).GetAuditAsync();
        Assert.Equal(
            [(1L, "admin", AuditLog.Replay, "study 4", null, null), (2L, "admin", AuditLog.PlanApply, "evening peak", "ev-9", Twin), (3L, "admin", AuditLog.TwinDelete, "study over", (string?)"ticket-12", (string?)Twin)],
            entries.Select(e => (e.Sequence, e.Who, e.Kind, e.Why, e.EvidenceId, e.Twin)).ToArray());
        Assert.Contains($"replay twin '{Twin}' registered", entries[0].What, StringComparison.Ordinal);
        Assert.Contains("plan 'pg-audit' applied", entries[1].What, StringComparison.Ordinal);
        Assert.True(entries[1].Time >= entries[0].Time && entries[2].Time >= entries[1].Time);
        Assert.Contains("Audit log: PostgreSQL table citytwin_audit", again.Log, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_database_refuses_update_delete_and_truncate_on_the_audit_table()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        await using var source = NpgsqlDataSource.Create(db);
        var store = new PostgresAuditStore(source);
        await store.AppendAsync(new AuditRecord("ana", AuditLog.PlanApply, "signal S-01: plan 'a' applied", "why", "ev-1", "live"), DateTimeOffset.UtcNow);

        // As the database's superuser, who owns the table: the trigger refuses all the same, also for no rows.
        foreach (var (sql, op) in new[]
        {
            ("UPDATE citytwin_audit SET who = 'eve'", "UPDATE"),
            ("UPDATE citytwin_audit SET why = NULL WHERE false", "UPDATE"),
            ("DELETE FROM citytwin_audit WHERE seq = 1", "DELETE"),
            ("TRUNCATE citytwin_audit", "TRUNCATE"),
        })
        {
            await using var cmd = source.CreateCommand(sql);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Equal($"citytwin_audit is append-only: {op} is refused (entries can only be added)", refused.MessageText);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        Assert.Equal(["1|ana|why|ev-1"], await PostgresFixture.QueryAsync(db, "SELECT concat_ws('|', seq, who, why, evidence) FROM citytwin_audit"));

        // Applying the schema again (citytwin db init) keeps one trigger and the entry.
        await PostgresSchema.ApplyAsync(db);
        Assert.Equal(["1"], await PostgresFixture.QueryAsync(db, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'citytwin_audit'::regclass AND NOT tgisinternal"));
        Assert.Equal(["1"], await PostgresFixture.QueryAsync(db, "SELECT count(*) FROM citytwin_audit"));
    }

    [SkippableFact]
    public async Task Appends_from_two_data_sources_at_once_get_gap_free_increasing_numbers_and_times_in_order()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();

        // Two silos' connection pools.
        await using var sourceA = NpgsqlDataSource.Create(db);
        await using var sourceB = NpgsqlDataSource.Create(db);
        var all = await ConcurrentAuditAppends.RunAsync(new PostgresAuditStore(sourceA), new PostgresAuditStore(sourceB), each: 60);
        Assert.Equal(60, all.Count(e => e.Who == "b"));
        Assert.Equal(["120"], await PostgresFixture.QueryAsync(db, "SELECT count(*) FROM citytwin_audit"));
    }

    [SkippableFact]
    public async Task Audited_actions_sent_to_two_silos_at_once_are_numbered_without_gaps_and_listed_alike_by_both()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        await using var a = await SiloProcess.StartAsync(db, "audit-two");
        await using var b = await SiloProcess.StartAsync(db, "audit-two");
        const int Each = 12;
        var plan = Plans.Safe("two-silos", 3);

        // Each apply goes to its own twin, through the silo it is sent to, both silos at once.
        await Task.WhenAll(Enumerable.Range(0, 2 * Each).Select(async i =>
        {
            var api = new CityTwinHttpClient(i % 2 == 0 ? a.Http : b.Http);
            var result = await api.ApplyPlanAsync($"two-{i}", Plans.Signal, new PlanApplyRequest(plan, "", $"apply {i}", null));
            Assert.Equal(PlanChangeStatus.Applied, result.Status);
        }));

        var fromA = await new CityTwinHttpClient(a.Http).GetAuditAsync(kind: AuditLog.PlanApply);
        var fromB = await new CityTwinHttpClient(b.Http).GetAuditAsync(kind: AuditLog.PlanApply);
        Assert.Equal(Enumerable.Range(1, 2 * Each).Select(i => (long)i), fromA.Select(e => e.Sequence));
        Assert.Equal(fromA.Select(e => (e.Sequence, e.Time, e.Why)), fromB.Select(e => (e.Sequence, e.Time, e.Why)));
        Assert.Equal(Enumerable.Range(0, 2 * Each).Select(i => $"apply {i}").Order(StringComparer.Ordinal), fromA.Select(e => e.Why!).Order(StringComparer.Ordinal));
        Assert.All(fromA.Zip(fromA.Skip(1)), p => Assert.True(p.Second.Time >= p.First.Time));
    }
}
