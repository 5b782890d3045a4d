using System.Xml;
using System.Xml.Linq;

namespace CityTwin.Formats.Sumo;

/// <summary>One trip for <c>trips.csv</c>: link ids, and the whole path when the vehicle had a route.</summary>
internal sealed record ImportedTrip(string Id, double DepartS, string From, string To, IReadOnlyList<string>? Route);

/// <summary>
/// The trips read from a SUMO route file, with the vehicles left out and why, and the vehicle types of the trips
/// written (a type distribution's vehicles shared among its members by their probabilities).
/// </summary>
internal sealed record RouteImport(
    IReadOnlyList<ImportedTrip> Trips,
    IReadOnlyDictionary<string, int> Skipped,
    IReadOnlyList<string> Notes,
    IReadOnlyList<(SumoVehicleType Type, double Vehicles)> Types);

/// <summary>
/// Reads the car trips of a SUMO route file (<c>.rou.xml</c>, or a trips file): <c>vehicle</c> with an inline or
/// named <c>route</c>, <c>trip</c> (from/to) and <c>flow</c> (expanded into evenly spaced departures). Vehicles of
/// a non-car class, and vehicles that use an edge or a turn the imported city has not, are counted, not written.
/// </summary>
internal sealed class SumoRoutes
{
    /// <summary>A flow that would expand into more vehicles than this is left out.</summary>
    public const int MaxVehiclesPerFlow = 1_000_000;

    /// <summary>SUMO's default end of a flow without one: 24 h.</summary>
    public const double DefaultFlowEndS = 86_400;

    /// <summary>SUMO vehicle classes that do not drive on car lanes; every other class is taken as car-like.</summary>
    private static readonly HashSet<string> NonCarClasses = new(StringComparer.Ordinal)
    {
        "pedestrian", "bicycle", "bus", "coach", "tram", "rail_urban", "rail", "rail_electric", "rail_fast",
        "subway", "cable_car", "ship", "aircraft", "wheelchair", "scooter", "drone", "container",
    };

    private readonly string _file;
    private bool _typesOnly;
    private readonly IReadOnlyDictionary<string, string> _linkIds;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _next;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _turns;

    /// <summary>vType or vTypeDistribution id: whether it is car-like.</summary>
    private readonly Dictionary<string, bool> _types = new(StringComparer.Ordinal)
    {
        ["DEFAULT_VEHTYPE"] = true,
        ["DEFAULT_TAXITYPE"] = true,
        ["DEFAULT_PEDTYPE"] = false,
        ["DEFAULT_BIKETYPE"] = false,
        ["DEFAULT_RAILTYPE"] = false,
        ["DEFAULT_CONTAINERTYPE"] = false,
    };

    /// <summary>The car-like vTypes defined so far (DEFAULT_VEHTYPE is SUMO's default car until a file redefines it).</summary>
    private readonly Dictionary<string, SumoVehicleType> _vTypes = new(StringComparer.Ordinal)
    {
        ["DEFAULT_VEHTYPE"] = SumoVehicleType.Default,
        ["DEFAULT_TAXITYPE"] = SumoVehicleType.Default with { Id = "DEFAULT_TAXITYPE", VClass = "taxi", SpeedFactorDeviation = 0.05 },
    };

    /// <summary>vTypeDistribution id: its members and their probabilities.</summary>
    private readonly Dictionary<string, List<(string Type, double Probability)>> _distributions = new(StringComparer.Ordinal);

    /// <summary>Trips written per vehicle type or distribution id.</summary>
    private readonly Dictionary<string, int> _tripsByType = new(StringComparer.Ordinal);

    private readonly Dictionary<string, IReadOnlyList<string>> _routes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _routeDistributions = new(StringComparer.Ordinal);
    private readonly List<ImportedTrip> _trips = [];
    private readonly Dictionary<string, int> _skipped = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _unknownTypes = new(StringComparer.Ordinal);
    private int _unknownTypeVehicles;

