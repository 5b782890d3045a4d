using System.Net;
using System.Text;
using System.Text.Json;
using CityTwin.Client;
using CityTwin.Contracts;
using CityTwin.Silo;
using CityTwin.Silo.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Cluster.Tests;

/// <summary>
/// Who may call what, driven by the access policy table and the endpoints the application maps: every
/// mapped endpoint has a rule; without a token it is 401, with a role the rule does not name 403, with one it
/// names 2xx; all refusals are problem details.
/// </summary>
[Collection(SiloHostCollection.Name)]
public sealed class AccessControlTests(SiloHostFixture host)
{
    private static string NewTwin() => "authz-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Every endpoint the application maps: method and route pattern.</summary>
    private static IReadOnlyList<(string Method, string Pattern)> Endpoints(WebApplication app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (m, e.RoutePattern.RawText!)))
            .ToArray();

    [Fact]
    public void Every_mapped_api_endpoint_has_a_rule_in_the_access_policy()
    {
        var endpoints = Endpoints(host.App);
        Assert.True(endpoints.Count >= 16, $"only {endpoints.Count} endpoints found: {string.Join(", ", endpoints)}");
        var missing = endpoints.Where(e => AccessPolicy.Find(e.Method, e.Pattern) is null).Select(e => $"{e.Method} {e.Pattern}").ToArray();
        Assert.True(missing.Length == 0, "endpoints without a rule in AccessPolicy.Rules: " + string.Join(", ", missing));
        // Outside /api only the dashboard page, which is open (it holds no data; its API calls carry the token).
        Assert.Equal(["/", "/dashboard"], endpoints.Where(e => !e.Pattern.StartsWith("/api/", StringComparison.Ordinal)).Select(e => e.Pattern).Order(StringComparer.Ordinal));
        Assert.All(endpoints.Where(e => !e.Pattern.StartsWith("/api/", StringComparison.Ordinal)), e => Assert.True(AccessPolicy.Find(e.Method, e.Pattern)!.Open, e.Pattern));
    }

    [Fact]
    public async Task Every_endpoint_is_401_without_a_token_403_with_a_role_it_does_not_name_and_2xx_with_one_it_does()
    {
        var checkedCalls = 0;
        foreach (var (method, pattern) in Endpoints(host.App))
        {
            var rule = AccessPolicy.Find(method, pattern)!;
            using (var anonymous = host.Anonymous())
            {
                var (status, problem) = await CallAsync(anonymous, method, pattern, NewTwin());
                if (rule.Open)
                {
                    Assert.True(status == HttpStatusCode.OK, $"{method} {pattern} is open but answered {status}");
                    continue;
                }

                AssertProblem(HttpStatusCode.Unauthorized, "needs a token", status, problem, $"{method} {pattern} without a token");
            }

            foreach (var (name, roles) in SiloHostFixture.Tokens)
            {
                var twin = NewTwin();
                var allowed = roles.Any(rule.Roles.Contains) || roles.Any(rule.OwnTwinRoles.Contains);
                if (allowed && pattern.EndsWith("/rollback", StringComparison.Ordinal))
                {
                    // Something to roll back to.
                    await host.As("admin").Api.ApplyPlanAsync(twin, Plans.Signal, new PlanApplyRequest(Plans.Safe("authz", 3), "", "setup", null));
                }

                if (allowed && method != "POST" && pattern.TrimEnd('/') is "/api/twins/{twin}" or "/api/twins/{twin}/kpis")
                {
                    // A replay twin to delete or to read the KPI series of.
                    await SendAsync(host.As(roles.Contains(ApiRoles.Researcher) ? name : "admin").Http, "POST", "/api/twins", TwinBody(twin));
                }

                var (status, problem) = await CallAsync(host.As(name).Http, method, pattern, twin);
                if (allowed)
                {
                    Assert.True((int)status is >= 200 and < 300, $"{method} {pattern} as '{name}' ({string.Join(",", roles)}): {status} {problem}");
                }
                else
                {
                    AssertProblem(HttpStatusCode.Forbidden, $"the token '{name}' has the role {string.Join(", ", roles)}", status, problem, $"{method} {pattern} as {name}");
                }

                checkedCalls++;
            }
        }

        var closed = Endpoints(host.App).Count(e => !AccessPolicy.Find(e.Method, e.Pattern)!.Open);
        Assert.Equal(closed * SiloHostFixture.Tokens.Count, checkedCalls);
    }

    [Fact]
    public async Task A_bad_or_malformed_token_is_401_with_problem_details()
    {
        using var http = host.Anonymous();
        foreach (var (header, expected) in new[] { ("Bearer ct_nottherightone", "the token is not known"), ("Basic YWRtaW46YWRtaW4=", "must be 'Bearer TOKEN'"), ("Bearer ", "must be 'Bearer TOKEN'") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cluster");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            using var response = await http.SendAsync(request);
            var (status, problem) = await ReadAsync(response);
            AssertProblem(HttpStatusCode.Unauthorized, expected, status, problem, header);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_researcher_writes_only_into_the_twins_it_created_and_never_into_live()
    {
        var twin = NewTwin();
        var line = Encoding.UTF8.GetBytes(Events.Detector("DET-S01-E", DateTimeOffset.UtcNow.AddMinutes(-1), 1, 10) + "\n");
        Assert.Equal(1, (await host.As("rex").Api.IngestAsync(twin, line)).Accepted);

        var other = await Assert.ThrowsAsync<CityTwinApiException>(() => host.As("rita").Api.IngestAsync(twin, line));
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);
        Assert.Contains($"twin '{twin}' was created by 'rex'", other.Detail, StringComparison.Ordinal);

        var live = await Assert.ThrowsAsync<CityTwinApiException>(() => host.As("rex").Api.IngestAsync(TwinKeys.Live, line));
        Assert.Equal(HttpStatusCode.Forbidden, live.Status);
        Assert.Contains("the live twin belongs to no researcher", live.Detail, StringComparison.Ordinal);

        // Reading is for every reader, whoever created the twin.
        var state = await host.As("rita").Api.GetStateJsonAsync(twin, "signals", "S-01");
        Assert.Equal(twin, state.RootElement.GetProperty("twin").GetString());
    }

    [Fact]
    public async Task An_endpoint_missing_from_the_policy_is_refused_even_to_admin_and_the_rate_limit_answers_429_with_retry_after()
    {
        var settings = SiloHostFixture.Settings() with { RateLimitPerSecond = 1, RateLimitBurst = 3 };
        await using var app = CityTwinHost.Build(settings, SampleCity.Model);
        app.MapGet("/api/forgotten", () => Results.Ok("should never be reached"));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(CityTwinHost.Addresses(app)[0]) };
        CityTwinHttpClient.Authorize(http, SiloHostFixture.TokenOf("admin"));

        var (status, problem) = await ReadAsync(await http.GetAsync(new Uri("/api/forgotten", UriKind.Relative)));
        AssertProblem(HttpStatusCode.Forbidden, "GET /api/forgotten has no rule in the access policy", status, problem, "forgotten endpoint");

        // The bucket holds 3 and refills 1 a second: 2 more pass at once, then 429.
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 10 && refused is null; i++)
        {
            var response = await http.GetAsync(new Uri("/api/cluster", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            var (tooMany, body) = await ReadAsync(refused);
            AssertProblem(HttpStatusCode.TooManyRequests, "from 'token admin'", tooMany, body, "rate limit");
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.ToString());
        }

        // Another token has its own bucket.
        using var other = new HttpClient { BaseAddress = http.BaseAddress };
        CityTwinHttpClient.Authorize(other, SiloHostFixture.TokenOf("pia"));
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync(new Uri("/api/cluster", UriKind.Relative))).StatusCode);
        await app.StopAsync();
    }

    private static void AssertProblem(HttpStatusCode expected, string detail, HttpStatusCode status, JsonElement problem, string what)
    {
        Assert.True(status == expected, $"{what}: expected {expected}, got {status} {problem}");
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private string? _scenarioId;

    private static StringContent TwinBody(string twin) =>
        new(JsonSerializer.Serialize(new { id = twin, kind = "replay", kpiIntervalS = 900 }), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> SendAsync(HttpClient http, string method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)) { Content = content };
        using var response = await http.SendAsync(request);
        var (status, body) = await ReadAsync(response);
        Assert.True((int)status is >= 200 and < 300, $"setup {method} {path}: {status} {body}");
        return body;
    }

    /// <summary>Calls an endpoint with a request that succeeds when the caller may make it.</summary>
    private async Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(HttpClient http, string method, string pattern, string twin)
    {
        if (pattern == "/api/scenarios/{id}")
        {
            _scenarioId ??= (await SendAsync(host.As("admin").Http, "POST", "/api/scenarios", new StringContent(TinyScenario.Script, Encoding.UTF8, "application/yaml"))).GetProperty("id").GetString();
            pattern = "/api/scenarios/" + _scenarioId;
        }

        if (pattern.EndsWith("/recommendation/{evidenceId}", StringComparison.Ordinal))
        {
            var kept = await SendAsync(host.As("admin").Http, "GET", $"/api/twins/{twin}/signals/{Plans.Signal}/recommendation", null);
            pattern = pattern.Replace("{evidenceId}", kept.GetProperty("evidenceId").GetString(), StringComparison.Ordinal);
        }

        var path = pattern.Replace("{twin}", twin, StringComparison.Ordinal);
        path = path.Replace("/signals/{id}", "/signals/" + Plans.Signal, StringComparison.Ordinal)
            .Replace("/parking/{id}", "/parking/" + SampleCity.Model.Parking[0].Id, StringComparison.Ordinal)
            .Replace("/cells/{id}", "/cells/" + SampleCity.Model.Cells[0].Id, StringComparison.Ordinal)
            .Replace("/districts/{id}", "/districts/" + SampleCity.Model.Districts[0].Id, StringComparison.Ordinal);
        Assert.DoesNotContain("{", path, StringComparison.Ordinal);
        var p = SampleCity.Model.Parking[0].Location;
        path += pattern switch
        {
            "/api/twins/{twin}/entities" => "?kind=signal",
            "/api/twins/{twin}/parking/guidance" => $"?lon={p.X.ToString(System.Globalization.CultureInfo.InvariantCulture)}&lat={p.Y.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            "/api/twins/{twin}/kpis" => "?through=2026-01-01T00:00:00Z",
            _ => "",
        };
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        request.Content = pattern switch
        {
            "/api/twins/{twin}/ingest" => new StringContent(Events.Detector("DET-S01-E", DateTimeOffset.UtcNow.AddMinutes(-1), 1, 12) + "\n", Encoding.UTF8, "application/x-ndjson"),
            "/api/twins/{twin}/signals/{id}/plan" => new StringContent(
                JsonSerializer.Serialize(new { plan = Plans.Safe("authz-" + Guid.NewGuid().ToString("N")[..6], 2), why = "access test" }, CityTwinHttpClient.Json), Encoding.UTF8, "application/json"),
            "/api/twins/{twin}/signals/{id}/plan/rollback" => new StringContent("""{"why":"access test"}""", Encoding.UTF8, "application/json"),
            "/api/scenarios" => new StringContent(TinyScenario.Script, Encoding.UTF8, "application/yaml"),
            "/api/twins" => TwinBody(twin),
            _ => null,
        };
        if (pattern.EndsWith("/alerts/stream", StringComparison.Ordinal))
        {
            // An event stream does not end: its status and type are all there is to check (a refusal is problem details as usual).
            using var events = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (events.IsSuccessStatusCode)
            {
                Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
                return (events.StatusCode, default);
            }

            return await ReadAsync(events);
        }

        using var response = await http.SendAsync(request);
        return await ReadAsync(response);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        if (response.Content.Headers.ContentType?.MediaType is { } media && !media.Contains("json", StringComparison.Ordinal))
        {
            return (response.StatusCode, default);
        }

        using var doc = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return (response.StatusCode, doc.RootElement.Clone());
    }
}
