namespace CityTwin.Engine.Traffic;

/// <summary>
/// Performance at stop lines over a period: an approach, an intersection (its approaches), or a district (every
/// link end in it). Delay is the time vehicles waited at stop lines beyond their free-flow arrival there.
/// </summary>
/// <param name="Served">Vehicles that crossed the stop line.</param>
/// <param name="TotalDelayVehH">Summed delay of the served vehicles (vehicle-hours).</param>
/// <param name="MeanDelayS">Mean delay per served vehicle (s).</param>
/// <param name="Stops">Vehicles that waited longer than the stop threshold.</param>
/// <param name="MeanQueueVeh">Time-mean number of vehicles waiting at the stop lines.</param>
/// <param name="MaxQueueVeh">Largest number waiting at once (sampled every step).</param>
/// <param name="SpillbackMin">Minutes its links were full to their storage (queue reaching the upstream end), summed over links.</param>
public sealed record QueueKpi(long Served, double TotalDelayVehH, double MeanDelayS, long Stops, double MeanQueueVeh, double MaxQueueVeh, double SpillbackMin);

/// <summary>Whole-network figures over a period.</summary>
/// <param name="Departed">Vehicles that entered the network.</param>
/// <param name="TripsCompleted">Vehicles that reached the end of their destination link.</param>
/// <param name="MeanTripDurationS">Mean time from entering the network to arrival, over completed trips.</param>
/// <param name="MeanTimeLossS">Mean of (duration - the vehicle's free-flow time on its route), over completed trips.</param>
/// <param name="TotalDelayVehH">All waiting at stop lines in the period, completed or not (vehicle-hours).</param>
/// <param name="TravelTimeVehH">Vehicle-hours spent in the network.</param>
/// <param name="VehicleKm">Vehicle-kilometres driven (counted when a vehicle leaves a link).</param>
/// <param name="MeanInsertionDelayS">Mean wait of departing vehicles for space on their first link.</param>
/// <param name="Teleports">Vehicles moved past a gridlocked link after waiting the teleport time.</param>
/// <param name="InNetworkAtEnd">Vehicles in the network at the end of the period.</param>
/// <param name="WaitingToEnterAtEnd">Vehicles due to depart but still waiting for space at the end of the period.</param>
/// <param name="SpillbackLinkMin">Link-minutes of full links.</param>
/// <param name="MaxQueueVeh">Largest number of vehicles waiting at stop lines at once.</param>
public sealed record NetworkKpi(
    long Departed,
    long TripsCompleted,
    double MeanTripDurationS,
    double MeanTimeLossS,
    double TotalDelayVehH,
    double TravelTimeVehH,
    double VehicleKm,
    double MeanInsertionDelayS,
    long Teleports,
    long InNetworkAtEnd,
    long WaitingToEnterAtEnd,
    double SpillbackLinkMin,
    double MaxQueueVeh);

/// <summary>One entity's KPIs: totals over the run and one value per KPI interval.</summary>
public sealed record KpiSeries<T>(string Id, string? DistrictId, T Total, IReadOnlyList<T> Intervals);

/// <summary>KPIs of an approach.</summary>
public sealed record ApproachKpis(SimApproach Approach, QueueKpi Total, IReadOnlyList<QueueKpi> Intervals);

/// <summary>What a run produced: KPIs at every level, as totals and per interval.</summary>
public sealed record SimulationResult(
    SimulationOptions Options,
    double StartS,
    double EndS,
    IReadOnlyList<double> IntervalStartsS,
    KpiSeries<NetworkKpi> City,
    IReadOnlyList<ApproachKpis> Approaches,
    IReadOnlyList<KpiSeries<QueueKpi>> Intersections,
    IReadOnlyList<KpiSeries<QueueKpi>> Districts,
    SimulationCounters Counters)
{
    /// <summary>One record per trip, in the order given, when <see cref="SimulationOptions.RecordTrips"/> is set.</summary>
    public IReadOnlyList<TripRecord>? Trips { get; init; }

    /// <summary>
    /// Vehicles each signalised lane group let across its stop line over the run, by the group's label
    /// ("signal.approach.laneGroup").
    /// </summary>
    public IReadOnlyDictionary<string, long> LaneGroupServed { get; init; } = new Dictionary<string, long>();

    /// <summary>Vehicles that made each turn over the run, by the link they left and then the link they entered; turns nobody made are absent.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> TurnServed { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, long>>();

    /// <summary>The flow of every turn made (veh/h) over a period of <paramref name="hours"/>, by (from link, to link).</summary>
    public Dictionary<(string From, string To), double> TurnFlowsVehH(double hours) =>
        TurnServed.SelectMany(f => f.Value.Select(t => (Key: (f.Key, t.Key), Flow: t.Value / hours))).ToDictionary(x => x.Key, x => x.Flow);
}

/// <summary>Where a trip ended up.</summary>
public enum TripStatus
{
    NotDeparted,
    WaitingToEnter,
    Driving,
    Arrived,
    Unroutable,
}

/// <summary>One trip's outcome (times in s from midnight; duration and time loss as SUMO's tripinfo defines them).</summary>
public sealed record TripRecord(
    string Id,
    TripStatus Status,
    double DepartS,
    double? EnteredS,
    double? ArrivedS,
    double? DurationS,
    double? TimeLossS,
    int RouteLinks,
    double RouteLengthM);

