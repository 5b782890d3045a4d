using CityTwin.Engine.City;
using CityTwin.Engine.Live;

namespace CityTwin.Grains;

/// <summary>The city each twin runs on, and the live-state options; a silo-wide service.</summary>
public interface ICityCatalog
{
    /// <summary>The live-state options (windows, records kept).</summary>
    LiveOptions Options { get; }

    /// <summary>The city model a twin uses.</summary>
    CityModel CityOf(string twin);
}

/// <summary>Every twin runs on the one city the silo loaded.</summary>
public sealed class SingleCityCatalog(CityModel city, LiveOptions options) : ICityCatalog
{
    public LiveOptions Options { get; } = options;

    public CityModel CityOf(string twin) => city;
}
