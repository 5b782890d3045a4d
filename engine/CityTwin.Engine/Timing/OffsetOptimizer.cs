using CityTwin.Engine.Traffic;

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

/// <summary>Settings of <see cref="OffsetOptimizer.Optimise"/> and <see cref="OffsetOptimizer.OptimiseAll"/>.</summary>
public sealed record OffsetOptimizerOptions
{
    /// <summary>The platoon model.</summary>
    public PlatoonDispersion Dispersion { get; init; } = PlatoonDispersion.Transyt;

    /// <summary>
    /// Sweeps of the coordinate search that try every whole second of the cycle for each signal in turn (the search
    /// stops early when one moves no offset).
    /// </summary>
    public int ExhaustiveSweeps { get; init; } = 2;

    /// <summary>Moves (s, each way) the later sweeps try for each signal: TRANSYT's hill climbing with several step sizes.</summary>
    public IReadOnlyList<int> Steps { get; init; } = [1, 2, 4, 8];

    /// <summary>Most sweeps in all (the search stops earlier when a sweep moves no offset).</summary>
    public int MaxSweeps { get; init; } = 50;

    /// <summary>
    /// Corridors searched at once by <see cref="OffsetOptimizer.OptimiseAll"/> (default: one per core). The offsets do
    /// not depend on it: each corridor's search is independent of the others and of the order they run in.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
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
/// direction weighs by its flow. The offsets are whole seconds, found by a coordinate search in the manner of
/// TRANSYT's hill climbing from each of three starts (the current offsets and the one-way green waves each way; the
/// best result is kept): each signal in turn moves to the best whole second of the cycle given the others (two such
/// sweeps), then sweeps try moves of 1, 2, 4 and 8 s each way until a sweep moves nothing. Each corridor's search is deterministic and
/// independent of the others, so <see cref="OptimiseAll"/> runs them in parallel. The first signal keeps its offset
/// (the reference).
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
        ArgumentOutOfRangeException.ThrowIfLessThan(o.MaxSweeps, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(o.ExhaustiveSweeps, nameof(options));
        if (o.Steps.Any(step => step < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "offset search steps must be whole seconds of at least 1");
        }

        var model = new PlatoonModel(network, corridor, turnFlowsVehH, o.Dispersion);
        var c = model.CycleS;
        var n = corridor.SignalIds.Count;
        var start = model.CurrentOffsets();
        var reference = WholeSecond(start[0], c);

        // Starts: the current offsets and the one-way green waves both ways (offsets = cumulative travel times).
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
        double[]? best = null;
        if (n >= 2)
        {
            // A search from each start; the least delay is kept (the first of equals).
            var bestDelay = double.PositiveInfinity;
            foreach (var s in new[] { current, forward, backward })
            {
                var x = s.Select(v => WholeSecond(v, c)).ToArray();
                var d = CoordinateSearch(model, x, o);
                if (d < bestDelay - 1e-12)
                {
                    best = x;
                    bestDelay = d;
                }
            }
        }

        best ??= current;
        return new CorridorOffsets(corridor, c, best, start, model.Delay(best), model.Delay(start), model.Evaluations);
    }

