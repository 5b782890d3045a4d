using CityTwin.Engine.City;
using CityTwin.Engine.Common;

namespace CityTwin.Engine.Traffic;

/// <summary>
/// The mesoscopic, vehicle-based traffic simulation (the model is written up in docs/simulation.md).
/// <para>
/// A vehicle enters a link at its upstream end and reaches the stop line after the link's free-flow time
/// (divided by its own speed factor). There it joins the queue of the lane group that serves its next turn,
/// ordered by arrival at the stop line. A lane group discharges one vehicle per saturation headway while it
/// has green, and only into a next link that is not full to its jam storage; a full link holds vehicles
/// upstream (spillback). A vehicle whose trip ends on a link leaves at the link's end.
/// </para>
/// <para>
/// Time advances in fixed steps, but every vehicle time is continuous: a vehicle that reaches an empty stop
/// line during green crosses without delay, a standing queue leaves at exactly one vehicle per headway.
/// The state is held in flat arrays; a step allocates nothing. The run is single-threaded and clock-free:
/// the same network, trips, options and seed give the same numbers bit for bit.
/// </para>
/// </summary>
public sealed partial class Simulation
{
    private const byte Waiting = 0;
    private const byte Pending = 1;
    private const byte Driving = 2;
    private const byte Arrived = 3;
    private const byte NoRoute = 4;

    /// <summary>The slowest speed factor a vehicle draws (SUMO's normc lower bound for its default car).</summary>
    private const double MinSpeedFactor = 0.2;

    private readonly TrafficNetwork _net;
    private readonly SimulationOptions _o;
    private readonly int _n;
    private readonly string[] _tripIds;
    private readonly int[] _origin;
    private readonly int[] _destination;
    private readonly double[] _depart;
    private readonly bool[] _atStopLine;
    private readonly int[]?[] _route;
    private readonly double[] _speedFactor;
    private readonly int[] _departOrder;
    private readonly double[] _inserted;
    private readonly double[] _ready;
    private readonly double[] _freeSum;
    private readonly double[] _linkEnter;
    private readonly int[] _pos;
    private readonly byte[] _state;

    private readonly int[] _linkCount;
    private readonly VehicleQueue[] _pending;
    private readonly List<int> _pendingLinks = [];
    private readonly VehicleQueue[] _queue;
    private readonly int[] _queued;
    private readonly double[] _nextFree;
    private readonly double[] _blockedSince;
    private readonly double[] _greenStart;
    private readonly double[] _greenEnd;
    private readonly double[] _greenUntil;
    private readonly VehicleQueue?[] _junction;
    private readonly double[] _junctionAt;
    private readonly double[] _turnEquivalent;
    private readonly double[] _turnLossS;
    private readonly int[] _laneHeld;
    private readonly double[] _phaseStart;

    // Vehicle behaviour in force: the options' overrides, else the network's (the city's 'vehicles').
    private readonly double _accel;
    private readonly double _decel;
    private readonly double _criticalGap;
    private readonly double _cruiseLoss;

    // Actuated control state per signal.
    private readonly int[] _actPhase;
    private readonly int[] _actStage;
    private readonly double[] _actStageStart;

    // Max-pressure control state: the phase chosen to follow the clearance, the next decision, and per phase
    // (indexed like _phaseStart) when its last green ended; per-turn scratch for queue counts.
    private readonly int[] _mpNext;
    private readonly double[] _mpDecideAt;
    private readonly double[] _mpGreenEnded;
    private readonly int[] _turnQueue;
    private readonly long[] _turnServed;

    // Routing estimates.
    private readonly double[] _turnCost;

    // Closures: storage and discharge headways in force (copies of the network's when any closure is given),
    // closed links, and the turn costs routes are chosen by (the turn costs plus a penalty into closed links).
    private readonly int[] _storage;
    private readonly double[] _headway;
    private readonly bool[] _closed;
    private readonly ResolvedClosure[] _closures;
    private readonly double[] _routeCost;
    private readonly bool[] _closureActive;
    private Router? _divertRouter;
    private readonly double[] _waitSum;
    private readonly long[] _waitCount;
    private readonly long[] _served;
    private readonly double[] _meanWait;

    // KPI accumulators and per-step scratch.
    private readonly int[] _signalOfApproach;
    private readonly int[] _districtOfApproach;
    private readonly QueueAccumulator _approachKpi;
    private readonly QueueAccumulator _signalKpi;
    private readonly QueueAccumulator _districtKpi;
    private readonly NetworkAccumulator _cityKpi = new();
    private readonly double[] _approachQueue;
    private readonly double[] _signalQueue;
    private readonly double[] _districtQueue;
    private readonly List<string> _unroutableSample = [];
    private readonly double[]? _arrivedAt;

    private int _nextDeparture;
    private int _nextToRoute;
    private double _nextRerouteS;
    private long _inNetwork;
    private long _pendingCount;
    private long _inJunction;
    private long _arrived;
    private long _unroutable;
    private long _steps;
    private long _vehicleSteps;
    private int _interval;
    private bool _ran;

