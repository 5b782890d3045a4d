using System.Globalization;
using System.Xml.Linq;
using CityTwin.Engine.City;
using CityTwin.Formats.GeoJson;
using CityTwin.Formats.Sumo;

namespace CityTwin.Engine.Tests;

public sealed class SumoImportTests : IDisposable
{
    /// <summary>
    /// A hand-made SUMO net: one traffic light junction 'C#1' with four arms (centre at 500,500, arms 100 m).
    /// West: a bus lane (0), a through/right lane (1), a left lane (2), and a sidewalk edge beside it. East: one
    /// lane for everything, its left turn permitted (g). North: two through lanes and a left/u-turn lane. South:
    /// one signalled lane and a free-flowing through lane (uncontrolled="1"). The north end junction is called 'c_n' like the edge that goes there. Link indexes:
    /// 0 W bus->E, 1 W->E, 2 W->S, 3 W->N (left), 4 E->W, 5 E->N, 6 E->S (left), 7/8 N->S, 9 N->E (left),
    /// 10 N->N (u-turn), 11 S->N, 12 S->E, 13 S->W (left). The program starts with a bus-only phase.
    /// </summary>
    internal const string TinyNet = """
        <?xml version="1.0" encoding="UTF-8"?>
        <net version="1.20">
            <location netOffset="0.00,0.00" convBoundary="400.00,400.00,600.00,600.00" origBoundary="400.00,400.00,600.00,600.00" projParameter="!"/>
            <edge id=":C#1_0" function="internal">
                <lane id=":C#1_0_0" index="0" speed="13.89" length="10.00" shape="490.00,498.40 510.00,498.40"/>
            </edge>
            <edge id="w_in" from="W" to="C#1" priority="1" name="West Road">
                <lane id="w_in_0" index="0" allow="bus" speed="13.89" length="90.00" shape="400.00,495.20 490.00,495.20"/>
                <lane id="w_in_1" index="1" speed="13.89" length="90.00" shape="400.00,498.40 490.00,498.40"/>
                <lane id="w_in_2" index="2" speed="16.67" length="90.00" shape="400.00,501.60 490.00,501.60"/>
            </edge>
            <edge id="w_walk" from="W" to="C#1" priority="1">
                <lane id="w_walk_0" index="0" allow="pedestrian" speed="2.00" length="90.00" shape="400.00,490.00 490.00,490.00"/>
            </edge>
            <edge id="e_in#0" from="E" to="C#1" priority="1" name="East Road">
                <lane id="e_in#0_0" index="0" disallow="pedestrian bicycle" speed="13.89" length="90.00" shape="600.00,501.60 510.00,501.60"/>
            </edge>
            <edge id="n_in" from="c_n" to="C#1" priority="1">
                <lane id="n_in_0" index="0" speed="13.89" length="90.00" shape="498.40,600.00 498.40,510.00"/>
                <lane id="n_in_1" index="1" speed="13.89" length="90.00" shape="495.20,600.00 495.20,510.00"/>
                <lane id="n_in_2" index="2" speed="13.89" length="90.00" shape="492.00,600.00 492.00,510.00"/>
            </edge>
            <edge id="s_in" from="S" to="C#1" priority="1">
                <lane id="s_in_0" index="0" speed="13.89" length="90.00" shape="501.60,400.00 501.60,490.00"/>
                <lane id="s_in_1" index="1" speed="13.89" length="90.00" shape="504.80,400.00 504.80,490.00"/>
            </edge>
            <edge id="c_e" from="C#1" to="E" priority="1">
                <lane id="c_e_0" index="0" speed="13.89" length="90.00" shape="510.00,498.40 600.00,498.40"/>
            </edge>
            <edge id="c_w" from="C#1" to="W" priority="1">
                <lane id="c_w_0" index="0" speed="13.89" length="90.00" shape="490.00,501.60 400.00,501.60"/>
            </edge>
            <edge id="c_n" from="C#1" to="c_n" priority="1">
                <lane id="c_n_0" index="0" speed="13.89" length="90.00" shape="501.60,510.00 501.60,600.00"/>
            </edge>
            <edge id="c_s" from="C#1" to="S" priority="1">
                <lane id="c_s_0" index="0" speed="13.89" length="90.00" shape="498.40,490.00 498.40,400.00"/>
            </edge>
            <tlLogic id="C#1" type="static" programID="0" offset="10">
                <phase duration="5"  state="Grrrrrrrrrrrrr"/>
                <phase duration="30" state="GGGrGGgrrrrrrr"/>
                <phase duration="3"  state="yyyryyyrrrrrrr"/>
                <phase duration="2"  state="rrrrrrrrrrrrrr"/>
                <phase duration="10" state="rrrGrrrrrrrrrr"/>
                <phase duration="3"  state="rrryrrrrrrrrrr"/>
                <phase duration="20" state="rrrrrrrGGGGGGg"/>
                <phase duration="4"  state="rrrrrrryyyyyyy"/>
                <phase duration="1"  state="rrrrrrrrrrrrrr"/>
            </tlLogic>
            <junction id="C#1" type="traffic_light" x="500.00" y="500.00" incLanes="n_in_0 n_in_1 n_in_2 e_in#0_0 s_in_0 w_in_0 w_in_1 w_in_2" intLanes=":C#1_0_0" shape="490.00,510.00 510.00,510.00 510.00,490.00 490.00,490.00"/>
            <junction id="W" type="dead_end" x="400.00" y="500.00" incLanes="c_w_0" intLanes=""/>
            <junction id="E" type="dead_end" x="600.00" y="500.00" incLanes="c_e_0" intLanes=""/>
            <junction id="c_n" type="dead_end" x="500.00" y="600.00" incLanes="c_n_0" intLanes=""/>
            <junction id="S" type="dead_end" x="500.00" y="400.00" incLanes="c_s_0" intLanes=""/>
            <connection from="w_in" to="c_e" fromLane="0" toLane="0" via=":C#1_0_0" tl="C#1" linkIndex="0" dir="s" state="O"/>
            <connection from="w_in" to="c_e" fromLane="1" toLane="0" via=":C#1_0_0" tl="C#1" linkIndex="1" dir="s" state="O"/>
            <connection from="w_in" to="c_s" fromLane="1" toLane="0" tl="C#1" linkIndex="2" dir="r" state="O"/>
            <connection from="w_in" to="c_n" fromLane="2" toLane="0" tl="C#1" linkIndex="3" dir="l" state="O"/>
            <connection from="e_in#0" to="c_w" fromLane="0" toLane="0" tl="C#1" linkIndex="4" dir="s" state="O"/>
            <connection from="e_in#0" to="c_n" fromLane="0" toLane="0" tl="C#1" linkIndex="5" dir="r" state="O"/>
            <connection from="e_in#0" to="c_s" fromLane="0" toLane="0" tl="C#1" linkIndex="6" dir="l" state="o"/>
            <connection from="n_in" to="c_s" fromLane="0" toLane="0" tl="C#1" linkIndex="7" dir="s" state="O"/>
            <connection from="n_in" to="c_s" fromLane="1" toLane="0" tl="C#1" linkIndex="8" dir="s" state="O"/>
            <connection from="n_in" to="c_e" fromLane="2" toLane="0" tl="C#1" linkIndex="9" dir="l" state="O"/>
            <connection from="n_in" to="c_n" fromLane="2" toLane="0" tl="C#1" linkIndex="10" dir="t" state="O"/>
            <connection from="s_in" to="c_n" fromLane="0" toLane="0" tl="C#1" linkIndex="11" dir="s" state="O"/>
            <connection from="s_in" to="c_e" fromLane="0" toLane="0" tl="C#1" linkIndex="12" dir="r" state="O"/>
            <connection from="s_in" to="c_w" fromLane="0" toLane="0" tl="C#1" linkIndex="13" dir="l" state="o"/>
            <connection from="s_in" to="c_n" fromLane="1" toLane="0" uncontrolled="1" dir="s" state="M"/>
            <connection from=":C#1_0" to="c_e" fromLane="0" toLane="0" dir="s" state="M"/>
        </net>
        """;

