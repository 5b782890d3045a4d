using CityTwin.Engine.City;
using CityTwin.Engine.Traffic;
using NetTopologySuite.Geometries;

namespace CityTwin.Engine.Timing;

/// <summary>
/// An ordered chain of signals along consecutive links: the signals of a street whose plans share one cycle and
/// whose offsets make a green wave.
/// </summary>
/// <param name="SignalIds">The signals in order (at least two).</param>
/// <param name="ForwardLinks">For each consecutive pair, the link from the first to the second (null when there is none: one-way the other way).</param>
/// <param name="BackwardLinks">For each consecutive pair, the link from the second back to the first (null when there is none).</param>
public sealed record Corridor(IReadOnlyList<string> SignalIds, IReadOnlyList<string?> ForwardLinks, IReadOnlyList<string?> BackwardLinks)
{
    /// <summary>The corridor as it is written on the command line: signal ids joined by commas.</summary>
    public override string ToString() => string.Join(',', SignalIds);
}

/// <summary>Which corridors a timing study coordinates.</summary>
public sealed record CorridorChoice
{
    private CorridorChoice(bool auto, IReadOnlyList<IReadOnlyList<string>> lists)
    {
        IsAuto = auto;
        Lists = lists;
    }

    /// <summary>No corridor: every signal keeps its own cycle and offset.</summary>
    public static CorridorChoice None { get; } = new(false, []);

    /// <summary>Corridors found from the city and its flows (<see cref="Corridors.Find"/>).</summary>
    public static CorridorChoice Auto { get; } = new(true, []);

    /// <summary>Found automatically.</summary>
    public bool IsAuto { get; }

    /// <summary>Explicit corridors, each an ordered list of signal ids.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Lists { get; }

    /// <summary>These corridors, each an ordered list of signal ids.</summary>
    public static CorridorChoice Explicit(IReadOnlyList<IReadOnlyList<string>> lists) => new(false, lists);
}

/// <summary>Settings of <see cref="Corridors.Find"/>.</summary>
public sealed record CorridorSearchOptions
{
    /// <summary>
    /// Signals further apart than this free-flow travel time (s) are not chained: a platoon has dispersed by then.
    /// 120 s, about 1,600 m at 50 km/h; MUTCD 2009 section 4D.15 asks for coordination of signals within half a mile
    /// (800 m) along a major route.
    /// </summary>
    public double MaxLinkTravelS { get; init; } = 120;

    /// <summary>A continuation counts as straight when it turns less than this (degrees), as the engine's through movement.</summary>
    public double MaxTurnDeg { get; init; } = 45;
}

/// <summary>Finds and checks corridors of signals.</summary>
public static class Corridors
{
    /// <summary>
    /// Corridors found from the city: from each pair of neighbouring signals (joined by a link either way) a chain
    /// grows at both ends along the straightest continuation (a through movement, turning less than
    /// <see cref="CorridorSearchOptions.MaxTurnDeg"/>; nearly straight ones, within a third of it, first; among those,
    /// the one with the higher flow) to a signal not yet
    /// in a corridor, while the link's free-flow time is at most <see cref="CorridorSearchOptions.MaxLinkTravelS"/>;
    /// the chain carrying the most flow (summed over its links, both ways) becomes a corridor, and the search repeats
    /// over the signals left. Each signal is in at most one corridor (it has one offset);
    /// chains of one signal are dropped. Deterministic: ties go to the lower ids.
    /// </summary>
    /// <param name="city">The city.</param>
    /// <param name="linkFlowsVehH">Flow of each link (veh/h); a link not named counts as 0.</param>
    /// <param name="options">Settings.</param>
    public static IReadOnlyList<Corridor> Find(CityModel city, IReadOnlyDictionary<string, double> linkFlowsVehH, CorridorSearchOptions? options = null)
    {
        var o = options ?? new CorridorSearchOptions();
        double Flow(RoadLink? l) => l is not null && linkFlowsVehH.TryGetValue(l.Id, out var q) ? q : 0;
        bool Short(RoadLink l) => l.LengthM / (l.SpeedLimitKmh / 3.6) <= o.MaxLinkTravelS;

        var signals = city.SignalsById;
        var between = SignalLinks(city);
        var pairs = between.Keys
            .Select(k => string.CompareOrdinal(k.From, k.To) < 0 ? (k.From, k.To) : (k.To, k.From))
            .Distinct()
            .Select(p => (A: p.Item1, B: p.Item2, Flow: Flow(Link(between, p.Item1, p.Item2)) + Flow(Link(between, p.Item2, p.Item1))))
            .OrderByDescending(p => p.Flow).ThenBy(p => p.A, StringComparer.Ordinal).ThenBy(p => p.B, StringComparer.Ordinal)
            .ToList();

        var used = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<Corridor>();
        double PairFlow(string x, string y) => Flow(Link(between, x, y)) + Flow(Link(between, y, x));

        // Each signal's neighbours (joined by a link either way) with that link, and the signals' projected positions.
        var neighbours = between.Keys
            .SelectMany(k => new[] { (At: k.From, Other: k.To), (At: k.To, Other: k.From) })
            .Distinct()
            .GroupBy(x => x.At, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => (Id: x.Other, Link: Link(between, x.At, x.Other) ?? Link(between, x.Other, x.At)!)).ToArray(), StringComparer.Ordinal);
        var position = signals.ToDictionary(kv => kv.Key, kv => city.Projection.Project(kv.Value.Location), StringComparer.Ordinal);