    /// <summary>Prepares a run of <paramref name="trips"/> on <paramref name="network"/>.</summary>
    /// <exception cref="TripException">A trip names an unknown link or its route is not connected; every bad trip is listed.</exception>
    public Simulation(TrafficNetwork network, IReadOnlyList<TripSpec> trips, SimulationOptions? options = null)
    {
        _net = network;
        _o = options ?? new SimulationOptions();
        _o.Validate();
        _n = trips.Count;
        _tripIds = new string[_n];
        _origin = new int[_n];
        _destination = new int[_n];
        _depart = new double[_n];
        _atStopLine = new bool[_n];
        _route = new int[]?[_n];
        _speedFactor = new double[_n];
        _inserted = new double[_n];
        _ready = new double[_n];
        _freeSum = new double[_n];
        _linkEnter = new double[_n];
        _pos = new int[_n];
        _state = new byte[_n];
        _arrivedAt = _o.RecordTrips ? new double[_n] : null;

        var vehicles = network.Vehicles;
        _accel = _o.AccelerationMs2 ?? vehicles.AccelerationMs2;
        _decel = _o.DecelerationMs2 ?? vehicles.DecelerationMs2;
        _criticalGap = _o.CriticalGapS ?? vehicles.CriticalGapS;
        _cruiseLoss = vehicles.CruiseSpeedLossMs;
        var speedDeviation = _o.SpeedFactorDeviation ?? vehicles.SpeedFactorDeviation;

        var errors = new List<string>();
        var rng = SeededRandom.ForStream(_o.Seed, 1);
        for (var v = 0; v < _n; v++)
        {
            var t = trips[v];
            _tripIds[v] = t.Id;
            _depart[v] = t.DepartS;
            _atStopLine[v] = t.AtStopLine;
            if (!double.IsFinite(t.DepartS))
            {
                errors.Add($"trip '{t.Id}': departure time must be a finite number of seconds");
            }

            if (!network.LinkIndex.TryGetValue(t.FromLink, out _origin[v]))
            {
                errors.Add($"trip '{t.Id}': origin link '{t.FromLink}' is not in the network");
            }

            if (!network.LinkIndex.TryGetValue(t.ToLink, out _destination[v]))
            {
                errors.Add($"trip '{t.Id}': destination link '{t.ToLink}' is not in the network");
            }

            if (t.Route is { Count: > 0 } r)
            {
                _route[v] = ResolveRoute(t, r, errors);
            }

            var sf = vehicles.SpeedFactorMean;
            if (speedDeviation > 0)
            {
                var z = Math.Clamp(rng.NextNormal(), -2, 2);
                sf = Math.Max(MinSpeedFactor, vehicles.SpeedFactorMean + (speedDeviation * z));
            }

            _speedFactor[v] = sf;
        }

        if (errors.Count > 0)
        {
            throw new TripException(errors);
        }

        _departOrder = Enumerable.Range(0, _n).OrderBy(v => _depart[v]).ThenBy(v => v).ToArray();

        _linkCount = new int[network.LinkCount];
        _pending = new VehicleQueue[network.LinkCount];
        _queue = new VehicleQueue[network.GroupCount];
        for (var g = 0; g < network.GroupCount; g++)
        {
            _queue[g] = new VehicleQueue(Math.Min(64, network.Storage[network.GroupLink[g]] + 1));
        }

        _queued = new int[network.GroupCount];
        _nextFree = new double[network.GroupCount];
        _blockedSince = new double[network.GroupCount];
        Array.Fill(_blockedSince, double.NaN);
        Array.Fill(_nextFree, double.NegativeInfinity);
        _greenStart = new double[network.GroupCount];
        _greenEnd = new double[network.GroupCount];
        _greenUntil = new double[network.GroupCount];
        _junction = new VehicleQueue?[network.TurnTo.Length];
        for (var k = 0; k < _junction.Length; k++)
        {
            if (network.TurnFoeStart[k + 1] > network.TurnFoeStart[k])
            {
                _junction[k] = new VehicleQueue(Math.Max(2, network.TurnWaitInside[k] + 1));
            }
        }

        var left = _o.LeftTurnEquivalent ?? vehicles.LeftTurnEquivalent;
        var right = _o.RightTurnEquivalent ?? vehicles.RightTurnEquivalent;
        _turnEquivalent = network.TurnMovement.Select(mv => mv switch
        {
            Movement.Left => left,
            Movement.Right => right,
            _ => 1.0,
        }).ToArray();
        _turnLossS = TurnLosses(network, _o.LateralAccelerationMs2, _accel, _decel);
        _junctionAt = new double[_n];
        _laneHeld = new int[network.GroupCount];
        _phaseStart = new double[network.Signals.Sum(s => s.Phases.Count + 1)];

        var signals = network.Signals.Count;
        _actPhase = new int[signals];
        _actStage = new int[signals];
        _actStageStart = new double[signals];
        Array.Fill(_actStageStart, _o.StartS);
        _mpNext = new int[signals];
        _mpDecideAt = new double[signals];
        Array.Fill(_mpDecideAt, double.NaN);
        _mpGreenEnded = new double[_phaseStart.Length];
        Array.Fill(_mpGreenEnded, _o.StartS);
        _turnQueue = new int[network.TurnTo.Length];
        _turnServed = new long[network.TurnTo.Length];

        _turnCost = network.FreeFlowTurnCosts();
        _closures = ResolveClosures(network, _o.Closures);
        _closureActive = new bool[_closures.Length];
        _closed = new bool[network.LinkCount];
        _storage = _closures.Length == 0 ? network.Storage : (int[])network.Storage.Clone();
        _headway = _closures.Length == 0 ? network.GroupHeadwayS : (double[])network.GroupHeadwayS.Clone();
        _routeCost = _closures.Length == 0 ? _turnCost : (double[])_turnCost.Clone();

        _waitSum = new double[network.GroupCount];
        _waitCount = new long[network.GroupCount];
        _served = new long[network.GroupCount];
        _meanWait = new double[network.GroupCount];

        var signalIndex = network.Signals.Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var districtIndex = network.Districts.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i, StringComparer.Ordinal);
        _signalOfApproach = network.Approaches.Select(a => signalIndex[a.SignalId]).ToArray();
        _districtOfApproach = network.Approaches.Select(a => a.DistrictId is null ? -1 : districtIndex[a.DistrictId]).ToArray();
        _approachKpi = new QueueAccumulator(network.Approaches.Count);
        _signalKpi = new QueueAccumulator(signals);
        _districtKpi = new QueueAccumulator(network.Districts.Count);
        _approachQueue = new double[network.Approaches.Count];
        _signalQueue = new double[signals];
        _districtQueue = new double[network.Districts.Count];

        var p = 0;
        foreach (var s in network.Signals)
        {
            var start = 0.0;
            foreach (var phase in s.Phases)
            {
                _phaseStart[p++] = start;
                start += phase.DurationS;
            }

            _phaseStart[p++] = start;
        }

