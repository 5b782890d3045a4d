using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Timing;

namespace CityTwin.Grains;

/// <summary>
/// A signal's plan book as stored: the current plan (null: the city's design plan), the history entry that
/// made it current and when, the plans that ran before it (the rollback stack, oldest first; null stands for
/// the design plan), and the append-only history. Never changed in place: every change makes a new book.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.SignalPlanBook")]
public sealed record SignalPlanBook(
    [property: Id(0)] TimingPlanInfo? Current,
    [property: Id(1)] long CurrentSequence,
    [property: Id(2)] DateTimeOffset? CurrentSince,
    [property: Id(3)] IReadOnlyList<TimingPlanInfo?> Previous,
    [property: Id(4)] IReadOnlyList<PlanHistoryEntry> History)
{
    /// <summary>A signal whose plan was never changed: it runs its design plan.</summary>
    public static SignalPlanBook Empty { get; } = new(null, 0, null, [], []);
}

/// <summary>The persisted state of a signal's control API (provider <c>twin</c>, state name <c>plan</c>).</summary>
[GenerateSerializer, Alias("CityTwin.SignalPlanStore")]
public sealed class SignalPlanStore
{
    [Id(0)]
    public SignalPlanBook? Book { get; set; }

    /// <summary>The latest recommendations' evidence, oldest first (at most <see cref="PlanControl.KeptRecommendations"/>).</summary>
    [Id(1)]
    public IReadOnlyList<RecommendationEvidence>? Recommendations { get; set; }
}

/// <summary>The outcome of an apply or a rollback: the new book to store (null when nothing changed) and the answer.</summary>
public sealed record PlanChange(SignalPlanBook? Next, PlanChangeResult Result);

/// <summary>
/// The rules of the control API, as pure functions of the city, the signal, its plan book, the request and
/// the time: a new plan must pass every safety rule (<see cref="SafetyRules.Check"/>); apply pushes the
/// current plan on the rollback stack, rollback pops it; each change appends one history entry.
/// </summary>
public static class PlanControl
{
    /// <summary>How many earlier plans are kept for rollback; the oldest is dropped beyond it (the history keeps every entry).</summary>
    public const int MaxPreviousPlans = 100;

    /// <summary>How many recommendations' evidence a signal keeps (the oldest is dropped beyond it).</summary>
    public const int KeptRecommendations = 20;

    /// <summary>Longest plan id.</summary>
    public const int MaxPlanIdLength = 100;

    /// <summary>Longest <c>who</c> and evidence id.</summary>
    public const int MaxWhoLength = 200;

    /// <summary>Longest <c>why</c>.</summary>
    public const int MaxWhyLength = 2000;

    /// <summary>The plan the live signal runs under this book.</summary>
    public static TimingPlan LivePlan(SignalSite site, SignalPlanBook book) =>
        book.Current is { } plan ? ToEngine(plan) : site.Plan;

    /// <summary>The current plan, where it came from, and the safety rules it breaks today.</summary>
    public static SignalPlanState Read(string twin, CityModel city, SignalSite site, SignalPlanBook book)
    {
        var plan = book.Current ?? Mapping.ToInfo(site.Plan);
        return new SignalPlanState(
            twin,
            site.Id,
            plan,
            book.Current is null,
            book.CurrentSequence == 0 ? null : book.CurrentSequence,
            book.CurrentSince,
            book.Previous.Count,
            Check(city, site, plan));
    }

    /// <summary>Every safety rule the plan breaks at this signal, in the engine's stable order.</summary>
    public static IReadOnlyList<PlanViolation> Check(CityModel city, SignalSite site, TimingPlanInfo plan) =>
        ToViolations(SafetyRules.Check(site, ToEngine(plan), SafetyProfile.For(city, site)));

    /// <summary>The engine's violations as wire records.</summary>
    public static IReadOnlyList<PlanViolation> ToViolations(IEnumerable<SafetyViolation> violations) =>
        violations.Select(v => new PlanViolation(v.Code, v.PhaseId, v.LaneGroup, v.Required, v.Actual, v.Message)).ToArray();

    /// <summary>The kept recommendations with <paramref name="evidence"/> added (replacing one with its id), the latest <see cref="KeptRecommendations"/>.</summary>
    public static IReadOnlyList<RecommendationEvidence> Keep(IReadOnlyList<RecommendationEvidence>? kept, RecommendationEvidence evidence)
    {
        var list = (kept ?? []).Where(e => e.EvidenceId != evidence.EvidenceId).Append(evidence).ToList();
        return list.Skip(Math.Max(0, list.Count - KeptRecommendations)).ToArray();
    }

