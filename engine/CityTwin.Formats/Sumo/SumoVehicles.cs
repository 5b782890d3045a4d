using System.Globalization;
using System.Xml.Linq;
using CityTwin.Engine.City;

namespace CityTwin.Formats.Sumo;

/// <summary>
/// The attributes of a SUMO vehicle type (<c>vType</c>) that CityTwin maps, with SUMO's passenger-car defaults where
/// the type does not give them (SUMO's DEFAULT_VEHTYPE: Krauss, accel 2.6, decel 4.5, sigma 0.5, tau 1, length 5,
/// minGap 2.5, speedFactor normc(1,0.1,0.2,2)).
/// </summary>
public sealed record SumoVehicleType
{
    /// <summary>SUMO's default passenger car, the type of every vehicle without one unless a file redefines it.</summary>
    public static SumoVehicleType Default { get; } = new();

    public string Id { get; init; } = "DEFAULT_VEHTYPE";

    public string? VClass { get; init; }

    public string CarFollowModel { get; init; } = "Krauss";

    public double Accel { get; init; } = 2.6;

    public double Decel { get; init; } = 4.5;

    public double Sigma { get; init; } = 0.5;

    public double Tau { get; init; } = 1.0;

    public double Length { get; init; } = 5.0;

    public double MinGap { get; init; } = 2.5;

    public double SpeedFactorMean { get; init; } = 1.0;

    public double SpeedFactorDeviation { get; init; } = 0.1;

    /// <summary>
    /// Reads a <c>vType</c>: its attributes, and those of a car-following child element
    /// (<c>&lt;carFollowing-Krauss sigma=".."/&gt;</c>, SUMO's older form). speedFactor is a number (the mean; the
    /// deviation from <c>speedDev</c>, else 0.1), <c>norm(mean,dev)</c> or <c>normc(mean,dev,min,max)</c>.
    /// </summary>
    internal static SumoVehicleType Read(XElement element, string file)
    {
        var e = SumoElement.Of(element, file);
        var t = new SumoVehicleType { Id = e.Required("id"), VClass = e.Optional("vClass") };
        var follow = element.Elements().FirstOrDefault(c => c.Name.LocalName.StartsWith("carFollowing-", StringComparison.Ordinal));
        var model = e.Optional("carFollowModel") ?? follow?.Name.LocalName["carFollowing-".Length..];
        double? Number(string attribute)
        {
            if (e.OptionalNumber(attribute) is { } own)
            {
                return own;
            }

            return follow is null ? null : SumoElement.Of(follow, file).OptionalNumber(attribute);
        }

        t = t with
        {
            CarFollowModel = model ?? t.CarFollowModel,
            Accel = Positive(e, "accel", Number("accel")) ?? t.Accel,
            Decel = Positive(e, "decel", Number("decel")) ?? t.Decel,
            Sigma = Number("sigma") is { } sigma ? (sigma is >= 0 and <= 1 ? sigma : throw e.Error("sigma", $"attribute 'sigma' must be in [0, 1]: {sigma}")) : t.Sigma,
            Tau = Positive(e, "tau", Number("tau")) ?? t.Tau,
            Length = Positive(e, "length", e.OptionalNumber("length")) ?? t.Length,
            MinGap = e.OptionalNumber("minGap") is { } gap ? (gap >= 0 ? gap : throw e.Error("minGap", $"attribute 'minGap' must not be negative: {gap}")) : t.MinGap,
        };
        var (mean, deviation) = SpeedFactor(e);
        return t with { SpeedFactorMean = mean ?? t.SpeedFactorMean, SpeedFactorDeviation = deviation ?? t.SpeedFactorDeviation };
    }

    private static double? Positive(SumoElement e, string attribute, double? value) =>
        value is null or > 0 ? value : throw e.Error(attribute, $"attribute '{attribute}' must be positive: {value}");

