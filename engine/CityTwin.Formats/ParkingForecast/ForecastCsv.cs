using System.Globalization;
using System.Text;
using CityTwin.Engine.Parking.Forecast;

namespace CityTwin.Formats.ParkingForecast;

/// <summary>
/// Writes occupancy forecasts as CSV (docs/parking-forecast.md): the backtest's rows
/// (<c>facility,ts,actual,forecast,lower,upper</c>, then the baselines and the basis), forecasts ahead, and the
/// notes on counts the history dropped or changed. Times in the input's layout (<c>yyyy-MM-dd HH:mm:ss</c>,
/// local); vehicles with one decimal; a missing forecast is an empty field.
/// </summary>
public static class ForecastCsv
{
    public const string BacktestHeader = "facility,ts,actual,forecast,lower,upper,last_value,last_week,basis";

    public const string ForecastHeader = "facility,ts,horizon_min,forecast,lower,upper,capacity,basis";

    public const string NotesHeader = "line,facility,ts,issue";

    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss";

    public static void WriteBacktest(string path, IEnumerable<BacktestRow> rows)
    {
        using var w = Open(path);
        w.WriteLine(BacktestHeader);
        foreach (var r in rows)
        {
            w.WriteLine(string.Join(',',
                Quote(r.Facility),
                r.LocalTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
                Number(r.Actual),
                Number(r.Forecast),
                Number(r.Lower),
                Number(r.Upper),
                Number(r.LastValue),
                Number(r.LastWeek),
                Basis(r.Basis)));
        }
    }

    public static void WriteForecasts(string path, IEnumerable<FacilityForecast> forecasts)
    {
        using var w = Open(path);
        w.WriteLine(ForecastHeader);
        foreach (var f in forecasts)
        {
            var p = f.Prediction;
            w.WriteLine(string.Join(',',
                Quote(f.Facility),
                f.LocalTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
                f.HorizonMin.ToString(CultureInfo.InvariantCulture),
                Number(p.Forecast),
                Number(p.Lower),
                Number(p.Upper),
                p.Capacity.ToString(CultureInfo.InvariantCulture),
                Basis(p.Basis)));
        }
    }

    public static void WriteNotes(string path, IEnumerable<OccupancyNote> notes)
    {
        using var w = Open(path);
        w.WriteLine(NotesHeader);
        foreach (var n in notes)
        {
            w.WriteLine(string.Join(',', n.Line.ToString(CultureInfo.InvariantCulture), Quote(n.Facility), n.LocalTime.ToString(TimeFormat, CultureInfo.InvariantCulture), Quote(n.Issue)));
        }
    }

    /// <summary>The basis in the files: profile, time-of-day, mean or last-value.</summary>
    public static string Basis(ForecastBasis? basis) => basis is { } b ? ForecastBases.Name(b) : string.Empty;

    private static StreamWriter Open(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        return new StreamWriter(path, false, new UTF8Encoding(false));
    }

    private static string Number(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : string.Empty;

    private static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