        _nextRerouteS = double.NegativeInfinity;
    }

    /// <summary>
    /// Called when a signal under adaptive control (<see cref="SignalControl.Actuated"/>,
    /// <see cref="SignalControl.MaxPressure"/>) starts a green, an amber or an all-red, and once per signal for the
    /// green of its first phase at the start (for checks; it must not keep the simulation). Fixed-time signals are
    /// not traced: their plan is the trace.
    /// </summary>
    public Action<SignalStageChange>? SignalTrace { get; set; }

    /// <summary>The start of the step being run, or the end time once the run is over (s).</summary>
    public double NowS { get; private set; }

    /// <summary>Vehicles on a link now (driving or queued on it).</summary>
    public int VehiclesOn(string linkId) => _linkCount[_net.LinkIndex[linkId]];

    /// <summary>Where every vehicle is now; the parts always add up to the number of trips.</summary>
    public SimulationCensus Census()
    {
        long onLinks = 0, overStorage = 0;
        for (var l = 0; l < _linkCount.Length; l++)
        {
            onLinks += _linkCount[l];
            if (_linkCount[l] > _storage[l])
            {
                overStorage++;
            }
        }

        long queued = 0;
        foreach (var q in _queue)
        {
            queued += q.Count;
        }

        queued += _inJunction;

        var notYet = _n - _inNetwork - _arrived - _unroutable - _pendingCount;
        return new SimulationCensus(NowS, _n, notYet, _pendingCount, _inNetwork, _arrived, _unroutable, onLinks, queued, overStorage);
    }

    /// <summary>
    /// The KPIs and counts of the run so far, as <see cref="Run"/> would return them had it ended now (trip records
    /// aside); for an <c>afterStep</c> callback of <see cref="Run"/> (a run with <c>UntilS</c> = <see cref="NowS"/>
    /// would have given the same).
    /// </summary>
    internal SimulationResult ResultSoFar() => BuildResult(NowS);

    /// <summary>
    /// Runs to the end and returns the KPIs. <paramref name="afterStep"/>, when given, is called after every step
    /// (for checks and progress; it must not keep the simulation). A simulation runs once.
    /// </summary>
    public SimulationResult Run(Action<Simulation>? afterStep = null)
    {
        if (_ran)
        {
            throw new InvalidOperationException("a Simulation runs once; create a new one for another run");
        }

        _ran = true;
        var dt = _o.StepS;
        var lastDepart = _n > 0 ? _depart[_departOrder[_n - 1]] : _o.StartS;
        var hardEnd = _o.UntilS ?? (Math.Max(lastDepart, _o.StartS) + _o.MaxDurationS);
        long k = 0;
        double t;
        if (SignalTrace is { } trace && _o.Control != SignalControl.FixedTime)
        {
            for (var s = 0; s < _net.Signals.Count; s++)
            {
                trace(new SignalStageChange(s, 0, SignalStage.Green, _o.StartS));
            }
        }

        while (true)
        {
            t = _o.StartS + (k * dt);
            NowS = t;
            if (t >= hardEnd - 1e-9)
            {
                break;
            }

            if (_o.UntilS is null && _nextDeparture >= _n && _inNetwork == 0 && _pendingCount == 0)
            {
                break;
            }

            _interval = (int)Math.Floor((t - _o.StartS) / _o.KpiIntervalS);
            var tEnd = t + dt;
            if (_closures.Length > 0)
            {
                UpdateClosures(t);
            }

            RouteDue(t);
            UpdateSignals(t, tEnd);
            Insert(t, tEnd);
            Discharge(t, tEnd);
            Sample(tEnd, dt);
            _steps++;
            k++;
            NowS = tEnd;
            afterStep?.Invoke(this);
        }

        NowS = t;

        return BuildResult(t);
    }

    private int[]? ResolveRoute(TripSpec t, IReadOnlyList<string> route, List<string> errors)
    {
        var links = new int[route.Count];
        for (var i = 0; i < route.Count; i++)
        {
            if (!_net.LinkIndex.TryGetValue(route[i], out links[i]))
            {
                errors.Add($"trip '{t.Id}': route link #{i + 1} '{route[i]}' is not in the network");
                return null;
            }

            if (i > 0 && _net.GroupFor(links[i - 1], links[i]) < 0)
            {
                errors.Add($"trip '{t.Id}': route has no turn from '{route[i - 1]}' to '{route[i]}'");
                return null;
            }
        }

        if (!string.Equals(route[0], t.FromLink, StringComparison.Ordinal) || !string.Equals(route[^1], t.ToLink, StringComparison.Ordinal))
        {
            errors.Add($"trip '{t.Id}': route must start at '{t.FromLink}' and end at '{t.ToLink}'");
            return null;
        }

        return links;
    }

    /// <summary>Routes the trips that depart before the next re-estimate (all of them when routes are by free flow).</summary>
    private void RouteDue(double t)
    {
        if (t < _nextRerouteS || _nextToRoute >= _n)
        {
            return;
        }

        double horizon;
        if (_o.RerouteIntervalS > 0)
        {
            if (!double.IsNegativeInfinity(_nextRerouteS))
            {
                EstimateTurnCosts(t);
            }

            horizon = t + _o.RerouteIntervalS;
            _nextRerouteS = horizon;
        }
        else
        {
            horizon = double.PositiveInfinity;
            _nextRerouteS = double.PositiveInfinity;
        }

        var batch = new List<int>();
        while (_nextToRoute < _n && _depart[_departOrder[_nextToRoute]] < horizon)
        {
            var v = _departOrder[_nextToRoute++];
            if (_route[v] is null)
            {
                batch.Add(v);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var byOrigin = batch.GroupBy(v => _origin[v]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        var threads = Math.Min(_o.RoutingThreads, byOrigin.Length);
        if (threads <= 1 || batch.Count < 64)
        {
            var router = new Router(_net);
            foreach (var group in byOrigin)
            {
                RouteGroup(router, group);
            }
        }
        else
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, w =>
            {
                var router = new Router(_net);
                for (var i = w; i < byOrigin.Length; i += threads)
                {
                    RouteGroup(router, byOrigin[i]);
                }
            });
        }

        foreach (var v in batch)
        {
            if (_route[v] is null)
            {
                _state[v] = NoRoute;
                _unroutable++;
                if (_unroutableSample.Count < 20)
                {
                    _unroutableSample.Add(_tripIds[v]);
                }
            }
        }
    }

    private void RouteGroup(Router router, int[] vehicles)
    {
        var origin = _origin[vehicles[0]];
        Span<int> targets = vehicles.Length <= 256 ? stackalloc int[vehicles.Length] : new int[vehicles.Length];
        for (var i = 0; i < vehicles.Length; i++)
        {
            targets[i] = _destination[vehicles[i]];
        }

        router.Grow(origin, targets, _routeCost);
        foreach (var v in vehicles)
        {
            _route[v] = router.PathTo(origin, _destination[v]);
        }
    }

    /// <summary>Turn cost = free-flow time of the next link + the smoothed mean wait at the lane group serving the turn.</summary>
    private void EstimateTurnCosts(double t)
    {
        for (var g = 0; g < _net.GroupCount; g++)
        {
            // Vehicles still waiting count with the wait they have had so far.
            var q = _queue[g];
            var sum = _waitSum[g];
            var count = _waitCount[g];
            for (var i = 0; i < _queued[g]; i++)
            {
                sum += t - _ready[q.At(i)];
                count++;
            }

            var measured = count > 0 ? sum / count : 0;
            _meanWait[g] = (0.5 * _meanWait[g]) + (0.5 * measured);
            _waitSum[g] = 0;
            _waitCount[g] = 0;
        }

        for (var k = 0; k < _turnCost.Length; k++)
        {
            _turnCost[k] = _net.FreeTimeS[_net.TurnTo[k]] + _meanWait[_net.TurnGroup[k]];
        }

        RefreshRouteCosts();
    }

    private void UpdateSignals(double t, double tEnd)
    {
        var p0 = 0;
        for (var s = 0; s < _net.Signals.Count; s++)
        {
            var signal = _net.Signals[s];
            var phases = signal.Phases;
            int phase;
            double gs, ge, until;
            if (_o.Control == SignalControl.FixedTime)
            {
                (phase, gs, ge, until) = FixedGreen(signal, p0, t, tEnd);
            }
            else
            {
                (phase, gs, ge) = _o.Control == SignalControl.MaxPressure ? MaxPressureGreen(s, signal, p0, t, tEnd) : ActuatedGreen(s, signal, t, tEnd);
                until = double.PositiveInfinity;
            }

            for (var slot = 0; slot < signal.GroupList.Count; slot++)
            {
                var g = signal.GroupList[slot];
                if (phase >= 0 && (signal.ServedBy[slot] & (1UL << phase)) != 0)
                {
                    _greenStart[g] = gs;
                    _greenEnd[g] = ge;
                    _greenUntil[g] = until;
                }
                else
                {
                    _greenStart[g] = double.PositiveInfinity;
                    _greenEnd[g] = double.PositiveInfinity;
                    _greenUntil[g] = double.NegativeInfinity;
                }
            }

            p0 += phases.Count + 1;
        }
    }

    /// <summary>The phase whose green overlaps [t, tEnd) under the fixed-time plan, with the overlap and the end of that green.</summary>
    private (int Phase, double Start, double End, double Until) FixedGreen(SimSignal signal, int p0, double t, double tEnd)
    {
        var cycle = signal.CycleS;
        var pos = (t - signal.OffsetS) % cycle;
        if (pos < 0)
        {
            pos += cycle;
        }

        var cycleStart = t - pos;
        var count = signal.Phases.Count;
        var i = 0;
        while (i < count - 1 && _phaseStart[p0 + i + 1] <= pos)
        {
            i++;
        }

        for (var look = 0; look < 2; look++)
        {
            var idx = (i + look) % count;
            var wrap = i + look >= count ? cycle : 0;
            var start = cycleStart + wrap + _phaseStart[p0 + idx];
            var end = start + signal.Phases[idx].GreenS;
            var gs = Math.Max(t, start);
            var ge = Math.Min(tEnd, end);
            if (gs < ge)
            {
                return (idx, gs, ge, end);
            }
        }

        return (-1, 0, 0, 0);
    }

    private (int Phase, double Start, double End) ActuatedGreen(int s, SimSignal signal, double t, double tEnd)
    {
        // Stages: 0 green, 1 amber, 2 all-red. Transitions happen on step boundaries.
        for (var guard = 0; guard < 3 * signal.Phases.Count; guard++)
        {
            var phase = signal.Phases[_actPhase[s]];
            var elapsed = t - _actStageStart[s];
            var done = _actStage[s] switch
            {
                0 => elapsed >= _o.MinGreenS && (elapsed >= phase.GreenS * _o.MaxGreenFactor || !HasDemand(signal, _actPhase[s], t)),
                1 => elapsed >= phase.AmberS,
                _ => elapsed >= phase.AllRedS,
            };
            if (!done)
            {
                break;
            }

            _actStageStart[s] = t;
            if (_actStage[s] < 2)
            {
                _actStage[s]++;
            }
            else
            {
                _actStage[s] = 0;
                _actPhase[s] = (_actPhase[s] + 1) % signal.Phases.Count;
            }

            SignalTrace?.Invoke(new SignalStageChange(s, _actPhase[s], (SignalStage)_actStage[s], t));
        }

        return _actStage[s] == 0 ? (_actPhase[s], t, tEnd) : (-1, 0, 0);
    }

    /// <summary>
    /// Max-pressure control of signal s (Varaiya 2013) on step [t, tEnd): the same green, amber, all-red cycle of
    /// stages as actuated control, changed on step boundaries, but the phase to serve next is chosen by pressure at
    /// each decision point (the green's minimum, then every decision interval); a phase keeps its green while no
    /// other phase has a strictly larger pressure.
    /// </summary>
    private (int Phase, double Start, double End) MaxPressureGreen(int s, SimSignal signal, int p0, double t, double tEnd)
    {
        for (var guard = 0; guard < 4; guard++)
        {
            var current = _actPhase[s];
            var phase = signal.Phases[current];
            var elapsed = t - _actStageStart[s];
            if (_actStage[s] == 0)
            {
                if (double.IsNaN(_mpDecideAt[s]))
                {
                    _mpDecideAt[s] = _actStageStart[s] + MinGreenOf(phase);
                }

                if (t < _mpDecideAt[s] - 1e-9)
                {
                    break;
                }

                var next = ChoosePhase(signal, p0, current, t);
                if (next == current)
                {
                    _mpDecideAt[s] = t + _o.DecisionIntervalS;
                    break;
                }

                _mpNext[s] = next;
                _mpGreenEnded[p0 + current] = t;
                _actStage[s] = 1;
            }
            else if (_actStage[s] == 1 && elapsed >= phase.AmberS - 1e-9)
            {
                _actStage[s] = 2;
            }
            else if (_actStage[s] == 2 && elapsed >= phase.AllRedS - 1e-9)
            {
                _actStage[s] = 0;
                _actPhase[s] = _mpNext[s];
                _mpDecideAt[s] = t + MinGreenOf(signal.Phases[_actPhase[s]]);
            }
            else
            {
                break;
            }

            _actStageStart[s] = t;
            SignalTrace?.Invoke(new SignalStageChange(s, _actPhase[s], (SignalStage)_actStage[s], t));
            if (_actStage[s] == 0)
            {
                break;
            }
        }

        return _actStage[s] == 0 ? (_actPhase[s], t, tEnd) : (-1, 0, 0);
    }

    /// <summary>The shortest green of a phase under adaptive control: its safety minimum, at least the options' minimum.</summary>
    private double MinGreenOf(SimPhase phase) => Math.Max(phase.MinGreenS, _o.MinGreenS);

    /// <summary>
    /// The phase to serve after a decision at time t: a phase with a waiting vehicle that has had no green for
    /// the maximum wait (the one waiting longest), else the phase with the largest pressure, the current one when no
    /// other is strictly larger (ties to the lower phase).
    /// </summary>
    private int ChoosePhase(SimSignal signal, int p0, int current, double t)
    {
        var count = signal.Phases.Count;
        var starved = -1;
        for (var i = 0; i < count; i++)
        {
            if (i != current && t - _mpGreenEnded[p0 + i] >= _o.MaxWaitS - 1e-9 && PhaseHasQueue(signal, i)
                && (starved < 0 || _mpGreenEnded[p0 + i] < _mpGreenEnded[p0 + starved]))
            {
                starved = i;
            }
        }

        if (starved >= 0)
        {
            return starved;
        }

        var best = current;
        var bestPressure = Pressure(signal, current);
        for (var i = 0; i < count; i++)
        {
            if (i == current)
            {
                continue;
            }

            var p = Pressure(signal, i);
            if (p > bestPressure + 1e-9)
            {
                best = i;
                bestPressure = p;
            }
        }

        return best;
    }

    private bool PhaseHasQueue(SimSignal signal, int phase)
    {
        for (var slot = 0; slot < signal.GroupList.Count; slot++)
        {
            if ((signal.ServedBy[slot] & (1UL << phase)) != 0 && _queued[signal.GroupList[slot]] > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Varaiya's pressure of a phase: the sum over the movements (turns l -> m) of the lane groups it serves of the
    /// group's saturation flow (veh/h) x (vehicles queued at the stop line bound for m - the vehicles queued at the
    /// end of link m, each weighted by the ratio of the turn it will take there, estimated from the turns counted so
    /// far, one pseudo-count each). Allocation-free.
    /// </summary>
    private double Pressure(SimSignal signal, int phase)
    {
        var net = _net;
        var sum = 0.0;
        for (var slot = 0; slot < signal.GroupList.Count; slot++)
        {
            if ((signal.ServedBy[slot] & (1UL << phase)) == 0)
            {
                continue;
            }

            var g = signal.GroupList[slot];
            var l = net.GroupLink[g];
            var saturation = 3600 / net.GroupHeadwayS[g];
            for (var k = net.TurnStart[l]; k < net.TurnStart[l + 1]; k++)
            {
                _turnQueue[k] = 0;
            }

            var q = _queue[g];
            for (var j = 0; j < _queued[g]; j++)
            {
                var v = q.At(j);
                var k = net.TurnFor(l, _route[v]![_pos[v] + 1]);
                if (k >= 0)
                {
                    _turnQueue[k]++;
                }
            }

            for (var k = net.TurnStart[l]; k < net.TurnStart[l + 1]; k++)
            {
                if (net.TurnGroup[k] == g)
                {
                    sum += saturation * (_turnQueue[k] - DownstreamQueue(net.TurnTo[k]));
                }
            }
        }

        return sum;
    }

    /// <summary>Sum over link m's turns p of r(m, p) x (vehicles queued at m's end bound for p).</summary>
    private double DownstreamQueue(int m)
    {
        var net = _net;
        var turns = net.TurnStart[m + 1] - net.TurnStart[m];
        if (turns == 0)
        {
            return 0;
        }

        long counted = 0;
        for (var k = net.TurnStart[m]; k < net.TurnStart[m + 1]; k++)
        {
            counted += _turnServed[k];
        }

        var weighted = 0.0;
        for (var g = net.GroupStart[m]; g < net.GroupStart[m + 1]; g++)
        {
            if (net.GroupHeadwayS[g] == 0)
            {
                continue;
            }

            var q = _queue[g];
            for (var j = 0; j < _queued[g]; j++)
            {
                var v = q.At(j);
                var k = net.TurnFor(m, _route[v]![_pos[v] + 1]);
                if (k >= 0)
                {
                    weighted += (_turnServed[k] + 1.0) / (counted + turns);
                }
            }
        }

        return weighted;
    }

    private bool HasDemand(SimSignal signal, int phase, double t)
    {
        for (var slot = 0; slot < signal.GroupList.Count; slot++)
        {
            if ((signal.ServedBy[slot] & (1UL << phase)) == 0)
            {
                continue;
            }

            var g = signal.GroupList[slot];
            if (_queued[g] > 0)
            {
                return true;
            }

            if (_queue[g].Count > 0 && _ready[_queue[g].At(0)] <= t + _o.GapS)
            {
                return true;
            }
        }

        return false;
    }

    private void Insert(double t, double tEnd)
    {
        // Vehicles already waiting for space go first, in their order.
        for (var i = 0; i < _pendingLinks.Count; i++)
        {
            var l = _pendingLinks[i];
            var q = _pending[l];
            while (q.Count > 0 && _linkCount[l] < _storage[l])
            {
                var v = q.Dequeue();
                _pendingCount--;
                Enter(v, l, t);
            }

            if (q.Count == 0)
            {
                _pendingLinks.RemoveAt(i);
                i--;
            }
        }

        while (_nextDeparture < _n)
        {
            var v = _departOrder[_nextDeparture];
            if (_depart[v] >= tEnd)
            {
                break;
            }

            _nextDeparture++;
            if (_state[v] == NoRoute || _depart[v] < _o.StartS)
            {
                if (_state[v] != NoRoute)
                {
                    _state[v] = Waiting;
                }

                continue;
            }

            var l = _origin[v];
            var q = _pending[l];
            if ((q is null || q.Count == 0) && _linkCount[l] < _storage[l])
            {
                Enter(v, l, Math.Max(t, _depart[v]));
            }
            else
            {
                if (q is null)
                {
                    q = _pending[l] = new VehicleQueue(16);
                }

                if (q.Count == 0)
                {
                    _pendingLinks.Add(l);
                }

                q.Enqueue(v);
                _state[v] = Pending;
                _pendingCount++;
            }
        }
    }

    private void Enter(int v, int l, double at)
    {
        var kpi = _cityKpi.For(_interval);
        kpi.Departed++;
        kpi.InsertionDelayS += at - _depart[v];
        _state[v] = Driving;
        _inserted[v] = at;
        _linkEnter[v] = at;
        _pos[v] = 0;
        var free = _atStopLine[v] ? 0 : _net.FreeTimeS[l] / _speedFactor[v];
        var startLoss = 0.0;
        if (!_atStopLine[v] && _accel > 0)
        {
            // A trip starts from standstill: it loses v / (2 a) accelerating to its speed.
            startLoss = _net.LengthM[l] / _net.FreeTimeS[l] * _speedFactor[v] / (2 * _accel);
        }

        _freeSum[v] = free;
        _ready[v] = at + free + startLoss + (free > 0 ? CruiseLossS(l, free) : 0);
        _linkCount[l]++;
        _inNetwork++;
        EnqueueAtEnd(v, l);
    }

    /// <summary>Puts a vehicle that just entered link l into the queue for its next turn (or the arrival sink).</summary>
    private void EnqueueAtEnd(int v, int l)
    {
        var route = _route[v]!;
        var next = _pos[v] + 1;
        var g = next < route.Length ? _net.GroupFor(l, route[next]) : _net.SinkGroup(l);
        _queue[g].InsertByReady(v, _ready, _queued[g]);
    }

    private void Discharge(double t, double tEnd)
    {
        var net = _net;
        var kpi = _cityKpi.For(_interval);
        for (var g = 0; g < _queue.Length; g++)
        {
            var q = _queue[g];
            var yields = net.GroupYields[g];
            if (q.Count == 0 && !(yields && _inJunction > 0))
            {
                continue;
            }

            var l = net.GroupLink[g];
            var headway = _headway[g];
            if (headway == 0)
            {
                // Arrival sink: the trip ends at the end of the link.
                while (q.Count > 0 && _ready[q.At(0)] < tEnd)
                {
                    var v = q.Dequeue();
                    if (_queued[g] > 0)
                    {
                        _queued[g]--;
                    }

                    Finish(v, l, _ready[v], kpi);
                }

                continue;
            }

            var limitEnd = tEnd;
            var limitStart = t;
            if (net.GroupSignal[g] >= 0)
            {
                limitStart = _greenStart[g];
                limitEnd = _greenEnd[g];
            }

            if (yields)
            {
                ReleaseFromJunction(g, l, t, tEnd, limitStart, limitEnd, kpi);
            }

            if (limitStart >= limitEnd)
            {
                continue;
            }

            while (q.Count > 0)
            {
                var v = q.At(0);
                var ready = _ready[v];
                var tau = Math.Max(Math.Max(ready, _nextFree[g]), limitStart);
                if (tau >= limitEnd)
                {
                    break;
                }

                var m = _route[v]![_pos[v] + 1];
                if (_closed[m])
                {
                    // The next link is closed: the vehicle turns elsewhere if it can, else waits for it to open.
                    if (Divert(v, g, l))
                    {
                        continue;
                    }

                    break;
                }

                if (_linkCount[m] >= _storage[m])
                {
                    if (double.IsNaN(_blockedSince[g]))
                    {
                        _blockedSince[g] = tau;
                    }

                    if (_o.TeleportAfterS <= 0 || tEnd - _blockedSince[g] < _o.TeleportAfterS)
                    {
                        break;
                    }

                    kpi.Teleports++;
                }

                _blockedSince[g] = double.NaN;
                var turn = net.TurnFor(l, m);
                var h = headway * _turnEquivalent[turn];
                if (yields)
                {
                    if (_laneHeld[g] > 0)
                    {
                        // A left turner waiting for its gap at the head of the lane holds everyone behind it.
                        break;
                    }

                    var waiting = _junction[turn];
                    if (waiting is not null && (waiting.Count > 0 || !GapAccepted(turn, tau)))
                    {
                        // A permissive turn with no gap (or others of its turn still waiting): the vehicle pulls
                        // into the junction to wait; where the junction has no room for it, it holds its lane.
                        var room = Math.Max(1, net.TurnWaitInside[turn]);
                        if (waiting.Count >= room)
                        {
                            break;
                        }

                        q.Dequeue();
                        if (_queued[g] > 0)
                        {
                            _queued[g]--;
                        }

                        _nextFree[g] = tau + h;
                        waiting.Enqueue(v);
                        _junctionAt[v] = tau;
                        _inJunction++;
                        if (net.TurnWaitInside[turn] == 0)
                        {
                            _laneHeld[g]++;
                        }

                        continue;
                    }
                }

                q.Dequeue();
                if (_queued[g] > 0)
                {
                    _queued[g]--;
                }

                _nextFree[g] = tau + h;
                Cross(v, g, l, m, turn, tau, kpi);
            }
        }
    }

    /// <summary>
    /// Lets the vehicles waiting inside the junction on group g's permissive turns go: at the first accepted gap in
    /// the opposing traffic while the group has green, at the end of its green at the latest (they clear the
    /// junction in the amber, as the oncoming traffic stops), at once when the group has no green.
    /// </summary>
    private void ReleaseFromJunction(int g, int l, double t, double tEnd, double limitStart, double limitEnd, NetworkAccumulator.Block kpi)
    {
        var net = _net;
        for (var k = net.TurnStart[l]; k < net.TurnStart[l + 1]; k++)
        {
            var waiting = _junction[k];
            if (waiting is null || net.TurnGroup[k] != g)
            {
                continue;
            }

            var m = net.TurnTo[k];
            var after = double.NegativeInfinity;
            while (waiting.Count > 0)
            {
                var v = waiting.At(0);
                var since = Math.Max(_junctionAt[v], after);
                if (!_closed[m] && _linkCount[m] >= _storage[m] && (_o.TeleportAfterS <= 0 || tEnd - since < _o.TeleportAfterS))
                {
                    break;
                }

                double at;
                var tau = Math.Max(since, t);
                if (limitStart >= limitEnd || tau >= limitEnd)
                {
                    // No green left in this step: the vehicle clears the junction now.
                    at = tau;
                }
                else if (GapAccepted(k, tau))
                {
                    at = tau;
                }
                else if (limitEnd < tEnd)
                {
                    // The green ends in this step: the oncoming traffic stops and the waiting vehicles clear.
                    at = Math.Max(since, limitEnd);
                }
                else
                {
                    break;
                }

                waiting.Dequeue();
                _inJunction--;
                if (net.TurnWaitInside[k] == 0)
                {
                    _laneHeld[g]--;
                }

                after = at + (_headway[g] * _turnEquivalent[k]);
                Cross(v, g, l, m, k, at, kpi);
            }
        }
    }

    /// <summary>
    /// True when no foe of permissive turn k that has green now will cross within the critical gap after
    /// <paramref name="tau"/>: each foe group's next vehicle is further away, held by a full link, itself on a
    /// permissive turn (opposing left turns pass each other), or its green ends first.
    /// </summary>
    private bool GapAccepted(int k, double tau)
    {
        var net = _net;
        var gap = tau + _criticalGap;
        for (var f = net.TurnFoeStart[k]; f < net.TurnFoeStart[k + 1]; f++)
        {
            var o = net.TurnFoes[f];
            if (_greenStart[o] >= _greenEnd[o] || _queue[o].Count == 0)
            {
                continue;
            }

            var h = _queue[o].At(0);
            var cross = Math.Max(Math.Max(_ready[h], _nextFree[o]), _greenStart[o]);
            if (cross >= gap || cross >= _greenUntil[o])
            {
                continue;
            }

            var lo = net.GroupLink[o];
            var mo = _route[h]![_pos[h] + 1];
            if (_linkCount[mo] >= _storage[mo])
            {
                continue;
            }

            if (net.GroupYields[o])
            {
                var ko = net.TurnFor(lo, mo);
                if (net.TurnFoeStart[ko + 1] > net.TurnFoeStart[ko])
                {
                    continue;
                }
            }

            return false;
        }

        return true;
    }

    /// <summary>
    /// Time (s, at speed factor 1) a vehicle that does not stop loses on each turn: braking from its speed to the turn
    /// speed sqrt(lateral acceleration x radius), the arc at that speed, and accelerating to the next link's speed.
    /// Radius: half the junction width for a right turn, 0.8 of it for a left turn (it sweeps across the junction),
    /// a quarter for a U-turn; the arc is a quarter circle (a half for a U-turn). Through movements lose nothing.
    /// </summary>
    internal static double[] TurnLosses(TrafficNetwork net, double lateralMs2, double accelMs2, double decelMs2)
    {
        var loss = new double[net.TurnTo.Length];
        if (lateralMs2 <= 0 || accelMs2 <= 0)
        {
            return loss;
        }

        for (var l = 0; l < net.LinkCount; l++)
        {
            var vIn = net.LengthM[l] / net.FreeTimeS[l];
            for (var k = net.TurnStart[l]; k < net.TurnStart[l + 1]; k++)
            {
                var m = net.TurnTo[k];
                var vOut = net.LengthM[m] / net.FreeTimeS[m];
                var w = net.TurnJunctionWidthM[k];
                var (radius, arc) = net.TurnMovement[k] switch
                {
                    Movement.Right => (w / 2, Math.PI / 2),
                    Movement.Left => (0.8 * w, Math.PI / 2),
                    Movement.UTurn => (w / 4, Math.PI),
                    _ => (0.0, 0.0),
                };
                if (radius <= 0)
                {
                    continue;
                }

                var vt = Math.Min(Math.Min(vIn, vOut), Math.Sqrt(lateralMs2 * radius));
                var brake = (vIn - vt) * (vIn - vt) / (2 * decelMs2 * vIn);
                var traverse = radius * arc * ((1 / vt) - (1 / vOut));
                var accelerate = (vOut - vt) * (vOut - vt) / (2 * accelMs2 * vOut);
                loss[k] = brake + Math.Max(0, traverse) + accelerate;
            }
        }

        return loss;
    }

    /// <summary>
    /// Time (s) a vehicle loses on link l against its free-flow time <paramref name="freeS"/> (at its own speed
    /// factor) by cruising <see cref="City.VehicleBehaviour.CruiseSpeedLossMs"/> below its desired speed (SUMO's
    /// dawdling); the cruise speed is kept at half the desired speed or more. Counted as time loss.
    /// </summary>
    private double CruiseLossS(int l, double freeS)
    {
        if (_cruiseLoss <= 0)
        {
            return 0;
        }

        var desired = _net.LengthM[l] / freeS;
        return (_net.LengthM[l] / Math.Max(desired - _cruiseLoss, desired / 2)) - freeS;
    }

    /// <summary>Moves vehicle v from link l (lane group g) into link m at time tau, with its delay, stop and KPIs.</summary>
    private void Cross(int v, int g, int l, int m, int k, double tau, NetworkAccumulator.Block kpi)
    {
        var net = _net;
        var ready = _ready[v];
        var wait = tau - ready;
        kpi.DelayS += wait;
        _waitSum[g] += wait;
        _waitCount[g]++;
        _served[g]++;
        _turnServed[k]++;
        var stop = wait > _o.StopThresholdS;
        var approach = net.GroupApproach[g];
        if (approach >= 0)
        {
            var approachBlock = _approachKpi.For(_interval);
            var signalBlock = _signalKpi.For(_interval);
            approachBlock.Served[approach]++;
            approachBlock.DelayS[approach] += wait;
            var s = _signalOfApproach[approach];
            signalBlock.Served[s]++;
            signalBlock.DelayS[s] += wait;
            if (stop)
            {
                approachBlock.Stops[approach]++;
                signalBlock.Stops[s]++;
            }
        }

        var district = net.LinkDistrict[l];
        if (district >= 0)
        {
            var districtBlock = _districtKpi.For(_interval);
            districtBlock.Served[district]++;
            districtBlock.DelayS[district] += wait;
            if (stop)
            {
                districtBlock.Stops[district]++;
            }
        }

        // Leave link l, enter link m.
        _linkCount[l]--;
        _linkCount[m]++;
        kpi.Metres += net.LengthM[l];
        _pos[v]++;
        _linkEnter[v] = tau;
        var free = net.FreeTimeS[m] / _speedFactor[v];
        _freeSum[v] += free;
        _ready[v] = tau + free + CruiseLossS(m, free);
        if (stop && _accel > 0)
        {
            // Braking to the stop line and accelerating away: time lost against free flow.
            var vIn = net.LengthM[l] / net.FreeTimeS[l] * _speedFactor[v];
            var vOut = net.LengthM[m] / net.FreeTimeS[m] * _speedFactor[v];
            _ready[v] += (vIn / (2 * _decel)) + (vOut / (2 * _accel));
        }
        else
        {
            // A vehicle that did not stop slows down for a turn.
            _ready[v] += _turnLossS[k] / _speedFactor[v];
        }

        EnqueueAtEnd(v, m);
    }

    private void Finish(int v, int l, double at, NetworkAccumulator.Block kpi)
    {
        _linkCount[l]--;
        _inNetwork--;
        _arrived++;
        _state[v] = Arrived;
        kpi.Metres += _net.LengthM[l];
        kpi.Arrived++;
        var duration = at - _inserted[v];
        kpi.DurationS += duration;
        kpi.TimeLossS += duration - _freeSum[v];
        if (_arrivedAt is not null)
        {
            _arrivedAt[v] = at;
        }
    }

    /// <summary>End of step: count who waits at stop lines, full links, vehicle time.</summary>
    private void Sample(double tEnd, double dt)
    {
        var net = _net;
        var approachBlock = _approachKpi.For(_interval);
        var signalBlock = _signalKpi.For(_interval);
        var districtBlock = _districtKpi.For(_interval);
        var kpi = _cityKpi.For(_interval);
        Array.Clear(_approachQueue);
        Array.Clear(_signalQueue);
        Array.Clear(_districtQueue);
        double total = 0;
        for (var g = 0; g < _queue.Length; g++)
        {
            var q = _queue[g];
            var queued = _queued[g];
            while (queued < q.Count && _ready[q.At(queued)] <= tEnd)
            {
                queued++;
            }

            _queued[g] = queued;
            if (queued == 0 || net.GroupHeadwayS[g] == 0)
            {
                continue;
            }

            total += queued;
            var a = net.GroupApproach[g];
            if (a >= 0)
            {
                _approachQueue[a] += queued;
                _signalQueue[_signalOfApproach[a]] += queued;
            }

            var d = net.LinkDistrict[net.GroupLink[g]];
            if (d >= 0)
            {
                _districtQueue[d] += queued;
            }
        }

        for (var l = 0; l < net.LinkCount; l++)
        {
            if (_linkCount[l] >= _storage[l] && !_closed[l])
            {
                kpi.SpillS += dt;
                var d = net.LinkDistrict[l];
                if (d >= 0)
                {
                    districtBlock.SpillS[d] += dt;
                }
            }
        }

        var approachLink = net.ApproachLink;
        for (var a = 0; a < _approachQueue.Length; a++)
        {
            var queue = _approachQueue[a];
            approachBlock.QueueSum[a] += queue;
            approachBlock.QueueMax[a] = Math.Max(approachBlock.QueueMax[a], queue);
            var l = approachLink[a];
            if (_linkCount[l] >= _storage[l] && !_closed[l])
            {
                approachBlock.SpillS[a] += dt;
                signalBlock.SpillS[_signalOfApproach[a]] += dt;
            }
        }

        for (var s = 0; s < _signalQueue.Length; s++)
        {
            signalBlock.QueueSum[s] += _signalQueue[s];
            signalBlock.QueueMax[s] = Math.Max(signalBlock.QueueMax[s], _signalQueue[s]);
        }

        for (var d = 0; d < _districtQueue.Length; d++)
        {
            districtBlock.QueueSum[d] += _districtQueue[d];
            districtBlock.QueueMax[d] = Math.Max(districtBlock.QueueMax[d], _districtQueue[d]);
        }

        approachBlock.Samples++;
        signalBlock.Samples++;
        districtBlock.Samples++;
        kpi.QueueMax = Math.Max(kpi.QueueMax, total);
        kpi.VehS += _inNetwork * dt;
        kpi.InNetworkAtEnd = _inNetwork;
        kpi.WaitingAtEnd = _pendingCount;
        _vehicleSteps += _inNetwork;
    }

    private SimulationResult BuildResult(double endS)
    {
        var intervals = Math.Max(1, (int)Math.Ceiling((endS - _o.StartS) / _o.KpiIntervalS - 1e-9));
        var starts = Enumerable.Range(0, intervals).Select(i => _o.StartS + (i * _o.KpiIntervalS)).ToList();

        var approaches = _net.Approaches.Select((a, i) => new ApproachKpis(a, _approachKpi.Total(i, intervals), _approachKpi.Series(i, intervals))).ToList();
        var intersections = _net.Signals.Select((s, i) => new KpiSeries<QueueKpi>(s.Id, s.DistrictId, _signalKpi.Total(i, intervals), _signalKpi.Series(i, intervals))).ToList();
        var districts = _net.Districts.Select((d, i) => new KpiSeries<QueueKpi>(d, d, _districtKpi.Total(i, intervals), _districtKpi.Series(i, intervals))).ToList();
        var city = new KpiSeries<NetworkKpi>("city", null, _cityKpi.Total(intervals), _cityKpi.Series(intervals));
        var notDeparted = _n - _arrived - _unroutable - _inNetwork;
        return new SimulationResult(
            _o,
            _o.StartS,
            endS,
            starts,
            city,
            approaches,
            intersections,
            districts,
            new SimulationCounters(_n, _unroutable, notDeparted, _steps, _vehicleSteps, _unroutableSample))
        {
            Trips = _arrivedAt is null ? null : Enumerable.Range(0, _n).Select(TripRecordOf).ToList(),
            LaneGroupServed = Enumerable.Range(0, _net.GroupCount)
                .Where(g => _net.GroupSignal[g] >= 0)
                .GroupBy(g => _net.GroupLabel[g], StringComparer.Ordinal)
                .ToDictionary(x => x.Key, x => x.Sum(g => _served[g]), StringComparer.Ordinal),
            TurnServed = Enumerable.Range(0, _net.TurnTo.Length)
                .Where(k => _turnServed[k] > 0)
                .GroupBy(k => _net.LinkIds[_net.TurnOrigin(k)], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(k => _net.LinkIds[_net.TurnTo[k]], k => _turnServed[k], StringComparer.Ordinal), StringComparer.Ordinal),
        };
    }

    private TripRecord TripRecordOf(int v)
    {
        var route = _route[v];
        var status = _state[v] switch
        {
            Arrived => TripStatus.Arrived,
            Driving => TripStatus.Driving,
            Pending => TripStatus.WaitingToEnter,
            NoRoute => TripStatus.Unroutable,
            _ => TripStatus.NotDeparted,
        };
        double? entered = status is TripStatus.Arrived or TripStatus.Driving ? _inserted[v] : null;
        double? arrived = status == TripStatus.Arrived ? _arrivedAt![v] : null;
        double? duration = arrived - entered;
        double? loss = arrived is null ? null : duration - _freeSum[v];
        var length = 0.0;
        if (route is not null)
        {
            foreach (var l in route)
            {
                length += _net.LengthM[l];
            }
        }

        return new TripRecord(_tripIds[v], status, _depart[v], entered, arrived, duration, loss, route?.Length ?? 0, length);
    }
}

/// <summary>Trips that cannot be simulated, with every problem found.</summary>
public sealed class TripException(IReadOnlyList<string> errors)
    : Exception($"{errors.Count} trip(s) are invalid:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Take(50)) + (errors.Count > 50 ? $"{Environment.NewLine}... and {errors.Count - 50} more" : ""))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
