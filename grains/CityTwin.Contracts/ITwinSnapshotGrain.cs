namespace CityTwin.Contracts;

/// <summary>
/// The live state of a whole twin at one moment: every signal's state (current plan, approach flows, queue
/// estimates) and every parking facility's state. A what-if starts from it.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.TwinSnapshotData")]
public sealed record TwinSnapshotData(
    [property: Id(0)] string Twin,
    [property: Id(1)] DateTimeOffset? AsOf,
    [property: Id(2)] IReadOnlyList<SignalState> Signals,
    [property: Id(3)] IReadOnlyList<ParkingState> Parking);

/// <summary>Takes snapshots of a twin; key: the twin id.</summary>
[Alias("CityTwin.ITwinSnapshotGrain")]
public interface ITwinSnapshotGrain : IGrainWithStringKey
{
    /// <summary>Reads every signal and facility of the twin (in parallel) into one snapshot.</summary>
    [Alias("Take")]
    Task<TwinSnapshotData> TakeAsync();
}
