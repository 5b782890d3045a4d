using CityTwin.Contracts;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;
using Orleans.Utilities;

namespace CityTwin.Grains;

/// <summary>Persisted state of a twin's alert registry.</summary>
[GenerateSerializer, Alias("CityTwin.AlertRegistryState")]
public sealed class AlertRegistryState
{
    /// <summary>The open alerts by id.</summary>
    [Id(0)]
    public Dictionary<string, AlertInfo> Open { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The most recently recorded cleared alerts, in the order recorded (at most <see cref="AlertRegistryGrain.KeptCleared"/>).</summary>
    [Id(1)]
    public List<AlertInfo> Cleared { get; set; } = [];

    /// <summary>How many changes (raises and clears) the registry has recorded.</summary>
    [Id(2)]
    public long Sequence { get; set; }

    /// <summary>The most recent changes, oldest first (at most <see cref="AlertRegistryGrain.KeptChanges"/>), for subscribers that catch up.</summary>
    [Id(3)]
    public List<AlertChange> Recent { get; set; } = [];
}

/// <summary>
/// The alert registry of one twin (key: the twin id), woken by the twin's alerts stream: keeps the open alerts and the
/// most recent cleared ones, answers lists, and tells subscribed observers of each change. Alerts are recorded by id,
/// so an alert delivered again (a batch applied again after a restart raises the same ids) changes nothing.
/// </summary>
[ImplicitStreamSubscription(StreamNames.Alerts)]
public sealed class AlertRegistryGrain(
    [PersistentState("alerts", StorageNames.Twin)] IPersistentState<AlertRegistryState> state,
    ILogger<AlertRegistryGrain> logger)
    : Grain, IAlertRegistryGrain, IAsyncObserver<AlertBatch>, IStreamSubscriptionObserver
{
    /// <summary>How many cleared alerts the registry keeps (the oldest go first).</summary>
    public const int KeptCleared = 500;

    /// <summary>How many changes the registry keeps for subscribers that catch up (the oldest go first).</summary>
    public const int KeptChanges = 1000;

    private readonly ObserverManager<IAlertObserver> _observers = new(AlertSubscriptions.Expiry, logger);
    private bool _dirty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(CheckpointAsync, Checkpoints.Period, Checkpoints.Period);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => CheckpointAsync(cancellationToken);

    public Task<AlertList> ListAsync(AlertQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var s = state.State;
        var open = s.Open.Values.OrderByDescending(a => a.RaisedAt).ThenBy(a => a.Id, StringComparer.Ordinal);
        var cleared = query.IncludeCleared
            ? s.Cleared.OrderByDescending(a => a.ClearedAt).ThenBy(a => a.Id, StringComparer.Ordinal)
            : Enumerable.Empty<AlertInfo>();
        var alerts = open.Concat(cleared)
            .Where(a => query.Kind is null || a.Kind == query.Kind)
            .Where(a => query.DistrictId is null || a.DistrictId == query.DistrictId)
            .ToArray();
        return Task.FromResult(new AlertList(this.GetPrimaryKeyString(), s.Sequence, s.Open.Count, KeptCleared, alerts));
    }

    public Task<AlertCatchUp> GetChangesAsync(long after)
    {
        var s = state.State;
        if (after < 0 || after >= s.Sequence)
        {
            return Task.FromResult(new AlertCatchUp(s.Sequence, [], true));
        }

        var missed = s.Recent.Where(c => c.Sequence > after).ToArray();
        return Task.FromResult(new AlertCatchUp(s.Sequence, missed, missed.Length > 0 && missed[0].Sequence == after + 1));
    }

    public Task<AlertCatchUp> SubscribeAsync(IAlertObserver observer, long after)
    {
        _observers.Subscribe(observer, observer);
        return GetChangesAsync(after);
    }

    public Task UnsubscribeAsync(IAlertObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public async Task ClearAsync()
    {
        await state.ClearStateAsync();
        _dirty = false;
        DeactivateOnIdle();
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        await handleFactory.Create<AlertBatch>().ResumeAsync(this);
    }

    public async Task OnNextAsync(AlertBatch item, StreamSequenceToken? token = null)
    {
        foreach (var alert in item.Alerts)
        {
            if (Record(alert) is { } change)
            {
                _dirty = true;
                var recent = state.State.Recent;
                recent.Add(change);
                if (recent.Count > KeptChanges)
                {
                    recent.RemoveRange(0, recent.Count - KeptChanges);
                }

                await _observers.Notify(o => o.OnAlertAsync(change));
            }
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        logger.LogError(ex, "Alerts stream error at {Twin}", this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    /// <summary>Records a raised or cleared alert; the change, or null when the registry has it already.</summary>
    private AlertChange? Record(AlertInfo alert)
    {
        var s = state.State;
        if (s.Cleared.Exists(c => c.Id == alert.Id))
        {
            return null;
        }

        if (alert.ClearedAt is null)
        {
            if (!s.Open.TryAdd(alert.Id, alert))
            {
                return null;
            }

            return new AlertChange(++s.Sequence, "raise", alert);
        }

        // A clear whose raise never reached the registry (lost with a silo) is still recorded as cleared.
        s.Open.Remove(alert.Id);
        s.Cleared.Add(alert);
        if (s.Cleared.Count > KeptCleared)
        {
            s.Cleared.RemoveRange(0, s.Cleared.Count - KeptCleared);
        }

        return new AlertChange(++s.Sequence, "clear", alert);
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await state.WriteStateAsync(cancellationToken);
            _dirty = false;
        }
    }
}
