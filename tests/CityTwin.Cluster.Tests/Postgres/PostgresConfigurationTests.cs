using CityTwin.Postgres;

namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>The schema command and the clear refusals of a silo whose PostgreSQL setting does not work.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresConfigurationTests(PostgresFixture pg)
{
    /// <summary>Every statement the Orleans ADO.NET providers look up (clustering and grain storage).</summary>
    private static readonly string[] ProviderQueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "ClearStorageKey", "DeleteMembershipTableEntriesKey",
        "DeleteStorageKey", "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey",
        "MembershipReadRowKey", "ReadFromStorageKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey", "WriteToStorageKey",
    ];

    [SkippableFact]
    public async Task Db_init_creates_the_schema_and_running_it_again_keeps_it_and_its_data()
    {
        pg.Require();
        var db = await pg.NewEmptyDatabaseAsync();
        var first = await CliProcess.RunAsync(["db", "init", "--postgres", db]);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"schema version {PostgresSchema.Version} created", first.Output);
        Assert.Equal(ProviderQueryKeys, await PostgresFixture.QueryAsync(db, "SELECT querykey FROM orleansquery ORDER BY querykey COLLATE \"C\""));

        await PostgresFixture.QueryAsync(db, "INSERT INTO citytwin_intake_head (twin, entity, position) VALUES ('t', 'e', 7) RETURNING 1");
        var second = await CliProcess.RunAsync(["db", "init", "--postgres", db]);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("already in place", second.Output);
        Assert.Equal(["7"], await PostgresFixture.QueryAsync(db, "SELECT position FROM citytwin_intake_head WHERE twin = 't'"));
        Assert.Equal([PostgresSchema.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)], await PostgresFixture.QueryAsync(db, "SELECT version FROM citytwin_schema"));
    }

    [SkippableFact]
    public async Task A_silo_on_a_database_without_the_schema_stops_with_one_message_naming_the_setting()
    {
        pg.Require();
        var db = await pg.NewEmptyDatabaseAsync();
        var result = await UpOnPostgresAsync(db);
        Assert.Equal(2, result.ExitCode);
        AssertOneClearLine(result.Error, "has no CityTwin schema", "--postgres", "citytwin db init");
    }

    [SkippableFact]
    public async Task A_silo_with_a_wrong_password_stops_with_one_message_naming_the_setting()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        var wrong = new Npgsql.NpgsqlConnectionStringBuilder(db) { Password = "not-the-password" }.ConnectionString;
        var result = await UpOnPostgresAsync(wrong);
        Assert.Equal(2, result.ExitCode);
        AssertOneClearLine(result.Error, "refused the password of user 'citytwin'", "--postgres");
    }

    [SkippableFact]
    public async Task A_silo_whose_database_is_unreachable_stops_with_one_message_naming_the_setting()
    {
        pg.Require();
        var nobody = $"Host=127.0.0.1;Port={SiloProcess.FreePort()};Username=citytwin;Password=x;Database=citytwin;Timeout=3";
        var result = await UpOnPostgresAsync(nobody);
        Assert.Equal(1, result.ExitCode);
        AssertOneClearLine(result.Error, "cannot reach PostgreSQL at 127.0.0.1:", "--postgres");
    }

    [SkippableFact]
    public async Task Postgres_settings_come_from_the_environment_and_a_bad_value_names_its_key()
    {
        pg.Require();
        var db = await pg.NewEmptyDatabaseAsync();
        var env = new Dictionary<string, string> { ["CityTwin__Storage"] = "postgres", ["CityTwin__Postgres"] = db };
        var missing = await CliProcess.RunAsync(["up", "--urls", "http://127.0.0.1:0"], env: env);
        Assert.Equal(2, missing.ExitCode);
        AssertOneClearLine(missing.Error, "has no CityTwin schema");

        var bad = await CliProcess.RunAsync(["up"], env: new Dictionary<string, string> { ["CityTwin__Storage"] = "oracle" });
        Assert.Equal(2, bad.ExitCode);
        AssertOneClearLine(bad.Error, "CityTwin:Storage is 'oracle'", "memory or postgres");
    }

    [SkippableFact]
    public async Task Postgres_settings_come_from_appsettings_json_in_the_current_directory()
    {
        pg.Require();
        var db = await pg.NewEmptyDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("citytwin-settings-").FullName;
        try
        {
            var settings = new { CityTwin = new { Storage = "postgres", Postgres = db, Urls = "http://127.0.0.1:0" } };
            await File.WriteAllTextAsync(Path.Combine(dir, "appsettings.json"), System.Text.Json.JsonSerializer.Serialize(settings));
            var result = await CliProcess.RunAsync(["up"], workingDirectory: dir);
            Assert.Equal(2, result.ExitCode);
            AssertOneClearLine(result.Error, "has no CityTwin schema");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Db_init_on_up_creates_the_schema_before_the_silo_starts()
    {
        pg.Require();
        var db = await pg.NewEmptyDatabaseAsync();
        var psi = CliProcess.StartInfo(["up", "--storage", "postgres", "--postgres", db, "--db-init", "--urls", "http://127.0.0.1:0",
            "--silo-port", SiloProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", SiloProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var process = System.Diagnostics.Process.Start(psi)!;
        try
        {
            // The console log (warnings) shares stdout: wait for the line that says the silo is up.
            string? line;
            do
            {
                line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            while (line is not null && !line.StartsWith("CityTwin is up", StringComparison.Ordinal));

            Assert.NotNull(line);
            Assert.Equal(["1"], await PostgresFixture.QueryAsync(db, "SELECT count(*) FROM citytwin_membership WHERE status = 3"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Runs <c>citytwin up --storage postgres</c> on a connection string; it is expected to refuse.</summary>
    private static Task<(int ExitCode, string Output, string Error)> UpOnPostgresAsync(string postgres) =>
        CliProcess.RunAsync(["up", "--storage", "postgres", "--postgres", postgres, "--urls", "http://127.0.0.1:0"]);

    private static void AssertOneClearLine(string stderr, params string[] fragments)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("citytwin: ", line);
        foreach (var f in fragments)
        {
            Assert.Contains(f, line);
        }

        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
    }
}
