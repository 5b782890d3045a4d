using System.Runtime.CompilerServices;
using System.Threading.Channels;

using CityTwin.Contracts;

namespace CityTwin.Client;

/// <summary>
/// A cluster client's live subscription to a twin's alert changes through its registry (an <see cref="IAlertObserver"/>
/// object reference, renewed every <see cref="Renewal"/>; <c>CityTwinClient.WatchAlertsAsync</c>). Changes come in sequence order, each once, and wait in an unbounded queue until read; dispose the watch to end
/// the subscription.
/// </summary>
public sealed class AlertWatch : IAlertObserver, IAsyncDisposable
{
    /// <summary>How often a watch renews its subscription (well within <see cref="AlertSubscriptions.Expiry"/>).</summary>
    public static readonly TimeSpan Renewal = TimeSpan.FromMinutes(1);

    private readonly Channel<AlertChange> _changes = Channel.CreateUnbounded<AlertChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<AlertChange> _early = [];
    private IGrainFactory _grains = null!;
    private IAlertRegistryGrain _registry = null!;
    private IAlertObserver _reference = null!;
    private Task _renewing = Task.CompletedTask;
    private bool _started;
    private long _last;

    private AlertWatch()
    {
    }

    /// <summary>The registry's change sequence when the subscription started.</summary>
    public long StartSequence { get; private set; }

    /// <summary>False when some changes after the sequence asked from were no longer kept by the registry.</summary>
    public bool CaughtUpCompletely { get; private set; } = true;


    /// <summary>
    /// Subscribes to the alerts of <paramref name="twin"/>: the answer holds every change after it returns and, with
    /// <paramref name="after"/>, first the changes after that sequence that the registry still keeps.
    /// </summary>
    public static async Task<AlertWatch> StartAsync(IGrainFactory grains, string twin, long? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        cancellationToken.ThrowIfCancellationRequested();
        var watch = new AlertWatch { _grains = grains, _registry = grains.GetGrain<IAlertRegistryGrain>(twin) };
        watch._reference = grains.CreateObjectReference<IAlertObserver>(watch);
        AlertCatchUp catchUp;
        try
        {
            catchUp = await watch._registry.SubscribeAsync(watch._reference, after ?? -1);
        }
        catch
        {
            grains.DeleteObjectReference<IAlertObserver>(watch._reference);
            throw;
        }

        lock (watch._lock)
        {
            watch.StartSequence = catchUp.Sequence;
            watch.CaughtUpCompletely = catchUp.Complete || after is null;
            watch._last = after is { } a && a >= 0 && a <= catchUp.Sequence ? a : catchUp.Sequence;
            foreach (var change in catchUp.Missed.Concat(watch._early).OrderBy(c => c.Sequence))
            {
                watch.Deliver(change);
            }

            watch._early.Clear();
            watch._started = true;
        }

        watch._renewing = watch.RenewAsync(watch._stop.Token);
        return watch;
    }

    /// <summary>Every change from the start of the subscription until <paramref name="cancellationToken"/> ends it.</summary>
    public async IAsyncEnumerable<AlertChange> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var change in _changes.Reader.ReadAllAsync(cancellationToken))
        {
            yield return change;
        }
    }

    Task IAlertObserver.OnAlertAsync(AlertChange change)
    {
        lock (_lock)
        {
            if (_started)
            {
                Deliver(change);
            }
            else
            {
                // Sent while the subscription's answer was still on its way.
                _early.Add(change);
            }
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewing;
        _changes.Writer.TryComplete();
        try
        {
            await _registry.UnsubscribeAsync(_reference);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // The cluster or the client is going away: the subscription lapses by itself after Expiry.
        }

        _grains.DeleteObjectReference<IAlertObserver>(_reference);
        _stop.Dispose();
    }

    /// <summary>Queues a change once, in sequence order (under the lock).</summary>
    private void Deliver(AlertChange change)
    {
        if (change.Sequence > _last)
        {
            _last = change.Sequence;
            _changes.Writer.TryWrite(change);
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Renewal);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await _registry.SubscribeAsync(_reference, -1);
                }
                catch (Exception ex) when (ex is OrleansException or TimeoutException)
                {
                    // Tried again at the next renewal, well within the expiry.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
