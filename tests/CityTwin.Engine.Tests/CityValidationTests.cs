using System.Text.Json.Nodes;
using CityTwin.Engine.City;
using CityTwin.Formats.GeoJson;

namespace CityTwin.Engine.Tests;

public sealed class CityValidationTests
{
    private static CityValidationException Invalid(Action<TinyCity> change)
    {
        using var city = new TinyCity();
        change(city);
        var folder = city.Write();
        return Assert.Throws<CityValidationException>(() => CityReader.ReadFolder(folder));
    }

    private static void AssertError(CityValidationException ex, string file, string feature, string field, string reasonPart)
    {
        Assert.Contains(ex.Errors, e =>
            e.Source.StartsWith(file, StringComparison.Ordinal) && e.Source.Contains(feature, StringComparison.Ordinal) &&
            e.Field == field && e.Reason.Contains(reasonPart, StringComparison.Ordinal));
    }

    [Fact]
    public void The_tiny_city_is_valid()
    {
        using var city = new TinyCity();
        var model = CityReader.ReadFolder(city.Write());
        Assert.Equal("Tiny", model.Name);
        Assert.Equal(2, model.Districts.Count);
        Assert.Single(model.Signals);
        Assert.Equal(3, model.Detectors.Count);
    }

    [Fact]
    public void Every_reference_error_is_reported_at_once()
    {
        var ex = Invalid(c =>
        {
            c.Props("DET-W")["approach"] = "N";
            c.Props("DET-P-IN")["parking"] = "P-9";
            c.Props("S-1")["plan"]!["cycleS"] = 100;
        });
        Assert.Equal(3, ex.Errors.Count);
    }

    [Fact]
    public void Missing_manifest_is_reported_with_the_folder()
    {
        var folder = Directory.CreateTempSubdirectory("citytwin-empty-").FullName;
        var ex = Assert.Throws<CityValidationException>(() => CityReader.ReadFolder(folder));
        Assert.Contains("city.json", ex.Message, StringComparison.Ordinal);
        Directory.Delete(folder);
    }