        List<string> Grow(string a, string b)
        {
            var chain = new LinkedList<string>([a, b]);
            var taken = new HashSet<string>([a, b], StringComparer.Ordinal);

            // Grow forward from b (heading a -> b), then backward from a (heading b -> a).
            foreach (var forward in new[] { true, false })
            {
                while (true)
                {
                    var (prev, end) = forward ? (chain.Last!.Previous!.Value, chain.Last.Value) : (chain.First!.Next!.Value, chain.First.Value);
                    string? next = null;
                    (bool Straight, double Flow) bestKey = default;
                    foreach (var (id, link) in neighbours.GetValueOrDefault(end, []))
                    {
                        if (taken.Contains(id) || used.Contains(id) || !Short(link))
                        {
                            continue;
                        }

                        var turn = Math.Abs(TurnDeg(position[prev], position[end], position[id]));
                        if (!(turn < o.MaxTurnDeg))
                        {
                            continue;
                        }

                        // Nearly straight first, then the higher flow, then the lower id.
                        var key = (Straight: turn < o.MaxTurnDeg / 3, Flow: PairFlow(end, id));
                        if (next is null
                            || (key.Straight && !bestKey.Straight)
                            || (key.Straight == bestKey.Straight && (key.Flow > bestKey.Flow || (key.Flow == bestKey.Flow && string.CompareOrdinal(id, next) < 0))))
                        {
                            next = id;
                            bestKey = key;
                        }
                    }

                    if (next is null)
                    {
                        break;
                    }

                    taken.Add(next);
                    if (forward)
                    {
                        chain.AddLast(next);
                    }
                    else
                    {
                        chain.AddFirst(next);
                    }
                }
            }

            return [.. chain];
        }

        // Each round grows a chain from every pair of free signals and keeps the one carrying the most flow (the sum
        // over its links, both ways): whole arterials before fragments.
        while (true)
        {
            List<string>? best = null;
            var bestFlow = double.NegativeInfinity;
            foreach (var (a, b, _) in pairs)
            {
                if (used.Contains(a) || used.Contains(b) || !Short(Link(between, a, b) ?? Link(between, b, a)!))
                {
                    continue;
                }

                var chain = Grow(a, b);
                var flow = chain.Zip(chain.Skip(1), PairFlow).Sum();
                if (flow > bestFlow + 1e-9)
                {
                    best = chain;
                    bestFlow = flow;
                }
            }

            if (best is null)
            {
                break;
            }

            used.UnionWith(best);
            result.Add(Of(between, best));
        }

