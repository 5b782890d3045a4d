namespace CityTwin.Engine.Live;

/// <summary>The sensor event types of the event contract.</summary>
public enum SensorEventType
{
    Detector,
    SignalPhase,
    Parking,
    ParkingOccupancy,

    /// <summary>A row of a traffic controller's high-resolution event log (docs/signal-measures.md).</summary>
    ControllerEvent,
}

/// <summary>Signal head colour reported by a <c>signal-phase</c> event.</summary>
public enum LightState
{
    Green,
    Amber,
    Red,
}

/// <summary>A vehicle entering or leaving a facility.</summary>
public enum ParkingMovement
{
    Entry,
    Exit,
}

/// <summary>
/// One sensor event as the engine sees it. Fields that do not belong to <see cref="Type"/> are zero.
/// <see cref="Ts"/> is kept as UTC ticks so that the engine never needs a clock or a time zone.
/// </summary>
public readonly record struct SensorReading(
    SensorEventType Type,
    string Sensor,
    long TsTicks,
    long Seq,
    int Count = 0,
    double Occupancy = 0,
    double IntervalS = 0,
    int Phase = 0,
    LightState Light = LightState.Red,
    ParkingMovement Movement = ParkingMovement.Entry,
    int Occupied = 0,
    int EventId = 0,
    int Parameter = 0)
{
    /// <summary>The event time as a UTC timestamp.</summary>
    public DateTimeOffset Ts => new(TsTicks, TimeSpan.Zero);

    /// <summary>The event type's name in the contract (<c>detector</c>, <c>signal-phase</c>, ...).</summary>
    public static string TypeName(SensorEventType type) => type switch
    {
        SensorEventType.Detector => "detector",
        SensorEventType.SignalPhase => "signal-phase",
        SensorEventType.Parking => "parking",
        SensorEventType.ParkingOccupancy => "parking-occupancy",
        SensorEventType.ControllerEvent => "controller-event",
        _ => type.ToString(),
    };
}
