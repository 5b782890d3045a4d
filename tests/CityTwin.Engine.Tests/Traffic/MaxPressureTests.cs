using System.Text.Json;
using CityTwin.Engine.City;
using CityTwin.Engine.Tests.Timing;
using CityTwin.Engine.Timing;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Demand;
using CityTwin.Formats.GeoJson;

namespace CityTwin.Engine.Tests.Traffic;

/// <summary>Max-pressure adaptive control (Varaiya 2013): conservation, determinism, safety of the traced signal stages, and its delay against fixed plans.</summary>
public sealed class MaxPressureTests
{
    private static readonly string Riverton = Path.Combine(AppContext.BaseDirectory, "cities", "riverton");

    private static readonly SimulationOptions MaxPressure = new() { Control = SignalControl.MaxPressure };

    [Fact]
    public void Every_vehicle_is_accounted_for_at_every_step_of_a_congested_grid_under_max_pressure()
    {
        var net = TestGrid.Build(4, lengthM: 120);
        var trips = TestGrid.RandomTrips(net, perHour: 5000, seconds: 1800, seed: 3);
        var steps = 0;

        var result = new Simulation(net, trips, MaxPressure with { TeleportAfterS = 0, MaxDurationS = 1800 }).Run(sim =>
        {
            var c = sim.Census();
            Assert.Equal(c.Trips, c.NotYetDeparted + c.WaitingToEnter + c.InNetwork + c.Arrived + c.Unroutable);
            Assert.Equal(c.InNetwork, c.OnLinks);
            Assert.Equal(c.InNetwork, c.InQueues);
            Assert.Equal(0, c.LinksOverStorage);
            steps++;
        });

        Assert.True(steps > 1800);
        var city = result.City.Total;
        Assert.Equal(city.Departed, city.TripsCompleted + city.InNetworkAtEnd);
        Assert.True(city.TripsCompleted > 0);
    }

    [Fact]
    public void The_same_seed_gives_the_same_numbers_under_max_pressure_and_another_seed_does_not()
    {
        var net = TestGrid.Build(3);
        var trips = TestGrid.RandomTrips(net, perHour: 2500, seconds: 1800, seed: 11);

        string Run(ulong seed) => JsonSerializer.Serialize(new Simulation(net, trips, MaxPressure with { Seed = seed, RecordTrips = true }).Run());

        var a = Run(5);
        Assert.Equal(a, Run(5));
        Assert.NotEqual(a, Run(6));
        Assert.NotEqual(a, JsonSerializer.Serialize(new Simulation(net, trips, new SimulationOptions { Seed = 5, RecordTrips = true }).Run()));
    }

    [Fact]
    public void On_the_sample_city_every_traced_green_lasts_its_minimum_and_every_change_runs_the_full_amber_and_all_red()
    {
        var city = CityReader.ReadFolder(Riverton);
        var od = DemandReader.ReadFile(Path.Combine(Riverton, city.DemandFiles.Single())).OdRows;
        var net = CityNetwork.Build(city);
        var trips = OdDemand.Expand(net, od, 7).Where(t => t.DepartS is >= 7 * 3600 and < 8 * 3600).ToList();
        var trace = new List<SignalStageChange>();
        var sim = new Simulation(net, trips, MaxPressure with { StartS = 7 * 3600, UntilS = 8 * 3600 }) { SignalTrace = trace.Add };
        sim.Run();

        var switches = 0;
        foreach (var (s, events) in trace.GroupBy(e => e.Signal).Select(g => (net.Signals[g.Key], g.ToList())))
        {
            var profile = SafetyProfile.For(city, city.SignalsById[s.Id]);
            Assert.Equal(SignalStage.Green, events[0].Stage);
            for (var i = 1; i < events.Count; i++)
            {
                var (before, after) = (events[i - 1], events[i]);
                var phase = s.Phases[before.Phase];
                var lasted = after.AtS - before.AtS;
                switch (before.Stage)
                {
                    case SignalStage.Green:
                        Assert.Equal(SignalStage.Amber, after.Stage);
                        Assert.Equal(before.Phase, after.Phase);
                        var minimum = profile.Phase(city.SignalsById[s.Id].Plan.Phases[before.Phase].Id)!.MinGreenS;
                        Assert.True(lasted >= minimum - 1e-6, $"{s.Id} phase {before.Phase + 1}: green {lasted} s < minimum {minimum} s");
                        switches++;
                        break;
                    case SignalStage.Amber:
                        Assert.Equal(SignalStage.AllRed, after.Stage);
                        Assert.True(lasted >= phase.AmberS - 1e-6, $"{s.Id}: amber {lasted} s < {phase.AmberS} s");
                        break;
                    default:
                        Assert.Equal(SignalStage.Green, after.Stage);
                        Assert.NotEqual(before.Phase, after.Phase);
                        Assert.True(lasted >= phase.AllRedS - 1e-6, $"{s.Id}: all-red {lasted} s < {phase.AllRedS} s");
                        break;
                }
            }
        }

        Assert.Equal(city.Signals.Count, trace.Select(e => e.Signal).Distinct().Count());
        Assert.True(switches > 10 * city.Signals.Count, $"only {switches} phase changes in an hour");
    }

