using System.Text.Json.Nodes;
using CityTwin.Engine.City;
using CityTwin.Formats.GeoJson;

namespace CityTwin.Engine.Tests;

/// <summary>
/// The optional turn fields (a lane group's <c>toLinks</c>, a link's <c>next</c>) and the manifest's
/// <c>demand</c> list: read into the model when valid, each problem named by file, feature and field.
/// </summary>
public sealed class CityTurnFieldsTests
{
    /// <summary>The tiny city plus L-3, a link that leaves the signal S-1 eastwards.</summary>
    private static TinyCity CityWithExit()
    {
        var city = new TinyCity();
        city.Net["features"]!.AsArray().Add(JsonNode.Parse("""
            { "type": "Feature", "id": "L-3", "geometry": { "type": "LineString", "coordinates": [[9.305,52.105],[9.309,52.105]] },
              "properties": { "kind": "link", "from": "S-1", "to": "N-E", "lanes": 1, "speedLimitKmh": 50 } }
            """));
        return city;
    }

    private static JsonObject Group(TinyCity city, int approach, int group) =>
        city.Props("S-1")["approaches"]![approach]!["laneGroups"]![group]!.AsObject();

    private static CityValidationException Invalid(Action<TinyCity> change)
    {
        using var city = CityWithExit();
        change(city);
        var folder = city.Write();
        return Assert.Throws<CityValidationException>(() => CityReader.ReadFolder(folder));
    }

    private static void AssertError(CityValidationException ex, string file, string feature, string field, string reasonPart) =>
        Assert.Contains(ex.Errors, e =>
            e.Source.StartsWith(file, StringComparison.Ordinal) && e.Source.Contains(feature, StringComparison.Ordinal) &&
            e.Field == field && e.Reason.Contains(reasonPart, StringComparison.Ordinal));

    [Fact]
    public void Turn_fields_and_demand_files_are_read_into_the_model()
    {
        using var city = CityWithExit();
        Group(city, 0, 0)["toLinks"] = new JsonArray("L-3");
        city.Props("L-1")["next"] = new JsonArray("L-3");
        city.Props("L-3")["next"] = new JsonArray();
        city.Manifest["demand"] = new JsonArray("trips.csv", "more/trips2.csv");
        var folder = city.Write();
        Directory.CreateDirectory(Path.Combine(folder, "more"));
        File.WriteAllText(Path.Combine(folder, "trips.csv"), "not read by the city reader");
        File.WriteAllText(Path.Combine(folder, "more", "trips2.csv"), "");

        var model = CityReader.ReadFolder(folder);

        Assert.Equal(["L-3"], model.Signals[0].Approaches[0].LaneGroups[0].ToLinks);
        Assert.Null(model.Signals[0].Approaches[1].LaneGroups[0].ToLinks);
        Assert.Equal(["L-3"], model.LinksById["L-1"].Next);
        Assert.Empty(model.LinksById["L-3"].Next!);
        Assert.Null(model.LinksById["L-2"].Next);
        Assert.Equal(["trips.csv", "more/trips2.csv"], model.DemandFiles);
    }

    [Fact]
    public void Without_the_optional_fields_turns_are_null_and_there_are_no_demand_files()
    {
        using var city = CityWithExit();
        var model = CityReader.ReadFolder(city.Write());
        Assert.All(model.Signals.SelectMany(s => s.Approaches).SelectMany(a => a.LaneGroups), g => Assert.Null(g.ToLinks));
        Assert.All(model.Links, l => Assert.Null(l.Next));
        Assert.Empty(model.DemandFiles);
    }

    [Fact]
    public void A_lane_group_toLinks_entry_must_be_an_existing_link()
    {
        var ex = Invalid(c => Group(c, 0, 0)["toLinks"] = new JsonArray("L-3", "L-9"));
        AssertError(ex, "net.geojson", "'S-1'", "approaches[0].laneGroups[0].toLinks[1]", "link 'L-9' does not exist");
        Assert.Single(ex.Errors);
    }

