using System.CommandLine;
using System.Text;

namespace CityTwin.Cli;

/// <summary><c>citytwin ingest FILE</c>: sends an NDJSON file of sensor events and prints the summary.</summary>
internal static class IngestCommand
{
    /// <summary>Lines per request, so that a large file never meets the API's body limit.</summary>
    public const int LinesPerRequest = 20_000;

    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "NDJSON file of sensor events (CONTRACTS.md)" };
        var command = new Command("ingest", "Send an NDJSON file of sensor events; print accepted/duplicate/rejected counts")
        {
            file, Cluster.TwinOption, Cluster.ClusterOption, Cluster.TokenOption, Cluster.CityOption,
        };
        command.SetAction((parse, cancellationToken) => Run.GuardedAsync(async () =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new CliInputException($"{path.FullName}: no such file");
            }

            var twin = parse.GetValue(Cluster.TwinOption)!;
            await using var cluster = await Cluster.ConnectAsync(parse, parse.GetValue(Cluster.CityOption), cancellationToken);
            long accepted = 0, duplicates = 0, rejected = 0;
            var lineOffset = 0;
            foreach (var chunk in Chunks(path.FullName))
            {
                var report = await cluster.Api.IngestAsync(twin, chunk.Bytes, cancellationToken);
                accepted += report.Accepted;
                duplicates += report.Duplicates;
                rejected += report.Rejected;
                foreach (var e in report.Errors)
                {
                    await Console.Error.WriteLineAsync($"{path.Name}:{lineOffset + e.Line}: {e.Reason}");
                }

                lineOffset += chunk.Lines;
            }

            Console.WriteLine($"{path.Name}: accepted {accepted}, duplicates {duplicates}, rejected {rejected} (twin '{twin}')");
            return rejected > 0 ? ExitCodes.BadInput : ExitCodes.Ok;
        }));
        return command;
    }

    private static IEnumerable<(byte[] Bytes, int Lines)> Chunks(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var buffer = new StringBuilder();
        var lines = 0;
        while (reader.ReadLine() is { } line)
        {
            buffer.Append(line).Append('\n');
            lines++;
            if (lines == LinesPerRequest)
            {
                yield return (Encoding.UTF8.GetBytes(buffer.ToString()), lines);
                buffer.Clear();
                lines = 0;
            }
        }

        if (lines > 0)
        {
            yield return (Encoding.UTF8.GetBytes(buffer.ToString()), lines);
        }
    }
}
