using CityTwin.Engine.City;

namespace CityTwin.Engine.Timing;

/// <summary>Level of service of a signalised intersection, lane group or approach (HCM).</summary>
public enum LevelOfService
{
    A,
    B,
    C,
    D,
    E,
    F,
}

/// <summary>Parameters of the HCM delay model.</summary>
public sealed record HcmDelayOptions
{
    /// <summary>Analysis period T (h); 0.25 h is the HCM's usual 15 minutes.</summary>
    public double AnalysisPeriodH { get; init; } = LaneGroupPerformance.DefaultAnalysisPeriodH;

    /// <summary>Incremental delay factor k: 0.5 for pretimed (fixed-time) control.</summary>
    public double K { get; init; } = 0.5;

    /// <summary>Upstream filtering/metering factor I: 1.0 for an isolated intersection.</summary>
    public double UpstreamFiltering { get; init; } = 1.0;

    /// <summary>Progression adjustment factor PF applied to the uniform delay: 1.0 for random arrivals.</summary>
    public double ProgressionFactor { get; init; } = 1.0;
}

/// <summary>HCM delay of one lane group.</summary>
/// <param name="Group">The lane group.</param>
/// <param name="FlowVehH">Demand flow v (veh/h).</param>
/// <param name="SaturationFlowVehH">Saturation flow s (veh/h of green).</param>
/// <param name="EffectiveGreenS">Effective green g (s).</param>
/// <param name="CapacityVehH">Capacity c = s g / C (veh/h).</param>
/// <param name="DegreeOfSaturation">X = v / c.</param>
/// <param name="UniformDelayS">d1 (s/veh), before the progression factor.</param>
/// <param name="IncrementalDelayS">d2 (s/veh).</param>
/// <param name="ControlDelayS">d = d1 PF + d2 + d3 with d3 = 0 (s/veh).</param>
/// <param name="Los">Level of service.</param>
public sealed record LaneGroupDelay(
    LaneGroupRef Group,
    double FlowVehH,
    double SaturationFlowVehH,
    double EffectiveGreenS,
    double CapacityVehH,
    double DegreeOfSaturation,
    double UniformDelayS,
    double IncrementalDelayS,
    double ControlDelayS,
    LevelOfService Los);

/// <summary>Flow-weighted HCM control delay of one approach.</summary>
/// <param name="ApproachId">The approach.</param>
/// <param name="FlowVehH">Sum of its lane groups' flows (veh/h).</param>
/// <param name="ControlDelayS">Flow-weighted mean control delay (s/veh); 0 with no flow.</param>
/// <param name="Los">Level of service by control delay.</param>
public sealed record ApproachDelay(string ApproachId, double FlowVehH, double ControlDelayS, LevelOfService Los);

/// <summary>HCM delay of a signalised intersection under one plan.</summary>
/// <param name="LaneGroups">Per lane group.</param>
/// <param name="Approaches">Per approach.</param>
/// <param name="FlowVehH">Total flow (veh/h).</param>
/// <param name="ControlDelayS">Flow-weighted mean control delay of the intersection (s/veh); 0 with no flow.</param>
/// <param name="Los">Level of service by control delay.</param>
public sealed record IntersectionDelay(
    IReadOnlyList<LaneGroupDelay> LaneGroups,
    IReadOnlyList<ApproachDelay> Approaches,
    double FlowVehH,
    double ControlDelayS,
    LevelOfService Los);

