using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using CityTwin.Formats.Events;

namespace CityTwin.Formats.Replay;

/// <summary>One event of a recorded day: its line in the file, its time (UTC ticks) and the event as one NDJSON line.</summary>
public readonly record struct RecordedEvent(int Line, long TsTicks, ReadOnlyMemory<byte> Ndjson);

/// <summary>A line of a recorded day that could not be read, with its number and the reason (naming the field).</summary>
public sealed record RecordedLineError(int Line, string Reason);

/// <summary>
/// A recorded day: the events of a file in timestamp order (equal timestamps in file order), the lines that could not
/// be read, and how many non-blank lines the file had.
/// </summary>
public sealed record RecordedDay(string Name, string Format, IReadOnlyList<RecordedEvent> Events, IReadOnlyList<RecordedLineError> Errors, int Lines)
{
    /// <summary>The events with <paramref name="from"/> &lt;= ts &lt; <paramref name="to"/> (either bound may be absent), still in order.</summary>
    public IReadOnlyList<RecordedEvent> Between(long? from, long? to) =>
        from is null && to is null ? Events : Events.Where(e => (from is null || e.TsTicks >= from) && (to is null || e.TsTicks < to)).ToArray();

    /// <summary>Events [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of <paramref name="events"/> as one NDJSON ingest body (a line each).</summary>
    public static byte[] Body(IReadOnlyList<RecordedEvent> events, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(events);
        var size = 0;
        for (var i = start; i < start + count; i++)
        {
            size += events[i].Ndjson.Length + 1;
        }

        var body = new byte[size];
        var at = 0;
        for (var i = start; i < start + count; i++)
        {
            events[i].Ndjson.Span.CopyTo(body.AsSpan(at));
            at += events[i].Ndjson.Length;
            body[at++] = (byte)'\n';
        }

        return body;
    }

    /// <summary>
    /// The moment <paramref name="secondsFromMidnight"/> on the day of the file: the calendar date of its earliest
    /// event in that event's own offset (an event at 2016-11-15T05:30:00+01:00 makes 08:00 2016-11-15T08:00:00+01:00).
    /// </summary>
    /// <exception cref="InvalidOperationException">The day has no events.</exception>
    public DateTimeOffset OnItsDay(double secondsFromMidnight)
    {
        if (Events.Count == 0)
        {
            throw new InvalidOperationException($"{Name}: no events, so no day");
        }

        using var doc = JsonDocument.Parse(Events[0].Ndjson);
        var ts = DateTimeOffset.Parse(doc.RootElement.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture);
        return new DateTimeOffset(ts.Date, ts.Offset).AddTicks((long)Math.Round(secondsFromMidnight * TimeSpan.TicksPerSecond));
    }
}

/// <summary>The recorded day file could not be read at all (missing, empty header, unknown column).</summary>
public sealed class RecordedDayException(string message) : Exception(message);

/// <summary>
/// Reads a recorded day for replay: NDJSON in the event format of CONTRACTS.md, or CSV with one column per event
/// field (docs/replay.md), either of them gzip-compressed or not (told by the gzip magic bytes, whatever the file is
/// called). Every line goes through the NDJSON event reader (<see cref="SensorEventReader"/>), so both formats have
/// the same fields and rules; a line that breaks them is listed with its number and reason and left out, the others
/// are kept. The events come back sorted by timestamp, stable: equal timestamps keep their file order.
/// </summary>
public static class RecordedDayReader
{
    /// <summary>The CSV columns, in the order <see cref="CsvHeader"/> writes them; only type, sensor, ts and seq are required.</summary>
    public static readonly IReadOnlyList<string> CsvColumns = ["type", "sensor", "ts", "seq", "count", "occupancy", "intervalS", "phase", "state", "event", "occupied"];

    /// <summary>The CSV header line.</summary>
    public static string CsvHeader => string.Join(',', CsvColumns);

    private static readonly HashSet<string> StringColumns = new(["type", "sensor", "ts", "state", "event"], StringComparer.Ordinal);

    private static readonly string[] RequiredColumns = ["type", "sensor", "ts", "seq"];

