using CityTwin.Engine.Common;
using CityTwin.Engine.Traffic;

namespace CityTwin.Engine.Parking.WhatIf;

/// <summary>
/// Who looks for parking, where and when, on a weekday at today's prices: the car trips of the city's demand that
/// end within walking distance (<see cref="ParkingDemandAssumptions.MaxWalkM"/>) of a facility, times the parking
/// share of their destination's district, by destination and hour of day. Trips ending farther from every facility
/// park privately and are left out. Other days are this weekday times <see cref="ParkingDemandAssumptions.DayFactors"/>;
/// the simulation draws arrivals from it as a non-homogeneous Poisson process. Build one with <see cref="Build"/>.
/// </summary>
public sealed class ParkingDemand
{
    /// <summary>Time step (s) of the expected-occupancy curves used for calibration.</summary>
    private const double StepS = 300;

    private readonly double[][] _cumulative;
    private readonly int[][] _destinations;

    private ParkingDemand(
        ParkingArea area,
        ParkingDemandAssumptions assumptions,
        IReadOnlyDictionary<string, double> shares,
        bool calibrated,
        double[] hourTotal,
        double[][] cumulative,
        int[][] destinations,
        (int Site, double WalkM)[][] choice,
        (int Site, double WalkM)[][] search,
        double cityPeak,
        double cityPeakTimeS,
        IReadOnlyDictionary<string, double> districtPeaks,
        double tripsConsidered,
        double tripsInReach)
    {
        Area = area;
        Assumptions = assumptions;
        Shares = shares;
        Calibrated = calibrated;
        HourlyArrivals = hourTotal;
        _cumulative = cumulative;
        _destinations = destinations;
        Choice = choice;
        Search = search;
        ExpectedPeakOccupancy = cityPeak;
        ExpectedPeakTimeS = cityPeakTimeS;
        ExpectedDistrictPeaks = districtPeaks;
        TripsConsidered = tripsConsidered;
        TripsInReach = tripsInReach;
    }

    public ParkingArea Area { get; }

    public ParkingDemandAssumptions Assumptions { get; }

    /// <summary>Share of the trips in reach of a facility that look for public parking, by destination zone (district).</summary>
    public IReadOnlyDictionary<string, double> Shares { get; }

    /// <summary>True when <see cref="Shares"/> were calibrated to <see cref="ParkingDemandAssumptions.TargetPeakOccupancy"/>.</summary>
    public bool Calibrated { get; }

    /// <summary>Drivers looking for parking in each hour of a weekday (0..23), at today's prices.</summary>
    public IReadOnlyList<double> HourlyArrivals { get; }

    /// <summary>Expected city-wide occupancy (all spaces) at the busiest time of a weekday, capacity not binding.</summary>
    public double ExpectedPeakOccupancy { get; }

    /// <summary>When that is (seconds from midnight).</summary>
    public double ExpectedPeakTimeS { get; }

    /// <summary>Expected weekday peak occupancy of the facilities of each district, capacity not binding.</summary>
    public IReadOnlyDictionary<string, double> ExpectedDistrictPeaks { get; }

    /// <summary>Car trips per weekday in the demand (every destination).</summary>
    public double TripsConsidered { get; }

    /// <summary>Of those, trips that end within walking distance of a facility.</summary>
    public double TripsInReach { get; }

    /// <summary>Facilities a driver to destination k considers (site, walk m), by site index.</summary>
    internal (int Site, double WalkM)[][] Choice { get; }

    /// <summary>Facilities a driver to destination k tries when the first is full (site, walk m), by site index.</summary>
    internal (int Site, double WalkM)[][] Search { get; }

    /// <summary>Draws the destination of an arrival in hour <paramref name="hour"/> (an index into the area's destinations).</summary>
    internal int DrawDestination(int hour, SeededRandom rng)
    {
        var c = _cumulative[hour];
        var x = rng.NextDouble() * c[^1];
        var i = Array.BinarySearch(c, x);
        i = i < 0 ? ~i : i + 1;
        return _destinations[hour][Math.Min(i, c.Length - 1)];
    }

