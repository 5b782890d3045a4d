using System.Text.Json;
using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Tests.Traffic;

/// <summary>Invariants of the traffic model: conservation, determinism, storage and spillback, bad input.</summary>
public sealed class TrafficModelTests
{
    [Fact]
    public void Every_vehicle_is_accounted_for_at_every_step_of_a_congested_grid()
    {
        var net = TestGrid.Build(4, lengthM: 120);
        var trips = TestGrid.RandomTrips(net, perHour: 5000, seconds: 1800, seed: 3);
        var options = new SimulationOptions { TeleportAfterS = 0, MaxDurationS = 1800 };
        var steps = 0;
        var sawFullLink = false;

        var result = new Simulation(net, trips, options).Run(sim =>
        {
            var c = sim.Census();
            Assert.Equal(c.Trips, c.NotYetDeparted + c.WaitingToEnter + c.InNetwork + c.Arrived + c.Unroutable);
            Assert.Equal(c.InNetwork, c.OnLinks);
            Assert.Equal(c.InNetwork, c.InQueues);
            Assert.Equal(0, c.LinksOverStorage);
            sawFullLink |= net.LinkIds.Any(l => sim.VehiclesOn(l) == net.StorageOf(net.LinkIndex[l]));
            steps++;
        });

        Assert.True(steps > 1800);
        Assert.True(sawFullLink, "the load should fill some links");
        var city = result.City.Total;
        Assert.Equal(city.Departed, city.TripsCompleted + city.InNetworkAtEnd);
    }

