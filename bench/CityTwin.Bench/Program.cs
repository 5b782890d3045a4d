using CityTwin.Bench;

// Usage: CityTwin.Bench ingest --url http://127.0.0.1:5090 [--seconds 60] [--senders 4] [--batch 2000] [--seed 1] [--rate EVENTS_PER_S]
if (args.Length == 0 || args[0] != "ingest")
{
    Console.Error.WriteLine("usage: CityTwin.Bench ingest --url URL [--seconds 60] [--senders 4] [--batch 2000] [--seed 1] [--rate EVENTS_PER_S] [--token TOKEN (default: $CITYTWIN_TOKEN)]");
    return 2;
}

var options = IngestBenchOptions.Parse(args[1..]);
return await IngestBench.RunAsync(options);
