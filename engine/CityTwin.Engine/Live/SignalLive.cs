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

/// <summary>
/// What the alert rules read of one approach (as <see cref="ApproachView"/> has it): its flow, degree of saturation and
/// queue estimate, null when none of its detectors reports.
/// </summary>
public readonly record struct ApproachLoad(string Id, double? FlowVehH, double? DegreeOfSaturation, double? QueueVeh);

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
    private readonly Dictionary<string, FlowWindow> _samples = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DetectorReport>> _history = new(StringComparer.Ordinal);
    private readonly Dictionary<int, PhaseStatus> _phases = [];
    private readonly ApproachIndex[] _approaches;
    private readonly Dictionary<string, ApproachIndex> _approachOf = new(StringComparer.Ordinal);
    private TimingPlan _plan;

    public SignalLive(SignalSite site, IReadOnlyList<Detector> detectors, LiveOptions options, SignalSnapshot? snapshot = null)
        : base(options, snapshot?.Common)
    {
        _site = site;
        _plan = site.Plan;
        _detectors = detectors;
        _approaches = new ApproachIndex[site.Approaches.Count];
        for (var i = 0; i < _approaches.Length; i++)
        {
            var approach = site.Approaches[i];
            var index = new ApproachIndex(approach, detectors.Where(d => d.ApproachId == approach.Id).ToArray());
            _approaches[i] = index;
            foreach (var d in index.Detectors)
            {
                _approachOf[d.Id] = index;
            }
        }

        if (snapshot is null)
        {
            return;
        }

        foreach (var d in snapshot.Detectors)
        {
            _samples[d.DetectorId] = new FlowWindow([.. d.Samples]);
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
            _samples.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new DetectorWindow(kv.Key, kv.Value.Samples.ToArray())).ToArray(),
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
            approaches[i] = ApproachState(_approaches[i]);
        }

        return approaches;
    }

    /// <summary>
    /// The approach that detector <paramref name="detectorId"/> measures, as of the newest event (as <see cref="View"/>
    /// shows it), or null when the detector measures no approach of this signal: what the alert rules check after
    /// each count, computing only the approach whose flow the count changed.
    /// </summary>
    public ApproachView? ApproachViewOf(string detectorId) =>
        PrunedApproachOf(detectorId) is { } approach ? ApproachState(approach) : null;

    /// <summary>
    /// The flow, degree of saturation and queue of the approach that detector <paramref name="detectorId"/> measures,
    /// exactly as <see cref="ApproachViewOf"/> has them, without building the view: what the alert rules check after
    /// each count. False when the detector measures no approach of this signal.
    /// </summary>
    public bool TryApproachLoadOf(string detectorId, out ApproachLoad load)
    {
        if (PrunedApproachOf(detectorId) is not { } approach)
        {
            load = default;
            return false;
        }

        load = Measure(approach, out _) == 0
            ? new ApproachLoad(approach.Approach.Id, null, null, null)
            : Load(approach);
        return true;
    }

    /// <summary>The approach <paramref name="detectorId"/> measures, its detectors' flow windows pruned to the newest event.</summary>
    private ApproachIndex? PrunedApproachOf(string detectorId)
    {
        if (!_approachOf.TryGetValue(detectorId, out var approach))
        {
            return null;
        }

        if (WatermarkTicks is { } w)
        {
            foreach (var d in approach.Detectors)
            {
                if (_samples.TryGetValue(d.Id, out var window))
                {
                    PruneList(window, w - Options.FlowWindow.Ticks);
                }
            }
        }

        return approach;
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
        if (!_samples.TryGetValue(r.Sensor, out var window))
        {
            window = new FlowWindow([]);
            _samples[r.Sensor] = window;
        }

        var list = window.Samples;
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
            if (i < list.Count - 1)
            {
                window.HeadValid = false; // a bucket before the last changed
            }
        }
        else
        {
            if (i == list.Count - 1)
            {
                window.Append(); // the old last bucket joins the head
            }
            else
            {
                window.HeadValid = false;
            }

            list.Insert(i + 1, new DetectorSample(bucket, r.Count, r.IntervalS, r.Occupancy, 1));
        }

        if (WatermarkTicks is { } w && list[0].TsTicks <= w - Options.FlowWindow.Ticks)
        {
            PruneList(window, w - Options.FlowWindow.Ticks);
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
        foreach (var window in _samples.Values)
        {
            PruneList(window, cutoff);
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

    private static void PruneList(FlowWindow window, long cutoffTicks)
    {
        var list = window.Samples;
        var keepFrom = 0;
        while (keepFrom < list.Count && list[keepFrom].TsTicks <= cutoffTicks)
        {
            keepFrom++;
        }

        if (keepFrom > 0)
        {
            list.RemoveRange(0, keepFrom);
            window.HeadValid = false;
        }
    }

    /// <summary>
    /// A detector's flow (veh/h) and mean occupancy over its window: its counts over its interval seconds, summed over
    /// the buckets oldest first. The sums of all buckets but the last are kept (<see cref="FlowWindow"/>), so this adds
    /// only the last bucket, in the same order and so to the same last bit as summing every bucket.
    /// </summary>
    private (double FlowVehH, double Occupancy)? DetectorFlow(string detectorId)
    {
        if (!_samples.TryGetValue(detectorId, out var window) || window.Samples.Count == 0)
        {
            return null;
        }

        window.EnsureHead();
        var last = window.Samples[^1];
        var count = window.HeadCount + last.Count;
        var seconds = window.HeadSeconds + last.IntervalS;
        var occupancy = window.HeadOccupancy + last.OccupancySum;
        var intervals = window.HeadReports + last.Reports;
        return seconds <= 0 ? null : (count * 3600.0 / seconds, occupancy / intervals);
    }

    /// <summary>
    /// Computes the flow of each reporting detector of <paramref name="a"/> and from them the flow, whether measured
    /// and the effective green of each lane group into <paramref name="a"/>'s buffers; answers how many detectors report.
    /// </summary>
    private int Measure(ApproachIndex a, out double occupancySum)
    {
        occupancySum = 0;
        var reporting = 0;
        for (var k = 0; k < a.Detectors.Length; k++)
        {
            if (DetectorFlow(a.Detectors[k].Id) is { } f)
            {
                a.ReportingFlow[reporting] = f.FlowVehH;
                a.ReportingSlot[reporting] = a.Slots[k];
                reporting++;
                occupancySum += f.Occupancy;
            }
        }

        var groups = a.Approach.LaneGroups;
        LaneGroupFlows.Split(groups, a.ReportingSlot.AsSpan(0, reporting), a.ReportingFlow.AsSpan(0, reporting), a.GroupFlow, a.GroupMeasured);
        if (!ReferenceEquals(a.GreenOf, _plan))
        {
            for (var i = 0; i < groups.Count; i++)
            {
                a.Green[i] = _plan.EffectiveGreenS(new LaneGroupRef(a.Approach.Id, groups[i].Id));
            }

            a.GreenOf = _plan;
        }

        return reporting;
    }

    /// <summary>
    /// The approach's flow (sum of its lane groups'), degree of saturation (largest of its measured lane groups', 0 when
    /// none is) and queue (sum over its measured lane groups) from the buffers <see cref="Measure"/> filled.
    /// </summary>
    private ApproachLoad Load(ApproachIndex a)
    {
        var groups = a.Approach.LaneGroups;
        var cycle = _plan.CycleS;
        double flow = 0, queue = 0, degree = 0;
        var anyMeasured = false;
        for (var i = 0; i < groups.Count; i++)
        {
            var q = a.GroupFlow[i];
            flow += q;
            if (!a.GroupMeasured[i])
            {
                continue;
            }

            var s = groups[i].SaturationFlowVehH;
            var x = LaneGroupPerformance.DegreeOfSaturation(q, s, a.Green[i], cycle);

            // As Enumerable.Max: a NaN is passed over unless every value is NaN.
            if (!anyMeasured || x > degree || double.IsNaN(degree))
            {
                degree = x;
            }

            anyMeasured = true;
            queue += LaneGroupPerformance.QueueEstimate(q, s, a.Green[i], cycle);
        }

        return new ApproachLoad(a.Approach.Id, flow, degree, queue);
    }

    private ApproachView ApproachState(ApproachIndex a)
    {
        var reporting = Measure(a, out var occupancySum);
        var approach = a.Approach;
        var plan = _plan;
        var groups = new LaneGroupView[approach.LaneGroups.Count];
        for (var i = 0; i < groups.Length; i++)
        {
            var g = approach.LaneGroups[i];
            var q = a.GroupFlow[i];
            var green = a.Green[i];
            groups[i] = new LaneGroupView(
                g.Id,
                q,
                a.GroupMeasured[i],
                g.SaturationFlowVehH,
                green,
                LaneGroupPerformance.Capacity(g.SaturationFlowVehH, green, plan.CycleS),
                LaneGroupPerformance.DegreeOfSaturation(q, g.SaturationFlowVehH, green, plan.CycleS),
                LaneGroupPerformance.QueueEstimate(q, g.SaturationFlowVehH, green, plan.CycleS));
        }

        if (reporting == 0)
        {
            return new ApproachView(approach.Id, null, approach.SaturationFlowVehH, null, null, a.Detectors.Length, 0, null, groups);
        }

        var load = Load(a);
        return new ApproachView(
            approach.Id,
            load.FlowVehH,
            approach.SaturationFlowVehH,
            load.DegreeOfSaturation,
            load.QueueVeh,
            a.Detectors.Length,
            reporting,
            occupancySum / reporting,
            groups);
    }

    /// <summary>
    /// One detector's buckets in the flow window, oldest first, and the sums of all but the last bucket (its "head"),
    /// kept as buckets are appended and recomputed after a bucket before the last changed or buckets were pruned.
    /// </summary>
    private sealed class FlowWindow(List<DetectorSample> samples)
    {
        public List<DetectorSample> Samples { get; } = samples;

        public bool HeadValid { get; set; }

        public double HeadCount { get; private set; }

        public double HeadSeconds { get; private set; }

        public double HeadOccupancy { get; private set; }

        public int HeadReports { get; private set; }

        /// <summary>Called before a bucket is appended after the last: the last bucket joins the head.</summary>
        public void Append()
        {
            if (Samples.Count == 0)
            {
                (HeadCount, HeadSeconds, HeadOccupancy, HeadReports, HeadValid) = (0, 0, 0, 0, true);
            }
            else if (HeadValid)
            {
                Add(Samples[^1]);
            }
        }

        public void EnsureHead()
        {
            if (HeadValid)
            {
                return;
            }

            (HeadCount, HeadSeconds, HeadOccupancy, HeadReports) = (0, 0, 0, 0);
            for (var i = 0; i < Samples.Count - 1; i++)
            {
                Add(Samples[i]);
            }

            HeadValid = true;
        }

        private void Add(in DetectorSample s)
        {
            HeadCount += s.Count;
            HeadSeconds += s.IntervalS;
            HeadOccupancy += s.OccupancySum;
            HeadReports += s.Reports;
        }
    }

    /// <summary>One approach with its measuring detectors, where each one's flow goes, and buffers reused on every computation.</summary>
    private sealed class ApproachIndex
    {
        public ApproachIndex(Approach approach, Detector[] detectors)
        {
            Approach = approach;
            Detectors = detectors;
            Slots = detectors.Select(d => LaneGroupFlows.GroupSlot(approach.LaneGroups, d.LaneGroupId)).ToArray();
            ReportingFlow = new double[detectors.Length];
            ReportingSlot = new int[detectors.Length];
            GroupFlow = new double[approach.LaneGroups.Count];
            GroupMeasured = new bool[approach.LaneGroups.Count];
            Green = new double[approach.LaneGroups.Count];
        }

        public Approach Approach { get; }

        public Detector[] Detectors { get; }

        public int[] Slots { get; }

        public double[] ReportingFlow { get; }

        public int[] ReportingSlot { get; }

        public double[] GroupFlow { get; }

        public bool[] GroupMeasured { get; }

        /// <summary>Each lane group's effective green under <see cref="GreenOf"/>.</summary>
        public double[] Green { get; }

        public TimingPlan? GreenOf { get; set; }
    }
}
