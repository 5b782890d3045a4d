namespace CityTwin.Engine.Parking.WhatIf;

/// <summary>Weekday (Monday to Friday) or weekend: performance pricing keeps separate prices for each.</summary>
public enum DayType
{
    Weekday,
    Weekend,
}

/// <summary>A time-of-day band with its own price: from <paramref name="StartHour"/> to <paramref name="EndHour"/> (0..24, whole hours).</summary>
public sealed record PriceBand(int StartHour, int EndHour)
{
    public override string ToString() => $"{StartHour:00}-{EndHour:00}";
}

/// <summary>How prices are set.</summary>
public enum PricingKind
{
    /// <summary>Today's price of each facility, all day, every day.</summary>
    Flat,

    /// <summary>Performance pricing: prices per facility, day type and band follow the occupancy (SFpark's rule).</summary>
    Performance,
}

/// <summary>
/// A pricing policy. Performance pricing, after every <see cref="EveryWeeks"/> weeks, looks at each facility in
/// <see cref="Scope"/>, each day type (weekday, weekend) and each <see cref="Bands">band</see>: when the mean
/// occupancy over that band in those weeks was at or above <see cref="UpperTarget"/>, the band's price goes up by
/// <see cref="Step"/>; below <see cref="LowerTarget"/>, down by <see cref="Step"/>; within the band it stays; prices
/// stay within [<see cref="MinPrice"/>, <see cref="MaxPrice"/>]. Outside the bands, and at facilities out of
/// scope, today's price applies. The defaults are SFpark's (San Francisco Transportation Code, Division II,
/// Section 402: 60-80%, $0.25 steps), read in the facility's currency.
/// </summary>
public sealed record PricingPolicy
{
    /// <summary>Today's flat prices.</summary>
    public static PricingPolicy Flat { get; } = new();

    public PricingKind Kind { get; init; } = PricingKind.Flat;

    /// <summary>Bands of the day that performance pricing prices (whole hours, not overlapping).</summary>
    public IReadOnlyList<PriceBand> Bands { get; init; } = [new(7, 12), new(12, 15), new(15, 19)];

    public double LowerTarget { get; init; } = LiteratureFigures.SfparkLowerTarget;

    public double UpperTarget { get; init; } = LiteratureFigures.SfparkUpperTarget;

    public double Step { get; init; } = LiteratureFigures.SfparkStep;

    public double MinPrice { get; init; } = 0.5;

    public double MaxPrice { get; init; } = 6.0;

    /// <summary>Weeks between adjustments.</summary>
    public int EveryWeeks { get; init; } = 1;

    /// <summary>Facility ids the policy prices; null: every facility.</summary>
    public IReadOnlyList<string>? Scope { get; init; }

    /// <summary>True when the policy prices facility <paramref name="id"/>.</summary>
    public bool Prices(string id) => Kind == PricingKind.Performance && (Scope is null || Scope.Contains(id, StringComparer.Ordinal));

