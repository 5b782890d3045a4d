using CityTwin.Engine.City;

namespace CityTwin.Engine.Timing;

/// <summary>Lower and upper bound of a cycle (s).</summary>
/// <param name="MinS">Shortest cycle (s).</param>
/// <param name="MaxS">Longest cycle (s).</param>
public sealed record CycleBounds(double MinS, double MaxS);

/// <summary>
/// Webster's optimal cycle and its effective green split.
/// </summary>
/// <param name="FlowRatios">Critical flow ratio y = q/s of each phase, in order.</param>
/// <param name="FlowRatioSum">Y, the sum of the critical flow ratios.</param>
/// <param name="LostTimeS">L, the total lost time of the cycle (s).</param>
/// <param name="OptimalCycleS">C0 = (1.5 L + 5) / (1 - Y), before any bounds (s).</param>
/// <param name="CycleS">The cycle used: C0 brought within the bounds, if any (s).</param>
/// <param name="CycleClamped">Whether the bounds changed C0.</param>
/// <param name="EffectiveGreensS">Effective greens splitting <see cref="CycleS"/> - L in proportion to the flow ratios (equally when Y = 0).</param>
public sealed record WebsterCycle(
    IReadOnlyList<double> FlowRatios,
    double FlowRatioSum,
    double LostTimeS,
    double OptimalCycleS,
    double CycleS,
    bool CycleClamped,
    IReadOnlyList<double> EffectiveGreensS);

/// <summary>The critical flow ratios add up to 1 or more: no cycle length can serve the demand.</summary>
/// <param name="flowRatioSum">Y.</param>
public sealed class OversaturatedJunctionException(double flowRatioSum)
    : Exception($"the junction is oversaturated: the critical flow ratios add up to Y = {flowRatioSum:0.###} >= 1, so no cycle length can serve the demand (Webster's C0 = (1.5 L + 5) / (1 - Y) needs Y < 1)")
{
    /// <summary>Y, the sum of the critical flow ratios.</summary>
    public double FlowRatioSum { get; } = flowRatioSum;
}

/// <summary>Choices for <see cref="Webster.Plan"/>.</summary>
public sealed record WebsterPlanOptions
{
    /// <summary>Id of the new plan.</summary>
    public string PlanId { get; init; } = "webster";

    /// <summary>Use this cycle instead of Webster's C0 (still within the profile's bounds); null for C0.</summary>
    public double? CycleS { get; init; }

    /// <summary>
    /// When Y &gt;= 1, give the longest allowed cycle split in proportion to the flow ratios instead of
    /// throwing <see cref="OversaturatedJunctionException"/>; the result says so.
    /// </summary>
    public bool AllowOversaturated { get; init; }
}

/// <summary>A timing plan from measured flows by Webster's method, with how it was reached.</summary>
/// <param name="Plan">The plan: the design phases in order, greens from Webster, amber and all-red from the safety profile.</param>
/// <param name="Cycle">Webster's numbers for the phases (flow ratios, lost time, C0, cycle used, unadjusted greens).</param>
/// <param name="CriticalLaneGroups">Per phase, the served lane group with the largest flow ratio (null when none has flow).</param>
/// <param name="MinGreenPhases">Phases held at their minimum green (vehicle or pedestrian) because their share fell below it.</param>
/// <param name="CycleRaisedForMinGreens">Whether the cycle had to grow to fit the minimum greens.</param>
/// <param name="Oversaturated">Whether Y &gt;= 1 (only with <see cref="WebsterPlanOptions.AllowOversaturated"/>); then <see cref="WebsterCycle.OptimalCycleS"/> is +infinity, which JSON cannot carry.</param>
/// <param name="UnmeasuredLaneGroups">Lane groups with no flow given, taken as 0 veh/h.</param>
public sealed record WebsterPlan(
    TimingPlan Plan,
    WebsterCycle Cycle,
    IReadOnlyList<LaneGroupRef?> CriticalLaneGroups,
    IReadOnlyList<int> MinGreenPhases,
    bool CycleRaisedForMinGreens,
    bool Oversaturated,
    IReadOnlyList<LaneGroupRef> UnmeasuredLaneGroups);

