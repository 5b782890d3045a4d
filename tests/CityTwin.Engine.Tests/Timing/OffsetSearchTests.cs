using CityTwin.Engine.City;
using CityTwin.Engine.Timing;
using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Tests.Timing;

/// <summary>
/// The offset search itself: against an exhaustive search over every whole-second combination, deterministic when
/// corridors are searched in parallel, and the paired replications shared between comparisons.
/// </summary>
public sealed class OffsetSearchTests
{
    [Theory]
    [InlineData(700, 450)]
    [InlineData(600, 600)]
    [InlineData(900, 300)]
    [InlineData(250, 800)]
    public void On_a_three_signal_street_the_search_ends_within_half_a_percent_of_the_best_whole_second_offsets(double eastVehH, double westVehH)
    {
        // Two free offsets of a 76.4 s cycle: 77 x 77 whole-second combinations, every one evaluated by the same
        // platoon model (two-way flows, TRANSYT dispersion, so no closed-form answer). A coordinate search can stop
        // at a local optimum of the model; on this street it must end within 0.5% of the exhaustive search's best (it
        // does within 0.01-0.15%), while the worst combination is far worse.
        var c = new CorridorCity([400, 550], twoWay: true, mainGreenS: 40, sideGreenS: 26);
        var flows = c.TurnFlows(eastVehH, westVehH, 300);
        var corridor = Corridors.FromIds(c.City, c.SignalIds);
        var net = CityNetwork.Build(c.City);
        var result = OffsetOptimizer.Optimise(net, corridor, flows);

        var steps = (int)Math.Ceiling(result.CycleS);
        var best = double.PositiveInfinity;
        var worst = 0.0;
        for (var a = 0; a < steps; a++)
        {
            for (var b = 0; b < steps; b++)
            {
                var d = OffsetOptimizer.ModelDelayVehH(net, corridor, flows, [0, a, b]);
                best = Math.Min(best, d);
                worst = Math.Max(worst, d);
            }
        }

        Assert.True(result.ModelDelayVehH <= best * 1.005, $"search {result.ModelDelayVehH:F6} veh-h/h, exhaustive {best:F6}");
        Assert.True(worst > best * 1.2, $"worst {worst:F6} veh-h/h, best {best:F6}");
        Assert.Equal(OffsetOptimizer.ModelDelayVehH(net, corridor, flows, result.OffsetsS), result.ModelDelayVehH, 12);
        Assert.True(result.ModelDelayVehH < result.StartModelDelayVehH);
    }

    [Fact]
    public void Corridors_searched_in_parallel_get_the_same_offsets_as_one_by_one()
    {
        // Three corridors of one long street (they share nothing but the network): one thread, four threads, and each
        // corridor alone must give the same offsets and model delays, bit for bit, in the order the corridors were given.
        var c = new CorridorCity([400, 550, 300, 450, 380, 520, 610, 290], twoWay: true, mainGreenS: 40, sideGreenS: 26);
        var flows = c.TurnFlows(800, 500, 300);
        var net = CityNetwork.Build(c.City);
        var ids = c.SignalIds;
        List<Corridor> corridors =
        [
            Corridors.FromIds(c.City, ids.Take(3).ToList()),
            Corridors.FromIds(c.City, ids.Skip(3).Take(4).ToList()),
            Corridors.FromIds(c.City, ids.Skip(7).ToList()),
        ];

        var serial = OffsetOptimizer.OptimiseAll(net, corridors, flows, new OffsetOptimizerOptions { MaxDegreeOfParallelism = 1 });
        for (var run = 0; run < 3; run++)
        {
            var parallel = OffsetOptimizer.OptimiseAll(net, corridors, flows, new OffsetOptimizerOptions { MaxDegreeOfParallelism = 4 });
            Assert.Equal(corridors.Count, parallel.Count);
            for (var i = 0; i < corridors.Count; i++)
            {
                var alone = OffsetOptimizer.Optimise(net, corridors[i], flows);
                Assert.Same(corridors[i], parallel[i].Corridor);
                Assert.Equal(serial[i].OffsetsS, parallel[i].OffsetsS);
                Assert.Equal(alone.OffsetsS, parallel[i].OffsetsS);
                Assert.Equal(serial[i].ModelDelayVehH, parallel[i].ModelDelayVehH);
                Assert.Equal(alone.ModelDelayVehH, parallel[i].ModelDelayVehH);
                Assert.True(parallel[i].ModelDelayVehH < parallel[i].StartModelDelayVehH, corridors[i].ToString());
            }
        }
    }

    [Fact]
    public void Arms_of_one_set_of_replications_compare_as_separate_paired_comparisons_would()
    {
        // Three arms in one set (zero offsets, a one-way green wave, random offsets) against separate two-arm sets:
        // the same seeds and trips, so every pair has the same delays and interval either way.
        var c = new CorridorCity([400, 550, 300], twoWay: false, mainGreenS: 40, sideGreenS: 26);
        Dictionary<string, TimingPlan> Plans(params double[] offsets) =>
            c.SignalIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => c.City.SignalsById[x.id].Plan with { OffsetS = offsets[x.i] }, StringComparer.Ordinal);
        var zero = Plans(0, 0, 0, 0);
        var wave = Plans(0, 29, 68, 14);
        var random = Plans(0, 51, 7, 40);
        var options = new SimulationOptions { UntilS = 2400, RerouteIntervalS = 0 };
        IReadOnlyList<TripSpec> Demand(TrafficNetwork net, ulong seed) => c.Trips(700, 0, 250, 1800, seed);

        var shared = PlanEvaluation.Replicate(c.City, Demand, [new(zero), new(wave), new(random)], 4, 11, options);
        var waveVsZero = PlanEvaluation.Compare(c.City, Demand, zero, wave, 4, 11, options);
        var randomVsWave = PlanEvaluation.Compare(c.City, Demand, wave, random, 4, 11, options);

        Assert.Equal(waveVsZero, shared.Compare(0, 1) with { Runs = waveVsZero.Runs });
        Assert.Equal(waveVsZero.Runs, shared.Compare(0, 1).Runs);
        Assert.Equal(randomVsWave.Runs, shared.Compare(1, 2).Runs);
        Assert.Equal(randomVsWave.ChangeHighVehH, shared.Compare(1, 2).ChangeHighVehH);
        Assert.True(shared.Compare(0, 1).SignificantImprovement, "the green wave beats zero offsets");

        // A second set on other seeds cannot be paired with the first.
        var other = PlanEvaluation.Replicate(c.City, Demand, [new(wave)], 4, 12, options);
        Assert.Throws<ArgumentException>(() => PlanEvaluation.Paired(shared, 0, other, 0));
    }
}
