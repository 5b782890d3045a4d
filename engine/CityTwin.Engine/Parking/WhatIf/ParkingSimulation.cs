using CityTwin.Engine.City;
using CityTwin.Engine.Common;

namespace CityTwin.Engine.Parking.WhatIf;

/// <summary>
/// A seeded, event-based simulation of parking over whole weeks. Each day, potential arrivals are drawn as a
/// non-homogeneous Poisson process (the weekday demand by hour x the day's factor x <see cref="ArrivalCap"/>, in
/// 5-minute steps), each with a destination, a stay (one uniform number through the dwell distribution) and a
/// uniform number for the price response. The driver picks a facility by today's price and the walk
/// (<see cref="ParkingDemand"/>); the arrival happens with probability (cost of the stay at the prices in force /
/// cost at today's price)^elasticity / cap, so runs of different prices with the same seed share every random
/// number (common random numbers). A driver who finds the facility full searches on
/// (<see cref="SearchAssumptions"/>): to the nearest facility by driving distance (with space, when guided) within
/// the search walk, up to the maximum tries, then gives up (rejected). Search distance, time and the links driven
/// are counted. Performance pricing adjusts prices at week ends. Nothing here reads a clock or a file.
/// </summary>
public sealed class ParkingSimulation
{
    private const double Day = 86400;
    private const double Week = 7 * Day;
    private const int StepsPerHour = 12;

    private readonly ParkingDemand _demand;
    private readonly ParkingArea _area;
    private readonly ParkingScenario _scenario;
    private readonly ParkingRunOptions _o;
    private readonly ParkingDemandAssumptions _a;
    private readonly SearchAssumptions _search;
    private readonly int _n;
    private readonly int[] _capacity;
    private readonly int[] _occupied;
    private readonly double[] _last;
    private readonly double[] _base;
    private readonly double[] _start;
    private readonly bool[] _priced;
    private readonly bool[] _adjusted;
    private readonly bool[] _uniform;
    private readonly int[] _bandOfHour;
    private readonly double[][][] _bandPrice; // [site][dayType][band]
    private readonly double[][][] _hourPrice; // [site][dayType][hour]
    private readonly double[][] _occSeconds; // [site][measured hour]
    private readonly double[][] _seconds90;
    private readonly Stats[][] _stats; // [week][site]
    private readonly double[,,,] _legs; // [dayType, from, to, hour]
    private readonly int[] _measuredDays = new int[2];
    private readonly List<BandPrice> _prices = [];
    private readonly PriorityQueue<Ev, (double, long)> _queue = new();
    private readonly List<Searcher> _searchers = [];
    private readonly Stack<int> _freeSearchers = new();
    private readonly (int Site, double WalkM)[][] _eventChoice;
    private readonly (int Site, double WalkM)[][] _eventSearch;
    private readonly DwellDistribution[] _eventDwell;
    private readonly double _cap;
    private long _seq;
    private double _now;
    private long _arrivals;
    private long _parked;
    private long _rejected;
    private long _searching;
    private long _departed;
    private long _occupiedTotal;

