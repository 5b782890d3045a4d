using CityTwin.Engine.Signals;
using CityTwin.Engine.Timing;

namespace CityTwin.Engine.Tests.Timing;

/// <summary>A controller's measures summed over a recommendation window, and the rules on them (hand-built bins, hand-computed figures).</summary>
public sealed class ControllerMeasureCheckTests
{
    private const int Device = 7;
    private const long Bin = 15 * 60_000;

    /// <summary>Window start: 2024-05-13 15:00 UTC.</summary>
    private static readonly long Start = new DateTimeOffset(2024, 5, 13, 15, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>Phase 2: advance channel 3 and presence channel 5; phase 4: advance channel 8.</summary>
    public static SignalController Controller() => new("S-X", Device, new DetectorConfiguration(
    [
        new DetectorAssignment(Device, 2, 3, DetectorFunction.Advance),
        new DetectorAssignment(Device, 2, 5, DetectorFunction.Presence),
        new DetectorAssignment(Device, 4, 8, DetectorFunction.Advance),
    ]));

    /// <summary>
    /// Two bins in the window (15:00, 15:15) and one after it (15:30, which must be left out). Phase 4 is served
    /// <paramref name="phase4Served"/> times a bin; channel 8 counts <paramref name="channel8"/> a bin.
    /// </summary>
    public static SignalMeasures Measures(int channel8 = 30, int phase4Served = 5) =>
        new(
            [
                new ActuationRow(Start, Device, 3, 100), new ActuationRow(Start, Device, 5, 90), new ActuationRow(Start, Device, 8, channel8),
                new ActuationRow(Start + Bin, Device, 3, 60), new ActuationRow(Start + Bin, Device, 5, 50), new ActuationRow(Start + Bin, Device, 8, channel8),
                new ActuationRow(Start + (2 * Bin), Device, 3, 999), new ActuationRow(Start + (2 * Bin), Device, 8, 999),
            ],
            [
                new ArrivalOnGreenRow(Start, Device, 2, 100, 0.6), new ArrivalOnGreenRow(Start + Bin, Device, 2, 60, 0.4),
                new ArrivalOnGreenRow(Start + (2 * Bin), Device, 2, 999, 1.0),
            ],
            [
                new SplitRow(Start, Device, 301, 10, 30), new SplitRow(Start + Bin, Device, 301, 10, 40),
                new SplitRow(Start, Device, 303, 5, 20),
            ],
            [
                new TerminationRow(Start, Device, 2, TerminationKind.GapOut, 6), new TerminationRow(Start, Device, 2, TerminationKind.MaxOut, 4),
                new TerminationRow(Start + Bin, Device, 2, TerminationKind.ForceOff, 10),
                new TerminationRow(Start, Device, 4, TerminationKind.GapOut, phase4Served), new TerminationRow(Start + Bin, Device, 4, TerminationKind.GapOut, phase4Served),
                new TerminationRow(Start + (2 * Bin), Device, 2, TerminationKind.MaxOut, 99),
            ],
            [
                new SplitFailureRow(Start, Device, 2, 25, 0.8, 0.7, 3), new SplitFailureRow(Start + Bin, Device, 2, 30, 0.9, 0.9, 4),
                new SplitFailureRow(Start + (2 * Bin), Device, 2, 30, 0.9, 0.9, 50),
            ],
            []);

    private static ControllerMeasureAssessment Check(SignalMeasures m, long used = 1000, long bad = 0) =>
        ControllerMeasureCheck.Assess(Controller(), m, used, bad, Start, Start + (2 * Bin))!;

    [Fact]
    public void Measures_are_summed_per_phase_over_the_bins_in_the_window_only()
    {
        var a = Check(Measures());

        Assert.Empty(a.Problems);
        Assert.Equal(2, a.Bins);
        var p2 = a.Phases.Single(p => p.Phase == 2);
        // 6 gap-outs + 4 max-outs + 10 force-offs = 20 cycles; 3 + 4 = 7 split failures.
        Assert.Equal((20, 6, 4, 10), (p2.Cycles, p2.GapOuts, p2.MaxOuts, p2.ForceOffs));
        Assert.Equal(7, p2.SplitFailures);
        Assert.Equal(7.0 / 20, p2.SplitFailureShare!.Value, 12);
        // Arrivals weighted by their counts: (100 x 0.6 + 60 x 0.4) / 160 = 84 / 160.
        Assert.Equal(160, p2.ArrivalActuations);
        Assert.Equal(84.0 / 160, p2.PercentArrivalsOnGreen!.Value, 12);
        // Split code 301 is phase 2: (10 x 30 + 10 x 40) / 20 = 35 s.
        Assert.Equal(35, p2.MeanSplitS!.Value, 12);
        var p4 = a.Phases.Single(p => p.Phase == 4);
        Assert.Equal(10, p4.Cycles);
        Assert.Null(p4.SplitFailureShare); // no presence detector: no split-failure bins
        Assert.Null(p4.PercentArrivalsOnGreen);
        Assert.Equal(20, p4.MeanSplitS);
        Assert.Equal([(3, 160), (5, 140), (8, 60)], a.Channels.Select(c => (c.Channel, c.Actuations)));
        Assert.Equal(["phase 2: 7 of 20 cycles failed"], a.SplitFailureNotes);
    }

    [Fact]
    public void A_channel_without_actuations_while_its_phase_is_served_is_silent_and_named()
    {
        var a = Check(Measures(channel8: 0));

        var reason = Assert.Single(a.Problems);
        Assert.Equal(("channel-silent", "channel 8"), (reason.Code, reason.DetectorId));
        Assert.Contains("detector channel 8 (Advance, phase 4)", reason.Message, StringComparison.Ordinal);
        Assert.Contains("served 10 times", reason.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, false)] // served 6 times: at least 5, so the channel is silent
    [InlineData(2, true)] // served 4 times: too few to call the channel silent
    [InlineData(0, true)]
    public void A_channel_is_silent_only_when_its_phase_was_served_enough(int servedPerBin, bool passes)
    {
        var a = Check(Measures(channel8: 0, phase4Served: servedPerBin));

        Assert.Equal(passes, a.Problems.Count == 0);
    }

    [Theory]
    [InlineData(95, 5, true)] // 5% is allowed
    [InlineData(94, 6, false)] // 6% is not
    public void A_controller_with_more_than_five_percent_bad_rows_is_refused(long used, long bad, bool passes)
    {
        var a = Check(Measures(), used, bad);

        Assert.Equal(passes, a.Problems.Count == 0);
        if (!passes)
        {
            var reason = Assert.Single(a.Problems);
            Assert.Equal("controller-bad-rows", reason.Code);
            Assert.Contains("6 of 100 events (6.0%)", reason.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void No_bin_in_the_window_gives_no_assessment()
    {
        Assert.Null(ControllerMeasureCheck.Assess(Controller(), Measures(), 1000, 0, Start + (3 * Bin), Start + (7 * Bin)));
    }
}
