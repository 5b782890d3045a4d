using CityTwin.Engine.City;
using CityTwin.Engine.Scenarios;
using CityTwin.Engine.Timing;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.GeoJson;
using CityTwin.Formats.Scenarios;

namespace CityTwin.Engine.Tests.Scenarios;

/// <summary>The scenario runner: work items, paired comparison, the decision rule and determinism.</summary>
public sealed class ScenarioRunnerTests
{
    private static readonly string CityFolder = Path.Combine(AppContext.BaseDirectory, "cities", "riverton");
    private static readonly Lazy<CityModel> Riverton = new(() => CityReader.ReadFolder(CityFolder));
    private static readonly string Samples = Path.Combine(AppContext.BaseDirectory, "scenarios");

    internal static (ScenarioScript Script, ScenarioData Data) Load(string file)
    {
        var read = ScenarioReader.Read(File.ReadAllText(Path.Combine(Samples, file)), Riverton.Value);
        Assert.True(read.Ok, string.Join("\n", read.Errors));
        return (read.Script!, ScenarioFiles.LoadData(read.Script!, Riverton.Value, CityFolder, Samples));
    }

    internal static ScenarioResult RunAll(ScenarioSetup setup) =>
        ScenarioRunner.Gather(Riverton.Value, setup, ScenarioRunner.WorkItems(setup).Select(i => ScenarioRunner.Run(Riverton.Value, setup, i)).ToList());

    [Theory]
    [InlineData("downtown-parking-pricing.yaml")]
    [InlineData("morning-peak-signal-timing.yaml")]
    public void A_sample_script_runs_and_decides_on_its_kpis(string file)
    {
        var (script, data) = Load(file);
        var result = RunAll(ScenarioRunner.Prepare(script, Riverton.Value, data, replications: 2));
        Assert.Equal(script.Alternatives.Count + 1, result.Arms.Count);
        Assert.Equal(2 * result.Arms.Count, result.Runs.Count);
        Assert.All(result.Runs, r => Assert.Equal(script.Kpis.Order(StringComparer.Ordinal), r.Kpis.Keys.Order(StringComparer.Ordinal)));
        Assert.All(result.Runs.SelectMany(r => r.Kpis.Values), v => Assert.True(double.IsFinite(v)));
        Assert.Matches("^(Choose '[a-z0-9-]+'|Keep the base)", result.Decision.Sentence);
        var parking = script.Kpis.Any(k => k.StartsWith("parking", StringComparison.Ordinal));
        Assert.Equal(parking, result.OccupancyHoursS.Count > 0);
        if (parking)
        {
            // Higher Old Town prices change the parking KPIs, and the occupancy series lies in 0..1.
            Assert.Contains(result.Arms[1].VsBase, c => c.Kpi == "parkingRevenue" && c.Change != 0);
            Assert.All(result.Arms.SelectMany(a => a.Occupancy), o => Assert.InRange(o, 0, 1));
        }
    }

    [Fact]
    public void Work_items_are_arm_by_replication_with_the_same_seed_in_every_arm()
    {
        var (script, data) = Load("lane-closure-corridor.yaml");
        var setup = ScenarioRunner.Prepare(script, Riverton.Value, data, replications: 3);
        var items = ScenarioRunner.WorkItems(setup);
        Assert.Equal(["base", "closure", "closure-optimised"], setup.Arms.Select(a => a.Name));
        Assert.Equal(9, items.Count);
        Assert.Equal(Enumerable.Range(0, 9), items.Select(i => i.Index));
        foreach (var r in items.GroupBy(i => i.Replication))
        {
            Assert.Equal(3, r.Count());
            Assert.Single(r.Select(i => i.Seed).Distinct());
            Assert.Equal(script.Seed + (ulong)r.Key, r.First().Seed);
        }

        // The closure arms close one lane of each named link over the whole run; the base closes nothing.
        Assert.Empty(setup.Arms[0].Closures);
        Assert.Equal(["L-013", "L-015"], setup.Arms[1].Closures.Select(c => c.LinkId));
        Assert.All(setup.Arms[1].Closures, c => Assert.Equal(1, c.LanesClosed));

        // Only the re-optimised arm changes plans, and every one of its plans passes the safety rules.
        Assert.Equal(setup.Arms[0].Plans, setup.Arms[1].Plans);
        var city = Riverton.Value;
        Assert.Contains(city.Signals, s => setup.Arms[2].Plans[s.Id] != s.Plan);
        Assert.All(city.Signals, s => Assert.Empty(SafetyRules.Check(s, setup.Arms[2].Plans[s.Id], SafetyProfile.For(city, s))));
    }