        return result;
    }

    /// <summary>
    /// A corridor from an ordered list of signal ids; consecutive signals must be joined by a link (either way).
    /// </summary>
    /// <exception cref="ArgumentException">An id is not a signal, appears twice, or two consecutive signals are not joined by a link.</exception>
    public static Corridor FromIds(CityModel city, IReadOnlyList<string> signalIds)
    {
        if (signalIds.Count < 2)
        {
            throw new ArgumentException($"corridor '{string.Join(',', signalIds)}': needs at least two signals", nameof(signalIds));
        }

        var between = SignalLinks(city);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < signalIds.Count; i++)
        {
            var id = signalIds[i];
            if (!city.SignalsById.ContainsKey(id))
            {
                throw new ArgumentException($"corridor '{string.Join(',', signalIds)}': '{id}' is not a signal of the city", nameof(signalIds));
            }

            if (!seen.Add(id))
            {
                throw new ArgumentException($"corridor '{string.Join(',', signalIds)}': '{id}' appears twice", nameof(signalIds));
            }

            if (i > 0 && Link(between, signalIds[i - 1], id) is null && Link(between, id, signalIds[i - 1]) is null)
            {
                throw new ArgumentException($"corridor '{string.Join(',', signalIds)}': no link joins '{signalIds[i - 1]}' and '{id}'", nameof(signalIds));
            }
        }

        return Of(between, signalIds);
    }

    /// <summary>Checks that no signal is in two corridors.</summary>
    /// <exception cref="ArgumentException">A signal is in two corridors.</exception>
    public static void CheckDisjoint(IReadOnlyList<Corridor> corridors)
    {
        var seen = new Dictionary<string, Corridor>(StringComparer.Ordinal);
        foreach (var c in corridors)
        {
            foreach (var id in c.SignalIds)
            {
                if (seen.TryGetValue(id, out var other))
                {
                    throw new ArgumentException($"signal '{id}' is in two corridors ('{other}' and '{c}'): a signal has one offset");
                }

                seen[id] = c;
            }
        }
    }

    /// <summary>Flow of every link (veh/h): the vehicles that turned off it, from a simulation's turn counts over <paramref name="hours"/>.</summary>
    public static Dictionary<string, double> LinkFlows(SimulationResult result, double hours)
    {
        var flows = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (from, turns) in result.TurnServed)
        {
            flows[from] = turns.Values.Sum() / hours;
        }

        return flows;
    }

    /// <summary>Links whose both ends are signals, by (from, to); the first by id when two join the same pair.</summary>
    private static Dictionary<(string From, string To), RoadLink> SignalLinks(CityModel city)
    {
        var between = new Dictionary<(string From, string To), RoadLink>();
        foreach (var l in city.Links.OrderBy(l => l.Id, StringComparer.Ordinal))
        {
            if (city.SignalsById.ContainsKey(l.From) && city.SignalsById.ContainsKey(l.To) && l.From != l.To)
            {
                between.TryAdd((l.From, l.To), l);
            }
        }

        return between;
    }

    private static RoadLink? Link(Dictionary<(string From, string To), RoadLink> between, string from, string to) =>
        between.TryGetValue((from, to), out var l) ? l : null;

    private static Corridor Of(Dictionary<(string From, string To), RoadLink> between, IReadOnlyList<string> ids) => new(
        [.. ids],
        [.. ids.Zip(ids.Skip(1), (a, b) => Link(between, a, b)?.Id)],
        [.. ids.Zip(ids.Skip(1), (a, b) => Link(between, b, a)?.Id)]);

    /// <summary>The signed turn (degrees) at b of the path a -> b -> c, from the signals' projected positions.</summary>
    private static double TurnDeg(Coordinate pa, Coordinate pb, Coordinate pc)
    {
        var turn = (Math.Atan2(pc.Y - pb.Y, pc.X - pb.X) - Math.Atan2(pb.Y - pa.Y, pb.X - pa.X)) * 180 / Math.PI;
        while (turn > 180)
        {
            turn -= 360;
        }

        while (turn <= -180)
        {
            turn += 360;
        }

        return turn;
    }
}
