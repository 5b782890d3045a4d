using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CityTwin.Client;
using CityTwin.Contracts;

namespace CityTwin.Cli;

/// <summary><c>citytwin alerts</c>: lists a twin's alerts and, with <c>--follow</c>, prints each raise and clear as it happens.</summary>
internal static class AlertsCommand
{
    private static readonly JsonSerializerOptions Indented = new(CityTwinHttpClient.Json) { WriteIndented = true };

    private static readonly string[] Kinds = ["near-full", "full", "oversaturated", "queue-spillback"];

    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "Also the kept cleared alerts (default: the open ones)" };
        var kind = new Option<string?>("--kind") { Description = "Only alerts of this kind: near-full, full, oversaturated or queue-spillback" };
        kind.AcceptOnlyFromAmong(Kinds);
        var district = new Option<string?>("--district") { Description = "Only alerts in this district" };
        var json = new Option<bool>("--json") { Description = "Print the list as JSON (with --follow: one change a line)" };
        var follow = new Option<bool>("--follow") { Description = "After the list, print each raise and clear as it happens, until Ctrl+C" };
        var command = new Command("alerts", "List a twin's alerts (parking near-full and full, signal approaches oversaturated or spilling back); --follow streams them")
        {
            Cluster.TwinOption, all, kind, district, json, follow, Cluster.ClusterOption, Cluster.TokenOption, Cluster.CityOption,
        };
        command.SetAction((parse, cancellationToken) => Run.GuardedAsync(async () =>
        {
            var twin = parse.GetValue(Cluster.TwinOption)!;
            var k = parse.GetValue(kind);
            var d = parse.GetValue(district);
            var asJson = parse.GetValue(json);
            await using var cluster = await Cluster.ConnectAsync(parse, parse.GetValue(Cluster.CityOption), cancellationToken);
            var list = await cluster.Api.GetAlertsAsync(twin, parse.GetValue(all), k, d, cancellationToken);
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(list, parse.GetValue(follow) ? CityTwinHttpClient.Json : Indented));
            }
            else
            {
                Console.WriteLine($"twin '{list.Twin}': {list.Open} open alert(s); showing {list.Alerts.Count}");
                foreach (var a in list.Alerts)
                {
                    Console.WriteLine(Line(a.ClearedAt is null ? "open" : "cleared", a));
                }
            }

            if (!parse.GetValue(follow))
            {
                return ExitCodes.Ok;
            }

            try
            {
                await foreach (var change in cluster.Api.WatchAlertsAsync(twin, list.Sequence, cancellationToken))
                {
                    if ((k is not null && change.Alert.Kind != k) || (d is not null && change.Alert.DistrictId != d))
                    {
                        continue;
                    }

                    Console.WriteLine(asJson ? JsonSerializer.Serialize(change, CityTwinHttpClient.Json) : Line(change.Change, change.Alert));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C.
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Line(string what, AlertInfo a)
    {
        var at = a.ClearedAt is { } c && what != "open" ? c : a.RaisedAt;
        var inv = CultureInfo.InvariantCulture;
        var value = what == "clear" || (what == "cleared" && a.ClearValue is not null)
            ? string.Format(inv, "value {0:0.###} < {1:0.###}", a.ClearValue, a.ClearBelow)
            : string.Format(inv, "value {0:0.###} >= {1:0.###}", a.Value, a.Threshold);
        return string.Create(inv, $"{at:yyyy-MM-ddTHH:mm:ssZ} {what,-7} {a.Severity,-8} {a.Kind,-15} {a.EntityId}{(a.Subject is null ? "" : "/" + a.Subject)} (district {a.DistrictId}) {value}  {a.Message}  [{a.Id}]");
    }
}
