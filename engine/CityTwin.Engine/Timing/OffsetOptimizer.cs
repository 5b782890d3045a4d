using CityTwin.Engine.Traffic;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace CityTwin.Engine.Timing;

/// <summary>
/// Robertson's platoon dispersion (TRANSYT): the flow arriving at the stop line t steps after the platoon left the
/// upstream stop line is q'(t) = F q(t - T) + (1 - F) q'(t - 1), with the lag T = beta x the cruise travel time and
/// the smoothing factor F = 1 / (1 + alpha T). D. I. Robertson, "TRANSYT: a traffic network study tool", Road
/// Research Laboratory Report LR 253 (1969); alpha = 0.35 and beta = 0.8 are TRANSYT's defaults for urban streets.
/// </summary>
/// <param name="Alpha">Dispersion factor alpha (0: no dispersion).</param>
/// <param name="Beta">Travel-time factor beta.</param>
public sealed record PlatoonDispersion(double Alpha, double Beta)
{
    /// <summary>TRANSYT's defaults: alpha 0.35, beta 0.8.</summary>
    public static PlatoonDispersion Transyt { get; } = new(0.35, 0.8);

    /// <summary>No dispersion: platoons arrive exactly one free-flow travel time after they left (alpha 0, beta 1).</summary>
    public static PlatoonDispersion None { get; } = new(0, 1);
}

/// <summary>Settings of <see cref="OffsetOptimizer.Optimise"/>.</summary>
public sealed record OffsetOptimizerOptions
{
    /// <summary>The platoon model.</summary>
    public PlatoonDispersion Dispersion { get; init; } = PlatoonDispersion.Transyt;

    /// <summary>Stop a Nelder-Mead search when the simplex's relative spread of the delay falls below this.</summary>
    public double Tolerance { get; init; } = 1e-7;

    /// <summary>Most objective evaluations of one Nelder-Mead search.</summary>
    public int MaxEvaluations { get; init; } = 3000;
}

/// <summary>The offsets of one corridor and the platoon model's delay with them.</summary>
/// <param name="Corridor">The corridor.</param>
/// <param name="CycleS">The common cycle (s).</param>
/// <param name="OffsetsS">Offset of each signal in corridor order: whole seconds in [0, cycle).</param>
/// <param name="StartOffsetsS">The offsets the plans had before (corridor order).</param>
/// <param name="ModelDelayVehH">Delay per hour at the corridor's stop lines under the optimised offsets, by the platoon model (veh·h/h).</param>
/// <param name="StartModelDelayVehH">The same under the offsets the plans had before.</param>
/// <param name="Evaluations">Objective evaluations used.</param>
public sealed record CorridorOffsets(
    Corridor Corridor,
    double CycleS,
    IReadOnlyList<double> OffsetsS,
    IReadOnlyList<double> StartOffsetsS,
    double ModelDelayVehH,
    double StartModelDelayVehH,
    int Evaluations);

