namespace CityTwin.Contracts;

/// <summary>A parking facility of one twin; key "{twin}/{facilityId}".</summary>
[Alias("CityTwin.IParkingFacilityGrain")]
public interface IParkingFacilityGrain : ILiveEntityGrain
{
    /// <summary>Reads the live state: capacity, occupancy, price, forecast, counters.</summary>
    [Alias("GetState")]
    Task<ParkingState> GetStateAsync();
}
