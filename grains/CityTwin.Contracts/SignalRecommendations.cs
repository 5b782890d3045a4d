namespace CityTwin.Contracts;

/// <summary>
/// A request for a timing recommendation on live flows; every field is optional (docs/signal-timing.md,
/// "Recommendations on live flows").
/// </summary>
/// <param name="WindowMin">Minutes of detector data, ending at the signal's newest report (5-120; default 60).</param>
/// <param name="Replications">Paired simulation replications (10-100; default 10).</param>
/// <param name="Seed">Seed of the first replication and of the demand fit (>= 0; default 42).</param>
[GenerateSerializer, Immutable, Alias("CityTwin.RecommendationRequest")]
public sealed record RecommendationRequest(
    [property: Id(0)] int? WindowMin = null,
    [property: Id(1)] int? Replications = null,
    [property: Id(2)] long? Seed = null)
{
    public const int DefaultWindowMin = 60;
    public const int MinWindowMin = 5;
    public const int MaxWindowMin = 120;
    public const int DefaultReplications = 10;
    public const int MinReplications = 10;
    public const int MaxReplications = 100;
    public const long DefaultSeed = 42;

    /// <summary>What is wrong with the request, each naming its field; empty when it is valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (WindowMin is { } w && w is < MinWindowMin or > MaxWindowMin)
        {
            problems.Add($"windowMin: must be a whole number of minutes from {MinWindowMin} to {MaxWindowMin}, got {w}");
        }

        if (Replications is { } r && r is < MinReplications or > MaxReplications)
        {
            problems.Add($"replications: must be a whole number from {MinReplications} to {MaxReplications}, got {r}");
        }

        if (Seed is < 0)
        {
            problems.Add($"seed: must be a whole number >= 0, got {Seed}");
        }

        return problems;
    }
}

/// <summary>What the data rules found about one detector.</summary>
public enum DetectorDataStatus
{
    Ok = 0,
    Silent = 1,
    Broken = 2,
    Incomplete = 3,
}

/// <summary>One detector over the window: what it delivered, its flow, and what the data rules found.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.DetectorEvidence")]
public sealed record DetectorEvidence(
    [property: Id(0)] string Id,
    [property: Id(1)] string Approach,
    [property: Id(2)] string? LaneGroup,
    [property: Id(3)] int IntervalsReceived,
    [property: Id(4)] int IntervalsExpected,
    [property: Id(5)] double Completeness,
    [property: Id(6)] double IntervalS,
    [property: Id(7)] DateTimeOffset? LastReport,
    [property: Id(8)] double? FlowVehH,
    [property: Id(9)] DetectorDataStatus Status,
    [property: Id(10)] string? Rule,
    [property: Id(11)] string? Why);

/// <summary>The flow of one lane group ("APPROACH.GROUP") over the window and the detectors it comes from.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.LaneGroupFlowEvidence")]
public sealed record LaneGroupFlowEvidence(
    [property: Id(0)] string LaneGroup,
    [property: Id(1)] double FlowVehH,
    [property: Id(2)] bool Measured,
    [property: Id(3)] IReadOnlyList<string> Detectors);

/// <summary>HCM control delay of one lane group under a plan at the measured flow.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.LaneGroupDelayEvidence")]
public sealed record LaneGroupDelayEvidence(
    [property: Id(0)] string LaneGroup,
    [property: Id(1)] double FlowVehH,
    [property: Id(2)] double SaturationFlowVehH,
    [property: Id(3)] double EffectiveGreenS,
    [property: Id(4)] double CapacityVehH,
    [property: Id(5)] double DegreeOfSaturation,
    [property: Id(6)] double ControlDelayS,
    [property: Id(7)] string Los);

/// <summary>A plan with its HCM delays at the measured flows and the safety rules it breaks.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.PlanEvidence")]
public sealed record PlanEvidence(
    [property: Id(0)] TimingPlanInfo Plan,
    [property: Id(1)] IReadOnlyList<LaneGroupDelayEvidence> LaneGroups,
    [property: Id(2)] double ControlDelayS,
    [property: Id(3)] string Los,
    [property: Id(4)] IReadOnlyList<PlanViolation> Violations);

