using System.CommandLine;
using CityTwin.Postgres;

namespace CityTwin.Cli;

/// <summary><c>citytwin db init</c>: creates or upgrades CityTwin's PostgreSQL schema (idempotent).</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var init = new Command("init", "Create or upgrade the PostgreSQL schema the silo uses (safe to run again)")
        {
            Settings.PostgresOption,
        };
        init.SetAction((parse, cancellationToken) => Run.GuardedAsync(async () =>
        {
            var connection = parse.GetValue(Settings.PostgresOption) ?? Settings.Load().Postgres;
            var before = await PostgresSchema.ApplyAsync(connection!, cancellationToken);
            var database = PostgresConnections.Parse(connection).Database;
            Console.WriteLine(before == PostgresSchema.Version
                ? $"CityTwin schema version {PostgresSchema.Version} was already in place in database '{database}' (re-applied)"
                : $"CityTwin schema version {PostgresSchema.Version} created in database '{database}'" + (before > 0 ? $" (upgraded from version {before})" : ""));
            return ExitCodes.Ok;
        }));
        return new Command("db", "PostgreSQL schema") { init };
    }
}
