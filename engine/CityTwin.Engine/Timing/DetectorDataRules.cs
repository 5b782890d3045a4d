using CityTwin.Engine.City;
using CityTwin.Engine.Live;

namespace CityTwin.Engine.Timing;

/// <summary>What the data rules found about one detector over a window.</summary>
public enum DetectorStatus
{
    /// <summary>Reporting, complete enough and plausible: its flow is used.</summary>
    Ok,

    /// <summary>No report for the last <see cref="DetectorDataRules.SilentIntervals"/> intervals while the signal's other detectors report (or none at all in the window).</summary>
    Silent,

    /// <summary>Reports that cannot be true: occupancy stuck at 0 or 1, an impossible count, a frozen value.</summary>
    Broken,

    /// <summary>Fewer intervals received than <see cref="DetectorDataRules.MinCompleteness"/> of those expected.</summary>
    Incomplete,
}

/// <summary>
/// The thresholds of the data rules a timing recommendation needs (docs/signal-timing.md, "Recommendations on live
/// flows"). Every one can be changed with <c>with { ... }</c>.
/// </summary>
public sealed record DetectorDataRules
{
    /// <summary>A detector must deliver at least this share of the intervals expected in the window.</summary>
    public double MinCompleteness { get; init; } = 0.8;

    /// <summary>A detector is silent when its newest report is older than this many of its intervals before the window's end.</summary>
    public int SilentIntervals { get; init; } = 5;

    /// <summary>Occupancy at 1 (or at 0 with vehicles counted) in this many consecutive reports is a stuck loop.</summary>
    public int StuckIntervals { get; init; } = 5;

    /// <summary>Occupancy at or above this counts as "at 1" (a vehicle standing on the loop, a shorted loop).</summary>
    public double FullOccupancy { get; init; } = 0.99;

    /// <summary>The same non-zero count and occupancy in this many consecutive reports is a frozen detector.</summary>
    public int ConstantIntervals { get; init; } = 10;

    /// <summary>
    /// Count 0 in <see cref="ConstantIntervals"/> consecutive reports while the signal's other detectors averaged at
    /// least this flow (veh/h per detector) over the same time is a dead detector.
    /// </summary>
    public double BusyFlowVehH { get; init; } = 200;

    /// <summary>
    /// A count above this multiple of what the lanes can discharge in the interval (saturation flow x interval), plus
    /// one vehicle for the rounding of a short interval, is impossible.
    /// </summary>
    public double SaturationTolerance { get; init; } = 1.2;

    /// <summary>The interval assumed for a detector when no detector of the signal has reported (s).</summary>
    public double DefaultIntervalS { get; init; } = 60;
}

/// <summary>One detector over the window: what it delivered, its flow, and what the rules say about it.</summary>
/// <param name="DetectorId">The detector.</param>
/// <param name="ApproachId">The approach it watches.</param>
/// <param name="LaneGroupId">The lane group it watches; null for an approach-wide detector.</param>
/// <param name="Received">Reports received in the window.</param>
/// <param name="Expected">Reports expected in the window: the window over the nominal interval.</param>
/// <param name="Completeness">min(1, received / expected).</param>
/// <param name="NominalIntervalS">The detector's interval: the median <c>intervalS</c> of its kept reports (else of the signal's).</param>
/// <param name="LastReportTicks">Time of its newest report (UTC ticks), null if none is kept.</param>
/// <param name="FlowVehH">Sum of counts over sum of interval seconds in the window (veh/h); null with no report.</param>
/// <param name="Status">What the rules found.</param>
/// <param name="Rule">The rule broken: <c>silent</c>, <c>no-data</c>, <c>occupancy-stuck-full</c>, <c>occupancy-stuck-zero</c>, <c>count-impossible</c>, <c>constant</c>, <c>zero-while-busy</c>, <c>incomplete</c>; null when ok.</param>
/// <param name="Why">A sentence saying what was found; null when ok.</param>
public sealed record DetectorAssessment(
    string DetectorId,
    string ApproachId,
    string? LaneGroupId,
    int Received,
    int Expected,
    double Completeness,
    double NominalIntervalS,
    long? LastReportTicks,
    double? FlowVehH,
    DetectorStatus Status,
    string? Rule,
    string? Why);

/// <summary>The flow of one lane group over the window, and the detectors it comes from.</summary>
public sealed record MeasuredLaneGroupFlow(LaneGroupRef Group, double FlowVehH, bool Measured, IReadOnlyList<string> Detectors);

