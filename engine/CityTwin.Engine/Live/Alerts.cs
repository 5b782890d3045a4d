using System.Globalization;
using CityTwin.Engine.City;

namespace CityTwin.Engine.Live;

/// <summary>The kinds of alert the live twin raises (docs/alerts.md).</summary>
public static class AlertKinds
{
    /// <summary>A parking facility at or above its near-full occupancy ratio.</summary>
    public const string NearFull = "near-full";

    /// <summary>A parking facility with no free space.</summary>
    public const string Full = "full";

    /// <summary>An approach of a signal whose degree of saturation is at or above 1 over the flow window.</summary>
    public const string Oversaturated = "oversaturated";

    /// <summary>An approach whose queue estimate fills the storage of the link it comes in on.</summary>
    public const string QueueSpillback = "queue-spillback";

    /// <summary>Every kind.</summary>
    public static readonly IReadOnlyList<string> All = [NearFull, Full, Oversaturated, QueueSpillback];
}

/// <summary>
/// When alerts are raised and cleared. Each condition has a raise threshold and a lower clear threshold
/// (hysteresis): an open alert stays open until its value falls below the clear threshold, so a value hovering at
/// the raise threshold does not make it flap.
/// </summary>
public sealed record AlertThresholds
{
    public static readonly AlertThresholds Default = new();

    /// <summary>Occupancy ratio (occupied / capacity) at or above which a facility is near full.</summary>
    public double NearFullRatio { get; init; } = 0.90;

    /// <summary>Occupancy ratio below which a near-full alert clears.</summary>
    public double NearFullClearRatio { get; init; } = 0.85;

    /// <summary>Occupancy ratio at or above which a facility is full (1: no free space).</summary>
    public double FullRatio { get; init; } = 1.0;

    /// <summary>Occupancy ratio below which a full alert clears.</summary>
    public double FullClearRatio { get; init; } = 0.95;

    /// <summary>Degree of saturation (flow / capacity) of an approach at or above which it is oversaturated.</summary>
    public double OversaturatedDegree { get; init; } = 1.0;

    /// <summary>Degree of saturation below which an oversaturated alert clears.</summary>
    public double OversaturatedClearDegree { get; init; } = 0.9;

    /// <summary>Queue estimate as a share of the approach link's storage at or above which the queue spills back.</summary>
    public double SpillbackShare { get; init; } = 1.0;

    /// <summary>Share of the storage below which a spillback alert clears.</summary>
    public double SpillbackClearShare { get; init; } = 0.9;

    /// <summary>
    /// Every threshold as the city manifest names it (<c>alerts.NAME</c>), with its allowed range and the raise
    /// threshold a clear threshold must lie below (null for the raise thresholds themselves).
    /// </summary>
    public IEnumerable<(string Field, double Value, double Min, double Max, string? ClearOf)> Ranges()
    {
        yield return ("nearFullRatio", NearFullRatio, 0.05, 1.05, null);
        yield return ("nearFullClearRatio", NearFullClearRatio, 0, 1.05, "nearFullRatio");
        yield return ("fullRatio", FullRatio, 0.05, 1.05, null);
        yield return ("fullClearRatio", FullClearRatio, 0, 1.05, "fullRatio");
        yield return ("oversaturatedDegree", OversaturatedDegree, 0.1, 5, null);
        yield return ("oversaturatedClearDegree", OversaturatedClearDegree, 0, 5, "oversaturatedDegree");
        yield return ("spillbackShare", SpillbackShare, 0.1, 5, null);
        yield return ("spillbackClearShare", SpillbackClearShare, 0, 5, "spillbackShare");
    }
}

/// <summary>
/// One condition as the rules read it at one event time: the alert kind, what it is about inside the entity (an
/// approach; "" for the whole entity), the value (null: not measured now), the thresholds and, for the message, the
/// amounts the value is a ratio of (occupied of capacity, queue of storage).
/// </summary>
public readonly record struct AlertCheck(
    string Kind,
    string Subject,
    double? Value,
    double RaiseAt,
    double ClearBelow,
    string Severity,
    double Amount = 0,
    double OutOf = 0);

/// <summary>
/// An alert: raised when a condition's value reached its threshold, cleared when it fell below the clear threshold.
/// Times are event times (UTC ticks of the entity's newest event when it happened), never the wall clock.
/// </summary>
public sealed record Alert(
    string Id,
    string Kind,
    string Subject,
    string Severity,
    long RaisedTicks,
    double Value,
    double Threshold,
    double ClearBelow,
    double Peak,
    string Message,
    long? ClearedTicks = null,
    double? ClearValue = null);

/// <summary>The alert state of one entity as plain data: its open alerts and the last sequence number of each kind.</summary>
public sealed record AlertTrackerSnapshot(IReadOnlyList<Alert> Open, IReadOnlyDictionary<string, long> Sequences);

/// <summary>The alert rules: what each entity's live state is checked for.</summary>
public static class AlertRules
{
    /// <summary>Severities, lowest first.</summary>
    public const string Warning = "warning";