/// <summary>One paired replication: the same trips and seed under the current and the recommended plan.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.ReplicationEvidence")]
public sealed record ReplicationEvidence(
    [property: Id(0)] int Replication,
    [property: Id(1)] long Seed,
    [property: Id(2)] int Trips,
    [property: Id(3)] double CurrentDelayVehH,
    [property: Id(4)] double RecommendedDelayVehH);

/// <summary>How the demand fitted to the live flows reproduces one measured approach flow (veh/h).</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.ApproachFitEvidence")]
public sealed record ApproachFitEvidence(
    [property: Id(0)] string Approach,
    [property: Id(1)] double MeasuredVehH,
    [property: Id(2)] double BaseVehH,
    [property: Id(3)] double EstimatedVehH,
    [property: Id(4)] double Geh);

/// <summary>
/// The simulated change of stop-line delay (veh·h) at the signal's approaches and those downstream of it, from the
/// current to the recommended plan: paired replications started from the live twin, mean and confidence interval.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.SimulationEvidence")]
public sealed record SimulationEvidence(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] double HorizonS,
    [property: Id(2)] int Replications,
    [property: Id(3)] long Seed,
    [property: Id(4)] double Confidence,
    [property: Id(5)] IReadOnlyList<string> Approaches,
    [property: Id(6)] double CurrentMeanVehH,
    [property: Id(7)] double RecommendedMeanVehH,
    [property: Id(8)] double ChangeVehH,
    [property: Id(9)] double ChangeLowVehH,
    [property: Id(10)] double ChangeHighVehH,
    [property: Id(11)] double ChangePercent,
    [property: Id(12)] double ChangeLowPercent,
    [property: Id(13)] double ChangeHighPercent,
    [property: Id(14)] bool Significant,
    [property: Id(15)] IReadOnlyList<ReplicationEvidence> Runs,
    [property: Id(16)] IReadOnlyList<ApproachFitEvidence> Fit,
    [property: Id(17)] int QueuedVehicles);

/// <summary>
/// One phase's controller measures over the recommendation window (docs/signal-timing.md, "Controller measures as
/// evidence").
/// </summary>
/// <param name="Phase">The controller's phase number.</param>
/// <param name="Cycles">Services of the phase: its terminations in the window.</param>
/// <param name="SplitFailures">Cycles that were split failures.</param>
/// <param name="SplitFailureShare">Split failures over cycles (0-1); null when not served or without presence detectors.</param>
/// <param name="ArrivalActuations">Arrivals on its advance detectors.</param>
/// <param name="PercentArrivalsOnGreen">Share of those arrivals during green (0-1); null without arrivals.</param>
/// <param name="GapOuts">Terminations by gap-out.</param>
/// <param name="MaxOuts">Terminations by max-out.</param>
/// <param name="ForceOffs">Terminations by force-off.</param>
/// <param name="MeanSplitS">Mean of the phase's vendor split events (s); null without any.</param>
[GenerateSerializer, Immutable, Alias("CityTwin.PhaseMeasuresEvidence")]
public sealed record PhaseMeasuresEvidence(
    [property: Id(0)] int Phase,
    [property: Id(1)] int Cycles,
    [property: Id(2)] int SplitFailures,
    [property: Id(3)] double? SplitFailureShare,
    [property: Id(4)] int ArrivalActuations,
    [property: Id(5)] double? PercentArrivalsOnGreen,
    [property: Id(6)] int GapOuts,
    [property: Id(7)] int MaxOuts,
    [property: Id(8)] int ForceOffs,
    [property: Id(9)] double? MeanSplitS);

/// <summary>Actuations of one configured detector channel of the controller over the window.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.ChannelActuationsEvidence")]
public sealed record ChannelActuationsEvidence(
    [property: Id(0)] int Channel,
    [property: Id(1)] int Phase,
    [property: Id(2)] string Function,
    [property: Id(3)] int Actuations);

