using Orleans.Concurrency;

namespace CityTwin.Contracts;

/// <summary>A scenario to run: the script's text (YAML or JSON) and where its own files are.</summary>
/// <param name="Script">The script.</param>
/// <param name="ScriptFolder">The folder of the script, on the silos' file system, for the demand files it names; null when it came without one (HTTP).</param>
/// <param name="Replications">Replaces the script's replications when given (quick checks).</param>
[GenerateSerializer, Immutable, Alias("CityTwin.ScenarioRequest")]
public sealed record ScenarioRequest(
    [property: Id(0)] string Script,
    [property: Id(1)] string? ScriptFolder,
    [property: Id(2)] int? Replications);

/// <summary>One problem with a script: its line and column (1-based; 0 when the whole script is meant) and the reason.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.ScenarioProblem")]
public sealed record ScenarioProblem(
    [property: Id(0)] int Line,
    [property: Id(1)] int Column,
    [property: Id(2)] string Reason);

/// <summary>The states of a scenario run.</summary>
public static class ScenarioStates
{
    /// <summary>No scenario was started under this id.</summary>
    public const string Unknown = "unknown";

    /// <summary>The script has errors (<see cref="ScenarioStatus.Errors"/>); nothing ran.</summary>
    public const string Invalid = "invalid";

    /// <summary>Freezing the base and resolving the alternatives (optimising plans).</summary>
    public const string Preparing = "preparing";

    /// <summary>Work items are running.</summary>
    public const string Running = "running";

    /// <summary>Finished: the decision and the result are there.</summary>
    public const string Done = "done";

    /// <summary>Something failed while running (<see cref="ScenarioStatus.Error"/>).</summary>
    public const string Failed = "failed";
}

/// <summary>Where a scenario run is.</summary>
/// <param name="Id">The run's id.</param>
/// <param name="State">One of <see cref="ScenarioStates"/>.</param>
/// <param name="Scenario">The script's id, once read.</param>
/// <param name="Done">Work items finished.</param>
/// <param name="Total">Work items in all (0 until prepared).</param>
/// <param name="Decision">The decision, when done.</param>
/// <param name="Error">What failed, when failed.</param>
/// <param name="Errors">The script's problems, when invalid.</param>
/// <param name="StartedAt">When the run was started.</param>
/// <param name="FinishedAt">When it finished.</param>
[GenerateSerializer, Immutable, Alias("CityTwin.ScenarioStatus")]
public sealed record ScenarioStatus(
    [property: Id(0)] string Id,
    [property: Id(1)] string State,
    [property: Id(2)] string? Scenario,
    [property: Id(3)] int Done,
    [property: Id(4)] int Total,
    [property: Id(5)] string? Decision,
    [property: Id(6)] string? Error,
    [property: Id(7)] IReadOnlyList<ScenarioProblem> Errors,
    [property: Id(8)] DateTimeOffset? StartedAt,
    [property: Id(9)] DateTimeOffset? FinishedAt);

/// <summary>
/// One scenario run; key: the run id. Validates the script, freezes the base (a snapshot of the live twin for
/// <c>base.from: live</c>; the twin is only read), fans the work items out over the cluster and gathers them.
/// </summary>
[Alias("CityTwin.IScenarioGrain")]
public interface IScenarioGrain : IGrainWithStringKey
{
    /// <summary>Starts the run (once; later calls return the status) and returns at once: invalid with every error, or preparing.</summary>
    [Alias("Start")]
    Task<ScenarioStatus> StartAsync(ScenarioRequest request);

    /// <summary>Where the run is; readable while it runs.</summary>
    [Alias("GetStatus"), AlwaysInterleave]
    Task<ScenarioStatus> GetStatusAsync();

    /// <summary>The result (results.json, as text) when done, else null.</summary>
    [Alias("GetResult"), AlwaysInterleave]
    Task<string?> GetResultAsync();
}

/// <summary>What one work item produced: its numbers (JSON), the silo that ran it and how long it took.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.ScenarioWorkDone")]
public sealed record ScenarioWorkDone(
    [property: Id(0)] string RunJson,
    [property: Id(1)] string Silo,
    [property: Id(2)] double WallSeconds);

/// <summary>
/// Runs one work item of a scenario (an alternative x a replication); key: run id and item index, so that every
/// item is a grain of its own and random placement spreads the items over the silos.
/// </summary>
[Alias("CityTwin.IScenarioWorkGrain")]
public interface IScenarioWorkGrain : IGrainWithStringKey
{
    /// <summary>Runs the item: the prepared scenario and the item, as the engine's JSON.</summary>
    [Alias("Run")]
    Task<ScenarioWorkDone> RunAsync(string setupJson, string itemJson);
}
