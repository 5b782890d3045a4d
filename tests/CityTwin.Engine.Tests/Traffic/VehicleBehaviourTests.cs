using CityTwin.Engine.City;
using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Tests.Traffic;

/// <summary>The network's vehicle behaviour (a city's 'vehicles') drives the simulation; a run's options override it.</summary>
public sealed class VehicleBehaviourTests
{
    private const double V = 50 / 3.6;

    /// <summary>A 40 s red then 40 s green on "in" (300 m at 54 km/h), whose one lane group turns right into "out" (100 m at 36 km/h).</summary>
    private static TrafficNetwork RightTurnApproach(VehicleBehaviour vehicles) =>
        new NetworkBuilder { Vehicles = vehicles }
            .Link("in", "origin", "X", 300, 54, 1)
            .Link("out", "X", "exit", 100, 36, 1)
            .Signal("X", [new SimPhase(40, 0, 0), new SimPhase(40, 0, 0)])
            .LaneGroup("in", "R", 1800, ["out"], "X", [1], "in")
            .TurnMovement("in", "out", Movement.Right)
            .Build();

    private static List<double> Arrivals(TrafficNetwork net, SimulationOptions options)
    {
        var trips = Enumerable.Range(0, 10).Select(i => new TripSpec($"v{i}", i * 0.5, "in", "out")).ToList();
        return new Simulation(net, trips, options with { RecordTrips = true }).Run().Trips!.Select(t => t.ArrivedS!.Value).ToList();
    }

    [Fact]
    public void Cruise_speed_loss_slows_a_free_vehicle_and_counts_as_time_loss()
    {
        var vehicles = new VehicleBehaviour { CruiseSpeedLossMs = 0.661, AccelerationMs2 = 2.42, SpeedFactorDeviation = 0 };
        var net = new NetworkBuilder { Vehicles = vehicles }.Link("road", "a", "b", 2000, 50, 1).Build();

        var trip = new Simulation(net, [new TripSpec("car", 0, "road", "road")], new SimulationOptions { RecordTrips = true }).Run().Trips!.Single();

        // 2,000 m at 13.89 - 0.661 m/s, and v / (2 a) starting from standstill; the free-flow time is at the desired speed.
        var expected = (2000 / (V - 0.661)) + (V / (2 * 2.42));
        Assert.Equal(expected, trip.DurationS!.Value, 9);
        Assert.Equal(expected - (2000 / V), trip.TimeLossS!.Value, 9);
    }

    [Fact]
    public void The_speed_factor_mean_sets_the_desired_speed()
    {
        var net = new NetworkBuilder { Vehicles = new VehicleBehaviour { SpeedFactorMean = 1.25, SpeedFactorDeviation = 0 } }
            .Link("road", "a", "b", 1000, 50, 1).Build();

        var trip = new Simulation(net, [new TripSpec("car", 0, "road", "road")], new SimulationOptions { RecordTrips = true }).Run().Trips!.Single();

        var v = 1.25 * V;
        Assert.Equal((1000 / v) + (v / (2 * 2.6)), trip.DurationS!.Value, 9);
    }

    [Fact]
    public void The_network_turn_equivalent_spaces_a_turning_queue_and_an_option_overrides_it()
    {
        var net = RightTurnApproach(new VehicleBehaviour { RightTurnEquivalent = 1.3, SpeedFactorDeviation = 0 });

        // A standing queue of right turners leaves every 2 s x 1.3 from the start of green at 40 s.
        var own = Arrivals(net, new SimulationOptions());
        for (var i = 1; i < own.Count; i++)
        {
            Assert.Equal(2.6, own[i] - own[i - 1], 9);
        }

        // The run's option wins over the network's.
        var overridden = Arrivals(net, new SimulationOptions { RightTurnEquivalent = 1.0 });
        for (var i = 1; i < overridden.Count; i++)
        {
            Assert.Equal(2.0, overridden[i] - overridden[i - 1], 9);
        }

        Assert.Equal(own[0], overridden[0], 9);
    }

    [Fact]
    public void Jam_spacing_and_the_unsignalised_flow_come_from_the_network_behaviour()
    {
        var net = new NetworkBuilder { Vehicles = new VehicleBehaviour { JamSpacingM = 10, UnsignalisedFlowPerLaneVehH = 1200, SpeedFactorDeviation = 0 } }
            .Link("a", "p", "q", 100, 50, 2)
            .Link("b", "q", "r", 500, 50, 1)
            .Turn("a", "b")
            .Build();

        Assert.Equal(20, net.StorageOf(0)); // 2 lanes x 100 m / 10 m

        // Ten vehicles start at the stop line of "a" (a queue) and leave at 1,200 veh/h over its 2 lanes: every 1.5 s.
        var trips = Enumerable.Range(0, 10).Select(i => new TripSpec($"v{i}", 0, "a", "b") { AtStopLine = true }).ToList();
        var arrivals = new Simulation(net, trips, new SimulationOptions { RecordTrips = true, AccelerationMs2 = 0 }).Run().Trips!
            .Select(t => t.ArrivedS!.Value).Order().ToList();
        for (var i = 1; i < arrivals.Count; i++)
        {
            Assert.Equal(1.5, arrivals[i] - arrivals[i - 1], 9);
        }
    }
}
