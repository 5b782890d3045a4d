using System.Net;
using CityTwin.Contracts;
using System.Net.Sockets;

namespace CityTwin.Silo;

/// <summary>Where grain state, cluster membership and the intake journal live.</summary>
public enum StorageKind
{
    /// <summary>The embedded default: in-memory state, localhost clustering, one silo, nothing kept.</summary>
    Memory,

    /// <summary>PostgreSQL through ADO.NET: durable state and intake, several silos in one cluster.</summary>
    Postgres,
}

/// <summary>
/// How a CityTwin silo is run: the city, the HTTP address and the limits of the API, storage and cluster.
/// Read from the configuration section <c>CityTwin</c> (appsettings.json, environment variables such as
/// <c>CityTwin__Postgres</c>) by <see cref="FromConfiguration"/>; command-line options override it.
/// </summary>
public sealed record SiloSettings
{
    /// <summary>The configuration section the settings are read from.</summary>
    public const string Section = "CityTwin";

    /// <summary>The default cluster id.</summary>
    public const string DefaultClusterId = ClusterIds.DefaultClusterId;

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

    /// <summary>Memory (default) or PostgreSQL.</summary>
    public StorageKind Storage { get; init; } = StorageKind.Memory;

    /// <summary>The PostgreSQL connection string (with <see cref="StorageKind.Postgres"/>).</summary>
    public string? Postgres { get; init; }

    /// <summary>Create or upgrade the PostgreSQL schema when the silo starts (as <c>citytwin db init</c> does).</summary>
    public bool InitSchema { get; init; }

    /// <summary>The cluster this silo joins (with PostgreSQL; the in-memory default is a single silo).</summary>
    public string ClusterId { get; init; } = DefaultClusterId;

    /// <summary>
    /// The address other silos and clients reach this silo at (with PostgreSQL); loopback by default. Any other
    /// address makes the silo listen on all interfaces.
    /// </summary>
    public string AdvertisedAddress { get; init; } = "127.0.0.1";

    /// <summary>
    /// Where this machine's credentials live (tokens file, local admin token, pseudonym key); null: the
    /// user's data directory (<see cref="Security.LocalCredentials.DefaultDataDirectory"/>).
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The tokens file (names, roles, token hashes); null: <c>tokens.json</c> in the data directory, created with an admin token by <c>citytwin up</c>.</summary>
    public string? TokensFile { get; init; }

    /// <summary>Tokens given directly (an embedded silo, tests); when set, no tokens file is read.</summary>
    public IReadOnlyList<Security.ApiToken>? Tokens { get; init; }

    /// <summary>The pseudonym key file (base64); null: <c>privacy.key</c> in the data directory, created by <c>citytwin up</c>.</summary>
    public string? PrivacyKeyFile { get; init; }

    /// <summary>The pseudonym key given directly; when neither it nor a key file is set the silo uses a random key of its own.</summary>
    public byte[]? PrivacyKey { get; init; }

    /// <summary>
    /// This silo's TLS certificate for its Orleans connections (gateway and silo-to-silo): a PFX/PKCS#12 file (with
    /// <see cref="TlsPassword"/>) or a PEM certificate (with <see cref="TlsKey"/>, or its key in the same file). Null: no TLS.
    /// </summary>
    public string? TlsCertificate { get; init; }

    /// <summary>The PEM private key of <see cref="TlsCertificate"/>, when it is not in the certificate's file.</summary>
    public string? TlsKey { get; init; }

    /// <summary>The password of a PFX <see cref="TlsCertificate"/> (from the configuration or environment, never a command-line option).</summary>
    public string? TlsPassword { get; init; }

    /// <summary>A certificate (PEM or DER) that other silos' certificates must be or be issued by; null: this silo's own certificate.</summary>
    public string? TlsTrustedCertificate { get; init; }

    /// <summary>TLS given directly (tests, embedding); when set, the TLS files are not read.</summary>
    public Security.SiloTls? Tls { get; init; }

    /// <summary>Requests per second each token (or each address, without a token) may make on average.</summary>
    public int RateLimitPerSecond { get; init; } = 200;

    /// <summary>How many requests a token may make at once above the average (the bucket's size).</summary>
    public int RateLimitBurst { get; init; } = 400;

    /// <summary>How long a request may run before it is cancelled with 504 (seconds).</summary>
    public int RequestTimeoutS { get; init; } = 120;

    /// <summary>
    /// True when the gateway and silo ports listen beyond this machine (with PostgreSQL and a non-loopback advertised
    /// address) without TLS: tokens would travel in clear.
    /// </summary>
    public bool OrleansPortsExposedWithoutTls =>
        Tls is null && TlsCertificate is null && Storage == StorageKind.Postgres
        && IPAddress.TryParse(AdvertisedAddress, out var address) && !IPAddress.IsLoopback(address);

    /// <summary>The data directory in use.</summary>
    public string DataDirectoryOrDefault => DataDirectory ?? Security.LocalCredentials.DefaultDataDirectory;

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

