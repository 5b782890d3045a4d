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

/// <summary>
/// Proves a change of signal plans by simulation: each replication expands the demand and runs the engine with its
/// own seed, once with the baseline plans and once with the candidate plans (common random numbers, so the paired
/// difference carries little noise). Replications run in parallel, each on one thread; the numbers do not depend on
/// the number of cores.
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
        measure ??= r => r.City.Total.TotalDelayVehH;
        ArgumentOutOfRangeException.ThrowIfLessThan(replications, 2);
        ArgumentOutOfRangeException.ThrowIfNotEqual(confidence is > 0 and < 1, true, nameof(confidence));
        var baseNet = CityNetwork.Build(city, baseline);
        var candNet = CityNetwork.Build(city, candidate);
        var runs = new ReplicationDelay[replications];
        Parallel.For(0, replications, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, r =>
        {
            var s = seed + (ulong)r;
            var trips = demand(baseNet, s);
            var o = options with { Seed = s, RoutingThreads = 1, RecordTrips = false };
            var oc = (candidateOptions ?? options) with { Seed = s, RoutingThreads = 1, RecordTrips = false };
            var b = measure(new Simulation(baseNet, trips, o).Run());
            var c = measure(new Simulation(candNet, trips, oc).Run());
            runs[r] = new ReplicationDelay(r, s, trips.Count, b, c);
        });

        var diffs = runs.Select(r => r.ChangeVehH).ToArray();
        var mean = diffs.Average();
        var sd = Math.Sqrt(diffs.Sum(d => (d - mean) * (d - mean)) / (replications - 1));
        var half = StudentT.InvCDF(0, 1, replications - 1, 1 - ((1 - confidence) / 2)) * sd / Math.Sqrt(replications);
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
