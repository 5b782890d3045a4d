using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CityTwin.Silo;

/// <summary>
/// The dashboard: one self-contained page (inline CSS and script, embedded in this assembly) served at <c>/</c>
/// and <c>/dashboard</c>. It reads the twin through the JSON API from the browser, so it needs no token itself
/// and holds none; a token the user gives it goes only into the browser tab's session storage.
/// </summary>
public static class Dashboard
{
    /// <summary>The name of the embedded page.</summary>
    public const string ResourceName = "CityTwin.Silo.Dashboard.dashboard.html";

    /// <summary>The page may run its own inline script and style and talk to this origin only: nothing is loaded from elsewhere.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the dashboard page {ResourceName} is not embedded in {typeof(Dashboard).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>Maps <c>GET /</c> and <c>GET /dashboard</c> to the page.</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Serve).ExcludeFromDescription();
        app.MapGet("/dashboard", Serve).ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext http)
    {
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Bytes(Page.Value, "text/html; charset=utf-8");
    }
}
