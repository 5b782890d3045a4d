using CityTwin.Engine.City;
using CityTwin.Engine.Scenarios;
using CityTwin.Formats.GeoJson;
using CityTwin.Formats.Scenarios;

namespace CityTwin.Engine.Tests.Scenarios;

public sealed class ScenarioReaderTests
{
    private static readonly Lazy<CityModel> Riverton = new(() => CityReader.ReadFolder(Path.Combine(AppContext.BaseDirectory, "cities", "riverton")));

    private static readonly string Samples = Path.Combine(AppContext.BaseDirectory, "scenarios");

    private const string Minimal = """
        scenario: s1
        window: { from: "07:00", to: "08:00" }
        alternatives:
          - name: opt
            signals: optimise
        """;

    private static string[] Files() => [.. Directory.GetFiles(Samples, "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> SampleScripts() => [.. Files()];

    [Fact]
    public void The_five_sample_scripts_are_there()
    {
        Assert.Equal(
            ["downtown-parking-pricing.yaml", "lane-closure-corridor.yaml", "morning-peak-signal-timing.yaml", "recorded-morning-counterfactual.yaml", "stadium-event-evening.yaml"],
            Files());
    }

    [Theory]
    [MemberData(nameof(SampleScripts))]
    public void Every_sample_script_is_valid_for_the_sample_city(string file)
    {
        var result = ScenarioReader.Read(File.ReadAllText(Path.Combine(Samples, file)), Riverton.Value);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), result.Script!.Id);
        Assert.Equal("sample", result.Script.City);
        Assert.True(result.Script.Replications >= 10);
    }

    [Fact]
    public void A_minimal_script_gets_the_documented_defaults()
    {
        var s = ScenarioReader.Read(Minimal).Script!;
        Assert.Equal(("s1", "s1", "sample"), (s.Id, s.Title, s.City));
        Assert.Equal(new ScenarioBase(BaseSource.Demand, [], null, "live", 1), s.Base with { DemandFiles = [] });
        Assert.Empty(s.Base.DemandFiles);
        Assert.Equal(new ScenarioWindow(7 * 3600, 8 * 3600, 1800), s.Window);
        Assert.Equal((10, 42UL), (s.Replications, s.Seed));
        Assert.Equal(ScenarioKpis.Default, s.Kpis);
        Assert.Equal(new DecisionRule("totalDelayVehH", Goal.Minimise, 0.05, 0.95), s.Decision);
        var alt = Assert.Single(s.Alternatives);
        Assert.Equal(new SignalChange(PlanChoice.Optimise, ControlChoice.Fixed, 90, []), alt.Signals! with { Only = [] });
        Assert.Equal(new ScriptMark(4, 5), alt.Mark);
    }

    [Fact]
    public void The_stadium_script_shares_its_event_demand_through_a_yaml_anchor()
    {
        var s = ScenarioReader.Read(File.ReadAllText(Path.Combine(Samples, "stadium-event-evening.yaml")), Riverton.Value).Script!;
        Assert.Equal(2, s.Alternatives.Count);
        Assert.All(s.Alternatives, a => Assert.Equal(4000, a.ExtraDemand.Sum(e => e.Vehicles)));
        Assert.Equal((17.5 * 3600, 19 * 3600.0), (s.Alternatives[1].ExtraDemand[0].FromS, s.Alternatives[1].ExtraDemand[0].ToS));
    }

    [Fact]
    public void Parking_changes_read_prices_as_factors()
    {
        var s = ScenarioReader.Read(File.ReadAllText(Path.Combine(Samples, "downtown-parking-pricing.yaml")), Riverton.Value).Script!;
        var both = s.Alternatives[1].Parking;
        Assert.Equal((null, "D-OLD", 1.4), (both[0].Facility, both[0].District, Math.Round(both[0].PriceFactor!.Value, 12)));
        Assert.Equal(("P-04", 0.8), (both[1].Facility, Math.Round(both[1].PriceFactor!.Value, 12)));
        Assert.Equal(new DecisionRule("parkingHoursAbove90", Goal.Minimise, 0.1, 0.95), s.Decision);
    }