/// <summary>
/// Webster's method (F. V. Webster, "Traffic Signal Settings", Road Research Technical Paper No. 39, HMSO,
/// London, 1958): optimal cycle, green split, and delay.
/// </summary>
public static class Webster
{
    /// <summary>
    /// C0 = (1.5 L + 5) / (1 - Y) and effective greens g_i = (y_i / Y)(C - L), C being C0 brought within the
    /// bounds when they are given.
    /// </summary>
    /// <param name="criticalFlowRatios">Critical flow ratio y = q/s of each phase (&gt;= 0).</param>
    /// <param name="lostTimeS">Total lost time of the cycle L (s, &gt;= 0).</param>
    /// <param name="bounds">Cycle bounds; null for none.</param>
    /// <exception cref="ArgumentException">A number is missing, not finite or out of range; or the bounds leave no green.</exception>
    /// <exception cref="OversaturatedJunctionException">Y &gt;= 1.</exception>
    public static WebsterCycle OptimalCycle(IReadOnlyList<double> criticalFlowRatios, double lostTimeS, CycleBounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(criticalFlowRatios);
        if (criticalFlowRatios.Count == 0)
        {
            throw new ArgumentException("at least one phase (critical flow ratio) is needed", nameof(criticalFlowRatios));
        }

        for (var i = 0; i < criticalFlowRatios.Count; i++)
        {
            if (!double.IsFinite(criticalFlowRatios[i]) || criticalFlowRatios[i] < 0)
            {
                throw new ArgumentException($"flow ratio #{i + 1} is {criticalFlowRatios[i]}; it must be a finite number >= 0", nameof(criticalFlowRatios));
            }
        }

        if (!double.IsFinite(lostTimeS) || lostTimeS < 0)
        {
            throw new ArgumentException($"the lost time is {lostTimeS}; it must be a finite number >= 0", nameof(lostTimeS));
        }

        if (bounds is not null && (!double.IsFinite(bounds.MinS) || !double.IsFinite(bounds.MaxS) || bounds.MinS <= 0 || bounds.MinS > bounds.MaxS))
        {
            throw new ArgumentException($"cycle bounds [{bounds.MinS}, {bounds.MaxS}] are not 0 < min <= max", nameof(bounds));
        }

        var y = criticalFlowRatios.Sum();
        if (y >= 1)
        {
            throw new OversaturatedJunctionException(y);
        }

        var c0 = ((1.5 * lostTimeS) + 5) / (1 - y);
        var cycle = bounds is null ? c0 : Math.Clamp(c0, bounds.MinS, bounds.MaxS);
        if (cycle <= lostTimeS)
        {
            throw new ArgumentException($"a cycle of {cycle:0.##} s leaves no green after the lost time of {lostTimeS:0.##} s", nameof(bounds));
        }

        return new WebsterCycle(criticalFlowRatios.ToList(), y, lostTimeS, c0, cycle, cycle != c0, Split(criticalFlowRatios, cycle - lostTimeS));
    }

    /// <summary>
    /// <see cref="OptimalCycle(IReadOnlyList{double}, double, CycleBounds?)"/> from the critical lane groups'
    /// flows and saturation flows, y_i = q_i / s_i.
    /// </summary>
    /// <param name="flowsVehH">Flow of each phase's critical lane group (veh/h, &gt;= 0).</param>
    /// <param name="saturationFlowsVehH">Its saturation flow (veh/h of green, &gt; 0).</param>
    /// <param name="lostTimeS">Total lost time of the cycle L (s).</param>
    /// <param name="bounds">Cycle bounds; null for none.</param>
    /// <exception cref="ArgumentException">The lists differ in length, or a number is out of range.</exception>
    /// <exception cref="OversaturatedJunctionException">Y &gt;= 1.</exception>
    public static WebsterCycle OptimalCycle(IReadOnlyList<double> flowsVehH, IReadOnlyList<double> saturationFlowsVehH, double lostTimeS, CycleBounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(flowsVehH);
        ArgumentNullException.ThrowIfNull(saturationFlowsVehH);
        if (flowsVehH.Count != saturationFlowsVehH.Count)
        {
            throw new ArgumentException($"{flowsVehH.Count} flows but {saturationFlowsVehH.Count} saturation flows; give one of each per phase", nameof(saturationFlowsVehH));
        }

        var ratios = new double[flowsVehH.Count];
        for (var i = 0; i < ratios.Length; i++)
        {
            if (!double.IsFinite(flowsVehH[i]) || flowsVehH[i] < 0)
            {
                throw new ArgumentException($"flow #{i + 1} is {flowsVehH[i]}; it must be a finite number >= 0", nameof(flowsVehH));
            }

            if (!double.IsFinite(saturationFlowsVehH[i]) || saturationFlowsVehH[i] <= 0)
            {
                throw new ArgumentException($"saturation flow #{i + 1} is {saturationFlowsVehH[i]}; it must be a finite number > 0", nameof(saturationFlowsVehH));
            }

            ratios[i] = flowsVehH[i] / saturationFlowsVehH[i];
        }

        return OptimalCycle(ratios, lostTimeS, bounds);
    }

