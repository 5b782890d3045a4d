using System.Text.Json;
using System.Text.RegularExpressions;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Formats.ParkingForecast;
using NetTopologySuite.Geometries;

namespace CityTwin.Formats.GeoJson;

/// <summary>
/// Reads a city folder (<c>city.json</c> + GeoJSON files, see docs/city-format.md) and builds the
/// <see cref="CityModel"/>. Every error names the file, the feature and the field; all errors of a city are
/// reported together in one <see cref="CityValidationException"/>.
/// </summary>
public static partial class CityReader
{
    /// <summary>The manifest's file name inside a city folder.</summary>
    public const string ManifestFile = "city.json";

    private static readonly GeometryFactory Factory = new();

    private static readonly Dictionary<string, Movement> Movements = new(StringComparer.Ordinal)
    {
        ["left"] = Movement.Left,
        ["through"] = Movement.Through,
        ["right"] = Movement.Right,
        ["u-turn"] = Movement.UTurn,
    };

    private static readonly Dictionary<string, ParkingType> ParkingTypes = new(StringComparer.Ordinal)
    {
        ["off-street"] = ParkingType.OffStreet,
        ["on-street"] = ParkingType.OnStreet,
    };

    private static readonly Dictionary<string, GateRole> Roles = new(StringComparer.Ordinal)
    {
        ["entry"] = GateRole.Entry,
        ["exit"] = GateRole.Exit,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false };

    /// <summary>Reads and builds the city in <paramref name="folder"/>.</summary>
    public static CityModel ReadFolder(string folder)
    {
        var draft = ReadDraft(folder);
        return CityBuilder.Build(draft);
    }

    /// <summary>Reads the files of a city folder into a draft (structure and field checks only).</summary>
    public static CityDraft ReadDraft(string folder)
    {
        var errors = new List<CityError>();
        var manifestPath = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new CityValidationException([new CityError(manifestPath, "", $"no {ManifestFile} in the city folder '{folder}'")]);
        }

