using System.Net;
using System.Text;
using System.Text.Json;
using CityTwin.Client;
using CityTwin.Contracts;

namespace CityTwin.Cluster.Tests;

/// <summary>The signal control API over HTTP against a real silo on loopback.</summary>
[Collection(SiloHostCollection.Name)]
public sealed class SignalControlHttpTests(SiloHostFixture host)
{
    private const string Signal = Plans.Signal;

    private static string NewTwin() => "httpctl-" + Guid.NewGuid().ToString("N")[..12];

    private static string PlanPath(string twin, string signal = Signal) => $"/api/twins/{twin}/signals/{signal}/plan";

    private static TimingPlanInfo Design => Plans.Info(Plans.Site.Plan);

    private async Task<(HttpStatusCode Status, JsonElement Body, string? MediaType)> SendAsync(HttpMethod method, string path, string? json, string caller = "ana")
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await host.As(caller).Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return (response.StatusCode, doc.RootElement.Clone(), response.Content.Headers.ContentType?.MediaType);
    }

    private static string ApplyBody(TimingPlanInfo plan, string who = "ana", string why = "evening peak", string? evidenceId = "ev-7") =>
        JsonSerializer.Serialize(new PlanApplyRequest(plan, who, why, evidenceId), CityTwinHttpClient.Json);

    [Fact]
    public async Task A_safe_plan_put_over_http_is_applied_and_read_back_in_the_plan_and_the_live_state()
    {
        var twin = NewTwin();
        var plan = Plans.Safe("http-pm-1", 6);

        var (status, body, _) = await SendAsync(HttpMethod.Put, PlanPath(twin), ApplyBody(plan));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("applied", body.GetProperty("status").GetString());
        var entry = body.GetProperty("entry");
        Assert.Equal(1, entry.GetProperty("sequence").GetInt64());
        Assert.Equal("apply", entry.GetProperty("action").GetString());
        Assert.Equal("ana", entry.GetProperty("who").GetString());
        Assert.Equal("evening peak", entry.GetProperty("why").GetString());
        Assert.Equal("ev-7", entry.GetProperty("evidenceId").GetString());
        Assert.Equal("http-pm-1", entry.GetProperty("planId").GetString());

        var current = await host.Api.GetPlanAsync(twin, Signal);
        Plans.Same(plan, current.Plan);
        Assert.False(current.IsDesignPlan);
        var live = await host.Api.GetAsync<SignalState>($"/api/twins/{twin}/signals/{Signal}");
        Plans.Same(plan, live.Plan);
    }

    [Fact]
    public async Task An_unsafe_plan_is_422_problem_details_listing_every_broken_rule_with_phase_required_and_actual()
    {
        var twin = NewTwin();
        var plan = Plans.WithPhase(Plans.Safe("http-unsafe"), 0, p => p with { GreenS = 2, AmberS = 7 });
        plan = plan with { CycleS = 500 };

        var (status, body, mediaType) = await SendAsync(HttpMethod.Put, PlanPath(twin), ApplyBody(plan));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("application/problem+json", mediaType);
        var violations = body.GetProperty("violations").EnumerateArray().ToArray();
        var codes = violations.Select(v => v.GetProperty("code").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "min-green", "amber-too-long", "cycle-too-long", "cycle-mismatch" }, codes);
        var minGreen = violations.Single(v => v.GetProperty("code").GetString() == "min-green");
        Assert.Equal(plan.Phases[0].Id, minGreen.GetProperty("phase").GetInt32());
        Assert.Equal(7, minGreen.GetProperty("required").GetDouble());
        Assert.Equal(2, minGreen.GetProperty("actual").GetDouble());
        var cycle = violations.Single(v => v.GetProperty("code").GetString() == "cycle-too-long");
        Assert.Equal(JsonValueKind.Null, cycle.GetProperty("phase").ValueKind);
        Assert.Equal((180.0, 500.0), (cycle.GetProperty("required").GetDouble(), cycle.GetProperty("actual").GetDouble()));
        Assert.Contains("amber-too-long", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(body.GetProperty("current").GetProperty("isDesignPlan").GetBoolean());

        // Unchanged, and the typed HTTP client reads the refusal as a result.
        Assert.True((await host.Api.GetPlanAsync(twin, Signal)).IsDesignPlan);
        Assert.Empty(await host.Api.GetPlanHistoryAsync(twin, Signal));
        var result = await host.As("ana").Api.ApplyPlanAsync(twin, Signal, new PlanApplyRequest(plan, "ana", "again", null));
        Assert.Equal(PlanChangeStatus.Unsafe, result.Status);
        Assert.Equal(violations.Length, result.Violations.Count);
        Assert.True(result.Current.IsDesignPlan);
    }

    [Theory]
    [InlineData("""{"who":"ana","why":"x"}""", "plan: required")]
    [InlineData("""{"plan":{"id":"p","cycleS":90,"phases":[]},"who":"mallory","why":"x"}""", "who: 'mallory' is not the caller; the identity comes from the token ('ana')")]
    [InlineData("""{"plan":{"id":"p","phases":[]},"who":"ana","why":"x"}""", "plan.cycleS: required")]
    [InlineData("""{"plan":{"id":"p","cycleS":"ninety","phases":[]},"who":"ana","why":"x"}""", "plan.cycleS: must be a number of seconds")]
    [InlineData("""{"plan":{"id":"p","cycleS":90,"phases":[{"id":1,"greenS":20,"amberS":4,"serves":["N.TR"]}]},"who":"ana","why":"x"}""", "plan.phases[0].allRedS: required")]
    [InlineData("""{"plan":{"id":"p","cycleS":90,"phases":[{"id":1.5,"greenS":20,"amberS":4,"allRedS":2,"serves":["N.TR",3]}]},"who":"ana","why":"x"}""", "plan.phases[0].id: must be an integer; plan.phases[0].serves[1]: must be a string 'APPROACH.GROUP'")]
    [InlineData("""{"plan":{"id":"p","cycleS":90,"phases":[]},"who":"ana","why":"  "}""", "why: required, and must not be blank")]
    [InlineData("""[1,2]""", "the body must be a JSON object")]
    [InlineData("""{"plan":""", "the body is not valid JSON")]
    public async Task A_malformed_plan_request_is_400_naming_the_field(string json, string expected)
    {
        var twin = NewTwin();
        var (status, body, mediaType) = await SendAsync(HttpMethod.Put, PlanPath(twin), json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Contains(expected, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await host.Api.GetPlanHistoryAsync(twin, Signal));
    }

    [Fact]
    public async Task An_unknown_signal_is_404_on_every_control_endpoint()
    {
        var twin = NewTwin();
        var calls = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, PlanPath(twin, "S-999"), null),
            (HttpMethod.Put, PlanPath(twin, "S-999"), ApplyBody(Plans.Safe("x"))),
            (HttpMethod.Post, PlanPath(twin, "S-999") + "/rollback", """{"why":"x"}"""),
            (HttpMethod.Get, PlanPath(twin, "S-999") + "/history", null),
        };
        foreach (var (method, path, json) in calls)
        {
            var (status, body, _) = await SendAsync(method, path, json);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("the city has no signal 'S-999'", body.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Rollback_over_http_restores_the_previous_plan_then_answers_409_when_none_is_left()
    {
        var twin = NewTwin();
        var plan = Plans.Safe("http-rb", 4);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, PlanPath(twin), ApplyBody(plan))).Status);

        var (status, body, _) = await SendAsync(HttpMethod.Post, PlanPath(twin) + "/rollback", """{"who":"ben","why":"queues grew"}""", "ben");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("rolledBack", body.GetProperty("status").GetString());
        Assert.Equal("rollback", body.GetProperty("entry").GetProperty("action").GetString());
        Plans.Same(Design, (await host.Api.GetPlanAsync(twin, Signal)).Plan);
        Plans.Same(Design, (await host.Api.GetAsync<SignalState>($"/api/twins/{twin}/signals/{Signal}")).Plan);

        var (again, problem, mediaType) = await SendAsync(HttpMethod.Post, PlanPath(twin) + "/rollback", """{"why":"once more"}""", "ben");
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Contains("has no previous plan to roll back to", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var viaClient = await host.As("ben").Api.RollbackPlanAsync(twin, Signal, new PlanRollbackRequest("ben", "and again"));
        Assert.Equal(PlanChangeStatus.NoPreviousPlan, viaClient.Status);

        // The identity is the token's: a body that names someone else is refused.
        var (other, detail, _) = await SendAsync(HttpMethod.Post, PlanPath(twin) + "/rollback", """{"who":"ana","why":"not me"}""", "ben");
        Assert.Equal(HttpStatusCode.BadRequest, other);
        Assert.Contains("who: 'ana' is not the caller; the identity comes from the token ('ben')", detail.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_over_http_lists_the_changes_oldest_first_and_cannot_be_edited()
    {
        var twin = NewTwin();
        await host.As("ana").Api.ApplyPlanAsync(twin, Signal, new PlanApplyRequest(Plans.Safe("h1", 2), "ana", "one", "ev-1"));
        await host.As("carl").Api.ApplyPlanAsync(twin, Signal, new PlanApplyRequest(Plans.Safe("h2", 5), "", "two", "ev-2"));
        await host.As("dora").Api.RollbackPlanAsync(twin, Signal, new PlanRollbackRequest("", "three"));

        var (status, body, _) = await SendAsync(HttpMethod.Get, PlanPath(twin) + "/history", null);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            ["1 apply ana one ev-1 h1", "2 apply carl two ev-2 h2", "3 rollback dora three  h1"],
            body.EnumerateArray().Select(e =>
                $"{e.GetProperty("sequence").GetInt64()} {e.GetProperty("action").GetString()} {e.GetProperty("who").GetString()} {e.GetProperty("why").GetString()} {e.GetProperty("evidenceId").GetString()} {e.GetProperty("planId").GetString()}").ToArray());

        // No endpoint changes or removes history entries.
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Post, HttpMethod.Delete, HttpMethod.Patch })
        {
            var (refused, _, _) = await SendAsync(method, PlanPath(twin) + "/history", "[]");
            Assert.Equal(HttpStatusCode.MethodNotAllowed, refused);
        }

        Assert.Equal(3, (await host.Api.GetPlanHistoryAsync(twin, Signal)).Count);
    }

    [Fact]
    public async Task The_plan_read_over_http_can_be_put_back_after_a_change_of_its_times()
    {
        var twin = NewTwin();
        var (_, read, _) = await SendAsync(HttpMethod.Get, PlanPath(twin), null);
        Assert.True(read.GetProperty("isDesignPlan").GetBoolean());
        Assert.NotEqual(0, read.GetProperty("violations").GetArrayLength());

        // The design plan as read, with the times the rules ask for, is accepted as it is written by the API.
        var design = JsonSerializer.Deserialize<TimingPlanInfo>(read.GetProperty("plan").GetRawText(), CityTwinHttpClient.Json)!;
        var safe = Plans.Safe("unused");
        var repaired = design with
        {
            Id = "design-repaired",
            CycleS = safe.CycleS,
            Phases = design.Phases.Zip(safe.Phases, (d, s) => d with { GreenS = s.GreenS, AmberS = s.AmberS, AllRedS = s.AllRedS }).ToArray(),
        };
        var (status, body, _) = await SendAsync(HttpMethod.Put, PlanPath(twin), ApplyBody(repaired));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("design-repaired", body.GetProperty("current").GetProperty("plan").GetProperty("id").GetString());
    }
}
