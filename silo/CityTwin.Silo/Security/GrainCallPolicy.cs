using System.Reflection;
using CityTwin.Contracts;

namespace CityTwin.Silo.Security;

/// <summary>Where the twin of a grain call is: nowhere, the grain's key (<c>{twin}/{entity}</c> or <c>{twin}</c>), or the first argument.</summary>
public enum TwinOf
{
    None,
    Key,
    FirstArgument,
}

/// <summary>One grain call as the policy sees it: the twin, the entity of the grain's key, the arguments and (after it ran) the result.</summary>
public sealed record GrainCall(string? Twin, string? Entity, IReadOnlyList<object?> Arguments, object? Result);

/// <summary>
/// One rule of the grain call policy: a method of a grain interface of <c>CityTwin.Contracts</c>, the roles whose
/// cluster clients may call it, the roles that may call it only on twins they created, where the twin is, an
/// extra check of the arguments (null when they pass, else why not), and what the audit log records when it
/// succeeds. A rule with no roles keeps the method to the silos: cluster clients are refused, with
/// <see cref="Internal"/> saying why.
/// </summary>
public sealed record GrainCallRule(
    Type Interface,
    string Method,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> OwnTwinRoles,
    TwinOf Twin = TwinOf.None,
    string? Internal = null,
    Func<GrainCall, CallerInfo, string?>? Check = null,
    string? Audit = null,
    Func<GrainCall, AuditNote?>? AuditNote = null)
{
    /// <summary>The method as people read it: <c>ISignalControlGrain.ApplyPlanAsync</c>.</summary>
    public string Name => $"{Interface.Name}.{Method}";
}

/// <summary>
/// The access policy of calls from cluster clients (<c>CityTwinClient.ConnectAsync</c>, or any Orleans client
/// through a silo's gateway): ONE table of every method of every grain interface and who may call it, as
/// <see cref="AccessPolicy"/> is for HTTP endpoints. A method without a rule is refused to cluster clients (denied
/// by default); a test enumerates every grain interface method of <c>CityTwin.Contracts</c> and checks it has a
/// rule here. Calls inside the cluster (grain to grain, the HTTP API, streams, timers, reminders) are not checked.
/// </summary>
public static class GrainCallPolicy
{
    private static readonly string[] Readers = [.. ApiRoles.Readers];
    private static readonly string[] None = [];

    private const string Feed = "fed by the silos themselves (streams, grain to grain)";
    private const string HttpOnly = "over HTTP only: the endpoint does checks and audit this grain method does not";

