using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Scenarios;
using CityTwin.Formats.GeoJson;
using CityTwin.Formats.Scenarios;
using CityTwin.Silo;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin scenario run FILE</c>: validates a planner's scenario script as a whole (every error as
/// FILE:LINE:COL: reason, exit code 2), runs it on an embedded silo (the script's city) or on <c>--cluster</c>,
/// shows its progress, prints the decision and writes the report (docs/scenarios.md).
/// </summary>
internal static partial class ScenarioCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The scenario script (YAML or JSON)" };
        var outDir = new Option<string?>("--out") { Description = "Output folder for report.md, report.html, results.json, kpis.csv (default: out/scenarios/<scenario>-<time>)" };
        var replications = new Option<int?>("--replications") { Description = "Replace the script's replications (2 or more), e.g. for a quick look" };
        var run = new Command("run", "Run a scenario script: its alternatives against the base, and the decision")
        {
            file, outDir, replications, Cluster.ClusterOption, Cluster.TokenOption,
        };
        run.SetAction((parse, cancel) => Run.GuardedAsync(() => RunAsync(parse.GetValue(file)!, parse.GetValue(outDir), parse.GetValue(replications), parse.GetValue(Cluster.ClusterOption), parse.GetValue(Cluster.TokenOption), cancel)));
        return new Command("scenario", "Planner scenario scripts: what-ifs run on the cluster") { run };
    }

    private static async Task<int> RunAsync(string path, string? output, int? replications, string? clusterUrl, string? token, CancellationToken cancel)
    {
        var wall = Stopwatch.StartNew();
        if (!File.Exists(path))
        {
            throw new CliInputException($"no such file '{path}'");
        }

        if (replications is < 2)
        {
            throw new CliInputException($"--replications {replications}: at least 2 are needed for an interval");
        }

        var text = await File.ReadAllTextAsync(path, cancel);
        var scriptFolder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var (script, cityFolder) = Validate(path, text, scriptFolder);
        output ??= Path.Combine("out", "scenarios", $"{script.Id}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        var reps = replications ?? script.Replications;
        Console.WriteLine(Invariant($"{script.Title}: {script.Alternatives.Count} alternative(s) and the base, {reps} replications each, {Clock(script.Window.FromS)}-{Clock(script.Window.ToS)}"));

        await using var cluster = await Cluster.ConnectAsync(clusterUrl, clusterUrl is null ? cityFolder : null, token, cancel);
        var id = $"{script.Id}-{Guid.NewGuid():N}"[..Math.Min(64, script.Id.Length + 13)];
        ScenarioResult result;
        if (cluster.EmbeddedServices is { } services)
        {
            var grain = services.GetRequiredService<IGrainFactory>().GetGrain<IScenarioGrain>(id);
            var status = await grain.StartAsync(new ScenarioRequest(text, scriptFolder, replications));
            status = await WatchAsync(status, () => grain.GetStatusAsync(), path, cancel);
            result = ScenarioJson.Read<ScenarioResult>((await grain.GetResultAsync())!);
        }
        else
        {
            result = await RunRemoteAsync(cluster.Http, text, replications, path, cancel);
        }

        var files = ScenarioReport.Write(output, result);
        Console.WriteLine();
        Console.WriteLine(result.Decision.Sentence);
        Console.WriteLine();
        Console.WriteLine("| alternative | KPI | base | alternative | change against the base |");
        Console.WriteLine("|---|---|---:|---:|---|");
        foreach (var row in ScenarioReport.EvidenceRows(result))
        {
            Console.WriteLine($"| {string.Join(" | ", row)} |");
        }

        var workers = result.Runs.Select(r => r.Worker).Distinct().Count();
        Console.WriteLine(Invariant($"{result.Runs.Count} work items on {workers} silo(s); seeds {result.Seed}..{result.Seed + (ulong)result.Replications - 1}; {ScenarioRunner.Pct(result.Confidence)} intervals over paired replications"));
        Console.WriteLine(Invariant($"wrote {Path.GetFullPath(output)} ({string.Join(", ", files.Select(Path.GetFileName))}) in {wall.Elapsed.TotalSeconds:F1} s"));
        return ExitCodes.Ok;
    }

    /// <summary>Reads and checks the whole script against its city; every problem is printed as FILE:LINE:COL: reason.</summary>
    private static (ScenarioScript Script, string CityFolder) Validate(string path, string text, string scriptFolder)
    {
        // The city first (to check the ids the script names), even when the rest of the script is broken.
        var first = ScenarioReader.Read(text);
        var line = CityLine().Match(text);
        var cityName = first.Script?.City ?? (line.Success ? line.Groups[1].Value.Trim('"', '\'') : "sample");
        var cityFolder = cityName == "sample" ? SiloSettings.SampleCityDirectory : Path.GetFullPath(Path.Combine(scriptFolder, cityName));
        CityModel city;
        try
        {
            city = CityReader.ReadFolder(cityFolder);
        }
        catch (Exception e) when (e is CityValidationException or IOException)
        {
            throw first.Script is null ? Invalid(path, first.Errors) : new CliInputException($"{path}: city '{cityName}': {e.Message}");
        }

        var read = ScenarioReader.Read(text, city);
        var errors = read.Errors.Concat(read.Script is null ? [] : ScenarioRunner.Check(read.Script, null)).ToList();
        if (errors.Count > 0)
        {
            throw Invalid(path, errors);
        }

        return (read.Script!, cityFolder);
    }

    private static CliInputException Invalid(string path, IEnumerable<ScriptError> errors) =>
        new(string.Join(Environment.NewLine + "citytwin: ", errors.Select(e => $"{path}:{e.Line}:{e.Column}: {e.Reason}")));

    private static async Task<ScenarioResult> RunRemoteAsync(HttpClient http, string text, int? replications, string path, CancellationToken cancel)
    {
        var uri = replications is { } n ? $"/api/scenarios?replications={n}" : "/api/scenarios";
        using var content = new StringContent(text, Encoding.UTF8, "application/yaml");
        using var response = await http.PostAsync(new Uri(uri, UriKind.Relative), content, cancel);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancel));
        if (response.StatusCode == HttpStatusCode.BadRequest && body?["errors"] is JsonArray errors)
        {
            throw Invalid(path, errors.Select(e => new ScriptError((int)e!["line"]!, (int)e["column"]!, (string)e["reason"]!)));
        }

        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"the cluster answered {(int)response.StatusCode}: {body?["detail"] ?? body?.ToJsonString()}");
        }

        var location = (string)body!["location"]!;
        JsonNode? last = null;
        async Task<ScenarioStatus> Poll()
        {
            last = JsonNode.Parse(await http.GetStringAsync(new Uri(location, UriKind.Relative), cancel))!;
            return new ScenarioStatus(
                (string)last["id"]!,
                (string)last["state"]!,
                (string?)last["scenario"],
                (int)last["done"]!,
                (int)last["total"]!,
                (string?)last["decision"],
                (string?)last["error"],
                [.. (last["errors"] as JsonArray ?? []).Select(e => new ScenarioProblem((int)e!["line"]!, (int)e["column"]!, (string)e["reason"]!))],
                null,
                null);
        }

        await WatchAsync(await Poll(), Poll, path, cancel);
        return ScenarioJson.Read<ScenarioResult>(last!["result"]!.ToJsonString());
    }

    /// <summary>Polls until the run ends: a progress bar with the time left on a terminal, plain lines otherwise.</summary>
    private static async Task<ScenarioStatus> WatchAsync(ScenarioStatus status, Func<Task<ScenarioStatus>> poll, string path, CancellationToken cancel)
    {
        var terminal = !Console.IsOutputRedirected;
        var clock = Stopwatch.StartNew();
        var lastDone = -1;
        var lastState = "";
        while (status.State is ScenarioStates.Preparing or ScenarioStates.Running)
        {
            if (status.State != lastState && !terminal)
            {
                Console.WriteLine(status.State == ScenarioStates.Preparing ? "preparing: freezing the base, resolving the alternatives" : Invariant($"running {status.Total} work items"));
            }

            lastState = status.State;
            if (status.Total > 0 && (terminal || status.Done != lastDone))
            {
                var line = Progress(status.Done, status.Total, clock.Elapsed);
                if (terminal)
                {
                    Console.Write("\r" + line.PadRight(Math.Min(Console.BufferWidth > 0 ? Console.BufferWidth - 1 : 79, 100)));
                }
                else if (status.Done != lastDone)
                {
                    Console.WriteLine(line);
                }

                lastDone = status.Done;
            }

            await Task.Delay(terminal ? 200 : 500, cancel);
            status = await poll();
        }

        if (terminal && lastDone >= 0)
        {
            Console.Write("\r" + Progress(status.Done, status.Total, clock.Elapsed).PadRight(79) + Environment.NewLine);
        }
        else if (!terminal && status.Total > 0 && status.Done != lastDone)
        {
            Console.WriteLine(Progress(status.Done, status.Total, clock.Elapsed));
        }

        return status.State switch
        {
            ScenarioStates.Done => status,
            ScenarioStates.Invalid => throw Invalid(path, status.Errors.Select(e => new ScriptError(e.Line, e.Column, e.Reason))),
            _ => throw new InvalidOperationException($"the scenario failed: {status.Error}"),
        };
    }

    private static string Progress(int done, int total, TimeSpan elapsed)
    {
        const int Width = 30;
        var filled = total > 0 ? done * Width / total : 0;
        var left = done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - done)) : (TimeSpan?)null;
        var eta = left is { } l ? $"{(int)l.TotalMinutes}:{l.Seconds:00} left" : "estimating time left";
        return Invariant($"[{new string('#', filled)}{new string('.', Width - filled)}] {done}/{total} work items, {elapsed.TotalSeconds:F0} s, {eta}");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^city:\s*(\S+)\s*(#.*)?$", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex CityLine();

    private static string Clock(double s) => Invariant($"{(int)(s / 3600):00}:{(int)(s % 3600 / 60):00}");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
