namespace CityTwin.Engine.Traffic;

/// <summary>One phase of a signal plan as the simulation runs it (seconds).</summary>
public readonly record struct SimPhase(double GreenS, double AmberS, double AllRedS)
{
    /// <summary>Green + amber + all-red.</summary>
    public double DurationS => GreenS + AmberS + AllRedS;

    /// <summary>
    /// The shortest green adaptive control may give the phase (s): the safety profile's minimum (vehicles and
    /// pedestrians) when the network is built from a city, 0 (then <see cref="SimulationOptions.MinGreenS"/>) otherwise.
    /// </summary>
    public double MinGreenS { get; init; }
}

/// <summary>
/// A signal as the simulation runs it: its phases in order, the offset of phase 1 against time 0, and for
/// every signal group (one per lane group it controls) the phases that give it green.
/// </summary>
public sealed class SimSignal
{
    internal SimSignal(string id, string? districtId, double offsetS, SimPhase[] phases)
    {
        Id = id;
        DistrictId = districtId;
        OffsetS = offsetS;
        Phases = phases;
        CycleS = phases.Sum(p => p.DurationS);
    }

    public string Id { get; }

    public string? DistrictId { get; }

    public double OffsetS { get; }

    public double CycleS { get; }

    public IReadOnlyList<SimPhase> Phases { get; }

    /// <summary>Network lane-group indices this signal controls.</summary>
    public IReadOnlyList<int> Groups => GroupList;

    internal List<int> GroupList { get; } = [];

    /// <summary>For each controlled group (same order as <see cref="Groups"/>): bit i set when phase i serves it.</summary>
    internal List<ulong> ServedBy { get; } = [];
}

/// <summary>The stage of an adaptive signal's phase.</summary>
public enum SignalStage
{
    Green,
    Amber,
    AllRed,
}

/// <summary>An adaptive signal started a stage of a phase (see <see cref="Simulation.SignalTrace"/>).</summary>
/// <param name="Signal">Index of the signal in <see cref="TrafficNetwork.Signals"/>.</param>
/// <param name="Phase">0-based phase index in the signal's plan.</param>
/// <param name="Stage">The stage that starts.</param>
/// <param name="AtS">When it starts (s).</param>
public readonly record struct SignalStageChange(int Signal, int Phase, SignalStage Stage, double AtS);

/// <summary>An approach of a signal: the link that enters it, for per-approach KPIs.</summary>
public sealed record SimApproach(string SignalId, string ApproachId, string LinkId, string? DistrictId);

/// <summary>
/// The network the traffic simulation runs on, compiled into flat arrays (struct-of-arrays): links with
/// their free-flow time and storage, the lane groups at each link's downstream end (each a queue that
/// discharges at its saturation flow), the turns from link to link with the lane group that serves them,
/// and the signals. Immutable once built; build one with <see cref="NetworkBuilder"/> or
/// <see cref="CityNetwork.Build"/>.
/// </summary>
public sealed class TrafficNetwork
{
    private int[]? _approachLink;

    internal TrafficNetwork(
        string[] linkIds,
        string[] linkFrom,
        string[] linkTo,
        double[] lengthM,
        double[] freeTimeS,
        int[] lanes,
        int[] storage,
        int[] linkDistrict,
        int[] groupStart,
        int[] groupLink,
        double[] groupHeadwayS,
        int[] groupSignal,
        int[] groupSignalSlot,
        int[] groupApproach,
        string[] groupLabel,
        int[] turnStart,
        int[] turnTo,
        int[] turnGroup,
        int[] turnFoeStart,
        int[] turnFoes,
        int[] turnWaitInside,
        City.Movement[] turnMovement,
        double[] turnJunctionWidthM,
        SimSignal[] signals,
        SimApproach[] approaches,
        string[] districts,
        City.VehicleBehaviour vehicles)
    {
        Vehicles = vehicles;
        LinkIds = linkIds;
        LinkFrom = linkFrom;
        LinkTo = linkTo;
        LengthM = lengthM;
        FreeTimeS = freeTimeS;
        Lanes = lanes;
        Storage = storage;
        LinkDistrict = linkDistrict;
        GroupStart = groupStart;
        GroupLink = groupLink;
        GroupHeadwayS = groupHeadwayS;
        GroupSignal = groupSignal;
        GroupSignalSlot = groupSignalSlot;
        GroupApproach = groupApproach;
        GroupLabel = groupLabel;
        TurnStart = turnStart;
        TurnTo = turnTo;
        TurnGroup = turnGroup;
        TurnFoeStart = turnFoeStart;
        TurnFoes = turnFoes;
        TurnWaitInside = turnWaitInside;
        TurnMovement = turnMovement;
        TurnJunctionWidthM = turnJunctionWidthM;
        GroupYields = new bool[groupLink.Length];
        for (var k = 0; k < turnGroup.Length; k++)
        {
            if (turnFoeStart[k + 1] > turnFoeStart[k])
            {
                GroupYields[turnGroup[k]] = true;
            }
        }
        Signals = signals;
        Approaches = approaches;
        Districts = districts;
        var index = new Dictionary<string, int>(linkIds.Length, StringComparer.Ordinal);
        for (var i = 0; i < linkIds.Length; i++)
        {
            index[linkIds[i]] = i;
        }

        LinkIndex = index;
    }

