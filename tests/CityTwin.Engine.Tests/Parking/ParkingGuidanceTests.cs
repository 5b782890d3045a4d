using CityTwin.Engine.Parking;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace CityTwin.Engine.Tests.Parking;

public sealed class ParkingGuidanceTests
{
    private static readonly long T0 = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero).UtcTicks;

    private static long Min(double minutes) => T0 + TimeSpan.FromMinutes(minutes).Ticks;

    /// <summary>
    /// The fixture: facilities as WKT points in projected metres around a destination at (0, 0), with capacity,
    /// occupied spaces and minutes since the last event (empty: no data). Distances: A 150 m, B 300 m, C 500 m,
    /// D 100 m, E 200 m, F 2000 m.
    /// </summary>
    private const string Fixture = """
        A | POINT (150 0)    | 100 |  99 | 0
        B | POINT (300 0)    | 200 | 100 | 0
        C | POINT (0 500)    |  50 |  10 | 0
        D | POINT (80 60)    | 300 | 300 | 0
        E | POINT (0 -200)   | 120 |   0 |
        F | POINT (2000 0)   | 500 |   0 | 0
        """;

    private static List<GuidanceFacility> Load(string fixture)
    {
        var reader = new WKTReader();
        var list = new List<GuidanceFacility>();
        foreach (var line in fixture.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split('|', StringSplitOptions.TrimEntries);
            var point = (Point)reader.Read(f[1]);
            long? asOf = f[4].Length == 0 ? null : Min(-double.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture));
            list.Add(new GuidanceFacility(f[0], point.X, point.Y, int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture), asOf, []));
        }

        return list;
    }

    [Fact]
    public void Ranks_the_fixture_by_availability_then_distance()
    {
        var ranking = ParkingGuidance.Rank(Load(Fixture), 0, 0, T0, T0, new GuidanceOptions { Limit = 10 });

        // B and C have space (B nearer), A has 1 free space (below the reserve of 5), E has no data, D is full;
        // F is 2 km away, beyond the 1 km default.
        Assert.Equal(["B", "C", "A", "E", "D"], ranking.Options.Select(o => o.Id));
        Assert.Equal(5, ranking.Considered);
        Assert.Equal([1, 2, 3, 4, 5], ranking.Options.Select(o => o.Rank));
        Assert.Equal(
            [Availability.Likely, Availability.Likely, Availability.Limited, Availability.Unknown, Availability.Full],
            ranking.Options.Select(o => o.Availability));
        Assert.Equal([300, 500, 150, 200, 100], ranking.Options.Select(o => Math.Round(o.DistanceM, 9)));
        Assert.Equal([100, 40, 1, (double?)null, 0], ranking.Options.Select(o => o.ExpectedFree));
        Assert.Equal(GuidanceBasis.NoData, ranking.Options.Single(o => o.Id == "E").Basis);
        Assert.Equal(GuidanceBasis.Live, ranking.Options.Single(o => o.Id == "B").Basis);
    }

    [Fact]
    public void The_limit_and_the_distance_cut_the_list()
    {
        // With 3 km, F (2 km, empty) joins the likely ones, after the nearer B and C.
        var ranking = ParkingGuidance.Rank(Load(Fixture), 0, 0, T0, T0, new GuidanceOptions { Limit = 3, MaxDistanceM = 3000 });
        Assert.Equal(["B", "C", "F"], ranking.Options.Select(o => o.Id));
        Assert.Equal(6, ranking.Considered);

        var near = ParkingGuidance.Rank(Load(Fixture), 0, 0, T0, T0, new GuidanceOptions { MaxDistanceM = 160 });
        Assert.Equal(["A", "D"], near.Options.Select(o => o.Id));
    }

    [Fact]
    public void The_reserve_is_the_larger_of_a_count_and_a_share_of_capacity()
    {
        // 400 spaces: the reserve is 5% = 20, so 15 free is limited; 50 spaces: the reserve is 5, so 6 free is likely.
        List<GuidanceFacility> facilities =
        [
            new("big", 10, 0, 400, 385, T0, []),
            new("small", 20, 0, 50, 44, T0, []),
        ];
        var ranking = ParkingGuidance.Rank(facilities, 0, 0, T0, T0);
        Assert.Equal(["small", "big"], ranking.Options.Select(o => o.Id));
        Assert.Equal([5, 20], ranking.Options.Select(o => o.ReserveSpaces));
        Assert.Equal(Availability.Limited, ranking.Options[1].Availability);
    }

    [Fact]
    public void Expected_occupancy_follows_the_forecast_to_the_arrival_time()
    {
        // 50 occupied now, forecast 80 in 30 min and 110 (over the capacity of 100) in 60 min.
        var f = new GuidanceFacility("P", 0, 0, 100, 50, T0, [new(Min(30), 80), new(Min(60), 110)]);
        var stale = TimeSpan.FromMinutes(30);
        Assert.Equal((GuidanceBasis.Live, 50.0), ParkingGuidance.Expect(f, Min(-5), T0, stale));
        Assert.Equal((GuidanceBasis.Forecast, 65.0), ParkingGuidance.Expect(f, Min(15), T0, stale));
        Assert.Equal((GuidanceBasis.Forecast, 95.0), ParkingGuidance.Expect(f, Min(45), T0, stale));
        Assert.Equal((GuidanceBasis.Forecast, 100.0), ParkingGuidance.Expect(f, Min(60), T0, stale));
        Assert.Equal((GuidanceBasis.BeyondForecast, 100.0), ParkingGuidance.Expect(f, Min(90), T0, stale));
    }

    [Fact]
    public void The_order_changes_with_the_arrival_time_as_a_facility_fills()
    {
        // The near one fills up: free now, full in an hour; the far one stays half empty.
        List<GuidanceFacility> facilities =
        [
            new("near", 100, 0, 100, 40, T0, [new(Min(30), 70), new(Min(60), 100)]),
            new("far", 600, 0, 100, 50, T0, [new(Min(30), 50), new(Min(60), 50)]),
        ];
        Assert.Equal(["near", "far"], ParkingGuidance.Rank(facilities, 0, 0, Min(10), T0).Options.Select(o => o.Id));
        var later = ParkingGuidance.Rank(facilities, 0, 0, Min(60), T0).Options;
        Assert.Equal(["far", "near"], later.Select(o => o.Id));
        Assert.Equal(Availability.Full, later[1].Availability);
    }

    [Fact]
    public void Old_data_is_unknown_not_trusted()
    {
        List<GuidanceFacility> facilities =
        [
            new("old", 50, 0, 100, 0, Min(-31), []),
            new("fresh", 500, 0, 100, 90, T0, []),
        ];
        var ranking = ParkingGuidance.Rank(facilities, 0, 0, T0, T0);
        Assert.Equal(["fresh", "old"], ranking.Options.Select(o => o.Id));
        Assert.Equal((Availability.Unknown, GuidanceBasis.Stale), (ranking.Options[1].Availability, ranking.Options[1].Basis));
        Assert.Null(ranking.Options[1].ExpectedFree);

        // Exactly at the limit it still counts.
        var edge = ParkingGuidance.Rank([facilities[0] with { AsOfTicks = Min(-30) }], 0, 0, T0, T0);
        Assert.Equal(Availability.Likely, edge.Options.Single().Availability);
    }

    [Fact]
    public void Ties_go_to_the_facility_id_whatever_the_input_order()
    {
        var facilities = new List<GuidanceFacility>
        {
            new("P-2", 0, 100, 100, 0, T0, []),
            new("P-1", 100, 0, 100, 0, T0, []),
            new("P-3", -100, 0, 100, 0, T0, []),
        };
        var forward = ParkingGuidance.Rank(facilities, 0, 0, T0, T0).Options.Select(o => o.Id).ToArray();
        facilities.Reverse();
        var backward = ParkingGuidance.Rank(facilities, 0, 0, T0, T0).Options.Select(o => o.Id).ToArray();
        Assert.Equal(["P-1", "P-2", "P-3"], forward);
        Assert.Equal(forward, backward);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var facilities = Load(Fixture);
        Assert.Throws<ArgumentException>(() => ParkingGuidance.Rank(facilities, double.NaN, 0, T0, T0));
        Assert.Throws<ArgumentException>(() => ParkingGuidance.Rank(facilities, 0, 0, T0, T0, new GuidanceOptions { Limit = 0 }));
        Assert.Throws<ArgumentException>(() => ParkingGuidance.Rank(facilities, 0, 0, T0, T0, new GuidanceOptions { MaxDistanceM = 0 }));
    }
}