    /// <summary>
    /// Builds the weekday demand from origin-destination rows (their destination zone: a district or a link) and
    /// explicit trips (their last link). Unless the assumptions give one share for all, each district's share is
    /// calibrated so that the facilities in it reach <see cref="ParkingDemandAssumptions.TargetPeakOccupancy"/> at
    /// their busiest time of a weekday, with capacity not binding: the expected number parked at time t is the sum
    /// over earlier arrivals of the chance they are still there (an M(t)/G/infinity queue over three identical
    /// weekdays, to reach the daily cycle), arrivals split among facilities as they choose at today's prices for a
    /// median stay. Shares are found by fixed-point iteration (each district's share scaled by target / its peak),
    /// at most 1, and 0 where other districts' drivers alone fill its facilities past the target; districts without
    /// facilities take the share calibrated for the whole city.
    /// </summary>
    /// <exception cref="DemandException">A row or trip names a zone or link the area does not have.</exception>
    public static ParkingDemand Build(ParkingArea area, IReadOnlyList<OdRow> rows, IReadOnlyList<TripSpec> trips, ParkingDemandAssumptions assumptions)
    {
        ArgumentNullException.ThrowIfNull(area);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(trips);
        ArgumentNullException.ThrowIfNull(assumptions);
        assumptions.Validate();
        if (area.Sites.Count == 0)
        {
            throw new ArgumentException("the city has no parking facilities");
        }

        var nd = area.Destinations.Count;
        var choice = new (int Site, double WalkM)[nd][];
        var search = new (int Site, double WalkM)[nd][];
        for (var k = 0; k < nd; k++)
        {
            var d = area.Destinations[k];
            choice[k] = Reach(area, d.X, d.Y, assumptions.MaxWalkM);
            search[k] = Reach(area, d.X, d.Y, assumptions.MaxSearchWalkM);
        }

        var perHour = new double[24][];
        for (var h = 0; h < 24; h++)
        {
            perHour[h] = new double[nd];
        }

        var errors = new List<string>();
        var considered = 0.0;
        var inReach = 0.0;
        var zoneWeight = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var where = row.Line > 0 ? $"line {row.Line}" : $"row {row.Origin}->{row.Destination}";
            if (!area.Zones.TryGetValue(row.Destination, out var members))
            {
                errors.Add($"{where}: destination '{row.Destination}' is not a district or link of the city");
                continue;
            }

            if (!(row.EndS > row.BeginS) || !(row.Vehicles >= 0) || !double.IsFinite(row.Vehicles))
            {
                errors.Add($"{where}: needs end > begin and vehicles >= 0");
                continue;
            }

            if (!zoneWeight.TryGetValue(row.Destination, out var total))
            {
                total = members.Sum(m => area.Destinations[m].Weight);
                zoneWeight[row.Destination] = total;
            }

            considered += row.Vehicles;
            if (total <= 0)
            {
                continue;
            }

            foreach (var (h, fraction) in HourShares(row.BeginS, row.EndS))
            {
                foreach (var m in members)
                {
                    if (choice[m].Length == 0)
                    {
                        continue;
                    }

                    var v = row.Vehicles * fraction * area.Destinations[m].Weight / total;
                    perHour[h][m] += v;
                    inReach += v;
                }
            }
        }

        foreach (var t in trips)
        {
            if (!area.Zones.TryGetValue(t.ToLink, out var members) || members.Count != 1)
            {
                errors.Add($"trip '{t.Id}': destination link '{t.ToLink}' is not a link of the city");
                continue;
            }

            considered++;
            var m = members[0];
            if (choice[m].Length > 0)
            {
                perHour[HourOf(t.DepartS)][m] += 1;
                inReach++;
            }
        }

        if (errors.Count > 0)
        {
            throw new DemandException(errors);
        }

        var zones = area.Destinations.Select(d => d.Zone).Distinct(StringComparer.Ordinal).ToList();
        var zoneIndex = zones.Select((z, i) => (z, i)).ToDictionary(x => x.z, x => x.i, StringComparer.Ordinal);
        var destZone = area.Destinations.Select(d => zoneIndex[d.Zone]).ToArray();
        var curves = ExpectedCurves(area, assumptions, choice, perHour, destZone, zones.Count);
        var (shares, cityPeak, cityStep, districtPeaks) = Calibrate(area, assumptions, zones, curves);

        var hourTotal = new double[24];
        var cumulative = new double[24][];
        var destinations = new int[24][];
        for (var h = 0; h < 24; h++)
        {
            var idx = Enumerable.Range(0, nd).Where(m => perHour[h][m] > 0 && shares[destZone[m]] > 0).ToArray();
            destinations[h] = idx;
            cumulative[h] = new double[idx.Length];
            var sum = 0.0;
            for (var i = 0; i < idx.Length; i++)
            {
                sum += perHour[h][idx[i]] * shares[destZone[idx[i]]];
                cumulative[h][i] = sum;
            }

            hourTotal[h] = sum;
        }

