using System.Net;
using System.Text.Json;
using CityTwin.Client;
using CityTwin.Cluster.Tests.Postgres;
using CityTwin.Contracts;
using CityTwin.Silo.Security;

namespace CityTwin.Cluster.Tests;

/// <summary>
/// Alerts end to end on a real silo (docs/alerts.md): parking-occupancy counts ingested over HTTP take a facility to
/// near-full and full and back; the registry lists the raises and clears with their values; the SSE endpoint and a
/// cluster client's watch deliver them as they happen; twins keep their alerts apart; only readers may see them.
/// </summary>
[Collection(SiloHostCollection.Name)]
public sealed class AlertsTests(SiloHostFixture host)
{
    private static readonly CityTwin.Engine.City.ParkingFacility Facility = SampleCity.Model.Parking[0];

    private static string NewTwin() => "al-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Occupied spaces at which the facility is at (or just above) a share of its capacity.</summary>
    private static int AtLeast(double share) => (int)Math.Ceiling(share * Facility.Capacity);

    private async Task IngestAsync(string twin, params (DateTimeOffset Ts, long Seq, int Occupied)[] counts)
    {
        var report = await host.Api.IngestAsync(twin, Events.Body(counts.Select(c => Events.Occupancy(Facility.Id, c.Ts, c.Seq, c.Occupied))));
        Assert.Equal((counts.Length, 0), (report.Accepted, report.Rejected));
    }

    [Fact]
    public async Task A_facility_going_near_full_then_full_and_back_is_listed_with_its_raises_and_clears_and_values()
    {
        var twin = NewTwin();
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-30);
        int near = AtLeast(0.90), full = Facility.Capacity, between = AtLeast(0.90) - 1, low = (int)Math.Floor(0.80 * Facility.Capacity);
        Assert.True((double)between / Facility.Capacity is >= 0.85 and < 0.95, "the sample facility is too small for this test");

        await IngestAsync(twin, (t0, 1, AtLeast(0.5)), (t0.AddMinutes(1), 2, near), (t0.AddMinutes(2), 3, full));
        var open = await Events.EventuallyAsync(() => host.Api.GetAlertsAsync(twin), l => l.Alerts.Count == 2);
        Assert.Equal(2, open.Open);
        var nearFull = open.Alerts.Single(a => a.Kind == "near-full");
        var isFull = open.Alerts.Single(a => a.Kind == "full");
        Assert.Equal(($"{twin}/{Facility.Id}/near-full/1", Facility.Id, "parking", "warning", "open"), (nearFull.Id, nearFull.EntityId, nearFull.EntityKind, nearFull.Severity, nearFull.State));
        Assert.Equal((Facility.Placement.DistrictId, Facility.Placement.CellId), (nearFull.DistrictId, nearFull.CellId));
        Assert.Equal(t0.AddMinutes(1).UtcTicks / TimeSpan.TicksPerMillisecond, nearFull.RaisedAt.UtcTicks / TimeSpan.TicksPerMillisecond);
        Assert.Equal((double)near / Facility.Capacity, nearFull.Value, 12);
        Assert.Equal((0.90, 0.85), (nearFull.Threshold, nearFull.ClearBelow));
        Assert.Equal(($"{twin}/{Facility.Id}/full/1", "critical", 1.0, 1.0), (isFull.Id, isFull.Severity, isFull.Value, isFull.Threshold));
        Assert.Equal(isFull.Id, open.Alerts[0].Id); // newest first
        Assert.Contains(Facility.Id, isFull.Message, StringComparison.Ordinal);

        // The district shows the open alerts.
        var district = await Events.EventuallyAsync(() => host.Api.GetAsync<AreaState>($"/api/twins/{twin}/districts/{Facility.Placement.DistrictId}"), d => d.OpenAlerts == 2);
        Assert.Equal(2, district.OpenAlerts);