    [Fact]
    public void The_same_seed_gives_the_same_results_json_and_another_seed_does_not()
    {
        var (script, data) = Load("stadium-event-evening.yaml");
        string Json(ulong seed)
        {
            var setup = ScenarioRunner.Prepare(script with { Seed = seed }, Riverton.Value, data, replications: 2);
            return ScenarioJson.Write(RunAll(setup));
        }

        var a = Json(5);
        Assert.Equal(a, Json(5));
        Assert.NotEqual(a, Json(6));
    }

    [Fact]
    public void The_setup_and_a_run_survive_the_json_they_cross_the_wire_in()
    {
        var (script, data) = Load("lane-closure-corridor.yaml");
        var setup = ScenarioRunner.Prepare(script, Riverton.Value, data, replications: 2);
        var copy = ScenarioJson.Read<ScenarioSetup>(ScenarioJson.Write(setup));
        var item = ScenarioRunner.WorkItems(setup)[1];
        var direct = ScenarioRunner.Run(Riverton.Value, setup, item);
        var viaJson = ScenarioRunner.Run(Riverton.Value, copy, item);
        Assert.Equal(ScenarioJson.Write(direct), ScenarioJson.Write(viaJson));
        Assert.Equal(ScenarioJson.Write(direct), ScenarioJson.Write(ScenarioJson.Read<ScenarioRun>(ScenarioJson.Write(direct))));
    }

    [Fact]
    public void An_event_adds_its_trips_and_a_lane_closure_adds_delay()
    {
        var (script, data) = Load("stadium-event-evening.yaml");
        var result = RunAll(ScenarioRunner.Prepare(script, Riverton.Value, data, replications: 2));
        var runs = result.Runs;
        var baseTrips = runs.Where(r => r.Arm == "base").Select(r => r.Trips).ToArray();
        var eventTrips = runs.Where(r => r.Arm == "event-design-plans").Select(r => r.Trips).ToArray();

        // 4,000 cars in 17:30-19:00, all inside the window: exactly that many more trips (whole numbers of vehicles).
        Assert.Equal(baseTrips.Select(t => t + 4000), eventTrips);
        var delay = result.Arms[1].VsBase.First(c => c.Kpi == "totalDelayVehH");
        Assert.True(delay.Low > 0, $"the event must add delay: {delay}");
    }

    // Paired differences -10, -11, -9, -10: mean -10, s = 0.8165; t(0.975, 3) = 3.182 (any t table, e.g. NIST/SEMATECH
    // e-Handbook 1.3.6.7.2), so the 95% interval is -10 +- 3.182 x 0.8165 / 2 = -11.30 to -8.70 (% of a base of 100).
    [Theory]
    [InlineData(0.05, "better")]
    [InlineData(0.08, "better")]
    [InlineData(0.09, null)]
    [InlineData(0.10, null)]
    public void The_decision_needs_the_whole_interval_beyond_the_threshold(double minImprovement, string? chosen)
    {
        var (script, data) = Load("morning-peak-signal-timing.yaml");
        script = script with
        {
            Replications = 4,
            Kpis = ["totalDelayVehH"],
            Decision = script.Decision with { MinImprovement = minImprovement },
            Alternatives = [script.Alternatives[1] with { Name = "better" }],
        };
        var setup = new ScenarioSetup(script, data, [new ScenarioArm("base", null, new Dictionary<string, TimingPlan>(), SignalControl.FixedTime, [], 1, [], new Dictionary<string, double>(), new Dictionary<string, int>(), []), new ScenarioArm("better", null, new Dictionary<string, TimingPlan>(), SignalControl.FixedTime, [], 1, [], new Dictionary<string, double>(), new Dictionary<string, int>(), [])], true, false, 1, 300);
        double[] b = [100, 102, 98, 100], a = [90, 91, 89, 90];
        var runs = Enumerable.Range(0, 4).SelectMany(r => new[]
        {
            new ScenarioRun(2 * r, "base", r, (ulong)r, new Dictionary<string, double> { ["totalDelayVehH"] = b[r] }, [], [], [], 0),
            new ScenarioRun((2 * r) + 1, "better", r, (ulong)r, new Dictionary<string, double> { ["totalDelayVehH"] = a[r] }, [], [], [], 0),
        }).ToList();
        var result = ScenarioRunner.Gather(Riverton.Value, setup, runs);
        var c = result.Arms[1].VsBase.Single();
        Assert.Equal(-10, c.Change, 9);
        Assert.Equal(-11.299, c.Low, 3);
        Assert.Equal(-8.701, c.High, 3);
        Assert.Equal(-10, c.ChangePercent!.Value, 9);
        Assert.Equal(chosen, result.Decision.Chosen);
        Assert.StartsWith(chosen is null ? "Keep the base" : "Choose 'better'", result.Decision.Sentence, StringComparison.Ordinal);
    }

    private const string RecordedScript = """
        scenario: s
        base: { from: recorded, recorded: day.ndjson }
        window: { from: "07:00", to: "08:00" }
        alternatives:
          - name: mp
            signals: { control: max-pressure }
        """;

