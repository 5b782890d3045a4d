using System.Globalization;
using System.Text;
using System.Text.Json;
using CityTwin.Engine.Live;
using CityTwin.Engine.Signals;

namespace CityTwin.Formats.Events;

/// <summary>The result of reading one NDJSON line: a reading, or the reason it was rejected.</summary>
public readonly record struct LineResult(SensorReading Reading, string? Error, string? Sensor, long? Seq)
{
    public bool Ok => Error is null;
}

/// <summary>
/// Reads sensor events in the NDJSON format of CONTRACTS.md, one JSON object per line, and checks each
/// line's syntax and field ranges. Rules that need the city (known sensors, capacity) are in
/// <see cref="EventRules"/>. A bad line never throws: it comes back with a reason.
/// </summary>
public static class SensorEventReader
{
    /// <summary>The longest accepted line, in bytes.</summary>
    public const int MaxLineBytes = 16 * 1024;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 4, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Reads one line (UTF-8, without its line break).</summary>
    public static LineResult ReadLine(ReadOnlySpan<byte> line)
    {
        if (line.Length > MaxLineBytes)
        {
            return Fail($"line is longer than {MaxLineBytes} bytes");
        }

        string? type = null, sensor = null, ts = null, state = null, movement = null;
        long? seq = null, count = null, phase = null, occupied = null, eventId = null, parameter = null;
        double? occupancy = null, interval = null;
        var reader = new Utf8JsonReader(line, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail("a line must be one JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!reader.Read())
                {
                    return Fail("truncated JSON");
                }

                string? error = name switch
                {
                    "type" => ReadString(ref reader, name, out type),
                    "sensor" => ReadString(ref reader, name, out sensor),
                    "ts" => ReadString(ref reader, name, out ts),
                    "state" => ReadString(ref reader, name, out state),
                    "event" => ReadString(ref reader, name, out movement),
                    "seq" => ReadInteger(ref reader, name, out seq),
                    "count" => ReadInteger(ref reader, name, out count),
                    "phase" => ReadInteger(ref reader, name, out phase),
                    "occupied" => ReadInteger(ref reader, name, out occupied),
                    "eventId" => ReadInteger(ref reader, name, out eventId),
                    "parameter" => ReadInteger(ref reader, name, out parameter),
                    "occupancy" => ReadNumber(ref reader, name, out occupancy),
                    "intervalS" => ReadNumber(ref reader, name, out interval),

                    // Personal identifiers (optional, e.g. on a parking entry): allowed, checked to be strings,
                    // and not kept; the HTTP API has already replaced them by pseudonyms (PersonalFields).
                    "plate" or "device" => ReadString(ref reader, name, out _),
                    _ => Skip(ref reader),
                };
                if (error is not null)
                {
                    return Fail(error, sensor, seq);
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return Fail("truncated JSON", sensor, seq);
            }

            if (reader.Read())
            {
                return Fail("unexpected content after the JSON object", sensor, seq);
            }
        }
        catch (JsonException ex)
        {
            return Fail($"invalid JSON at byte {reader.BytesConsumed}: {FirstSentence(ex.Message)}", sensor, seq);
        }
        catch (InvalidOperationException)
        {
            // A string with bytes that are not UTF-8 (found by the fuzz tests): the reader cannot decode it.
            return Fail($"invalid UTF-8 in a string before byte {reader.BytesConsumed + 1}: events must be UTF-8", sensor, seq);
        }

        if (type is null)
        {
            return Fail("missing field 'type'", sensor, seq);
        }

        if (sensor is null)
        {
            return Fail("missing field 'sensor'", sensor, seq);
        }

        if (ts is null)
        {
            return Fail("missing field 'ts'", sensor, seq);
        }

        if (seq is null)
        {
            return Fail("missing field 'seq'", sensor, seq);
        }

        if (seq < 0)
        {
            return Fail($"seq {seq} is negative", sensor, seq);
        }

        if (!TryParseTimestamp(ts, out var tsTicks))
        {
            return Fail($"ts '{ts}' is not an ISO 8601 timestamp with an offset (e.g. 2026-11-22T08:15:00+01:00)", sensor, seq);
        }

        var r = new SensorReading(SensorEventType.Detector, sensor, tsTicks, seq.Value);
        switch (type)
        {
            case "detector":
                if (count is null)
                {
                    return Fail("missing field 'count'", sensor, seq);
                }

                if (occupancy is null)
                {
                    return Fail("missing field 'occupancy'", sensor, seq);
                }

                if (interval is null)
                {
                    return Fail("missing field 'intervalS'", sensor, seq);
                }

                if (count < 0 || count > int.MaxValue)
                {
                    return Fail($"count {count} must be an integer >= 0", sensor, seq);
                }

                if (occupancy is < 0 or > 1)
                {
                    return Fail($"occupancy {occupancy} is outside 0..1", sensor, seq);
                }

                if (interval <= 0 || interval > 86_400)
                {
                    return Fail($"intervalS {interval} must be > 0 (and at most a day)", sensor, seq);
                }

                return Ok(r with { Count = (int)count, Occupancy = occupancy.Value, IntervalS = interval.Value });
            case "signal-phase":
                if (phase is null)
                {
                    return Fail("missing field 'phase'", sensor, seq);
                }

                if (state is null)
                {
                    return Fail("missing field 'state'", sensor, seq);
                }

                if (phase < 1 || phase > 64)
                {
                    return Fail($"phase {phase} is outside 1..64", sensor, seq);
                }

                LightState? light = state switch
                {
                    "green" => LightState.Green,
                    "amber" => LightState.Amber,
                    "red" => LightState.Red,
                    _ => null,
                };
                return light is null
                    ? Fail($"state '{state}' is not 'green', 'amber' or 'red'", sensor, seq)
                    : Ok(r with { Type = SensorEventType.SignalPhase, Phase = (int)phase, Light = light.Value });
            case "parking":
                ParkingMovement? move = movement switch
                {
                    "entry" => ParkingMovement.Entry,
                    "exit" => ParkingMovement.Exit,
                    null => null,
                    _ => null,
                };
                if (movement is null)
                {
                    return Fail("missing field 'event'", sensor, seq);
                }

                return move is null
                    ? Fail($"event '{movement}' is not 'entry' or 'exit'", sensor, seq)
                    : Ok(r with { Type = SensorEventType.Parking, Movement = move.Value });
            case "parking-occupancy":
                if (occupied is null)
                {
                    return Fail("missing field 'occupied'", sensor, seq);
                }

                if (occupied < 0 || occupied > int.MaxValue)
                {
                    return Fail($"occupied {occupied} must be an integer >= 0", sensor, seq);
                }

                return Ok(r with { Type = SensorEventType.ParkingOccupancy, Occupied = (int)occupied });
            case "controller-event":
                if (eventId is null)
                {
                    return Fail("missing field 'eventId'", sensor, seq);
                }

                if (parameter is null)
                {
                    return Fail("missing field 'parameter'", sensor, seq);
                }

                if (eventId is < 0 or > int.MaxValue || !ControllerEventCodes.IsKnown((int)eventId))
                {
                    return Fail($"eventId {eventId} is not a known controller event code (0-255, 300-599)", sensor, seq);
                }

                if (parameter is < 0 or > ControllerEventCodes.MaxParameter)
                {
                    return Fail($"parameter {parameter} is outside 0..{ControllerEventCodes.MaxParameter}", sensor, seq);
                }

                return Ok(r with { Type = SensorEventType.ControllerEvent, EventId = (int)eventId, Parameter = (int)parameter });
            default:
                return Fail($"unknown type '{type}' (expected detector, signal-phase, parking, parking-occupancy or controller-event)", sensor, seq);
        }
    }

    /// <summary>Reads one line given as text.</summary>
    public static LineResult ReadLine(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        return ReadLine(bytes);
    }

    /// <summary>Parses an ISO 8601 timestamp that carries an offset (Z or ±hh:mm) into UTC ticks.</summary>
    public static bool TryParseTimestamp(string text, out long utcTicks)
    {
        utcTicks = 0;
        if (text.Length < 20 || !HasOffset(text))
        {
            return false;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var ts))
        {
            return false;
        }

        utcTicks = ts.UtcTicks;
        return true;
    }

