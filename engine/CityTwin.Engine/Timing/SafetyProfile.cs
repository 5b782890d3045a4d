using CityTwin.Engine.City;

namespace CityTwin.Engine.Timing;

/// <summary>
/// The limits one phase of a signal must respect, in the phase order of the signal's design plan.
/// </summary>
/// <param name="PhaseId">Phase number, as in the design plan.</param>
/// <param name="Serves">The lane groups the phase serves in the design plan; a new plan must keep them.</param>
/// <param name="VehicleMinGreenS">Minimum green for drivers (s).</param>
/// <param name="PedestrianMinGreenS">Walk + crossing length / walking speed (s); 0 when the phase carries no pedestrians.</param>
/// <param name="RequiredAmberS">Amber by the ITE formula for the fastest served approach, at least the minimum amber (s).</param>
/// <param name="MaxAmberS">Longest allowed amber (s).</param>
/// <param name="RequiredAllRedS">All-red (W + L)/v for the slowest served approach (s).</param>
/// <param name="FastestApproachKmh">Speed the amber was computed for (km/h).</param>
/// <param name="SlowestApproachKmh">Speed the all-red was computed for (km/h).</param>
public sealed record PhaseLimits(
    int PhaseId,
    IReadOnlyList<LaneGroupRef> Serves,
    double VehicleMinGreenS,
    double PedestrianMinGreenS,
    double RequiredAmberS,
    double MaxAmberS,
    double RequiredAllRedS,
    double FastestApproachKmh,
    double SlowestApproachKmh)
{
    /// <summary>The binding minimum green: the larger of the vehicle and pedestrian minimums (s).</summary>
    public double MinGreenS => Math.Max(VehicleMinGreenS, PedestrianMinGreenS);

    /// <summary>The shortest the phase can be: minimum green + required amber + required all-red (s).</summary>
    public double MinDurationS => MinGreenS + RequiredAmberS + RequiredAllRedS;
}

