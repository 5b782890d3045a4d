using System.Globalization;
using System.Net;
using CityTwin.Contracts;
using CityTwin.Engine.Signals;
using CityTwin.Formats.Signals;

namespace CityTwin.Cluster.Tests;

/// <summary>
/// Controller events sent as NDJSON <c>controller-event</c> sensor events over HTTP to a silo with the sample city
/// (whose controllers file gives S-01 the detector configuration of the atspm package's controller 227) are
/// measured live by the signal's measures grain, and the bins read through <c>GET .../signals/{id}/measures</c>
/// equal the batch engine's on the same events.
/// </summary>
[Collection(SiloHostCollection.Name)]
public sealed class SignalMeasuresLiveTests(SiloHostFixture host)
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data", "atspm");

    private static string NewTwin() => "measures-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Device 227's events from 15:00 to 15:45 (controller time, sent as UTC).</summary>
    public static List<ControllerEvent> Slice()
    {
        var end = ControllerTime.FromDateTime(new DateTime(2024, 5, 13, 15, 45, 0));
        return ControllerEventCsv.Read(Path.Combine(Data, "hires_test_data.csv.gz"))
            .Select(l => l.Event).Where(e => e.DeviceId == 227 && e.TimeMs < end).ToList();
    }

    public static string Line(ControllerEvent e, string signal, long seq) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"type":"controller-event","sensor":"{{signal}}","ts":"{{ControllerTime.ToDateTime(e.TimeMs):yyyy-MM-dd'T'HH:mm:ss.fff}}Z","seq":{{seq}},"eventId":{{e.EventId}},"parameter":{{e.Parameter}}}""");

    [Fact]
    public async Task Live_measures_equal_the_batch_measures_of_the_same_events()
    {
        var twin = NewTwin();
        var events = Slice();
        Assert.InRange(events.Count, 10_000, 40_000);
        for (var i = 0; i < events.Count; i += 1500)
        {
            var chunk = events.Skip(i).Take(1500).Select((e, k) => Line(e, "S-01", i + k + 1));
            var report = await host.Api.IngestAsync(twin, Events.Body(chunk));
            Assert.Equal(0, report.Rejected);
        }

        var live = await Events.EventuallyAsync(() => host.Api.GetSignalMeasuresAsync(twin, "S-01"),
            m => m.EventsUsed + m.BadRows.Sum(b => b.Count) == events.Count, TimeSpan.FromSeconds(30));

        var engine = new SignalMeasureEngine(new DetectorConfiguration(SampleCity.Model.SignalControllers["S-01"].Detectors.Assignments));
        events.ForEach(e => engine.Add(e));
        engine.Finish();
        var batch = engine.Results();

        // The bins before the last: every cycle in them has finished in the live grain too.
        var before = DateTimeOffset.FromUnixTimeMilliseconds(ControllerTime.FromDateTime(new DateTime(2024, 5, 13, 15, 30, 0)));
        static DateTimeOffset T(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
        Assert.Equal(227, live.DeviceId);
        Assert.Equal(engine.Accepted, live.EventsUsed);
        Assert.Equal(engine.BadRows(BadRowReason.Duplicate), live.BadRows.SingleOrDefault(b => b.Reason == "duplicate")?.Count ?? 0);
        Assert.Equal(
            batch.Actuations.Where(r => T(r.BinMs) < before).Select(r => new ActuationBin(T(r.BinMs), r.Detector, r.Total)),
            live.Actuations.Where(r => r.Start < before));
        Assert.Equal(
            batch.ArrivalOnGreen.Where(r => T(r.BinMs) < before).Select(r => new ArrivalOnGreenBin(T(r.BinMs), r.Phase, r.TotalActuations, r.PercentAog)),
            live.ArrivalOnGreen.Where(r => r.Start < before));
        Assert.Equal(
            batch.Splits.Where(r => T(r.BinMs) < before).Select(r => new SplitBin(T(r.BinMs), r.EventId, r.Services, r.AverageSplit)),
            live.Splits.Where(r => r.Start < before));
        Assert.Equal(
            batch.Terminations.Where(r => T(r.BinMs) < before).Select(r => new TerminationBin(T(r.BinMs), r.Phase, r.Kind.ToString(), r.Total)),
            live.Terminations.Where(r => r.Start < before));
        var failures = batch.SplitFailures.Where(r => T(r.BinMs) < before).Select(r => new SplitFailureBin(T(r.BinMs), r.Phase, r.GreenTime, r.GreenOccupancy, r.RedOccupancy, r.SplitFailures)).ToList();
        Assert.NotEmpty(failures);
        Assert.Equal(failures, live.SplitFailures.Where(r => r.Start < before));
        Assert.Equal(
            batch.YellowRed.Where(r => T(r.BinMs) < before).Select(r => new YellowRedBin(T(r.BinMs), r.Phase, r.SignalState, r.RedOffset, r.Count)),
            live.YellowRed.Where(r => r.Start < before));
    }

    [Fact]
    public async Task Controller_events_for_a_signal_without_a_controller_or_with_an_unknown_code_are_rejected()
    {
        var twin = NewTwin();
        var e = new ControllerEvent(ControllerTime.FromDateTime(new DateTime(2024, 5, 13, 15, 0, 0)), 227, 82, 5);
        var report = await host.Api.IngestAsync(twin, Events.Body(Line(e, "S-04", 1), Line(e with { EventId = 999 }, "S-01", 1), Line(e, "S-01", 2)));
        Assert.Equal((1, 2), (report.Accepted, report.Rejected));
        Assert.Contains(report.Errors, x => x.Line == 1 && x.Reason == "signal 'S-04' has no controller in the city's controllers file");
        Assert.Contains(report.Errors, x => x.Line == 2 && x.Reason.StartsWith("eventId 999 is not a known controller event code", StringComparison.Ordinal));

        var missing = await Assert.ThrowsAsync<CityTwin.Client.CityTwinApiException>(() => host.Api.GetSignalMeasuresAsync(twin, "S-04"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Contains("has no controller", missing.Detail, StringComparison.Ordinal);
    }
}
