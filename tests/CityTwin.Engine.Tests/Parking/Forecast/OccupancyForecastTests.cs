using CityTwin.Engine.Parking.Forecast;
using CityTwin.Engine.Parking.WhatIf;
using CityTwin.Formats.ParkingWhatIf;

namespace CityTwin.Engine.Tests.Parking.Forecast;

/// <summary>
/// The occupancy forecaster: on real held-out weeks (Birmingham, CC BY 4.0, tests/data/parking-birmingham/SOURCE.txt)
/// against the two naive baselines, and on synthetic series whose right answer is known.
/// </summary>
public sealed class OccupancyForecastTests
{
    private static readonly string SlicePath = Path.Combine(AppContext.BaseDirectory, "data", "parking-birmingham", "birmingham-10-carparks.csv");

    private static readonly DateTime HeldOutFrom = new(2016, 11, 28);

    private static OccupancyHistory Slice()
    {
        var counts = OccupancyCountsReader.ReadFileNumbered(SlicePath);
        return OccupancyHistory.Build(counts.Samples, counts.Lines);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(180)]
    public void Model_beats_both_naive_baselines_on_held_out_Birmingham_weeks(int horizonMin)
    {
        var result = OccupancyBacktest.Run(Slice(), HeldOutFrom, horizonMin);

        // The MAEs recomputed from the rows, over the counts all three methods forecast.
        var compared = result.Rows.Where(r => r.Forecast is not null && r.LastValue is not null && r.LastWeek is not null).ToList();
        Assert.True(compared.Count > 2000, $"{compared.Count} compared counts");
        Assert.All(result.Rows, r => Assert.True(r.LocalTime >= HeldOutFrom));
        var model = compared.Average(r => Math.Abs(r.Actual - r.Forecast!.Value));
        var lastValue = compared.Average(r => Math.Abs(r.Actual - r.LastValue!.Value));
        var lastWeek = compared.Average(r => Math.Abs(r.Actual - r.LastWeek!.Value));
        Assert.Equal(model, result.Overall.ModelMae, 9);
        Assert.Equal(lastValue, result.Overall.LastValueMae, 9);
        Assert.Equal(lastWeek, result.Overall.LastWeekMae, 9);

        Assert.True(model < lastValue, $"model MAE {model:F2} vs last value {lastValue:F2}");
        Assert.True(model < lastWeek, $"model MAE {model:F2} vs same time last week {lastWeek:F2}");

        // The 90% interval covers roughly 90% of the held-out counts (real data: not exactly).
        var inside = compared.Count(r => r.Lower <= r.Actual && r.Actual <= r.Upper) / (double)compared.Count;
        Assert.InRange(inside, 0.85, 0.97);
        Assert.All(compared, r => Assert.True(r.Lower >= 0 && r.Lower <= r.Forecast && r.Forecast <= r.Upper && r.Upper <= r.Capacity));
    }

    [Fact]
    public void The_backtest_is_deterministic()
    {
        var a = OccupancyBacktest.Run(Slice(), HeldOutFrom, 60);
        var b = OccupancyBacktest.Run(Slice(), HeldOutFrom, 60);
        Assert.Equal(a.Rows, b.Rows);
    }

    [Fact]
    public void A_pure_weekly_profile_is_forecast_exactly()
    {
        var counts = Series("P", 1000, weeks: 6, (t, _) => WeeklyShape(t));
        var start = Monday.AddDays(28);
        foreach (var horizon in new[] { 30, 60, 1440 })
        {
            var result = OccupancyBacktest.Run(OccupancyHistory.Build(counts), start, horizon);
            Assert.Equal(14 * 48, result.Rows.Count);
            Assert.All(result.Rows, r =>
            {
                Assert.Equal(r.Actual, r.Forecast!.Value, 9);
                Assert.Equal(r.Actual, r.Lower!.Value, 9);
                Assert.Equal(r.Actual, r.Upper!.Value, 9);
                Assert.Equal(ForecastBasis.Profile, r.Basis);
            });
            Assert.True(result.Overall.LastValueMae > 10 && result.Overall.LastWeekMae == 0);
        }
    }

