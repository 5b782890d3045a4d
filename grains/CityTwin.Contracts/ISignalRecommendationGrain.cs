namespace CityTwin.Contracts;

/// <summary>
/// Recommends a timing plan for one signal of one twin on its live detector data, with the evidence; key
/// "{twin}/{signalId}". The evidence is kept by the signal's control API under its evidence id
/// (<see cref="ISignalControlGrain.GetRecommendationAsync"/>), so that a plan applied with that id can be traced.
/// </summary>
[Alias("CityTwin.ISignalRecommendationGrain")]
public interface ISignalRecommendationGrain : IGrainWithStringKey
{
    /// <summary>Checks the data, optimises a safe plan and proves it by paired simulation; the same live state and seed give the same answer.</summary>
    [Alias("Recommend")]
    Task<RecommendationEvidence> RecommendAsync(RecommendationRequest request);
}