/// <summary>A reason why a plan is not recommended (or, with code <c>recommended</c>, why it is).</summary>
/// <param name="Code">Stable code: a detector rule, <c>no-detectors</c>, <c>no-data</c>, <c>low-completeness</c>, <c>no-change</c>, <c>no-demand</c>, <c>not-significant</c>.</param>
/// <param name="DetectorId">The detector the reason is about, if any.</param>
/// <param name="Message">A sentence.</param>
public sealed record RecommendationReason(string Code, string? DetectorId, string Message);

/// <summary>A signal's detector data over a window, checked by the data rules.</summary>
/// <param name="WindowStartTicks">Start of the window (UTC ticks, exclusive).</param>
/// <param name="WindowEndTicks">End of the window (inclusive): the newest report of the signal's detectors; null when none has reported.</param>
/// <param name="Window">Length of the window.</param>
/// <param name="Detectors">Every detector of the signal, by id.</param>
/// <param name="Flows">Every lane group's flow from the detectors that are <see cref="DetectorStatus.Ok"/>.</param>
/// <param name="Completeness">Received over expected reports, summed over the detectors (each capped at its expected).</param>
/// <param name="Problems">Why the data is not good enough for a recommendation; empty when it is.</param>
public sealed record SignalDataAssessment(
    long WindowStartTicks,
    long? WindowEndTicks,
    TimeSpan Window,
    IReadOnlyList<DetectorAssessment> Detectors,
    IReadOnlyList<MeasuredLaneGroupFlow> Flows,
    double Completeness,
    IReadOnlyList<RecommendationReason> Problems)
{
    /// <summary>The lane-group flows as the timing code takes them.</summary>
    public IReadOnlyDictionary<LaneGroupRef, double> FlowsVehH => Flows.ToDictionary(f => f.Group, f => f.FlowVehH);
}

