using System.Globalization;

namespace CityTwin.Engine.Parking.Forecast;

/// <summary>A forecast for one facility at one time.</summary>
public sealed record FacilityForecast(string Facility, DateTime LocalTime, int HorizonMin, OccupancyPrediction Prediction);

/// <summary>
/// Occupancy forecasts per facility from its history (docs/parking-forecast.md): the facility's weekday and
/// time-of-day profile (recency-weighted over weeks) plus its last deviation from that profile, carried over
/// by a share fitted for each lag; prediction intervals from the empirical error quantiles at each horizon.
/// Everything is fitted on the counts before <see cref="TrainUntil"/>; a facility with too short a history
/// uses the parameters pooled over the others. Deterministic: the same counts give the same numbers.
/// </summary>
public sealed class OccupancyForecaster
{
    private readonly Dictionary<string, FacilityForecastModel> _facilities;

    private OccupancyForecaster(ForecastOptions options, DateTime trainUntil, Dictionary<string, FacilityForecastModel> facilities, FacilityForecastModel pooled)
    {
        Options = options;
        TrainUntil = trainUntil;
        _facilities = facilities;
        Pool = pooled;
    }

    public ForecastOptions Options { get; }

    /// <summary>Counts before this time trained the model.</summary>
    public DateTime TrainUntil { get; }

    /// <summary>Fitted facilities, by id.</summary>
    public IReadOnlyDictionary<string, FacilityForecastModel> Facilities => _facilities;

    /// <summary>The parameters pooled over the facilities with enough history, for the others.</summary>
    public FacilityForecastModel Pool { get; }

    /// <summary>A facility's parameters (the pool's for a facility not in training).</summary>
    public FacilityForecastModel For(string facility) => _facilities.GetValueOrDefault(facility) ?? Pool;

