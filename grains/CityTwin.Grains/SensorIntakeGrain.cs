using CityTwin.Contracts;
using CityTwin.Engine.Live;

namespace CityTwin.Grains;

/// <summary>
/// The intake of one entity's sensors: remembers the (sensor, seq) pairs seen, drops repeats and publishes
/// the new events on the entity's sensor stream, where the implicit subscription wakes the entity grain.
/// </summary>
public sealed class SensorIntakeGrain(ICityCatalog catalog) : Grain, ISensorIntakeGrain
{
    private readonly Dictionary<string, SeqWindow> _seen = new(StringComparer.Ordinal);
    private bool _isSignal;
    private string _key = "";

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = this.GetPrimaryKeyString();
        var (twin, entityId) = TwinKeys.Split(_key);
        var city = catalog.CityOf(twin);
        _isSignal = city.SignalsById.ContainsKey(entityId);
        if (!_isSignal && !city.ParkingById.ContainsKey(entityId))
        {
            throw new ArgumentException($"'{entityId}' is neither a signal nor a parking facility of the city");
        }

        return Task.CompletedTask;
    }

    public async Task<IntakeReceipt> SubmitAsync(IntakeBatch batch)
    {
        var detectorEvents = new List<SensorEventData>();
        var phaseEvents = new List<SensorEventData>();
        var duplicates = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in batch.Events)
        {
            if (!_seen.TryGetValue(e.Sensor, out var window))
            {
                window = new SeqWindow();
                _seen[e.Sensor] = window;
            }

            if (!window.TryAccept(e.Seq))
            {
                duplicates[e.Sensor] = duplicates.GetValueOrDefault(e.Sensor) + 1;
            }
            else if (e.Kind == SensorEventKind.SignalPhase)
            {
                phaseEvents.Add(e);
            }
            else
            {
                detectorEvents.Add(e);
            }
        }

        var duplicateCounts = duplicates.Select(d => new DuplicateCount(d.Key, d.Value)).ToArray();
        var provider = this.GetStreamProvider(StreamNames.Provider);
        var mainNamespace = _isSignal ? StreamNames.SignalDetectors : StreamNames.Parking;
        if (detectorEvents.Count > 0 || duplicateCounts.Length > 0 || batch.Rejected.Count > 0)
        {
            var stream = provider.GetStream<SensorBatch>(StreamId.Create(mainNamespace, _key));
            await stream.OnNextAsync(new SensorBatch(detectorEvents, duplicateCounts, batch.Rejected));
        }

        if (phaseEvents.Count > 0)
        {
            var stream = provider.GetStream<SensorBatch>(StreamId.Create(StreamNames.SignalPhases, _key));
            await stream.OnNextAsync(new SensorBatch(phaseEvents, [], []));
        }

        return new IntakeReceipt(detectorEvents.Count + phaseEvents.Count, duplicates.Values.Sum());
    }
}
