using CityTwin.Engine.City;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace CityTwin.Engine.Timing;

/// <summary>Settings of <see cref="TimingOptimizer.Optimise"/>.</summary>
public sealed record TimingOptimizerOptions
{
    /// <summary>Id of the optimised plan.</summary>
    public string PlanId { get; init; } = "optimised";

    /// <summary>Keep this cycle (s) and optimise only the splits (a coordinated corridor shares one cycle); null optimises the cycle too.</summary>
    public double? FixedCycleS { get; init; }

    /// <summary>Stop when the simplex's relative spread of total delay falls below this.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Most objective evaluations.</summary>
    public int MaxEvaluations { get; init; } = 4000;

    /// <summary>Greens are rounded to this step (s), as a controller runs whole or tenth seconds.</summary>
    public double RoundToS { get; init; } = 1;

    /// <summary>The HCM delay settings of the objective.</summary>
    public HcmDelayOptions? Delay { get; init; }
}

/// <summary>A plan chosen by numeric optimisation of the HCM delay, with where it started.</summary>
/// <param name="Plan">The optimised plan: the design phases in order, safe by the profile.</param>
/// <param name="Start">The Webster plan the search started from.</param>
/// <param name="StartDelay">HCM delay of the Webster plan.</param>
/// <param name="Delay">HCM delay of the optimised plan.</param>
/// <param name="Evaluations">Objective evaluations used.</param>
public sealed record OptimisedPlan(TimingPlan Plan, WebsterPlan Start, IntersectionDelay StartDelay, IntersectionDelay Delay, int Evaluations);

/// <summary>
/// Chooses a signal's cycle and green splits by minimising its total HCM control delay (veh·s/h, the flow-weighted
/// sum over lane groups) with the Nelder-Mead simplex (MathNet.Numerics), starting from Webster's plan. The search
/// runs in unconstrained variables that map onto safe plans only: the cycle between the profile's bounds (and the
/// sum of the minimum phase times), and each phase's green its minimum plus a softmax share of the time left, so
/// every candidate keeps the minimum greens, the required amber and all-red, the cycle bounds and the phase order.
/// The best plan is rounded to whole seconds and checked with <see cref="SafetyRules.Check"/>.
/// </summary>
public static class TimingOptimizer
{
    /// <summary>Optimises one signal's plan for the given lane-group flows (veh/h).</summary>
    /// <exception cref="InvalidOperationException">The profile's minimum phase times do not fit in its longest cycle.</exception>
    public static OptimisedPlan Optimise(SignalSite site, IReadOnlyDictionary<LaneGroupRef, double> flowsVehH, SafetyProfile profile, TimingOptimizerOptions? options = null)
    {
        var o = options ?? new TimingOptimizerOptions();
        if (!profile.IsFeasible)
        {
            throw new InvalidOperationException($"signal '{site.Id}': the minimum phase times ({profile.MinimumPhaseSumS:0.#} s) do not fit in the longest cycle ({profile.MaxCycleS:0.#} s)");
        }

        var start = Webster.Plan(site, flowsVehH, profile, new WebsterPlanOptions { AllowOversaturated = true, CycleS = o.FixedCycleS });
        var startDelay = HcmDelay.Evaluate(site, start.Plan, flowsVehH, o.Delay);
        var design = site.Plan.Phases;
        var (limits, fixedTime, minGreens) = PhaseLimitsOf(site, profile);
        var cycleLow = Math.Max(profile.MinCycleS, fixedTime + minGreens.Sum());
        var cycleHigh = profile.MaxCycleS;
        var n = design.Count;

        TimingPlan Build(Vector<double> x, bool round)
        {
            var cycle = o.FixedCycleS is { } fixedCycle
                ? Math.Clamp(fixedCycle, cycleLow, cycleHigh)
                : cycleLow + ((cycleHigh - cycleLow) / (1 + Math.Exp(-x[0])));
            var spare = Math.Max(0, cycle - fixedTime - minGreens.Sum());
            var offset = o.FixedCycleS is null ? 1 : 0;
            var max = Enumerable.Range(0, n).Max(i => x[offset + i]);
            var weights = Enumerable.Range(0, n).Select(i => Math.Exp(x[offset + i] - max)).ToArray();
            var total = weights.Sum();
            var greens = weights.Select((w, i) => minGreens[i] + (spare * w / total)).ToArray();
            if (round)
            {
                greens = RoundGreens(greens, minGreens, cycle - fixedTime, o.RoundToS);
            }

            var phases = design.Select((p, i) => p with
            {
                GreenS = greens[i],
                AmberS = limits[i].RequiredAmberS,
                AllRedS = limits[i].RequiredAllRedS,
            }).ToList();
            return new TimingPlan(o.PlanId, phases.Sum(p => p.DurationS), site.Plan.OffsetS, phases);
        }

        var evaluations = 0;
        double Objective(Vector<double> x)
        {
            evaluations++;
            var d = HcmDelay.Evaluate(site, Build(x, round: false), flowsVehH, o.Delay);
            return d.ControlDelayS * d.FlowVehH;
        }

        // Start point: Webster's cycle and its extra green over the minimums as softmax weights.
        var x0 = new List<double>();
        if (o.FixedCycleS is null)
        {
            var c = Math.Clamp(start.Plan.CycleS, cycleLow + 1e-3, cycleHigh - 1e-3);
            var p = (c - cycleLow) / (cycleHigh - cycleLow);
            x0.Add(cycleHigh > cycleLow ? Math.Log(p / (1 - p)) : 0);
        }

        for (var i = 0; i < n; i++)
        {
            var extra = start.Plan.Phases[i].GreenS - minGreens[i];
            x0.Add(Math.Log(Math.Max(0.05, extra)));
        }

        var initial = Vector<double>.Build.DenseOfEnumerable(x0);
        var best = initial;
        if (initial.Count > 0)
        {
            var objective = ObjectiveFunction.Value(Objective);
            var solver = new NelderMeadSimplex(o.Tolerance, o.MaxEvaluations);
            try
            {
                best = solver.FindMinimum(objective, initial, Vector<double>.Build.Dense(initial.Count, 0.5)).MinimizingPoint;
            }
            catch (MaximumIterationsException)
            {
                // Keep the start point: the search gave no converged answer.
            }
        }

        var plan = Build(best, round: true);
        var delay = HcmDelay.Evaluate(site, plan, flowsVehH, o.Delay);
        var keepsCycle = o.FixedCycleS is not { } fixedS || Math.Abs(start.Plan.CycleS - fixedS) < 1e-6;
        if (keepsCycle && delay.ControlDelayS * delay.FlowVehH > startDelay.ControlDelayS * startDelay.FlowVehH && SafetyRules.IsSafe(site, start.Plan, profile))
        {
            // Rounding can cost more than the search won: Webster's own plan is then the better answer.
            plan = start.Plan with { Id = o.PlanId };
            delay = startDelay;
        }

        var violations = SafetyRules.Check(site, plan, profile);
        if (violations.Count > 0)
        {
            throw new InvalidOperationException($"signal '{site.Id}': the optimised plan breaks the safety rules: {string.Join("; ", violations.Select(v => v.Message))}");
        }

        return new OptimisedPlan(plan, start, startDelay, delay, evaluations);
    }

