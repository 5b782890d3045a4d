using CityTwin.Engine.City;
using CityTwin.Engine.Parking.WhatIf;
using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Scenarios;

/// <summary>
/// The frozen base of a scenario: the data every work item runs on, copied once before anything runs (a scenario
/// never reads the live twin again, and never writes to it).
/// </summary>
/// <param name="Od">The base origin-destination rows (the city's own demand, or the script's).</param>
/// <param name="Trips">The base's explicit trips.</param>
/// <param name="Parking">The parking demand model (the city's <c>parking-demand.json</c>), when the city has one.</param>
/// <param name="Live">With <c>base.from: live</c>: the twin's state at the freeze (plans, flows, queues, occupancy).</param>
/// <param name="Sources">What data was used, in words, for the report.</param>
public sealed record ScenarioData(
    IReadOnlyList<OdRow> Od,
    IReadOnlyList<TripSpec> Trips,
    ParkingDemandAssumptions? Parking,
    TwinSnapshot? Live,
    IReadOnlyList<string> Sources);

/// <summary>
/// One arm of a scenario as it runs: the base or an alternative, with every choice resolved (the plan of every
/// signal, the closures, the demand, the parking changes).
/// </summary>
/// <param name="Name">"base" or the alternative's name.</param>
/// <param name="Description">The script's description.</param>
/// <param name="Plans">The plan every signal runs, by signal id.</param>
/// <param name="Control">How the signals are controlled.</param>
/// <param name="Closures">Closures in force.</param>
/// <param name="DemandScale">Multiplies the base's origin-destination rows (the base's own scale included).</param>
/// <param name="ExtraOd">Extra origin-destination rows (an event).</param>
/// <param name="ParkingPrices">New hourly prices by facility.</param>
/// <param name="ParkingCapacityChanges">Spaces added (removed when negative) by facility.</param>
/// <param name="Changes">What the arm changes, in words.</param>
public sealed record ScenarioArm(
    string Name,
    string? Description,
    IReadOnlyDictionary<string, TimingPlan> Plans,
    SignalControl Control,
    IReadOnlyList<LinkClosure> Closures,
    double DemandScale,
    IReadOnlyList<OdRow> ExtraOd,
    IReadOnlyDictionary<string, double> ParkingPrices,
    IReadOnlyDictionary<string, int> ParkingCapacityChanges,
    IReadOnlyList<string> Changes)
{
    /// <summary>True for the base (the reference every alternative is compared with).</summary>
    public bool IsBase => Name == ScenarioRunner.BaseName;
}

/// <summary>A scenario ready to run: the script, its frozen base and its resolved arms (the base first).</summary>
/// <param name="Script">The script (its replications possibly overridden).</param>
/// <param name="Data">The frozen base.</param>
/// <param name="Arms">The base, then the alternatives in script order.</param>
/// <param name="RunTraffic">Work items run the traffic simulation (a traffic KPI is asked for).</param>
/// <param name="RunParking">Work items run the parking simulation (a parking KPI is asked for, or parking changes).</param>
/// <param name="ParkingArrivalCap">The arrival cap every arm's parking runs share (common random numbers).</param>
/// <param name="KpiIntervalS">Width of the intervals of the time series (s).</param>
public sealed record ScenarioSetup(
    ScenarioScript Script,
    ScenarioData Data,
    IReadOnlyList<ScenarioArm> Arms,
    bool RunTraffic,
    bool RunParking,
    double ParkingArrivalCap,
    double KpiIntervalS)
{
    /// <summary>Number of work items: arms x replications.</summary>
    public int WorkItemCount => Arms.Count * Script.Replications;
}

/// <summary>One independent piece of work: one arm, one replication, with its own seed.</summary>
/// <param name="Index">0-based index (replication-major: every arm of replication 0 first).</param>
/// <param name="Arm">Index into <see cref="ScenarioSetup.Arms"/>.</param>
/// <param name="Replication">0-based replication.</param>
/// <param name="Seed">The replication's seed: the script's seed + replication (the same in every arm: paired).</param>
public sealed record ScenarioWorkItem(int Index, int Arm, int Replication, ulong Seed);

