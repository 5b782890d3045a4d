namespace CityTwin.Contracts;

/// <summary>Takes NDJSON sensor events for a twin; any key (a stateless worker).</summary>
[Alias("CityTwin.IIngestGrain")]
public interface IIngestGrain : IGrainWithIntegerKey
{
    /// <summary>Validates, de-duplicates and streams a batch of NDJSON lines into a twin; answers per line.</summary>
    [Alias("Ingest")]
    Task<IngestReport> IngestAsync(string twin, [Immutable] byte[] ndjson);

    /// <summary>
    /// As <see cref="IngestAsync"/>, for a twin other than <c>live</c> that runs on a replayed day's clock: the rule
    /// on timestamps in the future is judged against <paramref name="clock"/> (the replay's time), not the wall clock.
    /// </summary>
    [Alias("IngestAt")]
    Task<IngestReport> IngestAtAsync(string twin, [Immutable] byte[] ndjson, DateTimeOffset clock);
}
