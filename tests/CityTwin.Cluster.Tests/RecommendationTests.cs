using System.Net;
using System.Text.Json;
using CityTwin.Client;
using CityTwin.Contracts;
using CityTwin.Cluster.Tests.Postgres;
using CityTwin.Engine.Timing;

namespace CityTwin.Cluster.Tests;

/// <summary>Detector events of the sample city's S-08 (two phases, one detector per approach) for recommendation tests.</summary>
public static class RecommendationEvents
{
    public const string Signal = "S-08";

    /// <summary>08:00 UTC on a Monday: the newest report.</summary>
    public static readonly DateTimeOffset End = new(2025, 11, 17, 8, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A safe plan for S-08 that gives the light east-west phase most of the cycle (north-south at its minimum green):
    /// the plan an operator set for other flows, which no longer fits heavy north-south traffic.
    /// </summary>
    public static TimingPlanInfo EastWestPlan()
    {
        var site = SampleCity.Model.SignalsById[Signal];
        var p = site.Plan;
        var skewed = p with { Id = "ew-heavy", Phases = [p.Phases[0] with { GreenS = 10 }, p.Phases[1] with { GreenS = 50 }] };
        return Plans.Info(SafetyRules.MakeSafe(site, skewed, SafetyProfile.For(SampleCity.Model, site)));
    }

    /// <summary>Heavy north-south, light east-west (veh/h).</summary>
    public static readonly IReadOnlyDictionary<string, double> Unbalanced = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["DET-S08-N"] = 660,
        ["DET-S08-S"] = 600,
        ["DET-S08-E"] = 150,
        ["DET-S08-W"] = 120,
    };

    /// <summary>
    /// An hour of 60-second detector reports (07:01 to 08:00) for each detector, in time order: counts around the flow
    /// with seeded noise, occupancy about 2% a vehicle. <paramref name="change"/> may alter or drop (null) a report:
    /// (detector, minute 0-59, count, occupancy).
    /// </summary>
    public static byte[] Hour(Func<string, int, int, double, (int Count, double Occupancy)?>? change = null)
    {
        var lines = new List<string>();
        var rng = Unbalanced.Keys.ToDictionary(d => d, d => new Random(d[^1]), StringComparer.Ordinal);
        for (var m = 0; m < 60; m++)
        {
            foreach (var (detector, flow) in Unbalanced)
            {
                var r = rng[detector];
                var count = Math.Max(0, (int)Math.Round((flow / 60) + ((r.NextDouble() - 0.5) * 6)));
                var occupancy = Math.Round((0.02 * count) + (r.NextDouble() * 0.01), 3);
                var report = change is null ? (count, occupancy) : change(detector, m, count, occupancy);
                if (report is { } x)
                {
                    lines.Add(Events.Detector(detector, End.AddMinutes(m - 59), m + 1, x.Count, x.Occupancy, 60));
                }
            }
        }

        return Events.Body(lines);
    }
}

