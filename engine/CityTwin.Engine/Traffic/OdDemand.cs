using CityTwin.Engine.Common;

namespace CityTwin.Engine.Traffic;

/// <summary>
/// One row of an origin-destination table: <paramref name="Vehicles"/> trips from zone
/// <paramref name="Origin"/> to zone <paramref name="Destination"/> departing in [<paramref name="BeginS"/>,
/// <paramref name="EndS"/>). A zone is a district id (its links) or a link id. <paramref name="Line"/> is where
/// the row came from, for error messages (0 when not from a file).
/// </summary>
public sealed record OdRow(string Origin, string Destination, double BeginS, double EndS, double Vehicles, int Line = 0);

/// <summary>
/// Expands an origin-destination table by time of day into explicit trips, seeded: each row gives
/// floor(vehicles) trips plus one more with probability equal to the fraction, at departure times uniform over
/// its window; a trip starts on a link of the origin zone and ends on a link of the destination zone, each
/// drawn with probability proportional to length x lanes (a proxy for the frontage that generates and attracts
/// trips). Origins are links that lead somewhere; destinations are links that can be reached; a trip never
/// starts and ends on the same link when its zone has another.
/// </summary>
public static class OdDemand
{
    /// <summary>Expands the rows into trips sorted by departure; <paramref name="scale"/> multiplies every row's vehicles.</summary>
    /// <exception cref="DemandException">A row names an unknown zone, or a zone has no usable link; every bad row is listed.</exception>
    public static IReadOnlyList<TripSpec> Expand(TrafficNetwork network, IReadOnlyList<OdRow> rows, ulong seed, double scale = 1.0)
    {
        if (!(scale >= 0) || double.IsInfinity(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the demand scale must be a finite number >= 0");
        }

        var hasOut = new bool[network.LinkCount];
        var hasIn = new bool[network.LinkCount];
        for (var l = 0; l < network.LinkCount; l++)
        {
            for (var k = network.TurnStart[l]; k < network.TurnStart[l + 1]; k++)
            {
                hasOut[l] = true;
                hasIn[network.TurnTo[k]] = true;
            }
        }

        var origins = new Dictionary<string, Zone>(StringComparer.Ordinal);
        var destinations = new Dictionary<string, Zone>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var row in rows)
        {
            var where = row.Line > 0 ? $"line {row.Line}" : $"row {row.Origin}->{row.Destination}";
            var o = ZoneOf(network, row.Origin, hasOut, origins);
            var d = ZoneOf(network, row.Destination, hasIn, destinations);
            if (o is null)
            {
                errors.Add($"{where}: origin '{row.Origin}' is not a district or link of the network, or has no link that leads anywhere");
            }

            if (d is null)
            {
                errors.Add($"{where}: destination '{row.Destination}' is not a district or link of the network, or has no link that can be reached");
            }

            if (!(row.EndS > row.BeginS) || !(row.Vehicles >= 0) || double.IsInfinity(row.Vehicles))
            {
                errors.Add($"{where}: needs end > begin and vehicles >= 0");
            }
        }

        if (errors.Count > 0)
        {
            throw new DemandException(errors);
        }

        var rng = SeededRandom.ForStream(seed, 2);
        var trips = new List<(double Depart, int Row, int Index, TripSpec Trip)>();
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var expected = row.Vehicles * scale;
            var count = (int)Math.Floor(expected);
            if (rng.NextDouble() < expected - count)
            {
                count++;
            }

            var o = origins[row.Origin];
            var d = destinations[row.Destination];
            for (var i = 0; i < count; i++)
            {
                var depart = row.BeginS + (rng.NextDouble() * (row.EndS - row.BeginS));
                var from = o.Draw(rng);
                var to = d.Draw(rng);
                for (var attempt = 0; attempt < 8 && to == from && d.Links.Length > 1; attempt++)
                {
                    to = d.Draw(rng);
                }

                var id = $"od{r + 1}.{i + 1}";
                trips.Add((depart, r, i, new TripSpec(id, depart, network.LinkIds[from], network.LinkIds[to])));
            }
        }

        return trips.OrderBy(t => t.Depart).ThenBy(t => t.Row).ThenBy(t => t.Index).Select(t => t.Trip).ToList();
    }

    private static Zone? ZoneOf(TrafficNetwork network, string zone, bool[] usable, Dictionary<string, Zone> cache)
    {
        if (cache.TryGetValue(zone, out var z))
        {
            return z;
        }

        int[] links;
        if (network.LinkIndex.TryGetValue(zone, out var single))
        {
            links = usable[single] ? [single] : [];
        }
        else
        {
            var d = network.Districts.ToList().IndexOf(zone);
            links = d < 0 ? [] : Enumerable.Range(0, network.LinkCount).Where(l => network.LinkDistrict[l] == d && usable[l]).ToArray();
        }

        if (links.Length == 0)
        {
            return null;
        }

        z = new Zone(links, links.Select(l => network.LengthM[l] * network.Lanes[l]).ToArray());
        cache[zone] = z;
        return z;
    }

    private sealed class Zone
    {
        private readonly double[] _cumulative;

        public Zone(int[] links, double[] weights)
        {
            Links = links;
            _cumulative = new double[weights.Length];
            var sum = 0.0;
            for (var i = 0; i < weights.Length; i++)
            {
                sum += weights[i];
                _cumulative[i] = sum;
            }
        }

        public int[] Links { get; }

        public int Draw(SeededRandom rng)
        {
            var x = rng.NextDouble() * _cumulative[^1];
            var i = Array.BinarySearch(_cumulative, x);
            i = i < 0 ? ~i : i + 1;
            return Links[Math.Min(i, Links.Length - 1)];
        }
    }
}

/// <summary>Demand that cannot be used, with every problem found.</summary>
public sealed class DemandException(IReadOnlyList<string> errors)
    : Exception($"the demand is invalid ({errors.Count} problem(s)):{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Take(50)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
