using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace CityTwin.Silo.Security;

/// <summary>
/// The secret the silos of one cluster share. Every grain call a silo makes to a grain or system target carries it in
/// the request context (<see cref="InsideClusterCalls"/>; never a call to a client), and a silo takes a call for one
/// from inside the cluster only when it carries it (<see cref="ClusterClientAccess"/>): the sender id, which a client
/// can forge, decides nothing. With PostgreSQL the silos read it from the database (table
/// <c>citytwin_cluster_secret</c>, one per cluster id, made by the first silo); a silo with in-memory storage (a
/// cluster of one) makes a random one of its own. It is never logged: <see cref="ToString"/> does not show it.
/// </summary>
public sealed class ClusterSecret
{
    /// <summary>The request context key the secret travels under.</summary>
    public const string Key = "citytwin.cluster";

    /// <summary>How many random bytes a secret has.</summary>
    public const int Bytes = 32;

    private ClusterSecret(string value) => Value = value;

    /// <summary>
    /// The value put in the request context: one string made once, so that a call carries a reference to it (the
    /// request context is copied on every call, and a string is copied by reference) and nothing is allocated for it.
    /// </summary>
    internal string Value { get; }

    /// <summary>A new random secret (a silo of its own; a new row of the database).</summary>
    public static ClusterSecret Random() => new(NewText());

    /// <summary>The text of a new random secret: base64 of <see cref="Bytes"/> random bytes.</summary>
    public static string NewText() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(Bytes));

    /// <summary>A secret read from <paramref name="where"/>; throws <see cref="ArgumentException"/> naming it when the text is not one.</summary>
    public static ClusterSecret Parse(string text, string where)
    {
        var bytes = new byte[Bytes * 2];
        if (!Convert.TryFromBase64String(text, bytes, out var length) || length < Bytes)
        {
            throw new ArgumentException($"{where}: the cluster secret must be base64 of at least {Bytes} random bytes");
        }

        return new ClusterSecret(text);
    }

    /// <summary>
    /// True when <paramref name="carried"/> (the request context's value under <see cref="Key"/>) is this secret: the
    /// same string, or an equal one compared in constant time (a call from another silo arrives as a copy).
    /// </summary>
    public bool IsCarriedBy(object? carried) =>
        carried is string text && (ReferenceEquals(text, Value)
            || CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(text.AsSpan()), MemoryMarshal.AsBytes(Value.AsSpan())));

    /// <summary>Never the secret itself.</summary>
    public override string ToString() => "cluster secret (not shown)";
}
