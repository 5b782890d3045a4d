namespace CityTwin.Engine.Signals;

/// <summary>
/// The combined state of an approach's presence detectors as a step function of time: +1 at each detector on, -1 at
/// each off, "occupied" where the running sum is above zero. Steps arrive mostly in time order; an off imputed
/// halfway between two ons arrives late and is inserted in place. Steps before the oldest time still needed are
/// folded into a base sum.
/// </summary>
internal sealed class StepFunction
{
    private long[] _times = new long[64];
    private int[] _deltas = new int[64];
    private int _start;
    private int _end;
    private int _baseSum;
    private long _keepFrom = long.MinValue;

    /// <summary>The earliest step ever added (long.MaxValue if none).</summary>
    public long FirstMs { get; private set; } = long.MaxValue;

    public void Add(long timeMs, int delta)
    {
        FirstMs = Math.Min(FirstMs, timeMs);
        if (timeMs < _keepFrom)
        {
            _baseSum += delta;
            return;
        }

        if (_end == _times.Length)
        {
            MakeRoom();
        }

        var i = _end;
        while (i > _start && _times[i - 1] > timeMs)
        {
            i--;
        }

        if (i < _end)
        {
            Array.Copy(_times, i, _times, i + 1, _end - i);
            Array.Copy(_deltas, i, _deltas, i + 1, _end - i);
        }

        _times[i] = timeMs;
        _deltas[i] = delta;
        _end++;
    }

    /// <summary>Forgets the steps before <paramref name="timeMs"/> (keeping their sum).</summary>
    public void TrimBefore(long timeMs)
    {
        _keepFrom = Math.Max(_keepFrom, timeMs);
        while (_start < _end && _times[_start] < _keepFrom)
        {
            _baseSum += _deltas[_start];
            _start++;
        }
    }

    /// <summary>Milliseconds in [from, to) during which the function is above zero (right-continuous steps).</summary>
    public long OccupiedMs(long fromMs, long toMs)
    {
        var sum = _baseSum;
        var i = _start;
        while (i < _end && _times[i] <= fromMs)
        {
            sum += _deltas[i++];
        }

        long on = 0;
        var t = fromMs;
        while (t < toMs)
        {
            var next = i < _end ? Math.Min(_times[i], toMs) : toMs;
            if (sum > 0)
            {
                on += next - t;
            }

            t = next;
            while (i < _end && _times[i] <= t)
            {
                sum += _deltas[i++];
            }
        }

        return on;
    }

    private void MakeRoom()
    {
        var count = _end - _start;
        if (count * 2 > _times.Length)
        {
            Array.Resize(ref _times, _times.Length * 2);
            Array.Resize(ref _deltas, _deltas.Length * 2);
        }

        Array.Copy(_times, _start, _times, 0, count);
        Array.Copy(_deltas, _start, _deltas, 0, count);
        _start = 0;
        _end = count;
    }
}

/// <summary>
/// One presence detector channel: turns its on/off events into steps of its approaches, filling in what the log
/// misses as the peer does (two ons in a row: an off at the second on if they are at most the rapid gap apart, else
/// halfway; two offs in a row: an on halfway; a first event that is an off: an on 1 ms before it).
/// </summary>
internal sealed class PresenceDetector(long rapidGapMs)
{
    private readonly List<SplitFailurePhase> _phases = [];
    private int _lastCode;

    public long LastMs { get; private set; }

    public bool HasEvents => _lastCode != 0;

    public void Serve(SplitFailurePhase phase)
    {
        _phases.Add(phase);
        phase.AddDetector(this);
    }

    public void Event(long timeMs, int code, long nowMs)
    {
        var on = code == ControllerEventCodes.DetectorOn;
        if (_lastCode == 0)
        {
            if (!on)
            {
                Step(timeMs - 1, +1);
            }
        }
        else if (code == _lastCode)
        {
            var gap = timeMs - LastMs;
            if (on)
            {
                Step(gap <= rapidGapMs ? timeMs : timeMs - (gap / 2), -1);
            }
            else
            {
                Step(timeMs - (gap / 2), +1);
            }
        }

        Step(timeMs, on ? +1 : -1);
        _lastCode = code;
        LastMs = timeMs;
        foreach (var phase in _phases)
        {
            phase.TryFinish(nowMs);
        }
    }

    private void Step(long timeMs, int delta)
    {
        foreach (var phase in _phases)
        {
            phase.Steps.Add(timeMs, delta);
        }
    }
}

/// <summary>
/// Split failures of one phase's approach. A cycle runs from green to the next green; it counts if it has one
/// yellow and one end of its red window (red clearance plus the window, the peer's "red time barrier") and its
/// detectors had reported before its green. Green occupancy is the occupied share of green (green to the first
/// yellow, red or window end); red occupancy the occupied time from red clearance to the window end over the window.
/// A finished cycle waits until every detector has reported past its window end, since an imputed off may land
/// inside it, unless it has waited longer than the options allow.
/// </summary>
internal sealed class SplitFailurePhase(SignalMeasureEngine sink, int deviceId, int phase, SignalMeasureOptions options)
{
    private readonly List<PresenceDetector> _detectors = [];
    private readonly Queue<long> _windowEnds = new();
    private readonly Queue<Cycle> _finished = new();
    private readonly long _windowMs = (long)Math.Round(options.RedWindowSeconds * 1000);
    private readonly long _maxWaitMs = options.SplitFailureMaxWait is { } w ? (long)w.TotalMilliseconds : long.MaxValue;
    private Cycle _cycle;
    private bool _inCycle;

