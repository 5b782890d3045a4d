using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Tests.Traffic;

/// <summary>Road and lane closures: a closed link takes no vehicle while it is closed, and traffic goes round it.</summary>
public sealed class ClosureTests
{
    // West to east along the middle row of a 3 x 3 grid: the free-flow route uses the middle row's links.
    private const string Closed = "1,1>1,2";

    private static List<TripSpec> Through(int count, double everyS) =>
        Enumerable.Range(0, count).Select(i => new TripSpec($"t{i}", i * everyS, "o:1,-1>1,0", "1,2>o:1,3")).ToList();

    [Fact]
    public void A_link_closed_all_run_carries_no_vehicle_and_every_trip_goes_round_it()
    {
        var net = TestGrid.Build(3);
        var trips = Through(120, 10);
        var open = new Simulation(net, trips, new SimulationOptions { RecordTrips = true });
        var openMax = 0;
        var openResult = open.Run(s => openMax = Math.Max(openMax, s.VehiclesOn(Closed)));
        Assert.True(openMax > 0, "without the closure the middle row carries the trips");

        var options = new SimulationOptions { RecordTrips = true, Closures = [new LinkClosure(Closed, 0, 1e9)] };
        var closedMax = 0;
        var result = new Simulation(net, trips, options).Run(s =>
        {
            Assert.True(s.IsClosed(Closed));
            closedMax = Math.Max(closedMax, s.VehiclesOn(Closed));
        });

        Assert.Equal(0, closedMax);
        Assert.Equal(trips.Count, result.City.Total.TripsCompleted);
        Assert.All(result.Trips!, t => Assert.Equal(TripStatus.Arrived, t.Status));

        // Going round is longer than the straight route.
        Assert.True(result.Trips!.Average(t => t.RouteLengthM) > openResult.Trips!.Average(t => t.RouteLengthM) + 100);
    }

    [Fact]
    public void A_closure_in_a_window_lets_no_vehicle_onto_the_link_in_the_window_and_traffic_returns_after()
    {
        var net = TestGrid.Build(3);
        var trips = Through(360, 10); // one vehicle every 10 s for an hour
        var options = new SimulationOptions { Closures = [new LinkClosure(Closed, 900, 2100)] };
        var previous = 0;
        var entriesInWindow = 0;
        var usedAfter = false;
        var sim = new Simulation(net, trips, options);
        var result = sim.Run(s =>
        {
            var now = s.VehiclesOn(Closed);
            var t = s.NowS - 1; // the step that just ran started here
            if (t >= 900 && t < 2100)
            {
                Assert.True(s.IsClosed(Closed));
                if (now > previous)
                {
                    entriesInWindow++;
                }
            }
            else if (t >= 2100 + 60)
            {
                usedAfter |= now > 0;
            }

            previous = now;
        });

        Assert.Equal(0, entriesInWindow);
        Assert.True(usedAfter, "after the closure the link carries traffic again");
        Assert.Equal(trips.Count, result.City.Total.TripsCompleted);
    }

    [Fact]
    public void Closing_one_of_two_lanes_of_a_busy_link_raises_the_delay_and_the_same_seed_repeats_it()
    {
        var net = TestGrid.Build(3, lanes: 2);
        var trips = Through(900, 2); // 1,800 veh/h for half an hour on one corridor
        SimulationResult Run(IReadOnlyList<LinkClosure> closures) =>
            new Simulation(net, trips, new SimulationOptions { Seed = 3, RerouteIntervalS = 0, Closures = closures }).Run();

        var open = Run([]);
        var lane = Run([new LinkClosure("1,0>1,1", 0, 1e9, LanesClosed: 1)]);
        var again = Run([new LinkClosure("1,0>1,1", 0, 1e9, LanesClosed: 1)]);
        Assert.True(lane.City.Total.TotalDelayVehH > open.City.Total.TotalDelayVehH * 1.5, $"{lane.City.Total.TotalDelayVehH} vs {open.City.Total.TotalDelayVehH}");
        Assert.Equal(lane.City.Total, again.City.Total);
    }

    [Fact]
    public void A_closure_of_an_unknown_link_or_of_every_lane_is_refused()
    {
        var net = TestGrid.Build(2, lanes: 2);
        var e = Assert.Throws<ArgumentException>(() => new Simulation(net, [], new SimulationOptions
        {
            Closures = [new LinkClosure("nope", 0, 10), new LinkClosure("0,0>0,1", 0, 10, LanesClosed: 2)],
        }));
        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 lane(s) closed of 2", e.Message, StringComparison.Ordinal);
    }
}
