using System.Diagnostics;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Engine.Timing;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Demand;
using CityTwin.Formats.GeoJson;
using Xunit.Abstractions;

namespace CityTwin.Engine.Tests.Timing;

/// <summary>The data rules of recommendations on live detector data, and the recommendation itself on the sample city.</summary>
public sealed class SignalRecommenderTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "cities", "riverton");
    private static readonly Lazy<(CityModel City, IReadOnlyList<OdRow> Od)> Riverton = new(() =>
    {
        var city = CityReader.ReadFolder(Folder);
        return (city, DemandReader.ReadFile(Path.Combine(Folder, city.DemandFiles.Single())).OdRows);
    });

    /// <summary>08:00 UTC on a Monday: the end of the window.</summary>
    private static readonly DateTimeOffset End = new(2025, 11, 17, 8, 0, 0, TimeSpan.Zero);

    private static CityModel City => Riverton.Value.City;

    /// <summary>S-08: two phases, one single-lane group per approach, one detector per approach.</summary>
    private static SignalSite S08 => City.SignalsById["S-08"];

    private static IReadOnlyList<Detector> Detectors => City.DetectorsOf("S-08");

    /// <summary>
    /// One detector's reports: <paramref name="minutes"/> 60-second intervals ending at 08:00, counts around
    /// flow/60 with seeded noise (so no two minutes need be alike) and occupancy about 2% a vehicle.
    /// </summary>
    private static List<DetectorReport> Reports(double flowVehH, int minutes = 60, int seed = 1, DateTimeOffset? end = null)
    {
        var rng = new Random(seed);
        var last = end ?? End;
        return Enumerable.Range(0, minutes).Select(i =>
        {
            var count = Math.Max(0, (int)Math.Round((flowVehH / 60) + ((rng.NextDouble() - 0.5) * 6)));
            return new DetectorReport(last.AddMinutes(i - minutes + 1).UtcTicks, count, Math.Round((0.02 * count) + (rng.NextDouble() * 0.01), 3), 60);
        }).ToList();
    }

    /// <summary>S-08 with heavy north-south and light east-west flows (veh/h), every detector complete and plausible.</summary>
    private static Dictionary<string, List<DetectorReport>> Unbalanced() => new(StringComparer.Ordinal)
    {
        ["DET-S08-N"] = Reports(660, seed: 1),
        ["DET-S08-S"] = Reports(600, seed: 2),
        ["DET-S08-E"] = Reports(150, seed: 3),
        ["DET-S08-W"] = Reports(120, seed: 4),
    };

    /// <summary>
    /// A safe plan for S-08 that gives the light east-west phase most of the cycle (the north-south phase at its
    /// minimum): a plan that no longer fits flows heavy north-south.
    /// </summary>
    private static TimingPlan EastWestPlan()
    {
        var p = S08.Plan;
        var skewed = p with { Id = "ew-heavy", Phases = [p.Phases[0] with { GreenS = 10 }, p.Phases[1] with { GreenS = 50 }] };
        return SafetyRules.MakeSafe(S08, skewed, SafetyProfile.For(City, S08));
    }

    private static SignalDataAssessment Assess(Dictionary<string, List<DetectorReport>> reports, int windowMin = 60, DetectorDataRules? rules = null) =>
        DetectorDataCheck.Assess(S08, Detectors, reports.Select(kv => new DetectorHistory(kv.Key, kv.Value)).ToList(), TimeSpan.FromMinutes(windowMin), rules);

    private static DetectorAssessment Of(SignalDataAssessment a, string id) => a.Detectors.Single(d => d.DetectorId == id);

    [Fact]
    public void Complete_plausible_data_passes_and_flows_are_counts_over_seconds()
    {
        var reports = Unbalanced();

        var a = Assess(reports);

        Assert.Empty(a.Problems);
        Assert.Equal(End.UtcTicks, a.WindowEndTicks);
        Assert.Equal(1.0, a.Completeness);
        foreach (var d in a.Detectors)
        {
            Assert.Equal(DetectorStatus.Ok, d.Status);
            Assert.Equal(60, d.Received);
            Assert.Equal(60, d.Expected);
            Assert.Equal(60, d.NominalIntervalS);
            // veh/h = counts in the hour over 3600 s of intervals.
            Assert.Equal(reports[d.DetectorId].Sum(x => x.Count), d.FlowVehH!.Value, 9);
        }

        // One approach-wide detector per approach of single lane groups: each lane group gets its detector's flow.
        var north = a.Flows.Single(f => f.Group == new LaneGroupRef("N", "LTR"));
        Assert.True(north.Measured);
        Assert.Equal(["DET-S08-N"], north.Detectors);
        Assert.Equal(Of(a, "DET-S08-N").FlowVehH!.Value, north.FlowVehH, 9);
    }

    [Fact]
    public void A_shorter_window_uses_only_its_own_reports()
    {
        var a = Assess(Unbalanced(), windowMin: 15);

        Assert.All(a.Detectors, d => Assert.Equal(15, d.Received));
        Assert.Equal(Unbalanced()["DET-S08-E"].TakeLast(15).Sum(x => x.Count) * 4.0, Of(a, "DET-S08-E").FlowVehH!.Value, 9);
    }

    [Fact]
    public void A_detector_that_stopped_reporting_while_the_others_report_is_silent_and_named()
    {
        var reports = Unbalanced();
        reports["DET-S08-W"] = reports["DET-S08-W"].Take(54).ToList(); // the last 6 minutes missing: 6 > 5 intervals

        var a = Assess(reports);

        var w = Of(a, "DET-S08-W");
        Assert.Equal(DetectorStatus.Silent, w.Status);
        Assert.Equal("silent", w.Rule);
        var reason = Assert.Single(a.Problems);
        Assert.Equal("DET-S08-W", reason.DetectorId);
        Assert.Contains("DET-S08-W", reason.Message, StringComparison.Ordinal);

        // Five missing intervals are still tolerated (and 55 of 60 is above 80%).
        reports = Unbalanced();
        reports["DET-S08-W"] = reports["DET-S08-W"].Take(55).ToList();
        Assert.Empty(Assess(reports).Problems);
    }

    [Fact]
    public void A_detector_with_no_report_at_all_is_silent()
    {
        var reports = Unbalanced();
        reports.Remove("DET-S08-E");

        var a = Assess(reports);

        Assert.Equal("no-data", Of(a, "DET-S08-E").Rule);
        Assert.Equal(0, Of(a, "DET-S08-E").Received);
        Assert.Equal(60, Of(a, "DET-S08-E").Expected); // the signal's interval
        Assert.Contains(a.Problems, p => p.DetectorId == "DET-S08-E");
        // Its lane group has no measured flow then.
        Assert.False(a.Flows.Single(f => f.Group.Approach == "E").Measured);
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    public void Occupancy_stuck_at_one_is_broken_from_the_fifth_report(int stuck, bool broken)
    {
        var reports = Unbalanced();
        var n = reports["DET-S08-N"];
        for (var i = 20; i < 20 + stuck; i++)
        {
            n[i] = n[i] with { Occupancy = 1 };
        }

        var a = Assess(reports);

        Assert.Equal(broken ? DetectorStatus.Broken : DetectorStatus.Ok, Of(a, "DET-S08-N").Status);
        Assert.Equal(broken ? "occupancy-stuck-full" : null, Of(a, "DET-S08-N").Rule);
    }

    [Fact]
    public void Occupancy_zero_while_counting_vehicles_is_broken()
    {
        var reports = Unbalanced();
        var s = reports["DET-S08-S"];
        for (var i = 30; i < 36; i++)
        {
            s[i] = s[i] with { Occupancy = 0 };
        }

        var a = Assess(reports);

        Assert.Equal("occupancy-stuck-zero", Of(a, "DET-S08-S").Rule);
        Assert.Single(a.Problems, p => p.DetectorId == "DET-S08-S" && p.Code == "occupancy-stuck-zero");
    }

    [Fact]
    public void A_count_the_lanes_cannot_carry_is_broken()
    {
        // S-08's north approach: one lane group of 1700 veh/h; in 60 s at most 1.2 x 1700 / 60 + 1 = 35 vehicles.
        var reports = Unbalanced();
        var n = reports["DET-S08-N"];
        n[10] = n[10] with { Count = 35 };
        Assert.Equal(DetectorStatus.Ok, Of(Assess(reports), "DET-S08-N").Status);

        n[10] = n[10] with { Count = 36 };
        var a = Assess(reports);

        Assert.Equal("count-impossible", Of(a, "DET-S08-N").Rule);
        Assert.Contains("36 vehicles", Of(a, "DET-S08-N").Why, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_reading_for_ten_intervals_is_a_frozen_detector()
    {
        var reports = Unbalanced();
        var e = reports["DET-S08-E"];
        for (var i = 40; i < 49; i++)
        {
            e[i] = e[i] with { Count = 4, Occupancy = 0.085 };
        }

        Assert.Equal(DetectorStatus.Ok, Of(Assess(reports), "DET-S08-E").Status); // 9 alike are allowed

        e[49] = e[49] with { Count = 4, Occupancy = 0.085 };
        Assert.Equal("constant", Of(Assess(reports), "DET-S08-E").Rule);
    }

    [Fact]
    public void Zero_counts_are_a_dead_detector_only_while_the_others_are_busy()
    {
        var reports = Unbalanced();
        reports["DET-S08-W"] = reports["DET-S08-W"].Select((x, i) => i >= 30 ? x with { Count = 0, Occupancy = 0 } : x).ToList();
        Assert.Equal("zero-while-busy", Of(Assess(reports), "DET-S08-W").Rule);

        // A quiet night: every detector counts almost nothing, and zeros are real.
        var night = new Dictionary<string, List<DetectorReport>>(StringComparer.Ordinal)
        {
            ["DET-S08-N"] = Reports(30, seed: 1),
            ["DET-S08-S"] = Reports(30, seed: 2),
            ["DET-S08-E"] = Reports(30, seed: 3),
            ["DET-S08-W"] = Reports(0, seed: 4).Select(x => x with { Count = 0, Occupancy = 0 }).ToList(),
        };
        Assert.Equal(DetectorStatus.Ok, Of(Assess(night), "DET-S08-W").Status);
    }

    [Fact]
    public void Low_completeness_is_refused_at_the_configured_threshold()
    {
        // Every second report of the east detector lost: 30 of 60 (50%); the signal as a whole 210 of 240 (87.5%).
        var reports = Unbalanced();
        reports["DET-S08-E"] = reports["DET-S08-E"].Where((_, i) => i % 2 == 1).ToList();

        var a = Assess(reports);

        var e = Of(a, "DET-S08-E");
        Assert.Equal(DetectorStatus.Incomplete, e.Status);
        Assert.Equal(30, e.Received);
        Assert.Equal(0.5, e.Completeness);
        Assert.Equal(210.0 / 240, a.Completeness, 12);
        Assert.Contains(a.Problems, p => p.Code == "incomplete" && p.DetectorId == "DET-S08-E");

        // With a threshold of 50% it passes.
        Assert.Empty(Assess(reports, rules: new DetectorDataRules { MinCompleteness = 0.5 }).Problems);

        // Every detector at 75%: each is incomplete and so is the signal.
        var sparse = Unbalanced().ToDictionary(kv => kv.Key, kv => kv.Value.Where((_, i) => i % 4 != 0).ToList(), StringComparer.Ordinal);
        var s = Assess(sparse);
        Assert.Equal(0.75, s.Completeness, 12);
        Assert.Contains(s.Problems, p => p.Code == "low-completeness");
    }

    [Fact]
    public void Unbalanced_live_flows_get_a_safe_recommendation_proved_by_ten_paired_replications()
    {
        var (city, od) = Riverton.Value;
        var data = Assess(Unbalanced());
        var twin = Twin(data);
        var watch = Stopwatch.StartNew();

        var current = EastWestPlan();
        var r = SignalRecommender.Recommend(city, S08, current, data, twin, od, new RecommenderOptions { PlanId = "rec-1" });

        output.WriteLine($"{watch.Elapsed.TotalSeconds:F1} s: {r.Decision}");
        Assert.True(r.Recommended, r.Decision);
        Assert.Equal("recommended", Assert.Single(r.Reasons).Code);
        Assert.NotNull(r.Candidate);
        Assert.Equal("rec-1", r.Candidate.Plan.Id);
        Assert.Empty(r.Candidate.Violations);
        Assert.Empty(r.Current.Violations);
        // The heavy north-south phase gets more of the cycle, and the HCM delay at the measured flows falls.
        Assert.True(r.Candidate.Plan.Phases[0].GreenS / r.Candidate.Plan.CycleS > current.Phases[0].GreenS / current.CycleS);
        Assert.True(r.Candidate.Delay.ControlDelayS < r.Current.Delay.ControlDelayS);
        Assert.Equal(4, r.Current.Delay.LaneGroups.Count);
        var sim = r.Simulation!;
        Assert.Equal(10, sim.Comparison.Runs.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 42UL + (ulong)i), sim.Comparison.Runs.Select(x => x.Seed));
        Assert.True(sim.Comparison.ChangeHighVehH < 0, $"interval {sim.Comparison.ChangeLowVehH:F2}..{sim.Comparison.ChangeHighVehH:F2}");
        Assert.True(sim.Comparison.ChangeLowVehH < sim.Comparison.ChangeVehH);
        Assert.Equal(8 * 3600, sim.StartS);
        // Judged at S-08's four approaches and the four downstream of it.
        Assert.Equal(8, sim.Approaches.Count);
        Assert.Equal(4, sim.Approaches.Count(a => a.StartsWith("S-08.", StringComparison.Ordinal)));
        // The demand was fitted to the window's flows at this signal.
        Assert.Equal(4, sim.Fit.Count);
        Assert.All(sim.Fit, f => Assert.True(f.Geh < f.BaseGeh || f.Geh < 5, $"{f.ApproachId}: GEH {f.BaseGeh:F1} -> {f.Geh:F1}"));

        // Deterministic: the same data and seed give the same numbers, bit for bit.
        var again = SignalRecommender.Recommend(city, S08, current, data, twin, od, new RecommenderOptions { PlanId = "rec-1" });
        Assert.Equal(r.Candidate.Plan.Phases.Select(p => p.GreenS), again.Candidate!.Plan.Phases.Select(p => p.GreenS));
        Assert.Equal(sim.Comparison.Runs, again.Simulation!.Comparison.Runs);
        Assert.Equal(r.Decision, again.Decision);
    }

    [Fact]
    public void Bad_data_gives_no_recommendation_and_no_simulation()
    {
        var (city, od) = Riverton.Value;
        var reports = Unbalanced();
        reports["DET-S08-N"] = reports["DET-S08-N"].Take(50).ToList();
        var data = Assess(reports);

        var r = SignalRecommender.Recommend(city, S08, S08.Plan, data, Twin(data), od);

        Assert.False(r.Recommended);
        Assert.Contains(r.Reasons, x => x.DetectorId == "DET-S08-N" && x.Code == "silent");
        Assert.Contains("DET-S08-N", r.Decision, StringComparison.Ordinal);
        Assert.Null(r.Simulation);
    }

    [Fact]
    public void Balanced_flows_on_a_plan_already_optimal_give_no_change()
    {
        var (city, od) = Riverton.Value;
        var data = Assess(Unbalanced());
        var profile = SafetyProfile.For(city, S08);
        var best = TimingOptimizer.Optimise(S08, data.FlowsVehH, profile, new TimingOptimizerOptions { PlanId = "best" }).Plan;

        var r = SignalRecommender.Recommend(city, S08, best, data, Twin(data), od);

        Assert.False(r.Recommended);
        Assert.Equal("no-change", Assert.Single(r.Reasons).Code);
        Assert.Null(r.Simulation);
    }

    [Fact]
    public void The_fingerprint_changes_with_the_data_the_plan_and_the_seed()
    {
        var data = Assess(Unbalanced());
        var o = new RecommenderOptions();
        var f = SignalRecommender.Fingerprint(data, S08.Plan, o);

        Assert.Equal(f, SignalRecommender.Fingerprint(Assess(Unbalanced()), S08.Plan, o));
        Assert.NotEqual(f, SignalRecommender.Fingerprint(data, S08.Plan, o with { Seed = 43 }));
        Assert.NotEqual(f, SignalRecommender.Fingerprint(data, S08.Plan with { CycleS = 61 }, o));
        var more = Unbalanced();
        more["DET-S08-E"][5] = more["DET-S08-E"][5] with { Count = more["DET-S08-E"][5].Count + 1 };
        Assert.NotEqual(f, SignalRecommender.Fingerprint(Assess(more), S08.Plan, o));
    }

    [Fact]
    public void A_silent_controller_channel_refuses_the_recommendation_and_names_the_channel()
    {
        var (city, od) = Riverton.Value;
        var data = Assess(Unbalanced());
        var measures = Measures(channel8: 0);

        var r = SignalRecommender.Recommend(city, S08, EastWestPlan(), data, Twin(data), od, measures: measures);

        Assert.False(r.Recommended);
        Assert.Null(r.Simulation);
        var reason = Assert.Single(r.Reasons);
        Assert.Equal(("channel-silent", "channel 8"), (reason.Code, reason.DetectorId));
        Assert.Contains("detector channel 8", r.Decision, StringComparison.Ordinal);
        Assert.Same(measures, r.Measures);
    }

    [Fact]
    public void A_controller_with_too_many_bad_rows_refuses_the_recommendation()
    {
        var (city, od) = Riverton.Value;
        var data = Assess(Unbalanced());

        var r = SignalRecommender.Recommend(city, S08, EastWestPlan(), data, Twin(data), od, measures: Measures(bad: 60));

        Assert.False(r.Recommended);
        Assert.Equal("controller-bad-rows", Assert.Single(r.Reasons).Code);
        Assert.Null(r.Simulation);
    }

    [Fact]
    public void Split_failures_are_quoted_in_the_answer_as_supporting_evidence()
    {
        var (city, od) = Riverton.Value;
        var data = Assess(Unbalanced());
        var best = TimingOptimizer.Optimise(S08, data.FlowsVehH, SafetyProfile.For(city, S08), new TimingOptimizerOptions { PlanId = "best" }).Plan;

        var r = SignalRecommender.Recommend(city, S08, best, data, Twin(data), od, measures: Measures());

        Assert.Equal("no-change", Assert.Single(r.Reasons).Code);
        Assert.Contains("Split failures over the window (controller 7): phase 2: 7 of 20 cycles failed.", r.Decision, StringComparison.Ordinal);
        Assert.Equal(7, r.Measures!.Phases.Single(p => p.Phase == 2).SplitFailures);
        // Without measures the answer says nothing of them.
        Assert.DoesNotContain("Split failures", SignalRecommender.Recommend(city, S08, best, data, Twin(data), od).Decision, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fingerprint_changes_with_the_controller_measures()
    {
        var data = Assess(Unbalanced());
        var o = new RecommenderOptions();
        var without = SignalRecommender.Fingerprint(data, S08.Plan, o);
        var with = SignalRecommender.Fingerprint(data, S08.Plan, o, Measures());

        Assert.NotEqual(without, with);
        Assert.Equal(with, SignalRecommender.Fingerprint(data, S08.Plan, o, Measures()));
        Assert.NotEqual(with, SignalRecommender.Fingerprint(data, S08.Plan, o, Measures(channel8: 29)));
    }

    /// <summary>The hand-built controller measures of <see cref="ControllerMeasureCheckTests"/> over a window (bins 15:00 and 15:15).</summary>
    private static ControllerMeasureAssessment Measures(int channel8 = 30, long bad = 0)
    {
        var start = new DateTimeOffset(2024, 5, 13, 15, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        return ControllerMeasureCheck.Assess(ControllerMeasureCheckTests.Controller(), ControllerMeasureCheckTests.Measures(channel8), 1000 - bad, bad, start, start + (30 * 60_000))!;
    }

    /// <summary>The live twin at the window's end: every signal on its design plan, only S-08 measured.</summary>
    private static TwinSnapshot Twin(SignalDataAssessment data) =>
        new(
            new DateTimeOffset(data.WindowEndTicks!.Value, TimeSpan.Zero).TimeOfDay.TotalSeconds,
            City.Signals.ToDictionary(s => s.Id, s => s.Plan, StringComparer.Ordinal),
            [],
            new Dictionary<string, int>());
}
