using CityTwin.Engine.City;
using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Timing;

/// <summary>Settings of <see cref="SignalRecommender.Recommend"/>.</summary>
public sealed record RecommenderOptions
{
    /// <summary>Id given to the recommended plan.</summary>
    public string PlanId { get; init; } = "recommended";

    /// <summary>Paired simulation replications (at least 10).</summary>
    public int Replications { get; init; } = 10;

    /// <summary>Seed of the first replication (and of the demand fit).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>How long each replication simulates from the live time (s).</summary>
    public double HorizonS { get; init; } = 1800;

    /// <summary>Confidence level of the interval of the delay change.</summary>
    public double Confidence { get; init; } = 0.95;

    /// <summary>
    /// The simulation's settings (start, end and seed are set per replication). Trips keep their free-flow routes
    /// (no rerouting): the demand is fitted to the live flows under free-flow routes, and the paired runs then differ
    /// only where the plan makes them differ.
    /// </summary>
    public SimulationOptions Simulation { get; init; } = new() { RerouteIntervalS = 0 };

    /// <summary>The optimiser's settings (its plan id is <see cref="PlanId"/>).</summary>
    public TimingOptimizerOptions Optimizer { get; init; } = new();

    /// <summary>The safety limits of the signal's profile.</summary>
    public SafetyLimits? Limits { get; init; }
}

/// <summary>A plan with its HCM delays at the measured flows and the safety rules it breaks.</summary>
public sealed record PlanAssessment(TimingPlan Plan, IntersectionDelay Delay, IReadOnlyList<SafetyViolation> Violations);

/// <summary>The simulated change of delay from the current to the recommended plan, started from the live twin.</summary>
/// <param name="Comparison">Paired replications, their mean change and interval (stop-line delay at <paramref name="Approaches"/>, veh·h).</param>
/// <param name="StartS">Simulated start: the live twin's time of day (s).</param>
/// <param name="UntilS">Simulated end (s).</param>
/// <param name="Approaches">The approaches ("SIGNAL.APPROACH") whose stop-line delay is compared: the signal's own and those downstream of it.</param>
/// <param name="Fit">How the demand fitted to the live flows reproduces this signal's measured approach flows.</param>
/// <param name="QueuedVehicles">Vehicles placed at stop lines at the start (the twin's queue estimates).</param>
public sealed record SimulatedChange(PlanComparison Comparison, double StartS, double UntilS, IReadOnlyList<string> Approaches, IReadOnlyList<CountFit> Fit, int QueuedVehicles);

/// <summary>The answer of <see cref="SignalRecommender.Recommend"/>: a recommendation, or none with the reasons.</summary>
/// <param name="Recommended">True only when the data passes the rules and the simulated improvement is significant.</param>
/// <param name="Decision">The decision in one sentence.</param>
/// <param name="Reasons">Why not (every reason found), or the one reason why.</param>
/// <param name="Data">The detector data and its checks.</param>
/// <param name="Current">The plan the signal runs.</param>
/// <param name="Candidate">The plan examined (safe); null when there is no data to time on.</param>
/// <param name="Simulation">The simulated change; null when it was not simulated (data not good enough, no change).</param>
/// <param name="Measures">The controller's measures over the window and their checks; null when there were none.</param>
public sealed record SignalRecommendation(
    bool Recommended,
    string Decision,
    IReadOnlyList<RecommendationReason> Reasons,
    SignalDataAssessment Data,
    PlanAssessment Current,
    PlanAssessment? Candidate,
    SimulatedChange? Simulation,
    ControllerMeasureAssessment? Measures = null);

