namespace CityTwin.Contracts;

/// <summary>
/// The control API of one signalised intersection of one twin, for the traffic control system; key
/// "{twin}/{signalId}". Every plan applied passes the safety rules; every change is recorded in an
/// append-only history with who, why and the evidence id; the live state of the signal
/// (<see cref="ITrafficSignalGrain"/>) runs the current plan.
/// </summary>
[Alias("CityTwin.ISignalControlGrain")]
public interface ISignalControlGrain : IGrainWithStringKey
{
    /// <summary>Reads the plan the signal runs now (the city's design plan until one is applied) and the safety rules it breaks.</summary>
    [Alias("GetPlan")]
    Task<SignalPlanState> GetPlanAsync();

    /// <summary>Applies a plan if it passes every safety rule (else lists every rule it breaks), and records it.</summary>
    [Alias("ApplyPlan")]
    Task<PlanChangeResult> ApplyPlanAsync(PlanApplyRequest request);

    /// <summary>Restores the plan that ran before the current one, and records it; refused when there is none.</summary>
    [Alias("RollbackPlan")]
    Task<PlanChangeResult> RollbackPlanAsync(PlanRollbackRequest request);

    /// <summary>Reads the plan history, oldest entry first (sequence 1, 2, 3, ...).</summary>
    [Alias("GetPlanHistory")]
    Task<IReadOnlyList<PlanHistoryEntry>> GetPlanHistoryAsync();

    /// <summary>A recommendation's evidence kept under its evidence id (the latest 20 are kept); null when it is not kept.</summary>
    [Alias("GetRecommendation")]
    Task<RecommendationEvidence?> GetRecommendationAsync(string evidenceId);
}
