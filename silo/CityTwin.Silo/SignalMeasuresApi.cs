using CityTwin.Contracts;
using CityTwin.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CityTwin.Silo;

/// <summary>
/// Signal performance measures over HTTP (docs/signal-measures.md): <c>GET /api/twins/{twin}/signals/{id}/measures</c>;
/// 200 with the bins kept, 404 for an unknown signal or one without a controller in the city's controllers file.
/// </summary>
public static class SignalMeasuresApi
{
    public static RouteGroupBuilder MapSignalMeasures(this RouteGroupBuilder twin)
    {
        twin.MapGet("/signals/{id}/measures", async (string twin, string id, ICityCatalog catalog, IGrainFactory grains) =>
        {
            var city = catalog.CityOf(twin);
            if (!city.SignalsById.ContainsKey(id))
            {
                return HttpApi.Problem(StatusCodes.Status404NotFound, "Not found", $"the city has no signal '{id}'");
            }

            if (!city.SignalControllers.ContainsKey(id))
            {
                return HttpApi.Problem(StatusCodes.Status404NotFound, "Not found", $"signal '{id}' has no controller in the city's controllers file");
            }

            return Results.Ok(await grains.GetGrain<ISignalMeasuresGrain>(TwinKeys.Of(twin, id)).GetMeasuresAsync());
        });
        return twin;
    }
}
