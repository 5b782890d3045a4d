using CityTwin.Contracts;
using Orleans.Concurrency;

namespace CityTwin.Grains;

/// <summary>
/// Reads the state of every signal and parking facility of a twin in parallel and returns them as one
/// snapshot; <see cref="TwinSnapshotData.AsOf"/> is the newest event time among them. A stateless worker.
/// </summary>
[StatelessWorker]
public sealed class TwinSnapshotGrain(ICityCatalog catalog) : Grain, ITwinSnapshotGrain
{
    public async Task<TwinSnapshotData> TakeAsync()
    {
        var twin = this.GetPrimaryKeyString();
        var city = catalog.CityOf(twin);
        var signals = await Task.WhenAll(city.Signals.Select(s => GrainFactory.GetGrain<ITrafficSignalGrain>(TwinKeys.Of(twin, s.Id)).GetStateAsync()));
        var parking = await Task.WhenAll(city.Parking.Select(p => GrainFactory.GetGrain<IParkingFacilityGrain>(TwinKeys.Of(twin, p.Id)).GetStateAsync()));
        var asOf = signals.Select(s => s.AsOf).Concat(parking.Select(p => p.AsOf)).Where(t => t is not null).DefaultIfEmpty(null).Max();
        return new TwinSnapshotData(twin, asOf, signals, parking);
    }
}
