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
    public Task<IngestReport> IngestAsync(string twin, byte[] ndjson, CancellationToken cancellationToken = default) =>
        IngestAsync(twin, ndjson, null, cancellationToken);

    /// <summary>
    /// Posts NDJSON lines to a twin; with <paramref name="clock"/> (a replay twin only) the rule on future timestamps
    /// is judged against that time instead of the silo's wall clock.
    /// </summary>
    public async Task<IngestReport> IngestAsync(string twin, ReadOnlyMemory<byte> ndjson, DateTimeOffset? clock, CancellationToken cancellationToken = default)
    {
        using var content = new ReadOnlyMemoryContent(ndjson);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        var path = $"/api/twins/{Uri.EscapeDataString(twin)}/ingest";
        if (clock is { } c)
        {
            path += "?clock=" + Uri.EscapeDataString(c.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
        }

        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content, cancellationToken);
        return await ReadAsync<IngestReport>(response, cancellationToken);
    }

    /// <summary>Every twin of the cluster, <c>live</c> first (<c>GET /api/twins</c>).</summary>
    public Task<IReadOnlyList<TwinInfo>> ListTwinsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<TwinInfo>>("/api/twins", cancellationToken);

    /// <summary>Creates a replay twin (<c>POST /api/twins</c>); a twin of that id that exists is a 409 <see cref="CityTwinApiException"/>.</summary>
    public async Task<TwinInfo> CreateReplayTwinAsync(string twin, int kpiIntervalS, string? source, CancellationToken cancellationToken = default)
    {
        var body = new { id = twin, kind = TwinKinds.Replay, kpiIntervalS, source };
        using var response = await http.PostAsJsonAsync(new Uri("/api/twins", UriKind.Relative), body, Json, cancellationToken);
        return await ReadAsync<TwinInfo>(response, cancellationToken);
    }

    /// <summary>Deletes a twin and all its state (<c>DELETE /api/twins/{twin}</c>); 404 when there is none, 400 for <c>live</c>.</summary>
    public async Task<TwinDeletion> DeleteTwinAsync(string twin, CancellationToken cancellationToken = default)
    {
        using var response = await http.DeleteAsync(new Uri($"/api/twins/{Uri.EscapeDataString(twin)}", UriKind.Relative), cancellationToken);
        return await ReadAsync<TwinDeletion>(response, cancellationToken);
    }

    /// <summary>A twin's event counts summed over its signals and facilities, and its clock (<c>GET .../progress</c>).</summary>
    public Task<TwinProgress> GetProgressAsync(string twin, CancellationToken cancellationToken = default) =>
        GetAsync<TwinProgress>($"/api/twins/{Uri.EscapeDataString(twin)}/progress", cancellationToken);

    /// <summary>A replay twin's KPI series through a time (<c>GET .../kpis?through=</c>).</summary>
    public Task<TwinKpiSeries> GetKpisAsync(string twin, DateTimeOffset through, CancellationToken cancellationToken = default) =>
        GetAsync<TwinKpiSeries>(
            $"/api/twins/{Uri.EscapeDataString(twin)}/kpis?through={Uri.EscapeDataString(through.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture))}",
            cancellationToken);

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

    /// <summary>A signal's performance measures from its controller events (<c>GET .../signals/{id}/measures</c>, docs/signal-measures.md).</summary>
    public Task<SignalMeasuresState> GetSignalMeasuresAsync(string twin, string signalId, CancellationToken cancellationToken = default) =>
        GetAsync<SignalMeasuresState>($"/api/twins/{Uri.EscapeDataString(twin)}/signals/{Uri.EscapeDataString(signalId)}/measures", cancellationToken);

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

    /// <summary>
    /// A recommended timing plan with its evidence (<c>GET .../signals/{id}/recommendation[?windowMin=&amp;replications=&amp;seed=]</c>);
    /// a bad parameter (400) or unknown signal (404) throws <see cref="CityTwinApiException"/>.
    /// </summary>
    public Task<RecommendationEvidence> GetRecommendationAsync(string twin, string signalId, RecommendationRequest? request = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (request?.WindowMin is { } w)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"windowMin={w}"));
        }

        if (request?.Replications is { } r)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"replications={r}"));
        }

        if (request?.Seed is { } s)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"seed={s}"));
        }

        return GetAsync<RecommendationEvidence>(RecommendationPath(twin, signalId) + (query.Count > 0 ? "?" + string.Join('&', query) : ""), cancellationToken);
    }

    /// <summary>A kept recommendation's evidence by its id (<c>GET .../signals/{id}/recommendation/{evidenceId}</c>); 404 throws <see cref="CityTwinApiException"/>.</summary>
    public Task<RecommendationEvidence> GetKeptRecommendationAsync(string twin, string signalId, string evidenceId, CancellationToken cancellationToken = default) =>
        GetAsync<RecommendationEvidence>(RecommendationPath(twin, signalId) + "/" + Uri.EscapeDataString(evidenceId), cancellationToken);

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

    /// <summary>
    /// A twin's alerts (<c>GET /api/twins/{twin}/alerts</c>): the open ones, or with <paramref name="includeCleared"/> also
    /// the kept cleared ones; optionally of one kind and one district (docs/alerts.md).
    /// </summary>
    public Task<AlertList> GetAlertsAsync(string twin, bool includeCleared = false, string? kind = null, string? district = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string> { "state=" + (includeCleared ? "all" : "open") };
        if (kind is not null)
        {
            query.Add("kind=" + Uri.EscapeDataString(kind));
        }

        if (district is not null)
        {
            query.Add("district=" + Uri.EscapeDataString(district));
        }

        return GetAsync<AlertList>($"/api/twins/{Uri.EscapeDataString(twin)}/alerts?{string.Join('&', query)}", cancellationToken);
    }

    /// <summary>
    /// A twin's alert changes as they happen, read from the Server-Sent Events of <c>GET /api/twins/{twin}/alerts/stream</c>
    /// until <paramref name="cancellationToken"/> ends it (or the silo closes the stream); with <paramref name="after"/>,
    /// first the changes after that sequence number the registry still keeps (sent as <c>Last-Event-ID</c>). Comment
    /// lines (the subscription notice, heartbeats) are skipped.
    /// </summary>
    public async IAsyncEnumerable<AlertChange> WatchAlertsAsync(string twin, long? after = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/twins/{Uri.EscapeDataString(twin)}/alerts/stream", UriKind.Relative));
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (after is { } a)
        {
            request.Headers.Add("Last-Event-ID", a.ToString(CultureInfo.InvariantCulture));
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await ReadAsync<JsonElement>(response, cancellationToken);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(body);
        var data = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    yield return JsonSerializer.Deserialize<AlertChange>(data.ToString(), Json)!;
                    data.Clear();
                }
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(line.AsSpan(5).TrimStart(' '));
            }
        }
    }

    /// <summary>Reads a typed answer or throws <see cref="CityTwinApiException"/> with the problem's detail.</summary>
    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private static string RecommendationPath(string twin, string signalId) =>
        $"/api/twins/{Uri.EscapeDataString(twin)}/signals/{Uri.EscapeDataString(signalId)}/recommendation";

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
