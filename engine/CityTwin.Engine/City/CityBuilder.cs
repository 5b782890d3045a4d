using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace CityTwin.Engine.City;

/// <summary>
/// Turns a <see cref="CityDraft"/> into a <see cref="CityModel"/>: checks references and geometry rules,
/// projects coordinates to metres, derives the grid cells and assigns every entity to its cell and
/// district through an STR-tree of the district polygons. Reports every error, not just the first.
/// </summary>
public static class CityBuilder
{
    /// <summary>Smallest and largest accepted cell size in metres.</summary>
    public const double MinCellSizeM = 50;

    public const double MaxCellSizeM = 5000;

    /// <summary>A plan's cycle must equal the sum of its phase times within this tolerance (s).</summary>
    public const double CycleToleranceS = 0.5;

    private const int MaxCells = 1_000_000;

    private static readonly GeometryFactory Factory = new();

    /// <summary>Builds the city, or throws <see cref="CityValidationException"/> with every error.</summary>
    public static CityModel Build(CityDraft draft)
    {
        var errors = new List<CityError>();
        CheckUniqueIds(draft, errors);

        if (draft.CellSizeM is < MinCellSizeM or > MaxCellSizeM || double.IsNaN(draft.CellSizeM))
        {
            errors.Add(new CityError("city.json", "cellSizeM", $"must be between {MinCellSizeM} and {MaxCellSizeM} metres, not {draft.CellSizeM}"));
        }

        if (draft.Districts.Count == 0)
        {
            errors.Add(new CityError("city", "", "a city needs at least one district"));
        }

        if (errors.Count > 0)
        {
            throw new CityValidationException(errors);
        }

        var projection = CreateProjection(draft);
        var districts = draft.Districts
            .Select(d => new District(d.Id, d.Name, d.Population, d.Boundary, projection.Project(d.Boundary)))
            .ToList();
        var index = new STRtree<District>();
        foreach (var d in districts)
        {
            index.Insert(d.ProjectedBoundary.EnvelopeInternal, d);
        }

        index.Build();
        var districtOrder = districts.Select((d, i) => (d.Id, i)).ToDictionary(t => t.Id, t => t.i, StringComparer.Ordinal);

        var extent = new Envelope();
        foreach (var d in districts)
        {
            extent.ExpandToInclude(d.ProjectedBoundary.EnvelopeInternal);
        }

        var grid = new Grid(extent, draft.CellSizeM);
        if ((long)grid.Columns * grid.Rows > MaxCells)
        {
            throw new CityValidationException([new CityError("city.json", "cellSizeM", $"{draft.CellSizeM} m cells give {(long)grid.Columns * grid.Rows} cells over the districts' extent; the limit is {MaxCells}")]);
        }

        string? DistrictAt(Coordinate xy)
        {
            var point = Factory.CreatePoint(xy);
            District? best = null;
            foreach (var candidate in index.Query(point.EnvelopeInternal))
            {
                if (candidate.ProjectedBoundary.Covers(point) &&
                    (best is null || districtOrder[candidate.Id] < districtOrder[best.Id]))
                {
                    best = candidate;
                }
            }

            return best?.Id;
        }

        string NearestDistrict(Coordinate xy)
        {
            var point = Factory.CreatePoint(xy);
            return districts.OrderBy(d => d.ProjectedBoundary.Distance(point)).ThenBy(d => districtOrder[d.Id]).First().Id;
        }

        Placement? PlacePoint(string source, Coordinate lonLat)
        {
            var xy = projection.Project(lonLat);
            var district = DistrictAt(xy);
            if (district is null)
            {
                errors.Add(new CityError(source, "geometry", $"({lonLat.X:0.######}, {lonLat.Y:0.######}) lies outside every district"));
                return null;
            }

            return new Placement(xy.X, xy.Y, grid.CellIdAt(xy), district);
        }

        var links = new List<RoadLink>();
        foreach (var l in draft.Links)
        {
            if (l.From == l.To)
            {
                errors.Add(new CityError(l.Source, "to", $"a link cannot start and end at the same node '{l.From}'"));
            }

            var projected = l.Path.Select(projection.Project).ToArray();
            var line = Factory.CreateLineString(projected);
            var mid = line.Length > 0
                ? new NetTopologySuite.LinearReferencing.LengthIndexedLine(line).ExtractPoint(line.Length / 2)
                : projected[0];
            var district = DistrictAt(mid) ?? NearestDistrict(mid);
            var length = l.LengthM ?? line.Length;
            links.Add(new RoadLink(l.Id, l.Name, l.From, l.To, l.Lanes, l.SpeedLimitKmh, length, l.Path,
                new Placement(mid.X, mid.Y, grid.CellIdAt(mid), district))
            { Next = l.Next });
        }

        var linksById = links.ToDictionary(l => l.Id, StringComparer.Ordinal);
        foreach (var l in draft.Links)
        {
            CheckNext(l, linksById, errors);
        }

        var signals = new List<SignalSite>();
        foreach (var s in draft.Signals)
        {
            CheckSignal(s, linksById, errors);
            var placement = PlacePoint(s.Source, s.Location);
            if (placement is not null)
            {
                signals.Add(new SignalSite(s.Id, s.Name, s.Location, s.Approaches, s.Plan, s.JunctionWidthM, placement));
            }
        }

        var parking = new List<ParkingFacility>();
        foreach (var p in draft.Parking)
        {
            var placement = PlacePoint(p.Source, p.Location);
            if (placement is not null)
            {
                parking.Add(new ParkingFacility(p.Id, p.Name, p.Location, p.Capacity, p.PricePerHour, p.Currency, p.Type, placement));
            }
        }

        var signalDrafts = draft.Signals.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var parkingIds = draft.Parking.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var detectors = new List<Detector>();
        foreach (var d in draft.Detectors)
        {
            CheckDetector(d, signalDrafts, parkingIds, errors);
            var placement = PlacePoint(d.Source, d.Location);
            if (placement is not null)
            {
                detectors.Add(new Detector(d.Id, d.Location, d.SignalId, d.ApproachId, d.LaneGroupId, d.ParkingId, d.Role, placement));
            }
        }

        var controllers = BuildControllers(draft, signalDrafts, errors);
        if (errors.Count > 0)
        {
            throw new CityValidationException(errors);
        }

        var cells = grid.Cells(c => DistrictAt(c));
        return new CityModel(draft.Name, draft.CellSizeM, projection, districts, signals, links, parking, detectors, cells)
        {
            DemandFiles = draft.DemandFiles,
            SignalControllers = controllers,
            Vehicles = draft.Vehicles,
            Alerts = draft.Alerts,
            TimeZone = draft.TimeZone,
            ParkingModel = draft.ParkingModel,
        };
    }

