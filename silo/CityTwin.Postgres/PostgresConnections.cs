using System.Net.Sockets;
using Npgsql;

namespace CityTwin.Postgres;

/// <summary>A PostgreSQL setting that does not work: one message naming the setting and what to do.</summary>
public sealed class StorageConfigurationException(string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True when trying again later may work (the server is unreachable), false when the setting itself is wrong.</summary>
    public bool IsTransient { get; } = transient;
}

/// <summary>Opens connections and turns the ways a connection fails into a <see cref="StorageConfigurationException"/>.</summary>
public static class PostgresConnections
{
    /// <summary>Checks the connection string's syntax; throws with the reason.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StorageConfigurationException($"no PostgreSQL connection string: set {PostgresSchema.Setting}, e.g. 'Host=127.0.0.1;Port=5432;Username=citytwin;Password=...;Database=citytwin'", transient: false);
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.Host))
            {
                throw new ArgumentException("it names no Host");
            }

            return builder;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new StorageConfigurationException($"{PostgresSchema.Setting} is not a valid PostgreSQL connection string: {ex.Message}", transient: false, ex);
        }
    }

    /// <summary>Opens a connection, or throws one clear <see cref="StorageConfigurationException"/>.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = Parse(connectionString);
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or SocketException)
        {
            await connection.DisposeAsync();
            throw Explain(ex, builder);
        }
    }

    /// <summary>The clear message for a failed connection.</summary>
    public static StorageConfigurationException Explain(Exception ex, NpgsqlConnectionStringBuilder builder)
    {
        var where = $"{builder.Host}:{builder.Port}";
        var setting = PostgresSchema.Setting;
        return ex switch
        {
            PostgresException { SqlState: "28P01" } =>
                new StorageConfigurationException($"PostgreSQL at {where} refused the password of user '{builder.Username}': check {setting}", false, ex),
            PostgresException { SqlState: "28000" } p =>
                new StorageConfigurationException($"PostgreSQL at {where} refused user '{builder.Username}' ({p.MessageText}): check {setting}", false, ex),
            PostgresException { SqlState: "3D000" } =>
                new StorageConfigurationException($"PostgreSQL at {where} has no database '{builder.Database}': create it, or fix {setting}", false, ex),
            PostgresException p =>
                new StorageConfigurationException($"PostgreSQL at {where} refused the connection: {p.MessageText} (SQLSTATE {p.SqlState}); check {setting}", false, ex),
            _ => new StorageConfigurationException(
                $"cannot reach PostgreSQL at {where} ({Innermost(ex).Message}): is the server running, and is {setting} right?", true, ex),
        };
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }
}
