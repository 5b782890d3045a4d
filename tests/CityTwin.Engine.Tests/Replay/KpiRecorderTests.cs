using CityTwin.Engine.Replay;

namespace CityTwin.Engine.Tests.Replay;

public sealed class KpiRecorderTests
{
    private static readonly long T0 = new DateTime(2026, 3, 10, 8, 0, 0, DateTimeKind.Utc).Ticks;
    private static readonly long Minute = TimeSpan.TicksPerMinute;

    /// <summary>Feeds events (time, value) to a recorder whose "state" is the sum of the values applied so far.</summary>
    private static IReadOnlyList<KpiSample> Record(long interval, IEnumerable<(long Ts, int Value)> events, long through)
    {
        var recorder = new KpiRecorder(interval);
        var sum = 0;
        KpiSample Sample(long t) => new(t, 0, 0, sum, 0, 0, 0, 0, 0);
        foreach (var (ts, value) in events)
        {
            recorder.BeforeEvent(ts, Sample);
            sum += value;
        }

        return recorder.RowsThrough(through, Sample);
    }

    [Fact]
    public void Rows_every_15_minutes_hold_the_state_after_every_event_at_or_before_their_time()
    {
        var rows = Record(15 * Minute, [(T0 + Minute, 1), (T0 + (15 * Minute), 2), (T0 + (16 * Minute), 4), (T0 + (50 * Minute), 8)], T0 + (60 * Minute));
        Assert.Equal([T0 + (15 * Minute), T0 + (30 * Minute), T0 + (45 * Minute), T0 + (60 * Minute)], rows.Select(r => r.TsTicks));

        // 08:15 includes the event at exactly 08:15; 08:30 and 08:45 carry 08:16's state; 09:00 includes 08:50.
        Assert.Equal([3, 7, 7, 15], rows.Select(r => r.Occupied));
    }

    [Fact]
    public void Interval_zero_gives_a_row_at_every_distinct_event_time_after_all_events_of_that_time()
    {
        var rows = Record(0, [(T0, 1), (T0, 2), (T0 + Minute, 4), (T0 + (3 * Minute), 8), (T0 + (3 * Minute), 16)], T0 + (3 * Minute));
        Assert.Equal([(T0, 3), (T0 + Minute, 7), (T0 + (3 * Minute), 31)], rows.Select(r => (r.TsTicks, r.Occupied)));
    }

    [Fact]
    public void Reading_the_rows_changes_nothing_and_later_events_still_count()
    {
        var recorder = new KpiRecorder(15 * Minute);
        var sum = 0;
        KpiSample Sample(long t) => new(t, 0, 0, sum, 0, 0, 0, 0, 0);
        recorder.BeforeEvent(T0 + Minute, Sample);
        sum = 5;
        Assert.Equal([5], recorder.RowsThrough(T0 + (15 * Minute), Sample).Select(r => r.Occupied));
        recorder.BeforeEvent(T0 + (10 * Minute), Sample);
        sum = 6;
        Assert.Equal([6], recorder.RowsThrough(T0 + (15 * Minute), Sample).Select(r => r.Occupied));
        Assert.Empty(recorder.Rows);
    }

    [Fact]
    public void A_stored_series_continues_where_it_stopped()
    {
        var first = new KpiRecorder(15 * Minute);
        var sum = 0;
        KpiSample Sample(long t) => new(t, 0, 0, sum, 0, 0, 0, 0, 0);
        first.BeforeEvent(T0 + Minute, Sample);
        sum = 1;
        first.BeforeEvent(T0 + (20 * Minute), Sample);
        sum = 2;
        var second = new KpiRecorder(15 * Minute, first.Rows, first.PendingTicks);
        Assert.Equal(first.RowsThrough(T0 + (45 * Minute), Sample), second.RowsThrough(T0 + (45 * Minute), Sample));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 15)]
    [InlineData(15, 15)]
    [InlineData(16, 30)]
    public void Row_times_are_multiples_of_the_interval(int minute, int expected)
    {
        Assert.Equal(T0 + (expected * Minute), KpiRecorder.RowAtOrAfter(T0 + (minute * Minute), 15 * Minute));
    }
}