/// <summary>
/// Control delay at a signalised intersection by the Highway Capacity Manual's method (HCM 2000, chapter 16;
/// the same d1 and d2 terms in HCM 2010 and HCM 6th edition, chapter 19): d = d1 PF + d2 + d3, with
/// d1 = 0.5 C (1 - g/C)² / (1 - min(1, X) g/C) and d2 = 900 T [(X - 1) + sqrt((X - 1)² + 8 k I X / (c T))];
/// the initial-queue delay d3 is taken as 0. Capacity and degree of saturation come from
/// <see cref="LaneGroupPerformance"/>.
/// </summary>
public static class HcmDelay
{
    /// <summary>Uniform delay d1 (s/veh): 0.5 C (1 - g/C)² / (1 - min(1, X) g/C).</summary>
    /// <param name="cycleS">Cycle C (s).</param>
    /// <param name="effectiveGreenS">Effective green g (s).</param>
    /// <param name="degreeOfSaturation">X = v / c.</param>
    /// <exception cref="ArgumentException">C &lt;= 0, g outside [0, C] or X negative or not a number.</exception>
    public static double UniformDelayS(double cycleS, double effectiveGreenS, double degreeOfSaturation)
    {
        if (!double.IsFinite(cycleS) || cycleS <= 0 || !double.IsFinite(effectiveGreenS) || effectiveGreenS < 0 || effectiveGreenS > cycleS ||
            double.IsNaN(degreeOfSaturation) || degreeOfSaturation < 0)
        {
            throw new ArgumentException($"uniform delay needs C > 0, 0 <= g <= C and X >= 0 (C {cycleS}, g {effectiveGreenS}, X {degreeOfSaturation})");
        }

        var lambda = effectiveGreenS / cycleS;
        var denominator = 1 - (Math.Min(1, degreeOfSaturation) * lambda);
        return denominator <= 0 ? 0 : 0.5 * cycleS * (1 - lambda) * (1 - lambda) / denominator;
    }

    /// <summary>Incremental delay d2 (s/veh): 900 T [(X - 1) + sqrt((X - 1)² + 8 k I X / (c T))]; infinite when c = 0 and X &gt; 0.</summary>
    /// <param name="degreeOfSaturation">X = v / c.</param>
    /// <param name="capacityVehH">Capacity c (veh/h).</param>
    /// <param name="options">T, k and I.</param>
    /// <exception cref="ArgumentException">X or c negative or not a number, or T, k, I not positive.</exception>
    public static double IncrementalDelayS(double degreeOfSaturation, double capacityVehH, HcmDelayOptions? options = null)
    {
        options ??= new HcmDelayOptions();
        Validate(options);
        if (double.IsNaN(degreeOfSaturation) || degreeOfSaturation < 0 || double.IsNaN(capacityVehH) || capacityVehH < 0)
        {
            throw new ArgumentException($"incremental delay needs X >= 0 and c >= 0 (X {degreeOfSaturation}, c {capacityVehH})");
        }

        if (degreeOfSaturation == 0)
        {
            return 0;
        }

        if (capacityVehH == 0 || double.IsPositiveInfinity(degreeOfSaturation))
        {
            return double.PositiveInfinity;
        }

        var t = options.AnalysisPeriodH;
        var x = degreeOfSaturation;
        return 900 * t * ((x - 1) + Math.Sqrt(((x - 1) * (x - 1)) + (8 * options.K * options.UpstreamFiltering * x / (capacityVehH * t))));
    }

    /// <summary>The HCM delay of one lane group.</summary>
    /// <param name="group">The lane group.</param>
    /// <param name="flowVehH">Demand flow v (veh/h).</param>
    /// <param name="saturationFlowVehH">Saturation flow s (veh/h of green).</param>
    /// <param name="effectiveGreenS">Effective green g (s).</param>
    /// <param name="cycleS">Cycle C (s).</param>
    /// <param name="options">T, k, I and PF.</param>
    /// <exception cref="ArgumentException">A number is out of range.</exception>
    public static LaneGroupDelay LaneGroup(LaneGroupRef group, double flowVehH, double saturationFlowVehH, double effectiveGreenS, double cycleS, HcmDelayOptions? options = null)
    {
        options ??= new HcmDelayOptions();
        if (!double.IsFinite(flowVehH) || flowVehH < 0 || !double.IsFinite(saturationFlowVehH) || saturationFlowVehH <= 0)
        {
            throw new ArgumentException($"lane group '{group}': needs v >= 0 and s > 0 (v {flowVehH}, s {saturationFlowVehH})");
        }

        var capacity = LaneGroupPerformance.Capacity(saturationFlowVehH, effectiveGreenS, cycleS);
        var x = LaneGroupPerformance.DegreeOfSaturation(flowVehH, saturationFlowVehH, effectiveGreenS, cycleS);
        var d1 = UniformDelayS(cycleS, effectiveGreenS, x);
        var d2 = IncrementalDelayS(x, capacity, options);
        var d = (d1 * options.ProgressionFactor) + d2;
        return new LaneGroupDelay(group, flowVehH, saturationFlowVehH, effectiveGreenS, capacity, x, d1, d2, d, Los(d, x));
    }

