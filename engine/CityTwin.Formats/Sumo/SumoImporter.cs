using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CityTwin.Engine.City;
using CityTwin.Formats.GeoJson;

namespace CityTwin.Formats.Sumo;

/// <summary>
/// Imports a SUMO network (and optionally its routes) as a CityTwin city folder that
/// <see cref="CityReader.ReadFolder"/> accepts: <c>city.json</c>, <c>districts.geojson</c> (one district over
/// the network), <c>network.geojson</c> (a link per car edge, a signal per traffic light junction) and, with a
/// route file, <c>trips.csv</c>. SUMO itself is not needed. The mapping is described in docs/sumo-import.md.
/// </summary>
public static class SumoImporter
{
    public const string DistrictsFile = "districts.geojson";

    public const string NetworkFile = "network.geojson";

    public const string TripsFile = "trips.csv";

    /// <summary>The district's id; SUMO ids that clash with it are prefixed.</summary>
    public const string DistrictId = "district";

    /// <summary>Where a net without longitude/latitude is placed (its convBoundary's centre goes here).</summary>
    public const double AnchorLon = 10.0;

    public const double AnchorLat = 50.0;

    /// <summary>Margin of the district around the network, in metres.</summary>
    public const double DistrictMarginM = 50;

    /// <summary>Cells are 250 m, or larger when the network would need more than this many.</summary>
    public const int MaxCells = 10_000;

    /// <summary>Street names stay readable (ä, ß) in the files; they are data files, not HTML.</summary>
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Imports <paramref name="netPath"/> (and <paramref name="routesPath"/>) into <paramref name="outDir"/>; the
    /// vehicle types come from the route file and <paramref name="additional"/> files (SUMO's <c>-a</c>), SUMO's
    /// default car where none is given.
    /// </summary>
    /// <exception cref="SumoFormatException">Malformed XML, or a required attribute missing or unreadable.</exception>
    public static ImportReport Import(string netPath, string? routesPath, string outDir, IReadOnlyList<string>? additional = null)
    {
        additional ??= [];
        var net = SumoNetReader.Read(netPath);
        var notes = new List<string>();

        // Links: normal edges with a car lane, except loops (a link cannot start and end at the same node).
        var ids = new IdMap();
        ids.Reserve(DistrictId);
        var carEdges = net.Edges.Where(e => e.IsCarEdge && e.From != e.To).ToList();
        var loops = net.Edges.Count(e => e.IsCarEdge && e.From == e.To);
        if (loops > 0)
        {
            notes.Add($"{loops} edge(s) loop back to the junction they start at; left out");
        }

        var linkIds = carEdges.ToDictionary(e => e.Id, e => ids.Assign(e.Id, "E_"), StringComparer.Ordinal);
        var nodeNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in net.Junctions.Select(j => j.Id).Concat(carEdges.SelectMany(e => new[] { e.From, e.To })))
        {
            if (!nodeNames.ContainsKey(node))
            {
                nodeNames[node] = ids.Assign(node, "J_");
            }
        }

        var signals = new SumoSignals(net, linkIds);
        var connectionsFrom = net.Connections.ToLookup(c => c.From, StringComparer.Ordinal);
        var next = carEdges.ToDictionary(
            e => linkIds[e.Id],
            e => (IReadOnlyList<string>)connectionsFrom[e.Id]
                .Where(signals.IsCarConnection)
                .Select(c => linkIds[c.To])
                .Distinct(StringComparer.Ordinal)
                .ToList(),
            StringComparer.Ordinal);

        // Signals: every traffic light junction whose program controls car connections.
        var imported = new List<ImportedSignal>();
        var trafficLights = net.Junctions.Where(j => j.IsTrafficLight).ToList();
        foreach (var junction in trafficLights)
        {
            var outcome = signals.Convert(junction);
            notes.AddRange(outcome.Notes.Select(n => $"junction '{junction.Id}': {n}"));
            if (outcome.Signal is { } signal)
            {
                imported.Add(signal);
            }
            else
            {
                notes.Add($"junction '{junction.Id}' is not imported as a signal: {outcome.SkipReason}");
            }
        }

