using System.Text.Json;
using System.Text.Json.Serialization;
using CityTwin.Engine.City;
using CityTwin.Formats.Demand;
using CityTwin.Formats.GeoJson;
using CityTwin.Grains;
using CityTwin.Postgres;
using CityTwin.Silo.Security;
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
    /// when <see cref="SiloSettings.InitSchema"/>) and reads the cluster's secret from it (adding it when this is the
    /// cluster's first silo), then builds the application. Bad settings throw <see cref="ArgumentException"/> or
    /// <see cref="StorageConfigurationException"/> with one clear message.
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

            var secret = await ClusterSecretTable.GetOrAddAsync(settings.Postgres!, settings.ClusterId, ClusterSecret.NewText(), cancellationToken);
            return Build(settings, city, ClusterSecret.Parse(secret, $"table {ClusterSecretTable.Table}, cluster '{settings.ClusterId}'"));
        }

        return Build(settings, city);
    }

    /// <summary>
    /// Builds the web application with a co-hosted silo (settings already checked: see <see cref="CreateAsync"/>).
    /// <paramref name="clusterSecret"/> is the secret every silo of the cluster shares; a silo with in-memory storage
    /// (a cluster of one) makes a random one when none is given; with PostgreSQL it is the database's (<see cref="CreateAsync"/>).
    /// </summary>
    public static WebApplication Build(SiloSettings settings, CityModel city, ClusterSecret? clusterSecret = null)
    {
        clusterSecret ??= settings.Storage == StorageKind.Memory
            ? ClusterSecret.Random()
            : throw new ArgumentException("a silo with PostgreSQL shares its cluster's secret with the other silos: build it with CityTwinHost.CreateAsync, which reads it from the database");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(settings.LogLevel);
        builder.WebHost.UseUrls(settings.Urls);

        // One byte over the ingest limit may be read, so the API answers its own 413 with the limit in it.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = Math.Max(settings.MaxIngestBytes, PlanControlApi.MaxBodyBytes) + 1);
        var tokens = settings.Tokens is { } list
            ? new TokenStore(list)
            : new TokenStore(settings.TokensFile ?? Path.Combine(settings.DataDirectoryOrDefault, LocalCredentials.TokensFileName));
        var pseudonyms = settings.PrivacyKey is { } key ? new PseudonymKey(key)
            : settings.PrivacyKeyFile is { } keyFile ? new PseudonymKey(LocalCredentials.ReadPrivacyKey(keyFile))
            : PseudonymKey.Random();
        builder.Services.AddCityTwinSecurity(settings, tokens);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        });
        var tls = settings.Tls ?? SiloTls.Load(settings);
        builder.UseOrleans(silo =>
        {
            silo.AddCityTwinClustering(settings);

            // TLS first: the gateway's check of client ids reads what the client sent inside it.
            tls?.Configure(silo);
            silo.AddClusterClientAccess(clusterSecret);
            silo.AddCityTwin(city, settings.Storage == StorageKind.Postgres ? settings.Postgres : null, cityFolder: settings.CityDirectory, demand: LoadDemand(settings, city), pseudonyms: pseudonyms, auditFile: SiloConfiguration.AuditFile(settings));
        });
        if (settings.Storage == StorageKind.Memory)
        {
            builder.Services.AddHostedService<DeactivateBeforeStop>();
        }

        var app = builder.Build();

        // The audit log is opened now (a file is read back and checked), so that a bad one stops the silo before it starts.
        app.Services.GetRequiredService<IAuditStore>();
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
        app.UseRouting();
        app.UseCityTwinSecurity();
        app.MapCityTwinApi(settings);
        app.MapDashboard();
        return app;
    }

    /// <summary>
    /// For a silo run by <c>citytwin up</c>: unless tokens or a tokens file are configured, makes sure the data
    /// directory has a tokens file (with a generated admin token written to <c>admin.token</c> on first run);
    /// unless a pseudonym key is configured, makes sure it has one. Answers the settings pointing at them and
    /// lines that say where they are.
    /// </summary>
    public static (SiloSettings Settings, IReadOnlyList<string> Notes) PrepareLocalCredentials(SiloSettings settings, DateTimeOffset now)
    {
        var notes = new List<string>();
        var dir = settings.DataDirectoryOrDefault;
        if (settings.Tokens is null && settings.TokensFile is null)
        {
            var tokensFile = Path.Combine(dir, LocalCredentials.TokensFileName);
            var admin = LocalCredentials.EnsureTokens(tokensFile, dir, now);
            settings = settings with { TokensFile = tokensFile };
            notes.Add(admin is null
                ? $"Tokens: {tokensFile}"
                : $"Tokens: {tokensFile}; the local admin token is in {admin} (send it as 'Authorization: Bearer TOKEN')");
        }
        else if (settings.TokensFile is { } file)
        {
            notes.Add($"Tokens: {Path.GetFullPath(file)}");
        }

        if (settings.PrivacyKey is null && settings.PrivacyKeyFile is null)
        {
            var keyFile = Path.Combine(dir, LocalCredentials.PrivacyKeyFileName);
            LocalCredentials.EnsurePrivacyKey(keyFile);
            settings = settings with { PrivacyKeyFile = keyFile };
            notes.Add($"Pseudonym key (plates, device ids): {keyFile}");
        }

        return (settings, notes);
    }

    /// <summary>The addresses the started application listens on.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}