/// <summary>
/// Everything a timing plan for one signal must respect: per-phase minimum green (vehicles and pedestrians),
/// amber and all-red from approach speed and junction width, cycle bounds, and the phase order of the
/// signal's design plan. Check a plan against it with <see cref="SafetyRules.Check"/>.
/// </summary>
/// <param name="SignalId">The signal.</param>
/// <param name="DesignPlanId">The plan (from the city) whose phases and order every new plan must keep.</param>
/// <param name="Phases">Per-phase limits, in the design plan's running order.</param>
/// <param name="LaneGroups">Every lane group of the signal.</param>
/// <param name="MinCycleS">Shortest cycle (s).</param>
/// <param name="MaxCycleS">Longest cycle (s).</param>
/// <param name="CycleToleranceS">How far the cycle may differ from the sum of the phase durations (s).</param>
/// <param name="PedestrianCrossingM">Crossing length used for the pedestrian minimum (m).</param>
/// <param name="Limits">The constants the profile was computed with.</param>
public sealed record SafetyProfile(
    string SignalId,
    string DesignPlanId,
    IReadOnlyList<PhaseLimits> Phases,
    IReadOnlyList<LaneGroupRef> LaneGroups,
    double MinCycleS,
    double MaxCycleS,
    double CycleToleranceS,
    double PedestrianCrossingM,
    SafetyLimits Limits)
{
    /// <summary>Standard gravity g (m/s²) of the ITE amber formula's grade term.</summary>
    public const double Gravity = 9.81;

    /// <summary>Sum of the phases' shortest durations (s): no safe plan has a shorter cycle.</summary>
    public double MinimumPhaseSumS => Phases.Sum(p => p.MinDurationS);

    /// <summary>Whether any plan can satisfy the profile: the phases' shortest durations fit under the longest cycle.</summary>
    public bool IsFeasible => MinimumPhaseSumS <= MaxCycleS;

    /// <summary>The limits of the phase with this id, or null when the design plan has no such phase.</summary>
    /// <param name="phaseId">Phase number.</param>
    public PhaseLimits? Phase(int phaseId) => Phases.FirstOrDefault(p => p.PhaseId == phaseId);

    /// <summary>
    /// The profile of a signal of a city: approach speeds are the speed limits of the approaches' links
    /// (<see cref="SafetyLimits.DefaultApproachSpeedKmh"/> for an approach without a link).
    /// </summary>
    /// <param name="city">The city the signal belongs to.</param>
    /// <param name="site">The signal; its plan from the city is the design plan.</param>
    /// <param name="limits">Constants; <see cref="SafetyLimits.Default"/> when null.</param>
    /// <exception cref="ArgumentException">The limits are not usable.</exception>
    public static SafetyProfile For(CityModel city, SignalSite site, SafetyLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(city);
        var fallback = (limits ?? SafetyLimits.Default).DefaultApproachSpeedKmh;
        return For(site, a => a.LinkId is { } id && city.LinksById.TryGetValue(id, out var link) ? link.SpeedLimitKmh : fallback, limits);
    }

    /// <summary>The profile of a signal whose approach speeds come from elsewhere (a test, a what-if).</summary>
    /// <param name="site">The signal; its plan is the design plan.</param>
    /// <param name="approachSpeedKmh">The approach speed (km/h) of each approach.</param>
    /// <param name="limits">Constants; <see cref="SafetyLimits.Default"/> when null.</param>
    /// <exception cref="ArgumentException">The limits or a speed are not usable.</exception>
    public static SafetyProfile For(SignalSite site, Func<Approach, double> approachSpeedKmh, SafetyLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(approachSpeedKmh);
        limits ??= SafetyLimits.Default;
        var problems = limits.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"safety limits: {string.Join("; ", problems)}", nameof(limits));
        }

        var speeds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var a in site.Approaches)
        {
            var v = approachSpeedKmh(a);
            if (!double.IsFinite(v) || v <= 0)
            {
                throw new ArgumentException($"signal '{site.Id}' approach '{a.Id}': speed {v} km/h is not a positive number", nameof(approachSpeedKmh));
            }

            speeds[a.Id] = v;
        }

        var groups = site.Approaches
            .SelectMany(a => a.LaneGroups.Select(g => (Ref: new LaneGroupRef(a.Id, g.Id), Group: g)))
            .ToList();
        var byRef = groups.ToDictionary(g => g.Ref, g => g.Group);
        var crossing = limits.PedestrianCrossingM ?? site.JunctionWidthM;
        var pedestrianMin = limits.WalkS + (crossing / limits.WalkingSpeedMps);

        var phases = new List<PhaseLimits>();
        foreach (var p in site.Plan.Phases)
        {
            var served = p.Serves.Where(r => speeds.ContainsKey(r.Approach)).Select(r => speeds[r.Approach]).ToList();
            var fastest = served.Count > 0 ? served.Max() : limits.DefaultApproachSpeedKmh;
            var slowest = served.Count > 0 ? served.Min() : limits.DefaultApproachSpeedKmh;
            var amber = Math.Max(limits.MinAmberS, RoundUp(IteAmberS(fastest, limits), limits.RoundUpS));
            var allRed = RoundUp(IteAllRedS(slowest, site.JunctionWidthM, limits), limits.RoundUpS);
            var carriesPedestrians = limits.PedestriansWithThroughMovements &&
                p.Serves.Any(r => byRef.TryGetValue(r, out var g) && g.Movements.Contains(Movement.Through));
            phases.Add(new PhaseLimits(
                p.Id,
                p.Serves,
                limits.MinGreenS,
                carriesPedestrians ? pedestrianMin : 0,
                amber,
                Math.Max(limits.MaxAmberS, amber),
                allRed,
                fastest,
                slowest));
        }

        return new SafetyProfile(
            site.Id,
            site.Plan.Id,
            phases,
            groups.Select(g => g.Ref).ToList(),
            limits.MinCycleS,
            limits.MaxCycleS,
            limits.CycleToleranceS,
            crossing,
            limits);
    }

    /// <summary>
    /// ITE kinematic amber (yellow change interval): Y = t + v / (2a + 2gG), v in m/s.
    /// </summary>
    /// <param name="speedKmh">Approach speed (km/h).</param>
    /// <param name="limits">t, a and G.</param>
    public static double IteAmberS(double speedKmh, SafetyLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var v = speedKmh / 3.6;
        return limits.PerceptionReactionS + (v / ((2 * limits.DecelerationMps2) + (2 * Gravity * limits.Grade)));
    }

    /// <summary>ITE all-red (red clearance interval): R = (W + L) / v, v in m/s.</summary>
    /// <param name="speedKmh">Approach speed (km/h).</param>
    /// <param name="junctionWidthM">Stop line to the far side of the junction (m).</param>
    /// <param name="limits">L.</param>
    public static double IteAllRedS(double speedKmh, double junctionWidthM, SafetyLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return (junctionWidthM + limits.VehicleLengthM) / (speedKmh / 3.6);
    }

    private static double RoundUp(double value, double step)
    {
        if (step <= 0)
        {
            return value;
        }

        // Shave a hair off before rounding up so that a value that is already a multiple stays put, and round
        // the product so that 34 x 0.1 is 3.4, not 3.4000000000000004.
        return Math.Round(Math.Ceiling((value / step) - 1e-9) * step, 9);
    }
}
