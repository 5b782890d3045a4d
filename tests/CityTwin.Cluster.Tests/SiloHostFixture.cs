using System.Collections.Concurrent;
using System.Net;
using CityTwin.Client;
using CityTwin.Silo;
using CityTwin.Silo.Security;
using Microsoft.AspNetCore.Builder;

namespace CityTwin.Cluster.Tests;

/// <summary>
/// A real CityTwin silo with its HTTP API on a free loopback port, shared by the HTTP tests. It accepts one
/// token per name of <see cref="Tokens"/>; <see cref="Http"/> and <see cref="Api"/> send the admin token,
/// <see cref="As"/> any other; <see cref="ClientAsync"/> connects a cluster client through the gateway with one.
/// </summary>
public sealed class SiloHostFixture : IAsyncLifetime
{
    /// <summary>The body limit of this host: small, so that the 413 test sends little.</summary>
    public const long MaxIngestBytes = 256 * 1024;

    /// <summary>The tokens of this host: name and roles (the token itself is "test-token-" + name).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Tokens = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["admin"] = [ApiRoles.Admin],
        ["ana"] = [ApiRoles.Operator],
        ["ben"] = [ApiRoles.Operator],
        ["carl"] = [ApiRoles.Operator],
        ["dora"] = [ApiRoles.Operator],
        ["sensor-1"] = [ApiRoles.Sensor],
        ["pia"] = [ApiRoles.Planner],
        ["rex"] = [ApiRoles.Researcher],
        ["rita"] = [ApiRoles.Researcher],
    };

    private readonly ConcurrentDictionary<string, (HttpClient Http, CityTwinHttpClient Api)> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<CityTwinClient>>> _clusterClients = new(StringComparer.Ordinal);
    private WebApplication _app = null!;

    public HttpClient Http { get; private set; } = null!;

    public CityTwinHttpClient Api { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The silo's Orleans gateway (cluster clients).</summary>
    public IPEndPoint Gateway { get; private set; } = null!;

    /// <summary>The token of a name of <see cref="Tokens"/>.</summary>
    public static string TokenOf(string name) => "test-token-" + name;

    /// <summary>The pseudonym key of this host (fixed, so tests can compute a plate's pseudonym).</summary>
    public static readonly byte[] PrivacyKey = [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 7))];

    /// <summary>Settings with this fixture's tokens.</summary>
    public static SiloSettings Settings() => SiloSettings.OnFreeLoopbackPorts() with
    {
        MaxIngestBytes = MaxIngestBytes,
        PrivacyKey = PrivacyKey,
        Tokens = [.. Tokens.Select(t => new ApiToken(t.Key, t.Value, ApiTokens.Hash(TokenOf(t.Key))))],
    };

    /// <summary>An HTTP client and a typed client that send the token named <paramref name="name"/>.</summary>
    public (HttpClient Http, CityTwinHttpClient Api) As(string name) =>
        _clients.GetOrAdd(name, n =>
        {
            var http = new HttpClient { BaseAddress = BaseAddress };
            return (http, new CityTwinHttpClient(http, TokenOf(n)));
        });

    /// <summary>A cluster client connected through the gateway with the token named <paramref name="name"/> (one per name, kept until the host stops).</summary>
    public Task<CityTwinClient> ClientAsync(string name) =>
        _clusterClients.GetOrAdd(name, n => new Lazy<Task<CityTwinClient>>(() => CityTwinClient.ConnectAsync(Gateway, TokenOf(n)))).Value;

    /// <summary>An HTTP client that sends no token.</summary>
    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress };

    public async Task InitializeAsync()
    {
        var settings = Settings();
        _app = CityTwinHost.Build(settings, CityTwinHost.LoadCity(settings));
        await _app.StartAsync();
        BaseAddress = new Uri(CityTwinHost.Addresses(_app)[0]);
        Gateway = new IPEndPoint(IPAddress.Loopback, settings.GatewayPort);
        (Http, Api) = As("admin");
    }

    /// <summary>The running application (its endpoints, its services).</summary>
    public WebApplication App => _app;

    public async Task DisposeAsync()
    {
        foreach (var (http, _) in _clients.Values)
        {
            http.Dispose();
        }

        foreach (var client in _clusterClients.Values.Where(c => c.IsValueCreated && c.Value.IsCompletedSuccessfully))
        {
            await client.Value.Result.DisposeAsync();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SiloHostCollection : ICollectionFixture<SiloHostFixture>
{
    public const string Name = "silo-host";
}
