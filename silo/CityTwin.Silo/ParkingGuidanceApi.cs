using System.Globalization;
using CityTwin.Contracts;
using CityTwin.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CityTwin.Silo;

/// <summary>
/// Parking guidance over HTTP (docs/parking-guidance.md): <c>GET /api/twins/{twin}/parking/guidance?lon=&amp;lat=[&amp;arrival=][&amp;limit=][&amp;maxDistanceM=]</c>;
/// 200 with the ranked facilities, 400 naming every malformed parameter.
/// </summary>
public static class ParkingGuidanceApi
{
    /// <summary>Maps the guidance endpoint under a twin's route group (a literal segment: it wins over <c>/parking/{id}</c>).</summary>
    public static RouteGroupBuilder MapParkingGuidance(this RouteGroupBuilder twin)
    {
        twin.MapGet("/parking/guidance", async (string twin, HttpRequest http, ICityCatalog catalog, IGrainFactory grains) =>
        {
            _ = catalog.CityOf(twin);
            var (request, problems) = Read(http.Query);
            if (request is null)
            {
                return HttpApi.Problem(StatusCodes.Status400BadRequest, "Invalid guidance request", string.Join("; ", problems));
            }

            return Results.Ok(await grains.GetGrain<IParkingGuidanceGrain>(twin).GuideAsync(request));
        });
        return twin;
    }

    /// <summary>Reads the query string into a request, or every problem with it (each naming its parameter).</summary>
    public static (ParkingGuidanceRequest? Request, IReadOnlyList<string> Problems) Read(IQueryCollection query)
    {
        var problems = new List<string>();
        var lon = Number(query, "lon", null, problems);
        var lat = Number(query, "lat", null, problems);
        var limit = Number(query, "limit", 5, problems);
        var maxDistance = Number(query, "maxDistanceM", 1000, problems);
        DateTimeOffset? arrival = null;
        if (query.TryGetValue("arrival", out var a))
        {
            if (DateTimeOffset.TryParse(a.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) && a.ToString().Contains('T', StringComparison.Ordinal))
            {
                arrival = t;
            }
            else
            {
                problems.Add($"arrival: must be an ISO 8601 time with an offset (e.g. 2026-11-23T08:30:00+01:00), got '{a}'");
            }
        }

        if (limit is { } l && l != Math.Floor(l))
        {
            problems.Add($"limit: must be a whole number, got {l}");
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        var request = new ParkingGuidanceRequest(lon!.Value, lat!.Value, arrival, (int)Math.Clamp(limit!.Value, int.MinValue, int.MaxValue), maxDistance!.Value);
        var invalid = ParkingGuidanceGrain.Validate(request);
        return invalid.Count > 0 ? (null, invalid) : (request, []);
    }

    private static double? Number(IQueryCollection query, string name, double? fallback, List<string> problems)
    {
        if (!query.TryGetValue(name, out var value))
        {
            if (fallback is null)
            {
                problems.Add($"{name}: required");
            }

            return fallback;
        }

        if (double.TryParse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x))
        {
            return x;
        }

        problems.Add($"{name}: must be a number, got '{value}'");
        return null;
    }
}