/// <summary>
/// The signal controller's performance measures over the recommendation window: the 15-minute bins whose start lies
/// in [<see cref="FirstBin"/>, <see cref="BinsBefore"/>), summed per phase and per detector channel, with the limits
/// of the rules applied to them.
/// </summary>
/// <param name="DeviceId">The controller's device id.</param>
/// <param name="FirstBin">Earliest bin start taken (the window's start).</param>
/// <param name="BinsBefore">Bins starting before this are taken (the window's end).</param>
/// <param name="Bins">Bins in the window.</param>
/// <param name="EventsUsed">Events the measures used since they were kept.</param>
/// <param name="BadRows">Events not used (all reasons).</param>
/// <param name="BadRowShare">Bad rows over all events (0-1).</param>
/// <param name="MaxBadRowShare">The largest share allowed.</param>
/// <param name="MinServicesForSilentChannel">Services of a phase from which a channel without actuation is silent.</param>
/// <param name="Phases">Per phase, by number.</param>
/// <param name="Channels">Per configured channel.</param>
/// <param name="SplitFailures">Supporting evidence, one line per phase with split failures ("phase 2: 7 of 40 cycles failed").</param>
[GenerateSerializer, Immutable, Alias("CityTwin.ControllerMeasuresEvidence")]
public sealed record ControllerMeasuresEvidence(
    [property: Id(0)] int DeviceId,
    [property: Id(1)] DateTimeOffset FirstBin,
    [property: Id(2)] DateTimeOffset BinsBefore,
    [property: Id(3)] int Bins,
    [property: Id(4)] long EventsUsed,
    [property: Id(5)] long BadRows,
    [property: Id(6)] double BadRowShare,
    [property: Id(7)] double MaxBadRowShare,
    [property: Id(8)] int MinServicesForSilentChannel,
    [property: Id(9)] IReadOnlyList<PhaseMeasuresEvidence> Phases,
    [property: Id(10)] IReadOnlyList<ChannelActuationsEvidence> Channels,
    [property: Id(11)] IReadOnlyList<string> SplitFailures);

/// <summary>Why a plan is not recommended, or (code <c>recommended</c>) why it is.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.RecommendationReasonInfo")]
public sealed record RecommendationReasonInfo(
    [property: Id(0)] string Code,
    [property: Id(1)] string? Detector,
    [property: Id(2)] string Message);

/// <summary>
/// A timing recommendation for one signal on its live flows, with its evidence: the window, the detectors and what
/// the data rules found, the flows used, the current and the recommended plan with their HCM delays, the
/// simulated change of delay with its confidence interval, and the signal controller's measures over the window
/// (<see cref="Measures"/>: null when the signal has no controller, no measures fall in the window, or the evidence
/// was kept before measures were part of it). <see cref="Plan"/> is the plan to apply (with
/// <see cref="EvidenceId"/>) when <see cref="Recommended"/> is true, else null; <see cref="Candidate"/> is the plan
/// examined either way (null when there was no data to time on).
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.RecommendationEvidence")]
public sealed record RecommendationEvidence(
    [property: Id(0)] string EvidenceId,
    [property: Id(1)] string Twin,
    [property: Id(2)] string SignalId,
    [property: Id(3)] bool Recommended,
    [property: Id(4)] string Decision,
    [property: Id(5)] IReadOnlyList<RecommendationReasonInfo> Reasons,
    [property: Id(6)] TimingPlanInfo? Plan,
    [property: Id(7)] DateTimeOffset? WindowStart,
    [property: Id(8)] DateTimeOffset? WindowEnd,
    [property: Id(9)] int WindowMin,
    [property: Id(10)] double Completeness,
    [property: Id(11)] double MinCompleteness,
    [property: Id(12)] IReadOnlyList<DetectorEvidence> Detectors,
    [property: Id(13)] IReadOnlyList<LaneGroupFlowEvidence> Flows,
    [property: Id(14)] PlanEvidence Current,
    [property: Id(15)] PlanEvidence? Candidate,
    [property: Id(16)] SimulationEvidence? Simulation,
    [property: Id(17)] int Replications,
    [property: Id(18)] long Seed,
    [property: Id(19)] ControllerMeasuresEvidence? Measures = null);
