//! Seeded resampling: k-fold assignments and bootstrap percentile intervals, reproducible from
//! a `u64` seed with the generator documented in [`crate::rng`].
//!
//! - Folds: the indices `0..n` are shuffled with [`Xoshiro256StarStar::shuffle`]; the
//!   observation at shuffled position i goes to fold `i mod k`.
//! - Bootstrap: replicate r draws n indices, each `below(n)`, in order, from one generator
//!   seeded once; the statistic is computed on those rows; the interval is the type 7
//!   (numpy default) quantiles of the finite replicate values at `(1 − level)/2` and
//!   `(1 + level)/2`.

use crate::descriptive::quantile_sorted_unchecked;
use crate::rng::Xoshiro256StarStar;
use crate::{Result, StatsError, filled};

/// The fold (0..k) of each of n observations.
///
/// ```
/// let folds = sellerq_stats::resample::kfold_assignments(10, 3, 42).unwrap();
/// assert_eq!(folds.iter().filter(|&&f| f == 0).count(), 4);
/// ```
pub fn kfold_assignments(n: usize, k: usize, seed: u64) -> Result<Vec<usize>> {
    if k < 2 {
        return Err(StatsError::InvalidArgument("k-fold needs k ≥ 2"));
    }
    if n < k {
        return Err(StatsError::TooFew { needed: k, got: n });
    }
    let mut order = filled(n, 0usize)?;
    for (i, slot) in order.iter_mut().enumerate() {
        *slot = i;
    }
    Xoshiro256StarStar::seed_from_u64(seed).shuffle(&mut order);
    let mut folds = filled(n, 0usize)?;
    for (position, &i) in order.iter().enumerate() {
        folds[i] = position % k;
    }
    Ok(folds)
}

/// A bootstrap percentile interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapInterval {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Replicates whose statistic could be computed.
    pub replicates: usize,
    /// Replicates whose statistic could not be computed (e.g. a resample without variance).
    pub failed: usize,
}

/// A seeded bootstrap percentile interval for `statistic`, which receives the indices of one
/// resample (n indices drawn with replacement from `0..n`) and returns `None` when it cannot
/// be computed on it.
///
/// ```
/// use sellerq_stats::resample::bootstrap_percentile;
/// let x = [2.0, 4.0, 4.0, 5.0, 7.0, 9.0, 10.0, 12.0];
/// let ci = bootstrap_percentile(x.len(), 2000, 0.95, 1, |idx| {
///     Some(idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64)
/// })
/// .unwrap();
/// assert!(ci.low < 6.625 && 6.625 < ci.high);
/// ```
pub fn bootstrap_percentile<F>(
    n: usize,
    replicates: usize,
    level: f64,
    seed: u64,
    mut statistic: F,
) -> Result<BootstrapInterval>
where
    F: FnMut(&[usize]) -> Option<f64>,
{
    if n == 0 {
        return Err(StatsError::TooFew { needed: 1, got: 0 });
    }
    if replicates < 2 {
        return Err(StatsError::InvalidArgument(
            "the bootstrap needs at least 2 replicates",
        ));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(StatsError::InvalidArgument("the level must lie in (0, 1)"));
    }
    let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
    let mut idx = filled(n, 0usize)?;
    let mut values = Vec::new();
    values
        .try_reserve_exact(replicates)
        .map_err(|_| StatsError::InvalidArgument("too many replicates"))?;
    for _ in 0..replicates {
        for slot in idx.iter_mut() {
            *slot = rng.below(n as u64) as usize;
        }
        if let Some(v) = statistic(&idx).filter(|v| v.is_finite()) {
            values.push(v);
        }
    }
    let failed = replicates - values.len();
    if values.len() < 2 {
        return Err(StatsError::Degenerate(
            "the statistic could not be computed on the resamples",
        ));
    }
    values.sort_unstable_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    Ok(BootstrapInterval {
        low: quantile_sorted_unchecked(&values, tail),
        high: quantile_sorted_unchecked(&values, 1.0 - tail),
        replicates: values.len(),
        failed,
    })
}
