using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace CityTwin.Engine.Parking.WhatIf;

/// <summary>
/// A class of a length-of-stay histogram: <paramref name="Count"/> stays longer than <paramref name="LowerH"/>
/// hours and at most <paramref name="UpperH"/> hours (<see cref="double.PositiveInfinity"/> for an open last class).
/// </summary>
public sealed record DurationBin(double LowerH, double UpperH, double Count);

/// <summary>
/// How long a parked car stays: a log-normal distribution of hours (ln of the stay is normal with mean
/// <paramref name="Mu"/> and standard deviation <paramref name="Sigma"/>), evaluated with MathNet.Numerics.
/// </summary>
public sealed record DwellDistribution(double Mu, double Sigma)
{
    /// <summary>Median stay (hours).</summary>
    public double MedianH => Math.Exp(Mu);

    /// <summary>Mean stay (hours).</summary>
    public double MeanH => Math.Exp(Mu + (Sigma * Sigma / 2));

    /// <summary>The stay at probability <paramref name="u"/> (0 &lt; u &lt; 1): one uniform number gives one stay.</summary>
    public double QuantileH(double u) => LogNormal.InvCDF(Mu, Sigma, Math.Clamp(u, 1e-12, 1 - 1e-12));

    /// <summary>Probability that a stay lasts longer than <paramref name="hours"/>.</summary>
    public double Survival(double hours) => hours <= 0 ? 1.0 : 1.0 - LogNormal.CDF(Mu, Sigma, hours);

    /// <summary>A distribution with the given median (hours) and log-scale spread.</summary>
    public static DwellDistribution FromMedian(double medianH, double sigma)
    {
        if (!(medianH > 0) || !double.IsFinite(medianH) || !(sigma > 0) || !double.IsFinite(sigma))
        {
            throw new ArgumentException($"a dwell distribution needs a median > 0 and a sigma > 0 (got {medianH}, {sigma})");
        }

        return new DwellDistribution(Math.Log(medianH), sigma);
    }

    /// <summary>Checks the parameters; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate(string name)
    {
        if (!double.IsFinite(Mu) || !(Sigma > 0) || !double.IsFinite(Sigma))
        {
            throw new ArgumentException($"{name}: mu must be finite and sigma > 0 (got mu {Mu}, sigma {Sigma})");
        }
    }

    /// <summary>
    /// Fits a log-normal to a length-of-stay histogram by maximum likelihood, each class counted as an interval
    /// (interval-censored data: a survey by patrols sees a stay only to within its class). The log-likelihood
    /// sum of n_k ln(F(upper_k) - F(lower_k)) is maximised over (mu, ln sigma) with MathNet's Nelder-Mead simplex,
    /// started from the log-normal fitted to the class mid-points.
    /// </summary>
    public static DwellFit Fit(IReadOnlyList<DurationBin> bins)
    {
        ArgumentNullException.ThrowIfNull(bins);
        var errors = new List<string>();
        for (var i = 0; i < bins.Count; i++)
        {
            var b = bins[i];
            if (!(b.LowerH >= 0) || !(b.UpperH > b.LowerH) || !(b.Count >= 0) || !double.IsFinite(b.Count) || double.IsInfinity(b.LowerH))
            {
                errors.Add($"class {i + 1} ({b.LowerH}..{b.UpperH} h, {b.Count}): needs 0 <= lower < upper and a count >= 0");
            }
        }

        var total = bins.Sum(b => b.Count);
        if (errors.Count == 0 && bins.Count(b => b.Count > 0) < 2)
        {
            errors.Add("at least two classes must hold stays to fit a spread");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("the length-of-stay histogram cannot be fitted: " + string.Join("; ", errors));
        }

        // Start: mean and spread of ln(mid-point), the open class at 1.25 x its lower bound.
        double Mid(DurationBin b) => double.IsPositiveInfinity(b.UpperH) ? 1.25 * b.LowerH : b.LowerH > 0 ? Math.Sqrt(b.LowerH * b.UpperH) : b.UpperH / 2;
        var mu0 = bins.Sum(b => b.Count * Math.Log(Mid(b))) / total;
        var s0 = Math.Sqrt(Math.Max(1e-4, bins.Sum(b => b.Count * Math.Pow(Math.Log(Mid(b)) - mu0, 2)) / total));

        double NegLogLikelihood(double mu, double lnSigma)
        {
            var sigma = Math.Exp(lnSigma);
            var sum = 0.0;
            foreach (var b in bins)
            {
                if (b.Count <= 0)
                {
                    continue;
                }

                var hi = double.IsPositiveInfinity(b.UpperH) ? 1.0 : LogNormal.CDF(mu, sigma, b.UpperH);
                var lo = b.LowerH <= 0 ? 0.0 : LogNormal.CDF(mu, sigma, b.LowerH);
                sum += b.Count * Math.Log(Math.Max(hi - lo, 1e-300));
            }

            return -sum;
        }

        var (mu, lnSigma) = FindMinimum.OfFunction(NegLogLikelihood, mu0, Math.Log(s0), 1e-10, 10_000);
        return new DwellFit(new DwellDistribution(mu, Math.Exp(lnSigma)), -NegLogLikelihood(mu, lnSigma), total);
    }
}

/// <summary>A fitted dwell distribution with its log-likelihood and the number of stays it was fitted to.</summary>
public sealed record DwellFit(DwellDistribution Distribution, double LogLikelihood, double Stays);
