using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Grains;
using CityTwin.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using System.Net;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace CityTwin.Silo;

/// <summary>
/// The one place where a silo's providers are chosen. The embedded default: in-memory grain storage and
/// in-memory streams, no setup needed. With PostgreSQL: grain state and stream pub/sub state through the
/// Orleans ADO.NET provider, and the durable intake journal (the streams stay in memory: the journal is
/// what makes an accepted event durable). The audit log: the append-only table with PostgreSQL, else the
/// append-only file when the silo has one (its data directory), else memory.
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

    /// <summary>
    /// Adds CityTwin's grains' services, storage and streams to a silo: in memory, or in PostgreSQL when a
    /// connection string is given (its schema must be in place: see <see cref="PostgresSchema"/>).
    /// <paramref name="cityFolder"/> is where the city was read from (scenarios read its demand files; default:
    /// the sample city). The city's base origin-destination demand (<paramref name="demand"/>) is what timing
    /// recommendations fit to the live flows. Without <paramref name="pseudonyms"/> the silo pseudonymises personal
    /// identifiers with a random key of its own. <paramref name="auditFile"/> is the audit log's file without
    /// PostgreSQL (<see cref="FileAuditStore"/>; null: kept in memory); with PostgreSQL it is table <c>citytwin_audit</c>.
    /// </summary>
    public static ISiloBuilder AddCityTwin(this ISiloBuilder silo, CityModel city, string? postgres = null, LiveOptions? options = null, string? cityFolder = null, CityDemand? demand = null, PseudonymKey? pseudonyms = null, string? auditFile = null)
    {
        silo.Services.AddSingleton(pseudonyms ?? PseudonymKey.Random());
        silo.Services.AddSingleton<ICityCatalog>(new SingleCityCatalog(city, options ?? LiveOptions.Default));
        silo.Services.AddSingleton(new CityFiles(cityFolder ?? SiloSettings.SampleCityDirectory, SiloSettings.SampleCityDirectory));
        silo.Services.AddSingleton(demand ?? CityDemand.None);
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddSerializer(s => s.AddJsonSerializer(isSupported: IsEngineType));
        if (postgres is null)
        {
            silo.Services.AddSingleton<IIntakeJournal, NoIntakeJournal>();
            if (auditFile is null)
            {
                silo.Services.AddSingleton<IAuditStore, MemoryAuditStore>();
            }
            else
            {
                // Read back (and checked) when first asked for: the host asks at start, so a bad file stops the silo.
                silo.Services.AddSingleton<IAuditStore>(sp => FileAuditStore.Open(auditFile, sp.GetRequiredService<ILogger<FileAuditStore>>()));
            }

            silo.AddMemoryGrainStorage(StorageNames.Twin);
            silo.AddMemoryGrainStorage(StorageNames.PubSub);
        }
        else
        {
            silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(postgres));
            silo.Services.AddSingleton<IIntakeJournal, PostgresIntakeJournal>();
            silo.Services.AddSingleton<IAuditStore, PostgresAuditStore>();
            foreach (var name in new[] { StorageNames.Twin, StorageNames.PubSub })
            {
                // State is stored in Orleans' own binary format (version tolerant by the [Id]s of the state types),
                // the same serializer the grains' calls use, rather than the provider's default JSON; the
                // connections come from the journal's data source, one pool per silo.
                silo.AddAdoNetGrainStorage(name, ob => ob.Configure<Serializer, NpgsqlDataSource>((o, serializer, db) =>
                {
                    o.Invariant = PostgresSchema.Invariant;
                    o.DataSource = db;
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
            }
        }

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

    /// <summary>
    /// The audit log's file: <c>audit.ndjson</c> in the data directory for a silo without PostgreSQL that has a data
    /// directory (<c>citytwin up</c> always has one); null for PostgreSQL (the table) and for a silo without one (an
    /// embedded silo, a test host: memory, gone with the process like the rest of its state).
    /// </summary>
    public static string? AuditFile(SiloSettings settings) =>
        settings.Storage == StorageKind.Memory && settings.DataDirectory is { } dir ? Path.Combine(dir, FileAuditStore.FileName) : null;

    /// <summary>
    /// Cluster membership: localhost clustering for the in-memory default (one silo), the Orleans ADO.NET
    /// membership table in PostgreSQL otherwise, with the silo and gateway ports and advertised address.
    /// </summary>
    public static ISiloBuilder AddCityTwinClustering(this ISiloBuilder silo, SiloSettings settings)
    {
        if (settings.Storage == StorageKind.Memory)
        {
            return silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: ClusterIds.ServiceId, clusterId: settings.ClusterId);
        }

        var address = IPAddress.Parse(settings.AdvertisedAddress);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = ClusterIds.ServiceId;
        });
        silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address));
        return silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresSchema.Invariant;
            o.ConnectionString = settings.Postgres;
        });
    }

    /// <summary>Engine types (live snapshots inside grain state) are serialized as JSON.</summary>
    public static bool IsEngineType(Type type) => type.Namespace?.StartsWith("CityTwin.Engine", StringComparison.Ordinal) == true;
}