    [Fact]
    public void Every_error_of_a_bad_script_is_reported_with_its_line_and_column()
    {
        const string bad = """
            scenario: bad id!
            window:
              from: "09:00"
              to: "08:00"
            replications: many
            seeed: 3
            alternatives:
              - name: a
                signals: optimize-it
              - name: a
                parking:
                  - facility: P-99
                    price: cheap
              - name: c
                closures:
                  - { link: L-013, lanes: 2 }
                demand:
                  add:
                    - { origin: D-OLD, destination: D-MOON, from: "7:00", to: "8:00", vehicles: 10 }
            kpis: [totalDelayVehH, happiness]
            decision:
              confidence: 150%
            """;
        var result = ScenarioReader.Read(bad, Riverton.Value);
        Assert.False(result.Ok);
        Assert.Null(result.Script);
        var errors = result.Errors.Select(e => $"{e.Line}:{e.Column} {e.Reason}").ToArray();
        string[] expected =
        [
            "1:11 scenario: 'bad id!' is not an id",
            "4:7 window.to: must be after window.from (09:00), got 08:00",
            "5:15 replications: must be a whole number, got 'many'",
            "6:1 the script: unknown key 'seeed'",
            "9:14 alternative 'a': signals: must be base, optimise or rule-of-thumb, got 'optimize-it'",
            "10:5 alternatives.name: 'a' is used twice",
            "12:19 alternative 'a': parking.facility: the city has no parking facility 'P-99'",
            "13:16 alternative 'a': parking.price: must be a number, got 'cheap'",
            "16:31 alternative 'c': closures.lanes: link 'L-013' has 2 lane(s)",
            "19:41 alternative 'c': demand.add.destination: the city has no district or link 'D-MOON'",
            "20:24 kpis: unknown KPI 'happiness'",
            "22:15 decision.confidence: must be from 50% to below 100%",
        ];
        foreach (var e in expected)
        {
            Assert.Contains(errors, x => x.StartsWith(e, StringComparison.Ordinal));
        }

        Assert.Equal(expected.Length, errors.Length);
        Assert.Equal(expected.Length, expected.Select((e, i) => errors[i].StartsWith(e, StringComparison.Ordinal)).Count(ok => ok));
    }

