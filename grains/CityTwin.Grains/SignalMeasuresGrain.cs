using CityTwin.Contracts;
using CityTwin.Engine.Signals;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace CityTwin.Grains;

/// <summary>
/// A signal's performance measures, kept live from the <c>controller-event</c> events on its sensor stream (the same
/// stream the traffic signal grain reads, through its own implicit subscription, so the signal grain is untouched).
/// The engine computes the measures (docs/signal-measures.md); this grain keeps the last 24 hours of bins (controller
/// time) and lets a finished cycle wait at most 15 minutes for its detectors. The bins' sums and the counters are
/// checkpointed (every 5 s when changed, and on deactivation) and loaded into a new engine on activation; cycles and
/// the latest instant not yet in the bins at that moment are lost (their bins then lack those cycles).
/// </summary>
[ImplicitStreamSubscription(StreamNames.Signal)]
public sealed class SignalMeasuresGrain(
    ICityCatalog catalog,
    [PersistentState("measures", StorageNames.Twin)] IPersistentState<SignalMeasuresStore> state,
    ILogger<SignalMeasuresGrain> logger)
    : Grain, ISignalMeasuresGrain, IAsyncObserver<SensorBatch>, IStreamSubscriptionObserver
{
    /// <summary>How much controller time of bins is kept.</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromHours(24);

    /// <summary>The longest a finished cycle waits for its detectors before its split-failure figures are taken.</summary>
    public static readonly TimeSpan SplitFailureMaxWait = TimeSpan.FromMinutes(15);

    private string _twin = "";
    private string _signalId = "";
    private SignalController? _controller;
    private SignalMeasureEngine? _engine;
    private long _applied;
    private bool _dirty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_twin, _signalId) = TwinKeys.Split(this.GetPrimaryKeyString());
        if (catalog.CityOf(_twin).SignalControllers.TryGetValue(_signalId, out var controller))
        {
            _controller = controller;
            _engine = new SignalMeasureEngine(controller.Detectors, new SignalMeasureOptions { SplitFailureMaxWait = SplitFailureMaxWait });
            if (state.State.Totals is { } totals)
            {
                _engine.Load(totals);
            }

            _applied = state.State.AppliedPosition;
            this.RegisterGrainTimer(CheckpointAsync, Checkpoints.Period, Checkpoints.Period);
        }

        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => CheckpointAsync(cancellationToken);

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<SensorBatch>().ResumeAsync(this);

    public Task OnNextAsync(SensorBatch item, StreamSequenceToken? token = null)
    {
        if (_engine is null || (item.Position != 0 && item.Position <= _applied))
        {
            return Task.CompletedTask;
        }

        var added = false;
        foreach (var e in item.Events)
        {
            if (e.Kind == SensorEventKind.ControllerEvent)
            {
                _engine.Add(new ControllerEvent(Mapping.UnixMs(e.TsTicks), _controller!.DeviceId, e.EventId, e.Parameter));
                added = true;
            }
        }

        if (added)
        {
            _engine.DropBinsBefore((_engine.LatestMs / _engine.BinMs * _engine.BinMs) - (long)Kept.TotalMilliseconds);
        }

        _applied = Math.Max(_applied, item.Position);
        _dirty |= added;
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        logger.LogError(ex, "Sensor stream error at the measures of {Signal}", _signalId);
        return Task.CompletedTask;
    }

    public Task<SignalMeasuresState> GetMeasuresAsync()
    {
        if (_engine is null)
        {
            throw new ArgumentException($"signal '{_signalId}' has no controller in the city's controllers file");
        }

        var m = _engine.Results();
        static DateTimeOffset T(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
        var bad = BadRowReasons.All.Where(r => _engine.BadRows(r) > 0).Select(r => new BadRowCount(BadRowReasons.Name(r), _engine.BadRows(r))).ToArray();
        return Task.FromResult(new SignalMeasuresState(
            _twin,
            _signalId,
            _controller!.DeviceId,
            (int)(_engine.BinMs / 60_000),
            _engine.Accepted,
            bad,
            _engine.Accepted > 0 ? T(_engine.LatestMs) : null,
            m.Actuations.Select(r => new ActuationBin(T(r.BinMs), r.Detector, r.Total)).ToArray(),
            m.ArrivalOnGreen.Select(r => new ArrivalOnGreenBin(T(r.BinMs), r.Phase, r.TotalActuations, r.PercentAog)).ToArray(),
            m.Splits.Select(r => new SplitBin(T(r.BinMs), r.EventId, r.Services, r.AverageSplit)).ToArray(),
            m.Terminations.Select(r => new TerminationBin(T(r.BinMs), r.Phase, r.Kind.ToString(), r.Total)).ToArray(),
            m.SplitFailures.Select(r => new SplitFailureBin(T(r.BinMs), r.Phase, r.GreenTime, r.GreenOccupancy, r.RedOccupancy, r.SplitFailures)).ToArray(),
            m.YellowRed.Select(r => new YellowRedBin(T(r.BinMs), r.Phase, r.SignalState, r.RedOffset, r.Count)).ToArray()));
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        if (!_dirty || _engine is null)
        {
            return;
        }

        state.State.Totals = _engine.Totals();
        state.State.AppliedPosition = _applied;
        await state.WriteStateAsync(cancellationToken);
        _dirty = false;
    }
}

/// <summary>Persisted state of a signal's measures: the engine's totals (JSON, an engine type) and the last stream position applied.</summary>
[GenerateSerializer, Alias("CityTwin.SignalMeasuresStore")]
public sealed class SignalMeasuresStore
{
    [Id(0)]
    public SignalMeasureTotals? Totals { get; set; }

    [Id(1)]
    public long AppliedPosition { get; set; }
}
