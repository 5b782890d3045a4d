using CityTwin.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
/// Which calls come from a cluster client: Orleans sets a call's source (<see cref="IGrainCallContext.SourceId"/>)
/// to the sending grain, system target or client. An external client's id is a client id (type <c>sys.client</c>)
/// with a random key; the client that a silo hosts for calls made outside any grain (the HTTP handlers) has a
/// client id too, but with the key <c>hosted-{silo address}</c> (Orleans' <c>HostedClient</c>). Grains, grain
/// timers, stream delivery (pulling agents), reminders and other system targets send with their own ids. So a call
/// is checked when its source is a client id that is not a hosted client's, or when it has no source at all.
/// </para>
/// <para>
/// What this does not stop: the gateway does not check that a client's messages carry the client's own id, so a
/// client built to forge its sender id could pass for a grain. That needs a client written for it, and still a
/// reachable gateway: keep the gateway on a network only trusted clients reach (docs/security.md).
/// </para>
/// </remarks>
public sealed partial class ClusterClientAccess(TokenStore tokens, IServiceProvider services, ILogger<ClusterClientAccess> log) : IIncomingGrainCallFilter
{
    // Resolved on first use: the runtime creates its call filters while it is being built itself.
    private IGrainFactory Grains => field ??= services.GetRequiredService<IGrainFactory>();

    /// <summary>The key prefix of the client a silo hosts for its own calls from outside grains (Orleans' HostedClient).</summary>
    private static ReadOnlySpan<byte> HostedClientKeyPrefix => "hosted-"u8;

    /// <summary>The one Orleans system interface that cluster clients call: the cluster manifest (which grain types exist where).</summary>
    private const string ManifestInterface = "Orleans.Runtime.IClusterManifestSystemTarget";

    /// <summary>True when a call with this source came from a cluster client (not from a grain, a system target or a silo's hosted client).</summary>
    public static bool IsFromClusterClient(GrainId? source)
    {
        if (source is not { } id)
        {
            return true;
        }

        return id.IsClient() && !id.Key.AsSpan().StartsWith(HostedClientKeyPrefix);
    }

    /// <summary>Calls inside the cluster go straight on (no extra allocation on that path); a cluster client's are checked.</summary>
    public Task Invoke(IIncomingGrainCallContext context) =>
        IsFromClusterClient(context.SourceId) && !IsManifestCall(context) ? CheckAsync(context) : context.Invoke();

    private static bool IsManifestCall(IIncomingGrainCallContext context) =>
        context.TargetId.Type.IsSystemTarget() && context.InterfaceMethod.DeclaringType?.FullName == ManifestInterface;

    private async Task CheckAsync(IIncomingGrainCallContext context)
    {
        var sent = RequestContext.Get(ClientCalls.TokenKey) as string;

        // The token goes no further than this check (not into grain-to-grain calls, streams or logs), and the caller
        // is the one checked here, whatever the client put under the caller's key.
        RequestContext.Remove(ClientCalls.TokenKey);
        RequestContext.Remove(ClientCalls.CallerKey);
        var method = GrainCallPolicy.Find(context.InterfaceMethod);
        var name = method?.Name ?? $"{context.InterfaceMethod.DeclaringType?.Name ?? context.InterfaceName}.{context.MethodName}";
        if (string.IsNullOrEmpty(sent))
        {
            throw Refuse(context, $"{name}: a cluster client's calls need a token: connect with CityTwinClient.ConnectAsync(gateway, token) (docs/security.md, \"Cluster clients\")");
        }

        var token = tokens.Find(sent);
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
        LogRefused(log, context.SourceId?.ToString() ?? "no source", context.TargetId.ToString(), reason);
        return new UnauthorizedAccessException(reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a cluster client's call from {Source} to {Target}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string source, string target, string reason);
}

/// <summary>Registration of the check of cluster clients' calls.</summary>
public static class ClusterClientAccessExtensions
{
    /// <summary>Checks every call from a cluster client against the tokens and <see cref="GrainCallPolicy"/> (the silo needs a <see cref="TokenStore"/> service).</summary>
    public static ISiloBuilder AddClusterClientAccess(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton<ClusterClientAccess>();
        silo.Services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<ClusterClientAccess>());
        return silo;
    }
}