/// <summary>
/// Recommends a timing plan for one signal on its live detector data:
/// <list type="number">
/// <item>the data over the window is checked (<see cref="DetectorDataCheck"/>) and gives the lane-group flows; the
/// controller's measures over the window, when given, are checked too (<see cref="ControllerMeasureCheck"/>) and their
/// split failures are quoted in the decision;</item>
/// <item>the candidate is <see cref="TimingOptimizer.Optimise"/>'s plan for those flows (HCM delay minimised from
/// Webster, safe by <see cref="SafetyRules"/>); both plans get their HCM delay per lane group;</item>
/// <item>when the data passes the rules and the candidate differs from the current plan, the change is simulated:
/// the live twin is turned into a start state and a demand calibrated to the live flows (<see cref="LiveStart"/>,
/// with this signal's approach flows those of the window), and <see cref="PlanEvaluation.Compare"/> runs paired
/// replications of the city from it, the signal under its current plan and under the candidate;</item>
/// <item>the candidate is recommended only when the whole confidence interval of the change of total delay lies
/// below zero.</item>
/// </list>
/// Pure and deterministic: the same inputs and seed give the same answer.
/// </summary>
public static class SignalRecommender
{
    /// <summary>The fewest replications a recommendation rests on.</summary>
    public const int MinReplications = 10;

