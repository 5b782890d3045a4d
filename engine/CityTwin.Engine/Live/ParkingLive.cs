using CityTwin.Engine.City;
using CityTwin.Engine.Parking.Forecast;

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
    IReadOnlyList<OccupancyChange> Recent,
    FacilityProfileData? Profile = null);

/// <summary>
/// A forecast of occupancy at a horizon: the expected occupied spaces, and with the occupancy model the prediction
/// interval (<see cref="Lower"/>..<see cref="Upper"/>) and what the expected level came from (<see cref="Basis"/>:
/// profile, time-of-day, mean or last-value; "trend" for the trend, which has no interval).
/// </summary>
public sealed record OccupancyForecast(int HorizonMin, long AtTicks, double Occupied, double Ratio, double? Lower = null, double? Upper = null, string Basis = "trend");

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
    /// <summary>Forecast horizons of the trend, minutes.</summary>
    public static readonly IReadOnlyList<int> ForecastHorizonsMin = [30, 60];

    /// <summary>Forecast horizons of the occupancy model, minutes.</summary>
    public static readonly IReadOnlyList<int> ModelHorizonsMin = [30, 60, 120, 180];

    /// <summary>How much recent history the forecast's trend looks at.</summary>
    public static readonly TimeSpan TrendWindow = TimeSpan.FromMinutes(60);

    public const string ForecastMethodName = "trend: net change over the last 60 min extrapolated, clamped to [0, capacity]";

    /// <summary>The method when the city has an occupancy model but the facility no count yet.</summary>
    public const string NoCountYetMethodName = "trend (the occupancy model has no count of this facility yet): net change over the last 60 min extrapolated, clamped to [0, capacity]";

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
    private readonly FacilityForecastState? _model;
    private readonly string _modelMethod = "";

    /// <summary>
    /// A facility's live state (from <paramref name="snapshot"/> when given). With <paramref name="model"/> (the city's
    /// fitted occupancy model) it forecasts with the model, its slots in <paramref name="zone"/>'s local time (UTC when
    /// null); the profile comes from the snapshot, or when the snapshot has none (new, or stored before the profile
    /// was kept), from the model file.
    /// </summary>
    public ParkingLive(ParkingFacility facility, LiveOptions options, ParkingSnapshot? snapshot = null, FittedParkingModel? model = null, TimeZoneInfo? zone = null)
        : base(options, snapshot?.Common)
    {
        _facility = facility;
        if (model is not null)
        {
            zone ??= TimeZoneInfo.Utc;
            _model = snapshot?.Profile is { } profile && FacilityForecastState.Fits(profile, model.Forecaster.Options)
                ? model.Restore(facility.Id, profile, zone)
                : model.StartLive(facility.Id, zone);
            var p = _model.Model;
            _modelMethod = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"model: weekday/time profile in {zone.Id} (recency {p.Recency:0.##}) + last count's deviation x carry-over; {model.Forecaster.Options.Coverage * 100:0.#}% interval from the errors fitted per horizon; {(model.Knows(facility.Id) ? p.Pooled ? "the pooled parameters (little history in the model file)" : "its own parameters" : "the pooled parameters (not in the model file)")}; one count per {model.Forecaster.Options.SlotMinutes}-min slot");
        }

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

    /// <summary>The online occupancy model's state (null when the city has no model).</summary>
    public FacilityForecastState? Model => _model;

    public override ParkingSnapshot Snapshot()
    {
        PruneRecent();
        return new ParkingSnapshot(CommonSnapshot(), _occupied, _entries, _exits, _snapshots, _corrections, _correctionVeh, _underflows, _lastSnapshotTicks, _recent.ToArray(), _model?.Export());
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
            _model is null ? ForecastMethodName : _model.Applied == 0 ? NoCountYetMethodName : _modelMethod,
            _model is { Applied: > 0 } ? ModelForecast() : Forecast(),
            new EventTotals(totals.Applied, totals.Late, totals.Duplicates, totals.Rejected),
            Counters.OrderBy(c => c.Sensor, StringComparer.Ordinal).ToArray(),
            RecentRejected.ToArray(),
            RecentLate.ToArray());
    }

    protected override void ApplyCore(in SensorReading reading)
    {
        var r = reading;
        if (Dispatch(r))
        {
            Count(r.TsTicks);
        }
    }

    /// <summary>
    /// The slot rule: the first event applied in a slot later than the last count's (the nearest slot start of its
    /// time, as the offline model places a count) gives the model a count: the occupancy after that event, at its time.
    /// </summary>
    private void Count(long tsTicks)
    {
        if (_model is { } m && (m.Applied == 0 || (tsTicks >= m.LastTicks && m.SlotIndex(tsTicks) > m.SlotIndex(m.LastTicks))))
        {
            m.Apply(tsTicks, _occupied, _facility.Capacity);
        }
    }

    /// <summary>Applies an event; false when it changed nothing (an older occupancy snapshot).</summary>
    private bool Dispatch(SensorReading r)
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
                    return false;
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

        return true;
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

    /// <summary>The occupancy model's forecasts from the watermark, each with its interval and basis.</summary>
    private IReadOnlyList<OccupancyForecast> ModelForecast()
    {
        if (WatermarkTicks is not { } now || _model is not { } m)
        {
            return [];
        }

        var result = new List<OccupancyForecast>();
        foreach (var h in ModelHorizonsMin)
        {
            var at = now + TimeSpan.FromMinutes(h).Ticks;
            if (m.Predict(at, now) is { } p)
            {
                // The model works in shares of the capacity of its last count (the facility's, unless that count came from the model file).
                var cap = _facility.Capacity;
                var share = cap / (double)p.Capacity;
                result.Add(new OccupancyForecast(h, at, p.Forecast * share, p.Forecast / p.Capacity, p.Lower * share, p.Upper * share, ForecastBases.Name(p.Basis)));
            }
        }

        return result;
    }
}