/// <summary>
/// Chooses the offsets of a corridor's signals (a green wave) by minimising the delay of a cyclic flow profile model
/// in the spirit of TRANSYT (Robertson 1969): each lane group's arrivals over one cycle, in steps of about a second,
/// are uniform, except on a corridor link, where they are the upstream signal's departures into the link (each
/// feeding group's departure profile times its share of that turn) dispersed along the link
/// (<see cref="PlatoonDispersion"/>) and scaled to the group's measured flow; a group's departures follow from its
/// arrivals, its saturation flow and its green (a deterministic queue, run to its cyclic steady state). The objective
/// is the queueing delay (veh·h per hour) at the stop lines the corridor links lead to, both directions, so each
/// direction weighs by its flow. The offsets are found with MathNet.Numerics' Nelder-Mead simplex from several starts
/// (the current offsets, the one-way green waves each way, and a coordinate search over whole seconds), then rounded
/// to whole seconds and polished one second at a time. The first signal keeps its offset (the reference).
/// </summary>
public static class OffsetOptimizer
{
    /// <summary>Optimises the offsets of <paramref name="corridor"/> on <paramref name="network"/>, whose plans must share one cycle.</summary>
    /// <param name="network">The network with the corridor's plans (their cycle, splits and current offsets).</param>
    /// <param name="corridor">The corridor.</param>
    /// <param name="turnFlowsVehH">Flow of each turn (from link, to link), veh/h; a turn not named carries 0.</param>
    /// <param name="options">Settings.</param>
    /// <exception cref="ArgumentException">A signal of the corridor is not in the network, or their cycles differ.</exception>
    public static CorridorOffsets Optimise(TrafficNetwork network, Corridor corridor, IReadOnlyDictionary<(string From, string To), double> turnFlowsVehH, OffsetOptimizerOptions? options = null)
    {
        var o = options ?? new OffsetOptimizerOptions();
        var model = new PlatoonModel(network, corridor, turnFlowsVehH, o.Dispersion);
        var c = model.CycleS;
        var n = corridor.SignalIds.Count;
        var start = model.CurrentOffsets();
        var reference = Wrap(Math.Round(start[0]), c);
        var evaluations = 0;

        double Delay(double[] offsets)
        {
            evaluations++;
            return model.Delay(offsets);
        }

        double[] Full(Vector<double> x)
        {
            var offsets = new double[n];
            offsets[0] = reference;
            for (var i = 1; i < n; i++)
            {
                offsets[i] = Wrap(x[i - 1], c);
            }

            return offsets;
        }

        // Starts: the current offsets, the one-way green waves both ways, and a coordinate search over whole seconds.
        var travel = model.TravelTimesS();
        var forward = new double[n];
        var backward = new double[n];
        forward[0] = backward[0] = reference;
        for (var i = 1; i < n; i++)
        {
            forward[i] = Wrap(forward[i - 1] + travel[i - 1], c);
            backward[i] = Wrap(backward[i - 1] - travel[i - 1], c);
        }

        var current = (double[])start.Clone();
        current[0] = reference;
        var starts = new List<double[]> { current, forward, backward, CoordinateSearch(forward, c, Delay) };

        double[]? best = null;
        var bestDelay = double.PositiveInfinity;
        if (n >= 2)
        {
            var objective = ObjectiveFunction.Value(x => Delay(Full(x)));
            var solver = new NelderMeadSimplex(o.Tolerance, o.MaxEvaluations);
            foreach (var s in starts)
            {
                var x0 = Vector<double>.Build.DenseOfEnumerable(s.Skip(1));
                Vector<double> x;
                try
                {
                    x = solver.FindMinimum(objective, x0, Vector<double>.Build.Dense(n - 1, Math.Max(1, c / 10))).MinimizingPoint;
                }
                catch (MaximumIterationsException)
                {
                    x = x0;
                }

                var candidate = Polish(Full(x).Select(v => Wrap(Math.Round(v), c)).ToArray(), c, Delay);
                var d = Delay(candidate);
                if (d < bestDelay - 1e-12)
                {
                    best = candidate;
                    bestDelay = d;
                }
            }
        }

        best ??= current;
        return new CorridorOffsets(corridor, c, best, start, model.Delay(best), model.Delay(start), evaluations);
    }

    /// <summary>The platoon model's delay (veh·h per hour) at the corridor's stop lines under the given offsets (corridor order).</summary>
    public static double ModelDelayVehH(TrafficNetwork network, Corridor corridor, IReadOnlyDictionary<(string From, string To), double> turnFlowsVehH, IReadOnlyList<double> offsetsS, PlatoonDispersion? dispersion = null) =>
        new PlatoonModel(network, corridor, turnFlowsVehH, dispersion ?? PlatoonDispersion.Transyt).Delay([.. offsetsS]);

    /// <summary>x modulo the cycle, in [0, cycle); a whole second that would equal the cycle becomes 0.</summary>
    private static double Wrap(double x, double cycle)
    {
        var r = x % cycle;
        if (r < 0)
        {
            r += cycle;
        }

        return r >= cycle - 1e-9 ? 0 : r;
    }

