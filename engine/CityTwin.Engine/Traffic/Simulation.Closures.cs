namespace CityTwin.Engine.Traffic;

/// <summary>
/// A road or lane closure in force from <paramref name="FromS"/> to <paramref name="ToS"/> (s from midnight).
/// A closed link (<paramref name="LanesClosed"/> null) takes no vehicle in that time: routes avoid it, a vehicle
/// whose next link it is turns elsewhere at the stop line (or waits there when no other way reaches its
/// destination), and nobody is moved onto it past a jam. Vehicles already on it leave as usual. Closing some of its
/// lanes cuts its storage and the saturation flow of its lane groups in proportion to the lanes left.
/// </summary>
/// <param name="LinkId">The link.</param>
/// <param name="FromS">Start of the closure.</param>
/// <param name="ToS">End of the closure (after <paramref name="FromS"/>).</param>
/// <param name="LanesClosed">Lanes closed (fewer than the link has); null closes the whole link.</param>
public sealed record LinkClosure(string LinkId, double FromS, double ToS, int? LanesClosed = null);

/// <summary>The closures part of the simulation (<see cref="SimulationOptions.Closures"/>).</summary>
public sealed partial class Simulation
{
    /// <summary>The extra cost (s) a route pays to enter a closed link: any open way round is cheaper.</summary>
    private const double ClosedPenaltyS = 1e7;

    /// <summary>True when the link is closed now (whole link).</summary>
    public bool IsClosed(string linkId) => _closed[_net.LinkIndex[linkId]];

    private static ResolvedClosure[] ResolveClosures(TrafficNetwork network, IReadOnlyList<LinkClosure> closures)
    {
        var errors = new List<string>();
        var list = new List<ResolvedClosure>();
        foreach (var c in closures)
        {
            if (!network.LinkIndex.TryGetValue(c.LinkId, out var l))
            {
                errors.Add($"closure of link '{c.LinkId}': the link is not in the network");
                continue;
            }

            if (!(c.ToS > c.FromS))
            {
                errors.Add($"closure of link '{c.LinkId}': it must end after it starts");
            }

            if (c.LanesClosed is { } n && (n < 1 || n >= network.Lanes[l]))
            {
                errors.Add($"closure of link '{c.LinkId}': {n} lane(s) closed of {network.Lanes[l]}; close 1 to {network.Lanes[l] - 1}, or the whole link");
            }

            list.Add(new ResolvedClosure(l, c.FromS, c.ToS, c.LanesClosed));
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(closures));
        }

        return [.. list];
    }

    /// <summary>Puts the closures in force at <paramref name="t"/> into effect (and lifts those that ended).</summary>
    private void UpdateClosures(double t)
    {
        var changed = false;
        for (var i = 0; i < _closures.Length; i++)
        {
            var active = t >= _closures[i].FromS && t < _closures[i].ToS;
            changed |= active != _closureActive[i];
            _closureActive[i] = active;
        }

        if (!changed)
        {
            return;
        }

        var newlyClosed = new List<int>();
        foreach (var l in _closures.Select(c => c.Link).Distinct())
        {
            var closed = false;
            var lanesClosed = 0;
            for (var i = 0; i < _closures.Length; i++)
            {
                if (_closures[i].Link == l && _closureActive[i])
                {
                    closed |= _closures[i].Lanes is null;
                    lanesClosed += _closures[i].Lanes ?? 0;
                }
            }

            if (closed && !_closed[l])
            {
                newlyClosed.Add(l);
            }

            _closed[l] = closed;
            var lanes = _net.Lanes[l];
            var open = Math.Max(1, lanes - lanesClosed);
            var share = (double)open / lanes;
            _storage[l] = closed ? 0 : Math.Max(1, (int)Math.Floor(_net.Storage[l] * share));
            for (var g = _net.GroupStart[l]; g < _net.GroupStart[l + 1]; g++)
            {
                _headway[g] = _net.GroupHeadwayS[g] / share;
            }
        }

        RefreshRouteCosts();
        if (newlyClosed.Count > 0)
        {
            RerouteAround();
        }
    }

    /// <summary>The costs routes are chosen by: the turn costs, plus the penalty into closed links.</summary>
    private void RefreshRouteCosts()
    {
        if (ReferenceEquals(_routeCost, _turnCost))
        {
            return;
        }

        for (var k = 0; k < _turnCost.Length; k++)
        {
            _routeCost[k] = _turnCost[k] + (_closed[_net.TurnTo[k]] ? ClosedPenaltyS : 0);
        }
    }

    /// <summary>
    /// A link has just closed: every routed vehicle whose route still crosses a closed link beyond the link it drives
    /// to next is given a new route from there (vehicles not yet in the network from their origin). A vehicle whose
    /// next link is closed is turned away at the stop line (<see cref="Divert"/>).
    /// </summary>
    private void RerouteAround()
    {
        for (var v = 0; v < _n; v++)
        {
            var route = _route[v];
            var state = _state[v];
            if (route is null || state is Arrived or NoRoute)
            {
                continue;
            }

            var from = state == Driving ? _pos[v] + 1 : 0;
            for (var i = from + 1; i < route.Length; i++)
            {
                if (_closed[route[i]])
                {
                    Reroute(v, from);
                    break;
                }
            }
        }
    }

    /// <summary>Replaces the route of v from its link at <paramref name="at"/> on by the best one avoiding closed links; false when there is none.</summary>
    private bool Reroute(int v, int at)
    {
        var route = _route[v]!;
        var from = route[at];
        var router = _divertRouter ??= new Router(_net);
        Span<int> target = [_destination[v]];
        router.Grow(from, target, _routeCost);
        var path = router.PathTo(from, _destination[v]);
        if (path is null)
        {
            return false;
        }

        for (var i = 1; i < path.Length; i++)
        {
            if (_closed[path[i]])
            {
                return false;
            }
        }

        var next = new int[at + path.Length];
        Array.Copy(route, next, at);
        Array.Copy(path, 0, next, at, path.Length);
        _route[v] = next;
        return true;
    }

    /// <summary>
    /// Vehicle v at the head of lane group g on link l wants to turn into a closed link: it takes another turn towards
    /// its destination (moving to the lane group that serves it). False when no open way is left: it waits.
    /// </summary>
    private bool Divert(int v, int g, int l)
    {
        if (!Reroute(v, _pos[v]))
        {
            return false;
        }

        var target = _net.GroupFor(l, _route[v]![_pos[v] + 1]);
        if (target == g)
        {
            return true;
        }

        _queue[g].Dequeue();
        if (_queued[g] > 0)
        {
            _queued[g]--;
        }

        _queue[target].InsertByReady(v, _ready, _queued[target]);
        return true;
    }

    private readonly record struct ResolvedClosure(int Link, double FromS, double ToS, int? Lanes);
}
