namespace CityTwin.Engine.Traffic;

/// <summary>How the simulation runs the signals.</summary>
public enum SignalControl
{
    /// <summary>Every signal runs its fixed-time plan (cycle, splits, offset).</summary>
    FixedTime,

    /// <summary>
    /// Simple actuated control: phases run in the plan's order; a green lasts at least
    /// <see cref="SimulationOptions.MinGreenS"/>, ends when no vehicle is queued or arriving within
    /// <see cref="SimulationOptions.GapS"/> on the groups it serves (gap-out) and at the latest after the plan's
    /// green times <see cref="SimulationOptions.MaxGreenFactor"/> (max-out).
    /// </summary>
    Actuated,

    /// <summary>
    /// Max-pressure control (Varaiya 2013): at each decision point the signal gives green to the phase of its plan
    /// with the largest pressure, the sum over the movements it serves of saturation flow x (queue of the movement
    /// - the turn-ratio-weighted queues of the link it leads to); a change always runs the ending phase's amber and
    /// all-red; a green lasts at least the phase's minimum green, decisions come every
    /// <see cref="SimulationOptions.DecisionIntervalS"/> after it, and a phase with a waiting vehicle that has had no
    /// green for <see cref="SimulationOptions.MaxWaitS"/> is served next (docs/simulation.md).
    /// </summary>
    MaxPressure,
}

/// <summary>Settings of one simulation run. The defaults are the documented model (docs/simulation.md).</summary>
public sealed record SimulationOptions
{
    /// <summary>Seed of every random draw (speed factors, demand expansion).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Time step (s). Vehicle times are continuous; signals and blocking are evaluated per step.</summary>
    public double StepS { get; init; } = 1.0;

    /// <summary>Simulated start time (s from midnight of the simulated day).</summary>
    public double StartS { get; init; }

    /// <summary>End time (s); null runs until every trip has arrived (or <see cref="MaxDurationS"/> after the last departure).</summary>
    public double? UntilS { get; init; }

    /// <summary>With no <see cref="UntilS"/>, stop this long after the last departure even if vehicles remain.</summary>
    public double MaxDurationS { get; init; } = 4 * 3600;

    /// <summary>Width of a KPI interval (s).</summary>
    public double KpiIntervalS { get; init; } = 900;

    /// <summary>
    /// A vehicle held at a stop line by a full downstream link for this long is moved on regardless (a
    /// "teleport", as SUMO's time-to-teleport), so a gridlock cannot freeze the run; 0 never moves it.
    /// </summary>
    public double TeleportAfterS { get; init; } = 300;

    /// <summary>A vehicle that waits at a stop line longer than this counts one stop.</summary>
    public double StopThresholdS { get; init; } = 2.0;

    // Vehicle behaviour: null takes the network's (TrafficNetwork.Vehicles: the city's 'vehicles', by default the HCM's
    // stop-line figures and SUMO's passenger car, docs/simulation.md); a value overrides it for this run.

    /// <summary>
    /// Acceleration (m/s2) after a stop: a vehicle that stopped at a stop line loses v_in / (2 b) + v_out / (2 a)
    /// seconds against free flow (braking from its speed on the link it leaves, accelerating to its speed on the
    /// next one). 0 turns the stop penalty off. Null: the network's (default 2.6, SUMO's passenger car).
    /// </summary>
    public double? AccelerationMs2 { get; init; }

    /// <summary>Deceleration (m/s2) before a stop, for the stop penalty. Null: the network's (default 4.5, SUMO's passenger car).</summary>
    public double? DecelerationMs2 { get; init; }

    /// <summary>
    /// Lateral acceleration (m/s2) a driver accepts in a turn, which sets the turn speed sqrt(a r) on a turn of radius
    /// r. Default 5.5, SUMO's netconvert default for the turning speed on junctions. 0 turns the slowdown off.
    /// </summary>
    public double LateralAccelerationMs2 { get; init; } = 5.5;

    /// <summary>
    /// Standard deviation of the per-vehicle speed factor (cut at +- 2 sd); 0 gives every vehicle the mean. Null: the
    /// network's (default 0.1, SUMO's passenger car).
    /// </summary>
    public double? SpeedFactorDeviation { get; init; }

    /// <summary>
    /// Routes: 0 routes every trip by free-flow travel time; a positive value re-estimates each turn's travel time
    /// (free flow + mean recent wait) every that many seconds and routes trips departing after by the estimate.
    /// </summary>
    public double RerouteIntervalS { get; init; } = 300;

