using CityTwin.Engine.City;
using CityTwin.Engine.Timing;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Demand;
using CityTwin.Formats.GeoJson;

namespace CityTwin.Engine.Tests.Timing;

/// <summary>Corridors and their offsets (green waves): the platoon model against analytical oracles, and the engine's simulation.</summary>
public sealed class CorridorOffsetTests
{
    /// <summary>The distance of a from b on a circle of the cycle (s).</summary>
    private static double CyclicDistance(double a, double b, double cycle)
    {
        var d = Math.Abs(a - b) % cycle;
        return Math.Min(d, cycle - d);
    }

    private static CorridorOffsets Optimise(CorridorCity c, Dictionary<(string From, string To), double> flows, PlatoonDispersion? dispersion = null)
    {
        var corridor = Corridors.FromIds(c.City, c.SignalIds);
        var net = CityNetwork.Build(c.City);
        return OffsetOptimizer.Optimise(net, corridor, flows, new OffsetOptimizerOptions { Dispersion = dispersion ?? PlatoonDispersion.None });
    }

    [Fact]
    public void On_a_one_way_street_the_offsets_are_the_travel_times_between_the_signals_modulo_the_cycle()
    {
        // The ideal one-way green wave: with equal greens and no dispersion, the green at each signal opens exactly
        // when the platoon released by the previous signal arrives, one free-flow travel time later (every vehicle
        // then passes without a stop). Spacings 400, 550 and 300 m at 50 km/h: 28.8, 39.6 and 21.6 s.
        var c = new CorridorCity([400, 550, 300], twoWay: false, mainGreenS: 40, sideGreenS: 26);
        var result = Optimise(c, c.TurnFlows(600, 0, 300));

        var cycle = result.CycleS;
        Assert.Equal(76.4, cycle, 9);
        var expected = 0.0;
        for (var i = 1; i < c.SignalIds.Count; i++)
        {
            expected += c.TravelTimesS[i - 1];
            Assert.True(CyclicDistance(result.OffsetsS[i], expected % cycle, cycle) <= 1.0, $"{c.SignalIds[i]}: offset {result.OffsetsS[i]} s, the green wave wants {expected % cycle:F1} s");
            Assert.Equal(Math.Round(result.OffsetsS[i]), result.OffsetsS[i]);
            Assert.InRange(result.OffsetsS[i], 0, cycle - 1e-9);
        }

        Assert.Equal(0, result.OffsetsS[0]);
        Assert.True(result.ModelDelayVehH < 0.05 * result.StartModelDelayVehH, $"model delay {result.ModelDelayVehH:F3} veh-h/h against {result.StartModelDelayVehH:F3} with zero offsets");
    }

    [Fact]
    public void On_a_two_way_street_with_a_travel_time_of_half_the_cycle_the_offsets_alternate_between_0_and_half_the_cycle()
    {
        // The classic two-way progression (alternate system): when the travel time between equally spaced signals is
        // half the cycle, adjacent signals run half a cycle apart and both directions get a perfect green wave (e.g.
        // Roess, Prassas and McShane, Traffic Engineering, 4th ed., 2011, chapter 23 on progression on two-way streets).
        // Greens 40 + 26 s give a cycle of 76.4 s; half of it, 38.2 s at 50 km/h, is 530.6 m.
        const double cycle = 76.4;
        var spacing = cycle / 2 * (CorridorCity.SpeedKmh / 3.6);
        var c = new CorridorCity([spacing, spacing, spacing, spacing], twoWay: true, mainGreenS: 40, sideGreenS: 26);
        var result = Optimise(c, c.TurnFlows(600, 600, 300));

        for (var i = 0; i < c.SignalIds.Count; i++)
        {
            var expected = i % 2 == 0 ? 0 : cycle / 2;
            Assert.True(CyclicDistance(result.OffsetsS[i], expected, cycle) <= 1.0, $"{c.SignalIds[i]}: offset {result.OffsetsS[i]} s, the alternate system wants {expected:F1} s");
        }
    }

