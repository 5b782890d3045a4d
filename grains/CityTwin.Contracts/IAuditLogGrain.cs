namespace CityTwin.Contracts;

/// <summary>
/// The cluster's append-only audit log of consequential actions (plan changes, rollbacks, scenario runs,
/// twin deletions); key <see cref="AuditLog.Key"/>. Entries are numbered 1, 2, 3, ... and never changed or
/// removed: the interface has no way to.
/// </summary>
[Alias("CityTwin.IAuditLogGrain")]
public interface IAuditLogGrain : IGrainWithStringKey
{
    /// <summary>Appends an entry (its sequence and time are set here) and writes it durably before answering.</summary>
    [Alias("Append")]
    Task<AuditEntry> AppendAsync(AuditRecord record);

    /// <summary>Lists the entries with time in [from, to) and of the given kind (null: any), oldest first.</summary>
    [Alias("List")]
    Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, string? kind);
}

/// <summary>Names of the audit log.</summary>
public static class AuditLog
{
    /// <summary>The key of the one audit log grain.</summary>
    public const string Key = "audit";

    /// <summary>A signal plan applied.</summary>
    public const string PlanApply = "plan-apply";

    /// <summary>A signal plan rolled back.</summary>
    public const string PlanRollback = "plan-rollback";

    /// <summary>A scenario run started.</summary>
    public const string ScenarioRun = "scenario-run";

    /// <summary>A twin deleted.</summary>
    public const string TwinDelete = "twin-delete";

    /// <summary>A replay started into a twin.</summary>
    public const string Replay = "replay";
}

/// <summary>What to record: who (the token's name), the kind of action, what it was, why, and the evidence id.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.AuditRecord")]
public sealed record AuditRecord(
    [property: Id(0)] string Who,
    [property: Id(1)] string Kind,
    [property: Id(2)] string What,
    [property: Id(3)] string? Why,
    [property: Id(4)] string? EvidenceId,
    [property: Id(5)] string? Twin);

/// <summary>One recorded entry of the audit log.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset Time,
    [property: Id(2)] string Who,
    [property: Id(3)] string Kind,
    [property: Id(4)] string What,
    [property: Id(5)] string? Why,
    [property: Id(6)] string? EvidenceId,
    [property: Id(7)] string? Twin);