    /// <summary>Throws <see cref="ArgumentException"/> naming every bad setting, checked against the area's facilities.</summary>
    public void Validate(ParkingArea area)
    {
        ArgumentNullException.ThrowIfNull(area);
        if (Kind == PricingKind.Flat)
        {
            return;
        }

        var errors = new List<string>();
        if (!(LowerTarget >= 0) || !(UpperTarget > LowerTarget) || UpperTarget > 1)
        {
            errors.Add($"target band {LowerTarget}..{UpperTarget}: needs 0 <= lower < upper <= 1");
        }

        if (!(Step > 0) || !double.IsFinite(Step))
        {
            errors.Add($"price step {Step}: must be > 0");
        }

        if (!(MinPrice > 0) || !(MaxPrice >= MinPrice) || !double.IsFinite(MaxPrice))
        {
            errors.Add($"price bounds {MinPrice}..{MaxPrice}: need 0 < min <= max");
        }

        if (EveryWeeks < 1)
        {
            errors.Add($"adjustment period {EveryWeeks} weeks: must be >= 1");
        }

        if (Bands.Count == 0)
        {
            errors.Add("performance pricing needs at least one band");
        }

        var hours = new bool[24];
        foreach (var b in Bands)
        {
            if (b.StartHour < 0 || b.EndHour > 24 || b.EndHour <= b.StartHour)
            {
                errors.Add($"band {b}: needs 0 <= start < end <= 24");
                continue;
            }

            for (var h = b.StartHour; h < b.EndHour; h++)
            {
                if (hours[h])
                {
                    errors.Add($"band {b}: overlaps another band at {h:00}:00");
                    break;
                }

                hours[h] = true;
            }
        }

        foreach (var id in Scope ?? [])
        {
            if (area.IndexOf(id) < 0)
            {
                errors.Add($"scope: '{id}' is not a facility of the city");
            }
        }

        foreach (var s in area.Sites.Where(s => Prices(s.Id)))
        {
            if (!(s.PricePerHour > 0))
            {
                errors.Add($"facility '{s.Id}' is free today: an elasticity cannot start from a zero price, leave it out of the policy's scope");
            }
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
    }
}

/// <summary>
/// A scenario: a pricing policy, new prices per facility (all day; performance pricing starts from them) and
/// spaces added (+) or removed (-) per facility id.
/// </summary>
public sealed record ParkingScenario(string Name)
{
    public PricingPolicy Pricing { get; init; } = PricingPolicy.Flat;

    /// <summary>A new hourly price per facility id, in place of today's, at every hour of every day.</summary>
    public IReadOnlyDictionary<string, double> PriceChanges { get; init; } = new Dictionary<string, double>();

    /// <summary>The price a facility starts the run at: its new price when the scenario sets one, else today's.</summary>
    public double StartPrice(ParkingSite site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return PriceChanges.TryGetValue(site.Id, out var p) ? p : site.PricePerHour;
    }

    /// <summary>Spaces added (positive) or removed (negative) per facility id.</summary>
    public IReadOnlyDictionary<string, int> CapacityChanges { get; init; } = new Dictionary<string, int>();

    /// <summary>Throws <see cref="ArgumentException"/> naming every bad setting.</summary>
    public void Validate(ParkingArea area)
    {
        ArgumentNullException.ThrowIfNull(area);
        var errors = new List<string>();
        try
        {
            Pricing.Validate(area);
        }
        catch (ArgumentException e)
        {
            errors.Add(e.Message);
        }

        foreach (var site in area.Sites.Where(x => Pricing.Prices(x.Id) && !PriceChanges.ContainsKey(x.Id) && x.PricePerHour > 0))
        {
            if (site.PricePerHour < Pricing.MinPrice || site.PricePerHour > Pricing.MaxPrice)
            {
                errors.Add(FormattableString.Invariant(
                    $"facility '{site.Id}': today's price {site.PricePerHour} is outside the policy's bounds {Pricing.MinPrice}..{Pricing.MaxPrice}"));
            }
        }

        foreach (var (id, price) in PriceChanges)
        {
            var i = area.IndexOf(id);
            if (i < 0)
            {
                errors.Add($"price change: '{id}' is not a facility of the city");
            }
            else if (!(price > 0) || !double.IsFinite(price))
            {
                errors.Add(FormattableString.Invariant($"price change: '{id}' {price} must be a price > 0 (the elasticity works on price ratios)"));
            }
            else if (area.Sites[i].PricePerHour <= 0)
            {
                errors.Add($"price change: '{id}' is free today; an elasticity cannot start from a zero price");
            }
            else if (Pricing.Prices(id) && (price < Pricing.MinPrice || price > Pricing.MaxPrice))
            {
                errors.Add(FormattableString.Invariant($"price change: '{id}' {price} is outside the policy's bounds {Pricing.MinPrice}..{Pricing.MaxPrice}"));
            }
        }

        foreach (var (id, delta) in CapacityChanges)
        {
            var i = area.IndexOf(id);
            if (i < 0)
            {
                errors.Add($"capacity change: '{id}' is not a facility of the city");
            }
            else if (area.Sites[i].Capacity + delta < 0)
            {
                errors.Add($"capacity change: '{id}' has {area.Sites[i].Capacity} spaces, {delta} would leave fewer than 0");
            }
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"scenario '{Name}': " + string.Join("; ", errors));
        }
    }
}

