using CityTwin.Engine.City;

namespace CityTwin.Engine.Traffic;

/// <summary>
/// Builds a <see cref="TrafficNetwork"/> link by link. Lane groups are queues at a link's downstream end;
/// a link with turns but no lane group gets one unsignalised group of
/// <see cref="VehicleBehaviour.UnsignalisedFlowPerLaneVehH"/> per lane that serves all its turns. Every error is
/// collected and reported together.
/// </summary>
public sealed class NetworkBuilder
{
    private readonly List<LinkSpec> _links = [];
    private readonly Dictionary<string, int> _linkIndex = new(StringComparer.Ordinal);
    private readonly List<SignalSpec> _signals = [];
    private readonly Dictionary<string, int> _signalIndex = new(StringComparer.Ordinal);
    private readonly List<GroupSpec> _groups = [];
    private readonly List<(string From, string To)> _turns = [];
    private readonly List<(string From, string To, string[] Foes, int WaitInside)> _yields = [];
    private readonly Dictionary<(string From, string To), (City.Movement Movement, double WidthM)> _movements = [];
    private readonly List<SimApproach> _approaches = [];
    private readonly List<string> _errors = [];

    /// <summary>
    /// How the vehicles behave: the jam spacing sets link storage, the unsignalised flow the queues at link ends
    /// without a lane group; the simulation takes the rest from <see cref="TrafficNetwork.Vehicles"/>.
    /// </summary>
    public VehicleBehaviour Vehicles { get; init; } = VehicleBehaviour.Default;

    /// <summary>Adds a directed link between two nodes.</summary>
    public NetworkBuilder Link(string id, string from, string to, double lengthM, double speedKmh, int lanes, string? districtId = null)
    {
        if (_linkIndex.ContainsKey(id))
        {
            _errors.Add($"link '{id}': defined twice");
            return this;
        }

        if (!(lengthM > 0) || !(speedKmh > 0) || lanes < 1)
        {
            _errors.Add($"link '{id}': length, speed and lanes must be positive (got {lengthM} m, {speedKmh} km/h, {lanes} lanes)");
        }

        _linkIndex[id] = _links.Count;
        _links.Add(new LinkSpec(id, from, to, lengthM, speedKmh, lanes, districtId));
        return this;
    }

    /// <summary>Adds a fixed-time signal with its phases in running order.</summary>
    public NetworkBuilder Signal(string id, IReadOnlyList<SimPhase> phases, double offsetS = 0, string? districtId = null)
    {
        if (_signalIndex.ContainsKey(id))
        {
            _errors.Add($"signal '{id}': defined twice");
            return this;
        }

        if (phases.Count is 0 or > 64)
        {
            _errors.Add($"signal '{id}': needs 1 to 64 phases, has {phases.Count}");
        }

        if (phases.Any(p => p.GreenS <= 0 || p.AmberS < 0 || p.AllRedS < 0))
        {
            _errors.Add($"signal '{id}': every phase needs a positive green and non-negative amber and all-red");
        }

        _signalIndex[id] = _signals.Count;
        _signals.Add(new SignalSpec(id, phases.ToArray(), offsetS, districtId));
        return this;
    }

    /// <summary>
    /// Adds a lane group at the downstream end of <paramref name="linkId"/> that feeds <paramref name="toLinks"/>
    /// at <paramref name="saturationFlowVehH"/>; when <paramref name="signalId"/> is given, it has green in the
    /// phases (0-based indices) <paramref name="phases"/> and counts for approach <paramref name="approachId"/>.
    /// </summary>
    public NetworkBuilder LaneGroup(
        string linkId,
        string label,
        double saturationFlowVehH,
        IReadOnlyList<string> toLinks,
        string? signalId = null,
        IReadOnlyList<int>? phases = null,
        string? approachId = null)
    {
        if (!(saturationFlowVehH > 0))
        {
            _errors.Add($"lane group '{label}' of link '{linkId}': saturation flow must be positive");
        }

        _groups.Add(new GroupSpec(linkId, label, saturationFlowVehH, toLinks.ToArray(), signalId, phases?.ToArray() ?? [], approachId));
        return this;
    }

