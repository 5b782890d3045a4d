using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using CityTwin.Contracts;

namespace CityTwin.Client;

/// <summary>An error answer of the HTTP API (problem details).</summary>
public sealed class CityTwinApiException(HttpStatusCode status, string detail)
    : Exception($"{(int)status} {status}: {detail}")
{
    public HttpStatusCode Status { get; } = status;

    public string Detail { get; } = detail;
}

/// <summary>
/// The HTTP/JSON API of a CityTwin silo, for .NET programs that do not join the cluster. Every endpoint but
/// the health check needs a bearer token: pass it to <see cref="CityTwinHttpClient(HttpClient, string)"/> (or
/// set it on the <see cref="HttpClient"/> with <see cref="Authorize"/>).
/// </summary>
public sealed class CityTwinHttpClient(HttpClient http)
{
    /// <summary>A client that sends <paramref name="token"/> as <c>Authorization: Bearer</c> on every request of <paramref name="http"/>.</summary>
    public CityTwinHttpClient(HttpClient http, string token)
        : this(Authorize(http, token))
    {
    }

    /// <summary>Makes <paramref name="http"/> send <paramref name="token"/> as <c>Authorization: Bearer</c>; answers it.</summary>
    public static HttpClient Authorize(HttpClient http, string token)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Trim());
        return http;
    }

    /// <summary>JSON options matching the API's: camelCase, enums as strings.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>True when the silo answers its health check.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/api/health", UriKind.Relative), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Posts NDJSON lines to a twin.</summary>
    public async Task<IngestReport> IngestAsync(string twin, byte[] ndjson, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent(ndjson);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        using var response = await http.PostAsync(new Uri($"/api/twins/{Uri.EscapeDataString(twin)}/ingest", UriKind.Relative), content, cancellationToken);
        return await ReadAsync<IngestReport>(response, cancellationToken);
    }

    /// <summary>Reads one entity's state as raw JSON: kind is signals, parking, cells or districts.</summary>
    public async Task<JsonDocument> GetStateJsonAsync(string twin, string kindPath, string id, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync(new Uri($"/api/twins/{Uri.EscapeDataString(twin)}/{kindPath}/{Uri.EscapeDataString(id)}", UriKind.Relative), cancellationToken);
        return await ReadAsync<JsonDocument>(response, cancellationToken);
    }

    /// <summary>Parking guidance (<c>GET /api/twins/{twin}/parking/guidance</c>): facilities near a point ranked by expected availability on arrival, then distance.</summary>
    public Task<ParkingGuidanceResult> GetParkingGuidanceAsync(string twin, ParkingGuidanceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = string.Create(
            CultureInfo.InvariantCulture,
            $"lon={request.Longitude:R}&lat={request.Latitude:R}&limit={request.Limit}&maxDistanceM={request.MaxDistanceM:R}");
        if (request.Arrival is { } arrival)
        {
            query += "&arrival=" + Uri.EscapeDataString(arrival.ToString("O", CultureInfo.InvariantCulture));
        }

        return GetAsync<ParkingGuidanceResult>($"/api/twins/{Uri.EscapeDataString(twin)}/parking/guidance?{query}", cancellationToken);
    }

    /// <summary>The plan a signal runs now and the safety rules it breaks (<c>GET .../signals/{id}/plan</c>).</summary>
    public Task<SignalPlanState> GetPlanAsync(string twin, string signalId, CancellationToken cancellationToken = default) =>
        GetAsync<SignalPlanState>(PlanPath(twin, signalId), cancellationToken);

    /// <summary>A signal's audited plan history, oldest entry first (<c>GET .../signals/{id}/plan/history</c>).</summary>
    public Task<IReadOnlyList<PlanHistoryEntry>> GetPlanHistoryAsync(string twin, string signalId, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<PlanHistoryEntry>>(PlanPath(twin, signalId) + "/history", cancellationToken);

    /// <summary>
    /// Applies a plan (<c>PUT .../signals/{id}/plan</c>); the request's <c>Who</c> must be empty or the token's name. An unsafe plan (422) comes back as a result with status
    /// <see cref="PlanChangeStatus.Unsafe"/> and every broken rule; other errors throw <see cref="CityTwinApiException"/>.
    /// </summary>
    public async Task<PlanChangeResult> ApplyPlanAsync(string twin, string signalId, PlanApplyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var response = await http.PutAsJsonAsync(new Uri(PlanPath(twin, signalId), UriKind.Relative), ChangeBody(request, request.Who), Json, cancellationToken);
        return await ReadChangeAsync(response, cancellationToken);
    }

    /// <summary>
    /// Restores the previous plan (<c>POST .../signals/{id}/plan/rollback</c>). No previous plan (409) comes back as a
    /// result with status <see cref="PlanChangeStatus.NoPreviousPlan"/>; other errors throw <see cref="CityTwinApiException"/>.
    /// </summary>
    public async Task<PlanChangeResult> RollbackPlanAsync(string twin, string signalId, PlanRollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var response = await http.PostAsJsonAsync(new Uri(PlanPath(twin, signalId) + "/rollback", UriKind.Relative), ChangeBody(request, request.Who), Json, cancellationToken);
        return await ReadChangeAsync(response, cancellationToken);
    }

    /// <summary>The audit log (<c>GET /api/audit</c>): entries with time in [from, to) of a kind (null: any), oldest first. Needs an operator or admin token.</summary>
    public Task<IReadOnlyList<AuditEntry>> GetAuditAsync(DateTimeOffset? from = null, DateTimeOffset? to = null, string? kind = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (from is { } f)
        {
            query.Add("from=" + Uri.EscapeDataString(f.ToString("O", CultureInfo.InvariantCulture)));
        }

        if (to is { } t)
        {
            query.Add("to=" + Uri.EscapeDataString(t.ToString("O", CultureInfo.InvariantCulture)));
        }

        if (kind is not null)
        {
            query.Add("kind=" + Uri.EscapeDataString(kind));
        }

        return GetAsync<IReadOnlyList<AuditEntry>>("/api/audit" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), cancellationToken);
    }

    /// <summary>Reads a typed answer or throws <see cref="CityTwinApiException"/> with the problem's detail.</summary>
    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    /// <summary>
    /// A change request as JSON, <c>who</c> left out when empty: the API takes the identity from the token, and
    /// refuses a <c>who</c> that names someone else.
    /// </summary>
    private static JsonElement ChangeBody<T>(T request, string who)
    {
        var body = JsonSerializer.SerializeToElement(request, Json);
        if (!string.IsNullOrEmpty(who))
        {
            return body;
        }

        var without = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in body.EnumerateObject().Where(p => p.Name != "who"))
        {
            without[p.Name] = p.Value;
        }

        return JsonSerializer.SerializeToElement(without, Json);
    }

    private static string PlanPath(string twin, string signalId) =>
        $"/api/twins/{Uri.EscapeDataString(twin)}/signals/{Uri.EscapeDataString(signalId)}/plan";

    /// <summary>A change's answer: 200 is the result; 422 and 409 are refusals whose problem carries the violations and the plan in force.</summary>
    private static async Task<PlanChangeResult> ReadChangeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var refusal = response.StatusCode switch
        {
            HttpStatusCode.UnprocessableEntity => PlanChangeStatus.Unsafe,
            HttpStatusCode.Conflict => PlanChangeStatus.NoPreviousPlan,
            _ => (PlanChangeStatus?)null,
        };
        if (refusal is not { } status)
        {
            return await ReadAsync<PlanChangeResult>(response, cancellationToken);
        }

        var problem = await response.Content.ReadFromJsonAsync<PlanRefusal>(Json, cancellationToken)
            ?? throw new CityTwinApiException(response.StatusCode, "empty problem body");
        return new PlanChangeResult(status, problem.Detail ?? "", problem.Current!, null, problem.Violations ?? []);
    }

    /// <summary>The problem body of a refused plan change.</summary>
    private sealed record PlanRefusal(string? Detail, SignalPlanState? Current, IReadOnlyList<PlanViolation>? Violations);

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            try
            {
                using var doc = JsonDocument.Parse(detail);
                if (doc.RootElement.TryGetProperty("detail", out var d))
                {
                    detail = d.GetString() ?? detail;
                }
            }
            catch (JsonException)
            {
                // Not a problem-details body: keep the raw text.
            }

            throw new CityTwinApiException(response.StatusCode, detail);
        }

        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
    }
}
