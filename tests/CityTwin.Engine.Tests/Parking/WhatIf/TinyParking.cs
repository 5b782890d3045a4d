using CityTwin.Engine.City;
using CityTwin.Engine.Parking.WhatIf;
using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Tests.Parking.WhatIf;

/// <summary>Small parking areas without a road network (straight-line driving distances) for exact checks.</summary>
internal static class TinyParking
{
    /// <summary>Stays with median 1 h and sigma 0.5: mean e^0.125 = 1.1331 h.</summary>
    public static readonly DwellDistribution OneHour = DwellDistribution.FromMedian(1.0, 0.5);

    public static ParkingSite Site(string id, double x, double y, int capacity, double price = 1.0, ParkingType type = ParkingType.OffStreet) =>
        new(id, id, x, y, capacity, price, "EUR", type, "Z");

    /// <summary>An area with the given facilities and one destination "dest" at (x, y).</summary>
    public static ParkingArea Area(double destX, double destY, params ParkingSite[] sites) =>
        ParkingArea.Create(sites, [new ParkingDestination("dest", "Z", destX, destY, 1.0)], circuity: 1.0);

    /// <summary>Assumptions with every driver in reach parking (share 1) and no day-of-week variation.</summary>
    public static ParkingDemandAssumptions Assumptions(double maxWalkM = 600, double maxSearchWalkM = 1000) => new()
    {
        Dwell = OneHour,
        ParkingShare = 1.0,
        MaxWalkM = maxWalkM,
        MaxSearchWalkM = maxSearchWalkM,
    };

    /// <summary>A constant demand of <paramref name="perHour"/> drivers an hour, all day, to "dest".</summary>
    public static ParkingDemand Demand(ParkingArea area, double perHour, ParkingDemandAssumptions? a = null) =>
        ParkingDemand.Build(area, [new OdRow("anywhere", "dest", 0, 86400, perHour * 24)], [], a ?? Assumptions());

    public static FacilityWeek Facility(ParkingRunResult r, string id, int week = 1) =>
        r.FacilityWeeks.Single(f => f.FacilityId == id && f.Week == week);

    public static long Sum(ParkingRunResult r, string id, Func<FacilityWeek, long> kpi) =>
        r.FacilityWeeks.Where(f => f.FacilityId == id).Sum(kpi);
}
