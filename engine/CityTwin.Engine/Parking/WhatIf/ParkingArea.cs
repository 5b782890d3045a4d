using CityTwin.Engine.City;
using CityTwin.Engine.Traffic;
using NetTopologySuite.Geometries;

namespace CityTwin.Engine.Parking.WhatIf;

/// <summary>A parking facility as the what-if sees it: where it is (projected metres), its spaces and today's price.</summary>
public sealed record ParkingSite(
    string Id,
    string Name,
    double X,
    double Y,
    int Capacity,
    double PricePerHour,
    string Currency,
    ParkingType Type,
    string DistrictId);

/// <summary>
/// A place trips end at: a link of the city (its midpoint), in zone <paramref name="Zone"/> (its district), drawn
/// with probability proportional to <paramref name="Weight"/> among the zone's places (length x lanes, as the
/// traffic engine's origin-destination expansion does).
/// </summary>
public sealed record ParkingDestination(string Id, string Zone, double X, double Y, double Weight);

/// <summary>
/// The facilities, the places drivers go to, and how far apart they are: walking distances are straight lines
/// (NetTopologySuite); driving distances between facilities follow the road network when there is one (shortest
/// path by length between the links nearest the two facilities, never less than the straight line), else the
/// straight line times a circuity factor. Immutable once built.
/// </summary>
public sealed class ParkingArea
{
    private static readonly GeometryFactory Factory = new();
    private readonly double[,] _driveM;
    private readonly int[]?[,] _legLinks;
    private readonly Dictionary<string, int> _siteIndex;

    private ParkingArea(
        IReadOnlyList<ParkingSite> sites,
        IReadOnlyList<ParkingDestination> destinations,
        double[,] driveM,
        int[]?[,] legLinks,
        IReadOnlyList<string?> accessLinks,
        TrafficNetwork? network)
    {
        Sites = sites;
        Destinations = destinations;
        _driveM = driveM;
        _legLinks = legLinks;
        AccessLinks = accessLinks;
        Network = network;
        _siteIndex = sites.Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var zones = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < destinations.Count; i++)
        {
            Add(zones, destinations[i].Zone, i);
            if (destinations[i].Id != destinations[i].Zone)
            {
                Add(zones, destinations[i].Id, i);
            }
        }

        Zones = zones.ToDictionary(z => z.Key, z => (IReadOnlyList<int>)z.Value, StringComparer.Ordinal);

