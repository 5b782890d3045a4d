namespace CityTwin.Engine.City;

/// <summary>The kinds of entity a city holds.</summary>
public enum EntityKind
{
    Signal,
    Parking,
    Detector,
    Cell,
    District,
    Link,
}

/// <summary>An entity id with where it lies, as the entity listing shows it.</summary>
public sealed record EntityListing(string Id, EntityKind Kind, string? DistrictId, string? CellId, string? Name);

/// <summary>What a sensor id refers to, and the entity whose state its events change.</summary>
public sealed record SensorTarget(string SensorId, EntityKind TargetKind, string TargetId, Detector? Detector);

/// <summary>
/// A validated city: its entities, their placement in grid cells and districts, and the lookups
/// the live twin needs. Immutable once built; build one with <see cref="CityBuilder"/>.
/// </summary>
public sealed class CityModel
{
    private readonly Dictionary<string, SensorTarget> _sensors;

    internal CityModel(
        string name,
        double cellSizeM,
        LocalProjection projection,
        IReadOnlyList<District> districts,
        IReadOnlyList<SignalSite> signals,
        IReadOnlyList<RoadLink> links,
        IReadOnlyList<ParkingFacility> parking,
        IReadOnlyList<Detector> detectors,
        IReadOnlyList<GridCell> cells)
    {
        Name = name;
        CellSizeM = cellSizeM;
        Projection = projection;
        Districts = districts;
        Signals = signals;
        Links = links;
        Parking = parking;
        Detectors = detectors;
        Cells = cells;
        DistrictsById = districts.ToDictionary(d => d.Id, StringComparer.Ordinal);
        SignalsById = signals.ToDictionary(s => s.Id, StringComparer.Ordinal);
        LinksById = links.ToDictionary(l => l.Id, StringComparer.Ordinal);
        ParkingById = parking.ToDictionary(p => p.Id, StringComparer.Ordinal);
        DetectorsById = detectors.ToDictionary(d => d.Id, StringComparer.Ordinal);
        CellsById = cells.ToDictionary(c => c.Id, StringComparer.Ordinal);

        _sensors = new Dictionary<string, SensorTarget>(StringComparer.Ordinal);
        foreach (var s in signals)
        {
            _sensors[s.Id] = new SensorTarget(s.Id, EntityKind.Signal, s.Id, null);
        }

        foreach (var p in parking)
        {
            _sensors[p.Id] = new SensorTarget(p.Id, EntityKind.Parking, p.Id, null);
        }

        foreach (var d in detectors)
        {
            var kind = d.SignalId is not null ? EntityKind.Signal : EntityKind.Parking;
            _sensors[d.Id] = new SensorTarget(d.Id, kind, d.TargetId, d);
        }

        DetectorsByTarget = detectors
            .GroupBy(d => d.TargetId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Detector>)g.ToList(), StringComparer.Ordinal);
    }

    public string Name { get; }

    public double CellSizeM { get; }

    /// <summary>
    /// The demand files the manifest lists (names relative to the city folder, in manifest order); empty when
    /// none. The model holds only the names; reading them is the demand reader's job.
    /// </summary>
    public IReadOnlyList<string> DemandFiles { get; init; } = [];

    /// <summary>How the city's vehicles and drivers behave in the traffic simulation (the manifest's <c>vehicles</c>; HCM and SUMO-car defaults without it).</summary>
    public VehicleBehaviour Vehicles { get; init; } = VehicleBehaviour.Default;

    /// <summary>When the live twin raises and clears alerts (the manifest's <c>alerts</c>; docs/alerts.md defaults without it).</summary>
    public Live.AlertThresholds Alerts { get; init; } = Live.AlertThresholds.Default;

    /// <summary>
    /// The city's time zone (the manifest's <c>timeZone</c>; UTC without it): live events are UTC, and the parking
    /// forecast's weekday and time-of-day slots are the city's local time.
    /// </summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>
    /// The parking occupancy model the live twin forecasts with (the manifest's <c>parkingModel</c>); null: the
    /// facilities forecast with the trend (docs/parking-forecast.md).
    /// </summary>
    public Parking.Forecast.FittedParkingModel? ParkingModel { get; init; }

    /// <summary>The traffic controllers of the signals that have one, by signal id (the manifest's controllers file).</summary>
    public IReadOnlyDictionary<string, Signals.SignalController> SignalControllers { get; init; } = new Dictionary<string, Signals.SignalController>();

    public LocalProjection Projection { get; }

    public IReadOnlyList<District> Districts { get; }

    public IReadOnlyList<SignalSite> Signals { get; }

    public IReadOnlyList<RoadLink> Links { get; }

    public IReadOnlyList<ParkingFacility> Parking { get; }

    public IReadOnlyList<Detector> Detectors { get; }

    /// <summary>Every cell of the grid over the districts' bounding box.</summary>
    public IReadOnlyList<GridCell> Cells { get; }

    public IReadOnlyDictionary<string, District> DistrictsById { get; }

    public IReadOnlyDictionary<string, SignalSite> SignalsById { get; }

    public IReadOnlyDictionary<string, RoadLink> LinksById { get; }

    public IReadOnlyDictionary<string, ParkingFacility> ParkingById { get; }

    public IReadOnlyDictionary<string, Detector> DetectorsById { get; }

    public IReadOnlyDictionary<string, GridCell> CellsById { get; }

    /// <summary>Detectors by the signal or facility they watch.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Detector>> DetectorsByTarget { get; }

    /// <summary>Looks up a sensor id: a signal, a facility or a detector.</summary>
    public bool TryGetSensor(string sensorId, out SensorTarget target) =>
        _sensors.TryGetValue(sensorId, out target!);

    /// <summary>Detectors that watch a signal or facility (empty when none).</summary>
    public IReadOnlyList<Detector> DetectorsOf(string targetId) =>
        DetectorsByTarget.TryGetValue(targetId, out var list) ? list : [];

    /// <summary>The ids of one kind with their district and cell, in a stable order.</summary>
    public IReadOnlyList<EntityListing> List(EntityKind kind) => kind switch
    {
        EntityKind.Signal => Signals.Select(s => new EntityListing(s.Id, kind, s.Placement.DistrictId, s.Placement.CellId, s.Name)).ToList(),
        EntityKind.Parking => Parking.Select(p => new EntityListing(p.Id, kind, p.Placement.DistrictId, p.Placement.CellId, p.Name)).ToList(),
        EntityKind.Detector => Detectors.Select(d => new EntityListing(d.Id, kind, d.Placement.DistrictId, d.Placement.CellId, null)).ToList(),
        EntityKind.Link => Links.Select(l => new EntityListing(l.Id, kind, l.Placement.DistrictId, l.Placement.CellId, l.Name)).ToList(),
        EntityKind.Cell => Cells.Select(c => new EntityListing(c.Id, kind, c.DistrictId, c.Id, null)).ToList(),
        EntityKind.District => Districts.Select(d => new EntityListing(d.Id, kind, d.Id, null, d.Name)).ToList(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown entity kind"),
    };

    /// <summary>Cells that hold at least one signal or facility (the ones that have live aggregates).</summary>
    public IEnumerable<string> OccupiedCellIds() =>
        Signals.Select(s => s.Placement.CellId)
            .Concat(Parking.Select(p => p.Placement.CellId))
            .Distinct(StringComparer.Ordinal);
}
