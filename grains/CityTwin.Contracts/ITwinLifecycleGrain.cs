namespace CityTwin.Contracts;

/// <summary>Event counts of a whole twin, summed over its signals and facilities.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.TwinProgress")]
public sealed record TwinProgress(
    [property: Id(0)] string Twin,
    [property: Id(1)] EventCounters Counters,
    [property: Id(2)] DateTimeOffset? Clock);

/// <summary>One row of an entity's KPI series (see <c>KpiSample</c> in the engine), at UTC ticks <paramref name="TsTicks"/>.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.KpiPoint")]
public sealed record KpiPoint(
    [property: Id(0)] long TsTicks,
    [property: Id(1)] long Events,
    [property: Id(2)] int Capacity,
    [property: Id(3)] int Occupied,
    [property: Id(4)] long Entries,
    [property: Id(5)] long Exits,
    [property: Id(6)] double FlowVehH,
    [property: Id(7)] double MaxDegreeOfSaturation,
    [property: Id(8)] double QueueVeh);

/// <summary>An entity's KPI series: its id, whether it is a signal, its rows (oldest first) and its district.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.EntityKpiSeries")]
public sealed record EntityKpiSeries(
    [property: Id(0)] string EntityId,
    [property: Id(1)] bool IsSignal,
    [property: Id(2)] IReadOnlyList<KpiPoint> Rows,
    [property: Id(3)] string DistrictId = "");

/// <summary>
/// A district's KPIs at one time, aggregated from its members' rows at or before it as a district grain aggregates
/// its members: facilities and signals of the district and how many are reporting, capacity of all its facilities,
/// occupied spaces and occupancy of the reporting ones, flows, degrees of saturation and queues of its signals.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.DistrictKpiPoint")]
public sealed record DistrictKpiPoint(
    [property: Id(0)] long TsTicks,
    [property: Id(1)] long Events,
    [property: Id(2)] int Facilities,
    [property: Id(3)] int FacilitiesReporting,
    [property: Id(4)] int Capacity,
    [property: Id(5)] int Occupied,
    [property: Id(6)] double? OccupancyRatio,
    [property: Id(7)] int FacilitiesAbove90Percent,
    [property: Id(8)] int Signals,
    [property: Id(9)] int SignalsReporting,
    [property: Id(10)] double TotalFlowVehH,
    [property: Id(11)] double MeanDegreeOfSaturation,
    [property: Id(12)] double MaxDegreeOfSaturation,
    [property: Id(13)] double TotalQueueVeh,
    [property: Id(14)] int SignalsOverSaturated = 0);

/// <summary>A district's KPI series.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.DistrictKpiSeries")]
public sealed record DistrictKpiSeries(
    [property: Id(0)] string DistrictId,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<DistrictKpiPoint> Rows);

/// <summary>
/// The KPI series of every signal and facility of a twin that recorded any, through a time; the interval is
/// the twin's (<see cref="TwinInfo.KpiIntervalS"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.TwinKpiSeries")]
public sealed record TwinKpiSeries(
    [property: Id(0)] string Twin,
    [property: Id(1)] int KpiIntervalS,
    [property: Id(2)] DateTimeOffset Through,
    [property: Id(3)] IReadOnlyList<EntityKpiSeries> Entities,
    [property: Id(4)] IReadOnlyList<DistrictKpiSeries> Districts);

/// <summary>What deleting a twin cleared.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.TwinDeletion")]
public sealed record TwinDeletion(
    [property: Id(0)] string Twin,
    [property: Id(1)] bool WasRegistered,
    [property: Id(2)] int GrainsCleared);

/// <summary>Whole-twin operations that fan out to every grain of a twin; any key (a stateless worker).</summary>
[Alias("CityTwin.ITwinLifecycleGrain")]
public interface ITwinLifecycleGrain : IGrainWithIntegerKey
{
    /// <summary>Event counts summed over the twin's signals and facilities, and its clock (newest event time).</summary>
    [Alias("GetProgress")]
    Task<TwinProgress> GetProgressAsync(string twin);

    /// <summary>The KPI series of the twin's entities, rows through <paramref name="through"/> (open rows taken at the current state).</summary>
    [Alias("GetKpis")]
    Task<TwinKpiSeries> GetKpisAsync(string twin, DateTimeOffset through);

    /// <summary>Clears every grain of a twin (state, storage, intake journal) and removes it from the registry; refuses <c>live</c>.</summary>
    [Alias("Delete")]
    Task<TwinDeletion> DeleteAsync(string twin);
}

/// <summary>An entity's event counts (every event in exactly one) and its newest event time.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.EntityProgress")]
public sealed record EntityProgress(
    [property: Id(0)] EventCounters Counters,
    [property: Id(1)] long? AsOfTicks);

/// <summary>What every signal and facility grain answers besides its own state: counts, KPI series, clearing.</summary>
[Alias("CityTwin.ILiveEntityGrain")]
public interface ILiveEntityGrain : IClearableGrain
{
    /// <summary>Event counts of the entity and its newest event time.</summary>
    [Alias("GetProgress")]
    Task<EntityProgress> GetProgressAsync();

    /// <summary>The entity's KPI series through a time (UTC ticks); no rows when its twin records none.</summary>
    [Alias("GetKpiSeries")]
    Task<EntityKpiSeries> GetKpiSeriesAsync(long throughTicks);
}

/// <summary>A grain of a twin that holds state and can be cleared when its twin is deleted.</summary>
[Alias("CityTwin.IClearableGrain")]
public interface IClearableGrain : IGrainWithStringKey
{
    /// <summary>Forgets everything: clears the stored state and deactivates.</summary>
    [Alias("ClearState")]
    Task ClearAsync();
}
