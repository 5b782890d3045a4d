using CityTwin.Engine.City;

namespace CityTwin.Engine.Live;

/// <summary>
/// The rules of the event contract that need the city or the time: the sensor must exist and fit the
/// event type, a phase must be in the signal's plan, occupancy may exceed capacity by at most 5%, and
/// the timestamp may be at most five minutes in the future. Field syntax and ranges are checked by the
/// reader before this.
/// </summary>
public static class EventRules
{
    /// <summary>How far in the future an event's timestamp may be.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);

    /// <summary>How far above capacity an occupancy snapshot may be (share of capacity).</summary>
    public const double OccupiedOverCapacityTolerance = 0.05;

    /// <summary>Checks one event; returns null when it may be applied, else the reason it is rejected.</summary>
    public static string? Check(CityModel city, in SensorReading r, long nowTicks, out SensorTarget? target)
    {
        target = null;
        if (!city.TryGetSensor(r.Sensor, out var t))
        {
            return $"unknown sensor '{r.Sensor}'";
        }

        if (r.TsTicks > nowTicks + MaxFutureSkew.Ticks)
        {
            return $"ts {r.Ts:O} is more than {MaxFutureSkew.TotalMinutes:0} minutes in the future";
        }

        var typeName = SensorReading.TypeName(r.Type);
        switch (r.Type)
        {
            case SensorEventType.Detector when t.Detector is null:
                return $"sensor '{r.Sensor}' is a {Describe(t)}, not a detector; a 'detector' event needs a detector id";
            case SensorEventType.SignalPhase when t.Detector is not null || t.TargetKind != EntityKind.Signal:
                return $"sensor '{r.Sensor}' is a {Describe(t)}; a '{typeName}' event needs a signal id";
            case SensorEventType.ControllerEvent when t.Detector is not null || t.TargetKind != EntityKind.Signal:
                return $"sensor '{r.Sensor}' is a {Describe(t)}; a '{typeName}' event needs a signal id";
            case SensorEventType.ControllerEvent when !city.SignalControllers.ContainsKey(t.TargetId):
                return $"signal '{t.TargetId}' has no controller in the city's controllers file";
            case SensorEventType.SignalPhase when !HasPhase(city.SignalsById[t.TargetId].Plan, r.Phase):
                return $"phase {r.Phase} is not in the plan of signal '{t.TargetId}'";
            case SensorEventType.Parking or SensorEventType.ParkingOccupancy when t.TargetKind != EntityKind.Parking:
                return $"sensor '{r.Sensor}' is a {Describe(t)}; a '{typeName}' event needs a parking facility or one of its detectors";
            case SensorEventType.ParkingOccupancy:
                var capacity = city.ParkingById[t.TargetId].Capacity;
                var limit = capacity * (1 + OccupiedOverCapacityTolerance);
                if (r.Occupied > limit)
                {
                    return $"occupied {r.Occupied} is above capacity {capacity} by more than {OccupiedOverCapacityTolerance:P0}";
                }

                break;
        }

        target = t;
        return null;
    }

    private static bool HasPhase(TimingPlan plan, int phase) => plan.Phases.Any(p => p.Id == phase);

    private static string Describe(SensorTarget t) => t.Detector is not null
        ? $"detector of {(t.TargetKind == EntityKind.Signal ? "signal" : "parking facility")} '{t.TargetId}'"
        : t.TargetKind == EntityKind.Signal ? "signal" : "parking facility";
}