    private ParkingSimulation(ParkingDemand demand, ParkingScenario scenario, ParkingRunOptions options)
    {
        _demand = demand;
        _area = demand.Area;
        _scenario = scenario;
        _o = options;
        _a = demand.Assumptions;
        _search = options.Search;
        _n = _area.Sites.Count;
        _capacity = _area.Sites.Select(s => s.Capacity + scenario.CapacityChanges.GetValueOrDefault(s.Id)).ToArray();
        _occupied = new int[_n];
        _last = Enumerable.Repeat(double.NegativeInfinity, _n).ToArray();
        _base = _area.Sites.Select(s => s.PricePerHour).ToArray();
        _start = _area.Sites.Select(scenario.StartPrice).ToArray();
        _adjusted = _area.Sites.Select(s => scenario.Pricing.Prices(s.Id)).ToArray();
        _priced = _area.Sites.Select((s, i) => _adjusted[i] || _start[i] != _base[i]).ToArray();
        var bands = scenario.Pricing.Bands;
        _bandOfHour = Enumerable.Repeat(-1, 24).ToArray();
        for (var b = 0; b < bands.Count; b++)
        {
            for (var h = bands[b].StartHour; h < bands[b].EndHour; h++)
            {
                _bandOfHour[h] = b;
            }
        }

        _uniform = new bool[_n];
        _bandPrice = new double[_n][][];
        _hourPrice = new double[_n][][];
        for (var s = 0; s < _n; s++)
        {
            _bandPrice[s] = [Enumerable.Repeat(_start[s], bands.Count).ToArray(), Enumerable.Repeat(_start[s], bands.Count).ToArray()];
            _hourPrice[s] = [new double[24], new double[24]];
            RefreshHourPrices(s);
        }

        var hours = options.Weeks * 168;
        _occSeconds = Enumerable.Range(0, _n).Select(_ => new double[hours]).ToArray();
        _seconds90 = Enumerable.Range(0, _n).Select(_ => new double[hours]).ToArray();
        _stats = Enumerable.Range(0, options.Weeks).Select(_ => Enumerable.Range(0, _n).Select(_ => new Stats()).ToArray()).ToArray();
        _legs = new double[2, _n, _n, 24];
        _cap = options.ArrivalCap ?? ArrivalCap(demand, scenario);

        var events = options.Events;
        _eventChoice = new (int, double)[events.Count][];
        _eventSearch = new (int, double)[events.Count][];
        _eventDwell = new DwellDistribution[events.Count];
        for (var e = 0; e < events.Count; e++)
        {
            var ev = events[e];
            _eventChoice[e] = ParkingDemand.Reach(_area, ev.X, ev.Y, ev.WalkM);
            if (_eventChoice[e].Length == 0)
            {
                // Nobody walks that far: the event's drivers take the nearest facility anyway.
                var nearest = Enumerable.Range(0, _n).OrderBy(s => _area.WalkM(ev.X, ev.Y, s)).First();
                _eventChoice[e] = [(nearest, _area.WalkM(ev.X, ev.Y, nearest))];
            }

            _eventSearch[e] = ParkingDemand.Reach(_area, ev.X, ev.Y, Math.Max(ev.WalkM, _a.MaxSearchWalkM));
            _eventDwell[e] = DwellDistribution.FromMedian(ev.DwellMedianH, _a.Dwell.Sigma);
        }
    }

    private enum EvKind : byte
    {
        Reach,
        Departure,
    }

    /// <summary>
    /// The least multiple of the demand a scenario needs to be drawn at so that thinning can express every price
    /// it may set: the largest (lowest price / today's price)^elasticity over its facilities, at least 1 (the
    /// price level a driver sees is an average of price ratios, so it is never below the lowest ratio). Runs to be
    /// compared must use the same cap (the largest of theirs).
    /// </summary>
    public static double ArrivalCap(ParkingDemand demand, ParkingScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(scenario);
        var cap = 1.0;
        foreach (var s in demand.Area.Sites.Where(s => s.PricePerHour > 0))
        {
            var ratio = Math.Min(1.0, scenario.StartPrice(s) / s.PricePerHour);
            if (scenario.Pricing.Prices(s.Id))
            {
                ratio = Math.Min(ratio, scenario.Pricing.MinPrice / s.PricePerHour);
            }

            cap = Math.Max(cap, Math.Pow(ratio, demand.Assumptions.Elasticity));
        }

        return cap;
    }

    /// <summary>Runs one scenario; the same demand, scenario and options give the same result, bit for bit.</summary>
    public static ParkingRunResult Run(ParkingDemand demand, ParkingScenario scenario, ParkingRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        scenario.Validate(demand.Area);
        var need = ArrivalCap(demand, scenario);
        if (options.ArrivalCap is { } given && given < need * (1 - 1e-12))
        {
            throw new ArgumentException(FormattableString.Invariant($"arrival cap {given} is below the {need} scenario '{scenario.Name}' needs"));
        }

        return new ParkingSimulation(demand, scenario, options).Execute();
    }

    private ParkingRunResult Execute()
    {
        var rng = SeededRandom.ForStream(_o.Seed, 11);
        var arrivals = new List<Potential>();
        for (var day = -_o.WarmUpDays; day < _o.Weeks * 7; day++)
        {
            var dayEnd = (day + 1) * Day;
            if (day >= 0)
            {
                _measuredDays[(int)TypeOfDay(day)]++;
            }

            Draw(day, rng, arrivals);
            var next = 0;
            while (true)
            {
                var hasArrival = next < arrivals.Count;
                var hasEvent = _queue.TryPeek(out var ev, out var key) && key.Item1 < dayEnd;
                if (!hasArrival && !hasEvent)
                {
                    break;
                }

                if (hasArrival && (!hasEvent || arrivals[next].T <= key.Item1))
                {
                    _now = arrivals[next].T;
                    Arrive(arrivals[next++]);
                }
                else
                {
                    _now = key.Item1;
                    _queue.Dequeue();
                    if (ev.Kind == EvKind.Departure)
                    {
                        Depart(ev.Index, key.Item1);
                    }
                    else
                    {
                        Reach(ev.Index, ev.Target, key.Item1);
                    }
                }

                _o.Observer?.Invoke(Counters(_now));
            }

            for (var s = 0; s < _n; s++)
            {
                Advance(s, dayEnd);
            }

            if (day >= 0 && (day + 1) % 7 == 0)
            {
                CloseWeek(((day + 1) / 7) - 1);
            }
        }

        return Result();
    }

