using CityTwin.Engine.City;
using CityTwin.Engine.Timing;

namespace CityTwin.Engine.Live;

/// <summary>
/// The detector counts whose timestamps fall in one bucket of <see cref="SignalLive.BucketSeconds"/>: sums of
/// counts, interval seconds and occupancies, and how many reports were summed. Sums keep the flow exact
/// (flow = counts / seconds) while memory stays bounded however often a detector reports.
/// </summary>
public readonly record struct DetectorSample(long TsTicks, long Count, double IntervalS, double OccupancySum, int Reports);

/// <summary>The last known state of one signal phase from <c>signal-phase</c> events.</summary>
public sealed record PhaseStatus(int Phase, LightState State, long SinceTicks, long Changes, double? LastGreenS);

/// <summary>Detector samples of one detector inside the flow window.</summary>
public sealed record DetectorWindow(string DetectorId, IReadOnlyList<DetectorSample> Samples);

/// <summary>One detector report as received: its time (UTC ticks), count, occupancy and interval.</summary>
public readonly record struct DetectorReport(long TsTicks, int Count, double Occupancy, double IntervalS);

/// <summary>The reports one detector sent over the kept history (<see cref="LiveOptions.DetectorHistory"/>), oldest first.</summary>
public sealed record DetectorHistory(string DetectorId, IReadOnlyList<DetectorReport> Reports);

/// <summary>A signal's live state as plain data (<see cref="History"/> is null in snapshots written before it was kept).</summary>
public sealed record SignalSnapshot(
    LiveCommon Common,
    IReadOnlyList<DetectorWindow> Detectors,
    IReadOnlyList<PhaseStatus> Phases,
    IReadOnlyList<DetectorHistory>? History = null);

/// <summary>Flow and performance of one lane group.</summary>
public sealed record LaneGroupView(
    string Id,
    double FlowVehH,
    bool Measured,
    double SaturationFlowVehH,
    double EffectiveGreenS,
    double CapacityVehH,
    double DegreeOfSaturation,
    double QueueVeh);

/// <summary>Flow and performance of one approach.</summary>
public sealed record ApproachView(
    string Id,
    double? FlowVehH,
    double SaturationFlowVehH,
    double? DegreeOfSaturation,
    double? QueueVeh,
    int Detectors,
    int DetectorsReporting,
    double? MeanOccupancy,
    IReadOnlyList<LaneGroupView> LaneGroups);

/// <summary>A signal's live state as read by operators.</summary>
public sealed record SignalView(
    string Id,
    string Name,
    TimingPlan Plan,
    long? AsOfTicks,
    TimeSpan FlowWindow,
    IReadOnlyList<ApproachView> Approaches,
    IReadOnlyList<PhaseStatus> Phases,
    double TotalFlowVehH,
    double MaxDegreeOfSaturation,
    double TotalQueueVeh,
    double DataCompleteness,
    EventTotals Totals,
    IReadOnlyList<SensorCounters> Sensors,
    IReadOnlyList<RejectedEvent> RecentRejected,
    IReadOnlyList<SensorReading> RecentLate);

/// <summary>
/// Live state of a signalised intersection: rolling per-detector flows, phase states, and from them the
/// per-approach flow (veh/h), degree of saturation and queue estimate under the current plan.
/// </summary>
public sealed class SignalLive : LiveEntity<SignalSnapshot>
{
    /// <summary>Resolution of the flow window: counts are summed into buckets of this many seconds.</summary>
    public const int BucketSeconds = 5;

    private static readonly long BucketTicks = TimeSpan.FromSeconds(BucketSeconds).Ticks;

    private readonly SignalSite _site;
    private readonly IReadOnlyList<Detector> _detectors;
    private readonly Dictionary<string, List<DetectorSample>> _samples = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DetectorReport>> _history = new(StringComparer.Ordinal);
    private readonly Dictionary<int, PhaseStatus> _phases = [];
    private readonly Dictionary<string, (Approach Approach, Detector[] Detectors)> _approachOf = new(StringComparer.Ordinal);
    private TimingPlan _plan;

    public SignalLive(SignalSite site, IReadOnlyList<Detector> detectors, LiveOptions options, SignalSnapshot? snapshot = null)
        : base(options, snapshot?.Common)
    {
        _site = site;
        _plan = site.Plan;
        _detectors = detectors;
        foreach (var approach in site.Approaches)
        {
            var measuring = detectors.Where(d => d.ApproachId == approach.Id).ToArray();
            foreach (var d in measuring)
            {
                _approachOf[d.Id] = (approach, measuring);
            }
        }

        if (snapshot is null)
        {
            return;
        }

        foreach (var d in snapshot.Detectors)
        {
            _samples[d.DetectorId] = [.. d.Samples];
        }

        foreach (var p in snapshot.Phases)
        {
            _phases[p.Phase] = p;
        }

        foreach (var h in snapshot.History ?? [])
        {
            _history[h.DetectorId] = [.. h.Reports];
        }
    }

