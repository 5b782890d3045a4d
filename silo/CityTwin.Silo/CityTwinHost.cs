using System.Text.Json;
using System.Text.Json.Serialization;
using CityTwin.Engine.City;
using CityTwin.Formats.Demand;
using CityTwin.Formats.GeoJson;
using CityTwin.Grains;
using CityTwin.Postgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CityTwin.Silo;

/// <summary>Builds the CityTwin host: an Orleans silo with the HTTP API, the city loaded into twin <c>live</c>.</summary>
public static class CityTwinHost
{
    /// <summary>Loads the city (the sample city when none is named); throws <see cref="CityValidationException"/> on a bad city.</summary>
    public static CityModel LoadCity(SiloSettings settings) =>
        CityReader.ReadFolder(settings.CityDirectory ?? SiloSettings.SampleCityDirectory);

    /// <summary>The base origin-destination demand of the city's demand files (those its manifest names), for live what-ifs.</summary>
    /// <exception cref="DemandFormatException">A demand file is missing or has bad lines.</exception>
    public static CityDemand LoadDemand(SiloSettings settings, CityModel city)
    {
        var folder = settings.CityDirectory ?? SiloSettings.SampleCityDirectory;
        return new CityDemand(city.DemandFiles.SelectMany(f => DemandReader.ReadFile(Path.Combine(folder, f)).OdRows).ToArray());
    }

    /// <summary>
    /// Checks the settings and, with PostgreSQL, the database (reachable, credentials, schema; created first
    /// when <see cref="SiloSettings.InitSchema"/>), then builds the application. Bad settings throw
    /// <see cref="ArgumentException"/> or <see cref="StorageConfigurationException"/> with one clear message.
    /// </summary>
    public static async Task<WebApplication> CreateAsync(SiloSettings settings, CityModel city, CancellationToken cancellationToken = default)
    {
        settings.Validate();
        if (settings.Storage == StorageKind.Postgres)
        {
            // Applying the schema leaves exactly this version in place; otherwise it must be there already.
            if (settings.InitSchema)
            {
                await PostgresSchema.ApplyAsync(settings.Postgres!, cancellationToken);
            }
            else
            {
                await PostgresSchema.VerifyAsync(settings.Postgres!, cancellationToken);
            }
        }

        return Build(settings, city);
    }

    /// <summary>Builds the web application with a co-hosted silo (settings already checked: see <see cref="CreateAsync"/>).</summary>
    public static WebApplication Build(SiloSettings settings, CityModel city)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(settings.LogLevel);
        builder.WebHost.UseUrls(settings.Urls);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        });
        builder.UseOrleans(silo =>
        {
            silo.AddCityTwinClustering(settings);
            silo.AddCityTwin(city, settings.Storage == StorageKind.Postgres ? settings.Postgres : null, cityFolder: settings.CityDirectory, demand: LoadDemand(settings, city));
        });

        var app = builder.Build();
        app.UseExceptionHandler(error => error.Run(async http =>
        {
            var ex = http.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, title) = ex switch
            {
                ArgumentException => (StatusCodes.Status400BadRequest, "Bad request"),
                BadHttpRequestException b => (b.StatusCode, "Bad request"),
                _ => (StatusCodes.Status500InternalServerError, "Internal error"),
            };
            await HttpApi.Problem(status, title, ex?.Message ?? "unknown error").ExecuteAsync(http);
        }));
        app.MapCityTwinApi(settings);
        app.MapDashboard();
        return app;
    }

    /// <summary>The addresses the started application listens on.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}
