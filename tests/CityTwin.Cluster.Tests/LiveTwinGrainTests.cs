using CityTwin.Contracts;

namespace CityTwin.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class LiveTwinGrainTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddHours(-1);

    private static string NewTwin() => "t-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A signal of the sample city with a detector on an approach of its own (no lane group).</summary>
    private static (string Signal, string Detector, string Approach) SignalWithDetector()
    {
        var d = ClusterFixture.City.Detectors.First(d => d.SignalId is not null);
        return (d.SignalId!, d.Id, d.ApproachId!);
    }

    [Fact]
    public async Task Detector_events_change_signal_cell_and_district_state()
    {
        var twin = NewTwin();
        var client = fixture.ClientFor(twin);
        var (signal, detector, approach) = SignalWithDetector();
        var lines = Enumerable.Range(0, 10).Select(i => Events.Detector(detector, Start.AddMinutes(i), i, 12));
        var report = await client.IngestAsync(Events.Body(lines));
        Assert.Equal((10, 0, 0), (report.Accepted, report.Duplicates, report.Rejected));

        var state = await Events.EventuallyAsync(() => client.GetSignalAsync(signal), s => s.Counters.Applied == 10);
        var a = state.Approaches.Single(x => x.Id == approach);
        Assert.Equal(720, a.FlowVehH!.Value, 6); // 12 vehicles a minute
        Assert.True(a.DegreeOfSaturation > 0);
        Assert.True(a.QueueVeh > 0);

        var site = ClusterFixture.City.SignalsById[signal];
        var cell = await Events.EventuallyAsync(() => client.GetCellAsync(site.Placement.CellId), c => c.SignalsReporting == 1);
        Assert.Equal(state.TotalFlowVehH, cell.TotalFlowVehH, 6);
        var district = await Events.EventuallyAsync(() => client.GetDistrictAsync(site.Placement.DistrictId), d => d.SignalsReporting == 1);
        Assert.Equal(state.TotalFlowVehH, district.TotalFlowVehH, 6);
        Assert.Equal(ClusterFixture.City.Signals.Count(s => s.Placement.DistrictId == site.Placement.DistrictId), district.Signals);
    }

    [Fact]
    public async Task Duplicates_are_ignored_and_counted()
    {
        var twin = NewTwin();
        var client = fixture.ClientFor(twin);
        var (signal, detector, approach) = SignalWithDetector();
        var first = await client.IngestAsync(Events.Body(Events.Detector(detector, Start, 1, 10), Events.Detector(detector, Start.AddMinutes(1), 2, 10)));
        Assert.Equal(2, first.Accepted);

        // Seq 2 again (with another count: still a repeat), seq 2 twice more in one batch, and a new seq 3.
        var second = await client.IngestAsync(Events.Body(
            Events.Detector(detector, Start.AddMinutes(1), 2, 99),
            Events.Detector(detector, Start.AddMinutes(2), 3, 10),
            Events.Detector(detector, Start.AddMinutes(2), 3, 10)));
        Assert.Equal((1, 2, 0), (second.Accepted, second.Duplicates, second.Rejected));

        var state = await Events.EventuallyAsync(() => client.GetSignalAsync(signal), s => s.Counters.Applied == 3 && s.Counters.Duplicates == 2);
        Assert.Equal(600, state.Approaches.Single(a => a.Id == approach).FlowVehH!.Value, 6);
        Assert.Equal(2, state.Sensors.Single(s => s.Sensor == detector).Duplicates);
    }

    [Fact]
    public async Task Late_events_are_counted_and_kept_not_applied()
    {
        var twin = NewTwin();
        var client = fixture.ClientFor(twin);
        var (signal, detector, _) = SignalWithDetector();
        await client.IngestAsync(Events.Body(Events.Detector(detector, Start.AddMinutes(30), 10, 10)));
        await Events.EventuallyAsync(() => client.GetSignalAsync(signal), s => s.Counters.Applied == 1);

        var report = await client.IngestAsync(Events.Body(Events.Detector(detector, Start, 1, 50)));
        Assert.Equal(1, report.Accepted); // valid and new: accepted; the grain finds it late

        var state = await Events.EventuallyAsync(() => client.GetSignalAsync(signal), s => s.Counters.Late == 1);
        Assert.Equal(1, state.Counters.Applied);
        var late = Assert.Single(state.RecentLate);
        Assert.Equal(1, late.Seq);
        Assert.Equal(600, state.TotalFlowVehH, 6);
    }

    [Fact]
    public async Task Bad_lines_are_rejected_counted_per_sensor_and_kept_while_good_lines_apply()
    {
        var twin = NewTwin();
        var client = fixture.ClientFor(twin);
        var (signal, detector, _) = SignalWithDetector();
        var report = await client.IngestAsync(Events.Body(
            Events.Detector(detector, Start, 1, 10),
            Events.Detector(detector, Start.AddMinutes(1), 2, -5),
            "this is not json",
            Events.Detector("NO-SUCH-DETECTOR", Start, 1, 3),
            Events.Detector(detector, DateTimeOffset.UtcNow.AddMinutes(30), 3, 10),
            Events.Detector(detector, Start.AddMinutes(2), 4, 10)));
        Assert.Equal((2, 0, 4), (report.Accepted, report.Duplicates, report.Rejected));
        Assert.Equal([2, 3, 4, 5], report.Errors.Select(e => e.Line));
        Assert.Contains("count -5", report.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("unknown sensor 'NO-SUCH-DETECTOR'", report.Errors[2].Reason, StringComparison.Ordinal);
        Assert.Contains("in the future", report.Errors[3].Reason, StringComparison.Ordinal);

        var state = await Events.EventuallyAsync(() => client.GetSignalAsync(signal), s => s.Counters.Applied == 2 && s.Counters.Rejected == 2);
        Assert.Equal(2, state.Sensors.Single(s => s.Sensor == detector).Rejected);
        Assert.Equal(2, state.RecentRejected.Count);

        var log = await client.GetIngestLogAsync();
        Assert.Equal(4, log.Rejected);
        Assert.Equal(2, log.RecentRejected.Count); // the lines no entity could take
        Assert.Contains(log.RecentRejected, r => r.Sensor == "NO-SUCH-DETECTOR");
    }

    [Fact]
    public async Task Parking_events_change_facility_cell_and_district_occupancy()
    {
        var twin = NewTwin();
        var client = fixture.ClientFor(twin);
        var facility = ClusterFixture.City.Parking[0];
        var lines = Enumerable.Range(0, 40).Select(i => Events.Parking(facility.Id, Start.AddSeconds(i * 30), i, "entry"))
            .Concat(Enumerable.Range(40, 10).Select(i => Events.Parking(facility.Id, Start.AddSeconds(i * 30), i, "exit")));
        var report = await client.IngestAsync(Events.Body(lines));
        Assert.Equal(50, report.Accepted);
        var state = await Events.EventuallyAsync(() => client.GetParkingAsync(facility.Id), s => s.Counters.Applied == 50);
        Assert.Equal(30, state.Occupied);
        Assert.Equal(40, state.Entries);

        await client.IngestAsync(Events.Body(Events.Occupancy(facility.Id, Start.AddMinutes(30), 100, 33)));
        state = await Events.EventuallyAsync(() => client.GetParkingAsync(facility.Id), s => s.Snapshots == 1);
        Assert.Equal(33, state.Occupied);
        Assert.Equal(1, state.Corrections);
        Assert.Equal(3, state.CorrectionVeh);

        var district = await Events.EventuallyAsync(() => client.GetDistrictAsync(facility.Placement.DistrictId), d => d.Occupied == 33);
        Assert.Equal(1, district.FacilitiesReporting);
        var cell = await Events.EventuallyAsync(() => client.GetCellAsync(facility.Placement.CellId), c => c.Occupied == 33);
        Assert.Equal((double)33 / facility.Capacity, cell.OccupancyRatio!.Value, 9);
    }

    [Fact]
    public async Task Signal_phase_events_reach_the_signal()
    {
        var twin = NewTwin();
        var client = fixture.ClientFor(twin);
        var signal = ClusterFixture.City.Signals[0];
        var report = await client.IngestAsync(Events.Body(
            Events.Phase(signal.Id, Start, 1, 1, "green"),
            Events.Phase(signal.Id, Start.AddSeconds(38), 2, 1, "amber"),
            Events.Phase(signal.Id, Start.AddSeconds(41), 3, 1, "red")));
        Assert.Equal(3, report.Accepted);
        var state = await Events.EventuallyAsync(() => client.GetSignalAsync(signal.Id), s => s.Counters.Applied == 3);
        var phase = Assert.Single(state.Phases);
        Assert.Equal("red", phase.State);
        Assert.Equal(38, phase.LastGreenS!.Value, 6);
    }

    [Fact]
    public async Task Twins_do_not_touch_each_other()
    {
        var twinA = NewTwin();
        var twinB = NewTwin();
        var (signal, detector, _) = SignalWithDetector();
        await fixture.ClientFor(twinA).IngestAsync(Events.Body(Events.Detector(detector, Start, 1, 10)));
        await Events.EventuallyAsync(() => fixture.ClientFor(twinA).GetSignalAsync(signal), s => s.Counters.Applied == 1);

        var other = await fixture.ClientFor(twinB).GetSignalAsync(signal);
        Assert.Equal(0, other.Counters.Applied);
        Assert.Null(other.AsOf);

        // The same (sensor, seq) is new in another twin.
        var report = await fixture.ClientFor(twinB).IngestAsync(Events.Body(Events.Detector(detector, Start, 1, 10)));
        Assert.Equal(1, report.Accepted);
    }

    [Fact]
    public async Task An_invalid_twin_id_is_refused()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Cluster.Client.GetGrain<IIngestGrain>(0).IngestAsync("bad/twin", Events.Body("{}")));
        Assert.Contains("not a valid twin id", ex.Message, StringComparison.Ordinal);
    }
}
