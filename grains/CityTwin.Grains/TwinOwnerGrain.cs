using CityTwin.Contracts;

namespace CityTwin.Grains;

/// <summary>Persisted creator of a twin.</summary>
[GenerateSerializer, Alias("CityTwin.TwinOwnerState")]
public sealed class TwinOwnerState
{
    [Id(0)]
    public TwinOwner? Owner { get; set; }
}

/// <summary>Records who created a twin, once; written before the answer.</summary>
public sealed class TwinOwnerGrain(
    [PersistentState("owner", StorageNames.Twin)] IPersistentState<TwinOwnerState> state,
    TimeProvider time) : Grain, ITwinOwnerGrain
{
    public async Task<TwinOwner?> ClaimAsync(string who)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(who);
        var twin = this.GetPrimaryKeyString();
        if (state.State.Owner is null && twin != TwinKeys.Live)
        {
            state.State.Owner = new TwinOwner(twin, who, time.GetUtcNow());
            await state.WriteStateAsync();
        }

        return state.State.Owner;
    }

    public Task<TwinOwner?> GetAsync() => Task.FromResult(state.State.Owner);
}
