using CityTwin.Engine.City;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace CityTwin.Engine.Tests;

/// <summary>Cells and districts assigned through the spatial index, with districts given as WKT (lon/lat).</summary>
public sealed class SpatialAssignmentTests
{
    private static readonly WKTReader Wkt = new();

    private static readonly TimingPlan Plan = new("p", 60, 0, [new Phase(1, 55, 3, 2, [new LaneGroupRef("A", "G")])]);

    private static readonly Approach[] Approaches = [new Approach("A", null, [new LaneGroup("G", [Movement.Through], 1, 1800)])];

    private static CityDraft Draft(double cellSize, params (string Id, string Wkt)[] districts)
    {
        var draft = new CityDraft { Name = "wkt", CellSizeM = cellSize };
        foreach (var (id, wkt) in districts)
        {
            draft.Districts.Add(new DistrictDraft($"test '{id}'", id, id, null, Wkt.Read(wkt)));
        }

        return draft;
    }

    private static void AddSignal(CityDraft draft, string id, double lon, double lat) =>
        draft.Signals.Add(new SignalDraft($"test '{id}'", id, id, new Coordinate(lon, lat), Approaches, Plan, 20));

    [Fact]
    public void Points_fall_in_the_district_that_contains_them()
    {
        // An L-shaped district and the square that fills its notch.
        var draft = Draft(250,
            ("L", "POLYGON((9.30 52.10, 9.32 52.10, 9.32 52.11, 9.31 52.11, 9.31 52.12, 9.30 52.12, 9.30 52.10))"),
            ("NOTCH", "POLYGON((9.31 52.11, 9.32 52.11, 9.32 52.12, 9.31 52.12, 9.31 52.11))"));
        AddSignal(draft, "in-L-foot", 9.315, 52.105);
        AddSignal(draft, "in-L-leg", 9.305, 52.115);
        AddSignal(draft, "in-notch", 9.315, 52.115);
        var city = CityBuilder.Build(draft);
        Assert.Equal("L", city.SignalsById["in-L-foot"].Placement.DistrictId);
        Assert.Equal("L", city.SignalsById["in-L-leg"].Placement.DistrictId);
        Assert.Equal("NOTCH", city.SignalsById["in-notch"].Placement.DistrictId);
    }

    [Fact]
    public void A_point_on_a_shared_edge_goes_to_the_first_district()
    {
        var draft = Draft(250,
            ("A", "POLYGON((9.30 52.10, 9.31 52.10, 9.31 52.11, 9.30 52.11, 9.30 52.10))"),
            ("B", "POLYGON((9.31 52.10, 9.32 52.10, 9.32 52.11, 9.31 52.11, 9.31 52.10))"));
        AddSignal(draft, "edge", 9.31, 52.105);
        Assert.Equal("A", CityBuilder.Build(draft).SignalsById["edge"].Placement.DistrictId);
    }

    [Fact]
    public void Grid_covers_the_districts_extent_with_cells_of_the_given_size()
    {
        // 0.02 deg of longitude at 52.1 N is about 1,367 m; 0.01 deg of latitude about 1,112 m.
        var draft = Draft(250, ("A", "POLYGON((9.30 52.10, 9.32 52.10, 9.32 52.11, 9.30 52.11, 9.30 52.10))"));
        var city = CityBuilder.Build(draft);
        var columns = city.Cells.Max(c => c.Column) + 1;
        var rows = city.Cells.Max(c => c.Row) + 1;
        Assert.Equal(6, columns); // ceil(1367 / 250)
        Assert.Equal(5, rows);    // ceil(1112 / 250)
        Assert.All(city.Cells, c => Assert.Equal(250, c.SizeM));
    }

    [Fact]
    public void Cells_are_numbered_from_the_south_west_corner()
    {
        var draft = Draft(250, ("A", "POLYGON((9.30 52.10, 9.32 52.10, 9.32 52.11, 9.30 52.11, 9.30 52.10))"));
        AddSignal(draft, "sw", 9.3001, 52.1001);
        AddSignal(draft, "ne", 9.3199, 52.1099);
        AddSignal(draft, "mid", 9.31, 52.105);
        var city = CityBuilder.Build(draft);
        Assert.Equal("C-0-0", city.SignalsById["sw"].Placement.CellId);
        Assert.Equal("C-5-4", city.SignalsById["ne"].Placement.CellId);

        // The centre: 683.5 m east, 556 m north of the south-west corner -> column 2, row 2.
        Assert.Equal("C-2-2", city.SignalsById["mid"].Placement.CellId);
    }

    [Fact]
    public void Corner_cells_have_three_neighbours_and_inner_cells_eight()
    {
        var draft = Draft(250, ("A", "POLYGON((9.30 52.10, 9.32 52.10, 9.32 52.11, 9.30 52.11, 9.30 52.10))"));
        var city = CityBuilder.Build(draft);
        Assert.Equal(3, city.CellsById["C-0-0"].Neighbours.Count);
        Assert.Equal(8, city.CellsById["C-2-2"].Neighbours.Count);
        Assert.Contains("C-1-1", city.CellsById["C-2-2"].Neighbours);
        Assert.Equal(5, city.CellsById["C-3-0"].Neighbours.Count);
    }

    [Fact]
    public void Projection_distances_match_the_haversine_distance()
    {
        // 1 deg of latitude on the mean-radius sphere is 111,195 m; 0.01 deg of longitude at 52.1 N is
        // 111,195 * cos(52.1 deg) / 100 = 683.4 m.
        var p = new LocalProjection(9.31, 52.1);
        var a = p.Project(new Coordinate(9.30, 52.10));
        var b = p.Project(new Coordinate(9.31, 52.10));
        var c = p.Project(new Coordinate(9.30, 52.11));
        Assert.Equal(683.4, a.Distance(b), 0.5);
        Assert.Equal(1111.95, a.Distance(c), 0.5);
    }

    [Fact]
    public void A_link_outside_every_district_goes_to_the_nearest()
    {
        var draft = Draft(250,
            ("A", "POLYGON((9.30 52.10, 9.31 52.10, 9.31 52.11, 9.30 52.11, 9.30 52.10))"),
            ("B", "POLYGON((9.32 52.10, 9.33 52.10, 9.33 52.11, 9.32 52.11, 9.32 52.10))"));
        draft.Links.Add(new LinkDraft("test 'X'", "X", null, "n1", "n2", 1, 50, null, [new Coordinate(9.3125, 52.105), new Coordinate(9.3135, 52.105)]));
        var city = CityBuilder.Build(draft);
        Assert.Equal("A", city.LinksById["X"].Placement.DistrictId);
        Assert.Equal(68.3, city.LinksById["X"].LengthM, 0.5);
    }
}