    private ParkingCounters Counters(double t) => new(t, _arrivals, _parked, _rejected, _searching, _departed, _occupiedTotal);

    private static DayType TypeOfDay(long day) => ((day % 7) + 7) % 7 >= 5 ? DayType.Weekend : DayType.Weekday;

    /// <summary>Draws the day's potential arrivals in time order; the draws never depend on prices or state.</summary>
    private void Draw(int day, SeededRandom rng, List<Potential> list)
    {
        list.Clear();
        var weekday = ((day % 7) + 7) % 7;
        var factor = _a.DayFactors[weekday] * _cap;
        var seq = 0;
        for (var h = 0; h < 24; h++)
        {
            var mean = _demand.HourlyArrivals[h] * factor / StepsPerHour;
            for (var step = 0; step < StepsPerHour; step++)
            {
                var count = rng.NextPoisson(mean);
                for (var i = 0; i < count; i++)
                {
                    var t = (day * Day) + (h * 3600) + ((step + rng.NextDouble()) * 3600 / StepsPerHour);
                    var dest = _demand.DrawDestination(h, rng);
                    list.Add(new Potential(t, seq++, dest, -1, rng.NextDouble(), rng.NextDouble(), rng.NextDouble()));
                }
            }
        }

        for (var e = 0; e < _o.Events.Count; e++)
        {
            var ev = _o.Events[e];
            if (ev.Day != day)
            {
                continue;
            }

            var count = rng.NextPoisson(ev.Vehicles * _cap);
            for (var i = 0; i < count; i++)
            {
                var t = (day * Day) + ev.StartS + (rng.NextDouble() * ev.DurationS);
                list.Add(new Potential(t, seq++, -1, e, rng.NextDouble(), rng.NextDouble(), rng.NextDouble()));
            }
        }

        list.Sort(static (x, y) => x.T != y.T ? x.T.CompareTo(y.T) : x.Seq.CompareTo(y.Seq));
    }

