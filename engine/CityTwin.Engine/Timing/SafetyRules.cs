using CityTwin.Engine.City;

namespace CityTwin.Engine.Timing;

/// <summary>
/// The safety rules no timing plan may break (docs/signal-timing.md lists them with their codes), and a
/// repair that turns any plan into one that keeps them.
/// </summary>
public static class SafetyRules
{
    /// <summary>Slack for floating-point noise when a time is compared with a limit (s).</summary>
    public const double Epsilon = 1e-9;

    /// <summary>Every rule the plan breaks, in a stable order; empty when the plan is safe.</summary>
    /// <param name="site">The signal the plan is for.</param>
    /// <param name="plan">The plan to check.</param>
    /// <param name="profile">The signal's profile (<see cref="SafetyProfile.For(CityModel, SignalSite, SafetyLimits?)"/>).</param>
    /// <exception cref="ArgumentException">The profile is for another signal.</exception>
    public static IReadOnlyList<SafetyViolation> Check(SignalSite site, TimingPlan plan, SafetyProfile profile)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.SignalId != site.Id)
        {
            throw new ArgumentException($"the safety profile is for signal '{profile.SignalId}', not '{site.Id}'", nameof(profile));
        }

        var v = new List<SafetyViolation>();
        var phases = plan.Phases ?? [];
        CheckNumbers(plan, phases, v);
        CheckPhaseOrder(phases, profile, v);
        CheckLaneGroups(site, phases, profile, v);
        foreach (var p in phases)
        {
            if (profile.Phase(p.Id) is { } limits)
            {
                CheckPhaseTimes(p, limits, profile, v);
            }
        }

        CheckCycle(plan, phases, profile, v);
        return v;
    }

    /// <summary>Whether the plan breaks no rule.</summary>
    /// <param name="site">The signal the plan is for.</param>
    /// <param name="plan">The plan to check.</param>
    /// <param name="profile">The signal's profile.</param>
    public static bool IsSafe(SignalSite site, TimingPlan plan, SafetyProfile profile) => Check(site, plan, profile).Count == 0;

    /// <summary>
    /// The nearest safe plan: the design plan's phases in the design order, serving the design's lane groups,
    /// with the given plan's times where they are numbers (the design's otherwise) raised to the minimum green,
    /// required amber and all-red (amber lowered to the maximum), the greens then stretched or shrunk in
    /// proportion (never below their minimums) to bring the cycle within its bounds, the cycle set to the sum
    /// of the phases, and the offset brought into [0, cycle).
    /// </summary>
    /// <param name="site">The signal; its plan is the design plan.</param>
    /// <param name="plan">The plan to repair.</param>
    /// <param name="profile">The signal's profile.</param>
    /// <exception cref="InvalidOperationException">No plan can be safe: the minimum phase durations exceed the longest cycle.</exception>
    public static TimingPlan MakeSafe(SignalSite site, TimingPlan plan, SafetyProfile profile)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(profile);
        if (!profile.IsFeasible)
        {
            throw new InvalidOperationException(
                $"signal '{site.Id}': no safe plan exists: the phases' shortest durations add up to {profile.MinimumPhaseSumS:0.##} s, above the longest cycle {profile.MaxCycleS:0.##} s");
        }

        var given = plan.Phases ?? [];
        var greens = new double[profile.Phases.Count];
        var ambers = new double[profile.Phases.Count];
        var allReds = new double[profile.Phases.Count];
        for (var i = 0; i < profile.Phases.Count; i++)
        {
            var limits = profile.Phases[i];
            var design = site.Plan.Phases.FirstOrDefault(p => p.Id == limits.PhaseId);
            var source = given.FirstOrDefault(p => p.Id == limits.PhaseId);
            greens[i] = Math.Max(Usable(source?.GreenS, design?.GreenS, limits.MinGreenS), limits.MinGreenS);
            ambers[i] = Math.Clamp(Usable(source?.AmberS, design?.AmberS, limits.RequiredAmberS), limits.RequiredAmberS, limits.MaxAmberS);
            allReds[i] = Math.Max(Usable(source?.AllRedS, design?.AllRedS, limits.RequiredAllRedS), limits.RequiredAllRedS);
        }

        var sum = greens.Sum() + ambers.Sum() + allReds.Sum();
        if (sum < profile.MinCycleS)
        {
            // Stretch the greens in proportion to bring the cycle up to its lower bound.
            var extra = profile.MinCycleS - sum;
            var greenSum = greens.Sum();
            for (var i = 0; i < greens.Length; i++)
            {
                greens[i] += extra * greens[i] / greenSum;
            }
        }
        else if (sum > profile.MaxCycleS)
        {
            // Take the excess from the greens' margins above their minimums first, then from the all-reds' and
            // ambers' margins above what is required; feasibility guarantees the margins cover it.
            var excess = sum - profile.MaxCycleS;
            excess = Shrink(greens, profile.Phases.Select(p => p.MinGreenS).ToArray(), excess);
            excess = Shrink(allReds, profile.Phases.Select(p => p.RequiredAllRedS).ToArray(), excess);
            Shrink(ambers, profile.Phases.Select(p => p.RequiredAmberS).ToArray(), excess);
        }

        var phases = profile.Phases
            .Select((l, i) => new Phase(l.PhaseId, greens[i], ambers[i], allReds[i], l.Serves))
            .ToList();
        var cycle = Math.Clamp(phases.Sum(p => p.DurationS), profile.MinCycleS, profile.MaxCycleS);
        var offset = !double.IsFinite(plan.OffsetS) ? 0
            : plan.OffsetS >= 0 && plan.OffsetS < cycle ? plan.OffsetS
            : ((plan.OffsetS % cycle) + cycle) % cycle;
        if (offset >= cycle)
        {
            offset = 0;
        }

        return new TimingPlan(string.IsNullOrEmpty(plan.Id) ? site.Plan.Id : plan.Id, cycle, offset, phases);
    }

    /// <summary>Lowers the values towards their floors, in proportion to their margins, by up to <paramref name="excess"/> in all; answers what is left.</summary>
    private static double Shrink(double[] values, double[] floors, double excess)
    {
        var margin = values.Select((x, i) => Math.Max(0, x - floors[i])).ToArray();
        var total = margin.Sum();
        if (excess <= 0 || total <= 0)
        {
            return Math.Max(0, excess);
        }

        var keep = Math.Max(0, 1 - (excess / total));
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Math.Max(values[i] - margin[i], floors[i]) + (margin[i] * keep);
        }

        return Math.Max(0, excess - total);
    }

    private static double Usable(double? given, double? design, double fallback) =>
        given is { } g && double.IsFinite(g) && g >= 0 ? g
        : design is { } d && double.IsFinite(d) && d >= 0 ? d
        : fallback;

    private static void CheckNumbers(TimingPlan plan, IReadOnlyList<Phase> phases, List<SafetyViolation> v)
    {
        void Number(double value, int? phase, string what)
        {
            if (!double.IsFinite(value) || value < 0)
            {
                var where = phase is { } id ? $"phase {id}: " : "";
                v.Add(new SafetyViolation(
                    SafetyRule.InvalidNumber, phase, null, null, Finite(value),
                    $"{where}{what} is {value}; it must be a finite number >= 0"));
            }
        }

        Number(plan.CycleS, null, "the cycle");
        if (!double.IsFinite(plan.OffsetS))
        {
            v.Add(new SafetyViolation(SafetyRule.InvalidNumber, null, null, null, null, $"the offset is {plan.OffsetS}; it must be a finite number"));
        }

        foreach (var p in phases)
        {
            Number(p.GreenS, p.Id, "green");
            Number(p.AmberS, p.Id, "amber");
            Number(p.AllRedS, p.Id, "all-red");
        }
    }

    private static void CheckPhaseOrder(IReadOnlyList<Phase> phases, SafetyProfile profile, List<SafetyViolation> v)
    {
        var expected = profile.Phases.Select(p => p.PhaseId).ToList();
        var actual = phases.Select(p => p.Id).ToList();
        if (!expected.SequenceEqual(actual))
        {
            v.Add(new SafetyViolation(
                SafetyRule.PhaseOrder, null, null, null, null,
                $"the phases must be [{string.Join(", ", expected)}] in this order, as in design plan '{profile.DesignPlanId}'; the plan has [{string.Join(", ", actual)}]"));
        }
    }

    private static void CheckLaneGroups(SignalSite site, IReadOnlyList<Phase> phases, SafetyProfile profile, List<SafetyViolation> v)
    {
        var known = site.Approaches.SelectMany(a => a.LaneGroups.Select(g => new LaneGroupRef(a.Id, g.Id))).ToHashSet();
        var served = new HashSet<LaneGroupRef>();
        foreach (var p in phases)
        {
            var serves = p.Serves ?? [];
            foreach (var r in serves.Distinct())
            {
                if (known.Contains(r))
                {
                    served.Add(r);
                }
                else
                {
                    v.Add(new SafetyViolation(
                        SafetyRule.UnknownLaneGroup, p.Id, r.ToString(), null, null,
                        $"phase {p.Id} serves '{r}', which is not a lane group of signal '{site.Id}'"));
                }
            }

            if (profile.Phase(p.Id) is { } limits && !limits.Serves.ToHashSet().SetEquals(serves))
            {
                v.Add(new SafetyViolation(
                    SafetyRule.PhaseServes, p.Id, null, null, null,
                    $"phase {p.Id} must serve [{string.Join(", ", limits.Serves)}] as in design plan '{profile.DesignPlanId}'; the plan has [{string.Join(", ", serves)}]"));
            }
        }

        foreach (var r in known.Where(r => !served.Contains(r)).OrderBy(r => r.ToString(), StringComparer.Ordinal))
        {
            v.Add(new SafetyViolation(
                SafetyRule.UnservedLaneGroup, null, r.ToString(), null, null,
                $"lane group '{r}' is served by no phase"));
        }
    }

    private static void CheckPhaseTimes(Phase p, PhaseLimits limits, SafetyProfile profile, List<SafetyViolation> v)
    {
        if (double.IsFinite(p.GreenS))
        {
            if (p.GreenS < limits.VehicleMinGreenS - Epsilon)
            {
                v.Add(new SafetyViolation(
                    SafetyRule.MinGreen, p.Id, null, limits.VehicleMinGreenS, p.GreenS,
                    $"phase {p.Id}: green {p.GreenS:0.##} s is shorter than the minimum green {limits.VehicleMinGreenS:0.##} s"));
            }

            if (p.GreenS < limits.PedestrianMinGreenS - Epsilon)
            {
                v.Add(new SafetyViolation(
                    SafetyRule.PedestrianMinGreen, p.Id, null, limits.PedestrianMinGreenS, p.GreenS,
                    $"phase {p.Id}: green {p.GreenS:0.##} s is shorter than walk {profile.Limits.WalkS:0.##} s + crossing {profile.PedestrianCrossingM:0.#} m at {profile.Limits.WalkingSpeedMps:0.##} m/s = {limits.PedestrianMinGreenS:0.##} s"));
            }
        }

        if (double.IsFinite(p.AmberS))
        {
            if (p.AmberS < limits.RequiredAmberS - Epsilon)
            {
                v.Add(new SafetyViolation(
                    SafetyRule.AmberTooShort, p.Id, null, limits.RequiredAmberS, p.AmberS,
                    $"phase {p.Id}: amber {p.AmberS:0.##} s is shorter than the {limits.RequiredAmberS:0.##} s required at {limits.FastestApproachKmh:0.#} km/h"));
            }

            if (p.AmberS > limits.MaxAmberS + Epsilon)
            {
                v.Add(new SafetyViolation(
                    SafetyRule.AmberTooLong, p.Id, null, limits.MaxAmberS, p.AmberS,
                    $"phase {p.Id}: amber {p.AmberS:0.##} s is longer than the maximum {limits.MaxAmberS:0.##} s"));
            }
        }

        if (double.IsFinite(p.AllRedS) && p.AllRedS < limits.RequiredAllRedS - Epsilon)
        {
            v.Add(new SafetyViolation(
                SafetyRule.AllRedTooShort, p.Id, null, limits.RequiredAllRedS, p.AllRedS,
                $"phase {p.Id}: all-red {p.AllRedS:0.##} s is shorter than the {limits.RequiredAllRedS:0.##} s a vehicle at {limits.SlowestApproachKmh:0.#} km/h needs to clear the junction"));
        }
    }

    private static void CheckCycle(TimingPlan plan, IReadOnlyList<Phase> phases, SafetyProfile profile, List<SafetyViolation> v)
    {
        if (!double.IsFinite(plan.CycleS))
        {
            return;
        }

        if (plan.CycleS < profile.MinCycleS - Epsilon)
        {
            v.Add(new SafetyViolation(
                SafetyRule.CycleTooShort, null, null, profile.MinCycleS, plan.CycleS,
                $"cycle {plan.CycleS:0.##} s is shorter than the minimum {profile.MinCycleS:0.##} s"));
        }

        if (plan.CycleS > profile.MaxCycleS + Epsilon)
        {
            v.Add(new SafetyViolation(
                SafetyRule.CycleTooLong, null, null, profile.MaxCycleS, plan.CycleS,
                $"cycle {plan.CycleS:0.##} s is longer than the maximum {profile.MaxCycleS:0.##} s"));
        }

        var sum = phases.Sum(p => p.DurationS);
        if (double.IsFinite(sum) && Math.Abs(sum - plan.CycleS) > profile.CycleToleranceS + Epsilon)
        {
            v.Add(new SafetyViolation(
                SafetyRule.CycleMismatch, null, null, sum, plan.CycleS,
                $"cycle {plan.CycleS:0.##} s is not the sum of the phases' green + amber + all-red, {sum:0.##} s (tolerance {profile.CycleToleranceS:0.##} s)"));
        }

        if (double.IsFinite(plan.OffsetS) && (plan.OffsetS < 0 || plan.OffsetS >= plan.CycleS))
        {
            v.Add(new SafetyViolation(
                SafetyRule.OffsetOutOfRange, null, null, null, plan.OffsetS,
                $"offset {plan.OffsetS:0.##} s is not within [0, cycle {plan.CycleS:0.##} s)"));
        }
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
