using CityTwin.Client;
using CityTwin.Engine.City;
using CityTwin.Grains;
using CityTwin.Silo;
using Orleans.TestingHost;

namespace CityTwin.Cluster.Tests;

/// <summary>One test cluster (two silos, in-memory storage and streams, the sample city) shared by the grain tests.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public static CityModel City => SampleCity.Model;

    public CityTwinClient ClientFor(string twin) => new(Cluster.Client, twin);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddCityTwin(SampleCity.Model, demand: SampleCity.Demand);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>The bundled sample city, loaded once.</summary>
public static class SampleCity
{
    private static readonly Lazy<CityModel> Lazy = new(() => CityTwin.Formats.GeoJson.CityReader.ReadFolder(SiloSettings.SampleCityDirectory));

    private static readonly Lazy<CityDemand> LazyDemand = new(() => CityTwinHost.LoadDemand(new SiloSettings(), Lazy.Value));

    public static CityModel Model => Lazy.Value;

    /// <summary>Its base origin-destination demand, as the silo loads it.</summary>
    public static CityDemand Demand => LazyDemand.Value;
}
