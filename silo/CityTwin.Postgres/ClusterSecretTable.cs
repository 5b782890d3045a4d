using Npgsql;

namespace CityTwin.Postgres;

/// <summary>
/// The cluster secret in PostgreSQL (table <c>citytwin_cluster_secret</c> of <c>005_cluster_secret.sql</c>): one row per
/// cluster id, added by the first silo of the cluster that starts and read by every other.
/// </summary>
public static class ClusterSecretTable
{
    /// <summary>The table.</summary>
    public const string Table = "citytwin_cluster_secret";

    // The statement's snapshot does not see a row that another silo added while this one waited on the key: then it
    // answers nothing, and the next statement sees that row.
    private const string EnsureSql = $"""
        WITH added AS (INSERT INTO {Table} (cluster_id, secret) VALUES ($1, $2) ON CONFLICT (cluster_id) DO NOTHING RETURNING secret)
        SELECT secret FROM added UNION ALL SELECT secret FROM {Table} WHERE cluster_id = $1 LIMIT 1
        """;

    /// <summary>
    /// The secret of cluster <paramref name="clusterId"/>: the one in the table, else <paramref name="newSecret"/>, which is
    /// then added (silos starting at once all answer the one that was added first).
    /// </summary>
    public static async Task<string> GetOrAddAsync(string connectionString, string clusterId, string newSecret, CancellationToken cancellationToken = default)
    {
        await using var connection = await PostgresConnections.OpenAsync(connectionString, cancellationToken);
        try
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                await using var cmd = new NpgsqlCommand(EnsureSql, connection);
                cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clusterId });
                cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = newSecret });
                if (await cmd.ExecuteScalarAsync(cancellationToken) is string secret)
                {
                    return secret;
                }
            }
        }
        catch (PostgresException ex)
        {
            throw new StorageConfigurationException($"table {Table}: {ex.MessageText} (SQLSTATE {ex.SqlState}); run 'citytwin db init --postgres CONN'", transient: false, ex);
        }

        throw new StorageConfigurationException($"table {Table} gave no secret for cluster '{clusterId}'", transient: false);
    }
}
