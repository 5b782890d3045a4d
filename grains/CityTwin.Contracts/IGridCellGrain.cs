using Orleans.Concurrency;

namespace CityTwin.Contracts;

/// <summary>A square grid cell of one twin; key "{twin}/{cellId}".</summary>
[Alias("CityTwin.IGridCellGrain")]
public interface IGridCellGrain : IClearableGrain
{
    /// <summary>Reads the aggregates of the signals and facilities inside the cell.</summary>
    [Alias("GetState")]
    Task<AreaState> GetStateAsync();

    /// <summary>Takes a member's new summary (sent by signal and facility grains).</summary>
    [Alias("Report"), OneWay]
    Task ReportAsync(MemberSummary summary);
}
