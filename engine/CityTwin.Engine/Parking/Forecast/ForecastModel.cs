namespace CityTwin.Engine.Parking.Forecast;

/// <summary>Settings of the occupancy forecaster (docs/parking-forecast.md).</summary>
public sealed record ForecastOptions
{
    /// <summary>Width of a time-of-day slot (the Birmingham counts come about every 30 minutes); must divide a day.</summary>
    public int SlotMinutes { get; init; } = 30;

    /// <summary>Nominal coverage of the prediction interval (0.9: from the 5% to the 95% quantile of the errors).</summary>
    public double Coverage { get; init; } = 0.9;

    /// <summary>Weights of past weeks in the profile tried in the fit: week k back weighs r^k (1 = plain mean).</summary>
    public IReadOnlyList<double> RecencyGrid { get; init; } = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5];

    /// <summary>Counts in a facility's first days are not scored (its profile is still empty).</summary>
    public int WarmUpDays { get; init; } = 7;

    /// <summary>Deviations older than this do not carry into a forecast.</summary>
    public int MaxLagDays { get; init; } = 7;

    /// <summary>Pairs' worth of a prior pulling each lag's carry-over towards 0 (ridge).</summary>
    public double Shrinkage { get; init; } = 5;

    /// <summary>A facility with fewer scored counts in training uses the parameters pooled over the others.</summary>
    public int MinResiduals { get; init; } = 100;

    /// <summary>Longest horizon the intervals are fitted for (longer ones use it).</summary>
    public int MaxHorizonMin { get; init; } = 1440;

    internal int SlotsPerDay => 1440 / SlotMinutes;

    internal long SlotTicks => TimeSpan.FromMinutes(SlotMinutes).Ticks;

    internal int MaxLagSlots => MaxLagDays * SlotsPerDay;

    internal int HorizonSlots => (MaxHorizonMin + SlotMinutes - 1) / SlotMinutes;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (SlotMinutes <= 0 || 1440 % SlotMinutes != 0)
        {
            throw new ArgumentException($"slot {SlotMinutes} min: must divide a day");
        }

        if (!(Coverage > 0 && Coverage < 1))
        {
            throw new ArgumentException($"coverage {Coverage}: must be in (0, 1)");
        }

        if (RecencyGrid.Count == 0 || RecencyGrid.Any(r => !(r > 0 && r <= 1)))
        {
            throw new ArgumentException("recency weights must be in (0, 1]");
        }

        if (WarmUpDays < 0 || MaxLagDays < 1 || Shrinkage < 0 || MinResiduals < 1)
        {
            throw new ArgumentException("warm-up days >= 0, max lag days >= 1, shrinkage >= 0 and min residuals >= 1");
        }

        if (MaxHorizonMin < SlotMinutes)
        {
            throw new ArgumentException($"max horizon {MaxHorizonMin} min: at least one slot ({SlotMinutes} min)");
        }
    }
}

/// <summary>What a forecast's expected level came from.</summary>
public enum ForecastBasis
{
    /// <summary>The facility's mean for that weekday and time-of-day slot.</summary>
    Profile,

    /// <summary>No count yet on that weekday at that time: the facility's mean for the time of day on any day.</summary>
    TimeOfDay,

    /// <summary>No count yet at that time of day: the facility's mean of all counts.</summary>
    Mean,

    /// <summary>Nothing but the last count.</summary>
    LastValue,
}

/// <summary>Names of the bases as files and the live twin show them.</summary>
public static class ForecastBases
{
    /// <summary>profile, time-of-day, mean or last-value.</summary>
    public static string Name(ForecastBasis basis) => basis switch
    {
        ForecastBasis.Profile => "profile",
        ForecastBasis.TimeOfDay => "time-of-day",
        ForecastBasis.Mean => "mean",
        ForecastBasis.LastValue => "last-value",
        _ => throw new ArgumentOutOfRangeException(nameof(basis)),
    };
}

/// <summary>A forecast of occupied spaces with its prediction interval (all within 0..capacity).</summary>
public readonly record struct OccupancyPrediction(double Forecast, double Lower, double Upper, ForecastBasis Basis, int Capacity);

/// <summary>
/// The fitted parameters of one facility (or the pool): the profile's recency weight, how much of the last
/// count's deviation from the profile carries over at each lag, and the error quantiles for each horizon.
/// Deviations and errors are shares of capacity.
/// </summary>
public sealed class FacilityForecastModel
{
    /// <summary>Parameters as fitted (or read back from a model file); the arrays are kept, not copied.</summary>
    public FacilityForecastModel(string facility, double recency, double[] carry, double[] lower, double[] upper, int trainingCounts, int scored, double profileMae, bool pooled, string method)
    {
        Facility = facility;
        Recency = recency;
        Carry = carry;
        LowerError = lower;
        UpperError = upper;
        TrainingCounts = trainingCounts;
        Scored = scored;
        ProfileMae = profileMae;
        Pooled = pooled;
        Method = method;
    }

