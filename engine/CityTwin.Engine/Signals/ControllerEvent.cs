namespace CityTwin.Engine.Signals;

/// <summary>
/// One row of a traffic controller's high-resolution event log (Indiana/Purdue enumerations): the controller's
/// local time in milliseconds since 1970-01-01 (no time zone: controllers log local time), the device, the event
/// code and its parameter (a phase, a detector channel, a split in seconds, ...).
/// </summary>
public readonly record struct ControllerEvent(long TimeMs, int DeviceId, int EventId, int Parameter);

/// <summary>The event codes the measures read (Indiana Traffic Signal Hi Resolution Data Logger Enumerations, 2012).</summary>
public static class ControllerEventCodes
{
    public const int PhaseBeginGreen = 1;
    public const int PhaseGapOut = 4;
    public const int PhaseMaxOut = 5;
    public const int PhaseForceOff = 6;
    public const int PhaseBeginYellow = 8;
    public const int PhaseBeginRedClearance = 10;
    public const int DetectorOff = 81;
    public const int DetectorOn = 82;

    /// <summary>First and last of the vendor split events (MAXTIME: 300-315 the split of phases 1-16, 316 cycle length, 317).</summary>
    public const int SplitFirst = 300;
    public const int SplitLast = 317;

    /// <summary>
    /// Whether a code is known: 0-255 is the Indiana/Purdue enumeration range; 300-399 (split and coordination)
    /// and 400-599 (communication status) are the vendor extensions that the peer package reads or passes through.
    /// </summary>
    public static bool IsKnown(int eventId) => eventId is >= 0 and <= 255 or >= 300 and <= 599;

    /// <summary>The parameters a row may carry (a 16-bit signed field, negative values excluded, as the peer's loader does).</summary>
    public const int MaxParameter = 32767;
}

/// <summary>Why an event row was not used. Every row that is not used is counted under one reason.</summary>
public enum BadRowReason
{
    /// <summary>The row could not be read (a field missing or not a number or time).</summary>
    Unparsable,

    /// <summary>The event code is outside the known ranges (<see cref="ControllerEventCodes.IsKnown"/>).</summary>
    UnknownEventCode,

    /// <summary>The row's time is earlier than the device's previous row.</summary>
    TimeBackwards,

    /// <summary>The device has no rows in the detector configuration.</summary>
    UnknownDevice,

    /// <summary>The same time, device, code and parameter as an earlier row (the peer reads distinct rows).</summary>
    Duplicate,

    /// <summary>The parameter is outside 0..32767 (the peer's loader keeps only that range).</summary>
    ParameterOutOfRange,
}

/// <summary>Lower-case names of the reasons, as printed and written.</summary>
public static class BadRowReasons
{
    public static string Name(BadRowReason reason) => reason switch
    {
        BadRowReason.Unparsable => "unparsable",
        BadRowReason.UnknownEventCode => "unknown-event-code",
        BadRowReason.TimeBackwards => "time-backwards",
        BadRowReason.UnknownDevice => "unknown-device",
        BadRowReason.Duplicate => "duplicate",
        BadRowReason.ParameterOutOfRange => "parameter-out-of-range",
        _ => reason.ToString(),
    };

    public static IReadOnlyList<BadRowReason> All { get; } = Enum.GetValues<BadRowReason>();
}
