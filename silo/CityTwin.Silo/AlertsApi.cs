using System.Text.Json;
using CityTwin.Contracts;
using CityTwin.Engine.Live;
using CityTwin.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace CityTwin.Silo;

/// <summary>
/// A twin's alerts over HTTP (docs/alerts.md): <c>GET /api/twins/{twin}/alerts[?state=open|all][&amp;kind=][&amp;district=]</c>
/// lists them; <c>GET /api/twins/{twin}/alerts/stream</c> sends each raise and clear as a Server-Sent Event as the
/// twin's registry records it, with a heartbeat comment every <see cref="Heartbeat"/>.
/// </summary>
public static class AlertsApi
{
    /// <summary>How often the event stream sends a comment line when nothing happens (keeps proxies and clients from timing out).</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapAlerts(this RouteGroupBuilder twin)
    {
        twin.MapGet("/alerts", async (string twin, string? state, string? kind, string? district, ICityCatalog catalog, IGrainFactory grains) =>
        {
            var city = catalog.CityOf(twin);
            if (state is not (null or "open" or "all"))
            {
                return HttpApi.Problem(StatusCodes.Status400BadRequest, "Bad state", $"state must be 'open' or 'all'; got '{state}'");
            }

            if (kind is not null && !AlertKinds.All.Contains(kind, StringComparer.Ordinal))
            {
                return HttpApi.Problem(StatusCodes.Status400BadRequest, "Bad kind", $"kind must be one of {string.Join(", ", AlertKinds.All)}; got '{kind}'");
            }

            if (district is not null && !city.DistrictsById.ContainsKey(district))
            {
                return HttpApi.Problem(StatusCodes.Status400BadRequest, "Bad district", $"the city has no district '{district}'");
            }

            return Results.Ok(await grains.GetGrain<IAlertRegistryGrain>(twin).ListAsync(new AlertQuery(state == "all", kind, district)));
        });

        twin.MapGet("/alerts/stream", StreamAsync).DisableRequestTimeout();
        return twin;
    }

    private static async Task StreamAsync(string twin, HttpContext http, ICityCatalog catalog, IGrainFactory grains, IOptions<JsonOptions> json)
    {
        _ = catalog.CityOf(twin);
        var cancel = http.RequestAborted;
        await using var watch = await AlertWatch.StartAsync(grains, twin, cancel);
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync($": subscribed to the alerts of twin '{twin}' at change {watch.StartSequence}\n\n", cancel);
        await response.Body.FlushAsync(cancel);
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                beat.CancelAfter(Heartbeat);
                bool more;
                try
                {
                    more = await watch.Changes.WaitToReadAsync(beat.Token);
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    await response.WriteAsync(": heartbeat\n\n", cancel);
                    await response.Body.FlushAsync(cancel);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                while (watch.Changes.TryRead(out var change))
                {
                    var data = JsonSerializer.Serialize(change, json.Value.SerializerOptions);
                    await response.WriteAsync($"id: {change.Sequence}\nevent: {change.Change}\ndata: {data}\n\n", cancel);
                }

                await response.Body.FlushAsync(cancel);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The subscriber went away.
        }
    }
}
