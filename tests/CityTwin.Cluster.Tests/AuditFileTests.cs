using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CityTwin.Client;
using CityTwin.Cluster.Tests.Postgres;
using CityTwin.Contracts;
using CityTwin.Silo;
using Microsoft.Extensions.Logging;

namespace CityTwin.Cluster.Tests;

/// <summary>
/// The audit log of a silo without PostgreSQL: <c>audit.ndjson</c> in its data directory, appended and flushed
/// before the answer, read back at start (a cut-short last line reported and ignored), hash-chained so that an edit is found.
/// </summary>
public sealed class AuditFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citytwin-audit-").FullName;

    private string FilePath => Path.Combine(_dir, FileAuditStore.FileName);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Entries_survive_the_silo_killed_a_cut_short_line_is_reported_and_ignored_and_an_edit_stops_the_next_start()
    {
        const string Twin = "audit-file";
        var silo = await SiloProcess.StartInMemoryAsync(_dir);
        var ports = silo.Ports;
        var api = new CityTwinHttpClient(silo.Http);
        Assert.Equal(PlanChangeStatus.Applied, (await api.ApplyPlanAsync(Twin, Plans.Signal, new PlanApplyRequest(Plans.Safe("file-a", 4), "", "evening peak", "ev-7"))).Status);
        Assert.Equal(PlanChangeStatus.RolledBack, (await api.RollbackPlanAsync(Twin, Plans.Signal, new PlanRollbackRequest("", "queues grew"))).Status);
        await Events.EventuallyAsync(() => Task.FromResult(silo.Log), log => log.Contains("Audit log: file " + FilePath, StringComparison.Ordinal));

        // No goodbye: what the silo answered must already be in the file.
        await silo.KillAsync();
        await silo.DisposeAsync();
        Assert.Equal(2, Lines().Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(FilePath));
        }

        // A write cut short by a crash: the start of a third line, no end of line.
        var torn = Encoding.UTF8.GetBytes("""{"seq":3,"time":"2026-11-23T08:30:00+00:00","who":"adm""");
        await using (var append = new FileStream(FilePath, FileMode.Append))
        {
            await append.WriteAsync(torn);
        }

        await using (var again = await SiloProcess.StartInMemoryAsync(_dir, ports))
        {
            var reread = new CityTwinHttpClient(again.Http);
            var entries = await reread.GetAuditAsync();
            Assert.Equal(
                [(1L, "admin", AuditLog.PlanApply, "evening peak", (string?)"ev-7", (string?)Twin), (2L, "admin", AuditLog.PlanRollback, "queues grew", null, Twin)],
                entries.Select(e => (e.Sequence, e.Who, e.Kind, e.Why, e.EvidenceId, e.Twin)).ToArray());
            Assert.Contains("plan 'file-a' applied", entries[0].What, StringComparison.Ordinal);
            Assert.True(entries[1].Time >= entries[0].Time);
            Assert.Contains($"{FilePath}:3: the last line is incomplete ({torn.Length} bytes without an end of line)", again.Log, StringComparison.Ordinal);

            // The next entry takes the cut-short line's place and number.
            Assert.Equal(PlanChangeStatus.Applied, (await reread.ApplyPlanAsync(Twin, Plans.Signal, new PlanApplyRequest(Plans.Safe("file-b", 6), "", "after the restart", null))).Status);
            Assert.Equal([1L, 2L, 3L], (await reread.GetAuditAsync()).Select(e => e.Sequence));
            await again.StopAsync();
        }

        var lines = Lines();
        Assert.Equal(3, lines.Length);
        Assert.True(File.ReadAllBytes(FilePath)[^1] == (byte)'\n');
        Assert.Equal(new string('0', 64), Prev(lines[0]));
        Assert.Equal(Sha256(lines[0]), Prev(lines[1]));
        Assert.Equal(Sha256(lines[1]), Prev(lines[2]));

        // An edited entry: the next start stops with the file and the line where the chain breaks (exit code 2).
        File.WriteAllLines(FilePath, [lines[0].Replace("evening peak", "morning peak", StringComparison.Ordinal), lines[1], lines[2]]);
        var refused = await CliProcess.RunAsync(
            ["up", "--silo-port", Port(ports.Silo), "--gateway-port", Port(ports.Gateway), "--urls", $"http://127.0.0.1:{ports.Http}"],
            env: new Dictionary<string, string> { ["CityTwin__DataDirectory"] = _dir });
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"{FilePath}:2: the hash chain is broken", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cut_short_last_line_is_reported_with_its_line_and_the_next_append_replaces_it()
    {
        using (var store = FileAuditStore.Open(FilePath))
        {
            await AppendAsync(store, 3);
        }

        var whole = File.ReadAllBytes(FilePath);
        var torn = "{\"seq\":4,\"ti"u8.ToArray();
        File.WriteAllBytes(FilePath, [.. whole, .. torn]);
        var log = new ListLogger();
        using (var store = FileAuditStore.Open(FilePath, log))
        {
            Assert.Equal(3, store.Count);
            Assert.Equal([$"{FilePath}:4: the last line is incomplete ({torn.Length} bytes without an end of line): a write cut short, e.g. by a crash, before it was answered; ignored, and cut off before the next entry is appended"], log.Warnings);
            Assert.Equal(4, (await store.AppendAsync(Record("d"), DateTimeOffset.UtcNow)).Sequence);
        }

        var reread = new ListLogger();
        using (var store = FileAuditStore.Open(FilePath, reread))
        {
            Assert.Empty(reread.Warnings);
            Assert.Equal(["w0", "w1", "w2", "d"], (await store.ListAsync(null, null, null)).Select(e => e.Who));
        }

        Assert.Equal(whole, File.ReadAllBytes(FilePath)[..whole.Length]);
    }

    [Fact]
    public async Task A_changed_inserted_removed_or_unreadable_line_is_found_with_its_line()
    {
        using (var store = FileAuditStore.Open(FilePath))
        {
            await AppendAsync(store, 4);
        }

        var lines = Lines();
        Assert.Contains(":3: the hash chain is broken: 'prev' is not the SHA-256 of the line before", Refusal([lines[0], lines[1].Replace("\"who\":\"w1\"", "\"who\":\"eve\"", StringComparison.Ordinal), lines[2], lines[3]]));
        Assert.Contains(":2: entry number 3 where 2 was expected", Refusal([lines[0], lines[2], lines[3]]));
        Assert.Contains(":2: entry number 3 where 2 was expected", Refusal([lines[0], lines[2], lines[1], lines[3]]));
        Assert.Contains(":3: entry number 2 where 3 was expected", Refusal([lines[0], lines[1], lines[1], lines[2], lines[3]]));
        Assert.Contains(":2: not an audit entry", Refusal([lines[0], "not json", lines[2], lines[3]]));
        Assert.Contains(":2: not an audit entry", Refusal([lines[0], "", lines[1], lines[2], lines[3]]));
        Assert.Contains(":1: not an audit entry", Refusal(["""{"seq":1,"time":"2026-11-23T08:30:00+00:00","kind":"plan-apply","what":"x","why":null,"evidence":null,"twin":null,"prev":"0"}"""]));
        Assert.Contains(":1: the hash chain is broken", Refusal([lines[0].Replace(new string('0', 64), new string('1', 64), StringComparison.Ordinal)]));

        // Entries removed from under a running store: its next append refuses to go on.
        File.WriteAllLines(FilePath, lines);
        using var running = FileAuditStore.Open(FilePath);
        File.WriteAllLines(FilePath, lines[..2]);
        var shrunk = await Assert.ThrowsAsync<AuditFileException>(() => running.AppendAsync(Record("x"), DateTimeOffset.UtcNow));
        Assert.Contains("shorter than the", shrunk.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_stores_on_one_file_take_turns_numbering_without_gaps_with_times_in_order()
    {
        // Two silos (or processes) on one data directory.
        using var a = FileAuditStore.Open(FilePath);
        using var b = FileAuditStore.Open(FilePath);
        await ConcurrentAuditAppends.RunAsync(a, b, each: 40);
        using var reread = FileAuditStore.Open(FilePath);
        Assert.Equal(80, reread.Count);
        Assert.Equal(40, (await reread.ListAsync(null, null, null)).Count(e => e.Who == "b"));
    }

    [Fact]
    public async Task The_filters_select_by_time_and_kind_oldest_first_and_any_text_stays_on_one_line()
    {
        var t0 = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        const string Why = "two\nlines, \"quoted\", 'plan', café\r";
        using (var store = FileAuditStore.Open(FilePath))
        {
            await store.AppendAsync(new AuditRecord("a", AuditLog.PlanApply, "1", Why, null, null), t0);
            await store.AppendAsync(new AuditRecord("a", AuditLog.TwinDelete, "2", null, null, null), t0.AddMinutes(1));
            await store.AppendAsync(new AuditRecord("a", AuditLog.PlanApply, "3", null, null, null), t0.AddMinutes(2));
        }

        Assert.Equal(3, Lines().Length);
        Assert.Contains("'plan', café", Lines()[0], StringComparison.Ordinal);
        using var reread = FileAuditStore.Open(FilePath);
        Assert.Equal(["2", "3"], (await reread.ListAsync(t0.AddMinutes(1), null, null)).Select(e => e.What));
        Assert.Equal(["1"], (await reread.ListAsync(null, t0.AddMinutes(1), null)).Select(e => e.What));
        Assert.Equal(["1", "3"], (await reread.ListAsync(null, null, AuditLog.PlanApply)).Select(e => e.What));
        Assert.Equal(Why, (await reread.ListAsync(null, null, null))[0].Why);
    }

    private static AuditRecord Record(string who) => new(who, AuditLog.PlanApply, "signal S-01: plan 'p' applied", "why", "ev", "live");

    private static async Task AppendAsync(FileAuditStore store, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await store.AppendAsync(Record("w" + i.ToString(CultureInfo.InvariantCulture)), DateTimeOffset.UtcNow);
        }
    }

    private string Refusal(string[] lines)
    {
        File.WriteAllLines(FilePath, lines);
        var ex = Assert.Throws<AuditFileException>(() => FileAuditStore.Open(FilePath).Dispose());
        Assert.StartsWith(FilePath + ":", ex.Message, StringComparison.Ordinal);
        return ex.Message;
    }

    private string[] Lines() => File.ReadAllLines(FilePath);

    private static string Prev(string line) => JsonDocument.Parse(line).RootElement.GetProperty("prev").GetString()!;

    private static string Sha256(string line) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line)));

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Keeps the warnings logged to it.</summary>
    private sealed class ListLogger : ILogger
    {
        private readonly List<string> _warnings = [];

        public IReadOnlyList<string> Warnings
        {
            get
            {
                lock (_warnings)
                {
                    return [.. _warnings];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                lock (_warnings)
                {
                    _warnings.Add(formatter(state, exception));
                }
            }
        }
    }
}
