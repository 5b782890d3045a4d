using System.Globalization;
using System.Text;

namespace CityTwin.Engine.Tests.Fuzzing;

/// <summary>
/// Seeded malformed input: each mutant is a valid sample changed in one of the ways hostile or broken
/// input arrives (truncated, huge numbers, NaN/Infinity, deep nesting, invalid UTF-8, BOMs, UTF-16, very
/// long lines, flipped and deleted bytes). The same seed gives the same mutants.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly string[] Numbers =
    [
        "1e400", "-1e400", "NaN", "Infinity", "-Infinity", "99999999999999999999999999", "-0", "1e-400", "0x1F", "+5", ".5", "5.", "1_000",
        "9223372036854775808", "-9223372036854775809", "2147483648", "4294967296", "1.7976931348623157e309",
    ];

    private readonly Random _random = new(seed);

    /// <summary>One mutant of <paramref name="sample"/> and what was done to it.</summary>
    public (byte[] Bytes, string How) Next(byte[] sample)
    {
        var text = Encoding.UTF8.GetString(sample);
        switch (_random.Next(14))
        {
            case 0:
                var cut = _random.Next(sample.Length + 1);
                return (sample[..cut], $"truncated at byte {cut}");
            case 1:
                return (Encoding.UTF8.GetBytes(ReplaceNumber(text, out var n)), $"a number replaced by {n}");
            case 2:
                var depth = _random.Next(50, 5000);
                var open = _random.Next(2) == 0 ? "[" : "{\"a\":";
                var close = open == "[" ? "]" : "}";
                return (Encoding.UTF8.GetBytes(Insert(text, string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)))), $"nesting {depth} deep");
            case 3:
                var xml = string.Concat(Enumerable.Repeat("<a>", 3000)) + string.Concat(Enumerable.Repeat("</a>", 3000));
                return (Encoding.UTF8.GetBytes(Insert(text, xml)), "3000 nested XML elements");
            case 4:
                byte[][] bad = [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0x00]];
                var b = bad[_random.Next(bad.Length)];
                var at = _random.Next(sample.Length + 1);
                return ([.. sample[..at], .. b, .. sample[at..]], $"invalid UTF-8 {Convert.ToHexString(b)} at byte {at}");
            case 5:
                return ([0xEF, 0xBB, 0xBF, .. sample], "a UTF-8 BOM");
            case 6:
                var mid = _random.Next(sample.Length + 1);
                return ([.. sample[..mid], 0xEF, 0xBB, 0xBF, .. sample[mid..]], $"a BOM inside, at byte {mid}");
            case 7:
                return (Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray(), "encoded as UTF-16 with a BOM");
            case 8:
                var longLine = new string('x', _random.Next(100_000, 1_100_000));
                return (Encoding.UTF8.GetBytes(Insert(text, longLine)), $"a line of {longLine.Length} characters");
            case 9:
                var flipped = (byte[])sample.Clone();
                var flips = _random.Next(1, 8);
                for (var i = 0; i < flips && flipped.Length > 0; i++)
                {
                    flipped[_random.Next(flipped.Length)] = (byte)_random.Next(256);
                }

                return (flipped, $"{flips} random bytes");
            case 10:
                var start = _random.Next(sample.Length + 1);
                var length = _random.Next(Math.Min(64, sample.Length - start) + 1);
                return ([.. sample[..start], .. sample[(start + length)..]], $"{length} bytes deleted at {start}");
            case 11:
                string[] tokens = ["\"", ",", ":", "{", "}", "[", "]", "<", ">", "&", "\\", "\n", "\r", "\t", "-", "#", "'", "*", "&a", "!!", "---", "..."];
                var token = tokens[_random.Next(tokens.Length)];
                return (Encoding.UTF8.GetBytes(Insert(text, token)), $"'{token}' inserted");
            case 12:
                return ([], "empty");
            default:
                var lines = text.Split('\n');
                var k = _random.Next(lines.Length);
                var dup = string.Join('\n', lines.Take(k + 1).Concat(Enumerable.Repeat(lines[k], _random.Next(1, 50))).Concat(lines.Skip(k + 1)));
                return (Encoding.UTF8.GetBytes(dup), $"line {k + 1} repeated");
        }
    }

    /// <summary>The innermost frames of an exception's stack, to find the reader's line that threw.</summary>
    private static string Where(Exception ex) =>
        string.Join(" < ", (ex.StackTrace ?? "").Split('\n').Select(l => l.Trim()).Take(3));

    private string Insert(string text, string what)
    {
        var at = _random.Next(text.Length + 1);
        return text[..at] + what + text[at..];
    }

    private string ReplaceNumber(string text, out string number)
    {
        number = Numbers[_random.Next(Numbers.Length)];
        var digits = Enumerable.Range(0, text.Length).Where(i => char.IsAsciiDigit(text[i]) && (i == 0 || !char.IsAsciiDigit(text[i - 1]))).ToArray();
        if (digits.Length == 0)
        {
            return Insert(text, number);
        }

        var start = digits[_random.Next(digits.Length)];
        var end = start;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '.' or 'e' or 'E'))
        {
            end++;
        }

        return text[..start] + number + text[end..];
    }

    /// <summary>
    /// Runs <paramref name="read"/> on mutants of the samples until <paramref name="iterations"/> or the time
    /// budget is used; answers every mutant that threw an exception <paramref name="expected"/> does not allow.
    /// </summary>
    public static IReadOnlyList<string> Run(IReadOnlyList<byte[]> samples, int seed, int iterations, TimeSpan budget, Action<byte[]> read, Func<Exception, bool> expected)
    {
        var mutator = new Mutator(seed);
        var failures = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < iterations && clock.Elapsed < budget; i++)
        {
            var (bytes, how) = mutator.Next(samples[i % samples.Count]);
            try
            {
                read(bytes);
            }
            catch (Exception ex)
            {
                if (expected(ex))
                {
                    continue;
                }

                failures.Add(string.Create(CultureInfo.InvariantCulture, $"seed {seed} iteration {i} ({how}): {ex.GetType().Name}: {ex.Message.Split('\n')[0]} {Where(ex)}"));
            }
        }

        return failures;
    }
}
