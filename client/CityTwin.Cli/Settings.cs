using System.CommandLine;
using CityTwin.Silo;
using Microsoft.Extensions.Configuration;

namespace CityTwin.Cli;

/// <summary>
/// Settings of the command: <c>appsettings.json</c> in the current directory, then environment variables
/// (<c>CityTwin__Postgres</c>, ...), then command-line options, each overriding the one before.
/// </summary>
internal static class Settings
{
    public static Option<string?> PostgresOption { get; } = new("--postgres")
    {
        Description = "PostgreSQL connection string, e.g. 'Host=127.0.0.1;Port=5432;Username=citytwin;Password=...;Database=citytwin'",
    };

    /// <summary>The settings from appsettings.json and the environment; a bad value is an input error naming its key.</summary>
    public static SiloSettings Load()
    {
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
                .AddEnvironmentVariables()
                .Build();
            return SiloSettings.FromConfiguration(configuration);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException or FormatException)
        {
            throw new CliInputException(ex.Message);
        }
    }

    /// <summary>Runs a step that reads or writes credential files; a bad file is an input error naming it.</summary>
    public static T Guard<T>(Func<T> step)
    {
        try
        {
            return step();
        }
        catch (ArgumentException ex)
        {
            throw new CliInputException(ex.Message);
        }
    }

    /// <summary>Checks a combination of settings; an input error naming the setting.</summary>
    public static void Check(SiloSettings settings)
    {
        try
        {
            settings.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new CliInputException(ex.Message);
        }
    }
}
