using CityTwin.Cluster.Tests.Postgres;

namespace CityTwin.Cluster.Tests;

/// <summary><c>citytwin up</c> with a tokens file that is not there: a configuration error, exit 2, naming the file.</summary>
public sealed class TokensFileCliTests
{
    [Fact]
    public async Task Up_with_a_missing_tokens_file_exits_2_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"citytwin-no-tokens-{Guid.NewGuid():N}.json");
        var (code, output, error) = await CliProcess.RunAsync(["up", "--urls", "http://127.0.0.1:0"], env: new Dictionary<string, string> { ["CityTwin__TokensFile"] = missing });
        Assert.True(code == 2, $"exit {code}: {output} {error}");
        Assert.Contains($"the tokens file {missing} does not exist", error, StringComparison.Ordinal);
    }
}
