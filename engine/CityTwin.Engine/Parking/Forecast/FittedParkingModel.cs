namespace CityTwin.Engine.Parking.Forecast;

/// <summary>
/// The occupancy forecaster as the live twin uses it (docs/parking-forecast.md, "In the live twin"): the parameters
/// fitted offline on a history of counts and each facility's profile as it stood at the end of that history (its last
/// count in the history's local time). A facility of the city not in it gets the pooled parameters and an empty profile.
/// </summary>
public sealed class FittedParkingModel
{
    public FittedParkingModel(OccupancyForecaster forecaster, IReadOnlyDictionary<string, FacilityProfileData> profiles)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        ArgumentNullException.ThrowIfNull(profiles);
        Forecaster = forecaster;
        Profiles = profiles;
    }

    public OccupancyForecaster Forecaster { get; }

    /// <summary>Each fitted facility's profile at the end of the history (local times).</summary>
    public IReadOnlyDictionary<string, FacilityProfileData> Profiles { get; }

    /// <summary>
    /// Fits the model on the counts before <paramref name="trainUntil"/> (<see cref="OccupancyForecaster.Fit"/>) and keeps
    /// each facility's profile as those counts leave it.
    /// </summary>
    public static FittedParkingModel Fit(OccupancyHistory history, DateTime trainUntil, ForecastOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        var forecaster = OccupancyForecaster.Fit(history, trainUntil, options);
        var profiles = new Dictionary<string, FacilityProfileData>(StringComparer.Ordinal);
        foreach (var f in history.Facilities)
        {
            var state = forecaster.Start(f.Facility);
            var last = f.LastAtOrBefore(trainUntil.Ticks - 1);
            for (var i = 0; i <= last; i++)
            {
                state.Apply(f.Ticks[i], f.Occupied[i], f.Capacity[i]);
            }

            if (state.Applied > 0)
            {
                profiles[f.Facility] = state.Export();
            }
        }

        return new FittedParkingModel(forecaster, profiles);
    }

    /// <summary>True when the facility has parameters of its own (else it takes the pool's).</summary>
    public bool Knows(string facility) => Forecaster.Facilities.ContainsKey(facility);

    /// <summary>
    /// A facility's live state: times are UTC, placed in the slots of <paramref name="zone"/>'s local time. It starts
    /// with the facility's profile from the history (its last count's local time read in <paramref name="zone"/>), or
    /// empty with the pooled parameters for a facility the model does not know.
    /// </summary>
    public FacilityForecastState StartLive(string facility, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var model = Forecaster.For(facility);
        if (!Profiles.TryGetValue(facility, out var profile))
        {
            return new FacilityForecastState(model, Forecaster.Options, zone);
        }

        var utc = profile with { LastTicks = ToUtc(profile.LastTicks, zone) };
        return new FacilityForecastState(model, Forecaster.Options, utc, zone);
    }

    /// <summary>A facility's live state restored from its persisted profile (UTC times).</summary>
    public FacilityForecastState Restore(string facility, FacilityProfileData profile, TimeZoneInfo zone) =>
        new(Forecaster.For(facility), Forecaster.Options, profile, zone);

    /// <summary>A local time of <paramref name="zone"/> in UTC; a time skipped by a clock change is read with the standard offset.</summary>
    public static long ToUtc(long localTicks, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = new DateTime(localTicks, DateTimeKind.Unspecified);
        return zone.IsInvalidTime(local)
            ? local.Ticks - zone.BaseUtcOffset.Ticks
            : TimeZoneInfo.ConvertTimeToUtc(local, zone).Ticks;
    }
}
