using System.CommandLine;
using CityTwin.Silo.Security;

namespace CityTwin.Cli;

/// <summary><c>citytwin token create NAME --role R [--file F]</c>: makes an API token, prints it once, stores only its hash.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The token's name (recorded as 'who' in the audit log and plan history)" };
        var roles = new Option<string[]>("--role")
        {
            Description = $"A role of the token (repeat for several): {string.Join(", ", ApiRoles.All)}",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        roles.AcceptOnlyFromAmong([.. ApiRoles.All]);
        var file = new Option<string?>("--file")
        {
            Description = "The tokens file (default: tokens.json in the data directory, the one 'citytwin up' reads)",
        };
        var create = new Command("create", "Create an API token: prints the token once and adds its SHA-256 to the tokens file")
        {
            name, roles, file,
        };
        create.SetAction((parse, _) => Run.GuardedAsync(() =>
        {
            var n = parse.GetValue(name)!;
            if (!ApiTokens.IsValidName(n))
            {
                throw new CliInputException($"token name '{n}' is not valid: letters, digits, space, '.', '_', '@', '-'; 1-64 characters");
            }

            var path = parse.GetValue(file) ?? Settings.Load().TokensFile
                ?? Path.Combine(Settings.Load().DataDirectoryOrDefault, LocalCredentials.TokensFileName);
            var token = Settings.Guard(() => ApiTokens.Create(path, n, [.. parse.GetValue(roles)!.Distinct(StringComparer.Ordinal)], DateTimeOffset.UtcNow));
            Console.Error.WriteLine($"token '{n}' added to {Path.GetFullPath(path)}; it is shown only now:");
            Console.WriteLine(token);
            return Task.FromResult(ExitCodes.Ok);
        }));
        return new Command("token", "API tokens: who may call the HTTP API (docs/security.md)") { create };
    }
}
