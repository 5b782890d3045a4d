using System.Globalization;
using System.IO.Compression;
using System.Xml;
using System.Xml.Linq;

namespace CityTwin.Formats.Sumo;

/// <summary>
/// The attributes of one SUMO XML element with where it is (file and line), so that a missing or malformed
/// attribute becomes a <see cref="SumoFormatException"/> naming file, line, element and attribute.
/// </summary>
internal readonly struct SumoElement
{
    private readonly Func<string, string?> _attribute;

    private SumoElement(string file, string name, int line, Func<string, string?> attribute)
    {
        File = file;
        Name = name;
        Line = line;
        _attribute = attribute;
    }

    public string File { get; }

    public string Name { get; }

    public int Line { get; }

    /// <summary>The element the reader is positioned on (its attributes are copied: the reader moves on).</summary>
    public static SumoElement Of(XmlReader reader, string file)
    {
        var attributes = new Dictionary<string, string>(reader.AttributeCount, StringComparer.Ordinal);
        for (var i = 0; i < reader.AttributeCount; i++)
        {
            reader.MoveToAttribute(i);
            attributes[reader.Name] = reader.Value;
        }

        reader.MoveToElement();
        return new(file, reader.Name, LineOf(reader), attributes.GetValueOrDefault);
    }

    /// <summary>An element loaded with <see cref="LoadOptions.SetLineInfo"/>.</summary>
    public static SumoElement Of(XElement element, string file) =>
        new(file, element.Name.LocalName, ((IXmlLineInfo)element).LineNumber, n => element.Attribute(n)?.Value);

    public static int LineOf(XmlReader reader) => reader is IXmlLineInfo info ? info.LineNumber : 0;

    /// <summary>
    /// Opens a SUMO XML file (gzip-compressed when its name ends in .gz, as SUMO allows) for streaming: no DTD,
    /// no external resources, line numbers kept.
    /// </summary>
    public static XmlReader Open(string path)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreWhitespace = true,
            IgnoreProcessingInstructions = true,
            CloseInput = true,
        };
        Stream stream = System.IO.File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        return XmlReader.Create(stream, settings);
    }

    /// <summary>The attribute's trimmed value, or null when it is absent or blank.</summary>
    public string? Optional(string attribute)
    {
        var value = _attribute(attribute)?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    public string Required(string attribute) =>
        Optional(attribute) ?? throw Error(attribute, $"attribute '{attribute}' is required");

    public double Number(string attribute) => ParseNumber(attribute, Required(attribute));

    public double? OptionalNumber(string attribute) =>
        Optional(attribute) is { } text ? ParseNumber(attribute, text) : null;

    public int Integer(string attribute) => ParseInteger(attribute, Required(attribute));

    public int? OptionalInteger(string attribute) =>
        Optional(attribute) is { } text ? ParseInteger(attribute, text) : null;

    /// <summary>
    /// A SUMO time: seconds (<c>61.5</c>) or clock time (<c>h:m:s</c> or <c>d:h:m:s</c>); null when absent.
    /// </summary>
    public double? OptionalTime(string attribute) =>
        Optional(attribute) is { } text
            ? TryParseTime(text, out var seconds) ? seconds : throw Error(attribute, $"attribute '{attribute}' is not a time: '{text}'")
            : null;

    /// <summary>A position list "x,y[,z] x,y[,z] ..."; the z values are dropped.</summary>
    public IReadOnlyList<(double X, double Y)>? OptionalShape(string attribute)
    {
        if (Optional(attribute) is not { } text)
        {
            return null;
        }

        var points = new List<(double X, double Y)>();
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var xyz = part.Split(',');
            if (xyz.Length < 2 ||
                !double.TryParse(xyz[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ||
                !double.TryParse(xyz[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var y) ||
                !double.IsFinite(x) || !double.IsFinite(y))
            {
                throw Error(attribute, $"attribute '{attribute}' is not a list of x,y positions: '{part}'");
            }

            points.Add((x, y));
        }

        return points;
    }

    /// <summary>A space-separated list (edge ids, lane ids); empty when absent.</summary>
    public IReadOnlyList<string> List(string attribute) =>
        Optional(attribute)?.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries) ?? [];

    public SumoFormatException Error(string? attribute, string reason) =>
        new(File, Line, attribute, $"<{Name}>: {reason}");

    /// <summary>Parses a SUMO time value: seconds, <c>h:m:s</c> or <c>d:h:m:s</c>.</summary>
    public static bool TryParseTime(string text, out double seconds)
    {
        seconds = 0;
        var parts = text.Trim().Split(':');
        if (parts.Length is < 1 or > 4 || parts.Length == 2)
        {
            return false;
        }

        double[] scale = parts.Length switch
        {
            1 => [1],
            3 => [3600, 60, 1],
            _ => [86400, 3600, 60, 1],
        };
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            {
                return false;
            }

            seconds += v * scale[i];
        }

        return true;
    }

    private double ParseNumber(string attribute, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw Error(attribute, $"attribute '{attribute}' is not a number: '{text}'");

    private int ParseInteger(string attribute, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw Error(attribute, $"attribute '{attribute}' is not an integer: '{text}'");
}