    [Fact]
    public void The_recent_deviation_is_used_at_short_horizons()
    {
        // A weekly profile plus an AR(1) deviation (0.9 per 30-min step, seeded) counted every 30 min around the clock.
        const double phi = 0.9;
        var rng = new Random(11);
        var deviation = 0.0;
        var counts = Series("P", 1000, weeks: 10, (t, _) =>
        {
            deviation = (phi * deviation) + (0.03 * Gaussian(rng));
            return WeeklyShape(t) + deviation;
        });
        var history = OccupancyHistory.Build(counts);
        var trainUntil = Monday.AddDays(42);
        var forecaster = OccupancyForecaster.Fit(history, trainUntil);
        var model = forecaster.For("P");
        Assert.False(model.Pooled);
        Assert.InRange(model.Carry[1], 0.8, 0.98);
        Assert.InRange(model.Carry[4], Math.Pow(phi, 4) - 0.12, Math.Pow(phi, 4) + 0.12);
        Assert.True(model.Carry[1] > model.Carry[4] && model.Carry[4] > model.Carry[24], string.Join(' ', model.Carry.Take(25)));

        // At 30 min the deviation-carrying forecast is much better than the profile alone; at a week it adds nothing.
        var f = history["P"]!;
        var state = forecaster.Start("P");
        double withDeviation = 0, profileOnly = 0;
        var n = 0;
        for (var j = 0; j < f.Count; j++)
        {
            if (f.Ticks[j] >= trainUntil.Ticks && state.Predict(f.Ticks[j], f.Ticks[j] - TimeSpan.FromMinutes(30).Ticks) is { } p)
            {
                withDeviation += Math.Abs(f.Occupied[j] - p.Forecast);
                profileOnly += Math.Abs(f.Occupied[j] - (state.Profile(f.Ticks[j]).Value * 1000));
                n++;
            }

            state.Apply(f.Ticks[j], f.Occupied[j], f.Capacity[j]);
        }

        Assert.True(withDeviation < 0.6 * profileOnly, $"MAE {withDeviation / n:F2} with the deviation vs {profileOnly / n:F2} profile only");
    }

    [Theory]
    [InlineData(0.9)]
    [InlineData(0.5)]
    public void Intervals_cover_about_their_nominal_share_on_synthetic_noise(double coverage)
    {
        var rng = new Random(5);
        var counts = Series("P", 1000, weeks: 12, (t, _) => WeeklyShape(t) + (0.04 * Gaussian(rng)));
        var result = OccupancyBacktest.Run(OccupancyHistory.Build(counts), Monday.AddDays(56), 60, new ForecastOptions { Coverage = coverage });
        var rows = result.Rows.Where(r => r.Forecast is not null).ToList();
        var inside = rows.Count(r => r.Lower <= r.Actual && r.Actual <= r.Upper) / (double)rows.Count;

        // 4 held-out weeks x 336 counts: the standard error of the share is under 0.014.
        Assert.InRange(inside, coverage - 0.05, coverage + 0.05);
        Assert.Equal(inside, result.Overall.Coverage, 2);
    }

    [Theory]
    [InlineData(60, false)]
    [InlineData(180, false)]
    [InlineData(180, true)] // held out from just before the target: the counts of that morning must not reach the fit either
    public void Counts_newer_than_the_target_minus_the_horizon_do_not_change_its_forecast(int horizonMin, bool heldOutFromTheTarget)
    {
        var counts = OccupancyCountsReader.ReadFile(SlicePath);
        var target = new DateTime(2016, 12, 7, 12, 0, 0);
        var origin = target.AddMinutes(-horizonMin);
        var heldOutFrom = heldOutFromTheTarget ? target.AddMinutes(-10) : HeldOutFrom;
        var original = OccupancyBacktest.Run(OccupancyHistory.Build(counts), heldOutFrom, horizonMin);

        // Every count after the origin (the target's own included) replaced by its mirror image.
        var changed = counts.Select(s => s.LocalTime > origin ? s with { Occupied = Math.Max(0, s.Capacity - s.Occupied) } : s).ToList();
        var altered = OccupancyBacktest.Run(OccupancyHistory.Build(changed), heldOutFrom, horizonMin);

        var targets = original.Rows.Where(r => r.LocalTime > origin && r.LocalTime >= heldOutFrom && r.LocalTime <= target.AddMinutes(5)).ToList();
        Assert.True(targets.Count >= 5, $"{targets.Count} targets");
        foreach (var r in targets.Where(r => r.LocalTime >= target.AddMinutes(-5)))
        {
            var a = altered.Rows.Single(x => x.Facility == r.Facility && x.LocalTime == r.LocalTime);
            Assert.NotEqual(r.Actual, a.Actual);
            Assert.Equal((r.Forecast, r.Lower, r.Upper, r.LastValue, r.LastWeek), (a.Forecast, a.Lower, a.Upper, a.LastValue, a.LastWeek));
        }

        // The same change from a little earlier (inside the horizon) does change them: the test can see a leak.
        var leaky = counts.Select(s => s.LocalTime > origin.AddMinutes(-45) ? s with { Occupied = Math.Max(0, s.Capacity - s.Occupied) } : s).ToList();
        var moved = OccupancyBacktest.Run(OccupancyHistory.Build(leaky), heldOutFrom, horizonMin);
        Assert.Contains(targets.Where(r => r.LocalTime >= target.AddMinutes(-5)), r => moved.Rows.Single(x => x.Facility == r.Facility && x.LocalTime == r.LocalTime).Forecast != r.Forecast);
    }

