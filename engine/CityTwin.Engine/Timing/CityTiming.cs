using CityTwin.Engine.City;
using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Timing;

/// <summary>Settings of <see cref="CityTiming.Recommend"/>.</summary>
public sealed record CityTimingOptions
{
    /// <summary>Start of the analysis window (s from midnight).</summary>
    public double FromS { get; init; } = 7 * 3600;

    /// <summary>End of the analysis window (s from midnight).</summary>
    public double ToS { get; init; } = 9 * 3600;

    /// <summary>Cycle of the rule-of-thumb baseline (s).</summary>
    public double BaselineCycleS { get; init; } = 90;

    /// <summary>Paired replications of the evidence.</summary>
    public int Replications { get; init; } = 10;

    /// <summary>Seed of the first replication (and of the simulation that measures the flows).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Vehicles still in the network at the end of the window are followed this long (s).</summary>
    public double DrainS { get; init; } = 1800;
}

/// <summary>Plans for every signal of a city, with the evidence that they beat the baseline.</summary>
/// <param name="Baseline">The rule-of-thumb plans by signal.</param>
/// <param name="Optimised">The optimised plans by signal.</param>
/// <param name="Flows">Lane-group flows (veh/h) the plans were optimised on, by signal.</param>
/// <param name="VehiclesMeasured">Vehicles counted across the lane groups in the measuring simulation.</param>
/// <param name="Comparison">Total delay under both over the replications.</param>
public sealed record CityTimingResult(
    IReadOnlyDictionary<string, TimingPlan> Baseline,
    IReadOnlyDictionary<string, OptimisedPlan> Optimised,
    IReadOnlyDictionary<string, Dictionary<LaneGroupRef, double>> Flows,
    long VehiclesMeasured,
    PlanComparison Comparison);

/// <summary>
/// Recommends plans for every signal of a city over a time window and proves them by simulation against the rule
/// of thumb (equal splits, one cycle): lane-group flows from a simulation of the baseline, each signal optimised on
/// them (<see cref="TimingOptimizer"/>), every plan checked by the safety rules, and the change of total delay over
/// seeded paired replications (<see cref="PlanEvaluation"/>).
/// </summary>
public static class CityTiming
{
    /// <summary>Runs the study on the city's trips and origin-destination rows (only departures in the window count).</summary>
    public static CityTimingResult Recommend(CityModel city, IReadOnlyList<TripSpec> trips, IReadOnlyList<OdRow> od, CityTimingOptions? options = null)
    {
        var o = options ?? new CityTimingOptions();
        if (!(o.ToS > o.FromS))
        {
            throw new ArgumentException("the window must end after it starts", nameof(options));
        }

        var profiles = city.Signals.ToDictionary(s => s.Id, s => SafetyProfile.For(city, s), StringComparer.Ordinal);
        var baseline = city.Signals.ToDictionary(s => s.Id, s => TimingOptimizer.RuleOfThumb(s, profiles[s.Id], o.BaselineCycleS), StringComparer.Ordinal);

        IReadOnlyList<TripSpec> Demand(TrafficNetwork net, ulong seed) =>
            [.. trips.Where(t => t.DepartS >= o.FromS && t.DepartS < o.ToS), .. OdDemand.Expand(net, od, seed).Where(t => t.DepartS >= o.FromS && t.DepartS < o.ToS)];
        var sim = new SimulationOptions { StartS = o.FromS, UntilS = o.ToS + o.DrainS, MaxDurationS = o.DrainS };

        var baseNet = CityNetwork.Build(city, baseline);
        var measured = new Simulation(baseNet, Demand(baseNet, o.Seed), sim with { Seed = o.Seed, UntilS = o.ToS }).Run();
        var flows = PlanEvaluation.LaneGroupFlows(city, measured, (o.ToS - o.FromS) / 3600);

        var optimised = city.Signals.ToDictionary(s => s.Id, s => TimingOptimizer.Optimise(s, flows[s.Id], profiles[s.Id]), StringComparer.Ordinal);
        var candidate = optimised.ToDictionary(kv => kv.Key, kv => kv.Value.Plan, StringComparer.Ordinal);
        var comparison = PlanEvaluation.Compare(city, Demand, baseline, candidate, o.Replications, o.Seed, sim);
        return new CityTimingResult(baseline, optimised, flows, measured.LaneGroupServed.Values.Sum(), comparison);
    }
}
