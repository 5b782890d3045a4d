using CityTwin.Contracts;
using CityTwin.Grains;

namespace CityTwin.Cluster.Tests;

/// <summary>Two audit stores of one log (two silos) appending at once, the second one's clock an hour behind.</summary>
public static class ConcurrentAuditAppends
{
    /// <summary>
    /// Appends <paramref name="each"/> entries through each store at once (who "a" and "b"), then checks that they are
    /// numbered 1, 2, 3, ... without gaps, with times in order, and that both stores list exactly them; answers them.
    /// </summary>
    public static async Task<IReadOnlyList<AuditEntry>> RunAsync(IAuditStore a, IAuditStore b, int each)
    {
        var start = DateTimeOffset.UtcNow;
        var appended = await Task.WhenAll(
            Task.Run(() => ManyAsync(a, "a", each, i => start.AddSeconds(i))),
            Task.Run(() => ManyAsync(b, "b", each, i => start.AddHours(-1).AddSeconds(i))));

        var all = appended.SelectMany(x => x).OrderBy(e => e.Sequence).ToArray();
        Assert.Equal(Enumerable.Range(1, 2 * each).Select(i => (long)i), all.Select(e => e.Sequence));
        Assert.All(all.Zip(all.Skip(1)), p => Assert.True(p.Second.Time >= p.First.Time, $"entry {p.Second.Sequence} is earlier than {p.First.Sequence}"));
        foreach (var store in new[] { a, b })
        {
            Assert.Equal(all.Select(e => (e.Sequence, e.Who, e.What, e.Time)), (await store.ListAsync(null, null, null)).Select(e => (e.Sequence, e.Who, e.What, e.Time)));
        }

        return all;
    }

    private static async Task<List<AuditEntry>> ManyAsync(IAuditStore store, string who, int count, Func<int, DateTimeOffset> clock)
    {
        var entries = new List<AuditEntry>();
        for (var i = 0; i < count; i++)
        {
            entries.Add(await store.AppendAsync(new AuditRecord(who, AuditLog.PlanApply, $"{who} {i}", null, null, null), clock(i)));
        }

        return entries;
    }
}
