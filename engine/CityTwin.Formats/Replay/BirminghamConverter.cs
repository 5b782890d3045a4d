using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CityTwin.Engine.City;
using CityTwin.Engine.Parking.WhatIf;

namespace CityTwin.Formats.Replay;

/// <summary>What a conversion wrote and what it left out (each with the record it concerns and why).</summary>
public sealed record ConversionReport(string Ndjson, int Events, int Facilities, IReadOnlyList<string> Skipped, IReadOnlyList<string> Notes);

/// <summary>A record set that cannot be converted for the city (facilities it does not have).</summary>
public sealed class ConversionException(string message) : Exception(message);

/// <summary>
/// Converts the Birmingham car park occupancy records (UCI dataset 482: <c>SystemCodeNumber,Capacity,Occupancy,LastUpdated</c>,
/// local time; read by <see cref="ParkingWhatIf.OccupancyCountsReader"/>) into <c>parking-occupancy</c> events of the
/// event contract, for a city whose parking facilities carry the car parks' codes as ids (a code's characters that an id
/// may not hold, such as spaces, become <c>_</c>: <c>Broad Street</c> is <c>Broad_Street</c>). Each record becomes one
/// event at its time with the time zone's offset of that moment; seq counts 1, 2, 3, ... per car park in time order
/// (equal times in file order). A record with a negative occupancy cannot be an event and is left out, named.
/// </summary>
public static partial class BirminghamConverter
{
    /// <summary>The time zone of the records' <c>LastUpdated</c> (UK time: BST in summer, GMT in winter).</summary>
    public const string DefaultTimeZone = "Europe/London";

    /// <summary>The facility id a car park code maps to.</summary>
    public static string FacilityId(string code) => NotIdChar().Replace(code.Trim(), "_");

    /// <summary>Converts the records with local times in [<paramref name="fromLocal"/>, <paramref name="toLocal"/>) (either may be null).</summary>
    /// <exception cref="ConversionException">A car park in the records is not a facility of the city.</exception>
    public static ConversionReport Convert(IReadOnlyList<OccupancySample> samples, CityModel city, TimeZoneInfo zone, DateTime? fromLocal, DateTime? toLocal)
    {
        var unknown = samples.Select(s => s.Facility).Distinct().Where(c => !city.ParkingById.ContainsKey(FacilityId(c))).Order(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw new ConversionException(
                $"{unknown.Length} car park(s) of the records are not parking facilities of city '{city.Name}': {string.Join(", ", unknown.Select(c => $"'{c}' (id {FacilityId(c)})"))}");
        }

        var skipped = new List<string>();
        var notes = new List<string>();
        var text = new StringBuilder();
        var events = 0;
        var selected = samples
            .Select((s, i) => (Sample: s, Index: i))
            .Where(x => (fromLocal is null || x.Sample.LocalTime >= fromLocal) && (toLocal is null || x.Sample.LocalTime < toLocal))
            .ToArray();
        foreach (var group in selected.GroupBy(x => FacilityId(x.Sample.Facility)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var facility = city.ParkingById[group.Key];
            var capacities = group.Select(x => x.Sample.Capacity).Distinct().ToArray();
            if (capacities.Length != 1 || capacities[0] != facility.Capacity)
            {
                notes.Add($"{group.Key}: the records give capacity {string.Join("/", capacities)}, the city {facility.Capacity}");
            }

            long seq = 0;
            foreach (var (sample, _) in group.OrderBy(x => x.Sample.LocalTime).ThenBy(x => x.Index))
            {
                if (sample.Occupied < 0)
                {
                    skipped.Add($"{sample.Facility} at {sample.LocalTime:yyyy-MM-dd HH:mm:ss}: occupancy {sample.Occupied} is negative; left out");
                    continue;
                }

                var local = DateTime.SpecifyKind(sample.LocalTime, DateTimeKind.Unspecified);
                var ts = new DateTimeOffset(local, zone.GetUtcOffset(local));
                seq++;
                text.Append("{\"type\":\"parking-occupancy\",\"sensor\":\"").Append(group.Key)
                    .Append("\",\"ts\":\"").Append(ts.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture))
                    .Append("\",\"seq\":").Append(seq.ToString(CultureInfo.InvariantCulture))
                    .Append(",\"occupied\":").Append(sample.Occupied.ToString(CultureInfo.InvariantCulture))
                    .Append("}\n");
                events++;
            }
        }

        var facilities = selected.Select(x => x.Sample.Facility).Distinct().Count();
        return new ConversionReport(text.ToString(), events, facilities, skipped, notes);
    }

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex NotIdChar();
}