        notes.AddRange(imported
            .Select(s => s.Program)
            .Where(p => p.Type is not "static")
            .DistinctBy(p => p.Id)
            .Select(p => $"traffic light '{p.Id}' is '{p.Type}': imported as fixed-time with each phase's 'duration'"));

        var geo = NetGeo.For(net, carEdges, out var georeferenced);
        var name = CityName(netPath);
        Directory.CreateDirectory(outDir);

        // The district: the network's bounding box with a margin.
        var (minX, minY, maxX, maxY) = Extent(net, carEdges, imported);
        minX -= DistrictMarginM;
        minY -= DistrictMarginM;
        maxX += DistrictMarginM;
        maxY += DistrictMarginM;
        var cellSize = CellSize(maxX - minX, maxY - minY);

        RouteImport? routes = null;
        if (routesPath is not null || additional.Count > 0)
        {
            // At a signal a vehicle turns through a lane group: an approach's usable turns are its groups' toLinks.
            var turns = new Dictionary<string, IReadOnlyList<string>>(next, StringComparer.Ordinal);
            foreach (var approach in imported.SelectMany(s => s.Approaches))
            {
                turns[approach.LinkId!] = approach.LaneGroups.SelectMany(g => g.ToLinks ?? []).Distinct(StringComparer.Ordinal).ToList();
            }

            routes = SumoRoutes.Read(routesPath, linkIds, next, turns, additional);
            notes.AddRange(routes.Notes);
        }

        // Vehicle behaviour from the vehicle types of the trips written (docs/sumo-import.md#vehicles); every lane
        // group's saturation flow is the types' through flow per lane.
        var types = routes?.Types ?? [(SumoVehicleType.Default, 0.0)];
        notes.AddRange(TypeNotes(types));
        var vehicles = SumoVehicleMapping.Mix(types.Select(t => (SumoVehicleMapping.Map(t.Type), t.Vehicles)).ToList()) with { Source = VehicleSource(types) };
        imported = imported.Select(s => s with
        {
            Approaches = s.Approaches.Select(a => a with
            {
                LaneGroups = a.LaneGroups.Select(g => g with { SaturationFlowVehH = vehicles.UnsignalisedFlowPerLaneVehH * g.Lanes }).ToList(),
            }).ToList(),
        }).ToList();

        WriteManifest(Path.Combine(outDir, CityReader.ManifestFile), name, netPath, routesPath, cellSize, georeferenced, vehicles);
        WriteDistrict(Path.Combine(outDir, DistrictsFile), name, [geo.ToLonLat(minX, minY), geo.ToLonLat(maxX, minY), geo.ToLonLat(maxX, maxY), geo.ToLonLat(minX, maxY)]);
        WriteNetwork(Path.Combine(outDir, NetworkFile), net, geo, carEdges, linkIds, nodeNames, next, imported);
        if (routes is not null)
        {
            WriteTrips(Path.Combine(outDir, TripsFile), routes.Trips);
        }