    /// <summary>Splits a buffer of NDJSON into lines (LF or CRLF); the last line may lack its break.</summary>
    public static IEnumerable<(int LineNumber, ReadOnlyMemory<byte> Line)> SplitLines(ReadOnlyMemory<byte> buffer)
    {
        var lineNumber = 0;
        var start = 0;
        while (start < buffer.Length)
        {
            var rest = buffer.Span[start..];
            var nl = rest.IndexOf((byte)'\n');
            var end = nl < 0 ? buffer.Length : start + nl;
            var line = buffer[start..end];
            if (line.Length > 0 && line.Span[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            lineNumber++;
            yield return (lineNumber, line);
            start = end + 1;
        }
    }

    /// <summary>True when a line holds only white space (such lines are skipped, not counted).</summary>
    public static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    private static bool HasOffset(string text)
    {
        if (text[^1] is 'Z' or 'z')
        {
            return true;
        }

        var sign = text[^6];
        return (sign == '+' || sign == '-') && text[^3] == ':';
    }

    private static string? ReadString(ref Utf8JsonReader reader, string name, out string? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            Skip(ref reader);
            return $"field '{name}' must be a string";
        }

        value = reader.GetString();
        return string.IsNullOrEmpty(value) ? $"field '{name}' must not be empty" : null;
    }

    private static string? ReadInteger(ref Utf8JsonReader reader, string name, out long? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.Number)
        {
            Skip(ref reader);
            return $"field '{name}' must be an integer";
        }

        if (!reader.TryGetInt64(out var v))
        {
            return $"field '{name}' must be an integer in range";
        }

        value = v;
        return null;
    }

    private static string? ReadNumber(ref Utf8JsonReader reader, string name, out double? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.Number)
        {
            Skip(ref reader);
            return $"field '{name}' must be a number";
        }

        if (!reader.TryGetDouble(out var v) || !double.IsFinite(v))
        {
            return $"field '{name}' must be a finite number";
        }

        value = v;
        return null;
    }

    private static string? Skip(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            if (!reader.TrySkip())
            {
                throw new JsonException("truncated JSON");
            }
        }

        return null;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static LineResult Ok(SensorReading r) => new(r, null, r.Sensor, r.Seq);

    private static LineResult Fail(string error, string? sensor = null, long? seq = null) => new(default, error, sensor, seq);
}
