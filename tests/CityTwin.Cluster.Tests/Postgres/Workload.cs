using System.Net;
using System.Text.Json;
using CityTwin.Engine.City;

namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>
/// A deterministic workload over the sample city: round r holds one count from every approach detector and
/// one entry or exit at every parking facility, with seq r + 1 and event time start + r seconds (all inside
/// the lateness window, so every distinct event is applied).
/// </summary>
public sealed class Workload(CityModel city, DateTimeOffset start)
{
    public IReadOnlyList<string> Detectors { get; } = city.Signals.SelectMany(s => city.DetectorsOf(s.Id)).Select(d => d.Id).Order(StringComparer.Ordinal).ToArray();

    public IReadOnlyList<string> Facilities { get; } = city.Parking.Select(p => p.Id).Order(StringComparer.Ordinal).ToArray();

    public int EventsPerRound => Detectors.Count + Facilities.Count;

    public byte[] Round(int r)
    {
        var ts = start.AddSeconds(r);
        var lines = Detectors.Select((d, i) => Events.Detector(d, ts, r + 1, 5 + ((r + i) % 7)))
            .Concat(Facilities.Select(p => Events.Parking(p, ts, r + 1, r % 2 == 0 ? "entry" : "exit")));
        return Events.Body(lines);
    }

    /// <summary>Every sensor's applied + late count in a twin, read through one silo's HTTP API.</summary>
    public async Task<IReadOnlyDictionary<string, long>> AcceptedPerSensorAsync(HttpClient http, string twin)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var signal in city.Signals)
        {
            Add(counts, await GetAsync(http, $"/api/twins/{twin}/signals/{signal.Id}"));
        }

        foreach (var p in city.Parking)
        {
            Add(counts, await GetAsync(http, $"/api/twins/{twin}/parking/{p.Id}"));
        }

        return counts;
    }

    /// <summary>The sensors whose accepted count is not <paramref name="expected"/>, as "sensor=count".</summary>
    public IReadOnlyList<string> Mismatches(IReadOnlyDictionary<string, long> counts, long expected) =>
        Detectors.Concat(Facilities).Where(s => counts.GetValueOrDefault(s) != expected).Select(s => $"{s}={counts.GetValueOrDefault(s)}").ToArray();

    private static void Add(Dictionary<string, long> counts, JsonElement state)
    {
        foreach (var s in state.GetProperty("sensors").EnumerateArray())
        {
            counts[s.GetProperty("sensor").GetString()!] = s.GetProperty("applied").GetInt64() + s.GetProperty("late").GetInt64();
        }
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
