using CityTwin.Engine.Signals;
using CityTwin.Formats.Signals;

namespace CityTwin.Engine.Tests.Measures;

/// <summary>
/// The atspm package's test log and published results (tests/data/atspm, MIT, Copyright (c) 2024 Shawn Strasser;
/// see SOURCE.md there), and our measures computed from the log once per test run.
/// </summary>
internal static class PeerData
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "data", "atspm");

    public static string EventsPath => Path.Combine(Folder, "hires_test_data.csv.gz");

    public static string ConfigPath => Path.Combine(Folder, "configs_test_data.csv");

    public static string ExpectedFolder => Path.Combine(Folder, "expected");

    private static readonly Lazy<(SignalMeasureEngine Engine, SignalMeasures Ours, SignalMeasures Peer)> Run = new(() =>
    {
        var engine = new SignalMeasureEngine(DetectorConfigCsv.Read(ConfigPath));
        foreach (var line in ControllerEventCsv.Read(EventsPath))
        {
            if (line.Ok)
            {
                engine.Add(line.Event);
            }
            else
            {
                engine.CountUnparsable();
            }
        }

        engine.Finish();
        return (engine, engine.Results(), SignalMeasureCsv.Read(ExpectedFolder));
    });

    public static SignalMeasureEngine Engine => Run.Value.Engine;

    public static SignalMeasures Ours => Run.Value.Ours;

    public static SignalMeasures Peer => Run.Value.Peer;
}

/// <summary>Rows of one measure matched by key: how many match within tolerance, and every difference in words.</summary>
internal sealed record RowComparison(int PeerRows, int OurRows, int Matching, IReadOnlyList<string> Differences)
{
    public static RowComparison Of<T, TKey>(IReadOnlyList<T> ours, IReadOnlyList<T> peer, Func<T, TKey> key, Func<T, T, string?> difference)
        where TKey : notnull
    {
        var peerByKey = new Dictionary<TKey, T>();
        var differences = new List<string>();
        foreach (var p in peer)
        {
            if (!peerByKey.TryAdd(key(p), p))
            {
                differences.Add($"peer has the key twice: {p}");
            }
        }

        var matching = 0;
        var seen = new HashSet<TKey>();
        foreach (var o in ours)
        {
            var k = key(o);
            seen.Add(k);
            if (!peerByKey.TryGetValue(k, out var p))
            {
                differences.Add($"only ours: {o}");
            }
            else if (difference(o, p) is { } d)
            {
                differences.Add($"{k}: {d} (ours {o}; peer {p})");
            }
            else
            {
                matching++;
            }
        }

        differences.AddRange(peer.Where(p => !seen.Contains(key(p))).Select(p => $"only the peer's: {p}"));
        return new RowComparison(peer.Count, ours.Count, matching, differences);
    }

    /// <summary>
    /// The peer stores its averages and shares as 32-bit floats (DuckDB FLOAT): half a unit in the last place is at
    /// most 6e-8 of the value. Null if ours is within 1e-6 x max(1, |peer|) of the peer's, else a description.
    /// </summary>
    public static string? Near(string field, double ours, double peer) =>
        Math.Abs(ours - peer) <= 1e-6 * Math.Max(1, Math.Abs(peer)) || (double.IsNaN(ours) && double.IsNaN(peer)) ? null : $"{field} {ours} vs {peer}";

    public static string? Same(string field, long ours, long peer) => ours == peer ? null : $"{field} {ours} vs {peer}";

    public static string? First(params string?[] differences) => differences.FirstOrDefault(d => d is not null);
}
