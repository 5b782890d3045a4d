using CityTwin.Contracts;
using CityTwin.Engine.Live;
using CityTwin.Engine.Replay;

namespace CityTwin.Grains;

/// <summary>A twin's KPI series as they come over the wire, back into the engine's table (what the KPI files are written from).</summary>
public static class KpiTables
{
    /// <summary>The engine's KPI table of a twin's series.</summary>
    public static KpiTable FromSeries(TwinKpiSeries s) => new(
        s.KpiIntervalS,
        s.Through.UtcTicks,
        s.Entities.Select(e => new EntityKpis(e.EntityId, e.IsSignal, e.Rows.Select(Mapping.ToSample).ToArray(), e.DistrictId)).ToArray(),
        s.Districts.Select(d => new Engine.Replay.DistrictKpiSeries(d.DistrictId, d.Name, d.Rows.Select(r => new DistrictKpiSample(
            r.TsTicks,
            r.Events,
            new AreaAggregate(r.Signals, r.SignalsReporting, r.TotalFlowVehH, r.MeanDegreeOfSaturation, r.MaxDegreeOfSaturation, r.SignalsOverSaturated,
                r.TotalQueueVeh, r.Facilities, r.FacilitiesReporting, r.Capacity, r.Occupied, r.OccupancyRatio, r.FacilitiesAbove90Percent, r.TsTicks))).ToArray())).ToArray());
}
