using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Engine.Replay;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;

namespace CityTwin.Grains;

/// <summary>
/// A signalised intersection's live state, fed by its sensor stream (approach detector counts and controller
/// phase changes). The same activation serves the signal's control API (TrafficSignalGrain.Control.cs), so
/// the live state always runs the plan the audited plan book holds.
/// </summary>
[ImplicitStreamSubscription(StreamNames.Signal)]
[Orleans.Placement.RandomPlacement]
public sealed partial class TrafficSignalGrain(
    ICityCatalog catalog,
    [PersistentState("signal", StorageNames.Twin)] IPersistentState<LiveEntityState<SignalSnapshot>> state,
    [PersistentState("plan", StorageNames.Twin)] IPersistentState<SignalPlanStore> plans,
    IIntakeJournal journal,
    Serializer serializer,
    TimeProvider time,
    ILoggerFactory loggers,
    ILogger<TrafficSignalGrain> logger)
    : LiveEntityGrain<SignalLive, SignalSnapshot>(catalog, state, journal, serializer, logger), ITrafficSignalGrain
{
    private IReadOnlyDictionary<string, double>? _storage;

    public Task<SignalState> GetStateAsync() =>
        Task.FromResult(Mapping.ToState(Twin, City.SignalsById[EntityId], Live.View()));

    protected override SignalLive Create(CityModel city, string entityId, LiveOptions options, SignalSnapshot? snapshot)
    {
        if (!city.SignalsById.TryGetValue(entityId, out var site))
        {
            throw new ArgumentException($"'{entityId}' is not a signal of the city");
        }

        var live = new SignalLive(site, city.DetectorsOf(entityId), options, snapshot);
        live.SetPlan(PlanControl.LivePlan(site, Plans));
        return live;
    }

    protected override Placement PlacementOf(CityModel city, string entityId) => city.SignalsById[entityId].Placement;

    protected override bool IsSignal => true;

    protected override string DisplayName => $"{City.SignalsById[EntityId].Name} ({EntityId})";

    /// <summary>
    /// Only detector counts change flows, degrees of saturation and queues, and only of the approach the detector
    /// measures: that approach is checked.
    /// </summary>
    protected override void CheckAlerts(SensorEventData e, long nowTicks)
    {
        if (e.Kind != SensorEventKind.Detector || !Live.TryApproachLoadOf(e.Sensor, out var approach))
        {
            return;
        }

        Check(nowTicks, AlertRules.Oversaturated(approach, Thresholds));
        if (AlertRules.Spillback(approach, _storage ??= AlertRules.StorageVeh(City, City.SignalsById[EntityId]), Thresholds) is { } spillback)
        {
            Check(nowTicks, spillback);
        }
    }

    protected override KpiSample SampleAt(long tsTicks)
    {
        var v = Live.View();
        return new KpiSample(tsTicks, v.Totals.Applied, 0, 0, 0, 0, v.TotalFlowVehH, v.MaxDegreeOfSaturation, v.TotalQueueVeh);
    }

    protected override Task ClearMoreAsync() => plans.ClearStateAsync();

    protected override MemberSummary Summarise()
    {
        var v = Live.View();
        return new MemberSummary(EntityId, true, v.AsOfTicks ?? 0, v.TotalFlowVehH, v.MaxDegreeOfSaturation, v.TotalQueueVeh, 0, 0, OpenAlerts);
    }
}
