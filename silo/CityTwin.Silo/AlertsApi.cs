using System.Text.Json;
using CityTwin.Contracts;
using CityTwin.Engine.Live;
using CityTwin.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CityTwin.Silo;

/// <summary>
/// A twin's alerts over HTTP (docs/alerts.md): <c>GET /api/twins/{twin}/alerts[?state=open|all][&amp;kind=][&amp;district=]</c>
/// lists them; <c>GET /api/twins/{twin}/alerts/stream</c> sends each raise and clear as a Server-Sent Event as the
/// twin's registry records it (it asks the registry for its changes every <see cref="Poll"/>), with a heartbeat comment
/// after <see cref="Heartbeat"/> without one.
/// </summary>
/// <remarks>
/// The stream polls the registry rather than registering an observer: an observer of the silo's own hosted client would
/// get calls without the cluster secret, which the check of cluster clients' calls refuses (ClusterClientAccess).
/// </remarks>
public static class AlertsApi
{
    /// <summary>How often the event stream sends a comment line when nothing happens (keeps proxies and clients from timing out).</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>How often the event stream asks the twin's registry for new changes.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

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

    private static async Task StreamAsync(string twin, string? after, HttpContext http, ICityCatalog catalog, IGrainFactory grains, IOptions<JsonOptions> json, IHostApplicationLifetime lifetime)
    {
        _ = catalog.CityOf(twin);

        // Where a reconnecting subscriber left off: the standard Last-Event-ID header, or ?after=N.
        var from = after ?? http.Request.Headers["Last-Event-ID"].ToString();
        long? since = null;
        if (!string.IsNullOrEmpty(from))
        {
            if (!long.TryParse(from, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                await HttpApi.Problem(StatusCodes.Status400BadRequest, "Bad event id", $"after (or Last-Event-ID) must be a change sequence number (an SSE event id); got '{from}'").ExecuteAsync(http);
                return;
            }

            since = n;
        }

        // Ends when the subscriber goes away or the silo stops (so that an open stream does not hold up its shutdown).
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var cancel = ending.Token;
        var registry = grains.GetGrain<IAlertRegistryGrain>(twin);
        var first = await registry.GetChangesAsync(since ?? -1);
        var last = since is { } n0 && n0 <= first.Sequence ? n0 : first.Sequence;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync($": subscribed to the alerts of twin '{twin}' at change {first.Sequence}\n\n", cancel);
        var pending = first;
        var quietSince = Environment.TickCount64;
        try
        {
            while (true)
            {
                if (!pending.Complete)
                {
                    await response.WriteAsync($": some changes after {last} are no longer kept: read the list (GET /api/twins/{twin}/alerts?state=all)\n\n", cancel);
                }

                foreach (var change in pending.Missed.Where(c => c.Sequence > last))
                {
                    var data = JsonSerializer.Serialize(change, json.Value.SerializerOptions);
                    await response.WriteAsync($"id: {change.Sequence}\nevent: {change.Change}\ndata: {data}\n\n", cancel);
                    last = change.Sequence;
                    quietSince = Environment.TickCount64;
                }

                if (pending.Sequence < last)
                {
                    // The registry was cleared (its twin deleted): its sequence starts again.
                    last = pending.Sequence;
                }

                if (Environment.TickCount64 - quietSince >= (long)Heartbeat.TotalMilliseconds)
                {
                    await response.WriteAsync(": heartbeat\n\n", cancel);
                    quietSince = Environment.TickCount64;
                }

                await response.Body.FlushAsync(cancel);
                await Task.Delay(Poll, cancel);
                pending = await registry.GetChangesAsync(last);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The subscriber went away, or the silo is stopping.
        }
    }
}
