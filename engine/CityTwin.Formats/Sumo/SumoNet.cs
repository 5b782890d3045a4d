using System.Globalization;
using System.Xml;

namespace CityTwin.Formats.Sumo;

/// <summary>A lane of a SUMO edge.</summary>
internal sealed record SumoLane(string Id, int Index, double SpeedMs, double LengthM, IReadOnlyList<(double X, double Y)> Shape, bool AllowsCars);

/// <summary>A normal (non-internal) SUMO edge with its lanes, ordered by index (0 = rightmost).</summary>
internal sealed record SumoEdge(string Id, string From, string To, string? Name, IReadOnlyList<SumoLane> Lanes, int Line)
{
    public IEnumerable<SumoLane> CarLanes => Lanes.Where(l => l.AllowsCars);

    /// <summary>An edge is for cars when at least one of its lanes admits the <c>passenger</c> class.</summary>
    public bool IsCarEdge => Lanes.Any(l => l.AllowsCars);
}

/// <summary>A SUMO junction (internal junctions are not kept).</summary>
internal sealed record SumoJunction(string Id, string Type, double X, double Y, IReadOnlyList<string> IncomingLanes, IReadOnlyList<(double X, double Y)>? Shape)
{
    public bool IsTrafficLight => Type.StartsWith("traffic_light", StringComparison.Ordinal);
}

/// <summary>A connection between lanes of two normal edges.</summary>
internal sealed record SumoConnection(string From, int FromLane, string To, int ToLane, string? Tl, int? LinkIndex, string Dir, int Line)
{
    /// <summary>Length of the junction's internal lanes this connection drives through (m); 0 when the net has none.</summary>
    public double CrossingM { get; init; }
}

/// <summary>A phase of a traffic light program.</summary>
internal sealed record SumoPhase(double DurationS, string State, int Line);

/// <summary>A traffic light program (the first <c>tlLogic</c> of its id in the net).</summary>
internal sealed record SumoTlLogic(string Id, string Type, string ProgramId, double OffsetS, IReadOnlyList<SumoPhase> Phases, int Line);

/// <summary>The <c>location</c> element: how the net's metres relate to the original coordinates.</summary>
internal sealed record SumoLocation(
    (double X, double Y) NetOffset,
    (double MinX, double MinY, double MaxX, double MaxY)? ConvBoundary,
    (double MinX, double MinY, double MaxX, double MaxY)? OrigBoundary,
    string? ProjParameter);

/// <summary>What the importer needs from a SUMO <c>.net.xml</c>.</summary>
internal sealed class SumoNet
{
    public required string File { get; init; }

    public SumoLocation? Location { get; init; }

    /// <summary>Normal edges in file order.</summary>
    public required IReadOnlyList<SumoEdge> Edges { get; init; }

    public required IReadOnlyDictionary<string, SumoEdge> EdgesById { get; init; }

    /// <summary>Non-internal junctions in file order.</summary>
    public required IReadOnlyList<SumoJunction> Junctions { get; init; }

    /// <summary>Connections between lanes of normal edges, in file order.</summary>
    public required IReadOnlyList<SumoConnection> Connections { get; init; }

    /// <summary>The first program of each traffic light id.</summary>
    public required IReadOnlyDictionary<string, SumoTlLogic> TlLogics { get; init; }
}

/// <summary>
/// Reads a SUMO network (<c>.net.xml</c>) with a streaming <see cref="XmlReader"/>: locations, normal edges and
/// their lanes, junctions, connections and traffic light programs. Everything else is skipped.
/// </summary>
internal static class SumoNetReader
{
    /// <summary>Functions of edges that are not roads (junction internals, pedestrian areas).</summary>
    private static readonly HashSet<string> NonRoadFunctions = new(StringComparer.Ordinal) { "internal", "crossing", "walkingarea" };

