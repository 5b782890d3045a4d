using CityTwin.Postgres;
using Npgsql;

namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>
/// The statements the schema registers for the Orleans ADO.NET providers, run as the providers run them (named
/// parameters, looked up by key), and the intake journal: each keeps the concurrency rule its caller relies on.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SchemaContractTests(PostgresFixture pg)
{
    [SkippableFact]
    public async Task A_grain_state_write_with_a_stale_version_returns_no_row()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        object?[] key = ["citytwin", "signal", 0L, 0L, "live/S-01"];

        var first = await RunAsync(db, "WriteToStorageKey", key, version: null, payload: [1]);
        Assert.Equal(["1"], first);
        Assert.Empty(await RunAsync(db, "WriteToStorageKey", key, version: null, payload: [2]));
        Assert.Equal(["2"], await RunAsync(db, "WriteToStorageKey", key, version: 1, payload: [3]));
        Assert.Empty(await RunAsync(db, "WriteToStorageKey", key, version: 1, payload: [4]));
        Assert.Equal(["System.Byte[]|2"], await RunAsync(db, "ReadFromStorageKey", key, version: null, payload: null, allColumns: true));

        // Clearing keeps the row (payload gone, version raised) and it stays writable from that version.
        Assert.Equal(["3"], await RunAsync(db, "ClearStorageKey", key, version: 2, payload: null));
        Assert.Equal(["|3"], await RunAsync(db, "ReadFromStorageKey", key, version: null, payload: null, allColumns: true));
        Assert.Equal(["4"], await RunAsync(db, "WriteToStorageKey", key, version: 3, payload: [5]));
    }

    [SkippableFact]
    public async Task A_membership_change_with_a_stale_table_version_changes_nothing()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        var now = DateTime.UtcNow;
        Dictionary<string, object?> Silo(int port, int version) => new()
        {
            ["DeploymentId"] = "c",
            ["Address"] = "127.0.0.1",
            ["Port"] = port,
            ["Generation"] = 7,
            ["SiloName"] = $"s{port}",
            ["HostName"] = "h",
            ["Status"] = 3,
            ["ProxyPort"] = port + 1,
            ["StartTime"] = now,
            ["IAmAliveTime"] = now,
            ["Version"] = version,
        };

        Assert.Equal(["1"], await QueryAsync(db, "InsertMembershipVersionKey", new() { ["DeploymentId"] = "c" }));
        Assert.Equal(["0"], await QueryAsync(db, "InsertMembershipVersionKey", new() { ["DeploymentId"] = "c" }));
        Assert.Equal(["1"], await QueryAsync(db, "InsertMembershipKey", Silo(1000, 0)));
        Assert.Equal(["0"], await QueryAsync(db, "InsertMembershipKey", Silo(2000, 0)));
        Assert.Equal(["1"], await QueryAsync(db, "InsertMembershipKey", Silo(2000, 1)));

        var update = new Dictionary<string, object?>
        {
            ["DeploymentId"] = "c",
            ["Address"] = "127.0.0.1",
            ["Port"] = 1000,
            ["Generation"] = 7,
            ["Status"] = 6,
            ["SuspectTimes"] = "127.0.0.1:2000@7,2026-11-23 08:00:00.000 GMT",
            ["IAmAliveTime"] = now,
            ["Version"] = 1,
        };
        Assert.Equal(["0"], await QueryAsync(db, "UpdateMembershipKey", update));
        update["Version"] = 2;
        Assert.Equal(["1"], await QueryAsync(db, "UpdateMembershipKey", update));

        // A heartbeat leaves the version alone; every row read carries the table version.
        await QueryAsync(db, "UpdateIAmAlivetimeKey", new() { ["DeploymentId"] = "c", ["Address"] = "127.0.0.1", ["Port"] = 2000, ["Generation"] = 7, ["IAmAliveTime"] = now });
        Assert.Equal(["3", "3"], await QueryAsync(db, "MembershipReadAllKey", new() { ["DeploymentId"] = "c" }));
        Assert.Equal(["127.0.0.1"], await QueryAsync(db, "GatewaysQueryKey", new() { ["DeploymentId"] = "c", ["Status"] = 3 }));
    }

    [SkippableFact]
    public async Task The_intake_journal_refuses_a_writer_whose_head_is_stale()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        await using var source = NpgsqlDataSource.Create(db);
        var journal = new PostgresIntakeJournal(source);

        var head = await journal.ReadHeadAsync("live", "S-01");
        Assert.Equal(0, head.Position);
        Assert.True(await journal.TryAppendAsync("live", "S-01", 0, [9], [1]));
        Assert.True(await journal.TryAppendAsync("live", "S-01", 1, [9], [2]));
        Assert.False(await journal.TryAppendAsync("live", "S-01", 1, [9], [3]));

        await journal.TruncateAsync("live", "S-01", 1);
        Assert.False(await journal.TryAppendAsync("live", "S-01", 1, [9], [3]));
        var entries = await journal.ReadAfterAsync("live", "S-01", 0, 10);
        Assert.Equal([2L], entries.Select(e => e.Position));
        Assert.Equal([2], entries[0].Batch);
        Assert.Equal(2, (await journal.ReadHeadAsync("live", "S-01")).Position);
    }

    private static async Task<IReadOnlyList<string>> RunAsync(string db, string key, object?[] grain, int? version, byte[]? payload, bool allColumns = false) =>
        await QueryAsync(db, key, new()
        {
            ["ServiceId"] = grain[0],
            ["GrainTypeString"] = grain[1],
            ["GrainIdN0"] = grain[2],
            ["GrainIdN1"] = grain[3],
            ["GrainIdExtensionString"] = grain[4],
            ["GrainIdHash"] = 11,
            ["GrainTypeHash"] = 12,
            ["GrainStateVersion"] = version,
            ["PayloadBinary"] = payload,
        }, allColumns);

    /// <summary>Runs the statement registered under <paramref name="key"/> with named parameters, as the providers do.</summary>
    private static async Task<IReadOnlyList<string>> QueryAsync(string db, string key, Dictionary<string, object?> parameters, bool allColumns = false)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        string sql;
        await using (var lookup = new NpgsqlCommand("SELECT querytext FROM orleansquery WHERE querykey = $1", connection))
        {
            lookup.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
            sql = (string)(await lookup.ExecuteScalarAsync())!;
        }

        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.Add(value switch
            {
                null when name == "GrainStateVersion" => new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Integer) { Value = DBNull.Value },
                null when name == "PayloadBinary" => new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Bytea) { Value = DBNull.Value },
                null => new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Text) { Value = DBNull.Value },
                _ => new NpgsqlParameter(name, value),
            });
        }

        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        do
        {
            while (await reader.ReadAsync())
            {
                var columns = allColumns ? reader.FieldCount : 1;
                rows.Add(string.Join('|', Enumerable.Range(0, columns).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            }
        }
        while (await reader.NextResultAsync());

        return rows;
    }
}
