using System.Globalization;
using System.Net;
using System.Text;
using CityTwin.Engine.Scenarios;

namespace CityTwin.Formats.Scenarios;

/// <summary>
/// Writes a scenario's report into a folder: <c>report.md</c>, a self-contained <c>report.html</c> (inline SVG charts,
/// no scripts, no external styles), <c>results.json</c> (every number) and <c>kpis.csv</c> (one row per work item).
/// Both reports open with the decision in one sentence and the evidence table under it.
/// </summary>
public static class ScenarioReport
{
    private static readonly string[] Colours = ["#444444", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"];

    /// <summary>Writes the four files; returns their paths.</summary>
    public static IReadOnlyList<string> Write(string folder, ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(folder);
        var files = new (string Name, string Text)[]
        {
            ("report.md", Markdown(result)),
            ("report.html", Html(result)),
            ("results.json", ScenarioJson.Write(result, indented: true)),
            ("kpis.csv", Csv(result)),
        };
        foreach (var (name, text) in files)
        {
            File.WriteAllText(Path.Combine(folder, name), text);
        }

        return [.. files.Select(f => Path.Combine(folder, f.Name))];
    }

    /// <summary>The evidence: for every alternative and KPI, the base's and the alternative's mean, the change and its interval.</summary>
    public static IReadOnlyList<string[]> EvidenceRows(ScenarioResult r)
    {
        var rows = new List<string[]>();
        var conf = ScenarioRunner.Pct(r.Confidence);
        foreach (var arm in r.Arms.Where(a => a.VsBase.Count > 0))
        {
            foreach (var c in arm.VsBase)
            {
                var decides = c.Kpi == r.Decision.Rule.Kpi ? " (decides)" : "";
                rows.Add([arm.Name, $"{c.Kpi}{decides}", $"{Num(c.BaseMean)} {c.Unit}", $"{Num(c.AlternativeMean)} {c.Unit}", ScenarioRunner.Describe(c, conf)]);
            }
        }

        return rows;
    }

    /// <summary>The facts under the evidence table: data, replications, seeds, window, interval and rule.</summary>
    public static IReadOnlyList<string> Facts(ScenarioResult r)
    {
        var rule = r.Decision.Rule;
        var goal = rule.Goal == Goal.Minimise ? "lowest" : "highest";
        return
        [
            $"Base: {r.Base}.",
            $"Window: {Clock(r.Window.FromS)}-{Clock(r.Window.ToS)}, vehicles followed {r.Window.DrainS / 60:0} min after it.",
            Invariant($"Replications: {r.Replications} of every arm, paired (replication i runs seed {r.Seed} + i in every arm: seeds {r.Seed}..{r.Seed + (ulong)r.Replications - 1})."),
            $"Intervals: {ScenarioRunner.Pct(r.Confidence)} confidence, Student's t over the {r.Replications} paired differences (alternative - base).",
            $"Decision rule: the {goal} mean of {rule.Kpi}, if the whole interval of its change beats the base by at least {ScenarioRunner.Pct(rule.MinImprovement)}; else keep the base.",
            .. r.DataUsed.Select(d => $"Data: {d}."),
        ];
    }

    private static string Markdown(ScenarioResult r)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# {r.Title}\n\n**{r.Decision.Sentence}**\n\n");
        sb.Append("| alternative | KPI | base | alternative | change against the base |\n|---|---|---:|---:|---|\n");
        foreach (var row in EvidenceRows(r))
        {
            sb.Append("| ").AppendJoin(" | ", row).Append(" |\n");
        }

        sb.Append('\n');
        foreach (var f in Facts(r))
        {
            sb.Append("- ").Append(f).Append('\n');
        }

        sb.Append("\n## Alternatives\n\n");
        foreach (var arm in r.Arms)
        {
            sb.Append(CultureInfo.InvariantCulture, $"- **{arm.Name}**: {(arm.Description ?? (arm.Name == ScenarioRunner.BaseName ? r.Base : ""))}");
            if (arm.Changes.Count > 0)
            {
                sb.Append(" (").AppendJoin("; ", arm.Changes).Append(')');
            }

            sb.Append('\n');
        }

        sb.Append("\n## KPIs by arm (mean and standard deviation over the replications)\n\n| KPI | ").AppendJoin(" | ", r.Arms.Select(a => a.Name)).Append(" |\n|---|").Append(string.Concat(r.Arms.Select(_ => "---:|"))).Append('\n');
        foreach (var kpi in r.Arms[0].Kpis.Select(k => k.Kpi))
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {kpi} ({ScenarioKpis.ByName[kpi].Unit}) | ")
                .AppendJoin(" | ", r.Arms.Select(a => a.Kpis.First(k => k.Kpi == kpi)).Select(k => $"{Num(k.Mean)} ± {Num(k.StdDev)}")).Append(" |\n");
        }

        var workers = r.Runs.Where(x => x.Worker is not null).GroupBy(x => x.Worker!).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (workers.Count > 0)
        {
            sb.Append("\n## Where the work ran\n\n").AppendJoin(", ", workers.Select(g => $"{g.Key}: {g.Count()} work items")).Append(".\n");
        }