    [Fact]
    public void On_a_two_way_street_the_heavier_direction_gets_its_green_wave()
    {
        // With platoons that do not disperse, each second a downstream green opens off the platoon's arrival delays a
        // slice of that platoon in proportion to its flow; moving an offset from the eastbound wave towards the
        // westbound one costs the eastbound flow more than it saves the westbound flow, so with three times the
        // eastbound flow the optimum is the eastbound wave.
        var c = new CorridorCity([400, 550, 300], twoWay: true, mainGreenS: 40, sideGreenS: 26);
        var result = Optimise(c, c.TurnFlows(900, 300, 300));

        var expected = 0.0;
        for (var i = 1; i < c.SignalIds.Count; i++)
        {
            expected += c.TravelTimesS[i - 1];
            Assert.True(CyclicDistance(result.OffsetsS[i], expected % result.CycleS, result.CycleS) <= 1.0, $"{c.SignalIds[i]}: offset {result.OffsetsS[i]} s, the eastbound wave wants {expected % result.CycleS:F1} s");
        }
    }

    [Fact]
    public void The_optimised_offsets_are_no_worse_than_either_one_way_wave_for_a_balanced_two_way_street()
    {
        var c = new CorridorCity([400, 550, 300], twoWay: true, mainGreenS: 40, sideGreenS: 26);
        var flows = c.TurnFlows(600, 600, 300);
        var corridor = Corridors.FromIds(c.City, c.SignalIds);
        var net = CityNetwork.Build(c.City);
        var result = OffsetOptimizer.Optimise(net, corridor, flows);

        double Wave(int sign)
        {
            var offsets = new double[c.SignalIds.Count];
            for (var i = 1; i < offsets.Length; i++)
            {
                offsets[i] = (((offsets[i - 1] + (sign * c.TravelTimesS[i - 1])) % result.CycleS) + result.CycleS) % result.CycleS;
            }

            return OffsetOptimizer.ModelDelayVehH(net, corridor, flows, offsets);
        }

        Assert.True(result.ModelDelayVehH <= Wave(1) + 1e-9 && result.ModelDelayVehH <= Wave(-1) + 1e-9);
        Assert.True(result.ModelDelayVehH < result.StartModelDelayVehH);
    }

    [Fact]
    public void The_same_inputs_give_the_same_offsets()
    {
        var c = new CorridorCity([400, 550, 300], twoWay: true, mainGreenS: 40, sideGreenS: 26);
        var a = Optimise(c, c.TurnFlows(700, 500, 300), PlatoonDispersion.Transyt);
        var b = Optimise(c, c.TurnFlows(700, 500, 300), PlatoonDispersion.Transyt);
        Assert.Equal(a.OffsetsS, b.OffsetsS);
        Assert.Equal(a.ModelDelayVehH, b.ModelDelayVehH);
    }

    [Fact]
    public void In_the_simulation_the_optimised_offsets_cut_delay_and_stops_against_zero_and_random_offsets()
    {
        var c = new CorridorCity([400, 550, 300, 450], twoWay: false, mainGreenS: 40, sideGreenS: 26);
        var result = Optimise(c, c.TurnFlows(700, 0, 250), PlatoonDispersion.Transyt);
        var cycle = result.CycleS;
        TimingPlan WithOffset(string id, double offset) => c.City.SignalsById[id].Plan with { OffsetS = offset };
        Dictionary<string, TimingPlan> Plans(IReadOnlyList<double> offsets) => c.SignalIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => WithOffset(x.id, offsets[x.i]), StringComparer.Ordinal);

        var optimised = Plans(result.OffsetsS);
        var zero = Plans(new double[c.SignalIds.Count]);
        var options = new SimulationOptions { UntilS = 4500, RerouteIntervalS = 0 };
        IReadOnlyList<TripSpec> Demand(TrafficNetwork net, ulong seed) => c.Trips(700, 0, 250, 3600, seed);

