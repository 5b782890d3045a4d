using CityTwin.Engine.Signals;

namespace CityTwin.Engine.Tests.Measures;

/// <summary>Each measure's definition on small hand-made logs whose answers are worked out in the comments.</summary>
public sealed class MeasureDefinitionTests
{
    private const int Device = 1;
    private static readonly long T0 = new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static ControllerEvent E(double seconds, int code, int parameter) => new(T0 + (long)Math.Round(seconds * 1000), Device, code, parameter);

    private static SignalMeasures Run(IEnumerable<DetectorAssignment> config, IEnumerable<ControllerEvent> events, SignalMeasureOptions? options = null)
    {
        var engine = new SignalMeasureEngine(new DetectorConfiguration(config), options);
        foreach (var e in events)
        {
            Assert.Null(engine.Add(e));
        }

        engine.Finish();
        return engine.Results();
    }

    [Fact]
    public void Arrival_at_the_instant_of_green_is_on_green_and_a_bin_without_green_arrivals_has_no_row()
    {
        var config = new[] { new DetectorAssignment(Device, 2, 5, DetectorFunction.Advance) };
        var events = new[]
        {
            E(0, 82, 5), E(0, 1, 2), // the detector row comes first in the file; at one instant phase events come first
            E(10, 82, 5), E(20, 8, 2), E(22, 82, 5), E(24, 10, 2), E(30, 82, 5), E(60, 1, 2), E(61, 82, 5),
            E(900 + 100, 8, 2), E(900 + 104, 10, 2), E(900 + 110, 82, 5), // second bin: one arrival, on red
        };
        var m = Run(config, events);

        // First bin: 5 arrivals, on green at 0, 10, 61 -> 3/5.
        var row = Assert.Single(m.ArrivalOnGreen);
        Assert.Equal((T0, 2, 5, 0.6), (row.BinMs, row.Phase, row.TotalActuations, row.PercentAog));
        Assert.Equal([(T0, 5, 5), (T0 + 900_000, 5, 1)], m.Actuations.Select(a => (a.BinMs, a.Detector, a.Total)));
    }

    [Fact]
    public void Arrival_latency_moves_a_detector_time_back_before_the_phase_is_looked_up()
    {
        var config = new[] { new DetectorAssignment(Device, 2, 5, DetectorFunction.Advance) };
        var events = new[] { E(0, 1, 2), E(20, 8, 2), E(21, 82, 5), E(24, 10, 2), E(25, 82, 5) };

        // Without latency 21 s is yellow and 25 s red: no green arrival, no row. With 2 s, 19 s is green: 1/2.
        Assert.Empty(Run(config, events).ArrivalOnGreen);
        var row = Assert.Single(Run(config, events, new SignalMeasureOptions { ArrivalLatencySeconds = 2 }).ArrivalOnGreen);
        Assert.Equal(0.5, row.PercentAog);
    }

    [Fact]
    public void Split_failure_needs_both_green_and_red_occupancy_at_the_thresholds()
    {
        var config = new[] { new DetectorAssignment(Device, 2, 7, DetectorFunction.Presence) };
        var events = new[]
        {
            // Cycle 1 (green 0-20, red from 24, window 24-29): detector on from -10 to 40 -> both occupancies 1: a failure.
            E(-10, 82, 7), E(0, 1, 2), E(20, 8, 2), E(24, 10, 2), E(40, 81, 7),
            // Cycle 2 (green 60-80, red 84-89): on 70-86 -> green 10/20 = 0.5, red 2/5 = 0.4: no failure.
            E(60, 1, 2), E(70, 82, 7), E(80, 8, 2), E(84, 10, 2), E(86, 81, 7), E(120, 1, 2),
        };
        var row = Assert.Single(Run(config, events).SplitFailures);
        Assert.Equal(T0, row.BinMs); // both cycles end their red window (29 s, 89 s) in the first bin
        Assert.Equal(20, row.GreenTime, 9);
        Assert.Equal((1 + 0.5) / 2, row.GreenOccupancy, 9);
        Assert.Equal((1 + 0.4) / 2, row.RedOccupancy, 9);
        Assert.Equal(1, row.SplitFailures);
    }

    [Fact]
    public void Missing_detector_events_are_filled_in_as_the_peer_does()
    {
        var config = new[] { new DetectorAssignment(Device, 2, 7, DetectorFunction.Presence) };
        var events = new[]
        {
            // A first event that is an off gets an on 1 ms before it; ons at 2 and 12 (10 s apart) get an off halfway (7);
            // ons at 14 and 15 (1 s apart, within 2 s) get an off at 15; offs at 17 and 19 get an on halfway (18).
            E(-5, 81, 7), E(0, 1, 2), E(2, 82, 7), E(12, 82, 7), E(14, 81, 7), E(14.5, 82, 7), E(15, 82, 7), E(17, 81, 7), E(19, 81, 7),
            E(20, 8, 2), E(24, 10, 2), E(30, 82, 7), E(60, 1, 2),
        };
        var row = Assert.Single(Run(config, events).SplitFailures);

        // Occupied in green: [2,7) + [12,14) + [14.5,17) + [18,19) = 5 + 2 + 2.5 + 1 = 10.5 of 20 s. Red window 24-29: off.
        Assert.Equal(10.5 / 20, row.GreenOccupancy, 9);
        Assert.Equal(0, row.RedOccupancy, 9);
    }

