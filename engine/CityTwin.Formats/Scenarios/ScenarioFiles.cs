using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CityTwin.Engine.City;
using CityTwin.Engine.Parking.WhatIf;
using CityTwin.Engine.Scenarios;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.Demand;
using CityTwin.Formats.ParkingWhatIf;
using CityTwin.Formats.Replay;

namespace CityTwin.Formats.Scenarios;

/// <summary>
/// The files a scenario reads besides its script: the city folder it names, the base's demand (the script's files,
/// else the city's own) and the city's parking demand model (<c>parking-demand.json</c>, when there is one).
/// </summary>
public static class ScenarioFiles
{
    /// <summary>The parking demand model's file name in a city folder.</summary>
    public const string ParkingModelFile = "parking-demand.json";

    /// <summary>The city folder a script names: <paramref name="sampleFolder"/> for <c>sample</c>, else a folder relative to the script.</summary>
    public static string CityFolder(ScenarioScript script, string? scriptFolder, string sampleFolder)
    {
        ArgumentNullException.ThrowIfNull(script);
        return script.City == "sample" ? sampleFolder : Path.GetFullPath(Path.Combine(scriptFolder ?? ".", script.City));
    }

    /// <summary>The full path of a recorded base's file: <c>base.recorded</c> relative to the script's folder.</summary>
    /// <exception cref="ScenarioException">The script came without a folder (over HTTP or <c>--cluster</c>): the silos cannot read the file.</exception>
    public static string RecordedPath(ScenarioScript script, string? scriptFolder)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (script.Base.Recorded is not { } file)
        {
            throw new ArgumentException("the script's base is not a recorded day", nameof(script));
        }

        if (scriptFolder is null)
        {
            throw new ScenarioException([new ScriptError(1, 1, "base.recorded: the recorded day is read next to the script, and this script came without a folder (POST /api/scenarios, citytwin scenario run --cluster); run it with `citytwin scenario run FILE` without --cluster, or replay the day into a twin first (citytwin replay FILE --twin ID --to WINDOW-START) and use base: { from: live, twin: ID }")]);
        }

