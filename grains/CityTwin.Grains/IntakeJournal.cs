namespace CityTwin.Grains;

/// <summary>
/// The durable side of sensor intake: where each entity's accepted batches are written before the ingest
/// answers, and read back by the entity grain when it activates or finds a gap. Positions are per entity
/// (twin, entity) and count 1, 2, 3, ...; the head holds the last position and the intake's de-duplication
/// windows, written in the same transaction as the batch.
/// </summary>
public interface IIntakeJournal
{
    /// <summary>False for the in-memory default: nothing is written, batches carry position 0.</summary>
    bool IsDurable { get; }

    /// <summary>The entity's head (last position and windows); position 0 and no windows for a new entity.</summary>
    Task<IntakeHead> ReadHeadAsync(string twin, string entityId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="batch"/> at position <c>expectedPosition + 1</c> and moves the head there with
    /// the new windows, in one transaction. False, with nothing written, when the head is no longer at
    /// <paramref name="expectedPosition"/> (another activation of the intake wrote first).
    /// </summary>
    Task<bool> TryAppendAsync(string twin, string entityId, long expectedPosition, byte[] windows, byte[] batch, CancellationToken cancellationToken = default);

    /// <summary>The entries after <paramref name="afterPosition"/>, in position order, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<JournalEntry>> ReadAfterAsync(string twin, string entityId, long afterPosition, int max, CancellationToken cancellationToken = default);

    /// <summary>Removes the entries up to and including <paramref name="throughPosition"/> (they are in the entity's checkpoint).</summary>
    Task TruncateAsync(string twin, string entityId, long throughPosition, CancellationToken cancellationToken = default);

    /// <summary>Removes the entity's head and every entry (its twin is being deleted).</summary>
    Task DeleteAsync(string twin, string entityId, CancellationToken cancellationToken = default);
}

/// <summary>An entity's intake head: the last journal position and the serialized de-duplication windows.</summary>
public sealed record IntakeHead(long Position, byte[]? Windows);

/// <summary>One journaled batch: its position and the serialized <see cref="Contracts.SensorBatch"/>.</summary>
public sealed record JournalEntry(long Position, byte[] Batch);

/// <summary>The in-memory default: keeps nothing; intake answers once a batch is on the (in-memory) stream.</summary>
public sealed class NoIntakeJournal : IIntakeJournal
{
    public bool IsDurable => false;

    public Task<IntakeHead> ReadHeadAsync(string twin, string entityId, CancellationToken cancellationToken = default) =>
        Task.FromResult(new IntakeHead(0, null));

    public Task<bool> TryAppendAsync(string twin, string entityId, long expectedPosition, byte[] windows, byte[] batch, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("the in-memory intake keeps no journal");

    public Task<IReadOnlyList<JournalEntry>> ReadAfterAsync(string twin, string entityId, long afterPosition, int max, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<JournalEntry>>([]);

    public Task TruncateAsync(string twin, string entityId, long throughPosition, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task DeleteAsync(string twin, string entityId, CancellationToken cancellationToken = default) => Task.CompletedTask;
}

/// <summary>The intake's de-duplication windows, one per sensor, as they are kept in the journal head.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.IntakeWindows")]
public sealed record IntakeWindows([property: Id(0)] IReadOnlyList<SensorWindow> Sensors);

/// <summary>One sensor's window: the highest seq seen and the bitmap below it.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.SensorWindow")]
public sealed record SensorWindow([property: Id(0)] string Sensor, [property: Id(1)] long Highest, [property: Id(2)] ulong[] Bits);
