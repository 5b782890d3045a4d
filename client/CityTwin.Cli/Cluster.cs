using System.CommandLine;
using CityTwin.Client;
using CityTwin.Engine.City;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Demand;
using CityTwin.Postgres;
using CityTwin.Silo;
using Microsoft.AspNetCore.Builder;

namespace CityTwin.Cli;

/// <summary>
/// Reaches a cluster: the HTTP API of a running silo (<c>--cluster URL</c>), or, without it, an embedded
/// silo started in this process with the sample city (or <c>--city</c>) on free loopback ports.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    private readonly WebApplication? _embedded;
    private readonly HttpClient _http;

    private Cluster(HttpClient http, WebApplication? embedded)
    {
        _http = http;
        _embedded = embedded;
        Api = new CityTwinHttpClient(http);
    }

    public static Option<string?> ClusterOption { get; } = new("--cluster")
    {
        Description = "HTTP address of a running CityTwin silo (e.g. http://127.0.0.1:5080); without it an embedded silo is started",
    };

    public static Option<string?> CityOption { get; } = new("--city")
    {
        Description = "City folder (city.json + GeoJSON); default: the bundled sample city",
    };

    public static Option<string> TwinOption { get; } = new("--twin")
    {
        Description = "Twin id",
        DefaultValueFactory = _ => "live",
    };

    public CityTwinHttpClient Api { get; }

    /// <summary>The HTTP client of the API (its base address set).</summary>
    public HttpClient Http => _http;

    /// <summary>The embedded silo's services (its grain factory), or null on a remote cluster.</summary>
    public IServiceProvider? EmbeddedServices => _embedded?.Services;

    public bool IsEmbedded => _embedded is not null;

    public static async Task<Cluster> ConnectAsync(string? url, string? cityDirectory, CancellationToken cancellationToken)
    {
        if (url is not null)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new CliInputException($"--cluster '{url}' is not an http(s) address");
            }

            var http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromMinutes(5) };
            var cluster = new Cluster(http, null);
            if (!await cluster.Api.IsHealthyAsync(cancellationToken))
            {
                await cluster.DisposeAsync();
                throw new InvalidOperationException($"no CityTwin silo answers at {url}");
            }

            return cluster;
        }

        var settings = SiloSettings.OnFreeLoopbackPorts(cityDirectory);
        var city = CityTwinHost.LoadCity(settings);
        var app = CityTwinHost.Build(settings, city);
        await app.StartAsync(cancellationToken);
        var address = CityTwinHost.Addresses(app)[0];
        return new Cluster(new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) }, app);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_embedded is not null)
        {
            await _embedded.StopAsync();
            await _embedded.DisposeAsync();
        }
    }
}

/// <summary>An invalid argument or input file: exit code 2 with the message.</summary>
internal sealed class CliInputException(string message) : Exception(message);

/// <summary>Runs a command body and maps failures to exit codes and one clear message.</summary>
internal static class Run
{
    public static async Task<int> GuardedAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (CliInputException ex)
        {
            await Console.Error.WriteLineAsync($"citytwin: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (StorageConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"citytwin: {ex.Message}");
            return ex.IsTransient ? ExitCodes.Failure : ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is CityValidationException or DemandFormatException or DemandException or TripException or TrafficNetworkException)
        {
            await Console.Error.WriteLineAsync($"citytwin: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (CityTwinApiException ex) when ((int)ex.Status is >= 400 and < 500)
        {
            await Console.Error.WriteLineAsync($"citytwin: {ex.Detail}");
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"citytwin: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
