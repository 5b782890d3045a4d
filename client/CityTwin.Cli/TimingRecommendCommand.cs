using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CityTwin.Client;
using CityTwin.Contracts;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin timing recommend SIGNAL [--twin live] [--cluster URL] [--window-min 60] [--replications 10] [--seed 42] [--json]</c>:
/// a recommended plan on the signal's live detector data, with its evidence (docs/signal-timing.md, "Recommendations on live flows").
/// </summary>
internal static class TimingRecommendCommand
{
    private static readonly JsonSerializerOptions Indented = new(CityTwinHttpClient.Json) { WriteIndented = true };

    public static Command Create()
    {
        var signal = new Argument<string>("SIGNAL") { Description = "Signal id, e.g. S-08" };
        var window = new Option<int?>("--window-min") { Description = "Minutes of detector data, ending at the newest report (5-120; default 60)" };
        var replications = new Option<int?>("--replications") { Description = "Paired simulation replications (10-100; default 10)" };
        var seed = new Option<long?>("--seed") { Description = "Seed of the first replication (default 42)" };
        var json = new Option<bool>("--json") { Description = "Print the whole evidence as JSON" };
        var command = new Command("recommend", "A recommended timing plan for one signal on its live detector data, with its evidence")
        {
            signal, Cluster.TwinOption, Cluster.ClusterOption, Cluster.TokenOption, Cluster.CityOption, window, replications, seed, json,
        };
        command.SetAction((parse, cancellationToken) => Run.GuardedAsync(async () =>
        {
            var request = new RecommendationRequest(parse.GetValue(window), parse.GetValue(replications), parse.GetValue(seed));
            var problems = request.Problems();
            if (problems.Count > 0)
            {
                throw new CliInputException(string.Join("; ", problems).Replace("windowMin:", "--window-min:", StringComparison.Ordinal)
                    .Replace("replications:", "--replications:", StringComparison.Ordinal).Replace("seed:", "--seed:", StringComparison.Ordinal));
            }

            await using var cluster = await Cluster.ConnectAsync(parse, parse.GetValue(Cluster.CityOption), cancellationToken);
            var rec = await cluster.Api.GetRecommendationAsync(parse.GetValue(Cluster.TwinOption)!, parse.GetValue(signal)!, request, cancellationToken);
            Console.Write(parse.GetValue(json) ? JsonSerializer.Serialize(rec, Indented) + Environment.NewLine : Describe(rec));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string F(double? v, string format = "0.#") => v is { } d ? d.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Describe(RecommendationEvidence r)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine(r.Decision);
        w.WriteLine($"evidence {r.EvidenceId}; window {r.WindowStart:O} .. {r.WindowEnd:O} ({r.WindowMin} min); completeness {F(r.Completeness * 100)}% (at least {F(r.MinCompleteness * 100)}%)");
        w.WriteLine($"{"detector",-12} {"status",-10} {"reports",9} {"flow veh/h",10}  why");
        foreach (var d in r.Detectors)
        {
            w.WriteLine($"{d.Id,-12} {d.Status.ToString().ToLowerInvariant(),-10} {$"{d.IntervalsReceived}/{d.IntervalsExpected}",9} {F(d.FlowVehH, "0"),10}  {d.Why}");
        }

        void Plan(string name, PlanEvidence? p)
        {
            if (p is null)
            {
                return;
            }

            w.WriteLine($"{name} plan '{p.Plan.Id}': cycle {F(p.Plan.CycleS)} s, greens {string.Join(", ", p.Plan.Phases.Select(x => F(x.GreenS)))} s; HCM delay {F(p.ControlDelayS)} s/veh (LOS {p.Los}); safety rules broken: {p.Violations.Count}");
        }

        Plan("current", r.Current);
        Plan(r.Recommended ? "recommended" : "examined", r.Candidate);
        if (r.Simulation is { } s)
        {
            w.WriteLine($"simulated from {s.Start:O} for {F(s.HorizonS / 60)} min, {s.Replications} paired replications (seed {s.Seed}): stop-line delay {F(s.CurrentMeanVehH, "0.00")} -> {F(s.RecommendedMeanVehH, "0.00")} veh-h, change {F(s.ChangeVehH, "+0.00;-0.00")} veh-h, 95% interval {F(s.ChangeLowVehH, "+0.00;-0.00")} to {F(s.ChangeHighVehH, "+0.00;-0.00")}");
        }

        return w.ToString();
    }
}
