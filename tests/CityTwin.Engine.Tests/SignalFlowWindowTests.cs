using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using NetTopologySuite.Geometries;

namespace CityTwin.Engine.Tests;

/// <summary>
/// The signal's flow window keeps the sums of its buckets as counts arrive and buckets leave the window; these tests
/// hold it to the straightforward sum over the buckets, to the last bit, on random report sequences (out of order,
/// several reports per bucket, non-integer intervals and occupancies, gaps longer than the window), and the alert
/// rules' lean approach figures to the full approach view.
/// </summary>
public sealed class SignalFlowWindowTests
{
    private static readonly long T0 = new DateTimeOffset(2026, 11, 24, 6, 0, 0, TimeSpan.Zero).UtcTicks;

    private static readonly Placement Here = new(0, 0, "c", "d");

    // Approach A: D1 and D2 on lane group L (they add up), D3 approach-wide (split over T and R), D4 on lane group X,
    // which approach A does not have. Approach B: one detector per lane group. Approach C: no detector.
    private static readonly SignalSite Site = new(
        "S-9",
        "Test junction",
        new Coordinate(0, 0),
        [
            new Approach("A", null, [Group("L", 1700), Group("T", 3400), Group("R", 1600)]),
            new Approach("B", null, [Group("L", 1800), Group("T", 3500)]),
            new Approach("C", null, [Group("T", 1900)]),
        ],
        new TimingPlan("P", 100, 0, [
            new Phase(1, 38, 3, 2, [new("A", "T"), new("A", "R"), new("B", "T")]),
            new Phase(2, 12, 3, 2, [new("A", "L"), new("B", "L")]),
            new Phase(3, 30, 3, 2, [new("C", "T"), new("A", "R")]),
        ]),
        20,
        Here);

    private static readonly Detector[] Detectors =
    [
        Det("D1", "A", "L"), Det("D2", "A", "L"), Det("D3", "A", null), Det("D4", "A", "X"), Det("D5", "B", "L"), Det("D6", "B", "T"),
    ];

    private static LaneGroup Group(string id, double s) => new(id, [Movement.Through], 1, s);

    private static Detector Det(string id, string approach, string? group) =>
        new(id, new Coordinate(0, 0), "S-9", approach, group, null, GateRole.Entry, Here);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Detector_flows_equal_the_plain_sum_over_the_window_buckets_to_the_last_bit(int seed)
    {
        var rng = new Random(seed);
        var live = new SignalLive(Site, Detectors, LiveOptions.Default);
        var seq = new Dictionary<string, long>();
        var t = T0;
        var compared = 0;
        for (var n = 0; n < 4000; n++)
        {
            // Mostly a few seconds on, sometimes back (late but within the lateness window), now and then past the window.
            var step = rng.Next(20) switch
            {
                0 => -TimeSpan.FromSeconds(rng.Next(1, 600)).Ticks,
                1 when rng.Next(20) == 0 => TimeSpan.FromMinutes(16 + rng.Next(5)).Ticks,
                _ => TimeSpan.FromMilliseconds(rng.Next(0, 9000)).Ticks,
            };
            var ts = Math.Max(T0, t + step);
            t = Math.Max(t, ts);
            var d = Detectors[rng.Next(Detectors.Length)].Id;
            seq[d] = seq.GetValueOrDefault(d) + 1;
            var interval = rng.Next(4) == 0 ? 0 : (rng.NextDouble() * 60) + 0.1;
            live.Apply(new SensorReading(SensorEventType.Detector, d, ts, seq[d], Count: rng.Next(0, 41), Occupancy: rng.NextDouble(), IntervalS: interval));

            var lean = live.TryApproachLoadOf(d, out var load);
            var full = live.ApproachViewOf(d)!;
            Assert.True(lean);
            Assert.Equal((full.Id, full.FlowVehH, full.DegreeOfSaturation, full.QueueVeh), (load.Id, load.FlowVehH, load.DegreeOfSaturation, load.QueueVeh));

            if (n % 7 == 0)
            {
                // The snapshot prunes every detector to the newest event, as the view does.
                var samples = live.Snapshot().Detectors.ToDictionary(w => w.DetectorId, w => w.Samples);
                var views = live.ApproachViews().ToDictionary(a => a.Id);
                var b = views["B"];
                Assert.Equal(PlainFlow(samples, "D5")?.Flow ?? 0, b.LaneGroups[0].FlowVehH);
                Assert.Equal(PlainFlow(samples, "D6")?.Flow ?? 0, b.LaneGroups[1].FlowVehH);
                Assert.Equal(PlainMeanOccupancy(samples, "D5", "D6"), b.MeanOccupancy);

                var a = views["A"];
                var l = PlainFlow(samples, "D1");
                var l2 = PlainFlow(samples, "D2");
                double? lFlow = l is null && l2 is null ? null : (l?.Flow ?? 0) + (l2?.Flow ?? 0);

                // Flow seen by the approach-wide D3 goes to the lane groups without a detector of their own (D4's
                // lane group is not one of A's), in proportion to their saturation flows.
                var wide = PlainFlow(samples, "D3")?.Flow ?? 0;
                var unmeasured = lFlow is null ? 1700 + 3400 + 1600 : 3400 + 1600.0;
                Assert.Equal(lFlow ?? (wide > 0 ? wide * 1700 / unmeasured : 0), a.LaneGroups[0].FlowVehH);
                Assert.Equal(wide > 0 ? wide * 3400 / unmeasured : 0, a.LaneGroups[1].FlowVehH);
                Assert.Equal(lFlow is not null || wide > 0, a.LaneGroups[0].Measured);
                Assert.Equal(PlainMeanOccupancy(samples, "D1", "D2", "D3", "D4"), a.MeanOccupancy);
                Assert.Equal(new[] { "D1", "D2", "D3", "D4" }.Count(x => PlainFlow(samples, x) is not null), a.DetectorsReporting);
                Assert.Null(views["C"].FlowVehH);
                compared++;
            }
        }

        Assert.True(compared > 500);
    }