    [Fact]
    public void Invalid_json_is_reported_with_its_line()
    {
        using var city = new TinyCity();
        var folder = city.Write();
        File.WriteAllText(Path.Combine(folder, "net.geojson"), "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [ { ,\n] }");
        var ex = Assert.Throws<CityValidationException>(() => CityReader.ReadFolder(folder));
        Assert.Contains(ex.Errors, e => e.Source == "net.geojson" && e.Reason.Contains("line 3", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_listed_in_the_manifest_must_exist()
    {
        var ex = Invalid(c => c.Manifest["files"]!.AsArray().Add("missing.geojson"));
        AssertError(ex, "city.json", "", "files", "'missing.geojson' does not exist");
    }

    [Fact]
    public void Cell_size_out_of_range_is_rejected()
    {
        var ex = Invalid(c => c.Manifest["cellSizeM"] = 10);
        AssertError(ex, "city.json", "", "cellSizeM", "outside 50..5000");
    }

    [Fact]
    public void A_city_without_vehicles_runs_the_default_behaviour()
    {
        using var city = new TinyCity();
        var model = CityReader.ReadFolder(city.Write());
        Assert.Equal(VehicleBehaviour.Default, model.Vehicles);
        Assert.Equal((1800.0, 1.05, 1.18, 4.5), (model.Vehicles.UnsignalisedFlowPerLaneVehH, model.Vehicles.LeftTurnEquivalent, model.Vehicles.RightTurnEquivalent, model.Vehicles.CriticalGapS));
    }

    [Fact]
    public void The_manifest_vehicles_are_read_and_fields_not_given_keep_their_defaults()
    {
        using var city = new TinyCity();
        city.Manifest["vehicles"] = JsonNode.Parse("""{ "rightTurnEquivalent": 1.3, "cruiseSpeedLossMs": 0.66, "jamSpacingM": 8, "source": "measured" }""");
        var v = CityReader.ReadFolder(city.Write()).Vehicles;
        Assert.Equal((1.3, 0.66, 8.0, "measured"), (v.RightTurnEquivalent, v.CruiseSpeedLossMs, v.JamSpacingM, v.Source));
        Assert.Equal(VehicleBehaviour.Default.LeftTurnEquivalent, v.LeftTurnEquivalent);
        Assert.Equal(VehicleBehaviour.Default.AccelerationMs2, v.AccelerationMs2);
    }

    [Fact]
    public void A_vehicles_field_out_of_range_or_unknown_is_rejected()
    {
        var ex = Invalid(c => c.Manifest["vehicles"] = JsonNode.Parse("""{ "leftTurnEquivalent": 0.5, "leftTurnEquivalnet": 1.2 }"""));
        AssertError(ex, "city.json", "", "vehicles.leftTurnEquivalent", "outside 1..5");
        AssertError(ex, "city.json", "", "vehicles.leftTurnEquivalnet", "unknown field");
    }

    [Fact]
    public void A_file_that_is_not_a_feature_collection_is_rejected()
    {
        var ex = Invalid(c => c.Areas["type"] = "Feature");
        AssertError(ex, "areas.geojson", "", "type", "FeatureCollection");
    }

    [Fact]
    public void A_feature_without_id_is_rejected_with_its_index()
    {
        var ex = Invalid(c => c.Feature("P-1").Remove("id"));
        AssertError(ex, "net.geojson", "feature #3", "id", "needs a string id");
    }

    [Fact]
    public void An_id_with_bad_characters_is_rejected()
    {
        var ex = Invalid(c => c.Feature("P-1")["id"] = "P 1/x");
        AssertError(ex, "net.geojson", "'P 1/x'", "id", "letters, digits");
    }

    [Fact]
    public void Duplicate_ids_across_files_are_rejected()
    {
        var ex = Invalid(c => c.Feature("P-1")["id"] = "D-W");
        AssertError(ex, "net.geojson", "'D-W'", "id", "already used by areas.geojson");
    }

    [Fact]
    public void Unknown_kind_is_rejected()
    {
        var ex = Invalid(c => c.Props("P-1")["kind"] = "bus-stop");
        AssertError(ex, "net.geojson", "'P-1'", "properties.kind", "'bus-stop' is not one of");
    }

    [Fact]
    public void Wrong_geometry_type_is_rejected()
    {
        var ex = Invalid(c => c.Feature("L-1")["geometry"] = JsonNode.Parse("""{ "type": "Point", "coordinates": [9.3, 52.1] }"""));
        AssertError(ex, "net.geojson", "'L-1'", "geometry.type", "must be LineString");
    }

    [Fact]
    public void Coordinates_outside_lon_lat_range_are_rejected()
    {
        var ex = Invalid(c => c.Feature("P-1")["geometry"]!["coordinates"] = new JsonArray(930.5, 52.1));
        AssertError(ex, "net.geojson", "'P-1'", "geometry.coordinates", "not a longitude/latitude");
    }

    [Fact]
    public void Self_intersecting_district_is_rejected()
    {
        var ex = Invalid(c => c.Feature("D-E")["geometry"]!["coordinates"] =
            JsonNode.Parse("[[[9.31,52.10],[9.32,52.11],[9.32,52.10],[9.31,52.11],[9.31,52.10]]]"));
        AssertError(ex, "areas.geojson", "'D-E'", "geometry", "not valid");
    }

    [Fact]
    public void Missing_required_property_is_rejected()
    {
        var ex = Invalid(c => c.Props("P-1").Remove("capacity"));
        AssertError(ex, "net.geojson", "'P-1'", "properties.capacity", "is required");
    }

    [Fact]
    public void Wrong_property_type_is_rejected()
    {
        var ex = Invalid(c => c.Props("L-1")["lanes"] = "two");
        AssertError(ex, "net.geojson", "'L-1'", "properties.lanes", "must be an integer");
    }

    [Fact]
    public void Property_out_of_range_is_rejected()
    {
        var ex = Invalid(c => c.Props("L-1")["speedLimitKmh"] = 500);
        AssertError(ex, "net.geojson", "'L-1'", "properties.speedLimitKmh", "outside 5..200");
    }

    [Fact]
    public void Unknown_parking_type_is_rejected()
    {
        var ex = Invalid(c => c.Props("P-1")["type"] = "underground");
        AssertError(ex, "net.geojson", "'P-1'", "properties.type", "'underground' is not one of");
    }

    [Fact]
    public void Saturation_flow_per_lane_out_of_range_is_rejected()
    {
        var ex = Invalid(c => c.Props("S-1")["approaches"]![0]!["laneGroups"]![0]!["saturationFlowVehH"] = 9000);
        AssertError(ex, "net.geojson", "'S-1'", "approaches[0].laneGroups[0].saturationFlowVehH", "outside 300..2400 per lane");
    }

    [Fact]
    public void Unknown_movement_is_rejected()
    {
        var ex = Invalid(c => c.Props("S-1")["approaches"]![0]!["laneGroups"]![0]!["movements"]![0] = "sideways");
        AssertError(ex, "net.geojson", "'S-1'", "approaches[0].laneGroups[0].movements[0]", "'left', 'through'");
    }

    [Fact]
    public void Approach_link_must_exist()
    {
        var ex = Invalid(c => c.Props("S-1")["approaches"]![0]!["link"] = "L-99");
        AssertError(ex, "net.geojson", "'S-1'", "approaches[0].link", "'L-99' does not exist");
    }

    [Fact]
    public void Approach_link_must_end_at_the_signal()
    {
        var ex = Invalid(c => c.Props("L-1")["to"] = "N-X");
        AssertError(ex, "net.geojson", "'S-1'", "approaches[0].link", "ends at 'N-X'");
    }

    [Fact]
    public void Phase_must_serve_existing_lane_groups()
    {
        var ex = Invalid(c => c.Props("S-1")["plan"]!["phases"]![0]!["serves"]![0] = "X.T");
        AssertError(ex, "net.geojson", "'S-1'", "plan.phases[0].serves[0]", "'X.T' is not an approach.laneGroup");
    }

    [Fact]
    public void Every_lane_group_must_be_served()
    {
        var ex = Invalid(c => c.Props("S-1")["plan"]!["phases"]![1]!["serves"] = new JsonArray("S.T"));
        AssertError(ex, "net.geojson", "'S-1'", "plan.phases", "'S.L' is not served");
    }

    [Fact]
    public void Cycle_must_equal_the_sum_of_phase_times()
    {
        var ex = Invalid(c => c.Props("S-1")["plan"]!["cycleS"] = 100);
        AssertError(ex, "net.geojson", "'S-1'", "plan.cycleS", "differs from the sum of the phase times (90 s)");
    }

    [Fact]
    public void Detector_must_name_an_existing_approach()
    {
        var ex = Invalid(c => c.Props("DET-W")["approach"] = "N");
        AssertError(ex, "net.geojson", "'DET-W'", "approach", "has no approach 'N'");
    }

    [Fact]
    public void Detector_must_name_an_existing_lane_group()
    {
        var ex = Invalid(c => c.Props("DET-S")["laneGroup"] = "R");
        AssertError(ex, "net.geojson", "'DET-S'", "laneGroup", "has no lane group 'R'");
    }

    [Fact]
    public void Detector_must_name_an_existing_facility()
    {
        var ex = Invalid(c => c.Props("DET-P-IN")["parking"] = "P-9");
        AssertError(ex, "net.geojson", "'DET-P-IN'", "parking", "'P-9' does not exist");
    }

    [Fact]
    public void Detector_cannot_watch_both_a_signal_and_a_facility()
    {
        var ex = Invalid(c => c.Props("DET-W")["parking"] = "P-1");
        AssertError(ex, "net.geojson", "'DET-W'", "properties", "not both");
    }

    [Fact]
    public void Points_outside_every_district_are_rejected()
    {
        var ex = Invalid(c => c.Feature("P-1")["geometry"]!["coordinates"] = new JsonArray(9.40, 52.105));
        AssertError(ex, "net.geojson", "'P-1'", "geometry", "outside every district");
    }

    [Fact]
    public void Every_error_of_a_city_is_reported_at_once()
    {
        var ex = Invalid(c =>
        {
            c.Props("P-1").Remove("capacity");
            c.Props("L-1")["lanes"] = 0;
            c.Props("DET-W").Remove("approach");
        });
        Assert.Equal(3, ex.Errors.Count);
    }
}
