using CityTwin.Engine.City;
using CityTwin.Engine.Parking.WhatIf;
using CityTwin.Engine.Traffic;
using static CityTwin.Engine.Tests.Parking.WhatIf.TinyParking;

namespace CityTwin.Engine.Tests.Parking.WhatIf;

public sealed class ParkingSimulationTests
{
    private static readonly ParkingScenario Flat = new("flat");

    [Fact]
    public void Calibrated_share_follows_Littles_law_for_a_steady_demand()
    {
        // 100 drivers an hour all day, stays of mean e^0.125 h: with capacity not binding, L = lambda W = 113.31
        // parked at any time (Little's law). The share that makes 100 spaces 50% full is 0.5 x 100 / 113.31.
        var area = Area(0, 0, Site("A", 0, 0, 100));
        var a = Assumptions() with { ParkingShare = null, TargetPeakOccupancy = 0.5 };
        var demand = Demand(area, 100, a);
        var expected = 0.5 * 100 / (100 * OneHour.MeanH);
        Assert.Equal(expected, demand.Shares["Z"], expected * 0.005);
        Assert.Equal(0.5, demand.ExpectedPeakOccupancy, 1e-9);
    }

    [Fact]
    public void Simulated_mean_occupancy_follows_Littles_law()
    {
        var area = Area(0, 0, Site("A", 0, 0, 100_000));
        var r = ParkingSimulation.Run(Demand(area, 100), Flat, new ParkingRunOptions { Weeks = 2, Seed = 5 });
        foreach (var week in new[] { 1, 2 })
        {
            var f = Facility(r, "A", week);
            Assert.Equal(100 * OneHour.MeanH, f.MeanOccupancy * f.Capacity, 100 * OneHour.MeanH * 0.03);
            Assert.Equal(100 * 24 * 7, f.FirstChoiceArrivals, 100 * 24 * 7 * 0.03);
            Assert.Equal(0, f.SpilledOut);
        }
    }

    [Fact]
    public void Same_seed_same_numbers_other_seed_other_numbers()
    {
        var area = Area(0, 0, Site("A", 0, 0, 60), Site("B", 200, 0, 40), Site("C", 0, 300, 80, 0.8));
        var demand = Demand(area, 150);
        var o = new ParkingRunOptions { Weeks = 1, Seed = 11, Search = new SearchAssumptions { Guided = false } };
        var one = ParkingSimulation.Run(demand, Flat, o);
        var two = ParkingSimulation.Run(demand, Flat, o);
        var other = ParkingSimulation.Run(demand, Flat, o with { Seed = 12 });
        Assert.Equal(one.FacilityWeeks, two.FacilityWeeks);
        Assert.Equal(one.SearchLegs.Select(l => (l.FromFacility, l.ToFacility, l.DayType, l.Hour, l.VehiclesPerDay)), two.SearchLegs.Select(l => (l.FromFacility, l.ToFacility, l.DayType, l.Hour, l.VehiclesPerDay)));
        Assert.Equal(one.Final, two.Final);
        Assert.NotEqual(one.FacilityWeeks, other.FacilityWeeks);
    }

    [Fact]
    public void Guided_spillover_goes_to_the_nearest_facility_with_space()
    {
        // A (the only one within walk of the destination) and C (nearer to A) have no space; B is the nearest
        // with space (300 m), D is farther (500 m). Off-street: no circling, so each search is exactly A -> B.
        var area = Area(0, 0, Site("A", 0, 0, 0), Site("C", 150, 100, 0), Site("B", 300, 0, 10_000), Site("D", 500, 0, 10_000));
        var demand = Demand(area, 50, Assumptions(maxWalkM: 10, maxSearchWalkM: 1000));
        var r = ParkingSimulation.Run(demand, Flat, new ParkingRunOptions { Weeks = 1, Seed = 3 });
        var a = Facility(r, "A");
        Assert.True(a.FirstChoiceArrivals > 8000);
        Assert.Equal(a.FirstChoiceArrivals, a.SpilledOut);
        Assert.Equal(a.SpilledOut, Facility(r, "B").SpilledIn + r.Final.Searching); // a few still driving at the end
        Assert.True(r.Final.Searching < 5);
        Assert.Equal(0, Facility(r, "D").Parked);
        Assert.Equal(0, Facility(r, "C").Parked);
        Assert.Equal(0, a.Rejected);
        Assert.Equal(a.SpilledOut * 0.300, a.SearchVehKm, 1e-6);
        Assert.Equal(a.SpilledOut * 0.300 / 20, a.SearchHours, 1e-6);
    }

