using System.Text.RegularExpressions;

namespace CityTwin.Contracts;

/// <summary>Grain keys are "{twin}/{entity}"; the twin id keeps live, replay and scenario state apart.</summary>
public static partial class TwinKeys
{
    /// <summary>The real-time twin.</summary>
    public const string Live = "live";

    /// <summary>Builds the key of an entity grain.</summary>
    public static string Of(string twin, string entityId) => $"{twin}/{entityId}";

    /// <summary>Splits a grain key into twin and entity id.</summary>
    public static (string Twin, string EntityId) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new ArgumentException($"'{key}' is not a key of the form twin/entity", nameof(key));
        }

        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>Twin ids: letters, digits, '-', '_', '.'; 1 to 64 characters.</summary>
    public static bool IsValidTwinId(string? twin) => twin is not null && TwinPattern().IsMatch(twin);

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex TwinPattern();
}
