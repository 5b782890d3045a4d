using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Engine.Replay;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;

namespace CityTwin.Grains;

/// <summary>A parking facility's live state, fed by its parking sensor stream.</summary>
[ImplicitStreamSubscription(StreamNames.Parking)]
[Orleans.Placement.RandomPlacement]
public sealed class ParkingFacilityGrain(
    ICityCatalog catalog,
    [PersistentState("parking", StorageNames.Twin)] IPersistentState<LiveEntityState<ParkingSnapshot>> state,
    IIntakeJournal journal,
    Serializer serializer,
    ILogger<ParkingFacilityGrain> logger)
    : LiveEntityGrain<ParkingLive, ParkingSnapshot>(catalog, state, journal, serializer, logger), IParkingFacilityGrain
{
    public Task<ParkingState> GetStateAsync() =>
        Task.FromResult(Mapping.ToState(Twin, City.ParkingById[EntityId], Live.View()));

    protected override ParkingLive Create(CityModel city, string entityId, LiveOptions options, ParkingSnapshot? snapshot)
    {
        if (!city.ParkingById.TryGetValue(entityId, out var facility))
        {
            throw new ArgumentException($"'{entityId}' is not a parking facility of the city");
        }

        var roles = city.DetectorsOf(entityId).ToDictionary(d => d.Id, d => d.Role, StringComparer.Ordinal);
        return new ParkingLive(facility, options, snapshot, city.ParkingModel, city.TimeZone)
        {
            RoleOf = id => roles.GetValueOrDefault(id, GateRole.Unspecified),
        };
    }

    protected override Placement PlacementOf(CityModel city, string entityId) => city.ParkingById[entityId].Placement;

    protected override bool IsSignal => false;

    protected override string DisplayName => $"{City.ParkingById[EntityId].Name} ({EntityId})";

    protected override void CheckAlerts(SensorEventData e, long nowTicks)
    {
        var capacity = City.ParkingById[EntityId].Capacity;
        Check(nowTicks, AlertRules.NearFull(Live.Occupied, capacity, Thresholds));
        Check(nowTicks, AlertRules.Full(Live.Occupied, capacity, Thresholds));
    }

    protected override KpiSample SampleAt(long tsTicks)
    {
        var v = Live.View();
        return new KpiSample(tsTicks, v.Totals.Applied, v.Capacity, v.Occupied, v.Entries, v.Exits, 0, 0, 0);
    }

    protected override MemberSummary Summarise() =>
        new(EntityId, false, Live.WatermarkTicks ?? 0, 0, 0, 0, City.ParkingById[EntityId].Capacity, Live.Occupied, OpenAlerts);
}