    /// <summary>Reads a file.</summary>
    /// <exception cref="RecordedDayException">The file is missing or not a recorded day at all.</exception>
    public static RecordedDay ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new RecordedDayException($"{path}: no such file");
        }

        return Read(File.ReadAllBytes(path), Path.GetFileName(path));
    }

    /// <summary>Reads the bytes of a file (gzip or not); <paramref name="name"/> names it in errors.</summary>
    public static RecordedDay Read(byte[] bytes, string name)
    {
        var data = IsGzip(bytes) ? Gunzip(bytes, name) : bytes;
        var first = FirstNonBlank(data);
        var day = first is null || first.Value.Span[0] == (byte)'{'
            ? ReadNdjson(data)
            : ReadCsv(data, name);
        return day with { Name = name };
    }

    /// <summary>True when the bytes start with the gzip magic number (1f 8b).</summary>
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    private static RecordedDay ReadNdjson(byte[] data)
    {
        var events = new List<RecordedEvent>();
        var errors = new List<RecordedLineError>();
        var lines = 0;
        foreach (var (number, line) in SensorEventReader.SplitLines(data))
        {
            if (SensorEventReader.IsBlank(line.Span))
            {
                continue;
            }

            lines++;
            var result = SensorEventReader.ReadLine(line.Span);
            if (result.Ok)
            {
                events.Add(new RecordedEvent(number, result.Reading.TsTicks, line));
            }
            else
            {
                errors.Add(new RecordedLineError(number, result.Error!));
            }
        }

        return new RecordedDay("", "ndjson", Sort(events), errors, lines);
    }

    private static RecordedDay ReadCsv(byte[] data, string name)
    {
        var errors = new List<RecordedLineError>();
        var spans = new List<(int Line, long Ts, int Start, int Length)>();
        var json = new ArrayBufferWriter<byte>(data.Length * 2);
        string[]? header = null;
        var lines = 0;
        foreach (var (number, line) in SensorEventReader.SplitLines(data))
        {
            if (SensorEventReader.IsBlank(line.Span))
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(line.Span);
            if (header is null)
            {
                header = SplitCsv(text, out _) ?? throw new RecordedDayException($"{name}:{number}: the header is not valid CSV");
                var unknown = header.Where(h => !CsvColumns.Contains(h)).ToArray();
                var missing = RequiredColumns.Where(r => !header.Contains(r)).ToArray();
                if (unknown.Length > 0 || missing.Length > 0 || header.Distinct().Count() != header.Length)
                {
                    var problems = new List<string>();
                    if (unknown.Length > 0)
                    {
                        problems.Add($"unknown column(s) {string.Join(", ", unknown)}");
                    }

                    if (missing.Length > 0)
                    {
                        problems.Add($"missing column(s) {string.Join(", ", missing)}");
                    }

                    if (header.Distinct().Count() != header.Length)
                    {
                        problems.Add("a column named twice");
                    }

                    throw new RecordedDayException($"{name}:{number}: header: {string.Join("; ", problems)} (columns: {CsvHeader}; see docs/replay.md)");
                }

                continue;
            }

            lines++;
            var cells = SplitCsv(text, out var quoteError);
            if (cells is null)
            {
                errors.Add(new RecordedLineError(number, quoteError!));
                continue;
            }

            if (cells.Length != header.Length)
            {
                errors.Add(new RecordedLineError(number, $"{cells.Length} cells, the header has {header.Length}"));
                continue;
            }

            var start = json.WrittenCount;
            WriteJson(json, header, cells);
            var written = json.WrittenSpan[start..];
            var result = SensorEventReader.ReadLine(written);
            if (result.Ok)
            {
                spans.Add((number, result.Reading.TsTicks, start, written.Length));
            }
            else
            {
                errors.Add(new RecordedLineError(number, result.Error!));
            }
        }

        if (header is null)
        {
            return new RecordedDay("", "csv", [], [], 0);
        }

        var buffer = json.WrittenMemory;
        var events = spans.Select(s => new RecordedEvent(s.Line, s.Ts, buffer.Slice(s.Start, s.Length))).ToList();
        return new RecordedDay("", "csv", Sort(events), errors, lines);
    }

    /// <summary>One CSV row as a JSON object: empty cells are left out, numbers written as numbers, anything else as a string (the event reader then names the field).</summary>
    private static void WriteJson(IBufferWriter<byte> output, string[] header, string[] cells)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        for (var i = 0; i < header.Length; i++)
        {
            var cell = cells[i];
            if (cell.Length == 0)
            {
                continue;
            }

            if (!StringColumns.Contains(header[i])
                && double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                if (long.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
                {
                    writer.WriteNumber(header[i], integer);
                }
                else
                {
                    writer.WriteNumber(header[i], number);
                }
            }
            else
            {
                writer.WriteString(header[i], cell);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Splits a CSV line (cells may be double-quoted, "" inside quotes is a quote); null with a reason when a quote is not closed.</summary>
    private static string[]? SplitCsv(string line, out string? error)
    {
        error = null;
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        if (quoted)
        {
            error = "a quoted cell is not closed";
            return null;
        }

        cells.Add(cell.ToString().Trim());
        return [.. cells];
    }

    private static List<RecordedEvent> Sort(List<RecordedEvent> events)
    {
        // List.Sort is not stable; the line number (unique, increasing in the file) makes the order total.
        events.Sort((a, b) => a.TsTicks != b.TsTicks ? a.TsTicks.CompareTo(b.TsTicks) : a.Line.CompareTo(b.Line));
        return events;
    }

    private static ReadOnlyMemory<byte>? FirstNonBlank(byte[] data)
    {
        foreach (var (_, line) in SensorEventReader.SplitLines(data))
        {
            var trimmed = line.Span.TrimStart(" \t\r\uFEFF"u8);
            if (!trimmed.IsEmpty)
            {
                return line[(line.Length - trimmed.Length)..];
            }
        }

        return null;
    }

    private static byte[] Gunzip(byte[] bytes, string name)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new RecordedDayException($"{name}: starts like gzip but does not decompress: {ex.Message}");
        }
    }
}