    [Fact]
    public void An_approach_is_occupied_while_any_of_its_detectors_is()
    {
        var config = new[] { new DetectorAssignment(Device, 2, 7, DetectorFunction.Presence), new DetectorAssignment(Device, 2, 8, DetectorFunction.Presence) };
        var events = new[]
        {
            E(-3, 81, 7), E(-3, 81, 8), E(0, 1, 2), E(2, 82, 7), E(5, 82, 8), E(10, 81, 7), E(15, 81, 8), E(20, 8, 2), E(24, 10, 2), E(26, 82, 8), E(60, 1, 2),
        };
        var row = Assert.Single(Run(config, events).SplitFailures);
        Assert.Equal(13.0 / 20, row.GreenOccupancy, 9); // [2,15)
        Assert.Equal(3.0 / 5, row.RedOccupancy, 9); // [26,29)
    }

    [Fact]
    public void A_cycle_whose_detectors_had_not_reported_before_green_or_whose_next_green_cuts_its_red_window_is_left_out()
    {
        var config = new[] { new DetectorAssignment(Device, 2, 7, DetectorFunction.Presence) };

        // The first detector event comes at green: no detector state at green, so the cycle does not count.
        Assert.Empty(Run(config, [E(0, 1, 2), E(0, 82, 7), E(20, 8, 2), E(24, 10, 2), E(40, 81, 7), E(60, 1, 2)]).SplitFailures);

        // Green again 3 s after red: the window end (29 s) falls in the next cycle, so neither counts.
        Assert.Empty(Run(config, [E(-1, 82, 7), E(0, 1, 2), E(20, 8, 2), E(24, 10, 2), E(27, 1, 2), E(40, 8, 2), E(44, 10, 2), E(46, 81, 7)]).SplitFailures);
    }

    [Fact]
    public void A_finished_cycle_waits_for_an_off_imputed_inside_it()
    {
        var config = new[] { new DetectorAssignment(Device, 2, 7, DetectorFunction.Presence) };

        // On at -1, next event an on at 50: the off is imputed halfway, at 24.5, inside the red window (24-29) of a
        // cycle that closed at the green of 40. Waiting for it: red occupancy 0.5/5 = 0.1, no failure.
        var events = new[] { E(-1, 82, 7), E(0, 1, 2), E(20, 8, 2), E(24, 10, 2), E(40, 1, 2), E(50, 82, 7), E(60, 8, 2) };
        var waited = Assert.Single(Run(config, events).SplitFailures);
        Assert.Equal((1.0, 0.1, 0), (waited.GreenOccupancy, Math.Round(waited.RedOccupancy, 9), waited.SplitFailures));

        // Not waiting at all, the cycle is taken as it stood at 40 (on throughout): a failure.
        var hasty = Assert.Single(Run(config, events, new SignalMeasureOptions { SplitFailureMaxWait = TimeSpan.Zero }).SplitFailures);
        Assert.Equal((1.0, 1.0, 1), (hasty.GreenOccupancy, hasty.RedOccupancy, hasty.SplitFailures));
    }

    [Fact]
    public void Yellow_and_red_actuations_are_counted_by_state_and_half_second_offset_from_red()
    {
        var config = new[] { new DetectorAssignment(Device, 4, 9, DetectorFunction.YellowRed) };
        var events = new[]
        {
            // Latency 1.5 s: 20 -> 18.5 (green, -15.5 s: before -8, not reported); 33 -> 31.5 (yellow, -2.5 s);
            // 34.75 -> 33.25 (yellow, -0.75 s -> -1.5 half seconds -> -2 away from zero -> -1 s); 36.2 -> 34.7 (red, +0.7 s -> 0.5 s).
            E(0, 1, 4), E(20, 82, 9), E(30, 8, 4), E(33, 82, 9), E(34, 10, 4), E(34.75, 82, 9), E(36.2, 82, 9), E(60, 1, 4),
            // A cycle with two yellows is left out.
            E(70, 8, 4), E(71, 8, 4), E(74, 10, 4), E(76, 82, 9), E(120, 1, 4),
        };
        var m = Run(config, events);
        Assert.Equal([(8, -2.5, 1), (8, -1.0, 1), (10, 0.5, 1)], m.YellowRed.Select(r => (r.SignalState, r.RedOffset, r.Count)));
        Assert.All(m.YellowRed, r => Assert.Equal(T0, r.BinMs));
    }

    [Fact]
    public void Splits_and_terminations_are_counted_per_code_and_phase()
    {
        var events = new[] { E(1, 4, 2), E(2, 4, 2), E(3, 5, 2), E(4, 6, 6), E(5, 301, 30), E(6, 301, 35), E(7, 316, 120) };
        var m = Run([new DetectorAssignment(Device, 2, 1, DetectorFunction.StopBarCount)], events);
        Assert.Equal([(2, TerminationKind.GapOut, 2), (2, TerminationKind.MaxOut, 1), (6, TerminationKind.ForceOff, 1)], m.Terminations.Select(t => (t.Phase, t.Kind, t.Total)));
        Assert.Equal([(301, 2, 32.5), (316, 1, 120.0)], m.Splits.Select(s => (s.EventId, s.Services, s.AverageSplit)));
    }

    [Fact]
    public void Old_bins_can_be_dropped()
    {
        var engine = new SignalMeasureEngine(null);
        engine.Add(E(1, 82, 3));
        engine.Add(E(901, 82, 3));
        engine.Add(E(902, 82, 3)); // the latest instant is held back until a later one comes
        Assert.Equal(2, engine.Results().Actuations.Count);
        engine.DropBinsBefore(T0 + 900_000);
        Assert.Equal(T0 + 900_000, Assert.Single(engine.Results().Actuations).BinMs);
    }
}
