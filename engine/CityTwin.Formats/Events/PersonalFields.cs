using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CityTwin.Formats.Events;

/// <summary>
/// Replaces personal identifiers in NDJSON sensor events (the values of the fields <c>plate</c> and
/// <c>device</c>, at any depth, names compared ignoring case) by a keyed hash, <c>"hmac:" + hex(HMAC-SHA256(key, value))</c>,
/// so the same plate gives the same pseudonym under one key and no one without the key can tell which
/// plate it was. It works on the bytes of every line, valid JSON or not (a malformed line is kept for
/// inspection when it is rejected, so it must not carry a plate either): a string value is replaced up to
/// its closing quote, any other value up to the next <c>,</c> <c>}</c> or <c>]</c>, an unterminated one up to the
/// end of the line. Line breaks are never touched, so line numbers stay the same. Values that already are
/// pseudonyms are left as they are (applying it twice changes nothing).
/// </summary>
public static class PersonalFields
{
    /// <summary>The fields that carry personal identifiers.</summary>
    public static readonly IReadOnlyList<string> Names = ["plate", "device"];

    /// <summary>The prefix of a pseudonym.</summary>
    public const string Prefix = "hmac:";

    /// <summary>The smallest key accepted (bytes).</summary>
    public const int MinKeyBytes = 32;

