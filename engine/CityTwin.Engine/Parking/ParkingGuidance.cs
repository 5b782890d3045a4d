namespace CityTwin.Engine.Parking;

/// <summary>One forecast point of a facility: occupied spaces expected at a time.</summary>
public readonly record struct OccupancyPoint(long AtTicks, double Occupied);

/// <summary>A facility as guidance sees it: where it is, its capacity, its live occupancy and forecast.</summary>
/// <param name="Id">Facility id.</param>
/// <param name="X">East, projected metres.</param>
/// <param name="Y">North, projected metres.</param>
/// <param name="Capacity">Spaces.</param>
/// <param name="Occupied">Occupied spaces as of <paramref name="AsOfTicks"/>.</param>
/// <param name="AsOfTicks">Time of the newest event that reached the facility (UTC ticks); null when none has.</param>
/// <param name="Forecast">Occupied spaces expected after <paramref name="AsOfTicks"/>, in time order.</param>
public sealed record GuidanceFacility(string Id, double X, double Y, int Capacity, double Occupied, long? AsOfTicks, IReadOnlyList<OccupancyPoint> Forecast);

/// <summary>How likely a driver is to find a space on arrival.</summary>
public enum Availability
{
    /// <summary>At least the reserve of spaces is expected free.</summary>
    Likely,

    /// <summary>Some spaces are expected free, fewer than the reserve.</summary>
    Limited,

    /// <summary>No data, or data too old to say.</summary>
    Unknown,

    /// <summary>No space is expected free.</summary>
    Full,
}

/// <summary>What the expected occupancy at arrival rests on.</summary>
public enum GuidanceBasis
{
    /// <summary>The live occupancy: the arrival is no later than the facility's newest event.</summary>
    Live,

    /// <summary>Interpolated between the live occupancy and the forecast points.</summary>
    Forecast,

    /// <summary>The arrival is after the last forecast point: its value is held.</summary>
    BeyondForecast,

    /// <summary>The facility's newest event is older than the staleness limit.</summary>
    Stale,

    /// <summary>No event has reached the facility.</summary>
    NoData,
}

/// <summary>Settings of <see cref="ParkingGuidance.Rank"/>.</summary>
public sealed record GuidanceOptions
{
    /// <summary>Facilities farther than this from the point (straight line, m) are left out.</summary>
    public double MaxDistanceM { get; init; } = 1000;

    /// <summary>At most this many facilities are returned.</summary>
    public int Limit { get; init; } = 5;

    /// <summary>A facility is <see cref="Availability.Likely"/> with at least max(this, <see cref="ReserveFraction"/> x capacity) spaces expected free.</summary>
    public double ReserveSpaces { get; init; } = 5;

    /// <summary>See <see cref="ReserveSpaces"/>.</summary>
    public double ReserveFraction { get; init; } = 0.05;

