using System.Net;
using CityTwin.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace CityTwin.Client;

/// <summary>
/// The typed .NET client for the traffic control system: grain interfaces behind a small facade. Connect to a
/// silo's gateway with a token (<see cref="ConnectAsync(IPEndPoint, string, string, CancellationToken)"/>): every
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
    /// <c>citytwin token create</c>, or the local admin token of <c>citytwin up</c>). Throws
    /// <see cref="ArgumentException"/> without a token and <see cref="UnauthorizedAccessException"/> when the silo
    /// does not know it.
    /// </summary>
    public static Task<CityTwinClient> ConnectAsync(IPEndPoint gateway, string token, string twin = TwinKeys.Live, CancellationToken cancellationToken = default) =>
        ConnectAsync([gateway], ClusterIds.DefaultClusterId, token, twin, cancellationToken);

    /// <summary>
    /// Connects to a CityTwin cluster through the gateways of any of its silos (the client moves to another
    /// gateway when one goes away); <paramref name="clusterId"/> is the silos' <c>--cluster-id</c>. Every call sends
    /// <paramref name="token"/>; the token is checked here first (<see cref="Caller"/>).
    /// </summary>
    public static async Task<CityTwinClient> ConnectAsync(IReadOnlyList<IPEndPoint> gateways, string clusterId, string token, string twin = TwinKeys.Live, CancellationToken cancellationToken = default)
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

        token = token.Trim();
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
        catch
        {
            await StopAsync(host);
            throw;
        }
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