    /// <summary>Each signal named in the controllers file must exist and have one device id, used by no other signal.</summary>
    private static Dictionary<string, Signals.SignalController> BuildControllers(CityDraft draft, Dictionary<string, SignalDraft> signals, List<CityError> errors)
    {
        var controllers = new Dictionary<string, Signals.SignalController>(StringComparer.Ordinal);
        var deviceOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var signalOf = new Dictionary<int, string>();
        foreach (var row in draft.SignalDetectors)
        {
            var d = row.Detector;
            if (!signals.ContainsKey(row.SignalId))
            {
                errors.Add(new CityError(row.Source, "Signal", $"'{row.SignalId}' is not a signal of the city"));
            }
            else if (deviceOf.TryGetValue(row.SignalId, out var device) && device != d.DeviceId)
            {
                errors.Add(new CityError(row.Source, "DeviceId", $"signal '{row.SignalId}' already has device {device}; a signal has one controller"));
            }
            else if (signalOf.TryGetValue(d.DeviceId, out var other) && other != row.SignalId)
            {
                errors.Add(new CityError(row.Source, "DeviceId", $"device {d.DeviceId} is already the controller of signal '{other}'"));
            }
            else
            {
                deviceOf[row.SignalId] = d.DeviceId;
                signalOf[d.DeviceId] = row.SignalId;
            }
        }

        foreach (var group in draft.SignalDetectors.Where(r => deviceOf.ContainsKey(r.SignalId)).GroupBy(r => r.SignalId, StringComparer.Ordinal))
        {
            controllers[group.Key] = new Signals.SignalController(group.Key, deviceOf[group.Key], new Signals.DetectorConfiguration(group.Select(r => r.Detector)));
        }

        return controllers;
    }

    private static LocalProjection CreateProjection(CityDraft draft)
    {
        var env = new Envelope();
        foreach (var d in draft.Districts)
        {
            env.ExpandToInclude(d.Boundary.EnvelopeInternal);
        }

        var centre = env.Centre;
        return new LocalProjection(centre.X, centre.Y);
    }

