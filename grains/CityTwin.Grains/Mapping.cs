using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Engine.Replay;

namespace CityTwin.Grains;

/// <summary>Converts between the wire records of the contracts and the engine's types.</summary>
internal static class Mapping
{
    public static SensorEventData ToData(in SensorReading r) =>
        new((SensorEventKind)(int)r.Type, r.Sensor, r.TsTicks, r.Seq, r.Count, r.Occupancy, r.IntervalS, r.Phase, (int)r.Light, (int)r.Movement, r.Occupied, r.EventId, r.Parameter);

    /// <summary>An entity's alert as the contracts carry it.</summary>
    public static AlertInfo ToInfo(string twin, string entityId, bool isSignal, Placement placement, Alert a) => new(
        a.Id, twin, a.Kind, entityId, isSignal ? "signal" : "parking", a.Subject.Length == 0 ? null : a.Subject,
        placement.DistrictId, placement.CellId, a.Severity, Utc(a.RaisedTicks), Utc(a.ClearedTicks),
        a.Value, a.Threshold, a.ClearBelow, a.Peak, a.ClearValue, a.Message);

    public static SensorReading ToReading(SensorEventData e) =>
        new((SensorEventType)(int)e.Kind, e.Sensor, e.TsTicks, e.Seq, e.Count, e.Occupancy, e.IntervalS, e.Phase, (LightState)e.Light, (ParkingMovement)e.Movement, e.Occupied, e.EventId, e.Parameter);

    public static KpiPoint ToPoint(KpiSample k) =>
        new(k.TsTicks, k.Events, k.Capacity, k.Occupied, k.Entries, k.Exits, k.FlowVehH, k.MaxDegreeOfSaturation, k.QueueVeh);

    public static KpiSample ToSample(KpiPoint k) =>
        new(k.TsTicks, k.Events, k.Capacity, k.Occupied, k.Entries, k.Exits, k.FlowVehH, k.MaxDegreeOfSaturation, k.QueueVeh);

    public static Contracts.DistrictKpiSeries ToData(Engine.Replay.DistrictKpiSeries d) =>
        new(d.DistrictId, d.Name, d.Rows.Select(r =>
        {
            var a = r.Aggregate;
            return new DistrictKpiPoint(
                r.TsTicks, r.Events, a.Facilities, a.FacilitiesReporting, a.Capacity, a.Occupied, a.OccupancyRatio, a.FacilitiesAbove90Percent,
                a.Signals, a.SignalsReporting, a.TotalFlowVehH, a.MeanDegreeOfSaturation, a.MaxDegreeOfSaturation, a.TotalQueueVeh, a.SignalsOverSaturated);
        }).ToArray());

    public static RejectedEvent ToEngine(RejectedEventData r) => new(r.Sensor, r.Seq, r.Reason, r.Text);

    public static DateTimeOffset Utc(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>UTC ticks as milliseconds since 1970-01-01 (controller event times).</summary>
    public static long UnixMs(long ticks) => (ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    public static DateTimeOffset? Utc(long? ticks) => ticks is { } t ? Utc(t) : null;

    public static TimingPlanInfo ToInfo(TimingPlan plan) =>
        new(plan.Id, plan.CycleS, plan.OffsetS, plan.Phases.Select(p => new PhaseInfo(p.Id, p.GreenS, p.AmberS, p.AllRedS, p.Serves.Select(s => s.ToString()).ToArray())).ToArray());

    public static EventCounters ToCounters(EventTotals t) => new(t.Applied, t.Late, t.Duplicates, t.Rejected);

    public static IReadOnlyList<SensorCounterState> ToCounters(IReadOnlyList<SensorCounters> counters) =>
        counters.Select(c => new SensorCounterState(c.Sensor, c.Applied, c.Late, c.Duplicates, c.Rejected, c.LastSeq, c.LastTsTicks == 0 ? null : Utc(c.LastTsTicks))).ToArray();

    public static IReadOnlyList<RejectedEventData> ToData(IReadOnlyList<RejectedEvent> rejected) =>
        rejected.Select(r => new RejectedEventData(r.Sensor, r.Seq, r.Reason, r.Text)).ToArray();

    public static IReadOnlyList<LateEventInfo> ToLate(IReadOnlyList<SensorReading> late) =>
        late.Select(l => new LateEventInfo(l.Sensor, l.Seq, SensorReading.TypeName(l.Type), l.Ts)).ToArray();

    public static SignalState ToState(string twin, SignalSite site, SignalView v) => new(
        twin,
        v.Id,
        v.Name,
        site.Placement.DistrictId,
        site.Placement.CellId,
        ToInfo(v.Plan),
        Utc(v.AsOfTicks),
        v.FlowWindow.TotalSeconds,
        v.Approaches.Select(a => new ApproachState(
            a.Id,
            a.FlowVehH,
            a.SaturationFlowVehH,
            a.DegreeOfSaturation,
            a.QueueVeh,
            a.Detectors,
            a.DetectorsReporting,
            a.MeanOccupancy,
            a.LaneGroups.Select(g => new LaneGroupState(g.Id, g.FlowVehH, g.Measured, g.SaturationFlowVehH, g.EffectiveGreenS, g.CapacityVehH, g.DegreeOfSaturation, g.QueueVeh)).ToArray())).ToArray(),
        v.Phases.Select(p => new PhaseLiveState(p.Phase, p.State.ToString().ToLowerInvariant(), Utc(p.SinceTicks), p.Changes, p.LastGreenS)).ToArray(),
        v.TotalFlowVehH,
        v.MaxDegreeOfSaturation,
        v.TotalQueueVeh,
        v.DataCompleteness,
        ToCounters(v.Totals),
        ToCounters(v.Sensors),
        ToData(v.RecentRejected),
        ToLate(v.RecentLate));

    public static ParkingState ToState(string twin, ParkingFacility f, ParkingView v) => new(
        twin,
        v.Id,
        v.Name,
        f.Placement.DistrictId,
        f.Placement.CellId,
        v.Capacity,
        v.Occupied,
        v.OccupancyRatio,
        v.PricePerHour,
        v.Currency,
        Utc(v.AsOfTicks),
        v.Entries,
        v.Exits,
        v.Snapshots,
        v.Corrections,
        v.CorrectionVeh,
        v.Underflows,
        v.ForecastMethod,
        v.Forecast.Select(p => new ForecastPoint(p.HorizonMin, Utc(p.AtTicks), p.Occupied, p.Ratio, p.Lower, p.Upper, p.Basis)).ToArray(),
        ToCounters(v.Totals),
        ToCounters(v.Sensors),
        ToData(v.RecentRejected),
        ToLate(v.RecentLate));

    public static EntitySummary ToEngine(MemberSummary s) =>
        new(s.EntityId, s.IsSignal, s.AsOfTicks, s.FlowVehH, s.MaxDegreeOfSaturation, s.QueueVeh, s.Capacity, s.Occupied);
}
