using System.CommandLine;
using CityTwin.Client;
using CityTwin.Engine.City;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Demand;
using CityTwin.Postgres;
using CityTwin.Silo;
using CityTwin.Silo.Security;
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

    public static Option<string?> TokenOption { get; } = new("--token")
    {
        Description = "API token for --cluster (default: $CITYTWIN_TOKEN, else the local admin token file that 'citytwin up' wrote)",
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

    /// <summary>Connects with the token of <c>--token</c>, <c>CITYTWIN_TOKEN</c> or the local admin token file.</summary>
    public static Task<Cluster> ConnectAsync(ParseResult parse, string? cityDirectory, CancellationToken cancellationToken) =>
        ConnectAsync(parse.GetValue(ClusterOption), cityDirectory, parse.GetValue(TokenOption), cancellationToken);

    /// <summary>
    /// The token for a cluster: <paramref name="option"/>, else <c>CITYTWIN_TOKEN</c>, else the admin token file
    /// in the data directory (<c>CityTwin:DataDirectory</c> or the user's default); null when there is none.
    /// </summary>
    public static string? ResolveToken(string? option)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            return option.Trim();
        }

        if (Environment.GetEnvironmentVariable("CITYTWIN_TOKEN") is { Length: > 0 } env)
        {
            return env.Trim();
        }

        var file = LocalCredentials.AdminTokenFile(Settings.Load().DataDirectoryOrDefault);
        return File.Exists(file) ? LocalCredentials.ReadToken(file) : null;
    }

    public static async Task<Cluster> ConnectAsync(string? url, string? cityDirectory, string? token, CancellationToken cancellationToken)
    {
        if (url is not null)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new CliInputException($"--cluster '{url}' is not an http(s) address");
            }

            var http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromMinutes(5) };
            if (ResolveToken(token) is { } t)
            {
                CityTwinHttpClient.Authorize(http, t);
            }

            var cluster = new Cluster(http, null);
            if (!await cluster.Api.IsHealthyAsync(cancellationToken))
            {
                await cluster.DisposeAsync();
                throw new InvalidOperationException($"no CityTwin silo answers at {url}");
            }

            return cluster;
        }

        // The embedded silo lives as long as this command: an admin token that exists only in memory.
        var admin = ApiTokens.NewToken();
        var settings = SiloSettings.OnFreeLoopbackPorts(cityDirectory) with
        {
            Tokens = [new ApiToken(LocalCredentials.AdminName, [ApiRoles.Admin], ApiTokens.Hash(admin))],
        };
        var city = CityTwinHost.LoadCity(settings);
        var app = CityTwinHost.Build(settings, city);
        await app.StartAsync(cancellationToken);
        var address = CityTwinHost.Addresses(app)[0];
        var embedded = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
        CityTwinHttpClient.Authorize(embedded, admin);
        return new Cluster(embedded, app);
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
        catch (Exception ex) when (ex is CityTwin.Silo.Security.TokenFileException or CityTwin.Silo.AuditFileException)
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
