//! Pure statistics for sellerq: descriptive statistics, correlation, regression, reliability
//! (Cronbach's alpha, intraclass correlations, Krippendorff's alpha) and rater effects.
//!
//! Everything works over plain slices and indices and does no I/O. No function panics on any
//! input: a figure that cannot be computed (too few observations, no variance, collinear
//! predictors, …) comes back as an [`StatsError`] saying why, never as NaN.
//!
//! The figures are checked three ways in `tests/`: against published values (Shrout & Fleiss
//! 1979, Krippendorff 2011, NIST StRD Longley, …), against fixtures produced by pingouin,
//! statsmodels, scipy and krippendorff (`tests/fixtures/make_fixtures.py`), and with property
//! tests (permutation invariance, bounds, agreement with naive versions).
//!
//! Modules:
//! - [`descriptive`]: mean, variance, SD, quantiles (Hyndman–Fan type 7).
//! - [`dist`]: standard normal, Student t and F distributions (CDF, survival, quantiles).
//! - [`correlation`]: Pearson and Spearman with Fisher-z intervals and p-values.
//! - [`regression`]: OLS by Householder QR, hierarchical regression, cross-validated R².
//! - [`nested`]: R² of nested models refitted under resampling weights (bootstrap of ΔR²).
//! - [`resample`] and [`rng`]: seeded folds and bootstrap percentile intervals.
//! - [`reliability`]: Cronbach's alpha, the six Shrout & Fleiss ICCs, Spearman–Brown.
//! - [`krippendorff`]: Krippendorff's alpha from a coincidence matrix.
//! - [`raters`]: rater leniency and halo.

pub mod correlation;
pub mod descriptive;
pub mod dist;
mod error;
pub mod krippendorff;
pub mod nested;
pub mod raters;
pub mod regression;
pub mod reliability;
pub mod resample;
pub mod rng;
mod special;

pub use error::{Result, StatsError};

/// `x > 0`, false for NaN: the guard before dividing by a variance or sum of squares.
pub(crate) fn is_positive(x: f64) -> bool {
    x > 0.0
}

/// A vector of `len` copies of `fill`, or an error instead of a capacity panic when `len` is
/// absurd (indices or sizes that cannot be held in memory).
pub(crate) fn filled<T: Clone>(len: usize, fill: T) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| StatsError::InvalidArgument("too large to hold in memory"))?;
    v.resize(len, fill);
    Ok(v)
}

/// Fails with [`StatsError::NonFinite`] unless every value is finite.
pub(crate) fn check_finite(xs: &[f64]) -> Result<()> {
    if xs.iter().all(|x| x.is_finite()) {
        Ok(())
    } else {
        Err(StatsError::NonFinite)
    }
}
