using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CityTwin.Client;
using CityTwin.Contracts;

namespace CityTwin.Bench;

public sealed record IngestBenchOptions(IReadOnlyList<Uri> Urls, int Seconds, int Senders, int Batch, int Seed, string Twin, int Rate, string? Token)
{
    public static IngestBenchOptions Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        return new IngestBenchOptions(
            Get("--url", "http://127.0.0.1:5090").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u)).ToArray(),
            int.Parse(Get("--seconds", "60"), CultureInfo.InvariantCulture),
            int.Parse(Get("--senders", "4"), CultureInfo.InvariantCulture),
            int.Parse(Get("--batch", "2000"), CultureInfo.InvariantCulture),
            int.Parse(Get("--seed", "1"), CultureInfo.InvariantCulture),
            Get("--twin", "bench"),
            int.Parse(Get("--rate", "0"), CultureInfo.InvariantCulture),
            Get("--token", Environment.GetEnvironmentVariable("CITYTWIN_TOKEN") ?? "") is { Length: > 0 } token ? token : null);
    }
}

/// <summary>
/// Sustained HTTP ingest into a running silo: several senders post NDJSON batches of detector and parking
/// events for the whole sample city; a probe measures event-to-state latency (from the start of the POST
/// that carries a marked event until a state read shows it applied). With several silos (<c>--url A,B</c>)
/// sender i posts to silo i mod n, and the probe posts to the first silo and reads the state from the last, so
/// its latency includes crossing the cluster.
/// </summary>
public static class IngestBench
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(IngestBenchOptions o)
    {
        var clients = o.Urls.Select(u => new HttpClient { BaseAddress = u, Timeout = TimeSpan.FromMinutes(2) }).ToArray();
        if (o.Token is { } token)
        {
            foreach (var c in clients)
            {
                CityTwinHttpClient.Authorize(c, token);
            }
        }

        var apis = clients.Select(c => new CityTwinHttpClient(c)).ToArray();
        var http = clients[0];
        var api = apis[0];
        for (var i = 0; i < apis.Length; i++)
        {
            if (!await apis[i].IsHealthyAsync())
            {
                Console.Error.WriteLine($"no silo at {o.Urls[i]}");
                return 1;
            }
        }

        var detectors = (await http.GetFromJsonAsync<List<EntityInfo>>(new Uri($"/api/twins/{o.Twin}/entities?kind=detector", UriKind.Relative), CityTwinHttpClient.Json))!;
        var parking = (await http.GetFromJsonAsync<List<EntityInfo>>(new Uri($"/api/twins/{o.Twin}/entities?kind=parking", UriKind.Relative), CityTwinHttpClient.Json))!;
        var signalDetectors = detectors.Where(d => !d.Id.Contains("-P", StringComparison.Ordinal)).Select(d => d.Id).ToArray();
        var probeFacility = parking[^1].Id;
        var loadFacilities = parking.Take(parking.Count - 1).Select(p => p.Id).ToArray();
        Console.WriteLine($"silos {string.Join(", ", o.Urls)}: {signalDetectors.Length} signal detectors, {loadFacilities.Length} facilities under load, probe on {probeFacility}; " +
            $"{o.Senders} senders x {o.Batch} events per request for {o.Seconds} s, offered rate {(o.Rate > 0 ? o.Rate.ToString(CultureInfo.InvariantCulture) + " events/s" : "as fast as answered")}");

        var seqs = new Dictionary<string, long>(StringComparer.Ordinal);
        var seqLock = new Lock();
        long NextSeq(string sensor)
        {
            lock (seqLock)
            {
                var s = seqs.GetValueOrDefault(sensor) + 1;
                seqs[sensor] = s;
                return s;
            }
        }

        byte[] MakeBatch(Random random)
        {
            var ts = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var sb = new StringBuilder(o.Batch * 120);
            for (var i = 0; i < o.Batch; i++)
            {
                if (random.Next(10) < 8)
                {
                    var d = signalDetectors[random.Next(signalDetectors.Length)];
                    sb.Append(CultureInfo.InvariantCulture, $$"""{"type":"detector","sensor":"{{d}}","ts":"{{ts}}","seq":{{NextSeq(d)}},"count":{{random.Next(0, 25)}},"occupancy":0.{{random.Next(5, 60):00}},"intervalS":60}""").Append('\n');
                }
                else
                {
                    var p = loadFacilities[random.Next(loadFacilities.Length)];
                    var seq = NextSeq(p);
                    sb.Append(CultureInfo.InvariantCulture, $$"""{"type":"parking","sensor":"{{p}}","ts":"{{ts}}","seq":{{seq}},"event":"{{(seq % 2 == 1 ? "entry" : "exit")}}"}""").Append('\n');
                }
            }

            return Encoding.UTF8.GetBytes(sb.ToString());
        }

        // Warm up: activate every grain once.
        await api.IngestAsync(o.Twin, MakeBatch(new Random(o.Seed)));
        var memoryStart = await MemoryAsync(http);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(o.Seconds));
        long accepted = 0, duplicates = 0, rejected = 0, requests = 0;
        var latencies = new List<double>();
        var memorySamples = new List<(double T, double WorkingSetMb, double HeapMb)>();
        var clock = Stopwatch.StartNew();

        var senders = Enumerable.Range(0, o.Senders).Select(i => Task.Run(async () =>
        {
            var random = new Random(o.Seed * 1000 + i);
            var sent = 0L;

            // With --rate, each sender keeps to its share of the offered rate (open loop); without it, as fast as answered.
            var period = o.Rate > 0 ? TimeSpan.FromSeconds((double)o.Batch * o.Senders / o.Rate) : TimeSpan.Zero;
            var offset = o.Rate > 0 ? period * i / o.Senders : TimeSpan.Zero;
            while (!stop.IsCancellationRequested)
            {
                if (o.Rate > 0)
                {
                    var due = offset + (period * sent) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        try
                        {
                            await Task.Delay(due, stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            break;
                        }
                    }
                }

                sent++;
                var body = MakeBatch(random);
                try
                {
                    var report = await apis[i % apis.Length].IngestAsync(o.Twin, body, stop.Token);
                    Interlocked.Add(ref accepted, report.Accepted);
                    Interlocked.Add(ref duplicates, report.Duplicates);
                    Interlocked.Add(ref rejected, report.Rejected);
                    Interlocked.Increment(ref requests);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        })).ToArray();

        var probe = Task.Run(async () =>
        {
            long probeSeq = 0;
            while (!stop.IsCancellationRequested)
            {
                probeSeq++;
                var ts = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                var line = $$"""{"type":"parking","sensor":"{{probeFacility}}","ts":"{{ts}}","seq":{{probeSeq}},"event":"{{(probeSeq % 2 == 1 ? "entry" : "exit")}}"}""" + "\n";
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await api.IngestAsync(o.Twin, Encoding.UTF8.GetBytes(line), stop.Token);
                    while (true)
                    {
                        var state = await apis[^1].GetAsync<ParkingState>($"/api/twins/{o.Twin}/parking/{probeFacility}", stop.Token);
                        if (state.Counters.Applied >= probeSeq)
                        {
                            lock (latencies)
                            {
                                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                            }

                            break;
                        }

                        await Task.Delay(1, stop.Token);
                    }

                    await Task.Delay(50, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(5000, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                var m = await MemoryAsync(http);
                memorySamples.Add((clock.Elapsed.TotalSeconds, m.WorkingSetMb, m.HeapMb));
                Console.WriteLine($"  t={clock.Elapsed.TotalSeconds,5:0} s  events/s so far {Interlocked.Read(ref accepted) / clock.Elapsed.TotalSeconds,9:0}  working set {m.WorkingSetMb,6:0} MB  GC heap {m.HeapMb,6:0} MB");
            }
        });

        await Task.WhenAll(senders.Append(probe).Append(sampler));
        var elapsed = clock.Elapsed.TotalSeconds;
        var memoryEnd = await MemoryAsync(http);
        latencies.Sort();
        double Pct(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];

        var result = new
        {
            seconds = Math.Round(elapsed, 1),
            requests,
            accepted,
            duplicates,
            rejected,
            eventsPerSecond = Math.Round(accepted / elapsed),
            probes = latencies.Count,
            latencyP50Ms = Math.Round(Pct(0.50), 1),
            latencyP99Ms = Math.Round(Pct(0.99), 1),
            latencyMaxMs = latencies.Count == 0 ? double.NaN : Math.Round(latencies[^1], 1),
            workingSetStartMb = Math.Round(memoryStart.WorkingSetMb),
            workingSetEndMb = Math.Round(memoryEnd.WorkingSetMb),
            workingSetMaxMb = Math.Round(memorySamples.Select(s => s.WorkingSetMb).DefaultIfEmpty(memoryEnd.WorkingSetMb).Max()),
            gcHeapStartMb = Math.Round(memoryStart.HeapMb),
            gcHeapEndMb = Math.Round(memoryEnd.HeapMb),
        };
        Console.WriteLine(JsonSerializer.Serialize(result, Indented));
        return rejected == 0 ? 0 : 1;
    }

    private static async Task<(double WorkingSetMb, double HeapMb)> MemoryAsync(HttpClient http)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/health", UriKind.Relative)));
        var r = doc.RootElement;
        return (r.GetProperty("workingSetMb").GetDouble(), r.GetProperty("gcHeapMb").GetDouble());
    }
}
