using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Engine.Parking.WhatIf;

namespace CityTwin.Formats.ParkingWhatIf;

/// <summary>
/// Writes a parking what-if comparison (docs/parking-whatif.md): <c>summary.json</c> (inputs, assumptions, KPI
/// differences with their 95% intervals, the decision), <c>weeks.csv</c> (every replication, week and facility, and
/// an <c>ALL</c> row per week), <c>prices.csv</c> (prices performance pricing set), <c>search-links.csv</c> (search
/// traffic per link and hour) and, with a road network, <c>search-od-baseline.csv</c> / <c>search-od-alternative.csv</c>:
/// the weekday search traffic as an origin-destination table between links that <c>citytwin simulate --demand</c>
/// takes. Numbers are invariant-culture.
/// </summary>
public static class WhatIfWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes every output file into <paramref name="folder"/> (created if needed); returns the summary.</summary>
    public static JsonObject Write(string folder, WhatIfComparison c, ParkingDemand demand, JsonObject inputs, double wallSeconds, double simulateSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(demand);
        Directory.CreateDirectory(folder);
        var summary = Summary(c, demand, inputs, wallSeconds, simulateSeconds);
        File.WriteAllText(Path.Combine(folder, "summary.json"), summary.ToJsonString(Indented) + "\n");
        WriteWeeks(Path.Combine(folder, "weeks.csv"), c);
        WritePrices(Path.Combine(folder, "prices.csv"), c);
        WriteLinks(Path.Combine(folder, "search-links.csv"), c);
        if (demand.Area.Network is not null)
        {
            WriteOd(Path.Combine(folder, "search-od-baseline.csv"), c.BaselineRuns, demand.Area, c.Baseline.Name);
            WriteOd(Path.Combine(folder, "search-od-alternative.csv"), c.AlternativeRuns, demand.Area, c.Alternative.Name);
        }

        return summary;
    }

    /// <summary>The summary object.</summary>
    public static JsonObject Summary(WhatIfComparison c, ParkingDemand demand, JsonObject inputs, double wallSeconds, double simulateSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(demand);
        var a = demand.Assumptions;
        var differences = new JsonObject();
        foreach (var d in c.Differences)
        {
            differences[d.Kpi] = new JsonObject
            {
                ["unit"] = d.Unit,
                ["lowerIsBetter"] = d.LowerIsBetter,
                ["baselineMean"] = R(d.BaselineMean),
                ["alternativeMean"] = R(d.AlternativeMean),
                ["meanDifference"] = R(d.MeanDifference),
                ["stdDevOfDifference"] = R(d.StdDev),
                ["ci95Lower"] = R(d.Lower),
                ["ci95Upper"] = R(d.Upper),
                ["significantlyBetter"] = d.SignificantlyBetter,
                ["significantlyWorse"] = d.SignificantlyWorse,
            };
        }

        return new JsonObject
        {
            ["decision"] = new JsonObject
            {
                ["verdict"] = c.Decision.Verdict.ToString().ToLowerInvariant(),
                ["sentence"] = c.Decision.Sentence,
                ["reasons"] = new JsonArray(c.Decision.Reasons.Select(r => (JsonNode)r).ToArray()),
                ["rule"] = "adopt when hours at or above 90% and search veh-km fall with 95% confidence, rejected arrivals do not rise with 95% confidence and revenue's lower 95% bound loses at most the tolerance; reject when one of those KPIs rises with 95% confidence or revenue's upper bound loses more than the tolerance; otherwise no decision",
                ["revenueTolerance"] = c.RevenueTolerance,
            },
            ["baseline"] = Scenario(c.Baseline, c.BaselineRuns, c.Weeks),
            ["alternative"] = Scenario(c.Alternative, c.AlternativeRuns, c.Weeks),
            ["differencesPerWeek"] = differences,
            ["replications"] = c.Replications,
            ["weeks"] = c.Weeks,
            ["seeds"] = new JsonArray(c.BaselineRuns.Select(r => (JsonNode)r.Seed).ToArray()),
            ["arrivalCap"] = R(c.ArrivalCap),
            ["currency"] = c.Currency,
            ["demand"] = new JsonObject
            {
                ["parkingShareByDistrict"] = new JsonObject(demand.Shares.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)R(kv.Value)))),
                ["parkingShareCalibrated"] = demand.Calibrated,
                ["expectedWeekdayPeakOccupancyByDistrict"] = new JsonObject(demand.ExpectedDistrictPeaks.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)R(kv.Value)))),
                ["targetPeakOccupancy"] = a.TargetPeakOccupancy,
                ["expectedWeekdayPeakOccupancy"] = R(demand.ExpectedPeakOccupancy),
                ["expectedWeekdayPeakTime"] = Clock(demand.ExpectedPeakTimeS),
                ["weekdayTripsInDemand"] = R(demand.TripsConsidered),
                ["weekdayTripsWithinWalkOfAFacility"] = R(demand.TripsInReach),
                ["weekdaySeekersAtTodaysPrices"] = R(demand.HourlyArrivals.Sum()),
                ["seekersByHour"] = new JsonArray(demand.HourlyArrivals.Select(h => (JsonNode)R(h)).ToArray()),
                ["dwell"] = new JsonObject { ["mu"] = R(a.Dwell.Mu), ["sigma"] = R(a.Dwell.Sigma), ["medianH"] = R(a.Dwell.MedianH), ["meanH"] = R(a.Dwell.MeanH) },
                ["dwellOffStreet"] = a.DwellOffStreet is { } off ? new JsonObject { ["mu"] = R(off.Mu), ["sigma"] = R(off.Sigma), ["medianH"] = R(off.MedianH), ["meanH"] = R(off.MeanH) } : null,
                ["dayFactors"] = new JsonArray(a.DayFactors.Select(f => (JsonNode)R(f)).ToArray()),
                ["elasticity"] = a.Elasticity,
                ["maxWalkM"] = a.MaxWalkM,
                ["maxSearchWalkM"] = a.MaxSearchWalkM,
                ["walkSpeedMps"] = a.WalkSpeedMps,
                ["valueOfTimePerHour"] = a.ValueOfTimePerHour,
                ["choiceScale"] = a.ChoiceScale,
            },
            ["plausibility"] = new JsonObject
            {
                ["meanSearchMinutesBaseline"] = R(c.BaselineRuns.Average(r => r.Totals.MeanSearchMinutes)),
                ["meanSearchMinutesAlternative"] = R(c.AlternativeRuns.Average(r => r.Totals.MeanSearchMinutes)),
                ["shoup2006CruisingMinutesRange"] = new JsonArray(LiteratureFigures.ShoupCruisingMinutesLow, LiteratureFigures.ShoupCruisingMinutesHigh),
            },
            ["inputs"] = inputs,
            ["wallSeconds"] = R(wallSeconds),
            ["simulateSeconds"] = R(simulateSeconds),
            ["simulatedWeeks"] = 2 * c.Replications * c.Weeks,
            ["arrivalsSimulated"] = c.BaselineRuns.Concat(c.AlternativeRuns).Sum(r => r.Final.Arrivals),
        };
    }

    private static JsonObject Scenario(ParkingScenario s, IReadOnlyList<ParkingRunResult> runs, int weeks)
    {
        var p = s.Pricing;
        var perWeek = new JsonObject
        {
            ["arrivals"] = R(runs.Average(r => r.Totals.Arrivals) / weeks),
            ["parked"] = R(runs.Average(r => r.Totals.Parked) / weeks),
            ["spilledOut"] = R(runs.Average(r => r.Totals.SpilledOut) / weeks),
            ["rejected"] = R(runs.Average(r => r.Totals.Rejected) / weeks),
            ["searchVehKm"] = R(runs.Average(r => r.Totals.SearchVehKm) / weeks),
            ["revenue"] = R(runs.Average(r => r.Totals.Revenue) / weeks),
            ["hoursAtOrAbove90"] = R(runs.Average(r => r.Totals.HoursAtOrAbove90) / weeks),
            ["meanOccupancy"] = R(runs.Average(r => r.Totals.MeanOccupancy)),
            ["meanSearchMinutes"] = R(runs.Average(r => r.Totals.MeanSearchMinutes)),
        };
        var facilities = new JsonObject();
        foreach (var g in runs.SelectMany(r => r.FacilityWeeks).GroupBy(f => f.FacilityId, StringComparer.Ordinal))
        {
            var n = (double)runs.Count * weeks;
            facilities[g.Key] = new JsonObject
            {
                ["capacity"] = g.First().Capacity,
                ["firstChoiceArrivalsPerWeek"] = R(g.Sum(f => f.FirstChoiceArrivals) / n),
                ["parkedPerWeek"] = R(g.Sum(f => f.Parked) / n),
                ["rejectedPerWeek"] = R(g.Sum(f => f.Rejected) / n),
                ["hoursAtOrAbove90PerWeek"] = R(g.Sum(f => f.HoursAtOrAbove90) / n),
                ["revenuePerWeek"] = R(g.Sum(f => f.Revenue) / n),
                ["meanOccupancy"] = R(g.Average(f => f.MeanOccupancy)),
            };
        }

        var last = runs.SelectMany(r => r.Prices).Where(x => x.Week == weeks).ToList();
        var finalPrices = new JsonArray(last
            .GroupBy(x => (x.FacilityId, x.DayType, x.Band.ToString()))
            .Select(g => (JsonNode)new JsonObject
            {
                ["facility"] = g.Key.FacilityId,
                ["dayType"] = g.Key.DayType.ToString().ToLowerInvariant(),
                ["band"] = g.Key.Item3,
                ["meanPrice"] = R(g.Average(x => x.Price)),
                ["minPrice"] = R(g.Min(x => x.Price)),
                ["maxPrice"] = R(g.Max(x => x.Price)),
            }).ToArray());
        return new JsonObject
        {
            ["name"] = s.Name,
            ["pricing"] = p.Kind == PricingKind.Flat ? "flat" : "performance",
            ["policy"] = p.Kind == PricingKind.Flat ? null : new JsonObject
            {
                ["scope"] = p.Scope is null ? "all" : new JsonArray(p.Scope.Select(x => (JsonNode)x).ToArray()),
                ["bands"] = new JsonArray(p.Bands.Select(b => (JsonNode)b.ToString()).ToArray()),
                ["lowerTarget"] = p.LowerTarget,
                ["upperTarget"] = p.UpperTarget,
                ["step"] = p.Step,
                ["minPrice"] = p.MinPrice,
                ["maxPrice"] = p.MaxPrice,
                ["everyWeeks"] = p.EveryWeeks,
            },
            ["priceChanges"] = new JsonObject(s.PriceChanges.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["capacityChanges"] = new JsonObject(s.CapacityChanges.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["perWeek"] = perWeek,
            ["facilities"] = facilities,
            ["pricesInLastWeek"] = finalPrices,
        };
    }

    private static void WriteWeeks(string path, WhatIfComparison c)
    {
        var sb = new StringBuilder("scenario,replication,week,facility,capacity,firstChoiceArrivals,parked,spilledIn,spilledOut,rejected,searchVehKm,searchHours,revenue,hoursAtOrAbove90,meanOccupancy,maxOccupancy,meanWalkM\n");
        foreach (var (label, runs) in new[] { ("baseline", c.BaselineRuns), ("alternative", c.AlternativeRuns) })
        {
            for (var r = 0; r < runs.Count; r++)
            {
                foreach (var g in runs[r].FacilityWeeks.GroupBy(f => f.Week))
                {
                    foreach (var f in g)
                    {
                        Row(sb, label, r + 1, f);
                    }

                    var t = ParkingTotals.Of(g);
                    var cap = g.Sum(f => f.Capacity);
                    Row(sb, label, r + 1, new FacilityWeek(g.Key, "ALL", cap, t.Arrivals, t.Parked, g.Sum(f => f.SpilledIn), t.SpilledOut, t.Rejected, t.SearchVehKm, t.SearchHours, t.Revenue, t.HoursAtOrAbove90, t.MeanOccupancy, g.Max(f => f.MaxOccupancy), t.Parked > 0 ? g.Sum(f => f.MeanWalkM * f.Parked) / t.Parked : 0));
                }
            }
        }

        File.WriteAllText(path, sb.ToString());

        static void Row(StringBuilder sb, string label, int replication, FacilityWeek f) =>
            sb.Append(CultureInfo.InvariantCulture, $"{label},{replication},{f.Week},{f.FacilityId},{f.Capacity},{f.FirstChoiceArrivals},{f.Parked},{f.SpilledIn},{f.SpilledOut},{f.Rejected},{R(f.SearchVehKm)},{R(f.SearchHours)},{R(f.Revenue)},{R(f.HoursAtOrAbove90)},{R(f.MeanOccupancy)},{R(f.MaxOccupancy)},{R(f.MeanWalkM)}\n");
    }

    private static void WritePrices(string path, WhatIfComparison c)
    {
        var sb = new StringBuilder("scenario,replication,week,facility,dayType,band,price,meanOccupancy\n");
        foreach (var (label, runs) in new[] { ("baseline", c.BaselineRuns), ("alternative", c.AlternativeRuns) })
        {
            for (var r = 0; r < runs.Count; r++)
            {
                foreach (var p in runs[r].Prices)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{label},{r + 1},{p.Week},{p.FacilityId},{p.DayType.ToString().ToLowerInvariant()},{p.Band},{R(p.Price)},{R(p.MeanOccupancy)}\n");
                }
            }
        }

        File.WriteAllText(path, sb.ToString());
    }

    private static void WriteLinks(string path, WhatIfComparison c)
    {
        var sb = new StringBuilder("scenario,link,dayType,hour,vehPerHour\n");
        foreach (var (label, runs) in new[] { ("baseline", c.BaselineRuns), ("alternative", c.AlternativeRuns) })
        {
            var mean = runs.SelectMany(r => r.LinkLoads)
                .GroupBy(l => (l.LinkId, l.DayType, l.Hour))
                .Select(g => (g.Key, V: g.Sum(l => l.VehiclesPerHour) / runs.Count))
                .OrderBy(x => x.Key.DayType).ThenBy(x => x.Key.Hour).ThenBy(x => x.Key.LinkId, StringComparer.Ordinal);
            foreach (var (key, v) in mean)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{label},{key.LinkId},{key.DayType.ToString().ToLowerInvariant()},{key.Hour},{R(v)}\n");
            }
        }

        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>Weekday search legs as OD rows between the facilities' access links (mean vehicles per weekday over the replications).</summary>
    private static void WriteOd(string path, IReadOnlyList<ParkingRunResult> runs, ParkingArea area, string scenario)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# Search traffic between parking facilities on a mean weekday, scenario '{scenario}' ({runs.Count} replications), from citytwin parking whatif.\n");
        sb.Append("# Each row: drivers who found the facility at the origin link full and drove on to the one at the destination link. Add it to a city's demand with citytwin simulate --demand.\n");
        sb.Append("origin,destination,begin,end,vehicles\n");
        // Facilities that share an access link are one origin or destination here; a leg between two of them
        // drives no link and is left out.
        var rows = runs.SelectMany(r => r.SearchLegs).Where(l => l.DayType == DayType.Weekday)
            .Select(l => (From: area.AccessLinks[area.IndexOf(l.FromFacility)], To: area.AccessLinks[area.IndexOf(l.ToFacility)], l.Hour, l.VehiclesPerDay))
            .Where(l => l.From is not null && l.To is not null && l.From != l.To)
            .GroupBy(l => (l.From, l.To, l.Hour))
            .Select(g => (g.Key, V: g.Sum(l => l.VehiclesPerDay) / runs.Count))
            .OrderBy(x => x.Key.Hour).ThenBy(x => x.Key.From, StringComparer.Ordinal).ThenBy(x => x.Key.To, StringComparer.Ordinal);
        foreach (var (key, v) in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{key.From},{key.To},{key.Hour:00}:00,{key.Hour + 1:00}:00,{R(v)}\n");
        }

        File.WriteAllText(path, sb.ToString());
    }

    private static string Clock(double s) => $"{(int)(s / 3600):00}:{(int)(s % 3600 / 60):00}";

    private static double R(double v) => Math.Round(v, 4);
}