    /// <summary>
    /// Applies a plan: refused when the request is incomplete or the plan breaks any safety rule (all of them
    /// listed); unchanged when the signal already runs exactly this plan (so a repeated request does nothing);
    /// otherwise the current plan goes on the rollback stack and an <see cref="PlanAction.Apply"/> entry is added.
    /// </summary>
    public static PlanChange Apply(string twin, CityModel city, SignalSite site, SignalPlanBook book, PlanApplyRequest? request, DateTimeOffset now)
    {
        var problems = Problems(request);
        if (problems.Count > 0)
        {
            return Refused(twin, city, site, book, PlanChangeStatus.Invalid, $"the request is invalid: {string.Join("; ", problems)}", []);
        }

        var plan = request!.Plan;
        var violations = Check(city, site, plan);
        if (violations.Count > 0)
        {
            var rules = violations.Count == 1 ? "1 safety rule" : $"{violations.Count} safety rules";
            return Refused(
                twin, city, site, book, PlanChangeStatus.Unsafe,
                $"plan '{plan.Id}' is refused for signal '{site.Id}': it breaks {rules}: {string.Join("; ", violations.Select(v => $"{v.Code}: {v.Message}"))}",
                violations);
        }

        var current = book.Current ?? Mapping.ToInfo(site.Plan);
        if (SamePlan(current, plan))
        {
            return new PlanChange(null, new PlanChangeResult(
                PlanChangeStatus.Unchanged,
                $"signal '{site.Id}' already runs plan '{plan.Id}' with these times; nothing was changed",
                Read(twin, city, site, book),
                null,
                []));
        }

        var entry = new PlanHistoryEntry(
            NextSequence(book), now, PlanAction.Apply, request.Who, request.Why, request.EvidenceId, plan.Id, plan, current.Id);
        var previous = book.Previous.Append(book.Current);
        var next = new SignalPlanBook(
            plan,
            entry.Sequence,
            now,
            previous.Skip(Math.Max(0, book.Previous.Count + 1 - MaxPreviousPlans)).ToArray(),
            [.. book.History, entry]);
        return new PlanChange(next, new PlanChangeResult(
            PlanChangeStatus.Applied,
            $"plan '{plan.Id}' applied to signal '{site.Id}' of twin '{twin}' (history entry {entry.Sequence})",
            Read(twin, city, site, next),
            entry,
            []));
    }

    /// <summary>
    /// Restores the plan that ran before the current one (popped from the rollback stack) and adds a
    /// <see cref="PlanAction.Rollback"/> entry; refused when the request is incomplete or there is no earlier
    /// plan. The restored plan is not checked again: it is the plan the signal ran before (the design plan
    /// from the city, or a plan that passed the rules when it was applied); its current violations, if any,
    /// are in the answer's <see cref="SignalPlanState.Violations"/>.
    /// </summary>
    public static PlanChange Rollback(string twin, CityModel city, SignalSite site, SignalPlanBook book, PlanRollbackRequest? request, DateTimeOffset now)
    {
        var problems = new List<string>();
        if (request is null)
        {
            problems.Add("the request is missing");
        }
        else
        {
            Text(request.Who, "who", MaxWhoLength, required: true, problems);
            Text(request.Why, "why", MaxWhyLength, required: true, problems);
        }

        if (problems.Count > 0)
        {
            return Refused(twin, city, site, book, PlanChangeStatus.Invalid, $"the request is invalid: {string.Join("; ", problems)}", []);
        }

        var current = book.Current ?? Mapping.ToInfo(site.Plan);
        if (book.Previous.Count == 0)
        {
            var what = book.Current is null ? $"its design plan '{current.Id}'" : $"plan '{current.Id}'";
            return Refused(
                twin, city, site, book, PlanChangeStatus.NoPreviousPlan,
                $"signal '{site.Id}' of twin '{twin}' has no previous plan to roll back to: it runs {what} and no earlier plan is kept",
                []);
        }

        var restored = book.Previous[^1];
        var restoredPlan = restored ?? Mapping.ToInfo(site.Plan);
        var entry = new PlanHistoryEntry(
            NextSequence(book), now, PlanAction.Rollback, request!.Who, request.Why, null, restoredPlan.Id, restoredPlan, current.Id);
        var next = new SignalPlanBook(restored, entry.Sequence, now, book.Previous.Take(book.Previous.Count - 1).ToArray(), [.. book.History, entry]);
        return new PlanChange(next, new PlanChangeResult(
            PlanChangeStatus.RolledBack,
            $"signal '{site.Id}' of twin '{twin}' rolled back from plan '{current.Id}' to {(restored is null ? "its design plan" : "plan")} '{restoredPlan.Id}' (history entry {entry.Sequence})",
            Read(twin, city, site, next),
            entry,
            []));
    }

