namespace CityTwin.Contracts;

/// <summary>Takes NDJSON sensor events for a twin; any key (a stateless worker).</summary>
[Alias("CityTwin.IIngestGrain")]
public interface IIngestGrain : IGrainWithIntegerKey
{
    /// <summary>Validates, de-duplicates and streams a batch of NDJSON lines into a twin; answers per line.</summary>
    [Alias("Ingest")]
    Task<IngestReport> IngestAsync(string twin, [Immutable] byte[] ndjson);
}
