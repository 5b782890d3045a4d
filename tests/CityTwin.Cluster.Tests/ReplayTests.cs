using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CityTwin.Cluster.Tests.Postgres;
using CityTwin.Contracts;
using CityTwin.Formats.Replay;
using CityTwin.Grains;

namespace CityTwin.Cluster.Tests;

/// <summary>The rows of a replay's kpis.csv, by column name.</summary>
internal sealed record KpiCsv(IReadOnlyList<Dictionary<string, string>> Rows)
{
    public static KpiCsv Read(string directory)
    {
        var lines = File.ReadAllLines(Path.Combine(directory, "kpis.csv"));
        var header = lines[0].Split(',');
        return new KpiCsv(lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToArray());
    }

    public IEnumerable<Dictionary<string, string>> Of(string kind, string id) => Rows.Where(r => r["kind"] == kind && r["id"] == id);
}

/// <summary>Helpers for replay tests: temp folders, files, hashes, the CLI.</summary>
internal static class Replays
{
    public static readonly DateTimeOffset Day = new(2026, 3, 10, 0, 0, 0, TimeSpan.Zero);

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citytwin-replay-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string Write(string dir, string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    public static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    public static async Task<(int Code, string Output, string Error)> ReplayAsync(params string[] args) =>
        await CliProcess.RunAsync(["replay", .. args], TimeSpan.FromSeconds(180));

    /// <summary>A short synthetic file of the sample city (the generator of the benchmark), written once.</summary>
    public static async Task<string> SyntheticAsync(string dir, int events)
    {
        var path = Path.Combine(dir, $"synthetic-{events}.ndjson");
        var (code, output, _) = await CliProcess.RunAsync(["synth-day", "--events", events.ToString(CultureInfo.InvariantCulture), "--seed", "7", "--day", "2026-03-10", "--out", path]);
        Assert.True(code == 0, output);
        return path;
    }
}

/// <summary><c>citytwin replay</c> as a process with its own embedded silo: ordering, determinism, bad lines, the real Birmingham records.</summary>
public sealed class ReplayCliTests
{
    [Fact]
    public async Task Events_out_of_file_order_are_applied_in_timestamp_order_and_equal_times_in_file_order()
    {
        var dir = Replays.TempDir();
        var t = Replays.Day.AddHours(8);

        // In time order: a count sets 10, two entries, an exit, then at 08:20 a count of 20 followed (same time, later
        // in the file) by an entry: 21. Applied in file order (newest first) the count at 08:00 would win (10).
        var inTimeOrder = new (DateTimeOffset Ts, string Line)[]
        {
            (t, Events.Occupancy("P-01", t, 1, 10)),
            (t.AddMinutes(1), Events.Parking("P-01", t.AddMinutes(1), 2, "entry")),
            (t.AddMinutes(2), Events.Parking("P-01", t.AddMinutes(2), 3, "entry")),
            (t.AddMinutes(3), Events.Parking("P-01", t.AddMinutes(3), 4, "exit")),
            (t.AddMinutes(20), Events.Occupancy("P-01", t.AddMinutes(20), 5, 20)),
            (t.AddMinutes(20), Events.Parking("P-01", t.AddMinutes(20), 6, "entry")),
        };
        var fileOrder = new[] { 4, 5, 3, 1, 2, 0 }.Select(i => inTimeOrder[i].Line).ToArray();
        Assert.True(fileOrder.ToList().IndexOf(inTimeOrder[4].Line) < fileOrder.ToList().IndexOf(inTimeOrder[5].Line));
        var file = Replays.Write(dir, "shuffled.ndjson", fileOrder);
        var (code, output, _) = await Replays.ReplayAsync(file, "--twin", "order", "--interval", "event", "--out", Path.Combine(dir, "out"));
        Assert.True(code == 0, output);

        // The oracle: fold the events in time order (stable), as the contract defines occupancy.
        var expected = new List<(string Ts, int Occupied)>();
        var occupied = 0;
        foreach (var group in inTimeOrder.GroupBy(e => e.Ts))
        {
            foreach (var (_, line) in group)
            {
                using var doc = JsonDocument.Parse(line);
                var e = doc.RootElement;
                occupied = e.GetProperty("type").GetString() == "parking-occupancy"
                    ? e.GetProperty("occupied").GetInt32()
                    : occupied + (e.GetProperty("event").GetString() == "entry" ? 1 : -1);
            }

            expected.Add((group.Key.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), occupied));
        }

