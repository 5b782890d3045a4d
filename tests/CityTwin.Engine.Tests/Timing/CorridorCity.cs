using CityTwin.Engine.City;
using CityTwin.Engine.Common;
using CityTwin.Engine.Traffic;
using NetTopologySuite.Geometries;

namespace CityTwin.Engine.Tests.Timing;

/// <summary>
/// A synthetic straight main street running east through signals S-1 .. S-n (links of known length at 50 km/h, so
/// known free-flow travel times), optionally two-way, crossed at every signal by a one-way side street running
/// south. Every lane group serves the through movement only (one lane, 1800 veh/h). Phase 1 serves the main street,
/// phase 2 the side street; amber 3.3 s and all-red 1.9 s are what the safety rules ask for at 50 km/h and a 20 m
/// junction. Link ids: eastbound "EB-0" (entry) .. "EB-n" (exit), westbound "WB-n" (entry) .. "WB-0" (exit), side
/// streets "NI-i" (into S-i) and "SO-i" (out of it).
/// </summary>
internal sealed class CorridorCity
{
    public const double SpeedKmh = 50;

    private const double MetresPerDegreeLon = 68_470; // at 52.1 degrees north
    private const double Lat = 52.1;

    public CorridorCity(IReadOnlyList<double> spacingsM, bool twoWay, double mainGreenS, double sideGreenS, IReadOnlyList<double>? offsetsS = null)
    {
        SpacingsM = spacingsM;
        TwoWay = twoWay;
        var n = spacingsM.Count + 1;
        SignalIds = Enumerable.Range(1, n).Select(i => $"S-{i}").ToList();
        var x = new double[n];
        for (var i = 1; i < n; i++)
        {
            x[i] = x[i - 1] + spacingsM[i - 1];
        }

        Coordinate At(double metres, double dLat = 0) => new(9.3 + (metres / MetresPerDegreeLon), Lat + dLat);

        var draft = new CityDraft { Name = "corridor", CellSizeM = 250 };
        var west = -300.0;
        var east = x[^1] + 300;
        draft.Districts.Add(new DistrictDraft("test", "D", "D", null, new Polygon(new LinearRing(
        [
            At(west - 100, -0.01), At(east + 100, -0.01), At(east + 100, 0.01), At(west - 100, 0.01), At(west - 100, -0.01),
        ]))));

        void Link(string id, string from, string to, Coordinate a, Coordinate b, double lengthM) =>
            draft.Links.Add(new LinkDraft("test", id, null, from, to, 1, SpeedKmh, lengthM, [a, b]));

        Link("EB-0", "W-in", "S-1", At(west), At(0), 300);
        Link($"EB-{n}", $"S-{n}", "E-out", At(x[^1]), At(east), 300);
        if (twoWay)
        {
            Link($"WB-{n}", "E-in", $"S-{n}", At(east), At(x[^1]), 300);
            Link("WB-0", "S-1", "W-out", At(0), At(west), 300);
        }

        for (var i = 1; i < n; i++)
        {
            Link($"EB-{i}", $"S-{i}", $"S-{i + 1}", At(x[i - 1]), At(x[i]), spacingsM[i - 1]);
            if (twoWay)
            {
                Link($"WB-{i}", $"S-{i + 1}", $"S-{i}", At(x[i]), At(x[i - 1]), spacingsM[i - 1]);
            }
        }

        LaneGroup Through() => new("T", [Movement.Through], 1, 1800);
        for (var i = 1; i <= n; i++)
        {
            Link($"NI-{i}", $"n-{i}", $"S-{i}", At(x[i - 1], 0.003), At(x[i - 1]), 300);
            Link($"SO-{i}", $"S-{i}", $"s-{i}", At(x[i - 1]), At(x[i - 1], -0.003), 300);
            var approaches = new List<Approach> { new("W", $"EB-{i - 1}", [Through()]), new("N", $"NI-{i}", [Through()]) };
            var main = new List<LaneGroupRef> { new("W", "T") };
            if (twoWay)
            {
                approaches.Add(new Approach("E", $"WB-{i}", [Through()]));
                main.Add(new LaneGroupRef("E", "T"));
            }

            var cycle = mainGreenS + sideGreenS + (2 * (3.3 + 1.9));
            var plan = new TimingPlan("base", cycle, offsetsS?[i - 1] ?? 0,
            [
                new Phase(1, mainGreenS, 3.3, 1.9, main),
                new Phase(2, sideGreenS, 3.3, 1.9, [new LaneGroupRef("N", "T")]),
            ]);
            draft.Signals.Add(new SignalDraft("test", $"S-{i}", $"S-{i}", At(x[i - 1]), approaches, plan, 20));
        }

        City = CityBuilder.Build(draft);
    }

    public IReadOnlyList<double> SpacingsM { get; }

    public bool TwoWay { get; }

    public IReadOnlyList<string> SignalIds { get; }

    public CityModel City { get; }

    /// <summary>Free-flow travel time between consecutive signals (s).</summary>
    public IReadOnlyList<double> TravelTimesS => [.. SpacingsM.Select(m => m / (SpeedKmh / 3.6))];

    /// <summary>Turn flows (veh/h): eastbound and westbound through traffic on the whole street, southbound through traffic on each side street.</summary>
    public Dictionary<(string From, string To), double> TurnFlows(double eastVehH, double westVehH, double sideVehH)
    {
        var n = SignalIds.Count;
        var flows = new Dictionary<(string From, string To), double>();
        for (var i = 1; i <= n; i++)
        {
            flows[($"EB-{i - 1}", $"EB-{i}")] = eastVehH;
            if (TwoWay)
            {
                flows[($"WB-{i}", $"WB-{i - 1}")] = westVehH;
            }

            flows[($"NI-{i}", $"SO-{i}")] = sideVehH;
        }

        return flows;
    }

    /// <summary>Poisson trips at these rates for <paramref name="seconds"/>: the whole street each way, each side street across.</summary>
    public List<TripSpec> Trips(double eastVehH, double westVehH, double sideVehH, double seconds, ulong seed)
    {
        var n = SignalIds.Count;
        var rng = new SeededRandom(seed);
        var trips = new List<TripSpec>();
        void Stream(string from, string to, double perHour)
        {
            if (perHour <= 0)
            {
                return;
            }

            var t = 0.0;
            while ((t += rng.NextExponential(3600 / perHour)) < seconds)
            {
                trips.Add(new TripSpec($"{from}>{to}#{trips.Count}", t, from, to));
            }
        }

        Stream("EB-0", $"EB-{n}", eastVehH);
        if (TwoWay)
        {
            Stream($"WB-{n}", "WB-0", westVehH);
        }

        for (var i = 1; i <= n; i++)
        {
            Stream($"NI-{i}", $"SO-{i}", sideVehH);
        }

        return trips;
    }
}
