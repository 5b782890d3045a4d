namespace CityTwin.Contracts;

/// <summary>What a plan history entry records.</summary>
public enum PlanAction
{
    /// <summary>A new plan was applied.</summary>
    Apply = 0,

    /// <summary>The plan that ran before the current one was restored.</summary>
    Rollback = 1,
}

/// <summary>How a request to change a signal's plan ended.</summary>
public enum PlanChangeStatus
{
    /// <summary>The plan passed the safety rules and is now the signal's plan; a history entry records it.</summary>
    Applied = 0,

    /// <summary>The plan passed the safety rules and is the plan the signal already runs: nothing was changed or recorded.</summary>
    Unchanged = 1,

    /// <summary>The previous plan is the signal's plan again; a history entry records it.</summary>
    RolledBack = 2,

    /// <summary>Refused: the plan breaks safety rules, every one of them is listed; nothing was changed.</summary>
    Unsafe = 3,

    /// <summary>Refused: the request itself is incomplete or malformed (the detail names the fields); nothing was changed.</summary>
    Invalid = 4,

    /// <summary>Refused: there is no previous plan to roll back to; nothing was changed.</summary>
    NoPreviousPlan = 5,
}

/// <summary>One broken safety rule of a timing plan (docs/signal-timing.md lists the codes).</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.PlanViolation")]
public sealed record PlanViolation(
    [property: Id(0)] string Code,
    [property: Id(1)] int? Phase,
    [property: Id(2)] string? LaneGroup,
    [property: Id(3)] double? Required,
    [property: Id(4)] double? Actual,
    [property: Id(5)] string Message);

/// <summary>
/// One entry of a signal's audited plan history: sequence 1, 2, 3, ... per signal and twin, never changed
/// or removed once written.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.PlanHistoryEntry")]
public sealed record PlanHistoryEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset Time,
    [property: Id(2)] PlanAction Action,
    [property: Id(3)] string Who,
    [property: Id(4)] string Why,
    [property: Id(5)] string? EvidenceId,
    [property: Id(6)] string PlanId,
    [property: Id(7)] TimingPlanInfo Plan,
    [property: Id(8)] string ReplacedPlanId);

/// <summary>
/// The plan a signal runs now: the city's design plan until a plan is applied. <see cref="Violations"/> are
/// the safety rules the plan breaks today (a design plan from the city may break some; an applied plan
/// passed them all when it was applied).
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.SignalPlanState")]
public sealed record SignalPlanState(
    [property: Id(0)] string Twin,
    [property: Id(1)] string SignalId,
    [property: Id(2)] TimingPlanInfo Plan,
    [property: Id(3)] bool IsDesignPlan,
    [property: Id(4)] long? Sequence,
    [property: Id(5)] DateTimeOffset? Since,
    [property: Id(6)] int PreviousPlans,
    [property: Id(7)] IReadOnlyList<PlanViolation> Violations);

/// <summary>A request to apply a plan: the plan, who asks, why, and the evidence it rests on (optional).</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.PlanApplyRequest")]
public sealed record PlanApplyRequest(
    [property: Id(0)] TimingPlanInfo Plan,
    [property: Id(1)] string Who,
    [property: Id(2)] string Why,
    [property: Id(3)] string? EvidenceId);

/// <summary>A request to restore the plan that ran before the current one: who asks and why.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.PlanRollbackRequest")]
public sealed record PlanRollbackRequest(
    [property: Id(0)] string Who,
    [property: Id(1)] string Why);

/// <summary>
/// The answer to an apply or a rollback: how it ended, a sentence saying so, the signal's plan afterwards
/// (unchanged when refused), the history entry written (null when none was), and for an unsafe plan every
/// rule it breaks.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.PlanChangeResult")]
public sealed record PlanChangeResult(
    [property: Id(0)] PlanChangeStatus Status,
    [property: Id(1)] string Detail,
    [property: Id(2)] SignalPlanState Current,
    [property: Id(3)] PlanHistoryEntry? Entry,
    [property: Id(4)] IReadOnlyList<PlanViolation> Violations)
{
    /// <summary>True when the signal runs the requested plan (applied, unchanged or rolled back).</summary>
    public bool Succeeded => Status is PlanChangeStatus.Applied or PlanChangeStatus.Unchanged or PlanChangeStatus.RolledBack;
}
