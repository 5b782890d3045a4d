using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;

namespace CityTwin.Grains;

/// <summary>Persisted state of a cell or district: the newest summary of each member.</summary>
[GenerateSerializer, Alias("CityTwin.AreaGrainState")]
public sealed class AreaGrainState
{
    [Id(0)]
    public Dictionary<string, MemberSummary> Members { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public long Updates { get; set; }
}

/// <summary>
/// A cell or a district: keeps the newest summary of each signal and facility inside it and answers with
/// their aggregate. Members come from the city; summaries arrive as members change.
/// </summary>
public abstract class AreaGrain(ICityCatalog catalog, IPersistentState<AreaGrainState> state) : Grain
{
    private bool _dirty;
    private int _signals;
    private IReadOnlyCollection<int> _capacities = [];

    protected string Twin { get; private set; } = "";

    protected string AreaId { get; private set; } = "";

    protected CityModel City { get; private set; } = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (Twin, AreaId) = TwinKeys.Split(this.GetPrimaryKeyString());
        City = catalog.CityOf(Twin);
        if (!Exists(City, AreaId))
        {
            throw new ArgumentException($"'{AreaId}' is not a {Kind} of the city");
        }

        _signals = City.Signals.Count(s => Contains(s.Placement));
        _capacities = City.Parking.Where(p => Contains(p.Placement)).Select(p => p.Capacity).ToArray();
        this.RegisterGrainTimer(CheckpointAsync, Checkpoints.Period, Checkpoints.Period);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        CheckpointAsync(cancellationToken);

    public Task ReportAsync(MemberSummary summary)
    {
        state.State.Members[summary.EntityId] = summary;
        state.State.Updates++;
        _dirty = true;
        return Task.CompletedTask;
    }

    public async Task ClearAsync()
    {
        // From here the activation holds an empty state, as a new one would.
        await state.ClearStateAsync();
        _dirty = false;
        DeactivateOnIdle();
    }

    public Task<AreaState> GetStateAsync()
    {
        var a = AreaAggregate.Of(_signals, _capacities, state.State.Members.Values.Select(Mapping.ToEngine));
        return Task.FromResult(new AreaState(
            Twin, AreaId, Kind, NameOf(City, AreaId), DistrictOf(City, AreaId), NeighboursOf(City, AreaId),
            a.Signals, a.SignalsReporting, a.TotalFlowVehH, a.MeanDegreeOfSaturation, a.MaxDegreeOfSaturation,
            a.SignalsOverSaturated, a.TotalQueueVeh, a.Facilities, a.FacilitiesReporting, a.Capacity, a.Occupied,
            a.OccupancyRatio, a.FacilitiesAbove90Percent, Mapping.Utc(a.AsOfTicks), state.State.Updates,
            state.State.Members.Values.Sum(m => m.OpenAlerts)));
    }

    protected abstract string Kind { get; }

    protected abstract bool Exists(CityModel city, string id);

    protected abstract bool Contains(Placement placement);

    protected abstract string? NameOf(CityModel city, string id);

    protected abstract string? DistrictOf(CityModel city, string id);

    protected abstract IReadOnlyList<string> NeighboursOf(CityModel city, string id);

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await state.WriteStateAsync(cancellationToken);
            _dirty = false;
        }
    }
}

/// <summary>A grid cell's aggregates.</summary>
[Orleans.Placement.RandomPlacement]
public sealed class GridCellGrain(
    ICityCatalog catalog,
    [PersistentState("cell", StorageNames.Twin)] IPersistentState<AreaGrainState> state)
    : AreaGrain(catalog, state), IGridCellGrain
{
    protected override string Kind => "cell";

    protected override bool Exists(CityModel city, string id) => city.CellsById.ContainsKey(id);

    protected override bool Contains(Placement placement) => placement.CellId == AreaId;

    protected override string? NameOf(CityModel city, string id) => null;

    protected override string? DistrictOf(CityModel city, string id) => city.CellsById[id].DistrictId;

    protected override IReadOnlyList<string> NeighboursOf(CityModel city, string id) => city.CellsById[id].Neighbours;
}

/// <summary>A district's aggregates.</summary>
[Orleans.Placement.RandomPlacement]
public sealed class DistrictGrain(
    ICityCatalog catalog,
    [PersistentState("district", StorageNames.Twin)] IPersistentState<AreaGrainState> state)
    : AreaGrain(catalog, state), IDistrictGrain
{
    protected override string Kind => "district";

    protected override bool Exists(CityModel city, string id) => city.DistrictsById.ContainsKey(id);

    protected override bool Contains(Placement placement) => placement.DistrictId == AreaId;

    protected override string? NameOf(CityModel city, string id) => city.DistrictsById[id].Name;

    protected override string? DistrictOf(CityModel city, string id) => id;

    protected override IReadOnlyList<string> NeighboursOf(CityModel city, string id) => [];
}
