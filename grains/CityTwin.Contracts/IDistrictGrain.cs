using Orleans.Concurrency;

namespace CityTwin.Contracts;

/// <summary>A district of one twin; key "{twin}/{districtId}".</summary>
[Alias("CityTwin.IDistrictGrain")]
public interface IDistrictGrain : IClearableGrain
{
    /// <summary>Reads the aggregates of the signals and facilities inside the district.</summary>
    [Alias("GetState")]
    Task<AreaState> GetStateAsync();

    /// <summary>Takes a member's new summary (sent by signal and facility grains).</summary>
    [Alias("Report"), OneWay]
    Task ReportAsync(MemberSummary summary);
}
