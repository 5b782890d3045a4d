using System.Text;
using Npgsql;

namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>With PostgreSQL storage, no raw plate or device id is in any table or in the silo's log after a feed with them.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PrivacyPostgresTests(PostgresFixture pg)
{
    [SkippableFact]
    public async Task No_table_and_no_log_line_holds_a_raw_plate_after_a_feed_with_plates()
    {
        pg.Require();
        var db = await pg.NewDatabaseWithSchemaAsync();
        var facility = SampleCity.Model.Parking[0].Id;
        const string Twin = "privacy";

        await using (var silo = await SiloProcess.StartAsync(db, "privacy"))
        {
            using var content = new ByteArrayContent(PlateFeed.Body(facility, DateTimeOffset.UtcNow.AddMinutes(-1)));
            using var response = await silo.Http.PostAsync(new Uri($"/api/twins/{Twin}/ingest", UriKind.Relative), content);
            var answer = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, answer);
            Assert.Contains("\"rejected\":4", answer, StringComparison.Ordinal);

            // A graceful stop: every grain writes its state as it deactivates.
            await silo.StopAsync();
            Assert.Empty(PlateFeed.Found(silo.Log));
        }

        var tables = await PostgresFixture.QueryAsync(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
        Assert.Contains("citytwin_grain_state", tables);
        var rows = 0;
        var dump = new StringBuilder();
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        foreach (var table in tables)
        {
            await using var cmd = new NpgsqlCommand($"SELECT * FROM \"{table}\"", connection);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    dump.Append(value is byte[] bytes ? Encoding.UTF8.GetString(bytes) + Encoding.Latin1.GetString(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }

        // The rejected lines were stored (with pseudonyms): the scan looked at real state, and found no plate.
        Assert.True(rows > 0);
        Assert.Contains("hmac:", dump.ToString(), StringComparison.Ordinal);
        Assert.Empty(PlateFeed.Found(dump.ToString()));
    }
}
