using CityTwin.Engine.Common;
using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Tests.Traffic;

/// <summary>
/// An n x n grid of two-phase signals (north-south, then east-west; green 30 s, amber 3 s, all-red 2 s), with
/// links both ways between neighbours and an entry and exit link at every edge node. Link ids are
/// "FROM>TO" with nodes "r,c" and outside nodes "o:r,c".
/// </summary>
internal static class TestGrid
{
    public static TrafficNetwork Build(int n, double lengthM = 200, int lanes = 1)
    {
        var b = new NetworkBuilder();
        var inbound = new Dictionary<string, List<string>>();
        var outbound = new Dictionary<string, List<string>>();

        void Add(string from, string to)
        {
            var id = $"{from}>{to}";
            b.Link(id, from, to, lengthM, 50, lanes);
            (outbound.TryGetValue(from, out var o) ? o : outbound[from] = []).Add(id);
            (inbound.TryGetValue(to, out var i) ? i : inbound[to] = []).Add(id);
        }

        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < n; c++)
            {
                var node = $"{r},{c}";
                if (c + 1 < n)
                {
                    Add(node, $"{r},{c + 1}");
                    Add($"{r},{c + 1}", node);
                }

                if (r + 1 < n)
                {
                    Add(node, $"{r + 1},{c}");
                    Add($"{r + 1},{c}", node);
                }

                foreach (var (dr, dc) in new[] { (-1, 0), (1, 0), (0, -1), (0, 1) })
                {
                    var (rr, cc) = (r + dr, c + dc);
                    if (rr < 0 || rr >= n || cc < 0 || cc >= n)
                    {
                        var outside = $"o:{rr},{cc}";
                        Add(outside, node);
                        Add(node, outside);
                    }
                }
            }
        }

        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < n; c++)
            {
                var node = $"{r},{c}";
                b.Signal(node, [new SimPhase(30, 3, 2), new SimPhase(30, 3, 2)], offsetS: (r + c) * 10 % 70);
                foreach (var l in inbound[node])
                {
                    var from = l[..l.IndexOf('>', StringComparison.Ordinal)];
                    var to = outbound[node].Where(m => !m.EndsWith($">{from}", StringComparison.Ordinal)).ToList();
                    var vertical = IsVertical(from, node);
                    b.LaneGroup(l, "all", 1800 * lanes, to, node, [vertical ? 0 : 1], l);
                }
            }
        }

        return b.Build();
    }

    /// <summary>Entry links (from outside) and exit links (to outside) of a grid.</summary>
    public static (List<string> Entries, List<string> Exits) Edges(TrafficNetwork net) =>
        (net.LinkIds.Where(l => l.StartsWith("o:", StringComparison.Ordinal)).ToList(),
         net.LinkIds.Where(l => l.Contains(">o:", StringComparison.Ordinal)).ToList());

    /// <summary>Random trips from entries to exits at <paramref name="perHour"/> for <paramref name="seconds"/>.</summary>
    public static List<TripSpec> RandomTrips(TrafficNetwork net, double perHour, double seconds, ulong seed)
    {
        var (entries, exits) = Edges(net);
        var rng = new SeededRandom(seed);
        var trips = new List<TripSpec>();
        var t = 0.0;
        while (true)
        {
            t += rng.NextExponential(3600.0 / perHour);
            if (t >= seconds)
            {
                return trips;
            }

            trips.Add(new TripSpec($"t{trips.Count}", t, entries[rng.NextInt(entries.Count)], exits[rng.NextInt(exits.Count)]));
        }
    }

    private static bool IsVertical(string from, string node)
    {
        var a = Parse(from);
        var b = Parse(node);
        return a.C == b.C;
    }

    private static (int R, int C) Parse(string node)
    {
        var s = node.StartsWith("o:", StringComparison.Ordinal) ? node[2..] : node;
        var parts = s.Split(',');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
