using System.Text;
using CityTwin.Contracts;
using CityTwin.Engine.Live;
using CityTwin.Formats.Events;
using Orleans.Concurrency;

namespace CityTwin.Grains;

/// <summary>
/// Reads a batch of NDJSON lines, rejects bad lines with their number and reason, and hands the good
/// events, grouped by the entity they concern, to that entity's intake grain, which de-duplicates and
/// streams them. Every non-blank line ends in exactly one of accepted, duplicates or rejected.
/// </summary>
/// <remarks>
/// A stateless worker: it keeps no state between calls, so any number of activations may run in
/// parallel on every silo, close to the HTTP endpoint that calls it.
/// </remarks>
[StatelessWorker]
public sealed class IngestGrain(ICityCatalog catalog, TimeProvider time, PseudonymKey pseudonyms) : Grain, IIngestGrain
{
    /// <summary>How much of a rejected line is kept for inspection.</summary>
    private const int KeptTextChars = 512;

    public Task<IngestReport> IngestAsync(string twin, byte[] ndjson) => IngestCoreAsync(twin, ndjson, time.GetUtcNow());

    public Task<IngestReport> IngestAtAsync(string twin, byte[] ndjson, DateTimeOffset clock)
    {
        if (twin == TwinKeys.Live)
        {
            throw new ArgumentException($"the '{TwinKeys.Live}' twin runs on the wall clock; a replay clock is only for other twins", nameof(clock));
        }

        return IngestCoreAsync(twin, ndjson, clock);
    }

    /// <summary>Ingests with <paramref name="clock"/> as "now" for the rule on future timestamps.</summary>
    private async Task<IngestReport> IngestCoreAsync(string twin, byte[] ndjson, DateTimeOffset clock)
    {
        if (!TwinKeys.IsValidTwinId(twin))
        {
            throw new ArgumentException($"'{twin}' is not a valid twin id (letters, digits, '-', '_', '.'; 1-64 characters)", nameof(twin));
        }

        var city = catalog.CityOf(twin);

        // The HTTP API pseudonymises at its edge; a cluster client's batch is done here, before anything is
        // streamed, stored or kept as a rejected line (values already pseudonymised are left alone).
        ndjson = PersonalFields.Pseudonymise(ndjson, pseudonyms.Key);
        var now = clock.UtcTicks;
        var groups = new Dictionary<string, (List<SensorEventData> Events, List<RejectedEventData> Rejected)>(StringComparer.Ordinal);
        var errors = new List<LineError>();
        var unattributed = new List<RejectedLine>();

        foreach (var (lineNumber, line) in SensorEventReader.SplitLines(ndjson))
        {
            var span = line.Span;
            if (SensorEventReader.IsBlank(span))
            {
                continue;
            }

            var result = SensorEventReader.ReadLine(span);
            var reason = result.Error;
            Engine.City.SensorTarget? target = null;
            if (reason is null)
            {
                var reading = result.Reading;
                reason = EventRules.Check(city, reading, now, out target);
                if (reason is null)
                {
                    Group(groups, target!.TargetId).Events.Add(Mapping.ToData(reading));
                    continue;
                }
            }

            if (target is null && result.Sensor is not null && city.TryGetSensor(result.Sensor, out var known))
            {
                target = known;
            }

            errors.Add(new LineError(lineNumber, reason));
            var text = Truncate(span);
            if (target is not null)
            {
                Group(groups, target.TargetId).Rejected.Add(new RejectedEventData(result.Sensor!, result.Seq, reason, text));
            }
            else
            {
                unattributed.Add(new RejectedLine(time.GetUtcNow(), lineNumber, result.Sensor, reason, text));
            }
        }

        var receipts = await Task.WhenAll(groups.Select(g =>
            GrainFactory.GetGrain<ISensorIntakeGrain>(TwinKeys.Of(twin, g.Key))
                .SubmitAsync(new IntakeBatch(g.Value.Events, g.Value.Rejected))));

        var report = new IngestReport(receipts.Sum(r => r.Accepted), receipts.Sum(r => r.Duplicates), errors.Count, errors);
        await GrainFactory.GetGrain<IIngestLogGrain>(twin).RecordAsync(report with { Errors = [] }, unattributed);
        return report;
    }

    private static (List<SensorEventData> Events, List<RejectedEventData> Rejected) Group(
        Dictionary<string, (List<SensorEventData> Events, List<RejectedEventData> Rejected)> groups, string entityId)
    {
        if (!groups.TryGetValue(entityId, out var g))
        {
            g = ([], []);
            groups[entityId] = g;
        }

        return g;
    }

    private static string Truncate(ReadOnlySpan<byte> line)
    {
        var text = Encoding.UTF8.GetString(line);
        return text.Length <= KeptTextChars ? text : text[..KeptTextChars] + "…";
    }
}