    /// <summary>
    /// The HCM delay of every lane group, approach and the whole intersection under a plan. A lane group's
    /// effective green is the sum of the greens of the phases that serve it (<see cref="TimingPlan.EffectiveGreenS"/>);
    /// approach and intersection delays are flow-weighted means of the lane groups'.
    /// </summary>
    /// <param name="site">The signal.</param>
    /// <param name="plan">The plan to evaluate.</param>
    /// <param name="flowsVehH">Demand flow per lane group (veh/h); a missing group counts as 0.</param>
    /// <param name="options">T, k, I and PF.</param>
    /// <exception cref="ArgumentException">A number is out of range.</exception>
    public static IntersectionDelay Evaluate(SignalSite site, TimingPlan plan, IReadOnlyDictionary<LaneGroupRef, double> flowsVehH, HcmDelayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(flowsVehH);
        var groups = new List<LaneGroupDelay>();
        var approaches = new List<ApproachDelay>();
        foreach (var a in site.Approaches)
        {
            var mine = a.LaneGroups
                .Select(g => new LaneGroupRef(a.Id, g.Id))
                .Zip(a.LaneGroups, (r, g) => LaneGroup(r, flowsVehH.GetValueOrDefault(r), g.SaturationFlowVehH, plan.EffectiveGreenS(r), plan.CycleS, options))
                .ToList();
            groups.AddRange(mine);
            var (flow, delay) = FlowWeighted(mine);
            approaches.Add(new ApproachDelay(a.Id, flow, delay, Los(delay)));
        }

        var (total, mean) = FlowWeighted(groups);
        return new IntersectionDelay(groups, approaches, total, mean, Los(mean));
    }

    /// <summary>
    /// Level of service from control delay (HCM 6th edition, Exhibit 19-8, signalised intersections):
    /// A up to 10 s, B up to 20, C up to 35, D up to 55, E up to 80, F above; and F whenever the
    /// volume-to-capacity ratio exceeds 1 (lane groups; approaches and the intersection go by delay alone).
    /// </summary>
    /// <param name="controlDelayS">Control delay (s/veh).</param>
    /// <param name="degreeOfSaturation">v/c of a lane group; 0 (the default) for an approach or intersection.</param>
    public static LevelOfService Los(double controlDelayS, double degreeOfSaturation = 0) =>
        degreeOfSaturation > 1 || double.IsNaN(controlDelayS) ? LevelOfService.F
        : controlDelayS <= 10 ? LevelOfService.A
        : controlDelayS <= 20 ? LevelOfService.B
        : controlDelayS <= 35 ? LevelOfService.C
        : controlDelayS <= 55 ? LevelOfService.D
        : controlDelayS <= 80 ? LevelOfService.E
        : LevelOfService.F;

    private static (double Flow, double Delay) FlowWeighted(IReadOnlyList<LaneGroupDelay> groups)
    {
        var flow = groups.Sum(g => g.FlowVehH);
        var delay = flow > 0 ? groups.Where(g => g.FlowVehH > 0).Sum(g => g.FlowVehH * g.ControlDelayS) / flow : 0;
        return (flow, delay);
    }

    private static void Validate(HcmDelayOptions o)
    {
        if (!(o.AnalysisPeriodH > 0) || !(o.K > 0) || !(o.UpstreamFiltering > 0) || !(o.ProgressionFactor >= 0) ||
            !double.IsFinite(o.AnalysisPeriodH) || !double.IsFinite(o.K) || !double.IsFinite(o.UpstreamFiltering) || !double.IsFinite(o.ProgressionFactor))
        {
            throw new ArgumentException($"HCM delay options need T, k, I > 0 and PF >= 0 (T {o.AnalysisPeriodH}, k {o.K}, I {o.UpstreamFiltering}, PF {o.ProgressionFactor})", nameof(o));
        }
    }
}
