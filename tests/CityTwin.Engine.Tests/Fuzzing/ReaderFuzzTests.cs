using System.Text;
using CityTwin.Engine.City;
using CityTwin.Formats.Demand;
using CityTwin.Formats.Events;
using CityTwin.Formats.GeoJson;
using CityTwin.Formats.ParkingWhatIf;
using CityTwin.Formats.Scenarios;
using CityTwin.Formats.Sumo;

namespace CityTwin.Engine.Tests.Fuzzing;

/// <summary>
/// Every reader of an outside format, fed seeded malformed input for a bounded number of iterations (and at
/// most a few seconds each): each input gives a valid result or the reader's own clear error, never another
/// exception type and never a crash. A failure names the seed, the iteration and the mutation to replay it.
/// </summary>
public sealed class ReaderFuzzTests
{
    private const int Iterations = 400;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(4);
    private static readonly string City = Path.Combine(AppContext.BaseDirectory, "cities", "riverton");

    private static byte[] Head(string path, int lines) => Encoding.UTF8.GetBytes(string.Join('\n', File.ReadLines(path).Take(lines)) + "\n");

    private static void None(IReadOnlyList<string> failures) => Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));

    [Fact]
    public void Ndjson_event_reader_answers_every_malformed_line_with_a_reason_and_never_throws()
    {
        var t = "2026-11-22T08:15:00+01:00";
        byte[][] samples =
        [
            Encoding.UTF8.GetBytes($$"""{"type":"detector","sensor":"DET-S01-E","ts":"{{t}}","seq":41,"count":12,"occupancy":0.18,"intervalS":60}""" + "\n" +
                $$"""{"type":"signal-phase","sensor":"S-01","ts":"{{t}}","seq":7,"phase":1,"state":"green"}""" + "\n"),
            Encoding.UTF8.GetBytes($$"""{"type":"parking","sensor":"P-01","ts":"{{t}}","seq":1003,"event":"entry","plate":"AB-123-CD","device":"dev-9"}""" + "\n" +
                $$"""{"type":"parking-occupancy","sensor":"P-01","ts":"{{t}}","seq":88,"occupied":311}""" + "\n"),
        ];
        var failures = Mutator.Run(samples, seed: 9001, Iterations, Budget, bytes =>
        {
            foreach (var (_, line) in SensorEventReader.SplitLines(bytes))
            {
                var r = SensorEventReader.ReadLine(line.Span);
                if (!r.Ok && string.IsNullOrWhiteSpace(r.Error))
                {
                    throw new InvalidOperationException("rejected without a reason");
                }
            }
        }, _ => false);
        None(failures);
    }

    [Fact]
    public void Pseudonymising_malformed_ndjson_never_throws_and_keeps_every_line_break()
    {
        var key = new byte[32];
        var samples = new[]
        {
            Encoding.UTF8.GetBytes("""{"type":"parking","sensor":"P-01","ts":"2026-11-22T08:15:04+01:00","seq":1,"event":"entry","plate":"AB-123-CD","device":"dev-9"}""" + "\n" +
                """{"plate":{"nested":["AB-1",2]},"DEVICE":12345,"pl\u0061te":"x\"y"}""" + "\n"),
        };
        var failures = Mutator.Run(samples, seed: 4242, Iterations, Budget, bytes =>
        {
            var output = PersonalFields.Pseudonymise(bytes, key);
            if (output.Count(b => b == '\n') != bytes.Count(b => b == '\n'))
            {
                throw new InvalidOperationException("the number of lines changed");
            }

            // Wherever the plate still stands behind its field name, whatever broke around it, it must go.
            if (bytes.AsSpan().IndexOf("\"plate\":\"AB-123-CD\""u8) >= 0 && output.AsSpan().IndexOf("AB-123-CD"u8) >= 0)
            {
                throw new InvalidOperationException("a plate survived: " + Encoding.UTF8.GetString(output[..Math.Min(output.Length, 300)]));
            }
        }, _ => false);
        None(failures);
    }

    [Fact]
    public void Demand_csv_reader_gives_a_result_or_a_demand_format_error()
    {
        var failures = Mutator.Run([Head(Path.Combine(City, "demand.csv"), 40)], seed: 17, Iterations, Budget,
            bytes => DemandReader.Read(new StreamReader(new MemoryStream(bytes)), "demand.csv"),
            ex => ex is DemandFormatException);
        None(failures);
    }

    [Fact]
    public void Occupancy_csv_reader_gives_a_result_or_a_format_error()
    {
        var data = Path.Combine(AppContext.BaseDirectory, "data", "parking-birmingham", "birmingham-10-carparks.csv");
        var failures = Mutator.Run([Head(data, 40)], seed: 23, Iterations, Budget,
            bytes => OccupancyCountsReader.ReadNumbered(new StreamReader(new MemoryStream(bytes)), "counts.csv"),
            ex => ex is ParkingDemandFormatException);
        None(failures);
    }

    [Fact]
    public void GeoJson_city_reader_gives_a_city_or_a_validation_error()
    {
        var folder = Directory.CreateTempSubdirectory("citytwin-fuzz-city-").FullName;
        string[] files = ["city.json", "districts.geojson", "parking.geojson", "detectors.geojson", "network.geojson"];
        foreach (var f in files)
        {
            File.Copy(Path.Combine(City, f), Path.Combine(folder, f));
        }

        try
        {
            var samples = files.Select(f => File.ReadAllBytes(Path.Combine(City, f))).ToArray();
            var index = 0;
            var failures = Mutator.Run(samples, seed: 31, Iterations, Budget, bytes =>
            {
                // Mutants cycle through the files in the order of the samples; the others stay valid.
                var file = Path.Combine(folder, files[index++ % files.Length]);
                var original = File.ReadAllBytes(Path.Combine(City, Path.GetFileName(file)));
                File.WriteAllBytes(file, bytes);
                try
                {
                    CityReader.ReadFolder(folder);
                }
                finally
                {
                    File.WriteAllBytes(file, original);
                }
            }, ex => ex is CityValidationException);
            None(failures);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Sumo_importer_gives_a_city_or_a_sumo_format_error()
    {
        var folder = Directory.CreateTempSubdirectory("citytwin-fuzz-sumo-").FullName;
        try
        {
            var net = Path.Combine(folder, "fuzz.net.xml");
            var routes = Path.Combine(folder, "fuzz.rou.xml");
            var samples = new[] { Encoding.UTF8.GetBytes(SumoImportTests.TinyNet), Encoding.UTF8.GetBytes(SumoImportTests.TinyRoutes) };
            var index = 0;
            var failures = Mutator.Run(samples, seed: 47, Iterations / 2, Budget, bytes =>
            {
                var mutateRoutes = index++ % 2 == 1;
                File.WriteAllBytes(net, mutateRoutes ? samples[0] : bytes);
                File.WriteAllBytes(routes, mutateRoutes ? bytes : samples[1]);
                SumoImporter.Import(net, routes, Path.Combine(folder, "out"));
            }, ex => ex is SumoFormatException);
            None(failures);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Yaml_scenario_reader_answers_every_malformed_script_with_errors_and_never_throws()
    {
        var city = CityReader.ReadFolder(City);
        var samples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "scenarios"), "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        Assert.NotEmpty(samples);
        var failures = Mutator.Run(samples, seed: 53, Iterations, Budget, bytes =>
        {
            var result = ScenarioReader.Read(Encoding.UTF8.GetString(bytes), city);
            if (!result.Ok && result.Errors.Count == 0)
            {
                throw new InvalidOperationException("refused without an error");
            }
        }, _ => false);
        None(failures);
    }
}