        return new ImportReport
        {
            CityFolder = outDir,
            CityName = name,
            Junctions = net.Junctions.Count,
            TrafficLightJunctions = trafficLights.Count,
            Signals = imported.Count,
            Approaches = imported.Sum(s => s.Approaches.Count),
            LaneGroups = imported.Sum(s => s.Approaches.Sum(a => a.LaneGroups.Count)),
            Links = carEdges.Count,
            EdgesSkipped = net.Edges.Count - carEdges.Count,
            Georeferenced = georeferenced,
            TripsWritten = routes?.Trips.Count ?? 0,
            VehiclesSkipped = routes?.Skipped ?? new Dictionary<string, int>(),
            Notes = notes,
            Vehicles = vehicles,
        };
    }

    /// <summary>The vehicle types and their trips, for the manifest's <c>vehicles.source</c>.</summary>
    private static string VehicleSource(IReadOnlyList<(SumoVehicleType Type, double Vehicles)> types)
    {
        var list = string.Join("; ", types.Select(t => FormattableString.Invariant(
            $"'{t.Type.Id}' ({(t.Type == SumoVehicleType.Default ? "SUMO's default car: " : "")}{t.Type.CarFollowModel}, accel {t.Type.Accel:0.###}, decel {t.Type.Decel:0.###}, sigma {t.Type.Sigma:0.###}, tau {t.Type.Tau:0.###}, length {t.Type.Length:0.###}, minGap {t.Type.MinGap:0.###}, speedFactor {t.Type.SpeedFactorMean:0.###} sd {t.Type.SpeedFactorDeviation:0.###}){(t.Vehicles > 0 ? $", {t.Vehicles:0.#} trips" : "")}")));
        return $"SUMO vehicle type{(types.Count > 1 ? "s" : "")} {list}; mapped by citytwin import sumo's calibration (docs/sumo-import.md#vehicles)";
    }

    /// <summary>Notes on types the calibration does not cover: other car-following models, other vehicle classes.</summary>
    private static IEnumerable<string> TypeNotes(IReadOnlyList<(SumoVehicleType Type, double Vehicles)> types)
    {
        foreach (var model in types.Where(t => !string.Equals(t.Type.CarFollowModel, "Krauss", StringComparison.OrdinalIgnoreCase)).GroupBy(t => t.Type.CarFollowModel, StringComparer.Ordinal))
        {
            yield return $"vehicle type(s) {string.Join(", ", model.Select(t => $"'{t.Type.Id}'"))} use the car-following model '{model.Key}': mapped as Krauss with the same attributes (only Krauss is calibrated)";
        }

        foreach (var vClass in types.Where(t => t.Type.VClass is not null && !PassengerLike.Contains(t.Type.VClass)).GroupBy(t => t.Type.VClass!, StringComparer.Ordinal))
        {
            yield return $"vehicle type(s) {string.Join(", ", vClass.Select(t => $"'{t.Type.Id}'"))} of class '{vClass.Key}': attributes not given are taken as SUMO's passenger car's";
        }
    }

    /// <summary>SUMO vehicle classes whose defaults are the passenger car's (speed deviation aside).</summary>
    private static readonly HashSet<string> PassengerLike = new(StringComparer.Ordinal)
    {
        "passenger", "private", "taxi", "evehicle", "hov", "vip", "custom1", "custom2", "ignoring",
    };

    /// <summary>The city's name: the net's file name without <c>.net.xml</c>.</summary>
    internal static string CityName(string netPath)
    {
        var file = Path.GetFileName(netPath);
        foreach (var suffix in new[] { ".net.xml.gz", ".net.xml", ".xml" })
        {
            if (file.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && file.Length > suffix.Length)
            {
                return file[..^suffix.Length];
            }
        }

        return file;
    }

    /// <summary>250 m, or the smallest multiple of 50 m that keeps the grid within <see cref="MaxCells"/> cells.</summary>
    internal static double CellSize(double widthM, double heightM)
    {
        double size = 250;
        while (size < CityBuilder.MaxCellSizeM && Math.Ceiling(widthM / size) * Math.Ceiling(heightM / size) > MaxCells)
        {
            size += 50;
        }

        return size;
    }

    private static (double MinX, double MinY, double MaxX, double MaxY) Extent(SumoNet net, List<SumoEdge> carEdges, List<ImportedSignal> signals)
    {
        var points = carEdges.SelectMany(e => e.Lanes.SelectMany(l => l.Shape))
            .Concat(signals.Select(s => (s.Junction.X, s.Junction.Y)))
            .Concat(net.Junctions.Select(j => (j.X, j.Y)))
            .ToList();
        if (points.Count == 0)
        {
            return (-100, -100, 100, 100);
        }

        return (points.Min(p => p.X), points.Min(p => p.Y), points.Max(p => p.X), points.Max(p => p.Y));
    }

    private static void WriteManifest(string path, string name, string netPath, string? routesPath, double cellSize, bool georeferenced, VehicleBehaviour vehicles)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteString("description",
            $"Imported from the SUMO network {Path.GetFileName(netPath)}" +
            (routesPath is null ? "" : $" with the routes of {Path.GetFileName(routesPath)}") +
            (georeferenced ? "." : $"; the net has no longitude/latitude, so its metres are placed around lon {AnchorLon}, lat {AnchorLat}."));
        json.WriteNumber("cellSizeM", cellSize);
        json.WriteStartArray("files");
        json.WriteStringValue(DistrictsFile);
        json.WriteStringValue(NetworkFile);
        json.WriteEndArray();
        if (routesPath is not null)
        {
            json.WriteStartArray("demand");
            json.WriteStringValue(TripsFile);
            json.WriteEndArray();
        }

        json.WriteStartObject("vehicles");
        foreach (var (field, value, _, _) in vehicles.Ranges())
        {
            json.WriteNumber(field, value);
        }

        json.WriteString("source", vehicles.Source);
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static void WriteDistrict(string path, string name, (double Lon, double Lat)[] corners)
    {
        using var file = new FeatureFile(path);
        file.Feature(json =>
        {
            json.WriteString("type", "Feature");
            json.WriteString("id", DistrictId);
            json.WriteStartObject("properties");
            json.WriteString("kind", "district");
            json.WriteString("name", name);
            json.WriteEndObject();
            json.WriteStartObject("geometry");
            json.WriteString("type", "Polygon");
            json.WriteStartArray("coordinates");
            json.WriteStartArray();
            foreach (var c in corners.Append(corners[0]))
            {
                Position(json, c);
            }

            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void WriteNetwork(
        string path,
        SumoNet net,
        NetGeo geo,
        List<SumoEdge> carEdges,
        Dictionary<string, string> linkIds,
        Dictionary<string, string> nodeNames,
        Dictionary<string, IReadOnlyList<string>> next,
        List<ImportedSignal> signals)
    {
        using var file = new FeatureFile(path);
        foreach (var s in signals)
        {
            file.Feature(json => WriteSignal(json, geo, s, nodeNames[s.Junction.Id]));
        }

        foreach (var edge in carEdges)
        {
            file.Feature(json => WriteLink(json, geo, edge, linkIds[edge.Id], nodeNames, next[linkIds[edge.Id]], CrossingM(net, edge)));
        }
    }

    private static void WriteSignal(Utf8JsonWriter json, NetGeo geo, ImportedSignal s, string id)
    {
        json.WriteString("type", "Feature");
        json.WriteString("id", id);
        json.WriteStartObject("properties");
        json.WriteString("kind", "signal");
        json.WriteString("name", s.Name);
        json.WriteString("sumoId", s.Junction.Id);
        json.WriteString("sumoTls", s.Program.Id);
        json.WriteString("sumoTlsType", s.Program.Type);
        if (s.JunctionWidthM is { } width)
        {
            json.WriteNumber("junctionWidthM", width);
        }

        json.WriteStartArray("approaches");
        foreach (var a in s.Approaches)
        {
            json.WriteStartObject();
            json.WriteString("id", a.Id);
            json.WriteString("link", a.LinkId);
            json.WriteStartArray("laneGroups");
            foreach (var g in a.LaneGroups)
            {
                json.WriteStartObject();
                json.WriteString("id", g.Id);
                json.WriteStartArray("movements");
                foreach (var m in g.Movements)
                {
                    json.WriteStringValue(m switch
                    {
                        Movement.Left => "left",
                        Movement.Right => "right",
                        Movement.UTurn => "u-turn",
                        _ => "through",
                    });
                }

                json.WriteEndArray();
                json.WriteNumber("lanes", g.Lanes);
                json.WriteNumber("saturationFlowVehH", g.SaturationFlowVehH);
                Strings(json, "toLinks", g.ToLinks ?? []);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("plan");
        json.WriteString("id", s.Plan.Id);
        json.WriteNumber("cycleS", s.Plan.CycleS);
        json.WriteNumber("offsetS", s.Plan.OffsetS);
        json.WriteStartArray("phases");
        foreach (var p in s.Plan.Phases)
        {
            json.WriteStartObject();
            json.WriteNumber("id", p.Id);
            json.WriteNumber("greenS", p.GreenS);
            json.WriteNumber("amberS", p.AmberS);
            json.WriteNumber("allRedS", p.AllRedS);
            Strings(json, "serves", p.Serves.Select(r => r.ToString()));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("geometry");
        json.WriteString("type", "Point");
        json.WritePropertyName("coordinates");
        Position(json, geo.ToLonLat(s.Junction.X, s.Junction.Y));
        json.WriteEndObject();
    }

    /// <summary>Mean length of the junction's internal lanes over the edge's connections (the crossing at its downstream end).</summary>
    private static double CrossingM(SumoNet net, SumoEdge edge)
    {
        var crossings = net.Connections
            .Where(c => c.From == edge.Id && edge.Lanes[c.FromLane].AllowsCars && net.EdgesById.TryGetValue(c.To, out var to) && to.Lanes[c.ToLane].AllowsCars)
            .Select(c => c.CrossingM).ToList();
        return crossings.Count > 0 ? crossings.Average() : 0;
    }

    private static void WriteLink(Utf8JsonWriter json, NetGeo geo, SumoEdge edge, string id, Dictionary<string, string> nodeNames, IReadOnlyList<string> next, double crossingM)
    {
        var carLanes = edge.CarLanes.ToList();
        json.WriteString("type", "Feature");
        json.WriteString("id", id);
        json.WriteStartObject("properties");
        json.WriteString("kind", "link");
        json.WriteString("from", nodeNames[edge.From]);
        json.WriteString("to", nodeNames[edge.To]);
        json.WriteNumber("lanes", Math.Min(carLanes.Count, SumoSignals.MaxLanesPerGroup));
        json.WriteNumber("speedLimitKmh", Math.Round(Math.Clamp(carLanes.Max(l => l.SpeedMs) * 3.6, 5, 200), 2));
        json.WriteNumber("lengthM", Math.Round(Math.Max(carLanes.Average(l => l.LengthM) + crossingM, 0.1), 2));
        if (edge.Name is { } name)
        {
            json.WriteString("name", name);
        }

        Strings(json, "next", next);
        json.WriteString("sumoId", edge.Id);
        json.WriteEndObject();
        json.WriteStartObject("geometry");
        json.WriteString("type", "LineString");
        json.WriteStartArray("coordinates");

        // The middle car lane's shape: it keeps the two directions of a street apart.
        foreach (var (x, y) in carLanes[carLanes.Count / 2].Shape)
        {
            Position(json, geo.ToLonLat(x, y));
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteTrips(string path, IReadOnlyList<ImportedTrip> trips)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.Write("id,depart,from,to,route\n");
        foreach (var t in trips)
        {
            writer.Write(Csv(t.Id));
            writer.Write(',');
            writer.Write(t.DepartS.ToString("F2", CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(t.From);
            writer.Write(',');
            writer.Write(t.To);
            writer.Write(',');
            writer.Write(t.Route is null ? "" : string.Join(' ', t.Route));
            writer.Write('\n');
        }
    }

    /// <summary>A CSV field, quoted when it holds a comma, a quote or a line break.</summary>
    internal static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            json.WriteStringValue(v);
        }

        json.WriteEndArray();
    }

    private static void Position(Utf8JsonWriter json, (double Lon, double Lat) p)
    {
        json.WriteStartArray();
        json.WriteNumberValue(Math.Round(p.Lon, 7));
        json.WriteNumberValue(Math.Round(p.Lat, 7));
        json.WriteEndArray();
    }

    /// <summary>A GeoJSON FeatureCollection written one feature per line.</summary>
    private sealed class FeatureFile : IDisposable
    {
        private readonly FileStream _stream;
        private bool _first = true;

        public FeatureFile(string path)
        {
            _stream = File.Create(path);
            _stream.Write("{\"type\":\"FeatureCollection\",\"features\":[\n"u8);
        }

        public void Feature(Action<Utf8JsonWriter> write)
        {
            if (!_first)
            {
                _stream.Write(",\n"u8);
            }

            _first = false;
            using var json = new Utf8JsonWriter(_stream, Compact);
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        public void Dispose()
        {
            _stream.Write("\n]}\n"u8);
            _stream.Dispose();
        }
    }

    /// <summary>
    /// SUMO ids as CityTwin ids: characters outside letters, digits, '-', '_', '.' become '_', long ids are cut
    /// with a hash, and an id already taken gets a prefix (then a number).
    /// </summary>
    internal sealed class IdMap
    {
        private const int MaxLength = 64;
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public void Reserve(string id) => _used.Add(id);

        public string Assign(string sumoId, string prefix)
        {
            var candidate = Sanitise(sumoId);
            if (_used.Add(candidate))
            {
                return candidate;
            }

            var prefixed = Sanitise(prefix + sumoId);
            candidate = prefixed;
            for (var n = 2; !_used.Add(candidate); n++)
            {
                candidate = Sanitise($"{prefix}{sumoId}_{n}");
            }

            return candidate;
        }

        internal static string Sanitise(string id)
        {
            var chars = id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
            var text = chars.Length == 0 ? "_" : new string(chars);
            return text.Length <= MaxLength ? text : $"{text[..(MaxLength - 9)]}_{Fnv(id):x8}";
        }

        private static uint Fnv(string text)
        {
            var hash = 2166136261u;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619u;
            }

            return hash;
        }
    }

    /// <summary>From net metres to longitude/latitude: an equirectangular placement around an anchor.</summary>
    private sealed class NetGeo
    {
        private readonly double _lon0;
        private readonly double _lat0;
        private readonly double _x0;
        private readonly double _y0;
        private readonly double _metresPerDegreeLat;
        private readonly double _metresPerDegreeLon;

        private NetGeo(double lon0, double lat0, double x0, double y0)
        {
            _lon0 = lon0;
            _lat0 = lat0;
            _x0 = x0;
            _y0 = y0;
            _metresPerDegreeLat = LocalProjection.EarthRadiusM * Math.PI / 180.0;
            _metresPerDegreeLon = _metresPerDegreeLat * Math.Cos(lat0 * Math.PI / 180.0);
        }

        /// <summary>
        /// The centre of the net's convBoundary (or of its junctions) goes to the centre of the origBoundary when
        /// that is longitude/latitude (a projected net), else to <see cref="AnchorLon"/>, <see cref="AnchorLat"/>.
        /// </summary>
        public static NetGeo For(SumoNet net, List<SumoEdge> carEdges, out bool georeferenced)
        {
            double x0, y0;
            if (net.Location?.ConvBoundary is { } conv)
            {
                (x0, y0) = ((conv.MinX + conv.MaxX) / 2, (conv.MinY + conv.MaxY) / 2);
            }
            else
            {
                var points = net.Junctions.Select(j => (j.X, j.Y)).Concat(carEdges.SelectMany(e => e.Lanes[0].Shape)).ToList();
                (x0, y0) = points.Count == 0 ? (0, 0) : ((points.Min(p => p.X) + points.Max(p => p.X)) / 2, (points.Min(p => p.Y) + points.Max(p => p.Y)) / 2);
            }

            if (net.Location is { OrigBoundary: { } orig, ProjParameter: { } proj } && proj != "!" &&
                orig.MinX >= -180 && orig.MaxX <= 180 && orig.MinY >= -90 && orig.MaxY <= 90 && orig.MinX <= orig.MaxX && orig.MinY <= orig.MaxY)
            {
                georeferenced = true;
                return new NetGeo((orig.MinX + orig.MaxX) / 2, (orig.MinY + orig.MaxY) / 2, x0, y0);
            }

            georeferenced = false;
            return new NetGeo(AnchorLon, AnchorLat, x0, y0);
        }

        public (double Lon, double Lat) ToLonLat(double x, double y) =>
            (_lon0 + ((x - _x0) / _metresPerDegreeLon), _lat0 + ((y - _y0) / _metresPerDegreeLat));
    }
}