    private void Arrive(Potential p)
    {
        var candidates = p.Event >= 0 ? _eventChoice[p.Event] : _demand.Choice[p.Dest];
        var k = candidates.Length;
        Span<double> stay = k <= 32 ? stackalloc double[k] : new double[k];
        Span<double> walk = k <= 32 ? stackalloc double[k] : new double[k];
        Span<double> today = k <= 32 ? stackalloc double[k] : new double[k];
        Span<double> now = k <= 32 ? stackalloc double[k] : new double[k];
        Span<double> weight = k <= 32 ? stackalloc double[k] : new double[k];
        double stayOn, stayOff;
        if (p.Event >= 0)
        {
            stayOn = stayOff = _eventDwell[p.Event].QuantileH(p.UDwell);
        }
        else
        {
            stayOn = _a.DwellFor(ParkingType.OnStreet).QuantileH(p.UDwell);
            stayOff = _a.DwellOffStreet is null ? stayOn : _a.DwellOffStreet.QuantileH(p.UDwell);
        }

        var anyPriced = false;
        for (var i = 0; i < k; i++)
        {
            var site = candidates[i].Site;
            stay[i] = _area.Sites[site].Type == ParkingType.OffStreet ? stayOff : stayOn;
            walk[i] = ParkingDemand.WalkCost(_a, candidates[i].WalkM);
            today[i] = _base[site] * stay[i];
            anyPriced |= _priced[site];
            now[i] = _priced[site] ? CostOfStay(site, p.T, stay[i]) : today[i];
        }

        // Price response: arrivals scale by (price level near the destination now / today)^elasticity, the price
        // level being the cost of the stay averaged with today's choice shares (a Laspeyres index).
        var multiplier = 1.0;
        if (anyPriced)
        {
            for (var i = 0; i < k; i++)
            {
                weight[i] = today[i] + walk[i];
            }

            ParkingDemand.Logit(weight, _a.ChoiceScale, weight);
            double level = 0, levelToday = 0;
            for (var i = 0; i < k; i++)
            {
                level += weight[i] * now[i];
                levelToday += weight[i] * today[i];
            }

            multiplier = levelToday > 0 ? Math.Pow(level / levelToday, _a.Elasticity) : 1.0;
        }

        if (p.UAccept * _cap >= multiplier)
        {
            return;
        }

        // Where: a logit over the cost of the stay at the prices in force plus the walk.
        for (var i = 0; i < k; i++)
        {
            weight[i] = now[i] + walk[i];
        }

        ParkingDemand.Logit(weight, _a.ChoiceScale, weight);
        var chosen = k - 1;
        var acc = 0.0;
        for (var i = 0; i < k; i++)
        {
            acc += weight[i];
            if (p.UChoice < acc)
            {
                chosen = i;
                break;
            }
        }

        var first = candidates[chosen].Site;
        var stayH = stay[chosen];
        _arrivals++;
        var week = WeekOf(p.T);
        if (week >= 0)
        {
            _stats[week][first].FirstChoice++;
        }

        var (x, y) = p.Event >= 0 ? (_o.Events[p.Event].X, _o.Events[p.Event].Y) : (_area.Destinations[p.Dest].X, _area.Destinations[p.Dest].Y);
        if (_occupied[first] < _capacity[first])
        {
            Park(first, p.T, stayH, week, _area.WalkM(x, y, first), spilled: false);
            return;
        }

        var id = _freeSearchers.Count > 0 ? _freeSearchers.Pop() : _searchers.Count;
        var searcher = new Searcher(week, first, stayH, x, y, p.Event >= 0 ? _eventSearch[p.Event] : _demand.Search[p.Dest]);
        if (id == _searchers.Count)
        {
            _searchers.Add(searcher);
        }
        else
        {
            _searchers[id] = searcher;
        }

        _searching++;
        if (week >= 0)
        {
            _stats[week][first].SpilledOut++;
        }

        SearchOn(id, first, p.T);
    }

    /// <summary>Searcher <paramref name="id"/> found <paramref name="site"/> full at <paramref name="t"/>: on to the next, or give up.</summary>
    private void SearchOn(int id, int site, double t)
    {
        var d = _searchers[id];
        d.Tried.Add(site);
        var circling = _area.Sites[site].Type == ParkingType.OnStreet ? _search.OnStreetCirclingM : _search.OffStreetCirclingM;
        var next = -1;
        if (d.Tried.Count < _search.MaxTries)
        {
            var best = double.PositiveInfinity;
            foreach (var (g, _) in d.Candidates)
            {
                if (d.Tried.Contains(g) || (_search.Guided && _occupied[g] >= _capacity[g]))
                {
                    continue;
                }

                var dist = _area.DriveDistanceM(site, g);
                if (dist < best)
                {
                    best = dist;
                    next = g;
                }
            }
        }

        var metres = circling + (next >= 0 ? _area.DriveDistanceM(site, next) : 0);
        var seconds = metres / (_search.SearchSpeedKmh / 3.6);
        if (d.Week >= 0)
        {
            var st = _stats[d.Week][d.First];
            st.SearchM += metres;
            st.SearchS += seconds;
        }

        if (next < 0)
        {
            _searching--;
            _rejected++;
            if (d.Week >= 0)
            {
                _stats[d.Week][d.First].Rejected++;
            }

            _freeSearchers.Push(id);
            return;
        }

        if (t >= 0)
        {
            var day = (long)Math.Floor(t / Day);
            var hour = (int)((t - (day * Day)) / 3600);
            _legs[(int)TypeOfDay(day), site, next, Math.Min(hour, 23)]++;
        }

        _queue.Enqueue(new Ev(EvKind.Reach, id, next), (t + seconds, _seq++));
    }

    private void Reach(int id, int site, double t)
    {
        var d = _searchers[id];
        if (_occupied[site] < _capacity[site])
        {
            _searching--;
            Park(site, t, d.StayH, d.Week, _area.WalkM(d.X, d.Y, site), spilled: true);
            _freeSearchers.Push(id);
            return;
        }

        SearchOn(id, site, t);
    }

