using CityTwin.Contracts;

namespace CityTwin.Grains;

/// <summary>Persisted state of a twin's ingest log.</summary>
[GenerateSerializer, Alias("CityTwin.IngestLogState")]
public sealed class IngestLogState
{
    [Id(0)]
    public long Accepted { get; set; }

    [Id(1)]
    public long Duplicates { get; set; }

    [Id(2)]
    public long Rejected { get; set; }

    [Id(3)]
    public List<RejectedLine> Recent { get; set; } = [];
}

/// <summary>
/// A twin's ingest totals and the newest rejected lines that belong to no entity; written on a timer (and
/// when it deactivates) like the entity grains, so a restart keeps what was checkpointed.
/// </summary>
public sealed class IngestLogGrain(
    [PersistentState("ingest-log", StorageNames.Twin)] IPersistentState<IngestLogState> state) : Grain, IIngestLogGrain
{
    /// <summary>How many rejected lines are kept.</summary>
    public const int KeptLines = 1000;

    private bool _dirty;
    private bool _registered;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(CheckpointAsync, Checkpoints.Period, Checkpoints.Period);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        CheckpointAsync(cancellationToken);

    public async Task RecordAsync(IngestReport report, IReadOnlyList<RejectedLine> unattributed)
    {
        if (!_registered)
        {
            // A twin exists once events were sent to it: the registry lists it (and can delete it) from then on.
            await GrainFactory.GetGrain<ITwinRegistryGrain>(0).EnsureAsync(this.GetPrimaryKeyString());
            _registered = true;
        }

        var s = state.State;
        s.Accepted += report.Accepted;
        s.Duplicates += report.Duplicates;
        s.Rejected += report.Rejected;
        s.Recent.AddRange(unattributed);
        if (s.Recent.Count > KeptLines)
        {
            s.Recent.RemoveRange(0, s.Recent.Count - KeptLines);
        }

        _dirty = true;
    }

    public async Task ClearAsync()
    {
        // From here the activation holds an empty state, as a new one would.
        await state.ClearStateAsync();
        _dirty = false;
        _registered = false;
        DeactivateOnIdle();
    }

    public Task<IngestLog> GetAsync()
    {
        var s = state.State;
        return Task.FromResult(new IngestLog(s.Accepted, s.Duplicates, s.Rejected, s.Recent.ToArray()));
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await state.WriteStateAsync(cancellationToken);
            _dirty = false;
        }
    }
}
