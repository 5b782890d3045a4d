using Xunit.Abstractions;
using CityTwin.Engine.Common;
using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Tests.Traffic;

/// <summary>The simulation against queueing theory on an isolated signalised approach.</summary>
public sealed class TrafficTheoryTests(ITestOutputHelper output)
{
    private const double SaturationVehH = 1800;
    private const double CycleS = 80;
    private const double GreenS = 40;

    /// <summary>
    /// Webster's delay formula for random arrivals at a fixed-time signal (F. V. Webster, "Traffic Signal
    /// Settings", Road Research Technical Paper No. 39, HMSO, London, 1958):
    /// d = C(1-l)^2 / (2(1-l x)) + x^2 / (2 q (1-x)) - 0.65 (C/q^2)^(1/3) x^(2+5l), q in veh/s, l = g/C.
    /// </summary>
    private static double WebsterDelayS(double cycleS, double greenRatio, double flowVehH, double x)
    {
        var q = flowVehH / 3600.0;
        var uniform = cycleS * Math.Pow(1 - greenRatio, 2) / (2 * (1 - (greenRatio * x)));
        var random = x * x / (2 * q * (1 - x));
        var correction = 0.65 * Math.Pow(cycleS / (q * q), 1.0 / 3.0) * Math.Pow(x, 2 + (5 * greenRatio));
        return uniform + random - correction;
    }

    /// <summary>A long approach into a two-phase signal; phase 1 (green 40 of 80 s) serves it, phase 2 serves nobody here.</summary>
    private static TrafficNetwork IsolatedApproach(double approachLengthM = 3000) =>
        new NetworkBuilder()
            .Link("in", "origin", "X", approachLengthM, 50, 1)
            .Link("out", "X", "exit", 500, 50, 1)
            .Signal("X", [new SimPhase(GreenS, 0, 0), new SimPhase(CycleS - GreenS, 0, 0)])
            .LaneGroup("in", "T", SaturationVehH, ["out"], "X", [0], "in")
            .Build();

    private static List<TripSpec> PoissonTrips(double flowVehH, double hours, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var trips = new List<TripSpec>();
        var t = rng.NextExponential(3600.0 / flowVehH);
        while (t < hours * 3600)
        {
            trips.Add(new TripSpec($"v{trips.Count}", t, "in", "out"));
            t += rng.NextExponential(3600.0 / flowVehH);
        }

        return trips;
    }

    [Theory]
    [InlineData(0.30)]
    [InlineData(0.50)]
    [InlineData(0.70)]
    [InlineData(0.85)]
    public void Mean_delay_of_random_arrivals_matches_Websters_formula_within_10_percent(double x)
    {
        var capacity = SaturationVehH * GreenS / CycleS;
        var flow = x * capacity;
        var hours = 200.0;
        var trips = PoissonTrips(flow, hours, seed: 7);
        var options = new SimulationOptions { SpeedFactorDeviation = 0, KpiIntervalS = 3600, Seed = 1 };

        var result = new Simulation(IsolatedApproach(), trips, options).Run();

        var simulated = result.Approaches.Single().Total.MeanDelayS;
        var webster = WebsterDelayS(CycleS, GreenS / CycleS, flow, x);
        output.WriteLine($"x={x}: simulated {simulated:F2} s, Webster {webster:F2} s, ratio {simulated / webster:F3}");
        Assert.InRange(simulated / webster, 0.90, 1.10);
        Assert.Equal(trips.Count, result.City.Total.TripsCompleted);
    }

    [Fact]
    public void A_standing_queue_discharges_at_exactly_the_saturation_flow()
    {
        // Red for the first 40 s (phase 2 first), green 40..80 s. 20 vehicles queue during red.
        var net = new NetworkBuilder()
            .Link("in", "origin", "X", 300, 54, 1)
            .Link("out", "X", "exit", 100, 36, 1)
            .Signal("X", [new SimPhase(40, 0, 0), new SimPhase(40, 0, 0)])
            .LaneGroup("in", "T", 1800, ["out"], "X", [1], "in")
            .Build();
        var trips = Enumerable.Range(0, 20).Select(i => new TripSpec($"v{i:D2}", i * 0.5, "in", "out")).ToList();
        var options = new SimulationOptions { SpeedFactorDeviation = 0, RecordTrips = true };

        var result = new Simulation(net, trips, options).Run();

        // Crossing the stop line at 40, 42, 44, ... then 10 s on "out", plus the stop penalty: braking from
        // 15 m/s at 4.5 m/s2 and accelerating to 10 m/s at 2.6 m/s2 lose 15/9 + 10/5.2 s against free flow.
        var penalty = (15 / (2 * 4.5)) + (10 / (2 * 2.6));
        var arrivals = result.Trips!.Select(t => t.ArrivedS!.Value).ToList();
        for (var i = 0; i < arrivals.Count; i++)
        {
            Assert.Equal(40 + (2.0 * i) + 10 + penalty, arrivals[i], 9);
        }

        // 20 vehicles in 40 s of green is 1800 veh/h.
        Assert.Equal(20, result.Approaches.Single().Total.Served);
        Assert.Equal(20, result.Approaches.Single().Total.Stops);
    }

    [Fact]
    public void A_vehicle_reaching_an_empty_stop_line_on_green_is_not_delayed()
    {
        var net = IsolatedApproach(approachLengthM: 100);
        var trips = new List<TripSpec> { new("a", 3.3, "in", "out") };
        var result = new Simulation(net, trips, new SimulationOptions { SpeedFactorDeviation = 0, RecordTrips = true }).Run();

        // No wait at the stop line; the only time lost is the start from standstill, v / (2 a) at 2.6 m/s2.
        Assert.Equal(0, result.Approaches.Single().Total.TotalDelayVehH, 9);
        var startLoss = 50 / 3.6 / (2 * 2.6);
        var trip = result.Trips!.Single();
        Assert.Equal(startLoss, trip.TimeLossS!.Value, 9);
        Assert.Equal(3.3 + ((100 + 500) / (50 / 3.6)) + startLoss, trip.ArrivedS!.Value, 9);
    }
}