    private void Park(int site, double t, double stayH, int week, double walkM, bool spilled)
    {
        Advance(site, t);
        _occupied[site]++;
        _occupiedTotal++;
        _parked++;
        if (week >= 0)
        {
            var st = _stats[week][site];
            st.Parked++;
            st.SpilledIn += spilled ? 1 : 0;
            st.Revenue += CostOfStay(site, t, stayH);
            st.WalkM += walkM;
            st.MaxOccupied = Math.Max(st.MaxOccupied, _occupied[site]);
        }

        _queue.Enqueue(new Ev(EvKind.Departure, site, site), (t + (stayH * 3600), _seq++));
    }

    private void Depart(int site, double t)
    {
        Advance(site, t);
        _occupied[site]--;
        _occupiedTotal--;
        _departed++;
    }

    private int WeekOf(double t) => t < 0 ? -1 : Math.Min(_o.Weeks - 1, (int)(t / Week));

    /// <summary>Adds the facility's occupancy from its last change to <paramref name="t"/> into the hourly buckets.</summary>
    private void Advance(int s, double t)
    {
        var from = Math.Max(_last[s], 0);
        _last[s] = t;
        var cap = _capacity[s];
        var occ = _occupied[s];
        var high = cap > 0 && occ * 10 >= cap * 9;
        if ((occ == 0 && !high) || t <= from)
        {
            return;
        }

        var limit = _occSeconds[s].Length;
        while (from < t)
        {
            var h = (int)(from / 3600);
            if (h >= limit)
            {
                return;
            }

            var end = Math.Min(t, (h + 1) * 3600.0);
            _occSeconds[s][h] += occ * (end - from);
            if (high)
            {
                _seconds90[s][h] += end - from;
            }

            from = end;
        }
    }

    /// <summary>Money for a stay at the prices in force now (hour by hour, today's price outside the bands).</summary>
    private double CostOfStay(int site, double t, double stayH)
    {
        if (!_adjusted[site] || _uniform[site])
        {
            return _start[site] * stayH;
        }

        var remaining = stayH * 3600;
        var cost = 0.0;
        var tau = t;
        while (remaining > 0)
        {
            var day = Math.Floor(tau / Day);
            var secOfDay = tau - (day * Day);
            var hour = Math.Min(23, (int)(secOfDay / 3600));
            var dt = Math.Min(remaining, Math.Max((hour + 1) * 3600.0 - secOfDay, 1e-6));
            cost += _hourPrice[site][(int)TypeOfDay((long)day)][hour] * dt / 3600;
            remaining -= dt;
            tau += dt;
        }

        return cost;
    }

    private void RefreshHourPrices(int s)
    {
        var uniform = true;
        for (var d = 0; d < 2; d++)
        {
            for (var h = 0; h < 24; h++)
            {
                var b = _bandOfHour[h];
                _hourPrice[s][d][h] = _adjusted[s] && b >= 0 ? _bandPrice[s][d][b] : _start[s];
                uniform &= _hourPrice[s][d][h] == _start[s];
            }
        }

        // One price all day: a stay costs price x hours, computed as for a flat price (same numbers, bit for bit).
        _uniform[s] = uniform;
    }

    /// <summary>Mean occupancy of facility s over a band on days of a type within weeks [w0, w1].</summary>
    private double BandOccupancy(int s, int w0, int w1, DayType type, PriceBand band)
    {
        if (_capacity[s] == 0)
        {
            return 0;
        }

        var occ = 0.0;
        var seconds = 0.0;
        for (var day = w0 * 7; day < (w1 + 1) * 7; day++)
        {
            if (TypeOfDay(day) != type)
            {
                continue;
            }

            for (var h = band.StartHour; h < band.EndHour; h++)
            {
                occ += _occSeconds[s][(day * 24) + h];
                seconds += 3600;
            }
        }

        return seconds > 0 ? occ / (seconds * _capacity[s]) : 0;
    }

