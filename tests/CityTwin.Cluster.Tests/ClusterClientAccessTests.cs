using System.Reflection;
using System.Text.Json.Nodes;
using CityTwin.Client;
using CityTwin.Contracts;
using CityTwin.Silo;
using CityTwin.Silo.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace CityTwin.Cluster.Tests;

/// <summary>
/// Cluster clients through the gateway of a real silo: every call carries a token, the silo checks it and the
/// grain call policy (GrainCallPolicy.Rules) per method, researchers only on their own twins, plan changes are
/// audited with the token's name; calls inside the silo (the HTTP API, streams) are not refused.
/// </summary>
[Collection(SiloHostCollection.Name)]
public sealed class ClusterClientAccessTests(SiloHostFixture host)
{
    private static string NewTwin() => "cc-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>One token name per role.</summary>
    private static readonly IReadOnlyList<string> OnePerRole = ["admin", "ana", "sensor-1", "pia", "rex"];

    [Fact]
    public void Every_method_of_every_grain_interface_of_the_contracts_has_a_rule_in_the_grain_call_policy()
    {
        var interfaces = typeof(ITrafficSignalGrain).Assembly.GetTypes()
            .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t))
            .ToArray();
        Assert.True(interfaces.Length >= 20, $"only {interfaces.Length} grain interfaces found");
        var methods = interfaces.SelectMany(i => i.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)).ToArray();
        var missing = methods.Where(m => GrainCallPolicy.Find(m) is null).Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToArray();
        Assert.True(missing.Length == 0, "grain methods without a rule in GrainCallPolicy.Rules: " + string.Join(", ", missing));

        // Rules are by name: an overload would share its rule with a method it may not deserve.
        Assert.All(interfaces, i => Assert.Equal(i.GetMethods().Length, i.GetMethods().Select(m => m.Name).Distinct().Count()));

        // Every rule is either for some roles or internal, never both; and only the policy's roles.
        Assert.All(GrainCallPolicy.Rules, r => Assert.True((r.Internal is null) == (r.Roles.Count + r.OwnTwinRoles.Count > 0), r.Name));
        Assert.All(GrainCallPolicy.Rules, r => Assert.All(r.Roles.Concat(r.OwnTwinRoles), role => Assert.True(ApiRoles.IsKnown(role), $"{r.Name}: {role}")));
    }

    [Fact]
    public void A_call_is_taken_for_the_clusters_own_only_with_the_cluster_secret_never_by_its_sender_id()
    {
        var secret = ClusterSecret.Random();
        var text = (string)typeof(ClusterSecret).GetProperty("Value", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(secret)!;

        // The same text arriving as a copy (from another silo) is the secret; anything else is not.
        Assert.True(secret.IsCarriedBy(text));
        Assert.True(secret.IsCarriedBy(new string(text.AsSpan())));
        Assert.False(secret.IsCarriedBy(null));
        Assert.False(secret.IsCarriedBy(text[..^1]));
        Assert.False(secret.IsCarriedBy(text + "A"));
        Assert.False(secret.IsCarriedBy(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.False(secret.IsCarriedBy(ClusterSecret.NewText()));
        Assert.False(ClusterSecret.Random().IsCarriedBy(text));
        Assert.DoesNotContain(text, secret.ToString(), StringComparison.Ordinal);

        Assert.Equal("table citytwin_cluster_secret: the cluster secret must be base64 of at least 32 random bytes",
            Assert.Throws<ArgumentException>(() => ClusterSecret.Parse("c2hvcnQ=", "table citytwin_cluster_secret")).Message);

        // The gateway refuses clients that give a silo's hosted client id, and only those.
        Assert.True(HostedClientIdGuard.IsHostedClientId(GrainId.Create("sys.client", "hosted-S127.0.0.1:11111:123456789")));
        Assert.False(HostedClientIdGuard.IsHostedClientId(GrainId.Create("sys.client", Guid.NewGuid().ToString("N"))));
        Assert.False(HostedClientIdGuard.IsHostedClientId(GrainId.Create("trafficsignal", "hosted-live/S-01")));
    }

    [Fact]
    public async Task Connecting_without_a_token_or_with_an_unknown_one_fails_at_connect_with_a_clear_message()
    {
        var none = await Assert.ThrowsAsync<ArgumentException>(() => CityTwinClient.ConnectAsync(host.Gateway, " "));
        Assert.Contains("needs a token", none.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => CityTwinClient.ConnectAsync(host.Gateway, "ct_not-a-token-of-this-silo"));
        Assert.Contains("the token is not known", unknown.Message, StringComparison.Ordinal);

        await using var ana = await CityTwinClient.ConnectAsync(host.Gateway, SiloHostFixture.TokenOf("ana"));
        Assert.Equal(new CallerInfo("ana", [ApiRoles.Operator]), ana.Caller, CallerComparer.Instance);
    }

    [Fact]
    public async Task A_plain_orleans_client_is_refused_on_every_grain_call_without_a_token_and_with_a_wrong_one()
    {
        await using var raw = await RawClient.ConnectAsync(host.Gateway, token: null);
        var signal = raw.Grains.GetGrain<ITrafficSignalGrain>(TwinKeys.Of(TwinKeys.Live, Plans.Signal));
        var noToken = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => signal.GetStateAsync());
        Assert.Equal("ITrafficSignalGrain.GetStateAsync: a cluster client's calls need a token: connect with CityTwinClient.ConnectAsync(gateway, token) (docs/security.md, \"Cluster clients\")", noToken.Message);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => raw.Grains.GetGrain<IIngestGrain>(0).IngestAsync(TwinKeys.Live, Events.Body(Events.Detector("DET-S01-E", DateTimeOffset.UtcNow, 1, 3))));

        // Naming a caller in the request context is no token.
        await using var forged = await RawClient.ConnectAsync(host.Gateway, token: null, forgedCaller: new CallerInfo("admin", [ApiRoles.Admin]));
        Assert.Contains("need a token", (await Assert.ThrowsAsync<UnauthorizedAccessException>(() => forged.Grains.GetGrain<ICallerGrain>(0).WhoAmIAsync())).Message, StringComparison.Ordinal);

        await using var wrong = await RawClient.ConnectAsync(host.Gateway, token: SiloHostFixture.TokenOf("ana") + "x");
        var unknown = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => wrong.Grains.GetGrain<ITrafficSignalGrain>(TwinKeys.Of(TwinKeys.Live, Plans.Signal)).GetStateAsync());
        Assert.Equal("ITrafficSignalGrain.GetStateAsync: the token is not known (mistyped, or revoked from the tokens file)", unknown.Message);
    }

    [Fact]
    public async Task A_client_that_forges_the_sender_id_of_a_grain_a_silos_hosted_client_or_a_system_target_is_checked_and_refused()
    {
        var log = LogCapture.On(host.App);
        var silo = host.App.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        GrainId[] senders =
        [
            GrainId.Create("trafficsignal", TwinKeys.Of(TwinKeys.Live, Plans.Signal)),
            GrainId.Create("sys.client", "hosted-" + silo),
            GrainId.Create("sys.svc.stream.agent", silo),
        ];

        // With the admin token too: the audit log is written only by the silos' own calls, so this would be an entry
        // only if the call were taken for one of them.
        await using var raw = await RawClient.ConnectAsync(host.Gateway, SiloHostFixture.TokenOf("admin"), responseTimeout: TimeSpan.FromSeconds(1));
        foreach (var sender in senders)
        {
            raw.SendAs(sender);
            var what = $"forged as {sender}";
            var call = raw.Grains.GetGrain<IAuditLogGrain>(AuditLog.Key).AppendAsync(new AuditRecord("admin", AuditLog.PlanApply, what, null, null, null));

            // The answer goes to the sender named, not to this client: the silo's log shows the refusal.
            await log.WaitForAsync($"Refused a cluster client's call from {sender} to ", "IAuditLogGrain.AppendAsync is not for cluster clients");
            await Assert.ThrowsAnyAsync<Exception>(() => call);
            Assert.DoesNotContain(await host.Api.GetAuditAsync(from: before), e => e.What == what);
        }
    }

    [Fact]
    public async Task A_client_that_connects_under_a_silos_hosted_client_id_is_refused_by_the_gateway()
    {
        var log = LogCapture.On(host.App);
        var hosted = "hosted-" + host.App.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();

        // The answers to the HTTP API's grain calls go to that id (and carry the cluster secret back): no client gets it.
        var connect = Record.ExceptionAsync(async () => await (await RawClient.ConnectAsync(host.Gateway, SiloHostFixture.TokenOf("admin"), clientId: hosted, connectTimeout: TimeSpan.FromSeconds(5))).DisposeAsync());
        await log.WaitForAsync("Refused a gateway connection from ", $"the client gave the id sys.client/{hosted} of a silo's hosted client");
        Assert.NotNull(await connect);

        // Any other id the client picks is let in (then its calls are checked), and the HTTP API still answers.
        await using var other = await RawClient.ConnectAsync(host.Gateway, SiloHostFixture.TokenOf("ana"), clientId: "hosted" + Guid.NewGuid().ToString("N"));
        Assert.NotNull(await other.Grains.GetGrain<ISignalControlGrain>(TwinKeys.Of(TwinKeys.Live, Plans.Signal)).GetPlanAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await host.Http.GetAsync($"api/twins/live/signals/{Plans.Signal}/plan")).StatusCode);
    }

    [Fact]
    public async Task The_caller_is_the_token_the_silo_checked_whatever_the_client_puts_in_the_request_context()
    {
        await using var forged = await RawClient.ConnectAsync(host.Gateway, SiloHostFixture.TokenOf("sensor-1"), forgedCaller: new CallerInfo("admin", [ApiRoles.Admin]));
        Assert.Equal(new CallerInfo("sensor-1", [ApiRoles.Sensor]), await forged.Grains.GetGrain<ICallerGrain>(0).WhoAmIAsync(), CallerComparer.Instance);
        var refused = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => forged.Grains.GetGrain<ITrafficSignalGrain>(TwinKeys.Of(TwinKeys.Live, Plans.Signal)).GetStateAsync());
        Assert.StartsWith("the token 'sensor-1' has the role sensor;", refused.Message, StringComparison.Ordinal);

        // Inside the silo (no token, no caller): the HTTP API's own calls are not checked.
        Assert.Null(await host.App.Services.GetRequiredService<IGrainFactory>().GetGrain<ICallerGrain>(0).WhoAmIAsync());
    }

    [Fact]
    public async Task A_role_the_rule_does_not_name_is_refused_with_the_role_and_the_method_named()
    {
        var sensor = await host.ClientAsync("sensor-1");
        var read = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => sensor.GetSignalAsync(Plans.Signal));
        Assert.Equal("the token 'sensor-1' has the role sensor; ITrafficSignalGrain.GetStateAsync needs the role operator or planner or researcher or admin", read.Message);

        var pia = (await host.ClientAsync("pia")).ForTwin(NewTwin());
        var apply = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => pia.ApplyPlanAsync(Plans.Signal, Plans.Safe("cc-pia", 2), "pia", "try"));
        Assert.Equal("the token 'pia' has the role planner; ISignalControlGrain.ApplyPlanAsync needs the role operator or admin", apply.Message);
        Assert.Empty(await pia.GetPlanHistoryAsync(Plans.Signal));

        var feed = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => pia.IngestAsync(Events.Body(Events.Detector("DET-S01-E", DateTimeOffset.UtcNow, 1, 3))));
        Assert.Equal("the token 'pia' has the role planner; IIngestGrain.IngestAsync needs the role sensor or admin (or researcher on a twin it created)", feed.Message);
    }

    [Fact]
    public async Task Methods_kept_to_the_silos_are_refused_to_cluster_clients_even_to_admin()
    {
        await using var admin = await RawClient.ConnectAsync(host.Gateway, SiloHostFixture.TokenOf("admin"));
        var append = await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            admin.Grains.GetGrain<IAuditLogGrain>(AuditLog.Key).AppendAsync(new AuditRecord("someone", AuditLog.PlanApply, "forged", null, null, null)));
        Assert.Equal("IAuditLogGrain.AppendAsync is not for cluster clients: entries are written by the access checks of audited actions", append.Message);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => admin.Grains.GetGrain<ITrafficSignalGrain>(TwinKeys.Of(NewTwin(), Plans.Signal)).ClearAsync());

        // Orleans' own grains have no rule either.
        var management = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => admin.Grains.GetGrain<IManagementGrain>(0).GetHosts());
        Assert.Contains("has no rule in the grain call policy", management.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_public_client_method_is_allowed_to_the_roles_its_rule_names_and_refused_to_the_others()
    {
        var calls = FacadeCalls();
        var publicMethods = typeof(CityTwinClient).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not (nameof(CityTwinClient.ForTwin) or nameof(CityTwinClient.DisposeAsync)))
            .Select(m => m.Name).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(publicMethods, calls.Keys.Order(StringComparer.Ordinal).ToArray());

        // A fresh twin for everything, and one where admin applied a plan (applying it again changes nothing).
        var twins = new MatrixTwins(NewTwin(), NewTwin(), Plans.Safe("cc-matrix", 2));
        var admin = await host.ClientAsync("admin");
        Assert.Equal(PlanChangeStatus.Applied, (await admin.ForTwin(twins.Planned).ApplyPlanAsync(Plans.Signal, twins.Plan, "admin", "setup")).Status);
        var twin = twins.Fresh;
        foreach (var name in OnePerRole)
        {
            var client = (await host.ClientAsync(name)).ForTwin(twin);
            var roles = SiloHostFixture.Tokens[name];
            foreach (var (method, (rule, call)) in calls)
            {
                // The researcher's own twin: its first write claims the twin (no one else writes into it here).
                var allowed = roles.Any(rule.Roles.Contains) || roles.Any(rule.OwnTwinRoles.Contains);
                var refused = await Record.ExceptionAsync(() => call(client, twins));
                if (allowed)
                {
                    Assert.True(refused is null, $"{method} as {name}: {refused}");
                }
                else
                {
                    var ex = Assert.IsType<UnauthorizedAccessException>(refused);
                    Assert.StartsWith($"the token '{name}' has the role {string.Join(", ", roles)}; {rule.Name} needs the role ", ex.Message, StringComparison.Ordinal);
                }
            }
        }

        // Nothing was changed: the plan applied was the one in force, and there was nothing to roll back.
        Assert.Empty(await admin.ForTwin(twin).GetPlanHistoryAsync(Plans.Signal));
        Assert.Single(await admin.ForTwin(twins.Planned).GetPlanHistoryAsync(Plans.Signal));
    }

    [Fact]
    public async Task A_researcher_feeds_only_the_twins_it_created_and_never_live()
    {
        var twin = NewTwin();
        var rex = (await host.ClientAsync("rex")).ForTwin(twin);
        var rita = (await host.ClientAsync("rita")).ForTwin(twin);
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(1, (await rex.IngestAsync(Events.Body(Events.Detector("DET-S01-E", now, 1, 4)))).Accepted);

        var other = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => rita.IngestAsync(Events.Body(Events.Detector("DET-S01-E", now, 2, 4))));
        Assert.EndsWith($"; twin '{twin}' was created by 'rex'", other.Message, StringComparison.Ordinal);
        var live = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => rex.ForTwin(TwinKeys.Live).IngestAsync(Events.Body(Events.Detector("DET-S01-E", now, 3, 4))));
        Assert.EndsWith("; the live twin belongs to no researcher", live.Message, StringComparison.Ordinal);

        // Reading is for every reader, on any twin.
        var state = await Events.EventuallyAsync(() => rita.GetSignalAsync(Plans.Signal), s => s.Counters.Applied == 1);
        Assert.Equal(twin, state.Twin);
    }

    [Fact]
    public async Task Plan_changes_through_the_client_are_audited_with_the_tokens_name_and_who_must_be_that_name()
    {
        var twin = NewTwin();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var ana = (await host.ClientAsync("ana")).ForTwin(twin);
        var plan = Plans.Safe("cc-am", 3);

        var impostor = await Assert.ThrowsAsync<ArgumentException>(() => ana.ApplyPlanAsync(Plans.Signal, plan, "ben", "not me"));
        Assert.Equal("ISignalControlGrain.ApplyPlanAsync: who: 'ben' is not the caller; the identity comes from the token ('ana'): give that name (CityTwinClient.Caller)", impostor.Message);
        Assert.Empty(await ana.GetPlanHistoryAsync(Plans.Signal));

        Assert.Equal(PlanChangeStatus.Applied, (await ana.ApplyPlanAsync(Plans.Signal, plan, ana.Caller!.Name, "school run", "ev-cc-1")).Status);
        Assert.Equal(PlanChangeStatus.Unchanged, (await ana.ApplyPlanAsync(Plans.Signal, plan, "ana", "again", "ev-cc-2")).Status);
        var ben = (await host.ClientAsync("ben")).ForTwin(twin);
        Assert.Equal(PlanChangeStatus.RolledBack, (await ben.RollbackPlanAsync(Plans.Signal, "ben", "queues grew")).Status);
        Assert.Equal(PlanChangeStatus.NoPreviousPlan, (await ben.RollbackPlanAsync(Plans.Signal, "ben", "nothing left")).Status);

        var entries = (await host.Api.GetAuditAsync(from: before)).Where(e => e.Twin == twin).ToArray();
        Assert.Equal(
            [("ana", AuditLog.PlanApply, "school run", (string?)"ev-cc-1"), ("ben", AuditLog.PlanRollback, "queues grew", null)],
            entries.Select(e => (e.Who, e.Kind, e.Why, e.EvidenceId)).ToArray());
        Assert.Equal($"signal {Plans.Signal}: plan 'cc-am' applied", entries[0].What);
        Assert.Equal(["ana", "ben"], (await ana.GetPlanHistoryAsync(Plans.Signal)).Select(h => h.Who).ToArray());
    }

    [Fact]
    public async Task Calls_inside_the_silo_are_not_refused_with_cluster_clients_checked()
    {
        // HTTP ingest (the silo's hosted client), the intake stream to the signal grain and its reports to the
        // cell and district grains all run inside the silo; a cluster client reads the result.
        var twin = NewTwin();
        var now = DateTimeOffset.UtcNow;
        var report = await host.As("sensor-1").Api.IngestAsync(twin, Events.Body(Events.Detector("DET-S01-E", now, 1, 9), Events.Phase(Plans.Signal, now, 1, 1, "green")));
        Assert.Equal(2, report.Accepted);
        var client = (await host.ClientAsync("pia")).ForTwin(twin);
        var site = SampleCity.Model.SignalsById[Plans.Signal];
        await Events.EventuallyAsync(() => client.GetSignalAsync(Plans.Signal), s => s.Counters.Applied == 2);
        await Events.EventuallyAsync(() => client.GetDistrictAsync(site.Placement.DistrictId), d => d.SignalsReporting >= 1);
        Assert.Equal(2, (await client.GetIngestLogAsync()).Accepted);
    }

    [Fact]
    public async Task A_token_revoked_from_the_tokens_file_is_refused_on_the_next_call()
    {
        var dir = Directory.CreateTempSubdirectory("citytwin-cc-").FullName;
        try
        {
            var file = Path.Combine(dir, "tokens.json");
            var keep = ApiTokens.Create(file, "keep", [ApiRoles.Planner], DateTimeOffset.UtcNow);
            var gone = ApiTokens.Create(file, "gone", [ApiRoles.Planner], DateTimeOffset.UtcNow);
            var settings = SiloSettings.OnFreeLoopbackPorts() with { TokensFile = file };
            await using var app = CityTwinHost.Build(settings, SampleCity.Model);
            await app.StartAsync();
            var gateway = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, settings.GatewayPort);
            await using var stays = await CityTwinClient.ConnectAsync(gateway, keep);
            await using var revoked = await CityTwinClient.ConnectAsync(gateway, gone);
            Assert.NotNull(await revoked.GetPlanAsync(Plans.Signal));

            // Take 'gone' out of the file, as an administrator revokes a token.
            var json = JsonNode.Parse(File.ReadAllText(file))!;
            var list = json["tokens"]!.AsArray();
            list.Remove(list.Single(t => (string?)t!["name"] == "gone"));
            File.WriteAllText(file, json.ToJsonString());
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
            Assert.Equal(["keep"], ApiTokens.ReadFile(file).Select(t => t.Name).ToArray());

            var refused = await Events.EventuallyAsync(
                () => Record.ExceptionAsync(() => revoked.GetPlanAsync(Plans.Signal)),
                ex => ex is not null,
                TimeSpan.FromSeconds(10));
            Assert.Equal("ISignalControlGrain.GetPlanAsync: the token is not known (mistyped, or revoked from the tokens file)", Assert.IsType<UnauthorizedAccessException>(refused).Message);
            Assert.NotNull(await stays.GetPlanAsync(Plans.Signal));
            await app.StopAsync();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Each public method of the client: its grain method's rule, and a call of it that is harmless to the twin (given its current plan).</summary>
    private static Dictionary<string, (GrainCallRule Rule, Func<CityTwinClient, MatrixTwins, Task> Call)> FacadeCalls()
    {
        var city = SampleCity.Model;
        var site = city.SignalsById[Plans.Signal];
        var facility = city.Parking[0];
        var now = DateTimeOffset.UtcNow;
        GrainCallRule Rule<T>(string method) => GrainCallPolicy.Find(typeof(T), method) ?? throw new InvalidOperationException($"no rule for {typeof(T).Name}.{method}");
        return new(StringComparer.Ordinal)
        {
            [nameof(CityTwinClient.IngestAsync)] = (Rule<IIngestGrain>(nameof(IIngestGrain.IngestAsync)),
                (c, _) => c.IngestAsync(Events.Body(Events.Detector("DET-S01-E", now, Random.Shared.NextInt64(1, long.MaxValue / 2), 2)))),
            [nameof(CityTwinClient.GetSignalAsync)] = (Rule<ITrafficSignalGrain>(nameof(ITrafficSignalGrain.GetStateAsync)), (c, _) => c.GetSignalAsync(Plans.Signal)),
            [nameof(CityTwinClient.GetSignalMeasuresAsync)] = (Rule<ISignalMeasuresGrain>(nameof(ISignalMeasuresGrain.GetMeasuresAsync)), (c, _) => c.GetSignalMeasuresAsync(Plans.Signal)),
            [nameof(CityTwinClient.GetParkingAsync)] = (Rule<IParkingFacilityGrain>(nameof(IParkingFacilityGrain.GetStateAsync)), (c, _) => c.GetParkingAsync(facility.Id)),
            [nameof(CityTwinClient.GetParkingGuidanceAsync)] = (Rule<IParkingGuidanceGrain>(nameof(IParkingGuidanceGrain.GuideAsync)),
                (c, _) => c.GetParkingGuidanceAsync(new ParkingGuidanceRequest(facility.Location.X, facility.Location.Y))),
            [nameof(CityTwinClient.GetCellAsync)] = (Rule<IGridCellGrain>(nameof(IGridCellGrain.GetStateAsync)), (c, _) => c.GetCellAsync(site.Placement.CellId)),
            [nameof(CityTwinClient.GetDistrictAsync)] = (Rule<IDistrictGrain>(nameof(IDistrictGrain.GetStateAsync)), (c, _) => c.GetDistrictAsync(site.Placement.DistrictId)),
            [nameof(CityTwinClient.GetPlanAsync)] = (Rule<ISignalControlGrain>(nameof(ISignalControlGrain.GetPlanAsync)), (c, _) => c.GetPlanAsync(Plans.Signal)),
            [nameof(CityTwinClient.ApplyPlanAsync)] = (Rule<ISignalControlGrain>(nameof(ISignalControlGrain.ApplyPlanAsync)),
                async (c, t) => Assert.Equal(PlanChangeStatus.Unchanged, (await c.ForTwin(t.Planned).ApplyPlanAsync(Plans.Signal, t.Plan, c.Caller!.Name, "the plan in force")).Status)),
            [nameof(CityTwinClient.RollbackPlanAsync)] = (Rule<ISignalControlGrain>(nameof(ISignalControlGrain.RollbackPlanAsync)),
                async (c, _) => Assert.Equal(PlanChangeStatus.NoPreviousPlan, (await c.RollbackPlanAsync(Plans.Signal, c.Caller!.Name, "nothing to roll back")).Status)),
            [nameof(CityTwinClient.GetPlanHistoryAsync)] = (Rule<ISignalControlGrain>(nameof(ISignalControlGrain.GetPlanHistoryAsync)), (c, _) => c.GetPlanHistoryAsync(Plans.Signal)),
            [nameof(CityTwinClient.GetRecommendationAsync)] = (Rule<ISignalRecommendationGrain>(nameof(ISignalRecommendationGrain.RecommendAsync)), (c, _) => c.GetRecommendationAsync(Plans.Signal)),
            [nameof(CityTwinClient.GetKeptRecommendationAsync)] = (Rule<ISignalControlGrain>(nameof(ISignalControlGrain.GetRecommendationAsync)), (c, _) => c.GetKeptRecommendationAsync(Plans.Signal, "no-such-evidence")),
            [nameof(CityTwinClient.GetIngestLogAsync)] = (Rule<IIngestLogGrain>(nameof(IIngestLogGrain.GetAsync)), (c, _) => c.GetIngestLogAsync()),
            [nameof(CityTwinClient.GetAlertsAsync)] = (Rule<IAlertRegistryGrain>(nameof(IAlertRegistryGrain.ListAsync)), (c, _) => c.GetAlertsAsync(new AlertQuery(IncludeCleared: true))),
            [nameof(CityTwinClient.WatchAlertsAsync)] = (Rule<IAlertRegistryGrain>(nameof(IAlertRegistryGrain.SubscribeAsync)), async (c, _) => await (await c.WatchAlertsAsync(after: 0)).DisposeAsync()),
        };
    }

    /// <summary>The twins of the matrix test: a fresh one, and one that runs <see cref="Plan"/>.</summary>
    private sealed record MatrixTwins(string Fresh, string Planned, TimingPlanInfo Plan);

    /// <summary>
    /// A plain Orleans client of the gateway that sends a token (or none) and, to try forging, a caller of its own, an
    /// id of its own (the connection's: ConnectAsync's clientId) or a sender id of its own on each call (<see cref="SendAs"/>).
    /// </summary>
    private sealed class RawClient(IHost host) : IAsyncDisposable
    {
        public IGrainFactory Grains => host.Services.GetRequiredService<IClusterClient>();

        public static async Task<RawClient> ConnectAsync(System.Net.IPEndPoint gateway, string? token, CallerInfo? forgedCaller = null, string? clientId = null, TimeSpan? responseTimeout = null, TimeSpan? connectTimeout = null)
        {
            var host = new HostBuilder()
                .UseOrleansClient(c =>
                {
                    c.UseStaticClustering(gateway);
                    c.Configure<ClusterOptions>(o =>
                    {
                        o.ClusterId = ClusterIds.DefaultClusterId;
                        o.ServiceId = ClusterIds.ServiceId;
                    });
                    if (responseTimeout is { } timeout)
                    {
                        c.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = timeout);
                    }

                    c.AddOutgoingGrainCallFilter(async call =>
                    {
                        if (token is not null)
                        {
                            RequestContext.Set(ClientCalls.TokenKey, token);
                        }

                        if (forgedCaller is not null)
                        {
                            RequestContext.Set(ClientCalls.CallerKey, forgedCaller);
                        }

                        await call.Invoke();
                    });
                })
                .Build();
            if (clientId is not null)
            {
                // The id the client gives the gateway in its first bytes (Orleans' LocalClientDetails.ClientId): any a client wants.
                var details = host.Services.GetRequiredService(OrleansCore.GetType("Orleans.LocalClientDetails", throwOnError: true)!);
                var id = typeof(GrainId).Assembly.GetType("Orleans.Runtime.ClientGrainId", throwOnError: true)!.GetMethod("Create", [typeof(string)])!.Invoke(null, [clientId]);
                details.GetType().GetField("<ClientId>k__BackingField", BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(details, id);
            }

            using var started = new CancellationTokenSource(connectTimeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await host.StartAsync(started.Token);
            }
            catch
            {
                host.Dispose();
                throw;
            }

            return new RawClient(host);
        }

        /// <summary>
        /// From now on every call of this client names <paramref name="sender"/> as its sender (Orleans' message header
        /// SendingGrain, which the client fills from OutsideRuntimeClient.CurrentActivationAddress); the answers then go
        /// to that sender, not to this client.
        /// </summary>
        public void SendAs(GrainId sender)
        {
            var runtime = host.Services.GetRequiredService(OrleansCore.GetType("Orleans.OutsideRuntimeClient", throwOnError: true)!);
            var address = runtime.GetType().GetProperty("CurrentActivationAddress")!;
            var current = (GrainAddress)address.GetValue(runtime)!;
            address.SetValue(runtime, new GrainAddress { GrainId = sender, ActivationId = current.ActivationId, SiloAddress = current.SiloAddress });
        }

        private static Assembly OrleansCore => typeof(IClusterClient).Assembly;

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    private sealed class CallerComparer : IEqualityComparer<CallerInfo?>
    {
        public static readonly CallerComparer Instance = new();

        public bool Equals(CallerInfo? x, CallerInfo? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Roles.SequenceEqual(y.Roles);

        public int GetHashCode(CallerInfo? obj) => obj?.Name.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