        // Back below 95% (full clears, near-full stays: hysteresis), then below 85% (near-full clears).
        await IngestAsync(twin, (t0.AddMinutes(3), 4, between), (t0.AddMinutes(4), 5, low));
        var all = await Events.EventuallyAsync(() => host.Api.GetAlertsAsync(twin, includeCleared: true), l => l.Open == 0 && l.Alerts.Count == 2);
        Assert.Empty((await host.Api.GetAlertsAsync(twin)).Alerts);
        var fullCleared = all.Alerts.Single(a => a.Kind == "full");
        var nearCleared = all.Alerts.Single(a => a.Kind == "near-full");
        Assert.Equal(("cleared", t0.AddMinutes(3).ToUnixTimeMilliseconds()), (fullCleared.State, fullCleared.ClearedAt!.Value.ToUnixTimeMilliseconds()));
        Assert.Equal((double)between / Facility.Capacity, fullCleared.ClearValue!.Value, 12);
        Assert.Equal(t0.AddMinutes(4).ToUnixTimeMilliseconds(), nearCleared.ClearedAt!.Value.ToUnixTimeMilliseconds());
        Assert.Equal((double)low / Facility.Capacity, nearCleared.ClearValue!.Value, 12);
        Assert.Equal(1.0, nearCleared.Peak, 12);
        Assert.Equal(4, all.Sequence);