/// <summary>
/// A special event: <paramref name="Vehicles"/> extra drivers (expected; the count is Poisson) arriving uniformly
/// over <paramref name="DurationS"/> from <paramref name="StartS"/> (time of day) on day <paramref name="Day"/> (0: the
/// first simulated Monday), going to the point (<paramref name="X"/>, <paramref name="Y"/>) (projected metres), staying
/// a log-normal time with median <paramref name="DwellMedianH"/> and the demand's spread, and willing to walk
/// <paramref name="WalkM"/> (m).
/// </summary>
public sealed record SpecialEvent(string Name, double X, double Y, int Day, double StartS, double DurationS, double Vehicles, double DwellMedianH, double WalkM = 1000)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming every bad field.</summary>
    public void Validate(int days)
    {
        var errors = new List<string>();
        if (Day < 0 || Day >= days)
        {
            errors.Add($"day {Day} is outside the simulated days 0..{days - 1}");
        }

        if (!(StartS >= 0) || StartS >= 86400)
        {
            errors.Add($"start {StartS} s is not a time of day");
        }

        if (!(DurationS > 0) || !double.IsFinite(DurationS))
        {
            errors.Add("the duration must be > 0");
        }

        if (!(Vehicles >= 0) || !double.IsFinite(Vehicles))
        {
            errors.Add("vehicles must be >= 0");
        }

        if (!(DwellMedianH > 0) || !double.IsFinite(DwellMedianH))
        {
            errors.Add("the stay must be > 0 hours");
        }

        if (!(WalkM > 0) || !double.IsFinite(WalkM) || !double.IsFinite(X) || !double.IsFinite(Y))
        {
            errors.Add("the walk must be > 0 m and the place a point");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"event '{Name}': " + string.Join("; ", errors));
        }
    }
}

/// <summary>How one run goes: its length, seed, search behaviour and events.</summary>
public sealed record ParkingRunOptions
{
    /// <summary>Weeks measured (each Monday 00:00 to Sunday 24:00).</summary>
    public int Weeks { get; init; } = 4;

    public ulong Seed { get; init; } = 42;

    /// <summary>Days simulated before the first Monday and not measured, so that week 1 does not start empty.</summary>
    public int WarmUpDays { get; init; } = 1;

    public SearchAssumptions Search { get; init; } = new();

    public IReadOnlyList<SpecialEvent> Events { get; init; } = [];

    /// <summary>
    /// Potential arrivals are drawn at this multiple of the demand and thinned by the price response, so that
    /// runs with the same seed share their random numbers whatever their prices; null: the least the scenario
    /// needs (<see cref="ParkingSimulation.ArrivalCap"/>).
    /// </summary>
    public double? ArrivalCap { get; init; }

    /// <summary>Called after every event with the running counts (for checks; slows the run).</summary>
    public Action<ParkingCounters>? Observer { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming every bad setting.</summary>
    public void Validate()
    {
        if (Weeks < 1)
        {
            throw new ArgumentException($"weeks: {Weeks} must be >= 1");
        }

        if (WarmUpDays < 0)
        {
            throw new ArgumentException($"warm-up days: {WarmUpDays} must be >= 0");
        }

        if (ArrivalCap is { } c && !(c >= 1 && double.IsFinite(c)))
        {
            throw new ArgumentException($"arrival cap: {c} must be >= 1");
        }

        Search.Validate();
        foreach (var e in Events)
        {
            e.Validate(Weeks * 7);
        }
    }
}
