using CityTwin.Engine.City;
using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Tests.Traffic;

/// <summary>Turning movements: permissive left turns against oncoming traffic, turn equivalents at the stop line, slowing for a turn.</summary>
public sealed class TurnModelTests
{
    private const double V = 50 / 3.6;
    private static readonly double StartLoss = V / (2 * 2.6);

    /// <summary>
    /// A junction X: "wx" comes from the west, "ex" from the east (oncoming). From "wx" a vehicle goes through to
    /// "xe" or turns left into "xn", yielding to the oncoming lane group. Phase 1 (green 0..60 s) serves both
    /// approaches; phase 2 (green 60..90 s) serves nobody.
    /// </summary>
    private static TrafficNetwork Junction(int waitInside, bool yields = true)
    {
        var b = new NetworkBuilder()
            .Link("wx", "w", "X", 100, 50, 1)
            .Link("ex", "e", "X", 100, 50, 1)
            .Link("xe", "X", "e2", 200, 50, 1)
            .Link("xw", "X", "w2", 200, 50, 1)
            .Link("xn", "X", "n", 200, 50, 1)
            .Signal("X", [new SimPhase(60, 0, 0), new SimPhase(30, 0, 0)])
            .LaneGroup("wx", "W", 1800, ["xe", "xn"], "X", [0], "W")
            .LaneGroup("ex", "E", 1800, ["xw"], "X", [0], "E")
            .TurnMovement("wx", "xn", Movement.Left);
        if (yields)
        {
            b.Yield("wx", "xn", ["E"], waitInside);
        }

        return b.Build();
    }

    /// <summary>An oncoming stream on "ex" at one vehicle per 2 s (no gap of 4.5 s) from t = 0 to 70 s.</summary>
    private static IEnumerable<TripSpec> OncomingStream() =>
        Enumerable.Range(0, 36).Select(i => new TripSpec($"o{i:D2}", i * 2.0, "ex", "xw"));

    private static Dictionary<string, TripRecord> Run(TrafficNetwork net, IEnumerable<TripSpec> trips)
    {
        var options = new SimulationOptions { SpeedFactorDeviation = 0, RecordTrips = true, RerouteIntervalS = 0 };
        return new Simulation(net, trips.ToList(), options).Run().Trips!.ToDictionary(t => t.Id);
    }

    [Fact]
    public void A_left_turner_with_no_gap_in_oncoming_traffic_clears_at_the_end_of_the_green()
    {
        var trips = OncomingStream().Append(new TripSpec("left", 1, "wx", "xn")).ToList();

        var records = Run(Junction(waitInside: 1), trips);

        // It leaves the stop line at 60 s (the end of green) and then drives 200 m, slowed by nothing else (it stopped).
        var stopPenalty = (V / (2 * 4.5)) + (V / (2 * 2.6));
        Assert.Equal(60 + (200 / V) + stopPenalty, records["left"].ArrivedS!.Value, 6);

        // Without the yield it would have gone at once.
        var free = Run(Junction(waitInside: 1, yields: false), trips);
        Assert.True(free["left"].ArrivedS < 40, $"an unopposed left turn arrives at {free["left"].ArrivedS} s");
    }

    [Fact]
    public void A_left_turner_waiting_at_the_head_of_a_one_lane_approach_holds_the_vehicles_behind_it()
    {
        var trips = OncomingStream()
            .Append(new TripSpec("left", 1, "wx", "xn"))
            .Append(new TripSpec("through", 2, "wx", "xe"))
            .ToList();

        // A junction with room for the left turner: the through vehicle behind it passes (one headway after it
        // pulled in, times the left-turn equivalent).
        var roomy = Run(Junction(waitInside: 1), trips);
        var reachesStopLine = 2 + (100 / V) + StartLoss;
        var leftAtStopLine = 1 + (100 / V) + StartLoss;
        var crossesRoomy = Math.Max(reachesStopLine, leftAtStopLine + (2.0 * 1.05));
        Assert.Equal(crossesRoomy + (200 / V), roomy["through"].ArrivedS!.Value, 6);

        // A junction with no room: the through vehicle waits behind the left turner, past the end of the green,
        // until the next green at 90 s.
        var tight = Run(Junction(waitInside: 0), trips);
        Assert.True(tight["through"].ArrivedS > 90 + (200 / V), $"the held through vehicle arrives at {tight["through"].ArrivedS} s");
        Assert.True(tight["left"].ArrivedS < tight["through"].ArrivedS);
    }