    [Fact]
    public void The_same_seed_gives_the_same_numbers_and_another_seed_does_not()
    {
        var net = TestGrid.Build(3);
        var trips = TestGrid.RandomTrips(net, perHour: 2500, seconds: 1800, seed: 11);

        string Run(ulong seed) => JsonSerializer.Serialize(new Simulation(net, trips, new SimulationOptions { Seed = seed, RecordTrips = true }).Run());

        var a = Run(5);
        var b = Run(5);
        var c = Run(6);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void A_blocked_exit_spills_back_through_the_upstream_links_and_holds_vehicles_at_the_origin()
    {
        // a -> b -> c -> out; c's stop line is green only 10 s every 300 s.
        var net = new NetworkBuilder()
            .Link("a", "o", "n1", 150, 50, 1)
            .Link("b", "n1", "n2", 150, 50, 1)
            .Link("c", "n2", "X", 150, 50, 1)
            .Link("out", "X", "end", 100, 50, 1)
            .Turn("a", "b")
            .Turn("b", "c")
            .Signal("X", [new SimPhase(10, 0, 0), new SimPhase(290, 0, 0)], offsetS: 0)
            .LaneGroup("c", "T", 1800, ["out"], "X", [0], "c")
            .Build();
        var storage = net.StorageOf(0);
        Assert.Equal(20, storage);
        var trips = Enumerable.Range(0, 120).Select(i => new TripSpec($"v{i}", 12 + (i * 2.0), "a", "out")).ToList();
        var fullAt = new Dictionary<string, double>();

        var result = new Simulation(net, trips, new SimulationOptions { SpeedFactorDeviation = 0, TeleportAfterS = 0, KpiIntervalS = 300 }).Run(sim =>
        {
            foreach (var l in new[] { "c", "b", "a" })
            {
                if (sim.VehiclesOn(l) == storage && !fullAt.ContainsKey(l))
                {
                    fullAt[l] = sim.NowS;
                }

                Assert.True(sim.VehiclesOn(l) <= storage);
            }
        });

        // The queue fills c first, then spills back into b, then a.
        Assert.True(fullAt["c"] < fullAt["b"] && fullAt["b"] < fullAt["a"], string.Join(", ", fullAt));
        Assert.True(result.City.Total.MeanInsertionDelayS > 0);
        Assert.True(result.Approaches.Single().Total.SpillbackMin > 0);
        Assert.True(result.City.Total.SpillbackLinkMin > result.Approaches.Single().Total.SpillbackMin);
        Assert.Equal(120, result.City.Total.TripsCompleted);
    }

    [Fact]
    public void A_gridlocked_vehicle_is_moved_on_after_the_teleport_time()
    {
        // Two one-vehicle links feeding each other: the second vehicle in locks the ring.
        var net = new NetworkBuilder()
            .Link("in", "o", "p", 50, 50, 1)
            .Link("ring1", "p", "q", 10, 50, 1)
            .Link("ring2", "q", "p", 10, 50, 1)
            .Link("out", "q", "end", 50, 50, 1)
            .Turn("in", "ring1")
            .Turn("ring1", "ring2")
            .Turn("ring2", "ring1")
            .Turn("ring1", "out")
            .Build();
        var route = new[] { "in", "ring1", "ring2", "ring1", "out" };
        var trips = Enumerable.Range(0, 30).Select(i => new TripSpec($"v{i}", i, "in", "out", route)).ToList();

        var result = new Simulation(net, trips, new SimulationOptions { TeleportAfterS = 60 }).Run();

        Assert.Equal(1, net.StorageOf(net.LinkIndex["ring1"]));
        Assert.Equal(30, result.City.Total.TripsCompleted);
        Assert.True(result.City.Total.Teleports > 0);
    }

    [Fact]
    public void Trips_with_unknown_links_or_broken_routes_are_all_reported_by_id()
    {
        var net = TestGrid.Build(2);
        var trips = new List<TripSpec>
        {
            new("good", 0, "o:-1,0>0,0", "1,1>o:2,1"),
            new("bad-origin", 0, "nowhere", "1,1>o:2,1"),
            new("bad-route", 0, "o:-1,0>0,0", "1,1>o:2,1", ["o:-1,0>0,0", "1,1>o:2,1"]),
        };

        var e = Assert.Throws<TripException>(() => new Simulation(net, trips));
        Assert.Equal(2, e.Errors.Count);
        Assert.Contains(e.Errors, m => m.Contains("'bad-origin'", StringComparison.Ordinal) && m.Contains("'nowhere'", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("'bad-route'", StringComparison.Ordinal) && m.Contains("no turn", StringComparison.Ordinal));
    }

    [Fact]
    public void A_trip_with_no_path_is_counted_as_unroutable_and_named()
    {
        var net = new NetworkBuilder()
            .Link("a", "o", "n", 100, 50, 1)
            .Link("b", "m", "end", 100, 50, 1)
            .Build();
        var result = new Simulation(net, [new TripSpec("lost", 0, "a", "b"), new TripSpec("ok", 0, "a", "a")]).Run();

        Assert.Equal(1, result.Counters.Unroutable);
        Assert.Equal(["lost"], result.Counters.UnroutableSample);
        Assert.Equal(1, result.City.Total.TripsCompleted);
    }

    [Fact]
    public void Actuated_control_gives_a_lone_busy_approach_less_delay_than_the_fixed_plan()
    {
        // A two-phase junction where only the first phase has traffic: actuated control gaps out the empty phase.
        var net = new NetworkBuilder()
            .Link("in", "o", "X", 400, 50, 1)
            .Link("side", "p", "X", 400, 50, 1)
            .Link("out", "X", "end", 200, 50, 1)
            .Signal("X", [new SimPhase(30, 3, 1), new SimPhase(30, 3, 1)])
            .LaneGroup("in", "T", 1800, ["out"], "X", [0], "in")
            .LaneGroup("side", "T", 1800, ["out"], "X", [1], "side")
            .Build();
        var trips = Enumerable.Range(0, 300).Select(i => new TripSpec($"v{i}", i * 6.0, "in", "out")).ToList();

        var fixedTime = new Simulation(net, trips, new SimulationOptions { Control = SignalControl.FixedTime }).Run();
        var actuated = new Simulation(net, trips, new SimulationOptions { Control = SignalControl.Actuated }).Run();

        var fixedDelay = fixedTime.Approaches.Single(a => a.Approach.ApproachId == "in").Total.MeanDelayS;
        var actuatedDelay = actuated.Approaches.Single(a => a.Approach.ApproachId == "in").Total.MeanDelayS;
        Assert.True(actuatedDelay < fixedDelay / 2, $"actuated {actuatedDelay:F1} s vs fixed {fixedDelay:F1} s");
        Assert.Equal(300, actuated.City.Total.TripsCompleted);
    }

    [Fact]
    public void Routing_by_estimated_travel_time_moves_traffic_off_a_route_with_a_long_red()
    {
        // Two ways from s to t: "fast" is shorter but its signal is green 10 s in 120 s; "slow" is 300 m longer.
        var net = new NetworkBuilder()
            .Link("s", "o", "A", 100, 50, 1)
            .Link("fast", "A", "X", 200, 50, 1)
            .Link("fast2", "X", "B", 100, 50, 1)
            .Link("slow", "A", "Y", 500, 50, 1)
            .Link("slow2", "Y", "B", 100, 50, 1)
            .Link("t", "B", "d", 100, 50, 1)
            .Turn("s", "fast")
            .Turn("s", "slow")
            .Turn("slow", "slow2")
            .Turn("fast2", "t")
            .Turn("slow2", "t")
            .Signal("X", [new SimPhase(10, 0, 0), new SimPhase(110, 0, 0)])
            .LaneGroup("fast", "T", 1800, ["fast2"], "X", [0], "fast")
            .Build();
        var trips = Enumerable.Range(0, 360).Select(i => new TripSpec($"v{i}", i * 10.0, "s", "t")).ToList();

        var byFreeFlow = new Simulation(net, trips, new SimulationOptions { RerouteIntervalS = 0, RecordTrips = true }).Run();
        var byEstimate = new Simulation(net, trips, new SimulationOptions { RerouteIntervalS = 300, RecordTrips = true }).Run();

        Assert.All(byFreeFlow.Trips!, t => Assert.Equal(4, t.RouteLinks));
        Assert.All(byFreeFlow.Trips!, t => Assert.Equal(500, t.RouteLengthM, 6));
        var rerouted = byEstimate.Trips!.Count(t => t.RouteLengthM > 500);
        Assert.True(rerouted > 100, $"{rerouted} of 360 took the longer way");
        Assert.True(byEstimate.City.Total.MeanTripDurationS < byFreeFlow.City.Total.MeanTripDurationS);
    }
}
