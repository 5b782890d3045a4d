using System.Globalization;
using System.Text.RegularExpressions;
using CityTwin.Engine.City;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

using CityTwin.Engine.Scenarios;

namespace CityTwin.Formats.Scenarios;

/// <summary>The outcome of reading a script: the script when it is valid, else every error.</summary>
public sealed record ScenarioReadResult(ScenarioScript? Script, IReadOnlyList<ScriptError> Errors)
{
    /// <summary>True when the script is valid.</summary>
    public bool Ok => Script is not null && Errors.Count == 0;
}

/// <summary>
/// Reads and validates a planner's scenario script (YAML or JSON, docs/scenarios.md) as a whole: every error is
/// reported with its line, column and reason, and a script with any error is not run. With a city, the ids it
/// names (signals, facilities, districts, links) are checked against it too.
/// </summary>
public static partial class ScenarioReader
{
    /// <summary>The largest script accepted (characters).</summary>
    public const int MaxChars = 1 << 20;

    private static readonly string[] TopKeys = ["scenario", "title", "city", "base", "window", "replications", "seed", "alternatives", "kpis", "decision"];
    private static readonly string[] BaseKeys = ["from", "demand", "recorded", "twin", "scale"];
    private static readonly string[] WindowKeys = ["from", "to", "drain"];
    private static readonly string[] AlternativeKeys = ["name", "description", "signals", "parking", "closures", "demand"];
    private static readonly string[] SignalKeys = ["plans", "control", "cycle", "only"];
    private static readonly string[] ParkingKeys = ["facility", "district", "price", "priceChange", "capacity", "capacityChange"];
    private static readonly string[] ClosureKeys = ["link", "lanes", "from", "to"];
    private static readonly string[] DemandKeys = ["scale", "add"];
    private static readonly string[] ExtraKeys = ["origin", "destination", "from", "to", "vehicles"];
    private static readonly string[] DecisionKeys = ["kpi", "goal", "minImprovement", "confidence"];

