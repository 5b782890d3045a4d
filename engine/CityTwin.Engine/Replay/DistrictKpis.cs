using CityTwin.Engine.City;
using CityTwin.Engine.Live;

namespace CityTwin.Engine.Replay;

/// <summary>An entity's KPI series with what it is (a signal or a facility) and its district.</summary>
public sealed record EntityKpis(string EntityId, bool IsSignal, IReadOnlyList<KpiSample> Rows, string DistrictId = "");

/// <summary>A replay's KPI series: the interval (s; 0 for every event timestamp), the time they run through, every entity's and district's series.</summary>
public sealed record KpiTable(int IntervalS, long ThroughTicks, IReadOnlyList<EntityKpis> Entities, IReadOnlyList<DistrictKpiSeries> Districts);

/// <summary>A district's KPIs at one time: the aggregate of its members' rows at or before that time, and their event count.</summary>
public sealed record DistrictKpiSample(long TsTicks, long Events, AreaAggregate Aggregate);

/// <summary>A district's KPI series.</summary>
public sealed record DistrictKpiSeries(string DistrictId, string Name, IReadOnlyList<DistrictKpiSample> Rows);

/// <summary>
/// District KPI series from the series of the signals and facilities inside: at every time any member has a row,
/// each member counts with its newest row at or before that time (members without one yet are not reporting),
/// aggregated exactly as a district grain aggregates its members' summaries (<see cref="AreaAggregate.Of"/>).
/// Pure and ordered, so the same member series give the same district series.
/// </summary>
public static class DistrictKpis
{
    /// <summary>The series of every district that has a member with rows, in the city's district order.</summary>
    public static IReadOnlyList<DistrictKpiSeries> Of(CityModel city, IReadOnlyList<EntityKpis> entities)
    {
        var times = entities.SelectMany(e => e.Rows.Select(r => r.TsTicks)).Distinct().Order().ToArray();
        var byDistrict = entities
            .Where(e => e.Rows.Count > 0)
            .GroupBy(e => DistrictOf(city, e))
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.EntityId, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        var result = new List<DistrictKpiSeries>();
        foreach (var district in city.Districts)
        {
            if (!byDistrict.TryGetValue(district.Id, out var members))
            {
                continue;
            }

            var signals = city.Signals.Count(s => s.Placement.DistrictId == district.Id);
            var capacities = city.Parking.Where(p => p.Placement.DistrictId == district.Id).Select(p => p.Capacity).ToArray();
            var cursor = new int[members.Length];
            Array.Fill(cursor, -1);
            var rows = new List<DistrictKpiSample>();
            foreach (var t in times)
            {
                var summaries = new List<EntitySummary>();
                long events = 0;
                for (var i = 0; i < members.Length; i++)
                {
                    var m = members[i];
                    while (cursor[i] + 1 < m.Rows.Count && m.Rows[cursor[i] + 1].TsTicks <= t)
                    {
                        cursor[i]++;
                    }

                    if (cursor[i] < 0)
                    {
                        continue;
                    }

                    var r = m.Rows[cursor[i]];
                    events += r.Events;
                    summaries.Add(new EntitySummary(m.EntityId, m.IsSignal, r.TsTicks, r.FlowVehH, r.MaxDegreeOfSaturation, r.QueueVeh, r.Capacity, r.Occupied));
                }

                if (summaries.Count > 0)
                {
                    rows.Add(new DistrictKpiSample(t, events, AreaAggregate.Of(signals, capacities, summaries) with { AsOfTicks = t }));
                }
            }

            result.Add(new DistrictKpiSeries(district.Id, district.Name, rows));
        }

        return result;
    }

    private static string DistrictOf(CityModel city, EntityKpis e) =>
        e.IsSignal ? city.SignalsById[e.EntityId].Placement.DistrictId : city.ParkingById[e.EntityId].Placement.DistrictId;
}
