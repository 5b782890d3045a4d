namespace CityTwin.Contracts;

/// <summary>A twin's ingest totals and the rejected lines no entity could take; key "{twin}".</summary>
[Alias("CityTwin.IIngestLogGrain")]
public interface IIngestLogGrain : IClearableGrain
{
    /// <summary>Adds an ingest's totals and its rejected lines that belong to no entity.</summary>
    [Alias("Record")]
    Task RecordAsync(IngestReport report, IReadOnlyList<RejectedLine> unattributed);

    /// <summary>Reads the totals and the newest rejected lines.</summary>
    [Alias("Get")]
    Task<IngestLog> GetAsync();
}
