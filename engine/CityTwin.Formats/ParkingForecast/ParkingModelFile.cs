using System.Globalization;
using System.Text.Json;
using CityTwin.Engine.City;
using CityTwin.Engine.Parking.Forecast;
using CityTwin.Formats.GeoJson;

namespace CityTwin.Formats.ParkingForecast;

/// <summary>
/// The fitted parking occupancy model as a JSON file (docs/parking-forecast.md, "Model file"), written by
/// <c>citytwin parking fit</c> and read by the city (<c>parkingModel</c> in city.json): format name and version, the
/// slot width and coverage, the pooled parameters, and per facility its parameters and its profile at the end of
/// the history. Every field is checked; an error names the file and the field.
/// </summary>
public static class ParkingModelFile
{
    public const string Format = "citytwin-parking-model";

    public const int Version = 1;

    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/>; <paramref name="source"/> says what it was fitted on.</summary>
    public static void Write(string path, FittedParkingModel model, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = File.Create(path);
        Write(stream, model, source);
    }

    public static void Write(Stream stream, FittedParkingModel model, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        var f = model.Forecaster;
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteNumber("version", Version);
        w.WriteString("source", source);
        w.WriteString("trainedUntil", f.TrainUntil.ToString(TimeFormat, CultureInfo.InvariantCulture));
        w.WriteNumber("slotMinutes", f.Options.SlotMinutes);
        w.WriteNumber("coverage", f.Options.Coverage);
        w.WriteStartObject("pool");
        WriteParameterFields(w, f.Pool);
        w.WriteEndObject();
        w.WriteStartArray("facilities");
        foreach (var m in f.Facilities.Values.OrderBy(m => m.Facility, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("id", m.Facility);
            WriteParameterFields(w, m);
            if (model.Profiles.TryGetValue(m.Facility, out var p))
            {
                w.WriteStartObject("profile");
                Numbers(w, "sum", p.Sum);
                Numbers(w, "weight", p.Weight);
                Numbers(w, "timeOfDaySum", p.TimeOfDaySum);
                Numbers(w, "timeOfDayCount", p.TimeOfDayCount);
                w.WriteNumber("allSum", p.AllSum);
                w.WriteNumber("allCount", p.AllCount);
                w.WriteNumber("applied", p.Applied);
                w.WriteString("lastTime", new DateTime(p.LastTicks).ToString(TimeFormat, CultureInfo.InvariantCulture));
                w.WriteNumber("lastRatio", p.LastRatio);
                w.WriteNumber("lastCapacity", p.LastCapacity);
                w.WriteNumber("lastDeviation", p.LastDeviation);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Reads and checks a model file; throws <see cref="CityValidationException"/> with every error (file and field).</summary>
    public static FittedParkingModel Read(string path, string? name = null)
    {
        name ??= Path.GetFileName(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CityValidationException([new CityError(name, "", $"cannot be read: {e.Message}")]);
        }

        return Read(bytes, name);
    }

    public static FittedParkingModel Read(byte[] bytes, string name)
    {
        var errors = new List<CityError>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new CityValidationException([new CityError(name, "", $"line {(e.LineNumber ?? 0) + 1}: invalid JSON")]);
        }

        using (doc)
        {
            var f = new JsonFields(name, errors);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CityValidationException([new CityError(name, "", "must be a JSON object")]);
            }

            var format = f.String(root, "format", "format");
            if (format is not null && format != Format)
            {
                f.Error("format", $"'{format}': expected '{Format}'");
            }

            var version = f.Integer(root, "version", "version", 1, int.MaxValue);
            if (version is not null && version != Version)
            {
                f.Error("version", $"{version}: this CityTwin reads version {Version}");
            }

            var slot = (int?)f.Integer(root, "slotMinutes", "slotMinutes", 1, 1440);
            var coverage = f.Number(root, "coverage", "coverage", 0, 1);
            var trainedUntil = Time(f, root, "trainedUntil", "trainedUntil");
            if (errors.Count > 0)
            {
                throw new CityValidationException(errors);
            }

            var options = new ForecastOptions { SlotMinutes = slot!.Value, Coverage = coverage!.Value };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CityValidationException([new CityError(name, "slotMinutes", e.Message)]);
            }

            var slotsPerDay = 1440 / options.SlotMinutes;
            var pool = f.Object(root, "pool", "pool") is { } poolElement ? Parameters(f, poolElement, "pool", "(pool)", pooled: true) : null;
            var facilities = new List<FacilityForecastModel>();
            var profiles = new Dictionary<string, FacilityProfileData>(StringComparer.Ordinal);
            if (f.Array(root, "facilities", "facilities", 0) is { } list)
            {
                var i = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var path = $"facilities[{i++}]";
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        f.Error(path, "must be an object");
                        continue;
                    }

                    var id = f.String(item, "id", path + ".id");
                    if (id is null)
                    {
                        continue;
                    }

                    if (facilities.Any(m => m.Facility == id))
                    {
                        f.Error(path + ".id", $"'{id}' is listed twice");
                        continue;
                    }

                    var pooled = item.TryGetProperty("pooled", out var pe) && pe.ValueKind is JsonValueKind.True or JsonValueKind.False
                        ? pe.GetBoolean()
                        : Bad(f, path + ".pooled", "must be true or false");
                    if (Parameters(f, item, path, id, pooled) is { } m)
                    {
                        facilities.Add(m);
                    }

                    if (item.TryGetProperty("profile", out var pr))
                    {
                        if (Profile(f, pr, path + ".profile", slotsPerDay) is { } p)
                        {
                            profiles[id] = p;
                        }
                    }
                }
            }

            if (pool is not null)
            {
                foreach (var m in facilities.Append(pool))
                {
                    var path = m == pool ? "pool" : $"facilities[{facilities.IndexOf(m)}]";
                    if (m.Carry.Count != pool.Carry.Count)
                    {
                        f.Error(path + ".carry", $"{m.Carry.Count} lags; the pool has {pool.Carry.Count}");
                    }

                    if (m.LowerError.Count != m.UpperError.Count || m.LowerError.Count < 2)
                    {
                        f.Error(path + ".lower", "lower and upper need the same number of horizons, at least 2 (index 0 unused)");
                    }
                }
            }

            if (errors.Count > 0)
            {
                throw new CityValidationException(errors);
            }

            options = options with { MaxHorizonMin = (pool!.LowerError.Count - 1) * options.SlotMinutes, MaxLagDays = Math.Max(1, (pool.Carry.Count - 1) / slotsPerDay) };
            return new FittedParkingModel(OccupancyForecaster.FromParameters(options, trainedUntil!.Value, facilities, pool), profiles);
        }
    }

    private static bool Bad(JsonFields f, string path, string reason)
    {
        f.Error(path, reason);
        return false;
    }

    private static void WriteParameterFields(Utf8JsonWriter w, FacilityForecastModel m)
    {
        w.WriteBoolean("pooled", m.Pooled);
        w.WriteNumber("recency", m.Recency);
        Numbers(w, "carry", m.Carry);
        Numbers(w, "lower", m.LowerError);
        Numbers(w, "upper", m.UpperError);
        w.WriteNumber("trainingCounts", m.TrainingCounts);
        w.WriteNumber("scored", m.Scored);
        w.WriteNumber("profileMae", m.ProfileMae);
        w.WriteString("method", m.Method);
    }

    private static void Numbers(Utf8JsonWriter w, string name, IReadOnlyList<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static FacilityForecastModel? Parameters(JsonFields f, JsonElement e, string path, string id, bool pooled)
    {
        var before = f.ErrorCount;
        var recency = f.Number(e, "recency", path + ".recency", 0, 1);
        if (recency == 0)
        {
            f.Error(path + ".recency", "must be above 0");
        }

        var carry = NumberArray(f, e, "carry", path + ".carry", 0, 1, 2);
        var lower = NumberArray(f, e, "lower", path + ".lower", -1, 1, 2);
        var upper = NumberArray(f, e, "upper", path + ".upper", -1, 1, 2);
        var training = f.Integer(e, "trainingCounts", path + ".trainingCounts", 0, int.MaxValue, required: false) ?? 0;
        var scored = f.Integer(e, "scored", path + ".scored", 0, int.MaxValue, required: false) ?? 0;
        var mae = f.Number(e, "profileMae", path + ".profileMae", 0, 1, required: false) ?? 0;
        var method = f.String(e, "method", path + ".method", required: false) ?? (pooled ? "pooled parameters" : "fitted parameters");
        return f.ErrorCount > before
            ? null
            : new FacilityForecastModel(id, recency!.Value, carry!, lower!, upper!, (int)training, (int)scored, mae, pooled, method);
    }

    private static FacilityProfileData? Profile(JsonFields f, JsonElement e, string path, int slotsPerDay)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            f.Error(path, "must be an object");
            return null;
        }

        var before = f.ErrorCount;
        var sum = NumberArray(f, e, "sum", path + ".sum", 0, double.MaxValue, 7 * slotsPerDay, exactly: true);
        var weight = NumberArray(f, e, "weight", path + ".weight", 0, double.MaxValue, 7 * slotsPerDay, exactly: true);
        var todSum = NumberArray(f, e, "timeOfDaySum", path + ".timeOfDaySum", 0, double.MaxValue, slotsPerDay, exactly: true);
        var todCount = NumberArray(f, e, "timeOfDayCount", path + ".timeOfDayCount", 0, double.MaxValue, slotsPerDay, exactly: true);
        var allSum = f.Number(e, "allSum", path + ".allSum", 0, double.MaxValue);
        var allCount = f.Number(e, "allCount", path + ".allCount", 0, double.MaxValue);
        var applied = f.Integer(e, "applied", path + ".applied", 0, int.MaxValue);
        var last = Time(f, e, "lastTime", path + ".lastTime");
        var lastRatio = f.Number(e, "lastRatio", path + ".lastRatio", 0, 1);
        var lastCapacity = f.Integer(e, "lastCapacity", path + ".lastCapacity", applied > 0 ? 1 : 0, int.MaxValue);
        var lastDeviation = f.Number(e, "lastDeviation", path + ".lastDeviation", -1, 1);
        return f.ErrorCount > before
            ? null
            : new FacilityProfileData(sum!, weight!, todSum!, todCount!, allSum!.Value, allCount!.Value, (int)applied!.Value, last!.Value.Ticks, lastRatio!.Value, (int)lastCapacity!.Value, lastDeviation!.Value);
    }

    private static double[]? NumberArray(JsonFields f, JsonElement e, string name, string path, double min, double max, int count, bool exactly = false)
    {
        if (f.Array(e, name, path, count) is not { } array)
        {
            return null;
        }

        if (exactly && array.GetArrayLength() != count)
        {
            f.Error(path, $"has {array.GetArrayLength()} items; {count} expected");
            return null;
        }

        var values = new double[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out var v) || !double.IsFinite(v) || v < min || v > max)
            {
                f.Error($"{path}[{i}]", $"must be a number in {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
                return null;
            }

            values[i++] = v;
        }

        return values;
    }

    private static DateTime? Time(JsonFields f, JsonElement e, string name, string path)
    {
        if (f.String(e, name, path) is not { } text)
        {
            return null;
        }

        if (!DateTime.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
        {
            f.Error(path, $"'{text}': expected a local time {TimeFormat}");
            return null;
        }

        return t;
    }
}
