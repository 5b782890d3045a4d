using System.Reflection;
using Npgsql;

namespace CityTwin.Postgres;

/// <summary>
/// CityTwin's own PostgreSQL schema: the SQL files in <c>Schema/</c>, applied in name order, each one
/// idempotent, in one transaction under an advisory lock (so silos started together with schema
/// initialisation do not race), then the version recorded in <c>citytwin_schema</c>.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The schema version this build of CityTwin needs; raise it when a file changes.</summary>
    public const int Version = 3;

    /// <summary>The name of the schema in <c>citytwin_schema</c>.</summary>
    public const string Component = "citytwin";

    /// <summary>The invariant name the Orleans ADO.NET providers use for PostgreSQL.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Where the connection string comes from, as a user names it.</summary>
    public const string Setting = "--postgres (CityTwin:Postgres in appsettings.json, CityTwin__Postgres in the environment)";

    /// <summary>Any fixed number: the advisory lock that serialises schema changes.</summary>
    private const long SchemaLock = 0x43697479_5477696E;

    /// <summary>The schema files, in the order they are applied.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Scripts { get; } = LoadScripts();

    /// <summary>Creates or upgrades the schema; answers the version found before (0 for an empty database).</summary>
    public static async Task<int> ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = await PostgresConnections.OpenAsync(connectionString, cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLock})", connection, tx))
        {
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }

        var before = await ReadVersionAsync(connection, tx, cancellationToken) ?? 0;
        if (before > Version)
        {
            throw new StorageConfigurationException(
                $"the database holds CityTwin schema version {before}, newer than this CityTwin's {Version}; upgrade CityTwin", transient: false);
        }

        foreach (var (name, sql) in Scripts)
        {
            await using var cmd = new NpgsqlCommand(sql, connection, tx);
            try
            {
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex)
            {
                throw new StorageConfigurationException($"schema file {name} failed: {ex.MessageText} (SQLSTATE {ex.SqlState})", transient: false, ex);
            }
        }

        await using (var mark = new NpgsqlCommand(
            "INSERT INTO citytwin_schema (component, version) VALUES ($1, $2) ON CONFLICT (component) DO UPDATE SET version = excluded.version, applied_at = now()",
            connection, tx))
        {
            mark.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Component });
            mark.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Version });
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return before;
    }

    /// <summary>
    /// Checks that the database is reachable with these credentials and holds this version of the schema;
    /// throws <see cref="StorageConfigurationException"/> with one clear message otherwise.
    /// </summary>
    public static async Task VerifyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = await PostgresConnections.OpenAsync(connectionString, cancellationToken);
        var version = await ReadVersionAsync(connection, null, cancellationToken);
        var database = connection.Database;
        if (version is null)
        {
            throw new StorageConfigurationException(
                $"the PostgreSQL database '{database}' named by {Setting} has no CityTwin schema: run 'citytwin db init --postgres CONN' once, or start the silo with --db-init",
                transient: false);
        }

        if (version != Version)
        {
            throw new StorageConfigurationException(
                $"the PostgreSQL database '{database}' named by {Setting} holds CityTwin schema version {version}; this CityTwin needs version {Version}: run 'citytwin db init --postgres CONN'",
                transient: false);
        }
    }

    private static async Task<int?> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT CASE WHEN to_regclass('citytwin_schema') IS NULL THEN NULL ELSE 0 END", connection, tx);
        if (await cmd.ExecuteScalarAsync(cancellationToken) is DBNull or null)
        {
            return null;
        }

        await using var read = new NpgsqlCommand("SELECT version FROM citytwin_schema WHERE component = $1", connection, tx);
        read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Component });
        return await read.ExecuteScalarAsync(cancellationToken) is int v ? v : null;
    }

    private static IReadOnlyList<(string Name, string Sql)> LoadScripts()
    {
        const string Prefix = "CityTwin.Postgres.Schema.";
        var assembly = typeof(PostgresSchema).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[Prefix.Length..], Read(assembly, n)))
            .ToArray();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
