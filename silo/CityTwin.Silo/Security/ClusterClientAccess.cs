using CityTwin.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace CityTwin.Silo.Security;

/// <summary>
/// The check of every grain call that comes from a cluster client through a silo's gateway: the token the client
/// sent in the request context (<see cref="ClientCalls.TokenKey"/>) must be in the tokens file, and the method's
/// rule in <see cref="GrainCallPolicy"/> must admit one of its roles (researchers: on their own twins). A refusal
/// is an <see cref="UnauthorizedAccessException"/> with the reason, as the HTTP API's 401 and 403 details.
/// Audited methods are recorded with the token's name as who when they succeed.
/// </summary>
/// <remarks>
/// <para>
/// Which calls come from inside the cluster: those that carry the cluster secret (<see cref="ClusterSecret"/>), which
/// every silo puts in the request context of every call it makes to a grain or system target
/// (<see cref="InsideClusterCalls"/>): grain to grain, the HTTP API's calls through the silo's hosted client, stream
/// delivery, reminders, system targets. Grain timer ticks are not calls (the silo makes them for the grain itself) and
/// go on too. Every other call is checked, whatever its sender id says: the gateway does not check that a client's
/// messages carry the client's own id, so a client can send as a grain or as a silo's hosted client.
/// </para>
/// <para>
/// The secret is taken out of the request context before the grain runs, so grains never hold it (their own calls get
/// it again from the outgoing filter) and it goes into no stream item. A call to a client never carries it, and the
/// gateway refuses clients that pose as a silo's hosted client (<see cref="HostedClientIdGuard"/>), so the answers to the
/// silos' own calls, which carry their request context back, reach no client either.
/// </para>
/// <para>
/// Objects a silo's hosted client would expose to grains (observers) get calls without the secret and are checked
/// like a cluster client's calls: CityTwin has none.
/// </para>
/// </remarks>
public sealed partial class ClusterClientAccess : IIncomingGrainCallFilter
{
    /// <summary>The one Orleans system interface that cluster clients call: the cluster manifest (which grain types exist where).</summary>
    private const string ManifestInterface = "Orleans.Runtime.IClusterManifestSystemTarget";

    /// <summary>Orleans' request of a grain timer tick (GrainTimer.TimerTickInvoker): made only inside a silo, it has no serializer.</summary>
    private const string TimerTickTypeName = "Orleans.Runtime.GrainTimer+TimerTickInvoker";

    private readonly TokenStore _tokens;
    private readonly ClusterSecret _secret;
    private readonly IServiceProvider _services;
    private readonly ILogger<ClusterClientAccess> _log;
    private readonly Type _timerTick;

    public ClusterClientAccess(TokenStore tokens, ClusterSecret secret, IServiceProvider services, ILogger<ClusterClientAccess> log)
    {
        _tokens = tokens;
        _secret = secret;
        _services = services;
        _log = log;
        _timerTick = typeof(ISiloStatusOracle).Assembly.GetType(TimerTickTypeName)
            ?? throw new InvalidOperationException($"this version of Orleans has no {TimerTickTypeName}: the check of cluster clients' calls (ClusterClientAccess) needs updating, or grain timers would be refused");
    }

    // Resolved on first use: the runtime creates its call filters while it is being built itself.
    private IGrainFactory Grains => field ??= _services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// Calls from inside the cluster (the cluster secret in their request context) go straight on, with the secret
    /// taken out; grain timer ticks and a client's cluster manifest request too; every other call is checked.
    /// </summary>
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (_secret.IsCarriedBy(RequestContext.Get(ClusterSecret.Key)))
        {
            RequestContext.Remove(ClusterSecret.Key);
            return context.Invoke();
        }

