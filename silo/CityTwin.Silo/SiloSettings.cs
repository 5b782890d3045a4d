using System.Net;
using System.Net.Sockets;

namespace CityTwin.Silo;

/// <summary>How a CityTwin silo is run: the city, the HTTP address and the limits of the API.</summary>
public sealed record SiloSettings
{
    /// <summary>The default HTTP address of the API.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The city folder; null means the bundled sample city.</summary>
    public string? CityDirectory { get; init; }

    /// <summary>Where the HTTP API listens; port 0 picks a free port.</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>The largest ingest body accepted; a larger one is refused with 413 before it is read.</summary>
    public long MaxIngestBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Orleans silo-to-silo port (localhost clustering).</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>Orleans gateway port for cluster clients.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>Minimum level of the console log.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Warning;

    /// <summary>
    /// Settings for a silo that must not collide with another on this machine (an embedded silo of the
    /// command, a test host): HTTP, silo and gateway ports all picked free on loopback.
    /// </summary>
    public static SiloSettings OnFreeLoopbackPorts(string? cityDirectory = null) => new()
    {
        CityDirectory = cityDirectory,
        Urls = "http://127.0.0.1:0",
        SiloPort = FreeLoopbackPort(),
        GatewayPort = FreeLoopbackPort(),
    };

    /// <summary>A TCP port that is free on loopback now.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The bundled sample city, copied next to the binaries.</summary>
    public static string SampleCityDirectory => Path.Combine(AppContext.BaseDirectory, "cities", "riverton");
}