    /// <summary>
    /// Optimises the offsets of several corridors (<see cref="Optimise"/> for each), up to
    /// <see cref="OffsetOptimizerOptions.MaxDegreeOfParallelism"/> at once. The corridors' searches are independent
    /// (the platoon model of a corridor reads only its own signals' plans and offsets), so the results, in the order of
    /// <paramref name="corridors"/>, are the same whatever the number of threads and their scheduling.
    /// </summary>
    public static IReadOnlyList<CorridorOffsets> OptimiseAll(TrafficNetwork network, IReadOnlyList<Corridor> corridors, IReadOnlyDictionary<(string From, string To), double> turnFlowsVehH, OffsetOptimizerOptions? options = null)
    {
        var o = options ?? new OffsetOptimizerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(o.MaxDegreeOfParallelism, 1, nameof(options));
        var results = new CorridorOffsets[corridors.Count];
        Parallel.For(0, corridors.Count, new ParallelOptions { MaxDegreeOfParallelism = o.MaxDegreeOfParallelism }, i =>
            results[i] = Optimise(network, corridors[i], turnFlowsVehH, o));
        return results;
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

    /// <summary>The whole second of [0, cycle) nearest to x on the cycle's circle.</summary>
    private static double WholeSecond(double x, double cycle)
    {
        var w = Math.Round(Wrap(x, cycle));
        return w >= cycle - 1e-9 ? 0 : w;
    }

    /// <summary>
    /// From whole-second offsets <paramref name="x"/> (changed in place): each signal after the first in turn moved to
    /// the best of its trial offsets given the others (every whole second of the cycle in the first
    /// <see cref="OffsetOptimizerOptions.ExhaustiveSweeps"/> sweeps, then the current one plus or minus each of
    /// <see cref="OffsetOptimizerOptions.Steps"/>), trials in increasing order, a move only for a lower delay; until a
    /// sweep moves none or after <see cref="OffsetOptimizerOptions.MaxSweeps"/> sweeps. Returns the delay at the result.
    /// </summary>
    private static double CoordinateSearch(PlatoonModel model, double[] x, OffsetOptimizerOptions o)
    {
        var d = model.Record(x);
        var trials = new SortedSet<double>();
        for (var sweep = 0; sweep < o.MaxSweeps; sweep++)
        {
            var moved = false;
            for (var i = 1; i < x.Length; i++)
            {
                var old = x[i];
                trials.Clear();
                if (sweep < o.ExhaustiveSweeps)
                {
                    for (var v = 0; v < model.Steps; v++)
                    {
                        trials.Add(v);
                    }
                }
                else
                {
                    foreach (var step in o.Steps)
                    {
                        trials.Add(WholeSecond(old - step, model.CycleS));
                        trials.Add(WholeSecond(old + step, model.CycleS));
                    }
                }

                var bestValue = old;
                var bestDelay = d;
                foreach (var v in trials)
                {
                    if (v == old)
                    {
                        continue;
                    }

                    x[i] = v;
                    var dv = model.DelayChanging(i, x);
                    if (dv < bestDelay - 1e-12)
                    {
                        bestDelay = dv;
                        bestValue = v;
                    }
                }

                x[i] = bestValue;
                if (bestValue != old)
                {
                    moved = true;
                    d = model.Record(x);
                }
            }

            if (!moved)
            {
                break;
            }
        }

        return d;
    }

    /// <summary>
    /// The cyclic flow profile model of one corridor, with everything that does not depend on the offsets precomputed,
    /// and each lane group's capacity profile (and, for a group with uniform arrivals, its departure profile) cached by
    /// whole-second offset. <see cref="Record"/> keeps the profile entering each node of both passes, so
    /// <see cref="DelayChanging"/> recomputes only the nodes an offset change reaches: those at and after the signal in
    /// each direction. One instance is used by one thread.
    /// </summary>
    private sealed class PlatoonModel
    {
        private readonly TrafficNetwork _net;
        private readonly int[] _signals;
        private readonly Pass[] _passes;
        private readonly GroupModel[] _groups;
        private readonly int _bins;
        private readonly double _width;
        private readonly double[] _travelS;
        private readonly double[] _arrival;
        private readonly double[] _departure;
        private readonly double[] _capacity;
        private readonly double[] _dispersed;
        private readonly double[] _bufferA;
        private readonly double[] _bufferB;

        public PlatoonModel(TrafficNetwork net, Corridor corridor, IReadOnlyDictionary<(string From, string To), double> turnFlows, PlatoonDispersion dispersion)
        {
            _net = net;
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
            _arrival = new double[_bins];
            _departure = new double[_bins];
            _capacity = new double[_bins];
            _dispersed = new double[_bins];
            _bufferA = new double[_bins];
            _bufferB = new double[_bins];

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

            var groups = new List<GroupModel>();
            var groupIndex = new Dictionary<int, int>();
            int Group(int signal, int g)
            {
                if (!groupIndex.TryGetValue(g, out var i))
                {
                    i = groups.Count;
                    groupIndex[g] = i;
                    groups.Add(new GroupModel(signal, g, GroupFlow(g), _bins));
                }

                return i;
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
                    var feeders = new List<(int Group, double Share)>();
                    if (outLink is { } lo)
                    {
                        foreach (var g in net.Signals[signal].GroupList)
                        {
                            var l = net.GroupLink[g];
                            var q = GroupFlow(g);
                            var k = net.TurnFor(l, lo);
                            if (k >= 0 && net.TurnGroup[k] == g && q > 0)
                            {
                                feeders.Add((g, TurnFlow(l, lo) / q));
                            }
                        }
                    }

                    var receivers = new List<Receiver>();
                    if (inLink is { } li)
                    {
                        for (var g = net.GroupStart[li]; g < net.GroupStart[li + 1]; g++)
                        {
                            if (net.GroupSignal[g] == signal)
                            {
                                var feeds = feeders.FindIndex(f => f.Group == g);
                                receivers.Add(new Receiver(Group(signal, g), feeds >= 0 ? feeders[feeds].Share : -1));
                            }
                        }
                    }

                    var side = feeders.Where(f => !receivers.Any(r => groups[r.Group].NetGroup == f.Group)).Select(f => new Feeder(Group(signal, f.Group), f.Share)).ToArray();
                    Dispersal? dispersal = null;
                    if (inLink is { } link)
                    {
                        var lag = dispersion.Beta * net.FreeTimeS[link] / _width;
                        var shift = (int)Math.Floor(-lag);
                        var f = 1 / (1 + (dispersion.Alpha * lag));
                        var decay = 1 - f;
                        var powers = new double[_bins];
                        for (var b = 0; b < _bins; b++)
                        {
                            powers[b] = Math.Pow(decay, b + 1);
                        }

                        dispersal = new Dispersal((((shift % _bins) + _bins) % _bins), -lag - shift, f, 1 - Math.Pow(decay, _bins), powers);
                    }

                    nodes[j] = new Node(order[j], signal, dispersal, [.. receivers], side, receivers.Any(r => r.Share >= 0) || side.Length > 0, new double[]?[_bins]);
                }

                passes.Add(new Pass(nodes, forward, _bins));
            }

            _passes = [.. passes];
            _groups = [.. groups];
        }

        public double CycleS { get; }

        /// <summary>Whole-second offsets in [0, cycle): 0, 1, ..., Steps - 1.</summary>
        public int Steps => _bins;

        /// <summary>Delay evaluations so far (whole or from a changed signal on).</summary>
        public int Evaluations { get; private set; }

        /// <summary>Free-flow travel time of each corridor link (s), corridor order.</summary>
        public double[] TravelTimesS() => (double[])_travelS.Clone();

        public double[] CurrentOffsets() => _signals.Select(s => _net.Signals[s].OffsetS % CycleS).ToArray();

        /// <summary>Delay (veh·h per hour) at the stop lines fed by corridor links, both directions.</summary>
        public double Delay(double[] offsets)
        {
            Evaluations++;
            return Run(_passes[0], 0, offsets, false) + Run(_passes[1], 0, offsets, false);
        }

        /// <summary>As <see cref="Delay"/>, also keeping the profile entering every node for <see cref="DelayChanging"/>.</summary>
        public double Record(double[] offsets)
        {
            Evaluations++;
            return Run(_passes[0], 0, offsets, true) + Run(_passes[1], 0, offsets, true);
        }

        /// <summary>
        /// <see cref="Delay"/> when only the offset of corridor position <paramref name="position"/> differs from the
        /// offsets last given to <see cref="Record"/>; the same number, bit for bit.
        /// </summary>
        public double DelayChanging(int position, double[] offsets)
        {
            Evaluations++;
            var n = _signals.Length;
            return Run(_passes[0], _passes[0].Forward ? position : n - 1 - position, offsets, false)
                + Run(_passes[1], _passes[1].Forward ? position : n - 1 - position, offsets, false);
        }

        /// <summary>One direction's delay from node <paramref name="from"/> on, starting from the recorded profile entering it.</summary>
        private double Run(Pass pass, int from, double[] offsets, bool record)
        {
            var total = pass.TotalBefore[from];
            var haveInflow = pass.HaveInflowBefore[from];
            var inflow = _bufferA;
            var next = _bufferB;
            Array.Copy(pass.InflowBefore[from], inflow, _bins);
            for (var j = from; j < pass.Nodes.Length; j++)
            {
                if (record)
                {
                    pass.TotalBefore[j] = total;
                    pass.HaveInflowBefore[j] = haveInflow;
                    Array.Copy(inflow, pass.InflowBefore[j], _bins);
                }

                var node = pass.Nodes[j];
                var offset = offsets[node.Position];
                var dispersedTotal = 0.0;
                var dispersed = haveInflow && node.Dispersal is { } dispersal ? Disperse(inflow, dispersal, out dispersedTotal) : null;
                Array.Copy(SideInflow(node, offset), next, _bins);
                foreach (var r in node.Receivers)
                {
                    Arrivals(_groups[r.Group].FlowVehH, dispersed, dispersedTotal, _arrival);
                    total += Queue(_arrival, Capacity(r.Group, offset), _departure);
                    if (r.Share >= 0)
                    {
                        Add(next, _departure, r.Share);
                    }
                }

                (inflow, next) = (next, inflow);
                haveInflow = node.Feeds;
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
            if (dispersed is not null && dispersedTotal > 1e-12)
            {
                var scale = perCycle / dispersedTotal;
                for (var b = 0; b < _bins; b++)
                {
                    arrival[b] = scale * dispersed[b];
                }
            }
            else
            {
                Array.Fill(arrival, perCycle / _bins);
            }
        }

        /// <summary>The group's capacity profile at this offset: cached for a whole second, else computed into a work array.</summary>
        private double[] Capacity(int group, double offset)
        {
            var m = _groups[group];
            if (WholeStep(offset) is { } v)
            {
                return m.Capacity[v] ??= FillCapacity(m, offset, new double[_bins]);
            }

            return FillCapacity(m, offset, _capacity);
        }

        /// <summary>What the node's side streets (uniform arrivals) send into the next corridor link at this offset: cached for a whole second.</summary>
        private double[] SideInflow(Node node, double offset)
        {
            if (WholeStep(offset) is { } v && node.SideInflow[v] is { } cached)
            {
                return cached;
            }

            var sum = new double[_bins];
            foreach (var f in node.SideFeeders)
            {
                Add(sum, SideDepartures(f.Group, offset), f.Share);
            }

            if (WholeStep(offset) is { } w)
            {
                node.SideInflow[w] = sum;
            }

            return sum;
        }

        /// <summary>Departures of a group with uniform arrivals at its flow (a side street feeding the corridor) at this offset.</summary>
        private double[] SideDepartures(int group, double offset)
        {
            var m = _groups[group];
            if (WholeStep(offset) is { } v && m.Departures[v] is { } cached)
            {
                return cached;
            }

            Arrivals(m.FlowVehH, null, 0, _arrival);
            var departures = new double[_bins];
            Queue(_arrival, Capacity(group, offset), departures);
            if (WholeStep(offset) is { } w)
            {
                m.Departures[w] = departures;
            }

            return departures;
        }

        private int? WholeStep(double offset) => offset >= 0 && offset < _bins && offset == Math.Floor(offset) ? (int)offset : null;

        /// <summary>Vehicles the group can let go in each bin: saturation flow x the green time in the bin.</summary>
        private double[] FillCapacity(GroupModel m, double offset, double[] capacity)
        {
            Array.Clear(capacity);
            var s = _net.Signals[m.Signal];
            var slot = _net.GroupSignalSlot[m.NetGroup];
            var served = s.ServedBy[slot];
            var perSecond = 1 / _net.GroupHeadwayS[m.NetGroup];
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

            return capacity;
        }

        /// <summary>
        /// A deterministic queue over the cycle, run to its cyclic steady state (three cycles from empty): departures
        /// per bin and the delay of the last cycle in veh·h per hour. The queue after bin b is Lindley's recursion
        /// q(b) = max(0, q(b - 1) + a(b) - c(b)), taken in its closed form q(b) = P(b) - min(-q0, P(1), ..., P(b)) with
        /// P the running sum of a - c from the cycle's start and q0 the queue at the start; so the first two cycles
        /// take one pass (the cycle's sum and lowest running sum give the queue after each) and the third one more.
        /// </summary>
        private double Queue(double[] arrival, double[] capacity, double[] departure)
        {
            var sum = 0.0;
            var lowest = double.PositiveInfinity;
            for (var b = 0; b < _bins; b++)
            {
                sum += arrival[b] - capacity[b];
                lowest = Math.Min(lowest, sum);
            }

            var afterFirst = sum - Math.Min(0, lowest);
            var start = sum - Math.Min(-afterFirst, lowest);

            var running = 0.0;
            var low = -start;
            var queue = start;
            var vehSeconds = 0.0;
            for (var b = 0; b < _bins; b++)
            {
                running += arrival[b] - capacity[b];
                low = Math.Min(low, running);
                var after = running - low;
                departure[b] = queue + arrival[b] - after;
                vehSeconds += queue + after;
                queue = after;
            }

            return vehSeconds / 2 * _width / CycleS;
        }

        /// <summary>
        /// The link's inflow profile as it arrives at the stop line after the lag (linear interpolation between bins),
        /// smoothed by Robertson's recurrence q'(b) = F q(b - lag) + (1 - F) q'(b - 1) in its cyclic steady state:
        /// one pass from zero gives y, and the steady state is y(b) + (1 - F)^(b + 1) y(last) / (1 - (1 - F)^bins).
        /// Returns a work array and the profile's total.
        /// </summary>
        private double[] Disperse(double[] inflow, Dispersal d, out double total)
        {
            var result = _dispersed;
            var i0 = d.Shift;
            total = 0;
            if (d.F >= 1 - 1e-12)
            {
                for (var b = 0; b < _bins; b++)
                {
                    var i1 = i0 + 1 == _bins ? 0 : i0 + 1;
                    result[b] = ((1 - d.Fraction) * inflow[i0]) + (d.Fraction * inflow[i1]);
                    total += result[b];
                    i0 = i1;
                }

                return result;
            }

            var decay = 1 - d.F;
            var previous = 0.0;
            for (var b = 0; b < _bins; b++)
            {
                var i1 = i0 + 1 == _bins ? 0 : i0 + 1;
                previous = (d.F * (((1 - d.Fraction) * inflow[i0]) + (d.Fraction * inflow[i1]))) + (decay * previous);
                result[b] = previous;
                i0 = i1;
            }

            var carry = previous / d.SteadyDenominator;
            var powers = d.DecayPowers;
            for (var b = 0; b < _bins; b++)
            {
                result[b] += powers[b] * carry;
                total += result[b];
            }

            return result;
        }

        /// <summary>A lane group of the model: its flow, and its capacity and uniform-arrival departure profiles by whole-second offset.</summary>
        private sealed class GroupModel(int signal, int netGroup, double flowVehH, int steps)
        {
            public int Signal { get; } = signal;

            public int NetGroup { get; } = netGroup;

            public double FlowVehH { get; } = flowVehH;

            public double[]?[] Capacity { get; } = new double[]?[steps];

            public double[]?[] Departures { get; } = new double[]?[steps];
        }

        /// <summary>A corridor link's platoon dispersion: the lag as whole bins and a fraction, Robertson's F, 1 - (1 - F)^bins, and (1 - F)^(b + 1) for each bin b.</summary>
        private sealed record Dispersal(int Shift, double Fraction, double F, double SteadyDenominator, double[] DecayPowers);

        /// <summary>A group at the stop line of a corridor link (its delay counts); Share &gt;= 0 when it also feeds the next corridor link.</summary>
        private sealed record Receiver(int Group, double Share);

        /// <summary>A group with uniform arrivals that feeds the next corridor link with this share of its departures.</summary>
        private sealed record Feeder(int Group, double Share);

        private sealed record Node(int Position, int Signal, Dispersal? Dispersal, Receiver[] Receivers, Feeder[] SideFeeders, bool Feeds, double[]?[] SideInflow);

        /// <summary>One direction along the corridor, with the profile entering each node as last recorded.</summary>
        private sealed class Pass(Node[] nodes, bool forward, int bins)
        {
            public Node[] Nodes { get; } = nodes;

            public bool Forward { get; } = forward;

            public double[][] InflowBefore { get; } = [.. nodes.Select(_ => new double[bins])];

            public bool[] HaveInflowBefore { get; } = new bool[nodes.Length];

            public double[] TotalBefore { get; } = new double[nodes.Length];
        }
    }
}
