using CityTwin.Engine.City;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Demand;
using CityTwin.Formats.GeoJson;
using Xunit.Abstractions;

namespace CityTwin.Engine.Tests.Traffic;

/// <summary>Starting a what-if from a snapshot of the live twin, on the sample city.</summary>
public sealed class LiveStartTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "cities", "riverton");
    private const double Eight = 8 * 3600;

    private static (CityModel City, IReadOnlyList<OdRow> Od) Riverton()
    {
        var city = CityReader.ReadFolder(Folder);
        var od = DemandReader.ReadFile(Path.Combine(Folder, city.DemandFiles.Single())).OdRows;
        return (city, od);
    }

    /// <summary>
    /// "Truth": the base demand with the West district sending 80% more and everyone else 40% less, simulated
    /// 08:00-09:00; its approach counts are what the detectors would have measured.
    /// </summary>
    private static List<ApproachFlow> MeasuredFlows(CityModel city, IReadOnlyList<OdRow> od)
    {
        var truthRows = od.Select(r => r with { Vehicles = r.Vehicles * (r.Origin == "D-WEST" ? 1.8 : 0.6) }).ToList();
        var network = CityNetwork.Build(city);
        var trips = OdDemand.Expand(network, truthRows.Where(r => r.BeginS == Eight).ToList(), seed: 99);
        var result = new Simulation(network, trips, new SimulationOptions { StartS = Eight, UntilS = Eight + 3600, KpiIntervalS = 3600, Seed = 99 }).Run();
        return result.Approaches.Select(a => new ApproachFlow(a.Approach.SignalId, a.Approach.ApproachId, a.Total.Served, true, 0)).ToList();
    }

    [Fact]
    public void The_demand_estimate_reproduces_the_measured_approach_flows_far_better_than_the_base_demand()
    {
        var (city, od) = Riverton();
        var flows = MeasuredFlows(city, od);
        var snapshot = new TwinSnapshot(Eight, new Dictionary<string, TimingPlan>(), flows, new Dictionary<string, int>());

        var plan = LiveStart.Prepare(city, snapshot, od, horizonS: 3600, seed: 5);

        var baseGeh = plan.Fit.Average(f => f.BaseGeh);
        var fitGeh = plan.Fit.Average(f => f.Geh);
        var under5 = plan.Fit.Count(f => f.Geh < 5) / (double)plan.Fit.Count;
        output.WriteLine($"{plan.Fit.Count} approaches: mean GEH base {baseGeh:F2} -> estimate {fitGeh:F2}; {under5:P0} under 5");
        Assert.Equal(city.Signals.Sum(s => s.Approaches.Count), plan.Fit.Count);
        // What is left is mostly the count noise of one simulated hour and routes that differ under congestion.
        Assert.True(fitGeh < baseGeh * 0.6, $"GEH {baseGeh:F2} -> {fitGeh:F2}");
        Assert.True(under5 >= 0.9, $"{under5:P0} of approaches have GEH < 5");

        // The West rows went up and the others down, as in the truth.
        var west = plan.EstimatedOd.Where(r => r.Origin == "D-WEST").Sum(r => r.Vehicles) / od.Where(r => r.Origin == "D-WEST" && r.BeginS == Eight).Sum(r => r.Vehicles);
        var others = plan.EstimatedOd.Where(r => r.Origin != "D-WEST").Sum(r => r.Vehicles) / od.Where(r => r.Origin != "D-WEST" && r.BeginS == Eight).Sum(r => r.Vehicles);
        output.WriteLine($"West scaled {west:F2}, others {others:F2}");
        Assert.True(west > 1.4 && others < 0.8, $"west x{west:F2}, others x{others:F2}");
    }

    [Fact]
    public void The_live_plans_and_queues_are_the_starting_state_of_the_run()
    {
        var (city, od) = Riverton();
        var signal = city.Signals[0];
        var live = signal.Plan with
        {
            Id = "live",
            Phases = signal.Plan.Phases.Select((p, i) => i == 0 ? p with { GreenS = p.GreenS + 20 } : p).ToList(),
            CycleS = signal.Plan.CycleS + 20,
        };
        var approach = signal.Approaches[0];
        var flows = new List<ApproachFlow> { new(signal.Id, approach.Id, 600, true, 12.4) };
        var snapshot = new TwinSnapshot(Eight, new Dictionary<string, TimingPlan> { [signal.Id] = live }, flows, new Dictionary<string, int> { ["P-01"] = 120 });

        var plan = LiveStart.Prepare(city, snapshot, od, horizonS: 900, seed: 5);

        Assert.Equal(signal.Plan.CycleS + 20, plan.Network.Signals[0].CycleS);
        Assert.Equal(12, plan.QueuedVehicles);
        var queued = plan.Trips.Where(t => t.AtStopLine).ToList();
        Assert.Equal(12, queued.Count);
        Assert.All(queued, t => Assert.Equal(approach.LinkId, t.FromLink));
        Assert.Equal(120, plan.ParkingOccupied["P-01"]);

        var result = new Simulation(plan.Network, plan.Trips, new SimulationOptions { StartS = plan.StartS, UntilS = plan.UntilS, RecordTrips = true }).Run();
        var queueTrips = result.Trips!.Where(t => t.Id.StartsWith("queue.", StringComparison.Ordinal)).ToList();
        Assert.All(queueTrips, t => Assert.Equal(Eight, t.EnteredS!.Value));
        Assert.All(queueTrips, t => Assert.Equal(TripStatus.Arrived, t.Status));
    }
}
