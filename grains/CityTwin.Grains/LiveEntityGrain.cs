using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Engine.Replay;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace CityTwin.Grains;

/// <summary>When grains write their changed state: on a timer (and when they deactivate), not on every event.</summary>
public static class Checkpoints
{
    /// <summary>How often changed state is written to storage.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often an entity with a durable intake journal compares its applied position with the journal's
    /// head, to pick up a batch that was committed but never reached it on the stream (lost with a silo).
    /// </summary>
    public static readonly TimeSpan JournalCheckPeriod = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Persisted state of a live entity grain: the engine's snapshot of it and the last intake journal position
/// the snapshot includes.
/// </summary>
[GenerateSerializer, Alias("CityTwin.LiveEntityState")]
public sealed class LiveEntityState<TSnapshot>
{
    [Id(0)]
    public TSnapshot? Snapshot { get; set; }

    [Id(1)]
    public long AppliedPosition { get; set; }

    /// <summary>The KPI rows recorded so far (twins that record a KPI series: replays), oldest first.</summary>
    [Id(2)]
    public List<KpiSample>? KpiRows { get; set; }

    /// <summary>The time of the next KPI row (null before the first event).</summary>
    [Id(3)]
    public long? KpiPendingTicks { get; set; }

    /// <summary>The entity's open alerts and alert sequences (null before its first alert or in state written before alerts).</summary>
    [Id(4)]
    public AlertTrackerSnapshot? Alerts { get; set; }
}

/// <summary>
/// The common shape of a signal or facility grain: woken by an implicit subscription to its sensor
/// stream, it applies each batch through the engine, reports its summary to its cell and district, and
/// checkpoints its state on a timer (and when it deactivates) rather than on every batch. With a durable
/// intake journal it applies every journaled batch exactly once, in position order: on activation it
/// replays the journal after its checkpoint, a batch it has already applied is skipped, a gap is filled
/// from the journal, and after each checkpoint the journal entries it holds are removed.
/// </summary>
public abstract class LiveEntityGrain<TLive, TSnapshot>(
    ICityCatalog catalog,
    IPersistentState<LiveEntityState<TSnapshot>> state,
    IIntakeJournal journal,
    Serializer serializer,
    ILogger logger)
    : Grain, IAsyncObserver<SensorBatch>, IStreamSubscriptionObserver, ILiveEntityGrain
    where TLive : LiveEntity<TSnapshot>
{
    /// <summary>How many journal entries are read at a time while catching up.</summary>
    private const int CatchUpPage = 256;

    private bool _dirty;
    private long _applied;
    private KpiRecorder? _kpis;
    private bool _kpisResolved;
    private AlertTracker _alerts = null!;
    private readonly List<Alert> _alertChanges = [];

    protected string Twin { get; private set; } = "";

    protected string EntityId { get; private set; } = "";

    protected CityModel City { get; private set; } = null!;

    protected TLive Live { get; private set; } = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (Twin, EntityId) = TwinKeys.Split(this.GetPrimaryKeyString());
        City = catalog.CityOf(Twin);
        Live = Create(City, EntityId, catalog.Options, state.State.Snapshot);
        _alerts = new AlertTracker(this.GetPrimaryKeyString(), DisplayName, state.State.Alerts);
        _applied = state.State.AppliedPosition;
        await CatchUpAsync(long.MaxValue, cancellationToken);
        this.RegisterGrainTimer(CheckpointAsync, Checkpoints.Period, Checkpoints.Period);
        if (journal.IsDurable)
        {
            this.RegisterGrainTimer(ct => CatchUpAsync(long.MaxValue, ct), Checkpoints.JournalCheckPeriod, Checkpoints.JournalCheckPeriod);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await CheckpointAsync(cancellationToken);
    }

    public Task<EntityProgress> GetProgressAsync() =>
        Task.FromResult(new EntityProgress(Mapping.ToCounters(Live.CountTotals()), Live.WatermarkTicks));

    public async Task<EntityKpiSeries> GetKpiSeriesAsync(long throughTicks)
    {
        await ResolveKpisAsync();
        var rows = _kpis?.RowsThrough(throughTicks, SampleAt) ?? [];
        return new EntityKpiSeries(EntityId, IsSignal, rows.Select(Mapping.ToPoint).ToArray());
    }

    public async Task ClearAsync()
    {
        // From here the activation is a new, empty entity: whatever comes later is applied to it as to a new one.
        await state.ClearStateAsync();
        await ClearMoreAsync();
        Live = Create(City, EntityId, catalog.Options, default);
        _alerts = new AlertTracker(this.GetPrimaryKeyString(), DisplayName);
        _alertChanges.Clear();
        _kpis = null;
        _kpisResolved = false;
        _applied = 0;
        _dirty = false;
        DeactivateOnIdle();
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        await handleFactory.Create<SensorBatch>().ResumeAsync(this);
    }

    public async Task OnNextAsync(SensorBatch item, StreamSequenceToken? token = null)
    {
        await ResolveKpisAsync();
        if (item.Position != 0)
        {
            if (item.Position <= _applied)
            {
                return;
            }

            if (item.Position > _applied + 1)
            {
                await CatchUpAsync(item.Position - 1, CancellationToken.None);
            }
        }

        Apply(item);
        Report();
        await PublishAlertsAsync();
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

    /// <summary>True for a signal, false for a facility.</summary>
    protected abstract bool IsSignal { get; }

    /// <summary>The entity's KPI row for time <paramref name="tsTicks"/>, from its state now.</summary>
    protected abstract KpiSample SampleAt(long tsTicks);

    /// <summary>The entity's name and id, as alert messages show it.</summary>
    protected abstract string DisplayName { get; }

    /// <summary>The alert thresholds of the twin's city (its manifest's <c>alerts</c>).</summary>
    protected AlertThresholds Thresholds => City.Alerts;

    /// <summary>How many alerts of the entity are open.</summary>
    protected int OpenAlerts => _alerts.Open.Count;

    /// <summary>
    /// Checks, with <see cref="Check"/>, the alert conditions that applying <paramref name="e"/> may have changed
    /// (docs/alerts.md), at event time <paramref name="nowTicks"/> (the entity's watermark); none when it cannot have
    /// changed any. Called after every applied event, so it builds no sequence and allocates nothing of its own.
    /// </summary>
    protected abstract void CheckAlerts(SensorEventData e, long nowTicks);

    /// <summary>Checks one alert condition at event time <paramref name="nowTicks"/>; what it raises or clears is published with the batch.</summary>
    protected void Check(long nowTicks, in AlertCheck check) => _alerts.Evaluate(nowTicks, check, _alertChanges);

    /// <summary>Clears any further stored state of the entity (when its twin is deleted).</summary>
    protected virtual Task ClearMoreAsync() => Task.CompletedTask;

    private void Apply(SensorBatch item)
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
            _kpis?.BeforeEvent(e.TsTicks, SampleAt);
            try
            {
                // Alerts are checked at event time after every applied event; a late event is not applied and so raises nothing.
                if (Live.Apply(Mapping.ToReading(e)) == ApplyOutcome.Applied && Live.WatermarkTicks is { } now)
                {
                    CheckAlerts(e, now);
                }
            }
            catch (ArgumentException ex)
            {
                // The ingest checks every rule before an event reaches the stream; an event the engine still
                // refuses is kept as rejected rather than allowed to poison the grain.
                Live.RecordRejected(new RejectedEvent(e.Sensor, e.Seq, ex.Message, ""));
                logger.LogWarning("{Entity} refused event {Sensor}/{Seq}: {Reason}", EntityId, e.Sensor, e.Seq, ex.Message);
            }
        }

        if (item.Position != 0)
        {
            _applied = item.Position;
        }

        _dirty = true;
    }

