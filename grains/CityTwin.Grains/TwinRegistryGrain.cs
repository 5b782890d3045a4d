using CityTwin.Contracts;

namespace CityTwin.Grains;

/// <summary>Persisted state of the twin registry: every twin but <c>live</c>, by id.</summary>
[GenerateSerializer, Alias("CityTwin.TwinRegistryState")]
public sealed class TwinRegistryState
{
    [Id(0)]
    public Dictionary<string, TwinInfo> Twins { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The set of twins of the cluster (one grain, key 0). <c>live</c> is always there and never stored; replay
/// twins are registered by <c>citytwin replay</c> before their first event, with the interval of their KPI
/// series; any other twin is registered by its ingest log when events first reach it. Written on every change,
/// before the answer.
/// </summary>
public sealed class TwinRegistryGrain(
    [PersistentState("registry", StorageNames.Twin)] IPersistentState<TwinRegistryState> state,
    TimeProvider time) : Grain, ITwinRegistryGrain
{
    private static readonly TwinInfo LiveTwin = new(TwinKeys.Live, TwinKinds.Live, DateTimeOffset.UnixEpoch, null, null);

    public async Task<TwinInfo?> CreateReplayAsync(string twin, string? source, int kpiIntervalS)
    {
        Check(twin, "a replay");
        if (kpiIntervalS < 0)
        {
            throw new ArgumentException($"the KPI interval must be 0 (every event timestamp) or a positive number of seconds; got {kpiIntervalS}");
        }

        if (state.State.Twins.ContainsKey(twin))
        {
            return null;
        }

        var info = new TwinInfo(twin, TwinKinds.Replay, time.GetUtcNow(), source, kpiIntervalS);
        state.State.Twins[twin] = info;
        await state.WriteStateAsync();
        return info;
    }

    public async Task EnsureAsync(string twin)
    {
        if (twin == TwinKeys.Live || !TwinKeys.IsValidTwinId(twin) || state.State.Twins.ContainsKey(twin))
        {
            return;
        }

        state.State.Twins[twin] = new TwinInfo(twin, TwinKinds.Ingest, time.GetUtcNow(), null, null);
        await state.WriteStateAsync();
    }

    public Task<TwinInfo?> GetAsync(string twin) =>
        Task.FromResult(twin == TwinKeys.Live ? LiveTwin : state.State.Twins.GetValueOrDefault(twin));

    public Task<IReadOnlyList<TwinInfo>> ListAsync() =>
        Task.FromResult<IReadOnlyList<TwinInfo>>([LiveTwin, .. state.State.Twins.Values.OrderBy(t => t.Id, StringComparer.Ordinal)]);

    public async Task<bool> RemoveAsync(string twin)
    {
        Check(twin, "a deleted");
        if (!state.State.Twins.Remove(twin))
        {
            return false;
        }

        await state.WriteStateAsync();
        return true;
    }

    private static void Check(string twin, string what)
    {
        if (!TwinKeys.IsValidTwinId(twin))
        {
            throw new ArgumentException($"'{twin}' is not a twin id (letters, digits, '-', '_', '.'; 1-64 characters)");
        }

        if (twin == TwinKeys.Live)
        {
            throw new ArgumentException($"'{TwinKeys.Live}' is the real-time twin: it cannot be {what} twin");
        }
    }
}
