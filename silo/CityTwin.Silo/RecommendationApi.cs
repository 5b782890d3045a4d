using System.Globalization;
using CityTwin.Contracts;
using CityTwin.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CityTwin.Silo;

/// <summary>
/// Timing recommendations on live flows over HTTP (docs/signal-timing.md, "Recommendations on live flows"):
/// <c>GET /api/twins/{twin}/signals/{id}/recommendation[?windowMin=&amp;replications=&amp;seed=]</c> computes one (200, whether
/// a plan is recommended or not); <c>GET .../recommendation/{evidenceId}</c> reads a kept one. 400 names each
/// malformed parameter, 404 an unknown signal or evidence id.
/// </summary>
public static class RecommendationApi
{
    /// <summary>Maps the recommendation endpoints under a twin's route group.</summary>
    public static RouteGroupBuilder MapRecommendation(this RouteGroupBuilder twin)
    {
        twin.MapGet("/signals/{id}/recommendation", async (string twin, string id, HttpRequest http, ICityCatalog catalog, IGrainFactory grains) =>
        {
            if (!catalog.CityOf(twin).SignalsById.ContainsKey(id))
            {
                return HttpApi.Problem(StatusCodes.Status404NotFound, "Not found", $"the city has no signal '{id}'");
            }

            var (request, problems) = Read(http.Query);
            if (request is null)
            {
                return HttpApi.Problem(StatusCodes.Status400BadRequest, "Invalid recommendation request", string.Join("; ", problems));
            }

            return Results.Ok(await grains.GetGrain<ISignalRecommendationGrain>(TwinKeys.Of(twin, id)).RecommendAsync(request));
        });

        twin.MapGet("/signals/{id}/recommendation/{evidenceId}", async (string twin, string id, string evidenceId, ICityCatalog catalog, IGrainFactory grains) =>
        {
            if (!catalog.CityOf(twin).SignalsById.ContainsKey(id))
            {
                return HttpApi.Problem(StatusCodes.Status404NotFound, "Not found", $"the city has no signal '{id}'");
            }

            var kept = await grains.GetGrain<ISignalControlGrain>(TwinKeys.Of(twin, id)).GetRecommendationAsync(evidenceId);
            return kept is null
                ? HttpApi.Problem(StatusCodes.Status404NotFound, "Not found", $"signal '{id}' of twin '{twin}' keeps no recommendation '{evidenceId}' (the latest {PlanControl.KeptRecommendations} are kept)")
                : Results.Ok(kept);
        });

        return twin;
    }

    /// <summary>Reads the query string into a request, or every problem with it (each naming its parameter).</summary>
    public static (RecommendationRequest? Request, IReadOnlyList<string> Problems) Read(IQueryCollection query)
    {
        var problems = new List<string>();
        var request = new RecommendationRequest(
            (int?)Whole(query, "windowMin", int.MaxValue, problems),
            (int?)Whole(query, "replications", int.MaxValue, problems),
            Whole(query, "seed", long.MaxValue, problems));
        if (problems.Count == 0)
        {
            problems.AddRange(request.Problems());
        }

        return problems.Count > 0 ? (null, problems) : (request, []);
    }

    private static long? Whole(IQueryCollection query, string name, long max, List<string> problems)
    {
        if (!query.TryGetValue(name, out var value))
        {
            return null;
        }

        if (long.TryParse(value.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var x) && x <= max && x >= -max)
        {
            return x;
        }

        problems.Add($"{name}: must be a whole number, got '{value}'");
        return null;
    }
}
