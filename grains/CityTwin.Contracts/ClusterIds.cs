namespace CityTwin.Contracts;

/// <summary>The Orleans ids a CityTwin cluster runs under; silos and clients must agree on both.</summary>
public static class ClusterIds
{
    /// <summary>
    /// The service id: grain state is stored under it, so it is the same for every deployment; the cluster id
    /// may change from one deployment to the next.
    /// </summary>
    public const string ServiceId = "citytwin";

    /// <summary>The cluster id when none is given.</summary>
    public const string DefaultClusterId = "citytwin";
}