    public const string Critical = "critical";

    /// <summary>A facility's checks: near-full and full on its occupancy ratio.</summary>
    public static IEnumerable<AlertCheck> Parking(int occupied, int capacity, AlertThresholds t)
    {
        yield return NearFull(occupied, capacity, t);
        yield return Full(occupied, capacity, t);
    }

    /// <summary>A facility's near-full check (the first of <see cref="Parking"/>).</summary>
    public static AlertCheck NearFull(int occupied, int capacity, AlertThresholds t) =>
        new(AlertKinds.NearFull, "", Ratio(occupied, capacity), t.NearFullRatio, t.NearFullClearRatio, Warning, occupied, capacity);

    /// <summary>A facility's full check (the second of <see cref="Parking"/>).</summary>
    public static AlertCheck Full(int occupied, int capacity, AlertThresholds t) =>
        new(AlertKinds.Full, "", Ratio(occupied, capacity), t.FullRatio, t.FullClearRatio, Critical, occupied, capacity);

    /// <summary>
    /// A signal's checks, per approach: oversaturated on the approach's degree of saturation (the largest of its
    /// measured lane groups over the flow window) and, for an approach whose link the city names, queue-spillback on
    /// its queue estimate against the link's storage (<see cref="StorageVeh"/>). An approach without reporting
    /// detectors is not measured.
    /// </summary>
    public static IEnumerable<AlertCheck> Signal(IReadOnlyList<ApproachView> approaches, IReadOnlyDictionary<string, double> storageVeh, AlertThresholds t)
    {
        foreach (var a in approaches)
        {
            var load = new ApproachLoad(a.Id, a.FlowVehH, a.DegreeOfSaturation, a.QueueVeh);
            yield return Oversaturated(load, t);
            if (Spillback(load, storageVeh, t) is { } spillback)
            {
                yield return spillback;
            }
        }
    }

    /// <summary>An approach's oversaturated check (the first of <see cref="Signal"/> for each approach).</summary>
    public static AlertCheck Oversaturated(in ApproachLoad a, AlertThresholds t) =>
        new(AlertKinds.Oversaturated, a.Id, a.DegreeOfSaturation, t.OversaturatedDegree, t.OversaturatedClearDegree, Warning, a.FlowVehH ?? 0, 0);

    /// <summary>An approach's queue-spillback check (the second of <see cref="Signal"/>), null when its link has no storage.</summary>
    public static AlertCheck? Spillback(in ApproachLoad a, IReadOnlyDictionary<string, double> storageVeh, AlertThresholds t) =>
        storageVeh.TryGetValue(a.Id, out var storage) && storage > 0
            ? new AlertCheck(AlertKinds.QueueSpillback, a.Id, a.QueueVeh / storage, t.SpillbackShare, t.SpillbackClearShare, Critical, a.QueueVeh ?? 0, storage)
            : null;

    private static double? Ratio(int occupied, int capacity) => capacity > 0 ? (double)occupied / capacity : null;

    /// <summary>
    /// The storage (vehicles) of each approach's link, as the simulation counts it: lanes x length / jam spacing of
    /// the city's vehicles; approaches without a link in the city have none.
    /// </summary>
    public static IReadOnlyDictionary<string, double> StorageVeh(CityModel city, SignalSite site)
    {
        var storage = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var a in site.Approaches)
        {
            if (a.LinkId is { } id && city.LinksById.TryGetValue(id, out var link))
            {
                storage[a.Id] = Math.Max(1, Math.Floor(link.Lanes * link.LengthM / city.Vehicles.JamSpacingM));
            }
        }

        return storage;
    }

    /// <summary>The message of an alert raised by <paramref name="c"/> on the entity named <paramref name="entity"/>.</summary>
    public static string Message(string entity, AlertCheck c, double value)
    {
        var inv = CultureInfo.InvariantCulture;
        return c.Kind switch
        {
            AlertKinds.NearFull => string.Format(inv, "{0} is near full: {1:0}% occupied ({2:0} of {3:0} spaces; near-full at {4:0}%, clears below {5:0}%)", entity, value * 100, c.Amount, c.OutOf, c.RaiseAt * 100, c.ClearBelow * 100),
            AlertKinds.Full => string.Format(inv, "{0} is full: {1:0} of {2:0} spaces occupied (clears below {3:0}%)", entity, c.Amount, c.OutOf, c.ClearBelow * 100),
            AlertKinds.Oversaturated => string.Format(inv, "{0} approach {1} is oversaturated: degree of saturation {2:0.00} (flow {3:0} veh/h; threshold {4:0.00}, clears below {5:0.00})", entity, c.Subject, value, c.Amount, c.RaiseAt, c.ClearBelow),
            AlertKinds.QueueSpillback => string.Format(inv, "{0} approach {1}: the queue estimate ({2:0.0} veh) fills {3:0}% of its link's storage ({4:0} veh); it may spill back into the junction upstream (clears below {5:0}%)", entity, c.Subject, c.Amount, value * 100, c.OutOf, c.ClearBelow * 100),
            _ => string.Format(inv, "{0} {1} {2}: {3:0.###} (threshold {4:0.###})", entity, c.Subject, c.Kind, value, c.RaiseAt),
        };
    }
}

