using CityTwin.Engine.Parking.WhatIf;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Demand;
using CityTwin.Formats.ParkingWhatIf;
using System.Text.Json.Nodes;

namespace CityTwin.Engine.Tests.Parking.WhatIf;

/// <summary>The runnable example: a downtown (Old Town) performance-pricing policy against today's flat prices.</summary>
public sealed class SampleCityWhatIfTests
{
    [Fact]
    public void Sample_city_demand_is_calibrated_to_the_fitted_peak_and_spillover_follows_the_roads()
    {
        var (city, demand) = SampleCity.Load();
        Assert.True(demand.Calibrated);
        foreach (var d in demand.ExpectedDistrictPeaks.Where(d => demand.Shares.TryGetValue(d.Key, out var s) && s > 0 && s < 1))
        {
            Assert.Equal(demand.Assumptions.TargetPeakOccupancy, d.Value, 1e-6);
        }

        // Driving between facilities follows the network: never shorter than the straight line, and a path of links.
        var area = demand.Area;
        var p01 = area.IndexOf("P-01");
        var p07 = area.IndexOf("P-07");
        Assert.NotEmpty(area.LegLinks(p07, p01));
        Assert.True(area.DriveDistanceM(p07, p01) >= Math.Sqrt(Math.Pow(area.Sites[p07].X - area.Sites[p01].X, 2) + Math.Pow(area.Sites[p07].Y - area.Sites[p01].Y, 2)));
        Assert.All(area.AccessLinks, l => Assert.True(city.LinksById.ContainsKey(l!)));
    }

    [Fact]
    public void Downtown_performance_pricing_against_flat_prices_gives_a_decision_with_its_intervals()
    {
        var (city, demand) = SampleCity.Load();
        var downtown = city.Parking.Where(p => p.Placement.DistrictId == "D-OLD").Select(p => p.Id).ToList();
        var policy = new PricingPolicy { Kind = PricingKind.Performance, Scope = downtown };
        var c = ParkingWhatIf.Compare(
            demand,
            new ParkingScenario("today's flat prices"),
            new ParkingScenario("downtown performance pricing") { Pricing = policy },
            new ParkingRunOptions { Weeks = 3, Seed = 42 },
            replications: 3,
            parallelism: 2);

        Assert.Equal(3, c.BaselineRuns.Count);
        Assert.Equal(c.BaselineRuns.Select(r => r.Seed), c.AlternativeRuns.Select(r => r.Seed));
        foreach (var d in c.Differences)
        {
            Assert.True(double.IsFinite(d.Lower) && double.IsFinite(d.Upper), d.Kpi);
            Assert.InRange(d.MeanDifference, d.Lower, d.Upper);
        }

        Assert.Contains("95% CI", c.Decision.Sentence);
        Assert.NotEmpty(c.Decision.Reasons);
        Assert.True(c[ParkingWhatIf.HoursAbove90].BaselineMean > 0);
        Assert.True(c[ParkingWhatIf.SearchVehKm].BaselineMean > 0);

        // Only downtown prices move; out of scope, prices stay today's.
        Assert.All(c.AlternativeRuns.SelectMany(r => r.Prices), p => Assert.Contains(p.FacilityId, downtown));
        Assert.Contains(c.AlternativeRuns.SelectMany(r => r.Prices), p => p.Week == 3 && p.Price != city.ParkingById[p.FacilityId].PricePerHour);

        // The outputs are written, and the search traffic is demand the traffic engine takes.
        var folder = Path.Combine(Path.GetTempPath(), "citytwin-parking-" + Guid.NewGuid().ToString("N"));
        try
        {
            var summary = WhatIfWriter.Write(folder, c, demand, new JsonObject(), 1.0);
            Assert.Equal(c.Decision.Sentence, (string?)summary["decision"]!["sentence"]);
            foreach (var f in new[] { "summary.json", "weeks.csv", "prices.csv", "search-links.csv", "search-od-baseline.csv", "search-od-alternative.csv" })
            {
                Assert.True(File.Exists(Path.Combine(folder, f)), f);
            }

            var weeks = File.ReadAllLines(Path.Combine(folder, "weeks.csv"));
            Assert.Equal(1 + (2 * 3 * 3 * (city.Parking.Count + 1)), weeks.Length);
            var od = DemandReader.ReadFile(Path.Combine(folder, "search-od-baseline.csv"));
            Assert.NotEmpty(od.OdRows);
            var trips = OdDemand.Expand(CityNetwork.Build(city), od.OdRows, 1);
            Assert.InRange(trips.Count, od.OdRows.Sum(r => Math.Floor(r.Vehicles)), od.OdRows.Sum(r => Math.Ceiling(r.Vehicles)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
