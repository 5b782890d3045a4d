using System.Text;
using CityTwin.Contracts;
using CityTwin.Formats.Events;

namespace CityTwin.Cluster.Tests;

/// <summary>The ingest endpoint under hostile lines mixed into good ones: the good ones are applied, the bad ones rejected by line number, nothing else moves.</summary>
[Collection(SiloHostCollection.Name)]
public sealed class IngestHostileInputTests(SiloHostFixture host)
{
    [Fact]
    public async Task Hostile_lines_are_rejected_with_their_numbers_and_every_good_line_between_them_is_applied_exactly_once()
    {
        var twin = "hostile-" + Guid.NewGuid().ToString("N")[..12];
        var facility = SampleCity.Model.Parking[0].Id;
        var t = DateTimeOffset.UtcNow.AddMinutes(-2);
        var random = new Random(20261123);
        var lines = new List<byte[]>();
        var hostile = new List<int>();
        var good = 0;
        while (lines.Count < 200)
        {
            var valid = Encoding.UTF8.GetBytes(Events.Parking(facility, t, good + 1, "entry"));
            if (random.Next(5) < 2)
            {
                var bad = Hostile(valid, random);
                if (!SensorEventReader.ReadLine(bad).Ok && bad.AsSpan().IndexOf((byte)'\n') < 0 && !SensorEventReader.IsBlank(bad))
                {
                    lines.Add(bad);
                    hostile.Add(lines.Count);
                }

                continue;
            }

            lines.Add(valid);
            good++;
        }

        var body = lines.SelectMany(l => l.Append((byte)'\n')).ToArray();
        var report = await host.As("sensor-1").Api.IngestAsync(twin, body);

        Assert.Equal((good, 0, hostile.Count), (report.Accepted, report.Duplicates, report.Rejected));
        Assert.Equal(hostile, report.Errors.Select(e => e.Line).ToList());
        Assert.All(report.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
        var state = await Events.EventuallyAsync(
            () => host.Api.GetAsync<ParkingState>($"/api/twins/{twin}/parking/{facility}"), s => s.Entries == good);
        Assert.Equal(good, state.Occupied);
    }

    /// <summary>A valid line made hostile: truncated, a huge or non-finite number, deep nesting, bytes that are not UTF-8, a BOM, or far too long.</summary>
    private static byte[] Hostile(byte[] line, Random random) => random.Next(7) switch
    {
        0 => line[..random.Next(1, line.Length - 1)],
        1 => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(line).Replace("\"seq\":", "\"seq\":1e400,\"x\":", StringComparison.Ordinal)),
        2 => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(line).Replace("\"entry\"", string.Concat(Enumerable.Repeat("[", 300)) + string.Concat(Enumerable.Repeat("]", 300)), StringComparison.Ordinal)),
        3 => [.. line[..20], 0xC3, 0x28, .. line[20..]],
        4 => [0xEF, 0xBB, 0xBF, .. line],
        5 => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(line)[..^1] + ",\"pad\":\"" + new string('x', SensorEventReader.MaxLineBytes) + "\"}"),
        _ => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(line).Replace("\"entry\"", "NaN", StringComparison.Ordinal)),
    };
}