    /// <summary>Each signal after the first in turn set to its best whole second given the others, twice over.</summary>
    private static double[] CoordinateSearch(double[] from, double cycle, Func<double[], double> delay)
    {
        var x = (double[])from.Clone();
        for (var i = 1; i < x.Length; i++)
        {
            x[i] = Wrap(Math.Round(x[i]), cycle);
        }

        for (var sweep = 0; sweep < 2; sweep++)
        {
            for (var i = 1; i < x.Length; i++)
            {
                var bestValue = x[i];
                var bestDelay = delay(x);
                for (var v = 0.0; v < cycle - 1e-9; v++)
                {
                    x[i] = v;
                    var d = delay(x);
                    if (d < bestDelay - 1e-12)
                    {
                        bestDelay = d;
                        bestValue = v;
                    }
                }

                x[i] = bestValue;
            }
        }

        return x;
    }

    /// <summary>Moves one offset at a time by one second while that lowers the delay.</summary>
    private static double[] Polish(double[] x, double cycle, Func<double[], double> delay)
    {
        var d = delay(x);
        for (var round = 0; round < 1000; round++)
        {
            var improved = false;
            for (var i = 1; i < x.Length; i++)
            {
                foreach (var step in new[] { -1.0, 1.0 })
                {
                    var old = x[i];
                    x[i] = Wrap(old + step, cycle);
                    var nd = delay(x);
                    if (nd < d - 1e-12)
                    {
                        d = nd;
                        improved = true;
                    }
                    else
                    {
                        x[i] = old;
                    }
                }
            }

            if (!improved)
            {
                break;
            }
        }

        return x;
    }

    /// <summary>The cyclic flow profile model of one corridor, with everything that does not depend on the offsets precomputed.</summary>
    private sealed class PlatoonModel
    {
        private readonly TrafficNetwork _net;
        private readonly int[] _signals;
        private readonly Pass[] _passes;
        private readonly PlatoonDispersion _dispersion;
        private readonly int _bins;
        private readonly double _width;
        private readonly double[] _travelS;

        public PlatoonModel(TrafficNetwork net, Corridor corridor, IReadOnlyDictionary<(string From, string To), double> turnFlows, PlatoonDispersion dispersion)
        {
            _net = net;
            _dispersion = dispersion;
            var index = net.Signals.Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
            _signals = corridor.SignalIds.Select(id => index.TryGetValue(id, out var i) ? i : throw new ArgumentException($"corridor '{corridor}': signal '{id}' is not in the network", nameof(corridor))).ToArray();
            CycleS = net.Signals[_signals[0]].CycleS;
            foreach (var s in _signals)
            {
                if (Math.Abs(net.Signals[s].CycleS - CycleS) > 1e-6)
                {
                    throw new ArgumentException($"corridor '{corridor}': signal '{net.Signals[s].Id}' has a cycle of {net.Signals[s].CycleS:0.##} s, '{net.Signals[_signals[0]].Id}' one of {CycleS:0.##} s; a corridor runs one cycle", nameof(corridor));
                }
            }

            _bins = (int)Math.Ceiling(CycleS - 1e-9);
            _width = CycleS / _bins;

            double TurnFlow(int from, int to) => turnFlows.TryGetValue((net.LinkIds[from], net.LinkIds[to]), out var q) ? q : 0;
            double GroupFlow(int g)
            {
                var l = net.GroupLink[g];
                var q = 0.0;
                for (var k = net.TurnStart[l]; k < net.TurnStart[l + 1]; k++)
                {
                    if (net.TurnGroup[k] == g)
                    {
                        q += TurnFlow(l, net.TurnTo[k]);
                    }
                }

                return q;
            }

            int? LinkOf(string? id) => id is not null && net.LinkIndex.TryGetValue(id, out var l) ? l : null;
            var n = _signals.Length;
            _travelS = new double[Math.Max(0, n - 1)];
            for (var i = 0; i < n - 1; i++)
            {
                var l = LinkOf(corridor.ForwardLinks[i]) ?? LinkOf(corridor.BackwardLinks[i]);
                _travelS[i] = l is { } link ? net.FreeTimeS[link] : 0;
            }

            var passes = new List<Pass>();
            foreach (var forward in new[] { true, false })
            {
                var order = forward ? Enumerable.Range(0, n).ToArray() : Enumerable.Range(0, n).Reverse().ToArray();
                var links = forward
                    ? corridor.ForwardLinks.Select(LinkOf).ToArray()
                    : corridor.BackwardLinks.Select(LinkOf).Reverse().ToArray();
                var nodes = new Node[n];
                for (var j = 0; j < n; j++)
                {
                    var signal = _signals[order[j]];
                    int? inLink = j > 0 ? links[j - 1] : null;
                    int? outLink = j < n - 1 ? links[j] : null;
                    var receivers = new List<GroupRef>();
                    if (inLink is { } li)
                    {
                        for (var g = net.GroupStart[li]; g < net.GroupStart[li + 1]; g++)
                        {
                            if (net.GroupSignal[g] == signal)
                            {
                                receivers.Add(new GroupRef(g, GroupFlow(g), 0));
                            }
                        }
                    }

                    var feeders = new List<GroupRef>();
                    if (outLink is { } lo)
                    {
                        foreach (var g in net.Signals[signal].GroupList)
                        {
                            var l = net.GroupLink[g];
                            var q = GroupFlow(g);
                            var k = net.TurnFor(l, lo);
                            if (k >= 0 && net.TurnGroup[k] == g && q > 0)
                            {
                                feeders.Add(new GroupRef(g, q, TurnFlow(l, lo) / q));
                            }
                        }
                    }

                    nodes[j] = new Node(order[j], signal, inLink, [.. receivers], [.. feeders]);
                }

                passes.Add(new Pass(nodes));
            }

            _passes = [.. passes];
        }

