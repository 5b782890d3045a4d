namespace CityTwin.Engine.Signals;

/// <summary>
/// Signal performance measures from high-resolution controller event logs, in one pass over events that are in time
/// order per device (devices may interleave): detector actuations, arrivals on green, splits, terminations, split
/// failures and actuations on yellow and red, per device, phase (or detector, or split code) and bin. Events of one
/// device at the same instant are taken in code order (phase events before detector events), as the peer package
/// (atspm) orders them. A row that is not used is counted under a <see cref="BadRowReason"/>, never dropped silently.
/// Memory is the bins, the detector configuration and, per phase, the events of cycles not yet finished; nothing is
/// allocated per event. The events of each device's latest instant are held back until a later instant (or
/// <see cref="Finish"/>), so measures read while the log is still coming in lag by that instant.
/// Definitions and the peer comparison: docs/signal-measures.md.
/// </summary>
public sealed class SignalMeasureEngine
{
    private readonly SignalMeasureOptions _options;
    private readonly DetectorConfiguration? _config;
    private readonly long _binMs;
    private readonly Dictionary<int, Device> _devices = [];
    private readonly long[] _bad = new long[BadRowReasons.All.Count];
    private readonly Dictionary<MeasureKey, int> _actuations = [];
    private readonly Dictionary<MeasureKey, int> _terminations = [];
    private readonly Dictionary<MeasureKey, (int Count, double Sum)> _splits = [];
    private readonly Dictionary<MeasureKey, (int Total, int Green)> _arrivals = [];
    private readonly Dictionary<MeasureKey, int> _yellowRed = [];
    private readonly Dictionary<MeasureKey, SplitFailureSums> _splitFailures = [];
    private bool _finished;

    /// <param name="config">The detector configuration; without one, only actuations, splits and terminations are measured and no device is unknown.</param>
    /// <param name="options">The measures' parameters (default: the peer's published run).</param>
    public SignalMeasureEngine(DetectorConfiguration? config, SignalMeasureOptions? options = null)
    {
        _config = config;
        _options = options ?? new SignalMeasureOptions();
        if (_options.BinMinutes <= 0)
        {
            throw new ArgumentException("BinMinutes must be positive", nameof(options));
        }

        _binMs = _options.BinMs;
    }

    /// <summary>The bin length in milliseconds.</summary>
    public long BinMs => _binMs;

    /// <summary>Events used.</summary>
    public long Accepted { get; private set; }

    /// <summary>The latest event time seen (ms), long.MinValue before the first.</summary>
    public long LatestMs { get; private set; } = long.MinValue;

    /// <summary>Rows not used, by reason.</summary>
    public long BadRows(BadRowReason reason) => _bad[(int)reason];

    /// <summary>All rows not used.</summary>
    public long TotalBadRows => _bad.Sum();

    /// <summary>The devices that sent at least one used event.</summary>
    public IReadOnlyCollection<int> Devices => _devices.Keys;

    /// <summary>Counts a row the reader could not read.</summary>
    public void CountUnparsable() => _bad[(int)BadRowReason.Unparsable]++;

    /// <summary>Takes one event; returns null if it is used, else why not (and counts it).</summary>
    public BadRowReason? Add(in ControllerEvent e)
    {
        if (_finished)
        {
            throw new InvalidOperationException("the log was finished");
        }

        if (!ControllerEventCodes.IsKnown(e.EventId))
        {
            return Bad(BadRowReason.UnknownEventCode);
        }

        if (e.Parameter is < 0 or > ControllerEventCodes.MaxParameter)
        {
            return Bad(BadRowReason.ParameterOutOfRange);
        }

        if (_config is not null && !_config.HasDevice(e.DeviceId))
        {
            return Bad(BadRowReason.UnknownDevice);
        }

        if (!_devices.TryGetValue(e.DeviceId, out var device))
        {
            device = new Device(this, e.DeviceId);
            _devices.Add(e.DeviceId, device);
        }

        if (device.Count > 0) // always, after the device's first event: the latest instant is held back
        {
            if (e.TimeMs < device.BatchMs)
            {
                return Bad(BadRowReason.TimeBackwards);
            }

            if (e.TimeMs == device.BatchMs)
            {
                if (device.BatchContains(e.EventId, e.Parameter))
                {
                    return Bad(BadRowReason.Duplicate);
                }
            }
            else
            {
                device.ProcessBatch();
            }
        }

        device.Append(e);
        Accepted++;
        LatestMs = Math.Max(LatestMs, e.TimeMs);
        return null;
    }