        // Filters.
        Assert.Equal(["full"], (await host.Api.GetAlertsAsync(twin, includeCleared: true, kind: "full")).Alerts.Select(a => a.Kind));
        var other = SampleCity.Model.Districts.First(d => d.Id != Facility.Placement.DistrictId).Id;
        Assert.Empty((await host.Api.GetAlertsAsync(twin, includeCleared: true, district: other)).Alerts);
        var bad = await Assert.ThrowsAsync<CityTwinApiException>(() => host.Api.GetAlertsAsync(twin, kind: "fire"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("near-full", bad.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_event_stream_sends_the_raise_as_a_server_sent_event()
    {
        var twin = NewTwin();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/twins/{twin}/alerts/stream", UriKind.Relative));
        using var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var first = await reader.ReadLineAsync(timeout.Token);
        Assert.StartsWith(": subscribed", first, StringComparison.Ordinal);

        await IngestAsync(twin, (DateTimeOffset.UtcNow.AddMinutes(-2), 1, Facility.Capacity));
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var events = new List<Dictionary<string, string>>();
        while (events.Count < 2 && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0 && fields.Count > 0)
            {
                events.Add(new Dictionary<string, string>(fields, StringComparer.Ordinal));
                fields.Clear();
            }
            else if (!line.StartsWith(':') && line.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon)
            {
                fields[line[..colon]] = line[(colon + 1)..].TrimStart();
            }
        }

        Assert.Equal(["raise", "raise"], events.Select(e => e["event"]));
        Assert.Equal(["1", "2"], events.Select(e => e["id"]));
        var kinds = events.Select(e => JsonDocument.Parse(e["data"]).RootElement).Select(d =>
        {
            Assert.Equal(twin, d.GetProperty("alert").GetProperty("twin").GetString());
            Assert.Equal("open", d.GetProperty("alert").GetProperty("state").GetString());
            return d.GetProperty("alert").GetProperty("kind").GetString();
        });
        Assert.Equal(["full", "near-full"], kinds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_cluster_client_watches_the_alerts_of_its_twin_and_a_reconnecting_subscriber_catches_up()
    {
        var twin = NewTwin();
        var client = (await host.ClientAsync("pia")).ForTwin(twin);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        AlertChange first;
        await using (var watch = await client.WatchAlertsAsync(cancellationToken: timeout.Token))
        {
            await IngestAsync(twin, (DateTimeOffset.UtcNow.AddMinutes(-3), 1, AtLeast(0.9)));
            first = await watch.ReadAllAsync(timeout.Token).FirstAsync(timeout.Token);
            Assert.Equal(("raise", "near-full", twin, 1L), (first.Change, first.Alert.Kind, first.Alert.Twin, first.Sequence));
        }

        // While no one listens the facility fills up; a subscriber that says where it left off gets what it missed.
        await IngestAsync(twin, (DateTimeOffset.UtcNow.AddMinutes(-2), 2, Facility.Capacity));
        await Events.EventuallyAsync(() => client.GetAlertsAsync(), l => l.Open == 2);
        await using (var again = await client.WatchAlertsAsync(after: first.Sequence, cancellationToken: timeout.Token))
        {
            var missed = await again.ReadAllAsync(timeout.Token).FirstAsync(timeout.Token);
            Assert.Equal(("raise", "full", 2L), (missed.Change, missed.Alert.Kind, missed.Sequence));
            Assert.True(again.CaughtUpCompletely);
        }

        // The HTTP client reads the same changes from the event stream (Last-Event-ID: 0 asks for all that are kept).
        var viaSse = await host.As("rex").Api.WatchAlertsAsync(twin, after: 0, timeout.Token).Take(2).ToListAsync(timeout.Token);
        Assert.Equal([(1L, "near-full"), (2L, "full")], viaSse.Select(c => (c.Sequence, c.Alert.Kind)));
        Assert.Equal(first.Alert.Id, viaSse[0].Alert.Id);
        Assert.Equal(first.Alert.RaisedAt, viaSse[0].Alert.RaisedAt);

        // The list through the cluster client agrees.
        Assert.Equal(viaSse.Select(c => c.Alert.Id).Reverse(), (await client.GetAlertsAsync()).Alerts.Select(a => a.Id));
    }

    [Fact]
    public async Task A_twins_alerts_never_reach_another_twin()
    {
        string a = NewTwin(), b = NewTwin();
        await IngestAsync(a, (DateTimeOffset.UtcNow.AddMinutes(-2), 1, Facility.Capacity));
        await IngestAsync(b, (DateTimeOffset.UtcNow.AddMinutes(-2), 1, AtLeast(0.5)));
        var listed = await Events.EventuallyAsync(() => host.Api.GetAlertsAsync(a), l => l.Alerts.Count == 2);
        Assert.All(listed.Alerts, x => Assert.StartsWith(a + "/", x.Id, StringComparison.Ordinal));

        // B has applied its count (its facility is at 50%) and has no alert; live has none of A's.
        await Events.EventuallyAsync(() => host.Api.GetStateJsonAsync(b, "parking", Facility.Id), s => s.RootElement.GetProperty("occupied").GetInt32() == AtLeast(0.5));
        var inB = await host.Api.GetAlertsAsync(b, includeCleared: true);
        Assert.Equal((0, 0L), (inB.Alerts.Count, inB.Sequence));
        Assert.DoesNotContain((await host.Api.GetAlertsAsync(TwinKeys.Live, includeCleared: true)).Alerts, x => x.Twin == a);

        // Deleting a twin deletes its alerts.
        await host.Api.DeleteTwinAsync(a);
        var afterDelete = await host.Api.GetAlertsAsync(a, includeCleared: true);
        Assert.Equal((0, 0L), (afterDelete.Alerts.Count, afterDelete.Sequence));
    }

    [Fact]
    public async Task The_alerts_command_lists_a_twins_open_alerts_and_refuses_an_unknown_kind()
    {
        var twin = NewTwin();
        await IngestAsync(twin, (DateTimeOffset.UtcNow.AddMinutes(-2), 1, Facility.Capacity));
        await Events.EventuallyAsync(() => host.Api.GetAlertsAsync(twin), l => l.Open == 2);
        string[] common = ["--twin", twin, "--cluster", host.Http.BaseAddress!.ToString(), "--token", SiloHostFixture.TokenOf("ana")];

        var (code, output, error) = await CliProcess.RunAsync(["alerts", .. common], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, output + error);
        Assert.Contains($"twin '{twin}': 2 open alert(s)", output, StringComparison.Ordinal);
        Assert.Contains($"[{twin}/{Facility.Id}/full/1]", output, StringComparison.Ordinal);
        Assert.Contains($"[{twin}/{Facility.Id}/near-full/1]", output, StringComparison.Ordinal);

        (code, output, error) = await CliProcess.RunAsync(["alerts", .. common, "--kind", "full", "--json"], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, output + error);
        using var list = JsonDocument.Parse(output);
        Assert.Equal(["full"], list.RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("kind").GetString()));

        (code, _, error) = await CliProcess.RunAsync(["alerts", .. common, "--kind", "fire"], TimeSpan.FromSeconds(60));
        Assert.Equal(2, code);
        Assert.Contains("fire", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_need_a_reader_token_over_http_and_through_the_gateway()
    {
        var twin = NewTwin();
        using var anonymous = host.Anonymous();
        foreach (var path in new[] { $"/api/twins/{twin}/alerts", $"/api/twins/{twin}/alerts/stream" })
        {
            using var none = await anonymous.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            using var sensor = await host.As("sensor-1").Http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Forbidden, sensor.StatusCode);
            Assert.Contains("needs the role operator or planner or researcher or admin", await sensor.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var sensorClient = (await host.ClientAsync("sensor-1")).ForTwin(twin);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => sensorClient.GetAlertsAsync());
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => sensorClient.WatchAlertsAsync());
        Assert.NotNull(GrainCallPolicy.Find(typeof(IAlertRegistryGrain), nameof(IAlertRegistryGrain.ListAsync)));
    }
}