    internal const string TinyRoutes = """
        <routes>
            <vType id="car" vClass="passenger"/>
            <vType id="citybus" vClass="bus"/>
            <route id="r_we" edges="w_in c_e"/>
            <vehicle id="v1" depart="12.5" type="car" route="r_we"/>
            <vehicle id="v0" depart="0"><route edges="n_in c_n"/></vehicle>
            <vehicle id="bus1" depart="3" type="citybus"><route edges="w_in c_e"/></vehicle>
            <vehicle id="v2" depart="20" type="car"><route edges="w_walk c_e"/></vehicle>
            <vehicle id="v3" depart="21" type="car"><route edges="c_e w_in"/></vehicle>
            <trip id="t1" depart="0:01:00" from="s_in" to="c_w"/>
            <flow id="f" begin="100" end="160" number="3" type="car" from="e_in#0" to="c_s"/>
            <flow id="g" begin="0" end="30" period="10"><route edges="s_in c_e"/></flow>
            <person id="p1" depart="0"><walk edges="w_walk"/></person>
        </routes>
        """;

    /// <summary>
    /// Saturation flow per lane of SUMO's default car: a standing queue of through cars leaves the stop line every
    /// 2.0564 s (measured by bench/sumo-calibrate.sh with SUMO 1.15, docs/sumo-import.md#vehicles).
    /// </summary>
    private static readonly double DefaultCarFlowVehH = Math.Round(3600 / 2.0564, 1);