/// <summary>Where the vehicles are at one moment; NotYetDeparted + WaitingToEnter + InNetwork + Arrived + Unroutable = Trips.</summary>
public readonly record struct SimulationCensus(
    double TimeS,
    long Trips,
    long NotYetDeparted,
    long WaitingToEnter,
    long InNetwork,
    long Arrived,
    long Unroutable,
    long OnLinks,
    long InQueues,
    long LinksOverStorage);

/// <summary>Bookkeeping of a run.</summary>
/// <param name="Trips">Trips given.</param>
/// <param name="Unroutable">Trips with no path from origin to destination (not simulated; see <paramref name="UnroutableSample"/>).</param>
/// <param name="NotDeparted">Trips whose departure time was not reached before the end, or that were still waiting to enter.</param>
/// <param name="Steps">Time steps run.</param>
/// <param name="VehicleSteps">Sum over steps of the vehicles in the network.</param>
/// <param name="UnroutableSample">Up to 20 unroutable trip ids.</param>
public sealed record SimulationCounters(long Trips, long Unroutable, long NotDeparted, long Steps, long VehicleSteps, IReadOnlyList<string> UnroutableSample);

/// <summary>Accumulates stop-line KPIs of a set of entities over intervals.</summary>
internal sealed class QueueAccumulator
{
    private readonly int _entities;
    private readonly List<Block> _blocks = [];

    public QueueAccumulator(int entities) => _entities = entities;

    public Block For(int interval)
    {
        while (_blocks.Count <= interval)
        {
            _blocks.Add(new Block(_entities));
        }

        return _blocks[interval];
    }

    public IReadOnlyList<QueueKpi> Series(int entity, int intervals) =>
        Enumerable.Range(0, intervals).Select(i => For(i).Kpi(entity)).ToList();

    public QueueKpi Total(int entity, int intervals)
    {
        long served = 0, stops = 0, samples = 0;
        double delay = 0, queueSum = 0, queueMax = 0, spill = 0;
        for (var i = 0; i < intervals; i++)
        {
            var b = For(i);
            served += b.Served[entity];
            stops += b.Stops[entity];
            delay += b.DelayS[entity];
            queueSum += b.QueueSum[entity];
            queueMax = Math.Max(queueMax, b.QueueMax[entity]);
            spill += b.SpillS[entity];
            samples += b.Samples;
        }

        return Make(served, delay, stops, queueSum, samples, queueMax, spill);
    }

    internal static QueueKpi Make(long served, double delayS, long stops, double queueSum, long samples, double queueMax, double spillS) =>
        new(served, delayS / 3600.0, served > 0 ? delayS / served : 0, stops, samples > 0 ? queueSum / samples : 0, queueMax, spillS / 60.0);

    internal sealed class Block(int n)
    {
        public long[] Served { get; } = new long[n];

        public long[] Stops { get; } = new long[n];

        public double[] DelayS { get; } = new double[n];

        public double[] QueueSum { get; } = new double[n];

        public double[] QueueMax { get; } = new double[n];

        public double[] SpillS { get; } = new double[n];

        public long Samples { get; set; }

        public QueueKpi Kpi(int e) => Make(Served[e], DelayS[e], Stops[e], QueueSum[e], Samples, QueueMax[e], SpillS[e]);
    }
}

/// <summary>Accumulates whole-network figures per interval.</summary>
internal sealed class NetworkAccumulator
{
    private readonly List<Block> _blocks = [];

    public Block For(int interval)
    {
        while (_blocks.Count <= interval)
        {
            _blocks.Add(new Block());
        }

        return _blocks[interval];
    }

    public IReadOnlyList<NetworkKpi> Series(int intervals) => Enumerable.Range(0, intervals).Select(i => For(i).Kpi()).ToList();

    public NetworkKpi Total(int intervals)
    {
        var sum = new Block();
        for (var i = 0; i < intervals; i++)
        {
            var b = For(i);
            sum.Departed += b.Departed;
            sum.Arrived += b.Arrived;
            sum.DurationS += b.DurationS;
            sum.TimeLossS += b.TimeLossS;
            sum.DelayS += b.DelayS;
            sum.VehS += b.VehS;
            sum.Metres += b.Metres;
            sum.InsertionDelayS += b.InsertionDelayS;
            sum.Teleports += b.Teleports;
            sum.SpillS += b.SpillS;
            sum.QueueMax = Math.Max(sum.QueueMax, b.QueueMax);
            sum.InNetworkAtEnd = b.InNetworkAtEnd;
            sum.WaitingAtEnd = b.WaitingAtEnd;
        }

        return sum.Kpi();
    }

    internal sealed class Block
    {
        public long Departed { get; set; }

        public long Arrived { get; set; }

        public double DurationS { get; set; }

        public double TimeLossS { get; set; }

        public double DelayS { get; set; }

        public double VehS { get; set; }

        public double Metres { get; set; }

        public double InsertionDelayS { get; set; }

        public long Teleports { get; set; }

        public double SpillS { get; set; }

        public double QueueMax { get; set; }

        public long InNetworkAtEnd { get; set; }

        public long WaitingAtEnd { get; set; }

        public NetworkKpi Kpi() => new(
            Departed,
            Arrived,
            Arrived > 0 ? DurationS / Arrived : 0,
            Arrived > 0 ? TimeLossS / Arrived : 0,
            DelayS / 3600.0,
            VehS / 3600.0,
            Metres / 1000.0,
            Departed > 0 ? InsertionDelayS / Departed : 0,
            Teleports,
            InNetworkAtEnd,
            WaitingAtEnd,
            SpillS / 60.0,
            QueueMax);
    }
}
