using CityTwin.Contracts;

namespace CityTwin.Grains;

/// <summary>
/// Where the audit log is kept (chosen by the silo configuration): a PostgreSQL table with <c>--storage postgres</c>,
/// an append-only file in the silo's data directory otherwise, memory for a silo without one. Every store numbers
/// its entries 1, 2, 3, ... with no gaps and keeps their times from going backwards, also when several silos
/// append at once; it has no way to change or remove an entry.
/// </summary>
public interface IAuditStore
{
    /// <summary>Where the entries are, as a user names it (e.g. "file /home/me/.local/share/citytwin/audit.ndjson").</summary>
    string Where { get; }

    /// <summary>
    /// Appends an entry with the next sequence number and time <paramref name="now"/>, or the last entry's time
    /// when that is later; answers once the entry is durable (for the memory store: once it is kept).
    /// </summary>
    Task<AuditEntry> AppendAsync(AuditRecord record, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The entries with time in [from, to) and of the given kind (null: any), oldest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, string? kind, CancellationToken cancellationToken = default);
}

/// <summary>The audit query's filter, shared by the stores that filter in memory.</summary>
public static class AuditFilter
{
    /// <summary>True when the entry's time is in [from, to) and it is of the kind (null: any).</summary>
    public static bool Matches(AuditEntry entry, DateTimeOffset? from, DateTimeOffset? to, string? kind) =>
        (from is null || entry.Time >= from) && (to is null || entry.Time < to) && (kind is null || entry.Kind == kind);
}

/// <summary>
/// The audit log of a silo that has neither PostgreSQL nor a data directory (an embedded silo of the command, a
/// test host): kept in this silo's memory, gone with the process like everything else such a silo holds.
/// </summary>
public sealed class MemoryAuditStore : IAuditStore
{
    private readonly List<AuditEntry> _entries = [];

    public string Where => "memory (this process only; nothing is kept when it stops)";

    public Task<AuditEntry> AppendAsync(AuditRecord record, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_entries)
        {
            var last = _entries.Count > 0 ? _entries[^1] : null;
            var entry = new AuditEntry(_entries.Count + 1, last is not null && last.Time > now ? last.Time : now, record.Who, record.Kind, record.What, record.Why, record.EvidenceId, record.Twin);
            _entries.Add(entry);
            return Task.FromResult(entry);
        }
    }

    public Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, string? kind, CancellationToken cancellationToken = default)
    {
        lock (_entries)
        {
            return Task.FromResult<IReadOnlyList<AuditEntry>>(_entries.Where(e => AuditFilter.Matches(e, from, to, kind)).ToArray());
        }
    }
}