        return Path.GetFullPath(Path.Combine(scriptFolder, file));
    }

    /// <summary>
    /// The recorded day of a <c>base.from: recorded</c> script, read next to the script, with the events to replay:
    /// those before the window's start on the file's day (<see cref="RecordedDay.OnItsDay"/>).
    /// </summary>
    /// <exception cref="ScenarioException">The script came without a folder (over HTTP or <c>--cluster</c>), the file is
    /// missing or unreadable, a line of it is bad (each as <c>base.recorded: FILE:LINE: reason</c>), or no event comes
    /// before the window's start.</exception>
    public static (RecordedDay Day, DateTimeOffset Start, IReadOnlyList<RecordedEvent> Before) ReadRecorded(ScenarioScript script, string? scriptFolder)
    {
        var path = RecordedPath(script, scriptFolder);
        RecordedDay day;
        try
        {
            day = RecordedDayReader.ReadFile(path);
        }
        catch (RecordedDayException e)
        {
            throw new ScenarioException([new ScriptError(1, 1, $"base.recorded: {e.Message}")]);
        }

        var name = Path.GetFileName(path);
        if (day.Errors.Count > 0)
        {
            throw new ScenarioException([.. day.Errors.Select(e => new ScriptError(1, 1, $"base.recorded: {name}:{e.Line}: {e.Reason}"))]);
        }

        if (day.Events.Count == 0)
        {
            throw new ScenarioException([new ScriptError(1, 1, $"base.recorded: {name}: no events")]);
        }

        var start = day.OnItsDay(script.Window.FromS);
        var before = day.Between(null, start.UtcTicks);
        if (before.Count == 0)
        {
            throw new ScenarioException([new ScriptError(1, 1, string.Create(CultureInfo.InvariantCulture, $"base.recorded: {name}: no event before the window's start on the file's day ({start:yyyy-MM-ddTHH:mm:sszzz}); the base is the state the day reached by then"))]);
        }

        return (day, start, before);
    }

    /// <summary>
    /// Reads the base's demand and the parking model, and freezes <paramref name="live"/> (the twin's state, for
    /// <c>base.from: live</c>) with them. <paramref name="scriptFolder"/> is where the script's own demand files are
    /// (null when the script came without a folder, e.g. over HTTP: then it may not name any). <paramref name="frozenFrom"/>
    /// says where the frozen state came from (default: the live twin the script names, as of <paramref name="liveAsOf"/>).
    /// </summary>
    /// <exception cref="ScenarioException">The script names demand files without a folder, or one is missing.</exception>
    /// <exception cref="DemandFormatException">A demand file is malformed.</exception>
    public static ScenarioData LoadData(ScenarioScript script, CityModel city, string cityFolder, string? scriptFolder, TwinSnapshot? live = null, DateTimeOffset? liveAsOf = null, string? frozenFrom = null)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(city);
        List<string> files;
        if (script.Base.DemandFiles.Count > 0)
        {
            if (scriptFolder is null)
            {
                throw new ScenarioException([new ScriptError(1, 1, "base.demand: demand files are read next to the script, and this script came without a folder; run it with `citytwin scenario run FILE`")]);
            }

            files = [.. script.Base.DemandFiles.Select(f => Path.GetFullPath(Path.Combine(scriptFolder, f)))];
        }
        else
        {
            files = [.. city.DemandFiles.Select(f => Path.Combine(cityFolder, f))];
        }

        var missing = files.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
        {
            throw new ScenarioException([.. missing.Select(f => new ScriptError(1, 1, $"base.demand: no such file '{f}'"))]);
        }

        var set = DemandSet.Empty;
        var sources = new List<string>();
        foreach (var f in files)
        {
            var one = DemandReader.ReadFile(f);
            set = set.Plus(one);
            sources.Add(string.Create(CultureInfo.InvariantCulture, $"demand {Path.GetFileName(f)}: {one.OdRows.Count:#,0} origin-destination rows ({one.OdRows.Sum(r => r.Vehicles):#,0} trips a day), {one.Trips.Count:#,0} explicit trips"));
        }

        ParkingDemandAssumptions? parking = null;
        var model = Path.Combine(cityFolder, ParkingModelFile);
        if (File.Exists(model))
        {
            parking = ParkingDemandFile.Read(model);
            sources.Add($"parking demand model {ParkingModelFile} of the city (fitted stays, day factors, elasticity {parking.Elasticity.ToString(CultureInfo.InvariantCulture)})");
        }

        if (live is not null)
        {
            frozenFrom ??= string.Create(CultureInfo.InvariantCulture, $"live twin '{script.Base.Twin}' frozen as of {liveAsOf:yyyy-MM-dd HH:mm:ss zzz}");
            sources.Add(string.Create(CultureInfo.InvariantCulture, $"{frozenFrom}: {live.Plans.Count} signal plans, {live.Flows.Count(f => f.Measured)} measured approach flows, {live.Flows.Sum(f => f.QueueVeh):0} queued vehicles, {live.ParkingOccupied.Count} facilities' occupancy"));
        }

        sources.Add($"city {city.Name}: {city.Signals.Count} signals, {city.Links.Count} links, {city.Parking.Count} parking facilities");
        return new ScenarioData(set.OdRows, set.Trips, parking, live, sources);
    }
}

/// <summary>
/// The JSON form of scenario types: results.json, and what crosses the wire between grains (the contracts carry it
/// as text, so that they need not reference the engine). camelCase, enums as names, NaN and infinities as strings.
/// </summary>
public static class ScenarioJson
{
    /// <summary>The options used everywhere.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Indented, for files people read.</summary>
    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    public static string Write<T>(T value, bool indented = false) => JsonSerializer.Serialize(value, indented ? Indented : Options);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"no {typeof(T).Name} in the JSON");
}
