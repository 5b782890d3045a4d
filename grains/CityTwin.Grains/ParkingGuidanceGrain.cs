using CityTwin.Contracts;
using CityTwin.Engine.Parking;
using NetTopologySuite.Geometries;
using Orleans.Concurrency;

namespace CityTwin.Grains;

/// <summary>
/// Parking guidance for a twin: reads every facility's live state in parallel and ranks them with
/// <see cref="ParkingGuidance"/>. A stateless worker.
/// </summary>
[StatelessWorker]
public sealed class ParkingGuidanceGrain(ICityCatalog catalog) : Grain, IParkingGuidanceGrain
{
    /// <summary>How the answer is made, for the reader of the answer.</summary>
    public const string Method =
        "expected occupancy on arrival: the live value, then linear between it and the facility's forecast points (the last held); " +
        "likely = free spaces expected >= max(5, 5% of capacity), limited = fewer, full = none, unknown = no data or data older than 30 min; " +
        "ranked likely, limited, unknown, full, then by straight-line distance, then id";

    public async Task<ParkingGuidanceResult> GuideAsync(ParkingGuidanceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = Validate(request);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems));
        }

        var twin = this.GetPrimaryKeyString();
        var city = catalog.CityOf(twin);
        var states = await Task.WhenAll(city.Parking.Select(p => GrainFactory.GetGrain<IParkingFacilityGrain>(TwinKeys.Of(twin, p.Id)).GetStateAsync()));
        var clock = states.Select(s => s.AsOf).Where(t => t is not null).DefaultIfEmpty(null).Max();
        var arrival = request.Arrival ?? clock ?? DateTimeOffset.UtcNow;

        var facilities = city.Parking.Zip(states, (f, s) => new GuidanceFacility(
            f.Id,
            f.Placement.X,
            f.Placement.Y,
            f.Capacity,
            s.Occupied,
            s.AsOf?.UtcTicks,
            s.Forecast.Select(p => new OccupancyPoint(p.At.UtcTicks, p.Occupied)).ToArray())).ToArray();
        var here = city.Projection.Project(new Coordinate(request.Longitude, request.Latitude));
        var ranking = ParkingGuidance.Rank(
            facilities,
            here.X,
            here.Y,
            arrival.UtcTicks,
            clock?.UtcTicks,
            new GuidanceOptions { Limit = request.Limit, MaxDistanceM = request.MaxDistanceM });

        var byId = states.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var options = ranking.Options.Select(o =>
        {
            var f = city.ParkingById[o.Id];
            var s = byId[o.Id];
            return new ParkingGuidanceOption(
                o.Rank,
                o.Id,
                f.Name,
                f.Placement.DistrictId,
                f.Location.X,
                f.Location.Y,
                o.DistanceM,
                Camel(o.Availability.ToString()),
                Camel(o.Basis.ToString()),
                f.Capacity,
                s.Occupied,
                s.AsOf,
                o.ExpectedOccupied,
                o.ExpectedFree,
                o.ReserveSpaces,
                s.PricePerHour,
                s.Currency);
        }).ToArray();
        return new ParkingGuidanceResult(twin, request.Longitude, request.Latitude, arrival, clock, request.MaxDistanceM, ranking.Considered, Method, options);
    }

    /// <summary>Every problem of a request, each naming its field; empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(ParkingGuidanceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = new List<string>();
        if (!double.IsFinite(request.Longitude) || request.Longitude is < -180 or > 180)
        {
            problems.Add($"lon: must be a longitude in [-180, 180], got {request.Longitude}");
        }

        if (!double.IsFinite(request.Latitude) || request.Latitude is < -90 or > 90)
        {
            problems.Add($"lat: must be a latitude in [-90, 90], got {request.Latitude}");
        }

        if (request.Limit is < 1 or > 100)
        {
            problems.Add($"limit: must be 1-100, got {request.Limit}");
        }

        if (!double.IsFinite(request.MaxDistanceM) || request.MaxDistanceM <= 0 || request.MaxDistanceM > 50_000)
        {
            problems.Add($"maxDistanceM: must be above 0 and at most 50000, got {request.MaxDistanceM}");
        }

        return problems;
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