        var rows = KpiCsv.Read(Path.Combine(dir, "out")).Of("facility", "P-01").Select(r => (r["ts"], int.Parse(r["occupied"], CultureInfo.InvariantCulture))).ToArray();
        Assert.Equal(expected, rows);
        Assert.Equal(21, rows[^1].Item2);
    }

    [Fact]
    public async Task Two_replays_at_max_and_at_a_finite_speed_give_byte_identical_kpi_files()
    {
        var dir = Replays.TempDir();
        var file = await Replays.SyntheticAsync(dir, 100_000);
        string[] window = ["--from", "2026-03-10T08:00:00Z", "--to", "2026-03-10T08:30:00Z", "--interval", "5m"];
        var fast = await Replays.ReplayAsync([file, "--twin", "det-a", "--speed", "max", "--out", Path.Combine(dir, "max"), .. window]);
        Assert.True(fast.Code == 0, fast.Output);

        // 30 minutes of event time at 400 x real speed: about 4.5 s of pacing, many small requests.
        var paced = await Replays.ReplayAsync([file, "--twin", "det-b", "--speed", "400", "--batch", "50", "--out", Path.Combine(dir, "paced"), .. window]);
        Assert.True(paced.Code == 0, paced.Output);

        var csv = KpiCsv.Read(Path.Combine(dir, "max"));
        Assert.True(csv.Rows.Count(r => r["kind"] == "signal") >= 30 * 6, $"{csv.Rows.Count} rows");
        Assert.Contains(csv.Rows, r => r["kind"] == "signal" && double.Parse(r["flowVehH"], CultureInfo.InvariantCulture) > 0);
        Assert.Equal(Replays.Hash(Path.Combine(dir, "max", "kpis.csv")), Replays.Hash(Path.Combine(dir, "paced", "kpis.csv")));
        Assert.Equal(Replays.Hash(Path.Combine(dir, "max", "kpis.html")), Replays.Hash(Path.Combine(dir, "paced", "kpis.html")));
    }

    [Fact]
    public async Task Bad_lines_are_reported_with_their_line_numbers_and_the_rest_is_applied()
    {
        var dir = Replays.TempDir();
        var t = Replays.Day.AddHours(9);
        var lines = new[]
        {
            Events.Parking("P-02", t, 1, "entry"),                                            // 1
            """{"type":"parking","sensor":"P-02","ts":"2026-03-10T09:01:00Z","seq":2}""",     // 2: no event
            Events.Parking("P-02", t.AddMinutes(2), 3, "entry"),                              // 3
            "{not json",                                                                      // 4
            Events.Parking("P-NOPE", t.AddMinutes(3), 1, "entry"),                            // 5: unknown sensor (the twin rejects it)
            "",                                                                               // 6: blank, skipped
            Events.Occupancy("P-02", t.AddMinutes(4), 4, 100_000),                            // 7: above capacity (the twin rejects it)
            Events.Parking("P-02", t.AddMinutes(5), 5, "exit"),                               // 8
        };
        var file = Replays.Write(dir, "bad.ndjson", lines);
        var (code, output, error) = await Replays.ReplayAsync(file, "--twin", "bad-lines", "--interval", "event", "--out", Path.Combine(dir, "out"));
        Assert.True(code == 2, output);
        Assert.Contains("bad.ndjson:2: missing field 'event'", error);
        Assert.Contains("bad.ndjson:4: ", error);
        Assert.Contains("bad.ndjson:5: unknown sensor 'P-NOPE'", error);
        Assert.Contains("bad.ndjson:7: occupied 100000 is above capacity", error);
        Assert.Equal(4, error.Split('\n').Count(l => l.StartsWith("bad.ndjson:", StringComparison.Ordinal)));
        Assert.Contains("accepted 3, duplicates 0, rejected 2, bad lines 2", output);

        var rows = KpiCsv.Read(Path.Combine(dir, "out")).Of("facility", "P-02").ToArray();
        Assert.Equal(["1", "2", "1"], rows.Select(r => r["occupied"]));
        Assert.Equal("3", rows[^1]["events"]);
    }

