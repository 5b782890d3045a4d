using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityTwin.Contracts;

namespace CityTwin.Cluster.Tests;

[Collection(SiloHostCollection.Name)]
public sealed class HttpApiTests(SiloHostFixture host)
{
    private static string NewTwin() => "http-" + Guid.NewGuid().ToString("N")[..12];

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Health_answers_200_when_ready()
    {
        using var response = await host.Http.GetAsync(new Uri("/api/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ingest_counts_every_line_once_and_state_shows_the_event_within_a_second()
    {
        var twin = NewTwin();
        var detector = SampleCity.Model.Detectors.First(d => d.SignalId is not null && d.LaneGroupId is null);
        var now = DateTimeOffset.UtcNow;
        var body = Events.Body(
            Events.Detector(detector.Id, now.AddMinutes(-2), 1, 20),
            Events.Detector(detector.Id, now.AddMinutes(-1), 2, 20),
            Events.Detector(detector.Id, now.AddMinutes(-1), 2, 20),
            """{"type":"detector","sensor":"X"}""");
        var started = DateTime.UtcNow;
        var report = await host.Api.IngestAsync(twin, body);
        Assert.Equal((2, 1, 1), (report.Accepted, report.Duplicates, report.Rejected));
        Assert.Equal(4, report.Errors.Single().Line);

        var state = await Events.EventuallyAsync(
            () => host.Api.GetAsync<SignalState>($"/api/twins/{twin}/signals/{detector.SignalId}"),
            s => s.Counters.Applied == 2,
            TimeSpan.FromSeconds(1));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1.5));
        Assert.Equal(1200, state.Approaches.Single(a => a.Id == detector.ApproachId).FlowVehH!.Value, 6);
    }

    [Fact]
    public async Task Ingest_answer_is_json_with_the_contract_fields()
    {
        using var content = new ByteArrayContent(Events.Body("garbage"));
        using var response = await host.Http.PostAsync(new Uri($"/api/twins/{NewTwin()}/ingest", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        Assert.Equal(0, root.GetProperty("accepted").GetInt32());
        Assert.Equal(0, root.GetProperty("duplicates").GetInt32());
        Assert.Equal(1, root.GetProperty("rejected").GetInt32());
        Assert.Equal(1, root.GetProperty("errors")[0].GetProperty("line").GetInt32());
        Assert.Contains("invalid JSON", root.GetProperty("errors")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413()
    {
        var big = new byte[SiloHostFixture.MaxIngestBytes + 1];
        Array.Fill(big, (byte)' ');
        using var content = new ByteArrayContent(big);
        using var response = await host.Http.PostAsync(new Uri($"/api/twins/{NewTwin()}/ingest", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains("at most", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_refused_with_413()
    {
        var big = new byte[SiloHostFixture.MaxIngestBytes * 2];
        Array.Fill(big, (byte)'\n');
        using var content = new StreamContent(new MemoryStream(big));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/twins/{NewTwin()}/ingest", UriKind.Relative)) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_entity_is_404_problem_details()
    {
        using var response = await host.Http.GetAsync(new Uri("/api/twins/live/signals/S-999", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("the city has no signal 'S-999'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Invalid_twin_id_is_400_problem_details()
    {
        using var response = await host.Http.GetAsync(new Uri("/api/twins/" + new string('x', 65) + "/signals/S-01", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains("is not a twin id", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("signal")]
    [InlineData("parking")]
    [InlineData("detector")]
    [InlineData("cell")]
    [InlineData("district")]
    public async Task Entities_of_each_kind_are_listed_with_district_and_cell(string kind)
    {
        var list = await host.Http.GetFromJsonAsync<List<EntityInfo>>(new Uri($"/api/twins/live/entities?kind={kind}", UriKind.Relative));
        Assert.NotNull(list);
        var expected = SampleCity.Model.List(CityTwin.Silo.HttpApi.Kinds[kind]);
        Assert.Equal(expected.Select(e => e.Id), list.Select(e => e.Id));
        if (kind is "signal" or "parking" or "detector")
        {
            Assert.All(list, e => Assert.False(string.IsNullOrEmpty(e.DistrictId) || string.IsNullOrEmpty(e.CellId)));
        }
    }

    [Fact]
    public async Task Unknown_kind_is_400()
    {
        using var response = await host.Http.GetAsync(new Uri("/api/twins/live/entities?kind=tram", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await ProblemAsync(response);
    }

    [Fact]
    public async Task Parking_cell_and_district_states_are_readable()
    {
        var twin = NewTwin();
        var p = SampleCity.Model.Parking[0];
        var report = await host.Api.IngestAsync(twin, Events.Body(Events.Occupancy(p.Id, DateTimeOffset.UtcNow.AddMinutes(-1), 1, p.Capacity / 2)));
        Assert.Equal(1, report.Accepted);
        var state = await Events.EventuallyAsync(() => host.Api.GetAsync<ParkingState>($"/api/twins/{twin}/parking/{p.Id}"), s => s.Snapshots == 1);
        Assert.Equal(p.Capacity / 2, state.Occupied);
        var cell = await Events.EventuallyAsync(() => host.Api.GetAsync<AreaState>($"/api/twins/{twin}/cells/{p.Placement.CellId}"), c => c.FacilitiesReporting == 1);
        Assert.Equal("cell", cell.Kind);
        var district = await Events.EventuallyAsync(() => host.Api.GetAsync<AreaState>($"/api/twins/{twin}/districts/{p.Placement.DistrictId}"), d => d.FacilitiesReporting == 1);
        Assert.Equal(p.Capacity / 2, district.Occupied);
    }
}
