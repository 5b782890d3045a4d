using NetTopologySuite.Geometries;

namespace CityTwin.Engine.City;

/// <summary>A movement a lane group serves.</summary>
public enum Movement
{
    Left,
    Through,
    Right,
    UTurn,
}

/// <summary>Whether a parking facility is a garage/lot or kerbside spaces.</summary>
public enum ParkingType
{
    OffStreet,
    OnStreet,
}

/// <summary>Which gate of a facility a parking detector watches.</summary>
public enum GateRole
{
    Unspecified,
    Entry,
    Exit,
}

/// <summary>Lanes of one approach that share a queue and a signal.</summary>
public sealed record LaneGroup(string Id, IReadOnlyList<Movement> Movements, int Lanes, double SaturationFlowVehH)
{
    /// <summary>
    /// The links this lane group feeds, when the city names them (an imported SUMO network does); when null,
    /// the simulation derives them from <see cref="Movements"/> and the links' geometry.
    /// </summary>
    public IReadOnlyList<string>? ToLinks { get; init; }
}

/// <summary>One arm that enters a signalised junction.</summary>
public sealed record Approach(string Id, string? LinkId, IReadOnlyList<LaneGroup> LaneGroups)
{
    /// <summary>Sum of the lane groups' saturation flows (veh/h of green).</summary>
    public double SaturationFlowVehH => LaneGroups.Sum(g => g.SaturationFlowVehH);
}

/// <summary>A lane group named by its approach, as phases refer to it ("N.TR").</summary>
public readonly record struct LaneGroupRef(string Approach, string LaneGroup)
{
    public override string ToString() => $"{Approach}.{LaneGroup}";
}

/// <summary>One phase of a fixed-time plan.</summary>
public sealed record Phase(int Id, double GreenS, double AmberS, double AllRedS, IReadOnlyList<LaneGroupRef> Serves)
{
    /// <summary>Green + amber + all-red.</summary>
    public double DurationS => GreenS + AmberS + AllRedS;
}

/// <summary>A fixed-time signal plan: phases in running order.</summary>
public sealed record TimingPlan(string Id, double CycleS, double OffsetS, IReadOnlyList<Phase> Phases)
{
    /// <summary>Effective green of a lane group: the greens of the phases that serve it.</summary>
    public double EffectiveGreenS(LaneGroupRef group) =>
        Phases.Where(p => p.Serves.Contains(group)).Sum(p => p.GreenS);
}

/// <summary>Where an entity lies: its projected position, grid cell and district.</summary>
public sealed record Placement(double X, double Y, string CellId, string DistrictId);

/// <summary>A signalised intersection.</summary>
public sealed record SignalSite(
    string Id,
    string Name,
    Coordinate Location,
    IReadOnlyList<Approach> Approaches,
    TimingPlan Plan,
    double JunctionWidthM,
    Placement Placement);

/// <summary>A directed road section between two nodes.</summary>
public sealed record RoadLink(
    string Id,
    string? Name,
    string From,
    string To,
    int Lanes,
    double SpeedLimitKmh,
    double LengthM,
    IReadOnlyList<Coordinate> Path,
    Placement Placement)
{
    /// <summary>
    /// The links a vehicle may take after this one, when the city names them (an imported SUMO network does);
    /// when null, every link that leaves this link's <see cref="To"/> node except the U-turn back to
    /// <see cref="From"/> (allowed only at a dead end).
    /// </summary>
    public IReadOnlyList<string>? Next { get; init; }
}

/// <summary>A parking facility.</summary>
public sealed record ParkingFacility(
    string Id,
    string Name,
    Coordinate Location,
    int Capacity,
    double PricePerHour,
    string Currency,
    ParkingType Type,
    Placement Placement);

/// <summary>A detector: on an approach of a signal, or at a facility's gate.</summary>
public sealed record Detector(
    string Id,
    Coordinate Location,
    string? SignalId,
    string? ApproachId,
    string? LaneGroupId,
    string? ParkingId,
    GateRole Role,
    Placement Placement)
{
    /// <summary>The entity whose state the detector's events change.</summary>
    public string TargetId => SignalId ?? ParkingId!;
}

/// <summary>A district: the planner's unit.</summary>
public sealed record District(string Id, string Name, long? Population, Geometry Boundary, Geometry ProjectedBoundary);

/// <summary>A square grid cell in the city's metric projection.</summary>
public sealed record GridCell(string Id, int Column, int Row, double MinX, double MinY, double SizeM, string? DistrictId)
{
    /// <summary>Ids of the up to eight cells around this one (those that exist in the grid).</summary>
    public IReadOnlyList<string> Neighbours { get; init; } = [];
}