    private void Report()
    {
        var summary = Summarise();
        var placement = PlacementOf(City, EntityId);
        GrainFactory.GetGrain<IGridCellGrain>(TwinKeys.Of(Twin, placement.CellId)).ReportAsync(summary).Ignore();
        GrainFactory.GetGrain<IDistrictGrain>(TwinKeys.Of(Twin, placement.DistrictId)).ReportAsync(summary).Ignore();
    }

    /// <summary>
    /// Before the first events an activation applies: whether its twin records a KPI series, and at what interval
    /// (the registry says; a replay twin is registered before its first event). Asked then rather than on
    /// activation, so an activation woken by a read before its twin was registered still records.
    /// </summary>
    private async Task ResolveKpisAsync()
    {
        if (_kpisResolved)
        {
            return;
        }

        _kpisResolved = true;
        if (Twin != TwinKeys.Live
            && await GrainFactory.GetGrain<ITwinRegistryGrain>(0).GetAsync(Twin) is { KpiIntervalS: { } interval })
        {
            _kpis = new KpiRecorder(interval * TimeSpan.TicksPerSecond, state.State.KpiRows, state.State.KpiPendingTicks);
        }
    }

    /// <summary>Applies the journal's entries after the applied position, up to <paramref name="through"/>.</summary>
    private async Task CatchUpAsync(long through, CancellationToken cancellationToken)
    {
        if (!journal.IsDurable)
        {
            return;
        }

        await ResolveKpisAsync();
        var caughtUp = 0;
        while (_applied < through)
        {
            var page = await journal.ReadAfterAsync(Twin, EntityId, _applied, CatchUpPage, cancellationToken);
            foreach (var entry in page)
            {
                if (entry.Position > through)
                {
                    break;
                }

                if (entry.Position != _applied + 1)
                {
                    throw new InvalidOperationException(
                        $"the intake journal of '{Twin}/{EntityId}' has no entry {_applied + 1} (next is {entry.Position}); the entity cannot apply its events in order");
                }

                Apply(serializer.Deserialize<SensorBatch>(entry.Batch)!);
                caughtUp++;
            }

            if (page.Count < CatchUpPage)
            {
                break;
            }
        }

        if (caughtUp > 0)
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("{Entity} applied {Count} batches from its intake journal, now at position {Position}", EntityId, caughtUp, _applied);
            }

