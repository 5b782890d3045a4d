using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using CityTwin.Contracts;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Demand;
using CityTwin.Formats.Simulation;
using CityTwin.Grains;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin simulate CITY</c>: runs the traffic engine on a city folder (or an imported SUMO city) with its
/// demand files (or <c>--demand</c>), and writes summary.json, KPI time series and trips.csv to <c>--out</c>.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var city = new Argument<string?>("CITY") { Description = "City folder (city.json + GeoJSON); default: the bundled sample city", Arity = ArgumentArity.ZeroOrOne };
        var demand = new Option<string[]>("--demand") { Description = "Demand CSV file(s): trips or an origin-destination table; default: the city's own demand files", AllowMultipleArgumentsPerToken = true };
        var start = new Option<string?>("--start") { Description = "Start time: seconds from midnight or HH:MM (default: 0, or the first departure)" };
        var until = new Option<string?>("--until") { Description = "End time: seconds from midnight or HH:MM (default: when every trip has arrived)" };
        var seed = new Option<ulong>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42 };
        var outDir = new Option<string?>("--out") { Description = "Output folder for summary.json, kpi-*.csv and trips.csv (default: ./simulation-out)" };
        var control = new Option<string>("--control") { Description = "Signal control: fixed (the plans), actuated, or max-pressure (adaptive, Varaiya 2013)", DefaultValueFactory = _ => "fixed" };
        control.AcceptOnlyFromAmong("fixed", "actuated", "max-pressure");
        var reroute = new Option<double>("--reroute") { Description = "Re-estimate travel times for routing every S seconds (0: route by free-flow time)", DefaultValueFactory = _ => 300 };
        var interval = new Option<double>("--interval") { Description = "KPI interval (s)", DefaultValueFactory = _ => 900 };
        var teleport = new Option<double>("--teleport") { Description = "Move a vehicle blocked by a full link after S seconds (0: never)", DefaultValueFactory = _ => 300 };
        var gap = new Option<double?>("--critical-gap") { Description = "Critical gap (s) of a permissive left turn against oncoming traffic (default: the city's vehicles.criticalGapS, 4.5 when it has none)" };
        var scale = new Option<double>("--scale") { Description = "Multiply origin-destination demand by this factor", DefaultValueFactory = _ => 1.0 };
        var noTrips = new Option<bool>("--no-trips") { Description = "Do not write trips.csv" };
        var fromTwin = new Option<string?>("--from-twin") { Description = "Start from this twin's live state (plans, queues, flows): the city's demand is fitted to the measured flows; use with --cluster" };
        var horizon = new Option<double>("--horizon") { Description = "With --from-twin: how far ahead to simulate (s)", DefaultValueFactory = _ => 3600 };

        var command = new Command("simulate", "Run the traffic simulation on a city and write its KPIs")
        {
            city, demand, start, until, seed, outDir, control, reroute, interval, teleport, gap, scale, noTrips, fromTwin, horizon, Cluster.ClusterOption, Cluster.TokenOption,
        };
        command.SetAction((parse, cancellationToken) => Run.GuardedAsync(async () =>
        {
            var wall = Stopwatch.StartNew();
            var (folder, model, files, set) = CityInput.Load(parse.GetValue(city), parse.GetValue(demand));

            var o = new SimulationOptions
            {
                Seed = parse.GetValue(seed),
                StartS = Time(parse.GetValue(start), "--start") ?? 0,
                UntilS = Time(parse.GetValue(until), "--until"),
                Control = ControlOf(parse.GetValue(control)),
                RerouteIntervalS = parse.GetValue(reroute),
                KpiIntervalS = parse.GetValue(interval),
                TeleportAfterS = parse.GetValue(teleport),
                CriticalGapS = parse.GetValue(gap),
                RecordTrips = !parse.GetValue(noTrips),
            };
            try
            {
                o.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CliInputException(e.Message);
            }

            TrafficNetwork network;
            List<TripSpec> trips;
            LiveStartPlan? live = null;
            if (parse.GetValue(fromTwin) is { } twinId)
            {
                await using var cluster = await Cluster.ConnectAsync(parse, folder, cancellationToken);
                var data = await cluster.Api.GetAsync<TwinSnapshotData>($"api/twins/{Uri.EscapeDataString(twinId)}/snapshot", cancellationToken);
                live = LiveStart.Prepare(model, SnapshotMapping.ToEngine(data), set.OdRows, parse.GetValue(horizon), o.Seed);
                network = live.Network;
                trips = [.. set.Trips.Where(t => t.DepartS >= live.StartS && t.DepartS < live.UntilS), .. live.Trips];
                o = o with { StartS = live.StartS, UntilS = live.UntilS };
                Console.WriteLine(FormattableString.Invariant(
                    $"twin '{twinId}' as of {data.AsOf:O}: {live.QueuedVehicles} queued vehicles at the start; demand fitted to {live.Fit.Count} measured approaches, mean GEH {live.Fit.DefaultIfEmpty().Average(f => f?.BaseGeh ?? 0):F2} -> {live.Fit.DefaultIfEmpty().Average(f => f?.Geh ?? 0):F2}"));
            }
            else
            {
                network = CityNetwork.Build(model);
                trips = [.. set.Trips, .. OdDemand.Expand(network, set.OdRows, o.Seed, parse.GetValue(scale))];
            }

            Console.WriteLine($"{model.Name}: {network.LinkCount} links, {network.Signals.Count} signals, {network.PermissiveTurnCount} permissive turns; {trips.Count} trips ({set.Trips.Count} explicit, {trips.Count - set.Trips.Count} from {set.OdRows.Count} origin-destination rows)");

            var run = Stopwatch.StartNew();
            var result = new Simulation(network, trips, o).Run();
            run.Stop();

            var output = parse.GetValue(outDir) ?? "simulation-out";
            var inputs = new JsonObject
            {
                ["city"] = model.Name,
                ["cityFolder"] = Path.GetFullPath(folder),
                ["demand"] = new JsonArray(files.Select(f => (JsonNode)Path.GetFullPath(f)).ToArray()),
                ["links"] = network.LinkCount,
                ["signals"] = network.Signals.Count,
                ["permissiveTurns"] = network.PermissiveTurnCount,
            };
            SimulationWriter.WriteSeries(output, result);
            if (live is not null)
            {
                inputs["fromTwin"] = parse.GetValue(fromTwin);
                inputs["queuedAtStart"] = live.QueuedVehicles;
                SimulationWriter.WriteFit(output, live.Fit);
            }

            SimulationWriter.WriteSummary(output, SimulationWriter.Summary(result, wall.Elapsed.TotalSeconds, run.Elapsed.TotalSeconds, inputs));

            var c = result.City.Total;
            Console.WriteLine(FormattableString.Invariant(
                $"simulated {result.StartS:F0}..{result.EndS:F0} s in {run.Elapsed.TotalSeconds:F2} s ({result.Counters.VehicleSteps / Math.Max(1e-9, run.Elapsed.TotalSeconds):F0} vehicle-steps/s)"));
            Console.WriteLine(FormattableString.Invariant(
                $"trips completed {c.TripsCompleted} of {trips.Count} (unroutable {result.Counters.Unroutable}, still in network {c.InNetworkAtEnd}, not departed or waiting to enter {result.Counters.NotDeparted}); mean trip {c.MeanTripDurationS:F1} s, mean time loss {c.MeanTimeLossS:F1} s, delay {c.TotalDelayVehH:F1} veh-h, teleports {c.Teleports}"));
            Console.WriteLine($"wrote {Path.GetFullPath(output)}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The signal control named by <c>--control</c> (fixed, actuated, max-pressure).</summary>
    internal static SignalControl ControlOf(string? name) => name switch
    {
        "actuated" => SignalControl.Actuated,
        "max-pressure" => SignalControl.MaxPressure,
        _ => SignalControl.FixedTime,
    };

    internal static double? Time(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        if (!DemandReader.TryParseTime(text, out var s))
        {
            throw new CliInputException($"{option} '{text}' is not a time (seconds from midnight or HH:MM[:SS])");
        }

        return s;
    }
}
