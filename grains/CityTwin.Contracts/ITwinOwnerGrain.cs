namespace CityTwin.Contracts;

/// <summary>
/// Who created a twin (the name of the token that first wrote into it as a researcher, or that created it
/// through a replay); key "{twin}". A researcher may write into and delete only the twins it created.
/// </summary>
[Alias("CityTwin.ITwinOwnerGrain")]
public interface ITwinOwnerGrain : IGrainWithStringKey
{
    /// <summary>Records <paramref name="who"/> as the creator if the twin has none yet; answers the creator. The live twin has none and cannot be claimed.</summary>
    [Alias("Claim")]
    Task<TwinOwner?> ClaimAsync(string who);

    /// <summary>The twin's creator, or null when none is recorded.</summary>
    [Alias("Get")]
    Task<TwinOwner?> GetAsync();
}

/// <summary>The creator of a twin and when it was recorded.</summary>
[GenerateSerializer, Immutable, Alias("CityTwin.TwinOwner")]
public sealed record TwinOwner([property: Id(0)] string Twin, [property: Id(1)] string CreatedBy, [property: Id(2)] DateTimeOffset Created);
