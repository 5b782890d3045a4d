namespace CityTwin.Engine.Signals;

/// <summary>The key of one bin of one measure: bin start (ms), device and up to three measure keys (phase, detector, code, kind, state, half seconds).</summary>
public readonly record struct MeasureKey(long Bin, int Device, int A, int B = 0, int C = 0);

/// <summary>A bin of a counting measure.</summary>
public sealed record CountCell(MeasureKey Key, int Count);

/// <summary>A bin of splits: how many and their sum.</summary>
public sealed record SumCell(MeasureKey Key, int Count, double Sum);

/// <summary>A bin of arrivals: all and those on green.</summary>
public sealed record ArrivalCell(MeasureKey Key, int Total, int Green);

/// <summary>A bin of split failures: its sums over cycles.</summary>
public sealed record SplitFailureCell(MeasureKey Key, int Cycles, double GreenSeconds, double GreenOccupancy, int GreenOccupancyCycles, double RedOccupancy, int Failures);

/// <summary>
/// What an engine has counted, as plain data: the sums behind every bin and the row counters. The live twin stores
/// it and loads it into a new engine after a restart (cycles then unfinished start again at their next green).
/// </summary>
public sealed record SignalMeasureTotals(
    long Accepted,
    IReadOnlyList<long> BadRows,
    long LatestMs,
    IReadOnlyList<CountCell> Actuations,
    IReadOnlyList<CountCell> Terminations,
    IReadOnlyList<CountCell> YellowRed,
    IReadOnlyList<SumCell> Splits,
    IReadOnlyList<ArrivalCell> Arrivals,
    IReadOnlyList<SplitFailureCell> SplitFailures);