    /// <summary>Adds an unsignalised turn from one link to the next (served by the link's default group).</summary>
    public NetworkBuilder Turn(string fromLink, string toLink)
    {
        _turns.Add((fromLink, toLink));
        return this;
    }

    /// <summary>
    /// Says which movement the turn from <paramref name="fromLink"/> into <paramref name="toLink"/> is (through when
    /// not said), across a junction <paramref name="junctionWidthM"/> wide: turning vehicles slow down for the turn
    /// and take longer to leave a stop line (<see cref="SimulationOptions.LeftTurnEquivalent"/>,
    /// <see cref="SimulationOptions.RightTurnEquivalent"/>, <see cref="SimulationOptions.LateralAccelerationMs2"/>).
    /// </summary>
    public NetworkBuilder TurnMovement(string fromLink, string toLink, City.Movement movement, double junctionWidthM = DefaultJunctionWidthM)
    {
        if (!(junctionWidthM > 0))
        {
            _errors.Add($"turn '{fromLink}' -> '{toLink}': junction width must be positive");
        }

        _movements[(fromLink, toLink)] = (movement, junctionWidthM);
        return this;
    }

    /// <summary>Width of a junction the city does not describe (m): two crossing two-lane roads.</summary>
    public const double DefaultJunctionWidthM = 14;

    /// <summary>
    /// Makes the turn from <paramref name="fromLink"/> into <paramref name="toLink"/> permissive: while one of the
    /// signalised lane groups labelled <paramref name="foeGroups"/> has green too, a vehicle on the turn must find a
    /// gap in that group's traffic (a left turn against the oncoming through and right turns). Up to
    /// <paramref name="waitInside"/> vehicles wait for their gap inside the junction, clear of the lane group's
    /// other turns; with 0, the first one waits at the head of its lane group and holds every vehicle behind it.
    /// </summary>
    public NetworkBuilder Yield(string fromLink, string toLink, IReadOnlyList<string> foeGroups, int waitInside = 0)
    {
        if (waitInside < 0)
        {
            _errors.Add($"permissive turn '{fromLink}' -> '{toLink}': vehicles waiting inside the junction must be >= 0");
        }

        _yields.Add((fromLink, toLink, foeGroups.ToArray(), Math.Max(0, waitInside)));
        return this;
    }

    /// <summary>Validates and compiles the network.</summary>
    public TrafficNetwork Build()
    {
        var errors = new List<string>(_errors);
        var n = _links.Count;
        var groupsByLink = new List<GroupSpec>[n];
        for (var i = 0; i < n; i++)
        {
            groupsByLink[i] = [];
        }

        foreach (var g in _groups)
        {
            if (!_linkIndex.TryGetValue(g.Link, out var l))
            {
                errors.Add($"lane group '{g.Label}': link '{g.Link}' does not exist");
                continue;
            }

            foreach (var to in g.ToLinks)
            {
                if (!_linkIndex.TryGetValue(to, out var m))
                {
                    errors.Add($"lane group '{g.Label}' of link '{g.Link}': turn to unknown link '{to}'");
                }
                else if (!string.Equals(_links[m].From, _links[l].To, StringComparison.Ordinal))
                {
                    errors.Add($"lane group '{g.Label}' of link '{g.Link}': link '{to}' does not start where '{g.Link}' ends ('{_links[l].To}')");
                }
            }

            if (g.Signal is not null)
            {
                if (!_signalIndex.TryGetValue(g.Signal, out var s))
                {
                    errors.Add($"lane group '{g.Label}' of link '{g.Link}': signal '{g.Signal}' does not exist");
                }
                else if (g.Phases.Length == 0 || g.Phases.Any(p => p < 0 || p >= _signals[s].Phases.Length))
                {
                    errors.Add($"lane group '{g.Label}' of link '{g.Link}': needs phase indices 0..{_signals[s].Phases.Length - 1} that give it green");
                }
            }

            groupsByLink[l].Add(g);
        }

        var extraTurns = new List<string>[n];
        foreach (var (from, to) in _turns)
        {
            if (!_linkIndex.TryGetValue(from, out var l) || !_linkIndex.TryGetValue(to, out var m))
            {
                errors.Add($"turn '{from}' -> '{to}': unknown link");
                continue;
            }

            if (!string.Equals(_links[m].From, _links[l].To, StringComparison.Ordinal))
            {
                errors.Add($"turn '{from}' -> '{to}': '{to}' does not start where '{from}' ends");
                continue;
            }

            (extraTurns[l] ??= []).Add(to);
        }

        if (errors.Count > 0)
        {
            throw new TrafficNetworkException(errors);
        }

        var districts = _links.Select(l => l.District).Concat(_signals.Select(s => s.District))
            .Where(d => d is not null).Select(d => d!).Distinct(StringComparer.Ordinal).ToArray();
        var districtIndex = districts.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i, StringComparer.Ordinal);

