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

/// <summary>The HTTP/JSON API of a CityTwin silo, for .NET programs that do not join the cluster.</summary>
public sealed class CityTwinHttpClient(HttpClient http)
{
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

    /// <summary>Reads a typed answer or throws <see cref="CityTwinApiException"/> with the problem's detail.</summary>
    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

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
