namespace CityTwin.Contracts;

/// <summary>One phase of a timing plan.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.PhaseInfo")]
public sealed record PhaseInfo(
    [property: Id(0)] int Id,
    [property: Id(1)] double GreenS,
    [property: Id(2)] double AmberS,
    [property: Id(3)] double AllRedS,
    [property: Id(4)] IReadOnlyList<string> Serves);

/// <summary>A fixed-time timing plan.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.TimingPlanInfo")]
public sealed record TimingPlanInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] double CycleS,
    [property: Id(2)] double OffsetS,
    [property: Id(3)] IReadOnlyList<PhaseInfo> Phases);

/// <summary>Live flow and performance of one lane group.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.LaneGroupState")]
public sealed record LaneGroupState(
    [property: Id(0)] string Id,
    [property: Id(1)] double FlowVehH,
    [property: Id(2)] bool Measured,
    [property: Id(3)] double SaturationFlowVehH,
    [property: Id(4)] double EffectiveGreenS,
    [property: Id(5)] double CapacityVehH,
    [property: Id(6)] double DegreeOfSaturation,
    [property: Id(7)] double QueueVeh);

/// <summary>Live flow (veh/h over the flow window), degree of saturation and queue estimate of one approach.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.ApproachState")]
public sealed record ApproachState(
    [property: Id(0)] string Id,
    [property: Id(1)] double? FlowVehH,
    [property: Id(2)] double SaturationFlowVehH,
    [property: Id(3)] double? DegreeOfSaturation,
    [property: Id(4)] double? QueueVeh,
    [property: Id(5)] int Detectors,
    [property: Id(6)] int DetectorsReporting,
    [property: Id(7)] double? MeanOccupancy,
    [property: Id(8)] IReadOnlyList<LaneGroupState> LaneGroups);

/// <summary>The last reported state of a signal phase.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.PhaseLiveState")]
public sealed record PhaseLiveState(
    [property: Id(0)] int Phase,
    [property: Id(1)] string State,
    [property: Id(2)] DateTimeOffset Since,
    [property: Id(3)] long Changes,
    [property: Id(4)] double? LastGreenS);

/// <summary>Event counts: every event is in exactly one of these.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.EventCounters")]
public sealed record EventCounters(
    [property: Id(0)] long Applied,
    [property: Id(1)] long Late,
    [property: Id(2)] long Duplicates,
    [property: Id(3)] long Rejected);

/// <summary>Counters of one sensor.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.SensorCounterState")]
public sealed record SensorCounterState(
    [property: Id(0)] string Sensor,
    [property: Id(1)] long Applied,
    [property: Id(2)] long Late,
    [property: Id(3)] long Duplicates,
    [property: Id(4)] long Rejected,
    [property: Id(5)] long LastSeq,
    [property: Id(6)] DateTimeOffset? LastTs);

/// <summary>A late event kept for inspection.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.LateEventInfo")]
public sealed record LateEventInfo(
    [property: Id(0)] string Sensor,
    [property: Id(1)] long Seq,
    [property: Id(2)] string Type,
    [property: Id(3)] DateTimeOffset Ts);

/// <summary>A signalised intersection's live state.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.SignalState")]
public sealed record SignalState(
    [property: Id(0)] string Twin,
    [property: Id(1)] string Id,
    [property: Id(2)] string Name,
    [property: Id(3)] string DistrictId,
    [property: Id(4)] string CellId,
    [property: Id(5)] TimingPlanInfo Plan,
    [property: Id(6)] DateTimeOffset? AsOf,
    [property: Id(7)] double FlowWindowS,
    [property: Id(8)] IReadOnlyList<ApproachState> Approaches,
    [property: Id(9)] IReadOnlyList<PhaseLiveState> Phases,
    [property: Id(10)] double TotalFlowVehH,
    [property: Id(11)] double MaxDegreeOfSaturation,
    [property: Id(12)] double TotalQueueVeh,
    [property: Id(13)] double DataCompleteness,
    [property: Id(14)] EventCounters Counters,
    [property: Id(15)] IReadOnlyList<SensorCounterState> Sensors,
    [property: Id(16)] IReadOnlyList<RejectedEventData> RecentRejected,
    [property: Id(17)] IReadOnlyList<LateEventInfo> RecentLate);

