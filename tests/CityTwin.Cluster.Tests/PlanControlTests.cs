using CityTwin.Contracts;
using CityTwin.Grains;

namespace CityTwin.Cluster.Tests;

/// <summary>The control API's rules as pure functions, without a cluster.</summary>
public sealed class PlanControlTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 7, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_rollback_stack_keeps_the_latest_100_plans_and_the_history_keeps_every_entry()
    {
        var book = SignalPlanBook.Empty;
        const int Applies = PlanControl.MaxPreviousPlans + 5;
        for (var i = 1; i <= Applies; i++)
        {
            var change = PlanControl.Apply("t", SampleCity.Model, Plans.Site, book, new PlanApplyRequest(Plans.Safe($"p{i}", i % 7), "ana", $"step {i}", null), T0.AddMinutes(i));
            Assert.Equal(PlanChangeStatus.Applied, change.Result.Status);
            book = change.Next!;
        }

        Assert.Equal(PlanControl.MaxPreviousPlans, book.Previous.Count);
        Assert.Equal(Applies, book.History.Count);
        Assert.Equal(Enumerable.Range(1, Applies).Select(i => (long)i), book.History.Select(e => e.Sequence));

        // The top of the stack is the plan applied just before the current one; the design plan fell off the bottom.
        Assert.Equal($"p{Applies - 1}", book.Previous[^1]!.Id);
        Assert.Equal($"p{Applies - PlanControl.MaxPreviousPlans}", book.Previous[0]!.Id);
        Assert.DoesNotContain(null, book.Previous);
    }

    [Fact]
    public void A_refused_change_leaves_no_new_book()
    {
        var unsafePlan = Plans.WithPhase(Plans.Safe("x"), 0, p => p with { GreenS = 1 });
        var change = PlanControl.Apply("t", SampleCity.Model, Plans.Site, SignalPlanBook.Empty, new PlanApplyRequest(unsafePlan, "ana", "why", null), T0);
        Assert.Null(change.Next);
        Assert.Equal(PlanChangeStatus.Unsafe, change.Result.Status);

        var rollback = PlanControl.Rollback("t", SampleCity.Model, Plans.Site, SignalPlanBook.Empty, new PlanRollbackRequest("ana", "why"), T0);
        Assert.Null(rollback.Next);
        Assert.Equal(PlanChangeStatus.NoPreviousPlan, rollback.Result.Status);
    }
}
