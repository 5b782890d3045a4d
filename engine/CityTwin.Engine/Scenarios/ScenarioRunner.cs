using System.Globalization;
using CityTwin.Engine.City;
using CityTwin.Engine.Common;
using CityTwin.Engine.Parking.WhatIf;
using CityTwin.Engine.Timing;
using CityTwin.Engine.Traffic;
using MathNet.Numerics.Distributions;

namespace CityTwin.Engine.Scenarios;

/// <summary>
/// Runs a validated scenario script (docs/scenarios.md) in three pure steps, so that the work can be spread:
/// <list type="number">
/// <item><see cref="Prepare"/> resolves the base and every alternative into arms (plans optimised once, on flows
/// measured by one simulation of the arm's conditions under the base's plans);</item>
/// <item><see cref="WorkItems"/> lists the independent work items, arm x replication, and <see cref="Run"/> runs
/// one: the traffic simulation over the window (and the drain after it) and/or a week of the parking simulation,
/// with the replication's seed (the same in every arm, so arms are compared on common random numbers);</item>
/// <item><see cref="Gather"/> turns the runs into means, paired changes against the base with confidence
/// intervals, and the decision.</item>
/// </list>
/// The same script, data and seed give the same numbers, bit for bit, however the work items are spread.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>The name of the base arm.</summary>
    public const string BaseName = "base";

    /// <summary>Width of the intervals of the traffic time series (s).</summary>
    public const double SeriesIntervalS = 300;

    private static readonly HashSet<string> ParkingKpis = new(StringComparer.Ordinal) { "parkingRejected", "parkingSearchVehKm", "parkingHoursAbove90", "parkingRevenue" };

    /// <summary>Short names of the KPIs for sentences.</summary>
    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["totalDelayVehH"] = "total delay",
        ["meanTripDurationS"] = "mean trip duration",
        ["meanTimeLossS"] = "mean time loss",
        ["tripsCompleted"] = "trips completed",
        ["stops"] = "stops at signals",
        ["maxQueueVeh"] = "the longest queue",
        ["spillbackMin"] = "spillback",
        ["vehicleKm"] = "vehicle-km",
        ["parkingRejected"] = "rejected parking arrivals",
        ["parkingSearchVehKm"] = "parking search traffic",
        ["parkingHoursAbove90"] = "facility-hours above 90% occupancy",
        ["parkingRevenue"] = "parking revenue",
    };

    /// <summary>
    /// What this runner cannot do with a script that is otherwise valid, each at its place in the script: a control
    /// other than fixed-time for only some signals, parking KPIs or changes in a city without a parking demand model,
    /// a live or recorded base without a frozen state (<see cref="ScenarioData.Live"/>) to start from.
    /// </summary>
    public static IReadOnlyList<ScriptError> Check(ScenarioScript script, ScenarioData? data)
    {
        ArgumentNullException.ThrowIfNull(script);
        var errors = new List<ScriptError>();
        foreach (var a in script.Alternatives)
        {
            if (a.Signals is { Control: not ControlChoice.Fixed, Only.Count: > 0 })
            {
                errors.Add(new ScriptError(a.Mark.Line, a.Mark.Column, $"alternative '{a.Name}': signals.control applies to every signal; leave out 'only' or use fixed control"));
            }
        }

        var parking = script.Kpis.Any(ParkingKpis.Contains) || script.Alternatives.Any(a => a.Parking.Count > 0);
        if (parking && data is { Parking: null })
        {
            errors.Add(new ScriptError(1, 1, "the city has no parking demand model (parking-demand.json), which parking KPIs and changes need"));
        }

        if (script.Base.Source == BaseSource.Live && data is { Live: null })
        {
            errors.Add(new ScriptError(1, 1, $"base.from: live: twin '{script.Base.Twin}' has no sensor data yet, so there is no live state to start from"));
        }

        if (script.Base.Source == BaseSource.Recorded && data is { Live: null })
        {
            errors.Add(new ScriptError(1, 1, $"base.from: recorded: the replay of '{script.Base.Recorded}' left no state to start from"));
        }

        return errors;
    }

    /// <summary>
    /// Resolves the script into arms (the base first). <paramref name="replications"/>, when given, replaces the
    /// script's (for quick checks).
    /// </summary>
    /// <exception cref="ScenarioException">The script asks for something this runner cannot do (<see cref="Check"/>).</exception>
    public static ScenarioSetup Prepare(ScenarioScript script, CityModel city, ScenarioData data, int? replications = null)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(city);
        ArgumentNullException.ThrowIfNull(data);
        var errors = Check(script, data);
        if (errors.Count > 0)
        {
            throw new ScenarioException(errors);
        }

        if (replications is { } n)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(n, 2, nameof(replications));
            script = script with { Replications = n };
        }

        var runParking = script.Kpis.Any(ParkingKpis.Contains) || script.Alternatives.Any(a => a.Parking.Count > 0);
        var runTraffic = script.Kpis.Any(k => !ParkingKpis.Contains(k));
        var basePlans = city.Signals.ToDictionary(s => s.Id, s => data.Live?.Plans.GetValueOrDefault(s.Id) ?? s.Plan, StringComparer.Ordinal);
        var empty = new Dictionary<string, double>(StringComparer.Ordinal);
        var baseArm = new ScenarioArm(BaseName, BaseText(script, data), basePlans, SignalControl.FixedTime, [], script.Base.DemandScale, [], empty, new Dictionary<string, int>(StringComparer.Ordinal), []);
        var arms = new List<ScenarioArm> { baseArm };
        foreach (var a in script.Alternatives)
        {
            arms.Add(Resolve(script, city, data, baseArm, a));
        }

        var cap = 1.0;
        if (runParking)
        {
            var demand = ParkingDemandOf(city, data);
            cap = arms.Max(a => ParkingSimulation.ArrivalCap(demand, ParkingScenarioOf(a)));
        }

        return new ScenarioSetup(script, data, arms, runTraffic, runParking, cap, SeriesIntervalS);
    }

    /// <summary>Every work item: for each replication, each arm (the base first).</summary>
    public static IReadOnlyList<ScenarioWorkItem> WorkItems(ScenarioSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var items = new List<ScenarioWorkItem>(setup.WorkItemCount);
        for (var r = 0; r < setup.Script.Replications; r++)
        {
            for (var a = 0; a < setup.Arms.Count; a++)
            {
                items.Add(new ScenarioWorkItem(items.Count, a, r, setup.Script.Seed + (ulong)r));
            }
        }

        return items;
    }

    /// <summary>Runs one work item.</summary>
    public static ScenarioRun Run(CityModel city, ScenarioSetup setup, ScenarioWorkItem item)
    {
        ArgumentNullException.ThrowIfNull(city);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(item);
        var arm = setup.Arms[item.Arm];
        var w = setup.Script.Window;
        var kpis = new Dictionary<string, double>(StringComparer.Ordinal);
        IReadOnlyList<double> delay = [], queue = [], occupancy = [];
        var tripCount = 0;
        if (setup.RunTraffic)
        {
            var net = CityNetwork.Build(city, arm.Plans);
            var trips = Trips(city, setup, arm, net, item.Seed);
            tripCount = trips.Count;
            var options = new SimulationOptions
            {
                Seed = item.Seed,
                StartS = w.FromS,
                UntilS = w.ToS + Math.Max(w.DrainS, setup.KpiIntervalS),
                KpiIntervalS = setup.KpiIntervalS,
                Control = arm.Control,
                Closures = arm.Closures,
                RoutingThreads = 1,
            };
            var result = new Simulation(net, trips, options).Run();
            var total = result.City.Total;
            kpis["totalDelayVehH"] = total.TotalDelayVehH;
            kpis["meanTripDurationS"] = total.MeanTripDurationS;
            kpis["meanTimeLossS"] = total.MeanTimeLossS;
            kpis["tripsCompleted"] = total.TripsCompleted;
            kpis["stops"] = result.Intersections.Sum(s => s.Total.Stops);
            kpis["maxQueueVeh"] = total.MaxQueueVeh;
            kpis["spillbackMin"] = total.SpillbackLinkMin;
            kpis["vehicleKm"] = total.VehicleKm;
            delay = result.City.Intervals.Select(i => i.TotalDelayVehH).ToArray();
            queue = Enumerable.Range(0, result.IntervalStartsS.Count).Select(i => result.Intersections.Sum(s => s.Intervals[i].MeanQueueVeh)).ToArray();
        }

        if (setup.RunParking)
        {
            var demand = ParkingDemandOf(city, setup.Data);
            var run = ParkingSimulation.Run(demand, ParkingScenarioOf(arm), new ParkingRunOptions { Weeks = 1, Seed = item.Seed, ArrivalCap = setup.ParkingArrivalCap });
            var hours = WindowHours(w);
            var capacity = run.FacilityWeeks.Where(f => f.Week == 1).Sum(f => (double)f.Capacity);
            double above = 0;
            var occ = new double[hours.Count];
            for (var d = 0; d < 5; d++)
            {
                for (var h = 0; h < hours.Count; h++)
                {
                    var at = (d * 24) + hours[h];
                    for (var s = 0; s < run.HourlyOccupied.Count; s++)
                    {
                        above += run.HourlyAtOrAbove90[s][at];
                        occ[h] += run.HourlyOccupied[s][at];
                    }
                }
            }

            var totals = run.Totals;
            kpis["parkingHoursAbove90"] = above / 5;
            kpis["parkingRejected"] = totals.Rejected / 7.0;
            kpis["parkingSearchVehKm"] = totals.SearchVehKm / 7;
            kpis["parkingRevenue"] = totals.Revenue / 7;
            occupancy = occ.Select(x => capacity > 0 ? x / 5 / capacity : 0).ToArray();
        }

        var asked = setup.Script.Kpis.ToDictionary(k => k, k => kpis[k], StringComparer.Ordinal);
        return new ScenarioRun(item.Index, arm.Name, item.Replication, item.Seed, asked, delay, queue, occupancy, tripCount);
    }

    /// <summary>Means, paired changes against the base with confidence intervals, and the decision.</summary>
    /// <exception cref="ArgumentException">A work item is missing or given twice.</exception>
    public static ScenarioResult Gather(CityModel city, ScenarioSetup setup, IReadOnlyList<ScenarioRun> runs)
    {
        ArgumentNullException.ThrowIfNull(city);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(runs);
        var script = setup.Script;
        var n = script.Replications;
        var ordered = runs.OrderBy(r => r.Index).ToList();
        if (ordered.Count != setup.WorkItemCount || ordered.Select(r => r.Index).Distinct().Count() != ordered.Count)
        {
            throw new ArgumentException($"expected {setup.WorkItemCount} distinct work items, got {runs.Count}", nameof(runs));
        }

        ScenarioRun[] Of(string arm) => ordered.Where(r => r.Arm == arm).OrderBy(r => r.Replication).ToArray();
        var baseRuns = Of(BaseName);
        var conf = script.Decision.Confidence;
        var arms = new List<ArmResult>();
        foreach (var arm in setup.Arms)
        {
            var own = Of(arm.Name);
            var stats = script.Kpis.Select(k =>
            {
                var xs = own.Select(r => r.Kpis[k]).ToArray();
                return new KpiStat(k, ScenarioKpis.ByName[k].Unit, xs.Average(), StdDev(xs));
            }).ToList();
            var changes = arm.IsBase ? [] : script.Kpis.Select(k => Change(k, baseRuns, own, conf)).ToList();
            arms.Add(new ArmResult(arm.Name, arm.Description, arm.Changes, stats, changes, MeanSeries(own, r => r.DelayVehH), MeanSeries(own, r => r.QueueVeh), MeanSeries(own, r => r.Occupancy)));
        }

        var w = script.Window;
        var intervals = setup.RunTraffic ? baseRuns[0].DelayVehH.Count : 0;
        return new ScenarioResult(
            script.Id,
            script.Title,
            city.Name,
            BaseText(script, setup.Data),
            w,
            n,
            script.Seed,
            conf,
            setup.Data.Sources,
            Decide(script, arms),
            arms,
            Enumerable.Range(0, intervals).Select(i => w.FromS + (i * setup.KpiIntervalS)).ToArray(),
            setup.RunParking ? WindowHours(w).Select(h => h * 3600.0).ToArray() : [],
            ordered);
    }

    /// <summary>
    /// The decision rule: among the alternatives whose whole confidence interval of the paired change of the decision
    /// KPI lies beyond the required improvement (a share of the base's mean), the one with the best mean; else the base.
    /// </summary>
    private static ScenarioDecision Decide(ScenarioScript script, IReadOnlyList<ArmResult> arms)
    {
        var rule = script.Decision;
        var label = Labels[rule.Kpi];
        var conf = Pct(rule.Confidence);
        var n = script.Replications;
        var changes = arms.Where(a => a.VsBase.Count > 0).Select(a => (Arm: a, C: a.VsBase.First(c => c.Kpi == rule.Kpi))).ToList();
        var sign = rule.Goal == Goal.Minimise ? -1 : 1;
        bool Beats(KpiChange c)
        {
            var needed = rule.MinImprovement * Math.Abs(c.BaseMean);
            return rule.Goal == Goal.Minimise ? c.High < -needed : c.Low > needed;
        }

        var winners = changes.Where(x => Beats(x.C)).OrderByDescending(x => sign * x.C.AlternativeMean).ToList();
        var threshold = rule.MinImprovement > 0 ? $"at least {Pct(rule.MinImprovement)}" : "any margin";
        var direction = rule.Goal == Goal.Minimise ? "cuts" : "raises";
        if (winners.Count > 0)
        {
            var (arm, c) = winners[0];
            return new ScenarioDecision(arm.Name, Invariant($"Choose '{arm.Name}': it changes {label} by {Describe(c, conf)} against the base over {n} paired replications, which {direction} it by {threshold} with {conf} confidence."), rule);
        }

        var closest = changes.OrderByDescending(x => sign * x.C.AlternativeMean).First();
        return new ScenarioDecision(null, Invariant($"Keep the base: no alternative {direction} {label} by {threshold} with {conf} confidence over {n} paired replications (the best, '{closest.Arm.Name}', changes it by {Describe(closest.C, conf)})."), rule);
    }

    /// <summary>A change in words: "-12.3% (95% interval -14.0% to -10.6%)", or in the KPI's unit when the base's mean is 0.</summary>
    public static string Describe(KpiChange c, string conf) => c.ChangePercent is { } p
        ? Invariant($"{p:+0.0;-0.0;0.0}% ({conf} interval {c.LowPercent:+0.0;-0.0;0.0}% to {c.HighPercent:+0.0;-0.0;0.0}%)")
        : Invariant($"{c.Change:+0.###;-0.###;0} {c.Unit} ({conf} interval {c.Low:+0.###;-0.###;0} to {c.High:+0.###;-0.###;0} {c.Unit})");

    /// <summary>A share as a percentage: 0.95 -> "95%", 0.125 -> "12.5%".</summary>
    public static string Pct(double share) => Invariant($"{share * 100:0.#}%");

    private static KpiChange Change(string kpi, ScenarioRun[] baseRuns, ScenarioRun[] alt, double confidence)
    {
        var info = ScenarioKpis.ByName[kpi];
        var n = baseRuns.Length;
        var d = Enumerable.Range(0, n).Select(i => alt[i].Kpis[kpi] - baseRuns[i].Kpis[kpi]).ToArray();
        var mean = d.Average();
        var half = StudentT.InvCDF(0, 1, n - 1, 1 - ((1 - confidence) / 2)) * StdDev(d) / Math.Sqrt(n);
        var baseMean = baseRuns.Average(r => r.Kpis[kpi]);
        double? Rel(double x) => baseMean != 0 ? 100 * x / Math.Abs(baseMean) : null;
        return new KpiChange(kpi, info.Unit, info.Goal, baseMean, alt.Average(r => r.Kpis[kpi]), mean, mean - half, mean + half, Rel(mean), Rel(mean - half), Rel(mean + half));
    }

    private static double StdDev(double[] xs)
    {
        if (xs.Length < 2)
        {
            return 0;
        }

        var m = xs.Average();
        return Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Length - 1));
    }

    private static double[] MeanSeries(ScenarioRun[] runs, Func<ScenarioRun, IReadOnlyList<double>> series)
    {
        var length = runs.Length == 0 ? 0 : series(runs[0]).Count;
        return Enumerable.Range(0, length).Select(i => runs.Average(r => series(r)[i])).ToArray();
    }

    /// <summary>The hours of day (0-47) the window covers, each counted when any of it is in the window.</summary>
    private static List<int> WindowHours(ScenarioWindow w)
    {
        var first = (int)Math.Floor(w.FromS / 3600);
        var last = (int)Math.Ceiling(w.ToS / 3600) - 1;
        return Enumerable.Range(first, Math.Max(1, last - first + 1)).Where(h => h < 5 * 24).ToList();
    }

    /// <summary>The trips of one replication of an arm: the base demand in the window (scaled), plus the arm's extra trips.</summary>
    private static List<TripSpec> Trips(CityModel city, ScenarioSetup setup, ScenarioArm arm, TrafficNetwork net, ulong seed)
    {
        var w = setup.Script.Window;
        var data = setup.Data;
        var trips = new List<TripSpec>();
        IReadOnlyList<OdRow> rows;
        if (data.Live is { } live)
        {
            // The live twin: the city's demand in the window fitted to the measured flows, and the live queues at the stop lines.
            var start = LiveStart.Prepare(city, live with { TimeOfDayS = w.FromS }, data.Od, w.ToS - w.FromS, seed);
            rows = start.EstimatedOd;
            trips.AddRange(start.Trips.Where(t => t.AtStopLine));
        }
        else
        {
            rows = Clip(data.Od, w.FromS, w.ToS);
            trips.AddRange(data.Trips.Where(t => t.DepartS >= w.FromS && t.DepartS < w.ToS));
        }

        trips.AddRange(OdDemand.Expand(net, rows, seed, arm.DemandScale));
        if (arm.ExtraOd.Count > 0)
        {
            var extraSeed = SeededRandom.ForStream(seed, 71).NextUInt64();
            trips.AddRange(OdDemand.Expand(net, Clip(arm.ExtraOd, w.FromS, w.ToS), extraSeed).Select(t => t with { Id = "extra." + t.Id }));
        }

        return trips;
    }

    /// <summary>Rows cut to [from, to), their vehicles in proportion.</summary>
    private static List<OdRow> Clip(IReadOnlyList<OdRow> rows, double from, double to)
    {
        var list = new List<OdRow>();
        foreach (var r in rows)
        {
            var begin = Math.Max(r.BeginS, from);
            var end = Math.Min(r.EndS, to);
            if (end > begin)
            {
                list.Add(r with { BeginS = begin, EndS = end, Vehicles = r.Vehicles * (end - begin) / (r.EndS - r.BeginS) });
            }
        }

        return list;
    }

    private static ScenarioArm Resolve(ScenarioScript script, CityModel city, ScenarioData data, ScenarioArm baseArm, Alternative a)
    {
        var w = script.Window;
        var changes = new List<string>();
        var closures = a.Closures.Select(c => new LinkClosure(c.Link, c.FromS ?? double.NegativeInfinity, c.ToS ?? double.PositiveInfinity, c.Lanes)).ToList();
        foreach (var c in a.Closures)
        {
            var when = c.FromS is null && c.ToS is null ? "over the whole window" : $"{Clock(c.FromS ?? w.FromS)}-{Clock(c.ToS ?? w.ToS + w.DrainS)}";
            changes.Add(c.Lanes is { } lanes ? $"{lanes} lane(s) of {c.Link} closed {when}" : $"{c.Link} closed {when}");
        }

        var extra = a.ExtraDemand.Select(e => new OdRow(e.Origin, e.Destination, e.FromS, e.ToS, e.Vehicles)).ToList();
        foreach (var e in a.ExtraDemand)
        {
            changes.Add(Invariant($"{e.Vehicles:#,0} extra trips {e.Origin} to {e.Destination}, {Clock(e.FromS)}-{Clock(e.ToS)}"));
        }

        if (a.DemandScale != 1)
        {
            changes.Add(Invariant($"demand x {a.DemandScale:0.###}"));
        }

        var prices = new Dictionary<string, double>(StringComparer.Ordinal);
        var capacity = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in a.Parking)
        {
            var facilities = p.Facility is not null ? city.Parking.Where(f => f.Id == p.Facility) : city.Parking.Where(f => f.Placement.DistrictId == p.District);
            foreach (var f in facilities)
            {
                if (p.PricePerHour is { } price)
                {
                    prices[f.Id] = price;
                }
                else if (p.PriceFactor is { } factor)
                {
                    prices[f.Id] = Math.Round(f.PricePerHour * factor, 6);
                }

                if (p.Capacity is { } cap)
                {
                    capacity[f.Id] = cap - f.Capacity;
                }
                else if (p.CapacityChange is { } change)
                {
                    capacity[f.Id] = Math.Max(-f.Capacity, change);
                }
            }

            var what = p.Facility ?? $"the facilities of {p.District}";
            if (p.PricePerHour is { } np)
            {
                changes.Add(Invariant($"{what}: price {np:0.##} an hour"));
            }

            if (p.PriceFactor is { } pf)
            {
                changes.Add(Invariant($"{what}: price {(pf - 1) * 100:+0.#;-0.#}%"));
            }

            if (p.Capacity is { } nc)
            {
                changes.Add(Invariant($"{what}: {nc} spaces"));
            }

            if (p.CapacityChange is { } cc)
            {
                changes.Add(Invariant($"{what}: {cc:+0;-0} spaces"));
            }
        }

        var arm = baseArm with
        {
            Name = a.Name,
            Description = a.Description,
            Closures = closures,
            DemandScale = baseArm.DemandScale * a.DemandScale,
            ExtraOd = extra,
            ParkingPrices = prices,
            ParkingCapacityChanges = capacity,
        };

        if (a.Signals is { } s)
        {
            var only = s.Only.Count > 0 ? new HashSet<string>(s.Only, StringComparer.Ordinal) : null;
            var which = only is null ? $"all {city.Signals.Count} signals" : $"signals {string.Join(", ", s.Only)}";
            var plans = new Dictionary<string, TimingPlan>(baseArm.Plans, StringComparer.Ordinal);
            var sites = city.Signals.Where(x => only is null || only.Contains(x.Id)).ToList();
            switch (s.Plans)
            {
                case PlanChoice.RuleOfThumb:
                    foreach (var site in sites)
                    {
                        plans[site.Id] = TimingOptimizer.RuleOfThumb(site, SafetyProfile.For(city, site), s.CycleS);
                    }

                    changes.Add(Invariant($"rule-of-thumb plans (equal splits, {s.CycleS:0} s cycle) at {which}"));
                    break;
                case PlanChoice.Optimise:
                    var (optimised, measured) = Optimise(script, city, data, arm, sites);
                    foreach (var (id, plan) in optimised)
                    {
                        plans[id] = plan;
                    }

                    changes.Add(Invariant($"plans optimised at {which} on the flows of one simulation of this alternative under the base's plans ({measured:#,0} vehicles through the signals, seed {script.Seed}); every plan passes the safety rules"));
                    break;
                default:
                    break;
            }

            arm = arm with { Plans = plans };
            if (s.Control == ControlChoice.Actuated)
            {
                arm = arm with { Control = SignalControl.Actuated };
                changes.Add("vehicle-actuated control (gap-out, max-out) with the plans' phases");
            }
            else if (s.Control == ControlChoice.MaxPressure)
            {
                arm = arm with { Control = SignalControl.MaxPressure };
                changes.Add("max-pressure adaptive control (Varaiya 2013) with the plans' phases, minimum greens and clearances");
            }
        }

        return arm with { Changes = changes };
    }

    /// <summary>
    /// Optimises the plans of the given signals on the lane-group flows of one simulation of the arm's conditions
    /// (its demand and closures) under the base's plans, seeded with the script's seed.
    /// </summary>
    private static (Dictionary<string, TimingPlan> Plans, long Measured) Optimise(ScenarioScript script, CityModel city, ScenarioData data, ScenarioArm arm, IReadOnlyList<SignalSite> sites)
    {
        var w = script.Window;
        var setup = new ScenarioSetup(script, data, [arm], true, false, 1, SeriesIntervalS);
        var net = CityNetwork.Build(city, arm.Plans);
        var trips = Trips(city, setup, arm, net, script.Seed);
        var options = new SimulationOptions { Seed = script.Seed, StartS = w.FromS, UntilS = w.ToS, KpiIntervalS = w.ToS - w.FromS, Closures = arm.Closures, RoutingThreads = 1 };
        var measured = new Simulation(net, trips, options).Run();
        var flows = PlanEvaluation.LaneGroupFlows(city, measured, (w.ToS - w.FromS) / 3600);
        var plans = new Dictionary<string, TimingPlan>(StringComparer.Ordinal);
        foreach (var site in sites)
        {
            plans[site.Id] = TimingOptimizer.Optimise(site, flows[site.Id], SafetyProfile.For(city, site)).Plan;
        }

        return (plans, measured.LaneGroupServed.Values.Sum());
    }

    private static ParkingDemand ParkingDemandOf(CityModel city, ScenarioData data)
    {
        var search = new SearchAssumptions();
        var area = ParkingArea.FromCity(city, city.Links.Count > 0 ? CityNetwork.Build(city) : null, search.Circuity);
        return ParkingDemand.Build(area, data.Od, data.Trips, data.Parking!);
    }

    private static ParkingScenario ParkingScenarioOf(ScenarioArm arm) => new(arm.Name)
    {
        PriceChanges = arm.ParkingPrices,
        CapacityChanges = arm.ParkingCapacityChanges,
    };

    private static string BaseText(ScenarioScript script, ScenarioData data)
    {
        var scale = script.Base.DemandScale != 1 ? Invariant($", demand x {script.Base.DemandScale:0.###}") : "";
        return script.Base.Source switch
        {
            BaseSource.Live => $"the live twin '{script.Base.Twin}' as frozen at the start: its current plans and queues, the demand fitted to its measured flows{scale}",
            BaseSource.Recorded => $"the recorded day '{script.Base.Recorded}' replayed up to the window's start and frozen there: its plans and queues then, the demand fitted to its measured flows{scale}",
            _ => $"the demand ({(script.Base.DemandFiles.Count > 0 ? string.Join(", ", script.Base.DemandFiles) : "the city's own")}) under the city's design plans{scale}",
        };
    }

    private static string Clock(double s) => Invariant($"{(int)(s / 3600):00}:{(int)(s % 3600 / 60):00}");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
