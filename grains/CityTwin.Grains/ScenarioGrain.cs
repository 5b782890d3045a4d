using System.Globalization;
using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Scenarios;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Replay;
using CityTwin.Formats.Scenarios;
using Microsoft.Extensions.Logging;

namespace CityTwin.Grains;

/// <summary>Where the silo's city came from, for the files a scenario reads (its demand, its parking model).</summary>
/// <param name="Folder">The city folder the silo loaded.</param>
/// <param name="SampleFolder">The bundled sample city (what a script's <c>city: sample</c> means).</param>
public sealed record CityFiles(string Folder, string SampleFolder);

/// <summary>The kept part of a scenario run: its status and, when done, its result.</summary>
[GenerateSerializer, Alias("CityTwin.ScenarioGrainState")]
public sealed class ScenarioGrainState
{
    [Id(0)]
    public ScenarioStatus? Status { get; set; }

    [Id(1)]
    public string? ResultJson { get; set; }
}

/// <summary>
/// One scenario run (docs/scenarios.md): validates the script against the city, freezes the base (for a live base a
/// snapshot of the twin, which is only read), prepares the arms off the grain's turn, fans the work items out as
/// independent calls to <see cref="IScenarioWorkGrain"/>s (random placement: they spread over the silos), at most a
/// few per core of the cluster at once, gathers them and keeps the status and the result. The status is readable
/// while the run goes on (the run is a background task of the activation; status reads interleave with it).
/// </summary>
public sealed class ScenarioGrain(
    ICityCatalog catalog,
    CityFiles files,
    TimeProvider clock,
    ILogger<ScenarioGrain> log,
    [PersistentState("scenario", StorageNames.Twin)] IPersistentState<ScenarioGrainState> state) : Grain, IScenarioGrain
{
    /// <summary>Events per ingest call when a recorded base is replayed (as <c>citytwin replay</c> sends them).</summary>
    private const int ReplayBatch = 10_000;

    private int _done;
    private int _total;
    private Task? _run;

    public async Task<ScenarioStatus> StartAsync(ScenarioRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (state.State.Status is { } existing)
        {
            return Current(existing);
        }

        var id = this.GetPrimaryKeyString();
        var city = catalog.CityOf(TwinKeys.Live);
        var read = ScenarioReader.Read(request.Script, city);
        var errors = read.Errors.ToList();
        if (read.Script is { } s)
        {
            errors.AddRange(ScenarioRunner.Check(s, null));
            if (s.Base.Source == BaseSource.Recorded)
            {
                errors.AddRange(RecordedFileProblems(s, request.ScriptFolder));
            }

            var folder = ScenarioFiles.CityFolder(s, request.ScriptFolder, files.SampleFolder);
            if (!SameFolder(folder, files.Folder))
            {
                errors.Add(new ScriptError(1, 1, $"city: this cluster runs the city in '{files.Folder}', the script names '{folder}'"));
            }
        }

        var now = clock.GetUtcNow();
        if (errors.Count > 0)
        {
            state.State.Status = new ScenarioStatus(id, ScenarioStates.Invalid, read.Script?.Id, 0, 0, null, null, Problems(errors), now, now);
            await state.WriteStateAsync();
            return state.State.Status;
        }

        state.State.Status = new ScenarioStatus(id, ScenarioStates.Preparing, read.Script!.Id, 0, 0, null, null, [], now, null);
        await state.WriteStateAsync();
        DelayDeactivation(TimeSpan.FromDays(1));
        _run = RunAsync(read.Script, city, request);
        return state.State.Status;
    }

    public Task<ScenarioStatus> GetStatusAsync() =>
        Task.FromResult(state.State.Status is { } s ? Current(s) : new ScenarioStatus(this.GetPrimaryKeyString(), ScenarioStates.Unknown, null, 0, 0, null, null, [], null, null));

    public Task<string?> GetResultAsync() => Task.FromResult(state.State.ResultJson);

    private ScenarioStatus Current(ScenarioStatus s) => s.State is ScenarioStates.Preparing or ScenarioStates.Running ? s with { Done = _done, Total = _total } : s;

    private async Task RunAsync(ScenarioScript script, CityModel city, ScenarioRequest request)
    {
        var id = this.GetPrimaryKeyString();
        try
        {
            TwinSnapshot? live = null;
            DateTimeOffset? asOf = null;
            string? frozenFrom = null;
            if (script.Base.Source == BaseSource.Live)
            {
                var snapshot = await GrainFactory.GetGrain<ITwinSnapshotGrain>(script.Base.Twin).TakeAsync();
                asOf = snapshot.AsOf;
                live = snapshot.AsOf is null ? null : SnapshotMapping.ToEngine(snapshot);
            }
            else if (script.Base.Source == BaseSource.Recorded)
            {
                (live, frozenFrom) = await ReplayBaseAsync(script, request.ScriptFolder, id);
            }

            var cityFolder = files.Folder;
            var setup = await Task.Run(() =>
            {
                var data = ScenarioFiles.LoadData(script, city, cityFolder, request.ScriptFolder, live, asOf, frozenFrom);
                return ScenarioRunner.Prepare(script, city, data, request.Replications);
            });
            var items = ScenarioRunner.WorkItems(setup);
            _total = items.Count;
            state.State.Status = state.State.Status! with { State = ScenarioStates.Running, Total = _total };
            var setupJson = ScenarioJson.Write(setup);
            var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            var parallel = Math.Max(2, hosts.Count * Environment.ProcessorCount);
            if (log.IsEnabled(LogLevel.Information))
            {
                log.LogInformation("Scenario {RunId} ({Scenario}): {Items} work items, {Parallel} at once over {Silos} silo(s)", id, script.Id, items.Count, parallel, hosts.Count);
            }

            var runs = new ScenarioRun[items.Count];
            var pending = new List<Task<(int Index, ScenarioWorkDone Done)>>();
            var next = 0;
            while (next < items.Count || pending.Count > 0)
            {
                while (next < items.Count && pending.Count < parallel)
                {
                    var item = items[next++];
                    pending.Add(RunItemAsync(id, setupJson, item));
                }

                var finished = await Task.WhenAny(pending);
                pending.Remove(finished);
                var (index, done) = await finished;
                runs[index] = ScenarioJson.Read<ScenarioRun>(done.RunJson) with { Worker = done.Silo, WallSeconds = done.WallSeconds };
                _done++;
            }

            var result = ScenarioRunner.Gather(city, setup, runs);
            state.State.ResultJson = ScenarioJson.Write(result);
            state.State.Status = state.State.Status! with { State = ScenarioStates.Done, Done = _done, Decision = result.Decision.Sentence, FinishedAt = clock.GetUtcNow() };
            if (log.IsEnabled(LogLevel.Information))
            {
                log.LogInformation("Scenario {RunId} done: {Decision}", id, result.Decision.Sentence);
            }
        }
        catch (ScenarioException e)
        {
            state.State.Status = state.State.Status! with { State = ScenarioStates.Invalid, Errors = Problems(e.Errors), FinishedAt = clock.GetUtcNow() };
        }
        catch (Exception e) when (e is DemandException or TripException or ArgumentException or InvalidOperationException or IOException)
        {
            log.LogWarning(e, "Scenario {RunId} failed", id);
            state.State.Status = state.State.Status! with { State = ScenarioStates.Failed, Error = e.Message, FinishedAt = clock.GetUtcNow() };
        }

        await state.WriteStateAsync();
        DelayDeactivation(TimeSpan.Zero);
    }

    /// <summary>The temporary replay twin a recorded base is replayed into: <c>scn-RUN-base</c> (the run id's tail when it is long).</summary>
    public static string BaseTwinOf(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        const int Room = 64 - 9;
        return $"scn-{(runId.Length > Room ? runId[^Room..] : runId)}-base";
    }

    /// <summary>
    /// Freezes a recorded base: replays the events of the day before the window's start into a temporary replay twin
    /// of this run (in timestamp order, one batch at a time, on the day's own clock), waits until its entities have
    /// applied them, takes a snapshot and deletes the twin, whatever happens. No other twin is touched.
    /// </summary>
    private async Task<(TwinSnapshot Live, string FrozenFrom)> ReplayBaseAsync(ScenarioScript script, string? scriptFolder, string runId)
    {
        var (day, start, events) = await Task.Run(() => ScenarioFiles.ReadRecorded(script, scriptFolder));
        var twin = BaseTwinOf(runId);
        if (await GrainFactory.GetGrain<ITwinRegistryGrain>(0).CreateReplayAsync(twin, day.Name, 900) is null)
        {
            throw new InvalidOperationException($"the temporary twin '{twin}' of this run exists already; delete it (citytwin twins delete {twin}) and run again");
        }

        var lifecycle = GrainFactory.GetGrain<ITwinLifecycleGrain>(0);
        try
        {
            var ingest = GrainFactory.GetGrain<IIngestGrain>(0);
            var rejected = new List<ScriptError>();
            long accepted = 0;
            for (var i = 0; i < events.Count; i += ReplayBatch)
            {
                var n = Math.Min(ReplayBatch, events.Count - i);
                var report = await ingest.IngestAtAsync(twin, RecordedDay.Body(events, i, n), new DateTimeOffset(events[i + n - 1].TsTicks, TimeSpan.Zero));
                accepted += report.Accepted;
                rejected.AddRange(report.Errors.Select(e => new ScriptError(1, 1, $"base.recorded: {day.Name}:{events[i + e.Line - 1].Line}: {e.Reason}")));
            }

            if (rejected.Count > 0)
            {
                throw new ScenarioException(rejected);
            }

            var stalled = clock.GetTimestamp();
            long last = -1;
            while (true)
            {
                var p = await lifecycle.GetProgressAsync(twin);
                var done = p.Counters.Applied + p.Counters.Late;
                if (done >= accepted)
                {
                    break;
                }

                if (done != last)
                {
                    last = done;
                    stalled = clock.GetTimestamp();
                }
                else if (clock.GetElapsedTime(stalled) > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"the temporary twin '{twin}' applied {done} of {accepted} events of {day.Name} and made no progress for 60 s");
                }

                await Task.Delay(20);
            }

            var snapshot = await GrainFactory.GetGrain<ITwinSnapshotGrain>(twin).TakeAsync();
            var frozen = string.Create(CultureInfo.InvariantCulture, $"recorded day {day.Name} ({day.Format}): {events.Count:#,0} of its {day.Events.Count:#,0} events, those before the window's start {start:yyyy-MM-ddTHH:mm:sszzz}, replayed into a temporary twin of the run (deleted after) and frozen as of {snapshot.AsOf:yyyy-MM-dd HH:mm:ss zzz}");
            return (SnapshotMapping.ToEngine(snapshot), frozen);
        }
        finally
        {
            await lifecycle.DeleteAsync(twin);
        }
    }

    private async Task<(int, ScenarioWorkDone)> RunItemAsync(string id, string setupJson, ScenarioWorkItem item)
    {
        var done = await GrainFactory.GetGrain<IScenarioWorkGrain>($"{id}/{item.Index}").RunAsync(setupJson, ScenarioJson.Write(item));
        return (item.Index, done);
    }

    /// <summary>What can be told of a recorded base before the run: no folder to read it from, or no such file.</summary>
    private static IReadOnlyList<ScriptError> RecordedFileProblems(ScenarioScript script, string? scriptFolder)
    {
        try
        {
            var path = ScenarioFiles.RecordedPath(script, scriptFolder);
            return File.Exists(path) ? [] : [new ScriptError(1, 1, $"base.recorded: no such file '{path}'")];
        }
        catch (ScenarioException e)
        {
            return e.Errors;
        }
    }

    private static List<ScenarioProblem> Problems(IEnumerable<ScriptError> errors) => [.. errors.Select(e => new ScenarioProblem(e.Line, e.Column, e.Reason))];

    private static bool SameFolder(string a, string b) =>
        string.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);
}

/// <summary>
/// Runs one work item of a scenario on the silo it was placed on (random placement: the items of a run spread over
/// the cluster) and deactivates after it; the engine does the work, off the grain's turn.
/// </summary>
[Orleans.Placement.RandomPlacement]
public sealed class ScenarioWorkGrain(ICityCatalog catalog, ILocalSiloDetails silo, TimeProvider clock) : Grain, IScenarioWorkGrain
{
    public async Task<ScenarioWorkDone> RunAsync(string setupJson, string itemJson)
    {
        var start = clock.GetTimestamp();
        var city = catalog.CityOf(TwinKeys.Live);
        var run = await Task.Run(() =>
        {
            var setup = ScenarioJson.Read<ScenarioSetup>(setupJson);
            var item = ScenarioJson.Read<ScenarioWorkItem>(itemJson);
            return ScenarioJson.Write(ScenarioRunner.Run(city, setup, item));
        });
        DeactivateOnIdle();
        return new ScenarioWorkDone(run, silo.SiloAddress.ToParsableString(), clock.GetElapsedTime(start).TotalSeconds);
    }
}