/// <summary>
/// Checks a signal's detector reports over a window before a timing plan is recommended on them. The window ends at
/// the newest report of any of the signal's detectors. For each detector, in this order (the first rule broken is
/// its status):
/// <list type="number">
/// <item><b>broken</b>: occupancy at 1 in <see cref="DetectorDataRules.StuckIntervals"/> consecutive reports
/// (<c>occupancy-stuck-full</c>); occupancy 0 while counting vehicles in as many (<c>occupancy-stuck-zero</c>);
/// a count the lanes cannot carry, above tolerance x saturation flow x interval + 1 (<c>count-impossible</c>); the
/// same non-zero count and occupancy in <see cref="DetectorDataRules.ConstantIntervals"/> consecutive reports
/// (<c>constant</c>); count 0 in as many while the other detectors averaged at least
/// <see cref="DetectorDataRules.BusyFlowVehH"/> (<c>zero-while-busy</c>);</item>
/// <item><b>silent</b>: no report in the window (<c>no-data</c>), or the newest is more than
/// <see cref="DetectorDataRules.SilentIntervals"/> nominal intervals before the window's end (<c>silent</c>);</item>
/// <item><b>incomplete</b>: fewer reports than <see cref="DetectorDataRules.MinCompleteness"/> of those expected.</item>
/// </list>
/// Only reports inside the window are judged. Flows come from the detectors found ok.
/// </summary>
public static class DetectorDataCheck
{
    /// <summary>Assesses the signal's detectors over the window ending at their newest report.</summary>
    public static SignalDataAssessment Assess(SignalSite site, IReadOnlyList<Detector> detectors, IReadOnlyList<DetectorHistory> history, TimeSpan window, DetectorDataRules? rules = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        var r = rules ?? new DetectorDataRules();
        var byId = history.ToDictionary(h => h.DetectorId, h => h.Reports, StringComparer.Ordinal);
        var mine = detectors.Where(d => d.SignalId == site.Id).OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
        var all = mine.SelectMany(d => byId.GetValueOrDefault(d.Id) ?? []).ToList();
        long? end = all.Count == 0 ? null : all.Max(x => x.TsTicks);
        var start = (end ?? 0) - window.Ticks;
        var signalInterval = all.Count == 0 ? r.DefaultIntervalS : Median(all.Select(x => x.IntervalS));
        var inWindow = mine.ToDictionary(
            d => d.Id,
            d => (IReadOnlyList<DetectorReport>)(byId.GetValueOrDefault(d.Id) ?? []).Where(x => x.TsTicks > start && x.TsTicks <= end).ToList(),
            StringComparer.Ordinal);

        var assessments = new List<DetectorAssessment>(mine.Count);
        foreach (var d in mine)
        {
            var kept = byId.GetValueOrDefault(d.Id) ?? [];
            var reports = inWindow[d.Id];
            var nominal = kept.Count > 0 ? Median(kept.Select(x => x.IntervalS)) : signalInterval;
            var expected = Math.Max(1, (int)Math.Round(window.TotalSeconds / nominal));
            var completeness = Math.Min(1.0, (double)reports.Count / expected);
            double? flow = reports.Count == 0 ? null : reports.Sum(x => (double)x.Count) * 3600 / Math.Max(1e-9, reports.Sum(x => x.IntervalS));
            long? last = kept.Count > 0 ? kept[^1].TsTicks : null;
            var (status, rule, why) = Judge(site, d, reports, inWindow, nominal, expected, end, r);
            assessments.Add(new DetectorAssessment(d.Id, d.ApproachId!, d.LaneGroupId, reports.Count, expected, completeness, nominal, last, flow, status, rule, why));
        }

        var problems = new List<RecommendationReason>();
        if (mine.Count == 0)
        {
            problems.Add(new RecommendationReason("no-detectors", null, $"signal '{site.Id}' has no detectors, so there is no measured flow to time it on"));
        }
        else if (end is null)
        {
            problems.Add(new RecommendationReason("no-data", null, $"no detector of signal '{site.Id}' has reported yet"));
        }
        else
        {
            problems.AddRange(assessments.Where(a => a.Status != DetectorStatus.Ok).Select(a => new RecommendationReason(a.Rule!, a.DetectorId, a.Why!)));
        }

        var received = assessments.Sum(a => Math.Min(a.Received, a.Expected));
        var expectedAll = assessments.Sum(a => a.Expected);
        var signalCompleteness = expectedAll == 0 ? 0 : (double)received / expectedAll;
        if (end is not null && signalCompleteness < r.MinCompleteness)
        {
            problems.Add(new RecommendationReason(
                "low-completeness",
                null,
                FormattableString.Invariant($"the signal's detectors delivered {received} of {expectedAll} expected reports ({100 * signalCompleteness:0.#}%), below the {100 * r.MinCompleteness:0.#}% required")));
        }

        var ok = assessments.Where(a => a.Status == DetectorStatus.Ok && a.FlowVehH is not null).ToDictionary(a => a.DetectorId, StringComparer.Ordinal);
        var flows = new List<MeasuredLaneGroupFlow>();
        foreach (var approach in site.Approaches)
        {
            var reporting = mine.Where(d => d.ApproachId == approach.Id && ok.ContainsKey(d.Id)).ToList();
            foreach (var g in LaneGroupFlows.Split(approach, reporting.Select(d => (d, ok[d.Id].FlowVehH!.Value))))
            {
                var sources = reporting.Where(d => d.LaneGroupId == g.Group.Id).Select(d => d.Id).ToList();
                if (sources.Count == 0 && g.Measured)
                {
                    sources = reporting.Where(d => d.LaneGroupId is null).Select(d => d.Id).ToList();
                }

                flows.Add(new MeasuredLaneGroupFlow(new LaneGroupRef(approach.Id, g.Group.Id), g.FlowVehH, g.Measured, sources));
            }
        }

        return new SignalDataAssessment(start, end, window, assessments, flows, signalCompleteness, problems);
    }