        var signals = _signals.Select(s => new SimSignal(s.Id, s.District, s.OffsetS, s.Phases)).ToArray();
        var approachIndex = new Dictionary<(string, string), int>();

        var groupStart = new int[n + 1];
        var groupLink = new List<int>();
        var headway = new List<double>();
        var groupSignal = new List<int>();
        var groupSlot = new List<int>();
        var groupApproach = new List<int>();
        var groupLabel = new List<string>();
        var turnStart = new int[n + 1];
        var turnTo = new List<int>();
        var turnGroup = new List<int>();

        for (var l = 0; l < n; l++)
        {
            groupStart[l] = groupLink.Count;
            turnStart[l] = turnTo.Count;
            var link = _links[l];
            foreach (var g in groupsByLink[l])
            {
                var gi = groupLink.Count;
                groupLink.Add(l);
                headway.Add(3600.0 / g.SaturationFlowVehH);
                groupLabel.Add(g.Label);
                if (g.Signal is not null)
                {
                    var s = _signalIndex[g.Signal];
                    groupSignal.Add(s);
                    groupSlot.Add(signals[s].GroupList.Count);
                    signals[s].GroupList.Add(gi);
                    signals[s].ServedBy.Add(g.Phases.Aggregate(0UL, (mask, p) => mask | (1UL << p)));
                    var key = (g.Signal, g.Approach ?? link.Id);
                    if (!approachIndex.TryGetValue(key, out var a))
                    {
                        a = _approaches.Count;
                        approachIndex[key] = a;
                        _approaches.Add(new SimApproach(g.Signal, g.Approach ?? link.Id, link.Id, _signals[s].District));
                    }

                    groupApproach.Add(a);
                }
                else
                {
                    groupSignal.Add(-1);
                    groupSlot.Add(-1);
                    groupApproach.Add(-1);
                }

                foreach (var to in g.ToLinks)
                {
                    var m = _linkIndex[to];
                    if (!turnTo.Skip(turnStart[l]).Contains(m))
                    {
                        turnTo.Add(m);
                        turnGroup.Add(gi);
                    }
                }
            }

            var extra = (extraTurns[l] ?? []).Select(t => _linkIndex[t]).Where(m => !turnTo.Skip(turnStart[l]).Contains(m)).Distinct().ToList();
            if (extra.Count > 0)
            {
                var gi = groupLink.Count;
                groupLink.Add(l);
                headway.Add(3600.0 / (Vehicles.UnsignalisedFlowPerLaneVehH * link.Lanes));
                groupLabel.Add($"{link.Id}.all");
                groupSignal.Add(-1);
                groupSlot.Add(-1);
                groupApproach.Add(-1);
                foreach (var m in extra)
                {
                    turnTo.Add(m);
                    turnGroup.Add(gi);
                }
            }

            // The arrival sink: vehicles whose trip ends on this link leave here at the link's end.
            groupLink.Add(l);
            headway.Add(0);
            groupLabel.Add($"{link.Id}.arrive");
            groupSignal.Add(-1);
            groupSlot.Add(-1);
            groupApproach.Add(-1);
        }

        groupStart[n] = groupLink.Count;
        turnStart[n] = turnTo.Count;
        var (turnFoeStart, turnFoes, turnWaitInside) = CompileYields(turnStart, turnTo, turnGroup, groupSignal, groupLabel);
        var turnMovement = new City.Movement[turnTo.Count];
        var turnWidth = new double[turnTo.Count];
        for (var l = 0; l < n; l++)
        {
            for (var k = turnStart[l]; k < turnStart[l + 1]; k++)
            {
                (turnMovement[k], turnWidth[k]) = _movements.TryGetValue((_links[l].Id, _links[turnTo[k]].Id), out var mv)
                    ? mv
                    : (City.Movement.Through, DefaultJunctionWidthM);
            }
        }

