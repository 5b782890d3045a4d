namespace CityTwin.Silo.Security;

/// <summary>The roles a token can hold (docs/security.md).</summary>
public static class ApiRoles
{
    /// <summary>Sends sensor events (ingest only).</summary>
    public const string Sensor = "sensor";

    /// <summary>Reads, applies and rolls back signal plans.</summary>
    public const string Operator = "operator";

    /// <summary>Reads and runs scenarios.</summary>
    public const string Planner = "planner";

    /// <summary>Reads, and replays into (and deletes) the twins it created.</summary>
    public const string Researcher = "researcher";

    /// <summary>Everything.</summary>
    public const string Admin = "admin";

    /// <summary>Every role.</summary>
    public static readonly IReadOnlyList<string> All = [Sensor, Operator, Planner, Researcher, Admin];

    /// <summary>The roles that may read the twin's state.</summary>
    public static readonly IReadOnlyList<string> Readers = [Operator, Planner, Researcher, Admin];

    /// <summary>True when <paramref name="role"/> is one of <see cref="All"/>.</summary>
    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}