        sb.Append("\nCharts: report.html. Every number: results.json and kpis.csv.\n");
        return sb.ToString();
    }

    private static string Html(ScenarioResult r)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(r.Title)).Append("</title>\n<style>")
          .Append("body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}")
          .Append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}td.n{text-align:right}")
          .Append(".decision{font-size:1.25em;font-weight:bold;padding:.6em;border-left:6px solid #1f77b4;background:#f3f7fb}svg{display:block;margin:1em 0}")
          .Append("</style></head><body>\n<h1>").Append(E(r.Title)).Append("</h1>\n<p class=\"decision\">").Append(E(r.Decision.Sentence)).Append("</p>\n");
        sb.Append("<table><tr><th>alternative</th><th>KPI</th><th>base</th><th>alternative</th><th>change against the base</th></tr>\n");
        foreach (var row in EvidenceRows(r))
        {
            sb.Append("<tr><td>").Append(E(row[0])).Append("</td><td>").Append(E(row[1])).Append("</td><td class=\"n\">").Append(E(row[2]))
              .Append("</td><td class=\"n\">").Append(E(row[3])).Append("</td><td>").Append(E(row[4])).Append("</td></tr>\n");
        }

        sb.Append("</table>\n<ul>");
        foreach (var f in Facts(r))
        {
            sb.Append("<li>").Append(E(f)).Append("</li>");
        }

        sb.Append("</ul>\n<h2>Alternatives</h2><ul>");
        foreach (var arm in r.Arms)
        {
            sb.Append("<li><b>").Append(E(arm.Name)).Append("</b>: ").Append(E(arm.Description ?? (arm.Name == ScenarioRunner.BaseName ? r.Base : "")));
            if (arm.Changes.Count > 0)
            {
                sb.Append(" (").Append(E(string.Join("; ", arm.Changes))).Append(')');
            }

            sb.Append("</li>");
        }

        sb.Append("</ul>\n");
        if (r.IntervalStartsS.Count > 0)
        {
            sb.Append("<h2>Delay over time</h2>").Append(LineChart(r, r.IntervalStartsS, a => a.DelayVehH, "delay at stop lines per 5 min (veh-h)"));
            sb.Append("<h2>Queues over time</h2>").Append(LineChart(r, r.IntervalStartsS, a => a.QueueVeh, "vehicles queued at the signals (mean per 5 min)"));
        }

        if (r.OccupancyHoursS.Count > 0)
        {
            sb.Append("<h2>Parking occupancy over time</h2>").Append(LineChart(r, r.OccupancyHoursS, a => a.Occupancy.Select(x => x * 100).ToArray(), "occupancy of all facilities, weekday mean (%)"));
        }

        sb.Append("<h2>Changes against the base</h2><p>Mean paired change with its ").Append(ScenarioRunner.Pct(r.Confidence)).Append(" interval, % of the base's mean; the dashed line is the required improvement of the deciding KPI.</p>");
        sb.Append(DeltaChart(r));
        sb.Append("\n</body></html>\n");
        return sb.ToString();
    }

    private static string LineChart(ScenarioResult r, IReadOnlyList<double> xs, Func<ArmResult, IReadOnlyList<double>> ys, string yLabel)
    {
        const double W = 900, H = 300, L = 60, R = 160, T = 15, B = 40;
        var series = r.Arms.Select(a => (a.Name, Values: ys(a))).Where(s => s.Values.Count == xs.Count && xs.Count > 0).ToList();
        if (series.Count == 0)
        {
            return "";
        }

        var max = Math.Max(1e-9, series.Max(s => s.Values.Max()));
        var x0 = xs[0];
        var x1 = xs.Count > 1 ? xs[^1] : xs[0] + 1;
        double X(double x) => L + ((x - x0) / (x1 - x0) * (W - L - R));
        double Y(double y) => T + ((1 - (y / max)) * (H - T - B));
        var sb = new StringBuilder();
        sb.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{E(yLabel)}\">"));
        sb.Append(Invariant($"<line x1=\"{L}\" y1=\"{H - B}\" x2=\"{W - R}\" y2=\"{H - B}\" stroke=\"#999\"/><line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{H - B}\" stroke=\"#999\"/>"));
        for (var i = 0; i <= 4; i++)
        {
            var v = max * i / 4;
            sb.Append(Invariant($"<text x=\"{L - 6}\" y=\"{Y(v) + 4:0.#}\" font-size=\"11\" text-anchor=\"end\">{Num(v)}</text><line x1=\"{L}\" y1=\"{Y(v):0.#}\" x2=\"{W - R}\" y2=\"{Y(v):0.#}\" stroke=\"#eee\"/>"));
        }

        var step = Math.Max(1, xs.Count / 8);
        for (var i = 0; i < xs.Count; i += step)
        {
            sb.Append(Invariant($"<text x=\"{X(xs[i]):0.#}\" y=\"{H - B + 16}\" font-size=\"11\" text-anchor=\"middle\">{Clock(xs[i])}</text>"));
        }

        sb.Append(Invariant($"<text x=\"{L}\" y=\"{H - 6}\" font-size=\"11\">{E(yLabel)}</text>"));
        for (var s = 0; s < series.Count; s++)
        {
            var colour = Colours[s % Colours.Length];
            var points = string.Join(' ', series[s].Values.Select((v, i) => Invariant($"{X(xs[i]):0.#},{Y(v):0.#}")));
            sb.Append(Invariant($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points}\"/>"));
            sb.Append(Invariant($"<rect x=\"{W - R + 15}\" y=\"{T + (s * 18)}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{W - R + 32}\" y=\"{T + (s * 18) + 10}\" font-size=\"12\">{E(series[s].Name)}</text>"));
        }

        return sb.Append("</svg>\n").ToString();
    }

    private static string DeltaChart(ScenarioResult r)
    {
        var rows = r.Arms.SelectMany(a => a.VsBase.Where(c => c.ChangePercent is not null).Select(c => (Arm: a.Name, C: c))).ToList();
        if (rows.Count == 0)
        {
            return "<p>No change can be shown as a percentage (every base mean is 0).</p>";
        }

        const double W = 900, L = 330, R = 30, Row = 22, T = 10;
        var H = T + (rows.Count * Row) + 30;
        var lim = Math.Max(1, rows.Max(x => Math.Max(Math.Abs(x.C.LowPercent!.Value), Math.Abs(x.C.HighPercent!.Value))));
        lim = Math.Max(lim, r.Decision.Rule.MinImprovement * 100 * 1.2);
        double X(double p) => L + ((p + lim) / (2 * lim) * (W - L - R));
        var sb = new StringBuilder();
        sb.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"changes against the base\">"));
        sb.Append(Invariant($"<line x1=\"{X(0):0.#}\" y1=\"{T}\" x2=\"{X(0):0.#}\" y2=\"{H - 25}\" stroke=\"#999\"/>"));
        var threshold = r.Decision.Rule.MinImprovement * 100 * (r.Decision.Rule.Goal == Goal.Minimise ? -1 : 1);
        sb.Append(Invariant($"<line x1=\"{X(threshold):0.#}\" y1=\"{T}\" x2=\"{X(threshold):0.#}\" y2=\"{H - 25}\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>"));
        foreach (var p in new[] { -lim, -lim / 2, 0, lim / 2, lim })
        {
            sb.Append(Invariant($"<text x=\"{X(p):0.#}\" y=\"{H - 8}\" font-size=\"11\" text-anchor=\"middle\">{p:+0.#;-0.#;0}%</text>"));
        }

        var arms = r.Arms.Select(a => a.Name).ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            var (arm, c) = rows[i];
            var y = T + (i * Row) + (Row / 2);
            var colour = Colours[arms.IndexOf(arm) % Colours.Length];
            var bold = c.Kpi == r.Decision.Rule.Kpi ? " font-weight=\"bold\"" : "";
            sb.Append(Invariant($"<text x=\"{L - 8}\" y=\"{y + 4}\" font-size=\"12\" text-anchor=\"end\"{bold}>{E(arm)}: {E(c.Kpi)}</text>"));
            sb.Append(Invariant($"<line x1=\"{X(c.LowPercent!.Value):0.#}\" y1=\"{y}\" x2=\"{X(c.HighPercent!.Value):0.#}\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"2\"/>"));
            sb.Append(Invariant($"<line x1=\"{X(c.LowPercent!.Value):0.#}\" y1=\"{y - 5}\" x2=\"{X(c.LowPercent!.Value):0.#}\" y2=\"{y + 5}\" stroke=\"{colour}\" stroke-width=\"2\"/><line x1=\"{X(c.HighPercent!.Value):0.#}\" y1=\"{y - 5}\" x2=\"{X(c.HighPercent!.Value):0.#}\" y2=\"{y + 5}\" stroke=\"{colour}\" stroke-width=\"2\"/>"));
            sb.Append(Invariant($"<circle cx=\"{X(c.ChangePercent!.Value):0.#}\" cy=\"{y}\" r=\"4\" fill=\"{colour}\"/>"));
        }

        return sb.Append("</svg>\n").ToString();
    }

    private static string Csv(ScenarioResult r)
    {
        var kpis = r.Arms[0].Kpis.Select(k => k.Kpi).ToList();
        var sb = new StringBuilder("arm,replication,seed,trips,worker,").AppendJoin(',', kpis).Append('\n');
        foreach (var run in r.Runs)
        {
            sb.Append(Invariant($"{run.Arm},{run.Replication},{run.Seed},{run.Trips},{run.Worker ?? ""},")).AppendJoin(',', kpis.Select(k => run.Kpis[k].ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }

        return sb.ToString();
    }

    private static string Num(double v) => Math.Abs(v) >= 100 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Clock(double s) => Invariant($"{(int)(s / 3600):00}:{(int)(s % 3600 / 60):00}");

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
