using System.Net;
using CityTwin.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace CityTwin.Client;

/// <summary>
/// The typed .NET client for the traffic control system: grain interfaces behind a small facade. Create
/// it over an existing <see cref="IGrainFactory"/> (inside a silo or with your own cluster client), or
/// connect to a silo's gateway with <see cref="ConnectAsync(IPEndPoint, string, CancellationToken)"/>.
/// </summary>
public sealed class CityTwinClient : IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IHost? _host;

    public CityTwinClient(IGrainFactory grains, string twin = TwinKeys.Live)
        : this(grains, null, twin)
    {
    }

    private CityTwinClient(IGrainFactory grains, IHost? host, string twin)
    {
        if (!TwinKeys.IsValidTwinId(twin))
        {
            throw new ArgumentException($"'{twin}' is not a valid twin id", nameof(twin));
        }

        _grains = grains;
        _host = host;
        Twin = twin;
    }

    /// <summary>The twin this client reads and feeds.</summary>
    public string Twin { get; }

    /// <summary>Connects to a CityTwin cluster through a silo's gateway (default port 30000).</summary>
    public static Task<CityTwinClient> ConnectAsync(IPEndPoint gateway, string twin = TwinKeys.Live, CancellationToken cancellationToken = default) =>
        ConnectAsync([gateway], ClusterIds.DefaultClusterId, twin, cancellationToken);

    /// <summary>
    /// Connects to a CityTwin cluster through the gateways of any of its silos (the client moves to another
    /// gateway when one goes away); <paramref name="clusterId"/> is the silos' <c>--cluster-id</c>.
    /// </summary>
    public static async Task<CityTwinClient> ConnectAsync(IReadOnlyList<IPEndPoint> gateways, string clusterId, string twin = TwinKeys.Live, CancellationToken cancellationToken = default)
    {
        if (gateways.Count == 0)
        {
            throw new ArgumentException("name at least one gateway", nameof(gateways));
        }

        var host = new HostBuilder()
            .UseOrleansClient(c =>
            {
                c.UseStaticClustering([.. gateways]);
                c.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = ClusterIds.ServiceId;
                });
            })
            .Build();
        await host.StartAsync(cancellationToken);
        return new CityTwinClient(host.Services.GetRequiredService<IClusterClient>(), host, twin);
    }

    /// <summary>The same cluster, another twin.</summary>
    public CityTwinClient ForTwin(string twin) => new(_grains, null, twin);

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
    /// id; <see cref="PlanChangeResult.Status"/> says how it ended (an unsafe plan: every broken rule in
    /// <see cref="PlanChangeResult.Violations"/>, nothing changed).
    /// </summary>
    public Task<PlanChangeResult> ApplyPlanAsync(string signalId, TimingPlanInfo plan, string who, string why, string? evidenceId = null) =>
        Control(signalId).ApplyPlanAsync(new PlanApplyRequest(plan, who, why, evidenceId));

    /// <summary>Restores the plan a signal ran before the current one, and records who and why (status <see cref="PlanChangeStatus.NoPreviousPlan"/> when there is none).</summary>
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
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}
