namespace CityTwin.Formats.Sumo;

/// <summary>
/// A SUMO file cannot be imported: malformed XML, a missing required attribute or a value that does not parse.
/// The message names the file, the line and, when one is at fault, the attribute
/// (<c>net.xml:12: &lt;lane&gt;: attribute 'length' is required</c>).
/// </summary>
public sealed class SumoFormatException : Exception
{
    public SumoFormatException(string file, int line, string? attribute, string reason)
        : base($"{file}:{line}: {reason}")
    {
        File = file;
        Line = line;
        Attribute = attribute;
        Reason = reason;
    }

    /// <summary>The file, as the caller named it.</summary>
    public string File { get; }

    /// <summary>1-based line of the element at fault (0 when unknown).</summary>
    public int Line { get; }

    /// <summary>The attribute at fault, when there is one.</summary>
    public string? Attribute { get; }

    /// <summary>The message without the file and line.</summary>
    public string Reason { get; }
}
