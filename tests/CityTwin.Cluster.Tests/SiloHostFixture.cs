using CityTwin.Client;
using CityTwin.Silo;
using Microsoft.AspNetCore.Builder;

namespace CityTwin.Cluster.Tests;

/// <summary>A real CityTwin silo with its HTTP API on a free loopback port, shared by the HTTP tests.</summary>
public sealed class SiloHostFixture : IAsyncLifetime
{
    /// <summary>The body limit of this host: small, so that the 413 test sends little.</summary>
    public const long MaxIngestBytes = 256 * 1024;

    private WebApplication _app = null!;

    public HttpClient Http { get; private set; } = null!;

    public CityTwinHttpClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = SiloSettings.OnFreeLoopbackPorts() with { MaxIngestBytes = MaxIngestBytes };
        _app = CityTwinHost.Build(settings, CityTwinHost.LoadCity(settings));
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(CityTwinHost.Addresses(_app)[0]) };
        Api = new CityTwinHttpClient(Http);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SiloHostCollection : ICollectionFixture<SiloHostFixture>
{
    public const string Name = "silo-host";
}
