using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using CityTwin.Formats.GeoJson;
using CityTwin.Formats.ParkingWhatIf;
using CityTwin.Formats.Replay;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin convert birmingham CSV --city DIR --out FILE</c>: public records into a recorded day for replay, and
/// <c>citytwin synth-day</c>: a seeded synthetic day for benchmarks (docs/replay.md).
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var csv = new Argument<FileInfo>("CSV") { Description = "Birmingham car park occupancy records: SystemCodeNumber,Capacity,Occupancy,LastUpdated" };
        var city = new Option<string>("--city") { Description = "The city whose parking facilities carry the car parks' codes as ids", Required = true };
        var output = new Option<string>("--out") { Description = "The recorded day to write (NDJSON; gzip when it ends in .gz)", Required = true };
        var from = new Option<string?>("--from") { Description = "First local time to take (yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss)" };
        var to = new Option<string?>("--to") { Description = "Local time to stop before (yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss)" };
        var zone = new Option<string>("--time-zone") { Description = "IANA time zone of LastUpdated", DefaultValueFactory = _ => BirminghamConverter.DefaultTimeZone };
        var birmingham = new Command("birmingham", "Birmingham car park occupancy records into parking-occupancy events")
        {
            csv, city, output, from, to, zone,
        };
        birmingham.SetAction((parse, _) => Run.GuardedAsync(async () =>
        {
            var path = parse.GetValue(csv)!;
            var model = CityReader.ReadFolder(parse.GetValue(city)!);
            TimeZoneInfo tz;
            try
            {
                tz = TimeZoneInfo.FindSystemTimeZoneById(parse.GetValue(zone)!);
            }
            catch (TimeZoneNotFoundException)
            {
                throw new CliInputException($"--time-zone '{parse.GetValue(zone)}' is not a time zone of this machine (e.g. Europe/London)");
            }

            IReadOnlyList<Engine.Parking.WhatIf.OccupancySample> samples;
            try
            {
                samples = OccupancyCountsReader.ReadFile(path.FullName);
            }
            catch (ParkingDemandFormatException ex)
            {
                throw new CliInputException(ex.Message);
            }

            ConversionReport report;
            try
            {
                report = BirminghamConverter.Convert(samples, model, tz, LocalTime(parse.GetValue(from), "--from"), LocalTime(parse.GetValue(to), "--to"));
            }
            catch (ConversionException ex)
            {
                throw new CliInputException($"{path.Name}: {ex.Message}");
            }

            foreach (var s in report.Skipped)
            {
                await Console.Error.WriteLineAsync($"{path.Name}: {s}");
            }

            foreach (var n in report.Notes)
            {
                Console.WriteLine($"note: {n}");
            }

            var target = parse.GetValue(output)!;
            WriteText(target, report.Ndjson);
            Console.WriteLine($"{path.Name}: {report.Events} parking-occupancy events of {report.Facilities} car parks written to {target}; {report.Skipped.Count} records left out");
            return ExitCodes.Ok;
        }));

        return new Command("convert", "Convert public records into a recorded day for citytwin replay") { birmingham };
    }

    public static Command CreateSynthDay()
    {
        var events = new Option<long>("--events") { Description = "About how many events", DefaultValueFactory = _ => 1_000_000 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42UL };
        var day = new Option<string>("--day") { Description = "The UTC day (yyyy-MM-dd)", DefaultValueFactory = _ => "2026-03-10" };
        var output = new Option<string>("--out") { Description = "The recorded day to write (NDJSON; gzip when it ends in .gz)", Required = true };
        var command = new Command("synth-day", "Write a seeded synthetic recorded day for a city (detector counts, signal phases, parking), for replay benchmarks")
        {
            events, seed, day, output, Cluster.CityOption,
        };
        command.SetAction((parse, _) => Run.GuardedAsync(() =>
        {
            var n = parse.GetValue(events);
            if (n < 1000)
            {
                throw new CliInputException($"--events {n} must be at least 1000");
            }

            if (!DateOnly.TryParseExact(parse.GetValue(day), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw new CliInputException($"--day '{parse.GetValue(day)}' is not a date (yyyy-MM-dd)");
            }

            var model = CityReader.ReadFolder(parse.GetValue(Cluster.CityOption) ?? Silo.SiloSettings.SampleCityDirectory);
            var target = parse.GetValue(output)!;
            using var stream = Open(target);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
            var written = SyntheticDay.Write(model, n, date, parse.GetValue(seed), writer);
            Console.WriteLine($"{written} events of {model.Name} on {date:yyyy-MM-dd} (seed {parse.GetValue(seed)}) written to {target}");
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    private static DateTime? LocalTime(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return DateTime.TryParseExact(text, ["yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? t
            : throw new CliInputException($"{option} '{text}' is not a local time (yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss)");
    }

    private static Stream Open(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var file = File.Create(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Optimal) : file;
    }

    private static void WriteText(string path, string text)
    {
        using var stream = Open(path);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(text);
    }
}