    public static SumoNet Read(string path)
    {
        SumoLocation? location = null;
        var edges = new List<SumoEdge>();
        var otherEdges = new HashSet<string>(StringComparer.Ordinal);
        var junctions = new List<SumoJunction>();
        var rawConnections = new List<(SumoElement Element, string From, string To)>();
        var internalLaneLength = new Dictionary<string, double>(StringComparer.Ordinal);
        var internalVia = new Dictionary<string, string>(StringComparer.Ordinal);
        var inInternalEdge = false;
        var tlLogics = new Dictionary<string, SumoTlLogic>(StringComparer.Ordinal);

        try
        {
            using var reader = SumoElement.Open(path);
            if (!reader.ReadToFollowing("net"))
            {
                throw new SumoFormatException(path, SumoElement.LineOf(reader), null, "not a SUMO network: no <net> element");
            }

            var depth = reader.Depth;
            (SumoElement Element, List<SumoLane> Lanes)? edge = null;
            (SumoElement Element, List<SumoPhase> Phases)? tls = null;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                var e = SumoElement.Of(reader, path);
                if (reader.Depth == depth + 1)
                {
                    Flush(ref edge, edges, ref tls, tlLogics);
                    switch (reader.Name)
                    {
                        case "location":
                            location = ReadLocation(e);
                            break;
                        case "edge":
                            var id = e.Required("id");
                            inInternalEdge = e.Optional("function") == "internal";
                            if (NonRoadFunctions.Contains(e.Optional("function") ?? "normal"))
                            {
                                otherEdges.Add(id);
                            }
                            else
                            {
                                edge = (e, []);
                            }

                            break;
                        case "tlLogic":
                            tls = (e, []);
                            break;
                        case "junction":
                            if (e.Optional("type") is not "internal")
                            {
                                junctions.Add(new SumoJunction(e.Required("id"), e.Optional("type") ?? "unknown", e.Number("x"), e.Number("y"), e.List("incLanes"), e.OptionalShape("shape")));
                            }

                            break;
                        case "connection":
                            rawConnections.Add((e, e.Required("from"), e.Required("to")));
                            if (e.Optional("via") is { } chained && e.Required("from").StartsWith(':'))
                            {
                                // An internal lane that continues through an internal junction.
                                internalVia[$"{e.Required("from")}_{e.Optional("fromLane") ?? "0"}"] = chained;
                            }

                            break;
                        default:
                            break;
                    }
                }
                else if (reader.Depth == depth + 2 && reader.Name == "lane" && inInternalEdge)
                {
                    internalLaneLength[e.Required("id")] = Math.Max(0, e.Number("length"));
                }
                else if (reader.Depth == depth + 2 && reader.Name == "lane" && edge is { } current)
                {
                    current.Lanes.Add(ReadLane(e));
                }
                else if (reader.Depth == depth + 2 && reader.Name == "phase" && tls is { } program)
                {
                    var state = e.Required("state");
                    var duration = e.Number("duration");
                    if (duration < 0)
                    {
                        throw e.Error("duration", $"attribute 'duration' must not be negative: {duration}");
                    }

                    if (program.Phases.Count > 0 && program.Phases[0].State.Length != state.Length)
                    {
                        throw e.Error("state", $"state '{state}' has {state.Length} signals; the program's first phase has {program.Phases[0].State.Length}");
                    }

                    program.Phases.Add(new SumoPhase(duration, state, e.Line));
                }
            }

            Flush(ref edge, edges, ref tls, tlLogics);
        }
        catch (XmlException ex)
        {
            throw new SumoFormatException(path, ex.LineNumber, null, $"malformed XML: {ex.Message}");
        }

        var byId = new Dictionary<string, SumoEdge>(StringComparer.Ordinal);
        foreach (var edge in edges)
        {
            if (!byId.TryAdd(edge.Id, edge))
            {
                throw new SumoFormatException(path, edge.Line, "id", $"<edge>: edge '{edge.Id}' is defined twice");
            }
        }

        var connections = new List<SumoConnection>();
        foreach (var (e, from, to) in rawConnections)
        {
            if (otherEdges.Contains(from) || otherEdges.Contains(to))
            {
                continue;
            }

            var fromEdge = byId.GetValueOrDefault(from) ?? throw e.Error("from", $"edge '{from}' is not defined");
            var toEdge = byId.GetValueOrDefault(to) ?? throw e.Error("to", $"edge '{to}' is not defined");
            var fromLane = e.Integer("fromLane");
            var toLane = e.Integer("toLane");
            if (fromLane < 0 || fromLane >= fromEdge.Lanes.Count)
            {
                throw e.Error("fromLane", $"edge '{from}' has no lane {fromLane}");
            }

            if (toLane < 0 || toLane >= toEdge.Lanes.Count)
            {
                throw e.Error("toLane", $"edge '{to}' has no lane {toLane}");
            }

            var tl = e.Optional("tl");
            int? linkIndex = null;
            if (tl is not null)
            {
                linkIndex = e.Integer("linkIndex");
                if (tlLogics.TryGetValue(tl, out var program) && program.Phases.Count > 0 &&
                    (linkIndex < 0 || linkIndex >= program.Phases[0].State.Length))
                {
                    throw e.Error("linkIndex", $"link index {linkIndex} is outside the {program.Phases[0].State.Length} signals of traffic light '{tl}'");
                }
            }

            var crossing = 0.0;
            var via = e.Optional("via");
            for (var hop = 0; via is not null && hop < 4 && internalLaneLength.TryGetValue(via, out var length); hop++)
            {
                crossing += length;
                via = internalVia.GetValueOrDefault(via);
            }

            connections.Add(new SumoConnection(from, fromLane, to, toLane, tl, linkIndex, e.Optional("dir") ?? "s", e.Line) { CrossingM = crossing });
        }

