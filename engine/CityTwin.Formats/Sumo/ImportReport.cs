using System.Text;

namespace CityTwin.Formats.Sumo;

/// <summary>What <see cref="SumoImporter.Import"/> wrote, and what it left out and why.</summary>
public sealed record ImportReport
{
    /// <summary>The city folder written.</summary>
    public required string CityFolder { get; init; }

    public required string CityName { get; init; }

    /// <summary>Non-internal junctions in the net (each a node name; only signals become features).</summary>
    public required int Junctions { get; init; }

    /// <summary>Junctions of a <c>traffic_light</c> type.</summary>
    public required int TrafficLightJunctions { get; init; }

    public required int Signals { get; init; }

    public required int Approaches { get; init; }

    public required int LaneGroups { get; init; }

    /// <summary>Normal edges imported as links (those with at least one car lane).</summary>
    public required int Links { get; init; }

    /// <summary>Normal edges left out: no car lane, or a loop back to the junction they start at.</summary>
    public required int EdgesSkipped { get; init; }

    /// <summary>Whether the net carries longitude/latitude (otherwise coordinates are placed around an anchor).</summary>
    public required bool Georeferenced { get; init; }

    /// <summary>Trips written to <c>trips.csv</c> (0 without a route file).</summary>
    public required int TripsWritten { get; init; }

    /// <summary>Vehicles (or flow vehicles) left out, by reason.</summary>
    public required IReadOnlyDictionary<string, int> VehiclesSkipped { get; init; }

    /// <summary>Everything else worth knowing: signals left out, actuated programs taken as fixed-time, ...</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>The vehicle behaviour written to the manifest (from the vehicle types, docs/sumo-import.md#vehicles).</summary>
    public required Engine.City.VehicleBehaviour Vehicles { get; init; }

    public int VehiclesSkippedTotal => VehiclesSkipped.Values.Sum();

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"imported '{CityName}' into {CityFolder}");
        text.AppendLine($"  junctions        {Junctions} ({TrafficLightJunctions} traffic light)");
        text.AppendLine($"  signals          {Signals} ({Approaches} approaches, {LaneGroups} lane groups)");
        text.AppendLine($"  links            {Links} ({EdgesSkipped} edges skipped: no car lane or a loop)");
        text.AppendLine($"  coordinates      {(Georeferenced ? "longitude/latitude from the net" : "local metres placed around lon 10, lat 50 (the net has no longitude/latitude)")}");
        text.AppendLine($"  trips written    {TripsWritten}");
        text.AppendLine($"  vehicles skipped {VehiclesSkippedTotal}");
        foreach (var (reason, count) in VehiclesSkipped.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            text.AppendLine($"    {count,8}  {reason}");
        }

        text.AppendLine(FormattableString.Invariant(
            $"  vehicles         {Vehicles.UnsignalisedFlowPerLaneVehH:0.#} veh/h per lane, turn equivalents right {Vehicles.RightTurnEquivalent:0.###} left {Vehicles.LeftTurnEquivalent:0.###}, critical gap {Vehicles.CriticalGapS:0.##} s, cruise speed loss {Vehicles.CruiseSpeedLossMs:0.###} m/s, acceleration {Vehicles.AccelerationMs2:0.###} m/s2"));
        foreach (var note in Notes)
        {
            text.AppendLine($"  note: {note}");
        }

        return text.ToString().TrimEnd();
    }
}