    [Fact]
    public void Unguided_drivers_try_the_nearest_untried_facility_and_give_up_after_their_tries()
    {
        var sites = new[] { Site("A", 0, 0, 0), Site("C", 150, 100, 0), Site("B", 300, 0, 10_000) };
        var area = Area(0, 0, sites);
        var demand = Demand(area, 50, Assumptions(maxWalkM: 10, maxSearchWalkM: 1000));
        var leg = Math.Sqrt((150 * 150) + (100 * 100)) / 1000; // A -> C and C -> B, km

        var three = ParkingSimulation.Run(demand, Flat, new ParkingRunOptions { Weeks = 1, Seed = 3, Search = new SearchAssumptions { Guided = false, MaxTries = 3 } });
        var a = Facility(three, "A");
        var parkedAtB = Facility(three, "B").SpilledIn;
        Assert.Equal(a.SpilledOut, parkedAtB + three.Final.Searching);

        // Two legs each; a driver still searching at the end has driven one or two (counted as each leg starts).
        var searching = three.Final.Searching;
        Assert.InRange(a.SearchVehKm, ((2 * parkedAtB) + searching) * leg - 1e-6, ((2 * parkedAtB) + (2 * searching)) * leg + 1e-6);

        var two = ParkingSimulation.Run(demand, Flat, new ParkingRunOptions { Weeks = 1, Seed = 3, Search = new SearchAssumptions { Guided = false, MaxTries = 2 } });
        a = Facility(two, "A");
        Assert.Equal(a.SpilledOut, a.Rejected + two.Final.Searching);
        Assert.Equal(0, Facility(two, "B").Parked);
        Assert.Equal(a.SpilledOut * leg, a.SearchVehKm, 1e-6);
    }

    [Fact]
    public void On_street_circling_adds_to_the_search_and_a_full_area_rejects_everyone()
    {
        var area = Area(0, 0, Site("A", 0, 0, 0, type: ParkingType.OnStreet), Site("B", 300, 0, 0));
        var demand = Demand(area, 20, Assumptions(maxWalkM: 10, maxSearchWalkM: 1000));
        var r = ParkingSimulation.Run(demand, Flat, new ParkingRunOptions { Weeks = 1, Seed = 8 });
        var a = Facility(r, "A");
        Assert.Equal(a.FirstChoiceArrivals, a.Rejected);
        Assert.Equal(0, r.FacilityWeeks.Sum(f => f.Parked));

        // Guided drivers see no space anywhere: they circle the full kerb zone once (400 m) and leave.
        Assert.Equal(a.Rejected * 0.4, a.SearchVehKm, 1e-6);
    }

    [Fact]
    public void Every_arrival_is_parked_rejected_or_searching_at_every_event()
    {
        // The sample city with half its spaces, an event and unguided search: lots of spillover and rejection.
        var (_, demand) = SampleCity.Load();
        var half = demand.Area.Sites.ToDictionary(s => s.Id, s => -s.Capacity / 2);
        var scenario = new ParkingScenario("half") { CapacityChanges = half };
        var ev = new SpecialEvent("match", demand.Area.Sites[4].X, demand.Area.Sites[4].Y, 5, 17 * 3600, 5400, 1500, 3);
        var checks = 0L;
        var options = new ParkingRunOptions
        {
            Weeks = 1,
            Seed = 21,
            Events = [ev],
            Search = new SearchAssumptions { Guided = false },
            Observer = c =>
            {
                checks++;
                Assert.Equal(c.Arrivals, c.Parked + c.Rejected + c.Searching);
                Assert.Equal(c.Occupied, c.Parked - c.Departed);
                Assert.True(c.Searching >= 0 && c.Occupied >= 0);
            },
        };
        var r = ParkingSimulation.Run(demand, scenario, options);
        Assert.True(checks > 100_000);
        var t = r.Totals;
        Assert.True(t.Rejected > 100 && t.SpilledOut > 1000);

        // Spillover conserves vehicles: every driver who found the first choice full parked elsewhere, was
        // rejected, or is still driving at the end; likewise for every arrival.
        var spilledIn = r.FacilityWeeks.Sum(f => f.SpilledIn);
        Assert.Equal(t.SpilledOut, spilledIn + t.Rejected + r.Final.Searching);
        Assert.Equal(t.Arrivals, t.Parked + t.Rejected + r.Final.Searching);
        Assert.All(r.FacilityWeeks, f => Assert.InRange(f.MaxOccupancy, 0, 1));
        Assert.All(r.FacilityWeeks, f => Assert.Equal(f.FirstChoiceArrivals - f.SpilledOut + f.SpilledIn, f.Parked));
    }

