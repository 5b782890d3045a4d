namespace CityTwin.Engine.Signals;

/// <summary>Detector-on events of one detector channel in a bin.</summary>
public sealed record ActuationRow(long BinMs, int DeviceId, int Detector, int Total);

/// <summary>Arrivals on advance detectors of a phase in a bin, and the share that arrived during green.</summary>
public sealed record ArrivalOnGreenRow(long BinMs, int DeviceId, int Phase, int TotalActuations, double PercentAog);

/// <summary>Split events (a vendor code per phase, parameter = seconds) in a bin: how many, and their mean.</summary>
public sealed record SplitRow(long BinMs, int DeviceId, int EventId, int Services, double AverageSplit);

/// <summary>How a phase ended.</summary>
public enum TerminationKind
{
    GapOut,
    MaxOut,
    ForceOff,
}

/// <summary>Phase terminations of one kind in a bin.</summary>
public sealed record TerminationRow(long BinMs, int DeviceId, int Phase, TerminationKind Kind, int Total);

/// <summary>
/// Split failures of a phase's approach in a bin: mean green time (s), mean green occupancy, mean occupancy in the
/// first seconds of red, and the cycles where both occupancies reached their thresholds.
/// </summary>
public sealed record SplitFailureRow(long BinMs, int DeviceId, int Phase, double GreenTime, double GreenOccupancy, double RedOccupancy, int SplitFailures);

/// <summary>Detector-on events on a phase's yellow/red detectors in a bin, by signal state (1 green, 8 yellow, 10 red) and offset from the start of red (s, nearest half second).</summary>
public sealed record YellowRedRow(long BinMs, int DeviceId, int Phase, int SignalState, double RedOffset, int Count);

/// <summary>All measures of a run, each list in the order of bin, device, then its key.</summary>
public sealed record SignalMeasures(
    IReadOnlyList<ActuationRow> Actuations,
    IReadOnlyList<ArrivalOnGreenRow> ArrivalOnGreen,
    IReadOnlyList<SplitRow> Splits,
    IReadOnlyList<TerminationRow> Terminations,
    IReadOnlyList<SplitFailureRow> SplitFailures,
    IReadOnlyList<YellowRedRow> YellowRed);