        public double CycleS { get; }

        /// <summary>Free-flow travel time of each corridor link (s), corridor order.</summary>
        public double[] TravelTimesS() => (double[])_travelS.Clone();

        public double[] CurrentOffsets() => _signals.Select(s => _net.Signals[s].OffsetS % CycleS).ToArray();

        /// <summary>Delay (veh·h per hour) at the stop lines fed by corridor links, both directions.</summary>
        public double Delay(double[] offsets)
        {
            var total = 0.0;
            var capacity = new double[_bins];
            var arrival = new double[_bins];
            var departure = new double[_bins];
            var inflow = new double[_bins];
            var next = new double[_bins];
            foreach (var pass in _passes)
            {
                var haveInflow = false;
                foreach (var node in pass.Nodes)
                {
                    var offset = offsets[node.Position];
                    var dispersed = haveInflow && node.InLink is { } li ? Disperse(inflow, _net.FreeTimeS[li]) : null;
                    var inflowTotal = dispersed?.Sum() ?? 0;
                    Array.Clear(next);
                    var feeds = false;
                    foreach (var r in node.Receivers)
                    {
                        Arrivals(r.FlowVehH, dispersed, inflowTotal, arrival);
                        Capacity(node.Signal, r.Group, offset, capacity);
                        total += Queue(arrival, capacity, departure);
                        foreach (var f in node.Feeders)
                        {
                            if (f.Group == r.Group)
                            {
                                Add(next, departure, f.Share);
                                feeds = true;
                            }
                        }
                    }

                    foreach (var f in node.Feeders)
                    {
                        if (node.Receivers.Any(r => r.Group == f.Group))
                        {
                            continue;
                        }

                        Arrivals(f.FlowVehH, null, 0, arrival);
                        Capacity(node.Signal, f.Group, offset, capacity);
                        Queue(arrival, capacity, departure);
                        Add(next, departure, f.Share);
                        feeds = true;
                    }

                    (inflow, next) = (next, inflow);
                    haveInflow = feeds;
                }
            }

            return total;
        }

        private static void Add(double[] into, double[] values, double factor)
        {
            for (var b = 0; b < into.Length; b++)
            {
                into[b] += factor * values[b];
            }
        }

