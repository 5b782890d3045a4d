namespace CityTwin.Engine.City;

/// <summary>
/// How a city's vehicles and drivers behave in the traffic simulation: the city manifest's optional
/// <c>vehicles</c> object (docs/city-format.md). The defaults are the HCM's stop-line figures and SUMO's passenger
/// car, the model every city without the object runs; <c>citytwin import sumo</c> writes the values that reproduce
/// the SUMO vehicle type of the imported routes (docs/sumo-import.md#vehicles).
/// </summary>
public sealed record VehicleBehaviour
{
    /// <summary>The documented defaults (a city without <c>vehicles</c>).</summary>
    public static VehicleBehaviour Default { get; } = new();

    /// <summary>
    /// Saturation flow of one lane at a link end without a signal (veh/h). Signalised lane groups give their own
    /// (<see cref="LaneGroup.SaturationFlowVehH"/>). Default 1800, the HCM's base saturation flow.
    /// </summary>
    public double UnsignalisedFlowPerLaneVehH { get; init; } = 1800;

    /// <summary>
    /// Through-car equivalent of a left-turning vehicle at a stop line: it takes this many saturation headways to
    /// leave. Default 1.05, the HCM's equivalent for a protected left turn (gaps in oncoming traffic are modelled
    /// apart, by <see cref="CriticalGapS"/>).
    /// </summary>
    public double LeftTurnEquivalent { get; init; } = 1.05;

    /// <summary>Through-car equivalent of a right-turning vehicle at a stop line. Default 1.18, the HCM's.</summary>
    public double RightTurnEquivalent { get; init; } = 1.18;

    /// <summary>
    /// Critical gap (s) of a permissive turn (a left turn against oncoming traffic): the turn is taken when the
    /// next oncoming vehicle is at least this far away. Default 4.5 s, the HCM's critical headway for a permissive
    /// left turn against one opposing lane.
    /// </summary>
    public double CriticalGapS { get; init; } = 4.5;

    /// <summary>Mean of the per-vehicle speed factor (desired speed / speed limit). Default 1.</summary>
    public double SpeedFactorMean { get; init; } = 1.0;

    /// <summary>
    /// Standard deviation of the per-vehicle speed factor (cut at +- 2 sd, and at 0.2). Default 0.1, as SUMO's
    /// passenger car; 0 gives every vehicle the mean.
    /// </summary>
    public double SpeedFactorDeviation { get; init; } = 0.1;

    /// <summary>
    /// Speed (m/s) a driver loses on average below the desired speed while cruising (driver imperfection, SUMO's
    /// dawdling): a vehicle drives a link at (speed limit x speed factor - this). Counted as time loss. Default 0.
    /// </summary>
    public double CruiseSpeedLossMs { get; init; }

    /// <summary>
    /// Acceleration (m/s2) from a stop: a trip starting from standstill loses v / (2 a); a vehicle that stopped at a
    /// stop line loses v_in / (2 b) + v_out / (2 a). Default 2.6, SUMO's passenger car.
    /// </summary>
    public double AccelerationMs2 { get; init; } = 2.6;

    /// <summary>Deceleration (m/s2) before a stop or a turn. Default 4.5, SUMO's passenger car.</summary>
    public double DecelerationMs2 { get; init; } = 4.5;

    /// <summary>Jam spacing per vehicle and lane (m): vehicle length + the gap to the one ahead in a standing queue. Default 7.5 (5 + 2.5).</summary>
    public double JamSpacingM { get; init; } = 7.5;

    /// <summary>Where the values come from (free text; the SUMO importer names the vehicle types and the calibration).</summary>
    public string? Source { get; init; }

    /// <summary>The allowed range of each field, for readers and the simulation's checks: (name, value, min, max).</summary>
    public IEnumerable<(string Field, double Value, double Min, double Max)> Ranges()
    {
        yield return ("unsignalisedFlowPerLaneVehH", UnsignalisedFlowPerLaneVehH, 300, 2400);
        yield return ("leftTurnEquivalent", LeftTurnEquivalent, 1, 5);
        yield return ("rightTurnEquivalent", RightTurnEquivalent, 1, 5);
        yield return ("criticalGapS", CriticalGapS, 0, 20);
        yield return ("speedFactorMean", SpeedFactorMean, 0.2, 3);
        yield return ("speedFactorDeviation", SpeedFactorDeviation, 0, 0.5);
        yield return ("cruiseSpeedLossMs", CruiseSpeedLossMs, 0, 10);
        yield return ("accelerationMs2", AccelerationMs2, 0.1, 10);
        yield return ("decelerationMs2", DecelerationMs2, 0.1, 15);
        yield return ("jamSpacingM", JamSpacingM, 2, 50);
    }
}
