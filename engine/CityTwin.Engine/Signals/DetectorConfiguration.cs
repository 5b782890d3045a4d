namespace CityTwin.Engine.Signals;

/// <summary>What a detector channel is used for, as in the peer package's detector configuration.</summary>
public enum DetectorFunction
{
    /// <summary>Stop-bar presence detection: split failures (green and red occupancy).</summary>
    Presence,

    /// <summary>Advance (upstream) detection: arrivals on green.</summary>
    Advance,

    /// <summary>Stop-bar counting: actuations only.</summary>
    StopBarCount,

    /// <summary>Stop-line detection for actuations on yellow and red.</summary>
    YellowRed,
}

/// <summary>One detector channel of one controller, assigned to a phase with a function.</summary>
public sealed record DetectorAssignment(int DeviceId, int Phase, int Channel, DetectorFunction Function);

/// <summary>The detector configuration of a set of controllers: which channel serves which phase, and how.</summary>
public sealed class DetectorConfiguration
{
    private readonly HashSet<int> _devices;

    public DetectorConfiguration(IEnumerable<DetectorAssignment> assignments)
    {
        Assignments = assignments.ToList();
        _devices = Assignments.Select(a => a.DeviceId).ToHashSet();
    }

    public IReadOnlyList<DetectorAssignment> Assignments { get; }

    /// <summary>The devices with at least one row.</summary>
    public IReadOnlyCollection<int> Devices => _devices;

    public bool HasDevice(int deviceId) => _devices.Contains(deviceId);

    /// <summary>The rows of one device.</summary>
    public IEnumerable<DetectorAssignment> ForDevice(int deviceId) => Assignments.Where(a => a.DeviceId == deviceId);

    /// <summary>Parses a function name: Presence, Advance, Stop bar count / Stopbar Count, Yellow_Red (any case, spaces or underscores).</summary>
    public static DetectorFunction? ParseFunction(string text)
    {
        var key = text.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        return key switch
        {
            "PRESENCE" => DetectorFunction.Presence,
            "ADVANCE" => DetectorFunction.Advance,
            "STOPBARCOUNT" => DetectorFunction.StopBarCount,
            "YELLOWRED" => DetectorFunction.YellowRed,
            _ => null,
        };
    }

    /// <summary>The name written back (the peer's spelling).</summary>
    public static string FunctionName(DetectorFunction function) => function switch
    {
        DetectorFunction.Presence => "Presence",
        DetectorFunction.Advance => "Advance",
        DetectorFunction.StopBarCount => "Stopbar Count",
        DetectorFunction.YellowRed => "Yellow_Red",
        _ => function.ToString(),
    };
}