    [Fact]
    public void A_higher_price_brings_fewer_arrivals_by_the_stated_elasticity()
    {
        // One facility: the price level near the destination is its price, so arrivals scale by
        // (p / p0)^elasticity exactly in expectation; with common random numbers the two runs thin one stream.
        var area = Area(0, 0, Site("A", 0, 0, 100_000, price: 2.0));
        var demand = Demand(area, 100);
        var o = new ParkingRunOptions { Weeks = 1, Seed = 4, ArrivalCap = Math.Pow(0.5, -0.4) };
        var today = Facility(ParkingSimulation.Run(demand, Flat, o), "A").FirstChoiceArrivals;
        var doubled = Facility(ParkingSimulation.Run(demand, new ParkingScenario("x2") { PriceChanges = new Dictionary<string, double> { ["A"] = 4.0 } }, o), "A").FirstChoiceArrivals;
        var halved = Facility(ParkingSimulation.Run(demand, new ParkingScenario("x0.5") { PriceChanges = new Dictionary<string, double> { ["A"] = 1.0 } }, o), "A").FirstChoiceArrivals;
        Assert.Equal(Math.Pow(2, -0.4), (double)doubled / today, 0.02);
        Assert.Equal(Math.Pow(0.5, -0.4), (double)halved / today, 0.02);

        var inelastic = Demand(area, 100, Assumptions() with { Elasticity = 0 });
        Assert.Equal(
            Facility(ParkingSimulation.Run(inelastic, Flat, o), "A").FirstChoiceArrivals,
            Facility(ParkingSimulation.Run(inelastic, new ParkingScenario("x2") { PriceChanges = new Dictionary<string, double> { ["A"] = 4.0 } }, o), "A").FirstChoiceArrivals);
    }

    [Fact]
    public void Raising_one_facilitys_price_moves_drivers_to_its_neighbour()
    {
        var area = Area(0, 0, Site("A", 100, 0, 100_000, price: 2.0), Site("B", -100, 0, 100_000, price: 2.0));
        var demand = Demand(area, 100);
        var o = new ParkingRunOptions { Weeks = 1, Seed = 9 };
        var flat = ParkingSimulation.Run(demand, Flat, o);
        var dearer = ParkingSimulation.Run(demand, new ParkingScenario("A dearer") { PriceChanges = new Dictionary<string, double> { ["A"] = 3.0 } }, o);
        Assert.True(Facility(dearer, "A").FirstChoiceArrivals < 0.8 * Facility(flat, "A").FirstChoiceArrivals);
        Assert.True(Facility(dearer, "B").FirstChoiceArrivals > 1.2 * Facility(flat, "B").FirstChoiceArrivals);
        Assert.True(dearer.Totals.Arrivals < flat.Totals.Arrivals);
    }

    [Fact]
    public void Performance_pricing_raises_full_and_lowers_empty_facilities_within_bounds()
    {
        // A is overwhelmed (100 spaces, ~330 parked wanted), B nearly empty: every week A's price goes up a step
        // until the ceiling, B's down a step until the floor.
        var area = Area(0, 0, Site("A", 0, 0, 100, price: 1.0), Site("B", 0, 550, 1000, price: 1.0));
        var demand = Demand(area, 300, Assumptions(maxWalkM: 500, maxSearchWalkM: 500));
        var policy = new PricingPolicy { Kind = PricingKind.Performance, Bands = [new PriceBand(0, 24)], MinPrice = 0.5, MaxPrice = 2.0 };
        var r = ParkingSimulation.Run(demand, new ParkingScenario("perf") { Pricing = policy }, new ParkingRunOptions { Weeks = 8, Seed = 2 });
        foreach (var type in new[] { DayType.Weekday, DayType.Weekend })
        {
            var a = r.Prices.Where(p => p.FacilityId == "A" && p.DayType == type).OrderBy(p => p.Week).Select(p => p.Price).ToList();
            var b = r.Prices.Where(p => p.FacilityId == "B" && p.DayType == type).OrderBy(p => p.Week).Select(p => p.Price).ToList();
            Assert.Equal([1.0, 1.25, 1.5, 1.75, 2.0, 2.0, 2.0, 2.0], a);
            Assert.Equal([1.0, 0.75, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], b);
        }

        Assert.All(r.Prices.Where(p => p.FacilityId == "A"), p => Assert.True(p.MeanOccupancy >= policy.UpperTarget));
        Assert.All(r.Prices.Where(p => p.FacilityId == "B"), p => Assert.True(p.MeanOccupancy < policy.LowerTarget));
    }

