using System.Text.Json;
using CityTwin.Contracts;

namespace CityTwin.Silo;

/// <summary>
/// Reads the JSON bodies of the control API, naming every field that is missing or of the wrong type.
/// Property names match case-insensitively; unknown properties are ignored. Times are JSON numbers (or the
/// API's own <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>, which the safety rules then refuse).
/// </summary>
public static class PlanRequestJson
{
    /// <summary>
    /// <c>{"plan":{"id":..,"cycleS":..,"offsetS":..,"phases":[{"id":..,"greenS":..,"amberS":..,"allRedS":..,"serves":[..]}]},"who":..,"why":..,"evidenceId":..}</c>;
    /// <c>offsetS</c> defaults to 0 and <c>evidenceId</c> may be left out. Who asks is <paramref name="caller"/> (the
    /// name of the request's token); <c>who</c> may be left out, and when given must be the same name.
    /// </summary>
    public static (PlanApplyRequest? Request, IReadOnlyList<string> Problems) ReadApply(JsonElement root, string caller)
    {
        var problems = new List<string>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, ["the body must be a JSON object with plan, who, why and evidenceId"]);
        }

        TimingPlanInfo? plan = null;
        if (Property(root, "plan") is not { } p || p.ValueKind == JsonValueKind.Null)
        {
            problems.Add("plan: required");
        }
        else if (p.ValueKind != JsonValueKind.Object)
        {
            problems.Add("plan: must be an object");
        }
        else
        {
            plan = ReadPlan(p, problems);
        }

        var who = Who(root, caller, problems);
        var why = String(root, "why", "why", required: true, problems);
        var evidence = String(root, "evidenceId", "evidenceId", required: false, problems);
        return problems.Count > 0 || plan is null ? (null, problems) : (new PlanApplyRequest(plan, who, why!, evidence), problems);
    }

    /// <summary><c>{"who":..,"why":..}</c>, <c>who</c> as in <see cref="ReadApply"/>.</summary>
    public static (PlanRollbackRequest? Request, IReadOnlyList<string> Problems) ReadRollback(JsonElement root, string caller)
    {
        var problems = new List<string>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, ["the body must be a JSON object with who and why"]);
        }

        var who = Who(root, caller, problems);
        var why = String(root, "why", "why", required: true, problems);
        return problems.Count > 0 ? (null, problems) : (new PlanRollbackRequest(who, why!), problems);
    }

    /// <summary>The caller; a <c>who</c> in the body that names someone else is a problem (the identity comes from the token).</summary>
    private static string Who(JsonElement root, string caller, List<string> problems)
    {
        var who = String(root, "who", "who", required: false, problems);
        if (who is not null && who != caller)
        {
            problems.Add($"who: '{who}' is not the caller; the identity comes from the token ('{caller}'): leave who out or give that name");
        }

        return caller;
    }

    private static TimingPlanInfo? ReadPlan(JsonElement plan, List<string> problems)
    {
        var count = problems.Count;
        var id = String(plan, "id", "plan.id", required: true, problems);
        var cycle = Number(plan, "cycleS", "plan.cycleS", required: true, problems);
        var offset = Number(plan, "offsetS", "plan.offsetS", required: false, problems) ?? 0;
        var phases = new List<PhaseInfo>();
        if (Property(plan, "phases") is not { } list || list.ValueKind == JsonValueKind.Null)
        {
            problems.Add("plan.phases: required");
        }
        else if (list.ValueKind != JsonValueKind.Array)
        {
            problems.Add("plan.phases: must be an array");
        }
        else
        {
            var i = 0;
            foreach (var phase in list.EnumerateArray())
            {
                var path = $"plan.phases[{i++}]";
                if (phase.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{path}: must be an object");
                    continue;
                }

                var phaseId = Integer(phase, "id", $"{path}.id", problems);
                var green = Number(phase, "greenS", $"{path}.greenS", required: true, problems);
                var amber = Number(phase, "amberS", $"{path}.amberS", required: true, problems);
                var allRed = Number(phase, "allRedS", $"{path}.allRedS", required: true, problems);
                var serves = Serves(phase, $"{path}.serves", problems);
                if (phaseId is { } pid && green is { } g && amber is { } a && allRed is { } r && serves is not null)
                {
                    phases.Add(new PhaseInfo(pid, g, a, r, serves));
                }
            }
        }

        return problems.Count > count ? null : new TimingPlanInfo(id!, cycle!.Value, offset, phases);
    }

    private static List<string>? Serves(JsonElement phase, string path, List<string> problems)
    {
        if (Property(phase, "serves") is not { } list || list.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"{path}: required");
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{path}: must be an array of lane groups 'APPROACH.GROUP'");
            return null;
        }

        var serves = new List<string>();
        var k = 0;
        foreach (var s in list.EnumerateArray())
        {
            if (s.ValueKind == JsonValueKind.String)
            {
                serves.Add(s.GetString()!);
            }
            else
            {
                problems.Add($"{path}[{k}]: must be a string 'APPROACH.GROUP'");
            }

            k++;
        }

        return serves;
    }

    private static JsonElement? Property(JsonElement obj, string name)
    {
        if (obj.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    private static string? String(JsonElement obj, string name, string path, bool required, List<string> problems)
    {
        var value = Property(obj, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                problems.Add($"{path}: required");
            }

            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{path}: must be a string");
            return null;
        }

        return value.Value.GetString();
    }

    private static double? Number(JsonElement obj, string name, string path, bool required, List<string> problems)
    {
        var value = Property(obj, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                problems.Add($"{path}: required");
            }

            return null;
        }

        var v = value.Value;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d))
        {
            return d;
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            switch (v.GetString())
            {
                case "NaN":
                    return double.NaN;
                case "Infinity":
                    return double.PositiveInfinity;
                case "-Infinity":
                    return double.NegativeInfinity;
            }
        }

        problems.Add($"{path}: must be a number of seconds");
        return null;
    }

    private static int? Integer(JsonElement obj, string name, string path, List<string> problems)
    {
        var value = Property(obj, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"{path}: required");
            return null;
        }

        if (value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetInt32(out var i))
        {
            return i;
        }

        problems.Add($"{path}: must be an integer");
        return null;
    }
}
