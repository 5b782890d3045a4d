namespace CityTwin.Contracts;

/// <summary>
/// Names of the stream provider and of the stream namespaces, one per kind of entity. A stream's key is the
/// grain key ("{twin}/{entity}") of the entity its events concern, so that an implicit subscription wakes
/// exactly that grain.
/// </summary>
public static class StreamNames
{
    /// <summary>The stream provider's name.</summary>
    public const string Provider = "sensors";

    /// <summary>
    /// A signalised intersection's sensors (approach detector counts and controller phase changes): consumed
    /// by traffic signal grains. One stream per entity keeps its journal positions in one order.
    /// </summary>
    public const string Signal = "citytwin.signal";

    /// <summary>Parking sensors (entries, exits, occupancy counts, gate detectors): consumed by parking facility grains.</summary>
    public const string Parking = "citytwin.parking";

    /// <summary>
    /// Alerts raised and cleared by the signal and facility grains (<c>AlertBatch</c>), one stream per twin (key: the
    /// twin id): consumed by the twin's alert registry (docs/alerts.md).
    /// </summary>
    public const string Alerts = "citytwin.alerts";
}

/// <summary>Names of the grain storage providers, in one place.</summary>
public static class StorageNames
{
    /// <summary>Live entity state.</summary>
    public const string Twin = "twin";

    /// <summary>Stream pub/sub state.</summary>
    public const string PubSub = "PubSubStore";
}