    /// <summary>The table. Admin may call every method that has roles.</summary>
    public static readonly IReadOnlyList<GrainCallRule> Rules =
    [
        // Who am I: any known token (a cluster client checks its token with it when it connects).
        Allow<ICallerGrain>(nameof(ICallerGrain.WhoAmIAsync), ApiRoles.All),

        // Sensor intake, as POST /api/twins/{twin}/ingest; a researcher may feed only the twins it created.
        new(typeof(IIngestGrain), nameof(IIngestGrain.IngestAsync), [ApiRoles.Sensor, ApiRoles.Admin], [ApiRoles.Researcher], TwinOf.FirstArgument),
        Internal<IIngestGrain>(nameof(IIngestGrain.IngestAtAsync), "replay clocks are set by the HTTP ingest endpoint and the scenario runner"),
        Internal<ISensorIntakeGrain>(nameof(ISensorIntakeGrain.SubmitAsync), Feed),
        Internal<IIngestLogGrain>(nameof(IIngestLogGrain.RecordAsync), Feed),
        Allow<IIngestLogGrain>(nameof(IIngestLogGrain.GetAsync), Readers, TwinOf.Key),

        // Reading a twin.
        Allow<ITrafficSignalGrain>(nameof(ITrafficSignalGrain.GetStateAsync), Readers, TwinOf.Key),
        Allow<IParkingFacilityGrain>(nameof(IParkingFacilityGrain.GetStateAsync), Readers, TwinOf.Key),
        Allow<IParkingGuidanceGrain>(nameof(IParkingGuidanceGrain.GuideAsync), Readers, TwinOf.Key),
        Allow<IGridCellGrain>(nameof(IGridCellGrain.GetStateAsync), Readers, TwinOf.Key),
        Internal<IGridCellGrain>(nameof(IGridCellGrain.ReportAsync), Feed),
        Allow<IDistrictGrain>(nameof(IDistrictGrain.GetStateAsync), Readers, TwinOf.Key),
        Internal<IDistrictGrain>(nameof(IDistrictGrain.ReportAsync), Feed),
        Allow<ILiveEntityGrain>(nameof(ILiveEntityGrain.GetProgressAsync), Readers, TwinOf.Key),
        Allow<ILiveEntityGrain>(nameof(ILiveEntityGrain.GetKpiSeriesAsync), Readers, TwinOf.Key),
        Internal<IClearableGrain>(nameof(IClearableGrain.ClearAsync), "twins are deleted with DELETE /api/twins/{twin}"),
        Allow<ITwinSnapshotGrain>(nameof(ITwinSnapshotGrain.TakeAsync), Readers, TwinOf.Key),
        Allow<ISignalMeasuresGrain>(nameof(ISignalMeasuresGrain.GetMeasuresAsync), Readers, TwinOf.Key),

        // Alerts, as GET /api/twins/{twin}/alerts and its SSE stream: listing and subscribing for every reader.
        Allow<IAlertRegistryGrain>(nameof(IAlertRegistryGrain.ListAsync), Readers, TwinOf.Key),
        Allow<IAlertRegistryGrain>(nameof(IAlertRegistryGrain.GetChangesAsync), Readers, TwinOf.Key),
        Allow<IAlertRegistryGrain>(nameof(IAlertRegistryGrain.SubscribeAsync), Readers, TwinOf.Key),
        Allow<IAlertRegistryGrain>(nameof(IAlertRegistryGrain.UnsubscribeAsync), Readers, TwinOf.Key),
        Internal<IAlertObserver>(nameof(IAlertObserver.OnAlertAsync), "called by an alert registry on its subscribers, never by a client"),

        // Signal control, as the plan endpoints: reading for every reader, changing for operators (audited, who
        // must be the token's name).
        Allow<ISignalControlGrain>(nameof(ISignalControlGrain.GetPlanAsync), Readers, TwinOf.Key),
        Allow<ISignalControlGrain>(nameof(ISignalControlGrain.GetPlanHistoryAsync), Readers, TwinOf.Key),
        Allow<ISignalControlGrain>(nameof(ISignalControlGrain.GetRecommendationAsync), Readers, TwinOf.Key),
        Allow<ISignalControlGrain>(nameof(ISignalControlGrain.ApplyPlanAsync), [ApiRoles.Operator], TwinOf.Key,
            check: (call, caller) => WhoIsCaller(((PlanApplyRequest)call.Arguments[0]!).Who, caller),
            audit: AuditLog.PlanApply,
            note: call => PlanControlApi.ApplyNote(call.Entity!, (PlanApplyRequest)call.Arguments[0]!, (PlanChangeResult)call.Result!)),
        Allow<ISignalControlGrain>(nameof(ISignalControlGrain.RollbackPlanAsync), [ApiRoles.Operator], TwinOf.Key,
            check: (call, caller) => WhoIsCaller(((PlanRollbackRequest)call.Arguments[0]!).Who, caller),
            audit: AuditLog.PlanRollback,
            note: call => PlanControlApi.RollbackNote(call.Entity!, (PlanRollbackRequest)call.Arguments[0]!, (PlanChangeResult)call.Result!)),
        Allow<ISignalRecommendationGrain>(nameof(ISignalRecommendationGrain.RecommendAsync), Readers, TwinOf.Key),

        // Scenarios: started over HTTP (POST /api/scenarios, audited); their status is for every reader.
        Internal<IScenarioGrain>(nameof(IScenarioGrain.StartAsync), HttpOnly),
        Allow<IScenarioGrain>(nameof(IScenarioGrain.GetStatusAsync), Readers),
        Allow<IScenarioGrain>(nameof(IScenarioGrain.GetResultAsync), Readers),
        Internal<IScenarioWorkGrain>(nameof(IScenarioWorkGrain.RunAsync), "work items are handed out by the scenario grain"),

        // Twins: listing and progress for every reader; creating, claiming and deleting over HTTP only.
        Allow<ITwinRegistryGrain>(nameof(ITwinRegistryGrain.GetAsync), Readers, TwinOf.FirstArgument),
        Allow<ITwinRegistryGrain>(nameof(ITwinRegistryGrain.ListAsync), Readers),
        Internal<ITwinRegistryGrain>(nameof(ITwinRegistryGrain.CreateReplayAsync), HttpOnly),
        Internal<ITwinRegistryGrain>(nameof(ITwinRegistryGrain.EnsureAsync), Feed),
        Internal<ITwinRegistryGrain>(nameof(ITwinRegistryGrain.RemoveAsync), HttpOnly),
        Allow<ITwinLifecycleGrain>(nameof(ITwinLifecycleGrain.GetProgressAsync), Readers, TwinOf.FirstArgument),
        Allow<ITwinLifecycleGrain>(nameof(ITwinLifecycleGrain.GetKpisAsync), Readers, TwinOf.FirstArgument),
        Internal<ITwinLifecycleGrain>(nameof(ITwinLifecycleGrain.DeleteAsync), HttpOnly),
        Internal<ITwinOwnerGrain>(nameof(ITwinOwnerGrain.ClaimAsync), "a twin is claimed by the access checks themselves"),
        Internal<ITwinOwnerGrain>(nameof(ITwinOwnerGrain.GetAsync), "used by the access checks"),

        // The audit log: read over HTTP (GET /api/audit); written only by the silos' access checks.
        Internal<IAuditLogGrain>(nameof(IAuditLogGrain.AppendAsync), "entries are written by the access checks of audited actions"),
        Internal<IAuditLogGrain>(nameof(IAuditLogGrain.ListAsync), "read it with GET /api/audit"),
    ];

