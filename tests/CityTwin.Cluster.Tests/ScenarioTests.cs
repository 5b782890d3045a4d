using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Cluster.Tests.Postgres;
using CityTwin.Contracts;
using CityTwin.Engine.Scenarios;
using CityTwin.Formats.Scenarios;

namespace CityTwin.Cluster.Tests;

/// <summary>The sample scripts and the repository's scenarios folder.</summary>
internal static class Scripts
{
    public static string Folder { get; } = FindFolder();

    public static string Path(string file) => System.IO.Path.Combine(Folder, file);

    public static string Text(string file) => File.ReadAllText(Path(file));

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "CityTwin.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, "scenarios");
            }
        }

        throw new InvalidOperationException("the repository (CityTwin.sln) is not above the test binaries");
    }
}

/// <summary>Scenarios on the two-silo test cluster: work spread over the silos, and the live twin left as it was.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ScenarioClusterTests(ClusterFixture fixture)
{
    private async Task<(ScenarioStatus Status, ScenarioResult? Result)> RunAsync(string script, int replications, string? folder = null)
    {
        var grain = fixture.Cluster.GrainFactory.GetGrain<IScenarioGrain>("test-" + Guid.NewGuid().ToString("N")[..12]);
        var status = await grain.StartAsync(new ScenarioRequest(script, folder ?? Scripts.Folder, replications));
        Assert.Contains(status.State, new[] { ScenarioStates.Preparing, ScenarioStates.Invalid });
        var sawProgress = false;
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (status.State is ScenarioStates.Preparing or ScenarioStates.Running && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            status = await grain.GetStatusAsync();
            sawProgress |= status.State == ScenarioStates.Running && status.Total > 0 && status.Done < status.Total;
        }

        Assert.True(status.State is ScenarioStates.Done or ScenarioStates.Invalid, $"{status.State}: {status.Error}");
        if (status.State == ScenarioStates.Done)
        {
            Assert.True(sawProgress, "the status must be readable while the work runs");
        }

        var json = await grain.GetResultAsync();
        return (status, json is null ? null : ScenarioJson.Read<ScenarioResult>(json));
    }

    [Fact]
    public async Task Work_items_run_spread_over_both_silos_and_every_one_names_its_silo()
    {
        var (status, result) = await RunAsync(Scripts.Text("lane-closure-corridor.yaml"), replications: 5);
        Assert.Equal(ScenarioStates.Done, status.State);
        Assert.Equal(15, status.Total);
        Assert.Equal(15, status.Done);
        Assert.Equal(result!.Decision.Sentence, status.Decision);

        var silos = fixture.Cluster.Silos.Select(s => s.SiloAddress.ToParsableString()).ToHashSet();
        Assert.Equal(2, silos.Count);
        Assert.All(result.Runs, r => Assert.Contains(r.Worker!, silos));

        // Random placement of 15 independent grains: all on one silo has probability 2 x 2^-15.
        Assert.Equal(2, result.Runs.Select(r => r.Worker).Distinct().Count());
    }

    [Fact]
    public async Task A_scenario_on_the_live_twin_leaves_the_twin_exactly_as_it_was()
    {
        var twin = "scn-" + Guid.NewGuid().ToString("N")[..12];
        var now = DateTimeOffset.UtcNow;
        var lines = SampleCity.Model.Detectors.Where(d => d.SignalId is not null)
            .SelectMany(d => Enumerable.Range(1, 5).Select(m => Events.Detector(d.Id, now.AddMinutes(m - 6), m, 5 + (m % 3))))
            .Concat(SampleCity.Model.Parking.Select((p, i) => Events.Occupancy(p.Id, now.AddMinutes(-1), 1, Math.Min(p.Capacity, 20 + i))))
            .ToList();
        var report = await fixture.ClientFor(twin).IngestAsync(Events.Body(lines));
        Assert.Equal(lines.Count, report.Accepted);
        var snapshots = fixture.Cluster.GrainFactory.GetGrain<ITwinSnapshotGrain>(twin);
        var before = await Events.EventuallyAsync(
            () => snapshots.TakeAsync(),
            s => s.Signals.All(x => x.Approaches.All(a => a.DetectorsReporting > 0)) && s.Parking.All(p => p.Occupied > 0),
            TimeSpan.FromSeconds(30));

        var script = $$"""
            scenario: live-check
            base: { from: live, twin: {{twin}} }
            window: { from: "07:00", to: "07:30", drain: 10m }
            alternatives:
              - name: optimised
                signals: optimise
              - name: rule
                signals: { plans: rule-of-thumb, cycle: 60 }
            kpis: [totalDelayVehH, tripsCompleted]
            """;
        var (status, result) = await RunAsync(script, replications: 2);
        Assert.True(status.State == ScenarioStates.Done, string.Join("; ", status.Errors.Select(e => e.Reason)) + status.Error);
        Assert.Contains(result!.DataUsed, d => d.Contains($"live twin '{twin}'", StringComparison.Ordinal));

        var after = await snapshots.TakeAsync();
        Assert.Equal(JsonSerializer.Serialize(before), JsonSerializer.Serialize(after));
    }

    private async Task<string[]> TwinIdsAsync() => [.. (await fixture.Cluster.GrainFactory.GetGrain<ITwinRegistryGrain>(0).ListAsync()).Select(t => t.Id)];

    [Fact]
    public async Task A_recorded_morning_runs_as_the_base_decides_the_same_twice_and_leaves_no_twin_and_live_untouched()
    {
        // Give the live twin a state of its own, to see that a recorded base never touches it.
        var now = DateTimeOffset.UtcNow;
        var detectors = SampleCity.Model.Detectors.Where(d => d.SignalId is not null).Take(8).ToList();
        var lines = detectors.Select((d, i) => Events.Detector(d.Id, now.AddMinutes(-2), 900_000 + i, 7)).ToList();
        var lifecycle = fixture.Cluster.GrainFactory.GetGrain<ITwinLifecycleGrain>(0);
        static long Done(TwinProgress p) => p.Counters.Applied + p.Counters.Late;
        var done = Done(await lifecycle.GetProgressAsync(TwinKeys.Live));
        Assert.Equal(lines.Count, (await fixture.ClientFor(TwinKeys.Live).IngestAsync(Events.Body(lines))).Accepted);
        await Events.EventuallyAsync(() => lifecycle.GetProgressAsync(TwinKeys.Live), p => Done(p) >= done + lines.Count, TimeSpan.FromSeconds(30));
        var live = fixture.Cluster.GrainFactory.GetGrain<ITwinSnapshotGrain>(TwinKeys.Live);
        var before = await live.TakeAsync();
        var twinsBefore = await TwinIdsAsync();

        var script = Scripts.Text("recorded-morning-counterfactual.yaml");
        var (status, first) = await RunAsync(script, replications: 2);
        Assert.True(status.State == ScenarioStates.Done, string.Join("; ", status.Errors.Select(e => e.Reason)) + status.Error);
        Assert.Equal(6, status.Total);
        Assert.Matches("^(Choose '(optimised|max-pressure)'|Keep the base)", first!.Decision.Sentence);
        Assert.StartsWith("the recorded day 'data/riverton-recorded/riverton-morning-2026-03-10.ndjson.gz' replayed up to the window's start", first.Base, StringComparison.Ordinal);

        // Only the events before 07:30 on the file's day (2026-03-10, UTC) were replayed: 3,856 of the 7,914 (counted in the file).
        Assert.Contains(first.DataUsed, d => d.StartsWith("recorded day riverton-morning-2026-03-10.ndjson.gz (ndjson): 3,856 of its 7,914 events, those before the window's start 2026-03-10T07:30:00+00:00", StringComparison.Ordinal));
        Assert.All(first.Runs, r => Assert.True(r.Trips > 0));
        var baseDelay = first.Arms[0].Kpis.First(k => k.Kpi == "totalDelayVehH").Mean;
        Assert.True(baseDelay > 0, "the base must carry traffic fitted to the recorded flows");

        // The temporary twin is gone, the live twin exactly as it was.
        Assert.Equal(twinsBefore, await TwinIdsAsync());
        Assert.DoesNotContain(await TwinIdsAsync(), t => t.StartsWith("scn-test-", StringComparison.Ordinal));
        Assert.Equal(JsonSerializer.Serialize(before), JsonSerializer.Serialize(await live.TakeAsync()));

        // Same script and seed: the same numbers (a fresh replay into a fresh temporary twin).
        var (again, second) = await RunAsync(script, replications: 2);
        Assert.Equal(ScenarioStates.Done, again.State);
        Assert.Equal(first.Decision.Sentence, second!.Decision.Sentence);
        Assert.Equal(
            first.Runs.Select(r => (r.Arm, r.Replication, r.Seed, r.Trips, string.Join(",", r.Kpis.Select(k => $"{k.Key}={k.Value:R}")))),
            second.Runs.Select(r => (r.Arm, r.Replication, r.Seed, r.Trips, string.Join(",", r.Kpis.Select(k => $"{k.Key}={k.Value:R}")))));
        Assert.Equal(twinsBefore, await TwinIdsAsync());
    }

    [Fact]
    public async Task A_bad_or_rejected_line_of_the_recorded_day_makes_the_script_invalid_naming_the_line_and_the_temporary_twin_is_deleted()
    {
        var folder = Directory.CreateTempSubdirectory("citytwin-recorded-").FullName;
        try
        {
            var script = """
                scenario: recorded-check
                base: { from: recorded, recorded: day.ndjson }
                window: { from: "07:00", to: "07:30", drain: 10m }
                alternatives:
                  - name: optimised
                    signals: optimise
                kpis: [totalDelayVehH]
                """;
            var ok = """{"type":"detector","sensor":"DET-S01-E","ts":"2026-03-10T06:50:00Z","seq":1,"count":12,"occupancy":0.2,"intervalS":60}""";
            await File.WriteAllLinesAsync(Path.Combine(folder, "day.ndjson"), [ok, "", """{"type":"detector","sensor":"DET-S01-E","ts":"2026-03-10T06:51:00Z","seq":2,"count":"many"}"""]);
            var (bad, _) = await RunAsync(script, 2, folder);
            Assert.Equal(ScenarioStates.Invalid, bad.State);
            var error = Assert.Single(bad.Errors);
            Assert.StartsWith("base.recorded: day.ndjson:3: ", error.Reason, StringComparison.Ordinal);
            Assert.Contains("count", error.Reason, StringComparison.Ordinal);

            // A line the twin rejects (an unknown sensor) is found while replaying: invalid too, and the twin is deleted.
            var twinsBefore = await TwinIdsAsync();
            await File.WriteAllLinesAsync(Path.Combine(folder, "day.ndjson"), [ok, """{"type":"detector","sensor":"DET-NOPE","ts":"2026-03-10T06:51:00Z","seq":1,"count":3,"occupancy":0.1,"intervalS":60}"""]);
            var (rejected, _) = await RunAsync(script, 2, folder);
            Assert.Equal(ScenarioStates.Invalid, rejected.State);
            Assert.StartsWith("base.recorded: day.ndjson:2: ", Assert.Single(rejected.Errors).Reason, StringComparison.Ordinal);
            Assert.Equal(twinsBefore, await TwinIdsAsync());

            // Without a folder (HTTP, --cluster) the file cannot be read: refused at once, saying what to do instead.
            var grain = fixture.Cluster.GrainFactory.GetGrain<IScenarioGrain>("test-" + Guid.NewGuid().ToString("N")[..12]);
            var refused = await grain.StartAsync(new ScenarioRequest(script, null, 2));
            Assert.Equal(ScenarioStates.Invalid, refused.State);
            Assert.Contains("without --cluster", Assert.Single(refused.Errors).Reason, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_invalid_script_is_refused_with_every_error_and_nothing_runs()
    {
        var (status, result) = await RunAsync("""
            scenario: bad
            window: { from: "09:00", to: "08:00" }
            alternatives:
              - name: a
                parking: [{ facility: P-99, price: 3 }]
            kpis: [happiness]
            """, replications: 2);
        Assert.Equal(ScenarioStates.Invalid, status.State);
        Assert.Null(result);
        Assert.Equal(0, status.Total);
        Assert.Contains(status.Errors, e => e.Line == 2 && e.Reason.Contains("window.to", StringComparison.Ordinal));
        Assert.Contains(status.Errors, e => e.Line == 5 && e.Reason.Contains("P-99", StringComparison.Ordinal));
        Assert.Contains(status.Errors, e => e.Line == 6 && e.Reason.Contains("happiness", StringComparison.Ordinal));
    }
}

/// <summary><c>POST /api/scenarios</c> and <c>GET /api/scenarios/{id}</c> on a real silo.</summary>
[Collection(SiloHostCollection.Name)]
public sealed class ScenarioHttpTests(SiloHostFixture host)
{
    [Fact]
    public async Task A_posted_script_is_accepted_and_its_status_progress_and_result_can_be_read()
    {
        using var body = new StringContent(Scripts.Text("stadium-event-evening.yaml"), Encoding.UTF8, "application/yaml");
        using var post = await host.Http.PostAsync("/api/scenarios?replications=2", body);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var accepted = JsonNode.Parse(await post.Content.ReadAsStringAsync())!;
        var location = (string)accepted["location"]!;
        Assert.Equal(location, post.Headers.Location!.ToString());

        var final = await Events.EventuallyAsync(
            async () => JsonNode.Parse(await host.Http.GetStringAsync(location))!,
            s => (string)s["state"]! is "done" or "failed" or "invalid",
            TimeSpan.FromMinutes(3));
        Assert.Equal("done", (string)final["state"]!);
        Assert.Equal(6, (int)final["total"]!);
        Assert.Equal(6, (int)final["done"]!);
        Assert.Equal((string)final["decision"]!, (string)final["result"]!["decision"]!["sentence"]!);
        Assert.Equal(3, final["result"]!["arms"]!.AsArray().Count);

        using var missing = await host.Http.GetAsync("/api/scenarios/sc-nothing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task An_invalid_script_gets_400_problem_details_listing_every_error_with_line_and_column()
    {
        using var body = new StringContent("scenario: x\nwindow: { from: \"07:00\", to: \"08:00\" }\nseeed: 3\nalternatives:\n  - name: a\n    closures: [{ link: L-013, lanes: 2 }]\n", Encoding.UTF8, "application/yaml");
        using var post = await host.Http.PostAsync("/api/scenarios", body);
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(await post.Content.ReadAsStringAsync())!;
        var errors = problem["errors"]!.AsArray();
        Assert.Contains(errors, e => (int)e!["line"]! == 3 && (int)e["column"]! == 1 && ((string)e["reason"]!).Contains("seeed", StringComparison.Ordinal));
        Assert.Contains(errors, e => (int)e!["line"]! == 6 && ((string)e["reason"]!).Contains("L-013", StringComparison.Ordinal));
    }
}

/// <summary><c>citytwin scenario run</c> as a real process.</summary>
public sealed class ScenarioCliTests
{
    [Fact]
    public async Task The_readme_sample_runs_with_its_own_settings_prints_the_decision_and_writes_the_report()
    {
        var outDir = Directory.CreateTempSubdirectory("citytwin-scenario-").FullName;
        try
        {
            var (code, output, error) = await CliProcess.RunAsync(["scenario", "run", Scripts.Path("morning-peak-signal-timing.yaml"), "--out", outDir], TimeSpan.FromMinutes(5));
            Assert.True(code == 0, output + error);
            Assert.Matches("(Choose '[a-z-]+'|Keep the base)", output);
            Assert.Contains("running 30 work items", output, StringComparison.Ordinal);
            Assert.Contains("30/30 work items", output, StringComparison.Ordinal);
            foreach (var f in new[] { "report.md", "report.html", "results.json", "kpis.csv" })
            {
                Assert.True(File.Exists(Path.Combine(outDir, f)), f);
            }

            var result = ScenarioJson.Read<ScenarioResult>(await File.ReadAllTextAsync(Path.Combine(outDir, "results.json")));
            Assert.Equal(10, result.Replications);
            Assert.Equal(42UL, result.Seed);
            Assert.Equal(30, result.Runs.Count);
            var md = await File.ReadAllLinesAsync(Path.Combine(outDir, "report.md"));
            Assert.Equal($"**{result.Decision.Sentence}**", md[2]);
            var html = await File.ReadAllTextAsync(Path.Combine(outDir, "report.html"));
            Assert.Contains("<svg", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Equal(31, (await File.ReadAllLinesAsync(Path.Combine(outDir, "kpis.csv"))).Length);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public async Task An_invalid_script_exits_2_with_every_error_as_file_line_column_reason()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "scenario: bad\nwindow:\n  from: \"07:00\"\n  to: \"06:00\"\nalternatives:\n  - name: a\n    parking: [{ facility: P-99, price: 3 }]\n  - name: b\n    signals: { control: max-pressure }\nkpis: [happiness]\n");
        try
        {
            var (code, output, error) = await CliProcess.RunAsync(["scenario", "run", file], TimeSpan.FromMinutes(1));
            Assert.True(code == 2, output + error);
            Assert.Contains($"{file}:4:7: window.to: must be after window.from (07:00), got 06:00", error, StringComparison.Ordinal);
            Assert.Contains($"{file}:7:27: alternative 'a': parking.facility: the city has no parking facility 'P-99'", error, StringComparison.Ordinal);
            Assert.Contains($"{file}:10:8: kpis: unknown KPI 'happiness'", error, StringComparison.Ordinal);
            Assert.DoesNotContain("work items", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
