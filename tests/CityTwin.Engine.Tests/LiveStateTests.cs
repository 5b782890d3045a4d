using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Engine.Timing;
using CityTwin.Formats.GeoJson;

namespace CityTwin.Engine.Tests;

public sealed class LiveStateTests
{
    private static readonly long T0 = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero).UtcTicks;

    private static long At(double seconds) => T0 + TimeSpan.FromSeconds(seconds).Ticks;

    private static CityModel Tiny()
    {
        using var city = new TinyCity();
        return CityReader.ReadFolder(city.Write());
    }

    private static SignalLive Signal(CityModel city, LiveOptions? options = null) =>
        new(city.SignalsById["S-1"], city.DetectorsOf("S-1"), options ?? LiveOptions.Default);

    private static SensorReading Count(string detector, double atS, int count, long seq, double intervalS = 60, double occupancy = 0.2) =>
        new(SensorEventType.Detector, detector, At(atS), seq, Count: count, Occupancy: occupancy, IntervalS: intervalS);

    [Fact]
    public void Seq_window_accepts_each_seq_once_even_out_of_order()
    {
        var w = new SeqWindow();
        Assert.True(w.TryAccept(10));
        Assert.True(w.TryAccept(12));
        Assert.True(w.TryAccept(11));
        Assert.False(w.TryAccept(11));
        Assert.False(w.TryAccept(12));
        Assert.True(w.TryAccept(5));
        Assert.False(w.TryAccept(5));
        Assert.True(w.TryAccept(2000));
        Assert.False(w.TryAccept(2000));
        Assert.True(w.TryAccept(1999));
        Assert.False(w.TryAccept(12)); // more than the window below the highest: treated as seen
    }

    [Fact]
    public void Seq_window_survives_a_snapshot()
    {
        var w = new SeqWindow();
        foreach (var s in new long[] { 1, 3, 70, 130 })
        {
            w.TryAccept(s);
        }

        var restored = new SeqWindow(w.Highest, w.Bits);
        Assert.False(restored.TryAccept(70));
        Assert.False(restored.TryAccept(3));
        Assert.True(restored.TryAccept(2));
        Assert.True(restored.TryAccept(131));
    }

    [Fact]
    public void Approach_flow_is_the_rolling_count_rate_in_veh_per_hour()
    {
        var city = Tiny();
        var s = Signal(city);
        for (var i = 0; i < 10; i++)
        {
            s.Apply(Count("DET-W", i * 60, 10, i)); // 10 veh a minute = 600 veh/h
        }

        var w = s.View().Approaches.Single(a => a.Id == "W");
        Assert.Equal(600, w.FlowVehH!.Value, 6);
        Assert.Equal(1, w.DetectorsReporting);

        // W.T: s = 3600, g = 40, C = 90 -> capacity 1600 veh/h, x = 600/1600.
        Assert.Equal(0.375, w.DegreeOfSaturation!.Value, 9);
    }

    [Fact]
    public void Old_samples_leave_the_flow_window()
    {
        var city = Tiny();
        var s = Signal(city, LiveOptions.Default with { FlowWindow = TimeSpan.FromMinutes(5) });
        for (var i = 0; i < 5; i++)
        {
            s.Apply(Count("DET-W", i * 60, 30, i)); // 1800 veh/h for five minutes
        }

        for (var i = 5; i < 10; i++)
        {
            s.Apply(Count("DET-W", i * 60, 5, i)); // then 300 veh/h
        }

        Assert.Equal(300, s.View().Approaches.Single(a => a.Id == "W").FlowVehH!.Value, 6);
    }

    [Fact]
    public void Frequent_reports_are_summed_into_buckets_so_memory_stays_bounded()
    {
        var city = Tiny();
        var s = Signal(city);
        for (var i = 0; i < 10_000; i++)
        {
            s.Apply(Count("DET-W", i * 0.1, 1, i, intervalS: 0.1)); // 10 veh/s for 1,000 s
        }

        Assert.Equal(36_000, s.View().Approaches.Single(a => a.Id == "W").FlowVehH!.Value, 6);
        var buckets = s.Snapshot().Detectors.Single(d => d.DetectorId == "DET-W").Samples.Count;
        Assert.InRange(buckets, 180, 181); // 15 min window / 5 s buckets
    }

    [Fact]
    public void Approach_without_reporting_detectors_has_no_flow()
    {
        var city = Tiny();
        var s = Signal(city);
        s.Apply(Count("DET-W", 0, 10, 1));
        var south = s.View().Approaches.Single(a => a.Id == "S");
        Assert.Null(south.FlowVehH);
        Assert.Equal(0, south.DetectorsReporting);
        Assert.Equal(0.5, s.View().DataCompleteness, 9);
    }

    [Fact]
    public void Lane_group_detector_flow_goes_to_its_group_only()
    {
        var city = Tiny();
        var s = Signal(city);
        s.Apply(Count("DET-S", 0, 6, 1)); // lane group S.T: 360 veh/h
        var south = s.View().Approaches.Single(a => a.Id == "S");
        var t = south.LaneGroups.Single(g => g.Id == "T");
        var l = south.LaneGroups.Single(g => g.Id == "L");
        Assert.Equal(360, t.FlowVehH, 6);
        Assert.True(t.Measured);
        Assert.False(l.Measured);
        Assert.Equal(360, south.FlowVehH!.Value, 6);
        Assert.Equal(360 / (1800 * 40 / 90.0), south.DegreeOfSaturation!.Value, 9);
    }

    [Fact]
    public void Late_events_beyond_the_window_are_counted_and_kept_not_applied()
    {
        var city = Tiny();
        var s = Signal(city, LiveOptions.Default with { LatenessWindow = TimeSpan.FromMinutes(10) });
        s.Apply(Count("DET-W", 3600, 10, 100));
        Assert.Equal(ApplyOutcome.Applied, s.Apply(Count("DET-W", 3600 - 300, 10, 99)));  // 5 min late: applied
        Assert.Equal(ApplyOutcome.Late, s.Apply(Count("DET-W", 3600 - 1200, 99, 50))); // 20 min late
        var v = s.View();
        Assert.Equal(2, v.Totals.Applied);
        Assert.Equal(1, v.Totals.Late);
        Assert.Single(v.RecentLate);
        Assert.Equal(50, v.RecentLate.Single().Seq);
        Assert.Equal(600, v.Approaches.Single(a => a.Id == "W").FlowVehH!.Value, 6);
    }

    [Fact]
    public void Phase_events_track_state_and_measured_green()
    {
        var city = Tiny();
        var s = Signal(city);
        s.Apply(new SensorReading(SensorEventType.SignalPhase, "S-1", At(0), 1, Phase: 1, Light: LightState.Green));
        s.Apply(new SensorReading(SensorEventType.SignalPhase, "S-1", At(41), 2, Phase: 1, Light: LightState.Amber));
        var p = s.View().Phases.Single();
        Assert.Equal(LightState.Amber, p.State);
        Assert.Equal(41, p.LastGreenS!.Value, 9);
        Assert.Equal(2, p.Changes);
    }

    [Fact]
    public void Signal_state_survives_a_snapshot()
    {
        var city = Tiny();
        var s = Signal(city);
        for (var i = 0; i < 5; i++)
        {
            s.Apply(Count("DET-W", i * 60, 12, i));
        }

        s.RecordDuplicates("DET-W", 3);
        var restored = new SignalLive(city.SignalsById["S-1"], city.DetectorsOf("S-1"), LiveOptions.Default, s.Snapshot());
        Assert.Equal(s.View().TotalFlowVehH, restored.View().TotalFlowVehH);
        Assert.Equal(3, restored.View().Totals.Duplicates);
        Assert.Equal(5, restored.View().Totals.Applied);
    }

    [Fact]
    public void Parking_occupancy_follows_entries_and_exits_and_snapshots_correct_drift()
    {
        var city = Tiny();
        var p = new ParkingLive(city.ParkingById["P-1"], LiveOptions.Default);
        for (var i = 0; i < 30; i++)
        {
            p.Apply(new SensorReading(SensorEventType.Parking, "P-1", At(i * 10), i, Movement: ParkingMovement.Entry));
        }

        for (var i = 30; i < 35; i++)
        {
            p.Apply(new SensorReading(SensorEventType.Parking, "P-1", At(i * 10), i, Movement: ParkingMovement.Exit));
        }

        Assert.Equal(25, p.Occupied);
        p.Apply(new SensorReading(SensorEventType.ParkingOccupancy, "P-1", At(400), 40, Occupied: 28));
        var v = p.View();
        Assert.Equal(28, v.Occupied);
        Assert.Equal(1, v.Corrections);
        Assert.Equal(3, v.CorrectionVeh);
        Assert.Equal(0.14, v.OccupancyRatio, 9);
    }

    [Fact]
    public void Parking_exit_at_zero_is_an_underflow_not_a_negative_occupancy()
    {
        var city = Tiny();
        var p = new ParkingLive(city.ParkingById["P-1"], LiveOptions.Default);
        p.Apply(new SensorReading(SensorEventType.Parking, "P-1", At(0), 1, Movement: ParkingMovement.Exit));
        Assert.Equal(0, p.Occupied);
        Assert.Equal(1, p.View().Underflows);
    }

    [Fact]
    public void Entry_gate_detector_counts_move_occupancy()
    {
        var city = Tiny();
        var p = new ParkingLive(city.ParkingById["P-1"], LiveOptions.Default) { RoleOf = id => id == "DET-P-IN" ? GateRole.Entry : GateRole.Unspecified };
        p.Apply(Count("DET-P-IN", 0, 7, 1));
        Assert.Equal(7, p.Occupied);
    }

    [Fact]
    public void Parking_forecast_extrapolates_the_last_hours_trend_within_capacity()
    {
        var city = Tiny();
        var p = new ParkingLive(city.ParkingById["P-1"], LiveOptions.Default);
        for (var i = 0; i < 120; i++)
        {
            p.Apply(new SensorReading(SensorEventType.Parking, "P-1", At(i * 30), i, Movement: ParkingMovement.Entry)); // 2 a minute for an hour
        }

        var f = p.View().Forecast;
        Assert.Equal(120 + (120 / 60.0 * 30), f.Single(x => x.HorizonMin == 30).Occupied, 6);
        Assert.Equal(200, f.Single(x => x.HorizonMin == 60).Occupied, 6); // 240 clamped to capacity
    }

    [Fact]
    public void Event_rules_reject_unknown_sensors_and_type_mismatches()
    {
        var city = Tiny();
        var now = At(0);
        Assert.Contains("unknown sensor", EventRules.Check(city, Count("NOPE", 0, 1, 1), now, out _));
        Assert.Contains("not a detector", EventRules.Check(city, Count("S-1", 0, 1, 1), now, out _));
        Assert.Contains("needs a signal id", EventRules.Check(city, new SensorReading(SensorEventType.SignalPhase, "DET-W", now, 1, Phase: 1), now, out _));
        Assert.Contains("phase 7 is not in the plan", EventRules.Check(city, new SensorReading(SensorEventType.SignalPhase, "S-1", now, 1, Phase: 7), now, out _));
        Assert.Contains("needs a parking facility", EventRules.Check(city, new SensorReading(SensorEventType.Parking, "S-1", now, 1), now, out _));
        Assert.Null(EventRules.Check(city, new SensorReading(SensorEventType.Parking, "DET-P-IN", now, 1), now, out var target));
        Assert.Equal("P-1", target!.TargetId);
    }

    [Fact]
    public void Event_rules_allow_occupied_up_to_five_percent_over_capacity()
    {
        var city = Tiny();
        var now = At(0);
        Assert.Null(EventRules.Check(city, new SensorReading(SensorEventType.ParkingOccupancy, "P-1", now, 1, Occupied: 210), now, out _));
        Assert.Contains("above capacity 200", EventRules.Check(city, new SensorReading(SensorEventType.ParkingOccupancy, "P-1", now, 1, Occupied: 211), now, out _));
    }

    [Fact]
    public void Event_rules_reject_timestamps_more_than_five_minutes_ahead()
    {
        var city = Tiny();
        Assert.Null(EventRules.Check(city, Count("DET-W", 300, 1, 1), At(0), out _));
        Assert.Contains("in the future", EventRules.Check(city, Count("DET-W", 301, 1, 1), At(0), out _));
    }

    [Fact]
    public void Area_aggregate_counts_capacity_of_all_and_occupancy_of_reporting_facilities()
    {
        var a = AreaAggregate.Of(2, [100, 300], [
            new EntitySummary("S-1", true, 10, 600, 0.5, 4, 0, 0),
            new EntitySummary("S-2", true, 20, 900, 1.2, 20, 0, 0),
            new EntitySummary("P-1", false, 15, 0, 0, 0, 100, 95),
        ]);
        Assert.Equal(1500, a.TotalFlowVehH);
        Assert.Equal(0.85, a.MeanDegreeOfSaturation, 9);
        Assert.Equal(1, a.SignalsOverSaturated);
        Assert.Equal(400, a.Capacity);
        Assert.Equal(0.95, a.OccupancyRatio!.Value, 9);
        Assert.Equal(1, a.FacilitiesAbove90Percent);
        Assert.Equal(20, a.AsOfTicks);
    }

    [Fact]
    public void Queue_estimate_matches_a_hand_worked_example()
    {
        // q = 600 veh/h, s = 1800 veh/h, g = 40 s, C = 90 s.
        // Uniform: q r / (1 - y) = (600/3600) * 50 / (1 - 1/3) = 12.5 veh.
        Assert.Equal(12.5, LaneGroupPerformance.UniformQueue(600, 1800, 40, 90), 9);

        // Capacity c = 1800 * 40 / 90 = 800 veh/h, x = 0.75, x0 = 0.67 + 0.5 * 40 / 600 = 0.70333.
        // N0 = (cT/4) [ (x-1) + sqrt((x-1)^2 + 12 (x-x0)/(cT)) ] with cT = 200:
        // = 50 * (-0.25 + sqrt(0.0625 + 12 * 0.046667 / 200)) = 50 * (-0.25 + sqrt(0.0653)) = 50 * 0.0055386 = 0.27693 veh.
        Assert.Equal(0.27693, LaneGroupPerformance.OverflowQueue(600, 1800, 40, 90), 4);

        // Below x0 there is no overflow queue.
        Assert.Equal(0, LaneGroupPerformance.OverflowQueue(500, 1800, 40, 90));
    }
}
