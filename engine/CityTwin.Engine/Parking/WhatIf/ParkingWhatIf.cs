using System.Globalization;
using CityTwin.Engine.Common;
using MathNet.Numerics.Distributions;

namespace CityTwin.Engine.Parking.WhatIf;

/// <summary>
/// The paired difference of one KPI (alternative minus baseline, per week) over the replications, with its 95%
/// confidence interval (Student t with R - 1 degrees of freedom on the R paired differences).
/// </summary>
public sealed record KpiDifference(
    string Kpi,
    string Unit,
    bool LowerIsBetter,
    double BaselineMean,
    double AlternativeMean,
    double MeanDifference,
    double StdDev,
    double Lower,
    double Upper)
{
    /// <summary>The interval lies wholly on the better side of zero.</summary>
    public bool SignificantlyBetter => LowerIsBetter ? Upper < 0 : Lower > 0;

    /// <summary>The interval lies wholly on the worse side of zero.</summary>
    public bool SignificantlyWorse => LowerIsBetter ? Lower > 0 : Upper < 0;
}

/// <summary>What the comparison recommends.</summary>
public enum WhatIfVerdict
{
    /// <summary>The alternative is better with confidence and costs no more revenue than the tolerance.</summary>
    Adopt,

    /// <summary>The alternative is worse with confidence on some KPI, or loses more revenue than the tolerance.</summary>
    Reject,

    /// <summary>Neither: the differences are within the noise.</summary>
    Inconclusive,
}

/// <summary>The verdict, one plain sentence with its evidence, and the reasons behind it.</summary>
public sealed record WhatIfDecision(WhatIfVerdict Verdict, string Sentence, IReadOnlyList<string> Reasons);

/// <summary>A baseline and an alternative run on the same seeds, their paired differences and the decision.</summary>
public sealed record WhatIfComparison(
    ParkingScenario Baseline,
    ParkingScenario Alternative,
    int Replications,
    int Weeks,
    double ArrivalCap,
    double RevenueTolerance,
    string Currency,
    IReadOnlyList<ParkingRunResult> BaselineRuns,
    IReadOnlyList<ParkingRunResult> AlternativeRuns,
    IReadOnlyList<KpiDifference> Differences,
    WhatIfDecision Decision)
{
    /// <summary>The difference of a KPI by name.</summary>
    public KpiDifference this[string kpi] => Differences.First(d => d.Kpi == kpi);
}

/// <summary>
/// Pricing and capacity what-ifs: runs a baseline (normally today: flat prices, today's spaces) and an
/// alternative R times on the same R seeds (common random numbers: both draw the same potential arrivals with the
/// same cap), and compares hours at or above 90% occupancy, rejected arrivals, search vehicle-km and revenue.
/// <para>Decision rule (stated): adopt when hours at or above 90% and search vehicle-km are both lower with 95%
/// confidence, rejected arrivals are not higher with 95% confidence, and the revenue's lower 95% bound loses no
/// more than the tolerance (a share of the baseline's revenue); reject when any of those KPIs is worse with 95%
/// confidence or the revenue's upper bound loses more than the tolerance; otherwise inconclusive.</para>
/// </summary>
public static class ParkingWhatIf
{
    /// <summary>KPI names in <see cref="WhatIfComparison.Differences"/>.</summary>
    public const string HoursAbove90 = "hoursAtOrAbove90";

    public const string Rejected = "rejectedArrivals";

    public const string SearchVehKm = "searchVehKm";

    public const string Revenue = "revenue";

    public const string Arrivals = "arrivals";

    public const string MeanSearchMinutes = "meanSearchMinutes";

    /// <summary>The seed of replication <paramref name="r"/> (0-based) of a comparison seeded <paramref name="seed"/>.</summary>
    public static ulong ReplicationSeed(ulong seed, int r) => SeededRandom.ForStream(seed, (ulong)(1000 + r)).NextUInt64();

    /// <summary>Runs both scenarios on <paramref name="replications"/> paired seeds and compares them.</summary>
    public static WhatIfComparison Compare(
        ParkingDemand demand,
        ParkingScenario baseline,
        ParkingScenario alternative,
        ParkingRunOptions options,
        int replications,
        double revenueTolerance = 0.05,
        int parallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(alternative);
        ArgumentNullException.ThrowIfNull(options);
        if (replications < 2)
        {
            throw new ArgumentException($"replications: {replications} must be >= 2 for a confidence interval");
        }

        if (!(revenueTolerance >= 0) || !double.IsFinite(revenueTolerance))
        {
            throw new ArgumentException($"revenue tolerance: {revenueTolerance} must be >= 0");
        }

        options.Validate();
        baseline.Validate(demand.Area);
        alternative.Validate(demand.Area);
        var cap = Math.Max(options.ArrivalCap ?? 1, Math.Max(ParkingSimulation.ArrivalCap(demand, baseline), ParkingSimulation.ArrivalCap(demand, alternative)));
        var runs = new ParkingRunResult[2, replications];
        Parallel.For(0, 2 * replications, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, i =>
        {
            var r = i / 2;
            var o = options with { Seed = ReplicationSeed(options.Seed, r), ArrivalCap = cap };
            runs[i % 2, r] = ParkingSimulation.Run(demand, i % 2 == 0 ? baseline : alternative, o);
        });

        var b = Enumerable.Range(0, replications).Select(r => runs[0, r]).ToList();
        var a = Enumerable.Range(0, replications).Select(r => runs[1, r]).ToList();
        var weeks = options.Weeks;
        double PerWeek(ParkingRunResult run, Func<ParkingTotals, double> kpi) => kpi(run.Totals) / weeks;
        KpiDifference Diff(string name, string unit, bool lowerIsBetter, Func<ParkingTotals, double> kpi) =>
            Paired(name, unit, lowerIsBetter, b.Select(x => PerWeek(x, kpi)).ToList(), a.Select(x => PerWeek(x, kpi)).ToList());

        var currencies = demand.Area.Sites.Select(s => s.Currency).Distinct(StringComparer.Ordinal).ToList();
        var currency = currencies.Count == 1 ? currencies[0] : "money";
        var diffs = new List<KpiDifference>
        {
            Diff(HoursAbove90, "facility-hours a week", true, t => t.HoursAtOrAbove90),
            Diff(SearchVehKm, "veh-km a week", true, t => t.SearchVehKm),
            Diff(Rejected, "vehicles a week", true, t => t.Rejected),
            Diff(Revenue, currency + " a week", false, t => t.Revenue),
            Diff(Arrivals, "vehicles a week", false, t => t.Arrivals),
            Paired(MeanSearchMinutes, "minutes", true, b.Select(x => x.Totals.MeanSearchMinutes).ToList(), a.Select(x => x.Totals.MeanSearchMinutes).ToList()),
        };

        var decision = Decide(baseline, alternative, diffs, revenueTolerance, weeks, replications);
        return new WhatIfComparison(baseline, alternative, replications, weeks, cap, revenueTolerance, currency, b, a, diffs, decision);
    }

