using System.Text;
using System.Text.Json.Nodes;
using CityTwin.Contracts;
using CityTwin.Silo.Security;
using CityTwin.Formats.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CityTwin.Silo;

/// <summary>
/// <c>POST /api/scenarios</c> (a scenario script, YAML or JSON) and <c>GET /api/scenarios/{id}</c> (its status,
/// progress and result): docs/scenarios.md, "HTTP".
/// </summary>
public static class ScenarioApi
{
    /// <summary>Maps the scenario endpoints under <paramref name="api"/> (<c>/api</c>).</summary>
    public static RouteGroupBuilder MapScenarios(this RouteGroupBuilder api)
    {
        api.MapPost("/scenarios", StartAsync);
        api.MapGet("/scenarios/{id}", GetAsync);
        return api;
    }

    private static async Task<IResult> StartAsync(HttpContext http, IGrainFactory grains, int? replications)
    {
        if (replications is < 2 or > 1000)
        {
            return HttpApi.Problem(StatusCodes.Status400BadRequest, "Bad request", $"replications must be 2-1000, got {replications}");
        }

        var text = await ReadBodyAsync(http.Request);
        if (text is null)
        {
            return HttpApi.Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"a scenario script may be at most {ScenarioReader.MaxChars} characters");
        }

        var id = $"sc-{Guid.NewGuid():N}"[..19];
        var status = await grains.GetGrain<IScenarioGrain>(id).StartAsync(new ScenarioRequest(text, null, replications));
        if (status.State == ScenarioStates.Invalid)
        {
            return Results.Problem(
                detail: string.Join("; ", status.Errors.Select(e => $"{e.Line}:{e.Column}: {e.Reason}")),
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid scenario script",
                extensions: new Dictionary<string, object?> { ["errors"] = status.Errors });
        }

        http.Audit(new AuditNote($"scenario run {id} started", null, null));
        var location = $"/api/scenarios/{id}";
        return Results.Accepted(location, new { id, location, status });
    }

    private static async Task<IResult> GetAsync(string id, IGrainFactory grains)
    {
        var grain = grains.GetGrain<IScenarioGrain>(id);
        var status = await grain.GetStatusAsync();
        if (status.State == ScenarioStates.Unknown)
        {
            return HttpApi.Problem(StatusCodes.Status404NotFound, "Not found", $"no scenario run '{id}'");
        }

        var result = status.State == ScenarioStates.Done && await grain.GetResultAsync() is { } json ? JsonNode.Parse(json) : null;
        return Results.Ok(new
        {
            status.Id,
            status.State,
            status.Scenario,
            status.Done,
            status.Total,
            status.Decision,
            status.Error,
            status.Errors,
            status.StartedAt,
            status.FinishedAt,
            result,
        });
    }

    /// <summary>The body as text, or null when it is longer than a script may be.</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[8192];
        var sb = new StringBuilder();
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            sb.Append(buffer, 0, n);
            if (sb.Length > ScenarioReader.MaxChars)
            {
                return null;
            }
        }

        return sb.ToString();
    }
}
