namespace CityTwin.Engine.Timing;

/// <summary>
/// Closed-form performance of a signalised lane group under a fixed-time plan: degree of saturation and
/// queue estimates. Inputs are flows in veh/h and times in seconds.
/// </summary>
public static class LaneGroupPerformance
{
    /// <summary>Default analysis period for the overflow queue: 15 minutes (0.25 h), as in the HCM.</summary>
    public const double DefaultAnalysisPeriodH = 0.25;

    /// <summary>Capacity c = s g / C in veh/h.</summary>
    public static double Capacity(double saturationFlowVehH, double effectiveGreenS, double cycleS) =>
        cycleS <= 0 ? 0 : saturationFlowVehH * effectiveGreenS / cycleS;

    /// <summary>Degree of saturation x = q / c (infinite when the group has no capacity and some flow).</summary>
    public static double DegreeOfSaturation(double flowVehH, double saturationFlowVehH, double effectiveGreenS, double cycleS)
    {
        var c = Capacity(saturationFlowVehH, effectiveGreenS, cycleS);
        if (c <= 0)
        {
            return flowVehH > 0 ? double.PositiveInfinity : 0;
        }

        return flowVehH / c;
    }

    /// <summary>
    /// Akcelik's overflow queue N0 (veh) at the end of the analysis period T:
    /// N0 = (cT/4) [ (x-1) + sqrt((x-1)^2 + 12 (x - x0) / (cT)) ] for x &gt; x0, else 0,
    /// with x0 = 0.67 + s g / 600 (s in veh/s, g in s). Source: R. Akcelik, "Traffic Signals: Capacity and
    /// Timing Analysis", ARR 123, Australian Road Research Board, 1981.
    /// </summary>
    public static double OverflowQueue(double flowVehH, double saturationFlowVehH, double effectiveGreenS, double cycleS, double analysisPeriodH = DefaultAnalysisPeriodH)
    {
        var c = Capacity(saturationFlowVehH, effectiveGreenS, cycleS);
        if (c <= 0)
        {
            return flowVehH * analysisPeriodH;
        }

        var x = flowVehH / c;
        var x0 = 0.67 + (saturationFlowVehH / 3600.0 * effectiveGreenS / 600.0);
        if (x <= x0)
        {
            return 0;
        }

        var ct = c * analysisPeriodH;
        return ct / 4 * ((x - 1) + Math.Sqrt(((x - 1) * (x - 1)) + (12 * (x - x0) / ct)));
    }

    /// <summary>
    /// Uniform back of queue (veh): the vehicles that arrive during the effective red and while the queue
    /// discharges, q r / (1 - y) with y = q/s; when y &gt;= 1 the queue never clears within the cycle and
    /// all arrivals of the cycle are counted.
    /// </summary>
    public static double UniformQueue(double flowVehH, double saturationFlowVehH, double effectiveGreenS, double cycleS)
    {
        var q = flowVehH / 3600.0;
        var red = Math.Max(0, cycleS - effectiveGreenS);
        var y = saturationFlowVehH > 0 ? flowVehH / saturationFlowVehH : double.PositiveInfinity;
        return y < 1 ? q * red / (1 - y) : q * cycleS;
    }

    /// <summary>Queue estimate (veh): uniform back of queue plus the overflow queue.</summary>
    public static double QueueEstimate(double flowVehH, double saturationFlowVehH, double effectiveGreenS, double cycleS) =>
        UniformQueue(flowVehH, saturationFlowVehH, effectiveGreenS, cycleS) +
        OverflowQueue(flowVehH, saturationFlowVehH, effectiveGreenS, cycleS);
}
