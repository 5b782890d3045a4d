using CityTwin.Engine.Signals;

namespace CityTwin.Engine.Timing;

/// <summary>Thresholds of <see cref="ControllerMeasureCheck"/> (docs/signal-timing.md, "Controller measures as evidence").</summary>
public sealed record ControllerMeasureRules
{
    /// <summary>The largest share of the controller's events that may be bad rows (duplicates, time backwards, ...).</summary>
    public double MaxBadRowShare { get; init; } = 0.05;

    /// <summary>The fewest services (terminations) of a phase in the window before its silent channels count against the data.</summary>
    public int MinServicesForSilentChannel { get; init; } = 5;
}

/// <summary>One phase's measures over the window.</summary>
/// <param name="Phase">The controller's phase number.</param>
/// <param name="Cycles">Services of the phase: its terminations in the window (every service ends in one).</param>
/// <param name="SplitFailures">Cycles found split failures.</param>
/// <param name="SplitFailureShare">Split failures over cycles; null when the phase was not served or has no presence detector.</param>
/// <param name="ArrivalActuations">Arrivals on its advance detectors.</param>
/// <param name="PercentArrivalsOnGreen">Arrivals during green over all arrivals (0-1); null without arrivals.</param>
/// <param name="GapOuts">Terminations by gap-out.</param>
/// <param name="MaxOuts">Terminations by max-out.</param>
/// <param name="ForceOffs">Terminations by force-off.</param>
/// <param name="MeanSplitS">Mean of its vendor split events (s); null without any.</param>
public sealed record PhaseMeasureSummary(
    int Phase,
    int Cycles,
    int SplitFailures,
    double? SplitFailureShare,
    int ArrivalActuations,
    double? PercentArrivalsOnGreen,
    int GapOuts,
    int MaxOuts,
    int ForceOffs,
    double? MeanSplitS);

/// <summary>Actuations of one configured detector channel over the window.</summary>
public sealed record ChannelActuationSummary(int Channel, int Phase, DetectorFunction Function, int Actuations);

/// <summary>A controller's measures over the recommendation window and what the rules found.</summary>
/// <param name="DeviceId">The controller's device id.</param>
/// <param name="WindowStartMs">Earliest bin start taken (controller time, Unix ms).</param>
/// <param name="WindowEndMs">Bins starting before this are taken.</param>
/// <param name="Bins">Distinct bins in the window.</param>
/// <param name="EventsUsed">Events the controller's measures used (since they were kept).</param>
/// <param name="BadRows">Events not used.</param>
/// <param name="BadRowShare">Bad rows over all events; 0 without events.</param>
/// <param name="Phases">Per phase (configured or served), by number.</param>
/// <param name="Channels">Per configured channel, by channel then phase and function.</param>
/// <param name="Problems">Why the data is not good enough: <c>channel-silent</c>, <c>controller-bad-rows</c>.</param>
/// <param name="SplitFailureNotes">Supporting evidence, one per phase with split failures: "phase 2: 7 of 40 cycles failed".</param>
public sealed record ControllerMeasureAssessment(
    int DeviceId,
    long WindowStartMs,
    long WindowEndMs,
    int Bins,
    long EventsUsed,
    long BadRows,
    double BadRowShare,
    IReadOnlyList<PhaseMeasureSummary> Phases,
    IReadOnlyList<ChannelActuationSummary> Channels,
    IReadOnlyList<RecommendationReason> Problems,
    IReadOnlyList<string> SplitFailureNotes);

/// <summary>
/// Sums a controller's performance measures (<see cref="SignalMeasureEngine"/> bins) over a recommendation window,
/// per phase, and checks them:
/// <list type="bullet">
/// <item><c>channel-silent</c>: a configured detector channel with no actuation in the window while its phase was
/// served at least <see cref="ControllerMeasureRules.MinServicesForSilentChannel"/> times;</item>
/// <item><c>controller-bad-rows</c>: more than <see cref="ControllerMeasureRules.MaxBadRowShare"/> of the
/// controller's events were bad rows.</item>
/// </list>
/// Pure: the bins are given.
/// </summary>
public static class ControllerMeasureCheck
{
    /// <summary>Assesses the bins whose start lies in [<paramref name="windowStartMs"/>, <paramref name="windowEndMs"/>); null when there is none.</summary>
    public static ControllerMeasureAssessment? Assess(
        SignalController controller, SignalMeasures measures, long eventsUsed, long badRows, long windowStartMs, long windowEndMs, ControllerMeasureRules? rules = null)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(measures);
        var r = rules ?? new ControllerMeasureRules();
        bool In(long binMs) => binMs >= windowStartMs && binMs < windowEndMs;
        var actuations = measures.Actuations.Where(a => In(a.BinMs)).ToList();
        var arrivals = measures.ArrivalOnGreen.Where(a => In(a.BinMs)).ToList();
        var splits = measures.Splits.Where(a => In(a.BinMs)).ToList();
        var terminations = measures.Terminations.Where(a => In(a.BinMs)).ToList();
        var failures = measures.SplitFailures.Where(a => In(a.BinMs)).ToList();
        var bins = actuations.Select(a => a.BinMs).Concat(arrivals.Select(a => a.BinMs)).Concat(splits.Select(a => a.BinMs))
            .Concat(terminations.Select(a => a.BinMs)).Concat(failures.Select(a => a.BinMs)).Distinct().Count();
        if (bins == 0)
        {
            return null;
        }

