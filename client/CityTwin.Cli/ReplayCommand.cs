using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using CityTwin.Client;
using CityTwin.Contracts;
using CityTwin.Engine.Replay;
using CityTwin.Formats.Replay;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin replay FILE --twin ID</c>: replays a recorded day into an isolated twin, in timestamp order, at N times
/// real speed or as fast as the cluster takes it, then writes the twin's KPI series (docs/replay.md).
/// </summary>
internal static class ReplayCommand
{
    /// <summary>Events per ingest request (well under the API's 16 MiB body limit).</summary>
    public const int DefaultBatch = 10_000;

    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "Recorded day: NDJSON events (CONTRACTS.md) or the CSV form (docs/replay.md), gzip or not" };
        var twin = new Option<string>("--twin") { Description = "The replay twin's id (not 'live'): letters, digits, '-', '_', '.'", Required = true };
        var speed = new Option<string>("--speed") { Description = "N times real speed (e.g. 60), or 'max': as fast as the cluster takes the events", DefaultValueFactory = _ => "max" };
        var from = new Option<string?>("--from") { Description = "Replay only events at or after this time (ISO 8601 with offset)" };
        var to = new Option<string?>("--to") { Description = "Replay only events before this time (ISO 8601 with offset)" };
        var output = new Option<string?>("--out") { Description = "Folder for kpis.csv and kpis.html (default: replay-TWIN)" };
        var interval = new Option<string>("--interval") { Description = "KPI rows every interval of event time (15m, 5m, 1h, 300s) or 'event' for a row at every event timestamp", DefaultValueFactory = _ => "15m" };
        var replace = new Option<bool>("--replace") { Description = "Delete the twin first if it exists (else an existing twin is refused)" };
        var batch = new Option<int>("--batch") { Description = "Events per ingest request", DefaultValueFactory = _ => DefaultBatch };
        var command = new Command("replay", "Replay a recorded day into an isolated twin and write its KPI series")
        {
            file, twin, speed, from, to, output, interval, replace, batch, Cluster.ClusterOption, Cluster.TokenOption, Cluster.CityOption,
        };
        command.SetAction((parse, cancellationToken) => Run.GuardedAsync(() => new ReplayRun
        {
            Path = parse.GetValue(file)!,
            Twin = parse.GetValue(twin)!,
            Speed = ParseSpeed(parse.GetValue(speed)!),
            From = ParseTime(parse.GetValue(from), "--from"),
            To = ParseTime(parse.GetValue(to), "--to"),
            Output = parse.GetValue(output) ?? $"replay-{parse.GetValue(twin)}",
            IntervalS = ParseInterval(parse.GetValue(interval)!),
            Replace = parse.GetValue(replace),
            Batch = Positive(parse.GetValue(batch), "--batch"),
            ClusterUrl = parse.GetValue(Cluster.ClusterOption),
            CityDirectory = parse.GetValue(Cluster.CityOption),
            Token = parse.GetValue(Cluster.TokenOption),
        }.RunAsync(cancellationToken)));
        return command;
    }

    /// <summary>A replay speed: null for as fast as possible, else the factor over real time.</summary>
    public static double? ParseSpeed(string text)
    {
        if (text.Equals("max", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) && n > 0
            ? n
            : throw new CliInputException($"--speed '{text}' must be a positive number (times real speed) or 'max'");
    }

    /// <summary>A KPI interval in seconds (0 for every event timestamp) from 15m, 1h, 300s, 300 or 'event'.</summary>
    public static int ParseInterval(string text)
    {
        if (text.Equals("event", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        var unit = text[^1] switch { 'h' => 3600, 'm' => 60, 's' => 1, _ => 0 };
        var number = unit == 0 ? text : text[..^1];
        return int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && (long)n * Math.Max(unit, 1) <= 86_400
            ? n * Math.Max(unit, 1)
            : throw new CliInputException($"--interval '{text}' must be a duration of at most a day (15m, 1h, 300s) or 'event'");
    }

    private static int Positive(int n, string option) =>
        n > 0 ? n : throw new CliInputException($"{option} {n} must be a positive number");

    private static long? ParseTime(string? text, string option) =>
        text is null ? null
        : Formats.Events.SensorEventReader.TryParseTimestamp(text, out var ticks) ? ticks
        : throw new CliInputException($"{option} '{text}' is not an ISO 8601 time with an offset (e.g. 2016-11-15T08:00:00+00:00)");

    /// <summary>One run of the command.</summary>
    private sealed class ReplayRun
    {
        public required FileInfo Path { get; init; }

        public required string Twin { get; init; }

        public required double? Speed { get; init; }

        public required long? From { get; init; }

        public required long? To { get; init; }

        public required string Output { get; init; }

        public required int IntervalS { get; init; }

        public required bool Replace { get; init; }

        public required int Batch { get; init; }

        public required string? ClusterUrl { get; init; }

        /// <summary>The token for <see cref="ClusterUrl"/> (<c>--token</c>; else <c>CITYTWIN_TOKEN</c> or the local admin token file).</summary>
        public string? Token { get; init; }

        public required string? CityDirectory { get; init; }

        private long _accepted;
        private long _duplicates;
        private long _rejected;

        public async Task<int> RunAsync(CancellationToken cancellationToken)
        {
            if (!TwinKeys.IsValidTwinId(Twin))
            {
                throw new CliInputException($"--twin '{Twin}' is not a twin id: use letters, digits, '-', '_', '.'; 1-64 characters");
            }

            if (Twin == TwinKeys.Live)
            {
                throw new CliInputException($"--twin '{TwinKeys.Live}' is the real-time twin: a replay goes into a twin of its own (e.g. --twin replay-1)");
            }

            if (From is { } f && To is { } t && t <= f)
            {
                throw new CliInputException("--to must be later than --from");
            }

            RecordedDay day;
            try
            {
                day = RecordedDayReader.ReadFile(Path.FullName);
            }
            catch (RecordedDayException ex)
            {
                throw new CliInputException(ex.Message);
            }

            foreach (var e in day.Errors)
            {
                await Console.Error.WriteLineAsync($"{Path.Name}:{e.Line}: {e.Reason}");
            }

            var events = day.Between(From, To);
            if (events.Count == 0)
            {
                throw new CliInputException($"{Path.Name}: no events to replay ({day.Lines} lines, {day.Errors.Count} bad{(From is not null || To is not null ? ", none in the --from/--to window" : "")})");
            }

            Console.WriteLine($"{Path.Name}: {day.Format}, {events.Count} events from {Iso(events[0].TsTicks)} to {Iso(events[^1].TsTicks)}" +
                $"{(day.Errors.Count > 0 ? $", {day.Errors.Count} bad lines skipped" : "")}");

            await using var cluster = await Cluster.ConnectAsync(ClusterUrl, CityDirectory, Token, cancellationToken);
            await CreateTwinAsync(cluster.Api, cancellationToken);

            var clock = Stopwatch.StartNew();
            var progress = new Progress(events.Count, Console.IsOutputRedirected);
            if (Speed is { } speed)
            {
                await SendPacedAsync(cluster.Api, events, speed, progress, cancellationToken);
            }
            else
            {
                for (var i = 0; i < events.Count; i += Batch)
                {
                    var n = Math.Min(Batch, events.Count - i);
                    await SendAsync(cluster.Api, events, i, n, events[i + n - 1].TsTicks, cancellationToken);
                    progress.Report(i + n, events[i + n - 1].TsTicks);
                }
            }

            await WaitAppliedAsync(cluster.Api, cancellationToken);
            var seconds = clock.Elapsed.TotalSeconds;
            progress.Done();

            var through = KpiRecorder.RowAtOrAfter(events[^1].TsTicks, IntervalS * TimeSpan.TicksPerSecond);
            var series = await cluster.Api.GetKpisAsync(Twin, new DateTimeOffset(through, TimeSpan.Zero), cancellationToken);
            var (csv, html) = KpiFiles.Write(Output, Grains.KpiTables.FromSeries(series), $"Replay of {Path.Name}");
            var bad = day.Errors.Count + _rejected;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"replayed {events.Count} events into twin '{Twin}' in {seconds:0.00} s ({events.Count / seconds:0} events/s): accepted {_accepted}, duplicates {_duplicates}, rejected {_rejected}, bad lines {day.Errors.Count}"));
            Console.WriteLine($"KPI series: {csv}, {html}");
            return bad > 0 ? ExitCodes.BadInput : ExitCodes.Ok;
        }

        private async Task CreateTwinAsync(CityTwinHttpClient api, CancellationToken cancellationToken)
        {
            try
            {
                await api.CreateReplayTwinAsync(Twin, IntervalS, Path.Name, cancellationToken);
            }
            catch (CityTwinApiException ex) when (ex.Status == HttpStatusCode.Conflict && Replace)
            {
                await api.DeleteTwinAsync(Twin, cancellationToken);
                await api.CreateReplayTwinAsync(Twin, IntervalS, Path.Name, cancellationToken);
            }
        }

        /// <summary>Sends events at <paramref name="speed"/> times real speed: the replay clock runs from the first event's time.</summary>
        private async Task SendPacedAsync(CityTwinHttpClient api, IReadOnlyList<RecordedEvent> events, double speed, Progress progress, CancellationToken cancellationToken)
        {
            var start = events[0].TsTicks;
            var wall = Stopwatch.StartNew();
            var next = 0;
            while (next < events.Count)
            {
                var replayClock = start + (long)(wall.Elapsed.Ticks * speed);
                var end = next;
                while (end < events.Count && end - next < Batch && events[end].TsTicks <= replayClock)
                {
                    end++;
                }

                if (end > next)
                {
                    await SendAsync(api, events, next, end - next, Math.Max(replayClock, events[end - 1].TsTicks), cancellationToken);
                    next = end;
                    progress.Report(next, replayClock);
                    continue;
                }

                // Sleep until the next event is due (at most 200 ms, to keep the progress moving; never a negative wait).
                var due = TimeSpan.FromTicks((long)((events[next].TsTicks - start) / speed)) - wall.Elapsed;
                await Task.Delay(TimeSpan.FromTicks(Math.Clamp(due.Ticks, 0, TimeSpan.FromMilliseconds(200).Ticks)), cancellationToken);
                progress.Report(next, replayClock);
            }
        }

        /// <summary>Sends events [start, start + count) in one request with the replay clock; reports rejected lines by their line in the file.</summary>
        private async Task SendAsync(CityTwinHttpClient api, IReadOnlyList<RecordedEvent> events, int start, int count, long clockTicks, CancellationToken cancellationToken)
        {
            var body = RecordedDay.Body(events, start, count);
            var report = await api.IngestAsync(Twin, body, new DateTimeOffset(clockTicks, TimeSpan.Zero), cancellationToken);
            _accepted += report.Accepted;
            _duplicates += report.Duplicates;
            _rejected += report.Rejected;
            foreach (var e in report.Errors)
            {
                await Console.Error.WriteLineAsync($"{Path.Name}:{events[start + e.Line - 1].Line}: {e.Reason}");
            }
        }

        /// <summary>Waits until the twin's entities have applied every accepted event (they apply them from their streams).</summary>
        private async Task WaitAppliedAsync(CityTwinHttpClient api, CancellationToken cancellationToken)
        {
            long last = -1;
            var stalled = Stopwatch.StartNew();
            while (true)
            {
                var p = await api.GetProgressAsync(Twin, cancellationToken);
                var done = p.Counters.Applied + p.Counters.Late;
                if (done >= _accepted)
                {
                    return;
                }

                if (done != last)
                {
                    last = done;
                    stalled.Restart();
                }
                else if (stalled.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"twin '{Twin}' applied {done} of {_accepted} accepted events and made no progress for 60 s");
                }

                await Task.Delay(20, cancellationToken);
            }
        }
    }

    private static string Iso(long ticks) => new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>A progress bar on a terminal (redrawn in place), plain lines at every 10% otherwise.</summary>
    private sealed class Progress(int total, bool plain)
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private int _lastDecile = -1;
        private TimeSpan _lastDraw = TimeSpan.MinValue;

        public void Report(int sent, long clockTicks)
        {
            var share = (double)sent / total;
            var rate = sent / Math.Max(_wall.Elapsed.TotalSeconds, 1e-3);
            if (plain)
            {
                var decile = (int)(share * 10);
                if (decile > _lastDecile)
                {
                    _lastDecile = decile;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sent {sent}/{total} events ({share:P0}), replay clock {Iso(clockTicks)}, {rate:0} events/s"));
                }

                return;
            }

            if (_wall.Elapsed - _lastDraw < TimeSpan.FromMilliseconds(100) && sent < total)
            {
                return;
            }

            _lastDraw = _wall.Elapsed;
            const int width = 30;
            var filled = (int)(share * width);
            Console.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r[{new string('#', filled)}{new string('-', width - filled)}] {share,4:P0} {sent}/{total} events  clock {Iso(clockTicks)}  {rate:0} events/s "));
        }

        public void Done()
        {
            if (!plain)
            {
                Console.WriteLine();
            }
        }
    }
}