    public SignalControl Control { get; init; } = SignalControl.FixedTime;

    /// <summary>
    /// Through-car equivalent of a left-turning vehicle at a stop line: it takes this many saturation headways to
    /// leave. Null: the network's (default 1.05, the HCM's equivalent for a protected left turn; gaps in oncoming
    /// traffic are modelled apart, by <see cref="CriticalGapS"/>).
    /// </summary>
    public double? LeftTurnEquivalent { get; init; }

    /// <summary>Through-car equivalent of a right-turning vehicle at a stop line. Null: the network's (default 1.18, the HCM's).</summary>
    public double? RightTurnEquivalent { get; init; }

    /// <summary>
    /// Critical gap (s) of a permissive turn (a left turn against oncoming traffic): the turn is taken when the
    /// next oncoming vehicle is at least this far away. Null: the network's (default 4.5 s, the HCM's critical
    /// headway for a permissive left turn against one opposing lane).
    /// </summary>
    public double? CriticalGapS { get; init; }

    /// <summary>Keep one <see cref="TripRecord"/> per trip in the result.</summary>
    public bool RecordTrips { get; init; }

    /// <summary>Actuated control: minimum green (s).</summary>
    public double MinGreenS { get; init; } = 5;

    /// <summary>Actuated control: gap (passage) time (s).</summary>
    public double GapS { get; init; } = 3;

    /// <summary>Actuated control: maximum green as a multiple of the plan's green.</summary>
    public double MaxGreenFactor { get; init; } = 1.5;

    /// <summary>Max-pressure control: seconds between decisions once a green has run its minimum.</summary>
    public double DecisionIntervalS { get; init; } = 5;

    /// <summary>
    /// Max-pressure control: a phase with a vehicle waiting that has had no green for this long (s) is served at the
    /// next decision, whatever the pressures (the one waiting longest first).
    /// </summary>
    public double MaxWaitS { get; init; } = 120;

    /// <summary>Road and lane closures, each in force over its own time window (<see cref="LinkClosure"/>).</summary>
    public IReadOnlyList<LinkClosure> Closures { get; init; } = [];

    /// <summary>Routes are computed on this many threads (the run itself is one thread, so results do not depend on it).</summary>
    public int RoutingThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the field.</summary>
    public void Validate()
    {
        Check(StepS is > 0 and <= 10, nameof(StepS), "must be in (0, 10] s");
        Check(UntilS is null || UntilS > StartS, nameof(UntilS), "must be after StartS");
        Check(MaxDurationS > 0, nameof(MaxDurationS), "must be positive");
        Check(KpiIntervalS >= StepS, nameof(KpiIntervalS), "must be at least one step");
        Check(TeleportAfterS >= 0, nameof(TeleportAfterS), "must be >= 0");
        Check(StopThresholdS >= 0, nameof(StopThresholdS), "must be >= 0");
        Check(SpeedFactorDeviation is null or (>= 0 and < 0.5), nameof(SpeedFactorDeviation), "must be in [0, 0.5)");
        Check((AccelerationMs2 is null or >= 0) && (DecelerationMs2 is null or > 0), nameof(AccelerationMs2), "needs acceleration >= 0 and deceleration > 0");
        Check((LeftTurnEquivalent is null or >= 1) && (RightTurnEquivalent is null or >= 1), nameof(LeftTurnEquivalent), "turn equivalents must be >= 1");
        Check(LateralAccelerationMs2 >= 0, nameof(LateralAccelerationMs2), "must be >= 0");
        Check(CriticalGapS is null or >= 0, nameof(CriticalGapS), "must be >= 0");
        Check(RerouteIntervalS >= 0, nameof(RerouteIntervalS), "must be >= 0");
        Check(MinGreenS >= 0 && GapS > 0 && MaxGreenFactor >= 1, nameof(Control), "actuated settings need MinGreenS >= 0, GapS > 0, MaxGreenFactor >= 1");
        Check(DecisionIntervalS > 0 && MaxWaitS > 0, nameof(DecisionIntervalS), "max-pressure settings need DecisionIntervalS > 0 and MaxWaitS > 0");
        Check(RoutingThreads >= 1, nameof(RoutingThreads), "must be >= 1");
    }

    private static void Check(bool ok, string field, string rule)
    {
        if (!ok)
        {
            throw new ArgumentException($"simulation option '{field}' {rule}", field);
        }
    }
}
