using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using CityTwin.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Silo.Security;

/// <summary>
/// What an audited endpoint tells the audit log about the action it did (set on the request's features):
/// what it was, why, the evidence, and whether it changed anything at all (<see cref="Record"/> false: no entry).
/// </summary>
public sealed record AuditNote(string What, string? Why, string? EvidenceId, bool Record = true);

/// <summary>
/// Who may do what on the HTTP API: bearer tokens (<see cref="TokenStore"/>), the access policy
/// (<see cref="AccessPolicy"/>), twin ownership for researchers, the audit of consequential actions, a rate
/// limit per token and a timeout per request. Every refusal is problem details with a clear detail.
/// </summary>
public static class ApiSecurity
{
    /// <summary>The request header that carries the reason of an audited action when its body has none.</summary>
    public const string WhyHeader = "CityTwin-Why";

    /// <summary>The request header that carries the evidence id of an audited action when its body has none.</summary>
    public const string EvidenceHeader = "CityTwin-Evidence";

    /// <summary>The claim type of a token's roles.</summary>
    public const string RoleClaim = ClaimTypes.Role;

    /// <summary>Adds the token store, the rate limiter and the request timeouts.</summary>
    public static IServiceCollection AddCityTwinSecurity(this IServiceCollection services, SiloSettings settings, TokenStore tokens)
    {
        services.AddSingleton(tokens);
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetTokenBucketLimiter(PartitionOf(http), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = settings.RateLimitBurst,
                    TokensPerPeriod = settings.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await HttpApi.Problem(StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"more than {settings.RateLimitPerSecond} requests a second (bursts of {settings.RateLimitBurst}) from '{PartitionOf(context.HttpContext)}'; retry after {seconds} s")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        services.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = TimeSpan.FromSeconds(settings.RequestTimeoutS),
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            WriteTimeoutResponse = http => HttpApi.Problem(StatusCodes.Status504GatewayTimeout, "Request timed out",
                $"the request ran longer than {settings.RequestTimeoutS} s and was cancelled").ExecuteAsync(http),
        });
        return services;
    }

    /// <summary>Authentication and the access policy, then the rate limit and the timeouts (call after routing, before the endpoints).</summary>
    public static IApplicationBuilder UseCityTwinSecurity(this IApplicationBuilder app)
    {
        app.Use(CheckAccessAsync);
        app.UseRateLimiter();
        app.UseRequestTimeouts();
        return app;
    }

    /// <summary>The name of the caller's token (the endpoint has passed the policy, so there is one).</summary>
    public static string Caller(this HttpContext http) =>
        http.User.Identity?.Name ?? throw new InvalidOperationException("no authenticated caller: the endpoint is open or outside the access policy");

    /// <summary>Tells the audit log what an audited endpoint did.</summary>
    public static void Audit(this HttpContext http, AuditNote note) => http.Features.Set(note);

    private static string PartitionOf(HttpContext http) =>
        http.User.Identity?.Name is { } name ? "token " + name : "address " + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    private static async Task CheckAccessAsync(HttpContext http, RequestDelegate next)
    {
        if (!http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            await next(http);
            return;
        }

        var endpoint = http.GetEndpoint() as RouteEndpoint;
        var rule = endpoint is null ? null : AccessPolicy.Find(http.Request.Method, endpoint.RoutePattern.RawText ?? "");
        if (rule is { Open: true })
        {
            await next(http);
            return;
        }

        var tokens = http.RequestServices.GetRequiredService<TokenStore>();
        var header = http.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            await Unauthorized(http, null, "this endpoint needs a token: send 'Authorization: Bearer TOKEN' (citytwin up prints where the local admin token is; docs/security.md)");
            return;
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            await Unauthorized(http, "invalid_request", "the Authorization header must be 'Bearer TOKEN'");
            return;
        }

        var token = tokens.Find(header[7..].Trim());
        if (token is null)
        {
            await Unauthorized(http, "invalid_token", "the token is not known (mistyped, or revoked from the tokens file)");
            return;
        }

        http.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, token.Name), .. token.Roles.Select(r => new Claim(RoleClaim, r))], "Bearer", ClaimTypes.Name, RoleClaim));

        // No endpoint (404) or a method the path does not have (405): nothing to protect, the router answers.
        if (endpoint is null || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is null)
        {
            await next(http);
            return;
        }

        if (rule is null)
        {
            await Forbidden(http, $"{http.Request.Method} {endpoint.RoutePattern.RawText} has no rule in the access policy (AccessPolicy.Rules) and is refused to everyone until it has one");
            return;
        }

        if (!token.Roles.Any(rule.Roles.Contains))
        {
            var refusal = await OwnTwinRefusalAsync(http, token, rule);
            if (refusal is not null)
            {
                await Forbidden(http, refusal);
                return;
            }
        }

        if (rule.Audit is { } kind)
        {
            http.Response.OnStarting(() => RecordAsync(http, token.Name, kind));
        }

        await next(http);
    }

    /// <summary>Null when the token may call the rule's endpoint on the route's twin because it created that twin (or creates it now); else why not.</summary>
    private static Task<string?> OwnTwinRefusalAsync(HttpContext http, ApiToken token, AccessRule rule) =>
        OwnTwinRefusalAsync(
            http.RequestServices.GetRequiredService<IGrainFactory>(),
            token,
            http.GetRouteValue("twin") as string,
            claim: !HttpMethods.IsDelete(http.Request.Method),
            Refusal(token, $"{http.Request.Method} {rule.Pattern}", rule.Roles, rule.OwnTwinRoles),
            rule.OwnTwinRoles);

    /// <summary>Why a token whose roles are not among <paramref name="roles"/> may not call <paramref name="what"/>.</summary>
    internal static string Refusal(ApiToken token, string what, IReadOnlyList<string> roles, IReadOnlyList<string> ownTwinRoles) =>
        $"the token '{token.Name}' has the role {string.Join(", ", token.Roles)}; {what} needs the role {string.Join(" or ", roles)}" +
        (ownTwinRoles.Count > 0 ? $" (or {string.Join(" or ", ownTwinRoles)} on a twin it created)" : "");

    /// <summary>
    /// Null when the token may act on <paramref name="twin"/> because one of its roles is among
    /// <paramref name="ownTwinRoles"/> and it created that twin (with <paramref name="claim"/>, writing into a twin no
    /// one has claimed creates it for this token; otherwise it must exist and be its own); else
    /// <paramref name="refused"/> and why. The HTTP API and the checks of cluster clients' calls both use it.
    /// </summary>
    internal static async Task<string?> OwnTwinRefusalAsync(IGrainFactory grains, ApiToken token, string? twin, bool claim, string refused, IReadOnlyList<string> ownTwinRoles)
    {
        if (!token.Roles.Any(ownTwinRoles.Contains) || twin is null || !TwinKeys.IsValidTwinId(twin))
        {
            return refused;
        }

        if (twin == TwinKeys.Live)
        {
            return $"{refused}; the live twin belongs to no researcher";
        }

        var owners = grains.GetGrain<ITwinOwnerGrain>(twin);
        var owner = claim ? await owners.ClaimAsync(token.Name) : await owners.GetAsync();
        return owner?.CreatedBy == token.Name
            ? null
            : $"{refused}; twin '{twin}' was created by {(owner is null ? "no one" : $"'{owner.CreatedBy}'")}";
    }

    private static async Task RecordAsync(HttpContext http, string who, string kind)
    {
        if (http.Response.StatusCode is < 200 or > 299)
        {
            return;
        }

        var note = http.Features.Get<AuditNote>();
        if (note is { Record: false })
        {
            return;
        }

        var twin = http.GetRouteValue("twin") as string;
        var why = note?.Why ?? NonEmpty(http.Request.Headers[WhyHeader]);
        var evidence = note?.EvidenceId ?? NonEmpty(http.Request.Headers[EvidenceHeader]);
        var what = note?.What ?? $"{http.Request.Method} {http.Request.Path}";
        var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IAuditLogGrain>(AuditLog.Key).AppendAsync(new AuditRecord(who, kind, what, why, evidence, twin));
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static Task Unauthorized(HttpContext http, string? error, string detail)
    {
        http.Response.Headers.WWWAuthenticate = error is null ? "Bearer realm=\"citytwin\"" : $"Bearer realm=\"citytwin\", error=\"{error}\"";
        return HttpApi.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail).ExecuteAsync(http);
    }

    private static Task Forbidden(HttpContext http, string detail) =>
        HttpApi.Problem(StatusCodes.Status403Forbidden, "Forbidden", detail).ExecuteAsync(http);
}
