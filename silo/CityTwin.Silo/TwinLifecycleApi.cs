using System.Text.Json;
using CityTwin.Contracts;
using CityTwin.Formats.Events;
using CityTwin.Silo.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CityTwin.Silo;

/// <summary>
/// The twins of the cluster over HTTP: list, create a replay twin, delete one; a twin's progress (event counts)
/// and its KPI series (docs/replay.md).
/// </summary>
public static class TwinLifecycleApi
{
    /// <summary>A request to create a replay twin.</summary>
    public sealed record CreateTwinRequest(string? Id, string? Kind, int? KpiIntervalS, string? Source);

    /// <summary>Maps <c>GET/POST /api/twins</c>, <c>DELETE /api/twins/{twin}</c>, <c>GET .../progress</c> and <c>GET .../kpis</c>.</summary>
    public static void MapTwinLifecycle(this RouteGroupBuilder api, RouteGroupBuilder twin)
    {
        api.MapGet("/twins", async (IGrainFactory grains) => Results.Ok(await grains.GetGrain<ITwinRegistryGrain>(0).ListAsync()));

        api.MapPost("/twins", CreateAsync);

        twin.MapDelete("", async (string twin, IGrainFactory grains) =>
        {
            if (twin == TwinKeys.Live)
            {
                return HttpApi.Problem(StatusCodes.Status400BadRequest, "Cannot delete live", $"'{TwinKeys.Live}' is the real-time twin: it cannot be deleted");
            }

            if (await grains.GetGrain<ITwinRegistryGrain>(0).GetAsync(twin) is null)
            {
                return HttpApi.Problem(StatusCodes.Status404NotFound, "Not found", $"there is no twin '{twin}' (GET /api/twins lists them)");
            }

            return Results.Ok(await grains.GetGrain<ITwinLifecycleGrain>(0).DeleteAsync(twin));
        });

        twin.MapGet("/progress", async (string twin, IGrainFactory grains) =>
            Results.Ok(await grains.GetGrain<ITwinLifecycleGrain>(0).GetProgressAsync(twin)));

        twin.MapGet("/kpis", async (string twin, string? through, IGrainFactory grains) =>
        {
            if (through is null || !SensorEventReader.TryParseTimestamp(through, out var ticks))
            {
                return HttpApi.Problem(StatusCodes.Status400BadRequest, "Bad through", $"through '{through}' must be an ISO 8601 timestamp with an offset (e.g. 2016-10-04T17:00:00Z)");
            }

            var info = await grains.GetGrain<ITwinRegistryGrain>(0).GetAsync(twin);
            if (info?.KpiIntervalS is null)
            {
                return HttpApi.Problem(StatusCodes.Status404NotFound, "No KPI series", $"twin '{twin}' records no KPI series (only replay twins do: citytwin replay)");
            }

            return Results.Ok(await grains.GetGrain<ITwinLifecycleGrain>(0).GetKpisAsync(twin, new DateTimeOffset(ticks, TimeSpan.Zero)));
        });
    }

    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains)
    {
        CreateTwinRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<CreateTwinRequest>(http.RequestAborted);
        }
        catch (JsonException ex)
        {
            return HttpApi.Problem(StatusCodes.Status400BadRequest, "Bad request", $"the body is not a twin request: {ex.Message}");
        }

        var errors = new List<string>();
        if (request?.Id is not { } id || !TwinKeys.IsValidTwinId(id))
        {
            errors.Add($"field 'id': '{request?.Id}' is not a twin id (letters, digits, '-', '_', '.'; 1-64 characters)");
        }
        else if (id == TwinKeys.Live)
        {
            errors.Add($"field 'id': '{TwinKeys.Live}' is the real-time twin; a replay needs its own id");
        }

        if (request?.Kind is { } kind && kind != TwinKinds.Replay)
        {
            errors.Add($"field 'kind': '{kind}' cannot be created; only '{TwinKinds.Replay}'");
        }

        if (request?.KpiIntervalS is < 0)
        {
            errors.Add($"field 'kpiIntervalS': {request.KpiIntervalS} must be 0 (every event timestamp) or a positive number of seconds");
        }

        if (errors.Count > 0)
        {
            return HttpApi.Problem(StatusCodes.Status400BadRequest, "Bad twin request", string.Join("; ", errors));
        }

        var created = await grains.GetGrain<ITwinRegistryGrain>(0).CreateReplayAsync(request!.Id!, request.Source, request.KpiIntervalS ?? 900);
        if (created is not null)
        {
            http.Audit(new AuditNote($"replay twin '{created.Id}' registered" + (created.Source is { } src ? $" (source {src})" : ""), null, null));
        }

        if (created is not null && http.User.IsInRole(ApiRoles.Researcher) && http.User.Identity?.Name is { } researcher)
        {
            // A researcher owns the replay twins it creates (it may feed and delete them; docs/security.md).
            await grains.GetGrain<ITwinOwnerGrain>(created.Id).ClaimAsync(researcher);
        }

        return created is null
            ? HttpApi.Problem(StatusCodes.Status409Conflict, "Twin exists", $"twin '{request.Id}' exists: delete it first (DELETE /api/twins/{request.Id}, citytwin twins delete {request.Id})")
            : Results.Created($"/api/twins/{created.Id}", created);
    }
}
