using CityTwin.Engine.Signals;
using CityTwin.Formats.Signals;

namespace CityTwin.Engine.Tests.Measures;

public sealed class BadRowAndFormatTests
{
    private static SignalMeasureEngine Measure(IEnumerable<ControllerEvent> events, SignalMeasureOptions? options = null)
    {
        var engine = new SignalMeasureEngine(DetectorConfigCsv.Read(PeerData.ConfigPath), options);
        foreach (var e in events)
        {
            engine.Add(e);
        }

        engine.Finish();
        return engine;
    }

    private static List<ControllerEvent> PeerEvents() => ControllerEventCsv.Read(PeerData.EventsPath).Select(l => l.Event).ToList();

    [Fact]
    public void Bad_rows_are_counted_by_reason_and_do_not_change_the_measures()
    {
        var clean = PeerEvents();
        var dirty = new List<ControllerEvent>();
        int unknownCode = 0, unknownDevice = 0, backwards = 0, duplicates = 0;
        for (var i = 0; i < clean.Count; i++)
        {
            var e = clean[i];
            dirty.Add(e);
            switch (i % 1000)
            {
                case 10:
                    dirty.Add(e with { EventId = 999 });
                    unknownCode++;
                    break;
                case 20:
                    dirty.Add(e with { DeviceId = 31337 });
                    unknownDevice++;
                    break;
                case 30:
                    dirty.Add(e with { TimeMs = e.TimeMs - 60_000 });
                    backwards++;
                    break;
                case 40:
                    dirty.Add(e);
                    duplicates++;
                    break;
            }
        }

        var engine = Measure(dirty);
        Assert.Equal(unknownCode, engine.BadRows(BadRowReason.UnknownEventCode));
        Assert.Equal(unknownDevice, engine.BadRows(BadRowReason.UnknownDevice));
        Assert.Equal(backwards, engine.BadRows(BadRowReason.TimeBackwards));
        Assert.Equal(duplicates + PeerData.Engine.BadRows(BadRowReason.Duplicate), engine.BadRows(BadRowReason.Duplicate));
        Assert.Equal(PeerData.Engine.Accepted, engine.Accepted);
        AssertSame(PeerData.Ours, engine.Results());
    }

    [Fact]
    public void Devices_may_interleave_in_any_way()
    {
        // Device by device instead of in time order across devices: the same measures, bit for bit.
        var byDevice = PeerEvents().Select((e, i) => (e, i)).OrderBy(p => p.e.DeviceId).ThenBy(p => p.i).Select(p => p.e);
        AssertSame(PeerData.Ours, Measure(byDevice).Results());
    }

    [Fact]
    public void A_bounded_wait_for_detectors_gives_the_same_split_failures_on_the_peer_log()
    {
        // The live twin bounds how long a finished cycle waits for its detectors (15 minutes); on this log no cycle waits that long.
        var bounded = Measure(PeerEvents(), new SignalMeasureOptions { SplitFailureMaxWait = TimeSpan.FromMinutes(15) }).Results();
        Assert.Equal(PeerData.Ours.SplitFailures, bounded.SplitFailures);

    }

    [Fact]
    public void Unreadable_lines_name_the_file_line_and_field()
    {
        var text = "DeviceId,TimeStamp,EventId,Parameter\n1,2024-05-13 15:00:00.1,82,5\n1,2024-13-13 15:00:00,82,5\n1,2024-05-13 15:00:01,eighty,5\n1,2024-05-13 15:00:02\n";
        var lines = ControllerEventCsv.Read(new StringReader(text), "log.csv").ToList();
        Assert.Equal(4, lines.Count);
        Assert.True(lines[0].Ok);
        Assert.Equal(new DateTime(2024, 5, 13, 15, 0, 0, 100), ControllerTime.ToDateTime(lines[0].Event.TimeMs));
        Assert.Equal("log.csv:3: field 'TimeStamp': '2024-13-13 15:00:00' is not a time (yyyy-MM-dd HH:mm:ss[.fff])", lines[1].Error);
        Assert.Equal("log.csv:4: field 'EventId': 'eighty' is not an integer", lines[2].Error);
        Assert.StartsWith("log.csv:5: 2 field(s)", lines[3].Error);

        var header = Assert.Throws<ControllerLogFormatException>(() => ControllerEventCsv.Read(new StringReader("Time,DeviceId,EventId,Parameter\n"), "log.csv").ToList());
        Assert.Equal("log.csv:1: the header has no column 'TimeStamp' (expected TimeStamp,DeviceId,EventId,Parameter)", header.Message);
    }

