using System.CommandLine;
using CityTwin.Engine.City;
using CityTwin.Formats.GeoJson;
using CityTwin.Formats.Sumo;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin import sumo NET.net.xml [--routes ROUTES.rou.xml] [--additional FILE ...] --out DIR</c>: writes a
/// CityTwin city folder from a SUMO network (and its routes, with the vehicle behaviour of their vehicle types),
/// checks that it reads back, and prints what was imported and skipped.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var net = new Argument<FileInfo>("NET") { Description = "SUMO network (.net.xml)" };
        var routes = new Option<FileInfo?>("--routes")
        {
            Description = "SUMO routes or trips (.rou.xml): written as trips.csv, the city's demand",
        };
        var additional = new Option<FileInfo[]>("--additional", "-a")
        {
            Description = "SUMO additional file(s) read for their vehicle types (vType), as sumo -a; e.g. a file that redefines DEFAULT_VEHTYPE",
            AllowMultipleArgumentsPerToken = true,
        };
        var outDir = new Option<DirectoryInfo>("--out")
        {
            Description = "City folder to write (created if needed; city.json, districts.geojson, network.geojson and trips.csv in it are replaced)",
            Required = true,
        };
        var sumo = new Command("sumo", "Import a SUMO network (and routes) as a CityTwin city folder; SUMO itself is not needed")
        {
            net, routes, additional, outDir,
        };
        sumo.SetAction((parse, _) => Run.GuardedAsync(() =>
        {
            var netFile = parse.GetValue(net)!;
            var routesFile = parse.GetValue(routes);
            var additionalFiles = parse.GetValue(additional) ?? [];
            var folder = parse.GetValue(outDir)!;
            foreach (var input in new[] { netFile, routesFile }.Concat(additionalFiles).OfType<FileInfo>())
            {
                if (!input.Exists)
                {
                    throw new CliInputException($"{input.FullName}: no such file");
                }
            }

            ImportReport report;
            try
            {
                report = SumoImporter.Import(netFile.FullName, routesFile?.FullName, folder.FullName, additionalFiles.Select(f => f.FullName).ToList());
            }
            catch (SumoFormatException ex)
            {
                throw new CliInputException(ex.Message);
            }

            Console.WriteLine(report);
            try
            {
                var city = CityReader.ReadFolder(folder.FullName);
                Console.WriteLine($"checked: the city reads back ({city.Signals.Count} signals, {city.Links.Count} links, {city.Cells.Count} cells of {city.CellSizeM} m)");
            }
            catch (CityValidationException ex)
            {
                // The input was fine; a city the importer writes must always read back.
                throw new InvalidOperationException($"the imported city does not read back (an importer bug): {ex.Message}", ex);
            }

            return Task.FromResult(ExitCodes.Ok);
        }));
        return new Command("import", "Import a city from another format") { sumo };
    }
}
