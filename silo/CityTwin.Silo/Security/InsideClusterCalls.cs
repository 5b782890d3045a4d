namespace CityTwin.Silo.Security;

/// <summary>
/// The outgoing grain call filter of a silo: every call the silo makes to a grain or a system target carries the
/// cluster secret (<see cref="ClusterSecret.Key"/>); a call to a client (an observer, a stream delivered to a client)
/// never does, so the secret does not leave the cluster's silos.
/// </summary>
/// <remarks>
/// Every grain call made in a silo goes through the outgoing filters (Orleans' GrainReferenceRuntime): calls of grains,
/// of the client a silo hosts for calls made outside grains (the HTTP handlers), of system targets (stream pulling
/// agents, reminders, membership, the management grain's calls to each silo). Grain timer ticks are not calls;
/// <see cref="ClusterClientAccess"/> knows them. Orleans runs the filters inside an async method of its own, so the value
/// set here is gone when the call returns: the grain that made the call never sees it in its request context.
/// </remarks>
public sealed class InsideClusterCalls(ClusterSecret secret) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.TargetId.IsClient())
        {
            // Nothing to remove on the usual path: grains never hold the secret in their request context.
            RequestContext.Remove(ClusterSecret.Key);
        }
        else if (!ReferenceEquals(RequestContext.Get(ClusterSecret.Key), secret.Value))
        {
            RequestContext.Set(ClusterSecret.Key, secret.Value);
        }

        return context.Invoke();
    }
}
