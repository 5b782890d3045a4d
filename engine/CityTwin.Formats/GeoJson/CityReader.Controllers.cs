using CityTwin.Engine.City;
using CityTwin.Formats.Signals;

namespace CityTwin.Formats.GeoJson;

public static partial class CityReader
{
    /// <summary>Reads the manifest's <c>controllers</c> file (signal, controller device and detector configuration rows).</summary>
    private static void ReadControllers(string folder, string file, CityDraft draft, List<CityError> errors)
    {
        var path = Path.Combine(folder, file);
        if (!File.Exists(path))
        {
            errors.Add(new CityError(ManifestFile, "controllers", $"'{file}' does not exist in '{folder}'"));
            return;
        }

        try
        {
            draft.SignalDetectors.AddRange(DetectorConfigCsv.ReadCityControllers(path, file));
        }
        catch (ControllerLogFormatException e)
        {
            // "FILE:LINE: reason" -> source "FILE:LINE"
            var colon = e.Message.StartsWith(file + ":", StringComparison.Ordinal) ? e.Message.IndexOf(':', file.Length + 1) : -1;
            errors.Add(colon > 0 ? new CityError(e.Message[..colon], "", e.Message[(colon + 1)..].TrimStart()) : new CityError(file, "", e.Message));
        }
    }
}
