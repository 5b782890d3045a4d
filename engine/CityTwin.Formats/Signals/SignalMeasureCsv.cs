using System.Globalization;
using CityTwin.Engine.Signals;

namespace CityTwin.Formats.Signals;

/// <summary>
/// The measure files, one CSV per measure in the column layouts of the peer package's published results
/// (CONTRACTS.md): <c>actuations.csv</c>, <c>arrival_on_green.csv</c>, <c>splits.csv</c>, <c>terminations.csv</c>,
/// <c>split_failures.csv</c>, <c>yellow_red.csv</c>. TimeStamp is the start of the bin (controller local time).
/// </summary>
public static class SignalMeasureCsv
{
    public const string Actuations = "actuations.csv";
    public const string ArrivalOnGreen = "arrival_on_green.csv";
    public const string Splits = "splits.csv";
    public const string Terminations = "terminations.csv";
    public const string SplitFailures = "split_failures.csv";
    public const string YellowRed = "yellow_red.csv";

    public const string ActuationsHeader = "TimeStamp,DeviceId,Detector,Total";
    public const string ArrivalOnGreenHeader = "TimeStamp,DeviceId,Phase,Total_Actuations,Percent_AOG";
    public const string SplitsHeader = "TimeStamp,DeviceId,EventId,Services,Average_Split";
    public const string TerminationsHeader = "TimeStamp,DeviceId,Phase,PerformanceMeasure,Total";
    public const string SplitFailuresHeader = "TimeStamp,DeviceId,Phase,Green_Time,Green_Occupancy,Red_Occupancy,Split_Failure";
    public const string YellowRedHeader = "TimeStamp,DeviceId,Phase,Signal_State,Red_Offset,Count";

    /// <summary>The files written, in order.</summary>
    public static IReadOnlyList<string> Files { get; } = [Actuations, ArrivalOnGreen, Splits, Terminations, SplitFailures, YellowRed];

    public static void Write(string directory, SignalMeasures m)
    {
        Directory.CreateDirectory(directory);
        WriteFile(directory, Actuations, ActuationsHeader, m.Actuations, r => $"{T(r.BinMs)},{I(r.DeviceId)},{I(r.Detector)},{I(r.Total)}");
        WriteFile(directory, ArrivalOnGreen, ArrivalOnGreenHeader, m.ArrivalOnGreen, r => $"{T(r.BinMs)},{I(r.DeviceId)},{I(r.Phase)},{I(r.TotalActuations)},{D(r.PercentAog)}");
        WriteFile(directory, Splits, SplitsHeader, m.Splits, r => $"{T(r.BinMs)},{I(r.DeviceId)},{I(r.EventId)},{I(r.Services)},{D(r.AverageSplit)}");
        WriteFile(directory, Terminations, TerminationsHeader, m.Terminations, r => $"{T(r.BinMs)},{I(r.DeviceId)},{I(r.Phase)},{r.Kind},{I(r.Total)}");
        WriteFile(directory, SplitFailures, SplitFailuresHeader, m.SplitFailures,
            r => $"{T(r.BinMs)},{I(r.DeviceId)},{I(r.Phase)},{D(r.GreenTime)},{D(r.GreenOccupancy)},{D(r.RedOccupancy)},{I(r.SplitFailures)}");
        WriteFile(directory, YellowRed, YellowRedHeader, m.YellowRed, r => $"{T(r.BinMs)},{I(r.DeviceId)},{I(r.Phase)},{I(r.SignalState)},{D(r.RedOffset)},{I(r.Count)}");
    }

    /// <summary>Reads a folder of measure files (ours or the peer's); a missing file reads as no rows.</summary>
    public static SignalMeasures Read(string directory) => new(
        ReadFile(directory, Actuations, ActuationsHeader, f => new ActuationRow(Time(f, 0), Int(f, 1), Int(f, 2), Int(f, 3))),
        ReadFile(directory, ArrivalOnGreen, ArrivalOnGreenHeader, f => new ArrivalOnGreenRow(Time(f, 0), Int(f, 1), Int(f, 2), Int(f, 3), Dbl(f, 4))),
        ReadFile(directory, Splits, SplitsHeader, f => new SplitRow(Time(f, 0), Int(f, 1), Int(f, 2), Int(f, 3), Dbl(f, 4))),
        ReadFile(directory, Terminations, TerminationsHeader, f => new TerminationRow(Time(f, 0), Int(f, 1), Int(f, 2), Enum.Parse<TerminationKind>(f[3]), Int(f, 4))),
        ReadFile(directory, SplitFailures, SplitFailuresHeader, f => new SplitFailureRow(Time(f, 0), Int(f, 1), Int(f, 2), Dbl(f, 3), Dbl(f, 4), Dbl(f, 5), Int(f, 6))),
        ReadFile(directory, YellowRed, YellowRedHeader, f => new YellowRedRow(Time(f, 0), Int(f, 1), Int(f, 2), Int(f, 3), Dbl(f, 4), (int)Dbl(f, 5))));

    private static void WriteFile<T>(string directory, string file, string header, IEnumerable<T> rows, Func<T, string> format)
    {
        using var writer = new StreamWriter(Path.Combine(directory, file));
        writer.NewLine = "\n";
        writer.WriteLine(header);
        foreach (var row in rows)
        {
            writer.WriteLine(format(row));
        }
    }

    private static List<T> ReadFile<T>(string directory, string file, string header, Func<string[], T> parse)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
        {
            return [];
        }

        var rows = new List<T>();
        using var reader = new StreamReader(path);
        var first = reader.ReadLine();
        if (!string.Equals(first?.Trim(), header, StringComparison.Ordinal))
        {
            throw new ControllerLogFormatException($"{path}:1: expected the header {header}");
        }

        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }

            try
            {
                rows.Add(parse(text.Split(',')));
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentException)
            {
                throw new ControllerLogFormatException($"{path}:{line}: {e.Message}");
            }
        }

        return rows;
    }

    private static string T(long ms) => ControllerTime.Format(ms);

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string D(double v) => double.IsNaN(v) ? string.Empty : v.ToString("R", CultureInfo.InvariantCulture);

    private static long Time(string[] f, int i) => ControllerTime.TryParse(f[i], out var ms) ? ms : throw new FormatException($"field {i + 1}: '{f[i]}' is not a time");

    private static int Int(string[] f, int i) => int.Parse(f[i], NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Dbl(string[] f, int i) => f[i].Length == 0 ? double.NaN : double.Parse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture);
}
