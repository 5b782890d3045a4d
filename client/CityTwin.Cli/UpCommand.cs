using System.CommandLine;
using CityTwin.Silo;
using Microsoft.Extensions.Hosting;

namespace CityTwin.Cli;

/// <summary><c>citytwin up</c>: runs a silo with the HTTP API, the city loaded into twin <c>live</c>.</summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "HTTP address of the API", DefaultValueFactory = _ => SiloSettings.DefaultUrls };
        var storage = new Option<string>("--storage") { Description = "Grain storage: memory (default) or postgres", DefaultValueFactory = _ => "memory" };
        storage.AcceptOnlyFromAmong("memory", "postgres");
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string (with --storage postgres)" };
        var command = new Command("up", "Run a silo with the HTTP API, the city loaded into twin 'live'")
        {
            Cluster.CityOption, urls, storage, postgres,
        };
        command.SetAction((parse, cancellationToken) => Run.GuardedAsync(async () =>
        {
            if (parse.GetValue(storage) == "postgres")
            {
                throw new CliInputException("--storage postgres is not available in this version yet; run with the default in-memory storage");
            }

            var settings = new SiloSettings
            {
                CityDirectory = parse.GetValue(Cluster.CityOption),
                Urls = parse.GetValue(urls)!,
                LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            };
            var city = CityTwinHost.LoadCity(settings);
            await using var app = CityTwinHost.Build(settings, city);
            await app.StartAsync(cancellationToken);
            Console.WriteLine($"CityTwin is up: city '{city.Name}' in twin 'live' ({city.Districts.Count} districts, {city.Signals.Count} signals, " +
                $"{city.Links.Count} links, {city.Parking.Count} parking facilities, {city.Detectors.Count} detectors, {city.Cells.Count} cells of {city.CellSizeM:0} m)");
            Console.WriteLine($"HTTP API: {string.Join(", ", CityTwinHost.Addresses(app))}  (GET /api/health; Ctrl+C stops)");
            await app.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
