using CityTwin.Engine.City;
using CityTwin.Engine.Signals;
using CityTwin.Formats.GeoJson;

namespace CityTwin.Engine.Tests.Measures;

/// <summary>The city manifest's <c>controllers</c> file (docs/city-format.md).</summary>
public sealed class CityControllersTests : IDisposable
{
    private static readonly string Riverton = Path.Combine(AppContext.BaseDirectory, "cities", "riverton");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citytwin-controllers-" + Guid.NewGuid().ToString("N"));

    public CityControllersTests()
    {
        Directory.CreateDirectory(_dir);
        foreach (var file in Directory.GetFiles(Riverton))
        {
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_sample_city_gives_three_signals_the_peer_controllers()
    {
        var city = CityReader.ReadFolder(Riverton);
        Assert.Equal(["S-01", "S-02", "S-03"], city.SignalControllers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([227, 452, 454], city.SignalControllers.Values.Select(c => c.DeviceId).Order());
        Assert.Equal(74, city.SignalControllers.Values.Sum(c => c.Detectors.Assignments.Count));
        Assert.All(city.SignalControllers.Values, c => Assert.All(c.Detectors.Assignments, a => Assert.Equal(c.DeviceId, a.DeviceId)));
        Assert.Contains(city.SignalControllers["S-01"].Detectors.Assignments, a => a is { Phase: 2, Channel: 5, Function: DetectorFunction.Presence });
    }

    [Fact]
    public void Unknown_signals_shared_devices_and_bad_rows_are_city_errors()
    {
        File.WriteAllText(Path.Combine(_dir, "controllers.csv"), "Signal,DeviceId,Phase,Function,Parameter\nS-01,1,2,Advance,3\nS-99,2,2,Advance,3\nS-02,1,2,Advance,3\nS-01,7,2,Presence,4\n");
        var e = Assert.Throws<CityValidationException>(() => CityReader.ReadFolder(_dir));
        Assert.Equal(
            [
                "controllers.csv:3: field 'Signal': 'S-99' is not a signal of the city",
                "controllers.csv:4: field 'DeviceId': device 1 is already the controller of signal 'S-01'",
                "controllers.csv:5: field 'DeviceId': signal 'S-01' already has device 1; a signal has one controller",
            ],
            e.Errors.Select(x => x.ToString()));

        File.WriteAllText(Path.Combine(_dir, "controllers.csv"), "Signal,DeviceId,Phase,Function,Parameter\nS-01,1,two,Advance,3\n");
        var row = Assert.Throws<CityValidationException>(() => CityReader.ReadFolder(_dir));
        Assert.Equal("controllers.csv:2: field 'Phase': 'two' is not an integer >= 1", Assert.Single(row.Errors).ToString());

        File.Delete(Path.Combine(_dir, "controllers.csv"));
        var missing = Assert.Throws<CityValidationException>(() => CityReader.ReadFolder(_dir));
        Assert.Contains("'controllers.csv' does not exist", Assert.Single(missing.Errors).Reason, StringComparison.Ordinal);
    }
}