    /// <summary>
    /// Webster's mean delay per vehicle (s) for random arrivals at a fixed-time signal, the full three-term
    /// formula: d = C(1-λ)² / (2(1-λx)) + x² / (2q(1-x)) - 0.65 (C/q²)^(1/3) x^(2+5λ), with q in veh/s,
    /// λ = g/C and x = q / (λ s). Infinite when x &gt;= 1 (the formula holds only below saturation); with no
    /// flow, the first term at x = 0.
    /// </summary>
    /// <param name="flowVehH">Arrival flow q (veh/h).</param>
    /// <param name="saturationFlowVehH">Saturation flow s (veh/h of green).</param>
    /// <param name="effectiveGreenS">Effective green g (s).</param>
    /// <param name="cycleS">Cycle C (s).</param>
    /// <exception cref="ArgumentException">A number is out of range.</exception>
    public static double DelayS(double flowVehH, double saturationFlowVehH, double effectiveGreenS, double cycleS)
    {
        if (!double.IsFinite(flowVehH) || flowVehH < 0 || !double.IsFinite(saturationFlowVehH) || saturationFlowVehH <= 0 ||
            !double.IsFinite(cycleS) || cycleS <= 0 || !double.IsFinite(effectiveGreenS) || effectiveGreenS < 0 || effectiveGreenS > cycleS)
        {
            throw new ArgumentException($"Webster delay needs q >= 0, s > 0, C > 0 and 0 <= g <= C (q {flowVehH}, s {saturationFlowVehH}, g {effectiveGreenS}, C {cycleS})");
        }

        var lambda = effectiveGreenS / cycleS;
        if (flowVehH == 0)
        {
            return cycleS * (1 - lambda) * (1 - lambda) / 2;
        }

        var x = LaneGroupPerformance.DegreeOfSaturation(flowVehH, saturationFlowVehH, effectiveGreenS, cycleS);
        if (x >= 1)
        {
            return double.PositiveInfinity;
        }

        var q = flowVehH / 3600.0;
        var uniform = cycleS * (1 - lambda) * (1 - lambda) / (2 * (1 - (lambda * x)));
        var random = x * x / (2 * q * (1 - x));
        var correction = 0.65 * Math.Cbrt(cycleS / (q * q)) * Math.Pow(x, 2 + (5 * lambda));
        return uniform + random - correction;
    }

