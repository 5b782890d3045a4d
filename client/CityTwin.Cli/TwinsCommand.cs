using System.CommandLine;
using System.Globalization;

namespace CityTwin.Cli;

/// <summary><c>citytwin twins list|delete</c>: the twins of a cluster, and deleting a replay twin with all its state.</summary>
internal static class TwinsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "List the twins of the cluster: live, replays, twins that events were sent to") { Cluster.ClusterOption, Cluster.TokenOption, Cluster.CityOption };
        list.SetAction((parse, cancellationToken) => Run.GuardedAsync(async () =>
        {
            await using var cluster = await Cluster.ConnectAsync(parse, parse.GetValue(Cluster.CityOption), cancellationToken);
            Console.WriteLine($"{"twin",-24} {"kind",-7} {"KPI interval",-13} {"created (UTC)",-20} source");
            foreach (var t in await cluster.Api.ListTwinsAsync(cancellationToken))
            {
                var interval = t.KpiIntervalS switch { null => "-", 0 => "every event", var s => $"{s} s" };
                var created = t.Kind == "live" ? "-" : t.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                Console.WriteLine($"{t.Id,-24} {t.Kind,-7} {interval,-13} {created,-20} {t.Source ?? "-"}");
            }

            return ExitCodes.Ok;
        }));

        var id = new Argument<string>("ID") { Description = "The twin to delete (not 'live')" };
        var delete = new Command("delete", "Delete a twin and all its state (every grain, stored state, intake journal); refuses 'live'") { id, Cluster.ClusterOption, Cluster.TokenOption, Cluster.CityOption };
        delete.SetAction((parse, cancellationToken) => Run.GuardedAsync(async () =>
        {
            var twin = parse.GetValue(id)!;
            if (twin == Contracts.TwinKeys.Live)
            {
                throw new CliInputException("'live' is the real-time twin: it cannot be deleted");
            }

            await using var cluster = await Cluster.ConnectAsync(parse, parse.GetValue(Cluster.CityOption), cancellationToken);
            var deleted = await cluster.Api.DeleteTwinAsync(twin, cancellationToken);
            Console.WriteLine($"deleted twin '{deleted.Twin}': {deleted.GrainsCleared} grains cleared");
            return ExitCodes.Ok;
        }));

        return new Command("twins", "The twins of a cluster: list them, delete a replay twin") { list, delete };
    }
}
