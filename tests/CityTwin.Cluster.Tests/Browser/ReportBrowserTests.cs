using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CityTwin.Cluster.Tests.Postgres;

namespace CityTwin.Cluster.Tests.Browser;

/// <summary>The HTML files CityTwin writes (scenario <c>report.html</c>, replay <c>kpis.html</c>), opened in headless Chromium.</summary>
public sealed partial class ReportBrowserTests
{
    [SkippableFact]
    public async Task Scenario_report_renders_in_a_browser_with_its_decision_and_charts_and_nothing_from_elsewhere()
    {
        Chromium.Require();
        var outDir = Path.Combine(Path.GetTempPath(), "citytwin-report-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var (code, output, _) = await CliProcess.RunAsync(
                ["scenario", "run", Scripts.Path("stadium-event-evening.yaml"), "--replications", "2", "--out", outDir], TimeSpan.FromMinutes(5));
            Assert.True(code == 0, output);
            using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "results.json")));
            var decision = results.RootElement.GetProperty("decision").GetProperty("sentence").GetString()!;
            var html = await File.ReadAllTextAsync(Path.Combine(outDir, "report.html"));
            Assert.Empty(Chromium.ExternalReferences(html));

            var (dom, log) = await Chromium.DumpDomAsync(Chromium.FileUrl(Path.Combine(outDir, "report.html")));
            Assert.Empty(Chromium.PageErrors(log));
            var shown = Regex.Match(dom, "<p class=\"decision\">(.*?)</p>", RegexOptions.Singleline);
            Assert.True(shown.Success, "the rendered report has no decision paragraph");
            Assert.Equal(decision, WebUtility.HtmlDecode(shown.Groups[1].Value));
            AssertPlottedCharts(dom, minimum: 2);
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    [SkippableFact]
    public async Task Replay_kpis_page_renders_in_a_browser_with_plotted_series_and_nothing_from_elsewhere()
    {
        Chromium.Require();
        var dir = Replays.TempDir();
        try
        {
            var file = await Replays.SyntheticAsync(dir, 3_000);
            var (code, output, _) = await Replays.ReplayAsync(file, "--twin", "browser", "--interval", "15m", "--out", Path.Combine(dir, "out"));
            Assert.True(code == 0, output);
            var path = Path.Combine(dir, "out", "kpis.html");
            var html = await File.ReadAllTextAsync(path);
            Assert.Empty(Chromium.ExternalReferences(html));

            var (dom, log) = await Chromium.DumpDomAsync(Chromium.FileUrl(path));
            Assert.Empty(Chromium.PageErrors(log));
            Assert.Contains("<h1>Replay of synthetic-3000.ndjson</h1>", dom, StringComparison.Ordinal);
            AssertPlottedCharts(dom, minimum: 2);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void External_reference_check_finds_what_a_browser_would_fetch_from_elsewhere()
    {
        Assert.Single(Chromium.ExternalReferences("<script src=\"https://cdn.example/x.js\"></script>"));
        Assert.Single(Chromium.ExternalReferences("<link rel=stylesheet href=//cdn.example/x.css>"));
        Assert.Single(Chromium.ExternalReferences("<style>body{background:url('http://example.org/a.png')}</style>"));
        Assert.Empty(Chromium.ExternalReferences("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg><a href=\"kpis.csv\">csv</a>"));
    }

    /// <summary>At least <paramref name="minimum"/> SVG charts in the rendered DOM, each with a polyline of several points or marks.</summary>
    private static void AssertPlottedCharts(string dom, int minimum)
    {
        var charts = Regex.Matches(dom, "<svg\\b.*?</svg>", RegexOptions.Singleline).Select(m => m.Value).ToList();
        var plotted = charts.Count(svg =>
            PolylinePoints().Matches(svg).Any(p => p.Groups[1].Value.Trim().Split(' ').Length >= 2) || svg.Contains("<circle", StringComparison.Ordinal));
        Assert.True(plotted >= minimum, $"{plotted} of {charts.Count} charts have plotted elements; expected at least {minimum}");
    }

    [GeneratedRegex("<polyline\\b[^>]*\\bpoints=\"([^\"]*)\"")]
    private static partial Regex PolylinePoints();
}
