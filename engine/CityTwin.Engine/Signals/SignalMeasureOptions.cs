namespace CityTwin.Engine.Signals;

/// <summary>
/// Parameters of the measures. The defaults are the ones the peer package (atspm, ShawnStrasser/atspm, MIT) used to
/// compute its published expected results (tests/test_atspm.py at commit e13f69d): 15-minute bins; arrivals on green
/// without latency; split failures by approach with a 5 s red window and 80%/80% occupancy thresholds; actuations on
/// yellow and red with a 1.5 s detector latency, offsets from -8 s.
/// </summary>
public sealed record SignalMeasureOptions
{
    public int BinMinutes { get; init; } = 15;

    /// <summary>Seconds subtracted from detector-on times before they are compared with the phase (arrivals on green).</summary>
    public double ArrivalLatencySeconds { get; init; }

    /// <summary>Seconds subtracted from detector-on times (actuations on yellow and red).</summary>
    public double YellowRedLatencySeconds { get; init; } = 1.5;

    /// <summary>Actuations earlier than this many seconds relative to the start of red are not reported.</summary>
    public double MinRedOffsetSeconds { get; init; } = -8;

    /// <summary>Seconds after the start of red over which red occupancy is measured.</summary>
    public double RedWindowSeconds { get; init; } = 5;

    public double RedOccupancyThreshold { get; init; } = 0.80;

    public double GreenOccupancyThreshold { get; init; } = 0.80;

    /// <summary>Two detector-on events without an off between them, this close, get an off at the second one; further apart, halfway.</summary>
    public double RapidOnGapSeconds { get; init; } = 2;

    /// <summary>
    /// The longest a finished cycle waits for its detectors (the off halfway between two ons is only known at the
    /// second on) before its split-failure figures are taken as they stand. Unbounded in batch runs; the live twin
    /// bounds it so that memory stays bounded when a detector falls silent.
    /// </summary>
    public TimeSpan? SplitFailureMaxWait { get; init; }

    internal long BinMs => BinMinutes * 60_000L;
}
