using System.Net;
using System.Text.Json;
using CityTwin.Contracts;

namespace CityTwin.Cluster.Tests;

/// <summary>Parking guidance through HTTP on a real silo, and through the typed client on the test cluster.</summary>
[Collection(SiloHostCollection.Name)]
public sealed class ParkingGuidanceHttpTests(SiloHostFixture host)
{
    private static string NewTwin() => "guide-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task A_full_facility_at_the_destination_sends_the_driver_to_the_nearest_one_with_space()
    {
        var twin = NewTwin();
        var city = SampleCity.Model;
        var p1 = city.ParkingById["P-01"];
        var p2 = city.ParkingById["P-02"];
        var now = DateTimeOffset.UtcNow.AddMinutes(-1);
        var report = await host.Api.IngestAsync(twin, Events.Body(
            Events.Occupancy("P-01", now, 1, p1.Capacity),
            Events.Occupancy("P-02", now, 1, 10)));
        Assert.Equal(2, report.Accepted);
        await Events.EventuallyAsync(() => host.Api.GetAsync<ParkingState>($"/api/twins/{twin}/parking/P-02"), s => s.Occupied == 10, TimeSpan.FromSeconds(5));

        var answer = await host.Api.GetParkingGuidanceAsync(twin, new ParkingGuidanceRequest(p1.Location.X, p1.Location.Y, null, 100, 5000));

        var ids = answer.Options.Select(o => o.Id).ToArray();
        Assert.Equal("P-02", ids[0]);
        Assert.Equal(("likely", "live", p2.Capacity - 10.0), (answer.Options[0].Availability, answer.Options[0].Basis, answer.Options[0].ExpectedFree));
        Assert.Equal("P-01", ids[^1]);
        Assert.Equal(("full", 0.0), (answer.Options[^1].Availability, Math.Round(answer.Options[^1].DistanceM, 6)));

        // The facilities without data sit between them, nearest first.
        var unknown = answer.Options.Skip(1).SkipLast(1).ToArray();
        Assert.All(unknown, o => Assert.Equal(("unknown", "noData"), (o.Availability, o.Basis)));
        Assert.Equal(unknown.Select(o => o.DistanceM).Order(), unknown.Select(o => o.DistanceM));
        Assert.Equal(answer.Considered, answer.Options.Count);
        Assert.Equal(answer.Clock, answer.Arrival);
        Assert.Equal(twin, answer.Twin);
    }

    [Fact]
    public async Task The_json_names_availability_and_basis_in_words()
    {
        var p1 = SampleCity.Model.ParkingById["P-01"];
        using var response = await host.Http.GetAsync(new Uri(
            FormattableString.Invariant($"/api/twins/{NewTwin()}/parking/guidance?lon={p1.Location.X}&lat={p1.Location.Y}&limit=2&arrival=2026-11-23T08:30:00%2B01:00"),
            UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var first = doc.RootElement.GetProperty("options")[0];
        Assert.Equal("P-01", first.GetProperty("id").GetString());
        Assert.Equal("unknown", first.GetProperty("availability").GetString());
        Assert.Equal("noData", first.GetProperty("basis").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("options").GetArrayLength());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 7, 30, 0, TimeSpan.Zero), doc.RootElement.GetProperty("arrival").GetDateTimeOffset());
    }

    [Theory]
    [InlineData("lat=52.1", "lon: required")]
    [InlineData("lon=abc&lat=52.1", "lon: must be a number")]
    [InlineData("lon=9.3&lat=95", "lat: must be a latitude")]
    [InlineData("lon=9.3&lat=52.1&limit=0", "limit: must be 1-100")]
    [InlineData("lon=9.3&lat=52.1&limit=2.5", "limit: must be a whole number")]
    [InlineData("lon=9.3&lat=52.1&maxDistanceM=-1", "maxDistanceM: must be above 0")]
    [InlineData("lon=9.3&lat=52.1&arrival=tomorrow", "arrival: must be an ISO 8601 time")]
    public async Task A_bad_query_is_a_400_naming_the_parameter(string query, string expected)
    {
        using var response = await host.Http.GetAsync(new Uri($"/api/twins/{NewTwin()}/parking/guidance?{query}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(expected, doc.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_facility_still_reads_by_its_id()
    {
        using var response = await host.Http.GetAsync(new Uri($"/api/twins/{NewTwin()}/parking/P-01", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>Parking guidance through the typed .NET client on the two-silo test cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ParkingGuidanceClientTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_facility_filling_up_is_judged_by_its_forecast_at_the_arrival_time()
    {
        var twin = "guide-" + Guid.NewGuid().ToString("N")[..12];
        var client = fixture.ClientFor(twin);
        var p1 = SampleCity.Model.ParkingById["P-01"];
        var start = DateTimeOffset.UtcNow.AddMinutes(-40);

        // 10 entries a minute for 30 minutes from empty: 300 of 420 occupied, and the trend forecast (300 in the
        // last 60 min) expects 450 in 30 minutes, clamped to the capacity: full.
        var lines = new List<string> { Events.Occupancy("P-01", start, 1, 0) };
        var seq = 1L;
        for (var m = 10; m < 40; m++)
        {
            for (var i = 0; i < 10; i++)
            {
                lines.Add(Events.Parking("P-01", start.AddMinutes(m).AddSeconds(i), ++seq, "entry"));
            }
        }

        var report = await client.IngestAsync(Events.Body(lines));
        Assert.Equal(lines.Count, report.Accepted);
        var state = await Events.EventuallyAsync(() => client.GetParkingAsync("P-01"), s => s.Occupied == 300, TimeSpan.FromSeconds(5));
        Assert.Equal(420, state.Forecast[^1].Occupied);

        var now = await client.GetParkingGuidanceAsync(new ParkingGuidanceRequest(p1.Location.X, p1.Location.Y, Limit: 100));
        var first = now.Options[0];
        Assert.Equal(("P-01", "likely", "live", 120.0), (first.Id, first.Availability, first.Basis, first.ExpectedFree));

        var later = await client.GetParkingGuidanceAsync(new ParkingGuidanceRequest(p1.Location.X, p1.Location.Y, state.AsOf!.Value.AddMinutes(60), Limit: 100));
        var last = later.Options[^1];
        Assert.Equal(("P-01", "full", "forecast", 0.0), (last.Id, last.Availability, last.Basis, last.ExpectedFree));
        Assert.All(later.Options.SkipLast(1), o => Assert.Equal("unknown", o.Availability));
    }
}
