namespace CityTwin.Contracts;

/// <summary>
/// A signal's performance measures from its controller event log, per bin (docs/signal-measures.md). Bin starts
/// are controller time as sent in the events' <c>ts</c>. The events of the latest instant, and cycles not yet
/// finished, are not in the bins yet.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.SignalMeasuresState")]
public sealed record SignalMeasuresState(
    [property: Id(0)] string Twin,
    [property: Id(1)] string SignalId,
    [property: Id(2)] int DeviceId,
    [property: Id(3)] int BinMinutes,
    [property: Id(4)] long EventsUsed,
    [property: Id(5)] IReadOnlyList<BadRowCount> BadRows,
    [property: Id(6)] DateTimeOffset? LatestEvent,
    [property: Id(7)] IReadOnlyList<ActuationBin> Actuations,
    [property: Id(8)] IReadOnlyList<ArrivalOnGreenBin> ArrivalOnGreen,
    [property: Id(9)] IReadOnlyList<SplitBin> Splits,
    [property: Id(10)] IReadOnlyList<TerminationBin> Terminations,
    [property: Id(11)] IReadOnlyList<SplitFailureBin> SplitFailures,
    [property: Id(12)] IReadOnlyList<YellowRedBin> YellowRed);

/// <summary>Events not used, for one reason (unknown-event-code, time-backwards, duplicate, ...).</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.BadRowCount")]
public sealed record BadRowCount([property: Id(0)] string Reason, [property: Id(1)] long Count);

[GenerateSerializer, Immutable, Alias("CityTwin.ActuationBin")]
public sealed record ActuationBin([property: Id(0)] DateTimeOffset Start, [property: Id(1)] int Detector, [property: Id(2)] int Total);

[GenerateSerializer, Immutable, Alias("CityTwin.ArrivalOnGreenBin")]
public sealed record ArrivalOnGreenBin([property: Id(0)] DateTimeOffset Start, [property: Id(1)] int Phase, [property: Id(2)] int TotalActuations, [property: Id(3)] double PercentAog);

[GenerateSerializer, Immutable, Alias("CityTwin.SplitBin")]
public sealed record SplitBin([property: Id(0)] DateTimeOffset Start, [property: Id(1)] int EventId, [property: Id(2)] int Services, [property: Id(3)] double AverageSplit);

/// <summary>Terminations of one kind: GapOut, MaxOut or ForceOff.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.TerminationBin")]
public sealed record TerminationBin([property: Id(0)] DateTimeOffset Start, [property: Id(1)] int Phase, [property: Id(2)] string PerformanceMeasure, [property: Id(3)] int Total);

[GenerateSerializer, Immutable, Alias("CityTwin.SplitFailureBin")]
public sealed record SplitFailureBin(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] int Phase,
    [property: Id(2)] double GreenTime,
    [property: Id(3)] double GreenOccupancy,
    [property: Id(4)] double RedOccupancy,
    [property: Id(5)] int SplitFailures);

[GenerateSerializer, Immutable, Alias("CityTwin.YellowRedBin")]
public sealed record YellowRedBin([property: Id(0)] DateTimeOffset Start, [property: Id(1)] int Phase, [property: Id(2)] int SignalState, [property: Id(3)] double RedOffset, [property: Id(4)] int Count);
