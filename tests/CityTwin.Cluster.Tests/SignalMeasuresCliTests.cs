using CityTwin.Cluster.Tests.Postgres;
using CityTwin.Formats.Signals;

namespace CityTwin.Cluster.Tests;

/// <summary>
/// <c>citytwin signal measures EVENTS.csv --config CONFIG.csv --out DIR</c> run as a real process on the atspm package's
/// test log (tests/data/atspm, MIT, Copyright (c) 2024 Shawn Strasser): exit 0 with a summary and six CSVs with the
/// peer's rows; exit 2 on a missing or malformed input, and with --strict on any bad row.
/// </summary>
public sealed class SignalMeasuresCliTests : IDisposable
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data", "atspm");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citytwin-signal-cli-" + Guid.NewGuid().ToString("N"));

    public SignalMeasuresCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Events => Path.Combine(Data, "hires_test_data.csv.gz");

    private static string Config => Path.Combine(Data, "configs_test_data.csv");

    [Fact]
    public async Task Measures_of_the_peer_log_are_written_with_the_peers_rows()
    {
        var outDir = Path.Combine(_dir, "out");
        var (code, output, _) = await CliProcess.RunAsync(["signal", "measures", Events, "--config", Config, "--out", outDir]);

        Assert.True(code == 0, output);
        Assert.Contains("events: 246413 rows, 245913 used", output, StringComparison.Ordinal);
        Assert.Contains("devices: 3 (227, 452, 454), 2024-05-13 15:00:00.000 .. 2024-05-13 17:59:59.900", output, StringComparison.Ordinal);
        Assert.Contains("bad rows: 500 (duplicate 496, parameter-out-of-range 4)", output, StringComparison.Ordinal);
        var ours = SignalMeasureCsv.Read(outDir);
        var peer = SignalMeasureCsv.Read(Path.Combine(Data, "expected"));
        Assert.Equal(
            [peer.Actuations.Count, peer.ArrivalOnGreen.Count, peer.Splits.Count, peer.Terminations.Count, peer.SplitFailures.Count, peer.YellowRed.Count],
            [ours.Actuations.Count, ours.ArrivalOnGreen.Count, ours.Splits.Count, ours.Terminations.Count, ours.SplitFailures.Count, ours.YellowRed.Count]);
        Assert.Equal(peer.SplitFailures.Sum(r => r.SplitFailures), ours.SplitFailures.Sum(r => r.SplitFailures));
        Assert.Equal(peer.Actuations.Sum(r => r.Total), ours.Actuations.Sum(r => r.Total));
        Assert.Contains($"wrote {Path.Combine(outDir, "split_failures.csv")} (180 rows)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_rows_are_reported_with_their_line_and_strict_mode_fails_on_them()
    {
        var log = Path.Combine(_dir, "log.csv");
        await File.WriteAllTextAsync(log, string.Join('\n',
            "TimeStamp,DeviceId,EventId,Parameter",
            "2024-05-13 15:00:00.0,227,1,2",
            "2024-05-13 15:00:01.0,227,8,2",
            "2024-05-13 15:00:01.0,227,999,2",
            "2024-05-13 15:00:02.0,31337,82,5",
            "2024-05-13 15:00:00.5,227,82,5",
            "2024-05-13 15:00:03.0,227,eighty-two,5",
            "2024-05-13 15:00:04.0,227,82,5",
            "2024-05-13 15:00:04.0,227,82,5") + "\n");

        var (code, output, _) = await CliProcess.RunAsync(["signal", "measures", log, "--config", Config, "--out", Path.Combine(_dir, "a")]);
        Assert.True(code == 0, output);
        Assert.Contains($"{log}:4: unknown-event-code", output, StringComparison.Ordinal);
        Assert.Contains($"{log}:5: unknown-device", output, StringComparison.Ordinal);
        Assert.Contains($"{log}:6: time-backwards", output, StringComparison.Ordinal);
        Assert.Contains($"{log}:7: field 'EventId': 'eighty-two' is not an integer", output, StringComparison.Ordinal);
        Assert.Contains($"{log}:9: duplicate", output, StringComparison.Ordinal);
        Assert.Contains("bad rows: 5 (unparsable 1, unknown-event-code 1, time-backwards 1, unknown-device 1, duplicate 1)", output, StringComparison.Ordinal);
        Assert.Contains("events: 8 rows, 3 used", output, StringComparison.Ordinal);

        var strict = await CliProcess.RunAsync(["signal", "measures", log, "--config", Config, "--out", Path.Combine(_dir, "b"), "--strict"]);
        Assert.Equal(2, strict.ExitCode);
    }

    [Fact]
    public async Task Missing_or_malformed_inputs_exit_2_naming_the_file()
    {
        var missing = await CliProcess.RunAsync(["signal", "measures", Path.Combine(_dir, "none.csv"), "--config", Config, "--out", _dir]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("none.csv: no such file", missing.Error, StringComparison.Ordinal);

        var badConfig = Path.Combine(_dir, "config.csv");
        await File.WriteAllTextAsync(badConfig, "DeviceId,Phase,Function,Parameter\n227,2,Loop,3\n");
        var config = await CliProcess.RunAsync(["signal", "measures", Events, "--config", badConfig, "--out", _dir]);
        Assert.Equal(2, config.ExitCode);
        Assert.Contains($"{badConfig}:2: field 'Function': 'Loop'", config.Error, StringComparison.Ordinal);

        var noConfig = await CliProcess.RunAsync(["signal", "measures", Events, "--out", _dir]);
        Assert.Equal(2, noConfig.ExitCode);
    }
}
