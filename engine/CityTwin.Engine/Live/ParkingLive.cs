using CityTwin.Engine.City;

namespace CityTwin.Engine.Live;

/// <summary>The net change of occupancy (entries, exits, snapshot corrections) in one minute starting at <see cref="TsTicks"/>.</summary>
public readonly record struct OccupancyChange(long TsTicks, int Delta);

/// <summary>A facility's live state as plain data.</summary>
public sealed record ParkingSnapshot(
    LiveCommon Common,
    int Occupied,
    long Entries,
    long Exits,
    long Snapshots,
    long Corrections,
    long CorrectionVeh,
    long Underflows,
    long? LastSnapshotTicks,
    IReadOnlyList<OccupancyChange> Recent);

/// <summary>A forecast of occupancy at a horizon, with the method that made it.</summary>
public sealed record OccupancyForecast(int HorizonMin, long AtTicks, double Occupied, double Ratio);

/// <summary>A facility's live state as read by operators.</summary>
public sealed record ParkingView(
    string Id,
    string Name,
    int Capacity,
    int Occupied,
    double OccupancyRatio,
    double PricePerHour,
    string Currency,
    long? AsOfTicks,
    long Entries,
    long Exits,
    long Snapshots,
    long Corrections,
    long CorrectionVeh,
    long Underflows,
    string ForecastMethod,
    IReadOnlyList<OccupancyForecast> Forecast,
    EventTotals Totals,
    IReadOnlyList<SensorCounters> Sensors,
    IReadOnlyList<RejectedEvent> RecentRejected,
    IReadOnlyList<SensorReading> RecentLate);

/// <summary>
/// Live state of a parking facility: occupancy from entries and exits, corrected by occupancy snapshots
/// (each correction counted), and a short-horizon forecast.
/// </summary>
/// <remarks>
/// Events: <c>parking</c> entry/exit (sensor = the facility or one of its gate detectors) move occupancy by
/// one; a <c>detector</c> count at a gate whose role is entry or exit moves it by the count; a detector with
/// no role only counts. <c>parking-occupancy</c> sets occupancy; the difference to what entries and exits
/// predicted is a correction. An exit at zero occupancy is counted as an underflow and occupancy stays 0.
/// </remarks>
public sealed class ParkingLive : LiveEntity<ParkingSnapshot>
{
    /// <summary>Forecast horizons, minutes.</summary>
    public static readonly IReadOnlyList<int> ForecastHorizonsMin = [30, 60];

    /// <summary>How much recent history the forecast's trend looks at.</summary>
    public static readonly TimeSpan TrendWindow = TimeSpan.FromMinutes(60);

    public const string ForecastMethodName = "trend: net change over the last 60 min extrapolated, clamped to [0, capacity]";

    private readonly ParkingFacility _facility;
    private readonly List<OccupancyChange> _recent = [];
    private int _occupied;
    private long _entries;
    private long _exits;
    private long _snapshots;
    private long _corrections;
    private long _correctionVeh;
    private long _underflows;
    private long? _lastSnapshotTicks;

    public ParkingLive(ParkingFacility facility, LiveOptions options, ParkingSnapshot? snapshot = null)
        : base(options, snapshot?.Common)
    {
        _facility = facility;
        if (snapshot is null)
        {
            return;
        }

        _occupied = snapshot.Occupied;
        _entries = snapshot.Entries;
        _exits = snapshot.Exits;
        _snapshots = snapshot.Snapshots;
        _corrections = snapshot.Corrections;
        _correctionVeh = snapshot.CorrectionVeh;
        _underflows = snapshot.Underflows;
        _lastSnapshotTicks = snapshot.LastSnapshotTicks;
        _recent.AddRange(snapshot.Recent);
    }

    public int Occupied => _occupied;

    public override ParkingSnapshot Snapshot()
    {
        PruneRecent();
        return new ParkingSnapshot(CommonSnapshot(), _occupied, _entries, _exits, _snapshots, _corrections, _correctionVeh, _underflows, _lastSnapshotTicks, _recent.ToArray());
    }

