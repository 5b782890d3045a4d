namespace CityTwin.Contracts;

/// <summary>
/// Who is calling, as the silo sees it: a cluster client's token is checked by the silo (docs/security.md,
/// "Cluster clients") and this answers its name and roles. Key 0.
/// </summary>
[Alias("CityTwin.ICallerGrain")]
public interface ICallerGrain : IGrainWithIntegerKey
{
    /// <summary>The caller's token name and roles; null for a call from inside the cluster (no token).</summary>
    [Alias("WhoAmI")]
    Task<CallerInfo?> WhoAmIAsync();
}

/// <summary>A caller: the name of its token (recorded as who in the audit log) and its roles.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.CallerInfo")]
public sealed record CallerInfo([property: Id(0)] string Name, [property: Id(1)] IReadOnlyList<string> Roles);

/// <summary>
/// How a cluster client's calls carry its token: in the Orleans request context under <see cref="TokenKey"/>,
/// set on every call by the client (<c>CityTwinClient.ConnectAsync</c>). The silo checks the token, removes it
/// before the grain runs and puts the checked caller under <see cref="CallerKey"/> (whatever a client sent
/// there is replaced).
/// </summary>
public static class ClientCalls
{
    /// <summary>The request context key of the token a cluster client sends.</summary>
    public const string TokenKey = "citytwin.token";

    /// <summary>The request context key of the checked caller (a <see cref="CallerInfo"/>), set by the silo only.</summary>
    public const string CallerKey = "citytwin.caller";

    /// <summary>The caller of the current grain call, when it came from a cluster client with a token the silo checked.</summary>
    public static CallerInfo? Current => RequestContext.Get(CallerKey) as CallerInfo;
}
