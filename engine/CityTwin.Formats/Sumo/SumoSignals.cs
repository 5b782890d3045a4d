using CityTwin.Engine.City;

namespace CityTwin.Formats.Sumo;

/// <summary>A traffic light junction as a CityTwin signal: approaches, lane groups (with their SUMO link indexes) and plan.</summary>
internal sealed record ImportedSignal(
    SumoJunction Junction,
    SumoTlLogic Program,
    string Name,
    double? JunctionWidthM,
    IReadOnlyList<Approach> Approaches,
    TimingPlan Plan);

/// <summary>The outcome for one traffic light junction: a signal, or why it stays a plain node.</summary>
internal sealed record SignalOutcome(ImportedSignal? Signal, string? SkipReason, IReadOnlyList<string> Notes);

/// <summary>
/// Turns a SUMO traffic light junction into a CityTwin signal (see docs/sumo-import.md):
/// <list type="bullet">
/// <item>approaches are the incoming car edges that have signal-controlled car connections;</item>
/// <item>a lane group is the set of an approach's car lanes with the same (target edges, signal column) pattern;</item>
/// <item>the plan is the traffic light's program restricted to this junction's car links: a green phase starts a
/// CityTwin phase, the amber and red phases after it become its amber and all-red.</item>
/// </list>
/// </summary>
internal sealed class SumoSignals
{
    public const double MinCycleS = 20;

    public const double MaxCycleS = 300;

    public const double MaxAmberS = 10;

    public const double MinGreenS = 0.1;

    public const int MaxPhaseId = 64;

    public const int MaxLanesPerGroup = 12;

    /// <summary>
    /// Saturation flow per lane of a lane group as converted here (veh/h of green, the HCM's base); the importer
    /// replaces it with the vehicle types' through flow (<see cref="SumoVehicleMapping"/>) before writing.
    /// </summary>
    public const double SaturationFlowPerLaneVehH = 1800;

    private readonly SumoNet _net;
    private readonly IReadOnlyDictionary<string, string> _linkIds;
    private readonly ILookup<string, SumoConnection> _byFromEdge;
    private readonly Dictionary<string, string> _edgeOfLane;
    private readonly ILookup<string, SumoEdge> _byToJunction;

    /// <param name="net">The network.</param>
    /// <param name="linkIds">SUMO edge id to CityTwin link id, for the imported (car) edges only.</param>
    public SumoSignals(SumoNet net, IReadOnlyDictionary<string, string> linkIds)
    {
        _net = net;
        _linkIds = linkIds;
        _byFromEdge = net.Connections.ToLookup(c => c.From, StringComparer.Ordinal);
        _edgeOfLane = net.Edges.SelectMany(e => e.Lanes.Select(l => (l.Id, e.Id))).ToDictionary(t => t.Item1, t => t.Item2, StringComparer.Ordinal);
        _byToJunction = net.Edges.ToLookup(e => e.To, StringComparer.Ordinal);
    }

    /// <summary>A connection cars can use: from a car lane of an imported edge to a car lane of an imported edge.</summary>
    public bool IsCarConnection(SumoConnection c) =>
        _linkIds.ContainsKey(c.From) && _linkIds.ContainsKey(c.To) &&
        _net.EdgesById[c.From].Lanes[c.FromLane].AllowsCars && _net.EdgesById[c.To].Lanes[c.ToLane].AllowsCars;

