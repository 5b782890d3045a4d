namespace CityTwin.Engine.Live;

/// <summary>How the live twin treats time windows and how much it keeps for inspection.</summary>
public sealed record LiveOptions
{
    public static readonly LiveOptions Default = new();

    /// <summary>Rolling window over which detector flows are averaged.</summary>
    public TimeSpan FlowWindow { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>An event older than the entity's newest event by more than this is late: counted, kept, not applied.</summary>
    public TimeSpan LatenessWindow { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How many rejected and late events an entity keeps for inspection (the newest ones).</summary>
    public int KeptRecords { get; init; } = 100;

    /// <summary>
    /// How far back a signal keeps each detector's reports as received (count, occupancy, interval), for the data
    /// rules of timing recommendations (docs/signal-timing.md, "Recommendations on live flows").
    /// </summary>
    public TimeSpan DetectorHistory { get; init; } = TimeSpan.FromMinutes(120);

    /// <summary>The most reports kept per detector (the oldest go first): 120 minutes of 5-second reports.</summary>
    public int MaxDetectorReports { get; init; } = 1440;
}

/// <summary>Per-sensor counters: every event is counted once, as accepted (applied), late, duplicate or rejected.</summary>
public sealed record SensorCounters(string Sensor, long Applied, long Late, long Duplicates, long Rejected, long LastSeq, long LastTsTicks);

/// <summary>An event that broke a rule, kept for inspection.</summary>
public sealed record RejectedEvent(string Sensor, long? Seq, string Reason, string Text);

/// <summary>What happened to one event handed to <see cref="LiveEntity{TSnapshot}.Apply"/>.</summary>
public enum ApplyOutcome
{
    Applied,
    Late,
}

/// <summary>
/// Common part of a live entity (a signal or a facility): the event-time watermark, lateness, per-sensor
/// counters and the records kept for inspection. Time is event time only: the newest event seen.
/// </summary>
public abstract class LiveEntity<TSnapshot>
{
    private readonly Dictionary<string, SensorCounters> _counters = new(StringComparer.Ordinal);
    private readonly Queue<RejectedEvent> _rejected = new();
    private readonly Queue<SensorReading> _late = new();

    protected LiveEntity(LiveOptions options, LiveCommon? common)
    {
        Options = options;
        if (common is null)
        {
            return;
        }

        WatermarkTicks = common.WatermarkTicks;
        foreach (var c in common.Counters)
        {
            _counters[c.Sensor] = c;
        }

        foreach (var r in common.Rejected)
        {
            _rejected.Enqueue(r);
        }

        foreach (var l in common.Late)
        {
            _late.Enqueue(l);
        }
    }

    public LiveOptions Options { get; }

    /// <summary>The newest event time applied (UTC ticks), or null before the first event.</summary>
    public long? WatermarkTicks { get; private set; }

    public IReadOnlyCollection<SensorCounters> Counters => _counters.Values;

    public IReadOnlyCollection<RejectedEvent> RecentRejected => _rejected;

    public IReadOnlyCollection<SensorReading> RecentLate => _late;

    /// <summary>Counts events the intake recognised as repeats of an already seen (sensor, seq).</summary>
    public void RecordDuplicates(string sensor, long count)
    {
        var c = CounterOf(sensor);
        _counters[sensor] = c with { Duplicates = c.Duplicates + count };
    }

    /// <summary>Counts a rejected event and keeps it for inspection.</summary>
    public void RecordRejected(RejectedEvent rejected)
    {
        var c = CounterOf(rejected.Sensor);
        _counters[rejected.Sensor] = c with { Rejected = c.Rejected + 1 };
        Keep(_rejected, rejected);
    }

    /// <summary>Applies an event, or counts and keeps it as late when it is older than the lateness window allows.</summary>
    public ApplyOutcome Apply(in SensorReading reading)
    {
        var c = CounterOf(reading.Sensor);
        if (WatermarkTicks is { } w && reading.TsTicks < w - Options.LatenessWindow.Ticks)
        {
            _counters[reading.Sensor] = c with { Late = c.Late + 1 };
            Keep(_late, reading);
            return ApplyOutcome.Late;
        }

        if (WatermarkTicks is null || reading.TsTicks > WatermarkTicks)
        {
            WatermarkTicks = reading.TsTicks;
        }

        ApplyCore(reading);
        _counters[reading.Sensor] = c with
        {
            Applied = c.Applied + 1,
            LastSeq = Math.Max(c.LastSeq, reading.Seq),
            LastTsTicks = Math.Max(c.LastTsTicks, reading.TsTicks),
        };
        return ApplyOutcome.Applied;
    }

    /// <summary>The entity's event counts, summed over its sensors.</summary>
    public EventTotals CountTotals()
    {
        var t = Totals();
        return new EventTotals(t.Applied, t.Late, t.Duplicates, t.Rejected);
    }

    /// <summary>The entity's whole state as plain data, to persist and restore.</summary>
    public abstract TSnapshot Snapshot();

    protected abstract void ApplyCore(in SensorReading reading);

    protected LiveCommon CommonSnapshot() =>
        new(WatermarkTicks, _counters.Values.OrderBy(c => c.Sensor, StringComparer.Ordinal).ToArray(), _rejected.ToArray(), _late.ToArray());

    protected (long Applied, long Late, long Duplicates, long Rejected) Totals() =>
        (_counters.Values.Sum(c => c.Applied), _counters.Values.Sum(c => c.Late),
         _counters.Values.Sum(c => c.Duplicates), _counters.Values.Sum(c => c.Rejected));

    private SensorCounters CounterOf(string sensor) =>
        _counters.TryGetValue(sensor, out var c) ? c : new SensorCounters(sensor, 0, 0, 0, 0, -1, 0);

    private void Keep<T>(Queue<T> queue, T item)
    {
        queue.Enqueue(item);
        while (queue.Count > Options.KeptRecords)
        {
            queue.Dequeue();
        }
    }
}

/// <summary>The part of a snapshot every live entity shares.</summary>
public sealed record LiveCommon(
    long? WatermarkTicks,
    IReadOnlyList<SensorCounters> Counters,
    IReadOnlyList<RejectedEvent> Rejected,
    IReadOnlyList<SensorReading> Late);

/// <summary>Event counts of one entity, summed over its sensors.</summary>
public sealed record EventTotals(long Applied, long Late, long Duplicates, long Rejected);
