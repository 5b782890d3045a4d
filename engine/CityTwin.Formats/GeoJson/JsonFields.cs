using System.Text.Json;
using CityTwin.Engine.City;

namespace CityTwin.Formats.GeoJson;

/// <summary>
/// Reads typed fields from a JSON object and records an error (source, field path, reason) for each
/// missing or malformed one, so that one pass reports every problem of a feature.
/// </summary>
internal sealed class JsonFields(string source, List<CityError> errors)
{
    public string Source { get; } = source;

    public int ErrorCount { get; private set; }

    public void Error(string field, string reason)
    {
        ErrorCount++;
        errors.Add(new CityError(Source, field, reason));
    }

    public string? String(JsonElement obj, string name, string path, bool required = true)
    {
        if (!TryGet(obj, name, path, required, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
        {
            Error(path, "must be a non-empty string");
            return null;
        }

        return v.GetString();
    }

    public double? Number(JsonElement obj, string name, string path, double min, double max, bool required = true)
    {
        if (!TryGet(obj, name, path, required, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            Error(path, "must be a number");
            return null;
        }

        if (d < min || d > max)
        {
            Error(path, $"{d} is outside {min}..{max}");
            return null;
        }

        return d;
    }

    public long? Integer(JsonElement obj, string name, string path, long min, long max, bool required = true)
    {
        if (!TryGet(obj, name, path, required, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var i))
        {
            Error(path, "must be an integer");
            return null;
        }

        if (i < min || i > max)
        {
            Error(path, $"{i} is outside {min}..{max}");
            return null;
        }

        return i;
    }

    public JsonElement? Array(JsonElement obj, string name, string path, int minItems, bool required = true)
    {
        if (!TryGet(obj, name, path, required, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            Error(path, "must be an array");
            return null;
        }

        if (v.GetArrayLength() < minItems)
        {
            Error(path, $"needs at least {minItems} item(s)");
            return null;
        }

        return v;
    }

    /// <summary>
    /// An array of non-empty strings (ids or file names), each at most once. Null when absent (and not
    /// required) or malformed; every bad item is reported.
    /// </summary>
    public List<string>? StringList(JsonElement obj, string name, string path, int minItems, bool required = true)
    {
        if (Array(obj, name, path, minItems, required) is not { } array)
        {
            return null;
        }

        var items = new List<string>();
        var ok = true;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var text = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            if (string.IsNullOrWhiteSpace(text))
            {
                Error($"{path}[{i}]", "must be a non-empty string");
                ok = false;
            }
            else if (items.Contains(text, StringComparer.Ordinal))
            {
                Error($"{path}[{i}]", $"'{text}' appears twice");
                ok = false;
            }
            else
            {
                items.Add(text);
            }

            i++;
        }

        return ok ? items : null;
    }

    public JsonElement? Object(JsonElement obj, string name, string path, bool required = true)
    {
        if (!TryGet(obj, name, path, required, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            Error(path, "must be an object");
            return null;
        }

        return v;
    }

    public T? Enum<T>(JsonElement obj, string name, string path, IReadOnlyDictionary<string, T> values, bool required = true)
        where T : struct
    {
        var s = String(obj, name, path, required);
        if (s is null)
        {
            return null;
        }

        if (!values.TryGetValue(s, out var value))
        {
            Error(path, $"'{s}' is not one of {string.Join(", ", values.Keys.Select(k => $"'{k}'"))}");
            return null;
        }

        return value;
    }

    private bool TryGet(JsonElement obj, string name, string path, bool required, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required)
        {
            Error(path, "is required");
        }

        value = default;
        return false;
    }
}
