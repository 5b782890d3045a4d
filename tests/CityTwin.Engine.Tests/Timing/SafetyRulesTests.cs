using CityTwin.Engine.City;
using CityTwin.Engine.Timing;
using CityTwin.Formats.GeoJson;

namespace CityTwin.Engine.Tests.Timing;

/// <summary>The safety profile's limits against hand calculations and published tables; each rule on its own.</summary>
public sealed class SafetyRulesTests
{
    private static readonly string Riverton = Path.Combine(AppContext.BaseDirectory, "cities", "riverton");

    private static (CityModel City, SignalSite Site) Tiny()
    {
        using var tiny = new TinyCity();
        var city = CityReader.ReadFolder(tiny.Write());
        return (city, city.SignalsById["S-1"]);
    }

    private static TimingPlan With(TimingPlan plan, int phaseIndex, Func<Phase, Phase> change)
    {
        var phases = plan.Phases.ToList();
        phases[phaseIndex] = change(phases[phaseIndex]);
        return plan with { Phases = phases };
    }

    private static TimingPlan Recycled(TimingPlan plan) => plan with { CycleS = plan.Phases.Sum(p => p.DurationS) };

    /// <summary>
    /// California MUTCD (2014 edition), Table 4D-102 (CA) "Minimum Yellow Change Interval Timing": the
    /// ITE kinematic formula with t = 1 s, a = 10 ft/s², level grade, by posted speed, printed to 0.1 s.
    /// 30 mph -> 3.2 s, 35 -> 3.6, 40 -> 3.9, 45 -> 4.3, 50 -> 4.7, 55 -> 5.0, 60 -> 5.4, 65 -> 5.8.
    /// Tolerance 0.05 s: the table's rounding to 0.1 s.
    /// </summary>
    [Theory]
    [InlineData(30, 3.2)]
    [InlineData(35, 3.6)]
    [InlineData(40, 3.9)]
    [InlineData(45, 4.3)]
    [InlineData(50, 4.7)]
    [InlineData(55, 5.0)]
    [InlineData(60, 5.4)]
    [InlineData(65, 5.8)]
    public void Ite_amber_matches_the_California_MUTCD_minimum_yellow_table(double mph, double tableS)
    {
        var amber = SafetyProfile.IteAmberS(mph * 1.609344, SafetyLimits.Default);
        Assert.InRange(amber, tableS - 0.05, tableS + 0.05);
    }

    [Fact]
    public void Ite_amber_grade_term_lengthens_the_amber_downhill()
    {
        // Hand calculation: 50 km/h = 13.889 m/s; 4% downhill: 2a + 2gG = 6.096 - 0.7848 = 5.3112;
        // 1 + 13.889 / 5.3112 = 3.615 s (level: 1 + 13.889 / 6.096 = 3.278 s).
        var downhill = SafetyProfile.IteAmberS(50, SafetyLimits.Default with { Grade = -0.04 });
        Assert.Equal(3.615, downhill, 3);
        Assert.Equal(3.278, SafetyProfile.IteAmberS(50, SafetyLimits.Default), 3);
    }

    [Fact]
    public void Profile_of_the_tiny_city_signal_matches_a_hand_calculation()
    {
        var (city, site) = Tiny();
        var profile = SafetyProfile.For(city, site);

        // Hand calculation. Both approach links are 50 km/h = 13.889 m/s; the junction width is the format's
        // default, 20 m. Amber = 1 + 13.889 / (2 x 3.048) = 3.278 -> 3.3 s (rounded up to 0.1 s).
        // All-red = (20 + 6.096) / 13.889 = 1.879 -> 1.9 s. Pedestrians: 7 + 20 / 1.0668 = 25.748 s; both
        // phases serve a through movement, so both carry the parallel crossing.
        Assert.Equal([1, 2], profile.Phases.Select(p => p.PhaseId));
        foreach (var p in profile.Phases)
        {
            Assert.Equal(3.3, p.RequiredAmberS, 9);
            Assert.Equal(1.9, p.RequiredAllRedS, 9);
            Assert.Equal(7, p.VehicleMinGreenS);
            Assert.Equal(25.748, p.PedestrianMinGreenS, 3);
            Assert.Equal(6, p.MaxAmberS);
        }

        Assert.Equal(20, profile.PedestrianCrossingM);
        Assert.Equal(2 * (25.748 + 3.3 + 1.9), profile.MinimumPhaseSumS, 2);
        Assert.Equal(["W.T", "S.L", "S.T"], profile.LaneGroups.Select(g => g.ToString()));
    }

