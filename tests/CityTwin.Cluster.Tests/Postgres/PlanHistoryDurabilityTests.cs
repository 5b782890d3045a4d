using CityTwin.Client;
using CityTwin.Contracts;

namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>The signal control API on real PostgreSQL: an answered plan change is stored before the answer.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PlanHistoryDurabilityTests(PostgresFixture pg)
{
    [SkippableFact]
    public async Task Plan_and_history_survive_their_silo_killed_right_after_the_answers()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        const string Twin = "durable-plans";
        var a = Plans.Safe("pg-a", 3);
        var b = Plans.Safe("pg-b", 9);

        var silo = await SiloProcess.StartAsync(db, "plans");
        var ports = silo.Ports;
        var api = new CityTwinHttpClient(silo.Http);
        Assert.Equal(PlanChangeStatus.Applied, (await api.ApplyPlanAsync(Twin, Plans.Signal, new PlanApplyRequest(a, "", "one", "ev-1"))).Status);
        Assert.Equal(PlanChangeStatus.Applied, (await api.ApplyPlanAsync(Twin, Plans.Signal, new PlanApplyRequest(b, "admin", "two", "ev-2"))).Status);
        Assert.Equal(PlanChangeStatus.RolledBack, (await api.RollbackPlanAsync(Twin, Plans.Signal, new PlanRollbackRequest("", "three"))).Status);

        // No deactivation, no goodbye: what the silo answered must already be in PostgreSQL.
        await silo.KillAsync();
        await silo.DisposeAsync();

        await using var again = await SiloProcess.StartAsync(db, "plans", ports);
        var reread = new CityTwinHttpClient(again.Http);
        var history = await reread.GetPlanHistoryAsync(Twin, Plans.Signal);
        Assert.Equal(
            [(1L, PlanAction.Apply, "admin", "one", (string?)"ev-1", "pg-a"), (2L, PlanAction.Apply, "admin", "two", "ev-2", "pg-b"), (3L, PlanAction.Rollback, "admin", "three", null, "pg-a")],
            history.Select(e => (e.Sequence, e.Action, e.Who, e.Why, e.EvidenceId, e.PlanId)).ToArray());

        var current = await reread.GetPlanAsync(Twin, Plans.Signal);
        Plans.Same(a, current.Plan);
        Assert.Equal((3L, 1), (current.Sequence!.Value, current.PreviousPlans));
        Plans.Same(a, (await reread.GetAsync<SignalState>($"/api/twins/{Twin}/signals/{Plans.Signal}")).Plan);

        // The rollback stack came back too: one more rollback reaches the design plan.
        var design = await reread.RollbackPlanAsync(Twin, Plans.Signal, new PlanRollbackRequest("", "four"));
        Assert.Equal(PlanChangeStatus.RolledBack, design.Status);
        Assert.True(design.Current.IsDesignPlan);
        Assert.Equal(4, design.Entry!.Sequence);
    }
}
