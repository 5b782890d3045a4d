using System.Collections.Concurrent;
using CityTwin.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CityTwin.Cluster.Tests.Browser;

/// <summary>
/// The dashboard in front of an API that wants a bearer token. The silo is real; the gate in front of <c>/api</c>
/// is this test's own (401 without the right token, 403 for a token that may not read), so that the page's part is
/// tested on its own: it sends <c>Authorization: Bearer</c> when it knows a token and says clearly when it is refused.
/// </summary>
public sealed class DashboardTokenTests : IAsyncLifetime
{
    private const string Good = "dashboard-test-token-1";
    private const string NotAllowed = "dashboard-test-token-readonly-none";
    private readonly ConcurrentQueue<string> _authorizations = new();
    private WebApplication _app = null!;
    private string _base = "";

    public async Task InitializeAsync()
    {
        var settings = SiloSettings.OnFreeLoopbackPorts();
        _app = CityTwinHost.Build(settings, CityTwinHost.LoadCity(settings));
        _app.Use(async (http, next) =>
        {
            if (!http.Request.Path.StartsWithSegments("/api"))
            {
                await next(http);
                return;
            }

            var header = http.Request.Headers.Authorization.ToString();
            _authorizations.Enqueue(header);
            http.Response.StatusCode = header switch
            {
                "Bearer " + Good => StatusCodes.Status200OK,
                "Bearer " + NotAllowed => StatusCodes.Status403Forbidden,
                _ => StatusCodes.Status401Unauthorized,
            };
            if (http.Response.StatusCode == StatusCodes.Status200OK)
            {
                await next(http);
            }
        });
        await _app.StartAsync();
        _base = CityTwinHost.Addresses(_app)[0];
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [SkippableFact]
    public async Task Without_a_token_the_page_loads_and_says_the_api_needs_one_and_offers_the_token_field()
    {
        Chromium.Require();
        var (dom, log) = await Chromium.DumpDomAsync(_base + "/");
        Assert.Empty(Chromium.PageErrors(log));
        var message = Chromium.Elements(dom, "div", "id", "message").Single();
        Assert.Contains("401 Unauthorized: it needs a bearer token", message, StringComparison.Ordinal);
        Assert.Contains("style=\"display: flex;\"", Chromium.Elements(dom, "form", "id", "tokenForm").Single(), StringComparison.Ordinal);
        Assert.Empty(Chromium.Elements(dom, "tr", "data-signal", SampleCity.Model.Signals[0].Id));
        Assert.All(_authorizations, a => Assert.Equal("", a));
    }

    [SkippableFact]
    public async Task A_token_in_the_fragment_is_sent_as_bearer_and_the_twin_is_shown()
    {
        Chromium.Require();
        var (dom, log) = await Chromium.DumpDomAsync(_base + "/dashboard#token=" + Good);
        Assert.Empty(Chromium.PageErrors(log));
        Assert.Equal("<div id=\"message\" class=\"msg info\" style=\"display: none;\"></div>", Chromium.Elements(dom, "div", "id", "message").Single());
        Assert.Single(Chromium.Elements(dom, "tr", "data-signal", SampleCity.Model.Signals[0].Id));
        Assert.Contains("Bearer " + Good, _authorizations);
        Assert.DoesNotContain(Good, dom, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_refused_token_gets_a_clear_403_message()
    {
        Chromium.Require();
        var (dom, _) = await Chromium.DumpDomAsync(_base + "/?twin=live#token=" + NotAllowed);
        Assert.Contains("403 Forbidden: the token is valid but may not read twin 'live'", Chromium.Elements(dom, "div", "id", "message").Single(), StringComparison.Ordinal);
        Assert.Contains("Bearer " + NotAllowed, _authorizations);
    }
}
