using CityTwin.Engine.City;

namespace CityTwin.Engine.Parking.WhatIf;

/// <summary>
/// The stated assumptions of the parking demand model. Everything here can be changed by the caller; the
/// defaults are the ones documented in docs/parking-whatif.md with their sources.
/// </summary>
public sealed record ParkingDemandAssumptions
{
    /// <summary>How long drivers stay (every facility, unless <see cref="DwellOffStreet"/> is set).</summary>
    public required DwellDistribution Dwell { get; init; }

    /// <summary>Stays in off-street facilities, when they differ from <see cref="Dwell"/>.</summary>
    public DwellDistribution? DwellOffStreet { get; init; }

    /// <summary>Monday..Sunday multipliers of the weekday demand (the city's demand table is a weekday).</summary>
    public IReadOnlyList<double> DayFactors { get; init; } = [1, 1, 1, 1, 1, 1, 1];

    /// <summary>
    /// Expected city-wide occupancy (all spaces) at the busiest time of a weekday at today's prices that
    /// calibrates <see cref="ParkingShare"/> when it is not given.
    /// </summary>
    public double TargetPeakOccupancy { get; init; } = 0.65;

    /// <summary>
    /// Share of the car trips ending within walking distance of a facility that look for public parking; null:
    /// calibrated so that the expected weekday peak occupancy equals <see cref="TargetPeakOccupancy"/>.
    /// </summary>
    public double? ParkingShare { get; init; }

    /// <summary>
    /// Elasticity of a facility's arrivals with respect to the cost of a stay there (price x stay): arrivals
    /// scale by (cost / today's cost)^elasticity. Default: SFpark's average, -0.4 (<see cref="LiteratureFigures.SfparkElasticity"/>).
    /// </summary>
    public double Elasticity { get; init; } = LiteratureFigures.SfparkElasticity;

    /// <summary>A driver considers facilities within this straight-line walk of the destination (m).</summary>
    public double MaxWalkM { get; init; } = 600;

    /// <summary>When the chosen facility is full, a driver tries others within this walk of the destination (m).</summary>
    public double MaxSearchWalkM { get; init; } = 1000;

    /// <summary>Walking speed (m/s) that turns a walk into time.</summary>
    public double WalkSpeedMps { get; init; } = 1.2;

    /// <summary>Money per hour of walking (the facility's currency) in the choice of facility.</summary>
    public double ValueOfTimePerHour { get; init; } = 12;

    /// <summary>
    /// Scale of the logit choice of facility per unit of money: a facility whose price x stay plus walk costs one
    /// unit more is e^scale times less likely to be picked (0: every facility in reach equally likely).
    /// </summary>
    public double ChoiceScale { get; init; } = 1.0;

    /// <summary>The dwell distribution of a facility type.</summary>
    public DwellDistribution DwellFor(ParkingType type) =>
        type == ParkingType.OffStreet && DwellOffStreet is not null ? DwellOffStreet : Dwell;

    /// <summary>Throws <see cref="ArgumentException"/> naming every bad assumption.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        try
        {
            Dwell.Validate("dwell");
            DwellOffStreet?.Validate("dwellOffStreet");
        }
        catch (ArgumentException e)
        {
            errors.Add(e.Message);
        }

        if (DayFactors.Count != 7 || DayFactors.Any(f => !(f >= 0) || !double.IsFinite(f)))
        {
            errors.Add("dayFactors: needs 7 numbers >= 0 (Monday..Sunday)");
        }

        if (!(TargetPeakOccupancy > 0 && TargetPeakOccupancy <= 1.5))
        {
            errors.Add($"targetPeakOccupancy: {TargetPeakOccupancy} is outside (0, 1.5]");
        }

        if (ParkingShare is { } s && !(s > 0 && s <= 1))
        {
            errors.Add($"parkingShare: {s} is outside (0, 1]");
        }

        if (!double.IsFinite(Elasticity) || Elasticity > 0 || Elasticity < -5)
        {
            errors.Add($"elasticity: {Elasticity} is outside -5..0 (higher prices cannot attract drivers)");
        }

        if (!(MaxWalkM > 0) || !double.IsFinite(MaxWalkM))
        {
            errors.Add($"maxWalkM: {MaxWalkM} must be > 0");
        }

        if (!(MaxSearchWalkM >= MaxWalkM) || !double.IsFinite(MaxSearchWalkM))
        {
            errors.Add($"maxSearchWalkM: {MaxSearchWalkM} must be >= maxWalkM ({MaxWalkM})");
        }

        if (!(WalkSpeedMps > 0) || !double.IsFinite(WalkSpeedMps))
        {
            errors.Add($"walkSpeedMps: {WalkSpeedMps} must be > 0");
        }

        if (!(ValueOfTimePerHour >= 0) || !double.IsFinite(ValueOfTimePerHour))
        {
            errors.Add($"valueOfTimePerHour: {ValueOfTimePerHour} must be >= 0");
        }

        if (!(ChoiceScale >= 0) || !double.IsFinite(ChoiceScale))
        {
            errors.Add($"choiceScale: {ChoiceScale} must be >= 0");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
    }
}

/// <summary>How drivers who find their facility full search on (stated assumptions).</summary>
public sealed record SearchAssumptions
{
    /// <summary>
    /// True: drivers know which facilities have space (guidance signs, an app) and drive to the nearest one with
    /// space; false: they drive to the nearest one they have not tried and look.
    /// </summary>
    public bool Guided { get; init; } = true;

    /// <summary>Facilities a driver tries, the first choice included, before giving up (a rejected arrival).</summary>
    public int MaxTries { get; init; } = 3;

    /// <summary>Speed while searching (km/h): turns search distance into search time.</summary>
    public double SearchSpeedKmh { get; init; } = 20;

    /// <summary>Distance driven round a full on-street zone before moving on (m): one loop of a block.</summary>
    public double OnStreetCirclingM { get; init; } = 400;

    /// <summary>Distance driven at a full off-street facility before moving on (m): its "full" sign is seen at the gate.</summary>
    public double OffStreetCirclingM { get; init; }

    /// <summary>Road distance over straight-line distance, used where no road network path exists.</summary>
    public double Circuity { get; init; } = 1.3;

    /// <summary>Throws <see cref="ArgumentException"/> naming every bad assumption.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (MaxTries < 1)
        {
            errors.Add($"maxTries: {MaxTries} must be >= 1");
        }

        if (!(SearchSpeedKmh > 0) || !double.IsFinite(SearchSpeedKmh))
        {
            errors.Add($"searchSpeedKmh: {SearchSpeedKmh} must be > 0");
        }

        if (!(OnStreetCirclingM >= 0) || !(OffStreetCirclingM >= 0) || !double.IsFinite(OnStreetCirclingM + OffStreetCirclingM))
        {
            errors.Add("circling distances must be >= 0");
        }

        if (!(Circuity >= 1) || !double.IsFinite(Circuity))
        {
            errors.Add($"circuity: {Circuity} must be >= 1");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
    }
}
