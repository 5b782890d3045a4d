using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CityTwin.Client.Tls;
using CityTwin.Contracts;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace CityTwin.Client;

/// <summary>
/// The typed .NET client for the traffic control system: grain interfaces behind a small facade. Connect to a
/// silo's gateway with a token (<see cref="ConnectAsync(IPEndPoint, string, string, ClusterTls?, CancellationToken)"/>): every
/// call carries it, and the silo allows each call only to the roles its rule names (docs/security.md, "Cluster
/// clients"; a refused call throws <see cref="UnauthorizedAccessException"/> saying why). Inside a silo, create it
/// over the silo's <see cref="IGrainFactory"/>: calls from inside the cluster are not checked.
/// </summary>
public sealed class CityTwinClient : IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IHost? _host;

    /// <summary>A client over an <see cref="IGrainFactory"/> you have (inside a silo, or your own cluster client that sends a token itself).</summary>
    public CityTwinClient(IGrainFactory grains, string twin = TwinKeys.Live)
        : this(grains, null, twin, null)
    {
    }

    private CityTwinClient(IGrainFactory grains, IHost? host, string twin, CallerInfo? caller)
    {
        if (!TwinKeys.IsValidTwinId(twin))
        {
            throw new ArgumentException($"'{twin}' is not a valid twin id", nameof(twin));
        }

        _grains = grains;
        _host = host;
        Twin = twin;
        Caller = caller;
    }

    /// <summary>The twin this client reads and feeds.</summary>
    public string Twin { get; }

    /// <summary>
    /// Who the cluster takes this client to be: its token's name (recorded as who in the audit log; plan changes
    /// must name it as who) and roles. Null for a client created over an <see cref="IGrainFactory"/>.
    /// </summary>
    public CallerInfo? Caller { get; }

    /// <summary>
    /// Connects to a CityTwin cluster through a silo's gateway (default port 30000) with an API token (as made by
    /// <c>citytwin token create</c>, or the local admin token of <c>citytwin up</c>); with <paramref name="tls"/> over
    /// TLS, for silos that have a certificate. Throws <see cref="ArgumentException"/> without a token,
    /// <see cref="UnauthorizedAccessException"/> when the silo does not know it, and
    /// <see cref="System.Security.Authentication.AuthenticationException"/> when TLS fails (saying why).
    /// </summary>
    public static Task<CityTwinClient> ConnectAsync(IPEndPoint gateway, string token, string twin = TwinKeys.Live, ClusterTls? tls = null, CancellationToken cancellationToken = default) =>
        ConnectAsync([gateway], ClusterIds.DefaultClusterId, token, twin, tls, cancellationToken);

    /// <summary>
    /// Connects to a CityTwin cluster through the gateways of any of its silos (the client moves to another
    /// gateway when one goes away); <paramref name="clusterId"/> is the silos' <c>--cluster-id</c>. Every call sends
    /// <paramref name="token"/>; the token is checked here first (<see cref="Caller"/>). With <paramref name="tls"/> the
    /// connections are TLS and the gateways' certificate is checked as it says.
    /// </summary>
    public static async Task<CityTwinClient> ConnectAsync(IReadOnlyList<IPEndPoint> gateways, string clusterId, string token, string twin = TwinKeys.Live, ClusterTls? tls = null, CancellationToken cancellationToken = default)
    {
        if (gateways.Count == 0)
        {
            throw new ArgumentException("name at least one gateway", nameof(gateways));
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            throw new ArgumentException("a cluster client needs a token: pass the API token (citytwin token create NAME --role ROLE, or the local admin token that citytwin up wrote; docs/security.md)", nameof(token));
        }

        if (!TwinKeys.IsValidTwinId(twin))
        {
            throw new ArgumentException($"'{twin}' is not a valid twin id", nameof(twin));
        }

        tls?.Validate();
        token = token.Trim();
        string? tlsFailure = null;
        var host = new HostBuilder()
            .UseOrleansClient(c =>
            {
                c.UseStaticClustering([.. gateways]);
                c.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = ClusterIds.ServiceId;
                });

                // Every call to a grain carries the token; the silo checks it and removes it before the grain runs.
                c.AddOutgoingGrainCallFilter(async call =>
                {
                    if (!call.TargetId.Type.IsSystemTarget())
                    {
                        RequestContext.Set(ClientCalls.TokenKey, token);
                    }

                    await call.Invoke();
                });
                if (tls is not null)
                {
                    c.Configure<ClientConnectionOptions>(o => o.ConfigureConnection(b => b.Use(TlsMiddleware(tls, why => tlsFailure = why))));
                }

                // Orleans tries a gateway that cannot be reached again and again (15 times, 1.5 s longer each time, about
                // three minutes); a gateway whose certificate is not trusted, or that speaks no TLS, is given up at once.
                var attempts = 0;
                c.UseConnectionRetryFilter(async (e, token) =>
                {
                    if (tlsFailure is not null || attempts >= 15 || e is not (Orleans.Runtime.Messaging.ConnectionFailedException or OrleansMessageRejectionException))
                    {
                        return false;
                    }

                    attempts++;
                    await Task.Delay(TimeSpan.FromSeconds(1.5 * attempts), token);
                    return true;
                });
            })
            .Build();
        try
        {
            await host.StartAsync(cancellationToken);
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var caller = await grains.GetGrain<ICallerGrain>(0).WhoAmIAsync()
                ?? throw new InvalidOperationException("the cluster did not check the token: its silos run without the cluster client checks");
            return new CityTwinClient(grains, host, twin, caller);
        }
        catch (Exception e) when (tlsFailure is { } why && e is not UnauthorizedAccessException)
        {
            await StopAsync(host);
            throw new System.Security.Authentication.AuthenticationException($"TLS with the gateway failed: {why}", e);
        }
        catch
        {
            await StopAsync(host);
            throw;
        }
    }

    /// <summary>The TLS middleware of the client's gateway connections; <paramref name="failed"/> is told why a handshake failed.</summary>
    private static Func<ConnectionDelegate, ConnectionDelegate> TlsMiddleware(ClusterTls tls, Action<string> failed)
    {
        string? refused = null;
        return TlsTransport.Middleware(
            (ssl, connection, token) =>
            {
                refused = null;
                return ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = tls.TargetHost((connection.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "gateway"),
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    },
                    token);
            },
            (_, certificate, chain, errors) => (refused = tls.Refusal(certificate, chain, errors)) is null,
            (connection, e) => failed(refused is { } why
                ? $"the gateway at {connection.RemoteEndPoint} is not the cluster's: {why}"
                : $"no TLS handshake with the gateway at {connection.RemoteEndPoint} (does the silo have a certificate, CityTwin:Tls:Certificate?): {e.GetBaseException().Message}"));
    }

    /// <summary>The same cluster, another twin.</summary>
    public CityTwinClient ForTwin(string twin) => new(_grains, null, twin, Caller);

    /// <summary>Sends NDJSON sensor events; the report counts every line as accepted, duplicate or rejected.</summary>
    public Task<IngestReport> IngestAsync(byte[] ndjson) => _grains.GetGrain<IIngestGrain>(0).IngestAsync(Twin, ndjson);

    /// <summary>A signal's live state.</summary>
    public Task<SignalState> GetSignalAsync(string signalId) => _grains.GetGrain<ITrafficSignalGrain>(TwinKeys.Of(Twin, signalId)).GetStateAsync();

    /// <summary>A signal's performance measures from its controller events (docs/signal-measures.md).</summary>
    public Task<SignalMeasuresState> GetSignalMeasuresAsync(string signalId) => _grains.GetGrain<ISignalMeasuresGrain>(TwinKeys.Of(Twin, signalId)).GetMeasuresAsync();

    /// <summary>A parking facility's live state.</summary>
    public Task<ParkingState> GetParkingAsync(string facilityId) => _grains.GetGrain<IParkingFacilityGrain>(TwinKeys.Of(Twin, facilityId)).GetStateAsync();

    /// <summary>Parking guidance: the facilities near a point ranked by expected availability on arrival, then distance.</summary>
    public Task<ParkingGuidanceResult> GetParkingGuidanceAsync(ParkingGuidanceRequest request) => _grains.GetGrain<IParkingGuidanceGrain>(Twin).GuideAsync(request);

    /// <summary>A grid cell's aggregates.</summary>
    public Task<AreaState> GetCellAsync(string cellId) => _grains.GetGrain<IGridCellGrain>(TwinKeys.Of(Twin, cellId)).GetStateAsync();

    /// <summary>A district's aggregates.</summary>
    public Task<AreaState> GetDistrictAsync(string districtId) => _grains.GetGrain<IDistrictGrain>(TwinKeys.Of(Twin, districtId)).GetStateAsync();

    /// <summary>The plan a signal runs now (the city's design plan until one is applied) and the safety rules it breaks.</summary>
    public Task<SignalPlanState> GetPlanAsync(string signalId) => Control(signalId).GetPlanAsync();

    /// <summary>
    /// Applies a timing plan to a signal if it passes every safety rule, and records who, why and the evidence
    /// id (through a gateway, <paramref name="who"/> must be the token's name, <see cref="Caller"/>, and the token
    /// must have the role operator or admin); <see cref="PlanChangeResult.Status"/> says how it ended (an unsafe plan: every broken rule in
    /// <see cref="PlanChangeResult.Violations"/>, nothing changed).
    /// </summary>
    public Task<PlanChangeResult> ApplyPlanAsync(string signalId, TimingPlanInfo plan, string who, string why, string? evidenceId = null) =>
        Control(signalId).ApplyPlanAsync(new PlanApplyRequest(plan, who, why, evidenceId));

    /// <summary>
    /// Restores the plan a signal ran before the current one, and records who and why (status
    /// <see cref="PlanChangeStatus.NoPreviousPlan"/> when there is none); <paramref name="who"/> as in <see cref="ApplyPlanAsync"/>.
    /// </summary>
    public Task<PlanChangeResult> RollbackPlanAsync(string signalId, string who, string why) =>
        Control(signalId).RollbackPlanAsync(new PlanRollbackRequest(who, why));

    /// <summary>A signal's audited plan history, oldest entry first.</summary>
    public Task<IReadOnlyList<PlanHistoryEntry>> GetPlanHistoryAsync(string signalId) => Control(signalId).GetPlanHistoryAsync();

    /// <summary>
    /// A recommended timing plan for a signal on its live detector data, with its evidence (kept under
    /// <see cref="RecommendationEvidence.EvidenceId"/>); <see cref="RecommendationEvidence.Recommended"/> is false, with
    /// the reasons, when the data or the simulated improvement is not good enough. Throws <see cref="ArgumentException"/>
    /// for an unknown signal or a request out of range.
    /// </summary>
    public Task<RecommendationEvidence> GetRecommendationAsync(string signalId, RecommendationRequest? request = null) =>
        _grains.GetGrain<ISignalRecommendationGrain>(TwinKeys.Of(Twin, signalId)).RecommendAsync(request ?? new RecommendationRequest());

    /// <summary>A kept recommendation's evidence by its id (the latest 20 per signal are kept); null when it is not kept.</summary>
    public Task<RecommendationEvidence?> GetKeptRecommendationAsync(string signalId, string evidenceId) => Control(signalId).GetRecommendationAsync(evidenceId);

    /// <summary>The twin's ingest totals and the newest lines that no entity could take.</summary>
    /// <summary>The twin's alerts: the open ones, or with <see cref="AlertQuery.IncludeCleared"/> also the kept cleared ones; optionally of one kind and district (docs/alerts.md).</summary>
    public Task<AlertList> GetAlertsAsync(AlertQuery? query = null) => _grains.GetGrain<IAlertRegistryGrain>(Twin).ListAsync(query ?? new AlertQuery());

    /// <summary>
    /// Subscribes to the twin's alert changes as its registry records them: read them from
    /// <see cref="AlertWatch.ReadAllAsync"/> (every raise and clear after the call returns and, with
    /// <paramref name="after"/>, first the kept changes after that sequence number), dispose the watch to stop.
    /// </summary>
    public Task<AlertWatch> WatchAlertsAsync(long? after = null, CancellationToken cancellationToken = default) => AlertWatch.StartAsync(_grains, Twin, after, cancellationToken);

    public Task<IngestLog> GetIngestLogAsync() => _grains.GetGrain<IIngestLogGrain>(Twin).GetAsync();

    private ISignalControlGrain Control(string signalId) => _grains.GetGrain<ISignalControlGrain>(TwinKeys.Of(Twin, signalId));

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await StopAsync(_host);
        }
    }

    private static async Task StopAsync(IHost host)
    {
        await host.StopAsync();
        host.Dispose();
    }
}
