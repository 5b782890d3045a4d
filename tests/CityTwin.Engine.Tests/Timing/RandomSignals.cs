using NetTopologySuite.Geometries;
using CityTwin.Engine.City;
using CityTwin.Engine.Timing;

namespace CityTwin.Engine.Tests.Timing;

/// <summary>A random signal with its approach speeds and safety constants.</summary>
internal sealed record RandomSignal(SignalSite Site, Dictionary<string, double> SpeedKmh, SafetyLimits Limits)
{
    public SafetyProfile Profile => SafetyProfile.For(Site, a => SpeedKmh[a.Id], Limits);
}

/// <summary>Seeded random signals for property tests: 1-4 approaches, 1-3 lane groups each, 1-4 phases.</summary>
internal static class RandomSignals
{
    private static readonly Movement[] Movements = [Movement.Left, Movement.Through, Movement.Right, Movement.UTurn];

    public static RandomSignal Case(Random rng)
    {
        var approaches = new List<Approach>();
        var speeds = new Dictionary<string, double>();
        var names = new[] { "N", "E", "S", "W" };
        var approachCount = rng.Next(1, 5);
        for (var a = 0; a < approachCount; a++)
        {
            var groups = new List<LaneGroup>();
            var groupCount = rng.Next(1, 4);
            for (var g = 0; g < groupCount; g++)
            {
                var movements = Movements.Where(_ => rng.NextDouble() < 0.4).DefaultIfEmpty(Movements[rng.Next(4)]).ToList();
                var lanes = rng.Next(1, 3);
                groups.Add(new LaneGroup($"G{g}", movements, lanes, 1800 * lanes));
            }

            approaches.Add(new Approach(names[a], null, groups));
            speeds[names[a]] = 20 + (rng.NextDouble() * 80);
        }

        var refs = approaches.SelectMany(a => a.LaneGroups.Select(g => new LaneGroupRef(a.Id, g.Id))).ToList();
        var phaseCount = rng.Next(1, 5);
        var serves = Enumerable.Range(0, phaseCount).Select(_ => new List<LaneGroupRef>()).ToList();
        foreach (var r in refs)
        {
            // Every lane group in one phase, sometimes in a second one too.
            serves[rng.Next(phaseCount)].Add(r);
            if (rng.NextDouble() < 0.2)
            {
                var extra = serves[rng.Next(phaseCount)];
                if (!extra.Contains(r))
                {
                    extra.Add(r);
                }
            }
        }

        // A phase that ended up serving nothing serves the first lane group.
        foreach (var s in serves.Where(s => s.Count == 0))
        {
            s.Add(refs[0]);
        }

        var ids = Enumerable.Range(1, 9).OrderBy(_ => rng.Next()).Take(phaseCount).ToList();
        var phases = serves.Select((s, i) => new Phase(ids[i], 10 + rng.Next(30), 3, 2, s)).ToList();
        var design = new TimingPlan("design", phases.Sum(p => p.DurationS), 0, phases);
        var site = new SignalSite("S-X", "Random", new Coordinate(0, 0), approaches, design, 8 + (rng.NextDouble() * 32), new Placement(0, 0, "C-0-0", "D"));

        var limits = rng.Next(4) switch
        {
            0 => SafetyLimits.Default with { MinGreenS = 4 + rng.Next(8), MinCycleS = 40, MaxCycleS = 150 },
            1 => SafetyLimits.Default with { PedestriansWithThroughMovements = false, RoundUpS = 0 },
            2 => SafetyLimits.Default with { WalkS = 4, PedestrianCrossingM = 5 + (rng.NextDouble() * 30), Grade = -0.05 + (rng.NextDouble() * 0.1) },
            _ => SafetyLimits.Default,
        };
        return new RandomSignal(site, speeds, limits);
    }
}
