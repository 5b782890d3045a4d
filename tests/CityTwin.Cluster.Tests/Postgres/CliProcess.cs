using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CityTwin.Client;
using CityTwin.Silo.Security;

namespace CityTwin.Cluster.Tests.Postgres;

/// <summary>The <c>citytwin</c> command run as a real process (the build copies it next to the tests).</summary>
public static class CliProcess
{
    public static string CliPath => Path.Combine(AppContext.BaseDirectory, "citytwin.dll");

    /// <summary>
    /// The data directory of every process these tests start (tokens file, local admin token, pseudonym key),
    /// so that the tests neither read nor write the user's own.
    /// </summary>
    public static string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"citytwin-tests-{Environment.ProcessId}");

    /// <summary>The local admin token that the first <c>citytwin up</c> of these tests wrote.</summary>
    public static string AdminToken => LocalCredentials.ReadToken(LocalCredentials.AdminTokenFile(DataDirectory));

    /// <summary>Runs a command to its end; answers the exit code and stdout + stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        IReadOnlyList<string> args, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var psi = StartInfo(args);
        if (workingDirectory is not null)
        {
            psi.WorkingDirectory = workingDirectory;
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start citytwin");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"citytwin {string.Join(' ', args)} did not end in time: {await stdout}{await stderr}");
        }

        var error = await stderr;
        return (process.ExitCode, await stdout + error, error);
    }

    /// <summary>How to run the command with these arguments and a data directory (default: <see cref="DataDirectory"/>).</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyList<string> args, string? dataDirectory = null)
    {
        var psi = new ProcessStartInfo("dotnet", [CliPath, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Several silos share two cores in these tests: workstation GC keeps each process small.
        psi.Environment["DOTNET_gcServer"] = "0";
        psi.Environment["CityTwin__DataDirectory"] = dataDirectory ?? DataDirectory;
        return psi;
    }
}

/// <summary>
/// A CityTwin silo as its own process (<c>citytwin up --storage postgres</c>), with its HTTP API: started,
/// killed (SIGKILL, no goodbye) or stopped (SIGTERM, graceful) like a silo in production.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private SiloProcess(Process process, int httpPort, int siloPort, int gatewayPort)
    {
        _process = process;
        HttpPort = httpPort;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int HttpPort { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts a silo of cluster <paramref name="clusterId"/> and waits until its API answers.</summary>
    public static Task<SiloProcess> StartAsync(string postgres, string clusterId, (int Http, int Silo, int Gateway)? ports = null, IReadOnlyList<string>? more = null) =>
        StartUpAsync(["--storage", "postgres", "--postgres", postgres, "--cluster-id", clusterId, .. more ?? []], CliProcess.DataDirectory, ports);

    /// <summary>
    /// Starts a silo with the in-memory default storage (a single silo) whose data directory is
    /// <paramref name="dataDirectory"/> (its tokens, its audit log), and waits until its API answers.
    /// </summary>
    public static Task<SiloProcess> StartInMemoryAsync(string dataDirectory, (int Http, int Silo, int Gateway)? ports = null) =>
        StartUpAsync([], dataDirectory, ports);

    private static async Task<SiloProcess> StartUpAsync(IReadOnlyList<string> storage, string dataDirectory, (int Http, int Silo, int Gateway)? ports)
    {
        var (http, silo, gateway) = ports ?? (FreePort(), FreePort(), FreePort());
        var process = Process.Start(CliProcess.StartInfo(
        [
            "up", .. storage,
            "--silo-port", silo.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", gateway.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--urls", $"http://127.0.0.1:{http}",
        ], dataDirectory)) ?? throw new InvalidOperationException("could not start citytwin up");
        var s = new SiloProcess(process, http, silo, gateway);
        await s.WaitReadyAsync(TimeSpan.FromSeconds(90));
        CityTwinHttpClient.Authorize(s.Http, LocalCredentials.ReadToken(LocalCredentials.AdminTokenFile(dataDirectory)));
        return s;
    }

    /// <summary>The silo's ports, to start it again at the same address.</summary>
    public (int Http, int Silo, int Gateway) Ports => (HttpPort, SiloPort, GatewayPort);

    /// <summary>Kills the process at once (SIGKILL): no deactivation, no checkpoint, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Stops the process gracefully (SIGTERM): grains deactivate and write their state, the silo leaves the cluster.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>How many silos this silo's cluster view (GET /api/cluster) lists as active.</summary>
    public async Task<int> ActiveSilosAsync() =>
        (await GetJsonAsync("/api/cluster")).GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "Active");

    /// <summary>GET a path and parse the JSON answer.</summary>
    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} on silo {HttpPort}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with {_process.ExitCode} before it was ready: {Log}");
            }

            try
            {
                using var response = await Http.GetAsync("/api/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the silo did not answer /api/health within {timeout}: {Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
