namespace CityTwin.Engine.City;

/// <summary>One problem in a city's definition: where it is (file and feature), which field, and why.</summary>
public sealed record CityError(string Source, string Field, string Reason)
{
    public override string ToString() => string.IsNullOrEmpty(Field)
        ? $"{Source}: {Reason}"
        : $"{Source}: field '{Field}': {Reason}";
}

/// <summary>Thrown when a city cannot be used; carries every error found, not just the first.</summary>
public sealed class CityValidationException(IReadOnlyList<CityError> errors)
    : Exception(BuildMessage(errors))
{
    public IReadOnlyList<CityError> Errors { get; } = errors;

    private static string BuildMessage(IReadOnlyList<CityError> errors) =>
        $"the city has {errors.Count} error(s):{Environment.NewLine}" +
        string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
