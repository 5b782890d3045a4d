using CityTwin.Engine.City;
using CityTwin.Engine.Common;

namespace CityTwin.Engine.Traffic;

/// <summary>Live flow at one approach of a signal, as the twin measures it.</summary>
/// <param name="SignalId">The signal.</param>
/// <param name="ApproachId">The approach of the signal.</param>
/// <param name="FlowVehH">Flow over the twin's flow window (veh/h).</param>
/// <param name="Measured">False when no detector reported (then the flow is not used for fitting).</param>
/// <param name="QueueVeh">The twin's queue estimate at the approach (veh).</param>
public sealed record ApproachFlow(string SignalId, string ApproachId, double FlowVehH, bool Measured, double QueueVeh);

/// <summary>
/// The live twin at one moment, as the engine needs it: the time of day, each signal's current plan, the
/// measured approach flows and queues, and the parking occupancy.
/// </summary>
public sealed record TwinSnapshot(
    double TimeOfDayS,
    IReadOnlyDictionary<string, TimingPlan> Plans,
    IReadOnlyList<ApproachFlow> Flows,
    IReadOnlyDictionary<string, int> ParkingOccupied);

/// <summary>How well a demand reproduces one measured approach flow (veh/h), with the GEH statistic.</summary>
public sealed record CountFit(string SignalId, string ApproachId, double MeasuredVehH, double BaseVehH, double EstimatedVehH)
{
    /// <summary>GEH of the estimate: sqrt(2 (M - C)^2 / (M + C)); under 5 is the usual calibration target.</summary>
    public double Geh => GehOf(MeasuredVehH, EstimatedVehH);

    /// <summary>GEH of the base demand before fitting.</summary>
    public double BaseGeh => GehOf(MeasuredVehH, BaseVehH);

    private static double GehOf(double m, double c) => m + c <= 0 ? 0 : Math.Sqrt(2 * (m - c) * (m - c) / (m + c));
}

/// <summary>A what-if start from the live twin: the network with the live plans, the trips to run, and the evidence of the demand fit.</summary>
public sealed record LiveStartPlan(
    TrafficNetwork Network,
    double StartS,
    double UntilS,
    IReadOnlyList<TripSpec> Trips,
    IReadOnlyList<OdRow> EstimatedOd,
    IReadOnlyList<CountFit> Fit,
    int QueuedVehicles,
    IReadOnlyDictionary<string, int> ParkingOccupied);

/// <summary>
/// Turns a snapshot of the live twin into the engine's initial state and demand estimate:
/// <list type="number">
/// <item>the network runs the signals' current plans from the snapshot;</item>
/// <item>each approach's estimated queue is placed at its stop line at the start, bound for the links its lane groups feed;</item>
/// <item>the demand is the city's base origin-destination table for the horizon, scaled row by row so that the
/// approach flows it produces under free-flow routing match the measured ones: a multiplicative fit in which each
/// row's factor is moved by the trip-weighted mean ratio of measured to modelled flow on the approaches its
/// trips cross (a simple form of matrix estimation from counts), iterated to convergence. Approaches without
/// a measurement do not pull on the fit.</item>
/// </list>
/// The fit's evidence (measured, base and estimated flow, and GEH, per approach) comes with the plan.
/// </summary>
public static class LiveStart
{
    private const int Iterations = 30;
    private const double MinFactor = 0.05;
    private const double MaxFactor = 20;

    /// <summary>Prepares a run from <paramref name="snapshot"/> over <paramref name="horizonS"/> seconds.</summary>
    /// <exception cref="DemandException">The base demand has nothing in the horizon.</exception>
    public static LiveStartPlan Prepare(CityModel city, TwinSnapshot snapshot, IReadOnlyList<OdRow> baseOd, double horizonS, ulong seed)
    {
        if (!(horizonS > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(horizonS), horizonS, "the horizon must be positive");
        }

        var network = CityNetwork.Build(city, snapshot.Plans);
        var t0 = snapshot.TimeOfDayS;
        var t1 = t0 + horizonS;

        // The base demand inside the horizon (rows clipped to it, vehicles in proportion).
        var rows = new List<OdRow>();
        foreach (var r in baseOd)
        {
            var begin = Math.Max(r.BeginS, t0);
            var end = Math.Min(r.EndS, t1);
            if (end > begin)
            {
                rows.Add(r with { BeginS = begin, EndS = end, Vehicles = r.Vehicles * (end - begin) / (r.EndS - r.BeginS) });
            }
        }

        if (rows.Count == 0 || rows.Sum(r => r.Vehicles) <= 0)
        {
            throw new DemandException([$"the base demand has no trips between {t0:F0} s and {t1:F0} s, so there is nothing to fit the live flows to"]);
        }

        // Which approach each row's trips cross, under free-flow routes.
        var approachIndex = network.Approaches.Select((a, i) => (a, i)).ToDictionary(x => (x.a.SignalId, x.a.ApproachId), x => x.i);
        var crossings = RowCrossings(network, rows, seed);
        var hours = horizonS / 3600.0;
        var measured = new double[network.Approaches.Count];
        var has = new bool[network.Approaches.Count];
        foreach (var f in snapshot.Flows)
        {
            if (f.Measured && approachIndex.TryGetValue((f.SignalId, f.ApproachId), out var a))
            {
                measured[a] = f.FlowVehH;
                has[a] = true;
            }
        }

        var factors = Enumerable.Repeat(1.0, rows.Count).ToArray();
        var baseFlow = Modelled(crossings, factors, network.Approaches.Count, hours);
        for (var it = 0; it < Iterations; it++)
        {
            var modelled = Modelled(crossings, factors, network.Approaches.Count, hours);
            for (var r = 0; r < rows.Count; r++)
            {
                double weight = 0, sum = 0;
                foreach (var (a, count) in crossings[r])
                {
                    if (has[a] && modelled[a] > 0)
                    {
                        weight += count;
                        sum += count * (measured[a] / modelled[a]);
                    }
                }

                if (weight > 0)
                {
                    factors[r] = Math.Clamp(factors[r] * (sum / weight), MinFactor, MaxFactor);
                }
            }
        }

        var estimated = Modelled(crossings, factors, network.Approaches.Count, hours);
        var fit = Enumerable.Range(0, network.Approaches.Count).Where(a => has[a])
            .Select(a => new CountFit(network.Approaches[a].SignalId, network.Approaches[a].ApproachId, measured[a], baseFlow[a], estimated[a]))
            .ToList();
        var estimatedRows = rows.Select((r, i) => r with { Vehicles = r.Vehicles * factors[i] }).ToList();

        var trips = new List<TripSpec>(OdDemand.Expand(network, estimatedRows, seed));
        var queued = QueuedTrips(city, network, snapshot, t0, seed);
        trips.AddRange(queued);
        return new LiveStartPlan(network, t0, t1, trips, estimatedRows, fit, queued.Count, snapshot.ParkingOccupied);
    }

