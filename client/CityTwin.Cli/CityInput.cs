using CityTwin.Engine.City;
using CityTwin.Formats.Demand;
using CityTwin.Formats.GeoJson;
using CityTwin.Silo;

namespace CityTwin.Cli;

/// <summary>A city folder and its demand, as the engine commands take them (<c>[CITY] [--demand FILE ...]</c>).</summary>
/// <param name="Folder">The city folder.</param>
/// <param name="Model">The city read from it.</param>
/// <param name="DemandFiles">The demand files read: those given, else the city's own.</param>
/// <param name="Demand">Their trips and origin-destination rows together.</param>
internal sealed record CityInput(string Folder, CityModel Model, IReadOnlyList<string> DemandFiles, DemandSet Demand)
{
    /// <summary>Reads the city (default: the sample city) and the demand files given, else the ones its manifest names.</summary>
    public static CityInput Load(string? folder, string[]? demandFiles)
    {
        folder ??= SiloSettings.SampleCityDirectory;
        var model = CityReader.ReadFolder(folder);
        var files = demandFiles is { Length: > 0 }
            ? demandFiles.ToList()
            : model.DemandFiles.Select(f => Path.Combine(folder, f)).ToList();
        if (files.Count == 0)
        {
            throw new CliInputException($"the city in '{folder}' names no demand files (manifest field 'demand'); give --demand FILE");
        }

        var set = DemandSet.Empty;
        foreach (var f in files)
        {
            set = set.Plus(DemandReader.ReadFile(f));
        }

        return new CityInput(folder, model, files, set);
    }
}
