using System.Globalization;
using System.Net;
using System.Text;
using CityTwin.Engine.Replay;

namespace CityTwin.Formats.Replay;

/// <summary>
/// Writes a replay's KPI series: <c>kpis.csv</c> (one row per time and district, facility or signal) and
/// <c>kpis.html</c> (self-contained SVG charts, no scripts). Both depend only on the series, byte for byte: no
/// wall-clock time, no twin id, invariant number formats, a fixed order.
/// </summary>
public static class KpiFiles
{
    /// <summary>The columns of <c>kpis.csv</c>.</summary>
    public const string CsvHeader =
        "ts,kind,id,district,events,capacity,occupied,occupancy,entries,exits,facilitiesReporting,signalsReporting,flowVehH,meanDegreeOfSaturation,maxDegreeOfSaturation,queueVeh";

    /// <summary>Writes <c>kpis.csv</c> and <c>kpis.html</c> into <paramref name="directory"/>; answers their paths.</summary>
    public static (string Csv, string Html) Write(string directory, KpiTable series, string title)
    {
        Directory.CreateDirectory(directory);
        var csv = Path.Combine(directory, "kpis.csv");
        var html = Path.Combine(directory, "kpis.html");
        File.WriteAllText(csv, Csv(series), new UTF8Encoding(false));
        File.WriteAllText(html, Html(series, title), new UTF8Encoding(false));
        return (csv, html);
    }