    /// <summary>
    /// Processes what is held back (the last instant of each device, pending phase events), closes the last cycles
    /// and finishes every cycle still waiting for its detectors. Split-failure windows that would end after the bin
    /// holding the latest event are not applied (as the peer). No events may follow.
    /// </summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        var cutoff = LatestMs == long.MinValue ? long.MinValue : Bin(LatestMs) + _binMs;
        foreach (var device in _devices.Values)
        {
            device.ProcessBatch();
            device.Finish(cutoff);
        }
    }

    /// <summary>Forgets every bin that starts before <paramref name="binMs"/> (the live twin keeps a bounded window).</summary>
    public void DropBinsBefore(long binMs)
    {
        Drop(_actuations, binMs);
        Drop(_terminations, binMs);
        Drop(_splits, binMs);
        Drop(_arrivals, binMs);
        Drop(_yellowRed, binMs);
        Drop(_splitFailures, binMs);
    }

    /// <summary>The sums behind every bin and the row counters, as plain data (to store).</summary>
    public SignalMeasureTotals Totals() => new(
        Accepted,
        _bad.ToArray(),
        LatestMs,
        _actuations.Select(p => new CountCell(p.Key, p.Value)).ToArray(),
        _terminations.Select(p => new CountCell(p.Key, p.Value)).ToArray(),
        _yellowRed.Select(p => new CountCell(p.Key, p.Value)).ToArray(),
        _splits.Select(p => new SumCell(p.Key, p.Value.Count, p.Value.Sum)).ToArray(),
        _arrivals.Select(p => new ArrivalCell(p.Key, p.Value.Total, p.Value.Green)).ToArray(),
        _splitFailures.Select(p => new SplitFailureCell(p.Key, p.Value.Cycles, p.Value.GreenSeconds, p.Value.GreenOccupancy, p.Value.GreenOccupancyCycles, p.Value.RedOccupancy, p.Value.Failures)).ToArray());

    /// <summary>Adds stored totals to this engine's (a new engine after a restart: its bins and counters continue).</summary>
    public void Load(SignalMeasureTotals totals)
    {
        Accepted += totals.Accepted;
        for (var i = 0; i < Math.Min(_bad.Length, totals.BadRows.Count); i++)
        {
            _bad[i] += totals.BadRows[i];
        }

        LatestMs = Math.Max(LatestMs, totals.LatestMs);
        foreach (var c in totals.Actuations)
        {
            Ref(_actuations, c.Key) += c.Count;
        }

        foreach (var c in totals.Terminations)
        {
            Ref(_terminations, c.Key) += c.Count;
        }

        foreach (var c in totals.YellowRed)
        {
            Ref(_yellowRed, c.Key) += c.Count;
        }

        foreach (var c in totals.Splits)
        {
            ref var cell = ref Ref(_splits, c.Key);
            cell = (cell.Count + c.Count, cell.Sum + c.Sum);
        }

        foreach (var c in totals.Arrivals)
        {
            ref var cell = ref Ref(_arrivals, c.Key);
            cell = (cell.Total + c.Total, cell.Green + c.Green);
        }

        foreach (var c in totals.SplitFailures)
        {
            ref var cell = ref Ref(_splitFailures, c.Key);
            cell.Cycles += c.Cycles;
            cell.GreenSeconds += c.GreenSeconds;
            cell.GreenOccupancy += c.GreenOccupancy;
            cell.GreenOccupancyCycles += c.GreenOccupancyCycles;
            cell.RedOccupancy += c.RedOccupancy;
            cell.Failures += c.Failures;
        }
    }

    /// <summary>The measures, each in the order of bin, device, then key.</summary>
    public SignalMeasures Results()
    {
        var actuations = _actuations.Select(p => new ActuationRow(p.Key.Bin, p.Key.Device, p.Key.A, p.Value))
            .OrderBy(r => r.BinMs).ThenBy(r => r.DeviceId).ThenBy(r => r.Detector).ToList();

        // The peer reports a bin only if at least one arrival was on green.
        var arrivals = _arrivals.Where(p => p.Value.Green > 0)
            .Select(p => new ArrivalOnGreenRow(p.Key.Bin, p.Key.Device, p.Key.A, p.Value.Total, (double)p.Value.Green / p.Value.Total))
            .OrderBy(r => r.BinMs).ThenBy(r => r.DeviceId).ThenBy(r => r.Phase).ToList();
        var splits = _splits.Select(p => new SplitRow(p.Key.Bin, p.Key.Device, p.Key.A, p.Value.Count, p.Value.Sum / p.Value.Count))
            .OrderBy(r => r.BinMs).ThenBy(r => r.DeviceId).ThenBy(r => r.EventId).ToList();
        var terminations = _terminations.Select(p => new TerminationRow(p.Key.Bin, p.Key.Device, p.Key.A, (TerminationKind)p.Key.B, p.Value))
            .OrderBy(r => r.BinMs).ThenBy(r => r.DeviceId).ThenBy(r => r.Phase).ThenBy(r => r.Kind).ToList();
        var failures = _splitFailures.Select(p => new SplitFailureRow(
                p.Key.Bin, p.Key.Device, p.Key.A, p.Value.GreenSeconds / p.Value.Cycles,
                p.Value.GreenOccupancyCycles > 0 ? p.Value.GreenOccupancy / p.Value.GreenOccupancyCycles : double.NaN,
                p.Value.RedOccupancy / p.Value.Cycles, p.Value.Failures))
            .OrderBy(r => r.BinMs).ThenBy(r => r.DeviceId).ThenBy(r => r.Phase).ToList();
        var yellowRed = _yellowRed.Select(p => new YellowRedRow(p.Key.Bin, p.Key.Device, p.Key.A, p.Key.B, p.Key.C / 2.0, p.Value))
            .OrderBy(r => r.BinMs).ThenBy(r => r.DeviceId).ThenBy(r => r.Phase).ThenBy(r => r.SignalState).ThenBy(r => r.RedOffset).ToList();
        return new SignalMeasures(actuations, arrivals, splits, terminations, failures, yellowRed);
    }

    internal void CountArrival(long timeMs, int deviceId, int phase, bool green)
    {
        ref var cell = ref Ref(_arrivals, new MeasureKey(Bin(timeMs), deviceId, phase));
        cell.Total++;
        if (green)
        {
            cell.Green++;
        }
    }

    internal void CountYellowRed(long redMs, int deviceId, int phase, int state, long offsetMs)
    {
        // Offset rounded to the nearest half second, halves away from zero (DuckDB ROUND, as the peer).
        var halves = (int)Math.Round(offsetMs * 2 / 1000.0, MidpointRounding.AwayFromZero);
        if (halves / 2.0 < _options.MinRedOffsetSeconds)
        {
            return;
        }

        Increment(_yellowRed, new MeasureKey(Bin(redMs), deviceId, phase, state, halves));
    }

    internal void CountSplitFailureCycle(long windowEndMs, int deviceId, int phase, double greenSeconds, double? greenOccupancy, double redOccupancy)
    {
        ref var cell = ref Ref(_splitFailures, new MeasureKey(Bin(windowEndMs), deviceId, phase));
        cell.Cycles++;
        cell.GreenSeconds += greenSeconds;
        cell.RedOccupancy += redOccupancy;
        if (greenOccupancy is { } g)
        {
            cell.GreenOccupancy += g;
            cell.GreenOccupancyCycles++;
            if (g >= _options.GreenOccupancyThreshold && redOccupancy >= _options.RedOccupancyThreshold)
            {
                cell.Failures++;
            }
        }
    }

    private static void Increment(Dictionary<MeasureKey, int> counts, MeasureKey key) => Ref(counts, key)++;

    private static ref T Ref<T>(Dictionary<MeasureKey, T> bins, MeasureKey key)
        where T : struct =>
        ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(bins, key, out _);

    private static void Drop<T>(Dictionary<MeasureKey, T> bins, long binMs)
    {
        foreach (var key in bins.Keys.Where(k => k.Bin < binMs).ToList())
        {
            bins.Remove(key);
        }
    }

    private long Bin(long timeMs) => Math.DivRem(timeMs, _binMs) switch
    {
        var (q, r) when r < 0 => (q - 1) * _binMs,
        var (q, _) => q * _binMs,
    };

    private BadRowReason Bad(BadRowReason reason)
    {
        _bad[(int)reason]++;
        return reason;
    }

    private void Process(Device device, in ControllerEvent e)
    {
        var t = e.TimeMs;
        switch (e.EventId)
        {
            case ControllerEventCodes.DetectorOn:
                Increment(_actuations, new MeasureKey(Bin(t), e.DeviceId, e.Parameter));
                if (device.Channels.TryGetValue(e.Parameter, out var on))
                {
                    on.On(t, device.BatchMs);
                }

                break;
            case ControllerEventCodes.DetectorOff:
                if (device.Channels.TryGetValue(e.Parameter, out var off))
                {
                    off.Presence?.Event(t, e.EventId, device.BatchMs);
                }

                break;
            case ControllerEventCodes.PhaseBeginGreen or ControllerEventCodes.PhaseBeginYellow or ControllerEventCodes.PhaseBeginRedClearance:
                if (device.Phases.TryGetValue(e.Parameter, out var phase))
                {
                    phase.Arrival?.PhaseEvent(t, e.EventId);
                    phase.YellowRed?.PhaseEvent(t, e.EventId);
                    phase.SplitFailure?.PhaseEvent(t, e.EventId);
                }

                break;
            case ControllerEventCodes.PhaseGapOut or ControllerEventCodes.PhaseMaxOut or ControllerEventCodes.PhaseForceOff:
                Increment(_terminations, new MeasureKey(Bin(t), e.DeviceId, e.Parameter, e.EventId - ControllerEventCodes.PhaseGapOut));
                break;
            case >= ControllerEventCodes.SplitFirst and <= ControllerEventCodes.SplitLast:
                ref var split = ref Ref(_splits, new MeasureKey(Bin(t), e.DeviceId, e.EventId));
                split.Count++;
                split.Sum += e.Parameter;
                break;
        }
    }

    private struct SplitFailureSums
    {
        public int Cycles;
        public double GreenSeconds;
        public double GreenOccupancy;
        public int GreenOccupancyCycles;
        public double RedOccupancy;
        public int Failures;
    }

    /// <summary>What a detector channel feeds.</summary>
    private sealed class Channel
    {
        public List<ArrivalPhase> Arrivals { get; } = [];

        public List<YellowRedPhase> YellowRed { get; } = [];

        public PresenceDetector? Presence { get; set; }

        public void On(long timeMs, long nowMs)
        {
            foreach (var a in Arrivals)
            {
                a.Arrival(timeMs);
            }

            foreach (var y in YellowRed)
            {
                y.Actuation(timeMs);
            }

            Presence?.Event(timeMs, ControllerEventCodes.DetectorOn, nowMs);
        }
    }

    /// <summary>What a phase feeds.</summary>
    private sealed class Phase
    {
        public ArrivalPhase? Arrival { get; set; }

        public YellowRedPhase? YellowRed { get; set; }

        public SplitFailurePhase? SplitFailure { get; set; }
    }

    /// <summary>One controller: its channels and phases, and the events of its latest instant, held back to be taken in code order.</summary>
    private sealed class Device
    {
        private readonly SignalMeasureEngine _engine;
        private ControllerEvent[] _batch = new ControllerEvent[16];

        public Device(SignalMeasureEngine engine, int deviceId)
        {
            _engine = engine;
            var options = engine._options;
            var rapidMs = (long)Math.Round(options.RapidOnGapSeconds * 1000);
            foreach (var a in engine._config?.ForDevice(deviceId) ?? [])
            {
                if (!Channels.TryGetValue(a.Channel, out var channel))
                {
                    channel = new Channel();
                    Channels.Add(a.Channel, channel);
                }

                if (!Phases.TryGetValue(a.Phase, out var phase))
                {
                    phase = new Phase();
                    Phases.Add(a.Phase, phase);
                }

                switch (a.Function)
                {
                    case DetectorFunction.Advance:
                        phase.Arrival ??= new ArrivalPhase(engine, deviceId, a.Phase, (long)Math.Round(options.ArrivalLatencySeconds * 1000));
                        channel.Arrivals.Add(phase.Arrival);
                        break;
                    case DetectorFunction.YellowRed:
                        phase.YellowRed ??= new YellowRedPhase(engine, deviceId, a.Phase, (long)Math.Round(options.YellowRedLatencySeconds * 1000));
                        channel.YellowRed.Add(phase.YellowRed);
                        break;
                    case DetectorFunction.Presence:
                        phase.SplitFailure ??= new SplitFailurePhase(engine, deviceId, a.Phase, options);
                        channel.Presence ??= new PresenceDetector(rapidMs);
                        channel.Presence.Serve(phase.SplitFailure);
                        break;
                }
            }
        }

        public Dictionary<int, Channel> Channels { get; } = [];

        public Dictionary<int, Phase> Phases { get; } = [];

        public int Count { get; private set; }

        public long BatchMs { get; private set; }

        public bool BatchContains(int eventId, int parameter)
        {
            for (var i = 0; i < Count; i++)
            {
                if (_batch[i].EventId == eventId && _batch[i].Parameter == parameter)
                {
                    return true;
                }
            }

            return false;
        }

        public void Append(in ControllerEvent e)
        {
            if (Count == _batch.Length)
            {
                Array.Resize(ref _batch, Count * 2);
            }

            _batch[Count++] = e;
            BatchMs = e.TimeMs;
        }

        public void ProcessBatch()
        {
            if (Count == 0)
            {
                return;
            }

            // Insertion sort by code, then parameter: a handful of events, often already in order.
            for (var i = 1; i < Count; i++)
            {
                var e = _batch[i];
                var j = i - 1;
                while (j >= 0 && (_batch[j].EventId > e.EventId || (_batch[j].EventId == e.EventId && _batch[j].Parameter > e.Parameter)))
                {
                    _batch[j + 1] = _batch[j];
                    j--;
                }

                _batch[j + 1] = e;
            }

            for (var i = 0; i < Count; i++)
            {
                _engine.Process(this, _batch[i]);
            }

            Count = 0;
        }

        public void Finish(long cutoffMs)
        {
            foreach (var phase in Phases.Values)
            {
                phase.Arrival?.ApplyAll();
                phase.YellowRed?.Finish();
                phase.SplitFailure?.Finish(cutoffMs);
            }
        }
    }
}