    [Fact]
    public void A_left_turner_takes_the_first_gap_of_at_least_the_critical_gap()
    {
        // Oncoming vehicles reach the stop line at about 12.9 s and 22.9 s: the left turner arriving at about 13.9 s
        // sees a 9 s gap, more than 4.5 s, and goes at once.
        var trips = new List<TripSpec>
        {
            new("o1", 3, "ex", "xw"),
            new("o2", 13, "ex", "xw"),
            new("left", 4, "wx", "xn"),
        };

        var records = Run(Junction(waitInside: 0), trips);

        var noDelay = Run(Junction(waitInside: 0, yields: false), trips);
        Assert.Equal(noDelay["left"].ArrivedS!.Value, records["left"].ArrivedS!.Value, 9);

        // With a critical gap longer than 9 s it waits for o2 to pass.
        var options = new SimulationOptions { SpeedFactorDeviation = 0, RecordTrips = true, RerouteIntervalS = 0, CriticalGapS = 10 };
        var patient = new Simulation(Junction(waitInside: 0), trips, options).Run().Trips!.ToDictionary(t => t.Id);
        Assert.True(patient["left"].ArrivedS > patient["o2"].ArrivedS - 1, "the left turner should wait for the second oncoming vehicle");
    }

    [Fact]
    public void A_queue_of_right_turners_discharges_at_the_saturation_flow_divided_by_the_right_turn_equivalent()
    {
        var net = new NetworkBuilder()
            .Link("in", "origin", "X", 300, 50, 1)
            .Link("out", "X", "exit", 100, 50, 1)
            .Signal("X", [new SimPhase(40, 0, 0), new SimPhase(40, 0, 0)])
            .LaneGroup("in", "R", 1800, ["out"], "X", [1], "in")
            .TurnMovement("in", "out", Movement.Right)
            .Build();
        var trips = Enumerable.Range(0, 10).Select(i => new TripSpec($"v{i:D2}", i * 0.5, "in", "out")).ToList();
        var options = new SimulationOptions { SpeedFactorDeviation = 0, RecordTrips = true };

        var arrivals = new Simulation(net, trips, options).Run().Trips!.OrderBy(t => t.Id, StringComparer.Ordinal).Select(t => t.ArrivedS!.Value).ToList();

        for (var i = 1; i < arrivals.Count; i++)
        {
            Assert.Equal(2.0 * 1.18, arrivals[i] - arrivals[i - 1], 9);
        }
    }

    [Fact]
    public void A_vehicle_that_turns_without_stopping_loses_the_time_of_slowing_to_the_turn_speed()
    {
        // Green all the time (one phase), a right turn across a 14 m junction: radius 7 m, turn speed sqrt(5.5 x 7).
        var net = new NetworkBuilder()
            .Link("in", "origin", "X", 300, 50, 1)
            .Link("out", "X", "exit", 100, 50, 1)
            .LaneGroup("in", "R", 1800, ["out"])
            .TurnMovement("in", "out", Movement.Right, junctionWidthM: 14)
            .Build();
        var options = new SimulationOptions { SpeedFactorDeviation = 0, RecordTrips = true };

        var trip = new Simulation(net, [new TripSpec("r", 0, "in", "out")], options).Run().Trips!.Single();

        var vt = Math.Sqrt(5.5 * 7);
        var slowDown = ((V - vt) * (V - vt) / (2 * 4.5 * V)) + (7 * Math.PI / 2 * ((1 / vt) - (1 / V))) + ((V - vt) * (V - vt) / (2 * 2.6 * V));
        Assert.Equal(StartLoss + slowDown, trip.TimeLossS!.Value, 9);
    }
}
