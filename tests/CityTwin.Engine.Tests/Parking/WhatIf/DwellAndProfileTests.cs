using CityTwin.Engine.Parking.WhatIf;
using MathNet.Numerics.Distributions;

namespace CityTwin.Engine.Tests.Parking.WhatIf;

public sealed class DwellAndProfileTests
{
    [Fact]
    public void Fit_recovers_a_log_normal_from_its_exact_class_counts()
    {
        // The maximum-likelihood fit of the exact expected counts of classes is the distribution they came from.
        const double mu = 0.4, sigma = 0.65, n = 10_000;
        double[] edges = [0, 0.5, 1, 1.5, 2, 3, 4, 6, 8, double.PositiveInfinity];
        var bins = new List<DurationBin>();
        for (var i = 0; i + 1 < edges.Length; i++)
        {
            var hi = double.IsPositiveInfinity(edges[i + 1]) ? 1 : LogNormal.CDF(mu, sigma, edges[i + 1]);
            var lo = edges[i] == 0 ? 0 : LogNormal.CDF(mu, sigma, edges[i]);
            bins.Add(new DurationBin(edges[i], edges[i + 1], n * (hi - lo)));
        }

        var fit = DwellDistribution.Fit(bins);
        Assert.Equal(mu, fit.Distribution.Mu, 1e-4);
        Assert.Equal(sigma, fit.Distribution.Sigma, 1e-4);
        Assert.Equal(n, fit.Stays, 1e-6);
    }

    [Fact]
    public void Fitted_Charlottesville_stays_have_about_the_mean_the_study_reports()
    {
        // City of Charlottesville, Downtown Parking Study Final Report (2008), p. 9: "The average length-of-stay was
        // 1.6 hours" (computed from the classes "about k hours" at k; our fit treats each class as an interval).
        var fit = DwellDistribution.Fit(LiteratureFigures.CharlottesvilleOnStreetStays);
        Assert.InRange(fit.Distribution.MeanH, 1.6 * 0.9, 1.6 * 1.1);
        Assert.InRange(fit.Distribution.MedianH, 1.0, 1.5); // 909 of 1,399 stays (65%) were about an hour or less
        Assert.Equal(1399, fit.Stays);
    }

    [Fact]
    public void A_histogram_with_one_class_or_a_bad_class_is_refused()
    {
        Assert.Throws<ArgumentException>(() => DwellDistribution.Fit([new DurationBin(0, 1, 10)]));
        var e = Assert.Throws<ArgumentException>(() => DwellDistribution.Fit([new DurationBin(0, 1, 10), new DurationBin(2, 1, 5)]));
        Assert.Contains("class 2", e.Message);
    }

    [Fact]
    public void Occupancy_profile_gives_day_factors_and_peak_and_counts_the_quirks()
    {
        // Two car parks (100 and 300 spaces): 50% full at 12:00 and 25% at 09:00 Monday to Friday, half that on
        // Saturday, a fifth on Sunday. 2016-10-03 is a Monday.
        var samples = new List<OccupancySample>();
        var monday = new DateTime(2016, 10, 3);
        double[] level = [1, 1, 1, 1, 1, 0.5, 0.2];
        for (var d = 0; d < 7; d++)
        {
            foreach (var (id, cap) in new[] { ("A", 100), ("B", 300) })
            {
                samples.Add(new OccupancySample(id, cap, (int)Math.Round(cap * 0.5 * level[d]), monday.AddDays(d).AddHours(12).AddMinutes(4)));
                samples.Add(new OccupancySample(id, cap, (int)Math.Round(cap * 0.25 * level[d]), monday.AddDays(d).AddHours(9).AddMinutes(-7)));
            }
        }

        samples.Add(new OccupancySample("A", 100, -3, monday.AddHours(10)));          // negative: dropped
        samples.Add(new OccupancySample("A", 100, 50, monday.AddHours(12).AddMinutes(4))); // repeated time: dropped
        samples.Add(new OccupancySample("B", 300, 330, monday.AddDays(7).AddHours(15)));  // above capacity: taken as full

        var fit = OccupancyProfileFit.Fit(samples);
        Assert.Equal(1, fit.DroppedBad);
        Assert.Equal(1, fit.Duplicates);
        Assert.Equal(1, fit.Clipped);
        Assert.Equal(29, fit.Used);
        Assert.Equal(2, fit.Facilities);
        Assert.Equal(0.5, fit.WeekdayPeakOccupancy, 1e-9);
        Assert.Equal(12 * 60, fit.WeekdayPeakSlot);
        for (var d = 0; d < 7; d++)
        {
            Assert.Equal(level[d], fit.DayFactors[d], 1e-9);
        }

        Assert.Equal(1.0, fit.Profile[0][(15 * 2)], 1e-9); // the clipped Monday 15:00 count of the following week
    }
}
