using CityTwin.Contracts;
using CityTwin.Engine.City;
using CityTwin.Engine.Timing;

namespace CityTwin.Cluster.Tests;

/// <summary>Timing plans of the sample city for the control API tests.</summary>
public static class Plans
{
    /// <summary>The signal the tests change: four approaches, left-turn and through phases.</summary>
    public const string Signal = "S-01";

    public static SignalSite Site => SampleCity.Model.SignalsById[Signal];

    public static SafetyProfile Profile => SafetyProfile.For(SampleCity.Model, Site);

    /// <summary>The wire record of an engine plan.</summary>
    public static TimingPlanInfo Info(TimingPlan plan) =>
        new(plan.Id, plan.CycleS, plan.OffsetS, plan.Phases.Select(p => new PhaseInfo(p.Id, p.GreenS, p.AmberS, p.AllRedS, p.Serves.Select(s => s.ToString()).ToArray())).ToArray());

    /// <summary>
    /// A safe plan for <see cref="Signal"/>: the design plan repaired by the safety rules, with
    /// <paramref name="extraGreenS"/> more green on the first phase (and so a longer cycle), under its own id.
    /// </summary>
    public static TimingPlanInfo Safe(string id, double extraGreenS = 0)
    {
        var safe = SafetyRules.MakeSafe(Site, Site.Plan, Profile);
        var phases = safe.Phases.Select((p, i) => i == 0 ? p with { GreenS = p.GreenS + extraGreenS } : p).ToArray();
        var plan = new TimingPlan(id, safe.CycleS + extraGreenS, 0, phases);
        Assert.Empty(SafetyRules.Check(Site, plan, Profile));
        return Info(plan);
    }

    /// <summary>Replaces one phase of a plan.</summary>
    public static TimingPlanInfo WithPhase(TimingPlanInfo plan, int index, Func<PhaseInfo, PhaseInfo> change) =>
        plan with { Phases = plan.Phases.Select((p, i) => i == index ? change(p) : p).ToArray() };

    /// <summary>Two plans are the same: id, cycle, offset, every phase's times and lane groups.</summary>
    public static void Same(TimingPlanInfo expected, TimingPlanInfo actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.CycleS, actual.CycleS, 9);
        Assert.Equal(expected.OffsetS, actual.OffsetS, 9);
        Assert.Equal(expected.Phases.Count, actual.Phases.Count);
        foreach (var (e, a) in expected.Phases.Zip(actual.Phases))
        {
            Assert.Equal(e.Id, a.Id);
            Assert.Equal(e.GreenS, a.GreenS, 9);
            Assert.Equal(e.AmberS, a.AmberS, 9);
            Assert.Equal(e.AllRedS, a.AllRedS, 9);
            Assert.Equal(e.Serves, a.Serves);
        }
    }
}
