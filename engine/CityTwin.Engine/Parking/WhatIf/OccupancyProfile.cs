namespace CityTwin.Engine.Parking.WhatIf;

/// <summary>One occupancy count of a car park: <paramref name="Occupied"/> of <paramref name="Capacity"/> spaces at a local time.</summary>
public readonly record struct OccupancySample(string Facility, int Capacity, int Occupied, DateTime LocalTime);

/// <summary>
/// What occupancy counts say about demand by day of week, fitted by <see cref="Fit"/>: the city-wide occupancy
/// (occupied over capacity, summed over car parks) in each weekday and time-of-day slot; the level of each day of
/// the week against the mean of Monday to Friday; and the peak of the Monday-to-Friday curve.
/// </summary>
/// <param name="DayFactors">Monday..Sunday: the day's mean occupancy over the slots every day has, over the Monday-Friday mean (Monday-Friday average 1).</param>
/// <param name="WeekdayPeakOccupancy">Highest slot of the Monday-to-Friday mean occupancy curve.</param>
/// <param name="WeekdayPeakSlot">Its time of day (minutes from midnight).</param>
/// <param name="SlotMinutes">Width of a time-of-day slot.</param>
/// <param name="Profile">Occupancy by [day 0 = Monday][slot], NaN where no count fell.</param>
/// <param name="Used">Counts used.</param>
/// <param name="DroppedBad">Counts dropped: capacity 0 or less, or occupied below 0.</param>
/// <param name="Clipped">Counts above capacity, taken as full.</param>
/// <param name="Duplicates">Repeated (facility, time) counts, the later ones dropped.</param>
/// <param name="Facilities">Car parks seen.</param>
/// <param name="First">First count's time.</param>
/// <param name="Last">Last count's time.</param>
public sealed record OccupancyProfileFit(
    IReadOnlyList<double> DayFactors,
    double WeekdayPeakOccupancy,
    int WeekdayPeakSlot,
    int SlotMinutes,
    IReadOnlyList<IReadOnlyList<double>> Profile,
    int Used,
    int DroppedBad,
    int Clipped,
    int Duplicates,
    int Facilities,
    DateTime First,
    DateTime Last)
{
    /// <summary>
    /// Fits the profile. A count goes to the slot its time rounds to (nearest <paramref name="slotMinutes"/>);
    /// a slot's occupancy is the sum of occupied over the sum of capacities of its counts (so big car parks
    /// weigh more, as they do for a city's spaces). Day factors use only the slots every day of the week has.
    /// </summary>
    public static OccupancyProfileFit Fit(IEnumerable<OccupancySample> samples, int slotMinutes = 30)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (slotMinutes <= 0 || 1440 % slotMinutes != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slotMinutes), slotMinutes, "must divide a day");
        }

        var slots = 1440 / slotMinutes;
        var occupied = new double[7, slots];
        var capacity = new double[7, slots];
        var seen = new HashSet<(string, DateTime)>();
        var facilities = new HashSet<string>(StringComparer.Ordinal);
        int used = 0, bad = 0, clipped = 0, duplicates = 0;
        DateTime first = DateTime.MaxValue, last = DateTime.MinValue;
        foreach (var s in samples)
        {
            if (s.Capacity <= 0 || s.Occupied < 0)
            {
                bad++;
                continue;
            }

            if (!seen.Add((s.Facility, s.LocalTime)))
            {
                duplicates++;
                continue;
            }

            var occ = s.Occupied;
            if (occ > s.Capacity)
            {
                clipped++;
                occ = s.Capacity;
            }

            var minutes = (s.LocalTime.TimeOfDay.TotalMinutes + (slotMinutes / 2.0)) / slotMinutes;
            var day = s.LocalTime.Date;
            var slot = (int)Math.Floor(minutes);
            if (slot >= slots)
            {
                slot -= slots;
                day = day.AddDays(1);
            }

            var d = ((int)day.DayOfWeek + 6) % 7;
            occupied[d, slot] += occ;
            capacity[d, slot] += s.Capacity;
            facilities.Add(s.Facility);
            used++;
            first = s.LocalTime < first ? s.LocalTime : first;
            last = s.LocalTime > last ? s.LocalTime : last;
        }

        if (used == 0)
        {
            throw new ArgumentException("no usable occupancy counts (every one had capacity <= 0 or occupied < 0)");
        }

        var profile = new double[7][];
        for (var d = 0; d < 7; d++)
        {
            profile[d] = new double[slots];
            for (var k = 0; k < slots; k++)
            {
                profile[d][k] = capacity[d, k] > 0 ? occupied[d, k] / capacity[d, k] : double.NaN;
            }
        }

        var common = Enumerable.Range(0, slots).Where(k => Enumerable.Range(0, 7).All(d => !double.IsNaN(profile[d][k]))).ToList();
        if (common.Count == 0)
        {
            throw new ArgumentException("the counts do not cover one time-of-day slot on every day of the week, so day-of-week factors cannot be fitted");
        }

        var dayMean = Enumerable.Range(0, 7).Select(d => common.Average(k => profile[d][k])).ToArray();
        var weekdayMean = dayMean.Take(5).Average();
        var factors = dayMean.Select(m => m / weekdayMean).ToArray();

        var peak = double.NegativeInfinity;
        var peakSlot = -1;
        for (var k = 0; k < slots; k++)
        {
            if (Enumerable.Range(0, 5).Any(d => double.IsNaN(profile[d][k])))
            {
                continue;
            }

            var m = Enumerable.Range(0, 5).Average(d => profile[d][k]);
            if (m > peak)
            {
                peak = m;
                peakSlot = k;
            }
        }

        if (peakSlot < 0)
        {
            throw new ArgumentException("the counts do not cover one time-of-day slot on every weekday (Monday to Friday)");
        }

        return new OccupancyProfileFit(factors, peak, peakSlot * slotMinutes, slotMinutes, profile, used, bad, clipped, duplicates, facilities.Count, first, last);
    }
}