    [Fact]
    public void A_lane_group_toLinks_entry_must_leave_the_signal()
    {
        var ex = Invalid(c => Group(c, 1, 1)["toLinks"] = new JsonArray("L-1"));
        AssertError(ex, "net.geojson", "'S-1'", "approaches[1].laneGroups[1].toLinks[0]", "link 'L-1' starts at 'N-W', not at this signal");
    }

    [Fact]
    public void A_lane_group_toLinks_must_be_a_non_empty_array_of_distinct_ids()
    {
        var ex = Invalid(c =>
        {
            Group(c, 0, 0)["toLinks"] = "L-3";
            Group(c, 1, 0)["toLinks"] = new JsonArray();
            Group(c, 1, 1)["toLinks"] = new JsonArray("L-3", 7, "L-3");
        });
        AssertError(ex, "net.geojson", "'S-1'", "approaches[0].laneGroups[0].toLinks", "must be an array");
        AssertError(ex, "net.geojson", "'S-1'", "approaches[1].laneGroups[0].toLinks", "needs at least 1 item");
        AssertError(ex, "net.geojson", "'S-1'", "approaches[1].laneGroups[1].toLinks[1]", "must be a non-empty string");
        AssertError(ex, "net.geojson", "'S-1'", "approaches[1].laneGroups[1].toLinks[2]", "'L-3' appears twice");
    }

    [Fact]
    public void A_link_next_entry_must_be_an_existing_link()
    {
        var ex = Invalid(c => c.Props("L-1")["next"] = new JsonArray("L-404"));
        AssertError(ex, "net.geojson", "'L-1'", "next[0]", "link 'L-404' does not exist");
        Assert.Single(ex.Errors);
    }

    [Fact]
    public void A_link_next_entry_must_start_where_the_link_ends()
    {
        var ex = Invalid(c => c.Props("L-1")["next"] = new JsonArray("L-3", "L-2"));
        AssertError(ex, "net.geojson", "'L-1'", "next[1]", "link 'L-2' starts at 'N-S', not at this link's end 'S-1'");
        Assert.Single(ex.Errors);
    }

    [Fact]
    public void A_link_next_must_be_an_array_of_distinct_ids()
    {
        var ex = Invalid(c =>
        {
            c.Props("L-1")["next"] = JsonNode.Parse("""{ "L-3": true }""");
            c.Props("L-2")["next"] = new JsonArray("L-3", "L-3");
        });
        AssertError(ex, "net.geojson", "'L-1'", "properties.next", "must be an array");
        AssertError(ex, "net.geojson", "'L-2'", "properties.next[1]", "'L-3' appears twice");
    }

    [Fact]
    public void Demand_files_must_be_names_of_existing_files()
    {
        var ex = Invalid(c => c.Manifest["demand"] = new JsonArray("missing.csv"));
        AssertError(ex, "city.json", "", "demand", "'missing.csv' does not exist");

        ex = Invalid(c => c.Manifest["demand"] = "trips.csv");
        AssertError(ex, "city.json", "", "demand", "must be an array");

        ex = Invalid(c => c.Manifest["demand"] = new JsonArray(""));
        AssertError(ex, "city.json", "", "demand[0]", "must be a non-empty string");
    }

    [Fact]
    public void An_all_red_longer_than_30_s_is_accepted_when_the_cycle_adds_up()
    {
        // A junction of a joined SUMO controller stays red while the controller serves its other junctions.
        using var city = CityWithExit();
        var phases = city.Props("S-1")["plan"]!["phases"]!;
        phases[0]!["allRedS"] = 62;
        city.Props("S-1")["plan"]!["cycleS"] = 150;
        var model = CityReader.ReadFolder(city.Write());
        Assert.Equal(62, model.Signals[0].Plan.Phases[0].AllRedS);
    }
}
