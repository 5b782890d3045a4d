using CityTwin.Engine.Signals;
using Xunit.Abstractions;

namespace CityTwin.Engine.Tests.Measures;

/// <summary>
/// Every measure computed from the raw 246,413-event log of the atspm package's tests, compared row by row with the
/// package's published expected results (tests/data/atspm/expected, from atspm commit e13f69d, MIT, Copyright (c) 2024
/// Shawn Strasser). Counts are integers compared exactly; averages and shares within the peer's 32-bit float
/// rounding (<see cref="RowComparison.Near"/>). docs/signal-measures.md has the comparison table.
/// </summary>
public sealed class PeerComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public void Actuations_match_the_peer_row_for_row()
    {
        var c = RowComparison.Of(PeerData.Ours.Actuations, PeerData.Peer.Actuations,
            r => (r.BinMs, r.DeviceId, r.Detector), (o, p) => RowComparison.Same("Total", o.Total, p.Total));
        AssertAllMatch(c, 1235);
    }

    [Fact]
    public void Arrivals_on_green_match_the_peer_row_for_row()
    {
        var c = RowComparison.Of(PeerData.Ours.ArrivalOnGreen, PeerData.Peer.ArrivalOnGreen,
            r => (r.BinMs, r.DeviceId, r.Phase),
            (o, p) => RowComparison.First(
                RowComparison.Same("Total_Actuations", o.TotalActuations, p.TotalActuations),
                RowComparison.Near("Percent_AOG", o.PercentAog, p.PercentAog)));
        AssertAllMatch(c, 96);
    }

    [Fact]
    public void Splits_match_the_peer_row_for_row()
    {
        var c = RowComparison.Of(PeerData.Ours.Splits, PeerData.Peer.Splits,
            r => (r.BinMs, r.DeviceId, r.EventId),
            (o, p) => RowComparison.First(
                RowComparison.Same("Services", o.Services, p.Services),
                RowComparison.Near("Average_Split", o.AverageSplit, p.AverageSplit)));
        AssertAllMatch(c, 252);
    }

    [Fact]
    public void Terminations_match_the_peer_row_for_row()
    {
        var c = RowComparison.Of(PeerData.Ours.Terminations, PeerData.Peer.Terminations,
            r => (r.BinMs, r.DeviceId, r.Phase, r.Kind), (o, p) => RowComparison.Same("Total", o.Total, p.Total));
        AssertAllMatch(c, 334);
    }

    [Fact]
    public void Split_failures_match_the_peer_row_for_row()
    {
        var c = RowComparison.Of(PeerData.Ours.SplitFailures, PeerData.Peer.SplitFailures,
            r => (r.BinMs, r.DeviceId, r.Phase),
            (o, p) => RowComparison.First(
                RowComparison.Near("Green_Time", o.GreenTime, p.GreenTime),
                RowComparison.Near("Green_Occupancy", o.GreenOccupancy, p.GreenOccupancy),
                RowComparison.Near("Red_Occupancy", o.RedOccupancy, p.RedOccupancy),
                RowComparison.Same("Split_Failure", o.SplitFailures, p.SplitFailures)));
        AssertAllMatch(c, 180);

        // Not a trivial match: the log has split failures, and bins with and without them.
        Assert.Equal(PeerData.Peer.SplitFailures.Sum(r => r.SplitFailures), PeerData.Ours.SplitFailures.Sum(r => r.SplitFailures));
        Assert.Contains(PeerData.Ours.SplitFailures, r => r.SplitFailures > 0);
        Assert.Contains(PeerData.Ours.SplitFailures, r => r.SplitFailures == 0);
    }

    [Fact]
    public void Yellow_and_red_actuations_match_the_peer_row_for_row()
    {
        var c = RowComparison.Of(PeerData.Ours.YellowRed, PeerData.Peer.YellowRed,
            r => (r.BinMs, r.DeviceId, r.Phase, r.SignalState, r.RedOffset), (o, p) => RowComparison.Same("Count", o.Count, p.Count));
        AssertAllMatch(c, 693);
        Assert.Equal([1, 8, 10], PeerData.Ours.YellowRed.Select(r => r.SignalState).Distinct().Order());
    }

    [Fact]
    public void The_rows_the_peer_leaves_out_are_counted_as_bad_rows()
    {
        // The peer reads distinct rows with parameters in 0..32767 (its loader); we count the repeats under
        // "duplicate" and the negative parameters (four communication events, code 400, parameter -1) apart.
        var lines = new List<string>();
        using (var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(PeerData.EventsPath), System.IO.Compression.CompressionMode.Decompress)))
        {
            reader.ReadLine();
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        var repeats = lines.Count - lines.Distinct(StringComparer.Ordinal).Count();
        var negative = lines.Count(l => l.EndsWith(",-1", StringComparison.Ordinal));
        Assert.Equal(246_413, lines.Count);
        Assert.True(repeats > 0);
        Assert.Equal(4, negative);
        Assert.Equal(repeats, PeerData.Engine.BadRows(BadRowReason.Duplicate));
        Assert.Equal(negative, PeerData.Engine.BadRows(BadRowReason.ParameterOutOfRange));
        Assert.Equal(repeats + negative, PeerData.Engine.TotalBadRows);
        Assert.Equal(lines.Count - repeats - negative, PeerData.Engine.Accepted);
        Assert.Equal([227, 452, 454], PeerData.Engine.Devices.Order());
    }

    private void AssertAllMatch(RowComparison c, int rows)
    {
        foreach (var d in c.Differences.Take(20))
        {
            output.WriteLine(d);
        }

        Assert.Equal(rows, c.PeerRows);
        Assert.Equal(rows, c.OurRows);
        Assert.Equal(rows, c.Matching);
        Assert.Empty(c.Differences);
    }
}
