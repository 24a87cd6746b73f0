//! Descriptive statistics, computed stably: the mean with a correction pass, the variance by
//! the corrected two-pass algorithm (Chan, Golub & LeVeque 1983), and quantiles by linear
//! interpolation between order statistics — Hyndman & Fan (1996) type 7, the default of numpy,
//! R and pandas — reproducing numpy's `quantile` to the last bit.

use crate::{Result, StatsError, check_finite};

/// The mean of finite values, without checks: a plain mean plus a correction pass that removes
/// most of the rounding of the first.
pub(crate) fn mean_unchecked(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    m + xs.iter().map(|x| x - m).sum::<f64>() / n
}

/// The sum of squared deviations from `m`, corrected for the rounding of `m`.
pub(crate) fn sum_sq_dev(xs: &[f64], m: f64) -> f64 {
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in xs {
        let d = x - m;
        s1 += d;
        s2 += d * d;
    }
    (s2 - s1 * s1 / xs.len() as f64).max(0.0)
}

/// The arithmetic mean.
///
/// ```
/// assert_eq!(sellerq_stats::descriptive::mean(&[1.0, 2.0, 6.0]).unwrap(), 3.0);
/// ```
pub fn mean(xs: &[f64]) -> Result<f64> {
    if xs.is_empty() {
        return Err(StatsError::TooFew { needed: 1, got: 0 });
    }
    check_finite(xs)?;
    let m = mean_unchecked(xs);
    if m.is_finite() {
        Ok(m)
    } else {
        Err(StatsError::Degenerate("the mean overflows"))
    }
}

/// The sample variance (denominator n − 1).
///
/// ```
/// assert_eq!(sellerq_stats::descriptive::variance(&[1.0, 2.0, 3.0, 4.0]).unwrap(), 5.0 / 3.0);
/// ```
pub fn variance(xs: &[f64]) -> Result<f64> {
    if xs.len() < 2 {
        return Err(StatsError::TooFew {
            needed: 2,
            got: xs.len(),
        });
    }
    let m = mean(xs)?;
    let v = sum_sq_dev(xs, m) / (xs.len() - 1) as f64;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(StatsError::Degenerate("the variance overflows"))
    }
}

/// The sample standard deviation (denominator n − 1).
pub fn sd(xs: &[f64]) -> Result<f64> {
    variance(xs).map(f64::sqrt)
}

/// The type 7 quantile of already sorted, finite values (not checked), 0 ≤ p ≤ 1.
pub(crate) fn quantile_sorted_unchecked(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    // numpy's virtual index for the linear method, rounded the same way.
    let h = (n - 1) as f64 * p;
    let below = h.floor().clamp(0.0, (n - 1) as f64);
    let i = below as usize;
    let g = h - below;
    if i + 1 >= n {
        return sorted[n - 1];
    }
    let (a, b) = (sorted[i], sorted[i + 1]);
    let diff = b - a;
    // numpy interpolates from the nearer end, which keeps the result monotone and exact at ends.
    if g >= 0.5 {
        b - diff * (1.0 - g)
    } else {
        a + diff * g
    }
}

/// The type 7 quantile of values already sorted ascending: `(n − 1)·p` is the (fractional)
/// position, interpolated linearly.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Result<f64> {
    if sorted.is_empty() {
        return Err(StatsError::TooFew { needed: 1, got: 0 });
    }
    if !(0.0..=1.0).contains(&p) {
        return Err(StatsError::InvalidArgument(
            "quantile level must lie in [0, 1]",
        ));
    }
    check_finite(sorted)?;
    if sorted.windows(2).any(|w| w[1] < w[0]) {
        return Err(StatsError::InvalidArgument(
            "values must be sorted ascending",
        ));
    }
    Ok(quantile_sorted_unchecked(sorted, p))
}

/// Several type 7 quantiles of unsorted values (sorts one copy).
///
/// ```
/// let q = sellerq_stats::descriptive::quantiles(&[4.0, 1.0, 3.0, 2.0], &[0.0, 0.5, 0.9]).unwrap();
/// assert_eq!(q, vec![1.0, 2.5, 3.7]);
/// ```
pub fn quantiles(xs: &[f64], ps: &[f64]) -> Result<Vec<f64>> {
    if xs.is_empty() {
        return Err(StatsError::TooFew { needed: 1, got: 0 });
    }
    check_finite(xs)?;
    if ps.iter().any(|p| !(0.0..=1.0).contains(p)) {
        return Err(StatsError::InvalidArgument(
            "quantile level must lie in [0, 1]",
        ));
    }
    let mut sorted = xs.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    Ok(ps
        .iter()
        .map(|&p| quantile_sorted_unchecked(&sorted, p))
        .collect())
}

/// One type 7 quantile of unsorted values.
pub fn quantile(xs: &[f64], p: f64) -> Result<f64> {
    quantiles(xs, &[p]).map(|q| q[0])
}

/// A five-number summary with mean and SD.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample SD (n − 1); `None` for a single value.
    pub sd: Option<f64>,
    /// Smallest value.
    pub min: f64,
    /// First quartile (type 7).
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile (type 7).
    pub q3: f64,
    /// Largest value.
    pub max: f64,
}

/// Mean, SD and the five-number summary of finite values.
pub fn summarize(xs: &[f64]) -> Result<Summary> {
    let m = mean(xs)?;
    let q = quantiles(xs, &[0.0, 0.25, 0.5, 0.75, 1.0])?;
    Ok(Summary {
        n: xs.len(),
        mean: m,
        sd: if xs.len() >= 2 { Some(sd(xs)?) } else { None },
        min: q[0],
        q1: q[1],
        median: q[2],
        q3: q[3],
        max: q[4],
    })
}
