namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>Deleting a replay twin on PostgreSQL storage: its grain state and intake journal are gone from the database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplayDeletionTests(PostgresFixture pg)
{
    [SkippableFact]
    public async Task Deleting_a_replay_twin_clears_its_stored_state_and_intake_journal_so_a_new_replay_starts_from_nothing()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        await using var silo = await SiloProcess.StartAsync(db, "replay-delete");
        var url = $"http://127.0.0.1:{silo.HttpPort}";
        var dir = Replays.TempDir();
        var t = Replays.Day.AddHours(9);
        var file = Replays.Write(dir, "pg.ndjson", Enumerable.Range(1, 40).SelectMany(i => new[]
        {
            Events.Parking("P-06", t.AddMinutes(i), i, i % 4 == 0 ? "exit" : "entry"),
            Events.Detector("DET-S03-E", t.AddMinutes(i), i, 5 + i),
        }));
        const string Twin = "pg-replay";
        var first = await Replays.ReplayAsync(file, "--twin", Twin, "--cluster", url, "--out", Path.Combine(dir, "first"));
        Assert.True(first.Code == 0, first.Output);

        var stored = $"SELECT count(*) FROM citytwin_grain_state WHERE key_string LIKE '{Twin}/%' AND payload IS NOT NULL";
        var heads = $"SELECT count(*) FROM citytwin_intake_head WHERE twin = '{Twin}'";
        var journal = $"SELECT count(*) FROM citytwin_intake_journal WHERE twin = '{Twin}'";

        // Entities, their cell and district checkpoint within 5 s; the intakes' heads are written with each batch.
        await Events.EventuallyAsync(() => PostgresFixture.QueryAsync(db, stored), r => int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture) >= 4, TimeSpan.FromSeconds(30));
        Assert.Equal(["2"], await PostgresFixture.QueryAsync(db, heads));

        var delete = await CliProcess.RunAsync(["twins", "delete", Twin, "--cluster", url]);
        Assert.True(delete.ExitCode == 0, delete.Output);
        Assert.Equal(["0"], await PostgresFixture.QueryAsync(db, stored));
        Assert.Equal(["0"], await PostgresFixture.QueryAsync(db, heads));
        Assert.Equal(["0"], await PostgresFixture.QueryAsync(db, journal));

        // Had the intake's de-duplication windows survived, the same seqs would now be duplicates.
        var second = await Replays.ReplayAsync(file, "--twin", Twin, "--cluster", url, "--out", Path.Combine(dir, "second"));
        Assert.True(second.Code == 0, second.Output);
        Assert.Contains("accepted 80, duplicates 0", second.Output);
        Assert.Equal(Replays.Hash(Path.Combine(dir, "first", "kpis.csv")), Replays.Hash(Path.Combine(dir, "second", "kpis.csv")));
    }
}
