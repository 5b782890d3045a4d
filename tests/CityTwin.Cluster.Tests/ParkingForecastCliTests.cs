using System.Globalization;
using CityTwin.Cluster.Tests.Postgres;

namespace CityTwin.Cluster.Tests;

/// <summary><c>citytwin parking backtest</c>, <c>parking forecast</c> and <c>parking fit</c> as real processes on the Birmingham slice (CC BY 4.0, tests/data/parking-birmingham/SOURCE.txt).</summary>
public sealed class ParkingForecastCliTests
{
    private static readonly string Slice = Path.Combine(AppContext.BaseDirectory, "data", "parking-birmingham", "birmingham-10-carparks.csv");

    [Fact]
    public async Task Backtest_writes_the_contract_columns_for_every_held_out_count_and_prints_the_baselines()
    {
        var dir = TempDir();
        try
        {
            var outFile = Path.Combine(dir, "backtest.csv");
            var (code, output, _) = await CliProcess.RunAsync(["parking", "backtest", Slice, "--train-until", "2016-12-05", "--horizon-min", "90", "--out", outFile], TimeSpan.FromSeconds(120));
            Assert.True(code == 0, output);
            Assert.Contains("the model beats both baselines", output);
            Assert.Contains("birmingham-10-carparks.csv:", output); // the dropped counts, by line
            Assert.True(File.Exists(Path.Combine(dir, "backtest-notes.csv")));

            var lines = await File.ReadAllLinesAsync(outFile);
            Assert.StartsWith("facility,ts,actual,forecast,lower,upper", lines[0], StringComparison.Ordinal);

            // One row per usable count at or after the date: counted from the input (negative and repeated counts are dropped).
            var expected = File.ReadLines(Slice).Skip(1).Select(l => l.Split(','))
                .Where(c => string.CompareOrdinal(c[3], "2016-12-05") >= 0 && int.Parse(c[2], CultureInfo.InvariantCulture) >= 0)
                .Select(c => (c[0], c[3])).Distinct().Count();
            Assert.Equal(expected, lines.Length - 1);
            foreach (var row in lines.Skip(1).Select(l => l.Split(',')))
            {
                Assert.Equal(9, row.Length);
                Assert.True(DateTime.ParseExact(row[1], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) >= new DateTime(2016, 12, 5));
                if (row[3].Length > 0)
                {
                    var (f, lo, hi) = (double.Parse(row[3], CultureInfo.InvariantCulture), double.Parse(row[4], CultureInfo.InvariantCulture), double.Parse(row[5], CultureInfo.InvariantCulture));
                    Assert.True(lo <= f && f <= hi && lo >= 0, string.Join(',', row));
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Backtest_exits_2_on_a_bad_file_naming_the_line()
    {
        var dir = TempDir();
        try
        {
            var csv = Path.Combine(dir, "bad.csv");
            await File.WriteAllLinesAsync(csv, File.ReadLines(Slice).Take(40).Append("Shopping,1920,many,2016-12-01 10:00:00").Append("Shopping,1920,700,soon"));
            var (code, output, _) = await CliProcess.RunAsync(["parking", "backtest", csv, "--train-until", "2016-10-05", "--out", Path.Combine(dir, "o.csv")]);
            Assert.True(code == 2, output);
            Assert.Contains("bad.csv: line 41: field 'Occupancy': 'many' is not an integer", output);
            Assert.Contains("bad.csv: line 42: field 'LastUpdated'", output);
            Assert.False(File.Exists(Path.Combine(dir, "o.csv")));

            (code, output, _) = await CliProcess.RunAsync(["parking", "backtest", Slice, "--train-until", "next week", "--out", Path.Combine(dir, "o.csv")]);
            Assert.True(code == 2, output);
            Assert.Contains("--train-until 'next week'", output);

            (code, output, _) = await CliProcess.RunAsync(["parking", "backtest", Slice, "--train-until", "2017-01-01", "--out", Path.Combine(dir, "o.csv")]);
            Assert.True(code == 2, output);
            Assert.Contains("no usable count at or after 2017-01-01", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Forecast_gives_every_facility_the_next_24_hours()
    {
        var dir = TempDir();
        try
        {
            var outFile = Path.Combine(dir, "forecast.csv");
            var (code, output, _) = await CliProcess.RunAsync(["parking", "forecast", Slice, "--at", "2016-12-12 09:00", "--out", outFile], TimeSpan.FromSeconds(120));
            Assert.True(code == 0, output);
            var rows = (await File.ReadAllLinesAsync(outFile)).Skip(1).Select(l => l.Split(',')).ToList();
            Assert.Equal("facility,ts,horizon_min,forecast,lower,upper,capacity,basis", File.ReadLines(outFile).First());

            // BHMBRTARC01 has no count before 2016-12-13: 9 facilities x 48 half-hours.
            Assert.Equal(9 * 48, rows.Count);
            Assert.DoesNotContain(rows, r => r[0] == "BHMBRTARC01");
            Assert.All(rows, r => Assert.InRange(double.Parse(r[3], CultureInfo.InvariantCulture), 0, double.Parse(r[6], CultureInfo.InvariantCulture)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Fit_writes_a_model_file_the_city_reads_and_exits_2_without_counts_to_fit_on()
    {
        var dir = TempDir();
        try
        {
            var model = Path.Combine(dir, "parking-model.json");
            var (code, output, _) = await CliProcess.RunAsync(["parking", "fit", Slice, "--train-until", "2016-11-28", "--coverage", "0.8", "--out", model]);
            Assert.True(code == 0, output);
            Assert.Contains("fitted on the counts before 2016-11-28 00:00:00: 10 facilities, 2 of them on the pooled parameters; 80", output, StringComparison.Ordinal);
            var read = CityTwin.Formats.ParkingForecast.ParkingModelFile.Read(model);
            Assert.Equal(0.8, read.Forecaster.Options.Coverage);
            Assert.Equal(new DateTime(2016, 11, 28), read.Forecaster.TrainUntil);
            Assert.Equal(9, read.Profiles.Count); // BHMBRTARC01 counts only from 2016-12-13: pooled parameters, no profile yet
            Assert.All(read.Profiles.Values, p => Assert.True(p.LastTicks < new DateTime(2016, 11, 28).Ticks));

            // Facilities are keyed by the ids a city gives the car parks (as replay maps them): "Broad Street" is Broad_Street.
            Assert.Contains("car park 'Broad Street' is facility 'Broad_Street'", output, StringComparison.Ordinal);
            Assert.True(read.Knows("Broad_Street") && read.Knows("NIA_North") && read.Profiles.ContainsKey("Bull_Ring"));
            Assert.DoesNotContain(read.Forecaster.Facilities.Keys, k => k.Contains(' ', StringComparison.Ordinal));

            // Two codes of one id cannot both be kept: exit 2 naming both.
            var clashing = Path.Combine(dir, "clash.csv");
            var broad = File.ReadLines(Slice).Where(l => l.StartsWith("Broad Street,", StringComparison.Ordinal)).ToList();
            await File.WriteAllLinesAsync(clashing, [File.ReadLines(Slice).First(), .. broad, .. broad.Select(l => "Broad_Street" + l["Broad Street".Length..])]);
            var clash = await CliProcess.RunAsync(["parking", "fit", clashing, "--out", model]);
            Assert.True(clash.ExitCode == 2, clash.Output + clash.Error);
            Assert.Contains("car parks 'Broad Street' and 'Broad_Street' would both be facility 'Broad_Street'", clash.Output + clash.Error, StringComparison.Ordinal);

            var early = await CliProcess.RunAsync(["parking", "fit", Slice, "--train-until", "2016-10-01", "--out", model]);
            Assert.True(early.ExitCode == 2, early.Output);
            Assert.Contains("no usable count before 2016-10-01 00:00 to fit on", early.Output + early.Error, StringComparison.Ordinal);
            var bad = await CliProcess.RunAsync(["parking", "fit", Slice, "--train-until", "soon", "--out", model]);
            Assert.Equal(2, bad.ExitCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citytwin-forecast-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
