namespace CityTwin.Contracts;

/// <summary>A signalised intersection of one twin; key "{twin}/{signalId}".</summary>
[Alias("CityTwin.ITrafficSignalGrain")]
public interface ITrafficSignalGrain : ILiveEntityGrain
{
    /// <summary>Reads the live state: plan, per-approach flow, degree of saturation, queue estimate, counters.</summary>
    [Alias("GetState")]
    Task<SignalState> GetStateAsync();
}
