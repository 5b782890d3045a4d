namespace CityTwin.Engine.Timing;

/// <summary>
/// The constants behind a <see cref="SafetyProfile"/>. Defaults and their sources (docs/signal-timing.md has
/// the full list):
/// <list type="bullet">
/// <item>minimum vehicle green 7 s: FHWA Signal Timing Manual (FHWA-HOP-08-024, 2008), section 5.3.1, Table 5-3
/// (through phase on an arterial with a speed limit of 40 mph or less: 7 to 15 s);</item>
/// <item>amber and all-red by the ITE kinematic formula with perception-reaction time 1.0 s, deceleration
/// 10 ft/s² (3.05 m/s²) and a 20 ft (6.1 m) vehicle: ITE, "Guidelines for Determining Traffic Signal Change
/// and Clearance Intervals" (Recommended Practice, 2020), values confirmed by NCHRP Report 731 (2012);</item>
/// <item>amber between 3 and 6 s: MUTCD 2009, section 4D.26;</item>
/// <item>walk at least 7 s and a walking speed of 3.5 ft/s (1.07 m/s) for the pedestrian clearance:
/// MUTCD 2009, section 4E.06.</item>
/// </list>
/// </summary>
public sealed record SafetyLimits
{
    /// <summary>The defaults listed above.</summary>
    public static SafetyLimits Default { get; } = new();

    /// <summary>Minimum displayed green of any phase (s).</summary>
    public double MinGreenS { get; init; } = 7;

    /// <summary>Perception-reaction time t of the ITE amber formula (s).</summary>
    public double PerceptionReactionS { get; init; } = 1.0;

    /// <summary>Comfortable deceleration a of the ITE amber formula (m/s²); 10 ft/s².</summary>
    public double DecelerationMps2 { get; init; } = 3.048;

    /// <summary>Approach grade G as a fraction (uphill positive, downhill negative); the city format has no grades.</summary>
    public double Grade { get; init; }

    /// <summary>Vehicle length L of the ITE all-red formula (m); 20 ft.</summary>
    public double VehicleLengthM { get; init; } = 6.096;

    /// <summary>Shortest amber whatever the speed (s).</summary>
    public double MinAmberS { get; init; } = 3;

    /// <summary>Longest amber (s), unless the formula itself asks for more at a very fast approach.</summary>
    public double MaxAmberS { get; init; } = 6;

    /// <summary>Required amber and all-red are rounded up to a multiple of this step (s); 0 for no rounding.</summary>
    public double RoundUpS { get; init; } = 0.1;

    /// <summary>Speed used for an approach without a link (km/h).</summary>
    public double DefaultApproachSpeedKmh { get; init; } = 50;

    /// <summary>Whether phases that serve a through movement carry the parallel pedestrian crossing.</summary>
    public bool PedestriansWithThroughMovements { get; init; } = true;

    /// <summary>Walk interval (s).</summary>
    public double WalkS { get; init; } = 7;

    /// <summary>Walking speed for the pedestrian clearance (m/s); 3.5 ft/s.</summary>
    public double WalkingSpeedMps { get; init; } = 1.0668;

    /// <summary>Crossing length (m); when null, the signal's junction width (stop line to far side).</summary>
    public double? PedestrianCrossingM { get; init; }

    /// <summary>Shortest cycle (s).</summary>
    public double MinCycleS { get; init; } = 30;

    /// <summary>Longest cycle (s).</summary>
    public double MaxCycleS { get; init; } = 180;

    /// <summary>How far the cycle may differ from the sum of the phase durations (s), as in the city format.</summary>
    public double CycleToleranceS { get; init; } = 0.5;

    /// <summary>Every problem with these numbers (empty when they can be used).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Positive(double value, string name)
        {
            if (!double.IsFinite(value) || value <= 0)
            {
                problems.Add($"{name} must be a finite number > 0 (is {value})");
            }
        }

        void NonNegative(double value, string name)
        {
            if (!double.IsFinite(value) || value < 0)
            {
                problems.Add($"{name} must be a finite number >= 0 (is {value})");
            }
        }

        Positive(MinGreenS, nameof(MinGreenS));
        NonNegative(PerceptionReactionS, nameof(PerceptionReactionS));
        Positive(DecelerationMps2, nameof(DecelerationMps2));
        NonNegative(VehicleLengthM, nameof(VehicleLengthM));
        NonNegative(MinAmberS, nameof(MinAmberS));
        Positive(MaxAmberS, nameof(MaxAmberS));
        NonNegative(RoundUpS, nameof(RoundUpS));
        Positive(DefaultApproachSpeedKmh, nameof(DefaultApproachSpeedKmh));
        NonNegative(WalkS, nameof(WalkS));
        Positive(WalkingSpeedMps, nameof(WalkingSpeedMps));
        Positive(MinCycleS, nameof(MinCycleS));
        Positive(MaxCycleS, nameof(MaxCycleS));
        NonNegative(CycleToleranceS, nameof(CycleToleranceS));
        if (!double.IsFinite(Grade) || (2 * (DecelerationMps2 + (SafetyProfile.Gravity * Grade))) <= 0)
        {
            problems.Add($"{nameof(Grade)} {Grade} leaves no braking: a + g G must be > 0");
        }

        if (PedestrianCrossingM is { } crossing)
        {
            NonNegative(crossing, nameof(PedestrianCrossingM));
        }

        if (MinAmberS > MaxAmberS)
        {
            problems.Add($"{nameof(MinAmberS)} {MinAmberS} is above {nameof(MaxAmberS)} {MaxAmberS}");
        }

        if (MinCycleS > MaxCycleS)
        {
            problems.Add($"{nameof(MinCycleS)} {MinCycleS} is above {nameof(MaxCycleS)} {MaxCycleS}");
        }

        return problems;
    }
}