    [Fact]
    public void A_recorded_base_is_accepted_but_needs_the_frozen_state_of_its_replay()
    {
        var read = ScenarioReader.Read(RecordedScript, Riverton.Value);
        Assert.True(read.Ok, string.Join("\n", read.Errors));
        Assert.Empty(ScenarioRunner.Check(read.Script!, null));
        var data = ScenarioFiles.LoadData(read.Script!, Riverton.Value, CityFolder, Samples);
        var error = Assert.Single(ScenarioRunner.Check(read.Script!, data));
        Assert.Contains("base.from: recorded", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recorded_base_replays_the_events_before_the_window_start_on_the_day_of_its_first_event_in_its_offset()
    {
        var folder = Directory.CreateTempSubdirectory("citytwin-recorded-").FullName;
        try
        {
            // First event 05:59 at +01:00 on 15 November: 07:00 is 2016-11-15T07:00+01:00 = 06:00Z. Lines out of order on purpose.
            await File.WriteAllLinesAsync(Path.Combine(folder, "day.ndjson"), [
                """{"type":"parking-occupancy","sensor":"P-01","ts":"2016-11-15T06:30:00+01:00","seq":2,"occupied":20}""",
                """{"type":"parking-occupancy","sensor":"P-01","ts":"2016-11-15T05:59:00+01:00","seq":1,"occupied":10}""",
                """{"type":"parking-occupancy","sensor":"P-01","ts":"2016-11-15T06:00:00Z","seq":3,"occupied":30}""",
                """{"type":"parking-occupancy","sensor":"P-01","ts":"2016-11-15T06:59:59+01:00","seq":4,"occupied":40}""",
            ]);
            var script = ScenarioReader.Read(RecordedScript, Riverton.Value).Script!;
            var (day, start, before) = ScenarioFiles.ReadRecorded(script, folder);
            Assert.Equal(new DateTimeOffset(2016, 11, 15, 7, 0, 0, TimeSpan.FromHours(1)), start);
            Assert.Equal(TimeSpan.FromHours(1), start.Offset);
            Assert.Equal(4, day.Events.Count);
            Assert.Equal([2, 1, 4], before.Select(e => e.Line));

            // A window before the first event leaves nothing to replay.
            var early = script with { Window = script.Window with { FromS = 5 * 3600 } };
            var none = Assert.Throws<ScenarioException>(() => ScenarioFiles.ReadRecorded(early, folder));
            Assert.Contains("no event before the window's start on the file's day (2016-11-15T05:00:00+01:00)", Assert.Single(none.Errors).Reason, StringComparison.Ordinal);

            // A bad line is named by its line in the file; a missing folder (HTTP) is refused.
            await File.AppendAllTextAsync(Path.Combine(folder, "day.ndjson"), "{\"type\":\"parking-occupancy\",\"sensor\":\"P-01\",\"seq\":5,\"occupied\":1}\n");
            var bad = Assert.Throws<ScenarioException>(() => ScenarioFiles.ReadRecorded(script, folder));
            Assert.StartsWith("base.recorded: day.ndjson:5: ", Assert.Single(bad.Errors).Reason, StringComparison.Ordinal);
            Assert.Contains("ts", bad.Errors[0].Reason, StringComparison.Ordinal);
            Assert.Throws<ScenarioException>(() => ScenarioFiles.ReadRecorded(script, null));
            var missing = Assert.Throws<ScenarioException>(() => ScenarioFiles.ReadRecorded(script with { Base = script.Base with { Recorded = "nope.ndjson" } }, folder));
            Assert.Contains("nope.ndjson: no such file", Assert.Single(missing.Errors).Reason, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_max_pressure_alternative_runs_the_signals_under_max_pressure_control()
    {
        var read = ScenarioReader.Read("""
            scenario: mp
            base: { from: demand }
            window: { from: "07:30", to: "08:00", drain: 10m }
            alternatives:
              - name: mp
                signals: { control: max-pressure }
            kpis: [totalDelayVehH, tripsCompleted]
            decision: { kpi: totalDelayVehH, goal: minimise }
            """, Riverton.Value);
        Assert.True(read.Ok, string.Join("\n", read.Errors));
        var data = ScenarioFiles.LoadData(read.Script!, Riverton.Value, CityFolder, Samples);
        var setup = ScenarioRunner.Prepare(read.Script!, Riverton.Value, data, replications: 2);
        Assert.Equal(SignalControl.MaxPressure, setup.Arms[1].Control);
        Assert.Equal(SignalControl.FixedTime, setup.Arms[0].Control);
        var result = RunAll(setup);
        var delay = result.Arms[1].VsBase.Single(c => c.Kpi == "totalDelayVehH");
        Assert.NotEqual(0, delay.Change);
    }
}
