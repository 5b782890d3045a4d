using System.Text.Json.Nodes;

namespace CityTwin.Engine.Tests;

/// <summary>
/// A small valid city as JSON, written to a temp folder: two districts side by side, one signal with two
/// approaches, two links into it, one facility, three detectors. Tests change one thing and check the error.
/// </summary>
internal sealed class TinyCity : IDisposable
{
    public TinyCity()
    {
        Folder = Directory.CreateTempSubdirectory("citytwin-tiny-").FullName;
        Manifest = JsonNode.Parse("""{ "name": "Tiny", "cellSizeM": 250, "files": ["areas.geojson", "net.geojson"] }""")!.AsObject();
        Areas = JsonNode.Parse("""
        { "type": "FeatureCollection", "features": [
          { "type": "Feature", "id": "D-W", "properties": { "kind": "district", "name": "West", "population": 1000 },
            "geometry": { "type": "Polygon", "coordinates": [[[9.30,52.10],[9.31,52.10],[9.31,52.11],[9.30,52.11],[9.30,52.10]]] } },
          { "type": "Feature", "id": "D-E", "properties": { "kind": "district", "name": "East" },
            "geometry": { "type": "Polygon", "coordinates": [[[9.31,52.10],[9.32,52.10],[9.32,52.11],[9.31,52.11],[9.31,52.10]]] } }
        ] }
        """)!.AsObject();
        Net = JsonNode.Parse("""
        { "type": "FeatureCollection", "features": [
          { "type": "Feature", "id": "S-1", "geometry": { "type": "Point", "coordinates": [9.305, 52.105] },
            "properties": { "kind": "signal", "name": "Main / High",
              "approaches": [
                { "id": "W", "link": "L-1", "laneGroups": [ { "id": "T", "movements": ["through", "right"], "lanes": 2, "saturationFlowVehH": 3600 } ] },
                { "id": "S", "link": "L-2", "laneGroups": [ { "id": "L", "movements": ["left"], "lanes": 1, "saturationFlowVehH": 1700 },
                                                            { "id": "T", "movements": ["through"], "lanes": 1, "saturationFlowVehH": 1800 } ] } ],
              "plan": { "id": "base", "cycleS": 90, "offsetS": 0, "phases": [
                { "id": 1, "greenS": 40, "amberS": 3, "allRedS": 2, "serves": ["W.T"] },
                { "id": 2, "greenS": 40, "amberS": 3, "allRedS": 2, "serves": ["S.L", "S.T"] } ] } } },
          { "type": "Feature", "id": "L-1", "geometry": { "type": "LineString", "coordinates": [[9.301,52.105],[9.305,52.105]] },
            "properties": { "kind": "link", "from": "N-W", "to": "S-1", "lanes": 2, "speedLimitKmh": 50 } },
          { "type": "Feature", "id": "L-2", "geometry": { "type": "LineString", "coordinates": [[9.305,52.101],[9.305,52.105]] },
            "properties": { "kind": "link", "from": "N-S", "to": "S-1", "lanes": 2, "speedLimitKmh": 50, "lengthM": 450 } },
          { "type": "Feature", "id": "P-1", "geometry": { "type": "Point", "coordinates": [9.315, 52.105] },
            "properties": { "kind": "parking", "name": "Market Garage", "capacity": 200, "pricePerHour": 2.0, "type": "off-street" } },
          { "type": "Feature", "id": "DET-W", "geometry": { "type": "Point", "coordinates": [9.3045, 52.105] },
            "properties": { "kind": "detector", "signal": "S-1", "approach": "W" } },
          { "type": "Feature", "id": "DET-S", "geometry": { "type": "Point", "coordinates": [9.305, 52.1045] },
            "properties": { "kind": "detector", "signal": "S-1", "approach": "S", "laneGroup": "T" } },
          { "type": "Feature", "id": "DET-P-IN", "geometry": { "type": "Point", "coordinates": [9.3151, 52.105] },
            "properties": { "kind": "detector", "parking": "P-1", "role": "entry" } }
        ] }
        """)!.AsObject();
    }

    public string Folder { get; }

    public JsonObject Manifest { get; }

    public JsonObject Areas { get; }

    public JsonObject Net { get; }

    /// <summary>The feature with this id in net.geojson or areas.geojson.</summary>
    public JsonObject Feature(string id) =>
        Net["features"]!.AsArray().Concat(Areas["features"]!.AsArray())
            .Single(f => (string?)f!["id"] == id)!.AsObject();

    public JsonObject Props(string id) => Feature(id)["properties"]!.AsObject();

    /// <summary>Writes the files and returns the folder.</summary>
    public string Write()
    {
        File.WriteAllText(Path.Combine(Folder, "city.json"), Manifest.ToJsonString());
        File.WriteAllText(Path.Combine(Folder, "areas.geojson"), Areas.ToJsonString());
        File.WriteAllText(Path.Combine(Folder, "net.geojson"), Net.ToJsonString());
        return Folder;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
