using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Engine.Traffic;

namespace CityTwin.Formats.Simulation;

/// <summary>
/// Writes a simulation run's outputs (docs/simulation.md): <c>summary.json</c>, KPI time series as CSV
/// (<c>kpi-city.csv</c>, <c>kpi-districts.csv</c>, <c>kpi-intersections.csv</c>, <c>kpi-approaches.csv</c>) and, when
/// trips were recorded, <c>trips.csv</c>. Numbers are invariant-culture; times are seconds from midnight.
/// </summary>
public static class SimulationWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The summary object: the contract's fields first, then the rest of the run's figures.</summary>
    public static JsonObject Summary(SimulationResult r, double wallSeconds, double simulateSeconds, JsonObject? inputs = null)
    {
        var c = r.City.Total;
        var summary = new JsonObject
        {
            ["tripsCompleted"] = c.TripsCompleted,
            ["meanTripDurationS"] = Round(c.MeanTripDurationS),
            ["meanTimeLossS"] = Round(c.MeanTimeLossS),
            ["totalDelayVehH"] = Round(c.TotalDelayVehH),
            ["wallSeconds"] = Round(wallSeconds),
            ["simulateSeconds"] = Round(simulateSeconds),
            ["trips"] = r.Counters.Trips,
            ["departed"] = c.Departed,
            ["unroutable"] = r.Counters.Unroutable,
            ["notDeparted"] = r.Counters.NotDeparted,
            ["inNetworkAtEnd"] = c.InNetworkAtEnd,
            ["teleports"] = c.Teleports,
            ["travelTimeVehH"] = Round(c.TravelTimeVehH),
            ["vehicleKm"] = Round(c.VehicleKm),
            ["meanInsertionDelayS"] = Round(c.MeanInsertionDelayS),
            ["spillbackLinkMin"] = Round(c.SpillbackLinkMin),
            ["startS"] = r.StartS,
            ["endS"] = r.EndS,
            ["steps"] = r.Counters.Steps,
            ["vehicleSteps"] = r.Counters.VehicleSteps,
            ["vehicleStepsPerSecond"] = simulateSeconds > 0 ? Math.Round(r.Counters.VehicleSteps / simulateSeconds) : 0,
            ["seed"] = r.Options.Seed,
            ["control"] = r.Options.Control.ToString(),
            ["rerouteIntervalS"] = r.Options.RerouteIntervalS,
        };
        if (r.Counters.UnroutableSample.Count > 0)
        {
            summary["unroutableSample"] = new JsonArray(r.Counters.UnroutableSample.Select(s => (JsonNode)s).ToArray());
        }

        if (inputs is not null)
        {
            summary["inputs"] = inputs;
        }

        return summary;
    }

    /// <summary>Writes <c>summary.json</c> into <paramref name="folder"/> (created when missing).</summary>
    public static void WriteSummary(string folder, JsonObject summary)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "summary.json"), summary.ToJsonString(Indented) + "\n");
    }

    /// <summary>Writes the KPI series and trips into <paramref name="folder"/> (created when missing).</summary>
    public static void WriteSeries(string folder, SimulationResult r)
    {
        Directory.CreateDirectory(folder);
        WriteCity(Path.Combine(folder, "kpi-city.csv"), r);
        WriteQueue(Path.Combine(folder, "kpi-districts.csv"), "district", r, r.Districts.Select(d => (d.Id, (string?)null, d.Total, d.Intervals)));
        WriteQueue(Path.Combine(folder, "kpi-intersections.csv"), "signal", r, r.Intersections.Select(s => (s.Id, s.DistrictId, s.Total, s.Intervals)));
        WriteQueue(Path.Combine(folder, "kpi-approaches.csv"), "signal,approach", r, r.Approaches.Select(a => ($"{a.Approach.SignalId},{a.Approach.ApproachId}", a.Approach.DistrictId, a.Total, a.Intervals)));
        if (r.Trips is not null)
        {
            WriteTrips(Path.Combine(folder, "trips.csv"), r.Trips);
        }
    }

    /// <summary>Writes <c>fit.csv</c>: per measured approach, the measured, base and fitted flow (veh/h) and GEH.</summary>
    public static void WriteFit(string folder, IReadOnlyList<CountFit> fit)
    {
        Directory.CreateDirectory(folder);
        var sb = new StringBuilder("signal,approach,measured_veh_h,base_veh_h,estimated_veh_h,base_geh,geh\n");
        foreach (var f in fit)
        {
            sb.Append(string.Join(',', f.SignalId, f.ApproachId, F(f.MeasuredVehH), F(f.BaseVehH), F(f.EstimatedVehH), F(f.BaseGeh), F(f.Geh))).Append('\n');
        }

        File.WriteAllText(Path.Combine(folder, "fit.csv"), sb.ToString());
    }

    private static void WriteCity(string path, SimulationResult r)
    {
        var sb = new StringBuilder("interval_start_s,departed,trips_completed,mean_trip_duration_s,mean_time_loss_s,total_delay_veh_h,travel_time_veh_h,vehicle_km,mean_insertion_delay_s,teleports,in_network_at_end,waiting_to_enter_at_end,spillback_link_min,max_queue_veh\n");
        void Row(string start, NetworkKpi k) => sb.Append(string.Join(',', start, k.Departed, k.TripsCompleted, F(k.MeanTripDurationS), F(k.MeanTimeLossS), F(k.TotalDelayVehH), F(k.TravelTimeVehH), F(k.VehicleKm), F(k.MeanInsertionDelayS), k.Teleports, k.InNetworkAtEnd, k.WaitingToEnterAtEnd, F(k.SpillbackLinkMin), F(k.MaxQueueVeh))).Append('\n');
        for (var i = 0; i < r.IntervalStartsS.Count; i++)
        {
            Row(F(r.IntervalStartsS[i]), r.City.Intervals[i]);
        }

        Row("total", r.City.Total);
        File.WriteAllText(path, sb.ToString());
    }

    private static void WriteQueue(string path, string idColumns, SimulationResult r, IEnumerable<(string Id, string? District, QueueKpi Total, IReadOnlyList<QueueKpi> Intervals)> rows)
    {
        var sb = new StringBuilder($"{idColumns},district,interval_start_s,served,total_delay_veh_h,mean_delay_s,stops,mean_queue_veh,max_queue_veh,spillback_min\n");
        foreach (var (id, district, total, intervals) in rows)
        {
            void Row(string start, QueueKpi k) => sb.Append(string.Join(',', id, district ?? "", start, k.Served, F(k.TotalDelayVehH), F(k.MeanDelayS), k.Stops, F(k.MeanQueueVeh), F(k.MaxQueueVeh), F(k.SpillbackMin))).Append('\n');
            for (var i = 0; i < intervals.Count; i++)
            {
                Row(F(r.IntervalStartsS[i]), intervals[i]);
            }

            Row("total", total);
        }

        File.WriteAllText(path, sb.ToString());
    }

    private static void WriteTrips(string path, IReadOnlyList<TripRecord> trips)
    {
        using var w = new StreamWriter(path);
        w.Write("id,status,depart_s,entered_s,arrived_s,duration_s,time_loss_s,route_links,route_length_m\n");
        foreach (var t in trips)
        {
            w.Write(string.Join(',', t.Id, t.Status.ToString(), F(t.DepartS), F(t.EnteredS), F(t.ArrivedS), F(t.DurationS), F(t.TimeLossS), t.RouteLinks, F(t.RouteLengthM)));
            w.Write('\n');
        }
    }

    private static double Round(double v) => Math.Round(v, 3);

    private static string F(double? v) => v is null ? "" : Math.Round(v.Value, 3).ToString("0.###", CultureInfo.InvariantCulture);
}