/// <summary>
/// An occupancy forecast at a horizon; with the occupancy model also the prediction interval (<see cref="Lower"/> to
/// <see cref="Upper"/> occupied spaces) and the basis of its level (profile, time-of-day, mean, last-value; trend).
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.ForecastPoint")]
public sealed record ForecastPoint(
    [property: Id(0)] int HorizonMin,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] double Occupied,
    [property: Id(3)] double OccupancyRatio,
    [property: Id(4)] double? Lower = null,
    [property: Id(5)] double? Upper = null,
    [property: Id(6)] string? Basis = null);

/// <summary>A parking facility's live state.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.ParkingState")]
public sealed record ParkingState(
    [property: Id(0)] string Twin,
    [property: Id(1)] string Id,
    [property: Id(2)] string Name,
    [property: Id(3)] string DistrictId,
    [property: Id(4)] string CellId,
    [property: Id(5)] int Capacity,
    [property: Id(6)] int Occupied,
    [property: Id(7)] double OccupancyRatio,
    [property: Id(8)] double PricePerHour,
    [property: Id(9)] string Currency,
    [property: Id(10)] DateTimeOffset? AsOf,
    [property: Id(11)] long Entries,
    [property: Id(12)] long Exits,
    [property: Id(13)] long Snapshots,
    [property: Id(14)] long Corrections,
    [property: Id(15)] long CorrectionVeh,
    [property: Id(16)] long Underflows,
    [property: Id(17)] string ForecastMethod,
    [property: Id(18)] IReadOnlyList<ForecastPoint> Forecast,
    [property: Id(19)] EventCounters Counters,
    [property: Id(20)] IReadOnlyList<SensorCounterState> Sensors,
    [property: Id(21)] IReadOnlyList<RejectedEventData> RecentRejected,
    [property: Id(22)] IReadOnlyList<LateEventInfo> RecentLate);

/// <summary>What a signal or facility reports to its cell and district when it changes.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.MemberSummary")]
public sealed record MemberSummary(
    [property: Id(0)] string EntityId,
    [property: Id(1)] bool IsSignal,
    [property: Id(2)] long AsOfTicks,
    [property: Id(3)] double FlowVehH,
    [property: Id(4)] double MaxDegreeOfSaturation,
    [property: Id(5)] double QueueVeh,
    [property: Id(6)] int Capacity,
    [property: Id(7)] int Occupied,
    [property: Id(8)] int OpenAlerts = 0);

/// <summary>Aggregates of a grid cell or a district.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.AreaState")]
public sealed record AreaState(
    [property: Id(0)] string Twin,
    [property: Id(1)] string Id,
    [property: Id(2)] string Kind,
    [property: Id(3)] string? Name,
    [property: Id(4)] string? DistrictId,
    [property: Id(5)] IReadOnlyList<string> Neighbours,
    [property: Id(6)] int Signals,
    [property: Id(7)] int SignalsReporting,
    [property: Id(8)] double TotalFlowVehH,
    [property: Id(9)] double MeanDegreeOfSaturation,
    [property: Id(10)] double MaxDegreeOfSaturation,
    [property: Id(11)] int SignalsOverSaturated,
    [property: Id(12)] double TotalQueueVeh,
    [property: Id(13)] int Facilities,
    [property: Id(14)] int FacilitiesReporting,
    [property: Id(15)] int Capacity,
    [property: Id(16)] int Occupied,
    [property: Id(17)] double? OccupancyRatio,
    [property: Id(18)] int FacilitiesAbove90Percent,
    [property: Id(19)] DateTimeOffset? AsOf,
    [property: Id(20)] long Updates,
    [property: Id(21)] int OpenAlerts = 0);

/// <summary>An entity id with its district and cell, as the entity listing shows it.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.EntityInfo")]
public sealed record EntityInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string? Name,
    [property: Id(3)] string? DistrictId,
    [property: Id(4)] string? CellId);