        var shareByZone = zones.Select((z, i) => (z, i)).ToDictionary(x => x.z, x => shares[x.i], StringComparer.Ordinal);
        return new ParkingDemand(area, assumptions, shareByZone, assumptions.ParkingShare is null, hourTotal, cumulative, destinations, choice, search,
            cityPeak, cityStep * StepS, districtPeaks, considered, inReach);
    }

    /// <summary>The facilities within <paramref name="walkM"/> of a point, by site index.</summary>
    internal static (int Site, double WalkM)[] Reach(ParkingArea area, double x, double y, double walkM) =>
        Enumerable.Range(0, area.Sites.Count)
            .Select(s => (Site: s, WalkM: area.WalkM(x, y, s)))
            .Where(c => c.WalkM <= walkM)
            .ToArray();

    /// <summary>Money value of walking to a facility and back.</summary>
    internal static double WalkCost(ParkingDemandAssumptions a, double walkM) => 2 * walkM / a.WalkSpeedMps / 3600 * a.ValueOfTimePerHour;

    /// <summary>
    /// Multinomial logit over generalised costs (money): p_i proportional to exp(-scale x cost_i), written into
    /// <paramref name="p"/>.
    /// </summary>
    internal static void Logit(ReadOnlySpan<double> cost, double scale, Span<double> p)
    {
        var min = double.PositiveInfinity;
        foreach (var c in cost)
        {
            min = Math.Min(min, c);
        }

        var sum = 0.0;
        for (var i = 0; i < cost.Length; i++)
        {
            p[i] = Math.Exp(-scale * (cost[i] - min));
            sum += p[i];
        }

        for (var i = 0; i < cost.Length; i++)
        {
            p[i] /= sum;
        }
    }

    /// <summary>Splits [begin, end) into hours of day (mod 24) with the fraction of the window in each.</summary>
    internal static IEnumerable<(int Hour, double Fraction)> HourShares(double beginS, double endS)
    {
        var span = endS - beginS;
        var t = beginS;
        while (t < endS)
        {
            var next = Math.Min(endS, (Math.Floor(t / 3600) + 1) * 3600);
            yield return (HourOf(t), (next - t) / span);
            t = next;
        }
    }

    private static int HourOf(double s)
    {
        var h = (int)Math.Floor(s / 3600) % 24;
        return h < 0 ? h + 24 : h;
    }

    /// <summary>
    /// Expected occupancy curves with share 1: [facility][zone][5-minute step of the day], the drivers of each
    /// destination split among its facilities by their logit choice at today's prices for a median stay.
    /// </summary>
    private static double[][][] ExpectedCurves(ParkingArea area, ParkingDemandAssumptions a, (int Site, double WalkM)[][] choice, double[][] perHour, int[] destZone, int zones)
    {
        var n = area.Sites.Count;
        var steps = (int)(86400 / StepS);
        var perStep = 3600 / StepS;

        // Arrivals per facility, zone and hour.
        var arrivals = new double[n, zones, 24];
        for (var m = 0; m < perHour[0].Length; m++)
        {
            var cands = choice[m];
            if (cands.Length == 0)
            {
                continue;
            }

            var cost = new double[cands.Length];
            for (var i = 0; i < cands.Length; i++)
            {
                var s = area.Sites[cands[i].Site];
                cost[i] = (s.PricePerHour * a.DwellFor(s.Type).MedianH) + WalkCost(a, cands[i].WalkM);
            }

            var p = new double[cands.Length];
            Logit(cost, a.ChoiceScale, p);
            for (var h = 0; h < 24; h++)
            {
                if (perHour[h][m] <= 0)
                {
                    continue;
                }

                for (var i = 0; i < cands.Length; i++)
                {
                    arrivals[cands[i].Site, destZone[m], h] += perHour[h][m] * p[i];
                }
            }
        }

        // Survival of a stay that began `back` steps ago (arrivals spread over a step: taken at its middle).
        var horizon = 3 * steps;
        var curves = new double[n][][];
        for (var f = 0; f < n; f++)
        {
            var dwell = a.DwellFor(area.Sites[f].Type);
            var survival = new double[horizon];
            for (var back = 0; back < horizon; back++)
            {
                survival[back] = dwell.Survival((back + 0.5) * StepS / 3600);
            }

            curves[f] = new double[zones][];
            for (var z = 0; z < zones; z++)
            {
                var curve = new double[steps];
                curves[f][z] = curve;
                var any = false;
                for (var h = 0; h < 24 && !any; h++)
                {
                    any = arrivals[f, z, h] > 0;
                }

                if (!any)
                {
                    continue;
                }

                for (var i = 0; i < steps; i++)
                {
                    var expected = 0.0;
                    for (var back = 0; back < horizon; back++)
                    {
                        var step = (((i - 1 - back) % steps) + steps) % steps;
                        expected += arrivals[f, z, (int)(step / perStep)] / perStep * survival[back];
                    }

                    curve[i] = expected;
                }
            }
        }

        return curves;
    }

    private static (double[] Shares, double CityPeak, int CityStep, IReadOnlyDictionary<string, double> DistrictPeaks) Calibrate(
        ParkingArea area, ParkingDemandAssumptions a, List<string> zones, double[][][] curves)
    {
        var n = area.Sites.Count;
        var steps = curves.Length > 0 ? curves[0].Length > 0 ? curves[0][0].Length : 0 : 0;
        var districts = area.Sites.Select(s => s.DistrictId).Distinct(StringComparer.Ordinal).ToList();

        (double Peak, int Step) Peak(IEnumerable<int> sites, double[] shares)
        {
            var list = sites.ToList();
            var capacity = list.Sum(f => (double)area.Sites[f].Capacity);
            var best = (0.0, 0);
            if (capacity <= 0)
            {
                return best;
            }

            for (var i = 0; i < steps; i++)
            {
                var sum = 0.0;
                foreach (var f in list)
                {
                    for (var z = 0; z < shares.Length; z++)
                    {
                        sum += shares[z] * curves[f][z][i];
                    }
                }

                if (sum / capacity > best.Item1)
                {
                    best = (sum / capacity, i);
                }
            }

            return best;
        }

        var all = Enumerable.Range(0, n).ToList();
        var shares = Enumerable.Repeat(1.0, zones.Count).ToArray();
        if (a.ParkingShare is { } given)
        {
            Array.Fill(shares, given);
        }
        else
        {
            var (unitPeak, _) = Peak(all, shares);
            if (!(unitPeak > 0))
            {
                throw new ArgumentException("no trip of the demand ends within walking distance of a facility, so the parking share cannot be calibrated");
            }

            var city = a.TargetPeakOccupancy / unitPeak;
            if (city > 1)
            {
                throw new ArgumentException(FormattableString.Invariant(
                    $"even if every trip in reach of a facility parked there (share 1), the expected weekday peak occupancy would be {unitPeak:P1}, below the target {a.TargetPeakOccupancy:P1}: lower the target or give the share"));
            }

            Array.Fill(shares, city);
            var own = zones.Select(z => districts.Contains(z, StringComparer.Ordinal)).ToArray();
            for (var iteration = 0; iteration < 100; iteration++)
            {
                var change = 0.0;
                for (var z = 0; z < zones.Count; z++)
                {
                    if (!own[z])
                    {
                        continue;
                    }

                    var mine = all.Where(f => area.Sites[f].DistrictId == zones[z]).ToList();
                    var (peak, _) = Peak(mine, shares);
                    if (peak <= 0)
                    {
                        continue;
                    }

                    // When drivers bound for other districts alone fill this district's facilities past the target,
                    // none of its own trips are needed: share 0.
                    var kept = shares[z];
                    shares[z] = 0;
                    var (others, _) = Peak(mine, shares);
                    shares[z] = kept;
                    var next = others >= a.TargetPeakOccupancy ? 0 : Math.Min(1.0, shares[z] * a.TargetPeakOccupancy / peak);
                    change = Math.Max(change, Math.Abs(next - shares[z]));
                    shares[z] = next;
                }

                if (change < 1e-9)
                {
                    break;
                }
            }
        }

        var (cityPeak, cityStep) = Peak(all, shares);
        var districtPeaks = districts.ToDictionary(d => d, d => Peak(all.Where(f => area.Sites[f].DistrictId == d), shares).Peak, StringComparer.Ordinal);
        return (shares, cityPeak, cityStep, districtPeaks);
    }
}