            Report();
            await PublishAlertsAsync();
        }
    }

    /// <summary>Publishes the alerts raised and cleared since the last publication on the twin's alerts stream.</summary>
    private async Task PublishAlertsAsync()
    {
        if (_alertChanges.Count == 0)
        {
            return;
        }

        var placement = PlacementOf(City, EntityId);
        var batch = new AlertBatch(_alertChanges.Select(a => Mapping.ToInfo(Twin, EntityId, IsSignal, placement, a)).ToArray());
        _alertChanges.Clear();
        var stream = this.GetStreamProvider(StreamNames.Provider).GetStream<AlertBatch>(StreamId.Create(StreamNames.Alerts, Twin));
        await stream.OnNextAsync(batch);
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }

        state.State.Snapshot = Live.Snapshot();
        state.State.AppliedPosition = _applied;
        state.State.Alerts = _alerts.Snapshot();
        if (_kpis is not null)
        {
            state.State.KpiRows = [.. _kpis.Rows];
            state.State.KpiPendingTicks = _kpis.PendingTicks;
        }

        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (InconsistentStateException ex)
        {
            // Another activation of this entity wrote since this one read: let it be the one, and start again
            // from storage and the journal.
            logger.LogWarning(ex, "{Entity} state was written elsewhere; deactivating to reload", EntityId);
            DeactivateOnIdle();
            return;
        }

        _dirty = false;

        // With a durable journal every change comes from a journaled batch, so the checkpoint just written
        // holds new positions: the journal's entries up to them are no longer needed.
        await journal.TruncateAsync(Twin, EntityId, _applied, cancellationToken);
    }
}
