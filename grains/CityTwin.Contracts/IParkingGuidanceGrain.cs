namespace CityTwin.Contracts;

/// <summary>
/// Parking guidance for one twin (key: the twin id): for a point and an arrival time, the facilities within
/// walking distance ranked by expected availability on arrival, then by distance (docs/parking-guidance.md).
/// </summary>
[Alias("CityTwin.IParkingGuidanceGrain")]
public interface IParkingGuidanceGrain : IGrainWithStringKey
{
    /// <summary>Ranks the twin's facilities for the request.</summary>
    [Alias("Guide")]
    Task<ParkingGuidanceResult> GuideAsync(ParkingGuidanceRequest request);
}

/// <summary>Where and when a driver wants to park.</summary>
/// <param name="Longitude">WGS84 longitude of the destination.</param>
/// <param name="Latitude">WGS84 latitude of the destination.</param>
/// <param name="Arrival">When the driver arrives; null for the twin's clock (its newest parking event).</param>
/// <param name="Limit">At most this many facilities (1-100).</param>
/// <param name="MaxDistanceM">Facilities farther than this straight-line distance (m) are left out.</param>
[GenerateSerializer, Immutable, Alias("CityTwin.ParkingGuidanceRequest")]
public sealed record ParkingGuidanceRequest(
    [property: Id(0)] double Longitude,
    [property: Id(1)] double Latitude,
    [property: Id(2)] DateTimeOffset? Arrival = null,
    [property: Id(3)] int Limit = 5,
    [property: Id(4)] double MaxDistanceM = 1000);

/// <summary>One ranked facility of a guidance answer.</summary>
/// <param name="Rank">1 for the best.</param>
/// <param name="Id">Facility id.</param>
/// <param name="Name">Facility name.</param>
/// <param name="DistrictId">Its district.</param>
/// <param name="Longitude">Its WGS84 longitude.</param>
/// <param name="Latitude">Its WGS84 latitude.</param>
/// <param name="DistanceM">Straight-line distance from the requested point, m.</param>
/// <param name="Availability"><c>likely</c>, <c>limited</c>, <c>unknown</c> or <c>full</c>.</param>
/// <param name="Basis"><c>live</c>, <c>forecast</c>, <c>beyondForecast</c>, <c>stale</c> or <c>noData</c>.</param>
/// <param name="Capacity">Spaces.</param>
/// <param name="OccupiedNow">Occupied spaces as of <paramref name="AsOf"/>.</param>
/// <param name="AsOf">The facility's newest event.</param>
/// <param name="ExpectedOccupied">Occupied spaces expected on arrival; null when unknown.</param>
/// <param name="ExpectedFree">Free spaces expected on arrival; null when unknown.</param>
/// <param name="ReserveSpaces">Free spaces needed to count as <c>likely</c>.</param>
/// <param name="PricePerHour">Price per hour.</param>
/// <param name="Currency">Currency of the price.</param>
[GenerateSerializer, Immutable, Alias("CityTwin.ParkingGuidanceOption")]
public sealed record ParkingGuidanceOption(
    [property: Id(0)] int Rank,
    [property: Id(1)] string Id,
    [property: Id(2)] string Name,
    [property: Id(3)] string DistrictId,
    [property: Id(4)] double Longitude,
    [property: Id(5)] double Latitude,
    [property: Id(6)] double DistanceM,
    [property: Id(7)] string Availability,
    [property: Id(8)] string Basis,
    [property: Id(9)] int Capacity,
    [property: Id(10)] int OccupiedNow,
    [property: Id(11)] DateTimeOffset? AsOf,
    [property: Id(12)] double? ExpectedOccupied,
    [property: Id(13)] double? ExpectedFree,
    [property: Id(14)] double ReserveSpaces,
    [property: Id(15)] double PricePerHour,
    [property: Id(16)] string Currency);

/// <summary>A guidance answer.</summary>
/// <param name="Twin">The twin asked.</param>
/// <param name="Longitude">The requested point.</param>
/// <param name="Latitude">The requested point.</param>
/// <param name="Arrival">The arrival time the facilities were judged for.</param>
/// <param name="Clock">The twin's clock: the newest event of any of its facilities (null when none has data).</param>
/// <param name="MaxDistanceM">The distance limit used.</param>
/// <param name="Considered">Facilities within the distance limit.</param>
/// <param name="Method">How expectations and ranks are made, in one sentence.</param>
/// <param name="Options">The ranked facilities, best first.</param>
[GenerateSerializer, Immutable, Alias("CityTwin.ParkingGuidanceResult")]
public sealed record ParkingGuidanceResult(
    [property: Id(0)] string Twin,
    [property: Id(1)] double Longitude,
    [property: Id(2)] double Latitude,
    [property: Id(3)] DateTimeOffset Arrival,
    [property: Id(4)] DateTimeOffset? Clock,
    [property: Id(5)] double MaxDistanceM,
    [property: Id(6)] int Considered,
    [property: Id(7)] string Method,
    [property: Id(8)] IReadOnlyList<ParkingGuidanceOption> Options);