    /// <summary>A facility whose newest event is this much older than the twin's clock is <see cref="GuidanceBasis.Stale"/>.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>One ranked facility.</summary>
/// <param name="Rank">1 for the best.</param>
/// <param name="Id">Facility id.</param>
/// <param name="DistanceM">Straight-line distance from the point, m.</param>
/// <param name="Availability">Expected availability class on arrival.</param>
/// <param name="Basis">What the expectation rests on.</param>
/// <param name="ExpectedOccupied">Occupied spaces expected on arrival; null when unknown.</param>
/// <param name="ExpectedFree">Free spaces expected on arrival; null when unknown.</param>
/// <param name="ReserveSpaces">The reserve the facility's class was judged against.</param>
public sealed record GuidanceOption(int Rank, string Id, double DistanceM, Availability Availability, GuidanceBasis Basis, double? ExpectedOccupied, double? ExpectedFree, double ReserveSpaces);

/// <summary>The ranking: how many facilities were within the distance limit, and the best of them in order.</summary>
public sealed record GuidanceRanking(int Considered, IReadOnlyList<GuidanceOption> Options);

/// <summary>
/// Parking guidance: for a point and an arrival time, the facilities within walking distance ranked by
/// expected availability on arrival, then by distance. A facility is <see cref="Availability.Likely"/> when the
/// spaces expected free on arrival reach a reserve that absorbs forecast error, <see cref="Availability.Limited"/>
/// when fewer are expected, <see cref="Availability.Full"/> when none; with no data or data older than the
/// staleness limit it is <see cref="Availability.Unknown"/> and ranked after the limited ones but before the full
/// ones (a driver would rather try a facility nobody knows about than one that is known to be full). Within a
/// class the nearer facility comes first; ties go to the facility id, so the order is deterministic.
/// </summary>
public static class ParkingGuidance
{
    /// <summary>Ranks the facilities for a driver at (<paramref name="x"/>, <paramref name="y"/>) arriving at <paramref name="arrivalTicks"/>.</summary>
    /// <param name="facilities">Every facility of the twin.</param>
    /// <param name="x">East, projected metres.</param>
    /// <param name="y">North, projected metres.</param>
    /// <param name="arrivalTicks">Arrival (UTC ticks).</param>
    /// <param name="clockTicks">The twin's clock (the newest event of any facility) for the staleness check; null when no facility has data.</param>
    /// <param name="options">Settings.</param>
    public static GuidanceRanking Rank(IReadOnlyList<GuidanceFacility> facilities, double x, double y, long arrivalTicks, long? clockTicks, GuidanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(facilities);
        var o = options ?? new GuidanceOptions();
        if (!double.IsFinite(x) || !double.IsFinite(y))
        {
            throw new ArgumentException("the point must have finite coordinates");
        }

        if (!(o.MaxDistanceM > 0) || o.Limit < 1)
        {
            throw new ArgumentException("the maximum distance must be positive and the limit at least 1", nameof(options));
        }

        var judged = new List<GuidanceOption>();
        foreach (var f in facilities)
        {
            var distance = Math.Sqrt(((f.X - x) * (f.X - x)) + ((f.Y - y) * (f.Y - y)));
            if (distance > o.MaxDistanceM)
            {
                continue;
            }

            var reserve = Math.Max(o.ReserveSpaces, o.ReserveFraction * f.Capacity);
            var (basis, expected) = Expect(f, arrivalTicks, clockTicks, o.StaleAfter);
            Availability availability;
            double? free = null;
            if (expected is { } occupied)
            {
                free = f.Capacity - occupied;
                availability = free >= reserve ? Availability.Likely : free > 0 ? Availability.Limited : Availability.Full;
            }
            else
            {
                availability = Availability.Unknown;
            }

            judged.Add(new GuidanceOption(0, f.Id, distance, availability, basis, expected, free, reserve));
        }

        var ranked = judged
            .OrderBy(g => g.Availability)
            .ThenBy(g => g.DistanceM)
            .ThenBy(g => g.Id, StringComparer.Ordinal)
            .Take(o.Limit)
            .Select((g, i) => g with { Rank = i + 1 })
            .ToArray();
        return new GuidanceRanking(judged.Count, ranked);
    }

    /// <summary>
    /// Occupied spaces expected at <paramref name="arrivalTicks"/>: the live value up to the facility's newest event,
    /// then linear between it and the forecast points, the last point held after them; clamped to [0, capacity].
    /// </summary>
    public static (GuidanceBasis Basis, double? Occupied) Expect(GuidanceFacility f, long arrivalTicks, long? clockTicks, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (f.AsOfTicks is not { } asOf)
        {
            return (GuidanceBasis.NoData, null);
        }

        if (clockTicks is { } clock && clock - asOf > staleAfter.Ticks)
        {
            return (GuidanceBasis.Stale, null);
        }

        if (arrivalTicks <= asOf || f.Forecast.Count == 0)
        {
            return (arrivalTicks <= asOf ? GuidanceBasis.Live : GuidanceBasis.BeyondForecast, Clamp(f.Occupied, f.Capacity));
        }

        var (t0, v0) = (asOf, f.Occupied);
        foreach (var p in f.Forecast)
        {
            if (p.AtTicks <= t0)
            {
                continue;
            }

            if (arrivalTicks <= p.AtTicks)
            {
                var w = (double)(arrivalTicks - t0) / (p.AtTicks - t0);
                return (GuidanceBasis.Forecast, Clamp(v0 + (w * (p.Occupied - v0)), f.Capacity));
            }

            (t0, v0) = (p.AtTicks, p.Occupied);
        }

        return (GuidanceBasis.BeyondForecast, Clamp(v0, f.Capacity));
    }

    private static double Clamp(double occupied, int capacity) => Math.Clamp(occupied, 0, capacity);
}
