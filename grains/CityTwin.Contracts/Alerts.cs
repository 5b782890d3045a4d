namespace CityTwin.Contracts;

/// <summary>
/// An alert of a twin (docs/alerts.md): a parking facility near full or full, a signal approach oversaturated or its
/// queue spilling back. Times are event times. <see cref="ClearedAt"/> is null while the alert is open.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.AlertInfo")]
public sealed record AlertInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Twin,
    [property: Id(2)] string Kind,
    [property: Id(3)] string EntityId,
    [property: Id(4)] string EntityKind,
    [property: Id(5)] string? Subject,
    [property: Id(6)] string DistrictId,
    [property: Id(7)] string CellId,
    [property: Id(8)] string Severity,
    [property: Id(9)] DateTimeOffset RaisedAt,
    [property: Id(10)] DateTimeOffset? ClearedAt,
    [property: Id(11)] double Value,
    [property: Id(12)] double Threshold,
    [property: Id(13)] double ClearBelow,
    [property: Id(14)] double Peak,
    [property: Id(15)] double? ClearValue,
    [property: Id(16)] string Message)
{
    /// <summary>"open" or "cleared".</summary>
    public string State => ClearedAt is null ? "open" : "cleared";
}

/// <summary>Alerts raised or cleared by one entity after one batch of events, in the order they happened.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.AlertBatch")]
public sealed record AlertBatch([property: Id(0)] IReadOnlyList<AlertInfo> Alerts);

/// <summary>
/// One change of a twin's alerts as its registry recorded it: <see cref="Change"/> is "raise" or "clear";
/// <see cref="Sequence"/> counts the registry's changes from 1 (the SSE event id).
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.AlertChange")]
public sealed record AlertChange(
    [property: Id(0)] long Sequence,
    [property: Id(1)] string Change,
    [property: Id(2)] AlertInfo Alert);

/// <summary>Which alerts to list: open only (default) or all kept; optionally one kind and one district.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.AlertQuery")]
public sealed record AlertQuery(
    [property: Id(0)] bool IncludeCleared = false,
    [property: Id(1)] string? Kind = null,
    [property: Id(2)] string? DistrictId = null);

/// <summary>
/// A twin's alerts: the open ones (newest first) then, when asked for, the kept cleared ones (newest cleared first);
/// the registry's change sequence; how many are open in all and how many cleared ones it keeps at most.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.AlertList")]
public sealed record AlertList(
    [property: Id(0)] string Twin,
    [property: Id(1)] long Sequence,
    [property: Id(2)] int Open,
    [property: Id(3)] int KeptCleared,
    [property: Id(4)] IReadOnlyList<AlertInfo> Alerts);

/// <summary>
/// What a subscriber gets when it subscribes: the registry's change sequence then, and the kept changes after the
/// sequence it asked from, oldest first (<see cref="Complete"/> false when some of them are no longer kept).
/// </summary>
[GenerateSerializer, Immutable, Alias("CityTwin.AlertCatchUp")]
public sealed record AlertCatchUp(
    [property: Id(0)] long Sequence,
    [property: Id(1)] IReadOnlyList<AlertChange> Missed,
    [property: Id(2)] bool Complete);

/// <summary>Observer subscriptions to alert registries.</summary>
public static class AlertSubscriptions
{
    /// <summary>A subscription not renewed for this long lapses (the registry forgets the observer).</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromMinutes(3);
}

/// <summary>Receives a twin's alert changes as its registry records them (a cluster client: <c>CityTwinClient.WatchAlertsAsync</c>).</summary>
[Alias("CityTwin.IAlertObserver")]
public interface IAlertObserver : IGrainObserver
{
    /// <summary>One alert was raised or cleared.</summary>
    [Alias("OnAlert"), Orleans.Concurrency.OneWay]
    Task OnAlertAsync(AlertChange change);
}

/// <summary>
/// The alert registry of one twin; key: the twin id. Fed by the twin's alerts stream; keeps the open alerts and the
/// most recent cleared ones, answers lists, and tells subscribed observers of each change.
/// </summary>
[Alias("CityTwin.IAlertRegistryGrain")]
public interface IAlertRegistryGrain : IClearableGrain
{
    /// <summary>The twin's alerts (open, or all kept), optionally of one kind and one district.</summary>
    [Alias("List")]
    Task<AlertList> ListAsync(AlertQuery query);

    /// <summary>
    /// The kept changes after <paramref name="after"/> (none when it is negative) and the change sequence now: what the
    /// SSE endpoint polls.
    /// </summary>
    [Alias("GetChanges")]
    Task<AlertCatchUp> GetChangesAsync(long after);

    /// <summary>
    /// Subscribes (or renews) an observer; a subscription not renewed within <see cref="AlertSubscriptions.Expiry"/> lapses.
    /// Answers the registry's change sequence at that moment and the kept changes after <paramref name="after"/>
    /// (none when it is negative), so a subscriber that reconnects misses nothing the registry still keeps.
    /// </summary>
    [Alias("Subscribe")]
    Task<AlertCatchUp> SubscribeAsync(IAlertObserver observer, long after);

    /// <summary>Ends an observer's subscription.</summary>
    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(IAlertObserver observer);
}