        // Paired replications (common random numbers) against zero offsets: the whole 95% interval below zero.
        var vsZero = PlanEvaluation.Compare(c.City, Demand, zero, optimised, 10, 1, options);
        Assert.True(vsZero.SignificantImprovement, $"change {vsZero.ChangePercent:F1}% ({vsZero.ChangeLowPercent:F1}% to {vsZero.ChangeHighPercent:F1}%)");

        // Stops and delay in one run, against zero offsets and against five seeded random sets of offsets.
        (double Delay, long Stops) Run(Dictionary<string, TimingPlan> plans)
        {
            var net = CityNetwork.Build(c.City, plans);
            var r = new Simulation(net, Demand(net, 3), options with { Seed = 3 }).Run();
            return (r.City.Total.TotalDelayVehH, r.Intersections.Sum(i => i.Total.Stops));
        }

        var best = Run(optimised);
        var atZero = Run(zero);
        Assert.True(best.Delay < atZero.Delay && best.Stops < atZero.Stops, $"optimised {best}, zero offsets {atZero}");
        var rng = new Random(17);
        for (var k = 0; k < 5; k++)
        {
            var random = Run(Plans([0, .. Enumerable.Range(1, c.SignalIds.Count - 1).Select(_ => (double)rng.Next((int)cycle))]));
            Assert.True(best.Delay < random.Delay && best.Stops < random.Stops, $"optimised {best}, random offsets {random}");
        }
    }

    [Fact]
    public void On_the_sample_city_the_corridors_found_are_the_five_east_west_streets_and_every_coordinated_plan_is_safe()
    {
        var riverton = Path.Combine(AppContext.BaseDirectory, "cities", "riverton");
        var city = CityReader.ReadFolder(riverton);
        var demand = DemandReader.ReadFile(Path.Combine(riverton, city.DemandFiles.Single()));

        var study = CityTiming.Recommend(city, demand.Trips, demand.OdRows, new CityTimingOptions { ToS = 8 * 3600, Replications = 2, Corridors = CorridorChoice.Auto });

        // Riverton's east-west streets (Nordring, Lindenallee, Marktstrasse, Bahnhofstrasse, Uferstrasse) carry more
        // than its north-south ones; each is a chain of six signals, S-01..S-06 and so on.
        var found = study.Corridors.Select(c => c.Corridor.SignalIds.ToArray()).OrderBy(c => c[0], StringComparer.Ordinal).ToList();
        Assert.Equal(5, found.Count);
        for (var row = 0; row < 5; row++)
        {
            var ids = Enumerable.Range((row * 6) + 1, 6).Select(i => $"S-{i:00}").ToArray();
            Assert.True(ids.SequenceEqual(found[row]) || ids.Reverse().SequenceEqual(found[row]), string.Join(",", found[row]));
        }

        Assert.NotNull(study.Coordinated);
        foreach (var c in study.Corridors)
        {
            Assert.Equal(c.Corridor.SignalIds.Max(id => study.Optimised[id].Plan.CycleS), c.CycleS, 9);
            for (var i = 0; i < c.Corridor.SignalIds.Count; i++)
            {
                var id = c.Corridor.SignalIds[i];
                var plan = study.Coordinated![id];
                Assert.Empty(SafetyRules.Check(city.SignalsById[id], plan, SafetyProfile.For(city, city.SignalsById[id])));
                Assert.Equal(c.CycleS, plan.CycleS, 6);
                Assert.Equal(c.OffsetsS[i], plan.OffsetS);
                Assert.Equal(Math.Round(plan.OffsetS), plan.OffsetS);
            }
        }

        Assert.All(city.Signals, s => Assert.Empty(SafetyRules.Check(s, study.Recommended[s.Id], SafetyProfile.For(city, s))));
        Assert.NotNull(study.OffsetComparison);
        Assert.NotNull(study.CoordinationComparison);
    }
}
