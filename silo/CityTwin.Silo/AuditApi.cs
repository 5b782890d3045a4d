using CityTwin.Contracts;
using CityTwin.Formats.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CityTwin.Silo;

/// <summary>
/// The audit log over HTTP: <c>GET /api/audit?from=&amp;to=&amp;kind=</c>, entries with time in [from, to) of that kind,
/// oldest first. There is no endpoint that changes or removes an entry.
/// </summary>
public static class AuditApi
{
    /// <summary>Maps the audit endpoint under the API group.</summary>
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", async (HttpRequest request, IGrainFactory grains) =>
        {
            var problems = new List<string>();
            var from = Time(request.Query, "from", problems);
            var to = Time(request.Query, "to", problems);
            var kind = request.Query.TryGetValue("kind", out var k) ? k.ToString() : null;
            if (problems.Count > 0)
            {
                return HttpApi.Problem(StatusCodes.Status400BadRequest, "Invalid audit query", string.Join("; ", problems));
            }

            return Results.Ok(await grains.GetGrain<IAuditLogGrain>(AuditLog.Key).ListAsync(from, to, string.IsNullOrEmpty(kind) ? null : kind));
        });
        return api;
    }

    private static DateTimeOffset? Time(IQueryCollection query, string name, List<string> problems)
    {
        if (!query.TryGetValue(name, out var value))
        {
            return null;
        }

        var text = value.ToString();
        if (SensorEventReader.TryParseTimestamp(text, out var ticks))
        {
            return new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        problems.Add($"{name}: must be an ISO 8601 time with an offset (e.g. 2026-11-23T08:30:00Z), got '{text}'");
        return null;
    }
}