    /// <summary>The limits of the design's phases in order, their amber plus all-red in total, and their minimum greens.</summary>
    private static (PhaseLimits[] Limits, double FixedTimeS, double[] MinGreensS) PhaseLimitsOf(SignalSite site, SafetyProfile profile)
    {
        var limits = site.Plan.Phases.Select(p => profile.Phase(p.Id)!).ToArray();
        return (limits, limits.Sum(l => l.RequiredAmberS + l.RequiredAllRedS), limits.Select(l => l.MinGreenS).ToArray());
    }

    /// <summary>
    /// Rounds greens down to the step keeping their sum (the time left after amber and all-red) and each green at
    /// or above its minimum (a green held at a fractional minimum keeps it): largest remainders get the spare steps,
    /// the longest green any fraction left.
    /// </summary>
    internal static double[] RoundGreens(double[] greens, double[] minGreens, double greenTimeS, double step)
    {
        var n = greens.Length;
        var floors = greens.Select((g, i) => Math.Max(minGreens[i], Math.Floor(g / step) * step)).ToArray();
        var target = Math.Max(floors.Sum(), greenTimeS);
        var order = Enumerable.Range(0, n).OrderByDescending(i => greens[i] - floors[i]).ThenBy(i => i).ToArray();
        var left = (int)Math.Floor(((target - floors.Sum()) / step) + 1e-9);
        for (var k = 0; k < left; k++)
        {
            floors[order[k % n]] += step;
        }

        // The fraction of a step left over (amber and all-red are in tenths) goes to the longest green, so the
        // phases add up to the cycle exactly.
        var longest = Enumerable.Range(0, n).OrderByDescending(i => floors[i]).ThenBy(i => i).First();
        floors[longest] += Math.Max(0, target - floors.Sum());
        return floors;
    }

    /// <summary>
    /// The rule-of-thumb plan a junction gets without data: one cycle for every signal and the green split
    /// equally between the phases, with the amber and all-red the safety profile requires (greens held at their
    /// minimum when the equal share is less, the cycle lengthened when the minimums do not fit).
    /// </summary>
    public static TimingPlan RuleOfThumb(SignalSite site, SafetyProfile profile, double cycleS, string planId = "rule-of-thumb")
    {
        var (limits, fixedTime, minGreens) = PhaseLimitsOf(site, profile);
        var cycle = Math.Clamp(Math.Max(cycleS, fixedTime + minGreens.Sum()), profile.MinCycleS, profile.MaxCycleS);
        var share = (cycle - fixedTime) / limits.Length;
        var greens = RoundGreens(minGreens.Select(m => Math.Max(m, share)).ToArray(), minGreens, cycle - fixedTime, 1);
        var phases = site.Plan.Phases.Select((p, i) => p with { GreenS = greens[i], AmberS = limits[i].RequiredAmberS, AllRedS = limits[i].RequiredAllRedS }).ToList();
        return new TimingPlan(planId, phases.Sum(p => p.DurationS), site.Plan.OffsetS, phases);
    }
}
