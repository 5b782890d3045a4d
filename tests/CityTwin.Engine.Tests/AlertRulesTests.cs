using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using System.Text.Json.Nodes;
using CityTwin.Formats.GeoJson;

namespace CityTwin.Engine.Tests;

/// <summary>The alert rules on the tiny city: facility P-1 (capacity 200), signal S-1 (approach W: one approach-wide
/// detector, lane group T with s = 3600 veh/h, g = 40 s, C = 90 s, so capacity 1600 veh/h; approach S on link L-2,
/// 2 lanes x 450 m).</summary>
public sealed class AlertRulesTests
{
    private static readonly long T0 = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero).UtcTicks;

    private static readonly CityModel City = Tiny();

    private static long At(double seconds) => T0 + TimeSpan.FromSeconds(seconds).Ticks;

    private static CityModel Tiny()
    {
        using var city = new TinyCity();
        return CityReader.ReadFolder(city.Write());
    }

    private sealed class Facility
    {
        private long _seq;

        public ParkingLive Live { get; } = new(City.ParkingById["P-1"], LiveOptions.Default);

        public AlertTracker Alerts { get; } = new("live/P-1", "Market Garage (P-1)");

        public List<Alert> Changes { get; } = [];

        public void Occupancy(double atS, int occupied) => Apply(new SensorReading(SensorEventType.ParkingOccupancy, "P-1", At(atS), ++_seq, Occupied: occupied));

        public void Move(double atS, ParkingMovement movement) => Apply(new SensorReading(SensorEventType.Parking, "P-1", At(atS), ++_seq, Movement: movement));

        private void Apply(SensorReading r) =>
            Changes.AddRange(Alerts.Apply(Live, r, () => AlertRules.Parking(Live.Occupied, 200, AlertThresholds.Default)));
    }

    [Fact]
    public void Near_full_is_raised_at_90_percent_and_full_at_capacity_each_cleared_below_its_clear_threshold()
    {
        var p = new Facility();
        p.Occupancy(0, 179); // 0.895
        Assert.Empty(p.Changes);
        p.Occupancy(60, 180); // 0.90
        var nearFull = Assert.Single(p.Changes);
        Assert.Equal(("live/P-1/near-full/1", AlertKinds.NearFull, "warning"), (nearFull.Id, nearFull.Kind, nearFull.Severity));
        Assert.Equal(At(60), nearFull.RaisedTicks);
        Assert.Equal(0.90, nearFull.Value, 12);
        Assert.Equal(0.90, nearFull.Threshold, 12);
        Assert.Equal(0.85, nearFull.ClearBelow, 12);
        Assert.Contains("180 of 200 spaces", nearFull.Message, StringComparison.Ordinal);

        p.Occupancy(120, 200);
        var full = p.Changes[1];
        Assert.Equal(("live/P-1/full/1", AlertKinds.Full, "critical", At(120)), (full.Id, full.Kind, full.Severity, full.RaisedTicks));
        Assert.Equal(1.0, full.Value, 12);

        p.Occupancy(180, 191); // 0.955: full stays (clears below 0.95)
        Assert.Equal(2, p.Changes.Count);
        p.Occupancy(240, 185); // 0.925: full clears, near-full stays
        var fullCleared = p.Changes[2];
        Assert.Equal(("live/P-1/full/1", At(240)), (fullCleared.Id, fullCleared.ClearedTicks));
        Assert.Equal(0.925, fullCleared.ClearValue!.Value, 12);
        Assert.Equal(1.0, fullCleared.Peak, 12);
        Assert.Single(p.Alerts.Open);

        p.Occupancy(300, 169); // 0.845
        var nearCleared = p.Changes[3];
        Assert.Equal(("live/P-1/near-full/1", At(300)), (nearCleared.Id, nearCleared.ClearedTicks));
        Assert.Equal(1.0, nearCleared.Peak, 12);
        Assert.Empty(p.Alerts.Open);

        p.Occupancy(360, 181);
        Assert.Equal("live/P-1/near-full/2", p.Changes[4].Id);
    }

    [Fact]
    public void A_facility_hovering_at_the_threshold_raises_once_and_does_not_flap()
    {
        var p = new Facility();
        p.Occupancy(0, 179);
        for (var i = 0; i < 20; i++)
        {
            p.Move(10 + (i * 10), i % 2 == 0 ? ParkingMovement.Entry : ParkingMovement.Exit); // 180, 179, 180, ...
        }

        var raised = Assert.Single(p.Changes);
        Assert.Equal(At(10), raised.RaisedTicks);
        Assert.Single(p.Alerts.Open);

        // 171 is 0.855: still not below 0.85.
        p.Occupancy(300, 171);
        Assert.Single(p.Changes);
        p.Occupancy(310, 169);
        Assert.Equal(2, p.Changes.Count);
        Assert.NotNull(p.Changes[1].ClearedTicks);
    }

    [Fact]
    public void Late_and_out_of_order_events_raise_no_spurious_alert_and_times_never_go_back()
    {
        var p = new Facility();
        p.Occupancy(3600, 100);

        // Older than the watermark by more than the 15-minute lateness window: late, not applied, no alert.
        p.Occupancy(3600 - 901, 200);
        Assert.Empty(p.Changes);
        Assert.Equal(1, p.Live.View().Totals.Late);

        // Within the window but older than the last snapshot: counted, never rolls occupancy back, no alert.
        p.Occupancy(3000, 200);
        Assert.Empty(p.Changes);
        Assert.Equal(100, p.Live.Occupied);

        // An out-of-order entry that tips the facility over: raised at the watermark (the newest event), not its own time.
        p.Occupancy(3700, 179);
        p.Move(3650, ParkingMovement.Entry);
        var raised = Assert.Single(p.Changes);
        Assert.Equal(At(3700), raised.RaisedTicks);
    }

    [Fact]
    public void Open_alerts_and_sequences_survive_a_snapshot_so_a_restart_raises_nothing_again()
    {
        var p = new Facility();
        p.Occupancy(0, 200);
        Assert.Equal(2, p.Changes.Count);
        // Stored in grain state as JSON (the silo's codec for engine types).
        var json = System.Text.Json.JsonSerializer.Serialize(p.Alerts.Snapshot());
        var snapshot = System.Text.Json.JsonSerializer.Deserialize<AlertTrackerSnapshot>(json)!;
        Assert.Equal(p.Alerts.Open.OrderBy(a => a.Id, StringComparer.Ordinal), snapshot.Open);

        var restored = new AlertTracker("live/P-1", "Market Garage (P-1)", snapshot);
        Assert.Empty(restored.Evaluate(At(60), AlertRules.Parking(199, 200, AlertThresholds.Default)));
        var cleared = restored.Evaluate(At(120), AlertRules.Parking(100, 200, AlertThresholds.Default));
        Assert.Equal(["live/P-1/near-full/1", "live/P-1/full/1"], cleared.Select(a => a.Id).Order(StringComparer.Ordinal).Reverse());
        var again = restored.Evaluate(At(180), AlertRules.Parking(200, 200, AlertThresholds.Default));
        Assert.Equal(["live/P-1/full/2", "live/P-1/near-full/2"], again.Select(a => a.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Thresholds_are_options()
    {
        var t = AlertThresholds.Default with { NearFullRatio = 0.8, NearFullClearRatio = 0.7 };
        var tracker = new AlertTracker("x/P-1", "P-1");
        Assert.Single(tracker.Evaluate(At(0), AlertRules.Parking(160, 200, t)));
        Assert.Empty(tracker.Evaluate(At(1), AlertRules.Parking(141, 200, t)));
        Assert.Single(tracker.Evaluate(At(2), AlertRules.Parking(139, 200, t)));
    }

    [Fact]
    public void A_city_sets_its_thresholds_in_its_manifest_and_a_bad_one_is_an_error_naming_the_field()
    {
        using var city = new TinyCity();
        city.Manifest["alerts"] = new JsonObject { ["nearFullRatio"] = 0.8, ["nearFullClearRatio"] = 0.7, ["oversaturatedDegree"] = 0.95 };
        var model = CityReader.ReadFolder(city.Write());
        Assert.Equal(AlertThresholds.Default with { NearFullRatio = 0.8, NearFullClearRatio = 0.7, OversaturatedDegree = 0.95 }, model.Alerts);
        Assert.Equal(AlertThresholds.Default, City.Alerts);

        using var bad = new TinyCity();
        bad.Manifest["alerts"] = new JsonObject { ["nearFullRatio"] = 0.8, ["fullClearRatio"] = 1.0, ["nearfull"] = 1 };
        var ex = Assert.Throws<CityValidationException>(() => CityReader.ReadFolder(bad.Write()));
        Assert.Contains(ex.Errors, e => e.Source == "city.json" && e.Field == "alerts.fullClearRatio" && e.Reason.Contains("must be below fullRatio (1)", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Field == "alerts.nearfull" && e.Reason.StartsWith("unknown field", StringComparison.Ordinal));
        // Lowering a raise threshold alone leaves the default clear threshold above it: that is an error too.
        Assert.Contains(ex.Errors, e => e.Field == "alerts.nearFullClearRatio" && e.Reason.Contains("0.85 must be below nearFullRatio (0.8)", StringComparison.Ordinal));
        Assert.Equal(3, ex.Errors.Count);
    }

    [Fact]
    public void Oversaturation_follows_the_degree_of_saturation_over_the_flow_window_with_hysteresis()
    {
        var signal = new SignalLive(City.SignalsById["S-1"], City.DetectorsOf("S-1"), LiveOptions.Default);
        var storage = AlertRules.StorageVeh(City, City.SignalsById["S-1"]);
        var alerts = new AlertTracker("live/S-1", "S-1");
        var changes = new List<(int Minute, Alert Alert)>();

        // Counts a minute on W: 20 (x = 1200/1600 = 0.75) for 15 min, 30 (x = 1.125) for 10 min, then 10 (x = 0.375).
        int[] counts = [.. Enumerable.Repeat(20, 15), .. Enumerable.Repeat(30, 10), .. Enumerable.Repeat(10, 20)];
        var window = new List<(int Minute, int Count)>();
        int? expectRaise = null, expectClear = null;
        for (var m = 0; m < counts.Length; m++)
        {
            var r = new SensorReading(SensorEventType.Detector, "DET-W", At(m * 60), m + 1, Count: counts[m], Occupancy: 0.2, IntervalS: 60);
            foreach (var a in alerts.Apply(signal, r, () => AlertRules.Signal([signal.ApproachViewOf(r.Sensor)!], storage, AlertThresholds.Default)))
            {
                changes.Add((m, a));
            }

            // The oracle: x = (counts in the last 15 min) x 3600 / (their seconds) / 1600.
            window.Add((m, counts[m]));
            window.RemoveAll(w => w.Minute <= m - 15);
            var x = window.Sum(w => w.Count) * 3600.0 / (window.Count * 60) / 1600;
            expectRaise ??= x >= 1.0 ? m : null;
            expectClear ??= expectRaise is not null && x < 0.9 ? m : null;
        }

        Assert.NotNull(expectRaise);
        Assert.NotNull(expectClear);

        // The one approach the rules compute per count is the approach the view shows.
        var viewed = signal.View().Approaches.Single(a => a.Id == "W");
        var checkedOne = signal.ApproachViewOf("DET-W")!;
        Assert.Equal((viewed.FlowVehH, viewed.DegreeOfSaturation, viewed.QueueVeh), (checkedOne.FlowVehH, checkedOne.DegreeOfSaturation, checkedOne.QueueVeh));
        Assert.Null(signal.ApproachViewOf("DET-P-IN"));
        var w = changes.Where(c => c.Alert.Subject == "W").ToArray();
        Assert.Equal(2, w.Length);
        Assert.Equal((expectRaise, AlertKinds.Oversaturated, "live/S-1/oversaturated/1"), ((int?)w[0].Minute, w[0].Alert.Kind, w[0].Alert.Id));
        Assert.True(w[0].Alert.Value >= 1.0 && w[0].Alert.Peak >= w[0].Alert.Value);
        Assert.Equal(expectClear, w[1].Minute);
        Assert.True(w[1].Alert.ClearValue < 0.9);
    }

    [Fact]
    public void Spillback_compares_the_queue_estimate_with_the_link_storage()
    {
        var site = City.SignalsById["S-1"];
        var storage = AlertRules.StorageVeh(City, site);
        Assert.Equal(120, storage["S"]); // 2 lanes x 450 m / 7.5 m jam spacing

        var signal = new SignalLive(site, City.DetectorsOf("S-1"), LiveOptions.Default);
        var alerts = new AlertTracker("live/S-1", "S-1");
        var raisedAt = -1.0;
        for (var count = 5; count <= 40 && raisedAt < 0; count++)
        {
            var r = new SensorReading(SensorEventType.Detector, "DET-S", At(count * 900), count, Count: count, Occupancy: 0.3, IntervalS: 60);
            var changes = alerts.Apply(signal, r, () => AlertRules.Signal([signal.ApproachViewOf(r.Sensor)!], storage, AlertThresholds.Default));
            var queue = signal.ApproachViews().Single(a => a.Id == "S").QueueVeh!.Value;
            var spill = changes.Where(a => a.Kind == AlertKinds.QueueSpillback).ToArray();
            Assert.Equal(queue >= 120, spill.Length == 1);
            if (spill.Length == 1)
            {
                Assert.Equal(queue / 120, spill[0].Value, 12);
                Assert.Equal(("S", "critical"), (spill[0].Subject, spill[0].Severity));
                raisedAt = count;
            }
        }

        Assert.True(raisedAt > 0, "no flow up to 40 veh/min filled the storage");
    }
}
