namespace CityTwin.Engine.Signals;

/// <summary>
/// The traffic controller of one signal: its device id in the controller event log and its detector configuration
/// (the city's <c>controllers</c> file, docs/city-format.md).
/// </summary>
public sealed record SignalController(string SignalId, int DeviceId, DetectorConfiguration Detectors);

/// <summary>One row of a city's controllers file as read, before the signal ids are checked.</summary>
public sealed record SignalDetectorDraft(string Source, string SignalId, DetectorAssignment Detector);