    [Fact]
    public void A_left_only_phase_carries_no_pedestrians_and_the_crossing_can_be_given()
    {
        var (city, site) = Tiny();
        var leftOnly = site with
        {
            Plan = site.Plan with
            {
                Phases = [site.Plan.Phases[0], site.Plan.Phases[1] with { Serves = [new LaneGroupRef("S", "L")] }, new Phase(3, 10, 3, 2, [new LaneGroupRef("S", "T")])],
            },
        };

        var profile = SafetyProfile.For(city, leftOnly, SafetyLimits.Default with { PedestrianCrossingM = 10.668 });

        Assert.Equal(0, profile.Phases[1].PedestrianMinGreenS);
        Assert.Equal(17, profile.Phases[0].PedestrianMinGreenS, 9);
        Assert.Equal(17, profile.Phases[2].PedestrianMinGreenS, 9);
    }

    [Fact]
    public void Fastest_approach_sets_the_amber_and_slowest_the_all_red()
    {
        var (_, site) = Tiny();
        var profile = SafetyProfile.For(site, a => a.Id == "W" ? 30 : 70);
        var both = site with { Plan = site.Plan with { Phases = [site.Plan.Phases[0] with { Serves = [new LaneGroupRef("W", "T"), new LaneGroupRef("S", "T")] }, site.Plan.Phases[1] with { Serves = [new LaneGroupRef("S", "L")] }] } };
        var mixed = SafetyProfile.For(both, a => a.Id == "W" ? 30 : 70);

        // W only at 30 km/h = 8.333 m/s: amber 1 + 8.333/6.096 = 2.367 -> minimum 3 s; all-red 26.096/8.333 = 3.132 -> 3.2 s.
        Assert.Equal(3, profile.Phases[0].RequiredAmberS, 9);
        Assert.Equal(3.2, profile.Phases[0].RequiredAllRedS, 9);

        // W at 30 and S at 70 km/h = 19.444 m/s: amber from 70 (1 + 19.444/6.096 = 4.190 -> 4.2 s),
        // all-red from 30 (3.2 s).
        Assert.Equal(4.2, mixed.Phases[0].RequiredAmberS, 9);
        Assert.Equal(3.2, mixed.Phases[0].RequiredAllRedS, 9);
        Assert.Equal(70, mixed.Phases[0].FastestApproachKmh);
        Assert.Equal(30, mixed.Phases[0].SlowestApproachKmh);
    }

    [Fact]
    public void Three_second_amber_at_50_kmh_is_below_the_ITE_amber()
    {
        // The tiny city's design plan (like the sample city's) has 3 s of amber on 50 km/h approaches.
        var (city, site) = Tiny();
        var violations = SafetyRules.Check(site, site.Plan, SafetyProfile.For(city, site));

        Assert.Equal([SafetyRule.AmberTooShort, SafetyRule.AmberTooShort], violations.Select(v => v.Rule));
        Assert.All(violations, v => Assert.Equal((3.3, 3.0), (v.Required!.Value, v.Actual!.Value)));
        Assert.Equal("amber-too-short", violations[0].Code);
        Assert.Equal(1, violations[0].PhaseId);
        Assert.Equal(2, violations[1].PhaseId);
    }

    [Fact]
    public void A_safe_plan_has_no_violations()
    {
        var (city, site) = Tiny();
        var plan = site.Plan with { Phases = [.. site.Plan.Phases.Select(p => p with { AmberS = 3.3 })] };
        plan = Recycled(plan);

        Assert.Empty(SafetyRules.Check(site, plan, SafetyProfile.For(city, site)));
        Assert.True(SafetyRules.IsSafe(site, plan, SafetyProfile.For(city, site)));
    }

    [Fact]
    public void Every_broken_rule_is_listed_not_just_the_first()
    {
        var (city, site) = Tiny();
        var profile = SafetyProfile.For(city, site);
        var plan = new TimingPlan("bad", 250, 300,
        [
            new Phase(2, 5, 7, 1, [new LaneGroupRef("S", "L"), new LaneGroupRef("X", "Y")]),
            new Phase(1, double.NaN, 3.3, 1.9, [new LaneGroupRef("W", "T")]),
        ]);

        var violations = SafetyRules.Check(site, plan, profile);
        var rules = violations.Select(v => v.Rule).ToHashSet();

        Assert.Equal(
            new HashSet<SafetyRule>
            {
                SafetyRule.InvalidNumber, SafetyRule.PhaseOrder, SafetyRule.PhaseServes, SafetyRule.UnknownLaneGroup,
                SafetyRule.UnservedLaneGroup, SafetyRule.MinGreen, SafetyRule.PedestrianMinGreen, SafetyRule.AmberTooLong,
                SafetyRule.AllRedTooShort, SafetyRule.CycleTooLong, SafetyRule.OffsetOutOfRange,
            },
            rules);
        Assert.Contains(violations, v => v.Rule == SafetyRule.UnknownLaneGroup && v.LaneGroup == "X.Y" && v.PhaseId == 2);
        Assert.Contains(violations, v => v.Rule == SafetyRule.UnservedLaneGroup && v.LaneGroup == "S.T");
        Assert.Contains(violations, v => v.Rule == SafetyRule.MinGreen && v.PhaseId == 2 && v.Required == 7 && v.Actual == 5);
        Assert.Contains(violations, v => v.Rule == SafetyRule.InvalidNumber && v.PhaseId == 1 && v.Actual is null);
        Assert.All(violations, v => Assert.False(string.IsNullOrWhiteSpace(v.Message)));

        // A NaN green is reported as invalid, not compared: no min-green for phase 1.
        Assert.DoesNotContain(violations, v => v.Rule == SafetyRule.MinGreen && v.PhaseId == 1);
    }