        return new SumoNet
        {
            File = path,
            Location = location,
            Edges = edges,
            EdgesById = byId,
            Junctions = junctions,
            Connections = connections,
            TlLogics = tlLogics,
        };
    }

    private static void Flush(
        ref (SumoElement Element, List<SumoLane> Lanes)? edge,
        List<SumoEdge> edges,
        ref (SumoElement Element, List<SumoPhase> Phases)? tls,
        Dictionary<string, SumoTlLogic> tlLogics)
    {
        if (edge is { } done)
        {
            var e = done.Element;
            if (done.Lanes.Count == 0)
            {
                throw e.Error(null, $"edge '{e.Required("id")}' has no lanes");
            }

            var lanes = done.Lanes.OrderBy(l => l.Index).ToList();
            for (var i = 0; i < lanes.Count; i++)
            {
                if (lanes[i].Index != i)
                {
                    throw e.Error(null, $"edge '{e.Required("id")}' has lane indexes {string.Join(", ", lanes.Select(l => l.Index))}; expected 0..{lanes.Count - 1}");
                }
            }

            edges.Add(new SumoEdge(e.Required("id"), e.Required("from"), e.Required("to"), e.Optional("name"), lanes, e.Line));
            edge = null;
        }

        if (tls is { } program)
        {
            var e = program.Element;
            var id = e.Required("id");
            if (program.Phases.Count == 0)
            {
                throw e.Error(null, $"traffic light program '{id}' has no phases");
            }

            // A net may carry several programs of one traffic light; the first is the one the net runs.
            // offset="begin" (SUMO 1.22+) ties the program to the simulation's begin time, which the net does not know: 0.
            var offset = e.Optional("offset") is "begin" ? 0 : e.OptionalNumber("offset") ?? 0;
            tlLogics.TryAdd(id, new SumoTlLogic(id, e.Optional("type") ?? "static", e.Optional("programID") ?? "0", offset, program.Phases, e.Line));
            tls = null;
        }
    }

    private static SumoLane ReadLane(SumoElement e)
    {
        var shape = e.OptionalShape("shape") ?? throw e.Error("shape", "attribute 'shape' is required");
        if (shape.Count < 2)
        {
            throw e.Error("shape", "a lane shape needs at least two positions");
        }

        return new SumoLane(e.Required("id"), e.Integer("index"), e.Number("speed"), e.Number("length"), shape, AllowsCars(e.Optional("allow"), e.Optional("disallow")));
    }

    /// <summary>
    /// Whether a lane admits passenger cars: <c>allow</c> names <c>passenger</c> (or <c>all</c>); otherwise
    /// <c>disallow</c> does not name it (or <c>all</c>); with neither, every class may use the lane.
    /// </summary>
    internal static bool AllowsCars(string? allow, string? disallow)
    {
        static bool Names(string list, string vClass) =>
            list.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(c => c == vClass || c == "all");

        if (allow is not null)
        {
            return Names(allow, "passenger");
        }

        return disallow is null || !Names(disallow, "passenger");
    }

    private static SumoLocation ReadLocation(SumoElement e)
    {
        var offset = e.OptionalShape("netOffset") is [var o, ..] ? o : (0.0, 0.0);
        return new SumoLocation(offset, Boundary(e, "convBoundary"), Boundary(e, "origBoundary"), e.Optional("projParameter"));
    }

    private static (double, double, double, double)? Boundary(SumoElement e, string attribute)
    {
        if (e.Optional(attribute) is not { } text)
        {
            return null;
        }

        var parts = text.Split(',');
        var values = new double[4];
        for (var i = 0; i < values.Length; i++)
        {
            if (parts.Length != 4 || !double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                throw e.Error(attribute, $"attribute '{attribute}' is not 'minX,minY,maxX,maxY': '{text}'");
            }
        }

        return (values[0], values[1], values[2], values[3]);
    }
}