    private SumoRoutes(
        string file,
        IReadOnlyDictionary<string, string> linkIds,
        IReadOnlyDictionary<string, IReadOnlyList<string>> next,
        IReadOnlyDictionary<string, IReadOnlyList<string>> turns)
    {
        _file = file;
        _linkIds = linkIds;
        _next = next;
        _turns = turns;
    }

    /// <param name="path">The route file.</param>
    /// <param name="linkIds">SUMO edge id to CityTwin link id, for the imported edges.</param>
    /// <param name="next">CityTwin link id to the links that may follow it (the links' <c>next</c>).</param>
    /// <param name="turns">
    /// The turns a vehicle can take: <paramref name="next"/>, except at a signal approach, where only its lane
    /// groups' toLinks (a turn never green there is not one).
    /// </param>
    /// <param name="additional">Files read first for their vehicle types only (SUMO's additional files, <c>-a</c>).</param>
    public static RouteImport Read(
        string? path,
        IReadOnlyDictionary<string, string> linkIds,
        IReadOnlyDictionary<string, IReadOnlyList<string>> next,
        IReadOnlyDictionary<string, IReadOnlyList<string>> turns,
        IReadOnlyList<string>? additional = null)
    {
        var routes = new SumoRoutes(path ?? "", linkIds, next, turns);
        foreach (var file in additional ?? [])
        {
            new SumoRoutes(file, linkIds, next, turns) { _typesOnly = true }.ReadInto(routes);
        }

        if (path is not null)
        {
            routes.ReadFile();
        }

        var notes = new List<string>();
        if (routes._unknownTypeVehicles > 0)
        {
            notes.Add($"{routes._unknownTypeVehicles} vehicle(s) have a type the route file does not define ({string.Join(", ", routes._unknownTypes.Take(5).Select(t => $"'{t}'"))}{(routes._unknownTypes.Count > 5 ? ", ..." : "")}); taken as cars, unless the type is named like a vehicle class that is not a car ('bus', 'tram', ...)");
        }

        var trips = routes._trips.OrderBy(t => t.DepartS).ToList(); // stable: file order within a departure time
        return new RouteImport(trips, routes._skipped, notes, routes.TypeMix());
    }

    /// <summary>
    /// The vehicle types of the trips written, with their vehicle counts; a distribution's vehicles are shared among
    /// its members by probability. With no trips: DEFAULT_VEHTYPE (as a file may have redefined it).
    /// </summary>
    private List<(SumoVehicleType Type, double Vehicles)> TypeMix()
    {
        var mix = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (type, count) in _tripsByType)
        {
            if (_distributions.TryGetValue(type, out var members))
            {
                var cars = members.Where(m => _vTypes.ContainsKey(m.Type)).ToList();
                var total = cars.Sum(m => m.Probability);
                foreach (var (member, p) in cars)
                {
                    mix[member] = mix.GetValueOrDefault(member) + (count * (total > 0 ? p / total : 1.0 / cars.Count));
                }
            }
            else
            {
                // A type no file defines (an additional file not given) is taken as SUMO's default car.
                var key = _vTypes.ContainsKey(type) ? type : "DEFAULT_VEHTYPE";
                mix[key] = mix.GetValueOrDefault(key) + count;
            }
        }

        if (mix.Count == 0)
        {
            mix["DEFAULT_VEHTYPE"] = 0;
        }

