using System.Text.Json;
using CityTwin.Contracts;
using CityTwin.Grains;
using CityTwin.Cluster.Tests.Postgres;

namespace CityTwin.Cluster.Tests;

/// <summary>A what-if that starts from the live twin: detector data in, snapshot out, the engine run on it.</summary>
[Collection(SiloHostCollection.Name)]
public sealed class LiveWhatIfTests(SiloHostFixture host)
{
    [Fact]
    public async Task A_simulation_starts_from_the_live_twins_plans_queues_and_measured_flows()
    {
        var twin = "whatif-" + Guid.NewGuid().ToString("N")[..12];
        var detectors = SampleCity.Model.Detectors.Where(d => d.SignalId is not null).ToList();
        var now = DateTimeOffset.UtcNow;
        var lines = new List<string>();
        foreach (var d in detectors)
        {
            // 10 one-minute counts of 6 vehicles from every detector of every approach.
            for (var m = 10; m >= 1; m--)
            {
                lines.Add(Events.Detector(d.Id, now.AddMinutes(-m), 11 - m, 6));
            }
        }

        var report = await host.Api.IngestAsync(twin, Events.Body([.. lines]));
        Assert.Equal(lines.Count, report.Accepted);

        // The snapshot shows every approach measured once the streams have delivered.
        TwinSnapshotData snapshot = null!;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            snapshot = await host.Api.GetAsync<TwinSnapshotData>($"api/twins/{twin}/snapshot");
            if (snapshot.Signals.All(s => s.Approaches.All(a => a.DetectorsReporting > 0)))
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(SampleCity.Model.Signals.Count, snapshot.Signals.Count);
        Assert.Equal(SampleCity.Model.Parking.Count, snapshot.Parking.Count);
        var engine = SnapshotMapping.ToEngine(snapshot);
        Assert.All(engine.Flows, f => Assert.True(f.Measured && f.FlowVehH > 0, $"{f.SignalId}.{f.ApproachId}"));
        Assert.Equal(snapshot.AsOf!.Value.TimeOfDay.TotalSeconds, engine.TimeOfDayS);

        // The command runs the engine from that state and leaves the fit's evidence.
        var outDir = Directory.CreateTempSubdirectory("citytwin-whatif-").FullName;
        var (code, output, error) = await CliProcess.RunAsync(
            ["simulate", "--from-twin", twin, "--cluster", host.Http.BaseAddress!.ToString(), "--token", SiloHostFixture.TokenOf("admin"), "--horizon", "900", "--out", outDir, "--no-trips"],
            TimeSpan.FromSeconds(120));
        Assert.True(code == 0, output + error);
        Assert.Contains($"twin '{twin}'", output, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "summary.json")));
        Assert.True(summary.RootElement.GetProperty("tripsCompleted").GetInt64() > 0);
        Assert.Equal(900, summary.RootElement.GetProperty("endS").GetDouble() - summary.RootElement.GetProperty("startS").GetDouble(), 6);
        var fit = await File.ReadAllLinesAsync(Path.Combine(outDir, "fit.csv"));
        Assert.Equal(engine.Flows.Count + 1, fit.Length);
    }

    [Fact]
    public async Task A_twin_without_data_cannot_be_a_starting_point_and_says_so()
    {
        var twin = "empty-" + Guid.NewGuid().ToString("N")[..12];
        var (code, output, error) = await CliProcess.RunAsync(
            ["simulate", "--from-twin", twin, "--cluster", host.Http.BaseAddress!.ToString(), "--token", SiloHostFixture.TokenOf("admin"), "--out", Path.GetTempPath()],
            TimeSpan.FromSeconds(120));
        Assert.Equal(1, code);
        Assert.Contains("has no sensor data yet", output + error, StringComparison.Ordinal);
    }
}