/// <summary>What one work item measured.</summary>
/// <param name="Index">The work item.</param>
/// <param name="Arm">Its arm's name.</param>
/// <param name="Replication">Its replication.</param>
/// <param name="Seed">Its seed.</param>
/// <param name="Kpis">The script's KPIs, by name.</param>
/// <param name="DelayVehH">Delay at stop lines per interval (veh-h).</param>
/// <param name="QueueVeh">Mean vehicles queued at the signals per interval.</param>
/// <param name="Occupancy">Mean occupancy of all facilities per hour of the window on weekdays (0-1).</param>
/// <param name="Trips">Trips simulated.</param>
public sealed record ScenarioRun(
    int Index,
    string Arm,
    int Replication,
    ulong Seed,
    IReadOnlyDictionary<string, double> Kpis,
    IReadOnlyList<double> DelayVehH,
    IReadOnlyList<double> QueueVeh,
    IReadOnlyList<double> Occupancy,
    int Trips)
{
    /// <summary>The silo (or process) that ran it, when run on a cluster.</summary>
    public string? Worker { get; init; }

    /// <summary>Wall time of the run (s), when measured.</summary>
    public double? WallSeconds { get; init; }
}

/// <summary>A KPI of one arm over the replications.</summary>
public sealed record KpiStat(string Kpi, string Unit, double Mean, double StdDev);

/// <summary>
/// The paired change of a KPI of an alternative against the base: the mean over replications of (alternative -
/// base), its confidence interval (Student's t with R - 1 degrees of freedom), and the same as percentages of the
/// base's mean (null when that mean is 0).
/// </summary>
public sealed record KpiChange(
    string Kpi,
    string Unit,
    Goal Goal,
    double BaseMean,
    double AlternativeMean,
    double Change,
    double Low,
    double High,
    double? ChangePercent,
    double? LowPercent,
    double? HighPercent);

/// <summary>The results of one arm.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Description">The script's description.</param>
/// <param name="Changes">What it changes, in words.</param>
/// <param name="Kpis">Mean and spread of every KPI.</param>
/// <param name="VsBase">Paired changes against the base (empty for the base).</param>
/// <param name="DelayVehH">Mean delay per interval over the replications.</param>
/// <param name="QueueVeh">Mean queued vehicles per interval.</param>
/// <param name="Occupancy">Mean parking occupancy per hour of the window.</param>
public sealed record ArmResult(
    string Name,
    string? Description,
    IReadOnlyList<string> Changes,
    IReadOnlyList<KpiStat> Kpis,
    IReadOnlyList<KpiChange> VsBase,
    IReadOnlyList<double> DelayVehH,
    IReadOnlyList<double> QueueVeh,
    IReadOnlyList<double> Occupancy);

/// <summary>The decision: the alternative chosen (null: keep the base) and the sentence that says so.</summary>
public sealed record ScenarioDecision(string? Chosen, string Sentence, DecisionRule Rule);

/// <summary>Everything a scenario produced (results.json).</summary>
/// <param name="Scenario">The script's id.</param>
/// <param name="Title">Its title.</param>
/// <param name="City">The city's name.</param>
/// <param name="Base">The base, in words.</param>
/// <param name="Window">The window.</param>
/// <param name="Replications">Replications of every arm.</param>
/// <param name="Seed">Seed of the first replication.</param>
/// <param name="Confidence">Confidence level of the intervals.</param>
/// <param name="DataUsed">What data was used.</param>
/// <param name="Decision">The decision.</param>
/// <param name="Arms">The base, then the alternatives.</param>
/// <param name="IntervalStartsS">Start of each interval of the traffic series (s from midnight).</param>
/// <param name="OccupancyHoursS">Start of each hour of the occupancy series (s from midnight).</param>
/// <param name="Runs">Every work item's numbers.</param>
public sealed record ScenarioResult(
    string Scenario,
    string Title,
    string City,
    string Base,
    ScenarioWindow Window,
    int Replications,
    ulong Seed,
    double Confidence,
    IReadOnlyList<string> DataUsed,
    ScenarioDecision Decision,
    IReadOnlyList<ArmResult> Arms,
    IReadOnlyList<double> IntervalStartsS,
    IReadOnlyList<double> OccupancyHoursS,
    IReadOnlyList<ScenarioRun> Runs);

/// <summary>A script that cannot run as it is, with every reason (line, column, reason).</summary>
public sealed class ScenarioException(IReadOnlyList<ScriptError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
{
    public IReadOnlyList<ScriptError> Errors { get; } = errors;
}
