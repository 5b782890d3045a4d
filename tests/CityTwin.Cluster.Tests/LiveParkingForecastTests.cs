using System.Globalization;
using System.Text.Json;
using CityTwin.Cluster.Tests.Postgres;
using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Formats.GeoJson;
using CityTwin.Grains;
using CityTwin.Silo;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace CityTwin.Cluster.Tests;

/// <summary>
/// The occupancy model in the live twin on a real silo: a copy of the Birmingham sample city with a time zone and a
/// model file fitted by <c>citytwin parking fit</c> on the repository's Birmingham slice (CC BY 4.0,
/// tests/data/parking-birmingham/SOURCE.txt); a held-out day of one car park's counts is ingested through the HTTP
/// API in batches and the forecast read back with its interval and method. And a facility state stored by the code
/// before the profile was kept (tests/data/parking-live/README.txt) still loads.
/// </summary>
public sealed class LiveParkingForecastTests : IDisposable
{
    private const string Facility = "BHMBCCMKT01";
    private static readonly string Slice = Path.Combine(AppContext.BaseDirectory, "data", "parking-birmingham", "birmingham-10-carparks.csv");
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citytwin-live-forecast-" + Guid.NewGuid().ToString("N"));

    public LiveParkingForecastTests()
    {
        Directory.CreateDirectory(_dir);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "cities", "birmingham")))
        {
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<CityModel> CityWithModelAsync()
    {
        var fit = await CliProcess.RunAsync(["parking", "fit", Slice, "--train-until", "2016-11-28", "--out", Path.Combine(_dir, "parking-model.json")]);
        Assert.True(fit.ExitCode == 0, fit.Output + fit.Error);
        Assert.Contains($"  {Facility}: weekday/time profile", fit.Output, StringComparison.Ordinal);
        var manifest = Path.Combine(_dir, "city.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"cellSizeM\": 250,", "\"cellSizeM\": 250, \"timeZone\": \"Europe/London\", \"parkingModel\": \"parking-model.json\",", StringComparison.Ordinal));
        return CityReader.ReadFolder(_dir);
    }

    [Fact]
    public async Task Occupancy_counts_ingested_over_HTTP_give_the_models_forecast_with_interval_and_method()
    {
        var city = await CityWithModelAsync();
        Assert.NotNull(city.ParkingModel);
        await using var app = CityTwinHost.Build(SiloHostFixture.Settings(), city);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(CityTwinHost.Addresses(app)[0]) };
        var api = new CityTwin.Client.CityTwinHttpClient(http, SiloHostFixture.TokenOf("admin"));

        // The held-out Monday 28 November 2016 (GMT, so local = UTC) of the car park, as parking-occupancy events.
        var counts = File.ReadLines(Slice).Where(l => l.StartsWith(Facility + ",", StringComparison.Ordinal)).Select(l => l.Split(','))
            .Select(c => (Local: DateTime.ParseExact(c[3], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Occupied: int.Parse(c[2], CultureInfo.InvariantCulture)))
            .Where(c => c.Local.Date == new DateTime(2016, 11, 28)).OrderBy(c => c.Local).ToList();
        Assert.True(counts.Count >= 17, $"{counts.Count} counts");
        var readings = counts.Select((c, i) => new SensorReading(SensorEventType.ParkingOccupancy, Facility, new DateTimeOffset(c.Local, London.GetUtcOffset(c.Local)).UtcTicks, i + 1, Occupied: c.Occupied)).ToList();

        // The oracle: the engine's facility with the same city and model, fed the same counts.
        var oracle = new ParkingLive(city.ParkingById[Facility], LiveOptions.Default, null, city.ParkingModel, city.TimeZone);
        var sent = 0;
        foreach (var batch in readings.Chunk(6))
        {
            var report = await api.IngestAsync(TwinKeys.Live, Events.Body(batch.Select(r => Events.Occupancy(Facility, r.Ts, r.Seq, r.Occupied))));
            Assert.Equal(batch.Length, report.Accepted);
            sent += batch.Length;
            foreach (var r in batch)
            {
                oracle.Apply(r);
            }

            using var state = await Events.EventuallyAsync(() => api.GetStateJsonAsync(TwinKeys.Live, "parking", Facility), s => s.RootElement.GetProperty("snapshots").GetInt64() == sent, TimeSpan.FromSeconds(30));
            var root = state.RootElement;
            var expected = oracle.View();
            Assert.Equal(expected.ForecastMethod, root.GetProperty("forecastMethod").GetString());
            Assert.StartsWith("model: weekday/time profile in Europe/London (recency ", expected.ForecastMethod, StringComparison.Ordinal);
            Assert.Contains("its own parameters", expected.ForecastMethod, StringComparison.Ordinal);
            var points = root.GetProperty("forecast").EnumerateArray().ToList();
            Assert.Equal([30, 60, 120, 180], points.Select(p => p.GetProperty("horizonMin").GetInt32()));
            for (var i = 0; i < points.Count; i++)
            {
                var p = points[i];
                var e = expected.Forecast[i];
                Assert.Equal(e.Occupied, p.GetProperty("occupied").GetDouble(), 9);
                Assert.Equal(e.Lower!.Value, p.GetProperty("lower").GetDouble(), 9);
                Assert.Equal(e.Upper!.Value, p.GetProperty("upper").GetDouble(), 9);
                Assert.Equal(e.Basis, p.GetProperty("basis").GetString());
                Assert.True(e.Lower < e.Upper && e.Lower <= e.Occupied && e.Occupied <= e.Upper, $"{e}");
                Assert.Equal(new DateTimeOffset(readings[sent - 1].TsTicks, TimeSpan.Zero).AddMinutes(e.HorizonMin), p.GetProperty("at").GetDateTimeOffset());
            }
        }

        // Daytime slots of a Monday: the car park's own Monday profile.
        Assert.All(oracle.View().Forecast.Where(f => f.AtTicks < new DateTime(2016, 11, 28, 16, 30, 0).Ticks), f => Assert.Equal("profile", f.Basis));
        Assert.True(oracle.Model!.Applied > city.ParkingModel.Profiles[Facility].Applied + 15);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_facility_state_stored_before_the_profile_was_kept_still_loads()
    {
        var city = await CityWithModelAsync();
        await using var app = CityTwinHost.Build(SiloHostFixture.Settings(), city);

        // The state as the previous code wrote it to storage (Orleans' binary format, the engine's snapshot as JSON inside).
        var serializer = new OrleansGrainStorageSerializer(app.Services.GetRequiredService<Serializer>());
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "data", "parking-live", "parking-state-before-profile.bin"));
        var stored = serializer.Deserialize<LiveEntityState<ParkingSnapshot>>(new BinaryData(bytes));
        var snapshot = stored!.Snapshot!;
        Assert.Null(snapshot.Profile);
        Assert.Equal((140, 2L, 3L), (snapshot.Occupied, snapshot.Snapshots, stored.AppliedPosition));

        // The grain's engine object from it (as ParkingFacilityGrain.Create does): occupancy and counters kept, the profile from the model file.
        var facility = city.ParkingById[Facility];
        var live = new ParkingLive(facility with { Capacity = 420 }, LiveOptions.Default, snapshot, city.ParkingModel, city.TimeZone);
        Assert.Equal(140, live.Occupied);
        Assert.Equal(3, live.View().Totals.Applied);
        Assert.Equal(city.ParkingModel!.Profiles[Facility].Applied, live.Model!.Applied);
        Assert.Equal(4, live.View().Forecast.Count);

        // Stored again by this code, the profile comes back.
        var again = serializer.Deserialize<LiveEntityState<ParkingSnapshot>>(serializer.Serialize(new LiveEntityState<ParkingSnapshot> { Snapshot = live.Snapshot(), AppliedPosition = 3 }));
        Assert.Equal(live.Model.Export().Sum, again!.Snapshot!.Profile!.Sum);
        Assert.Equal(JsonSerializer.Serialize(live.View().Forecast), JsonSerializer.Serialize(new ParkingLive(facility with { Capacity = 420 }, LiveOptions.Default, again.Snapshot, city.ParkingModel, city.TimeZone).View().Forecast));
    }
}
