using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>
/// A throwaway PostgreSQL server for tests: the machine's own binaries (initdb, pg_ctl) start a server on a
/// free loopback port in a temp directory (as the <c>postgres</c> user when the tests run as root), with
/// password authentication on TCP; <see cref="DisposeAsync"/> stops it and removes the directory. When
/// <c>CITYTWIN_TEST_POSTGRES</c> holds a connection string (the CI script starts a server once), that server
/// is used instead and each fixture gets its own database in it.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    public const string User = "citytwin";

    public const string Password = "citytwin-test-pw";

    private readonly string? _directory;
    private readonly string? _binDirectory;
    private readonly bool _asPostgresUser;

    private ThrowawayPostgres(string adminConnection, string? directory, string? binDirectory, bool asPostgresUser)
    {
        AdminConnectionString = adminConnection;
        _directory = directory;
        _binDirectory = binDirectory;
        _asPostgresUser = asPostgresUser;
    }

    /// <summary>A connection string to the server's <c>postgres</c> database as the superuser.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The server's host and port.</summary>
    public (string Host, int Port) Endpoint
    {
        get
        {
            var b = new NpgsqlConnectionStringBuilder(AdminConnectionString);
            return (b.Host!, b.Port);
        }
    }

    /// <summary>Why no server can be started here, or null when one can.</summary>
    public static string? Unavailable()
    {
        if (Environment.GetEnvironmentVariable("CITYTWIN_TEST_POSTGRES") is { Length: > 0 })
        {
            return null;
        }

        return FindBinDirectory() is null
            ? "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found in /usr/lib/postgresql/*/bin or on PATH; install the 'postgresql' package"
            : null;
    }

    /// <summary>Starts a server (or attaches to the CI one).</summary>
    public static async Task<ThrowawayPostgres> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("CITYTWIN_TEST_POSTGRES") is { Length: > 0 } external)
        {
            return new ThrowawayPostgres(external, null, null, false);
        }

        var bin = FindBinDirectory() ?? throw new InvalidOperationException(Unavailable());
        var asPostgres = Environment.UserName == "root";
        var dir = Directory.CreateTempSubdirectory("citytwin-pg-").FullName;
        var data = Path.Combine(dir, "data");
        var pwFile = Path.Combine(dir, "pw");
        await File.WriteAllTextAsync(pwFile, Password);
        if (asPostgres)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", dir], asPostgres: false);
        }

        var port = FreePort();
        var server = new ThrowawayPostgres(
            $"Host=127.0.0.1;Port={port};Username={User};Password={Password};Database=postgres;Pooling=false;Timeout=10",
            dir, bin, asPostgres);
        try
        {
            await server.RunToolAsync("initdb", ["-D", data, "-U", User, "--pwfile", pwFile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"]);
            var options = $"-p {port} -c listen_addresses=127.0.0.1 -k {dir} -c fsync=off -c full_page_writes=off -c max_connections=300";
            await server.RunToolAsync("pg_ctl", ["-D", data, "-l", Path.Combine(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Creates a new empty database and answers a connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await cmd.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is null)
        {
            return;
        }

        try
        {
            await RunToolAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Not started, or already gone: nothing to stop.
        }

        Directory.Delete(_directory, recursive: true);
    }

    private Task RunToolAsync(string tool, IReadOnlyList<string> args) => RunAsync(Path.Combine(_binDirectory!, tool), args, _asPostgresUser);

    private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres)
    {
        var psi = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }

    private static string? FindBinDirectory()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            : Enumerable.Empty<string>();
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(d => d.Length > 0 && File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        return versions.Concat(onPath).FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
