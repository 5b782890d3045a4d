using System.IO.Compression;
using System.Text;
using CityTwin.Formats.Replay;

namespace CityTwin.Engine.Tests.Replay;

public sealed class RecordedDayReaderTests
{
    private static byte[] Bytes(params string[] lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest))
        {
            gz.Write(data);
        }

        return output.ToArray();
    }

    [Fact]
    public void Ndjson_events_come_sorted_by_time_with_equal_times_in_file_order_and_bad_lines_listed()
    {
        var day = RecordedDayReader.Read(Bytes(
            """{"type":"parking","sensor":"P-01","ts":"2026-03-10T08:05:00Z","seq":3,"event":"exit"}""",
            """{"type":"parking","sensor":"P-01","ts":"2026-03-10T09:00:00+01:00","seq":1,"event":"entry"}""",
            "",
            """{"type":"parking","sensor":"P-01","ts":"2026-03-10T08:00:00Z","seq":2}""",
            """{"type":"parking","sensor":"P-01","ts":"2026-03-10T08:00:00Z","seq":2,"event":"entry"}"""), "day.ndjson");
        Assert.Equal("ndjson", day.Format);
        Assert.Equal(4, day.Lines);
        Assert.Equal([2, 5, 1], day.Events.Select(e => e.Line));
        Assert.Equal((4, "missing field 'event'"), (day.Errors.Single().Line, day.Errors.Single().Reason));
    }

    [Fact]
    public void Csv_rows_become_the_same_events_and_errors_name_line_and_field()
    {
        var csv = RecordedDayReader.Read(Bytes(
            "type,sensor,ts,seq,count,occupancy,intervalS,phase,state,event,occupied",
            "detector,DET-1,2026-03-10T08:00:00Z,1,12,0.2,60,,,,",
            "detector,DET-1,2026-03-10T08:01:00Z,2,-1,0.2,60,,,,",
            "signal-phase,S-01,2026-03-10T08:00:30Z,7,,,,1,purple,,",
            "parking,\"P-01\",2026-03-10T07:59:00Z,1,,,,,,entry,",
            "parking,P-01,2026-03-10T07:59:00Z,2"), "day.csv");
        Assert.Equal("csv", csv.Format);
        Assert.Equal([5, 2], csv.Events.Select(e => e.Line));
        Assert.Equal(
            [(3, "count -1 must be an integer >= 0"), (4, "state 'purple' is not 'green', 'amber' or 'red'"), (6, "4 cells, the header has 11")],
            csv.Errors.Select(e => (e.Line, e.Reason)));
        Assert.Equal("""{"type":"detector","sensor":"DET-1","ts":"2026-03-10T08:00:00Z","seq":1,"count":12,"occupancy":0.2,"intervalS":60}""",
            Encoding.UTF8.GetString(csv.Events[1].Ndjson.Span));
    }

    [Fact]
    public void A_csv_header_with_an_unknown_or_missing_column_is_refused_naming_it()
    {
        var ex = Assert.Throws<RecordedDayException>(() => RecordedDayReader.Read(Bytes("type,sensor,when,seq"), "day.csv"));
        Assert.Contains("day.csv:1: header: unknown column(s) when; missing column(s) ts", ex.Message);
    }

    [Fact]
    public void Gzip_is_told_by_its_magic_bytes_whatever_the_name()
    {
        var plain = Bytes("""{"type":"parking","sensor":"P-01","ts":"2026-03-10T08:05:00Z","seq":3,"event":"exit"}""");
        var day = RecordedDayReader.Read(Gzip(plain), "no-extension");
        Assert.Equal(plain.Length - 1, day.Events.Single().Ndjson.Length);
        Assert.Throws<RecordedDayException>(() => RecordedDayReader.Read([0x1f, 0x8b, 1, 2, 3], "broken.gz"));
    }

    [Fact]
    public void Between_keeps_from_inclusive_and_to_exclusive()
    {
        var day = RecordedDayReader.Read(Bytes(
            """{"type":"parking","sensor":"P-01","ts":"2026-03-10T08:00:00Z","seq":1,"event":"entry"}""",
            """{"type":"parking","sensor":"P-01","ts":"2026-03-10T09:00:00Z","seq":2,"event":"entry"}"""), "d");
        var from = new DateTime(2026, 3, 10, 8, 0, 0, DateTimeKind.Utc).Ticks;
        var to = new DateTime(2026, 3, 10, 9, 0, 0, DateTimeKind.Utc).Ticks;
        Assert.Equal([1], day.Between(from, to).Select(e => e.Line));
    }
}
