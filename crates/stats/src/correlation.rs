//! Pearson and Spearman correlation with a 95 % Fisher-z interval and a two-sided p-value.
//!
//! Both return the same [`Correlation`]: Spearman's rho is Pearson's r of the average ranks, so
//! its p-value uses the same t approximation (n − 2 df) as scipy's `spearmanr`, and its interval
//! is the Fisher-z interval of the ranks (an approximation for rho).

use crate::descriptive::mean_unchecked;
use crate::dist::StandardNormal;
use crate::special::beta_reg;
use crate::{Result, StatsError, check_finite, is_positive};

/// A correlation with its uncertainty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    /// Number of pairs.
    pub n: usize,
    /// The coefficient, in [−1, 1].
    pub r: f64,
    /// Lower end of the 95 % interval: `tanh(atanh r − z₀.₉₇₅ / √(n − 3))`.
    pub ci_low: f64,
    /// Upper end of the 95 % interval.
    pub ci_high: f64,
    /// Two-sided p-value of r = 0 (t distribution with n − 2 df).
    pub p: f64,
}

/// Smallest n for which [`pearson`] and [`spearman`] give every field (the interval needs n − 3 > 0).
pub const MIN_PAIRS: usize = 4;

/// Pearson's r of paired values, by two passes over centered data.
///
/// Needs at least [`MIN_PAIRS`] finite pairs and variance in both variables.
///
/// ```
/// let c = sellerq_stats::correlation::pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap();
/// assert!((c.r - 0.8).abs() < 1e-15);
/// ```
pub fn pearson(x: &[f64], y: &[f64]) -> Result<Correlation> {
    check_pairs(x, y)?;
    let r = pearson_r_unchecked(x, y)?;
    Ok(finish(x.len(), r))
}

/// Spearman's rho: Pearson's r of the ranks, ties given their average rank.
pub fn spearman(x: &[f64], y: &[f64]) -> Result<Correlation> {
    check_pairs(x, y)?;
    let rx = average_ranks(x);
    let ry = average_ranks(y);
    let r = pearson_r_unchecked(&rx, &ry)?;
    Ok(finish(x.len(), r))
}

/// Ranks 1..=n of the values, ties sharing the mean of the ranks they span.
///
/// ```
/// assert_eq!(sellerq_stats::correlation::ranks(&[10.0, 30.0, 20.0, 30.0]).unwrap(), vec![1.0, 3.5, 2.0, 3.5]);
/// ```
pub fn ranks(xs: &[f64]) -> Result<Vec<f64>> {
    check_finite(xs)?;
    Ok(average_ranks(xs))
}

fn average_ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_unstable_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut ranks = vec![0.0; xs.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && xs[order[end]] == xs[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start+1..=end; their mean is (start + 1 + end) / 2.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

fn check_pairs(x: &[f64], y: &[f64]) -> Result<()> {
    if x.len() != y.len() {
        return Err(StatsError::LengthMismatch {
            expected: x.len(),
            got: y.len(),
        });
    }
    if x.len() < MIN_PAIRS {
        return Err(StatsError::TooFew {
            needed: MIN_PAIRS,
            got: x.len(),
        });
    }
    check_finite(x)?;
    check_finite(y)
}

/// r of finite, equally long slices; errors when either has no variance.
pub(crate) fn pearson_r_unchecked(x: &[f64], y: &[f64]) -> Result<f64> {
    let mx = mean_unchecked(x);
    let my = mean_unchecked(y);
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if !is_positive(sxx) {
        return Err(StatsError::ZeroVariance("the first variable is constant"));
    }
    if !is_positive(syy) {
        return Err(StatsError::ZeroVariance("the second variable is constant"));
    }
    let r = sxy / (sxx.sqrt() * syy.sqrt());
    if r.is_finite() {
        Ok(r.clamp(-1.0, 1.0))
    } else {
        Err(StatsError::Degenerate("the correlation overflows"))
    }
}

/// Interval and p-value for r from n ≥ 4 pairs.
fn finish(n: usize, r: f64) -> Correlation {
    let (ci_low, ci_high) = fisher_z_interval(r, n, 0.95).unwrap_or((r, r));
    Correlation {
        n,
        r,
        ci_low,
        ci_high,
        p: correlation_p(r, n),
    }
}

/// Two-sided p-value of a correlation r from n pairs: `P(|T| ≥ |t|)` with
/// `t = r √((n − 2)/(1 − r²))`, evaluated as `I_{1−r²}((n − 2)/2, ½)` so that r near ±1 loses
/// nothing. Returns 1 when n < 3.
pub fn correlation_p(r: f64, n: usize) -> f64 {
    if n < 3 || !r.is_finite() {
        return 1.0;
    }
    let a = r.abs().min(1.0);
    let df = (n - 2) as f64;
    beta_reg(0.5 * df, 0.5, (1.0 - a) * (1.0 + a), a * a)
        .0
        .min(1.0)
}

/// The Fisher-z interval `tanh(atanh r ± z_{(1+level)/2} / √(n − 3))`; `None` when n ≤ 3 or the
/// level is not in (0, 1).
pub fn fisher_z_interval(r: f64, n: usize, level: f64) -> Option<(f64, f64)> {
    if n <= 3 || !(level > 0.0 && level < 1.0) || !(-1.0..=1.0).contains(&r) {
        return None;
    }
    let z = StandardNormal.quantile(0.5 + 0.5 * level).ok()?;
    let se = 1.0 / ((n - 3) as f64).sqrt();
    let center = r.atanh();
    Some(((center - z * se).tanh(), (center + z * se).tanh()))
}
