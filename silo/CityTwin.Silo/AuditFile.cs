using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CityTwin.Contracts;
using CityTwin.Grains;
using CityTwin.Silo.Security;
using Microsoft.Extensions.Logging;

namespace CityTwin.Silo;

/// <summary>The audit file cannot be used: a line that is not an entry, a broken hash chain, entries removed. The message names the file and line.</summary>
public sealed class AuditFileException(string message) : Exception(message);

/// <summary>
/// The audit log of a silo without PostgreSQL: <c>audit.ndjson</c> in its data directory, one JSON entry a line,
/// only ever appended to. Each line carries <c>prev</c>, the SHA-256 (hex) of the line before it (64 zeros for the
/// first), so a line changed, inserted or removed anywhere but at the end breaks the chain and is found when the
/// file is read. An append holds the file's exclusive lock (several silos or processes on one data directory take
/// turns), reads what others appended since, writes its line and flushes it to the disk (fsync) before it answers.
/// </summary>
/// <remarks>
/// Reading it back: a last line without its end of line is a write cut short (a crash before the answer): it is
/// reported, ignored and cut off before the next append; any other bad line stops the silo with the file and line.
/// </remarks>
public sealed class FileAuditStore : IAuditStore, IDisposable
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "audit.ndjson";

    /// <summary>The <c>prev</c> of the first entry.</summary>
    public static readonly string FirstPrev = new('0', 64);

    /// <summary>How long an append waits for another process's lock on the file before it fails.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,

        // Readable by people (quotes and non-ASCII letters as they are); control characters, line ends included, are still escaped.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<AuditEntry> _entries = [];
    private readonly ILogger? _log;
    private long _length;
    private long _lines;
    private string _lastHash = FirstPrev;
    private long _reportedTornAt = -1;

    private FileAuditStore(string path, ILogger? log)
    {
        Path = System.IO.Path.GetFullPath(path);
        _log = log;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    public string Where => $"file {Path} (append-only, hash-chained)";

    /// <summary>
    /// Opens the file (created, owner-only, when missing) and reads every entry back, checking numbers, times and the
    /// hash chain. A cut-short last line is logged as a warning; any other bad line throws <see cref="AuditFileException"/>.
    /// </summary>
    public static FileAuditStore Open(string path, ILogger? log = null)
    {
        var store = new FileAuditStore(path, log);
        PrivateFiles.CreateDirectory(System.IO.Path.GetDirectoryName(store.Path)!);
        store._gate.Wait();
        try
        {
            using var file = store.Lock(CancellationToken.None).GetAwaiter().GetResult();
            store.CatchUp(file);
        }
        finally
        {
            store._gate.Release();
        }

        return store;
    }

    /// <summary>The number of entries read or written so far.</summary>
    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    public async Task<AuditEntry> AppendAsync(AuditRecord record, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var file = await Lock(cancellationToken);
            CatchUp(file);
            if (file.Length > _length)
            {
                // The cut-short line of a crashed writer (reported when read): it goes, so that the file stays one entry a line.
                file.SetLength(_length);
            }

            AuditEntry? last;
            lock (_entries)
            {
                last = _entries.Count > 0 ? _entries[^1] : null;
            }

            var time = (last is not null && last.Time > now ? last.Time : now).ToUniversalTime();
            var entry = new AuditEntry((last?.Sequence ?? 0) + 1, time, record.Who, record.Kind, record.What, record.Why, record.EvidenceId, record.Twin);
            var line = JsonSerializer.SerializeToUtf8Bytes(new Line(entry.Sequence, entry.Time, entry.Who, entry.Kind, entry.What, entry.Why, entry.EvidenceId, entry.Twin, _lastHash), Json);
            file.Seek(_length, SeekOrigin.Begin);
            file.Write(line);
            file.WriteByte((byte)'\n');
            file.Flush(flushToDisk: true);
            Accept(entry, line);
            return entry;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, string? kind, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using (var file = await Lock(cancellationToken))
            {
                CatchUp(file);
            }

            lock (_entries)
            {
                return _entries.Where(e => AuditFilter.Matches(e, from, to, kind)).ToArray();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>The SHA-256 of a line (without its end of line) as 64 lower-case hex digits: the next line's <c>prev</c>.</summary>
    public static string HashOf(ReadOnlySpan<byte> line) => Convert.ToHexStringLower(SHA256.HashData(line));

    /// <summary>Opens the file with an exclusive lock (flock on Unix), waiting while another process or silo holds it.</summary>
    private async Task<FileStream> Lock(CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFiles.OwnerOnly;
        }

        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(Path, options);
            }
            catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(Random.Shared.Next(2, 20), cancellationToken);
            }
        }
    }

    /// <summary>Reads and checks the lines appended since the last read (by this store or another process).</summary>
    private void CatchUp(FileStream file)
    {
        var length = file.Length;
        if (length < _length)
        {
            throw new AuditFileException($"{Path}: the file is {length} bytes, shorter than the {_length} bytes of the {_lines} entries already read from it: entries were removed or the file was replaced");
        }

        if (length == _length)
        {
            return;
        }

        var bytes = new byte[length - _length];
        file.Seek(_length, SeekOrigin.Begin);
        file.ReadExactly(bytes);
        var start = 0;
        while (start < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0)
            {
                if (_reportedTornAt != _length)
                {
                    _reportedTornAt = _length;
                    _log?.LogWarning(
                        "{File}:{Line}: the last line is incomplete ({Bytes} bytes without an end of line): a write cut short, e.g. by a crash, before it was answered; ignored, and cut off before the next entry is appended",
                        Path, _lines + 1, bytes.Length - start);
                }

                return;
            }

            var line = bytes.AsSpan(start, end - start);
            Accept(Check(line, _lines + 1), line);
            start = end + 1;
        }
    }

    /// <summary>The entry of a line read back, after checking that it follows the last one; else why not, with the file and line.</summary>
    private AuditEntry Check(ReadOnlySpan<byte> bytes, long number)
    {
        var at = $"{Path}:{number.ToString(CultureInfo.InvariantCulture)}";
        Line line;
        try
        {
            line = JsonSerializer.Deserialize<Line>(bytes, Json) ?? throw new JsonException("null is not an entry");
        }
        catch (JsonException ex)
        {
            throw new AuditFileException($"{at}: not an audit entry ({ex.Message}){(bytes.IsEmpty ? " (an empty line)" : "")}");
        }

        AuditEntry? last;
        lock (_entries)
        {
            last = _entries.Count > 0 ? _entries[^1] : null;
        }

        var expected = (last?.Sequence ?? 0) + 1;
        if (line.Seq != expected)
        {
            throw new AuditFileException($"{at}: entry number {line.Seq} where {expected} was expected: entries were removed, added or reordered");
        }

        if (line.Prev != _lastHash)
        {
            throw new AuditFileException(
                $"{at}: the hash chain is broken: 'prev' is not the SHA-256 of the line before (expected {_lastHash}): {(number == 1 ? "the first line" : $"line {number - 1} or this one")} was changed, or lines were inserted or removed");
        }

        if (last is not null && line.Time < last.Time)
        {
            throw new AuditFileException($"{at}: time {line.Time:O} is before the time of the entry before ({last.Time:O})");
        }

        return new AuditEntry(line.Seq, line.Time.ToUniversalTime(), line.Who, line.Kind, line.What, line.Why, line.Evidence, line.Twin);
    }

    private void Accept(AuditEntry entry, ReadOnlySpan<byte> line)
    {
        lock (_entries)
        {
            _entries.Add(entry);
        }

        _lastHash = HashOf(line);
        _length += line.Length + 1;
        _lines++;
    }

    /// <summary>One line of the file.</summary>
    private sealed record Line(long Seq, DateTimeOffset Time, string Who, string Kind, string What, string? Why, string? Evidence, string? Twin, string Prev);
}
