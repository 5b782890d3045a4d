using CityTwin.Engine.City;
using CityTwin.Engine.Timing;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Demand;
using CityTwin.Formats.GeoJson;

namespace CityTwin.Engine.Tests.Timing;

/// <summary>Plan optimisation (HCM delay by Nelder-Mead) and its proof by paired simulation replications.</summary>
public sealed class TimingOptimizerTests
{
    private static readonly string Riverton = Path.Combine(AppContext.BaseDirectory, "cities", "riverton");

    private static CityModel City() => CityReader.ReadFolder(Riverton);

    /// <summary>Flows of a signal's lane groups: the first phase's groups heavy, the others light.</summary>
    private static Dictionary<LaneGroupRef, double> Skewed(SignalSite site)
    {
        var first = site.Plan.Phases[0].Serves.ToHashSet();
        return site.Approaches.SelectMany(a => a.LaneGroups.Select(g => new LaneGroupRef(a.Id, g.Id)))
            .ToDictionary(g => g, g => first.Contains(g) ? 600.0 : 150.0);
    }

    private static double TotalDelay(IntersectionDelay d) => d.ControlDelayS * d.FlowVehH;

    [Fact]
    public void Every_optimised_plan_is_safe_and_no_worse_than_webster_or_the_rule_of_thumb_by_hcm_delay()
    {
        var city = City();
        foreach (var site in city.Signals)
        {
            var profile = SafetyProfile.For(city, site);
            var flows = Skewed(site);

            var result = TimingOptimizer.Optimise(site, flows, profile);

            Assert.Empty(SafetyRules.Check(site, result.Plan, profile));
            Assert.True(TotalDelay(result.Delay) <= TotalDelay(result.StartDelay) + 1e-6, $"{site.Id}: optimised {TotalDelay(result.Delay):F0} > Webster {TotalDelay(result.StartDelay):F0}");
            var rule = TimingOptimizer.RuleOfThumb(site, profile, 90);
            Assert.Empty(SafetyRules.Check(site, rule, profile));
            Assert.True(TotalDelay(result.Delay) < TotalDelay(HcmDelay.Evaluate(site, rule, flows)), $"{site.Id}: the optimised plan should beat equal splits on skewed flows");
        }
    }

    [Fact]
    public void The_heavier_phase_gets_the_longer_green()
    {
        var city = City();
        var site = city.Signals.First(s => s.Plan.Phases.Count == 2);
        var profile = SafetyProfile.For(city, site);

        var plan = TimingOptimizer.Optimise(site, Skewed(site), profile).Plan;

        Assert.True(plan.Phases[0].GreenS > plan.Phases[1].GreenS * 1.5, $"greens {plan.Phases[0].GreenS} and {plan.Phases[1].GreenS}");
        Assert.Equal(plan.CycleS, plan.Phases.Sum(p => p.DurationS), 9);
        Assert.All(plan.Phases, p => Assert.True(p.GreenS >= profile.Phase(p.Id)!.MinGreenS - 1e-9));
    }

    [Fact]
    public void A_fixed_cycle_is_kept_and_only_the_splits_change()
    {
        var city = City();
        var site = city.Signals[0];
        var profile = SafetyProfile.For(city, site);

        var plan = TimingOptimizer.Optimise(site, Skewed(site), profile, new TimingOptimizerOptions { FixedCycleS = 100 }).Plan;

        Assert.Equal(100, plan.CycleS, 6);
    }

    [Fact]
    public void Identical_plans_show_no_change_and_are_not_recommended()
    {
        var city = City();
        var od = DemandReader.ReadFile(Path.Combine(Riverton, city.DemandFiles.Single())).OdRows;
        var plans = city.Signals.ToDictionary(s => s.Id, s => s.Plan);
        IReadOnlyList<TripSpec> Demand(TrafficNetwork net, ulong seed) => OdDemand.Expand(net, od, seed).Where(t => t.DepartS is >= 7 * 3600 and < 7.5 * 3600).ToList();

        var c = PlanEvaluation.Compare(city, Demand, plans, plans, 3, 7, new SimulationOptions { StartS = 7 * 3600, UntilS = 8 * 3600 });

        Assert.All(c.Runs, r => Assert.Equal(r.BaselineDelayVehH, r.CandidateDelayVehH));
        Assert.Equal(0, c.ChangeVehH);
        Assert.False(c.SignificantImprovement);
        Assert.Equal([7UL, 8UL, 9UL], c.Runs.Select(r => r.Seed));
        Assert.True(c.Runs.Select(r => r.BaselineDelayVehH).Distinct().Count() > 1, "replications with different seeds should differ");
    }

    [Fact]
    public void On_the_sample_city_morning_peak_the_optimised_plans_cut_total_delay_by_at_least_20_percent_against_the_rule_of_thumb()
    {
        var city = City();
        var demand = DemandReader.ReadFile(Path.Combine(Riverton, city.DemandFiles.Single()));

        var study = CityTiming.Recommend(city, demand.Trips, demand.OdRows, new CityTimingOptions { Replications = 10, Seed = 42 });

        var c = study.Comparison;
        Assert.Equal(10, c.Runs.Count);
        Assert.True(c.SignificantImprovement);
        Assert.True(c.ChangePercent <= -20, $"total delay change {c.ChangePercent:F1}% (95% interval {c.ChangeLowPercent:F1}% to {c.ChangeHighPercent:F1}%)");
        Assert.All(city.Signals, s => Assert.Empty(SafetyRules.Check(s, study.Optimised[s.Id].Plan, SafetyProfile.For(city, s))));

        // Same inputs and seed, same numbers.
        var again = CityTiming.Recommend(city, demand.Trips, demand.OdRows, new CityTimingOptions { Replications = 10, Seed = 42 });
        Assert.Equal(c.Runs.Select(r => r.CandidateDelayVehH), again.Comparison.Runs.Select(r => r.CandidateDelayVehH));
    }
}
