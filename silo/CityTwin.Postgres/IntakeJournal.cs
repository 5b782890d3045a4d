using CityTwin.Grains;
using Npgsql;
using NpgsqlTypes;

namespace CityTwin.Postgres;

/// <summary>The durable intake journal in PostgreSQL (tables of <c>003_intake_journal.sql</c>).</summary>
public sealed class PostgresIntakeJournal(NpgsqlDataSource db) : IIntakeJournal
{
    private const string ReadHeadSql = """
        WITH created AS (
            INSERT INTO citytwin_intake_head (twin, entity, position) VALUES ($1, $2, 0)
            ON CONFLICT (twin, entity) DO NOTHING
            RETURNING position, windows)
        SELECT position, windows FROM created
        UNION ALL
        SELECT position, windows FROM citytwin_intake_head WHERE twin = $1 AND entity = $2
        """;

    private const string AppendSql = """
        WITH moved AS (
            UPDATE citytwin_intake_head SET position = $3 + 1, windows = $4, updated_at = now()
            WHERE twin = $1 AND entity = $2 AND position = $3
            RETURNING position)
        INSERT INTO citytwin_intake_journal (twin, entity, position, batch)
        SELECT $1, $2, position, $5 FROM moved
        """;

    private const string ReadAfterSql = """
        SELECT position, batch FROM citytwin_intake_journal
        WHERE twin = $1 AND entity = $2 AND position > $3
        ORDER BY position
        LIMIT $4
        """;

    private const string TruncateSql = "DELETE FROM citytwin_intake_journal WHERE twin = $1 AND entity = $2 AND position <= $3";

    private const string DeleteSql = """
        WITH journal AS (DELETE FROM citytwin_intake_journal WHERE twin = $1 AND entity = $2)
        DELETE FROM citytwin_intake_head WHERE twin = $1 AND entity = $2
        """;

    public bool IsDurable => true;

    public async Task<IntakeHead> ReadHeadAsync(string twin, string entityId, CancellationToken cancellationToken = default)
    {
        await using var cmd = db.CreateCommand(ReadHeadSql);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = twin });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entityId });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"the intake head of '{twin}/{entityId}' could not be read");
        }

        return new IntakeHead(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1));
    }

    public async Task<bool> TryAppendAsync(string twin, string entityId, long expectedPosition, byte[] windows, byte[] batch, CancellationToken cancellationToken = default)
    {
        await using var cmd = db.CreateCommand(AppendSql);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = twin });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entityId });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expectedPosition });
        cmd.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = windows, NpgsqlDbType = NpgsqlDbType.Bytea });
        cmd.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = batch, NpgsqlDbType = NpgsqlDbType.Bytea });
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<JournalEntry>> ReadAfterAsync(string twin, string entityId, long afterPosition, int max, CancellationToken cancellationToken = default)
    {
        await using var cmd = db.CreateCommand(ReadAfterSql);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = twin });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entityId });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterPosition });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var entries = new List<JournalEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new JournalEntry(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
        }

        return entries;
    }

    public async Task TruncateAsync(string twin, string entityId, long throughPosition, CancellationToken cancellationToken = default)
    {
        await using var cmd = db.CreateCommand(TruncateSql);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = twin });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entityId });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = throughPosition });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteAsync(string twin, string entityId, CancellationToken cancellationToken = default)
    {
        await using var cmd = db.CreateCommand(DeleteSql);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = twin });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entityId });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