    private static readonly Dictionary<(Type, string), GrainCallRule> ByMethod = Build();

    /// <summary>The rule of an interface method, or null when the table has none (the method is then refused to cluster clients).</summary>
    public static GrainCallRule? Find(MethodInfo method) =>
        method.DeclaringType is { } type ? ByMethod.GetValueOrDefault((type, method.Name)) : null;

    /// <summary>The rule of a method of an interface, or null.</summary>
    public static GrainCallRule? Find(Type type, string method) => ByMethod.GetValueOrDefault((type, method));

    private static GrainCallRule Allow<T>(
        string method,
        IReadOnlyList<string> roles,
        TwinOf twin = TwinOf.None,
        Func<GrainCall, CallerInfo, string?>? check = null,
        string? audit = null,
        Func<GrainCall, AuditNote?>? note = null) =>
        new(typeof(T), method, roles.Contains(ApiRoles.Admin) ? roles : [.. roles, ApiRoles.Admin], None, twin, null, check, audit, note);

    private static GrainCallRule Internal<T>(string method, string why) => new(typeof(T), method, None, None, TwinOf.None, why);

    /// <summary>Null when <paramref name="who"/> is the caller; else why not (the identity comes from the token, as over HTTP).</summary>
    private static string? WhoIsCaller(string who, CallerInfo caller) =>
        who == caller.Name ? null : $"who: '{who}' is not the caller; the identity comes from the token ('{caller.Name}'): give that name (CityTwinClient.Caller)";

    private static Dictionary<(Type, string), GrainCallRule> Build()
    {
        var map = new Dictionary<(Type, string), GrainCallRule>();
        foreach (var rule in Rules)
        {
            if (rule.Interface.GetMethod(rule.Method) is null)
            {
                throw new InvalidOperationException($"the grain call policy has a rule for {rule.Name}, which does not exist");
            }

            if (!map.TryAdd((rule.Interface, rule.Method), rule))
            {
                throw new InvalidOperationException($"the grain call policy has two rules for {rule.Name}");
            }
        }

        return map;
    }
}
