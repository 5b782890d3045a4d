using CityTwin.Contracts;
using CityTwin.Grains;
using Npgsql;
using NpgsqlTypes;

namespace CityTwin.Postgres;

/// <summary>
/// The audit log in PostgreSQL (table <c>citytwin_audit</c> of <c>004_audit.sql</c>, append-only by its trigger).
/// An append locks the table against other writers for its transaction, so entries from several silos get
/// sequence numbers 1, 2, 3, ... without gaps or repeats, in the order of their times; it commits before it answers.
/// </summary>
public sealed class PostgresAuditStore(NpgsqlDataSource db) : IAuditStore
{
    /// <summary>The table.</summary>
    public const string Table = "citytwin_audit";

    // SHARE ROW EXCLUSIVE conflicts with itself and with every INSERT, not with reads: one append at a time.
    private const string LockSql = $"LOCK TABLE {Table} IN SHARE ROW EXCLUSIVE MODE";

    private const string AppendSql = $"""
        INSERT INTO {Table} (seq, time, who, kind, what, why, evidence, twin)
        SELECT coalesce(last.seq, 0) + 1, greatest($1, last.time), $2, $3, $4, $5, $6, $7
        FROM (SELECT 1) AS one
        LEFT JOIN (SELECT seq, time FROM {Table} ORDER BY seq DESC LIMIT 1) AS last ON true
        RETURNING seq, time
        """;

    private const string ListSql = $"""
        SELECT seq, time, who, kind, what, why, evidence, twin FROM {Table}
        WHERE ($1::timestamptz IS NULL OR time >= $1) AND ($2::timestamptz IS NULL OR time < $2) AND ($3::text IS NULL OR kind = $3)
        ORDER BY seq
        """;

    public string Where => $"PostgreSQL table {Table} (append-only)";

    public async Task<AuditEntry> AppendAsync(AuditRecord record, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands = { new NpgsqlBatchCommand(LockSql), new NpgsqlBatchCommand(AppendSql) },
        };
        var insert = batch.BatchCommands[1].Parameters;
        insert.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        insert.Add(new NpgsqlParameter<string> { TypedValue = record.Who });
        insert.Add(new NpgsqlParameter<string> { TypedValue = record.Kind });
        insert.Add(new NpgsqlParameter<string> { TypedValue = record.What });
        insert.Add(Text(record.Why));
        insert.Add(Text(record.EvidenceId));
        insert.Add(Text(record.Twin));

        long seq;
        DateTimeOffset time;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new InvalidOperationException($"the audit entry was not written to {Table}");
            }

            seq = reader.GetInt64(0);
            time = reader.GetFieldValue<DateTimeOffset>(1);
        }

        await tx.CommitAsync(cancellationToken);
        return new AuditEntry(seq, time, record.Who, record.Kind, record.What, record.Why, record.EvidenceId, record.Twin);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, string? kind, CancellationToken cancellationToken = default)
    {
        await using var cmd = db.CreateCommand(ListSql);
        cmd.Parameters.Add(Time(from));
        cmd.Parameters.Add(Time(to));
        cmd.Parameters.Add(Text(kind));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(
                reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return entries;
    }

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Time(DateTimeOffset? value) =>
        new() { Value = value is { } t ? t.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };
}
