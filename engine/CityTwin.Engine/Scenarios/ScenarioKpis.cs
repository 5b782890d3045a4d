namespace CityTwin.Engine.Scenarios;

/// <summary>A KPI a scenario can report and decide on.</summary>
/// <param name="Name">Its name in scripts and reports.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="Goal">Whether it is better low or high.</param>
/// <param name="Description">What it measures.</param>
public sealed record KpiInfo(string Name, string Unit, Goal Goal, string Description);

/// <summary>The KPIs scenarios know.</summary>
public static class ScenarioKpis
{
    /// <summary>Every KPI, in report order.</summary>
    public static readonly IReadOnlyList<KpiInfo> All =
    [
        new("totalDelayVehH", "veh-h", Goal.Minimise, "delay at signals summed over every vehicle"),
        new("meanTripDurationS", "s", Goal.Minimise, "mean duration of the trips completed"),
        new("meanTimeLossS", "s", Goal.Minimise, "mean time lost against free flow per completed trip"),
        new("tripsCompleted", "trips", Goal.Maximise, "trips that reached their destination"),
        new("stops", "stops", Goal.Minimise, "stops at signals"),
        new("maxQueueVeh", "veh", Goal.Minimise, "the longest queue at any approach"),
        new("spillbackMin", "min", Goal.Minimise, "link-minutes with the link full to its storage"),
        new("vehicleKm", "veh-km", Goal.Minimise, "distance driven"),
        new("parkingRejected", "arrivals", Goal.Minimise, "parking arrivals that found no space"),
        new("parkingSearchVehKm", "veh-km", Goal.Minimise, "distance driven searching for a space"),
        new("parkingHoursAbove90", "h", Goal.Minimise, "facility-hours above 90% occupancy"),
        new("parkingRevenue", "currency", Goal.Maximise, "parking revenue"),
    ];

    /// <summary>The KPIs by name.</summary>
    public static readonly IReadOnlyDictionary<string, KpiInfo> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    /// <summary>The KPIs reported when a script names none.</summary>
    public static readonly IReadOnlyList<string> Default = ["totalDelayVehH", "meanTripDurationS", "tripsCompleted", "stops", "maxQueueVeh", "spillbackMin"];
}
