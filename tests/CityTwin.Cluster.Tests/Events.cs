using System.Globalization;
using System.Text;

namespace CityTwin.Cluster.Tests;

/// <summary>Builds NDJSON lines of the event contract for tests.</summary>
public static class Events
{
    public static string Ts(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    public static string Detector(string sensor, DateTimeOffset ts, long seq, int count, double occupancy = 0.2, double intervalS = 60) =>
        FormattableString.Invariant($$"""{"type":"detector","sensor":"{{sensor}}","ts":"{{Ts(ts)}}","seq":{{seq}},"count":{{count}},"occupancy":{{occupancy}},"intervalS":{{intervalS}}}""");

    public static string Phase(string signal, DateTimeOffset ts, long seq, int phase, string state) =>
        FormattableString.Invariant($$"""{"type":"signal-phase","sensor":"{{signal}}","ts":"{{Ts(ts)}}","seq":{{seq}},"phase":{{phase}},"state":"{{state}}"}""");

    public static string Parking(string sensor, DateTimeOffset ts, long seq, string movement) =>
        FormattableString.Invariant($$"""{"type":"parking","sensor":"{{sensor}}","ts":"{{Ts(ts)}}","seq":{{seq}},"event":"{{movement}}"}""");

    public static string Occupancy(string sensor, DateTimeOffset ts, long seq, int occupied) =>
        FormattableString.Invariant($$"""{"type":"parking-occupancy","sensor":"{{sensor}}","ts":"{{Ts(ts)}}","seq":{{seq}},"occupied":{{occupied}}}""");

    public static byte[] Body(IEnumerable<string> lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");

    public static byte[] Body(params string[] lines) => Body((IEnumerable<string>)lines);

    /// <summary>Polls until the condition holds (or fails the test after the timeout).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"condition not met before the timeout; last value: {value}");
            }

            await Task.Delay(20);
        }
    }
}
