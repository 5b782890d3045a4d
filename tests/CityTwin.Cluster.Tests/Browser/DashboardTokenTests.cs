namespace CityTwin.Cluster.Tests.Browser;

/// <summary>
/// The dashboard in front of the real API, which wants a bearer token (docs/security.md): the page itself loads
/// without one, sends <c>Authorization: Bearer</c> when it knows a token (the rows of the signals only come back
/// when the API accepted it) and says clearly when it is refused (401 without a token, 403 for a token whose role
/// may not read).
/// </summary>
[Collection(SiloHostCollection.Name)]
public sealed class DashboardTokenTests(SiloHostFixture host)
{
    private string Base => host.Http.BaseAddress!.AbsoluteUri.TrimEnd('/');

    [SkippableFact]
    public async Task Without_a_token_the_page_loads_and_says_the_api_needs_one_and_offers_the_token_field()
    {
        Chromium.Require();
        var (dom, log) = await Chromium.DumpDomAsync(Base + "/");
        Assert.Empty(Chromium.PageErrors(log));
        var message = Chromium.Elements(dom, "div", "id", "message").Single();
        Assert.Contains("401 Unauthorized: it needs a bearer token", message, StringComparison.Ordinal);
        Assert.Contains("style=\"display: flex;\"", Chromium.Elements(dom, "form", "id", "tokenForm").Single(), StringComparison.Ordinal);
        Assert.Empty(Chromium.Elements(dom, "tr", "data-signal", SampleCity.Model.Signals[0].Id));
    }

    [SkippableFact]
    public async Task A_token_in_the_fragment_is_sent_as_bearer_and_the_twin_is_shown()
    {
        Chromium.Require();
        var token = SiloHostFixture.TokenOf("ana");
        var (dom, log) = await Chromium.DumpDomAsync(Base + "/dashboard#token=" + token);
        Assert.Empty(Chromium.PageErrors(log));
        Assert.Equal("<div id=\"message\" class=\"msg info\" style=\"display: none;\"></div>", Chromium.Elements(dom, "div", "id", "message").Single());
        Assert.Single(Chromium.Elements(dom, "tr", "data-signal", SampleCity.Model.Signals[0].Id));
        Assert.DoesNotContain(token, dom, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_refused_token_gets_a_clear_403_message()
    {
        Chromium.Require();
        var (dom, _) = await Chromium.DumpDomAsync(Base + "/?twin=live#token=" + SiloHostFixture.TokenOf("sensor-1"));
        Assert.Contains("403 Forbidden: the token is valid but may not read twin 'live'", Chromium.Elements(dom, "div", "id", "message").Single(), StringComparison.Ordinal);
        Assert.Empty(Chromium.Elements(dom, "tr", "data-signal", SampleCity.Model.Signals[0].Id));
    }
}