    /// <summary>Recommends a plan for <paramref name="site"/> (see the type's summary).</summary>
    /// <param name="city">The city.</param>
    /// <param name="site">The signal.</param>
    /// <param name="current">The plan the signal runs.</param>
    /// <param name="data">Its detector data over the window (<see cref="DetectorDataCheck.Assess"/>).</param>
    /// <param name="twin">The live twin (every signal's plan, measured approach flows and queues) the simulation starts from.</param>
    /// <param name="baseOd">The city's base origin-destination demand, fitted to the live flows.</param>
    /// <param name="options">Settings.</param>
    /// <param name="measures">The controller's measures over the window (<see cref="ControllerMeasureCheck.Assess"/>), if any.</param>
    public static SignalRecommendation Recommend(
        CityModel city,
        SignalSite site,
        TimingPlan current,
        SignalDataAssessment data,
        TwinSnapshot twin,
        IReadOnlyList<OdRow> baseOd,
        RecommenderOptions? options = null,
        ControllerMeasureAssessment? measures = null)
    {
        var o = options ?? new RecommenderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(o.Replications, MinReplications);
        var profile = SafetyProfile.For(city, site, o.Limits);
        var flows = data.FlowsVehH;
        var currentAssessment = Assess(site, current, flows, profile, o);
        var reasons = new List<RecommendationReason>(data.Problems.Concat(measures?.Problems ?? []));
        if (data.WindowEndTicks is null || !profile.IsFeasible)
        {
            if (!profile.IsFeasible)
            {
                reasons.Add(new RecommendationReason("infeasible", null, $"no plan of signal '{site.Id}' can keep the safety rules: its minimum phase times do not fit in the longest cycle"));
            }

            return None(site, reasons, data, measures, currentAssessment, null, null);
        }

        var optimised = TimingOptimizer.Optimise(site, flows, profile, o.Optimizer with { PlanId = o.PlanId });
        var candidate = Assess(site, optimised.Plan, flows, profile, o);
        if (reasons.Count > 0)
        {
            return None(site, reasons, data, measures, currentAssessment, candidate, null);
        }

        if (SameTimes(current, optimised.Plan))
        {
            reasons.Add(new RecommendationReason("no-change", null, $"signal '{site.Id}' already runs the plan the optimiser finds for these flows"));
            return None(site, reasons, data, measures, currentAssessment, candidate, null);
        }

        // The twin with this signal's approach flows those of the window (the fit then matches the evidence's flows).
        var windowFlows = site.Approaches.Select(a =>
        {
            var groups = data.Flows.Where(f => f.Group.Approach == a.Id).ToList();
            var live = twin.Flows.FirstOrDefault(f => f.SignalId == site.Id && f.ApproachId == a.Id);
            return new ApproachFlow(site.Id, a.Id, groups.Sum(g => g.FlowVehH), groups.Any(g => g.Measured), live?.QueueVeh ?? 0);
        }).ToList();
        var plans = new Dictionary<string, TimingPlan>(twin.Plans, StringComparer.Ordinal) { [site.Id] = current };
        var start = twin with
        {
            Plans = plans,
            Flows = [.. twin.Flows.Where(f => f.SignalId != site.Id), .. windowFlows],
        };

        LiveStartPlan live;
        try
        {
            live = LiveStart.Prepare(city, start, baseOd, o.HorizonS, o.Seed);
        }
        catch (DemandException e)
        {
            reasons.Add(new RecommendationReason("no-demand", null, $"the change cannot be simulated: {string.Join("; ", e.Errors)}"));
            return None(site, reasons, data, measures, currentAssessment, candidate, null);
        }

        var queued = live.Trips.Where(t => t.AtStopLine).ToList();
        var measured = MeasuredApproaches(city, site);
        var candidatePlans = new Dictionary<string, TimingPlan>(plans, StringComparer.Ordinal) { [site.Id] = optimised.Plan };
        var comparison = PlanEvaluation.Compare(
            city,
            (network, seed) => [.. OdDemand.Expand(network, live.EstimatedOd, seed), .. queued],
            plans,
            candidatePlans,
            o.Replications,
            o.Seed,
            o.Simulation with { StartS = live.StartS, UntilS = live.UntilS },
            o.Confidence,
            measure: result => result.Approaches.Where(a => measured.Contains((a.Approach.SignalId, a.Approach.ApproachId))).Sum(a => a.Total.TotalDelayVehH));
        var simulated = new SimulatedChange(comparison, live.StartS, live.UntilS, [.. measured.Select(a => $"{a.SignalId}.{a.ApproachId}").Order(StringComparer.Ordinal)], live.Fit.Where(f => f.SignalId == site.Id).ToList(), live.QueuedVehicles);
        var interval = FormattableString.Invariant(
            $"{comparison.ChangeVehH:+0.00;-0.00;0} veh-h ({comparison.ChangePercent:+0.0;-0.0;0}%), {100 * comparison.Confidence:0}% interval {comparison.ChangeLowVehH:+0.00;-0.00;0} to {comparison.ChangeHighVehH:+0.00;-0.00;0} veh-h over {comparison.Runs.Count} paired replications");
        if (!comparison.SignificantImprovement)
        {
            reasons.Add(new RecommendationReason("not-significant", null, $"the simulated change of stop-line delay at the signal and downstream is not a significant improvement: {interval}"));
            return None(site, reasons, data, measures, currentAssessment, candidate, simulated);
        }

        return new SignalRecommendation(
            true,
            FormattableString.Invariant($"Recommend plan '{optimised.Plan.Id}' for signal '{site.Id}': HCM delay {currentAssessment.Delay.ControlDelayS:0.0} -> {candidate.Delay.ControlDelayS:0.0} s/veh at the measured flows; simulated stop-line delay at it and downstream {interval}.{SplitFailureText(measures)}"),
            [new RecommendationReason("recommended", null, $"the data passes every rule and the whole interval of the simulated change lies below zero: {interval}")],
            data,
            currentAssessment,
            candidate,
            simulated,
            measures);
    }

    /// <summary>
    /// A short deterministic fingerprint (16 hex digits, FNV-1a) of everything a recommendation depends on besides the
    /// twin's other signals: the window, every detector's received reports and flow, the controller's measures (when
    /// given), the current plan and the settings.
    /// </summary>
    public static string Fingerprint(SignalDataAssessment data, TimingPlan current, RecommenderOptions options, ControllerMeasureAssessment? measures = null)
    {
        var text = new System.Text.StringBuilder();
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{data.WindowStartTicks}|{data.WindowEndTicks}|{options.Replications}|{options.Seed}|{options.HorizonS:R}|");
        foreach (var d in data.Detectors)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{d.DetectorId}:{d.Received}:{d.FlowVehH:R}:{d.Status}|");
        }

