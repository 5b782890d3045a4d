namespace CityTwin.Contracts;

/// <summary>
/// The performance measures of one signal's controller, kept live from its <c>controller-event</c> sensor events;
/// key "{twin}/{signalId}" (docs/signal-measures.md).
/// </summary>
[Alias("CityTwin.ISignalMeasuresGrain")]
public interface ISignalMeasuresGrain : IGrainWithStringKey
{
    /// <summary>Reads the measures of the bins kept (the last 24 hours of controller time).</summary>
    [Alias("GetMeasures")]
    Task<SignalMeasuresState> GetMeasuresAsync();
}
