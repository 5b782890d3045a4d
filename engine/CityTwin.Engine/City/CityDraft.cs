using NetTopologySuite.Geometries;

namespace CityTwin.Engine.City;

/// <summary>
/// A city as read from its files, before references are resolved and geometry is derived.
/// Every draft carries <c>Source</c>, a human-readable location ("network.geojson: feature #3 'S-01'"),
/// so that errors found here name the file and the feature.
/// </summary>
public sealed class CityDraft
{
    public string Name { get; set; } = "";

    public double CellSizeM { get; set; } = 250;

    /// <summary>The manifest's demand files (names relative to the city folder); empty when it lists none.</summary>
    public IReadOnlyList<string> DemandFiles { get; set; } = [];

    /// <summary>The manifest's <c>vehicles</c> (the defaults when it has none).</summary>
    public VehicleBehaviour Vehicles { get; set; } = VehicleBehaviour.Default;

    /// <summary>The manifest's <c>alerts</c> thresholds (the defaults when it has none).</summary>
    public Live.AlertThresholds Alerts { get; set; } = Live.AlertThresholds.Default;

    /// <summary>The manifest's <c>timeZone</c> (UTC when it has none).</summary>
    public TimeZoneInfo TimeZone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>The manifest's <c>parkingModel</c>, read (null when it names none).</summary>
    public Parking.Forecast.FittedParkingModel? ParkingModel { get; set; }

    /// <summary>The rows of the manifest's controllers file (docs/city-format.md); empty when it names none.</summary>
    public List<Signals.SignalDetectorDraft> SignalDetectors { get; } = [];

    public List<DistrictDraft> Districts { get; } = [];

    public List<SignalDraft> Signals { get; } = [];

    public List<LinkDraft> Links { get; } = [];

    public List<ParkingDraft> Parking { get; } = [];

    public List<DetectorDraft> Detectors { get; } = [];
}

public sealed record DistrictDraft(string Source, string Id, string Name, long? Population, Geometry Boundary);

public sealed record SignalDraft(
    string Source,
    string Id,
    string Name,
    Coordinate Location,
    IReadOnlyList<Approach> Approaches,
    TimingPlan Plan,
    double JunctionWidthM);

public sealed record LinkDraft(
    string Source,
    string Id,
    string? Name,
    string From,
    string To,
    int Lanes,
    double SpeedLimitKmh,
    double? LengthM,
    IReadOnlyList<Coordinate> Path)
{
    /// <summary>The links a vehicle may take after this one, when the city names them (see <see cref="RoadLink.Next"/>).</summary>
    public IReadOnlyList<string>? Next { get; init; }
}

public sealed record ParkingDraft(
    string Source,
    string Id,
    string Name,
    Coordinate Location,
    int Capacity,
    double PricePerHour,
    string Currency,
    ParkingType Type);

public sealed record DetectorDraft(
    string Source,
    string Id,
    Coordinate Location,
    string? SignalId,
    string? ApproachId,
    string? LaneGroupId,
    string? ParkingId,
    GateRole Role);