    private void CloseWeek(int week)
    {
        var p = _scenario.Pricing;
        if (p.Kind != PricingKind.Performance)
        {
            return;
        }

        for (var s = 0; s < _n; s++)
        {
            if (!_adjusted[s])
            {
                continue;
            }

            for (var d = 0; d < 2; d++)
            {
                for (var b = 0; b < p.Bands.Count; b++)
                {
                    _prices.Add(new BandPrice(week + 1, _area.Sites[s].Id, (DayType)d, p.Bands[b], _bandPrice[s][d][b], BandOccupancy(s, week, week, (DayType)d, p.Bands[b])));
                }
            }
        }

        if ((week + 1) % p.EveryWeeks != 0)
        {
            return;
        }

        var first = week + 1 - p.EveryWeeks;
        for (var s = 0; s < _n; s++)
        {
            if (!_adjusted[s])
            {
                continue;
            }

            for (var d = 0; d < 2; d++)
            {
                for (var b = 0; b < p.Bands.Count; b++)
                {
                    var occ = BandOccupancy(s, first, week, (DayType)d, p.Bands[b]);
                    var price = _bandPrice[s][d][b];
                    if (occ >= p.UpperTarget)
                    {
                        price += p.Step;
                    }
                    else if (occ < p.LowerTarget)
                    {
                        price -= p.Step;
                    }

                    _bandPrice[s][d][b] = Math.Round(Math.Clamp(price, p.MinPrice, p.MaxPrice), 6);
                }
            }

            RefreshHourPrices(s);
        }
    }

    private ParkingRunResult Result()
    {
        var rows = new List<FacilityWeek>();
        for (var w = 0; w < _o.Weeks; w++)
        {
            for (var s = 0; s < _n; s++)
            {
                var st = _stats[w][s];
                var occ = 0.0;
                var high = 0.0;
                for (var h = w * 168; h < (w + 1) * 168; h++)
                {
                    occ += _occSeconds[s][h];
                    high += _seconds90[s][h];
                }

                var cap = _capacity[s];
                rows.Add(new FacilityWeek(
                    w + 1,
                    _area.Sites[s].Id,
                    cap,
                    st.FirstChoice,
                    st.Parked,
                    st.SpilledIn,
                    st.SpilledOut,
                    st.Rejected,
                    st.SearchM / 1000,
                    st.SearchS / 3600,
                    st.Revenue,
                    high / 3600,
                    cap > 0 ? occ / (Week * cap) : 0,
                    cap > 0 ? (double)st.MaxOccupied / cap : 0,
                    st.Parked > 0 ? st.WalkM / st.Parked : 0));
            }
        }

        var legs = new List<SearchLeg>();
        var loads = new Dictionary<(string, DayType, int), double>();
        for (var d = 0; d < 2; d++)
        {
            var days = _measuredDays[d];
            if (days == 0)
            {
                continue;
            }

            for (var i = 0; i < _n; i++)
            {
                for (var j = 0; j < _n; j++)
                {
                    for (var h = 0; h < 24; h++)
                    {
                        var count = _legs[d, i, j, h];
                        if (count <= 0)
                        {
                            continue;
                        }

                        var links = _area.LegLinks(i, j);
                        legs.Add(new SearchLeg(_area.Sites[i].Id, _area.Sites[j].Id, (DayType)d, h, count / days, links));
                        foreach (var l in links.Skip(1))
                        {
                            var k = (l, (DayType)d, h);
                            loads[k] = loads.GetValueOrDefault(k) + (count / days);
                        }
                    }
                }
            }
        }

        var linkLoads = loads.Select(kv => new LinkLoad(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value))
            .OrderBy(l => l.DayType).ThenBy(l => l.Hour).ThenBy(l => l.LinkId, StringComparer.Ordinal).ToList();
        return new ParkingRunResult(_scenario.Name, _o.Seed, _o.Weeks, _cap, rows, _prices, legs, linkLoads, Counters(_o.Weeks * Week))
        {
            HourlyOccupied = _occSeconds.Select(h => h.Select(x => x / 3600).ToArray()).ToArray(),
            HourlyAtOrAbove90 = _seconds90.Select(h => h.Select(x => x / 3600).ToArray()).ToArray(),
        };
    }

    private readonly record struct Potential(double T, int Seq, int Dest, int Event, double UDwell, double UChoice, double UAccept);

    private readonly record struct Ev(EvKind Kind, int Index, int Target);

    private sealed class Stats
    {
        public long FirstChoice;
        public long Parked;
        public long SpilledIn;
        public long SpilledOut;
        public long Rejected;
        public double SearchM;
        public double SearchS;
        public double Revenue;
        public double WalkM;
        public int MaxOccupied;
    }

    private sealed class Searcher(int week, int first, double stayH, double x, double y, (int Site, double WalkM)[] candidates)
    {
        public int Week { get; } = week;

        public int First { get; } = first;

        public double StayH { get; } = stayH;

        public double X { get; } = x;

        public double Y { get; } = y;

        public (int Site, double WalkM)[] Candidates { get; } = candidates;

        public List<int> Tried { get; } = [];
    }
}
