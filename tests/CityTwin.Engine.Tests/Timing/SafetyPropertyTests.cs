using CityTwin.Engine.City;
using CityTwin.Engine.Timing;

namespace CityTwin.Engine.Tests.Timing;

/// <summary>
/// Property tests of the safety rules over many seeded random signals and plans. The limits are recomputed
/// here from the formulas, independently of <see cref="SafetyProfile"/>, and each rule is checked on its own.
/// </summary>
public sealed class SafetyPropertyTests
{
    private const int Plans = 10_000;
    private const double Eps = 1e-9;

    /// <summary>Independent limits for a design phase.</summary>
    private sealed record Expected(double MinGreen, double PedGreen, double Amber, double MaxAmber, double AllRed);

    private static double RoundUp(double x, double step) => step <= 0 ? x : Math.Round(Math.Ceiling((x / step) - 1e-9) * step, 9);

    private static Expected ExpectedFor(RandomSignal c, Phase design)
    {
        var l = c.Limits;
        var v = design.Serves.Select(r => c.SpeedKmh[r.Approach] / 3.6).ToList();
        var amber = Math.Max(l.MinAmberS, RoundUp(l.PerceptionReactionS + (v.Max() / ((2 * l.DecelerationMps2) + (2 * 9.81 * l.Grade))), l.RoundUpS));
        var allRed = RoundUp((c.Site.JunctionWidthM + l.VehicleLengthM) / v.Min(), l.RoundUpS);
        var groups = c.Site.Approaches.SelectMany(a => a.LaneGroups.Select(g => (new LaneGroupRef(a.Id, g.Id), g))).ToDictionary(x => x.Item1, x => x.g);
        var ped = l.PedestriansWithThroughMovements && design.Serves.Any(r => groups[r].Movements.Contains(Movement.Through))
            ? l.WalkS + ((l.PedestrianCrossingM ?? c.Site.JunctionWidthM) / l.WalkingSpeedMps)
            : 0;
        return new Expected(l.MinGreenS, ped, amber, Math.Max(l.MaxAmberS, amber), allRed);
    }

    /// <summary>The rules a plan breaks, worked out here one by one from the independent limits.</summary>
    private static HashSet<SafetyRule> ExpectedRules(RandomSignal c, TimingPlan plan)
    {
        var broken = new HashSet<SafetyRule>();
        var design = c.Site.Plan.Phases;
        bool Bad(double x) => !double.IsFinite(x) || x < 0;
        if (Bad(plan.CycleS) || !double.IsFinite(plan.OffsetS) || plan.Phases.Any(p => Bad(p.GreenS) || Bad(p.AmberS) || Bad(p.AllRedS)))
        {
            broken.Add(SafetyRule.InvalidNumber);
        }

        if (!design.Select(p => p.Id).SequenceEqual(plan.Phases.Select(p => p.Id)))
        {
            broken.Add(SafetyRule.PhaseOrder);
        }

        var known = c.Site.Approaches.SelectMany(a => a.LaneGroups.Select(g => new LaneGroupRef(a.Id, g.Id))).ToHashSet();
        if (plan.Phases.Any(p => p.Serves.Any(r => !known.Contains(r))))
        {
            broken.Add(SafetyRule.UnknownLaneGroup);
        }

        if (known.Any(r => !plan.Phases.Any(p => p.Serves.Contains(r))))
        {
            broken.Add(SafetyRule.UnservedLaneGroup);
        }

        foreach (var p in plan.Phases)
        {
            var d = design.FirstOrDefault(x => x.Id == p.Id);
            if (d is null)
            {
                continue;
            }

            if (!d.Serves.ToHashSet().SetEquals(p.Serves))
            {
                broken.Add(SafetyRule.PhaseServes);
            }

            var e = ExpectedFor(c, d);
            if (double.IsFinite(p.GreenS) && p.GreenS < e.MinGreen - Eps)
            {
                broken.Add(SafetyRule.MinGreen);
            }

            if (double.IsFinite(p.GreenS) && p.GreenS < e.PedGreen - Eps)
            {
                broken.Add(SafetyRule.PedestrianMinGreen);
            }

            if (double.IsFinite(p.AmberS) && p.AmberS < e.Amber - Eps)
            {
                broken.Add(SafetyRule.AmberTooShort);
            }

            if (double.IsFinite(p.AmberS) && p.AmberS > e.MaxAmber + Eps)
            {
                broken.Add(SafetyRule.AmberTooLong);
            }

            if (double.IsFinite(p.AllRedS) && p.AllRedS < e.AllRed - Eps)
            {
                broken.Add(SafetyRule.AllRedTooShort);
            }
        }

        if (double.IsFinite(plan.CycleS))
        {
            if (plan.CycleS < c.Limits.MinCycleS - Eps)
            {
                broken.Add(SafetyRule.CycleTooShort);
            }

            if (plan.CycleS > c.Limits.MaxCycleS + Eps)
            {
                broken.Add(SafetyRule.CycleTooLong);
            }

            var sum = plan.Phases.Sum(p => p.GreenS + p.AmberS + p.AllRedS);
            if (double.IsFinite(sum) && Math.Abs(sum - plan.CycleS) > c.Limits.CycleToleranceS + Eps)
            {
                broken.Add(SafetyRule.CycleMismatch);
            }

            if (double.IsFinite(plan.OffsetS) && (plan.OffsetS < 0 || plan.OffsetS >= plan.CycleS))
            {
                broken.Add(SafetyRule.OffsetOutOfRange);
            }
        }

        return broken;
    }