    /// <summary>The plan the signal runs: the site's design plan until <see cref="SetPlan"/> sets another.</summary>
    public TimingPlan Plan => _plan;

    /// <summary>
    /// Makes the signal run another plan (the caller has checked it: see the control API); capacities, degrees
    /// of saturation and queues are computed under it from now on. The plan is not part of the snapshot: its
    /// owner (the control API's plan book) keeps it.
    /// </summary>
    public void SetPlan(TimingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _plan = plan;
    }

    public override SignalSnapshot Snapshot()
    {
        Prune();
        return new SignalSnapshot(
            CommonSnapshot(),
            _samples.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new DetectorWindow(kv.Key, kv.Value.ToArray())).ToArray(),
            _phases.Values.OrderBy(p => p.Phase).ToArray(),
            History());
    }

    /// <summary>
    /// Each detector's reports over the kept history (<see cref="LiveOptions.DetectorHistory"/> before the newest
    /// event, at most <see cref="LiveOptions.MaxDetectorReports"/> each), oldest first, by detector id.
    /// </summary>
    public IReadOnlyList<DetectorHistory> History()
    {
        Prune();
        return _history.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new DetectorHistory(kv.Key, kv.Value.ToArray())).ToArray();
    }

    /// <summary>Computes the live view as of the newest event.</summary>
    public SignalView View()
    {
        var plan = _plan;
        var approaches = ApproachViews();
        var reportingTotal = approaches.Sum(a => a.DetectorsReporting);
        var totals = Totals();
        return new SignalView(
            _site.Id,
            _site.Name,
            plan,
            WatermarkTicks,
            Options.FlowWindow,
            approaches,
            _phases.Values.OrderBy(p => p.Phase).ToArray(),
            approaches.Sum(a => a.FlowVehH ?? 0),
            approaches.Select(a => a.DegreeOfSaturation ?? 0).DefaultIfEmpty(0).Max(),
            approaches.Sum(a => a.QueueVeh ?? 0),
            _detectors.Count == 0 ? 0 : (double)reportingTotal / _detectors.Count,
            new EventTotals(totals.Applied, totals.Late, totals.Duplicates, totals.Rejected),
            Counters.OrderBy(c => c.Sensor, StringComparer.Ordinal).ToArray(),
            RecentRejected.ToArray(),
            RecentLate.ToArray());
    }

    /// <summary>Each approach's flow, degree of saturation and queue estimate as of the newest event (as <see cref="View"/> shows them).</summary>
    public IReadOnlyList<ApproachView> ApproachViews()
    {
        Prune();
        var approaches = new ApproachView[_site.Approaches.Count];
        for (var i = 0; i < approaches.Length; i++)
        {
            approaches[i] = ApproachState(_site.Approaches[i], _plan);
        }

        return approaches;
    }

    /// <summary>
    /// The approach that detector <paramref name="detectorId"/> measures, as of the newest event (as <see cref="View"/>
    /// shows it), or null when the detector measures no approach of this signal: what the alert rules check after
    /// each count, computing only the approach whose flow the count changed.
    /// </summary>
    public ApproachView? ApproachViewOf(string detectorId)
    {
        if (!_approachOf.TryGetValue(detectorId, out var of))
        {
            return null;
        }

        var (approach, detectors) = of;
        if (WatermarkTicks is { } w)
        {
            foreach (var d in detectors)
            {
                if (_samples.TryGetValue(d.Id, out var list))
                {
                    PruneList(list, w - Options.FlowWindow.Ticks);
                }
            }
        }

        return ApproachState(approach, _plan);
    }

    protected override void ApplyCore(in SensorReading reading)
    {
        switch (reading.Type)
        {
            case SensorEventType.Detector:
                AddSample(reading);
                break;
            case SensorEventType.SignalPhase:
                ApplyPhase(reading);
                break;
            case SensorEventType.ControllerEvent:
                break; // measured by the signal's measures grain (docs/signal-measures.md)
            default:
                throw new ArgumentException($"a signal does not take '{SensorReading.TypeName(reading.Type)}' events", nameof(reading));
        }
    }

    private void AddSample(in SensorReading r)
    {
        AddReport(r);
        if (!_samples.TryGetValue(r.Sensor, out var list))
        {
            list = [];
            _samples[r.Sensor] = list;
        }

        var bucket = r.TsTicks - (((r.TsTicks % BucketTicks) + BucketTicks) % BucketTicks);
        var i = list.Count - 1;
        while (i >= 0 && list[i].TsTicks > bucket)
        {
            i--;
        }

        if (i >= 0 && list[i].TsTicks == bucket)
        {
            var b = list[i];
            list[i] = new DetectorSample(bucket, b.Count + r.Count, b.IntervalS + r.IntervalS, b.OccupancySum + r.Occupancy, b.Reports + 1);
        }
        else
        {
            list.Insert(i + 1, new DetectorSample(bucket, r.Count, r.IntervalS, r.Occupancy, 1));
        }

        if (WatermarkTicks is { } w && list[0].TsTicks <= w - Options.FlowWindow.Ticks)
        {
            PruneList(list, w - Options.FlowWindow.Ticks);
        }
    }

    /// <summary>Keeps the report in its detector's history, in time order, bounded in age and number.</summary>
    private void AddReport(in SensorReading r)
    {
        if (!_history.TryGetValue(r.Sensor, out var list))
        {
            list = [];
            _history[r.Sensor] = list;
        }

        var i = list.Count;
        while (i > 0 && list[i - 1].TsTicks > r.TsTicks)
        {
            i--;
        }

        list.Insert(i, new DetectorReport(r.TsTicks, r.Count, r.Occupancy, r.IntervalS));
        if (list.Count > Options.MaxDetectorReports)
        {
            list.RemoveRange(0, list.Count - Options.MaxDetectorReports);
        }
    }

    private void ApplyPhase(in SensorReading r)
    {
        if (_phases.TryGetValue(r.Phase, out var previous))
        {
            if (r.TsTicks < previous.SinceTicks)
            {
                // An older report than the one we hold: it is counted but does not roll the state back.
                return;
            }

            if (previous.State == r.Light)
            {
                return;
            }

            double? lastGreen = previous.State == LightState.Green
                ? TimeSpan.FromTicks(r.TsTicks - previous.SinceTicks).TotalSeconds
                : previous.LastGreenS;
            _phases[r.Phase] = new PhaseStatus(r.Phase, r.Light, r.TsTicks, previous.Changes + 1, lastGreen);
        }
        else
        {
            _phases[r.Phase] = new PhaseStatus(r.Phase, r.Light, r.TsTicks, 1, null);
        }
    }

    private void Prune()
    {
        if (WatermarkTicks is not { } w)
        {
            return;
        }

        var cutoff = w - Options.FlowWindow.Ticks;
        foreach (var list in _samples.Values)
        {
            PruneList(list, cutoff);
        }

        var historyCutoff = w - Options.DetectorHistory.Ticks;
        foreach (var list in _history.Values)
        {
            var keepFrom = 0;
            while (keepFrom < list.Count && list[keepFrom].TsTicks <= historyCutoff)
            {
                keepFrom++;
            }

            list.RemoveRange(0, keepFrom);
        }
    }

    private static void PruneList(List<DetectorSample> list, long cutoffTicks)
    {
        var keepFrom = 0;
        while (keepFrom < list.Count && list[keepFrom].TsTicks <= cutoffTicks)
        {
            keepFrom++;
        }

        if (keepFrom > 0)
        {
            list.RemoveRange(0, keepFrom);
        }
    }

    private (double FlowVehH, double Occupancy)? DetectorFlow(string detectorId)
    {
        if (!_samples.TryGetValue(detectorId, out var list) || list.Count == 0)
        {
            return null;
        }

        double count = 0, seconds = 0, occupancy = 0;
        var intervals = 0;
        foreach (var s in list)
        {
            count += s.Count;
            seconds += s.IntervalS;
            occupancy += s.OccupancySum;
            intervals += s.Reports;
        }

        return seconds <= 0 ? null : (count * 3600.0 / seconds, occupancy / intervals);
    }

    private ApproachView ApproachState(Approach approach, TimingPlan plan)
    {
        var detectors = _detectors.Where(d => d.ApproachId == approach.Id).ToList();
        var flows = new List<(Detector, double)>();
        double occupancySum = 0;
        foreach (var d in detectors)
        {
            if (DetectorFlow(d.Id) is { } f)
            {
                flows.Add((d, f.FlowVehH));
                occupancySum += f.Occupancy;
            }
        }

        var reporting = flows.Count;
        var groups = new List<LaneGroupView>(approach.LaneGroups.Count);
        foreach (var (g, q, measured) in LaneGroupFlows.Split(approach, flows))
        {
            var green = plan.EffectiveGreenS(new LaneGroupRef(approach.Id, g.Id));
            groups.Add(new LaneGroupView(
                g.Id,
                q,
                measured,
                g.SaturationFlowVehH,
                green,
                LaneGroupPerformance.Capacity(g.SaturationFlowVehH, green, plan.CycleS),
                LaneGroupPerformance.DegreeOfSaturation(q, g.SaturationFlowVehH, green, plan.CycleS),
                LaneGroupPerformance.QueueEstimate(q, g.SaturationFlowVehH, green, plan.CycleS)));
        }

        if (reporting == 0)
        {
            return new ApproachView(approach.Id, null, approach.SaturationFlowVehH, null, null, detectors.Count, 0, null, groups);
        }

        var measuredGroups = groups.Where(g => g.Measured).ToList();
        return new ApproachView(
            approach.Id,
            groups.Sum(g => g.FlowVehH),
            approach.SaturationFlowVehH,
            measuredGroups.Select(g => g.DegreeOfSaturation).DefaultIfEmpty(0).Max(),
            measuredGroups.Sum(g => g.QueueVeh),
            detectors.Count,
            reporting,
            occupancySum / reporting,
            groups);
    }
}
