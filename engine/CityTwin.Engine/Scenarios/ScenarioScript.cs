namespace CityTwin.Engine.Scenarios;

/// <summary>Where a scenario's base state and demand come from.</summary>
public enum BaseSource
{
    /// <summary>The demand given by the script (or the city's own demand files), the city's design plans.</summary>
    Demand,

    /// <summary>The live twin as it is now: its current plans, flows and occupancies (a frozen copy).</summary>
    Live,

    /// <summary>A recorded day (NDJSON or CSV of sensor events) replayed as the base.</summary>
    Recorded,
}

/// <summary>Which signal plans an alternative runs.</summary>
public enum PlanChoice
{
    /// <summary>The plans of the base unchanged.</summary>
    Base,

    /// <summary>Plans optimised on the base's flows (Webster then delay minimisation, checked by the safety rules).</summary>
    Optimise,

    /// <summary>The rule of thumb: equal splits, one cycle.</summary>
    RuleOfThumb,
}

/// <summary>How the signals are controlled.</summary>
public enum ControlChoice
{
    /// <summary>Fixed-time plans.</summary>
    Fixed,

    /// <summary>Simple vehicle-actuated control.</summary>
    Actuated,

    /// <summary>Max-pressure adaptive control.</summary>
    MaxPressure,
}

/// <summary>Whether the decision KPI is better low or high.</summary>
public enum Goal
{
    /// <summary>Lower is better (delay, travel time, rejected arrivals).</summary>
    Minimise,

    /// <summary>Higher is better (trips completed, revenue).</summary>
    Maximise,
}

/// <summary>A place in the script, for messages: 1-based line and column.</summary>
public readonly record struct ScriptMark(int Line, int Column)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>The base of a scenario.</summary>
/// <param name="Source">Where it comes from.</param>
/// <param name="DemandFiles">Demand files (relative to the script) for <see cref="BaseSource.Demand"/>; empty for the city's own.</param>
/// <param name="Recorded">The recorded day's file for <see cref="BaseSource.Recorded"/>.</param>
/// <param name="Twin">The twin whose state is frozen for <see cref="BaseSource.Live"/>.</param>
/// <param name="DemandScale">Multiplies the base demand.</param>
public sealed record ScenarioBase(BaseSource Source, IReadOnlyList<string> DemandFiles, string? Recorded, string Twin, double DemandScale);

/// <summary>The simulated time window, seconds from midnight, and how long vehicles still in the network are followed after it.</summary>
public sealed record ScenarioWindow(double FromS, double ToS, double DrainS);

/// <summary>The signals of an alternative: which plans and which control.</summary>
/// <param name="Plans">Which plans run.</param>
/// <param name="Control">How the signals are controlled.</param>
/// <param name="CycleS">The cycle of the rule of thumb (s).</param>
/// <param name="Only">The signals the choice applies to; empty for all.</param>
public sealed record SignalChange(PlanChoice Plans, ControlChoice Control, double CycleS, IReadOnlyList<string> Only);

/// <summary>A change to parking facilities: a facility or every facility of a district.</summary>
/// <param name="Facility">A facility id, or null.</param>
/// <param name="District">A district id, or null.</param>
/// <param name="PricePerHour">A new price, or null.</param>
/// <param name="PriceFactor">A price multiplier (1.2 for +20%), or null.</param>
/// <param name="Capacity">A new capacity, or null.</param>
/// <param name="CapacityChange">Spaces added (or removed when negative), or null.</param>
/// <param name="Mark">Where it is in the script.</param>
public sealed record ParkingChange(string? Facility, string? District, double? PricePerHour, double? PriceFactor, int? Capacity, int? CapacityChange, ScriptMark Mark);

/// <summary>A road or lane closure.</summary>
/// <param name="Link">The link id.</param>
/// <param name="Lanes">Lanes closed; null for the whole link.</param>
/// <param name="FromS">Start (s from midnight); null for the whole window.</param>
/// <param name="ToS">End (s from midnight); null for the whole window.</param>
/// <param name="Mark">Where it is in the script.</param>
public sealed record Closure(string Link, int? Lanes, double? FromS, double? ToS, ScriptMark Mark);

/// <summary>Extra trips between two zones in a time window (an event).</summary>
/// <param name="Origin">A district or link id.</param>
/// <param name="Destination">A district or link id.</param>
/// <param name="FromS">Start of departures (s from midnight).</param>
/// <param name="ToS">End of departures (s from midnight).</param>
/// <param name="Vehicles">Trips in the window.</param>
/// <param name="Mark">Where it is in the script.</param>
public sealed record ExtraDemand(string Origin, string Destination, double FromS, double ToS, double Vehicles, ScriptMark Mark);

/// <summary>One alternative to compare with the base.</summary>
/// <param name="Name">Its name, unique in the script.</param>
/// <param name="Description">What it is, in words; optional.</param>
/// <param name="Signals">Its signal change, or null for the base's.</param>
/// <param name="Parking">Its parking changes.</param>
/// <param name="Closures">Its closures.</param>
/// <param name="DemandScale">Multiplies the base demand.</param>
/// <param name="ExtraDemand">Trips added.</param>
/// <param name="Mark">Where it is in the script.</param>
public sealed record Alternative(
    string Name,
    string? Description,
    SignalChange? Signals,
    IReadOnlyList<ParkingChange> Parking,
    IReadOnlyList<Closure> Closures,
    double DemandScale,
    IReadOnlyList<ExtraDemand> ExtraDemand,
    ScriptMark Mark);

/// <summary>The rule that turns results into a decision.</summary>
/// <param name="Kpi">The KPI that decides.</param>
/// <param name="Goal">Whether it is better low or high.</param>
/// <param name="MinImprovement">The smallest relative improvement over the base that counts (0.05 for 5%).</param>
/// <param name="Confidence">The confidence level of the interval of the change (0.95).</param>
public sealed record DecisionRule(string Kpi, Goal Goal, double MinImprovement, double Confidence);

/// <summary>A planner's scenario script (docs/scenarios.md).</summary>
/// <param name="Id">Its id: letters, digits, '-', '_', '.'.</param>
/// <param name="Title">Its title.</param>
/// <param name="City">"sample" or a city folder (relative to the script).</param>
/// <param name="Base">The base.</param>
/// <param name="Window">The time window.</param>
/// <param name="Replications">Seeded replications per alternative.</param>
/// <param name="Seed">Seed of the first replication.</param>
/// <param name="Alternatives">The alternatives, in script order.</param>
/// <param name="Kpis">The KPIs reported.</param>
/// <param name="Decision">The decision rule.</param>
public sealed record ScenarioScript(
    string Id,
    string Title,
    string City,
    ScenarioBase Base,
    ScenarioWindow Window,
    int Replications,
    ulong Seed,
    IReadOnlyList<Alternative> Alternatives,
    IReadOnlyList<string> Kpis,
    DecisionRule Decision);

/// <summary>One problem with a script: where and why.</summary>
/// <param name="Line">1-based line (0 when the whole script is meant).</param>
/// <param name="Column">1-based column.</param>
/// <param name="Reason">What is wrong and what is expected.</param>
public sealed record ScriptError(int Line, int Column, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Line}:{Column}: {Reason}";
}