    [Fact]
    public void A_bad_configuration_row_fails_the_file_naming_line_and_field()
    {
        var e = Assert.Throws<ControllerLogFormatException>(() => DetectorConfigCsv.Read(new StringReader("DeviceId,Phase,Function,Parameter\n227,2,Advance,3\n227,2,Loop,4\n"), "config.csv"));
        Assert.Equal("config.csv:3: field 'Function': 'Loop' is not Presence, Advance, Stopbar Count or Yellow_Red", e.Message);
        var phase = Assert.Throws<ControllerLogFormatException>(() => DetectorConfigCsv.Read(new StringReader("DeviceId,Phase,Function,Parameter\n227,0,Advance,3\n"), "config.csv"));
        Assert.Equal("config.csv:2: field 'Phase': '0' is not an integer >= 1", phase.Message);

        var config = DetectorConfigCsv.Read(PeerData.ConfigPath);
        Assert.Equal(74, config.Assignments.Count);
        var written = new StringWriter();
        DetectorConfigCsv.Write(written, config.Assignments);
        Assert.Equal(config.Assignments, DetectorConfigCsv.Read(new StringReader(written.ToString()), "again").Assignments);
    }

    [Fact]
    public void Measure_files_are_written_in_the_peer_layout_and_read_back()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citytwin-measures-" + Guid.NewGuid().ToString("N"));
        try
        {
            SignalMeasureCsv.Write(dir, PeerData.Ours);
            foreach (var file in SignalMeasureCsv.Files)
            {
                Assert.Equal(File.ReadLines(Path.Combine(PeerData.ExpectedFolder, file)).First(), File.ReadLines(Path.Combine(dir, file)).First());
            }

            AssertSame(PeerData.Ours, SignalMeasureCsv.Read(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertSame(SignalMeasures expected, SignalMeasures actual)
    {
        Assert.Equal(expected.Actuations, actual.Actuations);
        Assert.Equal(expected.ArrivalOnGreen, actual.ArrivalOnGreen);
        Assert.Equal(expected.Splits, actual.Splits);
        Assert.Equal(expected.Terminations, actual.Terminations);
        Assert.Equal(expected.SplitFailures, actual.SplitFailures);
        Assert.Equal(expected.YellowRed, actual.YellowRed);
    }
}

public sealed class MeasureTotalsTests
{
    [Fact]
    public void Totals_survive_json_and_a_new_engine_continues_the_bins()
    {
        var events = CityTwin.Formats.Signals.ControllerEventCsv.Read(PeerData.EventsPath).Select(l => l.Event).ToList();
        var config = CityTwin.Formats.Signals.DetectorConfigCsv.Read(PeerData.ConfigPath);

        // First engine: the events before 16:30; each device's latest instant is held back, so the second engine starts there.
        var split = CityTwin.Formats.Signals.ControllerTime.FromDateTime(new DateTime(2024, 5, 13, 16, 30, 0));
        var first = new SignalMeasureEngine(config);
        var i = 0;
        for (; events[i].TimeMs < split; i++)
        {
            first.Add(events[i]);
        }

        var held = events.Take(i).GroupBy(e => e.DeviceId).ToDictionary(g => g.Key, g => g.Max(e => e.TimeMs));
        var json = System.Text.Json.JsonSerializer.Serialize(first.Totals());
        var totals = System.Text.Json.JsonSerializer.Deserialize<SignalMeasureTotals>(json)!;

        var second = new SignalMeasureEngine(config);
        second.Load(totals);
        foreach (var e in events.Where(e => e.TimeMs >= held[e.DeviceId]))
        {
            second.Add(e);
        }

        second.Finish();
        var continued = second.Results();
        Assert.Equal(PeerData.Ours.Actuations, continued.Actuations);
        Assert.Equal(PeerData.Ours.Splits, continued.Splits);
        Assert.Equal(PeerData.Ours.Terminations, continued.Terminations);
        Assert.Equal(PeerData.Engine.TotalBadRows, second.TotalBadRows);

        // Measures that follow cycles lose only what was in flight at the restart: the bins well before it are whole.
        var before = split - 900_000;
        Assert.Equal(PeerData.Ours.SplitFailures.Where(r => r.BinMs < before), continued.SplitFailures.Where(r => r.BinMs < before));
        Assert.Equal(PeerData.Ours.ArrivalOnGreen.Where(r => r.BinMs < before), continued.ArrivalOnGreen.Where(r => r.BinMs < before));
    }
}