    /// <summary>The text of <c>kpis.csv</c>: rows by time, then districts, facilities and signals, each by id.</summary>
    public static string Csv(KpiTable series)
    {
        var rows = new List<(long Ts, int Order, string Id, string Line)>();
        foreach (var d in series.Districts)
        {
            foreach (var r in d.Rows)
            {
                var a = r.Aggregate;
                rows.Add((r.TsTicks, 0, d.DistrictId, string.Join(',',
                    Ts(r.TsTicks), "district", d.DistrictId, d.DistrictId, I(r.Events), I(a.Capacity), I(a.Occupied), Ratio(a.OccupancyRatio), "", "",
                    I(a.FacilitiesReporting), I(a.SignalsReporting), F(a.TotalFlowVehH), F(a.MeanDegreeOfSaturation), F(a.MaxDegreeOfSaturation), F(a.TotalQueueVeh))));
            }
        }

        foreach (var e in series.Entities)
        {
            foreach (var r in e.Rows)
            {
                rows.Add(e.IsSignal
                    ? (r.TsTicks, 2, e.EntityId, string.Join(',',
                        Ts(r.TsTicks), "signal", e.EntityId, e.DistrictId, I(r.Events), "", "", "", "", "", "", "", F(r.FlowVehH), "", F(r.MaxDegreeOfSaturation), F(r.QueueVeh)))
                    : (r.TsTicks, 1, e.EntityId, string.Join(',',
                        Ts(r.TsTicks), "facility", e.EntityId, e.DistrictId, I(r.Events), I(r.Capacity), I(r.Occupied),
                        Ratio(r.Capacity == 0 ? null : (double)r.Occupied / r.Capacity), I(r.Entries), I(r.Exits), "", "", "", "", "", "")));
            }
        }

        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (var row in rows.OrderBy(r => r.Ts).ThenBy(r => r.Order).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            text.Append(row.Line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The text of <c>kpis.html</c>: district occupancy and flow over time, and each facility's occupancy.</summary>
    public static string Html(KpiTable series, string title)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(title))
            .Append("</title>\n<style>body{font-family:sans-serif;margin:1.5em;color:#222}svg{background:#fafafa;border:1px solid #ddd;margin:0 1em 1em 0}")
            .Append("h2{margin-top:1.5em}.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:1em;height:.6em;margin-right:.3em}</style></head><body>\n")
            .Append("<h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1>\n")
            .Append("<p>KPI series in event time (UTC), ")
            .Append(series.IntervalS == 0 ? "a row at every event timestamp" : $"a row every {series.IntervalS} s")
            .Append(", through ").Append(Ts(series.ThroughTicks)).Append(". The same numbers are in kpis.csv.</p>\n");

        var districts = series.Districts.Where(d => d.Rows.Any(r => r.Aggregate.OccupancyRatio is not null)).ToArray();
        if (districts.Length > 0)
        {
            html.Append("<h2>Occupancy by district (% of the reporting facilities' capacity)</h2>\n");
            Chart(html, districts.Select(d => (d.Name, (IReadOnlyList<(long, double)>)d.Rows.Where(r => r.Aggregate.OccupancyRatio is not null).Select(r => (r.TsTicks, 100 * r.Aggregate.OccupancyRatio!.Value)).ToArray())).ToArray(), 900, 300, 100);
        }

        var flows = series.Districts.Where(d => d.Rows.Any(r => r.Aggregate.SignalsReporting > 0)).ToArray();
        if (flows.Length > 0)
        {
            html.Append("<h2>Total flow at the signals by district (veh/h)</h2>\n");
            Chart(html, flows.Select(d => (d.Name, (IReadOnlyList<(long, double)>)d.Rows.Select(r => (r.TsTicks, r.Aggregate.TotalFlowVehH)).ToArray())).ToArray(), 900, 300, null);
        }

        var facilities = series.Entities.Where(e => !e.IsSignal).OrderBy(e => e.EntityId, StringComparer.Ordinal).ToArray();
        if (facilities.Length > 0)
        {
            html.Append("<h2>Occupied spaces by facility</h2>\n<div>");
            foreach (var f in facilities)
            {
                html.Append("<div style=\"display:inline-block\"><div>").Append(WebUtility.HtmlEncode(f.EntityId)).Append(" (capacity ")
                    .Append(I(f.Rows[^1].Capacity)).Append(")</div>");
                Chart(html, [(f.EntityId, f.Rows.Select(r => (r.TsTicks, (double)r.Occupied)).ToArray())], 280, 140, f.Rows[^1].Capacity, legend: false);
                html.Append("</div>");
            }

            html.Append("</div>\n");
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private static void Chart(StringBuilder html, IReadOnlyList<(string Name, IReadOnlyList<(long T, double V)> Points)> lines, int width, int height, double? yMax, bool legend = true)
    {
        const int left = 45, bottom = 22, top = 8, right = 8;
        var all = lines.SelectMany(l => l.Points).ToArray();
        if (all.Length == 0)
        {
            return;
        }

        var t0 = all.Min(p => p.T);
        var t1 = Math.Max(all.Max(p => p.T), t0 + TimeSpan.TicksPerMinute);
        var max = yMax ?? all.Max(p => p.V);
        max = max <= 0 ? 1 : max;
        double X(long t) => left + ((double)(t - t0) / (t1 - t0) * (width - left - right));
        double Y(double v) => top + ((1 - (v / max)) * (height - top - bottom));
        html.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">");
        html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"#999\"/>");
        html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"#999\"/>");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{top + 10}\" font-size=\"10\" text-anchor=\"end\">{F0(max)}</text>");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{height - bottom}\" font-size=\"10\" text-anchor=\"end\">0</text>");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{height - 6}\" font-size=\"10\">{Clock(t0)}</text>");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - right}\" y=\"{height - 6}\" font-size=\"10\" text-anchor=\"end\">{Clock(t1)}</text>");
        for (var i = 0; i < lines.Count; i++)
        {
            var points = string.Join(' ', lines[i].Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.T):0.#},{Y(p.V):0.#}")));
            html.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{Colours[i % Colours.Length]}\" stroke-width=\"1.5\" points=\"{points}\"/>");
        }

        html.Append("</svg>");
        if (legend)
        {
            html.Append("<div class=\"legend\">");
            for (var i = 0; i < lines.Count; i++)
            {
                html.Append("<span><i style=\"background:").Append(Colours[i % Colours.Length]).Append("\"></i>").Append(WebUtility.HtmlEncode(lines[i].Name)).Append("</span>");
            }

            html.Append("</div>\n");
        }
    }

    private static string Ts(long ticks) => new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture);

    private static string Clock(long ticks) => new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string F0(double v) => v.ToString("0", CultureInfo.InvariantCulture);

    private static string Ratio(double? v) => v is { } r ? r.ToString("0.####", CultureInfo.InvariantCulture) : "";
}