    /// <summary>A random plan for the case: mostly near the limits, sometimes broken in structure or numbers.</summary>
    private static TimingPlan RandomPlan(Random rng, RandomSignal c)
    {
        double Noise(double around, double below, double above) => around - below + (rng.NextDouble() * (below + above));
        double Weird(double x) => rng.Next(200) switch
        {
            0 => double.NaN,
            1 => double.PositiveInfinity,
            2 => -1,
            _ => x,
        };

        var phases = new List<Phase>();
        foreach (var d in c.Site.Plan.Phases)
        {
            var e = ExpectedFor(c, d);
            var green = Weird(Noise(Math.Max(e.MinGreen, e.PedGreen), 2, 40));
            var amber = Weird(Noise(e.Amber, 0.5, 3));
            var allRed = Weird(Noise(e.AllRed, 0.5, 2));
            var serves = d.Serves.ToList();
            if (rng.Next(40) == 0)
            {
                serves.RemoveAt(rng.Next(serves.Count));
            }

            if (rng.Next(60) == 0)
            {
                serves.Add(new LaneGroupRef("Q", "Z"));
            }

            phases.Add(new Phase(d.Id, green, amber, allRed, serves));
        }

        if (phases.Count > 1 && rng.Next(40) == 0)
        {
            (phases[0], phases[1]) = (phases[1], phases[0]);
        }

        if (rng.Next(60) == 0)
        {
            phases.RemoveAt(rng.Next(phases.Count));
        }

        if (rng.Next(80) == 0)
        {
            phases.Add(new Phase(42, 20, 4, 2, phases.Count > 0 ? phases[0].Serves : []));
        }

        var sum = phases.Sum(p => p.GreenS + p.AmberS + p.AllRedS);
        var cycle = rng.Next(5) == 0 ? Noise(sum, 2, 2) : sum;
        cycle = Weird(cycle);
        var offset = Weird(double.IsFinite(cycle) && cycle > 0 ? Noise(cycle / 2, (cycle / 2) + 3, (cycle / 2) + 3) : 0);
        return new TimingPlan("random", cycle, offset, phases);
    }

    [Fact]
    public void Check_reports_exactly_the_rules_an_independent_check_finds_on_random_plans()
    {
        var rng = new Random(20_240_501);
        var accepted = 0;
        var seen = new HashSet<SafetyRule>();
        for (var i = 0; i < Plans; i++)
        {
            var c = RandomSignals.Case(rng);
            var plan = RandomPlan(rng, c);

            var violations = SafetyRules.Check(c.Site, plan, c.Profile);
            var rules = violations.Select(v => v.Rule).ToHashSet();
            var expected = ExpectedRules(c, plan);

            Assert.True(expected.SetEquals(rules), $"plan #{i}: expected [{string.Join(", ", expected.Order())}], Check found [{string.Join(", ", rules.Order())}]");
            if (violations.Count == 0)
            {
                accepted++;
            }

            seen.UnionWith(rules);
        }

        // The generator must exercise both sides: enough safe plans, and every rule broken at least once.
        Assert.InRange(accepted, Plans / 20, Plans - (Plans / 20));
        Assert.Equal(Enum.GetValues<SafetyRule>().ToHashSet(), seen);
    }

    [Fact]
    public void Every_plan_MakeSafe_returns_passes_every_rule()
    {
        var rng = new Random(7_777);
        for (var i = 0; i < Plans; i++)
        {
            var c = RandomSignals.Case(rng);
            var profile = c.Profile;
            if (!profile.IsFeasible)
            {
                continue;
            }

            var plan = RandomPlan(rng, c);
            var safe = SafetyRules.MakeSafe(c.Site, plan, profile);

            Assert.Empty(SafetyRules.Check(c.Site, safe, profile));
            Assert.Empty(ExpectedRules(c, safe));
        }
    }