    public StepFunction Steps { get; } = new();

    public void AddDetector(PresenceDetector detector) => _detectors.Add(detector);

    public void PhaseEvent(long timeMs, int code)
    {
        ApplyWindowEnds(timeMs, long.MaxValue);
        Apply(timeMs, code);
        if (code == ControllerEventCodes.PhaseBeginRedClearance)
        {
            _windowEnds.Enqueue(timeMs + _windowMs);
        }

        TryFinish(timeMs);
    }

    /// <summary>End of the log: window ends before the cutoff are applied, the last cycle closes and every cycle is finished.</summary>
    public void Finish(long cutoffMs)
    {
        ApplyWindowEnds(long.MaxValue, cutoffMs);
        _windowEnds.Clear();
        CloseCycle();
        _inCycle = false;
        while (_finished.Count > 0)
        {
            Emit(_finished.Dequeue());
        }
    }

    /// <summary>Emits the finished cycles whose detectors are all known past their window end (or that waited too long).</summary>
    public void TryFinish(long nowMs)
    {
        while (_finished.Count > 0)
        {
            var cycle = _finished.Peek();
            if (!Known(cycle.WindowEndMs, nowMs) && nowMs - cycle.WindowEndMs < _maxWaitMs)
            {
                break;
            }

            Emit(_finished.Dequeue());
        }

        Steps.TrimBefore(_finished.Count > 0 ? _finished.Peek().GreenMs : _inCycle ? _cycle.GreenMs : nowMs - 1);
    }

    private bool Known(long windowEndMs, long nowMs)
    {
        foreach (var d in _detectors)
        {
            // Steps are final up to a detector's last event; one without events yet can still add a step 1 ms before its first.
            var knownTo = d.HasEvents ? d.LastMs : nowMs - 2;
            if (knownTo < windowEndMs - 1)
            {
                return false;
            }
        }

        return true;
    }

    private void ApplyWindowEnds(long beforeMs, long cutoffMs)
    {
        while (_windowEnds.Count > 0 && _windowEnds.Peek() < beforeMs)
        {
            var t = _windowEnds.Dequeue();
            if (t < cutoffMs)
            {
                Apply(t, 11);
            }
        }
    }

    private void Apply(long timeMs, int code)
    {
        if (code == ControllerEventCodes.PhaseBeginGreen)
        {
            CloseCycle();
            _cycle = new Cycle { GreenMs = timeMs, GreenEndMs = long.MaxValue, RedMs = long.MaxValue, RedEndMs = long.MaxValue, State = 1 };
            _inCycle = true;
            return;
        }

        if (!_inCycle)
        {
            return;
        }

        if (code == ControllerEventCodes.PhaseBeginYellow)
        {
            _cycle.Yellows++;
        }
        else if (code == 11)
        {
            _cycle.WindowEnds++;
            _cycle.WindowEndMs = timeMs;
        }

        if (code > _cycle.State)
        {
            if (_cycle.State == 1)
            {
                _cycle.GreenEndMs = timeMs;
            }

            if (code == ControllerEventCodes.PhaseBeginRedClearance)
            {
                _cycle.RedMs = timeMs;
            }

            if (_cycle.State == ControllerEventCodes.PhaseBeginRedClearance)
            {
                _cycle.RedEndMs = timeMs;
            }

            _cycle.State = code;
        }
    }

    private void CloseCycle()
    {
        if (_inCycle && _cycle.Yellows == 1 && _cycle.WindowEnds == 1)
        {
            _finished.Enqueue(_cycle);
        }
    }

    private void Emit(Cycle cycle)
    {
        if (Steps.FirstMs >= cycle.GreenMs)
        {
            return; // no detector state before green: the peer drops the cycle
        }

        var greenMs = cycle.GreenEndMs - cycle.GreenMs;
        var greenOn = Steps.OccupiedMs(cycle.GreenMs, cycle.GreenEndMs);
        var redOn = cycle.RedMs < cycle.RedEndMs ? Steps.OccupiedMs(cycle.RedMs, cycle.RedEndMs) : 0;
        double? greenOccupancy = greenMs > 0 ? (double)greenOn / greenMs : null;
        var redOccupancy = (double)redOn / _windowMs;
        sink.CountSplitFailureCycle(cycle.WindowEndMs, deviceId, phase, greenMs / 1000.0, greenOccupancy, redOccupancy);
    }

    private struct Cycle
    {
        public long GreenMs;
        public long GreenEndMs;
        public long RedMs;
        public long RedEndMs;
        public long WindowEndMs;
        public int Yellows;
        public int WindowEnds;
        public int State;
    }
}
