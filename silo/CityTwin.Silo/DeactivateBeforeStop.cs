using Microsoft.Extensions.Hosting;

namespace CityTwin.Silo;

/// <summary>
/// With in-memory storage, deactivates the silo's grains while the silo is still an active member, just before it
/// stops. Their checkpoints then reach the in-memory storage grains; during the stop itself those grains can be
/// placed nowhere, and every checkpoint of a grain deactivated by the stop failed with a logged error. Registered
/// after the silo, so the host stops it first.
/// </summary>
internal sealed class DeactivateBeforeStop(IGrainFactory grains) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero, cancellationToken);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or OperationCanceledException)
        {
            // Stopping anyway: the stop deactivates what is left.
        }
    }
}