        return new TrafficNetwork(
            _links.Select(l => l.Id).ToArray(),
            _links.Select(l => l.From).ToArray(),
            _links.Select(l => l.To).ToArray(),
            _links.Select(l => l.LengthM).ToArray(),
            _links.Select(l => l.LengthM / (l.SpeedKmh / 3.6)).ToArray(),
            _links.Select(l => l.Lanes).ToArray(),
            _links.Select(l => Math.Max(1, (int)Math.Floor(l.Lanes * l.LengthM / Vehicles.JamSpacingM))).ToArray(),
            _links.Select(l => l.District is null ? -1 : districtIndex[l.District]).ToArray(),
            groupStart,
            groupLink.ToArray(),
            headway.ToArray(),
            groupSignal.ToArray(),
            groupSlot.ToArray(),
            groupApproach.ToArray(),
            groupLabel.ToArray(),
            turnStart,
            turnTo.ToArray(),
            turnGroup.ToArray(),
            turnFoeStart,
            turnFoes,
            turnWaitInside,
            turnMovement,
            turnWidth,
            signals,
            _approaches.ToArray(),
            districts,
            Vehicles);
    }

    /// <summary>The foe groups of every turn, as offsets into one flat array (turn k: start[k] .. start[k+1]-1).</summary>
    private (int[] Start, int[] Foes, int[] WaitInside) CompileYields(int[] turnStart, List<int> turnTo, List<int> turnGroup, List<int> groupSignal, List<string> groupLabel)
    {
        var errors = new List<string>();
        var byLabel = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var g = 0; g < groupLabel.Count; g++)
        {
            if (groupSignal[g] >= 0)
            {
                byLabel.TryAdd(groupLabel[g], g);
            }
        }

        var foesOf = new List<int>?[turnTo.Count];
        var waitInside = new int[turnTo.Count];
        foreach (var (from, to, foes, inside) in _yields)
        {
            var k = -1;
            if (_linkIndex.TryGetValue(from, out var l) && _linkIndex.TryGetValue(to, out var m))
            {
                for (var i = turnStart[l]; i < turnStart[l + 1]; i++)
                {
                    if (turnTo[i] == m)
                    {
                        k = i;
                    }
                }
            }

            if (k < 0 || groupSignal[turnGroup[k]] < 0)
            {
                errors.Add($"permissive turn '{from}' -> '{to}': not a turn of a signalised lane group");
                continue;
            }

            waitInside[k] = inside;
            foreach (var label in foes)
            {
                if (!byLabel.TryGetValue(label, out var o) || groupSignal[o] != groupSignal[turnGroup[k]])
                {
                    errors.Add($"permissive turn '{from}' -> '{to}': foe '{label}' is not a lane group of the same signal");
                }
                else if (!(foesOf[k] ??= []).Contains(o))
                {
                    foesOf[k]!.Add(o);
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new TrafficNetworkException(errors);
        }

        var start = new int[turnTo.Count + 1];
        var flat = new List<int>();
        for (var k = 0; k < turnTo.Count; k++)
        {
            start[k] = flat.Count;
            flat.AddRange(foesOf[k] ?? []);
        }

        start[turnTo.Count] = flat.Count;
        return (start, flat.ToArray(), waitInside);
    }

    private sealed record LinkSpec(string Id, string From, string To, double LengthM, double SpeedKmh, int Lanes, string? District);

    private sealed record SignalSpec(string Id, SimPhase[] Phases, double OffsetS, string? District);

    private sealed record GroupSpec(string Link, string Label, double SaturationFlowVehH, string[] ToLinks, string? Signal, int[] Phases, string? Approach);
}

/// <summary>A network that cannot be built, with every problem found.</summary>
public sealed class TrafficNetworkException(IReadOnlyList<string> errors)
    : Exception($"the traffic network is invalid ({errors.Count} problem(s)):{Environment.NewLine}" + string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
