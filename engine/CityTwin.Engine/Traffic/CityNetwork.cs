using CityTwin.Engine.City;
using CityTwin.Engine.Timing;
using NetTopologySuite.Geometries;

namespace CityTwin.Engine.Traffic;

/// <summary>
/// Compiles a <see cref="CityModel"/> into the simulation's <see cref="TrafficNetwork"/>.
/// <list type="bullet">
/// <item>Every link becomes a simulation link (length, speed limit, lanes, district).</item>
/// <item>At a signal, each approach's lane groups become queues with the group's saturation flow, green in the
/// phases that serve it. A lane group feeds the links it names (<see cref="LaneGroup.ToLinks"/>), else the links
/// leaving the signal whose turn, classified from the geometry, is one of its movements.</item>
/// <item>Any other link end gets one unsignalised queue of 1800 veh/h per lane to the links it names
/// (<see cref="RoadLink.Next"/>), else to every link leaving its end node except the U-turn back (kept only at a
/// dead end).</item>
/// </list>
/// Plans can be replaced (a what-if, or the live twin's current plans) through the plans argument of <see cref="Build"/>.
/// </summary>
public static class CityNetwork
{
    /// <summary>Builds the simulation network of a city, with the given plans in place of the city's own where named.</summary>
    public static TrafficNetwork Build(CityModel city, IReadOnlyDictionary<string, TimingPlan>? plans = null)
    {
        var b = new NetworkBuilder { Vehicles = city.Vehicles };
        foreach (var l in city.Links)
        {
            b.Link(l.Id, l.From, l.To, l.LengthM, l.SpeedLimitKmh, l.Lanes, l.Placement.DistrictId);
        }

        var outgoing = city.Links.GroupBy(l => l.From, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var handled = new HashSet<string>(StringComparer.Ordinal);

        foreach (var s in city.Signals)
        {
            var plan = plans is not null && plans.TryGetValue(s.Id, out var p) ? p : s.Plan;

            // Adaptive control keeps each phase's minimum green from the safety rules (vehicles and pedestrians).
            var profile = SafetyProfile.For(city, s);
            b.Signal(s.Id, plan.Phases.Select(ph => new SimPhase(ph.GreenS, ph.AmberS, ph.AllRedS) { MinGreenS = profile.Phase(ph.Id)?.MinGreenS ?? 0 }).ToList(), plan.OffsetS, s.Placement.DistrictId);
            var leaving = outgoing.TryGetValue(s.Id, out var list) ? list : [];
            var groups = new List<(RoadLink In, string Label, IReadOnlyList<string> To)>();
            foreach (var a in s.Approaches)
            {
                if (a.LinkId is null || !city.LinksById.TryGetValue(a.LinkId, out var inLink))
                {
                    continue;
                }

                handled.Add(inLink.Id);
                foreach (var lg in a.LaneGroups)
                {
                    var to = lg.ToLinks ?? leaving.Where(m => lg.Movements.Contains(Classify(city, inLink, m))).Select(m => m.Id).ToList();
                    var phases = plan.Phases.Select((ph, i) => (ph, i))
                        .Where(x => x.ph.Serves.Contains(new LaneGroupRef(a.Id, lg.Id)))
                        .Select(x => x.i).ToList();
                    foreach (var m in to)
                    {
                        if (city.LinksById.TryGetValue(m, out var outLink))
                        {
                            b.TurnMovement(inLink.Id, m, Classify(city, inLink, outLink), s.JunctionWidthM);
                        }
                    }

                    var label = LaneGroupLabel(s.Id, a.Id, lg.Id);
                    b.LaneGroup(inLink.Id, label, lg.SaturationFlowVehH, to, s.Id, phases, a.Id);
                    groups.Add((inLink, label, to));
                }
            }

            AddPermissiveLefts(city, b, groups, WaitInside(s.JunctionWidthM, city.Vehicles.JamSpacingM));
        }

        foreach (var l in city.Links)
        {
            if (handled.Contains(l.Id))
            {
                continue;
            }

            IEnumerable<string> next;
            if (l.Next is not null)
            {
                next = l.Next;
            }
            else
            {
                var leaving = outgoing.TryGetValue(l.To, out var list) ? list : [];
                var forward = leaving.Where(m => !string.Equals(m.To, l.From, StringComparison.Ordinal)).ToList();
                next = (forward.Count > 0 ? forward : leaving).Select(m => m.Id);
            }

            foreach (var m in next)
            {
                b.Turn(l.Id, m);
                if (city.LinksById.TryGetValue(m, out var outLink))
                {
                    b.TurnMovement(l.Id, m, Classify(city, l, outLink));
                }
            }
        }

        return b.Build();
    }

    /// <summary>
    /// Left turns yield to the opposing approach (the one entering within 45 degrees of head-on): to each of its
    /// lane groups that carries a through or right movement. Whether they have green together is up to the plan:
    /// a left turn with its own phase (protected) never meets a green foe.
    /// </summary>
    private static void AddPermissiveLefts(CityModel city, NetworkBuilder b, List<(RoadLink In, string Label, IReadOnlyList<string> To)> groups, int waitInside)
    {
        foreach (var (inLink, _, to) in groups)
        {
            var heading = Bearing(city, inLink.Path[^2], inLink.Path[^1]);
            foreach (var m in to)
            {
                if (!city.LinksById.TryGetValue(m, out var outLink) || Classify(city, inLink, outLink) != Movement.Left)
                {
                    continue;
                }

                var foes = groups
                    .Where(o => !ReferenceEquals(o.In, inLink) && Math.Abs(Turn(heading, Bearing(city, o.In.Path[^2], o.In.Path[^1]))) > 135)
                    .Where(o => o.To.Any(x => city.LinksById.TryGetValue(x, out var ol) && Classify(city, o.In, ol) is Movement.Through or Movement.Right))
                    .Select(o => o.Label)
                    .ToList();
                if (foes.Count > 0)
                {
                    b.Yield(inLink.Id, m, foes, waitInside);
                }
            }
        }
    }

    /// <summary>The network label of a signal's lane group ("signal.approach.laneGroup"), as simulation results name it.</summary>
    public static string LaneGroupLabel(string signalId, string approachId, string laneGroupId) => $"{signalId}.{approachId}.{laneGroupId}";

    /// <summary>
    /// Left turners that can wait for their gap inside a junction of the given width (stop line to far side)
    /// without holding the lane behind them: as many whole cars (of the jam spacing, 7.5 m by default) as fit before
    /// the oncoming lanes, taken as half the width. A junction of 14.4 m (two one-lane roads, as SUMO's netgenerate
    /// grids) holds none, so a waiting left turner blocks its lane; one of 15 to 29 m holds one.
    /// </summary>
    public static int WaitInside(double junctionWidthM, double jamSpacingM = 7.5) =>
        (int)Math.Floor(junctionWidthM / 2 / jamSpacingM);

    /// <summary>
    /// The movement from link <paramref name="from"/> into link <paramref name="to"/>, from the angle between the
    /// last segment of one and the first of the other: within 45 degrees through, 45 to 150 degrees left or right,
    /// beyond a U-turn (also when <paramref name="to"/> leads straight back to where <paramref name="from"/> began).
    /// </summary>
    public static Movement Classify(CityModel city, RoadLink from, RoadLink to)
    {
        if (string.Equals(to.To, from.From, StringComparison.Ordinal))
        {
            return Movement.UTurn;
        }

        var inBearing = Bearing(city, from.Path[^2], from.Path[^1]);
        var outBearing = Bearing(city, to.Path[0], to.Path[1]);
        var turn = Turn(inBearing, outBearing);
        return Math.Abs(turn) switch
        {
            < 45 => Movement.Through,
            <= 150 => turn > 0 ? Movement.Left : Movement.Right,
            _ => Movement.UTurn,
        };
    }

    /// <summary>The signed angle (degrees, in (-180, 180], counter-clockwise positive) from one bearing to another.</summary>
    private static double Turn(double from, double to)
    {
        var turn = to - from;
        while (turn > 180)
        {
            turn -= 360;
        }

        while (turn <= -180)
        {
            turn += 360;
        }

        return turn;
    }

    /// <summary>Counter-clockwise angle of the segment a->b from east, in degrees, in the city's metric projection.</summary>
    private static double Bearing(CityModel city, Coordinate a, Coordinate b)
    {
        var pa = city.Projection.Project(a);
        var pb = city.Projection.Project(b);
        return Math.Atan2(pb.Y - pa.Y, pb.X - pa.X) * 180 / Math.PI;
    }
}