/// <summary>
/// The alert state of one entity: which conditions are open, and the next sequence number of each kind. The owner
/// evaluates each check after each event it applies (the entity grains call <see cref="Evaluate(long, in AlertCheck, List{Alert})"/>
/// once per check, allocating nothing; <see cref="Apply"/> is the same composition over a sequence of checks), with the
/// entity's event-time watermark (its newest event time), so alert times never go backwards and never come from the wall clock; an event counted as late is not
/// applied and so never evaluated. Ids are <c>{prefix}/{kind}/{sequence}</c>, the sequence counting that kind's
/// alerts of the entity from 1: the same events give the same ids, so a batch applied again after a restart raises
/// alerts a registry already has under the same id.
/// </summary>
public sealed class AlertTracker
{
    private readonly string _prefix;
    private readonly string _entityName;
    private readonly Dictionary<(string Kind, string Subject), Alert> _open = [];
    private readonly Dictionary<string, long> _sequences = new(StringComparer.Ordinal);

    public AlertTracker(string prefix, string entityName, AlertTrackerSnapshot? snapshot = null)
    {
        _prefix = prefix;
        _entityName = entityName;
        if (snapshot is null)
        {
            return;
        }

        foreach (var a in snapshot.Open)
        {
            _open[(a.Kind, a.Subject)] = a;
        }

        foreach (var (kind, seq) in snapshot.Sequences)
        {
            _sequences[kind] = seq;
        }
    }

    /// <summary>The open alerts, by id.</summary>
    public IReadOnlyCollection<Alert> Open => _open.Values;

    /// <summary>
    /// Checks the conditions at event time <paramref name="tsTicks"/>: answers the alerts raised (value at or above the
    /// raise threshold, none open) and cleared (value below the clear threshold while open), in the order of the checks.
    /// A condition that is not measured now (null value) leaves its alert as it is: no evidence that it cleared.
    /// </summary>
    public IReadOnlyList<Alert> Evaluate(long tsTicks, IEnumerable<AlertCheck> checks)
    {
        List<Alert>? changes = null;
        foreach (var c in checks)
        {
            Evaluate(tsTicks, c, ref changes);
        }

        return changes ?? (IReadOnlyList<Alert>)[];
    }

    /// <summary>
    /// <see cref="Evaluate(long, IEnumerable{AlertCheck})"/> for one check, adding the alert it raises or clears (if any)
    /// to <paramref name="changes"/>: for owners that check without building a sequence of checks.
    /// </summary>
    public void Evaluate(long tsTicks, in AlertCheck check, List<Alert> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        List<Alert>? list = changes;
        Evaluate(tsTicks, check, ref list);
    }

    private void Evaluate(long tsTicks, in AlertCheck c, ref List<Alert>? changes)
    {
        if (c.Value is not { } value || double.IsNaN(value))
        {
            return;
        }

        var key = (c.Kind, c.Subject);
        if (_open.TryGetValue(key, out var open))
        {
            if (value < c.ClearBelow)
            {
                _open.Remove(key);
                (changes ??= []).Add(open with { ClearedTicks = tsTicks, ClearValue = value });
            }
            else if (value > open.Peak)
            {
                _open[key] = open with { Peak = value };
            }
        }
        else if (value >= c.RaiseAt)
        {
            var seq = _sequences.GetValueOrDefault(c.Kind) + 1;
            _sequences[c.Kind] = seq;
            var alert = new Alert(
                string.Create(CultureInfo.InvariantCulture, $"{_prefix}/{c.Kind}/{seq}"),
                c.Kind,
                c.Subject,
                c.Severity,
                tsTicks,
                value,
                c.RaiseAt,
                c.ClearBelow,
                value,
                AlertRules.Message(_entityName, c, value));
            _open[key] = alert;
            (changes ??= []).Add(alert);
        }
    }

    /// <summary>
    /// Applies <paramref name="reading"/> to <paramref name="live"/> and, when it was applied (not late), checks
    /// <paramref name="checks"/> at the entity's watermark: what the entity grains do with every event (they inline it
    /// with one <see cref="Evaluate(long, in AlertCheck, List{Alert})"/> per check, to allocate nothing per event).
    /// </summary>
    public IReadOnlyList<Alert> Apply<TSnapshot>(LiveEntity<TSnapshot> live, in SensorReading reading, Func<IEnumerable<AlertCheck>> checks)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(checks);
        return live.Apply(reading) == ApplyOutcome.Applied && live.WatermarkTicks is { } now ? Evaluate(now, checks()) : [];
    }

    /// <summary>The state as plain data, to persist with the entity's snapshot.</summary>
    public AlertTrackerSnapshot Snapshot() =>
        new(_open.Values.OrderBy(a => a.Id, StringComparer.Ordinal).ToArray(),
            _sequences.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
}
