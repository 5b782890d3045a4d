using System.Collections.Concurrent;
using CityTwin.Engine.City;
using CityTwin.Engine.Traffic;
using MathNet.Numerics.Distributions;

namespace CityTwin.Engine.Timing;

/// <summary>One paired replication: the same trips and seed under the baseline and the candidate plans.</summary>
/// <param name="Replication">0-based replication number.</param>
/// <param name="Seed">Seed of the replication (demand expansion and speed factors).</param>
/// <param name="Trips">Trips simulated.</param>
/// <param name="BaselineDelayVehH">Total stop-line delay under the baseline plans (veh·h).</param>
/// <param name="CandidateDelayVehH">Total stop-line delay under the candidate plans (veh·h).</param>
public sealed record ReplicationDelay(int Replication, ulong Seed, int Trips, double BaselineDelayVehH, double CandidateDelayVehH)
{
    /// <summary>Candidate minus baseline (veh·h); negative is an improvement.</summary>
    public double ChangeVehH => CandidateDelayVehH - BaselineDelayVehH;
}

/// <summary>
/// The simulated effect of a change of plans: the mean total delay under each, and the mean paired change with its
/// confidence interval (Student's t over the replications' differences).
/// </summary>
/// <param name="Confidence">Confidence level of the interval (0.95).</param>
/// <param name="BaselineMeanVehH">Mean total delay under the baseline (veh·h).</param>
/// <param name="CandidateMeanVehH">Mean total delay under the candidate (veh·h).</param>
/// <param name="ChangeVehH">Mean paired change (veh·h).</param>
/// <param name="ChangeLowVehH">Lower end of the interval of the change (veh·h).</param>
/// <param name="ChangeHighVehH">Upper end of the interval of the change (veh·h).</param>
/// <param name="Runs">The replications.</param>
public sealed record PlanComparison(
    double Confidence,
    double BaselineMeanVehH,
    double CandidateMeanVehH,
    double ChangeVehH,
    double ChangeLowVehH,
    double ChangeHighVehH,
    IReadOnlyList<ReplicationDelay> Runs)
{
    /// <summary>The change as a percentage of the baseline mean.</summary>
    public double ChangePercent => Percent(ChangeVehH);

    /// <summary>Lower end of the interval as a percentage of the baseline mean.</summary>
    public double ChangeLowPercent => Percent(ChangeLowVehH);

    /// <summary>Upper end of the interval as a percentage of the baseline mean.</summary>
    public double ChangeHighPercent => Percent(ChangeHighVehH);

    /// <summary>The candidate is better with the stated confidence: the whole interval lies below zero.</summary>
    public bool SignificantImprovement => ChangeHighVehH < 0;

    private double Percent(double vehH) => BaselineMeanVehH > 0 ? 100 * vehH / BaselineMeanVehH : 0;
}

/// <summary>One arm of a set of paired replications: plans by signal id (signals not named keep the city's own plan) and, when they differ from the set's, simulation settings.</summary>
/// <param name="Plans">The plans.</param>
/// <param name="Options">Simulation settings of this arm (another signal control, say); null: the set's. The seed is still the replication's.</param>
public sealed record EvaluationArm(IReadOnlyDictionary<string, TimingPlan> Plans, SimulationOptions? Options = null);

/// <summary>
/// The delay of every arm in every replication of a set of paired replications (<see cref="PlanEvaluation.Replicate"/>):
/// each replication ran every arm on the same trips with the same seed (common random numbers).
/// </summary>
/// <param name="Seeds">Seed of each replication.</param>
/// <param name="Trips">Trips simulated in each replication.</param>
/// <param name="DelayVehH">Delay (veh·h) by arm, then replication.</param>
public sealed record ReplicatedDelays(IReadOnlyList<ulong> Seeds, IReadOnlyList<int> Trips, IReadOnlyList<IReadOnlyList<double>> DelayVehH)
{
    /// <summary>Arm <paramref name="candidate"/> against arm <paramref name="baseline"/>: the paired change with its confidence interval.</summary>
    public PlanComparison Compare(int baseline, int candidate, double confidence = 0.95) =>
        PlanEvaluation.Paired(this, baseline, this, candidate, confidence);
}

