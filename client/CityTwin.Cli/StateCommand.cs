using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CityTwin.Client;
using CityTwin.Contracts;

namespace CityTwin.Cli;

/// <summary><c>citytwin state KIND ID</c>: prints one entity's live state.</summary>
internal static class StateCommand
{
    private static readonly Dictionary<string, string> Paths = new(StringComparer.Ordinal)
    {
        ["signal"] = "signals",
        ["parking"] = "parking",
        ["cell"] = "cells",
        ["district"] = "districts",
    };

    private static readonly JsonSerializerOptions Indented = new(CityTwinHttpClient.Json) { WriteIndented = true };

    public static Command Create()
    {
        var kind = new Argument<string>("KIND") { Description = "signal, parking, cell or district" };
        kind.AcceptOnlyFromAmong([.. Paths.Keys]);
        var id = new Argument<string>("ID") { Description = "Entity id, e.g. S-01, P-01, C-3-4, D-OLD" };
        var json = new Option<bool>("--json") { Description = "Print the state as JSON" };
        var command = new Command("state", "Print one entity's live state")
        {
            kind, id, Cluster.TwinOption, json, Cluster.ClusterOption, Cluster.TokenOption, Cluster.CityOption,
        };
        command.SetAction((parse, cancellationToken) => Run.GuardedAsync(async () =>
        {
            var twin = parse.GetValue(Cluster.TwinOption)!;
            var k = parse.GetValue(kind)!;
            var entity = parse.GetValue(id)!;
            await using var cluster = await Cluster.ConnectAsync(parse, parse.GetValue(Cluster.CityOption), cancellationToken);
            using var doc = await cluster.Api.GetStateJsonAsync(twin, Paths[k], entity, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(doc.RootElement, Indented));
                return ExitCodes.Ok;
            }

            Console.Write(k switch
            {
                "signal" => Describe(doc.Deserialize<SignalState>(CityTwinHttpClient.Json)!),
                "parking" => Describe(doc.Deserialize<ParkingState>(CityTwinHttpClient.Json)!),
                _ => Describe(doc.Deserialize<AreaState>(CityTwinHttpClient.Json)!),
            });
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string F(double? v, string format = "0.##") => v is { } d ? d.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Counters(EventCounters c) =>
        $"events: applied {c.Applied}, late {c.Late}, duplicates {c.Duplicates}, rejected {c.Rejected}";

    private static string Describe(SignalState s)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"signal {s.Id} '{s.Name}' (district {s.DistrictId}, cell {s.CellId}), twin '{s.Twin}', as of {s.AsOf?.ToString("O", CultureInfo.InvariantCulture) ?? "no data yet"}");
        w.WriteLine($"plan '{s.Plan.Id}': cycle {F(s.Plan.CycleS)} s, offset {F(s.Plan.OffsetS)} s, phases " +
            string.Join("; ", s.Plan.Phases.Select(p => $"{p.Id}: green {F(p.GreenS)} s for {string.Join(" ", p.Serves)}")));
        w.WriteLine($"flow window {F(s.FlowWindowS / 60)} min; total flow {F(s.TotalFlowVehH, "0")} veh/h; max degree of saturation {F(s.MaxDegreeOfSaturation)}; queue {F(s.TotalQueueVeh, "0.0")} veh; detectors reporting {F(s.DataCompleteness * 100, "0")}%");
        w.WriteLine($"{"approach",-9} {"flow veh/h",10} {"sat veh/h",10} {"DoS",6} {"queue veh",10} {"detectors",10}");
        foreach (var a in s.Approaches)
        {
            w.WriteLine($"{a.Id,-9} {F(a.FlowVehH, "0"),10} {F(a.SaturationFlowVehH, "0"),10} {F(a.DegreeOfSaturation),6} {F(a.QueueVeh, "0.0"),10} {$"{a.DetectorsReporting}/{a.Detectors}",10}");
        }

        foreach (var p in s.Phases)
        {
            w.WriteLine($"phase {p.Phase}: {p.State} since {p.Since:O}, last green {F(p.LastGreenS)} s");
        }

        w.WriteLine(Counters(s.Counters));
        return w.ToString();
    }

    private static string Describe(ParkingState p)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"parking {p.Id} '{p.Name}' (district {p.DistrictId}, cell {p.CellId}), twin '{p.Twin}', as of {p.AsOf?.ToString("O", CultureInfo.InvariantCulture) ?? "no data yet"}");
        w.WriteLine($"occupied {p.Occupied} of {p.Capacity} ({F(p.OccupancyRatio * 100, "0.0")}%), price {F(p.PricePerHour)} {p.Currency}/h");
        w.WriteLine($"entries {p.Entries}, exits {p.Exits}, snapshots {p.Snapshots}, corrections {p.Corrections} ({p.CorrectionVeh} veh), underflows {p.Underflows}");
        foreach (var f in p.Forecast)
        {
            var interval = f.Lower is { } lo && f.Upper is { } hi ? $", interval {F(lo, "0")}-{F(hi, "0")}, basis {f.Basis}" : "";
            w.WriteLine($"forecast +{f.HorizonMin} min: {F(f.Occupied, "0")} ({F(f.OccupancyRatio * 100, "0.0")}%){interval}");
        }

        w.WriteLine($"forecast method: {p.ForecastMethod}");

        w.WriteLine(Counters(p.Counters));
        return w.ToString();
    }

    private static string Describe(AreaState a)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"{a.Kind} {a.Id}{(a.Name is null ? "" : $" '{a.Name}'")}{(a.Kind == "cell" ? $" (district {a.DistrictId ?? "-"})" : "")}, twin '{a.Twin}', as of {a.AsOf?.ToString("O", CultureInfo.InvariantCulture) ?? "no data yet"}");
        w.WriteLine($"signals {a.SignalsReporting}/{a.Signals} reporting: flow {F(a.TotalFlowVehH, "0")} veh/h, mean DoS {F(a.MeanDegreeOfSaturation)}, max DoS {F(a.MaxDegreeOfSaturation)}, over-saturated {a.SignalsOverSaturated}, queue {F(a.TotalQueueVeh, "0.0")} veh");
        w.WriteLine($"parking {a.FacilitiesReporting}/{a.Facilities} reporting: capacity {a.Capacity}, occupied {a.Occupied} ({F(a.OccupancyRatio * 100, "0.0")}%), above 90%: {a.FacilitiesAbove90Percent}");
        w.WriteLine($"open alerts: {a.OpenAlerts} (citytwin alerts --district {a.DistrictId ?? a.Id})");
        w.WriteLine($"updates received: {a.Updates}");
        return w.ToString();
    }
}