    /// <summary>
    /// A plan for a signal from measured lane-group flows: the design plan's phases in their order; each
    /// phase's critical flow ratio is the largest y = q/s of the lane groups it serves; amber and all-red are
    /// the safety profile's required values, and the lost time of a phase is its amber + all-red, because the
    /// simulation discharges vehicles during the displayed green only and takes the effective green as the
    /// displayed green (start-up loss and amber gain cancelling, as the city format says); so the displayed
    /// greens are Webster's effective greens. The cycle is C0 (or <see cref="WebsterPlanOptions.CycleS"/>)
    /// within the profile's bounds; greens below a phase's minimum (vehicle or pedestrian) are raised to it
    /// and the other greens share what is left in proportion to their flow ratios; when the minimums do not
    /// fit, the cycle grows. The plan passes <see cref="SafetyRules.Check"/>.
    /// </summary>
    /// <param name="site">The signal; its plan is the design plan.</param>
    /// <param name="flowsVehH">Measured flow per lane group (veh/h); a missing group counts as 0 and is reported.</param>
    /// <param name="profile">The signal's safety profile.</param>
    /// <param name="options">Plan id, a fixed cycle, what to do when oversaturated.</param>
    /// <exception cref="ArgumentException">A flow is not a finite number &gt;= 0, or the profile is for another signal.</exception>
    /// <exception cref="OversaturatedJunctionException">Y &gt;= 1 and oversaturation is not allowed.</exception>
    /// <exception cref="InvalidOperationException">The profile admits no plan (minimum phases longer than the longest cycle).</exception>
    public static WebsterPlan Plan(SignalSite site, IReadOnlyDictionary<LaneGroupRef, double> flowsVehH, SafetyProfile profile, WebsterPlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(flowsVehH);
        ArgumentNullException.ThrowIfNull(profile);
        options ??= new WebsterPlanOptions();
        if (profile.SignalId != site.Id)
        {
            throw new ArgumentException($"the safety profile is for signal '{profile.SignalId}', not '{site.Id}'", nameof(profile));
        }

        foreach (var (group, q) in flowsVehH)
        {
            if (!double.IsFinite(q) || q < 0)
            {
                throw new ArgumentException($"signal '{site.Id}': flow of lane group '{group}' is {q}; it must be a finite number >= 0", nameof(flowsVehH));
            }
        }

        if (!profile.IsFeasible)
        {
            throw new InvalidOperationException(
                $"signal '{site.Id}': no safe plan exists: the phases' shortest durations add up to {profile.MinimumPhaseSumS:0.##} s, above the longest cycle {profile.MaxCycleS:0.##} s");
        }

        var saturation = site.Approaches
            .SelectMany(a => a.LaneGroups.Select(g => (Ref: new LaneGroupRef(a.Id, g.Id), g.SaturationFlowVehH)))
            .ToDictionary(x => x.Ref, x => x.SaturationFlowVehH);
        var unmeasured = saturation.Keys.Where(r => !flowsVehH.ContainsKey(r)).ToList();

        var n = profile.Phases.Count;
        var ratios = new double[n];
        var critical = new LaneGroupRef?[n];
        for (var i = 0; i < n; i++)
        {
            foreach (var r in profile.Phases[i].Serves)
            {
                var y = flowsVehH.TryGetValue(r, out var q) && saturation.TryGetValue(r, out var s) ? q / s : 0;
                if (y > ratios[i])
                {
                    ratios[i] = y;
                    critical[i] = r;
                }
            }
        }

        var lost = profile.Phases.Sum(p => p.RequiredAmberS + p.RequiredAllRedS);
        var bounds = new CycleBounds(profile.MinCycleS, profile.MaxCycleS);
        var flowRatioSum = ratios.Sum();
        var oversaturated = flowRatioSum >= 1;
        WebsterCycle cycle;
        if (oversaturated)
        {
            if (!options.AllowOversaturated)
            {
                throw new OversaturatedJunctionException(flowRatioSum);
            }

            cycle = new WebsterCycle(ratios, flowRatioSum, lost, double.PositiveInfinity, profile.MaxCycleS, true, Split(ratios, profile.MaxCycleS - lost));
        }
        else
        {
            cycle = OptimalCycle(ratios, lost, bounds);
            if (options.CycleS is { } fixedCycle)
            {
                if (!double.IsFinite(fixedCycle) || fixedCycle <= 0)
                {
                    throw new ArgumentException($"the cycle {fixedCycle} is not a positive number", nameof(options));
                }

                var used = Math.Clamp(fixedCycle, bounds.MinS, bounds.MaxS);
                cycle = cycle with { CycleS = used, CycleClamped = used != fixedCycle, EffectiveGreensS = Split(ratios, used - lost) };
            }
        }

        var mins = profile.Phases.Select(p => p.MinGreenS).ToArray();
        var available = cycle.CycleS - lost;
        var raised = mins.Sum() > available;
        var (greens, atMin) = raised ? (mins.ToArray(), mins.Select(_ => true).ToArray()) : FillWithMinimums(ratios, mins, available);
        var minGreenPhases = profile.Phases.Where((p, i) => atMin[i]).Select(p => p.PhaseId).ToList();

        var phases = profile.Phases
            .Select((p, i) => new Phase(p.PhaseId, greens[i], p.RequiredAmberS, p.RequiredAllRedS, p.Serves))
            .ToList();
        var cycleS = phases.Sum(p => p.DurationS);
        var offset = site.Plan.OffsetS >= 0 && site.Plan.OffsetS < cycleS ? site.Plan.OffsetS : ((site.Plan.OffsetS % cycleS) + cycleS) % cycleS;
        var plan = new TimingPlan(options.PlanId, cycleS, offset >= cycleS ? 0 : offset, phases);
        return new WebsterPlan(plan, cycle, critical, minGreenPhases, raised, oversaturated, unmeasured);
    }

    /// <summary>Splits <paramref name="total"/> in proportion to the ratios (equally when they are all 0).</summary>
    private static double[] Split(IReadOnlyList<double> ratios, double total)
    {
        var sum = ratios.Sum();
        return sum > 0
            ? ratios.Select(y => total * y / sum).ToArray()
            : ratios.Select(_ => total / ratios.Count).ToArray();
    }

    /// <summary>
    /// Splits <paramref name="available"/> in proportion to the ratios, raising any share below its minimum to
    /// the minimum and sharing the rest among the others, until no share is below its minimum. The minimums
    /// must fit in <paramref name="available"/>.
    /// </summary>
    private static (double[] Greens, bool[] AtMin) FillWithMinimums(double[] ratios, double[] mins, double available)
    {
        var n = ratios.Length;
        var atMin = new bool[n];
        var greens = new double[n];
        while (true)
        {
            var left = available - mins.Where((_, i) => atMin[i]).Sum();
            var free = Enumerable.Range(0, n).Where(i => !atMin[i]).ToList();
            var weight = free.Sum(i => ratios[i]);
            var changed = false;
            foreach (var i in free)
            {
                greens[i] = weight > 0 ? left * ratios[i] / weight : left / free.Count;
                if (greens[i] < mins[i])
                {
                    atMin[i] = true;
                    changed = true;
                }
            }

            for (var i = 0; i < n; i++)
            {
                if (atMin[i])
                {
                    greens[i] = mins[i];
                }
            }

            if (!changed)
            {
                return (greens, atMin);
            }
        }
    }
}
