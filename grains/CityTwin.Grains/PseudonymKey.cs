using System.Security.Cryptography;
using CityTwin.Formats.Events;

namespace CityTwin.Grains;

/// <summary>
/// The secret key of the keyed hash that replaces personal identifiers in sensor feeds
/// (<see cref="PersonalFields"/>). Every silo of a cluster must have the same key, or one plate gets
/// different pseudonyms on different silos.
/// </summary>
public sealed class PseudonymKey
{
    public PseudonymKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < PersonalFields.MinKeyBytes)
        {
            throw new ArgumentException($"the pseudonym key must have at least {PersonalFields.MinKeyBytes} bytes, got {key.Length}", nameof(key));
        }

        Key = key;
    }

    /// <summary>The key bytes.</summary>
    public byte[] Key { get; }

    /// <summary>A fresh random key (for a silo whose pseudonyms need not outlive its process).</summary>
    public static PseudonymKey Random() => new(RandomNumberGenerator.GetBytes(32));
}
