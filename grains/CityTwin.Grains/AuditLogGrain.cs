using CityTwin.Contracts;
using Orleans.Concurrency;

namespace CityTwin.Grains;

/// <summary>
/// The append-only audit log: a thin front to the silo's <see cref="IAuditStore"/> (a PostgreSQL table, an
/// append-only file, or memory; chosen by the silo configuration). An append answers once the store has the entry
/// durably, so an action the API answered as done is in the log.
/// </summary>
/// <remarks>
/// A stateless worker: it holds nothing; the store numbers the entries and keeps their times in order, also when
/// several activations on several silos append at once (a table lock in PostgreSQL, a file lock on the file), so
/// any number of activations may run, each next to the endpoint that calls it.
/// </remarks>
[StatelessWorker]
public sealed class AuditLogGrain(IAuditStore store, TimeProvider time) : Grain, IAuditLogGrain
{
    public Task<AuditEntry> AppendAsync(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return store.AppendAsync(record, time.GetUtcNow());
    }

    public Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, string? kind) =>
        store.ListAsync(from, to, kind);
}