        return mix.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (_vTypes[kv.Key], kv.Value)).ToList();
    }

    /// <summary>Reads this (additional) file's vehicle types into <paramref name="target"/>.</summary>
    private void ReadInto(SumoRoutes target)
    {
        ReadFile();
        foreach (var (id, car) in _types)
        {
            target._types[id] = car;
        }

        foreach (var (id, type) in _vTypes)
        {
            target._vTypes[id] = type;
        }

        foreach (var (id, members) in _distributions)
        {
            target._distributions[id] = members;
        }
    }

    private static bool IsCarClass(string? vClass) => vClass is null || !NonCarClasses.Contains(vClass);

    private void ReadFile()
    {
        try
        {
            using var reader = SumoElement.Open(_file);
            if (reader.MoveToContent() != XmlNodeType.Element)
            {
                throw new SumoFormatException(_file, SumoElement.LineOf(reader), null, "not a SUMO route file: no root element");
            }

            var depth = reader.Depth;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Depth != depth + 1)
                {
                    continue;
                }

                XElement element;
                using (var subtree = reader.ReadSubtree())
                {
                    element = XElement.Load(subtree, LoadOptions.SetLineInfo);
                }

                Handle(element);
            }
        }
        catch (XmlException ex)
        {
            throw new SumoFormatException(_file, ex.LineNumber, null, $"malformed XML: {ex.Message}");
        }
    }

    private void Handle(XElement element)
    {
        var e = SumoElement.Of(element, _file);
        if (_typesOnly && e.Name is not "vType" and not "vTypeDistribution")
        {
            return;
        }

        switch (e.Name)
        {
            case "vType":
                ReadType(element, e);
                break;
            case "vTypeDistribution":
                ReadTypeDistribution(element, e);
                break;
            case "route":
                _routes[e.Required("id")] = Edges(e);
                break;
            case "routeDistribution":
                _routeDistributions.Add(e.Required("id"));
                foreach (var r in element.Elements("route"))
                {
                    var re = SumoElement.Of(r, _file);
                    if (re.Optional("id") is { } id)
                    {
                        _routes[id] = Edges(re);
                    }
                }

                break;
            case "vehicle":
                ReadVehicle(element, e);
                break;
            case "trip":
                ReadTrip(e);
                break;
            case "flow":
                ReadFlow(element, e);
                break;
            case "person" or "personFlow" or "container" or "containerFlow":
                Skip("persons and containers are not vehicles");
                break;
            default:
                break;
        }
    }

    /// <summary>A vType: whether it is car-like, and when it is, its attributes.</summary>
    private string ReadType(XElement element, SumoElement e)
    {
        var id = e.Required("id");
        var car = IsCarClass(e.Optional("vClass"));
        _types[id] = car;
        if (car)
        {
            _vTypes[id] = SumoVehicleType.Read(element, _file);
        }
        else
        {
            _vTypes.Remove(id);
        }

        return id;
    }

    private void ReadTypeDistribution(XElement element, SumoElement e)
    {
        var members = new List<(string Type, double Probability)>();
        foreach (var t in element.Elements("vType"))
        {
            var te = SumoElement.Of(t, _file);
            members.Add((ReadType(t, te), te.OptionalNumber("probability") ?? 1.0));
        }

        var listed = e.List("vTypes");
        var probabilities = e.Optional("probabilities") is null ? [] : e.List("probabilities")
            .Select(p => double.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= 0
                ? v
                : throw e.Error("probabilities", $"attribute 'probabilities' must list numbers >= 0: '{p}'"))
            .ToList();
        members.AddRange(listed.Select((id, i) => (id, i < probabilities.Count ? probabilities[i] : 1.0)));

        // A mixed distribution cannot be split deterministically: it counts as cars unless every member is not one.
        var id = e.Required("id");
        _types[id] = members.Count == 0 || members.Any(m => _types.GetValueOrDefault(m.Type, true));
        _distributions[id] = members;
    }

    private IReadOnlyList<string> Edges(SumoElement route)
    {
        var edges = route.List("edges");
        return edges.Count > 0 ? edges : throw route.Error("edges", "attribute 'edges' is required");
    }

    /// <summary>Whether the vehicle's type is car-like; counts the vehicle as skipped when not.</summary>
    private bool IsCar(SumoElement e)
    {
        var type = TypeOf(e);
        if (_types.TryGetValue(type, out var car))
        {
            if (!car)
            {
                Skip("vehicle class is not a car (bus, tram, rail, bicycle, pedestrian ...)");
            }

            return car;
        }

        _unknownTypes.Add(type);
        _unknownTypeVehicles++;

        // An undefined type named like a vehicle class ("bus", defined in an additional file) is taken as that class.
        if (NonCarClasses.Contains(type))
        {
            Skip("vehicle class is not a car (bus, tram, rail, bicycle, pedestrian ...)");
            return false;
        }

        return true;
    }

    private void ReadVehicle(XElement element, SumoElement e)
    {
        var id = e.Required("id");
        var depart = Depart(e);
        if (!IsCar(e) || depart is null)
        {
            return;
        }

        var edges = RouteOf(element, e);
        if (edges is not null)
        {
            AddRouted(id, depart.Value, edges, TypeOf(e));
        }
    }

    private void ReadTrip(SumoElement e)
    {
        var id = e.Required("id");
        var depart = Depart(e);
        if (!IsCar(e) || depart is null)
        {
            return;
        }

        if (e.Optional("from") is null && e.Optional("to") is null)
        {
            Skip("trip between districts (TAZ), junctions or positions, not edges");
            return;
        }

        AddUnrouted(id, depart.Value, e.Required("from"), e.Required("to"), TypeOf(e));
    }

    private void ReadFlow(XElement element, SumoElement e)
    {
        var id = e.Required("id");
        if (!IsCar(e))
        {
            return;
        }

        var departures = FlowDepartures(e);
        if (departures is null)
        {
            return;
        }

        IReadOnlyList<string>? edges = null;
        string? from = null, to = null;
        if (e.Optional("route") is not null || element.Element("route") is not null || element.Element("routeDistribution") is not null)
        {
            edges = RouteOf(element, e);
            if (edges is null)
            {
                return;
            }
        }
        else if (e.Optional("from") is not null || e.Optional("to") is not null)
        {
            from = e.Required("from");
            to = e.Required("to");
        }
        else
        {
            Skip("trip between districts (TAZ), junctions or positions, not edges");
            return;
        }

        for (var i = 0; i < departures.Count; i++)
        {
            if (edges is not null)
            {
                AddRouted($"{id}.{i}", departures[i], edges, TypeOf(e));
            }
            else
            {
                AddUnrouted($"{id}.{i}", departures[i], from!, to!, TypeOf(e));
            }
        }
    }

    /// <summary>
    /// The departures of a flow, evenly spaced from <c>begin</c>: every <c>period</c> (or 3600/<c>vehsPerHour</c>)
    /// up to <c>end</c> or <c>number</c> vehicles; <c>number</c> alone spreads them over [begin, end); a
    /// <c>probability</c> per second gives round(probability x (end - begin)) vehicles.
    /// </summary>
    private List<double>? FlowDepartures(SumoElement e)
    {
        var begin = e.OptionalTime("begin") ?? 0;
        var end = e.OptionalTime("end");
        var number = e.OptionalInteger("number");
        if (number < 0)
        {
            throw e.Error("number", $"attribute 'number' must not be negative: {number}");
        }

        double? period = null;
        if (e.Optional("period") is { } p)
        {
            // period="exp(rate)" draws random gaps in SUMO; here the mean gap 1/rate, evenly spaced.
            if (p.StartsWith("exp(", StringComparison.Ordinal) && p.EndsWith(')'))
            {
                period = double.TryParse(p[4..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var rate) && rate > 0
                    ? 1 / rate
                    : throw e.Error("period", $"attribute 'period' is not a rate: '{p}'");
            }
            else
            {
                period = e.OptionalTime("period");
            }
        }
        else if ((e.OptionalNumber("vehsPerHour") ?? e.OptionalNumber("perHour")) is { } perHour)
        {
            period = perHour > 0 ? 3600 / perHour : throw e.Error("vehsPerHour", $"the flow's rate must be positive: {perHour}");
        }

        var probability = e.OptionalNumber("probability");
        if (period is <= 0)
        {
            throw e.Error("period", $"attribute 'period' must be positive: {period}");
        }

        double count;
        double spacing;
        if (period is { } gap)
        {
            var last = end ?? (number is { } n ? begin + (n * gap) : DefaultFlowEndS);
            count = Math.Max(0, Math.Ceiling((last - begin) / gap));
            if (number is { } max)
            {
                count = Math.Min(count, max);
            }

            spacing = gap;
        }
        else if (probability is { } perSecond)
        {
            if (perSecond is < 0 or > 1)
            {
                throw e.Error("probability", $"attribute 'probability' must be in [0, 1]: {perSecond}");
            }

            var last = end ?? DefaultFlowEndS;
            count = Math.Round(perSecond * Math.Max(0, last - begin));
            spacing = count > 0 ? (last - begin) / count : 0;
        }
        else if (number is { } n)
        {
            var last = end ?? DefaultFlowEndS;
            count = n;
            spacing = n > 0 ? Math.Max(0, last - begin) / n : 0;
        }
        else
        {
            throw e.Error(null, "a flow needs one of 'number', 'period', 'vehsPerHour' or 'probability'");
        }

        if (count > MaxVehiclesPerFlow)
        {
            Skip($"flow expands to more than {MaxVehiclesPerFlow} vehicles", (int)Math.Min(count, int.MaxValue));
            return null;
        }

        return Enumerable.Range(0, (int)count).Select(i => begin + (i * spacing)).ToList();
    }

    /// <summary>The depart time, or null (vehicle counted as skipped) when it is not a time ("triggered").</summary>
    private double? Depart(SumoElement e)
    {
        var text = e.Required("depart");
        if (!SumoElement.TryParseTime(text, out var seconds))
        {
            Skip($"depart is not a time ('{text}')");
            return null;
        }

        if (seconds < 0)
        {
            throw e.Error("depart", $"attribute 'depart' must not be negative: {text}");
        }

        return seconds;
    }

    /// <summary>The edges of a vehicle's route (inline or named), or null (counted) when there is none to use.</summary>
    private IReadOnlyList<string>? RouteOf(XElement element, SumoElement e)
    {
        if (e.Optional("route") is { } name)
        {
            if (_routes.TryGetValue(name, out var named) && !_routeDistributions.Contains(name))
            {
                return named;
            }

            Skip(_routeDistributions.Contains(name) ? "route distribution (random route choice)" : "route not defined before the vehicle");
            return null;
        }

        if (element.Element("route") is { } inline)
        {
            return Edges(SumoElement.Of(inline, _file));
        }

        if (element.Element("routeDistribution") is not null)
        {
            Skip("route distribution (random route choice)");
            return null;
        }

        throw e.Error("route", "a vehicle needs a 'route' attribute or a <route> element");
    }

    private static string TypeOf(SumoElement e) => e.Optional("type") ?? "DEFAULT_VEHTYPE";

    private void AddRouted(string id, double depart, IReadOnlyList<string> edges, string type)
    {
        var links = new List<string>(edges.Count);
        foreach (var edge in edges)
        {
            if (!_linkIds.TryGetValue(edge, out var link))
            {
                Skip("route uses an edge that was not imported (no car lanes, or not in the net)");
                return;
            }

            if (links.Count > 0 && !_next[links[^1]].Contains(link, StringComparer.Ordinal))
            {
                Skip("route takes a turn that has no car connection");
                return;
            }

            if (links.Count > 0 && !_turns[links[^1]].Contains(link, StringComparer.Ordinal))
            {
                Skip("route takes a turn that is never green at a signal");
                return;
            }

            links.Add(link);
        }

        _trips.Add(new ImportedTrip(id, depart, links[0], links[^1], links));
        _tripsByType[type] = _tripsByType.GetValueOrDefault(type) + 1;
    }

    private void AddUnrouted(string id, double depart, string fromEdge, string toEdge, string type)
    {
        if (!_linkIds.TryGetValue(fromEdge, out var from) || !_linkIds.TryGetValue(toEdge, out var to))
        {
            Skip("trip starts or ends on an edge that was not imported (no car lanes, or not in the net)");
            return;
        }

        _trips.Add(new ImportedTrip(id, depart, from, to, null));
        _tripsByType[type] = _tripsByType.GetValueOrDefault(type) + 1;
    }

    private void Skip(string reason, int count = 1) =>
        _skipped[reason] = _skipped.GetValueOrDefault(reason) + count;
}
