using System.Globalization;
using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Engine.Signals;
using CityTwin.Engine.Timing;
using CityTwin.Engine.Traffic;
using Orleans.Concurrency;

namespace CityTwin.Grains;

/// <summary>The base origin-destination demand of the city the silo runs (what live what-ifs fit to the live flows); a silo-wide service.</summary>
/// <param name="OdRows">The rows of the city's demand files; empty when the city names none.</param>
public sealed record CityDemand(IReadOnlyList<OdRow> OdRows)
{
    public static CityDemand None { get; } = new([]);
}

/// <summary>One detector's kept reports as parallel arrays (plain data for the wire), oldest first.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.DetectorReportsData")]
public sealed record DetectorReportsData(
    [property: Id(0)] string DetectorId,
    [property: Id(1)] long[] TsTicks,
    [property: Id(2)] int[] Counts,
    [property: Id(3)] double[] Occupancies,
    [property: Id(4)] double[] IntervalsS)
{
    public static DetectorReportsData Of(DetectorHistory h) => new(
        h.DetectorId,
        h.Reports.Select(r => r.TsTicks).ToArray(),
        h.Reports.Select(r => r.Count).ToArray(),
        h.Reports.Select(r => r.Occupancy).ToArray(),
        h.Reports.Select(r => r.IntervalS).ToArray());

    public DetectorHistory ToEngine() =>
        new(DetectorId, TsTicks.Select((t, i) => new DetectorReport(t, Counts[i], Occupancies[i], IntervalsS[i])).ToArray());
}

/// <summary>What a recommendation needs from the signal's own activation: the plan it runs and each detector's kept reports.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.RecommendationInput")]
public sealed record RecommendationInput(
    [property: Id(0)] TimingPlanInfo Plan,
    [property: Id(1)] IReadOnlyList<DetectorReportsData> History);

/// <summary>The signal grain's side of a recommendation (implemented by <see cref="TrafficSignalGrain"/>); used inside the silo only.</summary>
[Alias("CityTwin.ISignalRecommendationSource")]
public interface ISignalRecommendationSource : IGrainWithStringKey
{
    /// <summary>Reads the current plan and the detector history.</summary>
    [Alias("ReadInput")]
    Task<RecommendationInput> ReadRecommendationInputAsync();

    /// <summary>Keeps a recommendation's evidence under its id (replacing one with the same id; the latest 20 are kept).</summary>
    [Alias("Keep")]
    Task KeepRecommendationAsync(RecommendationEvidence evidence);
}

/// <summary>
/// Computes recommendations (<see cref="ISignalRecommendationGrain"/>) away from the signal's own activation: the
/// simulation takes seconds, and the signal grain keeps applying its detector events meanwhile. It reads the
/// signal's plan and detector history, takes a snapshot of the twin, runs <see cref="SignalRecommender"/> on the
/// thread pool, and hands the evidence to the signal to keep. A stateless worker: it holds no state, so any number
/// of activations may run side by side.
/// </summary>
[StatelessWorker]
public sealed class SignalRecommendationGrain(ICityCatalog catalog, CityDemand demand) : Grain, ISignalRecommendationGrain
{
    /// <summary>The data rules applied (their defaults: docs/signal-timing.md).</summary>
    public static readonly DetectorDataRules Rules = new();

    /// <summary>The rules applied to the controller's measures (their defaults: docs/signal-timing.md).</summary>
    public static readonly ControllerMeasureRules MeasureRules = new();

