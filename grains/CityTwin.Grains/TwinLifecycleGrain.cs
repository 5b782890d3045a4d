using CityTwin.Contracts;
using Orleans.Concurrency;

namespace CityTwin.Grains;

/// <summary>
/// Whole-twin operations that fan out to every signal, facility, intake, cell and district grain of a twin (the
/// city says which exist): its progress, its KPI series, its deletion.
/// </summary>
/// <remarks>
/// A stateless worker: it keeps nothing between calls, so any number of activations may run on every silo. It is
/// not the registry grain itself, so that the entity grains it wakes can read the registry while it waits.
/// </remarks>
[StatelessWorker]
public sealed class TwinLifecycleGrain(ICityCatalog catalog) : Grain, ITwinLifecycleGrain
{
    public async Task<TwinProgress> GetProgressAsync(string twin)
    {
        var progress = await Task.WhenAll(Entities(twin).Select(e => e.GetProgressAsync()));
        var counters = new EventCounters(
            progress.Sum(p => p.Counters.Applied),
            progress.Sum(p => p.Counters.Late),
            progress.Sum(p => p.Counters.Duplicates),
            progress.Sum(p => p.Counters.Rejected));
        var clock = progress.Select(p => p.AsOfTicks).Where(t => t is not null).DefaultIfEmpty(null).Max();
        return new TwinProgress(twin, counters, Mapping.Utc(clock));
    }

    public async Task<TwinKpiSeries> GetKpisAsync(string twin, DateTimeOffset through)
    {
        var info = await GrainFactory.GetGrain<ITwinRegistryGrain>(0).GetAsync(twin);
        if (info?.KpiIntervalS is not { } interval)
        {
            throw new ArgumentException($"twin '{twin}' records no KPI series (only replay twins do: citytwin replay)");
        }

        var city = catalog.CityOf(twin);
        var series = (await Task.WhenAll(Entities(twin).Select(e => e.GetKpiSeriesAsync(through.UtcTicks))))
            .Where(s => s.Rows.Count > 0)
            .Select(s => s with { DistrictId = s.IsSignal ? city.SignalsById[s.EntityId].Placement.DistrictId : city.ParkingById[s.EntityId].Placement.DistrictId })
            .ToArray();
        var districts = Engine.Replay.DistrictKpis.Of(city, series.Select(s => new Engine.Replay.EntityKpis(s.EntityId, s.IsSignal, s.Rows.Select(Mapping.ToSample).ToArray())).ToArray());
        return new TwinKpiSeries(twin, interval, through, series, districts.Select(Mapping.ToData).ToArray());
    }

    public async Task<TwinDeletion> DeleteAsync(string twin)
    {
        if (!TwinKeys.IsValidTwinId(twin))
        {
            throw new ArgumentException($"'{twin}' is not a twin id (letters, digits, '-', '_', '.'; 1-64 characters)");
        }

        if (twin == TwinKeys.Live)
        {
            throw new ArgumentException($"'{TwinKeys.Live}' is the real-time twin: it cannot be deleted");
        }

        var city = catalog.CityOf(twin);
        var entityIds = city.Signals.Select(s => s.Id).Concat(city.Parking.Select(p => p.Id)).ToArray();

        // Intakes first, so nothing new reaches an entity once it is cleared; then the entities, then the areas
        // they report to, then the ingest log (which would register the twin again if events still came).
        var intakes = entityIds.Select(id => GrainFactory.GetGrain<ISensorIntakeGrain>(TwinKeys.Of(twin, id)).ClearAsync());
        await Task.WhenAll(intakes);
        await Task.WhenAll(Entities(twin).Select(e => e.ClearAsync()));
        var areas = city.Cells.Select(c => GrainFactory.GetGrain<IGridCellGrain>(TwinKeys.Of(twin, c.Id)).ClearAsync())
            .Concat(city.Districts.Select(d => GrainFactory.GetGrain<IDistrictGrain>(TwinKeys.Of(twin, d.Id)).ClearAsync()));
        await Task.WhenAll(areas);
        await GrainFactory.GetGrain<IAlertRegistryGrain>(twin).ClearAsync();
        await GrainFactory.GetGrain<IIngestLogGrain>(twin).ClearAsync();
        var registered = await GrainFactory.GetGrain<ITwinRegistryGrain>(0).RemoveAsync(twin);
        return new TwinDeletion(twin, registered, (2 * entityIds.Length) + city.Cells.Count + city.Districts.Count + 2);
    }

    private IEnumerable<ILiveEntityGrain> Entities(string twin)
    {
        var city = catalog.CityOf(twin);
        return city.Signals.Select(s => (ILiveEntityGrain)GrainFactory.GetGrain<ITrafficSignalGrain>(TwinKeys.Of(twin, s.Id)))
            .Concat(city.Parking.Select(p => GrainFactory.GetGrain<IParkingFacilityGrain>(TwinKeys.Of(twin, p.Id))));
    }
}
