using CityTwin.Formats.Signals;

namespace CityTwin.Cluster.Tests;

/// <summary>A signal's live measures are checkpointed: after every activation is collected they come back the same.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SignalMeasuresPersistenceTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Measures_survive_the_deactivation_of_their_grain()
    {
        var twin = "measures-" + Guid.NewGuid().ToString("N")[..12];
        var client = fixture.ClientFor(twin);
        var end = ControllerTime.FromDateTime(new DateTime(2024, 5, 13, 15, 20, 0));
        var events = ControllerEventCsv.Read(Path.Combine(AppContext.BaseDirectory, "data", "atspm", "hires_test_data.csv.gz"))
            .Select(l => l.Event).Where(e => e.DeviceId == 452 && e.TimeMs < end).ToList();
        var report = await client.IngestAsync(Events.Body(events.Select((e, k) => SignalMeasuresLiveTests.Line(e, "S-02", k + 1))));
        Assert.Equal(events.Count, report.Accepted);

        var before = await Events.EventuallyAsync(() => client.GetSignalMeasuresAsync("S-02"), m => m.EventsUsed + m.BadRows.Sum(b => b.Count) == events.Count, TimeSpan.FromSeconds(30));
        Assert.NotEmpty(before.Actuations);

        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var after = await client.GetSignalMeasuresAsync("S-02");
        Assert.Equal(before.EventsUsed, after.EventsUsed);
        Assert.Equal(before.BadRows, after.BadRows);
        Assert.Equal(before.Actuations, after.Actuations);
        Assert.Equal(before.Terminations, after.Terminations);
        Assert.Equal(before.SplitFailures, after.SplitFailures);
        Assert.Equal(before.ArrivalOnGreen, after.ArrivalOnGreen);
    }
}
