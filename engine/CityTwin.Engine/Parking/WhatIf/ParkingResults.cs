namespace CityTwin.Engine.Parking.WhatIf;

/// <summary>
/// Running counts of a run, all days included: every driver who arrived has parked, been rejected, or is still
/// searching (<c>Arrivals == Parked + Rejected + Searching</c>), and <c>Occupied == Parked - Departed</c>.
/// </summary>
public readonly record struct ParkingCounters(double TimeS, long Arrivals, long Parked, long Rejected, long Searching, long Departed, long Occupied);

/// <summary>One facility in one week (counts by the week the driver arrived).</summary>
/// <param name="Week">1-based week.</param>
/// <param name="FacilityId">The facility.</param>
/// <param name="Capacity">Its spaces in this scenario.</param>
/// <param name="FirstChoiceArrivals">Drivers who came for this facility first.</param>
/// <param name="Parked">Drivers who parked here (first choice or spilled over from another).</param>
/// <param name="SpilledIn">Of those, drivers who found their first choice full.</param>
/// <param name="SpilledOut">Drivers who came for this facility first and found it full.</param>
/// <param name="Rejected">Drivers who came for this facility first and found no space in their tries.</param>
/// <param name="SearchVehKm">Distance driven searching by drivers who came for this facility first.</param>
/// <param name="SearchHours">Time spent driving while searching by them.</param>
/// <param name="Revenue">Money taken here (price over each stay that began this week).</param>
/// <param name="HoursAtOrAbove90">Hours with occupancy at or above 90% of capacity.</param>
/// <param name="MeanOccupancy">Time-weighted occupancy over the week.</param>
/// <param name="MaxOccupancy">Highest occupancy seen.</param>
/// <param name="MeanWalkM">Mean straight-line walk from here to the destination of those who parked.</param>
public sealed record FacilityWeek(
    int Week,
    string FacilityId,
    int Capacity,
    long FirstChoiceArrivals,
    long Parked,
    long SpilledIn,
    long SpilledOut,
    long Rejected,
    double SearchVehKm,
    double SearchHours,
    double Revenue,
    double HoursAtOrAbove90,
    double MeanOccupancy,
    double MaxOccupancy,
    double MeanWalkM);

/// <summary>KPIs summed over facilities (one week, or the whole run).</summary>
public sealed record ParkingTotals(
    long Arrivals,
    long Parked,
    long SpilledOut,
    long Rejected,
    double SearchVehKm,
    double SearchHours,
    double Revenue,
    double HoursAtOrAbove90,
    double MeanOccupancy)
{
    /// <summary>Sums facility-weeks; mean occupancy weighted by capacity.</summary>
    public static ParkingTotals Of(IEnumerable<FacilityWeek> rows)
    {
        var list = rows.ToList();
        var capacity = list.Sum(r => (double)r.Capacity);
        return new ParkingTotals(
            list.Sum(r => r.FirstChoiceArrivals),
            list.Sum(r => r.Parked),
            list.Sum(r => r.SpilledOut),
            list.Sum(r => r.Rejected),
            list.Sum(r => r.SearchVehKm),
            list.Sum(r => r.SearchHours),
            list.Sum(r => r.Revenue),
            list.Sum(r => r.HoursAtOrAbove90),
            capacity > 0 ? list.Sum(r => r.MeanOccupancy * r.Capacity) / capacity : 0);
    }

    /// <summary>Mean search time (minutes) of the drivers who found their first choice full.</summary>
    public double MeanSearchMinutes => SpilledOut > 0 ? SearchHours * 60 / SpilledOut : 0;
}

/// <summary>The price in force at a facility for one day type and band in one week, and the occupancy it met.</summary>
public sealed record BandPrice(int Week, string FacilityId, DayType DayType, PriceBand Band, double Price, double MeanOccupancy);

/// <summary>
/// Search drivers from one facility to the next in one hour of day: mean vehicles per day of that type, with the
/// links they drive (empty without a road network).
/// </summary>
public sealed record SearchLeg(string FromFacility, string ToFacility, DayType DayType, int Hour, double VehiclesPerDay, IReadOnlyList<string> Links);

/// <summary>Search traffic on one link in one hour of day: mean vehicles per hour on days of that type.</summary>
public sealed record LinkLoad(string LinkId, DayType DayType, int Hour, double VehiclesPerHour);

/// <summary>Everything one run measured.</summary>
/// <param name="Scenario">Scenario name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="Weeks">Weeks measured.</param>
/// <param name="ArrivalCap">Multiple of the demand drawn before thinning by price.</param>
/// <param name="FacilityWeeks">Per week and facility, in week then facility order.</param>
/// <param name="Prices">Prices in force per week, facility, day type and band (facilities the policy prices).</param>
/// <param name="SearchLegs">Search traffic between facilities.</param>
/// <param name="LinkLoads">Search traffic on links.</param>
/// <param name="Final">Counts at the end (all days, warm-up included).</param>
public sealed record ParkingRunResult(
    string Scenario,
    ulong Seed,
    int Weeks,
    double ArrivalCap,
    IReadOnlyList<FacilityWeek> FacilityWeeks,
    IReadOnlyList<BandPrice> Prices,
    IReadOnlyList<SearchLeg> SearchLegs,
    IReadOnlyList<LinkLoad> LinkLoads,
    ParkingCounters Final)
{
    /// <summary>
    /// Per facility (in the area's order, as week 1 of <see cref="FacilityWeeks"/>) and measured hour (0: Monday 00:00-01:00
    /// of week 1): the mean number of vehicles parked in that hour.
    /// </summary>
    public IReadOnlyList<double[]> HourlyOccupied { get; init; } = [];

    /// <summary>Per facility and measured hour, as <see cref="HourlyOccupied"/>: the share of the hour at or above 90% occupancy.</summary>
    public IReadOnlyList<double[]> HourlyAtOrAbove90 { get; init; } = [];

    /// <summary>Totals over every facility and week.</summary>
    public ParkingTotals Totals => ParkingTotals.Of(FacilityWeeks);

    /// <summary>Totals of week <paramref name="week"/> (1-based).</summary>
    public ParkingTotals Week(int week) => ParkingTotals.Of(FacilityWeeks.Where(f => f.Week == week));
}