    private static (double? Mean, double? Deviation) SpeedFactor(SumoElement e)
    {
        var deviation = e.OptionalNumber("speedDev");
        if (deviation < 0)
        {
            throw e.Error("speedDev", $"attribute 'speedDev' must not be negative: {deviation}");
        }

        if (e.Optional("speedFactor") is not { } text)
        {
            return (null, deviation);
        }

        text = text.Trim();
        var open = text.IndexOf('(', StringComparison.Ordinal);
        if (open < 0)
        {
            return (Parse(e, text) is var mean && mean > 0 ? mean : throw Bad(e, text), deviation);
        }

        var name = text[..open];
        if ((name is not "norm" and not "normc") || !text.EndsWith(')'))
        {
            throw Bad(e, text);
        }

        var args = text[(open + 1)..^1].Split(',').Select(a => Parse(e, a.Trim())).ToList();
        if (args.Count < 2 || args[0] <= 0 || args[1] < 0)
        {
            throw Bad(e, text);
        }

        return (args[0], args[1]);
    }

    private static double Parse(SumoElement e, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : throw Bad(e, text);

    private static SumoFormatException Bad(SumoElement e, string text) =>
        e.Error("speedFactor", $"attribute 'speedFactor' must be a positive number, norm(mean,dev) or normc(mean,dev,min,max): '{text}'");
}

/// <summary>
/// Turns SUMO vehicle types into CityTwin's <see cref="VehicleBehaviour"/>. The constants are measured with SUMO 1.15
/// on two small networks of their own, a straight road and one signalised 4-way junction (bench/sumo-calibrate.sh;
/// the figures and the command are in docs/sumo-import.md#vehicles), never on the grids the import is checked on:
/// <list type="bullet">
/// <item>saturation flow (discharge headway of a standing queue of through cars) and the right- and left-turn
/// equivalents: measured at sigma 0 and 0.5 and interpolated linearly in sigma (a third run at sigma 0.2 checks it:
/// 1% off), plus linear sensitivities to tau, accel and length + minGap, each measured one at a time;</item>
/// <item>the cruise speed loss, SUMO's dawdling: a fitted multiple of sigma x accel (Krauss dawdles by up to
/// sigma x accel per 1 s step);</item>
/// <item>the acceleration from a stop: a fitted multiple of accel x (1 - sigma / 2), the acceleration left after the
/// mean dawdle, so that v / (2 a) is the time SUMO's car loses starting from standstill at 50 km/h;</item>
/// <item>the critical gap of a permissive left turn: fitted (CityTwin against SUMO, least squares) on left turns
/// against 200 to 800 veh/h of opposing traffic, at sigma 0 and 0.5, linear in sigma;</item>
/// <item>speed factor (mean and deviation), deceleration and jam spacing (length + minGap): SUMO's own values.</item>
/// </list>
/// Only Krauss (SUMO's default model) was calibrated: other car-following models are mapped as if they were Krauss
/// with the same attributes (the import notes it).
/// </summary>
public static class SumoVehicleMapping
{
    // Discharge headway (s) of a saturated through queue, and the turn equivalents; bench/sumo-calibrate.sh,
    // SUMO 1.15, docs/sumo-import.md#vehicles: sigma 0 / sigma 0.5, then per s of tau above 1, per m/s2 of accel
    // above 2.6, per m of length + minGap above 7.5.
    private static readonly Fit Headway = new(1.7421, 2.0564, 0.9069, -0.0594, 0.0968);
    private static readonly Fit RightTurn = new(1.2983, 1.2885, -0.0709, 0.0688, 0.0174);
    private static readonly Fit LeftTurn = new(1.2314, 1.2678, -0.0924, 0.0430, 0.0230);

    /// <summary>Cruise speed loss (m/s) per unit of sigma x accel: 0.661 m/s measured for SUMO's default car.</summary>
    public const double CruiseLossPerSigmaAccel = 0.5083;

    /// <summary>Effective acceleration from a stop per unit of accel x (1 - sigma / 2): 2.42 m/s2 measured for SUMO's default car.</summary>
    public const double AccelerationFactor = 1.2435;

    /// <summary>
    /// Critical gap (s) of a permissive left turn at sigma 0: the gap (on a 0.5 s grid) whose CityTwin left turns per
    /// cycle against 200-800 veh/h of oncoming traffic come closest to SUMO's (bench/sumo-calibrate.sh). Far above
    /// the HCM's 4.5 s: it also stands for what CityTwin does not model, a left turner that waited setting off from
    /// standstill across the junction and SUMO's safety margins in judging the gap.
    /// </summary>
    public const double CriticalGapSigma0S = 8.0;

