using System.Net;
using System.Text;
using CityTwin.Client;
using CityTwin.Contracts;

namespace CityTwin.Cluster.Tests;

/// <summary>The audit log: plan changes and rollbacks recorded with the token's name, listable by operators and admins, never editable.</summary>
[Collection(SiloHostCollection.Name)]
public sealed class AuditTests(SiloHostFixture host)
{
    [Fact]
    public async Task Plan_apply_and_rollback_are_audited_with_the_tokens_name_why_and_evidence_and_an_unchanged_apply_is_not()
    {
        var twin = "audit-" + Guid.NewGuid().ToString("N")[..12];
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var plan = Plans.Safe("audit-pm", 4);
        var ana = host.As("ana").Api;
        Assert.Equal(PlanChangeStatus.Applied, (await ana.ApplyPlanAsync(twin, Plans.Signal, new PlanApplyRequest(plan, "", "evening peak", "ev-42"))).Status);
        Assert.Equal(PlanChangeStatus.Unchanged, (await ana.ApplyPlanAsync(twin, Plans.Signal, new PlanApplyRequest(plan, "", "again", "ev-43"))).Status);
        Assert.Equal(PlanChangeStatus.RolledBack, (await host.As("ben").Api.RollbackPlanAsync(twin, Plans.Signal, new PlanRollbackRequest("", "queues grew"))).Status);

        var mine = (await ana.GetAuditAsync(from: before)).Where(e => e.Twin == twin).ToArray();
        Assert.Equal(
            [("ana", AuditLog.PlanApply, "evening peak", (string?)"ev-42"), ("ben", AuditLog.PlanRollback, "queues grew", null)],
            mine.Select(e => (e.Who, e.Kind, e.Why, e.EvidenceId)).ToArray());
        Assert.Contains("plan 'audit-pm' applied", mine[0].What, StringComparison.Ordinal);
        Assert.Contains($"signal {Plans.Signal}", mine[1].What, StringComparison.Ordinal);
        Assert.True(mine[0].Sequence < mine[1].Sequence);
        Assert.True(mine[0].Time >= before && mine[1].Time >= mine[0].Time);

        // Filters: kind, and a window that ends before the entries.
        var rollbacks = await host.Api.GetAuditAsync(from: before, kind: AuditLog.PlanRollback);
        Assert.Contains(rollbacks, e => e.Twin == twin && e.Who == "ben");
        Assert.All(rollbacks, e => Assert.Equal(AuditLog.PlanRollback, e.Kind));
        Assert.DoesNotContain(await host.Api.GetAuditAsync(to: before), e => e.Twin == twin);
    }

    [Fact]
    public async Task The_audit_log_is_for_operators_and_admins_only_and_has_no_way_to_change_it()
    {
        var planner = await Assert.ThrowsAsync<CityTwinApiException>(() => host.As("pia").Api.GetAuditAsync());
        Assert.Equal(HttpStatusCode.Forbidden, planner.Status);

        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Post, HttpMethod.Delete, HttpMethod.Patch })
        {
            using var request = new HttpRequestMessage(method, new Uri("/api/audit", UriKind.Relative)) { Content = new StringContent("[]", Encoding.UTF8, "application/json") };
            using var response = await host.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        }

        var bad = await Assert.ThrowsAsync<CityTwinApiException>(() => host.Api.GetAsync<object>("/api/audit?from=yesterday"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("from: must be an ISO 8601 time with an offset", bad.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scenario_run_a_replay_twin_and_a_twin_deletion_are_audited_with_the_tokens_name()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/scenarios", UriKind.Relative)) { Content = new StringContent(TinyScenario.Script, Encoding.UTF8, "application/yaml") })
        {
            request.Headers.Add("CityTwin-Why", "council question 7");
            using var response = await host.As("pia").Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var twin = "audit-del-" + Guid.NewGuid().ToString("N")[..10];
        using (var create = await host.As("rex").Http.PostAsync(new Uri("/api/twins", UriKind.Relative), new StringContent($$"""{"id":"{{twin}}","kind":"replay"}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        }

        using (var delete = await host.As("rex").Http.DeleteAsync(new Uri($"/api/twins/{twin}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        var entries = await host.Api.GetAuditAsync(from: before);
        Assert.Contains(entries, e => e is { Who: "pia", Kind: AuditLog.ScenarioRun, Why: "council question 7" } && e.What.StartsWith("scenario run sc-", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Who == "rex" && e.Kind == AuditLog.Replay && e.What.Contains(twin, StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Who == "rex" && e.Kind == AuditLog.TwinDelete && (e.Twin == twin || e.What.Contains(twin, StringComparison.Ordinal)));
    }
}