    /// <summary>For each row: the approaches its expanded trips cross, with counts (trips of the row at scale 1).</summary>
    private static List<(int Approach, int Count)>[] RowCrossings(TrafficNetwork network, List<OdRow> rows, ulong seed)
    {
        var result = new List<(int, int)>[rows.Count];
        var router = new Router(network);
        var freeCost = network.FreeFlowTurnCosts();
        for (var r = 0; r < rows.Count; r++)
        {
            // Expand each row on its own with a large multiple so small rows still sample their paths; counts are scaled back.
            const int Samples = 20;
            var row = rows[r] with { Vehicles = Math.Max(1, rows[r].Vehicles) * Samples };
            var counts = new Dictionary<int, double>();
            var byOrigin = OdDemand.Expand(network, [row], seed + (ulong)r)
                .GroupBy(t => network.LinkIndex[t.FromLink], t => network.LinkIndex[t.ToLink]);
            foreach (var trips in byOrigin)
            {
                var o = trips.Key;
                var destinations = trips.ToArray();
                router.Grow(o, destinations, freeCost);
                foreach (var d in destinations)
                {
                    var path = router.PathTo(o, d);
                    if (path is null)
                    {
                        continue;
                    }

                    for (var i = 0; i + 1 < path.Length; i++)
                    {
                        var g = network.GroupFor(path[i], path[i + 1]);
                        var a = g >= 0 ? network.GroupApproach[g] : -1;
                        if (a >= 0)
                        {
                            counts[a] = counts.GetValueOrDefault(a) + 1;
                        }
                    }
                }
            }

            var scale = rows[r].Vehicles / row.Vehicles;
            result[r] = counts.OrderBy(c => c.Key).Select(c => (c.Key, (int)Math.Round(c.Value * scale * 1000))).ToList();
        }

        return result;
    }

    /// <summary>Approach flows (veh/h) from the rows' crossings at the given factors (crossing counts are in thousandths).</summary>
    private static double[] Modelled(List<(int Approach, int Count)>[] crossings, double[] factors, int approaches, double hours)
    {
        var flow = new double[approaches];
        for (var r = 0; r < crossings.Length; r++)
        {
            foreach (var (a, count) in crossings[r])
            {
                flow[a] += factors[r] * count / 1000.0 / hours;
            }
        }

        return flow;
    }

    /// <summary>The approaches' queue estimates as vehicles waiting at the stop line at the start, spread over the links their lane groups feed.</summary>
    private static List<TripSpec> QueuedTrips(CityModel city, TrafficNetwork network, TwinSnapshot snapshot, double t0, ulong seed)
    {
        var rng = SeededRandom.ForStream(seed, 3);
        var trips = new List<TripSpec>();
        foreach (var f in snapshot.Flows.OrderBy(f => f.SignalId, StringComparer.Ordinal).ThenBy(f => f.ApproachId, StringComparer.Ordinal))
        {
            var n = (int)Math.Round(f.QueueVeh);
            if (n <= 0 || !city.SignalsById.TryGetValue(f.SignalId, out var s))
            {
                continue;
            }

            var approach = s.Approaches.FirstOrDefault(a => a.Id == f.ApproachId);
            if (approach?.LinkId is null || !network.LinkIndex.TryGetValue(approach.LinkId, out var l))
            {
                continue;
            }

            var next = Enumerable.Range(network.TurnStart[l], network.TurnStart[l + 1] - network.TurnStart[l]).Select(k => network.TurnTo[k]).ToArray();
            if (next.Length == 0)
            {
                continue;
            }

            for (var i = 0; i < n; i++)
            {
                var to = network.LinkIds[next[rng.NextInt(next.Length)]];
                trips.Add(new TripSpec($"queue.{f.SignalId}.{f.ApproachId}.{i + 1}", t0, approach.LinkId, to, [approach.LinkId, to]) { AtStopLine = true });
            }
        }

        return trips;
    }
}
