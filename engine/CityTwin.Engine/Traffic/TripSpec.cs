namespace CityTwin.Engine.Traffic;

/// <summary>
/// One explicit trip: a vehicle that departs at <paramref name="DepartS"/> (seconds from the start of the
/// simulated day) at the start of link <paramref name="FromLink"/> and arrives at the end of link
/// <paramref name="ToLink"/>. <paramref name="Route"/>, when given, is the whole path of link ids (first
/// <paramref name="FromLink"/>, last <paramref name="ToLink"/>); otherwise the simulation routes the trip by
/// shortest travel time.
/// </summary>
public sealed record TripSpec(string Id, double DepartS, string FromLink, string ToLink, IReadOnlyList<string>? Route = null)
{
    /// <summary>
    /// The vehicle is already queued at the downstream end of <see cref="FromLink"/> at <see cref="DepartS"/>
    /// (a queue carried over from the live twin) instead of entering at its upstream end.
    /// </summary>
    public bool AtStopLine { get; init; }
}