    public string Facility { get; }

    /// <summary>Weight of a week one further back in the profile.</summary>
    public double Recency { get; }

    /// <summary>Share of the last deviation still there after k slots (index k = 0..max lag; 0 after).</summary>
    public IReadOnlyList<double> Carry { get; }

    /// <summary>Lower error quantile (share of capacity) for a horizon of k slots (index k = 1..; 0 unused).</summary>
    public IReadOnlyList<double> LowerError { get; }

    /// <summary>Upper error quantile (share of capacity) for a horizon of k slots.</summary>
    public IReadOnlyList<double> UpperError { get; }

    /// <summary>The facility's counts before the end of training.</summary>
    public int TrainingCounts { get; }

    /// <summary>Counts scored in the fit (after the warm-up, with a weekday/time profile).</summary>
    public int Scored { get; }

    /// <summary>Mean absolute deviation from the profile of the scored counts (share of capacity).</summary>
    public double ProfileMae { get; }

    /// <summary>True when the parameters are the pool's, the facility's own history being too short.</summary>
    public bool Pooled { get; }

    /// <summary>The method in words, with any fallback.</summary>
    public string Method { get; }
}

/// <summary>
/// A facility's online profile and last count as plain data, to persist and restore: the weekday x time-of-day cells'
/// recency-weighted sums and weights (7 x slots per day, Monday first), the time-of-day sums and counts, the overall sum
/// and count, and the last count applied (its time in the state's clock: local for the offline model, UTC in the live twin).
/// </summary>
public sealed record FacilityProfileData(
    IReadOnlyList<double> Sum,
    IReadOnlyList<double> Weight,
    IReadOnlyList<double> TimeOfDaySum,
    IReadOnlyList<double> TimeOfDayCount,
    double AllSum,
    double AllCount,
    int Applied,
    long LastTicks,
    double LastRatio,
    int LastCapacity,
    double LastDeviation);

/// <summary>
/// The online forecasting state of one facility: the profile (a recency-weighted mean occupancy per weekday
/// and time-of-day slot, with time-of-day and overall means behind it) and the last count's deviation from it.
/// Counts go in in time order through <see cref="Apply"/>; <see cref="Predict"/> uses only what went in.
/// Without a time zone, times are local times (the offline model reads local counts); with one, times are UTC and
/// each is placed in its weekday and time-of-day slot of that zone's local time (the live twin), while lags and
/// horizons are measured in UTC (so a day with a clock change is 23 or 25 hours long, as it really is).
/// </summary>
public sealed class FacilityForecastState
{
    private readonly FacilityForecastModel _model;
    private readonly ForecastOptions _options;
    private readonly TimeZoneInfo? _zone;
    private readonly double[] _sum;
    private readonly double[] _weight;
    private readonly double[] _todSum;
    private readonly double[] _todCount;
    private double _allSum;
    private double _allCount;

    public FacilityForecastState(FacilityForecastModel model, ForecastOptions options, TimeZoneInfo? zone = null)
    {
        _model = model;
        _options = options;
        _zone = zone;
        _sum = new double[7 * options.SlotsPerDay];
        _weight = new double[7 * options.SlotsPerDay];
        _todSum = new double[options.SlotsPerDay];
        _todCount = new double[options.SlotsPerDay];
    }