    /// <summary>The keys each part of a script accepts (docs/scenario.schema.json has the same).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["script"] = TopKeys,
        ["base"] = BaseKeys,
        ["window"] = WindowKeys,
        ["alternative"] = AlternativeKeys,
        ["signals"] = SignalKeys,
        ["parking"] = ParkingKeys,
        ["closure"] = ClosureKeys,
        ["demand"] = DemandKeys,
        ["demand.add"] = ExtraKeys,
        ["decision"] = DecisionKeys,
    };

    /// <summary>Reads a script; <paramref name="city"/>, when given, is used to check the ids the script names.</summary>
    public static ScenarioReadResult Read(string text, CityModel? city = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var r = new Reader(city);
        if (text.Length > MaxChars)
        {
            r.Error(0, 0, $"the script is {text.Length} characters; at most {MaxChars} are accepted");
            return new ScenarioReadResult(null, r.Errors);
        }

        YamlNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count != 1)
            {
                r.Error(1, 1, stream.Documents.Count == 0 ? "the script is empty" : "the script must be one YAML document");
                return new ScenarioReadResult(null, r.Errors);
            }

            root = stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            var reason = e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message;
            r.Error((int)e.Start.Line, (int)e.Start.Column, $"not valid YAML: {reason.Trim()}");
            return new ScenarioReadResult(null, r.Errors);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (not a YamlException) on some broken flow collections, found by the fuzz tests.
            r.Error(1, 1, "not valid YAML: the parser could not read it (look for an unbalanced '{', '[' or quote)");
            return new ScenarioReadResult(null, r.Errors);
        }

        var script = r.Script(root);
        return new ScenarioReadResult(r.Errors.Count == 0 ? script : null, r.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToArray());
    }

    /// <summary>Parses a time of day: seconds from midnight, <c>HH:MM</c> or <c>HH:MM:SS</c> (hours may pass 23).</summary>
    public static bool TryTime(string text, out double seconds)
    {
        seconds = 0;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s))
        {
            seconds = s;
            return double.IsFinite(s) && s >= 0;
        }

        var m = ClockPattern().Match(text);
        if (!m.Success)
        {
            return false;
        }

        var min = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        var sec = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
        if (min > 59 || sec > 59)
        {
            return false;
        }

        seconds = (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 3600) + (min * 60) + sec;
        return true;
    }

    /// <summary>Parses a duration: seconds, or a number with a unit <c>s</c>, <c>m</c>/<c>min</c> or <c>h</c>.</summary>
    public static bool TryDuration(string text, out double seconds)
    {
        seconds = 0;
        var m = DurationPattern().Match(text.Trim());
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < 0)
        {
            return false;
        }

        seconds = m.Groups[2].Value switch
        {
            "h" => v * 3600,
            "m" or "min" => v * 60,
            _ => v,
        };
        return true;
    }

    [GeneratedRegex(@"^(\d{1,3}):(\d{2})(?::(\d{2}))?$")]
    private static partial Regex ClockPattern();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*(s|m|min|h)?$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}$")]
    private static partial Regex IdPattern();

    private sealed class Reader(CityModel? city)
    {
        public List<ScriptError> Errors { get; } = [];

        public void Error(int line, int column, string reason) => Errors.Add(new ScriptError(line, column, reason));

        private void Error(YamlNode node, string reason) => Error((int)node.Start.Line, (int)node.Start.Column, reason);

        public ScenarioScript? Script(YamlNode root)
        {
            var top = Map(root, "the script", TopKeys);
            if (top is null)
            {
                return null;
            }

            var id = Required(top, root, "scenario", "the script") is { } idNode ? Id(idNode, "scenario") : null;
            var title = top.TryGetValue("title", out var t) ? Text(t, "title") : null;
            var cityName = top.TryGetValue("city", out var c) ? Text(c, "city") : "sample";
            var scenarioBase = top.TryGetValue("base", out var b) ? Base(b) : new ScenarioBase(BaseSource.Demand, [], null, "live", 1);
            var window = Required(top, root, "window", "the script") is { } w ? Window(w) : null;
            var replications = top.TryGetValue("replications", out var rep) ? Int(rep, "replications", 2, 1000) : 10;
            ulong seed = 42;
            if (top.TryGetValue("seed", out var s))
            {
                if (Scalar(s, "seed") is { } sv && !ulong.TryParse(sv, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
                {
                    Error(s, $"seed: must be a whole number from 0 to {ulong.MaxValue}, got '{sv}'");
                }
            }

            var alternatives = Required(top, root, "alternatives", "the script") is { } a ? Alternatives(a, window) : [];
            var kpis = top.TryGetValue("kpis", out var k) ? Kpis(k) : ScenarioKpis.Default;
            var decision = top.TryGetValue("decision", out var d) ? Decision(d) : new DecisionRule("totalDelayVehH", Goal.Minimise, 0.05, 0.95);
            if (decision is not null && kpis is not null && !kpis.Contains(decision.Kpi, StringComparer.Ordinal))
            {
                kpis = [.. kpis, decision.Kpi];
            }

            if (id is null || window is null || scenarioBase is null || replications is null || decision is null || kpis is null || cityName is null)
            {
                return null;
            }

            return new ScenarioScript(id, title ?? id, cityName, scenarioBase, window, replications.Value, seed, alternatives, kpis, decision);
        }

        private ScenarioBase? Base(YamlNode node)
        {
            var map = Map(node, "base", BaseKeys);
            if (map is null)
            {
                return null;
            }

            var source = BaseSource.Demand;
            if (map.TryGetValue("from", out var f) && Scalar(f, "base.from") is { } fv)
            {
                switch (fv)
                {
                    case "demand":
                        source = BaseSource.Demand;
                        break;
                    case "live":
                        source = BaseSource.Live;
                        break;
                    case "recorded":
                        source = BaseSource.Recorded;
                        break;
                    default:
                        Error(f, $"base.from: must be demand, live or recorded, got '{fv}'");
                        break;
                }
            }

            IReadOnlyList<string> demand = [];
            if (map.TryGetValue("demand", out var dn))
            {
                demand = dn is YamlSequenceNode ? List(dn, "base.demand").Select(n => Text(n, "base.demand") ?? "").ToArray() : Text(dn, "base.demand") is { } one ? [one] : [];
                if (source != BaseSource.Demand)
                {
                    Error(dn, "base.demand: only with 'from: demand'");
                }
            }

            string? recorded = null;
            if (map.TryGetValue("recorded", out var rn))
            {
                recorded = Text(rn, "base.recorded");
                if (source != BaseSource.Recorded)
                {
                    Error(rn, "base.recorded: only with 'from: recorded'");
                }
            }
            else if (source == BaseSource.Recorded)
            {
                Error(node, "base.recorded: required with 'from: recorded' (the recorded day's file)");
            }

            var twin = "live";
            if (map.TryGetValue("twin", out var tn))
            {
                twin = Id(tn, "base.twin") ?? twin;
                if (source != BaseSource.Live)
                {
                    Error(tn, "base.twin: only with 'from: live'");
                }
            }

            var scale = map.TryGetValue("scale", out var sn) ? Number(sn, "base.scale", 0, 100) ?? 1 : 1;
            return new ScenarioBase(source, demand, recorded, twin, scale);
        }

        private ScenarioWindow? Window(YamlNode node)
        {
            var map = Map(node, "window", WindowKeys);
            if (map is null)
            {
                return null;
            }

            var from = Required(map, node, "from", "window") is { } f ? Time(f, "window.from") : null;
            var to = Required(map, node, "to", "window") is { } t ? Time(t, "window.to") : null;
            var drain = map.TryGetValue("drain", out var d) ? Duration(d, "window.drain") : 1800;
            if (from is null || to is null || drain is null)
            {
                return null;
            }

            if (!(to > from))
            {
                Error(map["to"], $"window.to: must be after window.from ({Clock(from.Value)}), got {Clock(to.Value)}");
                return null;
            }

            if (to - from > 48 * 3600)
            {
                Error(map["to"], "window: at most 48 hours");
                return null;
            }

            return new ScenarioWindow(from.Value, to.Value, drain.Value);
        }

        private IReadOnlyList<Alternative> Alternatives(YamlNode node, ScenarioWindow? window)
        {
            var items = List(node, "alternatives");
            if (node is YamlSequenceNode && items.Count == 0)
            {
                Error(node, "alternatives: name at least one alternative to compare with the base");
            }

            var list = new List<Alternative>();
            var names = new HashSet<string>(StringComparer.Ordinal) { "base" };
            foreach (var item in items)
            {
                var alt = Alternative(item, window);
                if (alt is null)
                {
                    continue;
                }

                if (!names.Add(alt.Name))
                {
                    Error(item, alt.Name == "base"
                        ? "alternatives.name: 'base' is the base's name; call the alternative something else"
                        : $"alternatives.name: '{alt.Name}' is used twice");
                    continue;
                }

                list.Add(alt);
            }

            return list;
        }

        private Alternative? Alternative(YamlNode node, ScenarioWindow? window)
        {
            var map = Map(node, "an alternative", AlternativeKeys);
            if (map is null)
            {
                return null;
            }

            var name = Required(map, node, "name", "an alternative") is { } n ? Id(n, "alternatives.name") : null;
            var where = name is null ? "an alternative" : $"alternative '{name}'";
            var description = map.TryGetValue("description", out var dn) ? Text(dn, $"{where}: description") : null;
            var signals = map.TryGetValue("signals", out var sn) ? Signals(sn, where) : null;
            var parking = map.TryGetValue("parking", out var pn) ? List(pn, $"{where}: parking").Select(p => Parking(p, where)).OfType<ParkingChange>().ToArray() : [];
            var closures = map.TryGetValue("closures", out var cn) ? List(cn, $"{where}: closures").Select(c => Closure(c, where, window)).OfType<Closure>().ToArray() : [];
            double scale = 1;
            IReadOnlyList<ExtraDemand> extra = [];
            if (map.TryGetValue("demand", out var den) && Map(den, $"{where}: demand", DemandKeys) is { } dm)
            {
                scale = dm.TryGetValue("scale", out var s) ? Number(s, $"{where}: demand.scale", 0, 100) ?? 1 : 1;
                extra = dm.TryGetValue("add", out var add) ? List(add, $"{where}: demand.add").Select(a => Extra(a, where)).OfType<ExtraDemand>().ToArray() : [];
            }

            if (signals is null && parking.Length == 0 && closures.Length == 0 && scale == 1 && extra.Count == 0 && name is not null && Errors.Count == 0)
            {
                Error(node, $"{where}: changes nothing; give it signals, parking, closures or demand");
            }

            return name is null ? null : new Alternative(name, description, signals, parking, closures, scale, extra, Mark(node));
        }

        private SignalChange? Signals(YamlNode node, string where)
        {
            // Short form: "signals: optimise".
            if (node is YamlScalarNode)
            {
                var plans = PlanChoiceOf(node, $"{where}: signals");
                return plans is null ? null : new SignalChange(plans.Value, ControlChoice.Fixed, 90, []);
            }

            var map = Map(node, $"{where}: signals", SignalKeys);
            if (map is null)
            {
                return null;
            }

            var choice = map.TryGetValue("plans", out var p) ? PlanChoiceOf(p, $"{where}: signals.plans") : PlanChoice.Base;
            var control = ControlChoice.Fixed;
            if (map.TryGetValue("control", out var c) && Scalar(c, $"{where}: signals.control") is { } cv)
            {
                switch (cv)
                {
                    case "fixed":
                        break;
                    case "actuated":
                        control = ControlChoice.Actuated;
                        break;
                    case "max-pressure":
                        control = ControlChoice.MaxPressure;
                        break;
                    default:
                        Error(c, $"{where}: signals.control must be fixed, actuated or max-pressure, got '{cv}'");
                        break;
                }
            }

            var cycle = map.TryGetValue("cycle", out var cy) ? Duration(cy, $"{where}: signals.cycle") : 90;
            if (cycle is < 30 or > 240)
            {
                Error(cy!, $"{where}: signals.cycle must be 30-240 s, got {cycle}");
            }

            if (cy is not null && choice != PlanChoice.RuleOfThumb)
            {
                Error(cy, $"{where}: signals.cycle only with 'plans: rule-of-thumb'");
            }

            var only = map.TryGetValue("only", out var o) ? List(o, $"{where}: signals.only").Select(s => EntityId(s, $"{where}: signals.only", In((c, id) => c.SignalsById.ContainsKey(id)), "signal")).OfType<string>().ToArray() : [];
            return choice is null ? null : new SignalChange(choice.Value, control, cycle ?? 90, only);
        }

        private PlanChoice? PlanChoiceOf(YamlNode node, string field)
        {
            var v = Scalar(node, field);
            switch (v)
            {
                case null:
                    return null;
                case "base":
                    return PlanChoice.Base;
                case "optimise" or "optimize":
                    return PlanChoice.Optimise;
                case "rule-of-thumb":
                    return PlanChoice.RuleOfThumb;
                default:
                    Error(node, $"{field}: must be base, optimise or rule-of-thumb, got '{v}'");
                    return null;
            }
        }

        private ParkingChange? Parking(YamlNode node, string where)
        {
            var field = $"{where}: parking";
            var map = Map(node, field, ParkingKeys);
            if (map is null)
            {
                return null;
            }

            var facility = map.TryGetValue("facility", out var f) ? EntityId(f, $"{field}.facility", In((c, id) => c.ParkingById.ContainsKey(id)), "parking facility") : null;
            var district = map.TryGetValue("district", out var d) ? EntityId(d, $"{field}.district", In((c, id) => c.DistrictsById.ContainsKey(id)), "district") : null;
            if (f is null == d is null)
            {
                Error(node, $"{field}: name either a facility or a district");
            }

            var price = map.TryGetValue("price", out var p) ? Number(p, $"{field}.price", 0, 1000) : null;
            double? factor = null;
            if (map.TryGetValue("priceChange", out var pc))
            {
                factor = Percent(pc, $"{field}.priceChange") is { } pct ? 1 + pct : null;
                if (factor < 0)
                {
                    Error(pc, $"{field}.priceChange: a price cannot fall by more than 100%");
                }
            }

            var capacity = map.TryGetValue("capacity", out var c) ? Int(c, $"{field}.capacity", 0, 100_000) : null;
            var capacityChange = map.TryGetValue("capacityChange", out var cc) ? Int(cc, $"{field}.capacityChange", -100_000, 100_000) : null;
            if (p is not null && pc is not null)
            {
                Error(pc, $"{field}: give price or priceChange, not both");
            }

            if (c is not null && cc is not null)
            {
                Error(cc, $"{field}: give capacity or capacityChange, not both");
            }

            if (p is null && pc is null && c is null && cc is null)
            {
                Error(node, $"{field}: changes nothing; give price, priceChange, capacity or capacityChange");
            }

            return new ParkingChange(facility, district, price, factor, capacity, capacityChange, Mark(node));
        }

        private Closure? Closure(YamlNode node, string where, ScenarioWindow? window)
        {
            var field = $"{where}: closures";
            var map = Map(node, field, ClosureKeys);
            if (map is null)
            {
                return null;
            }

            var link = Required(map, node, "link", field) is { } l ? EntityId(l, $"{field}.link", In((c, id) => c.LinksById.ContainsKey(id)), "link") : null;
            var lanes = map.TryGetValue("lanes", out var ln) ? Int(ln, $"{field}.lanes", 1, 20) : null;
            if (lanes is { } n && link is not null && city is not null && city.LinksById.TryGetValue(link, out var road) && n >= road.Lanes)
            {
                Error(ln!, $"{field}.lanes: link '{link}' has {road.Lanes} lane(s); to close all of them leave 'lanes' out");
            }

            var from = map.TryGetValue("from", out var f) ? Time(f, $"{field}.from") : null;
            var to = map.TryGetValue("to", out var t) ? Time(t, $"{field}.to") : null;
            if (from is not null && to is not null && !(to > from))
            {
                Error(t!, $"{field}.to: must be after from");
            }

            if (window is not null && ((from is { } a && a >= window.ToS) || (to is { } b && b <= window.FromS)))
            {
                Error(node, $"{field}: the closure lies outside the window");
            }

            return link is null ? null : new Closure(link, lanes, from, to, Mark(node));
        }

        private ExtraDemand? Extra(YamlNode node, string where)
        {
            var field = $"{where}: demand.add";
            var map = Map(node, field, ExtraKeys);
            if (map is null)
            {
                return null;
            }

            var isZone = In((c, id) => c.DistrictsById.ContainsKey(id) || c.LinksById.ContainsKey(id));
            var origin = Required(map, node, "origin", field) is { } o ? EntityId(o, $"{field}.origin", isZone, "district or link") : null;
            var destination = Required(map, node, "destination", field) is { } d ? EntityId(d, $"{field}.destination", isZone, "district or link") : null;
            var from = Required(map, node, "from", field) is { } f ? Time(f, $"{field}.from") : null;
            var to = Required(map, node, "to", field) is { } t ? Time(t, $"{field}.to") : null;
            var vehicles = Required(map, node, "vehicles", field) is { } v ? Number(v, $"{field}.vehicles", 0, 1_000_000) : null;
            if (from is not null && to is not null && !(to > from))
            {
                Error(map["to"], $"{field}.to: must be after from");
                return null;
            }

            return origin is null || destination is null || from is null || to is null || vehicles is null
                ? null
                : new ExtraDemand(origin, destination, from.Value, to.Value, vehicles.Value, Mark(node));
        }

        private IReadOnlyList<string>? Kpis(YamlNode node)
        {
            var items = List(node, "kpis");
            var list = new List<string>();
            foreach (var item in items)
            {
                if (Scalar(item, "kpis") is not { } name)
                {
                    continue;
                }

                if (!ScenarioKpis.ByName.ContainsKey(name))
                {
                    Error(item, $"kpis: unknown KPI '{name}'; known: {string.Join(", ", ScenarioKpis.All.Select(k => k.Name))}");
                }
                else if (list.Contains(name, StringComparer.Ordinal))
                {
                    Error(item, $"kpis: '{name}' is listed twice");
                }
                else
                {
                    list.Add(name);
                }
            }

            if (node is YamlSequenceNode && items.Count == 0)
            {
                Error(node, "kpis: name at least one KPI, or leave 'kpis' out for the default ones");
            }

            return list;
        }

        private DecisionRule? Decision(YamlNode node)
        {
            var map = Map(node, "decision", DecisionKeys);
            if (map is null)
            {
                return null;
            }

            string? kpi = "totalDelayVehH";
            if (map.TryGetValue("kpi", out var k))
            {
                kpi = Scalar(k, "decision.kpi");
                if (kpi is not null && !ScenarioKpis.ByName.ContainsKey(kpi))
                {
                    Error(k, $"decision.kpi: unknown KPI '{kpi}'; known: {string.Join(", ", ScenarioKpis.All.Select(x => x.Name))}");
                    kpi = null;
                }
            }

            var goal = kpi is not null ? ScenarioKpis.ByName[kpi].Goal : Goal.Minimise;
            if (map.TryGetValue("goal", out var g) && Scalar(g, "decision.goal") is { } gv)
            {
                switch (gv)
                {
                    case "minimise" or "minimize":
                        goal = Goal.Minimise;
                        break;
                    case "maximise" or "maximize":
                        goal = Goal.Maximise;
                        break;
                    default:
                        Error(g, $"decision.goal: must be minimise or maximise, got '{gv}'");
                        break;
                }
            }

            var min = map.TryGetValue("minImprovement", out var m) ? Percent(m, "decision.minImprovement") : 0.05;
            if (min is < 0 or >= 1)
            {
                Error(m!, $"decision.minImprovement: must be from 0% to below 100%, got {min:P1}");
            }

            var confidence = map.TryGetValue("confidence", out var c) ? Percent(c, "decision.confidence") : 0.95;
            if (confidence is not null && !(confidence is >= 0.5 and < 1))
            {
                Error(c!, $"decision.confidence: must be from 50% to below 100% (e.g. 0.95 or 95%), got {confidence}");
            }

            return kpi is null || min is null || confidence is null ? null : new DecisionRule(kpi, goal, min.Value, confidence.Value);
        }

        // ---- node helpers ----
        private Dictionary<string, YamlNode>? Map(YamlNode node, string field, string[] keys)
        {
            if (node is not YamlMappingNode mapping)
            {
                Error(node, $"{field}: expected a mapping (key: value lines), got {Kind(node)}");
                return null;
            }

            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (k, v) in mapping.Children)
            {
                if (k is not YamlScalarNode { Value: { } key })
                {
                    Error(k, $"{field}: keys must be plain names");
                    continue;
                }

                if (!keys.Contains(key, StringComparer.Ordinal))
                {
                    var near = keys.FirstOrDefault(x => string.Equals(x, key, StringComparison.OrdinalIgnoreCase));
                    Error(k, $"{field}: unknown key '{key}'" + (near is not null ? $" (did you mean '{near}'?)" : $"; expected one of {string.Join(", ", keys)}"));
                    continue;
                }

                result[key] = v;
            }

            return result;
        }

        private YamlNode? Required(Dictionary<string, YamlNode> map, YamlNode owner, string key, string field)
        {
            if (map.TryGetValue(key, out var v))
            {
                return v;
            }

            Error(owner, $"{field}: '{key}' is required");
            return null;
        }

        private IReadOnlyList<YamlNode> List(YamlNode node, string field)
        {
            if (node is YamlSequenceNode seq)
            {
                return [.. seq.Children];
            }

            Error(node, $"{field}: expected a list (lines starting with '- '), got {Kind(node)}");
            return [];
        }

        private string? Scalar(YamlNode node, string field)
        {
            if (node is YamlScalarNode { Value: { } v } && v.Length > 0)
            {
                return v;
            }

            Error(node, $"{field}: expected a value, got {Kind(node)}");
            return null;
        }

        private string? Text(YamlNode node, string field)
        {
            var v = Scalar(node, field);
            if (v is { Length: > 1000 })
            {
                Error(node, $"{field}: at most 1000 characters");
                return null;
            }

            return v;
        }

        private string? Id(YamlNode node, string field)
        {
            var v = Scalar(node, field);
            if (v is not null && !IdPattern().IsMatch(v))
            {
                Error(node, $"{field}: '{v}' is not an id (letters, digits, '-', '_', '.'; 1-64 characters)");
                return null;
            }

            return v;
        }

        private string? EntityId(YamlNode node, string field, Func<string, bool>? exists, string kind)
        {
            var v = Scalar(node, field);
            if (v is not null && exists is not null && !exists(v))
            {
                Error(node, $"{field}: the city has no {kind} '{v}'");
                return null;
            }

            return v;
        }

        private Func<string, bool>? In(Func<CityModel, string, bool> has) => city is null ? null : id => has(city, id);

        private double? Number(YamlNode node, string field, double min, double max)
        {
            var v = Scalar(node, field);
            if (v is null)
            {
                return null;
            }

            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x))
            {
                Error(node, $"{field}: must be a number, got '{v}'");
                return null;
            }

            if (x < min || x > max)
            {
                Error(node, $"{field}: must be from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got {v}");
                return null;
            }

            return x;
        }

        private int? Int(YamlNode node, string field, int min, int max)
        {
            var v = Scalar(node, field);
            if (v is null)
            {
                return null;
            }

            if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var x))
            {
                Error(node, $"{field}: must be a whole number, got '{v}'");
                return null;
            }

            if (x < min || x > max)
            {
                Error(node, $"{field}: must be from {min} to {max}, got {x}");
                return null;
            }

            return x;
        }

        /// <summary>A fraction: <c>0.05</c>, <c>5%</c>, <c>+20%</c>, <c>-10%</c>.</summary>
        private double? Percent(YamlNode node, string field)
        {
            var v = Scalar(node, field);
            if (v is null)
            {
                return null;
            }

            var pct = v.EndsWith('%');
            var body = pct ? v[..^1].Trim() : v;
            if (!double.TryParse(body, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x))
            {
                Error(node, $"{field}: must be a fraction (0.05) or a percentage (5%), got '{v}'");
                return null;
            }

            return pct ? x / 100 : x;
        }

        private double? Time(YamlNode node, string field)
        {
            var v = Scalar(node, field);
            if (v is null)
            {
                return null;
            }

            if (!TryTime(v, out var s))
            {
                Error(node, $"{field}: must be a time of day (HH:MM, HH:MM:SS or seconds from midnight), got '{v}'");
                return null;
            }

            return s;
        }

        private double? Duration(YamlNode node, string field)
        {
            var v = Scalar(node, field);
            if (v is null)
            {
                return null;
            }

            if (!TryDuration(v, out var s))
            {
                Error(node, $"{field}: must be a duration (seconds, or 30m, 1.5h), got '{v}'");
                return null;
            }

            return s;
        }

        private static ScriptMark Mark(YamlNode node) => new((int)node.Start.Line, (int)node.Start.Column);

        private static string Clock(double s) => TimeSpan.FromSeconds(s).ToString(@"hh\:mm", CultureInfo.InvariantCulture);

        private static string Kind(YamlNode node) => node switch
        {
            YamlMappingNode => "a mapping",
            YamlSequenceNode => "a list",
            YamlScalarNode { Value: null or "" } => "nothing",
            YamlScalarNode s => $"'{s.Value}'",
            _ => "something else",
        };
    }
}