    private static (DetectorStatus, string?, string?) Judge(
        SignalSite site,
        Detector d,
        IReadOnlyList<DetectorReport> reports,
        Dictionary<string, IReadOnlyList<DetectorReport>> inWindow,
        double nominal,
        int expected,
        long? end,
        DetectorDataRules r)
    {
        string I(FormattableString s) => FormattableString.Invariant(s);

        // Broken: reports that cannot be true.
        if (Run(reports, x => x.Occupancy >= r.FullOccupancy) is { Length: var full, From: var f1 } && full >= r.StuckIntervals)
        {
            return (DetectorStatus.Broken, "occupancy-stuck-full", I($"detector '{d.Id}' is broken: occupancy at 1 in {full} consecutive reports from {Ts(reports[f1].TsTicks)} (at most {r.StuckIntervals - 1} allowed)"));
        }

        if (Run(reports, x => x.Occupancy <= 0 && x.Count > 0) is { Length: var zero, From: var f2 } && zero >= r.StuckIntervals)
        {
            return (DetectorStatus.Broken, "occupancy-stuck-zero", I($"detector '{d.Id}' is broken: occupancy 0 while counting vehicles in {zero} consecutive reports from {Ts(reports[f2].TsTicks)} (at most {r.StuckIntervals - 1} allowed)"));
        }

        var approach = site.Approaches.FirstOrDefault(a => a.Id == d.ApproachId);
        var saturation = d.LaneGroupId is { } gid
            ? approach?.LaneGroups.FirstOrDefault(g => g.Id == gid)?.SaturationFlowVehH ?? approach?.SaturationFlowVehH ?? 0
            : approach?.SaturationFlowVehH ?? 0;
        foreach (var x in reports)
        {
            var limit = (r.SaturationTolerance * saturation * x.IntervalS / 3600) + 1;
            if (saturation > 0 && x.Count > limit)
            {
                return (DetectorStatus.Broken, "count-impossible", I($"detector '{d.Id}' is broken: it counted {x.Count} vehicles in {x.IntervalS:0.#} s at {Ts(x.TsTicks)}, more than its lanes can carry ({saturation:0} veh/h of green allows at most {limit:0.#})"));
            }
        }

        var constant = 0;
        for (var i = 0; i < reports.Count; i++)
        {
            constant = i > 0 && reports[i].Count == reports[i - 1].Count && reports[i].Occupancy.Equals(reports[i - 1].Occupancy) ? constant + 1 : 1;
            if (constant >= r.ConstantIntervals && reports[i].Count > 0)
            {
                return (DetectorStatus.Broken, "constant", I($"detector '{d.Id}' is broken: the same count ({reports[i].Count}) and occupancy ({reports[i].Occupancy:0.###}) in {constant} consecutive reports up to {Ts(reports[i].TsTicks)} (at most {r.ConstantIntervals - 1} allowed)"));
            }
        }

        var zeros = 0;
        for (var i = 0; i < reports.Count; i++)
        {
            zeros = reports[i].Count == 0 ? zeros + 1 : 0;
            if (zeros >= r.ConstantIntervals)
            {
                var from = reports[i - zeros + 1].TsTicks - TimeSpan.FromSeconds(reports[i - zeros + 1].IntervalS).Ticks;
                var to = reports[i].TsTicks;
                var others = inWindow.Where(kv => kv.Key != d.Id).Select(kv => kv.Value.Where(x => x.TsTicks > from && x.TsTicks <= to).ToList()).Where(l => l.Count > 0).ToList();
                var otherFlow = others.Count == 0 ? 0 : others.Average(l => l.Sum(x => (double)x.Count) * 3600 / Math.Max(1e-9, l.Sum(x => x.IntervalS)));
                if (otherFlow >= r.BusyFlowVehH)
                {
                    return (DetectorStatus.Broken, "zero-while-busy", I($"detector '{d.Id}' is broken: it counted no vehicle in {zeros} consecutive reports up to {Ts(to)} while the signal's other detectors averaged {otherFlow:0} veh/h (a dead detector; {r.BusyFlowVehH:0} veh/h or more is busy)"));
                }
            }
        }

        // Silent: no recent report while the others report.
        if (reports.Count == 0)
        {
            return (DetectorStatus.Silent, "no-data", end is { } last
                ? I($"detector '{d.Id}' is silent: no report in the window, while the signal's other detectors reported up to {Ts(last)}")
                : $"detector '{d.Id}' has not reported yet");
        }

        var lastTs = reports[^1].TsTicks;
        if (end is { } e && lastTs < e - TimeSpan.FromSeconds(r.SilentIntervals * nominal).Ticks)
        {
            return (DetectorStatus.Silent, "silent", I($"detector '{d.Id}' is silent: its newest report is at {Ts(lastTs)}, {TimeSpan.FromTicks(e - lastTs).TotalMinutes:0.#} min before the signal's newest at {Ts(e)} (more than {r.SilentIntervals} of its {nominal:0.#} s intervals)"));
        }

        if ((double)reports.Count / expected < r.MinCompleteness)
        {
            return (DetectorStatus.Incomplete, "incomplete", I($"detector '{d.Id}' delivered {reports.Count} of {expected} expected reports ({100.0 * reports.Count / expected:0.#}%), below the {100 * r.MinCompleteness:0.#}% required"));
        }

        return (DetectorStatus.Ok, null, null);
    }

    /// <summary>The longest run of consecutive reports that match, and where it starts.</summary>
    private static (int Length, int From) Run(IReadOnlyList<DetectorReport> reports, Func<DetectorReport, bool> match)
    {
        int best = 0, bestFrom = 0, current = 0;
        for (var i = 0; i < reports.Count; i++)
        {
            current = match(reports[i]) ? current + 1 : 0;
            if (current > best)
            {
                best = current;
                bestFrom = i - current + 1;
            }
        }

        return (best, bestFrom);
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Where(x => x > 0).Order().ToArray();
        return v.Length == 0 ? 60 : v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
    }

    private static string Ts(long ticks) => new DateTimeOffset(ticks, TimeSpan.Zero).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
