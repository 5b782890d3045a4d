using CityTwin.Contracts;

namespace CityTwin.Grains;

/// <summary>A twin's ingest totals and the newest rejected lines that belong to no entity.</summary>
public sealed class IngestLogGrain : Grain, IIngestLogGrain
{
    /// <summary>How many rejected lines are kept.</summary>
    public const int KeptLines = 1000;

    private readonly Queue<RejectedLine> _recent = new();
    private long _accepted;
    private long _duplicates;
    private long _rejected;

    public Task RecordAsync(IngestReport report, IReadOnlyList<RejectedLine> unattributed)
    {
        _accepted += report.Accepted;
        _duplicates += report.Duplicates;
        _rejected += report.Rejected;
        foreach (var line in unattributed)
        {
            _recent.Enqueue(line);
            if (_recent.Count > KeptLines)
            {
                _recent.Dequeue();
            }
        }

        return Task.CompletedTask;
    }

    public Task<IngestLog> GetAsync() => Task.FromResult(new IngestLog(_accepted, _duplicates, _rejected, _recent.ToArray()));
}
