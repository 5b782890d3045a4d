namespace CityTwin.Engine.Parking.Forecast;

/// <summary>
/// One held-out count and what each method forecast for it from the counts at least the horizon older:
/// the model (with its interval), the last count known then, and the count at the same time a week before.
/// A missing forecast is null (no count yet, or no count within half a slot of the time a week before).
/// </summary>
public sealed record BacktestRow(
    string Facility,
    DateTime LocalTime,
    double Actual,
    int Capacity,
    double? Forecast,
    double? Lower,
    double? Upper,
    ForecastBasis? Basis,
    double? LastValue,
    double? LastWeek);

/// <summary>
/// Scores over the held-out counts every method forecast (<see cref="Compared"/> of <see cref="Counts"/>): mean
/// absolute errors (vehicles) of the model and of the two naive baselines, the model's mean absolute error as a
/// share of capacity, and the share of counts inside the model's interval.
/// </summary>
public sealed record BacktestScore(
    string Facility,
    int Counts,
    int Compared,
    double ModelMae,
    double LastValueMae,
    double LastWeekMae,
    double ModelMaeShare,
    double Coverage,
    string Method)
{
    /// <summary>True when the model's error is below both baselines'.</summary>
    public bool BeatsBoth => Compared > 0 && ModelMae < LastValueMae && ModelMae < LastWeekMae;
}

/// <summary>A backtest's rows (time order within facility order), scores per facility and over all compared counts.</summary>
public sealed record BacktestResult(
    DateTime TrainUntil,
    int HorizonMin,
    double NominalCoverage,
    IReadOnlyList<BacktestRow> Rows,
    IReadOnlyList<BacktestScore> Facilities,
    BacktestScore Overall,
    OccupancyForecaster Model);

/// <summary>
/// Rolling-origin evaluation: the model is fitted on the counts at least the horizon before the training end; then
/// every count at or after the training end is forecast from exactly the counts at least <c>horizon</c> older (the facility's profile and last
/// deviation keep being updated with them; the fitted parameters do not change).
/// </summary>
public static class OccupancyBacktest
{
    public static BacktestResult Run(OccupancyHistory history, DateTime trainUntil, int horizonMin, ForecastOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (horizonMin <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(horizonMin), horizonMin, "the horizon must be at least 1 minute");
        }

        options ??= new ForecastOptions();
        options = options with { MaxHorizonMin = Math.Max(options.MaxHorizonMin, horizonMin) };
        var horizon = TimeSpan.FromMinutes(horizonMin).Ticks;

        // The parameters are fitted on the counts at least the horizon older than the first held-out time, so no
        // forecast depends on a count less than the horizon older than its target, not even through the fit.
        var model = OccupancyForecaster.Fit(history, new DateTime(trainUntil.Ticks - horizon + 1), options);
        var week = TimeSpan.FromDays(7).Ticks;
        var halfSlot = options.SlotTicks / 2;
        var rows = new List<BacktestRow>();
        var scores = new List<BacktestScore>();
        foreach (var f in history.Facilities)
        {
            var state = model.Start(f.Facility);
            var applied = 0;
            var start = f.LastAtOrBefore(trainUntil.Ticks - 1) + 1;
            var mine = new List<BacktestRow>();
            for (var j = start; j < f.Count; j++)
            {
                var origin = f.Ticks[j] - horizon;
                while (applied < f.Count && f.Ticks[applied] <= origin)
                {
                    state.Apply(f.Ticks[applied], f.Occupied[applied], f.Capacity[applied]);
                    applied++;
                }

                var p = state.Predict(f.Ticks[j], origin);
                double? lastValue = applied > 0 ? f.Occupied[applied - 1] : null;
                var w = f.Nearest(f.Ticks[j] - week, halfSlot);
                double? lastWeek = w >= 0 && f.Ticks[w] <= origin ? f.Occupied[w] : null;
                mine.Add(new BacktestRow(f.Facility, new DateTime(f.Ticks[j]), f.Occupied[j], f.Capacity[j], p?.Forecast, p?.Lower, p?.Upper, p?.Basis, lastValue, lastWeek));
            }

            if (mine.Count > 0)
            {
                rows.AddRange(mine);
                scores.Add(Score(f.Facility, mine, model.For(f.Facility).Method));
            }
        }

        return new BacktestResult(trainUntil, horizonMin, options.Coverage, rows, scores, Score("all", rows, "all facilities, every compared count weighing the same"), model);
    }

    private static BacktestScore Score(string facility, IReadOnlyList<BacktestRow> rows, string method)
    {
        int n = 0, inside = 0;
        double model = 0, last = 0, lastWeek = 0, share = 0;
        foreach (var r in rows)
        {
            if (r.Forecast is not { } fc || r.LastValue is not { } lv || r.LastWeek is not { } lw)
            {
                continue;
            }

            n++;
            model += Math.Abs(r.Actual - fc);
            last += Math.Abs(r.Actual - lv);
            lastWeek += Math.Abs(r.Actual - lw);
            share += Math.Abs(r.Actual - fc) / r.Capacity;
            if (r.Lower <= r.Actual && r.Actual <= r.Upper)
            {
                inside++;
            }
        }

        return n == 0
            ? new BacktestScore(facility, rows.Count, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, method)
            : new BacktestScore(facility, rows.Count, n, model / n, last / n, lastWeek / n, share / n, (double)inside / n, method);
    }
}