    [Fact]
    public async Task Csv_and_gzip_forms_replay_like_the_ndjson_and_name_the_bad_field()
    {
        var dir = Replays.TempDir();
        var t = Replays.Day.AddHours(7);
        var ndjson = Replays.Write(dir, "day.ndjson",
        [
            Events.Occupancy("P-03", t, 1, 40),
            Events.Parking("P-03", t.AddMinutes(5), 2, "entry"),
            Events.Detector("DET-S01-E", t.AddMinutes(1), 1, 12, 0.25, 60),
        ]);
        var csv = Replays.Write(dir, "day.csv",
        [
            RecordedDayReader.CsvHeader,
            "parking-occupancy,P-03,2026-03-10T07:00:00.000+00:00,1,,,,,,,40",
            "detector,DET-S01-E,2026-03-10T07:01:00.000+00:00,1,12,0.25,60,,,,",
            "detector,DET-S01-E,2026-03-10T07:02:00.000+00:00,2,many,0.25,60,,,,",
            "parking,P-03,2026-03-10T07:05:00.000+00:00,2,,,,,,entry,",
        ]);
        var gz = Path.Combine(dir, "day-csv.gz");
        await using (var target = new GZipStream(File.Create(gz), CompressionLevel.Optimal))
        {
            await target.WriteAsync(await File.ReadAllBytesAsync(csv));
        }

        var a = await Replays.ReplayAsync(ndjson, "--twin", "fmt-a", "--out", Path.Combine(dir, "a"));
        Assert.True(a.Code == 0, a.Output);
        var b = await Replays.ReplayAsync(csv, "--twin", "fmt-b", "--out", Path.Combine(dir, "b"));
        Assert.True(b.Code == 2, b.Output);
        Assert.Contains("day.csv:4: field 'count' must be an integer", b.Error);
        var c = await Replays.ReplayAsync(gz, "--twin", "fmt-c", "--out", Path.Combine(dir, "c"));
        Assert.True(c.Code == 2, c.Output);
        Assert.Contains("day-csv.gz:4: field 'count' must be an integer", c.Error);

        Assert.Equal(Replays.Hash(Path.Combine(dir, "a", "kpis.csv")), Replays.Hash(Path.Combine(dir, "b", "kpis.csv")));
        Assert.Equal(Replays.Hash(Path.Combine(dir, "a", "kpis.csv")), Replays.Hash(Path.Combine(dir, "c", "kpis.csv")));
    }

    [Theory]
    [InlineData("--twin|live", "--twin 'live' is the real-time twin")]
    [InlineData("--twin|no/slash", "is not a twin id")]
    [InlineData("--twin|r|--speed|0", "--speed '0' must be a positive number")]
    [InlineData("--twin|r|--interval|7x", "--interval '7x'")]
    [InlineData("--twin|r|--from|yesterday", "--from 'yesterday' is not an ISO 8601 time")]
    public async Task Bad_arguments_exit_2_naming_the_argument(string args, string message)
    {
        var dir = Replays.TempDir();
        var file = Replays.Write(dir, "one.ndjson", [Events.Parking("P-01", Replays.Day, 1, "entry")]);
        var (code, output, _) = await Replays.ReplayAsync([file, .. args.Split('|')]);
        Assert.True(code == 2, output);
        Assert.Contains(message, output);
    }