        if (measures is not null)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"m{measures.DeviceId}:{measures.EventsUsed}:{measures.BadRows}|");
            foreach (var p in measures.Phases)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{p.Phase}:{p.Cycles}:{p.SplitFailures}:{p.ArrivalActuations}:{p.PercentArrivalsOnGreen:R}:{p.MeanSplitS:R}|");
            }

            foreach (var c in measures.Channels)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{c.Channel}/{c.Phase}:{c.Actuations}|");
            }
        }

        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{current.Id}:{current.CycleS:R}:{current.OffsetS:R}");
        foreach (var p in current.Phases)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $":{p.Id}/{p.GreenS:R}/{p.AmberS:R}/{p.AllRedS:R}");
        }

        var hash = 14695981039346656037UL;
        foreach (var c in text.ToString())
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The approaches whose stop-line delay a change of the signal's plan is judged by: the signal's own, and the
    /// approaches of other signals on the links that leave its junction (where the traffic it releases queues next).
    /// </summary>
    public static HashSet<(string SignalId, string ApproachId)> MeasuredApproaches(CityModel city, SignalSite site)
    {
        var nodes = site.Approaches.Where(a => a.LinkId is not null && city.LinksById.ContainsKey(a.LinkId)).Select(a => city.LinksById[a.LinkId!].To).ToHashSet(StringComparer.Ordinal);
        var result = site.Approaches.Select(a => (site.Id, a.Id)).ToHashSet();
        foreach (var s in city.Signals.Where(s => s.Id != site.Id))
        {
            foreach (var a in s.Approaches)
            {
                if (a.LinkId is not null && city.LinksById.TryGetValue(a.LinkId, out var link) && nodes.Contains(link.From))
                {
                    result.Add((s.Id, a.Id));
                }
            }
        }

        return result;
    }

    private static PlanAssessment Assess(SignalSite site, TimingPlan plan, IReadOnlyDictionary<LaneGroupRef, double> flows, SafetyProfile profile, RecommenderOptions o) =>
        new(plan, HcmDelay.Evaluate(site, plan, flows, o.Optimizer.Delay), SafetyRules.Check(site, plan, profile));

    /// <summary>Whether two plans run the same times (cycle, offset and every phase's green, amber and all-red).</summary>
    private static bool SameTimes(TimingPlan a, TimingPlan b) =>
        Math.Abs(a.CycleS - b.CycleS) < 1e-9
        && Math.Abs(a.OffsetS - b.OffsetS) < 1e-9
        && a.Phases.Count == b.Phases.Count
        && a.Phases.Zip(b.Phases).All(p =>
            p.First.Id == p.Second.Id
            && Math.Abs(p.First.GreenS - p.Second.GreenS) < 1e-9
            && Math.Abs(p.First.AmberS - p.Second.AmberS) < 1e-9
            && Math.Abs(p.First.AllRedS - p.Second.AllRedS) < 1e-9);

    /// <summary>" Split failures over the window: phase 2: 7 of 40 cycles failed; ..." or "" (none, or no measures).</summary>
    private static string SplitFailureText(ControllerMeasureAssessment? measures) =>
        measures is { SplitFailureNotes.Count: > 0 } m ? $" Split failures over the window (controller {m.DeviceId}): {string.Join("; ", m.SplitFailureNotes)}." : "";

    private static SignalRecommendation None(
        SignalSite site, List<RecommendationReason> reasons, SignalDataAssessment data, ControllerMeasureAssessment? measures, PlanAssessment current, PlanAssessment? candidate, SimulatedChange? simulated) =>
        new(
            false,
            $"No recommendation for signal '{site.Id}': {string.Join("; ", reasons.Select(r => r.Message))}.{SplitFailureText(measures)}",
            reasons,
            data,
            current,
            candidate,
            simulated,
            measures);
}
