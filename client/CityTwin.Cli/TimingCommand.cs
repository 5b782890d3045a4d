using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using CityTwin.Engine.Timing;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin timing webster --flows Q1,Q2,.. --saturation S1,S2,.. --lost-time L [--json]</c>: Webster's
/// optimal cycle and effective green split for the critical lane groups (docs/signal-timing.md).
/// </summary>
internal static class TimingCommand
{
    public static Command Create()
    {
        var flows = new Option<string>("--flows") { Description = "Flow of each phase's critical lane group, veh/h, comma-separated (e.g. 500,300)", Required = true };
        var saturation = new Option<string>("--saturation") { Description = "Their saturation flows, veh/h of green, comma-separated, one per flow (e.g. 1600,1600)", Required = true };
        var lostTime = new Option<string>("--lost-time") { Description = "Total lost time of the cycle L, s (e.g. 16)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print {\"flowRatioSum\":Y,\"cycleS\":C0,\"effectiveGreensS\":[...]}" };
        var webster = new Command("webster", "Webster's optimal cycle C0 = (1.5 L + 5) / (1 - Y) and the green split in proportion to the flow ratios")
        {
            flows, saturation, lostTime, json,
        };
        webster.SetAction(parse => Run.GuardedAsync(() =>
        {
            var q = Numbers(parse.GetValue(flows)!, "--flows", allowZero: true);
            var s = Numbers(parse.GetValue(saturation)!, "--saturation", allowZero: false);
            if (q.Count != s.Count)
            {
                throw new CliInputException($"--flows has {q.Count} value(s) but --saturation has {s.Count}; give one saturation flow per flow");
            }

            var lost = Numbers(parse.GetValue(lostTime)!, "--lost-time", allowZero: true);
            if (lost.Count != 1)
            {
                throw new CliInputException($"--lost-time takes one number (the cycle's total lost time in s), not {lost.Count}");
            }

            WebsterCycle w;
            try
            {
                w = Webster.OptimalCycle(q, s, lost[0]);
            }
            catch (OversaturatedJunctionException e)
            {
                throw new CliInputException(e.Message);
            }

            if (parse.GetValue(json))
            {
                var result = new JsonObject
                {
                    ["flowRatioSum"] = w.FlowRatioSum,
                    ["cycleS"] = w.OptimalCycleS,
                    ["effectiveGreensS"] = new JsonArray(w.EffectiveGreensS.Select(g => (JsonNode)g).ToArray()),
                };
                Console.WriteLine(result.ToJsonString());
            }
            else
            {
                Console.WriteLine(Invariant($"flow ratios y = q/s: {string.Join(", ", w.FlowRatios.Select(y => y.ToString("0.####", CultureInfo.InvariantCulture)))}; Y = {w.FlowRatioSum:0.####}"));
                Console.WriteLine(Invariant($"lost time L = {w.LostTimeS:0.##} s"));
                Console.WriteLine(Invariant($"optimal cycle C0 = (1.5 L + 5) / (1 - Y) = {w.OptimalCycleS:0.##} s"));
                Console.WriteLine(Invariant($"effective greens splitting C0 - L = {w.CycleS - w.LostTimeS:0.##} s: {string.Join(", ", w.EffectiveGreensS.Select(g => g.ToString("0.##", CultureInfo.InvariantCulture)))} s"));
            }

            return Task.FromResult(ExitCodes.Ok);
        }));
        return new Command("timing", "Signal timing: calculations and city-wide plan optimisation") { webster, TimingOptimiseCommand.Create(), TimingRecommendCommand.Create() };
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Comma-separated finite numbers, each &gt;= 0 (&gt; 0 unless zero is allowed); the error names the option.</summary>
    private static List<double> Numbers(string text, string option, bool allowZero)
    {
        var values = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0)
            {
                throw new CliInputException($"{option}: '{text}' has an empty value; give numbers separated by commas");
            }

            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            {
                throw new CliInputException($"{option}: '{part}' is not a number");
            }

            if (v < 0 || (!allowZero && v == 0))
            {
                throw new CliInputException($"{option}: {part} must be {(allowZero ? ">= 0" : "> 0")}");
            }

            values.Add(v);
        }

        return values;
    }
}
