using System.Globalization;
using System.IO.Compression;
using CityTwin.Engine.Signals;

namespace CityTwin.Formats.Signals;

/// <summary>An input file that cannot be read at all (missing, no header, a bad configuration row): the message names the file, line and field.</summary>
public sealed class ControllerLogFormatException(string message) : Exception(message);

/// <summary>One data line of an event log: the event, or why the line could not be read.</summary>
public readonly record struct ControllerEventLine(long Line, ControllerEvent Event, string? Error)
{
    public bool Ok => Error is null;
}

/// <summary>
/// Reads controller event logs as CSV with the header <c>TimeStamp,DeviceId,EventId,Parameter</c> (columns in any
/// order, names in any case; other columns ignored; a file ending in <c>.gz</c> is read through gzip). Times are the controller's local time,
/// <c>yyyy-MM-dd HH:mm:ss[.fff]</c> (a <c>T</c> between date and time is accepted). A line that cannot be read comes
/// back with a reason naming the file, line and field; the file as a whole fails only without a usable header.
/// </summary>
public static class ControllerEventCsv
{
    public static readonly string[] Columns = ["TimeStamp", "DeviceId", "EventId", "Parameter"];

    public static IEnumerable<ControllerEventLine> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ControllerLogFormatException($"{path}: no such file");
        }

        using var file = File.OpenRead(path);
        using var reader = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new StreamReader(new GZipStream(file, CompressionMode.Decompress))
            : new StreamReader(file);
        foreach (var line in Read(reader, path))
        {
            yield return line;
        }
    }

    public static IEnumerable<ControllerEventLine> Read(TextReader reader, string name)
    {
        var header = reader.ReadLine() ?? throw new ControllerLogFormatException($"{name}:1: empty file (expected the header {string.Join(',', Columns)})");
        var index = CsvHeader.Indexes(header, Columns, name);
        var width = index.Max() + 1;
        var fields = new Range[width + 1];
        long lineNumber = 1;
        while (reader.ReadLine() is { } text)
        {
            lineNumber++;
            if (text.Length == 0)
            {
                continue;
            }

            yield return Parse(text, lineNumber, name, index, fields);
        }
    }

    /// <summary>Writes events in the same layout (times to the millisecond when they have one).</summary>
    public static void Write(TextWriter writer, IEnumerable<ControllerEvent> events)
    {
        writer.WriteLine(string.Join(',', Columns));
        foreach (var e in events)
        {
            writer.Write(ControllerTime.Format(e.TimeMs, milliseconds: e.TimeMs % 1000 != 0));
            writer.Write(',');
            writer.Write(e.DeviceId.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(e.EventId.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.WriteLine(e.Parameter.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static ControllerEventLine Parse(string text, long line, string name, int[] index, Range[] fields)
    {
        var span = text.AsSpan();
        var n = span.Split(fields, ',');
        var need = index.Max() + 1;
        if (n < need)
        {
            return Fail(line, $"{name}:{line}: {n} field(s), expected at least {need} ({string.Join(',', Columns)})");
        }

        var ts = span[fields[index[0]]].Trim();
        if (!ControllerTime.TryParse(ts, out var ms))
        {
            return Fail(line, $"{name}:{line}: field 'TimeStamp': '{ts}' is not a time (yyyy-MM-dd HH:mm:ss[.fff])");
        }

        Span<int> values = stackalloc int[3];
        for (var k = 1; k < 4; k++)
        {
            var f = span[fields[index[k]]].Trim();
            if (!int.TryParse(f, NumberStyles.Integer, CultureInfo.InvariantCulture, out values[k - 1]))
            {
                return Fail(line, $"{name}:{line}: field '{Columns[k]}': '{f}' is not an integer");
            }
        }

        return new ControllerEventLine(line, new ControllerEvent(ms, values[0], values[1], values[2]), null);
    }

    private static ControllerEventLine Fail(long line, string error) => new(line, default, error);
}

/// <summary>
/// Reads the detector configuration CSV of the peer package's layout, header <c>DeviceId,Phase,Function,Parameter</c>
/// (any order; Parameter is the detector channel; Function is Presence, Advance, Stopbar Count or Yellow_Red). Every
/// row must be valid: the first bad one fails the file with its line and field.
/// </summary>
public static class DetectorConfigCsv
{
    public static readonly string[] Columns = ["DeviceId", "Phase", "Function", "Parameter"];

    public static DetectorConfiguration Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ControllerLogFormatException($"{path}: no such file");
        }

        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    public static DetectorConfiguration Read(TextReader reader, string name) =>
        new(ReadRows(reader, name, Columns).Select(r => Parse(r.Values, name, r.Line)));

    /// <summary>
    /// A city's controllers file: the same columns plus <c>Signal</c>, the id of the signal the device controls
    /// (docs/city-format.md). The first bad row fails the file.
    /// </summary>
    public static IReadOnlyList<SignalDetectorDraft> ReadCityControllers(string path, string name)
    {
        using var reader = new StreamReader(path);
        string[] columns = [.. Columns, "Signal"];
        return ReadRows(reader, name, columns)
            .Select(r => string.IsNullOrEmpty(r.Values[4])
                ? throw new ControllerLogFormatException($"{name}:{r.Line}: field 'Signal' is empty")
                : new SignalDetectorDraft($"{name}:{r.Line}", r.Values[4], Parse(r.Values, name, r.Line)))
            .ToList();
    }

    private static List<(int Line, string[] Values)> ReadRows(TextReader reader, string name, string[] columns)
    {
        var header = reader.ReadLine() ?? throw new ControllerLogFormatException($"{name}:1: empty file (expected the header {string.Join(',', columns)})");
        var index = CsvHeader.Indexes(header, columns, name);
        var rows = new List<(int, string[])>();
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Trim().Length == 0)
            {
                continue;
            }

            var fields = text.Split(',');
            var values = new string[columns.Length];
            for (var k = 0; k < columns.Length; k++)
            {
                values[k] = index[k] < fields.Length ? fields[index[k]].Trim() : throw new ControllerLogFormatException($"{name}:{line}: field '{columns[k]}' is missing");
            }

            rows.Add((line, values));
        }

        return rows;
    }

    /// <summary>A row's DeviceId, Phase, Function and Parameter (in <see cref="Columns"/> order).</summary>
    private static DetectorAssignment Parse(string[] values, string name, int line)
    {
        int Integer(int k, int min) => int.TryParse(values[k], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v
            : throw new ControllerLogFormatException($"{name}:{line}: field '{Columns[k]}': '{values[k]}' is not an integer >= {min}");
        var device = Integer(0, 0);
        var phase = Integer(1, 1);
        var function = DetectorConfiguration.ParseFunction(values[2])
            ?? throw new ControllerLogFormatException($"{name}:{line}: field 'Function': '{values[2]}' is not Presence, Advance, Stopbar Count or Yellow_Red");
        var channel = Integer(3, 0);
        return new DetectorAssignment(device, phase, channel, function);
    }

    public static void Write(TextWriter writer, IEnumerable<DetectorAssignment> rows)
    {
        writer.WriteLine(string.Join(',', Columns));
        foreach (var r in rows)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.DeviceId},{r.Phase},{DetectorConfiguration.FunctionName(r.Function)},{r.Channel}"));
        }
    }
}