    /// <summary>The traffic light that controls most of the junction's car connections, or null when none does.</summary>
    public string? ControllingTls(SumoJunction junction) =>
        IncomingEdges(junction)
            .SelectMany(e => _byFromEdge[e.Id])
            .Where(c => c.Tl is not null && IsCarConnection(c))
            .GroupBy(c => c.Tl!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .Select(g => g.Key)
            .FirstOrDefault();

    public SignalOutcome Convert(SumoJunction junction)
    {
        var notes = new List<string>();
        var tls = ControllingTls(junction);
        if (tls is null)
        {
            return new SignalOutcome(null, "no traffic light controls a car connection here", notes);
        }

        if (!_net.TlLogics.TryGetValue(tls, out var program))
        {
            return new SignalOutcome(null, $"traffic light '{tls}' has no tlLogic in the net", notes);
        }

        if (program.Type == "off")
        {
            return new SignalOutcome(null, $"traffic light '{tls}' is of type 'off'", notes);
        }

        var approaches = new List<(Approach Approach, SumoEdge Edge, Dictionary<string, int[]> LinkIndexes)>();
        var approachIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var edge in IncomingEdges(junction))
        {
            // The edge is an approach when the traffic light controls one of its car connections; its connections
            // without a signal (uncontrolled="1", as SUMO writes a free-flowing lane) go into groups of their own.
            var connections = _byFromEdge[edge.Id].Where(c => (c.Tl is null || (c.Tl == tls && c.LinkIndex is not null)) && IsCarConnection(c)).ToList();
            if (!connections.Any(c => c.Tl is not null))
            {
                continue;
            }

            var groups = BuildLaneGroups(edge, connections, program, notes);
            if (groups.Count == 0)
            {
                continue;
            }

            var approachId = Unique(_linkIds[edge.Id].Replace('.', '_'), approachIds);
            approaches.Add((new Approach(approachId, _linkIds[edge.Id], groups.Select(g => g.Group).ToList()), edge,
                groups.ToDictionary(g => g.Group.Id, g => g.LinkIndexes, StringComparer.Ordinal)));
        }

        if (approaches.Count == 0)
        {
            return new SignalOutcome(null, $"no car lane of the junction is ever green in traffic light '{tls}'", notes);
        }

        var plan = BuildPlan(program, approaches, out var planProblem);
        if (plan is null)
        {
            return new SignalOutcome(null, planProblem, notes);
        }

        var names = approaches
            .Select(a => a.Edge.Name)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var name = names.Count > 0 ? string.Join(" / ", names) : $"SUMO junction {junction.Id}";
        double? width = junction.Shape is { Count: > 0 } shape
            ? Math.Round(Math.Clamp(Math.Max(shape.Max(p => p.X) - shape.Min(p => p.X), shape.Max(p => p.Y) - shape.Min(p => p.Y)), 1, 200), 1)
            : null;
        return new SignalOutcome(new ImportedSignal(junction, program, name, width, approaches.Select(a => a.Approach).ToList(), plan), null, notes);
    }

    private static string Unique(string id, HashSet<string> used)
    {
        var candidate = id;
        for (var n = 2; !used.Add(candidate); n++)
        {
            candidate = $"{id}{n}";
        }

        return candidate;
    }

    private static Movement ToMovement(string dir) => dir switch
    {
        "l" or "L" => Movement.Left,
        "r" or "R" => Movement.Right,
        "t" => Movement.UTurn,
        _ => Movement.Through,
    };

    private static string Code(IEnumerable<Movement> movements) =>
        string.Concat(movements.Select(m => m switch
        {
            Movement.Left => "L",
            Movement.Right => "R",
            Movement.UTurn => "U",
            _ => "T",
        }));

    private static bool IsGreen(char c) => c is 'G' or 'g';

    private static bool IsAmber(char c) => c is 'y' or 'Y';

    /// <summary>No signal shown: off (o, O) or a stop-then-go arrow (s).</summary>
    private static bool IsSignalFree(char c) => c is 'o' or 'O' or 's';

