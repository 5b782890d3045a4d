using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CityTwin.Engine.Signals;
using CityTwin.Formats.Signals;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin signal measures EVENTS.csv --config CONFIG.csv --out DIR</c>: signal performance measures from a
/// controller event log in 15-minute bins, one CSV per measure (docs/signal-measures.md).
/// </summary>
internal static class SignalCommand
{
    /// <summary>Bad rows printed one by one before the rest are only counted.</summary>
    private const int BadRowsShown = 10;

    public static Command Create()
    {
        var signal = new Command("signal", "Traffic signals: performance measures from controller event logs");
        signal.Subcommands.Add(CreateMeasures());
        return signal;
    }

    private static Command CreateMeasures()
    {
        var events = new Argument<string>("EVENTS") { Description = "Controller event log: CSV TimeStamp,DeviceId,EventId,Parameter (Indiana/Purdue codes; .gz accepted)" };
        var config = new Option<string>("--config") { Description = "Detector configuration: CSV DeviceId,Phase,Function,Parameter (Function: Presence, Advance, Stopbar Count, Yellow_Red)", Required = true };
        var outDir = new Option<string>("--out") { Description = "Output folder for the measure CSVs", Required = true };
        var binMinutes = new Option<int>("--bin-minutes") { Description = "Bin length, minutes", DefaultValueFactory = _ => 15 };
        var aogLatency = new Option<double>("--aog-latency") { Description = "Detector latency for arrivals on green, s", DefaultValueFactory = _ => 0 };
        var yrLatency = new Option<double>("--yellow-red-latency") { Description = "Detector latency for actuations on yellow and red, s", DefaultValueFactory = _ => 1.5 };
        var redWindow = new Option<double>("--red-window") { Description = "Seconds of red over which split-failure red occupancy is measured", DefaultValueFactory = _ => 5 };
        var strict = new Option<bool>("--strict") { Description = "Exit 2 if any row was not used (unreadable, unknown code or device, time backwards, duplicate)" };
        var command = new Command("measures", "Actuations, arrivals on green, splits, terminations, split failures and yellow/red actuations per signal, phase and bin")
        {
            events, config, outDir, binMinutes, aogLatency, yrLatency, redWindow, strict,
        };
        command.SetAction(parse => Run.GuardedAsync(() =>
        {
            var wall = Stopwatch.StartNew();
            var options = new SignalMeasureOptions
            {
                BinMinutes = Positive(parse.GetValue(binMinutes), "--bin-minutes"),
                ArrivalLatencySeconds = NonNegative(parse.GetValue(aogLatency), "--aog-latency"),
                YellowRedLatencySeconds = NonNegative(parse.GetValue(yrLatency), "--yellow-red-latency"),
                RedWindowSeconds = Positive(parse.GetValue(redWindow), "--red-window"),
            };
            var eventsPath = parse.GetValue(events)!;
            var engine = new SignalMeasureEngine(ReadConfig(parse.GetValue(config)!), options);
            long rows = 0;
            long earliest = long.MaxValue;
            var shown = 0;
            void Report(string message)
            {
                if (shown++ < BadRowsShown)
                {
                    Console.Error.WriteLine(message);
                }
            }

            try
            {
                foreach (var line in ControllerEventCsv.Read(eventsPath))
                {
                    rows++;
                    if (!line.Ok)
                    {
                        engine.CountUnparsable();
                        Report(line.Error!);
                        continue;
                    }

                    if (engine.Add(line.Event) is { } reason)
                    {
                        Report($"{eventsPath}:{line.Line}: {BadRowReasons.Name(reason)} (device {line.Event.DeviceId}, event {line.Event.EventId}, parameter {line.Event.Parameter})");
                    }
                    else
                    {
                        earliest = Math.Min(earliest, line.Event.TimeMs);
                    }
                }
            }
            catch (ControllerLogFormatException e)
            {
                throw new CliInputException(e.Message);
            }

            engine.Finish();
            var measures = engine.Results();
            var output = parse.GetValue(outDir)!;
            SignalMeasureCsv.Write(output, measures);

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"events: {rows} rows, {engine.Accepted} used"));
            Console.WriteLine(engine.Accepted > 0
                ? string.Create(inv, $"devices: {engine.Devices.Count} ({string.Join(", ", engine.Devices.Order())}), {ControllerTime.Format(earliest, true)} .. {ControllerTime.Format(engine.LatestMs, true)}")
                : "devices: 0");
            var reasons = BadRowReasons.All.Where(r => engine.BadRows(r) > 0).Select(r => string.Create(inv, $"{BadRowReasons.Name(r)} {engine.BadRows(r)}"));
            Console.WriteLine(string.Create(inv, $"bad rows: {engine.TotalBadRows}{(engine.TotalBadRows > 0 ? $" ({string.Join(", ", reasons)})" : string.Empty)}"));
            int[] counts = [measures.Actuations.Count, measures.ArrivalOnGreen.Count, measures.Splits.Count, measures.Terminations.Count, measures.SplitFailures.Count, measures.YellowRed.Count];
            for (var i = 0; i < counts.Length; i++)
            {
                Console.WriteLine(string.Create(inv, $"wrote {Path.Combine(output, SignalMeasureCsv.Files[i])} ({counts[i]} rows)"));
            }

            Console.WriteLine(string.Create(inv, $"time: {wall.Elapsed.TotalSeconds:0.00} s ({rows / Math.Max(wall.Elapsed.TotalSeconds, 1e-9):0} rows/s)"));
            return Task.FromResult(parse.GetValue(strict) && engine.TotalBadRows > 0 ? ExitCodes.BadInput : ExitCodes.Ok);
        }));
        return command;
    }

    private static DetectorConfiguration ReadConfig(string path)
    {
        try
        {
            return DetectorConfigCsv.Read(path);
        }
        catch (ControllerLogFormatException e)
        {
            throw new CliInputException(e.Message);
        }
    }

    private static int Positive(int value, string name) => value > 0 ? value : throw new CliInputException($"{name} must be positive, not {value}");

    private static double Positive(double value, string name) => value > 0 && double.IsFinite(value) ? value : throw new CliInputException($"{name} must be positive, not {value}");

    private static double NonNegative(double value, string name) => value >= 0 && double.IsFinite(value) ? value : throw new CliInputException($"{name} must be 0 or more, not {value}");
}
