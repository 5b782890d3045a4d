using System.Buffers;
using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Formats.Events;
using CityTwin.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CityTwin.Silo;

/// <summary>The HTTP/JSON API of CONTRACTS.md, for systems that are not .NET.</summary>
public static class HttpApi
{
    /// <summary>Maps every endpoint of the API.</summary>
    public static IEndpointRouteBuilder MapCityTwinApi(this IEndpointRouteBuilder app, SiloSettings settings)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/health", (ICityCatalog catalog, ILocalSiloDetails silo) =>
        {
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return Results.Ok(new
            {
                status = "ready",
                city = catalog.CityOf(TwinKeys.Live).Name,
                silo = silo.SiloAddress.ToParsableString(),
                clusterId = silo.ClusterId,
                workingSetMb = process.WorkingSet64 / 1048576.0,
                gcHeapMb = GC.GetTotalMemory(forceFullCollection: false) / 1048576.0,
            });
        });

        api.MapGet("/cluster", ClusterAsync);
        api.MapScenarios();
        api.MapAudit();

        var twin = api.MapGroup("/twins/{twin}").AddEndpointFilter(async (ctx, next) =>
        {
            var id = ctx.HttpContext.GetRouteValue("twin") as string;
            return TwinKeys.IsValidTwinId(id)
                ? await next(ctx)
                : Problem(StatusCodes.Status400BadRequest, "Invalid twin id", $"'{id}' is not a twin id: use letters, digits, '-', '_', '.'; 1-64 characters");
        });

        twin.MapPost("/ingest", (string twin, string? clock, HttpContext http, IGrainFactory grains, PseudonymKey pseudonyms) => IngestAsync(twin, clock, http, grains, pseudonyms, settings.MaxIngestBytes));

        api.MapTwinLifecycle(twin);

        twin.MapGet("/rejected", async (string twin, IGrainFactory grains) =>
            Results.Ok(await grains.GetGrain<IIngestLogGrain>(twin).GetAsync()));

        twin.MapGet("/entities", (string twin, string? kind, ICityCatalog catalog) =>
        {
            if (kind is null || !Kinds.TryGetValue(kind, out var k))
            {
                return Problem(StatusCodes.Status400BadRequest, "Unknown kind", $"kind must be one of {string.Join(", ", Kinds.Keys)}; got '{kind}'");
            }

            var list = catalog.CityOf(twin).List(k).Select(e => new EntityInfo(e.Id, kind, e.Name, e.DistrictId, e.CellId));
            return Results.Ok(list);
        });

        twin.MapGet("/snapshot", async (string twin, ICityCatalog catalog, IGrainFactory grains) =>
        {
            _ = catalog.CityOf(twin);
            return Results.Ok(await grains.GetGrain<ITwinSnapshotGrain>(twin).TakeAsync());
        });

        twin.MapGet("/signals/{id}", (string twin, string id, ICityCatalog catalog, IGrainFactory grains) =>
            Read(catalog.CityOf(twin).SignalsById.ContainsKey(id), "signal", id,
                () => grains.GetGrain<ITrafficSignalGrain>(TwinKeys.Of(twin, id)).GetStateAsync()));

        twin.MapParkingGuidance();
        twin.MapSignalMeasures();

        twin.MapGet("/parking/{id}", (string twin, string id, ICityCatalog catalog, IGrainFactory grains) =>
            Read(catalog.CityOf(twin).ParkingById.ContainsKey(id), "parking facility", id,
                () => grains.GetGrain<IParkingFacilityGrain>(TwinKeys.Of(twin, id)).GetStateAsync()));

        twin.MapGet("/cells/{id}", (string twin, string id, ICityCatalog catalog, IGrainFactory grains) =>
            Read(catalog.CityOf(twin).CellsById.ContainsKey(id), "cell", id,
                () => grains.GetGrain<IGridCellGrain>(TwinKeys.Of(twin, id)).GetStateAsync()));

        twin.MapGet("/districts/{id}", (string twin, string id, ICityCatalog catalog, IGrainFactory grains) =>
            Read(catalog.CityOf(twin).DistrictsById.ContainsKey(id), "district", id,
                () => grains.GetGrain<IDistrictGrain>(TwinKeys.Of(twin, id)).GetStateAsync()));

        twin.MapAlerts();
        twin.MapPlanControl();
        twin.MapRecommendation();

        return app;
    }

    /// <summary>Entity kinds as the API names them.</summary>
    public static readonly IReadOnlyDictionary<string, EntityKind> Kinds = new Dictionary<string, EntityKind>(StringComparer.Ordinal)
    {
        ["signal"] = EntityKind.Signal,
        ["parking"] = EntityKind.Parking,
        ["detector"] = EntityKind.Detector,
        ["cell"] = EntityKind.Cell,
        ["district"] = EntityKind.District,
        ["link"] = EntityKind.Link,
    };

    /// <summary>The silos of the cluster that are not dead, with their activation counts, and which one answered.</summary>
    private static async Task<IResult> ClusterAsync(IGrainFactory grains, ILocalSiloDetails local)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = (await management.GetDetailedHosts(onlyActive: false)).Where(h => h.Status != SiloStatus.Dead).ToArray();
        var active = hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloAddress).ToArray();
        var stats = active.Length == 0 ? [] : await management.GetRuntimeStatistics(active);
        var activations = active.Zip(stats).ToDictionary(p => p.First, p => p.Second.ActivationCount);
        return Results.Ok(new
        {
            clusterId = local.ClusterId,
            answeredBy = local.SiloAddress.ToParsableString(),
            silos = hosts.Select(h => new
            {
                address = h.SiloAddress.ToParsableString(),
                name = h.SiloName,
                status = h.Status.ToString(),
                started = h.StartTime,
                activations = activations.TryGetValue(h.SiloAddress, out var n) ? n : (int?)null,
            }),
        });
    }

    private static async Task<IResult> Read<T>(bool exists, string kind, string id, Func<Task<T>> read) =>
        exists
            ? Results.Ok(await read())
            : Problem(StatusCodes.Status404NotFound, "Not found", $"the city has no {kind} '{id}'");

    private static async Task<IResult> IngestAsync(string twin, string? clock, HttpContext http, IGrainFactory grains, PseudonymKey pseudonyms, long maxBytes)
    {
        DateTimeOffset? replayClock = null;
        if (clock is not null)
        {
            if (!Formats.Events.SensorEventReader.TryParseTimestamp(clock, out var ticks))
            {
                return Problem(StatusCodes.Status400BadRequest, "Bad clock", $"clock '{clock}' is not an ISO 8601 timestamp with an offset (e.g. 2016-10-04T08:00:00Z)");
            }

            if (twin == TwinKeys.Live)
            {
                return Problem(StatusCodes.Status400BadRequest, "Bad clock", $"the '{TwinKeys.Live}' twin runs on the wall clock: a replay clock is only for other twins");
            }

            replayClock = new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        if (http.Request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        var body = await ReadBodyAsync(http.Request.Body, maxBytes, http.RequestAborted);
        if (body is null)
        {
            return TooLarge(maxBytes);
        }

        // Personal identifiers (plates, device ids) become pseudonyms here, before any grain, stream, store or log sees them.
        body = PersonalFields.Pseudonymise(body, pseudonyms.Key);
        var ingest = grains.GetGrain<IIngestGrain>(0);
        var report = replayClock is { } at ? await ingest.IngestAtAsync(twin, body, at) : await ingest.IngestAsync(twin, body);
        return Results.Ok(report);
    }

    /// <summary>Reads at most <paramref name="maxBytes"/>; null when the body is larger (it is not read further).</summary>
    private static async Task<byte[]?> ReadBodyAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var writer = new ArrayBufferWriter<byte>(64 * 1024);
        while (true)
        {
            var memory = writer.GetMemory(64 * 1024);
            var read = await body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return writer.WrittenSpan.ToArray();
            }

            writer.Advance(read);
            if (writer.WrittenCount > maxBytes)
            {
                return null;
            }
        }
    }

    private static IResult TooLarge(long maxBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"an ingest body may be at most {maxBytes} bytes; split the file into smaller batches");

    /// <summary>An RFC 9457 problem-details answer.</summary>
    public static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title);
}