        var assignments = controller.Detectors.ForDevice(controller.DeviceId).ToList();
        var phaseNumbers = assignments.Select(a => a.Phase).Concat(terminations.Select(t => t.Phase)).Distinct().Order().ToList();
        var phases = phaseNumbers.Select(p =>
        {
            int Ended(TerminationKind kind) => terminations.Where(t => t.Phase == p && t.Kind == kind).Sum(t => t.Total);
            var (gap, max, force) = (Ended(TerminationKind.GapOut), Ended(TerminationKind.MaxOut), Ended(TerminationKind.ForceOff));
            var cycles = gap + max + force;
            var phaseFailures = failures.Where(f => f.Phase == p).ToList();
            var failed = phaseFailures.Sum(f => f.SplitFailures);
            var arrived = arrivals.Where(a => a.Phase == p).ToList();
            var arrivalCount = arrived.Sum(a => a.TotalActuations);
            var onGreen = arrived.Sum(a => a.PercentAog * a.TotalActuations);
            var splitRows = splits.Where(s => s.EventId == ControllerEventCodes.SplitFirst + p - 1).ToList();
            var services = splitRows.Sum(s => s.Services);
            return new PhaseMeasureSummary(
                p,
                cycles,
                failed,
                cycles > 0 && phaseFailures.Count > 0 ? Math.Min(1, (double)failed / cycles) : null,
                arrivalCount,
                arrivalCount > 0 ? onGreen / arrivalCount : null,
                gap,
                max,
                force,
                services > 0 ? splitRows.Sum(s => s.AverageSplit * s.Services) / services : null);
        }).ToList();

        var channels = assignments
            .Select(a => new ChannelActuationSummary(a.Channel, a.Phase, a.Function, actuations.Where(x => x.Detector == a.Channel).Sum(x => x.Total)))
            .OrderBy(c => c.Channel).ThenBy(c => c.Phase).ThenBy(c => c.Function).ToList();
        var problems = new List<RecommendationReason>();
        var byPhase = phases.ToDictionary(p => p.Phase);
        foreach (var c in channels.Where(c => c.Actuations == 0 && byPhase[c.Phase].Cycles >= r.MinServicesForSilentChannel))
        {
            problems.Add(new RecommendationReason(
                "channel-silent",
                ChannelName(c.Channel),
                $"controller {controller.DeviceId} detector channel {c.Channel} ({DetectorConfiguration.FunctionName(c.Function)}, phase {c.Phase}) had no actuation in the window while phase {c.Phase} was served {byPhase[c.Phase].Cycles} times"));
        }

        var total = eventsUsed + badRows;
        var share = total > 0 ? (double)badRows / total : 0;
        if (share > r.MaxBadRowShare)
        {
            problems.Add(new RecommendationReason(
                "controller-bad-rows",
                null,
                FormattableString.Invariant($"controller {controller.DeviceId}: {badRows} of {total} events ({100 * share:0.0}%) are bad rows, more than the {100 * r.MaxBadRowShare:0.#}% allowed")));
        }

        var notes = phases.Where(p => p.SplitFailures > 0).Select(p => $"phase {p.Phase}: {p.SplitFailures} of {p.Cycles} cycles failed").ToList();
        return new ControllerMeasureAssessment(controller.DeviceId, windowStartMs, windowEndMs, bins, eventsUsed, badRows, share, phases, channels, problems, notes);
    }

    /// <summary>How a reason names a channel: "channel 27".</summary>
    public static string ChannelName(int channel) => FormattableString.Invariant($"channel {channel}");
}
