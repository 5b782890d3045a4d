using Npgsql;

namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>
/// One throwaway PostgreSQL server for the tests of the <see cref="PostgresCollection"/>. Each test asks for
/// its own database with the schema created by <c>citytwin db init</c>. Without PostgreSQL binaries the tests
/// skip with the reason, except under <c>CI=true</c>, where a missing server is a failure.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private ThrowawayPostgres? _server;
    private string? _unavailable;

    public ThrowawayPostgres Server => _server ?? throw new InvalidOperationException("no PostgreSQL server");

    /// <summary>Skips the test when no server could be started here (fails under CI=true).</summary>
    public void Require()
    {
        if (_unavailable is null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"CI=true and PostgreSQL is not available: {_unavailable}");
        }

        Skip.If(true, $"PostgreSQL is not available: {_unavailable}");
    }

    /// <summary>A new database with CityTwin's schema, created by running <c>citytwin db init</c>.</summary>
    public async Task<string> NewDatabaseWithSchemaAsync()
    {
        var connection = await Server.CreateDatabaseAsync("citytwin");
        var result = await CliProcess.RunAsync(["db", "init", "--postgres", connection]);
        Assert.True(result.ExitCode == 0, $"citytwin db init failed ({result.ExitCode}): {result.Output}");
        return connection;
    }

    /// <summary>A new empty database (no schema).</summary>
    public Task<string> NewEmptyDatabaseAsync() => Server.CreateDatabaseAsync("empty");

    /// <summary>Runs a query and answers the first column of every row as text.</summary>
    public static async Task<IReadOnlyList<string>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        return rows;
    }

    public async Task InitializeAsync()
    {
        _unavailable = ThrowawayPostgres.Unavailable();
        if (_unavailable is null)
        {
            _server = await ThrowawayPostgres.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