        var draft = new CityDraft();
        var files = new List<string>();
        string? controllers = null;
        string? parkingModel = null;
        using (var manifest = Parse(manifestPath, ManifestFile, errors))
        {
            if (manifest is not null)
            {
                var f = new JsonFields(ManifestFile, errors);
                var root = manifest.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    f.Error("", "the manifest must be a JSON object");
                }
                else
                {
                    draft.Name = f.String(root, "name", "name") ?? "";
                    draft.CellSizeM = f.Number(root, "cellSizeM", "cellSizeM", CityBuilder.MinCellSizeM, CityBuilder.MaxCellSizeM, required: false) ?? 250;
                    draft.DemandFiles = f.StringList(root, "demand", "demand", 0, required: false) ?? [];
                    controllers = f.String(root, "controllers", "controllers", required: false);
                    parkingModel = f.String(root, "parkingModel", "parkingModel", required: false);
                    if (f.String(root, "timeZone", "timeZone", required: false) is { } zone)
                    {
                        if (TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var tz) && tz.HasIanaId)
                        {
                            draft.TimeZone = tz;
                        }
                        else
                        {
                            f.Error("timeZone", $"'{zone}' is not an IANA time zone id known here (e.g. Europe/London, America/New_York, UTC)");
                        }
                    }
                    if (f.Object(root, "vehicles", "vehicles", required: false) is { } vehicles)
                    {
                        draft.Vehicles = ReadVehicles(f, vehicles);
                    }

                    if (f.Object(root, "alerts", "alerts", required: false) is { } alerts)
                    {
                        draft.Alerts = ReadAlerts(f, alerts);
                    }

                    if (f.Array(root, "files", "files", 1) is { } list)
                    {
                        var i = 0;
                        foreach (var item in list.EnumerateArray())
                        {
                            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
                            {
                                f.Error($"files[{i}]", "must be a file name");
                            }
                            else
                            {
                                files.Add(item.GetString()!);
                            }

                            i++;
                        }
                    }
                }
            }
        }

        foreach (var file in draft.DemandFiles.Where(d => !File.Exists(Path.Combine(folder, d))))
        {
            errors.Add(new CityError(ManifestFile, "demand", $"'{file}' does not exist in '{folder}'"));
        }

        if (controllers is not null)
        {
            ReadControllers(folder, controllers, draft, errors);
        }

        if (parkingModel is not null)
        {
            if (!File.Exists(Path.Combine(folder, parkingModel)))
            {
                errors.Add(new CityError(ManifestFile, "parkingModel", $"'{parkingModel}' does not exist in '{folder}'"));
            }
            else
            {
                try
                {
                    draft.ParkingModel = ParkingModelFile.Read(Path.Combine(folder, parkingModel), parkingModel);
                }
                catch (CityValidationException e)
                {
                    errors.AddRange(e.Errors);
                }
            }
        }

        foreach (var file in files)
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path))
            {
                errors.Add(new CityError(ManifestFile, "files", $"'{file}' does not exist in '{folder}'"));
                continue;
            }

            using var doc = Parse(path, file, errors);
            if (doc is not null)
            {
                ReadFeatures(file, doc.RootElement, draft, errors);
            }
        }

        if (errors.Count > 0)
        {
            throw new CityValidationException(errors);
        }

        return draft;
    }

    /// <summary>
    /// The manifest's <c>vehicles</c> object: every field optional (the <see cref="VehicleBehaviour"/> default when
    /// absent), each checked against its range; an unknown field is an error (a misspelt one would silently do nothing).
    /// </summary>
    private static VehicleBehaviour ReadVehicles(JsonFields f, JsonElement obj)
    {
        var known = VehicleBehaviour.Default.Ranges().ToDictionary(r => r.Field, StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject().Where(p => p.Name != "source" && !known.ContainsKey(p.Name)))
        {
            f.Error($"vehicles.{property.Name}", $"unknown field; known: source, {string.Join(", ", known.Keys)}");
        }

        double Get(string name, double fallback)
        {
            var (_, _, min, max) = known[name];
            return f.Number(obj, name, $"vehicles.{name}", min, max, required: false) ?? fallback;
        }

        var d = VehicleBehaviour.Default;
        return new VehicleBehaviour
        {
            UnsignalisedFlowPerLaneVehH = Get("unsignalisedFlowPerLaneVehH", d.UnsignalisedFlowPerLaneVehH),
            LeftTurnEquivalent = Get("leftTurnEquivalent", d.LeftTurnEquivalent),
            RightTurnEquivalent = Get("rightTurnEquivalent", d.RightTurnEquivalent),
            CriticalGapS = Get("criticalGapS", d.CriticalGapS),
            SpeedFactorMean = Get("speedFactorMean", d.SpeedFactorMean),
            SpeedFactorDeviation = Get("speedFactorDeviation", d.SpeedFactorDeviation),
            CruiseSpeedLossMs = Get("cruiseSpeedLossMs", d.CruiseSpeedLossMs),
            AccelerationMs2 = Get("accelerationMs2", d.AccelerationMs2),
            DecelerationMs2 = Get("decelerationMs2", d.DecelerationMs2),
            JamSpacingM = Get("jamSpacingM", d.JamSpacingM),
            Source = f.String(obj, "source", "vehicles.source", required: false),
        };
    }

    /// <summary>
    /// The manifest's <c>alerts</c> object: every threshold optional (the default when absent), each in its range, each
    /// clear threshold below its raise threshold (the hysteresis); an unknown field is an error.
    /// </summary>
    private static AlertThresholds ReadAlerts(JsonFields f, JsonElement obj)
    {
        var known = AlertThresholds.Default.Ranges().ToDictionary(r => r.Field, StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject().Where(p => !known.ContainsKey(p.Name)))
        {
            f.Error($"alerts.{property.Name}", $"unknown field; known: {string.Join(", ", known.Keys)}");
        }

        var values = known.Values.ToDictionary(
            r => r.Field,
            r => f.Number(obj, r.Field, $"alerts.{r.Field}", r.Min, r.Max, required: false) ?? r.Value,
            StringComparer.Ordinal);
        foreach (var r in known.Values.Where(r => r.ClearOf is not null && values[r.Field] >= values[r.ClearOf!]))
        {
            f.Error($"alerts.{r.Field}", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{values[r.Field]} must be below {r.ClearOf} ({values[r.ClearOf!]}): an alert clears below a lower threshold than it is raised at"));
        }

        return new AlertThresholds
        {
            NearFullRatio = values["nearFullRatio"],
            NearFullClearRatio = values["nearFullClearRatio"],
            FullRatio = values["fullRatio"],
            FullClearRatio = values["fullClearRatio"],
            OversaturatedDegree = values["oversaturatedDegree"],
            OversaturatedClearDegree = values["oversaturatedClearDegree"],
            SpillbackShare = values["spillbackShare"],
            SpillbackClearShare = values["spillbackClearShare"],
        };
    }

    /// <summary>Reads the features of one GeoJSON document (given as text) into a draft.</summary>
    public static void ReadFeatures(string file, string json, CityDraft draft, List<CityError> errors)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, DocumentOptions);
            ReadFeatures(file, doc.RootElement, draft, errors);
        }
        catch (JsonException ex)
        {
            errors.Add(new CityError(file, "", $"line {(ex.LineNumber ?? 0) + 1}: invalid JSON: {ex.Message}"));
        }
    }

    private static JsonDocument? Parse(string path, string file, List<CityError> errors)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);

            // JsonDocument checks UTF-8 only when a string is read; a city file must be UTF-8 throughout (found by the fuzz tests).
            if (!System.Text.Unicode.Utf8.IsValid(bytes))
            {
                errors.Add(new CityError(file, "", "is not valid UTF-8: save it as UTF-8"));
                return null;
            }

            return JsonDocument.Parse(bytes, DocumentOptions);
        }
        catch (JsonException ex)
        {
            errors.Add(new CityError(file, "", $"line {(ex.LineNumber ?? 0) + 1}: invalid JSON: {FirstSentence(ex.Message)}"));
            return null;
        }
        catch (IOException ex)
        {
            errors.Add(new CityError(file, "", $"cannot be read: {ex.Message}"));
            return null;
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static void ReadFeatures(string file, JsonElement root, CityDraft draft, List<CityError> errors)
    {
        if (root.ValueKind != JsonValueKind.Object ||
            !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "FeatureCollection")
        {
            errors.Add(new CityError(file, "type", "the file must be a GeoJSON FeatureCollection"));
            return;
        }

        if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new CityError(file, "features", "must be an array of features"));
            return;
        }

        var index = 0;
        foreach (var feature in features.EnumerateArray())
        {
            ReadFeature(file, index++, feature, draft, errors);
        }
    }

    private static void ReadFeature(string file, int index, JsonElement feature, CityDraft draft, List<CityError> errors)
    {
        string? id = null;
        if (feature.ValueKind == JsonValueKind.Object && feature.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String)
        {
            id = idElement.GetString();
        }

        var f = new JsonFields(id is null ? $"{file}: feature #{index}" : $"{file}: feature #{index} '{id}'", errors);
        if (feature.ValueKind != JsonValueKind.Object || !feature.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String || t.GetString() != "Feature")
        {
            f.Error("type", "must be \"Feature\"");
            return;
        }

        if (id is null)
        {
            f.Error("id", "every feature needs a string id");
            return;
        }

        if (!IdPattern().IsMatch(id))
        {
            f.Error("id", "ids use letters, digits, '-', '_' and '.', 1 to 64 characters");
            return;
        }

        if (f.Object(feature, "properties", "properties") is not { } props)
        {
            return;
        }

        var kind = f.String(props, "kind", "properties.kind");
        if (kind is null)
        {
            return;
        }

        if (!feature.TryGetProperty("geometry", out var geometry) || geometry.ValueKind != JsonValueKind.Object)
        {
            f.Error("geometry", "is required");
            return;
        }

        switch (kind)
        {
            case "district":
                ReadDistrict(f, id, props, geometry, draft);
                break;
            case "signal":
                ReadSignal(f, id, props, geometry, draft);
                break;
            case "link":
                ReadLink(f, id, props, geometry, draft);
                break;
            case "parking":
                ReadParking(f, id, props, geometry, draft);
                break;
            case "detector":
                ReadDetector(f, id, props, geometry, draft);
                break;
            default:
                f.Error("properties.kind", $"'{kind}' is not one of 'district', 'signal', 'link', 'parking', 'detector'");
                break;
        }
    }

    private static void ReadDistrict(JsonFields f, string id, JsonElement p, JsonElement geometry, CityDraft draft)
    {
        var name = f.String(p, "name", "properties.name");
        var population = f.Integer(p, "population", "properties.population", 0, 100_000_000, required: false);
        var boundary = ReadGeometry(f, geometry, "Polygon", "MultiPolygon");
        if (boundary is not null && !boundary.IsValid)
        {
            f.Error("geometry", "the polygon is not valid (self-intersecting or badly nested rings)");
            return;
        }

        if (f.ErrorCount == 0 && boundary is not null)
        {
            draft.Districts.Add(new DistrictDraft(f.Source, id, name!, population, boundary));
        }
    }

    private static void ReadSignal(JsonFields f, string id, JsonElement p, JsonElement geometry, CityDraft draft)
    {
        var name = f.String(p, "name", "properties.name");
        var width = f.Number(p, "junctionWidthM", "properties.junctionWidthM", 1, 200, required: false) ?? 20;
        var location = ReadGeometry(f, geometry, "Point") as Point;
        var approaches = new List<Approach>();
        if (f.Array(p, "approaches", "properties.approaches", 1) is { } list)
        {
            var a = 0;
            foreach (var item in list.EnumerateArray())
            {
                var path = $"approaches[{a++}]";
                var approachId = f.String(item, "id", $"{path}.id");
                var link = f.String(item, "link", $"{path}.link", required: false);
                var groups = new List<LaneGroup>();
                if (f.Array(item, "laneGroups", $"{path}.laneGroups", 1) is { } gl)
                {
                    var g = 0;
                    foreach (var group in gl.EnumerateArray())
                    {
                        var gp = $"{path}.laneGroups[{g++}]";
                        var gid = f.String(group, "id", $"{gp}.id");
                        var lanes = f.Integer(group, "lanes", $"{gp}.lanes", 1, 12);
                        var sat = f.Number(group, "saturationFlowVehH", $"{gp}.saturationFlowVehH", 1, 30_000);
                        if (lanes is { } ln && sat is { } s && (s < 300 * ln || s > 2400 * ln))
                        {
                            f.Error($"{gp}.saturationFlowVehH", $"{s} veh/h for {ln} lane(s) is outside 300..2400 per lane");
                        }

                        var movements = new List<Movement>();
                        if (f.Array(group, "movements", $"{gp}.movements", 1) is { } ml)
                        {
                            var m = 0;
                            foreach (var mv in ml.EnumerateArray())
                            {
                                if (mv.ValueKind == JsonValueKind.String && Movements.TryGetValue(mv.GetString()!, out var movement))
                                {
                                    movements.Add(movement);
                                }
                                else
                                {
                                    f.Error($"{gp}.movements[{m}]", "must be 'left', 'through', 'right' or 'u-turn'");
                                }

                                m++;
                            }
                        }

                        var toLinks = f.StringList(group, "toLinks", $"{gp}.toLinks", 1, required: false);
                        if (gid is not null && lanes is not null && sat is not null)
                        {
                            groups.Add(new LaneGroup(gid, movements, (int)lanes, sat.Value) { ToLinks = toLinks });
                        }
                    }
                }

                if (approachId is not null)
                {
                    approaches.Add(new Approach(approachId, link, groups));
                }
            }
        }

        TimingPlan? plan = null;
        if (f.Object(p, "plan", "properties.plan") is { } planElement)
        {
            plan = ReadPlan(f, planElement);
        }

        if (f.ErrorCount == 0 && location is not null && plan is not null)
        {
            draft.Signals.Add(new SignalDraft(f.Source, id, name!, location.Coordinate, approaches, plan, width));
        }
    }

    private static TimingPlan? ReadPlan(JsonFields f, JsonElement plan)
    {
        var planId = f.String(plan, "id", "plan.id");
        var cycle = f.Number(plan, "cycleS", "plan.cycleS", 20, 300);
        var offset = f.Number(plan, "offsetS", "plan.offsetS", 0, 300, required: false) ?? 0;
        var phases = new List<Phase>();
        if (f.Array(plan, "phases", "plan.phases", 1) is { } pl)
        {
            var i = 0;
            foreach (var ph in pl.EnumerateArray())
            {
                var path = $"plan.phases[{i++}]";
                var phaseId = f.Integer(ph, "id", $"{path}.id", 1, 64);
                var green = f.Number(ph, "greenS", $"{path}.greenS", 0.1, 300);
                var amber = f.Number(ph, "amberS", $"{path}.amberS", 0, 10, required: false) ?? 3;
                var allRed = f.Number(ph, "allRedS", $"{path}.allRedS", 0, 300, required: false) ?? 2;
                var serves = new List<LaneGroupRef>();
                if (f.Array(ph, "serves", $"{path}.serves", 1) is { } sl)
                {
                    var k = 0;
                    foreach (var s in sl.EnumerateArray())
                    {
                        var text = s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
                        var dot = text.IndexOf('.', StringComparison.Ordinal);
                        if (dot <= 0 || dot == text.Length - 1)
                        {
                            f.Error($"{path}.serves[{k}]", "must be 'APPROACH.LANEGROUP', e.g. 'N.TR'");
                        }
                        else
                        {
                            serves.Add(new LaneGroupRef(text[..dot], text[(dot + 1)..]));
                        }

                        k++;
                    }
                }

                if (phaseId is not null && green is not null)
                {
                    phases.Add(new Phase((int)phaseId, green.Value, amber, allRed, serves));
                }
            }
        }

        return planId is null || cycle is null ? null : new TimingPlan(planId, cycle.Value, offset, phases);
    }

    private static void ReadLink(JsonFields f, string id, JsonElement p, JsonElement geometry, CityDraft draft)
    {
        var from = f.String(p, "from", "properties.from");
        var to = f.String(p, "to", "properties.to");
        var lanes = f.Integer(p, "lanes", "properties.lanes", 1, 12);
        var speed = f.Number(p, "speedLimitKmh", "properties.speedLimitKmh", 5, 200);
        var length = f.Number(p, "lengthM", "properties.lengthM", 0.1, 1_000_000, required: false);
        var name = f.String(p, "name", "properties.name", required: false);
        var next = f.StringList(p, "next", "properties.next", 0, required: false);
        var line = ReadGeometry(f, geometry, "LineString") as LineString;
        if (f.ErrorCount == 0 && line is not null)
        {
            draft.Links.Add(new LinkDraft(f.Source, id, name, from!, to!, (int)lanes!, speed!.Value, length, line.Coordinates) { Next = next });
        }
    }

    private static void ReadParking(JsonFields f, string id, JsonElement p, JsonElement geometry, CityDraft draft)
    {
        var name = f.String(p, "name", "properties.name");
        var capacity = f.Integer(p, "capacity", "properties.capacity", 1, 100_000);
        var price = f.Number(p, "pricePerHour", "properties.pricePerHour", 0, 1000);
        var currency = f.String(p, "currency", "properties.currency", required: false) ?? "EUR";
        var type = f.Enum(p, "type", "properties.type", ParkingTypes);
        var shape = ReadGeometry(f, geometry, "Point", "Polygon");
        if (f.ErrorCount == 0 && shape is not null)
        {
            draft.Parking.Add(new ParkingDraft(f.Source, id, name!, shape.Centroid.Coordinate, (int)capacity!, price!.Value, currency, type!.Value));
        }
    }

    private static void ReadDetector(JsonFields f, string id, JsonElement p, JsonElement geometry, CityDraft draft)
    {
        var signal = f.String(p, "signal", "properties.signal", required: false);
        var parking = f.String(p, "parking", "properties.parking", required: false);
        string? approach = null, laneGroup = null;
        var role = GateRole.Unspecified;
        if (signal is not null && parking is not null)
        {
            f.Error("properties", "a detector watches either a signal approach ('signal', 'approach') or a facility ('parking'), not both");
        }
        else if (signal is not null)
        {
            approach = f.String(p, "approach", "properties.approach");
            laneGroup = f.String(p, "laneGroup", "properties.laneGroup", required: false);
        }
        else if (parking is not null)
        {
            role = f.Enum(p, "role", "properties.role", Roles, required: false) ?? GateRole.Unspecified;
        }
        else
        {
            f.Error("properties.signal", "a detector needs 'signal' and 'approach', or 'parking'");
        }

        var location = ReadGeometry(f, geometry, "Point") as Point;
        if (f.ErrorCount == 0 && location is not null)
        {
            draft.Detectors.Add(new DetectorDraft(f.Source, id, location.Coordinate, signal, approach, laneGroup, parking, role));
        }
    }

    private static Geometry? ReadGeometry(JsonFields f, JsonElement g, params string[] allowed)
    {
        var type = g.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type is null || !allowed.Contains(type))
        {
            f.Error("geometry.type", $"must be {string.Join(" or ", allowed)}, not {type ?? "missing"}");
            return null;
        }

        if (!g.TryGetProperty("coordinates", out var c) || c.ValueKind != JsonValueKind.Array)
        {
            f.Error("geometry.coordinates", "is required");
            return null;
        }

        try
        {
            return type switch
            {
                "Point" => Factory.CreatePoint(Position(c)),
                "LineString" => Line(c),
                "Polygon" => Polygon(c),
                "MultiPolygon" => Factory.CreateMultiPolygon(c.EnumerateArray().Select(Polygon).ToArray()),
                _ => null,
            };
        }
        catch (FormatException ex)
        {
            f.Error("geometry.coordinates", ex.Message);
            return null;
        }
    }

    private static Coordinate Position(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() < 2 ||
            e[0].ValueKind != JsonValueKind.Number || e[1].ValueKind != JsonValueKind.Number)
        {
            throw new FormatException("a position is [longitude, latitude]");
        }

        var lon = e[0].GetDouble();
        var lat = e[1].GetDouble();
        if (!double.IsFinite(lon) || !double.IsFinite(lat) || lon is < -180 or > 180 || lat is < -90 or > 90)
        {
            throw new FormatException($"[{lon}, {lat}] is not a longitude/latitude position");
        }

        return new Coordinate(lon, lat);
    }

    private static LineString Line(JsonElement e)
    {
        var coords = e.EnumerateArray().Select(Position).ToArray();
        if (coords.Length < 2)
        {
            throw new FormatException("a line string needs at least two positions");
        }

        return Factory.CreateLineString(coords);
    }

    private static Polygon Polygon(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() == 0)
        {
            throw new FormatException("a polygon is an array of linear rings");
        }

        var rings = e.EnumerateArray().Select(r =>
        {
            if (r.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("a linear ring is an array of positions");
            }

            var coords = r.EnumerateArray().Select(Position).ToArray();
            if (coords.Length < 4 || !coords[0].Equals2D(coords[^1]))
            {
                throw new FormatException("a linear ring needs at least four positions and must be closed");
            }

            return Factory.CreateLinearRing(coords);
        }).ToArray();
        return Factory.CreatePolygon(rings[0], rings[1..]);
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex IdPattern();
}