    /// <summary>Critical gap (s) of a permissive left turn at sigma 0.5, SUMO's default car, fitted as <see cref="CriticalGapSigma0S"/>.</summary>
    public const double CriticalGapSigma05S = 10.0;

    /// <summary>The behaviour of vehicles of type <paramref name="t"/>.</summary>
    public static VehicleBehaviour Map(SumoVehicleType t)
    {
        var headway = Math.Clamp(Headway.At(t), 1.5, 12);
        return new VehicleBehaviour
        {
            UnsignalisedFlowPerLaneVehH = Math.Round(3600 / headway, 1),
            RightTurnEquivalent = Math.Round(Math.Clamp(RightTurn.At(t), 1, 5), 3),
            LeftTurnEquivalent = Math.Round(Math.Clamp(LeftTurn.At(t), 1, 5), 3),
            CriticalGapS = Math.Round(Math.Clamp(CriticalGapSigma0S + ((CriticalGapSigma05S - CriticalGapSigma0S) * t.Sigma / 0.5), 0, 20), 2),
            SpeedFactorMean = Math.Clamp(t.SpeedFactorMean, 0.2, 3),
            SpeedFactorDeviation = Math.Clamp(t.SpeedFactorDeviation, 0, 0.49),
            CruiseSpeedLossMs = Math.Round(Math.Min(CruiseLossPerSigmaAccel * t.Sigma * t.Accel, 10), 3),
            AccelerationMs2 = Math.Round(Math.Clamp(AccelerationFactor * t.Accel * (1 - (t.Sigma / 2)), 0.1, 10), 3),
            DecelerationMs2 = Math.Clamp(t.Decel, 0.1, 15),
            JamSpacingM = Math.Clamp(t.Length + t.MinGap, 2, 50),
        };
    }

    /// <summary>
    /// One behaviour for a mix of types: each field the weighted mean of the types' (weights: vehicles of each type),
    /// the saturation flow through the mean headway.
    /// </summary>
    public static VehicleBehaviour Mix(IReadOnlyList<(VehicleBehaviour Behaviour, double Weight)> types)
    {
        if (types.Count == 0)
        {
            return Map(SumoVehicleType.Default);
        }

        if (types.Count == 1)
        {
            return types[0].Behaviour;
        }

        // Types without vehicles (no trips written) count alike.
        var total = types.Sum(x => x.Weight);
        if (total <= 0)
        {
            types = types.Select(x => (x.Behaviour, 1.0)).ToList();
            total = types.Count;
        }

        double Mean(Func<VehicleBehaviour, double> field) => types.Sum(x => field(x.Behaviour) * x.Weight) / total;
        return new VehicleBehaviour
        {
            UnsignalisedFlowPerLaneVehH = Math.Round(3600 / Mean(b => 3600 / b.UnsignalisedFlowPerLaneVehH), 1),
            RightTurnEquivalent = Math.Round(Mean(b => b.RightTurnEquivalent), 3),
            LeftTurnEquivalent = Math.Round(Mean(b => b.LeftTurnEquivalent), 3),
            CriticalGapS = Math.Round(Mean(b => b.CriticalGapS), 2),
            SpeedFactorMean = Math.Round(Mean(b => b.SpeedFactorMean), 4),
            SpeedFactorDeviation = Math.Round(Mean(b => b.SpeedFactorDeviation), 4),
            CruiseSpeedLossMs = Math.Round(Mean(b => b.CruiseSpeedLossMs), 3),
            AccelerationMs2 = Math.Round(Mean(b => b.AccelerationMs2), 3),
            DecelerationMs2 = Math.Round(Mean(b => b.DecelerationMs2), 3),
            JamSpacingM = Math.Round(Mean(b => b.JamSpacingM), 3),
        };
    }

    /// <summary>A figure measured at sigma 0 and 0.5 (linear in sigma), with linear sensitivities to tau, accel and length + minGap.</summary>
    private sealed record Fit(double Sigma0, double Sigma05, double PerTauS, double PerAccelMs2, double PerLengthWithGapM)
    {
        public double At(SumoVehicleType t) =>
            Sigma0 + ((Sigma05 - Sigma0) * t.Sigma / 0.5)
            + (PerTauS * (t.Tau - 1.0))
            + (PerAccelMs2 * (t.Accel - 2.6))
            + (PerLengthWithGapM * (t.Length + t.MinGap - 7.5));
    }
}
