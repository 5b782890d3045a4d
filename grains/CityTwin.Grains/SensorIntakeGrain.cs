using CityTwin.Contracts;
using CityTwin.Engine.Live;
using Orleans.Serialization;

namespace CityTwin.Grains;

/// <summary>
/// The intake of one entity's sensors: remembers the (sensor, seq) pairs seen, drops repeats, writes the new
/// events to the entity's intake journal (when storage is durable) and publishes them on the entity's sensor
/// stream, where the implicit subscription wakes the entity grain. With a durable journal the answer comes
/// only after the batch and the new windows are committed together, so an accepted event survives the loss
/// of any silo, and a repeat sent after a failure is still recognised.
/// </summary>
public sealed class SensorIntakeGrain(ICityCatalog catalog, IIntakeJournal journal, Serializer serializer) : Grain, ISensorIntakeGrain
{
    private readonly Dictionary<string, SeqWindow> _seen = new(StringComparer.Ordinal);
    private string _streamNamespace = "";
    private string _key = "";
    private string _twin = "";
    private string _entityId = "";
    private long _position;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = this.GetPrimaryKeyString();
        (_twin, _entityId) = TwinKeys.Split(_key);
        var city = catalog.CityOf(_twin);
        if (city.SignalsById.ContainsKey(_entityId))
        {
            _streamNamespace = StreamNames.Signal;
        }
        else if (city.ParkingById.ContainsKey(_entityId))
        {
            _streamNamespace = StreamNames.Parking;
        }
        else
        {
            throw new ArgumentException($"'{_entityId}' is neither a signal nor a parking facility of the city");
        }

        if (journal.IsDurable)
        {
            var head = await journal.ReadHeadAsync(_twin, _entityId, cancellationToken);
            _position = head.Position;
            if (head.Windows is not null)
            {
                foreach (var w in serializer.Deserialize<IntakeWindows>(head.Windows)!.Sensors)
                {
                    _seen[w.Sensor] = new SeqWindow(w.Highest, w.Bits);
                }
            }
        }
    }

    public async Task ClearAsync()
    {
        _seen.Clear();
        _position = 0;
        await journal.DeleteAsync(_twin, _entityId);
        DeactivateOnIdle();
    }

    public async Task<IntakeReceipt> SubmitAsync(IntakeBatch batch)
    {
        var fresh = new List<SensorEventData>();
        var duplicates = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in batch.Events)
        {
            if (!_seen.TryGetValue(e.Sensor, out var window))
            {
                window = new SeqWindow();
                _seen[e.Sensor] = window;
            }

            if (window.TryAccept(e.Seq))
            {
                fresh.Add(e);
            }
            else
            {
                duplicates[e.Sensor] = duplicates.GetValueOrDefault(e.Sensor) + 1;
            }
        }

        var duplicateCounts = duplicates.Select(d => new DuplicateCount(d.Key, d.Value)).ToArray();
        if (fresh.Count == 0 && duplicateCounts.Length == 0 && batch.Rejected.Count == 0)
        {
            return new IntakeReceipt(0, 0);
        }

        var item = new SensorBatch(fresh, duplicateCounts, batch.Rejected);
        if (journal.IsDurable)
        {
            item = item with { Position = _position + 1 };
            await AppendAsync(item);
        }

        var stream = this.GetStreamProvider(StreamNames.Provider).GetStream<SensorBatch>(StreamId.Create(_streamNamespace, _key));
        await stream.OnNextAsync(item);
        return new IntakeReceipt(fresh.Count, duplicates.Values.Sum());
    }

    private async Task AppendAsync(SensorBatch item)
    {
        var windows = new IntakeWindows(_seen.Select(s => new SensorWindow(s.Key, s.Value.Highest, s.Value.Bits.ToArray())).ToArray());
        bool appended;
        try
        {
            appended = await journal.TryAppendAsync(_twin, _entityId, _position, serializer.SerializeToArray(windows), serializer.SerializeToArray(item));
        }
        catch
        {
            // The windows already count this batch's seqs; whether it was committed is unknown. Start again from
            // the journal head so a retry is judged against what is really stored.
            DeactivateOnIdle();
            throw;
        }

        if (!appended)
        {
            DeactivateOnIdle();
            throw new InvalidOperationException($"the intake journal of '{_key}' moved past position {_position} (another activation wrote to it); retry the batch");
        }

        _position = item.Position;
    }
}
