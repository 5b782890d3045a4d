using CityTwin.Contracts;

namespace CityTwin.Cluster.Tests;

/// <summary>
/// Alerts on the two-silo test cluster survive the deactivation of every grain: the registry still lists the open
/// alerts, and the facility, restored from its checkpoint, knows they are open (it clears them, under the same ids,
/// and numbers its next ones on).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AlertsPersistenceTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Open_alerts_survive_the_deactivation_of_every_grain_and_clear_under_their_ids()
    {
        var twin = "alerts-" + Guid.NewGuid().ToString("N")[..12];
        var client = fixture.ClientFor(twin);
        var facility = ClusterFixture.City.Parking[1];
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-20);
        Assert.Equal(1, (await client.IngestAsync(Events.Body(Events.Occupancy(facility.Id, t0, 1, facility.Capacity)))).Accepted);
        var open = await Events.EventuallyAsync(() => client.GetAlertsAsync(), l => l.Open == 2, TimeSpan.FromSeconds(30));
        string[] ids = [$"{twin}/{facility.Id}/full/1", $"{twin}/{facility.Id}/near-full/1"];
        Assert.Equal(ids, open.Alerts.Select(a => a.Id).Order(StringComparer.Ordinal));

        // Every activation is collected (each writes its checkpoint as it deactivates).
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var after = await client.GetAlertsAsync();
        Assert.Equal(open.Alerts.Select(a => a.Id).Order(StringComparer.Ordinal), after.Alerts.Select(a => a.Id).Order(StringComparer.Ordinal));
        Assert.Equal(open.Sequence, after.Sequence);

        // The facility empties: the restored facility clears both alerts it knew were open.
        Assert.Equal(1, (await client.IngestAsync(Events.Body(Events.Occupancy(facility.Id, t0.AddMinutes(1), 2, 0)))).Accepted);
        var cleared = await Events.EventuallyAsync(() => client.GetAlertsAsync(new AlertQuery(IncludeCleared: true)), l => l.Open == 0 && l.Alerts.Count == 2, TimeSpan.FromSeconds(30));
        Assert.Equal(ids, cleared.Alerts.Select(a => a.Id).Order(StringComparer.Ordinal));
        Assert.All(cleared.Alerts, a => Assert.Equal(0.0, a.ClearValue));

        // And fills again: the next alerts of each kind are number 2.
        Assert.Equal(1, (await client.IngestAsync(Events.Body(Events.Occupancy(facility.Id, t0.AddMinutes(2), 3, facility.Capacity)))).Accepted);
        var again = await Events.EventuallyAsync(() => client.GetAlertsAsync(), l => l.Open == 2, TimeSpan.FromSeconds(30));
        Assert.Equal([$"{twin}/{facility.Id}/full/2", $"{twin}/{facility.Id}/near-full/2"], again.Alerts.Select(a => a.Id).Order(StringComparer.Ordinal));
    }
}
