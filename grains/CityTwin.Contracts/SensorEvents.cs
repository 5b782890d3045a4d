namespace CityTwin.Contracts;

/// <summary>Sensor event types of the NDJSON contract.</summary>
public enum SensorEventKind
{
    Detector = 0,
    SignalPhase = 1,
    Parking = 2,
    ParkingOccupancy = 3,
    ControllerEvent = 4,
}

/// <summary>
/// One validated sensor event as it travels on a stream. Fields that do not belong to <see cref="Kind"/>
/// are zero. <see cref="Light"/>: 0 green, 1 amber, 2 red; <see cref="Movement"/>: 0 entry, 1 exit;
/// <see cref="EventId"/> and <see cref="Parameter"/>: a controller event's code and parameter.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.SensorEventData")]
public sealed record SensorEventData(
    [property: Id(0)] SensorEventKind Kind,
    [property: Id(1)] string Sensor,
    [property: Id(2)] long TsTicks,
    [property: Id(3)] long Seq,
    [property: Id(4)] int Count,
    [property: Id(5)] double Occupancy,
    [property: Id(6)] double IntervalS,
    [property: Id(7)] int Phase,
    [property: Id(8)] int Light,
    [property: Id(9)] int Movement,
    [property: Id(10)] int Occupied,
    [property: Id(11)] int EventId = 0,
    [property: Id(12)] int Parameter = 0);

/// <summary>An event that broke a rule: the sensor it named, its seq if readable, the reason and the line.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.RejectedEventData")]
public sealed record RejectedEventData(
    [property: Id(0)] string Sensor,
    [property: Id(1)] long? Seq,
    [property: Id(2)] string Reason,
    [property: Id(3)] string Text);

/// <summary>How many repeats of already seen (sensor, seq) pairs one sensor sent.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.DuplicateCount")]
public sealed record DuplicateCount([property: Id(0)] string Sensor, [property: Id(1)] int Count);

/// <summary>
/// What travels on a sensor stream: the new events for one entity from one ingest, plus the duplicates and
/// rejections of its sensors, so the entity's counters see every event. <see cref="Position"/> is the
/// batch's place in the entity's intake journal (1, 2, 3, ...), or 0 when the intake keeps no journal
/// (in-memory storage); the entity applies journaled batches once each, in position order.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.SensorBatch")]
public sealed record SensorBatch(
    [property: Id(0)] IReadOnlyList<SensorEventData> Events,
    [property: Id(1)] IReadOnlyList<DuplicateCount> Duplicates,
    [property: Id(2)] IReadOnlyList<RejectedEventData> Rejected,
    [property: Id(3)] long Position = 0);

/// <summary>Events for one entity handed to its intake grain for de-duplication and publishing.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.IntakeBatch")]
public sealed record IntakeBatch(
    [property: Id(0)] IReadOnlyList<SensorEventData> Events,
    [property: Id(1)] IReadOnlyList<RejectedEventData> Rejected);

/// <summary>The intake's answer: how many of the events were new (now in the stream) and how many repeats.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.IntakeReceipt")]
public sealed record IntakeReceipt([property: Id(0)] int Accepted, [property: Id(1)] int Duplicates);

/// <summary>One rejected input line: its number in the batch and why.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.LineError")]
public sealed record LineError([property: Id(0)] int Line, [property: Id(1)] string Reason);

/// <summary>
/// The answer to an ingest: every non-blank line is counted in exactly one of accepted, duplicates and
/// rejected; rejected lines are listed with their line number and reason.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.IngestReport")]
public sealed record IngestReport(
    [property: Id(0)] int Accepted,
    [property: Id(1)] int Duplicates,
    [property: Id(2)] int Rejected,
    [property: Id(3)] IReadOnlyList<LineError> Errors);

/// <summary>A rejected line kept at twin level for inspection (sensor unknown or line unreadable).</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.RejectedLine")]
public sealed record RejectedLine(
    [property: Id(0)] DateTimeOffset ReceivedAt,
    [property: Id(1)] int Line,
    [property: Id(2)] string? Sensor,
    [property: Id(3)] string Reason,
    [property: Id(4)] string Text);

/// <summary>The twin-level record of rejected lines: totals and the newest ones.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.IngestLog")]
public sealed record IngestLog(
    [property: Id(0)] long Accepted,
    [property: Id(1)] long Duplicates,
    [property: Id(2)] long Rejected,
    [property: Id(3)] IReadOnlyList<RejectedLine> RecentRejected);
