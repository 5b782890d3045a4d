using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace CityTwin.Silo.Security;

/// <summary>A token the API accepts: its name (recorded as "who"), its roles, and the SHA-256 of the token (never the token).</summary>
public sealed record ApiToken(string Name, IReadOnlyList<string> Roles, string Sha256, DateTimeOffset? Created = null);

/// <summary>
/// Bearer tokens: how they are made, hashed, and kept in a tokens file. A token is <c>ct_</c> + 43 characters
/// of base64url (32 random bytes, 256 bits); the file holds only its SHA-256 (a salt or a slow hash adds
/// nothing for a random 256-bit secret: no dictionary or brute force can reach it).
/// </summary>
public static partial class ApiTokens
{
    /// <summary>The prefix of every token, so one is easy to recognise (and to find in a leaked log).</summary>
    public const string Prefix = "ct_";

    /// <summary>A new random token.</summary>
    public static string NewToken() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The hex SHA-256 of a token, as stored.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Token names: letters, digits, space, '.', '_', '@', '-'; 1-64 characters.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name) && name.Trim() == name;

    /// <summary>Reads a tokens file; throws <see cref="ArgumentException"/> naming the file and the problem.</summary>
    public static IReadOnlyList<ApiToken> ReadFile(string path)
    {
        TokensFileData? data;
        try
        {
            data = JsonSerializer.Deserialize<TokensFileData>(File.ReadAllBytes(path), FileJson);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{path}: not a tokens file: {ex.Message}");
        }

        var tokens = data?.Tokens ?? throw new ArgumentException($"{path}: not a tokens file: no 'tokens' array");
        Check(tokens, path);
        return tokens;
    }

    /// <summary>Checks a list of tokens: names valid and unique, roles known, hashes 64 hex digits.</summary>
    public static void Check(IReadOnlyList<ApiToken> tokens, string where)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            var at = $"{where}: token {i + 1}";
            if (!IsValidName(t?.Name))
            {
                throw new ArgumentException($"{at}: name '{t?.Name}' is not valid (letters, digits, space, '.', '_', '@', '-'; 1-64 characters)");
            }

            if (!names.Add(t!.Name))
            {
                throw new ArgumentException($"{at}: the name '{t.Name}' is used twice");
            }

            if (t.Roles is null || t.Roles.Count == 0 || t.Roles.FirstOrDefault(r => !ApiRoles.IsKnown(r)) is { } bad && bad is not null)
            {
                throw new ArgumentException($"{at} ('{t.Name}'): roles must be one or more of {string.Join(", ", ApiRoles.All)}");
            }

            if (t.Sha256 is null || !HashPattern().IsMatch(t.Sha256))
            {
                throw new ArgumentException($"{at} ('{t.Name}'): sha256 must be the 64 hex digits of the token's SHA-256");
            }
        }
    }

    /// <summary>
    /// Creates a token named <paramref name="name"/> with <paramref name="roles"/> and adds its hash to the tokens
    /// file (created if missing, owner-only permissions); answers the token, which is stored nowhere.
    /// </summary>
    public static string Create(string path, string name, IReadOnlyList<string> roles, DateTimeOffset now)
    {
        var tokens = File.Exists(path) ? ReadFile(path).ToList() : [];
        if (tokens.Any(t => t.Name == name))
        {
            throw new ArgumentException($"{path} already has a token named '{name}'");
        }

        var token = NewToken();
        tokens.Add(new ApiToken(name, roles, Hash(token), now));
        Check(tokens, path);
        PrivateFiles.WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(new TokensFileData(tokens), FileJson), overwrite: true);
        return token;
    }

    /// <summary>Writes a new tokens file with the given tokens unless one exists already (another process may be first).</summary>
    internal static bool TryCreateFile(string path, IReadOnlyList<ApiToken> tokens) =>
        PrivateFiles.WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(new TokensFileData([.. tokens]), FileJson), overwrite: false);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record TokensFileData(List<ApiToken> Tokens);

    [GeneratedRegex("^[A-Za-z0-9 ._@-]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HashPattern();
}

/// <summary>
/// The tokens the API accepts, looked up by the SHA-256 of the presented token. From a list given in the
/// settings, or from a tokens file that is read again when it changes (checked at most once a second), so
/// <c>citytwin token create</c> takes effect on a running silo.
/// </summary>
public sealed class TokenStore
{
    private static readonly TimeSpan RecheckPeriod = TimeSpan.FromSeconds(1);
    private readonly string? _path;
    private readonly Lock _lock = new();
    private Dictionary<string, ApiToken> _byHash;
    private DateTime _fileTime;
    private DateTime _checked;

    /// <summary>A fixed list of tokens.</summary>
    public TokenStore(IReadOnlyList<ApiToken> tokens)
    {
        ApiTokens.Check(tokens, "the configured tokens");
        _byHash = Index(tokens);
    }

    /// <summary>The tokens of a file (which must exist and be valid now; a later bad edit keeps the tokens read before).</summary>
    public TokenStore(string path)
    {
        _path = Path.GetFullPath(path);
        if (!File.Exists(_path))
        {
            throw new TokenFileException($"the tokens file {_path} does not exist (create tokens with 'citytwin token create NAME --role ROLE --file {path}')");
        }

        _fileTime = File.GetLastWriteTimeUtc(_path);
        _byHash = Index(ApiTokens.ReadFile(_path));
        _checked = DateTime.UtcNow;
    }

    /// <summary>Where the tokens come from (a file path, or "settings").</summary>
    public string Source => _path ?? "settings";

    /// <summary>How many tokens there are.</summary>
    public int Count => _byHash.Count;

    /// <summary>The token's entry, or null when the token is not known.</summary>
    public ApiToken? Find(string token)
    {
        Refresh();
        return _byHash.GetValueOrDefault(ApiTokens.Hash(token));
    }

    private void Refresh()
    {
        if (_path is null || DateTime.UtcNow - _checked < RecheckPeriod)
        {
            return;
        }

        lock (_lock)
        {
            if (DateTime.UtcNow - _checked < RecheckPeriod)
            {
                return;
            }

            _checked = DateTime.UtcNow;
            try
            {
                var time = File.GetLastWriteTimeUtc(_path);
                if (time != _fileTime)
                {
                    _byHash = Index(ApiTokens.ReadFile(_path));
                    _fileTime = time;
                }
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
            {
                // A file being rewritten or edited badly: keep the tokens read before, try again later.
            }
        }
    }

    private static Dictionary<string, ApiToken> Index(IReadOnlyList<ApiToken> tokens) =>
        tokens.ToDictionary(t => t.Sha256.ToLowerInvariant(), StringComparer.Ordinal);
}

/// <summary>A tokens file that is missing: a configuration error of the caller (the CLI exits with code 2).</summary>
public sealed class TokenFileException(string message) : ArgumentException(message);
