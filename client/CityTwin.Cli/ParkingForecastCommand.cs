using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CityTwin.Engine.Parking.Forecast;
using CityTwin.Formats.ParkingForecast;
using CityTwin.Formats.ParkingWhatIf;
using CityTwin.Formats.Replay;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin parking backtest CSV --train-until DATE</c>: the occupancy forecaster against two naive baselines
/// on held-out counts (CONTRACTS.md); <c>citytwin parking forecast CSV</c>: every facility's occupancy for the next
/// hours (docs/parking-forecast.md).
/// </summary>
internal static class ParkingForecastCommand
{
    private static readonly string[] TimeFormats = ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"];

    public static Command CreateBacktest()
    {
        var csv = CountsArgument();
        var trainUntil = new Option<string>("--train-until") { Description = "Every count at or after this local time (yyyy-MM-dd [HH:mm]) is forecast; the model is fitted on the counts at least the horizon before it", Required = true };
        var horizon = new Option<int>("--horizon-min") { Description = "Forecast horizon: each forecast uses only counts at least this many minutes older", DefaultValueFactory = _ => 60 };
        var coverage = CoverageOption();
        var outFile = new Option<string>("--out") { Description = "CSV to write: facility,ts,actual,forecast,lower,upper,last_value,last_week,basis", Required = true };
        var command = new Command("backtest", "Forecast every held-out occupancy count from older counts only; MAE against the last value and the same time last week")
        {
            csv, trainUntil, horizon, coverage, outFile,
        };
        command.SetAction((parse, _) => Run.GuardedAsync(() =>
        {
            var wall = Stopwatch.StartNew();
            var until = Time(parse.GetValue(trainUntil)!, "--train-until");
            var h = parse.GetValue(horizon);
            if (h < 1)
            {
                throw new CliInputException($"--horizon-min {h}: must be at least 1");
            }

            var options = Options(parse.GetValue(coverage));
            var (name, history) = Load(parse.GetValue(csv)!);
            if (!history.Facilities.Any(f => f.Count > 0 && f.Ticks[0] < until.Ticks))
            {
                throw new CliInputException($"{name}: no usable count before {until:yyyy-MM-dd HH:mm} to train on");
            }

            if (!history.Facilities.Any(f => f.Count > 0 && f.Ticks[^1] >= until.Ticks))
            {
                throw new CliInputException($"{name}: no usable count at or after {until:yyyy-MM-dd HH:mm} to forecast");
            }

            var result = OccupancyBacktest.Run(history, until, h, options);
            var outPath = parse.GetValue(outFile)!;
            ForecastCsv.WriteBacktest(outPath, result.Rows);
            var notesPath = WriteNotes(outPath, history);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: trained on counts before {until:yyyy-MM-dd HH:mm}; {result.Rows.Count} held-out counts of {result.Facilities.Count} facilities forecast {h} min ahead; {options.Coverage:P0} intervals"));
            Console.WriteLine("MAE in vehicles over the counts every method forecast (the last value and the same time last week are the naive baselines)");
            Console.WriteLine($"  {"facility",-18} {"counts",6} {"compared",8} {"model",8} {"last",8} {"lastweek",8} {"model%cap",9} {"coverage",8}  method");
            foreach (var s in result.Facilities.Append(result.Overall))
            {
                var note = s == result.Overall ? string.Empty : result.Model.For(s.Facility).Pooled ? "pooled (little history)" : "own";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {s.Facility,-18} {s.Counts,6} {s.Compared,8} {s.ModelMae,8:F1} {s.LastValueMae,8:F1} {s.LastWeekMae,8:F1} {s.ModelMaeShare,9:P1} {s.Coverage,8:P1}  {note}"));
            }

            Console.WriteLine("fitted per facility:");
            foreach (var s in result.Facilities)
            {
                Console.WriteLine($"  {s.Facility}: {result.Model.For(s.Facility).Method}");
            }

            var o = result.Overall;
            Console.WriteLine(o.BeatsBoth
                ? FormattableString.Invariant($"the model beats both baselines: MAE {o.ModelMae:F1} vs {o.LastValueMae:F1} (last value) and {o.LastWeekMae:F1} (same time last week); {o.Coverage:P1} of counts inside the {options.Coverage:P0} interval")
                : FormattableString.Invariant($"the model does NOT beat both baselines: MAE {o.ModelMae:F1} vs {o.LastValueMae:F1} (last value) and {o.LastWeekMae:F1} (same time last week)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {Path.GetFullPath(outPath)}{(notesPath is null ? string.Empty : $" and {Path.GetFullPath(notesPath)}")} in {wall.Elapsed.TotalSeconds:F2} s"));
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    public static Command CreateForecast()
    {
        var csv = CountsArgument();
        var at = new Option<string?>("--at") { Description = "Forecast from this local time (yyyy-MM-dd [HH:mm]), using the counts up to it (default: the last count)" };
        var hours = new Option<int>("--hours") { Description = "Hours ahead", DefaultValueFactory = _ => 24 };
        var coverage = CoverageOption();
        var outFile = new Option<string>("--out") { Description = "CSV to write: facility,ts,horizon_min,forecast,lower,upper,capacity,basis", Required = true };
        var command = new Command("forecast", "Every facility's occupancy at each slot of the next hours, with prediction intervals, from its counts")
        {
            csv, at, hours, coverage, outFile,
        };
        command.SetAction((parse, _) => Run.GuardedAsync(() =>
        {
            var wall = Stopwatch.StartNew();
            var hoursAhead = parse.GetValue(hours);
            if (hoursAhead < 1 || hoursAhead > 24 * 7)
            {
                throw new CliInputException($"--hours {hoursAhead}: must be 1 to 168");
            }

            var options = Options(parse.GetValue(coverage)) with { MaxHorizonMin = Math.Max(1440, hoursAhead * 60) };
            var (name, history) = Load(parse.GetValue(csv)!);
            if (history.Facilities.Count == 0)
            {
                throw new CliInputException($"{name}: no usable count");
            }

            var origin = parse.GetValue(at) is { } text
                ? Time(text, "--at")
                : new DateTime(history.Facilities.Max(f => f.Ticks[^1]));
            var fit = Stopwatch.StartNew();
            var model = OccupancyForecaster.Fit(history, origin.AddTicks(1), options);
            fit.Stop();
            var forecast = Stopwatch.StartNew();
            var forecasts = model.Ahead(history, origin, hoursAhead * 60);
            forecast.Stop();
            var outPath = parse.GetValue(outFile)!;
            ForecastCsv.WriteForecasts(outPath, forecasts);
            var notesPath = WriteNotes(outPath, history);
            var facilities = forecasts.Select(f => f.Facility).Distinct(StringComparer.Ordinal).Count();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {facilities} facilities forecast every {options.SlotMinutes} min for {hoursAhead} h from {origin:yyyy-MM-dd HH:mm} ({forecasts.Count} forecasts; {forecasts.Count(f => f.Prediction.Basis == ForecastBasis.Profile)} from a weekday/time profile, the others from a fallback: see the basis column)"));
            foreach (var m in model.Facilities.Values.Where(m => m.Pooled).OrderBy(m => m.Facility, StringComparer.Ordinal))
            {
                Console.WriteLine($"  {m.Facility}: {m.Method}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fit {fit.Elapsed.TotalSeconds:F2} s, forecasts {forecast.Elapsed.TotalSeconds:F3} s ({forecasts.Count / Math.Max(forecast.Elapsed.TotalSeconds, 1e-6):F0}/s); wrote {Path.GetFullPath(outPath)}{(notesPath is null ? string.Empty : $" and {Path.GetFullPath(notesPath)}")} in {wall.Elapsed.TotalSeconds:F2} s"));
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    public static Command CreateFit()
    {
        var csv = CountsArgument();
        var trainUntil = new Option<string?>("--train-until") { Description = "Fit on the counts before this local time (yyyy-MM-dd [HH:mm]); default: every count" };
        var coverage = CoverageOption();
        var outFile = new Option<string>("--out") { Description = "Model file to write (JSON), for a city's parkingModel", Required = true };
        var command = new Command("fit", "Fit the occupancy forecast model on counts and write it as a model file the live twin forecasts with")
        {
            csv, trainUntil, coverage, outFile,
        };
        command.SetAction((parse, _) => Run.GuardedAsync(() =>
        {
            var wall = Stopwatch.StartNew();
            var options = Options(parse.GetValue(coverage));
            var (name, history) = Load(parse.GetValue(csv)!, FacilityIds);
            var until = parse.GetValue(trainUntil) is { } text
                ? Time(text, "--train-until")
                : new DateTime(history.Facilities.Select(f => f.Ticks[^1]).DefaultIfEmpty(0).Max() + 1);
            if (!history.Facilities.Any(f => f.Count > 0 && f.Ticks[0] < until.Ticks))
            {
                throw new CliInputException($"{name}: no usable count before {until:yyyy-MM-dd HH:mm} to fit on");
            }

            var model = FittedParkingModel.Fit(history, until, options);
            var outPath = parse.GetValue(outFile)!;
            ParkingModelFile.Write(outPath, model, name);
            var f = model.Forecaster;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: fitted on the counts before {until:yyyy-MM-dd HH:mm:ss}: {f.Facilities.Count} facilities, {f.Facilities.Values.Count(m => m.Pooled)} of them on the pooled parameters; {options.Coverage:P0} intervals"));
            foreach (var m in f.Facilities.Values.OrderBy(m => m.Facility, StringComparer.Ordinal))
            {
                Console.WriteLine($"  {m.Facility}: {m.Method}");
            }

            Console.WriteLine($"  pool: {f.Pool.Method}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {Path.GetFullPath(outPath)} in {wall.Elapsed.TotalSeconds:F2} s"));
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    /// <summary>
    /// The counts with each car park code as the facility id a city gives it (the rule <c>replay</c> uses: a character
    /// an id cannot have becomes <c>_</c>, so "Broad Street" is <c>Broad_Street</c>); two codes of one id are an error.
    /// </summary>
    private static NumberedOccupancy FacilityIds(NumberedOccupancy counts)
    {
        var codes = counts.Samples.Select(s => s.Facility).Distinct(StringComparer.Ordinal).ToArray();
        var clash = codes.GroupBy(BirminghamConverter.FacilityId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new CliInputException($"{counts.Name}: car parks {string.Join(" and ", clash.Select(c => $"'{c}'"))} would both be facility '{clash.Key}'");
        }

        foreach (var code in codes.Where(c => BirminghamConverter.FacilityId(c) != c).Order(StringComparer.Ordinal))
        {
            Console.WriteLine($"{counts.Name}: car park '{code}' is facility '{BirminghamConverter.FacilityId(code)}'");
        }

        return counts with { Samples = counts.Samples.Select(s => s with { Facility = BirminghamConverter.FacilityId(s.Facility) }).ToArray() };
    }

    private static Argument<string> CountsArgument() =>
        new("CSV") { Description = "Occupancy counts: CSV SystemCodeNumber,Capacity,Occupancy,LastUpdated (the Birmingham layout)" };

    private static Option<double> CoverageOption() =>
        new("--coverage") { Description = "Nominal coverage of the prediction interval", DefaultValueFactory = _ => 0.9 };

    private static ForecastOptions Options(double coverage)
    {
        if (!(coverage > 0 && coverage < 1))
        {
            throw new CliInputException($"--coverage {coverage.ToString(CultureInfo.InvariantCulture)}: must be between 0 and 1 (e.g. 0.9)");
        }

        return new ForecastOptions { Coverage = coverage };
    }

    private static DateTime Time(string text, string option) =>
        DateTime.TryParseExact(text.Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? t
            : throw new CliInputException($"{option} '{text}': expected a local time yyyy-MM-dd or yyyy-MM-dd HH:mm");

    /// <summary>Reads the counts (a bad line: exit 2 naming each) and prints what the history dropped or changed, with lines.</summary>
    private static (string Name, OccupancyHistory History) Load(string path, Func<NumberedOccupancy, NumberedOccupancy>? map = null)
    {
        NumberedOccupancy counts;
        try
        {
            counts = OccupancyCountsReader.ReadFileNumbered(path);
        }
        catch (ParkingDemandFormatException e)
        {
            throw new CliInputException(e.Message);
        }

        counts = map?.Invoke(counts) ?? counts;
        var history = OccupancyHistory.Build(counts.Samples, counts.Lines);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{counts.Name}: {history.Read} counts, {history.Used} used from {history.Facilities.Count} facilities; {history.Count(OccupancyIssue.Negative)} dropped (occupancy below 0), {history.Count(OccupancyIssue.NoCapacity)} dropped (capacity 0 or less), {history.Count(OccupancyIssue.Repeated)} dropped (repeated facility and time), {history.Count(OccupancyIssue.AboveCapacity)} above capacity taken as full"));
        foreach (var group in history.Notes.GroupBy(n => n.Kind))
        {
            foreach (var n in group.Take(3))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {counts.Name}:{n.Line}: {n.Facility} {n.LocalTime:yyyy-MM-dd HH:mm:ss}: {n.Issue}"));
            }

            if (group.Count() > 3)
            {
                Console.WriteLine($"  ... and {group.Count() - 3} more like it");
            }
        }

        return (counts.Name, history);
    }

    private static string? WriteNotes(string outPath, OccupancyHistory history)
    {
        if (history.Notes.Count == 0)
        {
            return null;
        }

        var notesPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, Path.GetFileNameWithoutExtension(outPath) + "-notes.csv");
        ForecastCsv.WriteNotes(notesPath, history.Notes);
        return notesPath;
    }
}