/// <summary>Timing recommendations on live flows through the grains (the typed client) on the test cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RecommendationTests(ClusterFixture fixture)
{
    private const string Signal = RecommendationEvents.Signal;

    private static string NewTwin() => "rec-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<CityTwinClient> TwinWithAsync(byte[] events)
    {
        var client = fixture.ClientFor(NewTwin());
        var report = await client.IngestAsync(events);
        Assert.Equal(0, report.Rejected);
        var lines = events.Count(b => b == (byte)'\n');
        Assert.Equal(lines, report.Accepted);
        await Events.EventuallyAsync(() => client.GetSignalAsync(Signal), s => s.Counters.Applied == lines);
        return client;
    }

    [Fact]
    public async Task Unbalanced_live_flows_get_a_significant_safe_recommendation_that_can_be_applied_with_its_evidence_id()
    {
        var client = await TwinWithAsync(RecommendationEvents.Hour());
        var ew = RecommendationEvents.EastWestPlan();
        Assert.Equal(PlanChangeStatus.Applied, (await client.ApplyPlanAsync(Signal, ew, "operator bo", "weekend event traffic")).Status);

        var rec = await client.GetRecommendationAsync(Signal);

        Assert.True(rec.Recommended, rec.Decision);
        Assert.Equal(Signal, rec.SignalId);
        Assert.StartsWith("rec-S-08-20251117T080000Z-", rec.EvidenceId, StringComparison.Ordinal);
        Assert.Equal(RecommendationEvents.End, rec.WindowEnd);
        Assert.Equal(RecommendationEvents.End.AddMinutes(-60), rec.WindowStart);
        Assert.Equal(1.0, rec.Completeness);
        Assert.All(rec.Detectors, d =>
        {
            Assert.Equal(DetectorDataStatus.Ok, d.Status);
            Assert.Equal(60, d.IntervalsReceived);
            Assert.Equal(60, d.IntervalsExpected);
        });
        Assert.Equal(4, rec.Flows.Count);
        Assert.True(rec.Flows.Single(f => f.LaneGroup == "N.LTR").FlowVehH > 3 * rec.Flows.Single(f => f.LaneGroup == "W.LTR").FlowVehH);

        // The plan to apply is the candidate, safe by the rules, under the evidence id; the current plan is the one in force.
        var plan = rec.Plan!;
        Assert.Equal(rec.EvidenceId, plan.Id);
        Plans.Same(plan, rec.Candidate!.Plan);
        Assert.Empty(rec.Candidate.Violations);
        Plans.Same(ew, rec.Current.Plan);
        Assert.Equal(4, rec.Current.LaneGroups.Count);
        Assert.True(rec.Candidate.ControlDelayS < rec.Current.ControlDelayS);

        // Proved by at least 10 paired replications with a 95% interval wholly below zero.
        var sim = rec.Simulation!;
        Assert.Equal(10, sim.Replications);
        Assert.Equal(10, sim.Runs.Count);
        Assert.Equal(0.95, sim.Confidence);
        Assert.True(sim.Significant);
        Assert.True(sim.ChangeLowVehH < sim.ChangeVehH && sim.ChangeVehH < sim.ChangeHighVehH && sim.ChangeHighVehH < 0, $"{sim.ChangeLowVehH}..{sim.ChangeHighVehH}");
        Assert.Equal(sim.Runs.Average(r => r.RecommendedDelayVehH - r.CurrentDelayVehH), sim.ChangeVehH, 9);
        Assert.Equal(RecommendationEvents.End, sim.Start);
        Assert.Equal(4, sim.Fit.Count);

        // Deterministic for the same live state and seed; another seed gives other replications.
        var again = await client.GetRecommendationAsync(Signal);
        Assert.Equal(rec.EvidenceId, again.EvidenceId);
        Assert.Equal(sim.Runs, again.Simulation!.Runs);
        Assert.Equal(rec.Decision, again.Decision);
        var other = await client.GetRecommendationAsync(Signal, new RecommendationRequest(Seed: 7, Replications: 12));
        Assert.NotEqual(rec.EvidenceId, other.EvidenceId);
        Assert.Equal(12, other.Simulation!.Runs.Count);
        Assert.Equal(7, other.Simulation.Runs[0].Seed);

        // Kept, applied with its evidence id, and traced in the history.
        var kept = await client.GetKeptRecommendationAsync(Signal, rec.EvidenceId);
        Assert.NotNull(kept);
        Assert.Equal(rec.Decision, kept.Decision);
        var applied = await client.ApplyPlanAsync(Signal, plan, "operator ana", "recommendation on live flows", rec.EvidenceId);
        Assert.Equal(PlanChangeStatus.Applied, applied.Status);
        var entry = (await client.GetPlanHistoryAsync(Signal))[^1];
        Assert.Equal(rec.EvidenceId, entry.EvidenceId);
        Assert.Equal(plan.Id, entry.PlanId);
        Plans.Same(plan, (await client.GetSignalAsync(Signal)).Plan);

        // Now the signal runs it: the optimiser finds nothing better.
        var after = await client.GetRecommendationAsync(Signal);
        Assert.False(after.Recommended);
        Assert.Equal("no-change", Assert.Single(after.Reasons).Code);
    }

    [Fact]
    public async Task A_silent_detector_gives_no_recommendation_and_the_reason_names_it()
    {
        // The west detector stops ten minutes before the others.
        var client = await TwinWithAsync(RecommendationEvents.Hour((d, m, c, o) => d == "DET-S08-W" && m >= 50 ? null : (c, o)));

        var rec = await client.GetRecommendationAsync(Signal);

        Assert.False(rec.Recommended);
        Assert.Null(rec.Plan);
        Assert.Null(rec.Simulation);
        var reason = Assert.Single(rec.Reasons);
        Assert.Equal("silent", reason.Code);
        Assert.Equal("DET-S08-W", reason.Detector);
        Assert.Contains("DET-S08-W", rec.Decision, StringComparison.Ordinal);
        var w = rec.Detectors.Single(d => d.Id == "DET-S08-W");
        Assert.Equal(DetectorDataStatus.Silent, w.Status);
        Assert.Equal(50, w.IntervalsReceived);
        Assert.Equal(RecommendationEvents.End.AddMinutes(-10), w.LastReport);
    }

    [Fact]
    public async Task A_broken_detector_gives_no_recommendation()
    {
        // A vehicle parked on the north loop: occupancy 1 for eight minutes.
        var client = await TwinWithAsync(RecommendationEvents.Hour((d, m, c, o) => d == "DET-S08-N" && m is >= 20 and < 28 ? (0, 1.0) : (c, o)));

        var rec = await client.GetRecommendationAsync(Signal);

        Assert.False(rec.Recommended);
        Assert.Null(rec.Plan);
        var reason = Assert.Single(rec.Reasons);
        Assert.Equal(("occupancy-stuck-full", "DET-S08-N"), (reason.Code, reason.Detector));
        Assert.Equal(DetectorDataStatus.Broken, rec.Detectors.Single(d => d.Id == "DET-S08-N").Status);
    }

    [Fact]
    public async Task Low_completeness_gives_no_recommendation()
    {
        // Every detector loses one report in three: 40 of 60 (67%), below the 80% required.
        var client = await TwinWithAsync(RecommendationEvents.Hour((d, m, c, o) => m % 3 == 1 ? null : (c, o)));

        var rec = await client.GetRecommendationAsync(Signal);

        Assert.False(rec.Recommended);
        Assert.Equal(40.0 / 60, rec.Completeness, 9);
        Assert.Equal(0.8, rec.MinCompleteness);
        Assert.Contains(rec.Reasons, r => r.Code == "low-completeness");
        Assert.Equal(4, rec.Reasons.Count(r => r.Code == "incomplete"));
        Assert.All(rec.Detectors, d => Assert.Equal(DetectorDataStatus.Incomplete, d.Status));
        // A 15-minute window over the same data is no better.
        Assert.False((await client.GetRecommendationAsync(Signal, new RecommendationRequest(WindowMin: 15))).Recommended);
    }

    [Fact]
    public async Task A_signal_without_data_gets_no_recommendation_and_bad_requests_are_refused()
    {
        var client = fixture.ClientFor(NewTwin());

        var rec = await client.GetRecommendationAsync(Signal);

        Assert.False(rec.Recommended);
        Assert.Equal("no-data", Assert.Single(rec.Reasons).Code);
        Assert.Null(rec.WindowEnd);
        Assert.All(rec.Detectors, d =>
        {
            Assert.Equal(0, d.IntervalsReceived);
            Assert.Equal($"detector '{d.Id}' has not reported yet", d.Why);
        });

        var bad = await Assert.ThrowsAsync<ArgumentException>(() => client.GetRecommendationAsync(Signal, new RecommendationRequest(WindowMin: 121, Replications: 9)));
        Assert.Contains("windowMin", bad.Message, StringComparison.Ordinal);
        Assert.Contains("replications", bad.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => client.GetRecommendationAsync("S-99"));
        Assert.Contains("S-99", unknown.Message, StringComparison.Ordinal);
    }
}

