using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CityTwin.Contracts;

/// <summary>
/// A live subscription to a twin's alert changes through its registry (an <see cref="IAlertObserver"/> object
/// reference, renewed every <see cref="Renewal"/>): what the SSE endpoint and <c>CityTwinClient.WatchAlertsAsync</c>
/// both use. It lives here, beside the registry's contract, so that the silo and the client share one copy.
/// Changes wait in an unbounded queue until read; dispose the watch to end the subscription.
/// </summary>
public sealed class AlertWatch : IAlertObserver, IAsyncDisposable
{
    /// <summary>A subscription not renewed for this long lapses (the registry forgets the observer).</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromMinutes(3);

    /// <summary>How often a watch renews its subscription.</summary>
    public static readonly TimeSpan Renewal = TimeSpan.FromMinutes(1);

    private readonly Channel<AlertChange> _changes = Channel.CreateUnbounded<AlertChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private IGrainFactory _grains = null!;
    private IAlertRegistryGrain _registry = null!;
    private IAlertObserver _reference = null!;
    private Task _renewing = Task.CompletedTask;

    private AlertWatch()
    {
    }

    /// <summary>The registry's change sequence when the subscription started: every later change is delivered.</summary>
    public long StartSequence { get; private set; }

    /// <summary>The changes as they come.</summary>
    public ChannelReader<AlertChange> Changes => _changes.Reader;

    /// <summary>Subscribes to the alerts of <paramref name="twin"/>; the answer holds every change after it returns.</summary>
    public static async Task<AlertWatch> StartAsync(IGrainFactory grains, string twin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var watch = new AlertWatch { _grains = grains, _registry = grains.GetGrain<IAlertRegistryGrain>(twin) };
        watch._reference = grains.CreateObjectReference<IAlertObserver>(watch);
        cancellationToken.ThrowIfCancellationRequested();
        watch.StartSequence = await watch._registry.SubscribeAsync(watch._reference);
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
        _changes.Writer.TryWrite(change);
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

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Renewal);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await _registry.SubscribeAsync(_reference);
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
