using Orleans.Concurrency;

namespace CityTwin.Contracts;

/// <summary>The kinds of twin the registry knows.</summary>
public static class TwinKinds
{
    /// <summary>The real-time twin (<see cref="TwinKeys.Live"/>): always there, never deleted.</summary>
    public const string Live = "live";

    /// <summary>A twin a recorded day was replayed into (<c>citytwin replay</c>).</summary>
    public const string Replay = "replay";

    /// <summary>A twin that was created by sending events to it (any id but <c>live</c>, not registered first).</summary>
    public const string Ingest = "ingest";
}

/// <summary>
/// One twin as the registry lists it. <paramref name="KpiIntervalS"/> is how often (event time) the twin's
/// entities record a KPI row, 0 for a row at every event timestamp, null when they record none (live and
/// ingest twins).
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.TwinInfo")]
public sealed record TwinInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] DateTimeOffset Created,
    [property: Id(3)] string? Source,
    [property: Id(4)] int? KpiIntervalS);

/// <summary>The set of twins of the cluster; one grain (key 0).</summary>
[Alias("CityTwin.ITwinRegistryGrain")]
public interface ITwinRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Registers a replay twin; null (nothing changed) when a twin of that id exists. Refuses <c>live</c> and bad ids.</summary>
    [Alias("CreateReplay")]
    Task<TwinInfo?> CreateReplayAsync(string twin, string? source, int kpiIntervalS);

    /// <summary>Registers a twin that events were sent to, if it is not registered yet (the twin's ingest log calls it).</summary>
    [Alias("Ensure")]
    Task EnsureAsync(string twin);

    /// <summary>One twin, or null when it is not registered. Interleaves: entity grains read it while they activate.</summary>
    [Alias("Get"), AlwaysInterleave]
    Task<TwinInfo?> GetAsync(string twin);

    /// <summary>Every twin, <c>live</c> first, then by id.</summary>
    [Alias("List"), AlwaysInterleave]
    Task<IReadOnlyList<TwinInfo>> ListAsync();

    /// <summary>Forgets a twin (after its grains were cleared); false when it was not registered.</summary>
    [Alias("Remove")]
    Task<bool> RemoveAsync(string twin);
}
