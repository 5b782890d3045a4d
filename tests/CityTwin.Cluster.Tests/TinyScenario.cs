namespace CityTwin.Cluster.Tests;

/// <summary>A tiny valid scenario script for the sample city (two replications of ten minutes), for API tests.</summary>
internal static class TinyScenario
{
    public const string Script = """
        scenario: tiny
        base: { from: demand }
        window: { from: "07:00", to: "07:10", drain: 5m }
        replications: 2
        alternatives:
          - name: actuated
            signals: { control: actuated }
        kpis: [totalDelayVehH]
        decision: { kpi: totalDelayVehH, goal: minimise }
        """;
}