        return context.Request.GetType() == _timerTick || IsManifestCall(context) ? context.Invoke() : CheckAsync(context);
    }

    private static bool IsManifestCall(IIncomingGrainCallContext context) =>
        context.TargetId.Type.IsSystemTarget() && context.InterfaceMethod.DeclaringType?.FullName == ManifestInterface;

    private async Task CheckAsync(IIncomingGrainCallContext context)
    {
        var sent = RequestContext.Get(ClientCalls.TokenKey) as string;

        // The token goes no further than this check (not into grain-to-grain calls, streams or logs), and the caller
        // is the one checked here, whatever the client put under the caller's key.
        RequestContext.Remove(ClientCalls.TokenKey);
        RequestContext.Remove(ClientCalls.CallerKey);
        RequestContext.Remove(ClusterSecret.Key);
        var method = GrainCallPolicy.Find(context.InterfaceMethod);
        var name = method?.Name ?? $"{context.InterfaceMethod.DeclaringType?.Name ?? context.InterfaceName}.{context.MethodName}";
        if (string.IsNullOrEmpty(sent))
        {
            throw Refuse(context, $"{name}: a cluster client's calls need a token: connect with CityTwinClient.ConnectAsync(gateway, token) (docs/security.md, \"Cluster clients\")");
        }

        var token = _tokens.Find(sent);
        if (token is null)
        {
            throw Refuse(context, $"{name}: the token is not known (mistyped, or revoked from the tokens file)");
        }

        if (method is null)
        {
            throw Refuse(context, $"{name} has no rule in the grain call policy (GrainCallPolicy.Rules) and is refused to cluster clients");
        }

        if (method.Internal is { } why)
        {
            throw Refuse(context, $"{name} is not for cluster clients: {why}");
        }

        var call = Describe(context, method, result: null);
        if (!token.Roles.Any(method.Roles.Contains))
        {
            var refused = ApiSecurity.Refusal(token, method.Name, method.Roles, method.OwnTwinRoles);
            var refusal = await ApiSecurity.OwnTwinRefusalAsync(Grains, token, call.Twin, claim: true, refused, method.OwnTwinRoles);
            if (refusal is not null)
            {
                throw Refuse(context, refusal);
            }
        }

        var caller = new CallerInfo(token.Name, token.Roles);
        if (method.Check?.Invoke(call, caller) is { } problem)
        {
            throw new ArgumentException($"{method.Name}: {problem}");
        }

        RequestContext.Set(ClientCalls.CallerKey, caller);
        await context.Invoke();
        if (method.Audit is { } kind && method.AuditNote?.Invoke(call with { Result = context.Result }) is { Record: true } note)
        {
            await Grains.GetGrain<IAuditLogGrain>(AuditLog.Key).AppendAsync(new AuditRecord(token.Name, kind, note.What, note.Why, note.EvidenceId, call.Twin));
        }
    }

    /// <summary>The call's twin and entity (from the grain's key or the first argument) and its arguments.</summary>
    private static GrainCall Describe(IIncomingGrainCallContext context, GrainCallRule rule, object? result)
    {
        var arguments = Enumerable.Range(0, context.Request.GetArgumentCount()).Select(context.Request.GetArgument).ToArray();
        string? twin = null, entity = null;
        if (rule.Twin == TwinOf.Key)
        {
            var key = context.TargetId.Key.ToString();
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            (twin, entity) = slash < 0 ? (key, null) : (key[..slash], key[(slash + 1)..]);
        }
        else if (rule.Twin == TwinOf.FirstArgument)
        {
            twin = arguments.FirstOrDefault() as string;
        }

        return new GrainCall(twin, entity, arguments, result);
    }

    private UnauthorizedAccessException Refuse(IIncomingGrainCallContext context, string reason)
    {
        LogRefused(_log, context.SourceId?.ToString() ?? "no source", context.TargetId.ToString(), reason);
        return new UnauthorizedAccessException(reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a cluster client's call from {Source} to {Target}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string source, string target, string reason);
}

/// <summary>Registration of the check of cluster clients' calls.</summary>
public static class ClusterClientAccessExtensions
{
    /// <summary>
    /// Checks every call that does not carry <paramref name="secret"/> against the tokens and <see cref="GrainCallPolicy"/>
    /// (the silo needs a <see cref="TokenStore"/> service), puts the secret on every call this silo makes to a grain or
    /// system target, and refuses gateway clients that pose as a silo's hosted client. Every silo of the cluster needs the
    /// same secret. Add it after any other gateway connection middleware (TLS), so that it reads what the client sent.
    /// </summary>
    public static ISiloBuilder AddClusterClientAccess(this ISiloBuilder silo, ClusterSecret secret)
    {
        silo.Services.AddSingleton(secret);
        silo.Services.AddSingleton<ClusterClientAccess>();
        silo.Services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<ClusterClientAccess>());
        silo.Services.AddSingleton<IOutgoingGrainCallFilter, InsideClusterCalls>();
        silo.Configure<SiloConnectionOptions>(o => o.ConfigureGatewayInboundConnection(connections =>
        {
            var guard = new HostedClientIdGuard(connections.ApplicationServices);
            connections.Use(next => connection => guard.OnConnectionAsync(connection, next));
        }));
        return silo;
    }
}
