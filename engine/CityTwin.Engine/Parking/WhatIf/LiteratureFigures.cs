namespace CityTwin.Engine.Parking.WhatIf;

/// <summary>
/// Published figures the parking what-if uses as defaults or checks against, each with its source. They are
/// stated assumptions: every one can be replaced by the caller.
/// </summary>
public static class LiteratureFigures
{
    /// <summary>
    /// Length of stay of 1,399 vehicles in downtown two-hour on-street spaces, counted by hourly patrols on a
    /// weekday: City of Charlottesville, "Downtown Parking Study, Final Report" (2008), Table 2.4(a), column
    /// "All arrivals" (report page 9): about 1 hour or less 909, about 2 hours 278, 3 h 132, 4 h 39, 5 h 19,
    /// 6 h 5, 7 h 4, 8 hours or more 13; the report gives the mean as 1.6 hours. A patrol sees a stay only to
    /// within its round, so the class "about k hours" is taken as (k - 0.5, k + 0.5] hours, the first as
    /// (0, 1.5] and the last as (7.5, infinity).
    /// </summary>
    public static IReadOnlyList<DurationBin> CharlottesvilleOnStreetStays { get; } =
    [
        new(0, 1.5, 909),
        new(1.5, 2.5, 278),
        new(2.5, 3.5, 132),
        new(3.5, 4.5, 39),
        new(4.5, 5.5, 19),
        new(5.5, 6.5, 5),
        new(6.5, 7.5, 4),
        new(7.5, double.PositiveInfinity, 13),
    ];

    /// <summary>Where <see cref="CharlottesvilleOnStreetStays"/> comes from, for reports.</summary>
    public const string CharlottesvilleSource =
        "City of Charlottesville, Downtown Parking Study Final Report (2008), Table 2.4(a), all arrivals, two-hour on-street spaces";

    /// <summary>
    /// Average price elasticity of on-street parking demand (occupancy) revealed by 5,294 price changes in
    /// SFpark's first year: -0.4 (G. Pierce and D. Shoup, "Getting the Prices Right: An Evaluation of Pricing
    /// Parking by Demand in San Francisco", Journal of the American Planning Association 79(1), 2013, 67-81).
    /// The paper stresses that it varies widely by block and time of day.
    /// </summary>
    public const double SfparkElasticity = -0.4;

    /// <summary>
    /// SFpark's rule (San Francisco Transportation Code, Division II, Section 402): a block's hourly rate goes up
    /// $0.25 when its occupancy is 80% or above, stays when 60% to 80%, goes down $0.25 below 60%; not more
    /// often than once every 28 days.
    /// </summary>
    public const double SfparkLowerTarget = 0.60;

    /// <summary>Upper end of SFpark's target occupancy band (see <see cref="SfparkLowerTarget"/>).</summary>
    public const double SfparkUpperTarget = 0.80;

    /// <summary>SFpark's price step per adjustment ($0.25 an hour; see <see cref="SfparkLowerTarget"/>).</summary>
    public const double SfparkStep = 0.25;

    /// <summary>
    /// Shortest time to find a kerb space over the cruising studies of 1927-2001 that D. Shoup reviewed
    /// ("Cruising for parking", Transport Policy 13(6), 2006, 479-486, abstract: "between 3.5 and 14 min"). Used
    /// only as a plausibility check of the simulated search, never as an input.
    /// </summary>
    public const double ShoupCruisingMinutesLow = 3.5;

    /// <summary>Longest such time (see <see cref="ShoupCruisingMinutesLow"/>).</summary>
    public const double ShoupCruisingMinutesHigh = 14;
}
