using CityTwin.Client;
using CityTwin.Contracts;
using System.Text.Json;
using CityTwin.Engine.Signals;
using Xunit.Abstractions;

namespace CityTwin.Cluster.Tests;

/// <summary>
/// A recommendation for S-01 (whose controller is the atspm package's device 227 in the sample city) carries the
/// controller's measures over its window: device 227's events from 15:00 to 15:45 on 2024-05-13 (sent as UTC) and
/// 45 minutes of detector reports for the same time, ingested in time order.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RecommendationMeasuresTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private const string Signal = "S-01";

    /// <summary>The newest detector report, and the window's end.</summary>
    private static readonly DateTimeOffset End = new(2024, 5, 13, 15, 45, 0, TimeSpan.Zero);

    private static readonly IReadOnlyDictionary<string, double> Flows = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["DET-S01-N"] = 420,
        ["DET-S01-S"] = 380,
        ["DET-S01-E"] = 240,
        ["DET-S01-W"] = 260,
    };

    /// <summary>Ingests the controller events and 60-second detector reports (15:01 to 15:45) merged in time order; waits until both are applied.</summary>
    private async Task<CityTwinClient> TwinWithAsync(List<ControllerEvent> controller)
    {
        var client = fixture.ClientFor("recm-" + Guid.NewGuid().ToString("N")[..12]);
        var lines = controller.Select((e, k) => (Ms: e.TimeMs, Line: SignalMeasuresLiveTests.Line(e, Signal, k + 1))).ToList();
        foreach (var (detector, flow) in Flows)
        {
            var rng = new Random(detector[^1]);
            for (var m = 1; m <= 45; m++)
            {
                var count = Math.Max(0, (int)Math.Round((flow / 60) + ((rng.NextDouble() - 0.5) * 4)));
                var at = End.AddMinutes(m - 45);
                lines.Add((at.ToUnixTimeMilliseconds(), Events.Detector(detector, at, m, count, Math.Round((0.02 * count) + (rng.NextDouble() * 0.01), 3), 60)));
            }
        }

        var ordered = lines.OrderBy(l => l.Ms).Select(l => l.Line).ToList();
        for (var i = 0; i < ordered.Count; i += 2000)
        {
            var report = await client.IngestAsync(Events.Body(ordered.Skip(i).Take(2000)));
            Assert.Equal(0, report.Rejected);
        }

        var signal = await Events.EventuallyAsync(() => client.GetSignalAsync(Signal),
            s => s.Counters.Applied + s.Counters.Late + s.Counters.Duplicates + s.Counters.Rejected == ordered.Count, TimeSpan.FromSeconds(30));
        Assert.Equal(0, signal.Counters.Late);
        await Events.EventuallyAsync(() => client.GetSignalMeasuresAsync(Signal),
            m => m.EventsUsed + m.BadRows.Sum(b => b.Count) == controller.Count, TimeSpan.FromSeconds(30));
        return client;
    }

    [Fact]
    public async Task The_recommendation_evidence_carries_the_controller_measures_of_its_window()
    {
        var client = await TwinWithAsync(SignalMeasuresLiveTests.Slice());
        var live = await client.GetSignalMeasuresAsync(Signal);

        var rec = await client.GetRecommendationAsync(Signal, new RecommendationRequest(WindowMin: 45));

        output.WriteLine(rec.Decision);
        output.WriteLine(JsonSerializer.Serialize(rec.Measures, JsonSerializerOptions.Web));
        Assert.Equal(End, rec.WindowEnd);
        Assert.DoesNotContain(rec.Reasons, r => r.Code is "channel-silent" or "controller-bad-rows");
        var m = rec.Measures!;
        Assert.Equal(227, m.DeviceId);
        Assert.Equal(End.AddMinutes(-45), m.FirstBin);
        Assert.Equal(End, m.BinsBefore);
        Assert.Equal(3, m.Bins);
        Assert.Equal(live.EventsUsed, m.EventsUsed);
        Assert.Equal(0.05, m.MaxBadRowShare);

        // Each phase's figures are the sums of the live bins in the window (15:00, 15:15, 15:30).
        bool In(DateTimeOffset t) => t >= m.FirstBin && t < m.BinsBefore;
        foreach (var p in m.Phases)
        {
            Assert.Equal(live.Terminations.Where(t => In(t.Start) && t.Phase == p.Phase).Sum(t => t.Total), p.Cycles);
            Assert.Equal(live.Terminations.Where(t => In(t.Start) && t.Phase == p.Phase && t.PerformanceMeasure == "MaxOut").Sum(t => t.Total), p.MaxOuts);
            Assert.Equal(live.SplitFailures.Where(f => In(f.Start) && f.Phase == p.Phase).Sum(f => f.SplitFailures), p.SplitFailures);
            Assert.Equal(live.ArrivalOnGreen.Where(a => In(a.Start) && a.Phase == p.Phase).Sum(a => a.TotalActuations), p.ArrivalActuations);
        }

        // The atspm package's expected split_failures.csv (tests/data/atspm/expected) for device 227: phase 2 has 0, 5
        // and 1 split failures in the 15:00, 15:15 and 15:30 bins, phase 1 0, 1 and 0. The raw events hold 21
        // terminations (events 4-6) of phase 2 and 16 of phase 1 from 15:00 to 15:45.
        var phase2 = m.Phases.Single(p => p.Phase == 2);
        Assert.Equal(6, phase2.SplitFailures);
        Assert.Equal(21, phase2.Cycles);
        Assert.Equal((1, 16), (m.Phases.Single(p => p.Phase == 1).SplitFailures, m.Phases.Single(p => p.Phase == 1).Cycles));
        Assert.Equal((double)phase2.SplitFailures / phase2.Cycles, phase2.SplitFailureShare!.Value, 12);
        Assert.InRange(phase2.PercentArrivalsOnGreen!.Value, 0.01, 1);
        Assert.NotNull(phase2.MeanSplitS);
        Assert.Contains($"phase 2: {phase2.SplitFailures} of {phase2.Cycles} cycles failed", m.SplitFailures);
        Assert.Contains("Split failures over the window (controller 227): ", rec.Decision, StringComparison.Ordinal);
        Assert.Contains($"phase 2: {phase2.SplitFailures} of {phase2.Cycles} cycles failed", rec.Decision, StringComparison.Ordinal);
        Assert.All(m.Channels, c => Assert.True(c.Actuations > 0, $"channel {c.Channel}"));

        // Kept with the evidence.
        var kept = await client.GetKeptRecommendationAsync(Signal, rec.EvidenceId);
        Assert.Equal(m.Phases, kept!.Measures!.Phases);
    }

    [Fact]
    public async Task A_silent_controller_channel_refuses_the_recommendation_and_names_the_channel()
    {
        // Channel 27 (phase 5 presence) sends nothing; phase 5 is still served about 7 times a bin.
        var client = await TwinWithAsync(SignalMeasuresLiveTests.Slice().Where(e => !(e.EventId == ControllerEventCodes.DetectorOn && e.Parameter == 27)).ToList());

        var rec = await client.GetRecommendationAsync(Signal, new RecommendationRequest(WindowMin: 45));

        Assert.False(rec.Recommended);
        Assert.Null(rec.Plan);
        Assert.Null(rec.Simulation);
        var reason = Assert.Single(rec.Reasons, r => r.Code == "channel-silent");
        Assert.Equal("channel 27", reason.Detector);
        Assert.Contains("controller 227 detector channel 27 (Presence, phase 5) had no actuation in the window while phase 5 was served 21 times", rec.Decision, StringComparison.Ordinal);
        Assert.Equal(0, rec.Measures!.Channels.Single(c => c.Channel == 27).Actuations);
    }
}
