using System.Globalization;
using CityTwin.Engine.Parking.WhatIf;

namespace CityTwin.Formats.ParkingWhatIf;

/// <summary>
/// Reads car park occupancy counts in the Birmingham layout (<c>SystemCodeNumber,Capacity,Occupancy,LastUpdated</c>,
/// the time as <c>yyyy-MM-dd HH:mm:ss</c> local time), for fitting the parking demand model. Values the data is
/// known to hold (occupancy above capacity or below 0, repeated times) are read as they are: the fit says what
/// it does with them. A line that is not in the layout (missing field, not a number, not a time) is an error;
/// every one is listed with its line number and field. <see cref="ReadNumbered(TextReader, string)"/> also gives each
/// count's line, so a user of the counts can name the lines whose values it drops or changes.
/// </summary>
public static class OccupancyCountsReader
{
    private static readonly string[] Columns = ["SystemCodeNumber", "Capacity", "Occupancy", "LastUpdated"];

    /// <summary>Reads a file.</summary>
    /// <exception cref="ParkingDemandFormatException">The file is missing or has bad lines.</exception>
    public static IReadOnlyList<OccupancySample> ReadFile(string path) => ReadFileNumbered(path).Samples;

    /// <summary>Reads a file, with the line of each count.</summary>
    /// <exception cref="ParkingDemandFormatException">The file is missing or has bad lines.</exception>
    public static NumberedOccupancy ReadFileNumbered(string path)
    {
        if (!File.Exists(path))
        {
            throw new ParkingDemandFormatException([$"{path}: the occupancy file does not exist"]);
        }

        using var reader = new StreamReader(path);
        return ReadNumbered(reader, Path.GetFileName(path));
    }

    /// <summary>Reads CSV text; <paramref name="name"/> names it in errors.</summary>
    public static IReadOnlyList<OccupancySample> Read(TextReader reader, string name) => ReadNumbered(reader, name).Samples;

    /// <summary>Reads CSV text, with the line of each count; <paramref name="name"/> names it in errors.</summary>
    public static NumberedOccupancy ReadNumbered(TextReader reader, string name)
    {
        var errors = new List<string>();
        var samples = new List<OccupancySample>();
        var lines = new List<int>();
        int[]? index = null;
        var lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var cells = text.Split(',').Select(c => c.Trim()).ToArray();
            if (index is null)
            {
                index = Columns.Select(c => Array.FindIndex(cells, h => string.Equals(h, c, StringComparison.OrdinalIgnoreCase))).ToArray();
                var missing = Columns.Where((c, i) => index[i] < 0).ToList();
                if (missing.Count > 0)
                {
                    throw new ParkingDemandFormatException([$"{name}: line {lineNo}: the header lacks {string.Join(", ", missing)} (expected {string.Join(",", Columns)})"]);
                }

                continue;
            }

            if (cells.Length < index.Max() + 1)
            {
                errors.Add($"{name}: line {lineNo}: {cells.Length} fields, expected {Columns.Length}");
                continue;
            }

            var ok = true;
            var id = cells[index[0]];
            if (id.Length == 0)
            {
                errors.Add($"{name}: line {lineNo}: field 'SystemCodeNumber': empty");
                ok = false;
            }

            if (!int.TryParse(cells[index[1]], NumberStyles.Integer, CultureInfo.InvariantCulture, out var capacity))
            {
                errors.Add($"{name}: line {lineNo}: field 'Capacity': '{cells[index[1]]}' is not an integer");
                ok = false;
            }

            if (!int.TryParse(cells[index[2]], NumberStyles.Integer, CultureInfo.InvariantCulture, out var occupied))
            {
                errors.Add($"{name}: line {lineNo}: field 'Occupancy': '{cells[index[2]]}' is not an integer");
                ok = false;
            }

            if (!DateTime.TryParseExact(cells[index[3]], ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            {
                errors.Add($"{name}: line {lineNo}: field 'LastUpdated': '{cells[index[3]]}' is not a time (yyyy-MM-dd HH:mm:ss)");
                ok = false;
            }

            if (ok)
            {
                samples.Add(new OccupancySample(id, capacity, occupied, time));
                lines.Add(lineNo);
            }
        }

        if (index is null)
        {
            errors.Add($"{name}: no header line (expected {string.Join(",", Columns)})");
        }

        if (errors.Count > 0)
        {
            throw new ParkingDemandFormatException(errors);
        }

        return new NumberedOccupancy(name, samples, lines);
    }

    /// <summary>
    /// Reads a length-of-stay histogram: CSV <c>lowerH,upperH,count</c> (hours; <c>upperH</c> empty or <c>inf</c>
    /// for an open last class), for <see cref="DwellDistribution.Fit"/>.
    /// </summary>
    /// <exception cref="ParkingDemandFormatException">The file is missing or has bad lines.</exception>
    public static IReadOnlyList<DurationBin> ReadHistogram(string path)
    {
        if (!File.Exists(path))
        {
            throw new ParkingDemandFormatException([$"{path}: the length-of-stay file does not exist"]);
        }

        var name = Path.GetFileName(path);
        var errors = new List<string>();
        var bins = new List<DurationBin>();
        var header = false;
        var lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var cells = text.Split(',').Select(c => c.Trim()).ToArray();
            if (!header)
            {
                header = true;
                if (cells.Length < 3 || cells[0] != "lowerH" || cells[1] != "upperH" || cells[2] != "count")
                {
                    throw new ParkingDemandFormatException([$"{name}: line {lineNo}: the header must be lowerH,upperH,count"]);
                }

                continue;
            }

            if (cells.Length < 3)
            {
                errors.Add($"{name}: line {lineNo}: {cells.Length} fields, expected 3");
                continue;
            }

            var lowerOk = double.TryParse(cells[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lower) && lower >= 0 && double.IsFinite(lower);
            var upper = double.PositiveInfinity;
            var upperOk = cells[1].Length == 0 || cells[1].Equals("inf", StringComparison.OrdinalIgnoreCase)
                || (double.TryParse(cells[1], NumberStyles.Float, CultureInfo.InvariantCulture, out upper) && upper > lower);
            var countOk = double.TryParse(cells[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var count) && count >= 0 && double.IsFinite(count);
            if (!lowerOk)
            {
                errors.Add($"{name}: line {lineNo}: field 'lowerH': '{cells[0]}' is not a number >= 0");
            }

            if (!upperOk)
            {
                errors.Add($"{name}: line {lineNo}: field 'upperH': '{cells[1]}' is not a number above lowerH, empty or inf");
            }

            if (!countOk)
            {
                errors.Add($"{name}: line {lineNo}: field 'count': '{cells[2]}' is not a number >= 0");
            }

            if (lowerOk && upperOk && countOk)
            {
                bins.Add(new DurationBin(lower, upper, count));
            }
        }

        if (!header)
        {
            errors.Add($"{name}: no header line (expected lowerH,upperH,count)");
        }

        if (errors.Count > 0)
        {
            throw new ParkingDemandFormatException(errors);
        }

        return bins;
    }
}

/// <summary>Occupancy counts as read, with the 1-based line of each (<c>Lines[i]</c> is the line of <c>Samples[i]</c>) and the file's name.</summary>
public sealed record NumberedOccupancy(string Name, IReadOnlyList<OccupancySample> Samples, IReadOnlyList<int> Lines);
