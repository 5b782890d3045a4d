namespace CityTwin.Engine.Replay;

/// <summary>
/// One row of an entity's KPI time series: its state at <see cref="TsTicks"/> (UTC ticks), after every event
/// with a timestamp at or before that time. For a facility <see cref="Capacity"/>, <see cref="Occupied"/>,
/// <see cref="Entries"/> and <see cref="Exits"/> are set and the flows are 0; for a signal the reverse.
/// Counts are cumulative since the entity's first event.
/// </summary>
public sealed record KpiSample(
    long TsTicks,
    long Events,
    int Capacity,
    int Occupied,
    long Entries,
    long Exits,
    double FlowVehH,
    double MaxDegreeOfSaturation,
    double QueueVeh);

/// <summary>
/// Records an entity's KPI time series in event time, as its events are applied: at every boundary of a fixed
/// interval (multiples of it since 0001-01-01 UTC, so 15 minutes falls on the quarter hours), or, with interval
/// 0, at every distinct event timestamp. A row at time T holds the state after every event with ts &lt;= T: it is
/// taken just before the first event later than T is applied, or, for the rows still open, when the series is read. The rows depend only
/// on the events and their order, never on when they arrive, so a replay gives the same rows at any speed.
/// </summary>
public sealed class KpiRecorder
{
    private readonly List<KpiSample> _rows;
    private long? _pending;

    /// <summary>Starts a series (or continues a stored one: its rows and the next row's time).</summary>
    public KpiRecorder(long intervalTicks, IReadOnlyList<KpiSample>? rows = null, long? pendingTicks = null)
    {
        if (intervalTicks < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(intervalTicks), "the KPI interval must be 0 (every event timestamp) or positive");
        }

        IntervalTicks = intervalTicks;
        _rows = rows is null ? [] : [.. rows];
        _pending = pendingTicks;
    }

    /// <summary>The interval between rows (ticks), or 0 for a row at every event timestamp.</summary>
    public long IntervalTicks { get; }

    /// <summary>The rows recorded so far, oldest first.</summary>
    public IReadOnlyList<KpiSample> Rows => _rows;

    /// <summary>The time of the next row to be written (null before the first event).</summary>
    public long? PendingTicks => _pending;

    /// <summary>
    /// Called before an event at <paramref name="tsTicks"/> is applied: writes the rows of every time before it
    /// that is now complete, with the state as it is (before the event).
    /// </summary>
    public void BeforeEvent(long tsTicks, Func<long, KpiSample> sample)
    {
        if (_pending is not { } next)
        {
            _pending = FirstRowAtOrAfter(tsTicks);
            return;
        }

        if (IntervalTicks == 0)
        {
            if (tsTicks > next)
            {
                _rows.Add(sample(next));
                _pending = tsTicks;
            }

            return;
        }

        while (tsTicks > next)
        {
            _rows.Add(sample(next));
            next += IntervalTicks;
        }

        _pending = next;
    }

    /// <summary>
    /// The rows through <paramref name="throughTicks"/>: those written, then the rows still open up to that time,
    /// each with the state as it is now (no event has come after them). Changes nothing, so events may follow.
    /// </summary>
    public IReadOnlyList<KpiSample> RowsThrough(long throughTicks, Func<long, KpiSample> sample)
    {
        var rows = new List<KpiSample>(_rows);
        if (_pending is not { } next)
        {
            return rows;
        }

        if (IntervalTicks == 0)
        {
            if (next <= throughTicks)
            {
                rows.Add(sample(next));
            }

            return rows;
        }

        for (; next <= throughTicks; next += IntervalTicks)
        {
            rows.Add(sample(next));
        }

        return rows;
    }

    /// <summary>The time of the row an event at <paramref name="tsTicks"/> first counts in.</summary>
    public long FirstRowAtOrAfter(long tsTicks) => RowAtOrAfter(tsTicks, IntervalTicks);

    /// <summary>The first row time at or after <paramref name="tsTicks"/> for an interval (the time itself for 0).</summary>
    public static long RowAtOrAfter(long tsTicks, long intervalTicks)
    {
        if (intervalTicks == 0)
        {
            return tsTicks;
        }

        var rest = tsTicks % intervalTicks;
        return rest == 0 ? tsTicks : tsTicks - rest + intervalTicks;
    }
}