    [Fact]
    public void Before_its_first_adjustment_a_policy_changes_nothing()
    {
        var (_, demand) = SampleCity.Load();
        var policy = new PricingPolicy { Kind = PricingKind.Performance };
        var c = ParkingWhatIf.Compare(demand, Flat, new ParkingScenario("perf") { Pricing = policy }, new ParkingRunOptions { Weeks = 2, Seed = 6 }, replications: 2);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(c.BaselineRuns[i].FacilityWeeks.Where(f => f.Week == 1), c.AlternativeRuns[i].FacilityWeeks.Where(f => f.Week == 1));
            Assert.NotEqual(c.BaselineRuns[i].FacilityWeeks.Where(f => f.Week == 2), c.AlternativeRuns[i].FacilityWeeks.Where(f => f.Week == 2));
        }
    }

    [Fact]
    public void Adding_spaces_where_drivers_are_turned_away_reduces_rejections()
    {
        var area = Area(0, 0, Site("A", 0, 0, 80), Site("B", 900, 0, 50));
        var demand = Demand(area, 120, Assumptions(maxWalkM: 500, maxSearchWalkM: 500));
        var more = new ParkingScenario("A +60") { CapacityChanges = new Dictionary<string, int> { ["A"] = 60 } };
        var c = ParkingWhatIf.Compare(demand, Flat, more, new ParkingRunOptions { Weeks = 1, Seed = 1 }, replications: 4);
        var rejected = c[ParkingWhatIf.Rejected];
        Assert.True(rejected.BaselineMean > 1000);
        Assert.True(rejected.Upper < 0, $"rejections should fall: {rejected.MeanDifference} ({rejected.Lower}..{rejected.Upper})");
        Assert.True(c[ParkingWhatIf.HoursAbove90].Upper < 0);
    }

    [Fact]
    public void A_special_event_brings_its_drivers_to_the_facilities_near_it()
    {
        // No regular demand: only the event's drivers (Poisson, mean 500) arrive, on day 3, near B.
        var area = ParkingArea.Create([Site("A", 0, 0, 1000), Site("B", 2000, 0, 1000)], [new ParkingDestination("dest", "Z", 0, 0, 1)], 1.0);
        var demand = ParkingDemand.Build(area, [], [], Assumptions());
        var ev = new SpecialEvent("concert", 2100, 0, 2, 19 * 3600, 3600, 500, 2.5, WalkM: 300);
        var r = ParkingSimulation.Run(demand, Flat, new ParkingRunOptions { Weeks = 1, Seed = 17, Events = [ev] });
        Assert.Equal(0, Facility(r, "A").FirstChoiceArrivals);
        Assert.InRange(Facility(r, "B").FirstChoiceArrivals, 500 - (4 * Math.Sqrt(500)), 500 + (4 * Math.Sqrt(500)));
    }

    [Fact]
    public void Bad_scenarios_and_options_are_refused_with_the_field_named()
    {
        var area = Area(0, 0, Site("A", 0, 0, 10));
        var demand = Demand(area, 10);
        var o = new ParkingRunOptions { Weeks = 1 };
        Assert.Contains("'Q'", Assert.Throws<ArgumentException>(() => ParkingSimulation.Run(demand, new ParkingScenario("x") { CapacityChanges = new Dictionary<string, int> { ["Q"] = 5 } }, o)).Message);
        Assert.Contains("fewer than 0", Assert.Throws<ArgumentException>(() => ParkingSimulation.Run(demand, new ParkingScenario("x") { CapacityChanges = new Dictionary<string, int> { ["A"] = -11 } }, o)).Message);
        Assert.Contains("bounds", Assert.Throws<ArgumentException>(() => ParkingSimulation.Run(demand, new ParkingScenario("x") { Pricing = new PricingPolicy { Kind = PricingKind.Performance, MinPrice = 2 } }, o)).Message);
        Assert.Contains("overlaps", Assert.Throws<ArgumentException>(() => ParkingSimulation.Run(demand, new ParkingScenario("x") { Pricing = new PricingPolicy { Kind = PricingKind.Performance, Bands = [new PriceBand(7, 12), new PriceBand(11, 14)] } }, o)).Message);
        Assert.Contains("weeks", Assert.Throws<ArgumentException>(() => ParkingSimulation.Run(demand, Flat, o with { Weeks = 0 })).Message);
        Assert.Contains("day 9", Assert.Throws<ArgumentException>(() => ParkingSimulation.Run(demand, Flat, o with { Events = [new SpecialEvent("e", 0, 0, 9, 0, 60, 10, 1)] })).Message);
        Assert.Contains("elasticity", Assert.Throws<ArgumentException>(() => Demand(area, 10, Assumptions() with { Elasticity = 0.3 })).Message);
        Assert.Throws<DemandException>(() => ParkingDemand.Build(area, [new OdRow("o", "nowhere", 0, 3600, 5, 7)], [], Assumptions()));
    }
}