/// <summary>The recommendation endpoint over HTTP against a real silo on loopback.</summary>
[Collection(SiloHostCollection.Name)]
public sealed class RecommendationHttpTests(SiloHostFixture host)
{
    private static string NewTwin() => "httprec-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await host.Http.GetAsync(new Uri(path, UriKind.Relative));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    [Fact]
    public async Task The_recommendation_over_http_carries_its_evidence_and_its_plan_is_applied_with_the_evidence_id()
    {
        var twin = NewTwin();
        var events = RecommendationEvents.Hour();
        Assert.Equal(PlanChangeStatus.Applied, (await host.Api.ApplyPlanAsync(twin, "S-08", new PlanApplyRequest(RecommendationEvents.EastWestPlan(), "", "weekend event traffic", null))).Status);
        var report = await host.Api.IngestAsync(twin, events);
        Assert.Equal(240, report.Accepted);
        await Events.EventuallyAsync(() => host.Api.GetAsync<SignalState>($"/api/twins/{twin}/signals/S-08"), s => s.Counters.Applied == 240);

        var (status, body) = await GetAsync($"/api/twins/{twin}/signals/S-08/recommendation?windowMin=60&replications=10&seed=42");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("recommended").GetBoolean(), body.GetProperty("decision").GetString());
        var evidenceId = body.GetProperty("evidenceId").GetString()!;
        Assert.Equal("ok", body.GetProperty("detectors")[0].GetProperty("status").GetString());
        Assert.Equal(10, body.GetProperty("simulation").GetProperty("runs").GetArrayLength());
        Assert.True(body.GetProperty("simulation").GetProperty("changeHighVehH").GetDouble() < 0);
        Assert.Equal("N.LTR", body.GetProperty("flows")[0].GetProperty("laneGroup").GetString());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("current").GetProperty("laneGroups").ValueKind);

        // The typed HTTP client reads the same evidence (the defaults are these parameters).
        var rec = await host.Api.GetRecommendationAsync(twin, "S-08");
        Assert.Equal(evidenceId, rec.EvidenceId);
        Assert.Equal(evidenceId, (await host.Api.GetKeptRecommendationAsync(twin, "S-08", evidenceId)).EvidenceId);

        var applied = await host.Api.ApplyPlanAsync(twin, "S-08", new PlanApplyRequest(rec.Plan!, "", "live recommendation", evidenceId));
        Assert.Equal(PlanChangeStatus.Applied, applied.Status);
        var history = await host.Api.GetPlanHistoryAsync(twin, "S-08");
        Assert.Equal(evidenceId, history[^1].EvidenceId);
        Assert.Equal("admin", history[^1].Who);
        var (keptStatus, kept) = await GetAsync($"/api/twins/{twin}/signals/S-08/recommendation/{evidenceId}");
        Assert.Equal(HttpStatusCode.OK, keptStatus);
        Assert.Equal(evidenceId, kept.GetProperty("plan").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("windowMin=4", "windowMin")]
    [InlineData("windowMin=121", "windowMin")]
    [InlineData("windowMin=1.5", "windowMin")]
    [InlineData("replications=9", "replications")]
    [InlineData("replications=ten", "replications")]
    [InlineData("seed=-1", "seed")]
    [InlineData("seed=x", "seed")]
    public async Task A_bad_parameter_is_a_400_naming_it(string query, string parameter)
    {
        var (status, body) = await GetAsync($"/api/twins/{NewTwin()}/signals/S-08/recommendation?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(parameter + ":", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_signal_or_evidence_id_is_a_404()
    {
        var (status, body) = await GetAsync($"/api/twins/{NewTwin()}/signals/S-99/recommendation");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("S-99", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var (keptStatus, kept) = await GetAsync($"/api/twins/{NewTwin()}/signals/S-08/recommendation/rec-nothing");
        Assert.Equal(HttpStatusCode.NotFound, keptStatus);
        Assert.Contains("rec-nothing", kept.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<CityTwinApiException>(() => host.Api.GetKeptRecommendationAsync(NewTwin(), "S-08", "rec-nothing"));
        Assert.Equal(HttpStatusCode.NotFound, error.Status);
    }
}

/// <summary><c>citytwin timing recommend</c> run as a process.</summary>
public sealed class TimingRecommendCliTests
{
    [Theory]
    [InlineData("--window-min", "3", "--window-min: must be a whole number of minutes from 5 to 120, got 3")]
    [InlineData("--replications", "9", "--replications: must be a whole number from 10 to 100, got 9")]
    [InlineData("--seed", "-2", "--seed: must be a whole number >= 0, got -2")]
    public async Task A_bad_option_exits_2_naming_it(string option, string value, string message)
    {
        var (code, _, error) = await CliProcess.RunAsync(["timing", "recommend", "S-08", option, value]);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_an_embedded_silo_without_data_it_says_why_there_is_no_recommendation()
    {
        var (code, output, _) = await CliProcess.RunAsync(["timing", "recommend", "S-08", "--json"]);

        Assert.Equal(0, code);
        // The embedded silo may log a line before the JSON.
        using var doc = System.Text.Json.JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        Assert.False(doc.RootElement.GetProperty("recommended").GetBoolean());
        Assert.Equal("no-data", doc.RootElement.GetProperty("reasons")[0].GetProperty("code").GetString());
    }
}
