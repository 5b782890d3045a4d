using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CityTwin.Contracts;

namespace CityTwin.Cluster.Tests.Browser;

/// <summary>The dashboard (<c>GET /</c>) of a real silo, opened in headless Chromium.</summary>
[Collection(SiloHostCollection.Name)]
public sealed class DashboardBrowserTests(SiloHostFixture host)
{
    [SkippableFact]
    public async Task Dashboard_in_a_browser_shows_every_signal_and_the_live_numbers_the_api_reports()
    {
        Chromium.Require();
        var twin = "dash-" + Guid.NewGuid().ToString("N")[..10];
        var now = DateTimeOffset.UtcNow;
        var signal = SampleCity.Model.Signals[0];
        var facility = SampleCity.Model.Parking[0];
        var occupied = Math.Min(facility.Capacity, 137);
        var lines = SampleCity.Model.Detectors.Where(d => d.SignalId == signal.Id)
            .SelectMany(d => Enumerable.Range(1, 5).Select(m => Events.Detector(d.Id, now.AddMinutes(m - 6), m, 6 + (m % 4))))
            .Append(Events.Occupancy(facility.Id, now.AddMinutes(-1), 1, occupied))
            .ToList();
        var report = await host.Api.IngestAsync(twin, Events.Body(lines));
        Assert.Equal(lines.Count, report.Accepted);

        var state = await Events.EventuallyAsync(
            () => host.Api.GetAsync<TwinSnapshotData>($"/api/twins/{twin}/snapshot"),
            s => s.Parking.Single(p => p.Id == facility.Id).Occupied == occupied && s.Signals.Single(x => x.Id == signal.Id).TotalFlowVehH > 0,
            TimeSpan.FromSeconds(30));
        var signalState = state.Signals.Single(x => x.Id == signal.Id);
        var parkingState = state.Parking.Single(p => p.Id == facility.Id);

        var (dom, log) = await Chromium.DumpDomAsync(new Uri(host.Http.BaseAddress!, $"/?twin={twin}&refresh=2#token={SiloHostFixture.TokenOf("admin")}").AbsoluteUri);
        Assert.Empty(Chromium.PageErrors(log));
        Assert.Equal("<div id=\"message\" class=\"msg info\" style=\"display: none;\"></div>", Chromium.Elements(dom, "div", "id", "message").Single());
        Assert.Contains("<td id=\"status\">ready</td>", dom, StringComparison.Ordinal);

        // Every signal of the city has its row: the rows come from the API, the static page has none.
        foreach (var s in SampleCity.Model.Signals)
        {
            Assert.Single(Chromium.Elements(dom, "tr", "data-signal", s.Id));
        }

        var row = Chromium.Elements(dom, "tr", "data-signal", signal.Id).Single();
        Assert.Contains($">{signalState.Plan.Id} (", row, StringComparison.Ordinal);
        Assert.Contains($">{signalState.DistrictId}<", row, StringComparison.Ordinal);
        Assert.Contains($"total-flow\">{Whole(signalState.TotalFlowVehH)}<", row, StringComparison.Ordinal);
        foreach (var approach in signalState.Approaches.Where(a => a.FlowVehH is not null))
        {
            var flow = Regex.Escape(Whole(approach.FlowVehH!.Value));
            var dos = Regex.Escape(approach.DegreeOfSaturation!.Value.ToString("0.00", CultureInfo.InvariantCulture));
            Assert.Matches($"data-approach=\"{Regex.Escape(approach.Id)}\"><b>[^<]*</b> <span class=\"flow\">{flow}</span> veh/h, x=<span class=\"dos [a-z-]+\">{dos}</span>", row);
        }

        var parkingRow = Chromium.Elements(dom, "tr", "data-parking", facility.Id).Single();
        Assert.Contains($"occupied\">{Whole(occupied)} / {Whole(facility.Capacity)}<", parkingRow, StringComparison.Ordinal);
        Assert.Contains($"ratio\">{Whole(parkingState.OccupancyRatio * 100)}%<", parkingRow, StringComparison.Ordinal);
        Assert.Matches("width: [0-9.]+%", parkingRow);
        if (parkingState.Forecast.Count > 0)
        {
            Assert.Contains($"+{parkingState.Forecast[0].HorizonMin} min {Whole(parkingState.Forecast[0].OccupancyRatio * 100)}%", parkingRow, StringComparison.Ordinal);
        }

        foreach (var d in SampleCity.Model.Districts)
        {
            Assert.Single(Chromium.Elements(dom, "tr", "data-district", d.Id));
        }
    }

    [Fact]
    public async Task Dashboard_page_is_served_without_a_token_and_loads_nothing_from_elsewhere()
    {
        foreach (var path in new[] { "/", "/dashboard" })
        {
            using var response = await host.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("<title>CityTwin dashboard</title>", html, StringComparison.Ordinal);
            Assert.Empty(Chromium.ExternalReferences(html));
            Assert.DoesNotMatch("Bearer [A-Za-z0-9._~+/-]{8,}", html);
        }
    }

    /// <summary>A whole number as the page prints it (en locale: thousands separated by commas).</summary>
    private static string Whole(double v) => Math.Round(v, MidpointRounding.AwayFromZero).ToString("#,0", CultureInfo.InvariantCulture);
}