    [Fact]
    public void The_lean_figures_follow_a_new_plan()
    {
        var live = new SignalLive(Site, Detectors, LiveOptions.Default);
        live.Apply(new SensorReading(SensorEventType.Detector, "D5", T0, 1, Count: 30, Occupancy: 0.4, IntervalS: 60));
        Assert.True(live.TryApproachLoadOf("D5", out var before));
        live.SetPlan(Site.Plan with { Id = "P2", Phases = [new Phase(1, 5, 3, 2, [new("B", "L")]), new Phase(2, 70, 3, 2, [new("B", "T")])] });
        Assert.True(live.TryApproachLoadOf("D5", out var after));
        var view = live.ApproachViewOf("D5")!;
        Assert.Equal((view.DegreeOfSaturation, view.QueueVeh), (after.DegreeOfSaturation, after.QueueVeh));

        // 1800 veh/h at 30/min: x = 1800 / (1800 x 12 / 100) = 8.33 under P, 1800 / (1800 x 5 / 100) = 20 under P2.
        Assert.Equal(1800 / (1800 * 12 / 100.0), before.DegreeOfSaturation!.Value, 12);
        Assert.Equal(20, after.DegreeOfSaturation!.Value, 12);
        Assert.False(live.TryApproachLoadOf("NOT-HERE", out _));
    }

    /// <summary>The flow and mean occupancy of one detector as the sum over its buckets, oldest first.</summary>
    private static (double Flow, double Occupancy)? PlainFlow(Dictionary<string, IReadOnlyList<DetectorSample>> samples, string detector)
    {
        if (!samples.TryGetValue(detector, out var list) || list.Count == 0)
        {
            return null;
        }

        double count = 0, seconds = 0, occupancy = 0;
        var reports = 0;
        foreach (var s in list)
        {
            count += s.Count;
            seconds += s.IntervalS;
            occupancy += s.OccupancySum;
            reports += s.Reports;
        }

        return seconds <= 0 ? null : (count * 3600.0 / seconds, occupancy / reports);
    }

    private static double? PlainMeanOccupancy(Dictionary<string, IReadOnlyList<DetectorSample>> samples, params string[] detectors)
    {
        double sum = 0;
        var reporting = 0;
        foreach (var d in detectors)
        {
            if (PlainFlow(samples, d) is { } f)
            {
                sum += f.Occupancy;
                reporting++;
            }
        }

        return reporting == 0 ? null : sum / reporting;
    }
}
