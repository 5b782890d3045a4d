using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Traffic;

namespace CityTwin.Grains;

/// <summary>Turns a twin snapshot (grain contracts) into the engine's <see cref="TwinSnapshot"/>.</summary>
public static class SnapshotMapping
{
    /// <summary>
    /// The engine's view of <paramref name="data"/>: time of day of <see cref="TwinSnapshotData.AsOf"/> (in its own
    /// offset), each signal's current plan, each approach's flow (measured when a detector reported) and queue
    /// estimate, and each facility's occupancy.
    /// </summary>
    /// <exception cref="InvalidOperationException">The twin has had no sensor data yet.</exception>
    public static TwinSnapshot ToEngine(TwinSnapshotData data)
    {
        if (data.AsOf is not { } asOf)
        {
            throw new InvalidOperationException($"twin '{data.Twin}' has no sensor data yet, so there is no live state to start from");
        }

        var plans = data.Signals.ToDictionary(s => s.Id, s => ToPlan(s.Plan), StringComparer.Ordinal);
        var flows = data.Signals
            .SelectMany(s => s.Approaches.Select(a => new ApproachFlow(
                s.Id,
                a.Id,
                a.FlowVehH ?? 0,
                a.FlowVehH is not null && a.DetectorsReporting > 0,
                a.QueueVeh ?? 0)))
            .ToList();
        var parking = data.Parking.ToDictionary(p => p.Id, p => p.Occupied, StringComparer.Ordinal);
        return new TwinSnapshot(asOf.TimeOfDay.TotalSeconds, plans, flows, parking);
    }

    private static TimingPlan ToPlan(TimingPlanInfo p) => new(
        p.Id,
        p.CycleS,
        p.OffsetS,
        p.Phases.Select(ph => new Phase(ph.Id, ph.GreenS, ph.AmberS, ph.AllRedS, ph.Serves.Select(ToRef).ToList())).ToList());

    private static LaneGroupRef ToRef(string serves)
    {
        var dot = serves.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? new LaneGroupRef(serves, "") : new LaneGroupRef(serves[..dot], serves[(dot + 1)..]);
    }
}