        /// <summary>Arrivals per bin: the dispersed platoon scaled to the group's flow, or uniform.</summary>
        private void Arrivals(double flowVehH, double[]? dispersed, double dispersedTotal, double[] arrival)
        {
            var perCycle = flowVehH * CycleS / 3600;
            for (var b = 0; b < _bins; b++)
            {
                arrival[b] = dispersed is not null && dispersedTotal > 1e-12 ? perCycle * dispersed[b] / dispersedTotal : perCycle / _bins;
            }
        }

        /// <summary>Vehicles the group can let go in each bin: saturation flow x the green time in the bin.</summary>
        private void Capacity(int signal, int group, double offset, double[] capacity)
        {
            Array.Clear(capacity);
            var s = _net.Signals[signal];
            var slot = _net.GroupSignalSlot[group];
            var served = s.ServedBy[slot];
            var perSecond = 1 / _net.GroupHeadwayS[group];
            var phaseStart = 0.0;
            for (var p = 0; p < s.Phases.Count; p++)
            {
                if ((served & (1UL << p)) != 0)
                {
                    var start = (offset + phaseStart) % CycleS;
                    var end = start + s.Phases[p].GreenS;
                    for (var wrap = -1; wrap <= 1; wrap++)
                    {
                        var a = start + (wrap * CycleS);
                        var e = end + (wrap * CycleS);
                        var first = Math.Max(0, (int)Math.Floor(a / _width));
                        var last = Math.Min(_bins - 1, (int)Math.Floor(e / _width));
                        for (var b = first; b <= last; b++)
                        {
                            var overlap = Math.Min(e, (b + 1) * _width) - Math.Max(a, b * _width);
                            if (overlap > 0)
                            {
                                capacity[b] += perSecond * overlap;
                            }
                        }
                    }
                }

                phaseStart += s.Phases[p].DurationS;
            }
        }

        /// <summary>
        /// A deterministic queue over the cycle, run to its cyclic steady state (three cycles from empty): departures
        /// per bin and the delay of the last cycle in veh·h per hour.
        /// </summary>
        private double Queue(double[] arrival, double[] capacity, double[] departure)
        {
            var queue = 0.0;
            var vehSeconds = 0.0;
            for (var cycle = 0; cycle < 3; cycle++)
            {
                vehSeconds = 0;
                for (var b = 0; b < _bins; b++)
                {
                    var before = queue;
                    var go = Math.Min(queue + arrival[b], capacity[b]);
                    queue += arrival[b] - go;
                    departure[b] = go;
                    vehSeconds += (before + queue) / 2 * _width;
                }
            }

            return vehSeconds / CycleS;
        }

        /// <summary>The link's inflow profile as it arrives at the stop line after a travel time, by Robertson's recurrence (cyclic steady state).</summary>
        private double[] Disperse(double[] inflow, double travelS)
        {
            var lag = _dispersion.Beta * travelS / _width;
            var f = 1 / (1 + (_dispersion.Alpha * lag));
            var shifted = new double[_bins];
            for (var b = 0; b < _bins; b++)
            {
                var at = b - lag;
                var lo = Math.Floor(at);
                var frac = at - lo;
                var i0 = (int)(((lo % _bins) + _bins) % _bins);
                var i1 = (i0 + 1) % _bins;
                shifted[b] = ((1 - frac) * inflow[i0]) + (frac * inflow[i1]);
            }

            if (f >= 1 - 1e-12)
            {
                return shifted;
            }

            var result = new double[_bins];
            var previous = 0.0;
            var cycles = 1 + (int)Math.Ceiling(Math.Log(1e-9) / Math.Log(1 - f) / _bins);
            for (var c = 0; c < cycles; c++)
            {
                for (var b = 0; b < _bins; b++)
                {
                    previous = (f * shifted[b]) + ((1 - f) * previous);
                    result[b] = previous;
                }
            }

            return result;
        }

        private sealed record GroupRef(int Group, double FlowVehH, double Share);

        private sealed record Node(int Position, int Signal, int? InLink, GroupRef[] Receivers, GroupRef[] Feeders);

        private sealed record Pass(Node[] Nodes);
    }
}