    /// <summary>Mean paired difference (alternative - baseline) with its 95% Student-t interval.</summary>
    public static KpiDifference Paired(string kpi, string unit, bool lowerIsBetter, IReadOnlyList<double> baseline, IReadOnlyList<double> alternative)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(alternative);
        if (baseline.Count != alternative.Count || baseline.Count < 2)
        {
            throw new ArgumentException("paired samples need the same length, at least 2");
        }

        var n = baseline.Count;
        var d = Enumerable.Range(0, n).Select(i => alternative[i] - baseline[i]).ToArray();
        var mean = d.Average();
        var sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (n - 1));
        var half = StudentT.InvCDF(0, 1, n - 1, 0.975) * sd / Math.Sqrt(n);
        return new KpiDifference(kpi, unit, lowerIsBetter, baseline.Average(), alternative.Average(), mean, sd, mean - half, mean + half);
    }

    private static WhatIfDecision Decide(ParkingScenario baseline, ParkingScenario alternative, IReadOnlyList<KpiDifference> diffs, double tolerance, int weeks, int replications)
    {
        var hours = diffs.First(d => d.Kpi == HoursAbove90);
        var search = diffs.First(d => d.Kpi == SearchVehKm);
        var rejected = diffs.First(d => d.Kpi == Rejected);
        var revenue = diffs.First(d => d.Kpi == Revenue);
        var allowedLoss = -tolerance * revenue.BaselineMean;
        var reasons = new List<string>();
        var evidence = FormattableString.Invariant(
            $"over {weeks} week{(weeks == 1 ? string.Empty : "s")} and {replications} paired runs, per week it changes hours at or above 90% occupancy by {Describe(hours)}, search traffic by {Describe(search)}, rejected arrivals by {Describe(rejected)} and revenue by {Describe(revenue)}");

        foreach (var d in new[] { hours, search, rejected })
        {
            if (d.SignificantlyWorse)
            {
                reasons.Add($"{Label(d.Kpi)} rises with 95% confidence");
            }
        }

        if (revenue.Upper < allowedLoss)
        {
            reasons.Add(FormattableString.Invariant($"revenue falls by more than the {tolerance:P0} tolerance with 95% confidence"));
        }

        var a = alternative.Name;
        var b = baseline.Name;
        if (reasons.Count > 0)
        {
            return new WhatIfDecision(WhatIfVerdict.Reject, $"Keep {b}, do not adopt {a}: {string.Join("; ", reasons)}. Evidence: {evidence}.", reasons);
        }

        if (hours.SignificantlyBetter && search.SignificantlyBetter && !rejected.SignificantlyWorse && revenue.Lower >= allowedLoss)
        {
            reasons.Add("hours at or above 90% and search vehicle-km fall with 95% confidence");
            reasons.Add("rejected arrivals do not rise with 95% confidence");
            reasons.Add(FormattableString.Invariant($"revenue loses at most the {tolerance:P0} tolerance at the lower 95% bound"));
            return new WhatIfDecision(WhatIfVerdict.Adopt, $"Adopt {a} over {b}: {evidence}.", reasons);
        }

        if (!hours.SignificantlyBetter)
        {
            reasons.Add("the fall in hours at or above 90% is not significant");
        }

        if (!search.SignificantlyBetter)
        {
            reasons.Add("the fall in search vehicle-km is not significant");
        }

        if (revenue.Lower < allowedLoss)
        {
            reasons.Add(FormattableString.Invariant($"a revenue loss beyond the {tolerance:P0} tolerance cannot be ruled out"));
        }

        return new WhatIfDecision(
            WhatIfVerdict.Inconclusive,
            $"No decision between {a} and {b}: {string.Join("; ", reasons)} (run more replications or weeks). Evidence: {evidence}.",
            reasons);
    }

    private static string Label(string kpi) => kpi switch
    {
        HoursAbove90 => "hours at or above 90% occupancy",
        SearchVehKm => "search vehicle-km",
        Rejected => "rejected arrivals",
        _ => kpi,
    };

    private static string Describe(KpiDifference d)
    {
        var unit = d.Unit.Replace(" a week", string.Empty, StringComparison.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"{d.MeanDifference:+#,0.0;-#,0.0;0.0} {unit} (95% CI {d.Lower:+#,0.0;-#,0.0;0.0} to {d.Upper:+#,0.0;-#,0.0;0.0})");
    }
}
