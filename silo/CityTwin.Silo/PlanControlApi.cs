using System.Text.Json;
using CityTwin.Contracts;
using CityTwin.Grains;
using CityTwin.Silo.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CityTwin.Silo;

/// <summary>
/// The signal control API over HTTP (docs/signal-timing.md, "Control API"): read the current plan, apply a
/// plan, roll back, read the audited history. The grain (<see cref="ISignalControlGrain"/>) decides; this
/// maps its answers onto status codes: 200 done, 400 malformed request (the fields named), 404 unknown
/// signal, 409 nothing to roll back to, 422 unsafe plan (every broken rule listed).
/// </summary>
public static class PlanControlApi
{
    /// <summary>The largest request body of a plan change (bytes).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Maps the control endpoints under a twin's route group.</summary>
    public static RouteGroupBuilder MapPlanControl(this RouteGroupBuilder twin)
    {
        twin.MapGet("/signals/{id}/plan", (string twin, string id, ICityCatalog catalog, IGrainFactory grains) =>
            SignalAsync(twin, id, catalog, async () => Results.Ok(await Control(grains, twin, id).GetPlanAsync())));

        twin.MapGet("/signals/{id}/plan/history", (string twin, string id, ICityCatalog catalog, IGrainFactory grains) =>
            SignalAsync(twin, id, catalog, async () => Results.Ok(await Control(grains, twin, id).GetPlanHistoryAsync())));

        twin.MapPut("/signals/{id}/plan", (string twin, string id, HttpContext http, ICityCatalog catalog, IGrainFactory grains) =>
            SignalAsync(twin, id, catalog, () => ChangeAsync(http, PlanRequestJson.ReadApply, r => Control(grains, twin, id).ApplyPlanAsync(r),
                (r, result) => ApplyNote(id, r, result))));

        twin.MapPost("/signals/{id}/plan/rollback", (string twin, string id, HttpContext http, ICityCatalog catalog, IGrainFactory grains) =>
            SignalAsync(twin, id, catalog, () => ChangeAsync(http, PlanRequestJson.ReadRollback, r => Control(grains, twin, id).RollbackPlanAsync(r),
                (r, result) => RollbackNote(id, r, result))));

        return twin;
    }

    /// <summary>What the audit log records of a plan apply (no entry when nothing changed), over HTTP and from cluster clients alike.</summary>
    public static AuditNote ApplyNote(string signalId, PlanApplyRequest request, PlanChangeResult result) =>
        new($"signal {signalId}: plan '{request.Plan.Id}' {result.Status.ToString().ToLowerInvariant()}", request.Why, request.EvidenceId, result.Entry is not null);

    /// <summary>What the audit log records of a rollback (no entry when nothing changed).</summary>
    public static AuditNote RollbackNote(string signalId, PlanRollbackRequest request, PlanChangeResult result) =>
        new($"signal {signalId}: rolled back to plan '{result.Current.Plan.Id}'", request.Why, null, result.Entry is not null);

    private static ISignalControlGrain Control(IGrainFactory grains, string twin, string id) =>
        grains.GetGrain<ISignalControlGrain>(TwinKeys.Of(twin, id));

    private static async Task<IResult> SignalAsync(string twin, string id, ICityCatalog catalog, Func<Task<IResult>> answer) =>
        catalog.CityOf(twin).SignalsById.ContainsKey(id)
            ? await answer()
            : HttpApi.Problem(StatusCodes.Status404NotFound, "Not found", $"the city has no signal '{id}'");

    private static async Task<IResult> ChangeAsync<TRequest>(
        HttpContext http,
        Func<JsonElement, string, (TRequest? Request, IReadOnlyList<string> Problems)> read,
        Func<TRequest, Task<PlanChangeResult>> change,
        Func<TRequest, PlanChangeResult, AuditNote> audit)
        where TRequest : class
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }

        var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
        {
            body.Write(buffer, 0, n);
            if (body.Length > MaxBodyBytes)
            {
                return TooLarge();
            }
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException ex)
        {
            return HttpApi.Problem(StatusCodes.Status400BadRequest, "Malformed request", $"the body is not valid JSON: {ex.Message}");
        }

        using (doc)
        {
            var (request, problems) = read(doc.RootElement, http.Caller());
            if (request is null || problems.Count > 0)
            {
                return HttpApi.Problem(StatusCodes.Status400BadRequest, "Malformed request", $"the request is invalid: {string.Join("; ", problems)}");
            }

            var result = await change(request);
            http.Audit(audit(request, result));
            return Answer(result);
        }
    }

    private static IResult Answer(PlanChangeResult result) => result.Status switch
    {
        PlanChangeStatus.Applied or PlanChangeStatus.Unchanged or PlanChangeStatus.RolledBack => Results.Ok(result),
        PlanChangeStatus.Unsafe => Refused(StatusCodes.Status422UnprocessableEntity, "Unsafe plan", result),
        PlanChangeStatus.NoPreviousPlan => Refused(StatusCodes.Status409Conflict, "No previous plan", result),
        _ => HttpApi.Problem(StatusCodes.Status400BadRequest, "Malformed request", result.Detail),
    };

    /// <summary>A refusal: problem details with every broken rule (<c>violations</c>) and the plan that stays in force (<c>current</c>).</summary>
    private static IResult Refused(int status, string title, PlanChangeResult result) =>
        Results.Problem(
            detail: result.Detail,
            statusCode: status,
            title: title,
            extensions: new Dictionary<string, object?>
            {
                ["violations"] = result.Violations,
                ["current"] = result.Current,
            });

    private static IResult TooLarge() =>
        HttpApi.Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"a plan request may be at most {MaxBodyBytes} bytes");
}