    /// <summary>
    /// Groups an approach's car lanes by their pattern: the set of (target edge, signal column over all phases)
    /// of their car connections. A group whose connections have no signal (uncontrolled, or a column of only
    /// 'o'/'O'/'s') gets no link indexes: it is served in every phase. Lanes without car connections, and groups
    /// that are never green, are left out.
    /// </summary>
    private List<(LaneGroup Group, int[] LinkIndexes)> BuildLaneGroups(SumoEdge edge, List<SumoConnection> connections, SumoTlLogic program, List<string> notes)
    {
        string Column(SumoConnection c) => c.LinkIndex is { } i ? string.Concat(program.Phases.Select(p => p.State[i])) : "";

        var patterns = new List<(string Key, List<int> Lanes, List<SumoConnection> Connections)>();
        foreach (var lane in edge.CarLanes.OrderByDescending(l => l.Index))
        {
            var own = connections.Where(c => c.FromLane == lane.Index).ToList();
            if (own.Count == 0)
            {
                continue;
            }

            var key = string.Join("\u0002", own.Select(c => $"{c.To}\u0001{Column(c)}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            var existing = patterns.FindIndex(p => p.Key == key);
            if (existing >= 0)
            {
                patterns[existing].Lanes.Add(lane.Index);
                patterns[existing].Connections.AddRange(own);
            }
            else
            {
                patterns.Add((key, [lane.Index], own));
            }
        }

        var groupIds = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<(LaneGroup, int[])>();
        foreach (var (_, lanes, own) in patterns)
        {
            var linkIndexes = own.Where(c => c.LinkIndex is not null).Select(c => c.LinkIndex!.Value).Distinct().Order().ToArray();
            if (linkIndexes.All(i => program.Phases.All(p => IsSignalFree(p.State[i]))))
            {
                linkIndexes = [];
            }
            else if (!program.Phases.Any(p => linkIndexes.Any(i => IsGreen(p.State[i]))))
            {
                notes.Add($"edge '{edge.Id}' lanes {string.Join(",", lanes.Order())}: never green in traffic light '{program.Id}'; left out of the signal");
                continue;
            }

            var movements = own.Select(c => ToMovement(c.Dir)).Distinct().Order().ToList();
            var laneCount = Math.Min(lanes.Count, MaxLanesPerGroup);
            var group = new LaneGroup(Unique(Code(movements), groupIds), movements, laneCount, SaturationFlowPerLaneVehH * laneCount)
            {
                ToLinks = own.Select(c => _linkIds[c.To]).Distinct(StringComparer.Ordinal).ToList(),
            };
            groups.Add((group, linkIndexes));
        }

        return groups;
    }

    /// <summary>
    /// The program restricted to the junction's lane groups. A phase in which any of them is green (G or g)
    /// starts a CityTwin phase serving the groups green in it; a following phase with amber (y) adds to its
    /// amber, any other following phase (red, red-amber, off) to its all-red. The sequence starts at the first
    /// green phase; phases before it wrap round to the last phase, and the offset moves by their time. Groups
    /// without a signal (no link indexes) are served in every phase.
    /// </summary>
    private static TimingPlan? BuildPlan(SumoTlLogic program, List<(Approach Approach, SumoEdge Edge, Dictionary<string, int[]> LinkIndexes)> approaches, out string? problem)
    {
        problem = null;
        var phases = program.Phases;
        var cycle = phases.Sum(p => p.DurationS);
        if (cycle is < MinCycleS or > MaxCycleS)
        {
            problem = $"the cycle of traffic light '{program.Id}' is {cycle} s, outside {MinCycleS}..{MaxCycleS} s";
            return null;
        }

        var groups = approaches
            .SelectMany(a => a.Approach.LaneGroups.Select(g => (Ref: new LaneGroupRef(a.Approach.Id, g.Id), Indexes: a.LinkIndexes[g.Id])))
            .ToList();
        var relevant = groups.SelectMany(g => g.Indexes).Distinct().ToArray();

        bool Green(int k) => phases[k].DurationS >= MinGreenS && relevant.Any(i => IsGreen(phases[k].State[i]));

        var first = Enumerable.Range(0, phases.Count).FirstOrDefault(Green, -1);
        if (first < 0)
        {
            problem = $"no car lane of the junction is ever green in traffic light '{program.Id}'";
            return null;
        }

        var built = new List<(int Index, double Green, double Amber, double AllRed, List<LaneGroupRef> Serves)>();
        for (var n = 0; n < phases.Count; n++)
        {
            var k = (first + n) % phases.Count;
            var phase = phases[k];
            if (Green(k))
            {
                var serves = groups.Where(g => g.Indexes.Length == 0 || g.Indexes.Any(i => IsGreen(phase.State[i]))).Select(g => g.Ref).ToList();
                built.Add((k, phase.DurationS, 0, 0, serves));
            }
            else if (relevant.Any(i => IsAmber(phase.State[i])))
            {
                var last = built[^1];
                built[^1] = last with { Amber = last.Amber + phase.DurationS };
            }
            else
            {
                var last = built[^1];
                built[^1] = last with { AllRed = last.AllRed + phase.DurationS };
            }
        }

        if (built.Count > MaxPhaseId)
        {
            problem = $"traffic light '{program.Id}' has {built.Count} green phases for this junction; at most {MaxPhaseId} are supported";
            return null;
        }

        // Phase ids are the SUMO phase numbers (1-based) when they fit, so that they match the controller's.
        var bySumoNumber = phases.Count <= MaxPhaseId;
        var result = built.Select((p, n) =>
        {
            var amber = Math.Min(p.Amber, MaxAmberS);
            return new Phase(bySumoNumber ? p.Index + 1 : n + 1, p.Green, amber, p.AllRed + (p.Amber - amber), p.Serves);
        }).ToList();

        var start = phases.Take(first).Sum(p => p.DurationS);
        var offset = Math.Round((((program.OffsetS + start) % cycle) + cycle) % cycle, 2);
        if (offset >= cycle)
        {
            offset = 0;
        }

        return new TimingPlan(program.ProgramId, cycle, offset, result);
    }

    /// <summary>Incoming imported edges, in the junction's own order (its <c>incLanes</c>), then any others in file order.</summary>
    private IEnumerable<SumoEdge> IncomingEdges(SumoJunction junction)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var fromIncLanes = junction.IncomingLanes
            .Select(l => _edgeOfLane.GetValueOrDefault(l))
            .OfType<string>();
        var fromEdges = _byToJunction[junction.Id].Select(e => e.Id);
        foreach (var id in fromIncLanes.Concat(fromEdges))
        {
            var edge = _net.EdgesById[id];
            if (edge.To == junction.Id && _linkIds.ContainsKey(id) && seen.Add(id))
            {
                yield return edge;
            }
        }
    }
}
