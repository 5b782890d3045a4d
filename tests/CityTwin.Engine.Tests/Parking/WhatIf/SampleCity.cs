using CityTwin.Engine.City;
using CityTwin.Engine.Parking.WhatIf;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Demand;
using CityTwin.Formats.GeoJson;
using CityTwin.Formats.ParkingWhatIf;

namespace CityTwin.Engine.Tests.Parking.WhatIf;

/// <summary>The sample city (Riverton) with its demand and its fitted parking demand model, as the CLI loads them.</summary>
internal static class SampleCity
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "cities", "riverton");

    private static readonly Lazy<(CityModel, ParkingDemand)> Loaded = new(() =>
    {
        var city = CityReader.ReadFolder(Folder);
        var demand = DemandReader.ReadFile(Path.Combine(Folder, "demand.csv"));
        var assumptions = ParkingDemandFile.Read(Path.Combine(Folder, "parking-demand.json"));
        var area = ParkingArea.FromCity(city, CityNetwork.Build(city));
        return (city, ParkingDemand.Build(area, demand.OdRows, demand.Trips, assumptions));
    });

    public static (CityModel City, ParkingDemand Demand) Load() => Loaded.Value;
}
