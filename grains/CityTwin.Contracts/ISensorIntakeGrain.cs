namespace CityTwin.Contracts;

/// <summary>
/// The intake of one entity's sensors, key "{twin}/{entityId}": recognises repeated (sensor, seq) pairs and
/// publishes the new events on the entity's sensor stream. Called by the ingest grain.
/// </summary>
[Alias("CityTwin.ISensorIntakeGrain")]
public interface ISensorIntakeGrain : IClearableGrain
{
    /// <summary>De-duplicates and publishes a batch; answers how many events were new and how many repeats.</summary>
    [Alias("Submit")]
    Task<IntakeReceipt> SubmitAsync(IntakeBatch batch);
}