    [Theory]
    [InlineData("scenario: [unclosed", 2, "not valid YAML")]
    [InlineData("", 1, "the script is empty")]
    [InlineData("- a\n- b\n", 1, "the script: expected a mapping")]
    [InlineData("scenario: x\nwindow: { from: \"07:00\", to: \"08:00\" }\nalternatives: []\n", 3, "alternatives: name at least one alternative")]
    [InlineData("scenario: x\nwindow: { from: \"07:00\", to: \"08:00\" }\nalternatives:\n  - name: base\n    signals: optimise\n", 4, "'base' is the base's name")]
    [InlineData("scenario: x\nwindow: { from: \"07:00\", to: \"08:00\" }\nalternatives:\n  - name: n\n", 4, "changes nothing")]
    [InlineData("scenario: x\nwindow: { from: \"07:00\" }\nalternatives:\n  - name: n\n    signals: optimise\n", 2, "window: 'to' is required")]
    [InlineData("scenario: x\nscenario: y\n", 2, "not valid YAML")]
    [InlineData("scenario: x\nwindow: { from: \"07:00\", to: \"08:00\" }\nbase: { from: recorded }\nalternatives:\n  - name: n\n    signals: optimise\n", 3, "base.recorded: required")]
    [InlineData("scenario: x\nwindow: { from: \"07:00\", to: \"25:61\" }\nalternatives:\n  - name: n\n    signals: optimise\n", 2, "window.to: must be a time of day")]
    [InlineData("scenario: x\nwindow: { from: \"07:00\", to: \"08:00\" }\nalternatives:\n  - name: n\n    signals: { plans: optimise, cycle: 60 }\n", 5, "signals.cycle only with 'plans: rule-of-thumb'")]
    [InlineData("scenario: x\nwindow: { from: \"07:00\", to: \"08:00\" }\nalternatives:\n  - name: n\n    parking:\n      - { facility: P-01, price: 2, priceChange: 5% }\n", 6, "give price or priceChange, not both")]
    [InlineData("scenario: x\nWindow: { from: \"07:00\", to: \"08:00\" }\n", 2, "did you mean 'window'?")]
    public void Each_kind_of_mistake_gets_a_precise_message(string text, int line, string reason)
    {
        var result = ScenarioReader.Read(text, Riverton.Value);
        Assert.False(result.Ok);
        Assert.Contains(result.Errors, e => e.Line == line && e.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_city_the_ids_are_not_checked_but_everything_else_is()
    {
        var text = Minimal + "\n  - name: p\n    parking:\n      - { facility: P-99, price: 3 }\n";
        Assert.True(ScenarioReader.Read(text).Ok);
        Assert.Contains(ScenarioReader.Read(text, Riverton.Value).Errors, e => e.Reason.Contains("no parking facility 'P-99'", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_is_yaml_too()
    {
        const string json = """{"scenario":"j","window":{"from":"07:00","to":"08:00"},"alternatives":[{"name":"o","signals":"optimise"}],"seed":7}""";
        var result = ScenarioReader.Read(json);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(7UL, result.Script!.Seed);
    }

    [Fact]
    public void A_huge_script_is_refused_without_parsing()
    {
        var result = ScenarioReader.Read(new string('#', ScenarioReader.MaxChars + 1));
        Assert.Contains("at most", Assert.Single(result.Errors).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("07:30", 27000)]
    [InlineData("7:30", 27000)]
    [InlineData("25:00:30", 90030)]
    [InlineData("27000.5", 27000.5)]
    public void Times_of_day(string text, double seconds)
    {
        Assert.True(ScenarioReader.TryTime(text, out var s));
        Assert.Equal(seconds, s);
    }

    [Theory]
    [InlineData("30m", 1800)]
    [InlineData("1.5h", 5400)]
    [InlineData("90", 90)]
    [InlineData("45 min", 2700)]
    public void Durations(string text, double seconds)
    {
        Assert.True(ScenarioReader.TryDuration(text, out var s));
        Assert.Equal(seconds, s);
    }

    [Fact]
    public void The_json_schema_names_the_keys_and_kpis_the_reader_takes()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "scenario.schema.json")));
        var root = doc.RootElement;
        static string[] Names(System.Text.Json.JsonElement e) => [.. e.GetProperty("properties").EnumerateObject().Select(p => p.Name)];
        var p = root.GetProperty("properties");
        var alternative = p.GetProperty("alternatives").GetProperty("items");
        var ap = alternative.GetProperty("properties");
        var demand = ap.GetProperty("demand");
        var sections = new Dictionary<string, string[]>
        {
            ["script"] = Names(root),
            ["base"] = Names(p.GetProperty("base")),
            ["window"] = Names(p.GetProperty("window")),
            ["alternative"] = Names(alternative),
            ["signals"] = Names(ap.GetProperty("signals").GetProperty("oneOf")[1]),
            ["parking"] = Names(ap.GetProperty("parking").GetProperty("items")),
            ["closure"] = Names(ap.GetProperty("closures").GetProperty("items")),
            ["demand"] = Names(demand),
            ["demand.add"] = Names(demand.GetProperty("properties").GetProperty("add").GetProperty("items")),
            ["decision"] = Names(p.GetProperty("decision")),
        };
        Assert.Equal(ScenarioReader.Keys.Keys.Order(), sections.Keys.Order());
        foreach (var (section, keys) in sections)
        {
            Assert.True(ScenarioReader.Keys[section].SequenceEqual(keys), $"{section}: reader {string.Join(",", ScenarioReader.Keys[section])} schema {string.Join(",", keys)}");
        }

        var kpis = root.GetProperty("$defs").GetProperty("kpi").GetProperty("enum").EnumerateArray().Select(k => k.GetString());
        Assert.Equal(ScenarioKpis.All.Select(k => k.Name), kpis);
        Assert.Equal(ScenarioKpis.Default, p.GetProperty("kpis").GetProperty("default").EnumerateArray().Select(k => k.GetString()!));
    }
}
