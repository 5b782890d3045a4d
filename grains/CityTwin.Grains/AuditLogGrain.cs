using CityTwin.Contracts;

namespace CityTwin.Grains;

/// <summary>Persisted state of the audit log: every entry, oldest first.</summary>
[GenerateSerializer, Alias("CityTwin.AuditLogState")]
public sealed class AuditLogState
{
    [Id(0)]
    public List<AuditEntry> Entries { get; set; } = [];
}

/// <summary>
/// The append-only audit log. Every append is written to storage (provider <c>twin</c>: PostgreSQL when the
/// silo runs with it) before the answer, so an action the API answered as done is in the log.
/// </summary>
public sealed class AuditLogGrain(
    [PersistentState("audit", StorageNames.Twin)] IPersistentState<AuditLogState> state,
    TimeProvider time) : Grain, IAuditLogGrain
{
    public async Task<AuditEntry> AppendAsync(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entries = state.State.Entries;
        var now = time.GetUtcNow();

        // Times never go backwards in the log, so a range query over [from, to) is a contiguous run.
        if (entries.Count > 0 && entries[^1].Time > now)
        {
            now = entries[^1].Time;
        }

        var entry = new AuditEntry(entries.Count + 1, now, record.Who, record.Kind, record.What, record.Why, record.EvidenceId, record.Twin);
        entries.Add(entry);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            entries.RemoveAt(entries.Count - 1);
            throw;
        }

        return entry;
    }

    public Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, string? kind)
    {
        IReadOnlyList<AuditEntry> list = state.State.Entries
            .Where(e => (from is null || e.Time >= from) && (to is null || e.Time < to) && (kind is null || e.Kind == kind))
            .ToArray();
        return Task.FromResult(list);
    }
}