    [Fact]
    public async Task A_replay_of_a_real_Birmingham_day_matches_the_source_occupancy_at_every_timestamp()
    {
        var dir = Replays.TempDir();
        var source = Path.Combine(AppContext.BaseDirectory, "data", "parking-birmingham", "parking_birmingham_2016-11-15.csv");
        var city = Path.Combine(AppContext.BaseDirectory, "cities", "birmingham");
        var events = Path.Combine(dir, "birmingham.ndjson.gz");
        var convert = await CliProcess.RunAsync(["convert", "birmingham", source, "--city", city, "--out", events]);
        Assert.True(convert.ExitCode == 0, convert.Output);

        var perEvent = await Replays.ReplayAsync(events, "--twin", "bham", "--city", city, "--interval", "event", "--out", Path.Combine(dir, "event"));
        Assert.True(perEvent.Code == 0, perEvent.Output);
        var quarter = await Replays.ReplayAsync(events, "--twin", "bham", "--city", city, "--out", Path.Combine(dir, "15m"));
        Assert.True(quarter.Code == 0, quarter.Output);

        // The source, read independently: (facility id, UTC time) -> occupancy, the last record of a time winning.
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var records = File.ReadLines(source).Skip(1).Select(l => l.Split(',')).Select(c =>
        {
            var local = DateTime.ParseExact(c[3], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var utc = new DateTimeOffset(local, london.GetUtcOffset(local)).UtcDateTime;
            return (Id: c[0].Replace(' ', '_'), Utc: utc, Occupancy: int.Parse(c[2], CultureInfo.InvariantCulture));
        }).ToArray();
        Assert.Equal(504, records.Length);

        var rows = KpiCsv.Read(Path.Combine(dir, "event")).Rows.Where(r => r["kind"] == "facility")
            .ToDictionary(r => (r["id"], r["ts"]), r => int.Parse(r["occupied"], CultureInfo.InvariantCulture));
        var expected = records.GroupBy(r => (r.Id, r.Utc)).ToDictionary(g => (g.Key.Id, g.Key.Utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)), g => g.Last().Occupancy);
        Assert.Equal(expected.Count, rows.Count);
        foreach (var (key, occupancy) in expected)
        {
            Assert.True(rows.TryGetValue(key, out var replayed), $"no KPI row for {key}");
            Assert.True(occupancy == replayed, $"{key}: source {occupancy}, replay {replayed}");
        }

        // Every 15-minute row holds the newest record at or before its time.
        var quarters = KpiCsv.Read(Path.Combine(dir, "15m")).Rows.Where(r => r["kind"] == "facility").ToArray();
        Assert.NotEmpty(quarters);
        foreach (var r in quarters)
        {
            var at = DateTime.Parse(r["ts"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            var newest = records.Where(x => x.Id == r["id"] && x.Utc <= at).Last();
            Assert.True(newest.Occupancy.ToString(CultureInfo.InvariantCulture) == r["occupied"], $"{r["id"]} at {r["ts"]}: source {newest.Occupancy}, replay {r["occupied"]}");
        }
    }
}

/// <summary>Replays into a running silo (<c>--cluster</c>): the live twin untouched, lifecycle (list, delete, replay again).</summary>
[Collection(SiloHostCollection.Name)]
public sealed class ReplayClusterTests(SiloHostFixture host)
{
    private string Url => host.Http.BaseAddress!.ToString().TrimEnd('/');

    [Fact]
    public async Task A_replay_leaves_the_live_twin_snapshot_identical()
    {
        var now = DateTimeOffset.UtcNow;
        var report = await host.Api.IngestAsync(TwinKeys.Live, Events.Body(Events.Parking("P-04", now.AddMinutes(-1), 1, "entry"), Events.Detector("DET-S02-N", now.AddMinutes(-1), 1, 9)));
        Assert.Equal(2, report.Accepted);
        await Events.EventuallyAsync(() => host.Api.GetProgressAsync(TwinKeys.Live), p => p.Counters.Applied >= 2);
        var before = await host.Http.GetStringAsync(new Uri("/api/twins/live/snapshot", UriKind.Relative));

        var dir = Replays.TempDir();
        var t = Replays.Day.AddHours(8);
        var file = Replays.Write(dir, "iso.ndjson", Enumerable.Range(1, 50).SelectMany(i => new[]
        {
            Events.Parking("P-04", t.AddMinutes(i), i, "entry"),
            Events.Detector("DET-S02-N", t.AddMinutes(i), i, 10 + i),
        }));
        var twin = "iso-" + Guid.NewGuid().ToString("N")[..8];
        var (code, output, _) = await Replays.ReplayAsync(file, "--twin", twin, "--cluster", Url, "--token", SiloHostFixture.TokenOf("admin"), "--out", Path.Combine(dir, "out"));
        Assert.True(code == 0, output);

        var replayed = await host.Api.GetAsync<ParkingState>($"/api/twins/{twin}/parking/P-04");
        Assert.Equal(50, replayed.Entries);
        var after = await host.Http.GetStringAsync(new Uri("/api/twins/live/snapshot", UriKind.Relative));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task A_deleted_replay_twin_is_gone_and_a_new_replay_into_its_id_starts_from_nothing()
    {
        var dir = Replays.TempDir();
        var t = Replays.Day.AddHours(10);
        var file = Replays.Write(dir, "life.ndjson", Enumerable.Range(1, 30).Select(i => Events.Parking("P-05", t.AddMinutes(i), i, i % 3 == 0 ? "exit" : "entry")));
        var twin = "life-" + Guid.NewGuid().ToString("N")[..8];
        var first = await Replays.ReplayAsync(file, "--twin", twin, "--cluster", Url, "--token", SiloHostFixture.TokenOf("admin"), "--out", Path.Combine(dir, "first"));
        Assert.True(first.Code == 0, first.Output);

        var listed = await host.Api.ListTwinsAsync();
        Assert.Equal(TwinKeys.Live, listed[0].Id);
        var info = Assert.Single(listed, x => x.Id == twin);
        Assert.Equal((TwinKinds.Replay, 900, "life.ndjson"), (info.Kind, info.KpiIntervalS, info.Source));

        // A replay into an existing twin is refused unless --replace.
        var again = await Replays.ReplayAsync(file, "--twin", twin, "--cluster", Url, "--token", SiloHostFixture.TokenOf("admin"), "--out", Path.Combine(dir, "again"));
        Assert.True(again.Code == 2, again.Output);
        Assert.Contains("exists", again.Output);

        var list = await CliProcess.RunAsync(["twins", "list", "--cluster", Url, "--token", SiloHostFixture.TokenOf("admin")]);
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Contains(twin, list.Output);
        var delete = await CliProcess.RunAsync(["twins", "delete", twin, "--cluster", Url, "--token", SiloHostFixture.TokenOf("admin")]);
        Assert.True(delete.ExitCode == 0, delete.Output);

        Assert.DoesNotContain(await host.Api.ListTwinsAsync(), x => x.Id == twin);
        var state = await host.Api.GetAsync<ParkingState>($"/api/twins/{twin}/parking/P-05");
        Assert.Equal((0, 0L, 0L, 0L, (DateTimeOffset?)null), (state.Occupied, state.Entries, state.Exits, state.Counters.Applied, state.AsOf));
        var district = await host.Api.GetAsync<AreaState>($"/api/twins/{twin}/districts/{state.DistrictId}");
        Assert.Equal(0, district.FacilitiesReporting);
        Assert.Equal(0, (await host.Api.GetAsync<IngestLog>($"/api/twins/{twin}/rejected")).Accepted);
        using (var missing = await host.Http.GetAsync(new Uri($"/api/twins/{twin}/kpis?through=2026-03-10T12:00:00Z", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // The same file into the same id after deletion: the same KPIs as the first time (same seqs are not duplicates).
        var second = await Replays.ReplayAsync(file, "--twin", twin, "--cluster", Url, "--token", SiloHostFixture.TokenOf("admin"), "--out", Path.Combine(dir, "second"));
        Assert.True(second.Code == 0, second.Output);
        Assert.Contains("accepted 30, duplicates 0", second.Output);
        Assert.Equal(Replays.Hash(Path.Combine(dir, "first", "kpis.csv")), Replays.Hash(Path.Combine(dir, "second", "kpis.csv")));
        await host.Api.DeleteTwinAsync(twin);
    }

    [Fact]
    public async Task The_live_twin_cannot_be_deleted_nor_replayed_into_and_an_unknown_twin_is_404()
    {
        using (var live = await host.Http.DeleteAsync(new Uri("/api/twins/live", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, live.StatusCode);
        }

        using (var unknown = await host.Http.DeleteAsync(new Uri("/api/twins/never-made", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var clock = await host.Http.PostAsync(new Uri("/api/twins/live/ingest?clock=2026-03-10T08:00:00Z", UriKind.Relative), new ByteArrayContent(Events.Body(Events.Parking("P-01", Replays.Day, 1, "entry")))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, clock.StatusCode);
        }

        var cli = await CliProcess.RunAsync(["twins", "delete", "live", "--cluster", Url, "--token", SiloHostFixture.TokenOf("admin")]);
        Assert.True(cli.ExitCode == 2, cli.Output);
    }

    [Fact]
    public async Task A_replay_twin_judges_future_timestamps_by_the_replay_clock_not_the_wall_clock()
    {
        var twin = "clock-" + Guid.NewGuid().ToString("N")[..8];
        var clock = new DateTimeOffset(2016, 11, 15, 8, 0, 0, TimeSpan.Zero);
        var body = Events.Body(
            Events.Parking("P-01", clock.AddMinutes(4), 1, "entry"),     // within 5 min of the replay clock
            Events.Parking("P-01", clock.AddMinutes(6), 2, "entry"));    // ahead of it by 6 min: rejected, though years before the wall clock
        var report = await host.Api.IngestAsync(twin, body, clock);
        Assert.Equal((1, 1), (report.Accepted, report.Rejected));
        Assert.Equal(2, report.Errors.Single().Line);

        // A day in the future of the wall clock is accepted on its own replay clock.
        var future = DateTimeOffset.UtcNow.AddYears(3);
        var ahead = await host.Api.IngestAsync(twin, Events.Body(Events.Parking("P-01", future, 3, "entry")), future);
        Assert.Equal(1, ahead.Accepted);
        await host.Api.DeleteTwinAsync(twin);
    }
}

/// <summary>The same replay on a two-silo cluster gives the same KPI file as the command on its one embedded silo.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ReplayTwoSiloTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Kpis_of_a_replay_on_two_silos_equal_those_of_one_embedded_silo()
    {
        var dir = Replays.TempDir();
        var file = await Replays.SyntheticAsync(dir, 20_000);
        string[] window = ["--from", "2026-03-10T16:00:00Z", "--to", "2026-03-10T17:00:00Z", "--interval", "15m"];
        var single = await Replays.ReplayAsync([file, "--twin", "one", "--out", Path.Combine(dir, "one"), .. window]);
        Assert.True(single.Code == 0, single.Output);

        var twin = "two-" + Guid.NewGuid().ToString("N")[..8];
        var grains = fixture.Cluster.Client;
        Assert.NotNull(await grains.GetGrain<ITwinRegistryGrain>(0).CreateReplayAsync(twin, "synthetic", 900));
        var from = new DateTimeOffset(2026, 3, 10, 16, 0, 0, TimeSpan.Zero).UtcTicks;
        var to = new DateTimeOffset(2026, 3, 10, 17, 0, 0, TimeSpan.Zero).UtcTicks;
        var events = RecordedDayReader.ReadFile(file).Between(from, to);
        long accepted = 0;
        foreach (var chunk in events.Chunk(500))
        {
            var body = Encoding.UTF8.GetBytes(string.Join('\n', chunk.Select(e => Encoding.UTF8.GetString(e.Ndjson.Span))) + "\n");
            accepted += (await grains.GetGrain<IIngestGrain>(0).IngestAtAsync(twin, body, new DateTimeOffset(chunk[^1].TsTicks, TimeSpan.Zero))).Accepted;
        }

        Assert.Equal(events.Count, accepted);
        var lifecycle = grains.GetGrain<ITwinLifecycleGrain>(0);
        await Events.EventuallyAsync(() => lifecycle.GetProgressAsync(twin), p => p.Counters.Applied + p.Counters.Late >= accepted, TimeSpan.FromSeconds(60));
        var through = Engine.Replay.KpiRecorder.RowAtOrAfter(events[^1].TsTicks, 900 * TimeSpan.TicksPerSecond);
        var series = await lifecycle.GetKpisAsync(twin, new DateTimeOffset(through, TimeSpan.Zero));
        KpiFiles.Write(Path.Combine(dir, "two"), KpiTables.FromSeries(series), "Replay of " + Path.GetFileName(file));

        Assert.Equal(2, fixture.Cluster.GetActiveSilos().Count());
        Assert.NotEmpty(series.Entities);
        Assert.Equal(Replays.Hash(Path.Combine(dir, "one", "kpis.csv")), Replays.Hash(Path.Combine(dir, "two", "kpis.csv")));
        Assert.Equal(Replays.Hash(Path.Combine(dir, "one", "kpis.html")), Replays.Hash(Path.Combine(dir, "two", "kpis.html")));
        await lifecycle.DeleteAsync(twin);
    }
}