    /// <summary>The pseudonym of one value under a key.</summary>
    public static string Pseudonym(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, value, mac);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>Replaces every personal field's value in a buffer of NDJSON lines; answers the buffer itself when there is none.</summary>
    public static byte[] Pseudonymise(byte[] ndjson, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(ndjson);
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"the pseudonym key must have at least {MinKeyBytes} bytes", nameof(key));
        }

        if (!MayContain(ndjson))
        {
            return ndjson;
        }

        var output = new List<byte>(ndjson.Length + 256);
        var changed = false;
        var i = 0;
        while (i < ndjson.Length)
        {
            // A string token: find its end (an unescaped quote, or the end of the line).
            if (ndjson[i] == (byte)'"')
            {
                var end = StringEnd(ndjson, i);
                var token = ndjson.AsSpan(i, end - i);
                output.AddRange(token);
                i = end;
                if (!IsPersonalName(token))
                {
                    continue;
                }

                var colon = SkipSpaces(ndjson, i);
                if (colon >= ndjson.Length || ndjson[colon] != (byte)':')
                {
                    continue;
                }

                output.AddRange(ndjson.AsSpan(i, colon + 1 - i));
                var start = SkipSpaces(ndjson, colon + 1);
                output.AddRange(ndjson.AsSpan(colon + 1, start - colon - 1));
                var valueEnd = ValueEnd(ndjson, start);
                var value = ndjson.AsSpan(start, valueEnd - start);
                if (value.Length > 0 && !IsPseudonym(value))
                {
                    output.AddRange(Encoding.UTF8.GetBytes("\"" + Pseudonym(key, Canonical(value)) + "\""));
                    changed = true;
                }
                else
                {
                    output.AddRange(value);
                }

                i = valueEnd;
                continue;
            }

            output.Add(ndjson[i]);
            i++;
        }

        var lexical = changed ? [.. output] : ndjson;
        return ByName(lexical, key);
    }

    /// <summary>
    /// The second pass: a field name anywhere (quoted or not, whatever the string state of a broken line) followed
    /// by a colon has its value replaced unless it is a pseudonym already. It catches lines whose quotes are broken
    /// before the field, where the first pass reads the wrong tokens as strings.
    /// </summary>
    private static byte[] ByName(byte[] buffer, ReadOnlySpan<byte> key)
    {
        List<byte>? output = null;
        var copied = 0;
        for (var i = 0; i < buffer.Length; i++)
        {
            var length = NameAt(buffer, i);
            if (length == 0)
            {
                continue;
            }

            var colon = i + length;
            if (colon < buffer.Length && buffer[colon] == (byte)'"')
            {
                colon++;
            }

            colon = SkipSpaces(buffer, colon);
            if (colon >= buffer.Length || buffer[colon] != (byte)':')
            {
                continue;
            }

            var start = SkipSpaces(buffer, colon + 1);
            var end = ValueEnd(buffer, start);
            var value = buffer.AsSpan(start, end - start);
            if (value.Length == 0 || IsPseudonym(value))
            {
                continue;
            }

            output ??= new List<byte>(buffer.Length + 128);
            output.AddRange(buffer.AsSpan(copied, start - copied));
            output.AddRange(Encoding.UTF8.GetBytes("\"" + Pseudonym(key, Canonical(value)) + "\""));
            copied = end;
            i = end - 1;
        }

        if (output is null)
        {
            return buffer;
        }

        output.AddRange(buffer.AsSpan(copied));
        return [.. output];
    }

    /// <summary>The length of a personal field name (case ignored) starting at <paramref name="i"/>, else 0.</summary>
    private static int NameAt(byte[] buffer, int i)
    {
        foreach (var name in Names)
        {
            if (i + name.Length <= buffer.Length && ContainsIgnoreCase(buffer.AsSpan(i, name.Length), Encoding.ASCII.GetBytes(name)))
            {
                return name.Length;
            }
        }

        return 0;
    }

    /// <summary>A fast check: no byte sequence that could start a personal field name ('p'/'P' 'l' or 'd'/'D' 'e').</summary>
    private static bool MayContain(ReadOnlySpan<byte> buffer) =>
        buffer.IndexOfAny("pPdD"u8) >= 0 && (ContainsIgnoreCase(buffer, "plate"u8) || ContainsIgnoreCase(buffer, "device"u8) || buffer.IndexOf((byte)'\\') >= 0);

    private static bool ContainsIgnoreCase(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> lower)
    {
        for (var i = 0; i + lower.Length <= buffer.Length; i++)
        {
            var match = true;
            for (var k = 0; k < lower.Length && match; k++)
            {
                match = (buffer[i + k] | 0x20) == lower[k];
            }

            if (match)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The index just after a string token that starts at <paramref name="start"/> (a quote): its closing quote, or the end of its line.</summary>
    private static int StringEnd(byte[] buffer, int start)
    {
        var i = start + 1;
        while (i < buffer.Length)
        {
            var b = buffer[i];
            if (b == (byte)'\n')
            {
                return i;
            }

            if (b == (byte)'\\')
            {
                i += i + 1 < buffer.Length && buffer[i + 1] != (byte)'\n' ? 2 : 1;
                continue;
            }

            if (b == (byte)'"')
            {
                return i + 1;
            }

            i++;
        }

        return buffer.Length;
    }

    /// <summary>The end of a value: a string to its closing quote; anything else up to , } ] or the end of the line.</summary>
    private static int ValueEnd(byte[] buffer, int start)
    {
        if (start < buffer.Length && buffer[start] == (byte)'"')
        {
            return StringEnd(buffer, start);
        }

        var i = start;
        var depth = 0;
        while (i < buffer.Length && buffer[i] != (byte)'\n')
        {
            var b = buffer[i];
            if (b is (byte)'{' or (byte)'[')
            {
                depth++;
            }
            else if (b is (byte)'}' or (byte)']' or (byte)',' && depth == 0)
            {
                break;
            }
            else if (b is (byte)'}' or (byte)']')
            {
                depth--;
            }
            else if (b == (byte)'"')
            {
                i = StringEnd(buffer, i);
                continue;
            }

            i++;
        }

        // Trailing white space (and a CR) stays outside the value.
        while (i > start && buffer[i - 1] is (byte)' ' or (byte)'\t' or (byte)'\r')
        {
            i--;
        }

        return i;
    }

    private static int SkipSpaces(byte[] buffer, int i)
    {
        while (i < buffer.Length && buffer[i] is (byte)' ' or (byte)'\t' or (byte)'\r')
        {
            i++;
        }

        return i;
    }

    /// <summary>True when a string token (with its quotes) names a personal field, escapes decoded, case ignored.</summary>
    private static bool IsPersonalName(ReadOnlySpan<byte> token)
    {
        if (token.Length < 3 || token[^1] != (byte)'"' || token.Length > 64)
        {
            return false;
        }

        var name = Unescape(token);
        if (name is null)
        {
            return false;
        }

        foreach (var n in Names)
        {
            if (string.Equals(name, n, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The bytes a value's pseudonym is computed from: a string's decoded text (so escapes do not change it), else the raw text.</summary>
    private static byte[] Canonical(ReadOnlySpan<byte> value)
    {
        if (value.Length >= 2 && value[0] == (byte)'"' && value[^1] == (byte)'"' && Unescape(value) is { } text)
        {
            return Encoding.UTF8.GetBytes(text);
        }

        return value.ToArray();
    }

    private static bool IsPseudonym(ReadOnlySpan<byte> value)
    {
        if (value.Length != Prefix.Length + 64 + 2 || value[0] != (byte)'"' || value[^1] != (byte)'"' || !value[1..].StartsWith("hmac:"u8))
        {
            return false;
        }

        foreach (var b in value[(Prefix.Length + 1)..^1])
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Unescape(ReadOnlySpan<byte> token)
    {
        if (token.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(token[1..^1]);
        }

        try
        {
            var reader = new Utf8JsonReader(token);
            return reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
