using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CityTwin.Cluster.Tests.Browser;

/// <summary>
/// A real browser for the web page tests: the machine's Chromium (Debian package <c>chromium</c>) run headless as a
/// process; <c>--dump-dom</c> prints the page's DOM after its scripts ran. Without Chromium the tests skip with the
/// reason, except under <c>CI=true</c>, where a missing browser is a failure (the same rule as the PostgreSQL tests).
/// </summary>
public static partial class Chromium
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

    /// <summary>The browser's path: <c>CITYTWIN_CHROMIUM</c> when set, else the usual places; null when none is installed.</summary>
    public static string? Path { get; } = Find();

    /// <summary>Skips the test when no Chromium is installed here (fails under CI=true).</summary>
    public static string Require()
    {
        if (Path is not null)
        {
            return Path;
        }

        const string missing = "Chromium is not installed (Debian: apt-get install chromium; or set CITYTWIN_CHROMIUM to a Chromium or Chrome binary)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"CI=true and the browser tests cannot run: {missing}");
        }

        Skip.If(true, $"browser tests skipped: {missing}");
        return "";
    }

    /// <summary>A local file as a URL the browser opens.</summary>
    public static string FileUrl(string path) => new Uri(System.IO.Path.GetFullPath(path)).AbsoluteUri;

    /// <summary>
    /// Opens the URL in headless Chromium, lets its scripts run for <paramref name="budget"/> of virtual time (timers
    /// fire, virtual time waits while network fetches are pending) and answers the DOM as HTML and the browser's log
    /// (console messages and script errors).
    /// </summary>
    public static async Task<(string Dom, string Log)> DumpDomAsync(string url, TimeSpan? budget = null)
    {
        var browser = Require();
        var profile = Directory.CreateTempSubdirectory("citytwin-chromium-");
        try
        {
            var psi = new ProcessStartInfo(browser)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--enable-logging=stderr", "--v=0",
                $"--user-data-dir={profile.FullName}",
                $"--virtual-time-budget={(int)(budget ?? TimeSpan.FromSeconds(3)).TotalMilliseconds}",
                "--dump-dom", url,
            })
            {
                psi.ArgumentList.Add(arg);
            }

            using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {browser}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{browser} did not finish {url} in 90 s: {await stderr}");
            }

            var dom = await stdout;
            var log = await stderr;
            Assert.True(process.ExitCode == 0 && dom.Length > 0, $"{browser} --dump-dom {url} failed ({process.ExitCode}): {log}");
            return (dom, log);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    /// <summary>The script errors the browser logged for the page (uncaught exceptions, refused resources).</summary>
    public static IReadOnlyList<string> PageErrors(string log) =>
        log.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal) && (l.Contains("Uncaught", StringComparison.Ordinal) || l.Contains("Refused", StringComparison.Ordinal))).ToList();

    /// <summary>Every <c>src</c>, <c>href</c>, CSS <c>url()</c> or <c>@import</c> of a page that points to another host (http, https or protocol-relative).</summary>
    public static IReadOnlyList<string> ExternalReferences(string html) =>
        ExternalReference().Matches(html).Select(m => m.Value).ToList();

    /// <summary>The elements of the DOM with the attribute: each element's outer HTML up to its closing tag.</summary>
    public static IReadOnlyList<string> Elements(string dom, string tag, string attribute, string value) =>
        Regex.Matches(dom, $"<{tag}\\b[^>]*\\b{Regex.Escape(attribute)}=\"{Regex.Escape(value)}\"[^>]*>.*?</{tag}>", RegexOptions.Singleline)
            .Select(m => m.Value).ToList();

    [GeneratedRegex("""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?\s*|url\(\s*["']?\s*|@import\s+["']?\s*)(?:https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    private static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable("CITYTWIN_CHROMIUM");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        return Candidates.FirstOrDefault(File.Exists);
    }
}
