using System.Globalization;
using CityTwin.Engine.Traffic;

namespace CityTwin.Formats.Demand;

/// <summary>Demand read from files: explicit trips and origin-destination rows (either may be empty).</summary>
public sealed record DemandSet(IReadOnlyList<TripSpec> Trips, IReadOnlyList<OdRow> OdRows)
{
    public static readonly DemandSet Empty = new([], []);

    /// <summary>Both sets together.</summary>
    public DemandSet Plus(DemandSet other) => new([.. Trips, .. other.Trips], [.. OdRows, .. other.OdRows]);
}

/// <summary>
/// Reads demand CSV files (docs/demand-format.md). The header says which kind a file is:
/// <c>id,depart,from,to[,route]</c> for explicit trips, <c>origin,destination,begin,end,vehicles</c> for an
/// origin-destination table. Blank lines and lines starting with <c>#</c> are skipped. Every bad line is
/// reported with its line number and field, all together; nothing is half-read.
/// </summary>
public static class DemandReader
{
    private static readonly string[] TripColumns = ["id", "depart", "from", "to"];
    private static readonly string[] OdColumns = ["origin", "destination", "begin", "end", "vehicles"];

    /// <summary>Reads one demand file.</summary>
    /// <exception cref="DemandFormatException">The file is missing or has bad lines.</exception>
    public static DemandSet ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new DemandFormatException([$"{path}: the demand file does not exist"]);
        }

        using var reader = new StreamReader(path);
        return Read(reader, Path.GetFileName(path));
    }

    /// <summary>Reads demand CSV text; <paramref name="name"/> names it in errors.</summary>
    public static DemandSet Read(TextReader reader, string name)
    {
        var errors = new List<string>();
        var trips = new List<TripSpec>();
        var od = new List<OdRow>();
        string[]? header = null;
        var isTrips = false;
        var lineNo = 0;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var cells = text.Split(',').Select(c => c.Trim()).ToArray();
            if (header is null)
            {
                header = cells;
                if (header.Take(4).SequenceEqual(TripColumns) && (header.Length == 4 || (header.Length == 5 && header[4] == "route")))
                {
                    isTrips = true;
                }
                else if (!header.SequenceEqual(OdColumns))
                {
                    throw new DemandFormatException([$"{name}: line {lineNo}: the header must be '{string.Join(',', TripColumns)}[,route]' (trips) or '{string.Join(',', OdColumns)}' (origin-destination table), not '{text}'"]);
                }

                continue;
            }

            var where = $"{name}: line {lineNo}";
            if (cells.Length != header.Length)
            {
                errors.Add($"{where}: has {cells.Length} fields, the header has {header.Length}");
                continue;
            }

            if (isTrips)
            {
                ReadTrip(cells, where, ids, trips, errors);
            }
            else
            {
                ReadOd(cells, where, lineNo, od, errors);
            }
        }

        if (header is null)
        {
            errors.Add($"{name}: the file is empty (no header)");
        }

        if (errors.Count > 0)
        {
            throw new DemandFormatException(errors);
        }

        return new DemandSet(trips, od);
    }

    /// <summary>Parses a time of day: seconds ("27000", "27000.5") or "HH:MM" / "HH:MM:SS" (hours may exceed 23).</summary>
    public static bool TryParseTime(string text, out double seconds)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
        {
            return double.IsFinite(seconds) && seconds >= 0;
        }

        var parts = text.Split(':');
        seconds = 0;
        if (parts.Length is < 2 or > 3)
        {
            return false;
        }

        var factor = 3600.0;
        foreach (var p in parts)
        {
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || (factor < 3600 && v > 59))
            {
                return false;
            }

            seconds += v * factor;
            factor /= 60;
        }

        return true;
    }

    private static void ReadTrip(string[] cells, string where, HashSet<string> ids, List<TripSpec> trips, List<string> errors)
    {
        var ok = true;
        var id = cells[0];
        if (id.Length == 0)
        {
            errors.Add($"{where}: field 'id' is empty");
            ok = false;
        }
        else if (!ids.Add(id))
        {
            errors.Add($"{where}: field 'id': trip '{id}' appears twice");
            ok = false;
        }

        if (!TryParseTime(cells[1], out var depart))
        {
            errors.Add($"{where}: field 'depart': '{cells[1]}' is not a time (seconds >= 0 or HH:MM[:SS])");
            ok = false;
        }

        if (cells[2].Length == 0 || cells[3].Length == 0)
        {
            errors.Add($"{where}: fields 'from' and 'to' must name links");
            ok = false;
        }

        IReadOnlyList<string>? route = null;
        if (cells.Length == 5 && cells[4].Length > 0)
        {
            route = cells[4].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (route[0] != cells[2] || route[^1] != cells[3])
            {
                errors.Add($"{where}: field 'route' must start with 'from' ({cells[2]}) and end with 'to' ({cells[3]})");
                ok = false;
            }
        }

        if (ok)
        {
            trips.Add(new TripSpec(id, depart, cells[2], cells[3], route));
        }
    }

    private static void ReadOd(string[] cells, string where, int lineNo, List<OdRow> od, List<string> errors)
    {
        var ok = true;
        if (cells[0].Length == 0 || cells[1].Length == 0)
        {
            errors.Add($"{where}: fields 'origin' and 'destination' must name zones (district or link ids)");
            ok = false;
        }

        if (!TryParseTime(cells[2], out var begin))
        {
            errors.Add($"{where}: field 'begin': '{cells[2]}' is not a time (seconds >= 0 or HH:MM[:SS])");
            ok = false;
        }

        if (!TryParseTime(cells[3], out var end))
        {
            errors.Add($"{where}: field 'end': '{cells[3]}' is not a time (seconds >= 0 or HH:MM[:SS])");
            ok = false;
        }
        else if (ok && end <= begin)
        {
            errors.Add($"{where}: field 'end' must be after 'begin'");
            ok = false;
        }

        if (!double.TryParse(cells[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var vehicles) || !double.IsFinite(vehicles) || vehicles < 0)
        {
            errors.Add($"{where}: field 'vehicles': '{cells[4]}' is not a number >= 0");
            ok = false;
        }

        if (ok)
        {
            od.Add(new OdRow(cells[0], cells[1], begin, end, vehicles, lineNo));
        }
    }
}

/// <summary>A demand file that cannot be read, with every problem found (file, line, field).</summary>
public sealed class DemandFormatException(IReadOnlyList<string> errors)
    : Exception(string.Join(Environment.NewLine, errors.Take(50)) + (errors.Count > 50 ? $"{Environment.NewLine}... and {errors.Count - 50} more" : ""))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