    [Fact]
    public void Cycle_must_be_the_sum_of_the_phases_within_half_a_second()
    {
        var (city, site) = Tiny();
        var profile = SafetyProfile.For(city, site);
        var safe = Recycled(site.Plan with { Phases = [.. site.Plan.Phases.Select(p => p with { AmberS = 3.3 })] });

        Assert.Empty(SafetyRules.Check(site, safe with { CycleS = safe.CycleS + 0.5 }, profile));
        var off = SafetyRules.Check(site, safe with { CycleS = safe.CycleS + 0.6 }, profile);
        Assert.Equal(SafetyRule.CycleMismatch, Assert.Single(off).Rule);
        Assert.Equal(safe.CycleS, off[0].Required!.Value, 9);
    }

    [Theory]
    [InlineData(-0.1, true)]
    [InlineData(0, false)]
    [InlineData(90.5, false)]
    [InlineData(90.6, true)]
    public void Offset_must_lie_in_zero_to_cycle(double offset, bool broken)
    {
        var (city, site) = Tiny();
        var safe = Recycled(site.Plan with { Phases = [.. site.Plan.Phases.Select(p => p with { AmberS = 3.3 })] });
        Assert.Equal(90.6, safe.CycleS, 9);

        var violations = SafetyRules.Check(site, safe with { OffsetS = offset }, SafetyProfile.For(city, site));

        Assert.Equal(broken, violations.Any(v => v.Rule == SafetyRule.OffsetOutOfRange));
    }

    [Fact]
    public void Cycle_bounds_are_configurable()
    {
        var (city, site) = Tiny();
        var safe = Recycled(site.Plan with { Phases = [.. site.Plan.Phases.Select(p => p with { AmberS = 3.3 })] });

        var tight = SafetyProfile.For(city, site, SafetyLimits.Default with { MaxCycleS = 80 });
        var shortCycle = SafetyProfile.For(city, site, SafetyLimits.Default with { MinCycleS = 100, MaxCycleS = 120 });

        Assert.Equal(SafetyRule.CycleTooLong, Assert.Single(SafetyRules.Check(site, safe, tight)).Rule);
        Assert.Equal(SafetyRule.CycleTooShort, Assert.Single(SafetyRules.Check(site, safe, shortCycle)).Rule);
    }

    [Fact]
    public void Unusable_limits_are_refused_with_every_problem()
    {
        var (city, site) = Tiny();
        var ex = Assert.Throws<ArgumentException>(() =>
            SafetyProfile.For(city, site, SafetyLimits.Default with { MinGreenS = -1, MinCycleS = 200, DecelerationMps2 = double.NaN }));

        Assert.Contains("MinGreenS", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MinCycleS", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DecelerationMps2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MakeSafe_refuses_when_no_plan_can_fit_the_longest_cycle()
    {
        var (city, site) = Tiny();
        var profile = SafetyProfile.For(city, site, SafetyLimits.Default with { MaxCycleS = 40 });

        Assert.False(profile.IsFeasible);
        var ex = Assert.Throws<InvalidOperationException>(() => SafetyRules.MakeSafe(site, site.Plan, profile));
        Assert.Contains("no safe plan exists", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MakeSafe_repairs_every_sample_city_design_plan_with_the_least_change()
    {
        var city = CityReader.ReadFolder(Riverton);
        Assert.NotEmpty(city.Signals);
        foreach (var site in city.Signals)
        {
            var profile = SafetyProfile.For(city, site);
            var repaired = SafetyRules.MakeSafe(site, site.Plan, profile);

            Assert.Empty(SafetyRules.Check(site, repaired, profile));
            for (var i = 0; i < repaired.Phases.Count; i++)
            {
                var before = site.Plan.Phases[i];
                var after = repaired.Phases[i];
                var limits = profile.Phases[i];
                Assert.Equal(Math.Max(before.GreenS, limits.MinGreenS), after.GreenS, 9);
                Assert.Equal(Math.Max(before.AmberS, limits.RequiredAmberS), after.AmberS, 9);
                Assert.Equal(Math.Max(before.AllRedS, limits.RequiredAllRedS), after.AllRedS, 9);
                Assert.Equal(before.Serves, after.Serves);
            }
        }
    }
}
