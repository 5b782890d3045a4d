using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace CityTwin.Grains;

/// <summary>When grains write their changed state: on a timer (and when they deactivate), not on every event.</summary>
public static class Checkpoints
{
    /// <summary>How often changed state is written to storage.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
}

/// <summary>Persisted state of a live entity grain: the engine's snapshot of it.</summary>
[GenerateSerializer, Alias("CityTwin.LiveEntityState")]
public sealed class LiveEntityState<TSnapshot>
{
    [Id(0)]
    public TSnapshot? Snapshot { get; set; }
}

/// <summary>
/// The common shape of a signal or facility grain: woken by an implicit subscription to its sensor
/// streams, it applies each batch through the engine, reports its summary to its cell and district, and
/// checkpoints its state on a timer (and when it deactivates) rather than on every batch.
/// </summary>
public abstract class LiveEntityGrain<TLive, TSnapshot>(
    ICityCatalog catalog,
    IPersistentState<LiveEntityState<TSnapshot>> state,
    ILogger logger)
    : Grain, IAsyncObserver<SensorBatch>, IStreamSubscriptionObserver
    where TLive : LiveEntity<TSnapshot>
{
    private bool _dirty;

    protected string Twin { get; private set; } = "";

    protected string EntityId { get; private set; } = "";

    protected CityModel City { get; private set; } = null!;

    protected TLive Live { get; private set; } = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (Twin, EntityId) = TwinKeys.Split(this.GetPrimaryKeyString());
        City = catalog.CityOf(Twin);
        Live = Create(City, EntityId, catalog.Options, state.State.Snapshot);
        this.RegisterGrainTimer(CheckpointAsync, Checkpoints.Period, Checkpoints.Period);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await CheckpointAsync(cancellationToken);
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        await handleFactory.Create<SensorBatch>().ResumeAsync(this);
    }

    public Task OnNextAsync(SensorBatch item, StreamSequenceToken? token = null)
    {
        foreach (var d in item.Duplicates)
        {
            Live.RecordDuplicates(d.Sensor, d.Count);
        }

        foreach (var r in item.Rejected)
        {
            Live.RecordRejected(Mapping.ToEngine(r));
        }

        foreach (var e in item.Events)
        {
            try
            {
                Live.Apply(Mapping.ToReading(e));
            }
            catch (ArgumentException ex)
            {
                // The ingest checks every rule before an event reaches the stream; an event the engine still
                // refuses is kept as rejected rather than allowed to poison the grain.
                Live.RecordRejected(new RejectedEvent(e.Sensor, e.Seq, ex.Message, ""));
                logger.LogWarning("{Entity} refused event {Sensor}/{Seq}: {Reason}", EntityId, e.Sensor, e.Seq, ex.Message);
            }
        }

        _dirty = true;
        var summary = Summarise();
        var placement = PlacementOf(City, EntityId);
        GrainFactory.GetGrain<IGridCellGrain>(TwinKeys.Of(Twin, placement.CellId)).ReportAsync(summary).Ignore();
        GrainFactory.GetGrain<IDistrictGrain>(TwinKeys.Of(Twin, placement.DistrictId)).ReportAsync(summary).Ignore();
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        logger.LogError(ex, "Sensor stream error at {Entity}", EntityId);
        return Task.CompletedTask;
    }

    protected abstract TLive Create(CityModel city, string entityId, LiveOptions options, TSnapshot? snapshot);

    protected abstract Placement PlacementOf(CityModel city, string entityId);

    protected abstract MemberSummary Summarise();

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }

        state.State.Snapshot = Live.Snapshot();
        await state.WriteStateAsync(cancellationToken);
        _dirty = false;
    }
}
