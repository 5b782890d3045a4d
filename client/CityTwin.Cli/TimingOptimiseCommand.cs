using System.Runtime;
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
        var corridorsOption = new Option<string>("--corridors")
        {
            Description = "Corridors to coordinate (one cycle, offsets for a green wave): auto (found from the city and its flows), none, or signal ids such as \"S-01,S-02,S-03;S-10,S-11\"",
            DefaultValueFactory = _ => "auto",
        };
        var offsetEvidence = new Option<bool>("--offset-evidence")
        {
            Description = "With corridors, also measure what the offsets alone are worth (the coordinated plans with their original offsets as one more arm of the replications: one more simulation per replication)",
        };
        var maxPressure = new Option<bool>("--compare-max-pressure") { Description = "Also compare max-pressure adaptive control with the recommended fixed plans (a what-if; writes max-pressure.json)" };
        var command = new Command("optimise", "Recommend plans for every signal and prove them by simulation against the rule-of-thumb baseline")
        {
            city, demand, start, until, cycle, replications, seed, outDir, corridorsOption, offsetEvidence, maxPressure,
        };
        command.Aliases.Add("optimize");
        command.SetAction(parse => Run.GuardedAsync(() =>
        {
            var wall = Stopwatch.StartNew();

            // A batch computation with nothing waiting on it: no background GC (it cost about 3% of the run in CPU).
            GCSettings.LatencyMode = GCLatencyMode.Batch;
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

            var corridorChoice = ParseCorridors(model, parse.GetValue(corridorsOption));
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
                Corridors = corridorChoice,
                OffsetEvidence = parse.GetValue(offsetEvidence),
                CompareMaxPressure = parse.GetValue(maxPressure),
            });
            var comparison = study.Comparison;
            var decision = Decision(comparison, n, model.Signals.Count);
            Console.WriteLine(decision);
            if (study.CoordinationComparison is { } coordination)
            {
                Console.WriteLine(CoordinationDecision(coordination, study.OffsetComparison, study.Corridors.Count, n));
            }

            if (study.MaxPressureComparison is { } mp)
            {
                Console.WriteLine(MaxPressureDecision(mp, n));
            }

            Console.WriteLine(Invariant($"| | baseline (rule of thumb: equal splits, {parse.GetValue(cycle):0} s) | optimised | change | {comparison.Confidence * 100:0}% interval |"));
            Console.WriteLine("|---|---:|---:|---:|---|");
            Console.WriteLine(Invariant($"| total delay, mean of {n} replications | {comparison.BaselineMeanVehH:F1} veh-h | {comparison.CandidateMeanVehH:F1} veh-h | {comparison.ChangePercent:+0.0;-0.0}% | {comparison.ChangeLowPercent:+0.0;-0.0}% to {comparison.ChangeHighPercent:+0.0;-0.0}% |"));
            if (study.CoordinationComparison is { } cc)
            {
                Console.WriteLine(Invariant($"| corridors: each signal's own optimised plan -> coordinated plans (common cycle, green-wave offsets) | {cc.BaselineMeanVehH:F1} veh-h | {cc.CandidateMeanVehH:F1} veh-h | {cc.ChangePercent:+0.0;-0.0}% | {cc.ChangeLowPercent:+0.0;-0.0}% to {cc.ChangeHighPercent:+0.0;-0.0}% |"));
            }

            if (study.OffsetComparison is { } oc)
            {
                Console.WriteLine(Invariant($"| offsets: coordinated plans with their original offsets -> green-wave offsets | {oc.BaselineMeanVehH:F1} veh-h | {oc.CandidateMeanVehH:F1} veh-h | {oc.ChangePercent:+0.0;-0.0}% | {oc.ChangeLowPercent:+0.0;-0.0}% to {oc.ChangeHighPercent:+0.0;-0.0}% |"));
            }

            if (study.MaxPressureComparison is { } mc)
            {
                Console.WriteLine(Invariant($"| what-if: the recommended fixed plans -> max-pressure control | {mc.BaselineMeanVehH:F1} veh-h | {mc.CandidateMeanVehH:F1} veh-h | {mc.ChangePercent:+0.0;-0.0}% | {mc.ChangeLowPercent:+0.0;-0.0}% to {mc.ChangeHighPercent:+0.0;-0.0}% |"));
            }

            foreach (var c in study.Corridors)
            {
                Console.WriteLine(Invariant($"corridor {c.Corridor}: cycle {c.CycleS:0.#} s, offsets {string.Join(", ", c.OffsetsS.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))} s (were {string.Join(", ", c.StartOffsetsS.Select(x => x.ToString("0.#", CultureInfo.InvariantCulture)))}); platoon-model delay {c.StartModelDelayVehH:F1} -> {c.ModelDelayVehH:F1} veh-h/h"));
            }

            Console.WriteLine(Invariant($"data: lane-group flows of a baseline simulation, {TimeText(from)}-{TimeText(to)}, {study.VehiclesMeasured} vehicles across {study.Flows.Values.Sum(f => f.Count)} lane groups; every plan passes the safety rules; seeds {firstSeed}..{firstSeed + (ulong)n - 1}"));

            Write(output, model, study, decision);
            var files = "plans.json, signals.csv, replications.csv" + (study.Corridors.Count > 0 ? ", corridors.csv" : "") + (study.MaxPressureComparison is null ? "" : ", max-pressure.json");
            Console.WriteLine(Invariant($"wrote {Path.GetFullPath(output)} ({files}) in {wall.Elapsed.TotalSeconds:F1} s"));
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    /// <summary>The decision in one plain sentence.</summary>
    internal static string Decision(PlanComparison c, int replications, int signals) => c.SignificantImprovement
        ? Invariant($"Recommend the optimised plans for all {signals} signals: total delay {c.ChangePercent:+0.0;-0.0}% against the rule-of-thumb plans ({c.Confidence * 100:0}% interval {c.ChangeLowPercent:+0.0;-0.0}% to {c.ChangeHighPercent:+0.0;-0.0}%, {replications} paired replications).")
        : Invariant($"Do not recommend the optimised plans: the change of total delay ({c.ChangePercent:+0.0;-0.0}%, {c.Confidence * 100:0}% interval {c.ChangeLowPercent:+0.0;-0.0}% to {c.ChangeHighPercent:+0.0;-0.0}%) is not a significant improvement over {replications} replications.");

    /// <summary>Whether the corridors are coordinated, in one sentence, and what the offsets are worth when measured, in a second.</summary>
    internal static string CoordinationDecision(PlanComparison coordination, PlanComparison? offsets, int corridors, int replications)
    {
        var c = coordination;
        var first = c.SignificantImprovement
            ? Invariant($"Coordinate the {corridors} corridor(s): their plans (one cycle per corridor, green-wave offsets) cut total delay by {-c.ChangePercent:0.0}% against each signal's own optimised plan ({c.Confidence * 100:0}% interval {c.ChangeLowPercent:+0.0;-0.0}% to {c.ChangeHighPercent:+0.0;-0.0}%, {replications} paired replications); the recommended plans are the coordinated ones.")
            : Invariant($"Do not coordinate the {corridors} corridor(s): against each signal's own optimised plan their plans (one cycle per corridor, green-wave offsets) change total delay by {c.ChangePercent:+0.0;-0.0}% ({c.Confidence * 100:0}% interval {c.ChangeLowPercent:+0.0;-0.0}% to {c.ChangeHighPercent:+0.0;-0.0}%, {replications} paired replications), not a significant improvement; the recommended plans are each signal's own.");
        if (offsets is not { } o)
        {
            return first;
        }

        return first + " " + Invariant($"The offsets alone: {o.ChangePercent:+0.0;-0.0}% against the same coordinated plans with their original offsets ({o.Confidence * 100:0}% interval {o.ChangeLowPercent:+0.0;-0.0}% to {o.ChangeHighPercent:+0.0;-0.0}%, {replications} paired replications).");
    }

    /// <summary>The max-pressure what-if, in one sentence.</summary>
    internal static string MaxPressureDecision(PlanComparison c, int replications) => Invariant(
        $"What-if: max-pressure control {(c.SignificantImprovement ? "beats" : c.ChangeLowVehH > 0 ? "is worse than" : "is not significantly different from")} the recommended fixed plans: total delay {c.ChangePercent:+0.0;-0.0}% ({c.Confidence * 100:0}% interval {c.ChangeLowPercent:+0.0;-0.0}% to {c.ChangeHighPercent:+0.0;-0.0}%, {replications} paired replications).");

    /// <summary>Reads <c>--corridors</c>: auto, none, or corridors of signal ids (commas between signals, semicolons between corridors).</summary>
    internal static CorridorChoice ParseCorridors(CityModel model, string? text)
    {
        var value = (text ?? "auto").Trim();
        if (value.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return CorridorChoice.Auto;
        }

        if (value.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return CorridorChoice.None;
        }

        var lists = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => (IReadOnlyList<string>)c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        if (lists.Count == 0)
        {
            throw new CliInputException($"--corridors '{text}': expected auto, none or signal ids such as S-01,S-02;S-10,S-11");
        }

        try
        {
            Corridors.CheckDisjoint([.. lists.Select(ids => Corridors.FromIds(model, ids))]);
        }
        catch (ArgumentException e)
        {
            throw new CliInputException($"--corridors: {e.Message.Split(" (Parameter", StringSplitOptions.None)[0]}");
        }

        return CorridorChoice.Explicit(lists);
    }

    private static void Write(
        string output,
        CityModel model,
        CityTimingResult study,
        string decision)
    {
        var (baseline, recommended, flows, comparison) = (study.Baseline, study.Recommended, study.Flows, study.Comparison);
        var baselineDelay = model.Signals.ToDictionary(s => s.Id, s => HcmDelay.Evaluate(s, baseline[s.Id], flows[s.Id]), StringComparer.Ordinal);
        var recommendedDelay = model.Signals.ToDictionary(s => s.Id, s => HcmDelay.Evaluate(s, recommended[s.Id], flows[s.Id]), StringComparer.Ordinal);
        var corridorOf = study.Corridors.SelectMany(c => c.Corridor.SignalIds.Select(id => (id, c))).ToDictionary(x => x.id, x => x.c, StringComparer.Ordinal);
        var plans = new JsonObject
        {
            ["decision"] = decision,
            ["recommended"] = comparison.SignificantImprovement,
            ["changePercent"] = comparison.ChangePercent,
            ["changeLowPercent"] = comparison.ChangeLowPercent,
            ["changeHighPercent"] = comparison.ChangeHighPercent,
            ["corridors"] = new JsonArray(study.Corridors.Select(c => (JsonNode)new JsonObject
            {
                ["signals"] = new JsonArray(c.Corridor.SignalIds.Select(id => (JsonNode)id).ToArray()),
                ["cycleS"] = c.CycleS,
                ["offsetsS"] = new JsonArray(c.OffsetsS.Select(x => (JsonNode)x).ToArray()),
                ["originalOffsetsS"] = new JsonArray(c.StartOffsetsS.Select(x => (JsonNode)x).ToArray()),
                ["modelDelayVehH"] = c.ModelDelayVehH,
                ["modelDelayOriginalOffsetsVehH"] = c.StartModelDelayVehH,
            }).ToArray()),
            ["coordinationAdopted"] = study.CoordinationAdopted,
            ["coordination"] = study.CoordinationComparison is { } cc ? ComparisonJson(cc, CoordinationDecision(cc, study.OffsetComparison, study.Corridors.Count, cc.Runs.Count)) : null,
            ["offsets"] = study.OffsetComparison is { } oc ? ComparisonJson(oc, "the coordinated plans with their original offsets (baseline) against the green-wave offsets (candidate)") : null,
            ["signals"] = new JsonObject(model.Signals.Select(s => KeyValuePair.Create(s.Id, (JsonNode?)new JsonObject
            {
                ["baseline"] = PlanJson(baseline[s.Id]),
                ["optimised"] = PlanJson(recommended[s.Id]),
                ["coordinated"] = study.Coordinated is { } co ? PlanJson(co[s.Id]) : null,
                ["corridor"] = corridorOf.TryGetValue(s.Id, out var c) ? c.Corridor.ToString() : null,
                ["hcmDelayBaselineS"] = baselineDelay[s.Id].ControlDelayS,
                ["hcmDelayOptimisedS"] = recommendedDelay[s.Id].ControlDelayS,
            }))),
        };
        File.WriteAllText(Path.Combine(output, "plans.json"), plans.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var signals = new StringBuilder("signal,baseline_cycle_s,optimised_cycle_s,optimised_greens_s,offset_s,corridor,hcm_delay_baseline_s,hcm_delay_optimised_s,los_optimised\n");
        foreach (var s in model.Signals)
        {
            var p = recommended[s.Id];
            var d = recommendedDelay[s.Id];
            var b = baselineDelay[s.Id];
            var corridor = corridorOf.TryGetValue(s.Id, out var c) ? c.Corridor.ToString().Replace(',', ' ') : "";
            signals.Append(Invariant($"{s.Id},{baseline[s.Id].CycleS:0.#},{p.CycleS:0.#},{string.Join(' ', p.Phases.Select(x => x.GreenS.ToString("0.#", CultureInfo.InvariantCulture)))},{p.OffsetS:0.#},{corridor},{b.ControlDelayS:F2},{d.ControlDelayS:F2},{d.Los}\n"));
        }

        File.WriteAllText(Path.Combine(output, "signals.csv"), signals.ToString());
        var runs = new StringBuilder("replication,seed,trips,baseline_delay_veh_h,optimised_delay_veh_h,change_veh_h\n");
        foreach (var r in comparison.Runs)
        {
            runs.Append(Invariant($"{r.Replication},{r.Seed},{r.Trips},{r.BaselineDelayVehH:F3},{r.CandidateDelayVehH:F3},{r.ChangeVehH:F3}\n"));
        }

        File.WriteAllText(Path.Combine(output, "replications.csv"), runs.ToString());

        if (study.Corridors.Count > 0)
        {
            var corridors = new StringBuilder("corridor,position,signal,cycle_s,offset_s,original_offset_s\n");
            foreach (var c in study.Corridors)
            {
                for (var i = 0; i < c.Corridor.SignalIds.Count; i++)
                {
                    corridors.Append(Invariant($"{c.Corridor.ToString().Replace(',', ' ')},{i + 1},{c.Corridor.SignalIds[i]},{c.CycleS:0.###},{c.OffsetsS[i]:0},{c.StartOffsetsS[i]:0.###}\n"));
                }
            }

            File.WriteAllText(Path.Combine(output, "corridors.csv"), corridors.ToString());
        }

        if (study.MaxPressureComparison is { } mp)
        {
            var json = ComparisonJson(mp, MaxPressureDecision(mp, mp.Runs.Count));
            json["baseline"] = "the recommended fixed plans";
            json["candidate"] = "max-pressure control (Varaiya 2013) on the same phases, amber and all-red";
            File.WriteAllText(Path.Combine(output, "max-pressure.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    private static JsonObject ComparisonJson(PlanComparison c, string decision) => new()
    {
        ["decision"] = decision,
        ["significantImprovement"] = c.SignificantImprovement,
        ["confidence"] = c.Confidence,
        ["baselineMeanVehH"] = c.BaselineMeanVehH,
        ["candidateMeanVehH"] = c.CandidateMeanVehH,
        ["changePercent"] = c.ChangePercent,
        ["changeLowPercent"] = c.ChangeLowPercent,
        ["changeHighPercent"] = c.ChangeHighPercent,
        ["replications"] = new JsonArray(c.Runs.Select(r => (JsonNode)new JsonObject
        {
            ["replication"] = r.Replication,
            ["seed"] = r.Seed,
            ["trips"] = r.Trips,
            ["baselineDelayVehH"] = r.BaselineDelayVehH,
            ["candidateDelayVehH"] = r.CandidateDelayVehH,
        }).ToArray()),
    };

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