    /// <summary>
    /// Reads the <c>CityTwin</c> section: <c>City</c>, <c>Urls</c>, <c>Storage</c> (memory or postgres),
    /// <c>Postgres</c>, <c>InitSchema</c>, <c>ClusterId</c>, <c>SiloPort</c>, <c>GatewayPort</c>,
    /// <c>AdvertisedAddress</c>, <c>MaxIngestBytes</c>, <c>DataDirectory</c>, <c>TokensFile</c>, <c>PrivacyKeyFile</c>,
    /// <c>RateLimitPerSecond</c>, <c>RateLimitBurst</c>, <c>RequestTimeoutS</c>, <c>Tls:Certificate</c>, <c>Tls:Key</c>,
    /// <c>Tls:Password</c>, <c>Tls:TrustedCertificate</c>. A value that does not parse is an error naming its key.
    /// </summary>
    public static SiloSettings FromConfiguration(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var d = new SiloSettings();
        return new SiloSettings
        {
            CityDirectory = section["City"] ?? d.CityDirectory,
            Urls = section["Urls"] ?? d.Urls,
            Storage = Parse(section, "Storage", d.Storage, v => Enum.TryParse<StorageKind>(v, ignoreCase: true, out var k) ? k : null, "memory or postgres"),
            Postgres = section["Postgres"] ?? d.Postgres,
            InitSchema = Parse(section, "InitSchema", d.InitSchema, v => bool.TryParse(v, out var b) ? b : null, "true or false"),
            ClusterId = section["ClusterId"] ?? d.ClusterId,
            SiloPort = Parse(section, "SiloPort", d.SiloPort, ParsePort, "a port 1-65535"),
            GatewayPort = Parse(section, "GatewayPort", d.GatewayPort, ParsePort, "a port 1-65535"),
            AdvertisedAddress = section["AdvertisedAddress"] ?? d.AdvertisedAddress,
            MaxIngestBytes = Parse(section, "MaxIngestBytes", d.MaxIngestBytes, v => long.TryParse(v, out var n) && n > 0 ? n : null, "a positive number of bytes"),
            DataDirectory = section["DataDirectory"] ?? d.DataDirectory,
            TokensFile = section["TokensFile"] ?? d.TokensFile,
            PrivacyKeyFile = section["PrivacyKeyFile"] ?? d.PrivacyKeyFile,
            RateLimitPerSecond = Parse(section, "RateLimitPerSecond", d.RateLimitPerSecond, ParsePositive, "a positive whole number"),
            RateLimitBurst = Parse(section, "RateLimitBurst", d.RateLimitBurst, ParsePositive, "a positive whole number"),
            RequestTimeoutS = Parse(section, "RequestTimeoutS", d.RequestTimeoutS, ParsePositive, "a positive whole number of seconds"),
            TlsCertificate = section["Tls:Certificate"] ?? d.TlsCertificate,
            TlsKey = section["Tls:Key"] ?? d.TlsKey,
            TlsPassword = section["Tls:Password"] ?? d.TlsPassword,
            TlsTrustedCertificate = section["Tls:TrustedCertificate"] ?? d.TlsTrustedCertificate,
        };
    }

    /// <summary>Checks the combination of settings; throws <see cref="ArgumentException"/> naming the setting.</summary>
    public void Validate()
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(ClusterId, "^[A-Za-z0-9._-]{1,64}$"))
        {
            throw new ArgumentException($"cluster id '{ClusterId}' (--cluster-id, CityTwin:ClusterId): use letters, digits, '-', '_', '.'; 1-64 characters");
        }

        if (!IPAddress.TryParse(AdvertisedAddress, out _))
        {
            throw new ArgumentException($"'{AdvertisedAddress}' (--advertised-address, CityTwin:AdvertisedAddress) is not an IP address");
        }

        if (SiloPort == GatewayPort)
        {
            throw new ArgumentException($"the silo port and the gateway port (--silo-port, --gateway-port) are both {SiloPort}; they must differ");
        }

        if (Storage == StorageKind.Memory)
        {
            if (Postgres is not null || InitSchema)
            {
                throw new ArgumentException("a PostgreSQL connection (--postgres, --db-init) is given but storage is memory: add --storage postgres (CityTwin:Storage)");
            }

            if (ClusterId != DefaultClusterId)
            {
                throw new ArgumentException("a cluster id (--cluster-id) needs --storage postgres: the in-memory default is a single silo");
            }
        }
        else if (string.IsNullOrWhiteSpace(Postgres))
        {
            throw new ArgumentException("--storage postgres needs a connection string: --postgres CONN (CityTwin:Postgres, or CityTwin__Postgres in the environment)");
        }
    }

    private static T Parse<T>(Microsoft.Extensions.Configuration.IConfigurationSection section, string key, T fallback, Func<string, T?> parse, string expected)
        where T : struct
    {
        var text = section[key];
        if (text is null)
        {
            return fallback;
        }

        return parse(text) ?? throw new ArgumentException($"configuration {Section}:{key} is '{text}'; expected {expected}");
    }

    private static int? ParsePositive(string text) => int.TryParse(text, out var n) && n > 0 ? n : null;

    private static int? ParsePort(string text) => int.TryParse(text, out var p) && p is > 0 and <= 65535 ? p : null;

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
