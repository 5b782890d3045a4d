using CityTwin.Engine.Parking.WhatIf;

namespace CityTwin.Engine.Parking.Forecast;

/// <summary>What the history did with a count the real data is known to hold.</summary>
public enum OccupancyIssue
{
    /// <summary>Capacity 0 or less: dropped.</summary>
    NoCapacity,

    /// <summary>Occupancy below 0: dropped.</summary>
    Negative,

    /// <summary>A second count of the facility at the same time: dropped, the first kept.</summary>
    Repeated,

    /// <summary>Occupancy above capacity: taken as full.</summary>
    AboveCapacity,
}

/// <summary>One count the history dropped or changed, and why (<paramref name="Line"/> 0 when the counts had no line numbers).</summary>
public sealed record OccupancyNote(int Line, string Facility, DateTime LocalTime, OccupancyIssue Kind, string Issue);

/// <summary>
/// One facility's usable occupancy counts in time order: <c>Ticks[i]</c> (local time), <c>Occupied[i]</c> (vehicles,
/// within 0..capacity) and <c>Capacity[i]</c> (the count's own capacity).
/// </summary>
public sealed class FacilitySeries
{
    internal FacilitySeries(string facility, long[] ticks, double[] occupied, int[] capacity)
    {
        Facility = facility;
        Ticks = ticks;
        Occupied = occupied;
        Capacity = capacity;
    }

    public string Facility { get; }

    public IReadOnlyList<long> Ticks { get; }

    public IReadOnlyList<double> Occupied { get; }

    public IReadOnlyList<int> Capacity { get; }

    public int Count => Ticks.Count;

    /// <summary>Index of the last count at or before <paramref name="ticks"/>, or -1.</summary>
    public int LastAtOrBefore(long ticks)
    {
        int lo = 0, hi = Ticks.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Ticks[mid] <= ticks)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>Index of the count nearest <paramref name="ticks"/> within <paramref name="tolerance"/> (the earlier on a tie), or -1.</summary>
    public int Nearest(long ticks, long tolerance)
    {
        var i = LastAtOrBefore(ticks);
        var best = -1;
        var bestGap = long.MaxValue;
        foreach (var j in new[] { i, i + 1 })
        {
            if (j >= 0 && j < Ticks.Count)
            {
                var gap = Math.Abs(Ticks[j] - ticks);
                if (gap <= tolerance && gap < bestGap)
                {
                    best = j;
                    bestGap = gap;
                }
            }
        }

        return best;
    }
}

/// <summary>
/// Occupancy counts made usable for forecasting, facility by facility, and what was done to the counts the
/// real data is known to hold: a count with occupancy below 0 or capacity 0 or less is dropped; a count
/// above capacity is taken as full (capacity); a repeated (facility, time) count is dropped, the first kept.
/// Every such count is listed in <see cref="Notes"/> with its line.
/// </summary>
public sealed class OccupancyHistory
{
    private readonly Dictionary<string, FacilitySeries> _byId;

    private OccupancyHistory(IReadOnlyList<FacilitySeries> facilities, IReadOnlyList<OccupancyNote> notes, int read)
    {
        Facilities = facilities;
        Notes = notes;
        Read = read;
        _byId = facilities.ToDictionary(f => f.Facility, StringComparer.Ordinal);
    }

    /// <summary>Facilities in ordinal order of their ids.</summary>
    public IReadOnlyList<FacilitySeries> Facilities { get; }

    /// <summary>Counts dropped or changed, in input order.</summary>
    public IReadOnlyList<OccupancyNote> Notes { get; }

    /// <summary>Counts given.</summary>
    public int Read { get; }

    /// <summary>Counts kept.</summary>
    public int Used => Facilities.Sum(f => f.Count);

    /// <summary>Notes of one kind.</summary>
    public int Count(OccupancyIssue kind) => Notes.Count(n => n.Kind == kind);

    public FacilitySeries? this[string facility] => _byId.GetValueOrDefault(facility);

    /// <summary>Builds the history; <paramref name="lines"/> (optional) gives each count's line for the notes.</summary>
    public static OccupancyHistory Build(IReadOnlyList<OccupancySample> samples, IReadOnlyList<int>? lines = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (lines is not null && lines.Count != samples.Count)
        {
            throw new ArgumentException("one line number per count", nameof(lines));
        }

        var notes = new List<OccupancyNote>();
        var kept = new Dictionary<string, List<(long Ticks, double Occupied, int Capacity)>>(StringComparer.Ordinal);
        var seen = new HashSet<(string, long)>();
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            var line = lines?[i] ?? 0;
            if (s.Capacity <= 0)
            {
                notes.Add(new OccupancyNote(line, s.Facility, s.LocalTime, OccupancyIssue.NoCapacity, $"capacity 0 or less ({s.Capacity}): dropped"));
                continue;
            }

            if (s.Occupied < 0)
            {
                notes.Add(new OccupancyNote(line, s.Facility, s.LocalTime, OccupancyIssue.Negative, $"occupancy below 0 ({s.Occupied}): dropped"));
                continue;
            }

            if (!seen.Add((s.Facility, s.LocalTime.Ticks)))
            {
                notes.Add(new OccupancyNote(line, s.Facility, s.LocalTime, OccupancyIssue.Repeated, "repeated time for this facility: dropped, the first count kept"));
                continue;
            }

            var occupied = s.Occupied;
            if (occupied > s.Capacity)
            {
                notes.Add(new OccupancyNote(line, s.Facility, s.LocalTime, OccupancyIssue.AboveCapacity, $"occupancy above capacity ({s.Occupied} > {s.Capacity}): taken as full"));
                occupied = s.Capacity;
            }

            if (!kept.TryGetValue(s.Facility, out var list))
            {
                kept[s.Facility] = list = [];
            }

            list.Add((s.LocalTime.Ticks, occupied, s.Capacity));
        }

        var facilities = kept
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv =>
            {
                // A stable sort keeps input order among equal times (there are none left after dropping repeats).
                var sorted = kv.Value.Select((v, i) => (v, i)).OrderBy(x => x.v.Ticks).ThenBy(x => x.i).Select(x => x.v).ToArray();
                return new FacilitySeries(kv.Key, sorted.Select(v => v.Ticks).ToArray(), sorted.Select(v => v.Occupied).ToArray(), sorted.Select(v => v.Capacity).ToArray());
            })
            .ToArray();
        return new OccupancyHistory(facilities, notes, samples.Count);
    }
}
