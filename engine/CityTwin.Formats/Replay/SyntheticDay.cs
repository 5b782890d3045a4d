using System.Globalization;
using CityTwin.Engine.City;
using CityTwin.Engine.Common;

namespace CityTwin.Formats.Replay;

/// <summary>
/// Writes a synthetic recorded day for a city, seeded (the same city, size, day and seed give the same file, byte
/// for byte), for benchmarks and tests of replay: about 80% detector counts from every approach detector at a fixed
/// interval, 10% signal phase changes (each signal's plan run from midnight, green and red of every phase), 10%
/// parking entries and exits (arrivals over the day with a morning and an evening peak, stays of about two hours)
/// and a parking occupancy count per facility every 15 minutes. Volumes follow a two-peak daily profile; the counts
/// are Poisson draws. It is a load for the twin, not a model of a real day.
/// </summary>
public static class SyntheticDay
{
    /// <summary>Writes about <paramref name="events"/> events of the UTC day <paramref name="day"/> (in time order) to <paramref name="output"/>; answers how many.</summary>
    public static long Write(CityModel city, long events, DateOnly day, ulong seed, TextWriter output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(events, 1000);
        var start = new DateTime(day, TimeOnly.MinValue, DateTimeKind.Utc).Ticks;
        var lines = new List<(long Ts, string Line)>();
        var detectors = city.Detectors.Where(d => d.SignalId is not null).OrderBy(d => d.Id, StringComparer.Ordinal).ToArray();
        var detectorEvents = (long)(events * 0.8);
        var intervalS = Math.Max(1, (int)Math.Floor(86_400.0 * detectors.Length / Math.Max(1, detectorEvents)));
        var random = new SeededRandom(seed);
        foreach (var d in detectors)
        {
            long seq = 0;
            for (var t = intervalS; t <= 86_400; t += intervalS)
            {
                var meanPerHour = 600 * Profile(t / 3600.0);
                var count = Poisson(random, meanPerHour * intervalS / 3600.0);
                var occupancy = Math.Min(0.95, count * 2.0 / intervalS);
                lines.Add((start + (t * TimeSpan.TicksPerSecond), string.Create(CultureInfo.InvariantCulture,
                    $"{{\"type\":\"detector\",\"sensor\":\"{d.Id}\",\"ts\":\"{Ts(start, t)}\",\"seq\":{++seq},\"count\":{count},\"occupancy\":{occupancy:0.###},\"intervalS\":{intervalS}}}")));
            }
        }

        var phaseEvents = (long)(events * 0.1);
        var signals = city.Signals.OrderBy(s => s.Id, StringComparer.Ordinal).ToArray();
        var perSignal = phaseEvents / Math.Max(1, signals.Length);
        foreach (var s in signals)
        {
            long seq = 0;
            var t = s.Plan.OffsetS;
            var written = 0L;
            while (written < perSignal && t < 86_400)
            {
                foreach (var p in s.Plan.Phases)
                {
                    lines.Add((start + (long)(t * TimeSpan.TicksPerSecond), Phase(s.Id, start, t, ++seq, p.Id, "green")));
                    lines.Add((start + (long)((t + p.GreenS + p.AmberS) * TimeSpan.TicksPerSecond), Phase(s.Id, start, t + p.GreenS + p.AmberS, ++seq, p.Id, "red")));
                    written += 2;
                    t += p.DurationS;
                }

                // Spread a signal's phase reports over the day: skip whole cycles between reported ones.
                t += s.Plan.CycleS * Math.Max(0, Math.Floor(86_400.0 / s.Plan.CycleS * s.Plan.Phases.Count * 2 / Math.Max(1, perSignal)) - 1);
            }
        }

        var parking = city.Parking.OrderBy(p => p.Id, StringComparer.Ordinal).ToArray();
        var visitsPerFacility = (long)(events * 0.05) / Math.Max(1, parking.Length);
        foreach (var f in parking)
        {
            long seq = 0;
            var facilityLines = new List<(long Ts, int Delta)>();
            for (var v = 0; v < visitsPerFacility; v++)
            {
                var arrive = ArrivalTime(random);
                var leave = Math.Min(86_399.0, arrive + random.NextExponential(7200));
                facilityLines.Add((start + (long)(arrive * TimeSpan.TicksPerSecond), 1));
                facilityLines.Add((start + (long)(leave * TimeSpan.TicksPerSecond), -1));
            }

            facilityLines.Sort((a, b) => a.Ts != b.Ts ? a.Ts.CompareTo(b.Ts) : b.Delta.CompareTo(a.Delta));
            var occupied = 0;
            var next = 0;
            for (var q = 900; q <= 86_400; q += 900)
            {
                var until = start + (q * TimeSpan.TicksPerSecond);
                for (; next < facilityLines.Count && facilityLines[next].Ts <= until; next++)
                {
                    var (ts, delta) = facilityLines[next];
                    occupied = Math.Max(0, occupied + delta);
                    var move = delta > 0 ? "entry" : "exit";
                    lines.Add((ts, string.Create(CultureInfo.InvariantCulture,
                        $"{{\"type\":\"parking\",\"sensor\":\"{f.Id}\",\"ts\":\"{TsTicks(ts)}\",\"seq\":{++seq},\"event\":\"{move}\"}}")));
                }

                lines.Add((until, string.Create(CultureInfo.InvariantCulture,
                    $"{{\"type\":\"parking-occupancy\",\"sensor\":\"{f.Id}\",\"ts\":\"{Ts(start, q)}\",\"seq\":{++seq},\"occupied\":{Math.Min(occupied, f.Capacity)}}}")));
            }
        }

        var ordered = lines.Select((l, i) => (l.Ts, l.Line, i)).OrderBy(l => l.Ts).ThenBy(l => l.i);
        long n = 0;
        foreach (var (_, line, _) in ordered)
        {
            output.Write(line);
            output.Write('\n');
            n++;
        }

        return n;
    }

