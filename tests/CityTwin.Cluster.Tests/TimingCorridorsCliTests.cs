using CityTwin.Cluster.Tests.Postgres;

namespace CityTwin.Cluster.Tests;

/// <summary><c>citytwin timing optimise --corridors</c> and <c>simulate --control</c>: bad values exit 2 naming the problem before any simulation runs.</summary>
public sealed class TimingCorridorsCliTests
{
    [Theory]
    [InlineData("S-01,S-99", "'S-99' is not a signal of the city")]
    [InlineData("S-01,S-03", "no link joins 'S-01' and 'S-03'")]
    [InlineData("S-01,S-02,S-01", "'S-01' appears twice")]
    [InlineData("S-01,S-02;S-02,S-03", "signal 'S-02' is in two corridors")]
    [InlineData("S-01", "needs at least two signals")]
    [InlineData(";", "expected auto, none or signal ids")]
    public async Task A_bad_corridor_exits_2_and_names_the_problem(string corridors, string message)
    {
        var (code, output, error) = await CliProcess.RunAsync(["timing", "optimise", "--corridors", corridors, "--out", Path.Combine(Path.GetTempPath(), "citytwin-corridor-cli")]);

        Assert.True(code == 2, $"exit {code}: {output} {error}");
        Assert.Contains(message, error + output, StringComparison.Ordinal);
        Assert.Contains("--corridors", error + output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_control_mode_exits_2()
    {
        var (code, output, error) = await CliProcess.RunAsync(["simulate", "--control", "adaptive", "--no-trips"]);

        Assert.True(code == 2, $"exit {code}: {output} {error}");
        Assert.Contains("max-pressure", error + output, StringComparison.Ordinal);
    }
}
