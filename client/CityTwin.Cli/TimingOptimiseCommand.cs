using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Engine.City;
using CityTwin.Engine.Timing;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin timing optimise [CITY]</c>: recommends plans for every signal of a city over a time window and proves
/// them by simulation against a baseline (the rule of thumb: equal splits, one cycle): flows per lane group from a
/// simulation of the baseline, each signal optimised on them (HCM delay, Nelder-Mead from Webster), every plan checked
/// by the safety rules, and the change of total delay over seeded paired replications with its confidence interval.
/// </summary>
internal static class TimingOptimiseCommand
{
    public static Command Create()
    {
        var city = new Argument<string?>("CITY") { Description = "City folder (default: the sample city)", Arity = ArgumentArity.ZeroOrOne };
        var demand = new Option<string[]>("--demand") { Description = "Demand CSV file(s) (default: the city's own)", AllowMultipleArgumentsPerToken = true };
        var start = new Option<string>("--start") { Description = "Start of the window: seconds from midnight or HH:MM", DefaultValueFactory = _ => "07:00" };
        var until = new Option<string>("--until") { Description = "End of the window", DefaultValueFactory = _ => "09:00" };
        var cycle = new Option<double>("--baseline-cycle") { Description = "Cycle of the rule-of-thumb baseline (s)", DefaultValueFactory = _ => 90 };
        var replications = new Option<int>("--replications") { Description = "Paired simulation replications (at least 10 for a recommendation)", DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the first replication", DefaultValueFactory = _ => 42 };
        var outDir = new Option<string?>("--out") { Description = "Output folder for plans.json, replications.csv, signals.csv (default: ./timing-out)" };
        var command = new Command("optimise", "Recommend plans for every signal and prove them by simulation against the rule-of-thumb baseline")
        {
            city, demand, start, until, cycle, replications, seed, outDir,
        };
        command.Aliases.Add("optimize");
        command.SetAction(parse => Run.GuardedAsync(() =>
        {
            var wall = Stopwatch.StartNew();
            var (_, model, _, set) = CityInput.Load(parse.GetValue(city), parse.GetValue(demand));

            var from = SimulateCommand.Time(parse.GetValue(start), "--start")!.Value;
            var to = SimulateCommand.Time(parse.GetValue(until), "--until")!.Value;
            if (to <= from)
            {
                throw new CliInputException("--until must be after --start");
            }

            var n = parse.GetValue(replications);
            if (n < 10)
            {
                throw new CliInputException($"--replications {n}: a recommendation needs at least 10 replications");
            }

            var firstSeed = parse.GetValue(seed);
            var output = parse.GetValue(outDir) ?? "timing-out";
            Directory.CreateDirectory(output);

            var study = CityTiming.Recommend(model, set.Trips, set.OdRows, new CityTimingOptions
            {
                FromS = from,
                ToS = to,
                BaselineCycleS = parse.GetValue(cycle),
                Replications = n,
                Seed = firstSeed,
            });
            var comparison = study.Comparison;
            var decision = Decision(comparison, n, model.Signals.Count);
            Console.WriteLine(decision);
            Console.WriteLine(Invariant($"| | baseline (rule of thumb: equal splits, {parse.GetValue(cycle):0} s) | optimised | change | {comparison.Confidence * 100:0}% interval |"));
            Console.WriteLine("|---|---:|---:|---:|---|");
            Console.WriteLine(Invariant($"| total delay, mean of {n} replications | {comparison.BaselineMeanVehH:F1} veh-h | {comparison.CandidateMeanVehH:F1} veh-h | {comparison.ChangePercent:+0.0;-0.0}% | {comparison.ChangeLowPercent:+0.0;-0.0}% to {comparison.ChangeHighPercent:+0.0;-0.0}% |"));
            Console.WriteLine(Invariant($"data: lane-group flows of a baseline simulation, {TimeText(from)}-{TimeText(to)}, {study.VehiclesMeasured} vehicles across {study.Flows.Values.Sum(f => f.Count)} lane groups; every plan passes the safety rules; seeds {firstSeed}..{firstSeed + (ulong)n - 1}"));

            Write(output, model, study, decision);
            Console.WriteLine(Invariant($"wrote {Path.GetFullPath(output)} (plans.json, signals.csv, replications.csv) in {wall.Elapsed.TotalSeconds:F1} s"));
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    /// <summary>The decision in one plain sentence.</summary>
    internal static string Decision(PlanComparison c, int replications, int signals) => c.SignificantImprovement
        ? Invariant($"Recommend the optimised plans for all {signals} signals: total delay {c.ChangePercent:+0.0;-0.0}% against the rule-of-thumb plans ({c.Confidence * 100:0}% interval {c.ChangeLowPercent:+0.0;-0.0}% to {c.ChangeHighPercent:+0.0;-0.0}%, {replications} paired replications).")
        : Invariant($"Do not recommend the optimised plans: the change of total delay ({c.ChangePercent:+0.0;-0.0}%, {c.Confidence * 100:0}% interval {c.ChangeLowPercent:+0.0;-0.0}% to {c.ChangeHighPercent:+0.0;-0.0}%) is not a significant improvement over {replications} replications.");

    private static void Write(
        string output,
        CityModel model,
        CityTimingResult study,
        string decision)
    {
        var (baseline, optimised, flows, comparison) = (study.Baseline, study.Optimised, study.Flows, study.Comparison);
        var baselineDelay = model.Signals.ToDictionary(s => s.Id, s => HcmDelay.Evaluate(s, baseline[s.Id], flows[s.Id]), StringComparer.Ordinal);
        var plans = new JsonObject
        {
            ["decision"] = decision,
            ["recommended"] = comparison.SignificantImprovement,
            ["changePercent"] = comparison.ChangePercent,
            ["changeLowPercent"] = comparison.ChangeLowPercent,
            ["changeHighPercent"] = comparison.ChangeHighPercent,
            ["signals"] = new JsonObject(model.Signals.Select(s => KeyValuePair.Create(s.Id, (JsonNode?)new JsonObject
            {
                ["baseline"] = PlanJson(baseline[s.Id]),
                ["optimised"] = PlanJson(optimised[s.Id].Plan),
                ["hcmDelayBaselineS"] = baselineDelay[s.Id].ControlDelayS,
                ["hcmDelayOptimisedS"] = optimised[s.Id].Delay.ControlDelayS,
            }))),
        };
        File.WriteAllText(Path.Combine(output, "plans.json"), plans.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var signals = new StringBuilder("signal,baseline_cycle_s,optimised_cycle_s,optimised_greens_s,hcm_delay_baseline_s,hcm_delay_optimised_s,los_optimised\n");
        foreach (var s in model.Signals)
        {
            var o = optimised[s.Id];
            var b = baselineDelay[s.Id];
            signals.Append(Invariant($"{s.Id},{baseline[s.Id].CycleS:0.#},{o.Plan.CycleS:0.#},{string.Join(' ', o.Plan.Phases.Select(p => p.GreenS.ToString("0.#", CultureInfo.InvariantCulture)))},{b.ControlDelayS:F2},{o.Delay.ControlDelayS:F2},{o.Delay.Los}\n"));
        }

        File.WriteAllText(Path.Combine(output, "signals.csv"), signals.ToString());
        var runs = new StringBuilder("replication,seed,trips,baseline_delay_veh_h,optimised_delay_veh_h,change_veh_h\n");
        foreach (var r in comparison.Runs)
        {
            runs.Append(Invariant($"{r.Replication},{r.Seed},{r.Trips},{r.BaselineDelayVehH:F3},{r.CandidateDelayVehH:F3},{r.ChangeVehH:F3}\n"));
        }

        File.WriteAllText(Path.Combine(output, "replications.csv"), runs.ToString());
    }

    private static JsonObject PlanJson(TimingPlan p) => new()
    {
        ["id"] = p.Id,
        ["cycleS"] = p.CycleS,
        ["offsetS"] = p.OffsetS,
        ["phases"] = new JsonArray(p.Phases.Select(ph => (JsonNode)new JsonObject
        {
            ["id"] = ph.Id,
            ["greenS"] = ph.GreenS,
            ["amberS"] = ph.AmberS,
            ["allRedS"] = ph.AllRedS,
            ["serves"] = new JsonArray(ph.Serves.Select(g => (JsonNode)g.ToString()).ToArray()),
        }).ToArray()),
    };

    private static string TimeText(double s) => TimeSpan.FromSeconds(s).ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
