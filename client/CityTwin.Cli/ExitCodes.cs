namespace CityTwin.Cli;

/// <summary>The command's exit codes (CONTRACTS.md).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    public const int Failure = 1;

    /// <summary>Bad arguments or an invalid input file.</summary>
    public const int BadInput = 2;
}
