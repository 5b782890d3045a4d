using System.Text;
using CityTwin.Cluster.Tests.Postgres;
using CityTwin.Formats.Events;

namespace CityTwin.Cluster.Tests;

/// <summary>A feed with licence plates and device ids, valid and malformed, and the places they must not reach.</summary>
public static class PlateFeed
{
    public static readonly string[] RawValues = ["ZZ-PLATE-0001", "ZZ-DEVICE-0002", "ZZ-PLATE-0003", "ZZ-PLATE-0004", "98765432123", "ZZ-PLATE-0006"];

    /// <summary>Lines for parking facility <paramref name="facility"/>: accepted ones, and rejected ones that are kept for inspection.</summary>
    public static byte[] Body(string facility, DateTimeOffset t) => Encoding.UTF8.GetBytes(string.Join('\n',
    [
        $$"""{"type":"parking","sensor":"{{facility}}","ts":"{{Events.Ts(t)}}","seq":1,"event":"entry","plate":"ZZ-PLATE-0001","device":"ZZ-DEVICE-0002"}""",
        $$"""{"type":"parking","sensor":"{{facility}}","ts":"{{Events.Ts(t)}}","seq":2,"event":"sideways","PLATE":"ZZ-PLATE-0003"}""",
        $$"""{"type":"parking","sensor":"{{facility}}","ts":"{{Events.Ts(t)}}","seq":3,"event":"exit","pl\u0061te":"ZZ-PLATE-0004","device":98765432123,"extra":1""",
        $$"""{"type":"parking","sensor":"NO-SUCH-SENSOR","ts":"{{Events.Ts(t)}}","seq":4,"event":"entry","plate":"ZZ-PLATE-0006"}""",
        $$"""{"type":"parking","sensor":"{{facility}}","ts":"{{Events.Ts(t)}}","seq":5,"event":"exit","plate":"ZZ-PLATE-0001""",
    ]) + "\n");

    /// <summary>The raw values found in a text (none is the answer that passes).</summary>
    public static string[] Found(string text) => RawValues.Where(v => text.Contains(v, StringComparison.Ordinal)).ToArray();
}

/// <summary>Plates and device ids are pseudonymised at the HTTP edge: no raw value in any state, answer, log or export.</summary>
[Collection(SiloHostCollection.Name)]
public sealed class PrivacyTests(SiloHostFixture host)
{
    [Fact]
    public async Task Plates_fed_over_http_appear_nowhere_in_state_answers_or_exports_only_their_keyed_hashes()
    {
        var twin = "privacy-" + Guid.NewGuid().ToString("N")[..12];
        var facility = SampleCity.Model.Parking[0];
        var sensor = host.As("sensor-1").Api;
        var report = await sensor.IngestAsync(twin, PlateFeed.Body(facility.Id, DateTimeOffset.UtcNow.AddMinutes(-1)));
        Assert.Equal((1, 4), (report.Accepted, report.Rejected));
        Assert.Equal([2, 3, 4, 5], report.Errors.Select(e => e.Line).ToArray());
        Assert.Empty(PlateFeed.Found(string.Join("\n", report.Errors.Select(e => e.Reason))));

        // Everything the twin holds, as the API gives it (the snapshot is what exports start from).
        var reads = new List<string>();
        foreach (var path in new[]
        {
            $"/api/twins/{twin}/parking/{facility.Id}", $"/api/twins/{twin}/rejected", $"/api/twins/{twin}/snapshot",
            $"/api/twins/{twin}/cells/{facility.Placement.CellId}", $"/api/twins/{twin}/districts/{facility.Placement.DistrictId}",
        })
        {
            reads.Add(await Events.EventuallyAsync(() => host.Http.GetStringAsync(new Uri(path, UriKind.Relative)), text => text.Length > 0));
        }

        var state = await Events.EventuallyAsync(
            () => host.Http.GetStringAsync(new Uri($"/api/twins/{twin}/parking/{facility.Id}", UriKind.Relative)),
            text => text.Contains("hmac:", StringComparison.Ordinal));
        var all = string.Join("\n", reads.Append(state));
        Assert.Empty(PlateFeed.Found(all));

        // The rejected lines are kept with the plate's keyed hash in place of the plate: the same plate, the same pseudonym.
        Assert.Contains(PersonalFields.Pseudonym(SiloHostFixture.PrivacyKey, "ZZ-PLATE-0003"u8), all, StringComparison.Ordinal);
        Assert.Contains(PersonalFields.Pseudonym(SiloHostFixture.PrivacyKey, "ZZ-PLATE-0004"u8), all, StringComparison.Ordinal);
        Assert.Contains(PersonalFields.Pseudonym(SiloHostFixture.PrivacyKey, "ZZ-PLATE-0006"u8), all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plates_ingested_by_the_command_appear_nowhere_in_its_output_or_its_logs()
    {
        var dir = Directory.CreateTempSubdirectory("citytwin-privacy-").FullName;
        var file = Path.Combine(dir, "plates.ndjson");
        await File.WriteAllBytesAsync(file, PlateFeed.Body(SampleCity.Model.Parking[0].Id, DateTimeOffset.UtcNow.AddMinutes(-1)));

        var (code, output, _) = await CliProcess.RunAsync(["ingest", file]);

        Assert.Equal(2, code);
        Assert.Contains("accepted 1, duplicates 0, rejected 4", output, StringComparison.Ordinal);
        Assert.Empty(PlateFeed.Found(output));
    }
}