    private static void CheckUniqueIds(CityDraft draft, List<CityError> errors)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        IEnumerable<(string Source, string Id)> all =
            draft.Districts.Select(d => (d.Source, d.Id))
                .Concat(draft.Signals.Select(s => (s.Source, s.Id)))
                .Concat(draft.Links.Select(l => (l.Source, l.Id)))
                .Concat(draft.Parking.Select(p => (p.Source, p.Id)))
                .Concat(draft.Detectors.Select(d => (d.Source, d.Id)));
        foreach (var (source, id) in all)
        {
            if (seen.TryGetValue(id, out var first))
            {
                errors.Add(new CityError(source, "id", $"id '{id}' is already used by {first}"));
            }
            else
            {
                seen[id] = source;
            }
        }
    }

    private static void CheckSignal(SignalDraft s, Dictionary<string, RoadLink> links, List<CityError> errors)
    {
        var groups = new HashSet<LaneGroupRef>();
        var approachIds = new HashSet<string>(StringComparer.Ordinal);
        for (var a = 0; a < s.Approaches.Count; a++)
        {
            var approach = s.Approaches[a];
            if (!approachIds.Add(approach.Id))
            {
                errors.Add(new CityError(s.Source, $"approaches[{a}].id", $"approach '{approach.Id}' appears twice"));
            }

            if (approach.LinkId is not null)
            {
                if (!links.TryGetValue(approach.LinkId, out var link))
                {
                    errors.Add(new CityError(s.Source, $"approaches[{a}].link", $"link '{approach.LinkId}' does not exist"));
                }
                else if (link.To != s.Id)
                {
                    errors.Add(new CityError(s.Source, $"approaches[{a}].link", $"link '{approach.LinkId}' ends at '{link.To}', not at this signal"));
                }
            }

            for (var g = 0; g < approach.LaneGroups.Count; g++)
            {
                if (!groups.Add(new LaneGroupRef(approach.Id, approach.LaneGroups[g].Id)))
                {
                    errors.Add(new CityError(s.Source, $"approaches[{a}].laneGroups[{g}].id", $"lane group '{approach.LaneGroups[g].Id}' appears twice in approach '{approach.Id}'"));
                }

                CheckToLinks(s, $"approaches[{a}].laneGroups[{g}].toLinks", approach.LaneGroups[g].ToLinks, links, errors);
            }
        }

        var served = new HashSet<LaneGroupRef>();
        var phaseIds = new HashSet<int>();
        for (var p = 0; p < s.Plan.Phases.Count; p++)
        {
            var phase = s.Plan.Phases[p];
            if (!phaseIds.Add(phase.Id))
            {
                errors.Add(new CityError(s.Source, $"plan.phases[{p}].id", $"phase {phase.Id} appears twice"));
            }

            for (var i = 0; i < phase.Serves.Count; i++)
            {
                var r = phase.Serves[i];
                if (!groups.Contains(r))
                {
                    errors.Add(new CityError(s.Source, $"plan.phases[{p}].serves[{i}]", $"lane group '{r}' is not an approach.laneGroup of this signal"));
                }

                served.Add(r);
            }
        }

        foreach (var g in groups.Where(g => !served.Contains(g)))
        {
            errors.Add(new CityError(s.Source, "plan.phases", $"lane group '{g}' is not served by any phase"));
        }

        var sum = s.Plan.Phases.Sum(p => p.DurationS);
        if (Math.Abs(sum - s.Plan.CycleS) > CycleToleranceS)
        {
            errors.Add(new CityError(s.Source, "plan.cycleS", $"cycle {s.Plan.CycleS} s differs from the sum of the phase times ({sum} s)"));
        }

        if (s.Plan.OffsetS < 0 || s.Plan.OffsetS >= s.Plan.CycleS)
        {
            errors.Add(new CityError(s.Source, "plan.offsetS", $"offset {s.Plan.OffsetS} s must be in [0, cycle)"));
        }
    }

    /// <summary>A lane group's <c>toLinks</c> must name links that leave this signal's node (the signal id).</summary>
    private static void CheckToLinks(SignalDraft s, string field, IReadOnlyList<string>? toLinks, Dictionary<string, RoadLink> links, List<CityError> errors)
    {
        for (var k = 0; toLinks is not null && k < toLinks.Count; k++)
        {
            if (!links.TryGetValue(toLinks[k], out var target))
            {
                errors.Add(new CityError(s.Source, $"{field}[{k}]", $"link '{toLinks[k]}' does not exist"));
            }
            else if (target.From != s.Id)
            {
                errors.Add(new CityError(s.Source, $"{field}[{k}]", $"link '{toLinks[k]}' starts at '{target.From}', not at this signal"));
            }
        }
    }

    /// <summary>A link's <c>next</c> must name links that start where this one ends.</summary>
    private static void CheckNext(LinkDraft l, Dictionary<string, RoadLink> links, List<CityError> errors)
    {
        for (var k = 0; l.Next is not null && k < l.Next.Count; k++)
        {
            if (!links.TryGetValue(l.Next[k], out var next))
            {
                errors.Add(new CityError(l.Source, $"next[{k}]", $"link '{l.Next[k]}' does not exist"));
            }
            else if (next.From != l.To)
            {
                errors.Add(new CityError(l.Source, $"next[{k}]", $"link '{l.Next[k]}' starts at '{next.From}', not at this link's end '{l.To}'"));
            }
        }
    }

    private static void CheckDetector(DetectorDraft d, Dictionary<string, SignalDraft> signals, HashSet<string> parking, List<CityError> errors)
    {
        if (d.SignalId is not null)
        {
            if (!signals.TryGetValue(d.SignalId, out var signal))
            {
                errors.Add(new CityError(d.Source, "signal", $"signal '{d.SignalId}' does not exist"));
                return;
            }

            var approach = signal.Approaches.FirstOrDefault(a => a.Id == d.ApproachId);
            if (approach is null)
            {
                errors.Add(new CityError(d.Source, "approach", $"signal '{d.SignalId}' has no approach '{d.ApproachId}'"));
                return;
            }

            if (d.LaneGroupId is not null && approach.LaneGroups.All(g => g.Id != d.LaneGroupId))
            {
                errors.Add(new CityError(d.Source, "laneGroup", $"approach '{d.ApproachId}' of signal '{d.SignalId}' has no lane group '{d.LaneGroupId}'"));
            }
        }
        else if (d.ParkingId is not null && !parking.Contains(d.ParkingId))
        {
            errors.Add(new CityError(d.Source, "parking", $"parking facility '{d.ParkingId}' does not exist"));
        }
    }

    private sealed class Grid
    {
        private readonly double _minX;
        private readonly double _minY;
        private readonly double _size;

        public Grid(Envelope extent, double size)
        {
            _minX = extent.MinX;
            _minY = extent.MinY;
            _size = size;
            Columns = Math.Max(1, (int)Math.Ceiling(extent.Width / size));
            Rows = Math.Max(1, (int)Math.Ceiling(extent.Height / size));
        }

        public int Columns { get; }

        public int Rows { get; }

        public static string CellId(int column, int row) => $"C-{column}-{row}";

        public string CellIdAt(Coordinate xy)
        {
            var col = Math.Clamp((int)Math.Floor((xy.X - _minX) / _size), 0, Columns - 1);
            var row = Math.Clamp((int)Math.Floor((xy.Y - _minY) / _size), 0, Rows - 1);
            return CellId(col, row);
        }

        public List<GridCell> Cells(Func<Coordinate, string?> districtAt)
        {
            var cells = new List<GridCell>(Columns * Rows);
            for (var row = 0; row < Rows; row++)
            {
                for (var col = 0; col < Columns; col++)
                {
                    var minX = _minX + (col * _size);
                    var minY = _minY + (row * _size);
                    var neighbours = new List<string>(8);
                    for (var dr = -1; dr <= 1; dr++)
                    {
                        for (var dc = -1; dc <= 1; dc++)
                        {
                            var (c, r) = (col + dc, row + dr);
                            if ((dc != 0 || dr != 0) && c >= 0 && r >= 0 && c < Columns && r < Rows)
                            {
                                neighbours.Add(CellId(c, r));
                            }
                        }
                    }

                    var centre = new Coordinate(minX + (_size / 2), minY + (_size / 2));
                    cells.Add(new GridCell(CellId(col, row), col, row, minX, minY, _size, districtAt(centre)) { Neighbours = neighbours });
                }
            }

            return cells;
        }
    }
}
