using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Engine.Parking.WhatIf;

namespace CityTwin.Formats.ParkingWhatIf;

/// <summary>A parking demand model file that cannot be used, with every problem found (file, field, reason).</summary>
public sealed class ParkingDemandFormatException(IReadOnlyList<string> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>
/// The parking demand model file (<c>parking-demand.json</c>, docs/parking-whatif.md): the stated assumptions
/// of <see cref="ParkingDemandAssumptions"/> with where each came from. <c>dwell</c> (log-normal <c>mu</c>,
/// <c>sigma</c> of hours) and <c>dayFactors</c> (7 numbers, Monday first) are required; the rest default to the
/// documented values. Unknown fields are ignored (the fit writes provenance next to the numbers).
/// </summary>
public static class ParkingDemandFile
{
    /// <summary>Reads a model file.</summary>
    /// <exception cref="ParkingDemandFormatException">The file is missing, not JSON, or has bad fields (all listed).</exception>
    public static ParkingDemandAssumptions Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ParkingDemandFormatException([$"{path}: the parking demand model file does not exist (make one with 'citytwin parking fit-demand')"]);
        }

        return Parse(File.ReadAllText(path), Path.GetFileName(path));
    }

    /// <summary>Reads model JSON text; <paramref name="name"/> names it in errors.</summary>
    public static ParkingDemandAssumptions Parse(string json, string name)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ParkingDemandFormatException([$"{name}: not JSON: {e.Message}"]);
        }

        using (doc)
        {
            var errors = new List<string>();
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ParkingDemandFormatException([$"{name}: the top level must be an object"]);
            }

            var dwell = Dwell(root, "dwell", name, errors, required: true);
            var dwellOff = Dwell(root, "dwellOffStreet", name, errors, required: false);
            IReadOnlyList<double> factors = [1, 1, 1, 1, 1, 1, 1];
            if (!root.TryGetProperty("dayFactors", out var df))
            {
                errors.Add($"{name}: field 'dayFactors': missing (7 numbers, Monday first)");
            }
            else if (df.ValueKind != JsonValueKind.Array || df.GetArrayLength() != 7 || df.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !(x.GetDouble() >= 0)))
            {
                errors.Add($"{name}: field 'dayFactors': must be an array of 7 numbers >= 0 (Monday first)");
            }
            else
            {
                factors = df.EnumerateArray().Select(x => x.GetDouble()).ToArray();
            }

            var d = new ParkingDemandAssumptions { Dwell = new DwellDistribution(0, 1) };
            var a = d with
            {
                Dwell = dwell ?? d.Dwell,
                DwellOffStreet = dwellOff,
                DayFactors = factors,
                TargetPeakOccupancy = Number(root, "targetPeakOccupancy", name, errors, 0, 1.5) ?? d.TargetPeakOccupancy,
                ParkingShare = Number(root, "parkingShare", name, errors, 1e-9, 1),
                Elasticity = Number(root, "elasticity", name, errors, -5, 0) ?? d.Elasticity,
                MaxWalkM = Number(root, "maxWalkM", name, errors, 1, 1e5) ?? d.MaxWalkM,
                MaxSearchWalkM = Number(root, "maxSearchWalkM", name, errors, 1, 1e5) ?? d.MaxSearchWalkM,
                WalkSpeedMps = Number(root, "walkSpeedMps", name, errors, 0.1, 10) ?? d.WalkSpeedMps,
                ValueOfTimePerHour = Number(root, "valueOfTimePerHour", name, errors, 0, 1e4) ?? d.ValueOfTimePerHour,
                ChoiceScale = Number(root, "choiceScale", name, errors, 0, 100) ?? d.ChoiceScale,
            };

            if (errors.Count == 0)
            {
                try
                {
                    a.Validate();
                }
                catch (ArgumentException e)
                {
                    errors.Add($"{name}: {e.Message}");
                }
            }

            if (errors.Count > 0)
            {
                throw new ParkingDemandFormatException(errors);
            }

            return a;
        }
    }

    /// <summary>Writes a model file: the assumptions, and <paramref name="provenance"/> (any JSON) under <c>"provenance"</c>.</summary>
    public static void Write(string path, ParkingDemandAssumptions a, string description, JsonObject? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        var o = new JsonObject
        {
            ["description"] = description,
            ["dwell"] = DwellNode(a.Dwell),
        };
        if (a.DwellOffStreet is not null)
        {
            o["dwellOffStreet"] = DwellNode(a.DwellOffStreet);
        }

        o["dayFactors"] = new JsonArray(a.DayFactors.Select(f => (JsonNode)Math.Round(f, 4)).ToArray());
        o["targetPeakOccupancy"] = Math.Round(a.TargetPeakOccupancy, 4);
        if (a.ParkingShare is { } s)
        {
            o["parkingShare"] = s;
        }

        o["elasticity"] = a.Elasticity;
        o["maxWalkM"] = a.MaxWalkM;
        o["maxSearchWalkM"] = a.MaxSearchWalkM;
        o["walkSpeedMps"] = a.WalkSpeedMps;
        o["valueOfTimePerHour"] = a.ValueOfTimePerHour;
        o["choiceScale"] = a.ChoiceScale;
        if (provenance is not null)
        {
            o["provenance"] = provenance;
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static JsonObject DwellNode(DwellDistribution d) => new()
    {
        ["family"] = "lognormal",
        ["mu"] = Math.Round(d.Mu, 6),
        ["sigma"] = Math.Round(d.Sigma, 6),
        ["medianH"] = Math.Round(d.MedianH, 4),
        ["meanH"] = Math.Round(d.MeanH, 4),
    };

    private static DwellDistribution? Dwell(JsonElement root, string field, string name, List<string> errors, bool required)
    {
        if (!root.TryGetProperty(field, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add($"{name}: field '{field}': missing (an object with the log-normal 'mu' and 'sigma' of the stay in hours)");
            }

            return null;
        }

        if (e.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{name}: field '{field}': must be an object with 'mu' and 'sigma'");
            return null;
        }

        if (e.TryGetProperty("family", out var fam) && !string.Equals(fam.GetString(), "lognormal", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{name}: field '{field}.family': only 'lognormal' is supported");
        }

        var mu = Number(e, "mu", name, errors, -10, 10, prefix: field + ".");
        var sigma = Number(e, "sigma", name, errors, 1e-6, 10, prefix: field + ".");
        if (mu is null || sigma is null)
        {
            if (mu is null && !e.TryGetProperty("mu", out _))
            {
                errors.Add($"{name}: field '{field}.mu': missing");
            }

            if (sigma is null && !e.TryGetProperty("sigma", out _))
            {
                errors.Add($"{name}: field '{field}.sigma': missing");
            }

            return null;
        }

        return new DwellDistribution(mu.Value, sigma.Value);
    }

    private static double? Number(JsonElement obj, string field, string name, List<string> errors, double min, double max, string prefix = "")
    {
        if (!obj.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            errors.Add($"{name}: field '{prefix}{field}': must be a number");
            return null;
        }

        if (d < min || d > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: field '{prefix}{field}': {d} is outside {min}..{max}"));
            return null;
        }

        return d;
    }
}
