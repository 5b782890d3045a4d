using CityTwin.Engine.City;

namespace CityTwin.Engine.Live;

/// <summary>The flow of one lane group from its approach's detectors, and whether any detector measured it.</summary>
public readonly record struct LaneGroupFlow(LaneGroup Group, double FlowVehH, bool Measured);

/// <summary>How detector flows become lane-group flows (the live view and the timing recommendations share it).</summary>
public static class LaneGroupFlows
{
    /// <summary>
    /// The lane-group flows of one approach from the flows (veh/h) of its reporting detectors: a detector of a lane
    /// group measures that group (several add up); flow seen by approach-wide detectors goes to the lane groups
    /// without a detector of their own, in proportion to their saturation flows (equal degree of saturation). A lane
    /// group neither way measured has flow 0 and <see cref="LaneGroupFlow.Measured"/> false.
    /// </summary>
    public static IReadOnlyList<LaneGroupFlow> Split(Approach approach, IEnumerable<(Detector Detector, double FlowVehH)> reporting)
    {
        var groupFlow = new Dictionary<string, double>(StringComparer.Ordinal);
        double approachLevelFlow = 0;
        var any = false;
        foreach (var (d, flow) in reporting)
        {
            any = true;
            if (d.LaneGroupId is { } g)
            {
                groupFlow[g] = groupFlow.GetValueOrDefault(g) + flow;
            }
            else
            {
                approachLevelFlow += flow;
            }
        }

        var unmeasuredSaturation = approach.LaneGroups.Where(g => !groupFlow.ContainsKey(g.Id)).Sum(g => g.SaturationFlowVehH);
        var result = new List<LaneGroupFlow>(approach.LaneGroups.Count);
        foreach (var g in approach.LaneGroups)
        {
            var measured = groupFlow.TryGetValue(g.Id, out var q);
            if (!measured && any && unmeasuredSaturation > 0 && approachLevelFlow > 0)
            {
                q = approachLevelFlow * g.SaturationFlowVehH / unmeasuredSaturation;
                measured = true;
            }

            result.Add(new LaneGroupFlow(g, q, measured));
        }

        return result;
    }
}