    /// <summary>
    /// A state with a profile restored from <paramref name="data"/> (throws <see cref="ArgumentException"/> when its
    /// sizes do not fit the options' slots).
    /// </summary>
    public FacilityForecastState(FacilityForecastModel model, ForecastOptions options, FacilityProfileData data, TimeZoneInfo? zone = null)
        : this(model, options, zone)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!Fits(data, options))
        {
            throw new ArgumentException($"the profile has {data.Sum.Count} weekday/time cells and {data.TimeOfDaySum.Count} time-of-day slots; {options.SlotMinutes}-minute slots need {_sum.Length} and {_todSum.Length}", nameof(data));
        }

        for (var i = 0; i < _sum.Length; i++)
        {
            _sum[i] = data.Sum[i];
            _weight[i] = data.Weight[i];
        }

        for (var i = 0; i < _todSum.Length; i++)
        {
            _todSum[i] = data.TimeOfDaySum[i];
            _todCount[i] = data.TimeOfDayCount[i];
        }

        _allSum = data.AllSum;
        _allCount = data.AllCount;
        Applied = data.Applied;
        LastTicks = data.LastTicks;
        LastRatio = data.LastRatio;
        LastCapacity = data.LastCapacity;
        LastDeviation = data.LastDeviation;
    }

    public FacilityForecastModel Model => _model;

    public ForecastOptions Options => _options;

    /// <summary>True when a profile's sizes fit the options' slots (a profile kept with another slot width does not).</summary>
    public static bool Fits(FacilityProfileData data, ForecastOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var slots = options.SlotsPerDay;
        return data.Sum.Count == 7 * slots && data.Weight.Count == 7 * slots && data.TimeOfDaySum.Count == slots && data.TimeOfDayCount.Count == slots;
    }

    /// <summary>Counts applied.</summary>
    public int Applied { get; private set; }

    public long LastTicks { get; private set; }

    /// <summary>Last count's occupancy, share of its capacity.</summary>
    public double LastRatio { get; private set; }

    public int LastCapacity { get; private set; }

    /// <summary>Last count's deviation from the profile it met (share of capacity; 0 when there was none).</summary>
    public double LastDeviation { get; private set; }

    /// <summary>The profile and last count as plain data (copies).</summary>
    public FacilityProfileData Export() =>
        new(_sum.ToArray(), _weight.ToArray(), _todSum.ToArray(), _todCount.ToArray(), _allSum, _allCount, Applied, LastTicks, LastRatio, LastCapacity, LastDeviation);

    /// <summary>
    /// Adds a count (at or after the last one). Answers its deviation from the profile as it stood before it and
    /// what that profile value came from.
    /// </summary>
    public (double Deviation, ForecastBasis Basis) Apply(long ticks, double occupied, int capacity)
    {
        if (capacity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be positive");
        }

        if (Applied > 0 && ticks < LastTicks)
        {
            throw new ArgumentException("counts must be applied in time order", nameof(ticks));
        }

        var ratio = Math.Clamp(occupied / capacity, 0, 1);
        var (profile, basis) = Profile(ticks);
        var deviation = basis == ForecastBasis.LastValue ? 0 : ratio - profile;
        var (cell, tod) = Cell(ticks);
        _sum[cell] = (_model.Recency * _sum[cell]) + ratio;
        _weight[cell] = (_model.Recency * _weight[cell]) + 1;
        _todSum[tod] += ratio;
        _todCount[tod]++;
        _allSum += ratio;
        _allCount++;
        Applied++;
        LastTicks = ticks;
        LastRatio = ratio;
        LastCapacity = capacity;
        LastDeviation = deviation;
        return (deviation, basis);
    }

    /// <summary>The profile's occupancy share at a time, and what it came from.</summary>
    public (double Value, ForecastBasis Basis) Profile(long ticks)
    {
        var (cell, tod) = Cell(ticks);
        if (_weight[cell] > 0)
        {
            return (_sum[cell] / _weight[cell], ForecastBasis.Profile);
        }

        if (_todCount[tod] > 0)
        {
            return (_todSum[tod] / _todCount[tod], ForecastBasis.TimeOfDay);
        }

        return _allCount > 0 ? (_allSum / _allCount, ForecastBasis.Mean) : (LastRatio, ForecastBasis.LastValue);
    }

    /// <summary>
    /// The forecast for <paramref name="targetTicks"/> made at <paramref name="originTicks"/> (the interval is the
    /// one fitted for that horizon); null before the first count.
    /// </summary>
    public OccupancyPrediction? Predict(long targetTicks, long originTicks)
    {
        if (Applied == 0)
        {
            return null;
        }

        var (profile, basis) = Profile(targetTicks);
        var lagSlots = (int)Math.Max(1, Math.Round((double)(targetTicks - LastTicks) / _options.SlotTicks, MidpointRounding.AwayFromZero));
        var carry = lagSlots < _model.Carry.Count ? _model.Carry[lagSlots] : 0;
        var ratio = Math.Clamp(profile + (carry * LastDeviation), 0, 1);
        var horizon = (int)Math.Clamp(Math.Ceiling((double)(targetTicks - originTicks) / _options.SlotTicks), 1, _model.LowerError.Count - 1);
        var cap = LastCapacity;
        return new OccupancyPrediction(
            ratio * cap,
            Math.Clamp(ratio + _model.LowerError[horizon], 0, 1) * cap,
            Math.Clamp(ratio + _model.UpperError[horizon], 0, 1) * cap,
            basis,
            cap);
    }

    /// <summary>The slot a time goes to, counted from year 1 in the state's clock (the nearest slot start).</summary>
    public long SlotIndex(long ticks) => (ticks + (_options.SlotTicks / 2)) / _options.SlotTicks;

    /// <summary>The weekday/slot cell and the time-of-day slot of a time (the nearest slot start of its local time; 23:50 goes to the next day's 00:00).</summary>
    private (int Cell, int Tod) Cell(long ticks)
    {
        var slot = _options.SlotTicks;
        var local = _zone is null ? ticks : TimeZoneInfo.ConvertTimeFromUtc(new DateTime(ticks, DateTimeKind.Utc), _zone).Ticks;
        var rounded = (local + (slot / 2)) / slot * slot;
        var time = new DateTime(rounded);
        var tod = (int)(time.TimeOfDay.Ticks / slot);
        var day = ((int)time.DayOfWeek + 6) % 7;
        return ((day * _options.SlotsPerDay) + tod, tod);
    }
}