    /// <summary>A forecaster from parameters fitted before (a model file): <paramref name="facilities"/> by id and the pool.</summary>
    public static OccupancyForecaster FromParameters(ForecastOptions options, DateTime trainUntil, IEnumerable<FacilityForecastModel> facilities, FacilityForecastModel pool)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new OccupancyForecaster(options, trainUntil, facilities.ToDictionary(f => f.Facility, StringComparer.Ordinal), pool);
    }

    /// <summary>An empty online state for a facility.</summary>
    public FacilityForecastState Start(string facility) => new(For(facility), Options);

    /// <summary>Fits every facility of <paramref name="history"/> on its counts before <paramref name="trainUntil"/>.</summary>
    public static OccupancyForecaster Fit(OccupancyHistory history, DateTime trainUntil, ForecastOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        options ??= new ForecastOptions();
        options.Validate();
        var fits = history.Facilities.Select(f => FitOne(f, f.LastAtOrBefore(trainUntil.Ticks - 1) + 1, options)).ToList();
        var enough = fits.Where(f => f.Scored >= options.MinResiduals).ToList();

        // The pool: the recency with the least deviation summed over all facilities; carry-over and errors of those with enough history.
        var grid = options.RecencyGrid;
        var pooledRecency = grid[0];
        var best = double.PositiveInfinity;
        for (var g = 0; g < grid.Count; g++)
        {
            var (sum, n) = fits.Aggregate((0.0, 0), (a, f) => (a.Item1 + f.Scores[g].Sum, a.Item2 + f.Scores[g].N));
            if (n > 0 && sum / n < best - 1e-12)
            {
                best = sum / n;
                pooledRecency = grid[g];
            }
        }

        var lags = options.MaxLagSlots + 1;
        var num = new double[lags];
        var den = new double[lags];
        var variance = 0.0;
        var count = 0;
        foreach (var f in enough)
        {
            for (var k = 0; k < lags; k++)
            {
                num[k] += f.Num[k];
                den[k] += f.Den[k];
            }

            variance += f.SumSquares;
            count += f.Scored;
        }

        var pooledCarry = Carry(num, den, count > 0 ? variance / count : 0, options);
        var horizons = options.HorizonSlots + 1;
        var pooledErrors = Enumerable.Range(0, horizons).Select(h => enough.SelectMany(f => f.Errors[h]).ToList()).ToArray();
        var (pooledLower, pooledUpper) = Quantiles(pooledErrors, null, null, options);
        var poolMethod = enough.Count == 0
            ? "no facility has enough history: the profile (or the last count) only, and the interval the whole range"
            : string.Create(CultureInfo.InvariantCulture, $"pooled over {enough.Count} facilities: profile recency {pooledRecency:0.##}, deviation carry-over and {options.Coverage:P0} error quantiles of theirs");
        var pool = new FacilityForecastModel("(pool)", pooledRecency, pooledCarry, pooledLower, pooledUpper, 0, count, 0, true, poolMethod);

        var models = new Dictionary<string, FacilityForecastModel>(StringComparer.Ordinal);
        foreach (var f in fits)
        {
            if (f.Scored < options.MinResiduals)
            {
                models[f.Facility] = new FacilityForecastModel(f.Facility, pool.Recency, pooledCarry, pooledLower, pooledUpper, f.TrainingCounts, f.Scored, f.ProfileMae, true,
                    string.Create(CultureInfo.InvariantCulture, $"little history ({f.TrainingCounts} counts before {trainUntil:yyyy-MM-dd HH:mm}, {f.Scored} after a {options.WarmUpDays}-day warm-up, fewer than {options.MinResiduals}): its own profile as counts come, with the pool's parameters ({pool.Method})"));
                continue;
            }

            var carry = Carry(f.Num, f.Den, f.SumSquares / f.Scored, options);
            var (lower, upper) = Quantiles(f.Errors, pooledLower, pooledUpper, options);
            models[f.Facility] = new FacilityForecastModel(f.Facility, f.Recency, carry, lower, upper, f.TrainingCounts, f.Scored, f.ProfileMae, false,
                string.Create(CultureInfo.InvariantCulture, $"weekday/time profile (recency {f.Recency:0.##}) + last deviation x carry-over (1 slot {carry[1]:0.00}, 2 h {carry[Math.Min(carry.Length - 1, 120 / options.SlotMinutes)]:0.00}, 1 day {carry[Math.Min(carry.Length - 1, options.SlotsPerDay)]:0.00}); fitted on {f.TrainingCounts} counts"));
        }

        return new OccupancyForecaster(options, trainUntil, models, pool);
    }

    /// <summary>
    /// Forecasts every facility at each slot from <paramref name="origin"/> to <paramref name="minutes"/> later, from
    /// the counts at or before the origin.
    /// </summary>
    public IReadOnlyList<FacilityForecast> Ahead(OccupancyHistory history, DateTime origin, int minutes)
    {
        ArgumentNullException.ThrowIfNull(history);
        var slot = Options.SlotTicks;
        var first = ((origin.Ticks / slot) + 1) * slot;
        var results = new List<FacilityForecast>();
        foreach (var f in history.Facilities)
        {
            var state = Start(f.Facility);
            var last = f.LastAtOrBefore(origin.Ticks);
            for (var i = 0; i <= last; i++)
            {
                state.Apply(f.Ticks[i], f.Occupied[i], f.Capacity[i]);
            }

            for (var t = first; t <= origin.Ticks + TimeSpan.FromMinutes(minutes).Ticks; t += slot)
            {
                if (state.Predict(t, origin.Ticks) is { } p)
                {
                    results.Add(new FacilityForecast(f.Facility, new DateTime(t), (int)Math.Round(TimeSpan.FromTicks(t - origin.Ticks).TotalMinutes), p));
                }
            }
        }

        return results;
    }

    private sealed record FacilityFit(
        string Facility,
        int TrainingCounts,
        double Recency,
        (double Sum, int N)[] Scores,
        int Scored,
        double ProfileMae,
        double SumSquares,
        double[] Num,
        double[] Den,
        List<double>[] Errors);

    private static FacilityFit FitOne(FacilitySeries f, int n, ForecastOptions options)
    {
        var grid = options.RecencyGrid;
        var warmEnd = n > 0 ? f.Ticks[0] + TimeSpan.FromDays(options.WarmUpDays).Ticks : long.MaxValue;
        var scores = new (double Sum, int N)[grid.Count];
        var bestG = 0;
        for (var g = 0; g < grid.Count; g++)
        {
            var (deviation, scored) = Deviations(f, n, grid[g], warmEnd, options);
            var sum = 0.0;
            var count = 0;
            for (var i = 0; i < n; i++)
            {
                if (scored[i])
                {
                    sum += Math.Abs(deviation[i]);
                    count++;
                }
            }

            scores[g] = (sum, count);
            if (count > 0 && sum / count < (scores[bestG].Sum / Math.Max(1, scores[bestG].N)) - 1e-12)
            {
                bestG = g;
            }
        }

        var recency = grid[bestG];
        var (r, ok) = Deviations(f, n, recency, warmEnd, options);
        var lags = options.MaxLagSlots + 1;
        var num = new double[lags];
        var den = new double[lags];
        var slot = options.SlotTicks;
        var maxLag = TimeSpan.FromDays(options.MaxLagDays).Ticks;
        var sumSquares = 0.0;
        var scoredCount = 0;
        for (var j = 0; j < n; j++)
        {
            if (!ok[j])
            {
                continue;
            }

            sumSquares += r[j] * r[j];
            scoredCount++;
            for (var i = j - 1; i >= 0 && f.Ticks[j] - f.Ticks[i] <= maxLag; i--)
            {
                if (ok[i])
                {
                    var k = LagSlots(f.Ticks[j] - f.Ticks[i], slot);
                    if (k < lags)
                    {
                        num[k] += r[j] * r[i];
                        den[k] += r[i] * r[i];
                    }
                }
            }
        }

        var carry = Carry(num, den, scoredCount > 0 ? sumSquares / scoredCount : 0, options);

        // Errors of the whole forecast at each horizon, made as the backtest makes them (last count at or before target - horizon).
        var horizons = options.HorizonSlots + 1;
        var errors = Enumerable.Range(0, horizons).Select(_ => new List<double>()).ToArray();
        for (var j = 0; j < n; j++)
        {
            if (!ok[j])
            {
                continue;
            }

            var actual = f.Occupied[j] / f.Capacity[j];
            var profile = actual - r[j];
            for (var h = 1; h < horizons; h++)
            {
                var i = f.LastAtOrBefore(f.Ticks[j] - (h * slot));
                if (i < 0)
                {
                    break;
                }

                var k = LagSlots(f.Ticks[j] - f.Ticks[i], slot);
                var c = k < carry.Length ? carry[k] : 0;
                errors[h].Add(actual - Math.Clamp(profile + (c * r[i]), 0, 1));
            }
        }

        var best = scores[bestG];
        return new FacilityFit(f.Facility, n, recency, scores, scoredCount, best.N > 0 ? best.Sum / best.N : 0, sumSquares, num, den, errors);
    }

    /// <summary>Each training count's deviation from the profile it met, and whether it is scored (after the warm-up, weekday/time profile).</summary>
    private static (double[] Deviation, bool[] Scored) Deviations(FacilitySeries f, int n, double recency, long warmEnd, ForecastOptions options)
    {
        var model = new FacilityForecastModel(f.Facility, recency, [0], [0, 0], [0, 0], 0, 0, 0, false, string.Empty);
        var state = new FacilityForecastState(model, options);
        var deviation = new double[n];
        var scored = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var (d, basis) = state.Apply(f.Ticks[i], f.Occupied[i], f.Capacity[i]);
            deviation[i] = d;
            scored[i] = basis == ForecastBasis.Profile && f.Ticks[i] >= warmEnd;
        }

        return (deviation, scored);
    }

    private static int LagSlots(long ticks, long slot) => (int)Math.Max(1, Math.Round((double)ticks / slot, MidpointRounding.AwayFromZero));

    /// <summary>Carry-over per lag: the least-squares slope of a deviation on the one k slots before, shrunk towards 0, within [0, 1].</summary>
    private static double[] Carry(double[] num, double[] den, double variance, ForecastOptions options)
    {
        var carry = new double[num.Length];
        for (var k = 1; k < num.Length; k++)
        {
            var d = den[k] + (options.Shrinkage * variance);
            carry[k] = d > 0 ? Math.Clamp(num[k] / d, 0, 1) : 0;
        }

        carry[0] = carry.Length > 1 ? carry[1] : 0;
        return carry;
    }

    /// <summary>Error quantiles per horizon; a horizon with too few errors takes the fallback's (or the whole range).</summary>
    private static (double[] Lower, double[] Upper) Quantiles(List<double>[] errors, double[]? fallbackLower, double[]? fallbackUpper, ForecastOptions options)
    {
        var lower = new double[errors.Length];
        var upper = new double[errors.Length];
        var tail = (1 - options.Coverage) / 2;
        for (var h = 1; h < errors.Length; h++)
        {
            if (errors[h].Count >= Math.Min(options.MinResiduals, 30))
            {
                var sorted = errors[h].ToArray();
                Array.Sort(sorted);
                lower[h] = Quantile(sorted, tail);
                upper[h] = Quantile(sorted, 1 - tail);
            }
            else
            {
                lower[h] = fallbackLower?[h] ?? -1;
                upper[h] = fallbackUpper?[h] ?? 1;
            }
        }

        return (lower, upper);
    }

    /// <summary>The p-quantile of sorted values, linear between order statistics (Hyndman and Fan type 7).</summary>
    internal static double Quantile(double[] sorted, double p)
    {
        var position = p * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
