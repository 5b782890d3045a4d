using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CityTwin.Cluster.Tests;

/// <summary>The log lines of a running host (warnings and above, as its settings log), kept for tests to wait on.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private static readonly ConcurrentDictionary<WebApplication, LogCapture> Captures = new();
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>The capture of <paramref name="app"/>'s log from the first call on (one per host).</summary>
    public static LogCapture On(WebApplication app) => Captures.GetOrAdd(app, a =>
    {
        var capture = new LogCapture();
        a.Services.GetRequiredService<ILoggerFactory>().AddProvider(capture);
        return capture;
    });

    /// <summary>Every line so far: category, then the message.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Waits until a line contains every one of <paramref name="parts"/>, and answers it.</summary>
    public async Task<string> WaitForAsync(params string[] parts)
    {
        var lines = await Events.EventuallyAsync(() => Task.FromResult(Lines), l => l.Any(Matches), TimeSpan.FromSeconds(20));
        return lines.First(Matches);

        bool Matches(string line) => parts.All(p => line.Contains(p, StringComparison.Ordinal));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                capture._lines.Enqueue($"{category}: {formatter(state, exception)}");
            }
        }
    }
}