    [Fact]
    public void MakeSafe_leaves_the_times_of_a_safe_plan_alone()
    {
        var rng = new Random(31_337);
        var checkedPlans = 0;
        for (var i = 0; i < Plans; i++)
        {
            var c = RandomSignals.Case(rng);
            var plan = RandomPlan(rng, c);
            if (!SafetyRules.IsSafe(c.Site, plan, c.Profile))
            {
                continue;
            }

            checkedPlans++;
            var again = SafetyRules.MakeSafe(c.Site, plan, c.Profile);
            Assert.Equal(plan.Phases.Select(p => (p.Id, p.GreenS, p.AmberS, p.AllRedS)), again.Phases.Select(p => (p.Id, p.GreenS, p.AmberS, p.AllRedS)));
            if (plan.OffsetS < again.CycleS)
            {
                Assert.Equal(plan.OffsetS, again.OffsetS);
            }
        }

        Assert.True(checkedPlans > Plans / 20, $"only {checkedPlans} safe plans were generated");
    }

    [Fact]
    public void Pushing_one_time_of_a_safe_plan_past_its_limit_is_caught_with_the_right_rule()
    {
        var rng = new Random(4_242);
        var mutations = new Dictionary<SafetyRule, int>();
        for (var i = 0; i < Plans; i++)
        {
            var c = RandomSignals.Case(rng);
            var profile = c.Profile;
            if (!profile.IsFeasible)
            {
                continue;
            }

            var safe = SafetyRules.MakeSafe(c.Site, RandomPlan(rng, c), profile);
            var k = rng.Next(safe.Phases.Count);
            var p = safe.Phases[k];
            var e = ExpectedFor(c, c.Site.Plan.Phases.Single(d => d.Id == p.Id));
            var below = 0.01 + (rng.NextDouble() * 2);

            var (rule, mutated) = rng.Next(9) switch
            {
                0 => (SafetyRule.MinGreen, Replace(safe, k, p with { GreenS = Math.Max(0, e.MinGreen - below) })),
                1 when e.PedGreen > e.MinGreen + 0.02 => (SafetyRule.PedestrianMinGreen, Replace(safe, k, p with { GreenS = Math.Max(e.MinGreen, e.PedGreen - below) })),
                2 => (SafetyRule.AmberTooShort, Replace(safe, k, p with { AmberS = e.Amber - below })),
                3 => (SafetyRule.AmberTooLong, Replace(safe, k, p with { AmberS = e.MaxAmber + below })),
                4 => (SafetyRule.AllRedTooShort, Replace(safe, k, p with { AllRedS = Math.Max(0, e.AllRed - below) })),
                5 => (SafetyRule.CycleTooLong, Stretch(safe, k, c.Limits.MaxCycleS + below)),
                6 => (SafetyRule.OffsetOutOfRange, safe with { OffsetS = rng.Next(2) == 0 ? -below : safe.CycleS + below - 0.01 }),
                7 => (SafetyRule.CycleMismatch, safe with { CycleS = safe.CycleS + ((c.Limits.CycleToleranceS + below) * (rng.Next(2) == 0 ? -1 : 1)) }),
                _ => (SafetyRule.InvalidNumber, Replace(safe, k, p with { GreenS = double.NaN })),
            };

            var violations = SafetyRules.Check(c.Site, mutated, profile);
            Assert.Contains(violations, v => v.Rule == rule && (v.PhaseId is null || v.PhaseId == p.Id));
            mutations[rule] = mutations.GetValueOrDefault(rule) + 1;
        }

        Assert.Equal(9, mutations.Count);
    }

    /// <summary>Replaces phase k and keeps the cycle equal to the sum of the phases.</summary>
    private static TimingPlan Replace(TimingPlan plan, int k, Phase phase)
    {
        var phases = plan.Phases.ToList();
        phases[k] = phase;
        var sum = phases.Sum(p => p.DurationS);
        return plan with { Phases = phases, CycleS = double.IsFinite(sum) ? sum : plan.CycleS, OffsetS = 0 };
    }

    /// <summary>Lengthens phase k's green so that the cycle becomes <paramref name="cycle"/>.</summary>
    private static TimingPlan Stretch(TimingPlan plan, int k, double cycle)
    {
        var phase = plan.Phases[k];
        return Replace(plan, k, phase with { GreenS = phase.GreenS + cycle - plan.Phases.Sum(p => p.DurationS) });
    }
}