    /// <summary>Whether two plans are the same: id, cycle, offset and every phase's times and lane groups.</summary>
    public static bool SamePlan(TimingPlanInfo a, TimingPlanInfo b) =>
        a.Id == b.Id
        && a.CycleS.Equals(b.CycleS)
        && a.OffsetS.Equals(b.OffsetS)
        && a.Phases.Count == b.Phases.Count
        && a.Phases.Zip(b.Phases).All(p =>
            p.First.Id == p.Second.Id
            && p.First.GreenS.Equals(p.Second.GreenS)
            && p.First.AmberS.Equals(p.Second.AmberS)
            && p.First.AllRedS.Equals(p.Second.AllRedS)
            && p.First.Serves.SequenceEqual(p.Second.Serves, StringComparer.Ordinal));

    /// <summary>
    /// The engine's plan from the wire record. A lane group is "APPROACH.GROUP", split at the first dot as
    /// the city format does; a name without a dot becomes a lane group the signal does not have, which the
    /// safety rules report.
    /// </summary>
    public static TimingPlan ToEngine(TimingPlanInfo plan) =>
        new(plan.Id, plan.CycleS, plan.OffsetS, (plan.Phases ?? []).Select(p => new Phase(
            p.Id,
            p.GreenS,
            p.AmberS,
            p.AllRedS,
            (p.Serves ?? []).Select(LaneGroup).ToArray())).ToArray());

    /// <summary>What is missing or malformed in an apply request, each naming its field; empty when it is complete.</summary>
    public static IReadOnlyList<string> Problems(PlanApplyRequest? request)
    {
        var problems = new List<string>();
        if (request is null)
        {
            problems.Add("the request is missing");
            return problems;
        }

        if (request.Plan is not { } plan)
        {
            problems.Add("plan: required");
        }
        else
        {
            Text(plan.Id, "plan.id", MaxPlanIdLength, required: true, problems);
            if (plan.Phases is null)
            {
                problems.Add("plan.phases: required");
            }
            else
            {
                for (var i = 0; i < plan.Phases.Count; i++)
                {
                    if (plan.Phases[i] is not { } phase)
                    {
                        problems.Add($"plan.phases[{i}]: required");
                    }
                    else if (phase.Serves is null)
                    {
                        problems.Add($"plan.phases[{i}].serves: required");
                    }
                    else if (phase.Serves.Any(s => s is null))
                    {
                        problems.Add($"plan.phases[{i}].serves: lane groups must be strings 'APPROACH.GROUP'");
                    }
                }
            }
        }

        Text(request.Who, "who", MaxWhoLength, required: true, problems);
        Text(request.Why, "why", MaxWhyLength, required: true, problems);
        Text(request.EvidenceId, "evidenceId", MaxWhoLength, required: false, problems);
        return problems;
    }

    private static void Text(string? value, string field, int maxLength, bool required, List<string> problems)
    {
        if (value is null)
        {
            if (required)
            {
                problems.Add($"{field}: required");
            }
        }
        else if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add(required ? $"{field}: required, and must not be blank" : $"{field}: must not be blank (leave it out instead)");
        }
        else if (value.Length > maxLength)
        {
            problems.Add($"{field}: at most {maxLength} characters (has {value.Length})");
        }
    }

    private static LaneGroupRef LaneGroup(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? new LaneGroupRef(text, "") : new LaneGroupRef(text[..dot], text[(dot + 1)..]);
    }

    private static long NextSequence(SignalPlanBook book) => book.History.Count == 0 ? 1 : book.History[^1].Sequence + 1;

    private static PlanChange Refused(
        string twin, CityModel city, SignalSite site, SignalPlanBook book, PlanChangeStatus status, string detail, IReadOnlyList<PlanViolation> violations) =>
        new(null, new PlanChangeResult(status, detail, Read(twin, city, site, book), null, violations));
}
