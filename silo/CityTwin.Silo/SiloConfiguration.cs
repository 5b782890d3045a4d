using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace CityTwin.Silo;

/// <summary>
/// The one place where a silo's providers are chosen. The embedded default: in-memory grain storage and
/// in-memory streams, no setup needed.
/// </summary>
public static class SiloConfiguration
{
    /// <summary>How long the stream pulling agents wait before polling an empty queue again.</summary>
    public static readonly TimeSpan StreamPollPeriod = TimeSpan.FromMilliseconds(10);

    /// <summary>How long delivered stream data stays cached at least, and at most.</summary>
    public static readonly TimeSpan StreamCacheMinAge = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan StreamCacheMaxAge = TimeSpan.FromSeconds(30);

    /// <summary>Number of in-memory stream queues (spread over silos).</summary>
    public const int StreamQueues = 8;

    /// <summary>Adds CityTwin's grains' services, storage and streams to a silo.</summary>
    public static ISiloBuilder AddCityTwin(this ISiloBuilder silo, CityModel city, LiveOptions? options = null)
    {
        silo.Services.AddSingleton<ICityCatalog>(new SingleCityCatalog(city, options ?? LiveOptions.Default));
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddSerializer(s => s.AddJsonSerializer(isSupported: IsEngineType));
        silo.AddMemoryGrainStorage(StorageNames.Twin);
        silo.AddMemoryGrainStorage(StorageNames.PubSub);
        silo.AddMemoryStreams(StreamNames.Provider, b =>
        {
            b.ConfigurePartitioning(StreamQueues);
            b.ConfigurePullingAgent(ob => ob.Configure(o => o.GetQueueMsgsTimerPeriod = StreamPollPeriod));

            // Delivered batches need not stay in the stream cache for rewinding (the default keeps them for
            // up to 30 minutes, which at tens of thousands of events a second is gigabytes).
            b.ConfigureCacheEviction(ob => ob.Configure(o =>
            {
                o.DataMinTimeInCache = StreamCacheMinAge;
                o.DataMaxAgeInCache = StreamCacheMaxAge;
            }));
        });
        return silo;
    }

    /// <summary>Engine types (live snapshots inside grain state) are serialized as JSON.</summary>
    public static bool IsEngineType(Type type) => type.Namespace?.StartsWith("CityTwin.Engine", StringComparison.Ordinal) == true;
}
