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

    /// <summary>Corridors to coordinate (one cycle, offsets for a green wave); none by default.</summary>
    public CorridorChoice Corridors { get; init; } = CorridorChoice.None;

    /// <summary>Settings of the offset search.</summary>
    public OffsetOptimizerOptions? Offsets { get; init; }

    /// <summary>
    /// With corridors, also measure what the offsets alone are worth: the coordinated plans with their original offsets
    /// as a fourth arm of the replications (<see cref="CityTimingResult.OffsetComparison"/>); it costs one more
    /// simulation per replication.
    /// </summary>
    public bool OffsetEvidence { get; init; } = true;

    /// <summary>Also compare max-pressure control with the recommended fixed plans (a what-if).</summary>
    public bool CompareMaxPressure { get; init; }
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
    PlanComparison Comparison)
{
    /// <summary>
    /// The plans recommended, by signal, which <see cref="Comparison"/> is about: the coordinated plans when they beat
    /// the signals' own optimised plans with the stated confidence (<see cref="CoordinationComparison"/>), else the
    /// optimised plans.
    /// </summary>
    public IReadOnlyDictionary<string, TimingPlan> Recommended { get; init; } = new Dictionary<string, TimingPlan>();

    /// <summary>The coordinated corridors with their offsets and the platoon model's delays.</summary>
    public IReadOnlyList<CorridorOffsets> Corridors { get; init; } = [];

    /// <summary>
    /// The coordinated plans (null without corridors): the optimised plans, and for the signals of a corridor the
    /// plans re-split at the corridor's common cycle with their optimised offsets.
    /// </summary>
    public IReadOnlyDictionary<string, TimingPlan>? Coordinated { get; init; }

    /// <summary>What the offsets are worth: the coordinated plans against the same plans with their original offsets (null without corridors or without <see cref="CityTimingOptions.OffsetEvidence"/>).</summary>
    public PlanComparison? OffsetComparison { get; init; }

    /// <summary>Whether to coordinate: the coordinated plans against the signals' own optimised plans (null without corridors).</summary>
    public PlanComparison? CoordinationComparison { get; init; }

    /// <summary>The coordinated plans are the recommended ones.</summary>
    public bool CoordinationAdopted => CoordinationComparison is { SignificantImprovement: true };

    /// <summary>Max-pressure control (candidate) against the recommended fixed plans (baseline); null unless asked for.</summary>
    public PlanComparison? MaxPressureComparison { get; init; }
}

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

        // The flows are measured in the baseline's first replication (seed --seed) as it passes the end of the window,
        // exactly what a run ending there gives; the run then goes on through the drain beside the optimisation and
        // counts in the evidence.
        var baseNet = CityNetwork.Build(city, baseline);
        var atWindowEnd = new TaskCompletionSource<SimulationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstBaseline = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    var run = new Simulation(baseNet, Demand(baseNet, o.Seed), sim with { Seed = o.Seed, RoutingThreads = 1, RecordTrips = false });
                    var result = run.Run(s =>
                    {
                        if (!atWindowEnd.Task.IsCompleted && s.NowS >= o.ToS - 1e-9)
                        {
                            atWindowEnd.SetResult(s.ResultSoFar());
                        }
                    });
                    atWindowEnd.TrySetException(new InvalidOperationException("the baseline run ended before the end of the window"));
                    return result.City.Total.TotalDelayVehH;
                }
                catch (Exception e)
                {
                    atWindowEnd.TrySetException(e);
                    throw;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        // Meanwhile the other core runs the baseline's second replication (both count in the evidence as they are).
        var secondBaseline = Task.Factory.StartNew(
            () => new Simulation(baseNet, Demand(baseNet, o.Seed + 1), sim with { Seed = o.Seed + 1, RoutingThreads = 1, RecordTrips = false }).Run().City.Total.TotalDelayVehH,
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        var measured = atWindowEnd.Task.GetAwaiter().GetResult();
        var flows = PlanEvaluation.LaneGroupFlows(city, measured, (o.ToS - o.FromS) / 3600);

        var optimised = InParallel(city.Signals, s => TimingOptimizer.Optimise(s, flows[s.Id], profiles[s.Id]));
        var candidate = optimised.ToDictionary(kv => kv.Key, kv => kv.Value.Plan, StringComparer.Ordinal);

        IReadOnlyList<CorridorOffsets> corridorOffsets = [];
        var corridors = o.Corridors.IsAuto
            ? Timing.Corridors.Find(city, Timing.Corridors.LinkFlows(measured, (o.ToS - o.FromS) / 3600))
            : o.Corridors.Lists.Select(ids => Timing.Corridors.FromIds(city, ids)).ToList();
        Timing.Corridors.CheckDisjoint(corridors);

        // One set of paired replications: the baseline, each signal's own optimised plan and, with corridors, the
        // coordinated plans (and the same with their original offsets when asked); every comparison pairs two arms.
        var arms = new List<EvaluationArm> { new(baseline), new(candidate) };
        Dictionary<string, TimingPlan>? coordinatedPlans = null;
        if (corridors.Count > 0)
        {
            (var coordinated, corridorOffsets, var uncoordinated) = Coordinate(city, corridors, optimised, flows, profiles, measured, (o.ToS - o.FromS) / 3600, o.Offsets);
            coordinatedPlans = coordinated;
            arms.Add(new(coordinated));
            if (o.OffsetEvidence)
            {
                arms.Add(new(uncoordinated));
            }
        }

        var runs = PlanEvaluation.Replicate(city, Demand, arms, o.Replications, o.Seed, sim, known: new Dictionary<(int, int), Task<double>> { [(0, 0)] = firstBaseline, [(0, 1)] = secondBaseline });
        PlanComparison? coordinationComparison = null;
        PlanComparison? offsetComparison = null;
        var recommendedArm = 1;
        if (coordinatedPlans is not null)
        {
            coordinationComparison = runs.Compare(1, 2);
            offsetComparison = o.OffsetEvidence ? runs.Compare(3, 2) : null;
            if (coordinationComparison.SignificantImprovement)
            {
                candidate = coordinatedPlans;
                recommendedArm = 2;
            }
        }

        var comparison = runs.Compare(0, recommendedArm);

        // The what-if runs max-pressure alone on the same seeds and trips and pairs it with the recommended arm.
        var maxPressure = o.CompareMaxPressure
            ? PlanEvaluation.Paired(runs, recommendedArm, PlanEvaluation.Replicate(city, Demand, [new(candidate, sim with { Control = SignalControl.MaxPressure })], o.Replications, o.Seed, sim), 0)
            : null;
        return new CityTimingResult(baseline, optimised, flows, measured.LaneGroupServed.Values.Sum(), comparison)
        {
            Recommended = candidate,
            Corridors = corridorOffsets,
            Coordinated = coordinatedPlans,
            OffsetComparison = offsetComparison,
            CoordinationComparison = coordinationComparison,
            MaxPressureComparison = maxPressure,
        };
    }

    /// <summary>The value of every signal, computed in parallel (each independently, so the same numbers as one by one), by signal id.</summary>
    private static Dictionary<string, T> InParallel<T>(IReadOnlyList<SignalSite> signals, Func<SignalSite, T> value)
    {
        var values = new T[signals.Count];
        Parallel.For(0, signals.Count, i => values[i] = value(signals[i]));
        return Enumerable.Range(0, signals.Count).ToDictionary(i => signals[i].Id, i => values[i], StringComparer.Ordinal);
    }

    /// <summary>
    /// Coordinates corridors: every signal of a corridor re-split at the corridor's common cycle (the largest of its
    /// signals' optimised cycles), then the corridor's offsets by <see cref="OffsetOptimizer"/> on the measured turn
    /// flows. Returns the plans with the new offsets, the offsets, and the same plans with their original offsets
    /// (the city plan's offset modulo the new cycle).
    /// </summary>
    private static (Dictionary<string, TimingPlan> Coordinated, IReadOnlyList<CorridorOffsets> Offsets, Dictionary<string, TimingPlan> Uncoordinated) Coordinate(
        CityModel city,
        IReadOnlyList<Corridor> corridors,
        IReadOnlyDictionary<string, OptimisedPlan> optimised,
        IReadOnlyDictionary<string, Dictionary<LaneGroupRef, double>> flows,
        IReadOnlyDictionary<string, SafetyProfile> profiles,
        SimulationResult measured,
        double hours,
        OffsetOptimizerOptions? options)
    {
        var plans = optimised.ToDictionary(kv => kv.Key, kv => kv.Value.Plan, StringComparer.Ordinal);
        var cycleOf = corridors
            .SelectMany(c => c.SignalIds.Select(id => (Id: id, CycleS: c.SignalIds.Max(x => optimised[x].Plan.CycleS))))
            .ToDictionary(x => x.Id, x => x.CycleS, StringComparer.Ordinal);
        var resplit = InParallel([.. cycleOf.Keys.Select(id => city.SignalsById[id])], site => Math.Abs(optimised[site.Id].Plan.CycleS - cycleOf[site.Id]) < 1e-9
            ? optimised[site.Id].Plan
            : TimingOptimizer.Optimise(site, flows[site.Id], profiles[site.Id], new TimingOptimizerOptions { FixedCycleS = cycleOf[site.Id] }).Plan);
        foreach (var (id, plan) in resplit)
        {
            var site = city.SignalsById[id];
            plans[id] = plan with { Id = "coordinated", OffsetS = ((site.Plan.OffsetS % plan.CycleS) + plan.CycleS) % plan.CycleS };
        }

        var uncoordinated = new Dictionary<string, TimingPlan>(plans, StringComparer.Ordinal);
        var turnFlows = measured.TurnFlowsVehH(hours);
        var net = CityNetwork.Build(city, plans);
        var results = OffsetOptimizer.OptimiseAll(net, corridors, turnFlows, options);
        foreach (var r in results)
        {
            var corridor = r.Corridor;
            for (var i = 0; i < corridor.SignalIds.Count; i++)
            {
                var id = corridor.SignalIds[i];
                plans[id] = plans[id] with { OffsetS = r.OffsetsS[i] };
                var violations = SafetyRules.Check(city.SignalsById[id], plans[id], profiles[id]);
                if (violations.Count > 0)
                {
                    throw new InvalidOperationException($"signal '{id}': the coordinated plan breaks the safety rules: {string.Join("; ", violations.Select(v => v.Message))}");
                }
            }
        }

        return (plans, results, uncoordinated);
    }
}
