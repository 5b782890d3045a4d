namespace CityTwin.Engine.Signals;

/// <summary>
/// The signal state of one phase as a detector sees it: phase events (green, yellow, red clearance) are applied in
/// time order up to the detector's time minus its latency. The state is the highest code since the last green
/// (1 green, 8 yellow, 10 red clearance), 0 before the first phase event: the peer's definition, in which a cycle
/// begins at green.
/// </summary>
internal abstract class DelayedPhaseState(long latencyMs)
{
    private readonly Queue<(long TimeMs, int Code)> _pending = new();

    protected int State { get; private set; }

    /// <summary>A phase event. Events up to this time minus the latency are applied at once (later detector times cannot be earlier).</summary>
    public void PhaseEvent(long timeMs, int code)
    {
        _pending.Enqueue((timeMs, code));
        ApplyUntil(timeMs - latencyMs);
    }

    /// <summary>Applies every pending phase event.</summary>
    public void ApplyAll() => ApplyUntil(long.MaxValue);

    /// <summary>Applies phase events at or before <paramref name="timeMs"/>: at the same instant a phase event comes before a detector event.</summary>
    protected void ApplyUntil(long timeMs)
    {
        while (_pending.Count > 0 && _pending.Peek().TimeMs <= timeMs)
        {
            var (t, code) = _pending.Dequeue();
            OnPhaseEvent(t, code);
            State = code == ControllerEventCodes.PhaseBeginGreen ? 1 : Math.Max(State, code);
        }
    }

    protected long Shift(long detectorTimeMs) => detectorTimeMs - latencyMs;

    /// <summary>Called before the state changes.</summary>
    protected virtual void OnPhaseEvent(long timeMs, int code)
    {
    }
}

/// <summary>Arrivals on green of one phase: detector-on events of its advance detectors, and those seen during green.</summary>
internal sealed class ArrivalPhase(SignalMeasureEngine sink, int deviceId, int phase, long latencyMs) : DelayedPhaseState(latencyMs)
{
    public void Arrival(long detectorTimeMs)
    {
        var t = Shift(detectorTimeMs);
        ApplyUntil(t);
        sink.CountArrival(t, deviceId, phase, State == 1);
    }
}

/// <summary>
/// Actuations on yellow and red of one phase: detector-on events collected over a cycle (green to green) and, if the
/// cycle has exactly one green, one yellow and one red clearance, counted by state and by offset from the start of red.
/// </summary>
internal sealed class YellowRedPhase(SignalMeasureEngine sink, int deviceId, int phase, long latencyMs) : DelayedPhaseState(latencyMs)
{
    private readonly List<(long TimeMs, int State)> _actuations = [];
    private bool _inCycle;
    private int _yellows;
    private int _reds;
    private long _redMs;

    public void Actuation(long detectorTimeMs)
    {
        var t = Shift(detectorTimeMs);
        ApplyUntil(t);
        if (_inCycle)
        {
            _actuations.Add((t, State));
        }
    }

    public void Finish()
    {
        ApplyAll();
        CloseCycle();
        _inCycle = false;
    }

    protected override void OnPhaseEvent(long timeMs, int code)
    {
        switch (code)
        {
            case ControllerEventCodes.PhaseBeginGreen:
                CloseCycle();
                _inCycle = true;
                _yellows = 0;
                _reds = 0;
                break;
            case ControllerEventCodes.PhaseBeginYellow:
                _yellows++;
                break;
            case ControllerEventCodes.PhaseBeginRedClearance:
                _reds++;
                _redMs = timeMs;
                break;
        }
    }

    private void CloseCycle()
    {
        if (_inCycle && _yellows == 1 && _reds == 1)
        {
            foreach (var (t, state) in _actuations)
            {
                sink.CountYellowRed(_redMs, deviceId, phase, state, t - _redMs);
            }
        }

        _actuations.Clear();
    }
}
