using CityTwin.Contracts;
using CityTwin.Engine.City;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace CityTwin.Grains;

/// <summary>
/// The control API of a signal (<see cref="ISignalControlGrain"/>), in the same activation as its live state:
/// the plan book is a second persistent state of the grain (state name <c>plan</c>), written before the
/// answer on every change, and the live state switches to the new plan in the same turn. The rules are in
/// <see cref="PlanControl"/>.
/// </summary>
public sealed partial class TrafficSignalGrain : ISignalControlGrain, ISignalRecommendationSource
{
    private readonly ILogger _control = loggers.CreateLogger("CityTwin.Grains.SignalControl");

    private SignalPlanBook Plans => plans.State.Book ?? SignalPlanBook.Empty;

    private SignalSite Site => City.SignalsById[EntityId];

    public Task<SignalPlanState> GetPlanAsync() => Task.FromResult(PlanControl.Read(Twin, City, Site, Plans));

    public Task<PlanChangeResult> ApplyPlanAsync(PlanApplyRequest request) =>
        CommitAsync(PlanControl.Apply(Twin, City, Site, Plans, request, time.GetUtcNow()));

    public Task<PlanChangeResult> RollbackPlanAsync(PlanRollbackRequest request) =>
        CommitAsync(PlanControl.Rollback(Twin, City, Site, Plans, request, time.GetUtcNow()));

    public Task<IReadOnlyList<PlanHistoryEntry>> GetPlanHistoryAsync() => Task.FromResult(Plans.History);

    public Task<RecommendationEvidence?> GetRecommendationAsync(string evidenceId) =>
        Task.FromResult(plans.State.Recommendations?.LastOrDefault(e => e.EvidenceId == evidenceId));

    public Task<RecommendationInput> ReadRecommendationInputAsync() =>
        Task.FromResult(new RecommendationInput(Mapping.ToInfo(Live.Plan), Live.History().Select(DetectorReportsData.Of).ToArray()));

    /// <summary>Keeps the evidence in the plan state (written before the answer, like the plan book), so that an apply citing its id can be traced.</summary>
    public async Task KeepRecommendationAsync(RecommendationEvidence evidence)
    {
        var before = plans.State.Recommendations;
        plans.State.Recommendations = PlanControl.Keep(before, evidence);
        try
        {
            await plans.WriteStateAsync();
        }
        catch
        {
            plans.State.Recommendations = before;
            throw;
        }

        if (_control.IsEnabled(LogLevel.Information))
        {
            _control.LogInformation("{Twin}/{SignalId} recommendation {EvidenceId} kept: {Decision}", Twin, EntityId, evidence.EvidenceId, evidence.Decision);
        }
    }

    /// <summary>Stores the new book (if any) before the live state runs the plan and before the answer.</summary>
    private async Task<PlanChangeResult> CommitAsync(PlanChange change)
    {
        var result = change.Result;
        if (change.Next is not { } next)
        {
            if (result.Status is PlanChangeStatus.Unsafe or PlanChangeStatus.Invalid or PlanChangeStatus.NoPreviousPlan)
            {
                _control.LogWarning("{Twin}/{SignalId} plan change refused ({Status}): {Detail}", Twin, EntityId, result.Status, result.Detail);
            }

            return result;
        }

        var before = plans.State.Book;
        plans.State.Book = next;
        try
        {
            await plans.WriteStateAsync();
        }
        catch (Exception ex)
        {
            plans.State.Book = before;
            if (ex is InconsistentStateException)
            {
                // Another activation of this signal wrote the book since this one read it: nothing was changed
                // here; start again from storage so that the caller's retry sees the stored book.
                _control.LogWarning(ex, "{Twin}/{SignalId} plan book was written elsewhere; deactivating to reload", Twin, EntityId);
                DeactivateOnIdle();
            }

            throw;
        }

        Live.SetPlan(PlanControl.LivePlan(Site, next));
        if (_control.IsEnabled(LogLevel.Information) && result.Entry is { } entry)
        {
            _control.LogInformation(
                "{Twin}/{SignalId} plan {PlanId} {Action} by {Who} (history entry {Sequence}, evidence {EvidenceId}): {Why}",
                Twin, EntityId, entry.PlanId, entry.Action, entry.Who, entry.Sequence, entry.EvidenceId, entry.Why);
        }

        // The degree of saturation and queues of the signal's cell and district follow the new plan at once,
        // once the signal has data to report.
        if (Live.View().AsOfTicks is not null)
        {
            var summary = Summarise();
            var placement = Site.Placement;
            GrainFactory.GetGrain<IGridCellGrain>(TwinKeys.Of(Twin, placement.CellId)).ReportAsync(summary).Ignore();
            GrainFactory.GetGrain<IDistrictGrain>(TwinKeys.Of(Twin, placement.DistrictId)).ReportAsync(summary).Ignore();
        }

        return result;
    }
}