        static void Add(Dictionary<string, List<int>> zones, string key, int i)
        {
            if (!zones.TryGetValue(key, out var list))
            {
                zones[key] = list = [];
            }

            list.Add(i);
        }
    }

    public IReadOnlyList<ParkingSite> Sites { get; }

    public IReadOnlyList<ParkingDestination> Destinations { get; }

    /// <summary>Destination indices by zone id and by destination id.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> Zones { get; }

    /// <summary>The link each facility is reached from (null for every facility when there is no network).</summary>
    public IReadOnlyList<string?> AccessLinks { get; }

    /// <summary>The road network driving distances follow, or null (straight lines).</summary>
    public TrafficNetwork? Network { get; }

    /// <summary>The index of a facility id, or -1.</summary>
    public int IndexOf(string siteId) => _siteIndex.TryGetValue(siteId, out var i) ? i : -1;

    /// <summary>Driving distance (m) from facility <paramref name="from"/> to facility <paramref name="to"/>.</summary>
    public double DriveDistanceM(int from, int to) => _driveM[from, to];

    /// <summary>The links (ids) a driver takes from one facility's access link to the other's, or empty without a network.</summary>
    public IReadOnlyList<string> LegLinks(int from, int to) =>
        _legLinks[from, to] is { } path && Network is { } net ? path.Select(l => net.LinkIds[l]).ToArray() : [];

    internal int[]? LegLinkIndices(int from, int to) => _legLinks[from, to];

    /// <summary>Straight-line walk (m) between a point and a facility.</summary>
    public double WalkM(double x, double y, int site) => new Coordinate(x, y).Distance(new Coordinate(Sites[site].X, Sites[site].Y));

    /// <summary>
    /// The area of a city: its facilities, its links as destinations (midpoint, district, length x lanes), and
    /// driving distances over <paramref name="network"/> (null: straight lines x <paramref name="circuity"/>).
    /// </summary>
    public static ParkingArea FromCity(CityModel city, TrafficNetwork? network, double circuity = 1.3)
    {
        ArgumentNullException.ThrowIfNull(city);
        var sites = city.Parking
            .Select(p => new ParkingSite(p.Id, p.Name, p.Placement.X, p.Placement.Y, p.Capacity, p.PricePerHour, p.Currency, p.Type, p.Placement.DistrictId))
            .ToList();
        var destinations = city.Links
            .Select(l => new ParkingDestination(l.Id, l.Placement.DistrictId, l.Placement.X, l.Placement.Y, l.LengthM * l.Lanes))
            .ToList();
        if (network is null || city.Links.Count == 0)
        {
            return Create(sites, destinations, circuity);
        }

        // Each facility is reached from the link nearest to it (NetTopologySuite distance in metres).
        var lines = city.Links.Select(l => (l.Id, Line: (Geometry)Factory.CreateLineString(l.Path.Select(city.Projection.Project).ToArray()))).ToList();
        var access = new int[sites.Count];
        for (var i = 0; i < sites.Count; i++)
        {
            var p = Factory.CreatePoint(new Coordinate(sites[i].X, sites[i].Y));
            var best = lines.Select((x, k) => (x.Id, D: x.Line.Distance(p), k)).OrderBy(x => x.D).ThenBy(x => x.k).First();
            access[i] = network.LinkIndex[best.Id];
        }

        var n = sites.Count;
        var drive = new double[n, n];
        var legs = new int[]?[n, n];
        var router = new Router(network);
        var lengthCost = new double[network.TurnTo.Length];
        for (var k = 0; k < lengthCost.Length; k++)
        {
            lengthCost[k] = network.LengthOf(network.TurnTo[k]);
        }

        for (var i = 0; i < n; i++)
        {
            router.Grow(access[i], access, lengthCost);
            for (var j = 0; j < n; j++)
            {
                var straight = Straight(sites[i], sites[j]);
                if (i == j)
                {
                    continue;
                }

                var path = router.PathTo(access[i], access[j]);
                if (path is null)
                {
                    drive[i, j] = straight * circuity;
                    continue;
                }

                var along = 0.0;
                for (var k = 1; k < path.Length; k++)
                {
                    along += network.LengthOf(path[k]);
                }

                drive[i, j] = Math.Max(along, straight);
                legs[i, j] = path;
            }
        }

        return new ParkingArea(sites, destinations, drive, legs, access.Select(a => (string?)network.LinkIds[a]).ToArray(), network);
    }

    /// <summary>An area without a road network: driving distances are straight lines x <paramref name="circuity"/>.</summary>
    public static ParkingArea Create(IReadOnlyList<ParkingSite> sites, IReadOnlyList<ParkingDestination> destinations, double circuity = 1.3)
    {
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentNullException.ThrowIfNull(destinations);
        if (!(circuity >= 1) || !double.IsFinite(circuity))
        {
            throw new ArgumentOutOfRangeException(nameof(circuity), circuity, "must be >= 1");
        }

        var duplicate = sites.GroupBy(s => s.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"facility id '{duplicate.Key}' appears more than once");
        }

        var bad = sites.FirstOrDefault(s => s.Capacity < 0 || !(s.PricePerHour >= 0) || !double.IsFinite(s.PricePerHour));
        if (bad is not null)
        {
            throw new ArgumentException($"facility '{bad.Id}': capacity must be >= 0 and the price a number >= 0");
        }

        var n = sites.Count;
        var drive = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                drive[i, j] = i == j ? 0 : Straight(sites[i], sites[j]) * circuity;
            }
        }

        return new ParkingArea(sites, destinations, drive, new int[]?[n, n], new string?[n], null);
    }

    private static double Straight(ParkingSite a, ParkingSite b) => new Coordinate(a.X, a.Y).Distance(new Coordinate(b.X, b.Y));
}
