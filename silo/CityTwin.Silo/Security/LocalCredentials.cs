using System.Security.Cryptography;
using CityTwin.Formats.Events;

namespace CityTwin.Silo.Security;

/// <summary>
/// The credentials of a silo on this machine, under its data directory (<see cref="SiloSettings.DataDirectory"/>):
/// the tokens file (<c>tokens.json</c>: names, roles and token hashes), the local admin token
/// (<c>admin.token</c>, the token itself, for the <c>citytwin</c> command on this machine) and the pseudonym key
/// (<c>privacy.key</c>). All are created on first use with owner-only permissions, and several silos started
/// at once on one data directory end up with the same ones.
/// </summary>
public static class LocalCredentials
{
    /// <summary>The name of the generated admin token.</summary>
    public const string AdminName = "admin";

    public const string TokensFileName = "tokens.json";

    public const string AdminTokenFileName = "admin.token";

    public const string PrivacyKeyFileName = "privacy.key";

    /// <summary>
    /// The default data directory: <c>$XDG_DATA_HOME/citytwin</c> or <c>~/.local/share/citytwin</c> on Linux
    /// (the user's local application data folder elsewhere); <c>.citytwin</c> in the working directory when the
    /// user has no home.
    /// </summary>
    public static string DefaultDataDirectory
    {
        get
        {
            var root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return string.IsNullOrEmpty(root) ? Path.GetFullPath(".citytwin") : Path.Combine(root, "citytwin");
        }
    }

    /// <summary>The local admin token file of a data directory.</summary>
    public static string AdminTokenFile(string dataDirectory) => Path.Combine(dataDirectory, AdminTokenFileName);

    /// <summary>
    /// Makes sure the tokens file exists: when it does not, generates an admin token, writes it to
    /// <c>admin.token</c> and its hash to the tokens file. Answers the admin token file when this call or an
    /// earlier one wrote it, else null.
    /// </summary>
    public static string? EnsureTokens(string tokensFile, string dataDirectory, DateTimeOffset now)
    {
        var adminFile = AdminTokenFile(dataDirectory);
        if (File.Exists(tokensFile))
        {
            return File.Exists(adminFile) ? adminFile : null;
        }

        // A silo started at the same moment may be doing the same: the first admin.token written wins and
        // both put its hash in the tokens file.
        PrivateFiles.WriteAtomically(adminFile, System.Text.Encoding.UTF8.GetBytes(ApiTokens.NewToken() + "\n"), overwrite: false);
        var token = ReadToken(adminFile);
        ApiTokens.TryCreateFile(tokensFile, [new ApiToken(AdminName, [ApiRoles.Admin], ApiTokens.Hash(token), now)]);
        return adminFile;
    }

    /// <summary>Reads the pseudonym key file (base64 of at least 32 bytes), creating it with a random key when missing.</summary>
    public static byte[] EnsurePrivacyKey(string path)
    {
        PrivateFiles.WriteAtomically(path, System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n"), overwrite: false);
        return ReadPrivacyKey(path);
    }

    /// <summary>Reads a pseudonym key file; throws <see cref="ArgumentException"/> naming it when it is not a key.</summary>
    public static byte[] ReadPrivacyKey(string path)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{path}: the pseudonym key must be base64 of at least {PersonalFields.MinKeyBytes} random bytes");
        }

        return key.Length >= PersonalFields.MinKeyBytes
            ? key
            : throw new ArgumentException($"{path}: the pseudonym key has {key.Length} bytes; it needs at least {PersonalFields.MinKeyBytes}");
    }

    /// <summary>Reads a token from a file (its first line).</summary>
    public static string ReadToken(string path) => File.ReadAllText(path).Trim();
}
