using CityTwin.Contracts;
using Microsoft.AspNetCore.Routing.Patterns;

namespace CityTwin.Silo.Security;

/// <summary>
/// One rule of the access policy: an HTTP method and route pattern, the roles that may call it, the roles
/// that may call it only on twins they created (the route's <c>{twin}</c>), and the audit kind recorded when
/// it succeeds (null: not audited). <see cref="Open"/> rules need no token.
/// </summary>
public sealed record AccessRule(string Method, string Pattern, IReadOnlyList<string> Roles, IReadOnlyList<string> OwnTwinRoles, string? Audit, bool Open = false)
{
    /// <summary>The key of this rule: method and the pattern with parameter names left out.</summary>
    public (string Method, string Pattern) Key => (Method, AccessPolicy.Normalize(Pattern));
}

/// <summary>
/// The access policy of the HTTP API: ONE table of every endpoint (method + route pattern) and who may call
/// it. Any endpoint under <c>/api</c> that is not in the table is refused to everyone (403, denied by
/// default), so an endpoint added without a rule fails closed; a test enumerates every mapped endpoint and
/// checks it has a rule here. Admin may call every endpoint that has a rule.
/// </summary>
public static class AccessPolicy
{
    private static readonly string[] Readers = [.. ApiRoles.Readers];
    private static readonly string[] None = [];

    /// <summary>The table. Parameter names in patterns do not matter (<c>{twin}</c> and <c>{id}</c> match any name).</summary>
    public static readonly IReadOnlyList<AccessRule> Rules =
    [
        new("GET", "/api/health", None, None, null, Open: true),

        // The dashboard page: it holds no data and no token; its API calls carry the user's token.
        new("GET", "/", None, None, null, Open: true),
        new("GET", "/dashboard", None, None, null, Open: true),
        Allow("GET", "/api/cluster", Readers),
        Allow("GET", "/api/audit", [ApiRoles.Operator]),

        // Sensor intake; a researcher may feed (replay into) only the twins it created.
        new("POST", "/api/twins/{twin}/ingest", [ApiRoles.Sensor, ApiRoles.Admin], [ApiRoles.Researcher], null),

        // Reading a twin.
        Allow("GET", "/api/twins/{twin}/rejected", Readers),
        Allow("GET", "/api/twins/{twin}/entities", Readers),
        Allow("GET", "/api/twins/{twin}/snapshot", Readers),
        Allow("GET", "/api/twins/{twin}/signals/{id}", Readers),
        Allow("GET", "/api/twins/{twin}/parking/guidance", Readers),
        Allow("GET", "/api/twins/{twin}/parking/{id}", Readers),
        Allow("GET", "/api/twins/{twin}/cells/{id}", Readers),
        Allow("GET", "/api/twins/{twin}/districts/{id}", Readers),
        Allow("GET", "/api/twins/{twin}/alerts", Readers),
        Allow("GET", "/api/twins/{twin}/alerts/stream", Readers),

        // Signal control: reading is for every reader, changing for operators.
        Allow("GET", "/api/twins/{twin}/signals/{id}/plan", Readers),
        Allow("GET", "/api/twins/{twin}/signals/{id}/plan/history", Readers),
        Allow("PUT", "/api/twins/{twin}/signals/{id}/plan", [ApiRoles.Operator], AuditLog.PlanApply),
        Allow("POST", "/api/twins/{twin}/signals/{id}/plan/rollback", [ApiRoles.Operator], AuditLog.PlanRollback),

        // Timing recommendations and performance measures: every reader.
        Allow("GET", "/api/twins/{twin}/signals/{id}/recommendation", Readers),
        Allow("GET", "/api/twins/{twin}/signals/{id}/recommendation/{evidenceId}", Readers),
        Allow("GET", "/api/twins/{twin}/signals/{id}/measures", Readers),

        // Planner scenarios.
        Allow("POST", "/api/scenarios", [ApiRoles.Planner], AuditLog.ScenarioRun),
        Allow("GET", "/api/scenarios/{id}", Readers),

        // Twins: registering a replay twin is for researchers (a researcher then owns the twin it first writes
        // into) and admins; deleting one for its owner and admins.
        Allow("GET", "/api/twins", Readers),
        Allow("POST", "/api/twins", [ApiRoles.Researcher], AuditLog.Replay),
        new("DELETE", "/api/twins/{twin}", [ApiRoles.Admin], [ApiRoles.Researcher], AuditLog.TwinDelete),
        Allow("GET", "/api/twins/{twin}/progress", Readers),
        Allow("GET", "/api/twins/{twin}/kpis", Readers),
    ];

    private static readonly Dictionary<(string, string), AccessRule> ByKey = Build();

    /// <summary>The rule of an endpoint, or null when the table has none (the endpoint is then refused).</summary>
    public static AccessRule? Find(string method, string pattern) =>
        ByKey.GetValueOrDefault((method.ToUpperInvariant(), Normalize(pattern)));

    /// <summary>A pattern with its parameters' names and constraints left out: <c>/api/twins/{twin}/signals/{id:int}</c> becomes <c>/api/twins/{}/signals/{}</c>.</summary>
    public static string Normalize(string pattern)
    {
        var parsed = RoutePatternFactory.Parse(pattern);
        var segments = parsed.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart l => l.Content.ToLowerInvariant(),
            RoutePatternParameterPart => "{}",
            RoutePatternSeparatorPart sep => sep.Content,
            _ => "?",
        })));
        return "/" + string.Join('/', segments);
    }

    private static AccessRule Allow(string method, string pattern, IReadOnlyList<string> roles, string? audit = null) =>
        new(method, pattern, roles.Contains(ApiRoles.Admin) ? roles : [.. roles, ApiRoles.Admin], None, audit);

    private static Dictionary<(string, string), AccessRule> Build()
    {
        var map = new Dictionary<(string, string), AccessRule>();
        foreach (var rule in Rules)
        {
            if (!map.TryAdd(rule.Key, rule))
            {
                throw new InvalidOperationException($"the access policy has two rules for {rule.Method} {rule.Pattern}");
            }
        }

        return map;
    }
}
