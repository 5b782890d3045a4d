namespace CityTwin.Engine.Traffic;

/// <summary>
/// Shortest travel-time paths over the link graph (Dijkstra with a binary heap; ties go to the lower link
/// index, so paths are deterministic). The cost of taking turn k (from link l into link m) is
/// <c>turnCost[k]</c>: the free-flow time of m plus, when the caller estimates it, the expected wait of the
/// lane group serving the turn. One router holds reusable work arrays: one per thread.
/// </summary>
internal sealed class Router
{
    private readonly TrafficNetwork _net;
    private readonly double[] _dist;
    private readonly int[] _prev;
    private readonly int[] _stamp;
    private readonly bool[] _settled;
    private readonly int[] _target;
    private readonly int[] _heapNode;
    private readonly double[] _heapKey;
    private int _heapSize;
    private int _epoch;

    public Router(TrafficNetwork net)
    {
        _net = net;
        var n = net.LinkCount;
        _dist = new double[n];
        _prev = new int[n];
        _stamp = new int[n];
        _settled = new bool[n];
        _target = new int[n];
        _heapNode = new int[Math.Max(16, net.TurnTo.Length + n)];
        _heapKey = new double[_heapNode.Length];
    }

    /// <summary>
    /// Grows the tree from <paramref name="origin"/> until every link in <paramref name="targets"/> is settled
    /// (or unreachable). Read paths with <see cref="PathTo"/> afterwards.
    /// </summary>
    public void Grow(int origin, ReadOnlySpan<int> targets, double[] turnCost)
    {
        _epoch++;
        _heapSize = 0;
        var remaining = 0;
        foreach (var t in targets)
        {
            if (_target[t] != _epoch)
            {
                _target[t] = _epoch;
                Touch(t);
                remaining++;
            }
        }

        // Targets are stamped with an infinite distance; the origin starts at 0.
        Touch(origin);
        _dist[origin] = 0;
        Push(origin, 0);
        while (_heapSize > 0 && remaining > 0)
        {
            var (l, d) = Pop();
            if (_settled[l] || d > _dist[l])
            {
                continue;
            }

            _settled[l] = true;
            if (_target[l] == _epoch)
            {
                remaining--;
            }

            for (var k = _net.TurnStart[l]; k < _net.TurnStart[l + 1]; k++)
            {
                var m = _net.TurnTo[k];
                if (_stamp[m] != _epoch)
                {
                    Touch(m);
                }

                if (_settled[m])
                {
                    continue;
                }

                var nd = d + turnCost[k];
                if (nd < _dist[m] || (nd == _dist[m] && l < _prev[m]))
                {
                    _dist[m] = nd;
                    _prev[m] = l;
                    Push(m, nd);
                }
            }
        }
    }

    /// <summary>The path from the last origin to <paramref name="target"/>, or null when it is unreachable.</summary>
    public int[]? PathTo(int origin, int target)
    {
        if (_stamp[target] != _epoch || !_settled[target])
        {
            return null;
        }

        var length = 1;
        for (var l = target; l != origin; l = _prev[l])
        {
            length++;
        }

        var path = new int[length];
        var i = length - 1;
        for (var l = target; ; l = _prev[l])
        {
            path[i--] = l;
            if (l == origin)
            {
                break;
            }
        }

        return path;
    }

    private void Touch(int l)
    {
        _stamp[l] = _epoch;
        _dist[l] = double.PositiveInfinity;
        _prev[l] = int.MaxValue;
        _settled[l] = false;
    }

    private void Push(int node, double key)
    {
        var i = _heapSize++;
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (Less(_heapKey[parent], _heapNode[parent], key, node))
            {
                break;
            }

            _heapKey[i] = _heapKey[parent];
            _heapNode[i] = _heapNode[parent];
            i = parent;
        }

        _heapKey[i] = key;
        _heapNode[i] = node;
    }

    private (int Node, double Key) Pop()
    {
        var top = (_heapNode[0], _heapKey[0]);
        _heapSize--;
        if (_heapSize > 0)
        {
            var key = _heapKey[_heapSize];
            var node = _heapNode[_heapSize];
            var i = 0;
            while (true)
            {
                var c = (2 * i) + 1;
                if (c >= _heapSize)
                {
                    break;
                }

                if (c + 1 < _heapSize && Less(_heapKey[c + 1], _heapNode[c + 1], _heapKey[c], _heapNode[c]))
                {
                    c++;
                }

                if (!Less(_heapKey[c], _heapNode[c], key, node))
                {
                    break;
                }

                _heapKey[i] = _heapKey[c];
                _heapNode[i] = _heapNode[c];
                i = c;
            }

            _heapKey[i] = key;
            _heapNode[i] = node;
        }

        return top;
    }

    private static bool Less(double k1, int n1, double k2, int n2) => k1 < k2 || (k1 == k2 && n1 < n2);
}
