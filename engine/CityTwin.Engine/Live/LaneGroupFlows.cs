using CityTwin.Engine.City;

namespace CityTwin.Engine.Live;

/// <summary>The flow of one lane group from its approach's detectors, and whether any detector measured it.</summary>
public readonly record struct LaneGroupFlow(LaneGroup Group, double FlowVehH, bool Measured);

/// <summary>How detector flows become lane-group flows (the live view and the timing recommendations share it).</summary>
public static class LaneGroupFlows
{
    /// <summary>What <see cref="GroupSlot"/> answers for a detector that measures the whole approach.</summary>
    public const int ApproachWide = -1;

    /// <summary>What <see cref="GroupSlot"/> answers for a detector of a lane group the approach does not have.</summary>
    public const int OtherGroup = -2;

    /// <summary>
    /// The lane-group flows of one approach from the flows (veh/h) of its reporting detectors: a detector of a lane
    /// group measures that group (several add up); flow seen by approach-wide detectors goes to the lane groups
    /// without a detector of their own, in proportion to their saturation flows (equal degree of saturation). A lane
    /// group neither way measured has flow 0 and <see cref="LaneGroupFlow.Measured"/> false.
    /// </summary>
    public static IReadOnlyList<LaneGroupFlow> Split(Approach approach, IEnumerable<(Detector Detector, double FlowVehH)> reporting)
    {
        var groups = approach.LaneGroups;
        var slots = new List<int>();
        var flows = new List<double>();
        foreach (var (d, flow) in reporting)
        {
            slots.Add(GroupSlot(groups, d.LaneGroupId));
            flows.Add(flow);
        }

        var q = new double[groups.Count];
        var measured = new bool[groups.Count];
        Split(groups, slots.ToArray(), flows.ToArray(), q, measured);
        var result = new List<LaneGroupFlow>(groups.Count);
        for (var i = 0; i < groups.Count; i++)
        {
            result.Add(new LaneGroupFlow(groups[i], q[i], measured[i]));
        }

        return result;
    }

    /// <summary>
    /// <see cref="Split(Approach, IEnumerable{ValueTuple{Detector, double}})"/> without allocating: the reporting
    /// detectors given by their <see cref="GroupSlot"/> and flow, the flow and whether measured of each lane group
    /// written to <paramref name="flowVehH"/> and <paramref name="measured"/> (one entry per lane group, in order).
    /// </summary>
    public static void Split(IReadOnlyList<LaneGroup> groups, ReadOnlySpan<int> reportingSlot, ReadOnlySpan<double> reportingFlowVehH, Span<double> flowVehH, Span<bool> measured)
    {
        var n = groups.Count;
        Span<double> groupFlow = n <= 32 ? stackalloc double[n] : new double[n];
        Span<bool> hasDetector = n <= 32 ? stackalloc bool[n] : new bool[n];
        groupFlow.Clear();
        hasDetector.Clear();
        double approachLevelFlow = 0;
        for (var k = 0; k < reportingSlot.Length; k++)
        {
            var slot = reportingSlot[k];
            if (slot >= 0)
            {
                groupFlow[slot] += reportingFlowVehH[k];
                hasDetector[slot] = true;
            }
            else if (slot == ApproachWide)
            {
                approachLevelFlow += reportingFlowVehH[k];
            }
        }

        var any = reportingSlot.Length > 0;
        double unmeasuredSaturation = 0;
        for (var i = 0; i < n; i++)
        {
            if (!hasDetector[SlotOf(groups, i)])
            {
                unmeasuredSaturation += groups[i].SaturationFlowVehH;
            }
        }

        for (var i = 0; i < n; i++)
        {
            var slot = SlotOf(groups, i);
            var isMeasured = hasDetector[slot];
            var q = isMeasured ? groupFlow[slot] : 0;
            if (!isMeasured && any && unmeasuredSaturation > 0 && approachLevelFlow > 0)
            {
                q = approachLevelFlow * groups[i].SaturationFlowVehH / unmeasuredSaturation;
                isMeasured = true;
            }

            flowVehH[i] = q;
            measured[i] = isMeasured;
        }
    }

    /// <summary>
    /// Where a detector's flow goes in <see cref="Split(IReadOnlyList{LaneGroup}, ReadOnlySpan{int}, ReadOnlySpan{double}, Span{double}, Span{bool})"/>:
    /// the index of the (first) lane group named <paramref name="laneGroupId"/>, <see cref="ApproachWide"/> for a
    /// detector of no lane group, <see cref="OtherGroup"/> for one of a lane group not among <paramref name="groups"/>.
    /// </summary>
    public static int GroupSlot(IReadOnlyList<LaneGroup> groups, string? laneGroupId)
    {
        if (laneGroupId is null)
        {
            return ApproachWide;
        }

        for (var i = 0; i < groups.Count; i++)
        {
            if (string.Equals(groups[i].Id, laneGroupId, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return OtherGroup;
    }

    private static int SlotOf(IReadOnlyList<LaneGroup> groups, int i)
    {
        for (var j = 0; j < i; j++)
        {
            if (string.Equals(groups[j].Id, groups[i].Id, StringComparison.Ordinal))
            {
                return j;
            }
        }

        return i;
    }
}