    private readonly string _folder = Directory.CreateTempSubdirectory("citytwin-sumo-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private (ImportReport Report, CityModel City) ImportTiny(bool withRoutes = false)
    {
        var net = Write("tiny.net.xml", TinyNet);
        var routes = withRoutes ? Write("tiny.rou.xml", TinyRoutes) : null;
        var outDir = Path.Combine(_folder, "city");
        var report = SumoImporter.Import(net, routes, outDir);
        return (report, CityReader.ReadFolder(outDir));
    }

    [Fact]
    public void A_tiny_net_imports_as_a_valid_city_with_one_signal()
    {
        var (report, city) = ImportTiny();
        Assert.Equal("tiny", city.Name);
        Assert.Equal(1, report.Signals);
        Assert.Equal(5, report.Junctions);
        Assert.Equal(1, report.TrafficLightJunctions);
        Assert.Equal(8, report.Links);
        Assert.Equal(1, report.EdgesSkipped); // the sidewalk
        Assert.False(report.Georeferenced);
        Assert.Empty(city.DemandFiles);

        var signal = Assert.Single(city.Signals);
        Assert.Equal("C_1", signal.Id);
        Assert.Equal("East Road / West Road", signal.Name);
        Assert.Equal(10.0, signal.Location.X, 9);
        Assert.Equal(50.0, signal.Location.Y, 9);
        Assert.Equal(20, signal.JunctionWidthM);
    }

    [Fact]
    public void Links_keep_car_lanes_lengths_speeds_and_explicit_next_links()
    {
        var (_, city) = ImportTiny();
        Assert.DoesNotContain("w_walk", city.LinksById.Keys);

        var west = city.LinksById["w_in"];
        Assert.Equal(("W", "C_1"), (west.From, west.To));
        Assert.Equal(2, west.Lanes); // the bus lane is not a car lane
        Assert.Equal(60.01, west.SpeedLimitKmh, 2); // the fastest car lane, 16.67 m/s
        // The lane's 90 m plus the mean junction crossing of its car connections (10 m internal lane, then none, none).
        Assert.Equal(90 + (10.0 / 3), west.LengthM, 2);
        Assert.Equal("West Road", west.Name);
        Assert.Equal(["c_e", "c_s", "c_n"], west.Next);

        Assert.Equal(["c_w", "c_n", "c_s"], city.LinksById["e_in_0"].Next);
        Assert.Equal(["c_s", "c_e", "c_n"], city.LinksById["n_in"].Next);
        Assert.Empty(city.LinksById["c_e"].Next!);

        // The north end junction shares its id with the edge 'c_n': as a node name it gets a prefix.
        Assert.Equal("J_c_n", city.LinksById["c_n"].To);
        Assert.Equal("J_c_n", city.LinksById["n_in"].From);
    }

    [Fact]
    public void Lane_groups_follow_targets_and_signal_columns()
    {
        var (report, city) = ImportTiny();
        var approaches = city.Signals[0].Approaches.ToDictionary(a => a.Id);
        Assert.Equal(["n_in", "e_in_0", "s_in", "w_in"], city.Signals[0].Approaches.Select(a => a.Id)); // incLanes order
        Assert.Equal(4, report.Approaches);
        Assert.Equal(7, report.LaneGroups);

        // West: the left lane, then the through/right lane; the bus lane is not a group.
        AssertGroups(approaches["w_in"], "w_in",
            ("L", [Movement.Left], 1, ["c_n"]),
            ("TR", [Movement.Through, Movement.Right], 1, ["c_e", "c_s"]));

        // East: one lane, three movements.
        AssertGroups(approaches["e_in_0"], "e_in_0",
            ("LTR", [Movement.Left, Movement.Through, Movement.Right], 1, ["c_w", "c_n", "c_s"]));

        // North: the left/u-turn lane alone; the two through lanes share target and column, so one group of 2.
        AssertGroups(approaches["n_in"], "n_in",
            ("LU", [Movement.Left, Movement.UTurn], 1, ["c_e", "c_n"]),
            ("T", [Movement.Through], 2, ["c_s"]));
        Assert.Equal(2 * DefaultCarFlowVehH, approaches["n_in"].LaneGroups[1].SaturationFlowVehH, 6);

        // South: the free-flowing lane is a group of its own (served in every phase, see the plan).
        AssertGroups(approaches["s_in"], "s_in",
            ("T", [Movement.Through], 1, ["c_n"]),
            ("LTR", [Movement.Left, Movement.Through, Movement.Right], 1, ["c_n", "c_e", "c_w"]));
    }

    [Fact]
    public void The_plan_maps_green_amber_and_red_phases_and_moves_the_offset()
    {
        var (_, city) = ImportTiny();
        var plan = city.Signals[0].Plan;
        Assert.Equal("0", plan.Id);
        Assert.Equal(78, plan.CycleS);

        // SUMO phase 1 (bus only) is red for every car lane: it wraps round into the last phase's all-red, so the
        // plan starts at SUMO phase 2, 5 s into the program, which itself starts at offset 10.
        Assert.Equal(15, plan.OffsetS);
        Assert.Collection(plan.Phases,
            p => AssertPhase(p, 2, 30, 3, 2, "w_in.TR", "e_in_0.LTR", "s_in.T"),
            p => AssertPhase(p, 5, 10, 3, 0, "w_in.L", "s_in.T"),
            p => AssertPhase(p, 7, 20, 4, 1 + 5, "n_in.LU", "n_in.T", "s_in.LTR", "s_in.T"));
    }

    [Fact]
    public void Routes_become_trips_in_departure_order_and_unusable_vehicles_are_counted()
    {
        var (report, city) = ImportTiny(withRoutes: true);
        Assert.Equal(["trips.csv"], city.DemandFiles);
        var lines = File.ReadAllLines(Path.Combine(_folder, "city", "trips.csv"));
        Assert.Equal("id,depart,from,to,route", lines[0]);
        Assert.Equal(
            [
                "v0,0.00,n_in,c_n,n_in c_n",
                "g.0,0.00,s_in,c_e,s_in c_e",
                "g.1,10.00,s_in,c_e,s_in c_e",
                "v1,12.50,w_in,c_e,w_in c_e",
                "g.2,20.00,s_in,c_e,s_in c_e",
                "t1,60.00,s_in,c_w,",
                "f.0,100.00,e_in_0,c_s,",
                "f.1,120.00,e_in_0,c_s,",
                "f.2,140.00,e_in_0,c_s,",
            ],
            lines[1..]);
        Assert.Equal(9, report.TripsWritten);
        Assert.Equal(4, report.VehiclesSkippedTotal);
        Assert.Equal(1, report.VehiclesSkipped.Single(kv => kv.Key.Contains("not a car", StringComparison.Ordinal)).Value);
        Assert.Equal(1, report.VehiclesSkipped.Single(kv => kv.Key.Contains("not imported", StringComparison.Ordinal)).Value);
        Assert.Equal(1, report.VehiclesSkipped.Single(kv => kv.Key.Contains("turn", StringComparison.Ordinal)).Value);
        Assert.Equal(1, report.VehiclesSkipped.Single(kv => kv.Key.Contains("persons", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public void Malformed_xml_names_the_file_and_line()
    {
        var net = Write("broken.net.xml", "<net>\n  <edge id=\"a\" from=\"x\" to=\"y\">\n    <lane id=\"a_0\" index=\"0\"\n</net>\n");
        var ex = Assert.Throws<SumoFormatException>(() => SumoImporter.Import(net, null, Path.Combine(_folder, "out")));
        Assert.Equal(net, ex.File);
        Assert.Equal(4, ex.Line);
        Assert.StartsWith($"{net}:4: malformed XML", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_attribute_names_the_file_line_and_attribute()
    {
        var lines = TinyNet.Split('\n').ToList();
        var at = lines.FindIndex(l => l.Contains("<lane id=\"s_in_0\"", StringComparison.Ordinal));
        lines[at] = lines[at].Replace(" length=\"90.00\"", "", StringComparison.Ordinal);
        var net = Write("nolength.net.xml", string.Join('\n', lines));
        var ex = Assert.Throws<SumoFormatException>(() => SumoImporter.Import(net, null, Path.Combine(_folder, "out")));
        Assert.Equal(at + 1, ex.Line);
        Assert.Equal("length", ex.Attribute);
        Assert.Equal($"{net}:{at + 1}: <lane>: attribute 'length' is required", ex.Message);
    }

    [Fact]
    public void A_route_file_with_a_bad_depart_names_the_line_and_attribute()
    {
        var net = Write("tiny.net.xml", TinyNet);
        var routes = Write("bad.rou.xml", "<routes>\n  <vehicle id=\"v\" depart=\"-5\"><route edges=\"w_in c_e\"/></vehicle>\n</routes>\n");
        var ex = Assert.Throws<SumoFormatException>(() => SumoImporter.Import(net, routes, Path.Combine(_folder, "out")));
        Assert.Equal((2, "depart"), (ex.Line, ex.Attribute));
    }

    [SkippableFact]
    public void The_Bologna_acosta_network_imports_as_a_valid_city_whose_routes_follow_next_links()
    {
        var data = BolognaAcosta();
        Skip.If(data is null, "the SUMO Bologna data is not here (expected at ../shared/data/sumo-bologna-acosta from the repository root)");
        var netPath = Path.Combine(data!, "acosta_buslanes.net.xml");
        var outDir = Path.Combine(_folder, "acosta");

        var report = SumoImporter.Import(netPath, Path.Combine(data!, "acosta.rou.xml"), outDir);
        var city = CityReader.ReadFolder(outDir);

        // Count the traffic light junctions a tlLogic controls straight from the XML.
        var net = XDocument.Load(netPath).Root!;
        var edgeEnds = net.Elements("edge").Where(e => e.Attribute("function") is null)
            .ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("to")!);
        var tlLogics = net.Elements("tlLogic").Select(t => (string)t.Attribute("id")!).ToHashSet();
        var controlled = net.Elements("connection")
            .Where(c => c.Attribute("tl") is { } tl && tlLogics.Contains(tl.Value) && edgeEnds.ContainsKey((string)c.Attribute("from")!))
            .Select(c => edgeEnds[(string)c.Attribute("from")!])
            .ToHashSet();
        var expected = net.Elements("junction").Count(j => (string?)j.Attribute("type") == "traffic_light" && controlled.Contains((string)j.Attribute("id")!));
        Assert.Equal(16, expected);
        Assert.Equal(expected, city.Signals.Count);
        Assert.Equal(expected, report.Signals);
        Assert.All(city.Signals, s => Assert.Equal(90, s.Plan.CycleS));

        Assert.Equal(["trips.csv"], city.DemandFiles);
        var trips = File.ReadAllLines(Path.Combine(outDir, "trips.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(report.TripsWritten, trips.Count);
        Assert.True(trips.Count > 8000, $"only {trips.Count} trips");
        var departs = trips.Select(t => double.Parse(t[1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(departs.Order(), departs);
        foreach (var trip in trips)
        {
            var route = trip[4].Split(' ');
            Assert.Equal((trip[2], trip[3]), (route[0], route[^1]));
            Assert.All(route, link => Assert.True(city.LinksById.ContainsKey(link), $"trip {trip[0]}: '{link}' is not a link"));
            for (var i = 1; i < route.Length; i++)
            {
                Assert.Contains(route[i], city.LinksById[route[i - 1]].Next!);
            }
        }

        Assert.Equal(8622, trips.Count + report.VehiclesSkippedTotal);
    }

    [Fact]
    public void Without_routes_the_city_gets_SUMOs_default_car_as_calibrated()
    {
        var (report, city) = ImportTiny();
        var v = city.Vehicles;

        // The figures bench/sumo-calibrate.sh measured for SUMO's default car (docs/sumo-import.md#vehicles):
        // discharge headway 2.0564 s, turn equivalents 1.2885 (right) and 1.2678 (left), cruise speed loss
        // 0.5083 x sigma 0.5 x accel 2.6, acceleration 1.2435 x 2.6 x (1 - 0.5 / 2).
        Assert.Equal(DefaultCarFlowVehH, v.UnsignalisedFlowPerLaneVehH, 6);
        Assert.Equal(1.2885, v.RightTurnEquivalent, 3);
        Assert.Equal(1.2678, v.LeftTurnEquivalent, 3);
        Assert.Equal(0.5083 * 0.5 * 2.6, v.CruiseSpeedLossMs, 3);
        Assert.Equal(1.2435 * 2.6 * 0.75, v.AccelerationMs2, 3);
        Assert.Equal(SumoVehicleMapping.CriticalGapSigma05S, v.CriticalGapS, 6);
        Assert.Equal((4.5, 7.5, 1.0, 0.1), (v.DecelerationMs2, v.JamSpacingM, v.SpeedFactorMean, v.SpeedFactorDeviation));
        Assert.Contains("'DEFAULT_VEHTYPE' (SUMO's default car", v.Source, StringComparison.Ordinal);
        Assert.Equal(v with { Source = null }, report.Vehicles with { Source = null });

        // Not the HCM figures a city without 'vehicles' runs.
        Assert.NotEqual(VehicleBehaviour.Default.RightTurnEquivalent, v.RightTurnEquivalent);
    }

    [Fact]
    public void A_vehicle_type_in_the_routes_maps_its_attributes_through_the_calibration()
    {
        var net = Write("tiny.net.xml", TinyNet);
        var routes = Write("typed.rou.xml", """
            <routes>
                <vType id="slow" accel="1.5" decel="3.5" sigma="0" tau="1.5" length="7" minGap="3" speedFactor="normc(1.1,0.05,0.2,2)"/>
                <vehicle id="a" depart="0" type="slow"><route edges="w_in c_e"/></vehicle>
                <vehicle id="b" depart="5" type="slow"><route edges="w_in c_e"/></vehicle>
            </routes>
            """);
        SumoImporter.Import(net, routes, Path.Combine(_folder, "typed"));
        var v = CityReader.ReadFolder(Path.Combine(_folder, "typed")).Vehicles;

        // The documented mapping: the sigma-0 anchor plus the sensitivities per s of tau, per m/s2 of accel and per m
        // of length + minGap (docs/sumo-import.md#vehicles).
        var headway = 1.7421 + (0.9069 * 0.5) + (-0.0594 * (1.5 - 2.6)) + (0.0968 * (10 - 7.5));
        Assert.Equal(3600 / headway, v.UnsignalisedFlowPerLaneVehH, 0);
        Assert.Equal(1.2983 + (-0.0709 * 0.5) + (0.0688 * -1.1) + (0.0174 * 2.5), v.RightTurnEquivalent, 3);
        Assert.Equal(1.2314 + (-0.0924 * 0.5) + (0.0430 * -1.1) + (0.0230 * 2.5), v.LeftTurnEquivalent, 3);
        Assert.Equal(0, v.CruiseSpeedLossMs); // no dawdling at sigma 0
        Assert.Equal(1.2435 * 1.5, v.AccelerationMs2, 3);
        Assert.Equal(SumoVehicleMapping.CriticalGapSigma0S, v.CriticalGapS, 6);
        Assert.Equal((3.5, 10.0, 1.1, 0.05), (v.DecelerationMs2, v.JamSpacingM, v.SpeedFactorMean, v.SpeedFactorDeviation));
        Assert.Contains("'slow'", v.Source, StringComparison.Ordinal);
        Assert.Contains("2 trips", v.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void An_additional_file_that_redefines_the_default_type_applies_to_vehicles_without_a_type()
    {
        var net = Write("tiny.net.xml", TinyNet);
        var sigma0 = Write("sigma0.add.xml", """<additional><vType id="DEFAULT_VEHTYPE" sigma="0"/></additional>""");
        var routes = Write("untyped.rou.xml", """<routes><vehicle id="a" depart="0"><route edges="w_in c_e"/></vehicle></routes>""");
        SumoImporter.Import(net, routes, Path.Combine(_folder, "s0"), [sigma0]);
        var v = CityReader.ReadFolder(Path.Combine(_folder, "s0")).Vehicles;

        // SUMO's car without dawdling: headway 1.7421 s, no cruise speed loss, acceleration 1.2435 x 2.6.
        Assert.Equal(Math.Round(3600 / 1.7421, 1), v.UnsignalisedFlowPerLaneVehH, 6);
        Assert.Equal(0, v.CruiseSpeedLossMs);
        Assert.Equal(1.2435 * 2.6, v.AccelerationMs2, 3);
    }

    [Fact]
    public void Several_types_are_mixed_by_their_trips()
    {
        var net = Write("tiny.net.xml", TinyNet);
        var routes = Write("mixed.rou.xml", """
            <routes>
                <vType id="calm" sigma="0"/>
                <vehicle id="a" depart="0"><route edges="w_in c_e"/></vehicle>
                <vehicle id="b" depart="1"><route edges="w_in c_e"/></vehicle>
                <vehicle id="c" depart="2"><route edges="w_in c_e"/></vehicle>
                <vehicle id="d" depart="3" type="calm"><route edges="w_in c_e"/></vehicle>
            </routes>
            """);
        SumoImporter.Import(net, routes, Path.Combine(_folder, "mixed"));
        var v = CityReader.ReadFolder(Path.Combine(_folder, "mixed")).Vehicles;

        // Three default cars and one without dawdling: the mean headway, the mean cruise speed loss.
        Assert.Equal(3600 / (((3 * 2.0564) + 1.7421) / 4), v.UnsignalisedFlowPerLaneVehH, 0);
        Assert.Equal(0.75 * 0.5083 * 0.5 * 2.6, v.CruiseSpeedLossMs, 3);
        Assert.Contains("'calm'", v.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_speed_factor_names_the_line_and_attribute()
    {
        var net = Write("tiny.net.xml", TinyNet);
        var routes = Write("badtype.rou.xml", "<routes>\n  <vType id=\"x\" speedFactor=\"uniform(1,2)\"/>\n</routes>\n");
        var ex = Assert.Throws<SumoFormatException>(() => SumoImporter.Import(net, routes, Path.Combine(_folder, "out")));
        Assert.Equal((2, "speedFactor"), (ex.Line, ex.Attribute));
    }

    private static void AssertGroups(Approach approach, string link, params (string Id, Movement[] Movements, int Lanes, string[] ToLinks)[] expected)
    {
        Assert.Equal(link, approach.LinkId);
        Assert.Equal(expected.Length, approach.LaneGroups.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            var g = approach.LaneGroups[i];
            Assert.Equal(expected[i].Id, g.Id);
            Assert.Equal(expected[i].Movements, g.Movements);
            Assert.Equal(expected[i].Lanes, g.Lanes);
            Assert.Equal(DefaultCarFlowVehH * expected[i].Lanes, g.SaturationFlowVehH, 6);
            Assert.Equal(expected[i].ToLinks, g.ToLinks);
        }
    }

    private static void AssertPhase(Phase phase, int id, double green, double amber, double allRed, params string[] serves)
    {
        Assert.Equal((id, green, amber, allRed), (phase.Id, phase.GreenS, phase.AmberS, phase.AllRedS));
        Assert.Equal(serves.Order(), phase.Serves.Select(s => s.ToString()).Order());
    }

    /// <summary>../shared/data/sumo-bologna-acosta beside the repository (the folder holding CityTwin.sln), or null.</summary>
    private static string? BolognaAcosta()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CityTwin.sln")))
            {
                var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "sumo-bologna-acosta"));
                return File.Exists(Path.Combine(data, "acosta_buslanes.net.xml")) ? data : null;
            }
        }

        return null;
    }
}
