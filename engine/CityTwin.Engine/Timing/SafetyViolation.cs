namespace CityTwin.Engine.Timing;

/// <summary>A safety rule a timing plan can break. <see cref="SafetyViolation.Code"/> gives its stable text code.</summary>
public enum SafetyRule
{
    /// <summary><c>invalid-number</c>: a time is not a finite number, or is negative.</summary>
    InvalidNumber,

    /// <summary><c>phase-order</c>: the phases (ids, in running order) differ from the design plan's.</summary>
    PhaseOrder,

    /// <summary><c>phase-serves</c>: a phase serves other lane groups than in the design plan.</summary>
    PhaseServes,

    /// <summary><c>unknown-lane-group</c>: a phase serves a lane group the signal does not have.</summary>
    UnknownLaneGroup,

    /// <summary><c>unserved-lane-group</c>: a lane group of the signal gets no green.</summary>
    UnservedLaneGroup,

    /// <summary><c>min-green</c>: a green is shorter than the minimum vehicle green.</summary>
    MinGreen,

    /// <summary><c>pedestrian-min-green</c>: a green is shorter than walk + pedestrian clearance.</summary>
    PedestrianMinGreen,

    /// <summary><c>amber-too-short</c>: amber shorter than the ITE formula asks for.</summary>
    AmberTooShort,

    /// <summary><c>amber-too-long</c>: amber longer than the maximum (MUTCD: 6 s).</summary>
    AmberTooLong,

    /// <summary><c>all-red-too-short</c>: all-red shorter than the ITE clearance (W + L)/v.</summary>
    AllRedTooShort,

    /// <summary><c>cycle-too-short</c>: cycle below the lower bound.</summary>
    CycleTooShort,

    /// <summary><c>cycle-too-long</c>: cycle above the upper bound.</summary>
    CycleTooLong,

    /// <summary><c>cycle-mismatch</c>: the cycle is not the sum of the phases' green + amber + all-red.</summary>
    CycleMismatch,

    /// <summary><c>offset-out-of-range</c>: the offset is not within [0, cycle).</summary>
    OffsetOutOfRange,
}

/// <summary>One broken safety rule of a timing plan.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="PhaseId">The phase, when the rule is about one phase.</param>
/// <param name="LaneGroup">The lane group ("APPROACH.GROUP"), when the rule is about one lane group.</param>
/// <param name="Required">The limit (s), when the rule has one.</param>
/// <param name="Actual">The plan's value (s), when it is a finite number (so that the violation serializes to JSON).</param>
/// <param name="Message">A plain sentence for a person.</param>
public sealed record SafetyViolation(
    SafetyRule Rule,
    int? PhaseId,
    string? LaneGroup,
    double? Required,
    double? Actual,
    string Message)
{
    /// <summary>The rule's stable text code, e.g. <c>min-green</c>.</summary>
    public string Code => CodeOf(Rule);

    /// <summary>The stable text code of a rule.</summary>
    /// <param name="rule">The rule.</param>
    public static string CodeOf(SafetyRule rule) => rule switch
    {
        SafetyRule.InvalidNumber => "invalid-number",
        SafetyRule.PhaseOrder => "phase-order",
        SafetyRule.PhaseServes => "phase-serves",
        SafetyRule.UnknownLaneGroup => "unknown-lane-group",
        SafetyRule.UnservedLaneGroup => "unserved-lane-group",
        SafetyRule.MinGreen => "min-green",
        SafetyRule.PedestrianMinGreen => "pedestrian-min-green",
        SafetyRule.AmberTooShort => "amber-too-short",
        SafetyRule.AmberTooLong => "amber-too-long",
        SafetyRule.AllRedTooShort => "all-red-too-short",
        SafetyRule.CycleTooShort => "cycle-too-short",
        SafetyRule.CycleTooLong => "cycle-too-long",
        SafetyRule.CycleMismatch => "cycle-mismatch",
        SafetyRule.OffsetOutOfRange => "offset-out-of-range",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown safety rule"),
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Code}: {Message}";
}