    public async Task<RecommendationEvidence> RecommendAsync(RecommendationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = this.GetPrimaryKeyString();
        var (twin, signalId) = TwinKeys.Split(key);
        var city = catalog.CityOf(twin);
        if (!city.SignalsById.TryGetValue(signalId, out var site))
        {
            throw new ArgumentException($"'{signalId}' is not a signal of the city");
        }

        var problems = request.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"the recommendation request is invalid: {string.Join("; ", problems)}");
        }

        var windowMin = request.WindowMin ?? RecommendationRequest.DefaultWindowMin;
        var replications = request.Replications ?? RecommendationRequest.DefaultReplications;
        var seed = request.Seed ?? RecommendationRequest.DefaultSeed;
        var source = GrainFactory.GetGrain<ISignalRecommendationSource>(key);
        var input = await source.ReadRecommendationInputAsync();
        var plan = PlanControl.ToEngine(input.Plan);
        var data = DetectorDataCheck.Assess(site, city.DetectorsOf(signalId), input.History.Select(h => h.ToEngine()).ToArray(), TimeSpan.FromMinutes(windowMin), Rules);
        var measures = await ReadMeasuresAsync(city, key, signalId, data);
        var options = new RecommenderOptions { Replications = replications, Seed = (ulong)seed };
        var evidenceId = EvidenceId(signalId, data, SignalRecommender.Fingerprint(data, plan, options, measures));
        options = options with { PlanId = evidenceId };

        var snapshot = new TwinSnapshot(0, new Dictionary<string, TimingPlan>(), [], new Dictionary<string, int>());
        if (data.WindowEndTicks is { } end)
        {
            // The twin's other signals (their plans, flows and queues) as they are now; the simulation starts at the window's end.
            var taken = await GrainFactory.GetGrain<ITwinSnapshotGrain>(twin).TakeAsync();
            snapshot = SnapshotMapping.ToEngine(taken) with { TimeOfDayS = Mapping.Utc(end).TimeOfDay.TotalSeconds };
        }

        // Off the activation's scheduler, so that the replications run in parallel on the thread pool.
        var result = await Task.Run(() => SignalRecommender.Recommend(city, site, plan, data, snapshot, demand.OdRows, options, measures));
        var evidence = ToEvidence(twin, site, evidenceId, windowMin, replications, seed, options.HorizonS, result);
        await source.KeepRecommendationAsync(evidence);
        return evidence;
    }

    /// <summary>
    /// The signal controller's measures (<see cref="ISignalMeasuresGrain"/>) over the detector data's window, checked;
    /// null when the signal has no controller, there is no detector data, or no bin of measures starts in the window.
    /// </summary>
    private async Task<ControllerMeasureAssessment?> ReadMeasuresAsync(CityModel city, string key, string signalId, SignalDataAssessment data)
    {
        if (data.WindowEndTicks is not { } end || !city.SignalControllers.TryGetValue(signalId, out var controller))
        {
            return null;
        }

        var m = await GrainFactory.GetGrain<ISignalMeasuresGrain>(key).GetMeasuresAsync();
        static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
        var rows = new SignalMeasures(
            m.Actuations.Select(a => new ActuationRow(Ms(a.Start), m.DeviceId, a.Detector, a.Total)).ToArray(),
            m.ArrivalOnGreen.Select(a => new ArrivalOnGreenRow(Ms(a.Start), m.DeviceId, a.Phase, a.TotalActuations, a.PercentAog)).ToArray(),
            m.Splits.Select(a => new SplitRow(Ms(a.Start), m.DeviceId, a.EventId, a.Services, a.AverageSplit)).ToArray(),
            m.Terminations.Select(a => new TerminationRow(Ms(a.Start), m.DeviceId, a.Phase, Enum.Parse<TerminationKind>(a.PerformanceMeasure), a.Total)).ToArray(),
            m.SplitFailures.Select(a => new SplitFailureRow(Ms(a.Start), m.DeviceId, a.Phase, a.GreenTime, a.GreenOccupancy, a.RedOccupancy, a.SplitFailures)).ToArray(),
            []);
        return ControllerMeasureCheck.Assess(controller, rows, m.EventsUsed, m.BadRows.Sum(b => b.Count), Mapping.UnixMs(data.WindowStartTicks), Mapping.UnixMs(end), MeasureRules);
    }

    /// <summary>
    /// "rec-{signal}-{window end, UTC}-{8 hex digits of the fingerprint}": the same live data, plan and settings give
    /// the same id.
    /// </summary>
    private static string EvidenceId(string signalId, SignalDataAssessment data, string fingerprint) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"rec-{signalId}-{(data.WindowEndTicks is { } e ? Mapping.Utc(e).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) : "nodata")}-{fingerprint[..8]}");

    private static RecommendationEvidence ToEvidence(
        string twin, SignalSite site, string evidenceId, int windowMin, int replications, long seed, double horizonS, SignalRecommendation r)
    {
        var d = r.Data;
        SimulationEvidence? sim = null;
        if (r.Simulation is { } s)
        {
            var c = s.Comparison;
            var day = d.WindowEndTicks is { } e ? Mapping.Utc(e).Date : DateTime.UnixEpoch;
            sim = new SimulationEvidence(
                new DateTimeOffset(day.AddSeconds(s.StartS), TimeSpan.Zero),
                horizonS,
                c.Runs.Count,
                seed,
                c.Confidence,
                s.Approaches,
                c.BaselineMeanVehH,
                c.CandidateMeanVehH,
                c.ChangeVehH,
                c.ChangeLowVehH,
                c.ChangeHighVehH,
                c.ChangePercent,
                c.ChangeLowPercent,
                c.ChangeHighPercent,
                c.SignificantImprovement,
                c.Runs.Select(x => new ReplicationEvidence(x.Replication, (long)x.Seed, x.Trips, x.BaselineDelayVehH, x.CandidateDelayVehH)).ToArray(),
                s.Fit.Select(f => new ApproachFitEvidence(f.ApproachId, f.MeasuredVehH, f.BaseVehH, f.EstimatedVehH, f.Geh)).ToArray(),
                s.QueuedVehicles);
        }

        return new RecommendationEvidence(
            evidenceId,
            twin,
            site.Id,
            r.Recommended,
            r.Decision,
            r.Reasons.Select(x => new RecommendationReasonInfo(x.Code, x.DetectorId, x.Message)).ToArray(),
            r.Recommended && r.Candidate is { } rec ? Mapping.ToInfo(rec.Plan) : null,
            d.WindowEndTicks is null ? null : Mapping.Utc(d.WindowStartTicks),
            Mapping.Utc(d.WindowEndTicks),
            windowMin,
            d.Completeness,
            Rules.MinCompleteness,
            d.Detectors.Select(x => new DetectorEvidence(
                x.DetectorId, x.ApproachId, x.LaneGroupId, x.Received, x.Expected, x.Completeness, x.NominalIntervalS,
                Mapping.Utc(x.LastReportTicks), x.FlowVehH, (DetectorDataStatus)(int)x.Status, x.Rule, x.Why)).ToArray(),
            d.Flows.Select(f => new LaneGroupFlowEvidence(f.Group.ToString(), f.FlowVehH, f.Measured, f.Detectors)).ToArray(),
            ToEvidence(r.Current),
            r.Candidate is { } cand ? ToEvidence(cand) : null,
            sim,
            replications,
            seed,
            r.Measures is { } m ? ToEvidence(m) : null);
    }

    private static ControllerMeasuresEvidence ToEvidence(ControllerMeasureAssessment m) => new(
        m.DeviceId,
        DateTimeOffset.FromUnixTimeMilliseconds(m.WindowStartMs),
        DateTimeOffset.FromUnixTimeMilliseconds(m.WindowEndMs),
        m.Bins,
        m.EventsUsed,
        m.BadRows,
        m.BadRowShare,
        MeasureRules.MaxBadRowShare,
        MeasureRules.MinServicesForSilentChannel,
        m.Phases.Select(p => new PhaseMeasuresEvidence(p.Phase, p.Cycles, p.SplitFailures, p.SplitFailureShare, p.ArrivalActuations, p.PercentArrivalsOnGreen, p.GapOuts, p.MaxOuts, p.ForceOffs, p.MeanSplitS)).ToArray(),
        m.Channels.Select(c => new ChannelActuationsEvidence(c.Channel, c.Phase, DetectorConfiguration.FunctionName(c.Function), c.Actuations)).ToArray(),
        m.SplitFailureNotes);

    private static PlanEvidence ToEvidence(PlanAssessment p) => new(
        Mapping.ToInfo(p.Plan),
        p.Delay.LaneGroups.Select(g => new LaneGroupDelayEvidence(
            g.Group.ToString(), g.FlowVehH, g.SaturationFlowVehH, g.EffectiveGreenS, g.CapacityVehH, g.DegreeOfSaturation, g.ControlDelayS, g.Los.ToString())).ToArray(),
        p.Delay.ControlDelayS,
        p.Delay.Los.ToString(),
        PlanControl.ToViolations(p.Violations));
}
