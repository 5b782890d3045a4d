using System.Text.Json.Nodes;
using CityTwin.Cluster.Tests.Postgres;

namespace CityTwin.Cluster.Tests;

/// <summary><c>citytwin parking whatif</c> and <c>fit-demand</c> as real processes: outputs, decision, exit codes.</summary>
public sealed class ParkingWhatIfCliTests
{
    [Fact]
    public async Task Whatif_on_the_sample_city_writes_the_outputs_and_prints_the_decision()
    {
        var outDir = Path.Combine(Path.GetTempPath(), "citytwin-whatif-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, _) = await CliProcess.RunAsync(
                ["parking", "whatif", "--policy", "performance", "--scope", "D-OLD", "--weeks", "2", "--replications", "2", "--capacity", "P-07=+20",
                 "--event", "at=P-05,day=6,start=18:00,minutes=90,vehicles=400,dwell=3", "--seed", "7", "--out", outDir],
                TimeSpan.FromSeconds(240));
            Assert.True(code == 0, output);
            Assert.Contains("95% CI", output);
            Assert.Matches("(Adopt|Keep|No decision)", output);

            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")))!;
            Assert.Contains((string)summary["decision"]!["verdict"]!, new[] { "adopt", "reject", "inconclusive" });
            var rejected = summary["differencesPerWeek"]!["rejectedArrivals"]!;
            Assert.True((double)rejected["ci95Lower"]! <= (double)rejected["meanDifference"]!);
            Assert.Equal(20, (int)summary["alternative"]!["capacityChanges"]!["P-07"]!);
            Assert.Equal(6, (int)summary["inputs"]!["events"]![0]!["day"]!);
            foreach (var f in new[] { "weeks.csv", "prices.csv", "search-links.csv", "search-od-baseline.csv", "search-od-alternative.csv" })
            {
                Assert.True(File.Exists(Path.Combine(outDir, f)), f);
            }
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("--weeks|0", "--weeks 0: must be at least 1")]
    [InlineData("--replications|1", "--replications 1: must be at least 2")]
    [InlineData("--policy|cheap", "--policy 'cheap': expected flat or performance")]
    [InlineData("--capacity|P-99=+5", "--capacity 'P-99=+5'")]
    [InlineData("--capacity|P-07=-100", "would leave fewer than 0")]
    [InlineData("--scope|D-NOWHERE", "--scope 'D-NOWHERE': not a facility or district id")]
    [InlineData("--bands|07-12,11-15", "overlaps another band")]
    [InlineData("--event|at=P-05,day=1,minutes=60,vehicles=100", "missing start=")]
    [InlineData("--price|P-07=free", "--price 'P-07=free'")]
    [InlineData("--demand-model|/nonexistent/model.json", "does not exist")]
    public async Task Bad_arguments_exit_2_with_a_clear_message(string args, string message)
    {
        string[] weeks = args.StartsWith("--weeks", StringComparison.Ordinal) ? [] : ["--weeks", "1"];
        var (code, output, _) = await CliProcess.RunAsync(["parking", "whatif", .. args.Split('|'), .. weeks], TimeSpan.FromSeconds(120));
        Assert.True(code == 2, output);
        Assert.Contains(message, output);
    }

    [Fact]
    public async Task Fit_demand_writes_a_model_and_names_the_bad_line()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citytwin-fit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // Two car parks counted at 09:00 and 13:00 every day of one week (2016-10-03 is a Monday).
            var lines = new List<string> { "SystemCodeNumber,Capacity,Occupancy,LastUpdated" };
            for (var d = 0; d < 7; d++)
            {
                var day = new DateTime(2016, 10, 3).AddDays(d);
                var level = d < 5 ? 1.0 : 0.6;
                lines.Add($"A,200,{(int)(60 * level)},{day:yyyy-MM-dd} 09:01:00");
                lines.Add($"A,200,{(int)(140 * level)},{day:yyyy-MM-dd} 13:02:00");
                lines.Add($"B,100,{(int)(20 * level)},{day:yyyy-MM-dd} 08:58:00");
                lines.Add($"B,100,{(int)(70 * level)},{day:yyyy-MM-dd} 12:59:00");
            }

            var csv = Path.Combine(dir, "counts.csv");
            await File.WriteAllLinesAsync(csv, lines);
            var model = Path.Combine(dir, "parking-demand.json");
            var (code, output, _) = await CliProcess.RunAsync(["parking", "fit-demand", csv, "--out", model]);
            Assert.True(code == 0, output);
            var json = JsonNode.Parse(File.ReadAllText(model))!;
            Assert.Equal(0.7, (double)json["targetPeakOccupancy"]!, 6); // (140 + 70) / 300 at 13:00
            Assert.Equal(0.6, (double)json["dayFactors"]![5]!, 6);
            Assert.True((double)json["dwell"]!["sigma"]! > 0);

            await File.AppendAllTextAsync(csv, "B,100,lots,2016-10-10 09:00:00\n");
            (code, output, _) = await CliProcess.RunAsync(["parking", "fit-demand", csv, "--out", model]);
            Assert.True(code == 2, output);
            Assert.Contains("counts.csv: line 30: field 'Occupancy': 'lots' is not an integer", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