    [Fact]
    public void Quirks_of_the_real_data_are_noted_with_their_lines()
    {
        var history = Slice();
        var counts = OccupancyCountsReader.ReadFile(SlicePath);

        // Counted independently from the raw counts (first count of a facility and time kept).
        var kept = new HashSet<(string, DateTime)>();
        int negative = 0, repeated = 0, above = 0;
        foreach (var s in counts)
        {
            if (s.Occupied < 0)
            {
                negative++;
            }
            else if (!kept.Add((s.Facility, s.LocalTime)))
            {
                repeated++;
            }
            else if (s.Occupied > s.Capacity)
            {
                above++;
            }
        }

        Assert.True(negative > 0 && repeated > 0 && above > 0);
        Assert.Equal(negative, history.Count(OccupancyIssue.Negative));
        Assert.Equal(repeated, history.Count(OccupancyIssue.Repeated));
        Assert.Equal(above, history.Count(OccupancyIssue.AboveCapacity));
        Assert.Equal(0, history.Count(OccupancyIssue.NoCapacity));
        Assert.Equal(kept.Count, history.Used);
        Assert.All(history.Facilities, f => Assert.All(f.Occupied.Zip(f.Capacity), p => Assert.InRange(p.First, 0, p.Second)));

        var lines = File.ReadAllLines(SlicePath);
        foreach (var note in history.Notes.Where(n => n.Kind == OccupancyIssue.Negative))
        {
            Assert.StartsWith(note.Facility + ",", lines[note.Line - 1], StringComparison.Ordinal);
            Assert.Contains(",-", lines[note.Line - 1], StringComparison.Ordinal);
        }

        Assert.All(history.Facilities, f => Assert.True(f.Ticks.Zip(f.Ticks.Skip(1)).All(p => p.First < p.Second)));
    }

    [Fact]
    public void A_facility_with_little_history_falls_back_to_the_pool_and_says_so()
    {
        var counts = Series("OLD", 500, weeks: 6, (t, _) => WeeklyShape(t)).ToList();
        counts.AddRange(Series("NEW", 200, weeks: 6, (t, _) => 0.5 * WeeklyShape(t)).Where(s => s.LocalTime >= Monday.AddDays(26)));
        var history = OccupancyHistory.Build(counts);
        var forecaster = OccupancyForecaster.Fit(history, Monday.AddDays(28));
        Assert.False(forecaster.For("OLD").Pooled);
        var young = forecaster.For("NEW");
        Assert.True(young.Pooled);
        Assert.Contains("little history (96 counts", young.Method, StringComparison.Ordinal);

        // Its own profile builds up from its counts; before a weekday has come round the time-of-day mean stands in.
        var result = OccupancyBacktest.Run(history, Monday.AddDays(28), 60);
        var rows = result.Rows.Where(r => r.Facility == "NEW").ToList();
        Assert.Contains(rows, r => r.Basis == ForecastBasis.TimeOfDay);
        Assert.Equal(ForecastBasis.Profile, rows[^1].Basis);
        Assert.All(rows, r => Assert.InRange(r.Forecast!.Value, 0, 200));
    }

    [Fact]
    public void Forecasts_ahead_cover_every_facility_for_the_next_day()
    {
        var history = Slice();
        var origin = new DateTime(2016, 12, 19, 16, 30, 0);
        var forecaster = OccupancyForecaster.Fit(history, origin.AddTicks(1));
        var ahead = forecaster.Ahead(history, origin, 24 * 60);
        Assert.Equal(history.Facilities.Count * 48, ahead.Count);
        Assert.All(ahead, a => Assert.InRange(a.HorizonMin, 30, 1440));

        // Tomorrow (a Tuesday) at 12:00 the forecast is the Tuesday noon profile: within the range of past Tuesday noons.
        var noon = history.Facilities.Where(f => f.Facility == "Shopping").Single();
        var past = Enumerable.Range(0, noon.Count).Where(i => new DateTime(noon.Ticks[i]) is { DayOfWeek: DayOfWeek.Tuesday, Hour: 12 or 11 } t && (t.Hour == 12 ? t.Minute < 15 : t.Minute >= 45)).Select(i => noon.Occupied[i]).ToList();
        var f = ahead.Single(a => a.Facility == "Shopping" && a.LocalTime == new DateTime(2016, 12, 20, 12, 0, 0));
        Assert.InRange(f.Prediction.Forecast, past.Min(), past.Max());
        Assert.True(f.Prediction.Lower < f.Prediction.Forecast && f.Prediction.Forecast < f.Prediction.Upper);
    }

    private static readonly DateTime Monday = new(2016, 10, 3);

    /// <summary>Occupancy share by weekday and time: a midday hump, lower at weekends.</summary>
    private static double WeeklyShape(DateTime t)
    {
        var day = ((int)t.DayOfWeek + 6) % 7;
        var hour = t.TimeOfDay.TotalHours;
        var level = day < 5 ? 0.7 + (0.03 * day) : 0.35;
        return 0.05 + (level * Math.Exp(-Math.Pow((hour - 13) / 3.5, 2)));
    }

    /// <summary>A facility counted every 30 min (a couple of minutes late, as real counters are) for whole weeks from a Monday.</summary>
    private static List<OccupancySample> Series(string id, int capacity, int weeks, Func<DateTime, int, double> share)
    {
        var list = new List<OccupancySample>();
        for (var k = 0; k < weeks * 7 * 48; k++)
        {
            var t = Monday.AddMinutes((30 * k) + (k % 3));
            list.Add(new OccupancySample(id, capacity, (int)Math.Round(Math.Clamp(share(t, k), 0, 1) * capacity), t));
        }

        return list;
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