    /// <summary>How the vehicles behave (the city's <c>vehicles</c>); options of a run may override parts of it.</summary>
    public City.VehicleBehaviour Vehicles { get; }

    /// <summary>Number of links.</summary>
    public int LinkCount => LinkIds.Length;

    /// <summary>Number of lane groups (queues), including one arrival sink per link.</summary>
    public int GroupCount => GroupLink.Length;

    public string[] LinkIds { get; }

    internal string[] LinkFrom { get; }

    internal string[] LinkTo { get; }

    internal double[] LengthM { get; }

    internal double[] FreeTimeS { get; }

    internal int[] Lanes { get; }

    /// <summary>Vehicles a link holds when jammed: lanes x length / jam spacing (at least 1).</summary>
    internal int[] Storage { get; }

    internal int[] LinkDistrict { get; }

    /// <summary>Groups of link l are GroupStart[l] .. GroupStart[l+1]-1; the last one is the link's arrival sink.</summary>
    internal int[] GroupStart { get; }

    internal int[] GroupLink { get; }

    /// <summary>Seconds between departures at saturation flow (0 for a sink).</summary>
    internal double[] GroupHeadwayS { get; }

    /// <summary>Signal index controlling the group, or -1.</summary>
    internal int[] GroupSignal { get; }

    /// <summary>The group's slot in its signal's <see cref="SimSignal.Groups"/>, or -1.</summary>
    internal int[] GroupSignalSlot { get; }

    /// <summary>The approach index for KPIs, or -1.</summary>
    internal int[] GroupApproach { get; }

    internal string[] GroupLabel { get; }

    /// <summary>Turns from link l are TurnStart[l] .. TurnStart[l+1]-1.</summary>
    internal int[] TurnStart { get; }

    internal int[] TurnTo { get; }

    internal int[] TurnGroup { get; }

    /// <summary>The lane groups turn k yields to are TurnFoes[TurnFoeStart[k] .. TurnFoeStart[k+1]-1] (none for most turns).</summary>
    internal int[] TurnFoeStart { get; }

    internal int[] TurnFoes { get; }

    /// <summary>The movement of each turn (through unless the builder was told).</summary>
    internal City.Movement[] TurnMovement { get; }

    /// <summary>Width of the junction each turn crosses (m).</summary>
    internal double[] TurnJunctionWidthM { get; }

    /// <summary>Vehicles of a permissive turn that wait inside the junction clear of the lane group's other turns (0: the first one holds the lane).</summary>
    internal int[] TurnWaitInside { get; }

    /// <summary>True for a lane group that serves at least one permissive (yielding) turn.</summary>
    internal bool[] GroupYields { get; }

    /// <summary>Number of permissive turns.</summary>
    public int PermissiveTurnCount => Enumerable.Range(0, TurnTo.Length).Count(k => TurnFoeStart[k + 1] > TurnFoeStart[k]);

    public IReadOnlyList<SimSignal> Signals { get; }

    public IReadOnlyList<SimApproach> Approaches { get; }

    /// <summary>District ids; links and signals refer to them by index.</summary>
    public IReadOnlyList<string> Districts { get; }

    public IReadOnlyDictionary<string, int> LinkIndex { get; }

    /// <summary>The arrival sink group of a link.</summary>
    internal int SinkGroup(int link) => GroupStart[link + 1] - 1;

    /// <summary>The group that serves the turn from link <paramref name="from"/> to <paramref name="to"/>, or -1.</summary>
    internal int GroupFor(int from, int to)
    {
        for (var k = TurnStart[from]; k < TurnStart[from + 1]; k++)
        {
            if (TurnTo[k] == to)
            {
                return TurnGroup[k];
            }
        }

        return -1;
    }

    /// <summary>The link turn k starts from (a binary search of <see cref="TurnStart"/>).</summary>
    internal int TurnOrigin(int k)
    {
        var i = Array.BinarySearch(TurnStart, 0, LinkCount + 1, k);
        if (i < 0)
        {
            return ~i - 1;
        }

        // Links without turns share a start: the turn belongs to the last link starting at k.
        while (i + 1 <= LinkCount && TurnStart[i + 1] == k)
        {
            i++;
        }

        return i;
    }

    /// <summary>The index of the turn from link <paramref name="from"/> to <paramref name="to"/>, or -1.</summary>
    internal int TurnFor(int from, int to)
    {
        for (var k = TurnStart[from]; k < TurnStart[from + 1]; k++)
        {
            if (TurnTo[k] == to)
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>The link each approach enters the signal on (same order as <see cref="Approaches"/>).</summary>
    internal int[] ApproachLink => _approachLink ??= Approaches.Select(a => LinkIndex[a.LinkId]).ToArray();

    /// <summary>A new array of turn costs at free flow: the free-flow time of each turn's next link.</summary>
    internal double[] FreeFlowTurnCosts()
    {
        var cost = new double[TurnTo.Length];
        for (var k = 0; k < cost.Length; k++)
        {
            cost[k] = FreeTimeS[TurnTo[k]];
        }

        return cost;
    }

    /// <summary>Free-flow travel time of a link in seconds.</summary>
    public double FreeFlowTimeS(int link) => FreeTimeS[link];

    /// <summary>Jam storage of a link in vehicles.</summary>
    public int StorageOf(int link) => Storage[link];

    /// <summary>Length of a link in metres.</summary>
    public double LengthOf(int link) => LengthM[link];
}