    /// <summary>Relative traffic volume at hour <paramref name="h"/> of the day (peaks at 8:00 and 17:00, low at night).</summary>
    private static double Profile(double h) =>
        0.15 + (0.85 * Math.Exp(-Math.Pow((h - 8) / 1.5, 2))) + (0.8 * Math.Exp(-Math.Pow((h - 17) / 2, 2))) + (0.45 * Math.Exp(-Math.Pow((h - 12.5) / 3, 2)));

    /// <summary>An arrival time (s of the day) drawn from the daily profile by rejection.</summary>
    private static double ArrivalTime(SeededRandom random)
    {
        while (true)
        {
            var t = random.NextDouble() * 86_000;
            if (random.NextDouble() * 1.3 < Profile(t / 3600))
            {
                return t;
            }
        }
    }

    private static int Poisson(SeededRandom random, double mean)
    {
        if (mean > 30)
        {
            return Math.Max(0, (int)Math.Round(mean + (Math.Sqrt(mean) * random.NextNormal())));
        }

        var limit = Math.Exp(-mean);
        var k = 0;
        var p = random.NextDouble();
        while (p > limit)
        {
            k++;
            p *= random.NextDouble();
        }

        return k;
    }

    private static string Phase(string signal, long start, double t, long seq, int phase, string state) =>
        string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"signal-phase\",\"sensor\":\"{signal}\",\"ts\":\"{TsTicks(start + (long)(t * TimeSpan.TicksPerSecond))}\",\"seq\":{seq},\"phase\":{phase},\"state\":\"{state}\"}}");

    private static string Ts(long start, double seconds) => TsTicks(start + (long)(seconds * TimeSpan.TicksPerSecond));

    private static string TsTicks(long ticks) => new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.FFFZ", CultureInfo.InvariantCulture);
}