    public ParkingView View()
    {
        PruneRecent();
        var totals = Totals();
        return new ParkingView(
            _facility.Id,
            _facility.Name,
            _facility.Capacity,
            _occupied,
            (double)_occupied / _facility.Capacity,
            _facility.PricePerHour,
            _facility.Currency,
            WatermarkTicks,
            _entries,
            _exits,
            _snapshots,
            _corrections,
            _correctionVeh,
            _underflows,
            ForecastMethodName,
            Forecast(),
            new EventTotals(totals.Applied, totals.Late, totals.Duplicates, totals.Rejected),
            Counters.OrderBy(c => c.Sensor, StringComparer.Ordinal).ToArray(),
            RecentRejected.ToArray(),
            RecentLate.ToArray());
    }

    protected override void ApplyCore(in SensorReading reading)
    {
        var r = reading;
        Dispatch(r);
    }

    private void Dispatch(SensorReading r)
    {
        switch (r.Type)
        {
            case SensorEventType.Parking:
                Move(r.TsTicks, r.Movement == ParkingMovement.Entry ? 1 : -1);
                break;
            case SensorEventType.Detector:
                var role = r.Sensor == _facility.Id ? GateRole.Unspecified : RoleOf(r.Sensor);
                if (role != GateRole.Unspecified && r.Count > 0)
                {
                    Move(r.TsTicks, role == GateRole.Entry ? r.Count : -r.Count);
                }

                break;
            case SensorEventType.ParkingOccupancy:
                if (_lastSnapshotTicks is { } last && r.TsTicks < last)
                {
                    // An older snapshot than the one applied: counted as applied, but it must not roll occupancy back.
                    return;
                }

                _snapshots++;
                _lastSnapshotTicks = r.TsTicks;
                var delta = r.Occupied - _occupied;
                if (delta != 0)
                {
                    _corrections++;
                    _correctionVeh += Math.Abs(delta);
                    _occupied = r.Occupied;
                    AddChange(r.TsTicks, delta);
                }

                break;
            default:
                throw new ArgumentException($"a parking facility does not take '{SensorReading.TypeName(r.Type)}' events", nameof(r));
        }
    }

    /// <summary>Gate roles by detector id; set by the owner from the city.</summary>
    public Func<string, GateRole> RoleOf { get; init; } = _ => GateRole.Unspecified;

    private void Move(long tsTicks, int delta)
    {
        if (delta > 0)
        {
            _entries += delta;
        }
        else
        {
            _exits += -delta;
        }

        var next = _occupied + delta;
        if (next < 0)
        {
            _underflows += -next;
            next = 0;
        }

        AddChange(tsTicks, next - _occupied);
        _occupied = next;
    }

    private void AddChange(long tsTicks, int delta)
    {
        var minute = TimeSpan.TicksPerMinute;
        var bucket = tsTicks - (((tsTicks % minute) + minute) % minute);
        var i = _recent.Count - 1;
        while (i >= 0 && _recent[i].TsTicks > bucket)
        {
            i--;
        }

        if (i >= 0 && _recent[i].TsTicks == bucket)
        {
            _recent[i] = new OccupancyChange(bucket, _recent[i].Delta + delta);
        }
        else
        {
            _recent.Insert(i + 1, new OccupancyChange(bucket, delta));
        }

        if (_recent.Count > 2 * TrendWindow.TotalMinutes)
        {
            PruneRecent();
        }
    }

    private void PruneRecent()
    {
        if (WatermarkTicks is { } w)
        {
            _recent.RemoveAll(c => c.TsTicks <= w - TrendWindow.Ticks);
        }
    }

    private IReadOnlyList<OccupancyForecast> Forecast()
    {
        if (WatermarkTicks is not { } now)
        {
            return [];
        }

        var net = _recent.Sum(c => (double)c.Delta);
        var ratePerMin = net / TrendWindow.TotalMinutes;
        return ForecastHorizonsMin
            .Select(h =>
            {
                var occupied = Math.Clamp(_occupied + (ratePerMin * h), 0, _facility.Capacity);
                return new OccupancyForecast(h, now + TimeSpan.FromMinutes(h).Ticks, occupied, occupied / _facility.Capacity);
            })
            .ToArray();
    }
}
