namespace CityTwin.Engine.Live;

/// <summary>What a signal or facility reports up to its cell and district after it changes.</summary>
public sealed record EntitySummary(
    string EntityId,
    bool IsSignal,
    long AsOfTicks,
    double FlowVehH,
    double MaxDegreeOfSaturation,
    double QueueVeh,
    int Capacity,
    int Occupied);

/// <summary>Aggregates of the live entities inside a cell or a district.</summary>
public sealed record AreaAggregate(
    int Signals,
    int SignalsReporting,
    double TotalFlowVehH,
    double MeanDegreeOfSaturation,
    double MaxDegreeOfSaturation,
    int SignalsOverSaturated,
    double TotalQueueVeh,
    int Facilities,
    int FacilitiesReporting,
    int Capacity,
    int Occupied,
    double? OccupancyRatio,
    int FacilitiesAbove90Percent,
    long? AsOfTicks)
{
    /// <summary>Degree of saturation above which a signal counts as over-saturated.</summary>
    public const double OverSaturatedAt = 1.0;

    /// <summary>
    /// Builds the aggregate of an area from its members (from the city) and the summaries received so far.
    /// Capacity counts every facility of the area; occupancy only those that have reported.
    /// </summary>
    public static AreaAggregate Of(int signals, IReadOnlyCollection<int> facilityCapacities, IEnumerable<EntitySummary> summaries)
    {
        var list = summaries.ToList();
        var sig = list.Where(s => s.IsSignal).ToList();
        var park = list.Where(s => !s.IsSignal).ToList();
        var reportingCapacity = park.Sum(p => p.Capacity);
        var occupied = park.Sum(p => p.Occupied);
        return new AreaAggregate(
            signals,
            sig.Count,
            sig.Sum(s => s.FlowVehH),
            sig.Count == 0 ? 0 : sig.Average(s => s.MaxDegreeOfSaturation),
            sig.Select(s => s.MaxDegreeOfSaturation).DefaultIfEmpty(0).Max(),
            sig.Count(s => s.MaxDegreeOfSaturation > OverSaturatedAt),
            sig.Sum(s => s.QueueVeh),
            facilityCapacities.Count,
            park.Count,
            facilityCapacities.Sum(),
            occupied,
            reportingCapacity == 0 ? null : (double)occupied / reportingCapacity,
            park.Count(p => p.Capacity > 0 && (double)p.Occupied / p.Capacity > 0.9),
            list.Count == 0 ? null : list.Max(s => s.AsOfTicks));
    }
}