    [Fact]
    public void On_an_isolated_junction_with_unbalanced_demand_max_pressure_beats_equal_split_fixed_time()
    {
        // Main street 700 veh/h, side street 150 veh/h, one lane of 1800 veh/h each; equal greens of 30 s.
        var c = new CorridorCity([], twoWay: false, mainGreenS: 30, sideGreenS: 30);
        var plans = c.City.Signals.ToDictionary(s => s.Id, s => s.Plan, StringComparer.Ordinal);
        IReadOnlyList<TripSpec> Demand(TrafficNetwork net, ulong seed) => c.Trips(700, 0, 150, 3600, seed);
        var options = new SimulationOptions { UntilS = 5400, RerouteIntervalS = 0 };

        var r = PlanEvaluation.Compare(c.City, Demand, plans, plans, 10, 1, options, candidateOptions: options with { Control = SignalControl.MaxPressure });

        Assert.True(r.SignificantImprovement && r.ChangePercent < -20, $"max-pressure {r.CandidateMeanVehH:F2} veh-h against equal splits {r.BaselineMeanVehH:F2} ({r.ChangePercent:F1}%, {r.ChangeLowPercent:F1}% to {r.ChangeHighPercent:F1}%)");
    }

    [Fact]
    public void On_an_isolated_junction_with_symmetric_demand_max_pressure_is_within_a_quarter_of_webster()
    {
        // 500 veh/h on each street. Webster's plan is the fixed-time optimum for this junction; max-pressure cannot
        // look ahead and each change costs an amber and all-red, so it may lose some, but not more than 25%.
        var c = new CorridorCity([], twoWay: false, mainGreenS: 30, sideGreenS: 30);
        var site = c.City.Signals[0];
        var flows = new Dictionary<LaneGroupRef, double> { [new("W", "T")] = 500, [new("N", "T")] = 500 };
        var webster = Webster.Plan(site, flows, SafetyProfile.For(c.City, site)).Plan;
        var plans = new Dictionary<string, TimingPlan>(StringComparer.Ordinal) { [site.Id] = webster };
        IReadOnlyList<TripSpec> Demand(TrafficNetwork net, ulong seed) => c.Trips(500, 0, 500, 3600, seed);
        var options = new SimulationOptions { UntilS = 5400, RerouteIntervalS = 0 };

        var r = PlanEvaluation.Compare(c.City, Demand, plans, plans, 10, 1, options, candidateOptions: options with { Control = SignalControl.MaxPressure });

        Assert.True(r.CandidateMeanVehH <= 1.25 * r.BaselineMeanVehH, $"max-pressure {r.CandidateMeanVehH:F2} veh-h against Webster ({webster.CycleS:F1} s) {r.BaselineMeanVehH:F2} ({r.ChangePercent:F1}%)");
    }
}
