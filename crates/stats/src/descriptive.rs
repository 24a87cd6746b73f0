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

/// The correctly rounded sum of finite values: Shewchuk's (1997) exact partials, finished as
/// Python's `math.fsum` finishes them (the same partials and the same half-even correction,
/// so the same double). Unlike a running sum, the result does not depend on the order of the
/// values: a mean taken from it is the same however the rows were ordered, which keeps equal
/// values equal (ties stay ties in ranks).
///
/// Fails with [`StatsError::NonFinite`] if a value is NaN or infinite and with
/// [`StatsError::Degenerate`] if the sum (or a partial on the way) overflows. The empty sum is 0.
///
/// ```
/// use sellerq_stats::descriptive::exact_sum;
/// assert_eq!(exact_sum(&[0.1; 10]).unwrap(), 1.0); // a running sum gives 0.9999999999999999
/// assert_eq!(exact_sum(&[1e100, 1.0, -1e100]).unwrap(), 1.0);
/// ```
pub fn exact_sum(xs: &[f64]) -> Result<f64> {
    check_finite(xs)?;
    let mut partials: Vec<f64> = Vec::new();
    for &v in xs {
        let mut x = v;
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        if !x.is_finite() {
            return Err(StatsError::Degenerate("the sum overflows"));
        }
        partials.truncate(i);
        partials.push(x);
    }
    let Some(&last) = partials.last() else {
        return Ok(0.0);
    };
    // Sum the partials from the top down until the rounding becomes inexact, then correct
    // half-way cases (round half even, as math.fsum).
    let mut n = partials.len() - 1;
    let mut hi = last;
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = partials[n];
        hi = x + y;
        let yr = hi - x;
        lo = y - yr;
        if lo != 0.0 {
            break;
        }
    }
    if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    if hi.is_finite() {
        Ok(hi)
    } else {
        Err(StatsError::Degenerate("the sum overflows"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (no dependency).
    fn lcg(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 11
        }
    }

    #[test]
    fn exact_sum_is_correctly_rounded_whatever_the_order() {
        let xs = [0.1, 0.2, 0.3, 1e16, -1e16, 0.7];
        assert_eq!(exact_sum(&xs).unwrap(), 1.3);
        let mut rev = xs;
        rev.reverse();
        assert_eq!(exact_sum(&rev).unwrap(), exact_sum(&xs).unwrap());
        assert_eq!(exact_sum(&[1.0, 1e100, 1.0, -1e100]).unwrap(), 2.0);
        assert_eq!(exact_sum(&[]).unwrap(), 0.0);
        // math.fsum([0.1] * 10) == 1.0, where a running sum is one ulp short.
        assert_eq!(exact_sum(&[0.1; 10]).unwrap(), 1.0);
        assert_ne!([0.1f64; 10].iter().sum::<f64>(), 1.0);
        // Half-way cases round to even: 1 + 2^-53 is exactly between 1 and 1 + 2^-52.
        let half = 2f64.powi(-53);
        assert_eq!(exact_sum(&[1.0, half]).unwrap(), 1.0);
        assert_eq!(
            exact_sum(&[1.0, half, half * half]).unwrap(),
            1.0 + 2.0 * half
        );
    }

    #[test]
    fn exact_sum_equals_the_exact_integer_sum_rounded_once() {
        // Values m·2^-30 with |m| < 2^53 are exact doubles; their exact sum is an i128 times
        // 2^-30, which `as f64` rounds once (to nearest, ties to even).
        let mut next = lcg(7);
        let scale = 2f64.powi(-30);
        for round in 0..2000 {
            let len = (next() % 40) as usize;
            let ms: Vec<i64> = (0..len)
                .map(|_| {
                    let m = (next() % (1 << 53)) as i64;
                    let m = m >> (next() % 53);
                    if next().is_multiple_of(2) { m } else { -m }
                })
                .collect();
            let xs: Vec<f64> = ms.iter().map(|&m| m as f64 * scale).collect();
            let exact: i128 = ms.iter().map(|&m| i128::from(m)).sum();
            assert_eq!(
                exact_sum(&xs).unwrap(),
                exact as f64 * scale,
                "round {round}: {xs:?}"
            );
        }
    }

    #[test]
    fn exact_sum_agrees_with_the_naive_sum_where_that_is_exact() {
        // Small integers sum exactly in any order: the naive sum is the truth.
        let mut next = lcg(11);
        for _ in 0..500 {
            let xs: Vec<f64> = (0..(next() % 100))
                .map(|_| (next() % 2001) as f64 - 1000.0)
                .collect();
            assert_eq!(exact_sum(&xs).unwrap(), xs.iter().sum::<f64>());
        }
    }

    #[test]
    fn exact_sum_refuses_non_finite_values_and_overflow() {
        assert_eq!(exact_sum(&[1.0, f64::NAN]), Err(StatsError::NonFinite));
        assert_eq!(exact_sum(&[f64::INFINITY]), Err(StatsError::NonFinite));
        assert!(matches!(
            exact_sum(&[f64::MAX, f64::MAX]),
            Err(StatsError::Degenerate(_))
        ));
        // Overflow on the way that cancels is still an overflow for math.fsum; here too.
        assert!(exact_sum(&[f64::MAX, f64::MAX, -f64::MAX]).is_err());
    }
}