/// <summary>
/// Proves a change of signal plans by simulation: each replication expands the demand and runs the engine with its
/// own seed, once with each set of plans (common random numbers, so the paired difference carries little noise).
/// The simulations run in parallel, each on one thread; the numbers do not depend on the number of cores.
/// </summary>
public static class PlanEvaluation
{
    /// <summary>
    /// Compares two sets of plans (by signal id; signals not named keep the city's own plan) over
    /// <paramref name="replications"/> seeded replications (seeds <paramref name="seed"/>, seed + 1, ...).
    /// </summary>
    /// <param name="city">The city.</param>
    /// <param name="demand">The trips of one replication, from the network and the replication's seed.</param>
    /// <param name="baseline">Baseline plans.</param>
    /// <param name="candidate">Candidate plans.</param>
    /// <param name="replications">Number of replications (at least 2 for an interval).</param>
    /// <param name="seed">Seed of the first replication.</param>
    /// <param name="options">Simulation settings (seed, routing threads and trip records are set per replication).</param>
    /// <param name="confidence">Confidence level of the interval.</param>
    /// <param name="candidateOptions">
    /// Simulation settings of the candidate arm when they differ from the baseline's (another signal control, say:
    /// max-pressure against fixed plans); the seed is still the replication's.
    /// </param>
    /// <param name="measure">The delay compared (veh·h) from a run's result; default the city's total stop-line delay.</param>
    public static PlanComparison Compare(
        CityModel city,
        Func<TrafficNetwork, ulong, IReadOnlyList<TripSpec>> demand,
        IReadOnlyDictionary<string, TimingPlan> baseline,
        IReadOnlyDictionary<string, TimingPlan> candidate,
        int replications,
        ulong seed,
        SimulationOptions options,
        double confidence = 0.95,
        SimulationOptions? candidateOptions = null,
        Func<SimulationResult, double>? measure = null)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(confidence is > 0 and < 1, true, nameof(confidence));
        return Replicate(city, demand, [new EvaluationArm(baseline), new EvaluationArm(candidate, candidateOptions)], replications, seed, options, measure).Compare(0, 1, confidence);
    }

    /// <summary>
    /// Runs <paramref name="replications"/> seeded replications (seeds <paramref name="seed"/>, seed + 1, ...) of
    /// every arm: in each, the trips come from <paramref name="demand"/> on the first arm's network and the
    /// replication's seed, and every arm runs them with that seed. Any two arms then compare as paired replications
    /// (<see cref="ReplicatedDelays.Compare"/>), with the same numbers as a <see cref="Compare(CityModel, Func{TrafficNetwork, ulong, IReadOnlyList{TripSpec}}, IReadOnlyDictionary{string, TimingPlan}, IReadOnlyDictionary{string, TimingPlan}, int, ulong, SimulationOptions, double, SimulationOptions?, Func{SimulationResult, double}?)"/>
    /// of the two: one simulation per arm and replication instead of two per comparison.
    /// </summary>
    /// <param name="city">The city.</param>
    /// <param name="demand">The trips of one replication, from a network and the replication's seed (its links, not its plans, may matter).</param>
    /// <param name="arms">The arms (at least one).</param>
    /// <param name="replications">Number of replications (at least 2 for an interval).</param>
    /// <param name="seed">Seed of the first replication.</param>
    /// <param name="options">Simulation settings (seed, routing threads and trip records are set per replication).</param>
    /// <param name="measure">The delay (veh·h) from a run's result; default the city's total stop-line delay.</param>
    /// <param name="known">
    /// Delays of runs already under way elsewhere, by (arm, replication), which must be those runs exactly (the
    /// arm's plans and settings, the replication's trips and seed, routing on one thread): they are waited for
    /// after every other run is done.
    /// </param>
    public static ReplicatedDelays Replicate(
        CityModel city,
        Func<TrafficNetwork, ulong, IReadOnlyList<TripSpec>> demand,
        IReadOnlyList<EvaluationArm> arms,
        int replications,
        ulong seed,
        SimulationOptions options,
        Func<SimulationResult, double>? measure = null,
        IReadOnlyDictionary<(int Arm, int Replication), Task<double>>? known = null)
    {
        measure ??= r => r.City.Total.TotalDelayVehH;
        ArgumentOutOfRangeException.ThrowIfLessThan(replications, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(arms.Count, 1, nameof(arms));
        var nets = new TrafficNetwork[arms.Count];
        Parallel.For(0, arms.Count, a => nets[a] = CityNetwork.Build(city, arms[a].Plans));
        var delays = arms.Select(_ => new double[replications]).ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        var trips = new IReadOnlyList<TripSpec>[replications];
        Parallel.For(0, replications, parallel, r => trips[r] = demand(nets[0], seed + (ulong)r));

        // One task per simulation (replication by replication), each core taking the next when it is free, so the
        // cores stay busy to the end; the known runs last.
        var work = Enumerable.Range(0, replications * arms.Count)
            .Select(k => Math.DivRem(k, arms.Count))
            .OrderBy(x => known?.ContainsKey((x.Remainder, x.Quotient)) == true ? 1 : 0)
            .ToArray();
        Parallel.ForEach(Partitioner.Create(work, EnumerablePartitionerOptions.NoBuffering), parallel, item =>
        {
            var (r, a) = item;
            if (known is not null && known.TryGetValue((a, r), out var running))
            {
                delays[a][r] = running.GetAwaiter().GetResult();
                return;
            }

            var o = (arms[a].Options ?? options) with { Seed = seed + (ulong)r, RoutingThreads = 1, RecordTrips = false };
            delays[a][r] = measure(new Simulation(nets[a], trips[r], o).Run());
        });

        return new ReplicatedDelays(
            [.. Enumerable.Range(0, replications).Select(r => seed + (ulong)r)],
            [.. trips.Select(t => t.Count)],
            delays);
    }

    /// <summary>
    /// Arm <paramref name="candidateArm"/> of <paramref name="candidates"/> against arm <paramref name="baselineArm"/>
    /// of <paramref name="baselines"/> as paired replications: the two sets must have run the same seeds on the same
    /// trips (one set, or a second <see cref="Replicate"/> with the same seeds and demand). The change is the mean paired
    /// difference with its Student-t interval.
    /// </summary>
    /// <exception cref="ArgumentException">The sets' seeds or trip counts differ.</exception>
    public static PlanComparison Paired(ReplicatedDelays baselines, int baselineArm, ReplicatedDelays candidates, int candidateArm, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(confidence is > 0 and < 1, true, nameof(confidence));
        if (!baselines.Seeds.SequenceEqual(candidates.Seeds) || !baselines.Trips.SequenceEqual(candidates.Trips))
        {
            throw new ArgumentException("paired replications need the same seeds and the same trips in both sets", nameof(candidates));
        }

        var n = baselines.Seeds.Count;
        var runs = Enumerable.Range(0, n)
            .Select(r => new ReplicationDelay(r, baselines.Seeds[r], baselines.Trips[r], baselines.DelayVehH[baselineArm][r], candidates.DelayVehH[candidateArm][r]))
            .ToArray();
        var diffs = runs.Select(r => r.ChangeVehH).ToArray();
        var mean = diffs.Average();
        var sd = Math.Sqrt(diffs.Sum(d => (d - mean) * (d - mean)) / (n - 1));
        var half = StudentT.InvCDF(0, 1, n - 1, 1 - ((1 - confidence) / 2)) * sd / Math.Sqrt(n);
        return new PlanComparison(
            confidence,
            runs.Average(r => r.BaselineDelayVehH),
            runs.Average(r => r.CandidateDelayVehH),
            mean,
            mean - half,
            mean + half,
            runs);
    }

    /// <summary>
    /// Flow (veh/h) of every signalised lane group in a simulation result of <paramref name="hours"/> hours, keyed
    /// as the timing code keys lane groups.
    /// </summary>
    public static Dictionary<string, Dictionary<LaneGroupRef, double>> LaneGroupFlows(CityModel city, SimulationResult result, double hours)
    {
        var flows = new Dictionary<string, Dictionary<LaneGroupRef, double>>(StringComparer.Ordinal);
        foreach (var s in city.Signals)
        {
            var map = new Dictionary<LaneGroupRef, double>();
            foreach (var a in s.Approaches)
            {
                foreach (var g in a.LaneGroups)
                {
                    map[new LaneGroupRef(a.Id, g.Id)] = result.LaneGroupServed.TryGetValue(CityNetwork.LaneGroupLabel(s.Id, a.Id, g.Id), out var n) ? n / hours : 0;
                }
            }

            flows[s.Id] = map;
        }

        return flows;
    }
}