/// <summary>Column positions from a CSV header.</summary>
internal static class CsvHeader
{
    public static int[] Indexes(string header, string[] columns, string name)
    {
        var names = header.TrimStart('\uFEFF').Split(',').Select(h => h.Trim().Trim('"')).ToList();
        var index = new int[columns.Length];
        for (var k = 0; k < columns.Length; k++)
        {
            index[k] = names.FindIndex(h => string.Equals(h, columns[k], StringComparison.OrdinalIgnoreCase));
            if (index[k] < 0)
            {
                throw new ControllerLogFormatException($"{name}:1: the header has no column '{columns[k]}' (expected {string.Join(',', columns)})");
            }
        }

        return index;
    }
}

/// <summary>Controller local times as milliseconds since 1970-01-01 (no time zone).</summary>
public static class ControllerTime
{
    private const long TicksPerMs = TimeSpan.TicksPerMillisecond;

    public static bool TryParse(ReadOnlySpan<char> s, out long ms)
    {
        ms = 0;
        // yyyy-MM-dd HH:mm:ss[.f...]
        if (s.Length >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' && s[16] == ':'
            && Digits(s, 0, 4, out var year) && Digits(s, 5, 2, out var month) && Digits(s, 8, 2, out var day)
            && Digits(s, 11, 2, out var hour) && Digits(s, 14, 2, out var minute) && Digits(s, 17, 2, out var second)
            && month is >= 1 and <= 12 && day >= 1 && year >= 1 && day <= DateTime.DaysInMonth(year, month)
            && hour < 24 && minute < 60 && second < 60)
        {
            var rest = s[19..];
            if (rest.Length > 0 && rest[^1] == 'Z')
            {
                rest = rest[..^1];
            }

            var fraction = 0;
            if (rest.Length > 0)
            {
                if (rest[0] != '.' || rest.Length < 2 || rest.Length > 8)
                {
                    return false;
                }

                var scale = 100;
                for (var i = 1; i < rest.Length; i++)
                {
                    if (!char.IsAsciiDigit(rest[i]))
                    {
                        return false;
                    }

                    fraction += (rest[i] - '0') * scale;
                    scale /= 10;
                }
            }

            var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks - DateTime.UnixEpoch.Ticks;
            ms = (ticks / TicksPerMs) + fraction;
            return true;
        }

        return false;
    }

    public static DateTime ToDateTime(long ms) => new(DateTime.UnixEpoch.Ticks + (ms * TicksPerMs), DateTimeKind.Unspecified);

    public static long FromDateTime(DateTime time) => (time.Ticks - DateTime.UnixEpoch.Ticks) / TicksPerMs;

    public static string Format(long ms, bool milliseconds = false) =>
        ToDateTime(ms).ToString(milliseconds ? "yyyy-MM-dd HH:mm:ss.fff" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            value = (value * 10) + (s[i] - '0');
        }

        return true;
    }
}
