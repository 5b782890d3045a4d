using CityTwin.Engine.Live;
using CityTwin.Formats.Events;

namespace CityTwin.Engine.Tests;

public sealed class SensorEventReaderTests
{
    [Fact]
    public void A_detector_line_is_read_with_its_timestamp_in_utc()
    {
        var r = SensorEventReader.ReadLine("""{"type":"detector","sensor":"DET-1","ts":"2026-11-22T08:15:00+01:00","seq":7,"count":12,"occupancy":0.25,"intervalS":60}""");
        Assert.True(r.Ok, r.Error);
        Assert.Equal(SensorEventType.Detector, r.Reading.Type);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 7, 15, 0, TimeSpan.Zero), r.Reading.Ts);
        Assert.Equal(12, r.Reading.Count);
        Assert.Equal(0.25, r.Reading.Occupancy);
        Assert.Equal(60, r.Reading.IntervalS);
        Assert.Equal(7, r.Reading.Seq);
    }

    [Theory]
    [InlineData("""{"type":"signal-phase","sensor":"S-1","ts":"2026-11-22T08:15:00Z","seq":1,"phase":2,"state":"amber"}""", SensorEventType.SignalPhase)]
    [InlineData("""{"type":"parking","sensor":"P-1","ts":"2026-11-22T08:15:00Z","seq":1,"event":"exit"}""", SensorEventType.Parking)]
    [InlineData("""{"type":"parking-occupancy","sensor":"P-1","ts":"2026-11-22T08:15:00Z","seq":1,"occupied":120}""", SensorEventType.ParkingOccupancy)]
    [InlineData("""{"type":"parking","sensor":"P-1","ts":"2026-11-22T08:15:00Z","seq":1,"event":"entry","plate":"unused","extra":{"a":[1,2]}}""", SensorEventType.Parking)]
    public void Every_event_type_is_read(string line, SensorEventType type)
    {
        var r = SensorEventReader.ReadLine(line);
        Assert.True(r.Ok, r.Error);
        Assert.Equal(type, r.Reading.Type);
    }

    [Theory]
    [InlineData("not json", "invalid JSON")]
    [InlineData("[1,2]", "one JSON object")]
    [InlineData("""{"type":"detector","sensor":"D","ts":"2026-11-22T08:15:00Z","seq":1,"count":3,"occupancy":0.1""", "JSON")]
    [InlineData("""{"type":"bus","sensor":"D","ts":"2026-11-22T08:15:00Z","seq":1}""", "unknown type 'bus'")]
    [InlineData("""{"sensor":"D","ts":"2026-11-22T08:15:00Z","seq":1}""", "missing field 'type'")]
    [InlineData("""{"type":"detector","ts":"2026-11-22T08:15:00Z","seq":1,"count":1,"occupancy":0,"intervalS":60}""", "missing field 'sensor'")]
    [InlineData("""{"type":"detector","sensor":"D","seq":1,"count":1,"occupancy":0,"intervalS":60}""", "missing field 'ts'")]
    [InlineData("""{"type":"detector","sensor":"D","ts":"2026-11-22T08:15:00Z","count":1,"occupancy":0,"intervalS":60}""", "missing field 'seq'")]
    [InlineData("""{"type":"detector","sensor":"D","ts":"2026-11-22T08:15:00Z","seq":1,"occupancy":0,"intervalS":60}""", "missing field 'count'")]
    [InlineData("""{"type":"detector","sensor":"D","ts":"2026-11-22T08:15:00Z","seq":1,"count":-3,"occupancy":0,"intervalS":60}""", "count -3 must be an integer >= 0")]
    [InlineData("""{"type":"detector","sensor":"D","ts":"2026-11-22T08:15:00Z","seq":1,"count":3,"occupancy":1.5,"intervalS":60}""", "occupancy 1.5 is outside 0..1")]
    [InlineData("""{"type":"detector","sensor":"D","ts":"2026-11-22T08:15:00Z","seq":1,"count":3,"occupancy":0.5,"intervalS":0}""", "intervalS 0 must be > 0")]
    [InlineData("""{"type":"detector","sensor":"D","ts":"2026-11-22T08:15:00","seq":1,"count":3,"occupancy":0.5,"intervalS":60}""", "with an offset")]
    [InlineData("""{"type":"detector","sensor":"D","ts":"yesterday at noon","seq":1,"count":3,"occupancy":0.5,"intervalS":60}""", "not an ISO 8601")]
    [InlineData("""{"type":"detector","sensor":"D","ts":"2026-11-22T08:15:00Z","seq":"one","count":3,"occupancy":0.5,"intervalS":60}""", "'seq' must be an integer")]
    [InlineData("""{"type":"detector","sensor":"D","ts":"2026-11-22T08:15:00Z","seq":1,"count":99999999999999999999,"occupancy":0.5,"intervalS":60}""", "'count' must be an integer in range")]
    [InlineData("""{"type":"signal-phase","sensor":"S","ts":"2026-11-22T08:15:00Z","seq":1,"phase":1,"state":"blue"}""", "state 'blue'")]
    [InlineData("""{"type":"parking","sensor":"P","ts":"2026-11-22T08:15:00Z","seq":1,"event":"park"}""", "event 'park'")]
    [InlineData("""{"type":"parking-occupancy","sensor":"P","ts":"2026-11-22T08:15:00Z","seq":1,"occupied":-1}""", "occupied -1")]
    [InlineData("""{"type":"detector","sensor":"D","ts":"2026-11-22T08:15:00Z","seq":1,"count":3,"occupancy":0.5,"intervalS":60} {}""", "invalid JSON")]
    [InlineData("""{"type":"parking","sensor":"P","ts":"2026-11-22T08:15:00Z","seq":1,"event":"entry","x":[[[[[[1]]]]]]}""", "invalid JSON")]
    public void A_bad_line_is_rejected_with_a_reason(string line, string reasonPart)
    {
        var r = SensorEventReader.ReadLine(line);
        Assert.False(r.Ok);
        Assert.Contains(reasonPart, r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_are_split_on_lf_and_crlf_and_numbered_from_one()
    {
        var lines = SensorEventReader.SplitLines("a\r\nb\n\nc"u8.ToArray()).Select(l => (l.LineNumber, System.Text.Encoding.UTF8.GetString(l.Line.Span))).ToList();
        Assert.Equal([(1, "a"), (2, "b"), (3, ""), (4, "c")], lines);
    }
}
