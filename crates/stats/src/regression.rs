//! Ordinary least squares with an intercept, solved by Householder QR of the centered
//! predictors (never the normal equations), hierarchical regression and k-fold cross-validated R².
//!
//! Centering removes the intercept column and with it most of the ill-conditioning of raw data
//! (the NIST StRD Longley test in `tests/` reproduces the certified coefficients and standard
//! errors to better than 1e-9). With `Xc = Q R` the slopes solve `R b = Qᵀ yc`, their covariance
//! is `σ² R⁻¹ R⁻ᵀ`, and the intercept `ȳ − x̄ᵀ b` has variance `σ² (1/n + ‖R⁻ᵀ x̄‖²)`.

use crate::descriptive::mean_unchecked;
use crate::dist::{FisherSnedecor, StudentsT};
use crate::{Result, StatsError, check_finite, filled, is_positive};

/// A predictor counts as collinear when the part of it not explained by the predictors before
/// it is below this fraction of its own (centered) norm.
const COLLINEARITY_TOLERANCE: f64 = 1e-11;

/// One estimated coefficient.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficient {
    /// The estimate.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// `estimate / se`.
    pub t: f64,
    /// Two-sided p-value (t with the residual df).
    pub p: f64,
}

/// An OLS fit with intercept.
#[derive(Debug, Clone, PartialEq)]
pub struct OlsFit {
    /// Number of observations.
    pub n: usize,
    /// The intercept first, then one coefficient per predictor, in the order given.
    pub coefficients: Vec<Coefficient>,
    /// Coefficient of determination, `1 − SSR/SST`.
    pub r2: f64,
    /// Adjusted R², `1 − (1 − R²)(n − 1)/df_resid`.
    pub adj_r2: f64,
    /// Residual degrees of freedom, `n − p − 1`.
    pub df_resid: usize,
    /// Residual sum of squares.
    pub ssr: f64,
    /// Total sum of squares around the mean of y.
    pub sst: f64,
    /// Residual standard deviation, `√(SSR / df_resid)`.
    pub sigma: f64,
}

impl OlsFit {
    /// The estimates alone: intercept first.
    pub fn estimates(&self) -> Vec<f64> {
        self.coefficients.iter().map(|c| c.estimate).collect()
    }

    /// The fitted value at one point (one value per predictor).
    pub fn predict(&self, x: &[f64]) -> Option<f64> {
        if x.len() + 1 != self.coefficients.len() {
            return None;
        }
        Some(
            self.coefficients[0].estimate
                + x.iter()
                    .zip(&self.coefficients[1..])
                    .map(|(v, c)| v * c.estimate)
                    .sum::<f64>(),
        )
    }
}

/// The least-squares solution without inference: intercept, slopes and SSR.
struct Solution {
    intercept: f64,
    slopes: Vec<f64>,
    /// R⁻¹ (p × p, row-major, upper triangular).
    r_inv: Vec<f64>,
    means: Vec<f64>,
    ssr: f64,
}

fn check_inputs(y: &[f64], predictors: &[&[f64]]) -> Result<()> {
    check_finite(y)?;
    for x in predictors {
        if x.len() != y.len() {
            return Err(StatsError::LengthMismatch {
                expected: y.len(),
                got: x.len(),
            });
        }
        check_finite(x)?;
    }
    Ok(())
}

/// Solves the centered least-squares problem for the rows in `rows` (all rows when `None`).
fn solve(y: &[f64], predictors: &[&[f64]], rows: Option<&[usize]>) -> Result<Solution> {
    let p = predictors.len();
    let gather = |col: &[f64]| -> Vec<f64> {
        match rows {
            Some(idx) => idx.iter().map(|&i| col[i]).collect(),
            None => col.to_vec(),
        }
    };
    let yv = gather(y);
    let n = yv.len();
    let y_mean = mean_unchecked(&yv);
    let mut qty: Vec<f64> = yv.iter().map(|v| v - y_mean).collect();
    // Centered predictors, column-major.
    let mut a = Vec::with_capacity(n * p);
    let mut means = Vec::with_capacity(p);
    let mut norms = Vec::with_capacity(p);
    for x in predictors {
        let col = gather(x);
        let m = mean_unchecked(&col);
        let start = a.len();
        a.extend(col.iter().map(|v| v - m));
        norms.push(a[start..].iter().map(|v| v * v).sum::<f64>().sqrt());
        means.push(m);
    }
    // Householder QR, applied to y at the same time.
    let mut r = filled(p.saturating_mul(p), 0.0)?;
    for j in 0..p {
        let (done, rest) = a.split_at_mut((j + 1) * n);
        let col = &mut done[j * n..];
        let norm = col[j..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norms[j] == 0.0 || norm <= COLLINEARITY_TOLERANCE * norms[j] || norm.is_nan() {
            return Err(StatsError::Collinear { predictor: j });
        }
        let x0 = col[j];
        let alpha = if x0 > 0.0 { -norm } else { norm };
        // v = x − alpha·e1 (stored in place), H = I − τ v vᵀ with τ = 1/(norm (norm + |x0|)).
        col[j] = x0 - alpha;
        let tau = 1.0 / (norm * (norm + x0.abs()));
        let v = &col[j..];
        for k in (j + 1)..p {
            let other = &mut rest[(k - j - 1) * n + j..(k - j) * n];
            let w = tau * v.iter().zip(other.iter()).map(|(a, b)| a * b).sum::<f64>();
            for (o, vi) in other.iter_mut().zip(v) {
                *o -= w * vi;
            }
        }
        let w = tau * v.iter().zip(&qty[j..]).map(|(a, b)| a * b).sum::<f64>();
        for (o, vi) in qty[j..].iter_mut().zip(v) {
            *o -= w * vi;
        }
        r[j * p + j] = alpha;
        for k in (j + 1)..p {
            r[j * p + k] = rest[(k - j - 1) * n + j];
        }
    }
    // Back substitution R b = (Qᵀ y)[..p] and R⁻¹.
    let mut slopes = vec![0.0; p];
    for j in (0..p).rev() {
        let s: f64 = ((j + 1)..p).map(|k| r[j * p + k] * slopes[k]).sum();
        slopes[j] = (qty[j] - s) / r[j * p + j];
    }
    let mut r_inv = filled(p * p, 0.0)?;
    for j in 0..p {
        r_inv[j * p + j] = 1.0 / r[j * p + j];
        for i in (0..j).rev() {
            let s: f64 = ((i + 1)..=j).map(|k| r[i * p + k] * r_inv[k * p + j]).sum();
            r_inv[i * p + j] = -s / r[i * p + i];
        }
    }
    let intercept = y_mean - means.iter().zip(&slopes).map(|(m, b)| m * b).sum::<f64>();
    // Residuals from the data, not from Qᵀy, so that SSR is exact for the coefficients reported.
    let mut ssr = 0.0;
    for (i, &yi) in yv.iter().enumerate() {
        let mut fit = intercept;
        for (j, x) in predictors.iter().enumerate() {
            let xi = match rows {
                Some(idx) => x[idx[i]],
                None => x[i],
            };
            fit += slopes[j] * xi;
        }
        let e = yi - fit;
        ssr += e * e;
    }
    Ok(Solution {
        intercept,
        slopes,
        r_inv,
        means,
        ssr,
    })
}

/// OLS of `y` on an intercept and the given predictors (each a column as long as `y`).
///
/// Needs `n ≥ p + 2` (one residual df), variance in `y`, and predictors that are neither
/// constant nor collinear ([`StatsError::Collinear`] names the first offending one).
/// With no predictors it fits the mean.
///
/// ```
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0];
/// let y = [2.1, 3.9, 6.2, 7.8, 10.1];
/// let fit = sellerq_stats::regression::ols(&y, &[&x]).unwrap();
/// assert!((fit.coefficients[1].estimate - 1.99).abs() < 1e-12);
/// ```
pub fn ols(y: &[f64], predictors: &[&[f64]]) -> Result<OlsFit> {
    check_inputs(y, predictors)?;
    let n = y.len();
    let p = predictors.len();
    if n < p + 2 {
        return Err(StatsError::TooFew {
            needed: p + 2,
            got: n,
        });
    }
    let y_mean = mean_unchecked(y);
    let sst: f64 = y.iter().map(|v| (v - y_mean) * (v - y_mean)).sum();
    if !is_positive(sst) {
        return Err(StatsError::ZeroVariance("the outcome is constant"));
    }
    let sol = solve(y, predictors, None)?;
    let df_resid = n - p - 1;
    let df = df_resid as f64;
    let sigma2 = sol.ssr / df;
    let t_dist = StudentsT::new(df)?;
    let coefficient = |estimate: f64, se: f64| {
        let t = estimate / se;
        Coefficient {
            estimate,
            se,
            t,
            p: if t.is_finite() {
                t_dist.two_sided_p(t)
            } else {
                0.0
            },
        }
    };
    // Var(b_j) = σ² Σ_k (R⁻¹)_{jk}²; Var(b0) = σ² (1/n + ‖R⁻ᵀ x̄‖²).
    let w: Vec<f64> = (0..p)
        .map(|k| (0..=k).map(|j| sol.r_inv[j * p + k] * sol.means[j]).sum())
        .collect();
    let var0 = sigma2 * (1.0 / n as f64 + w.iter().map(|v| v * v).sum::<f64>());
    let mut coefficients = Vec::with_capacity(p + 1);
    coefficients.push(coefficient(sol.intercept, var0.sqrt()));
    for j in 0..p {
        let v: f64 = (j..p).map(|k| sol.r_inv[j * p + k].powi(2)).sum();
        coefficients.push(coefficient(sol.slopes[j], (sigma2 * v).sqrt()));
    }
    let r2 = 1.0 - sol.ssr / sst;
    Ok(OlsFit {
        n,
        coefficients,
        r2,
        adj_r2: 1.0 - (1.0 - r2) * (n - 1) as f64 / df,
        df_resid,
        ssr: sol.ssr,
        sst,
        sigma: sigma2.sqrt(),
    })
}

/// Two nested OLS models and the F test of what the second step adds.
#[derive(Debug, Clone, PartialEq)]
pub struct Hierarchical {
    /// Step 1: the base predictors.
    pub step1: OlsFit,
    /// Step 2: the base predictors followed by the added ones.
    pub step2: OlsFit,
    /// R² of step 1.
    pub r2_step1: f64,
    /// R² of step 2.
    pub r2_step2: f64,
    /// `r2_step2 − r2_step1`.
    pub delta_r2: f64,
    /// `((SSR₁ − SSR₂)/df1) / (SSR₂/df2)`.
    pub f_change: f64,
    /// Number of added predictors.
    pub df1: usize,
    /// Residual df of step 2.
    pub df2: usize,
    /// `P(F(df1, df2) > f_change)`.
    pub p_change: f64,
}

/// Hierarchical regression: step 1 on `base` (may be empty: the mean only), step 2 on `base`
/// followed by `added` (at least one). Same rows in both steps.
pub fn hierarchical(y: &[f64], base: &[&[f64]], added: &[&[f64]]) -> Result<Hierarchical> {
    if added.is_empty() {
        return Err(StatsError::InvalidArgument(
            "step 2 must add at least one predictor",
        ));
    }
    let all: Vec<&[f64]> = base.iter().chain(added).copied().collect();
    let step2 = ols(y, &all)?;
    let step1 = ols(y, base)?;
    let df1 = added.len();
    let df2 = step2.df_resid;
    if !is_positive(step2.ssr) {
        return Err(StatsError::Degenerate(
            "step 2 fits perfectly: the F change is undefined",
        ));
    }
    let f_change = ((step1.ssr - step2.ssr) / df1 as f64) / (step2.ssr / df2 as f64);
    let p_change = FisherSnedecor::new(df1 as f64, df2 as f64)?.sf(f_change);
    Ok(Hierarchical {
        r2_step1: step1.r2,
        r2_step2: step2.r2,
        delta_r2: step2.r2 - step1.r2,
        f_change,
        df1,
        df2,
        p_change,
        step1,
        step2,
    })
}

/// k-fold cross-validated R².
#[derive(Debug, Clone, PartialEq)]
pub struct CrossValidatedR2 {
    /// `1 − PRESS_cv / SST`.
    pub r2: f64,
    /// Sum of squared out-of-fold prediction errors.
    pub press: f64,
    /// Total sum of squares of y around its overall mean.
    pub sst: f64,
    /// The fold (0..k) of each observation, as drawn by [`crate::resample::kfold_assignments`].
    pub folds: Vec<usize>,
}

/// k-fold cross-validated R² of the OLS model: each fold is predicted by the model fitted on
/// the other folds, and `R²_cv = 1 − Σ(y − ŷ_out-of-fold)² / Σ(y − ȳ)²`, with ȳ the mean of all
/// observations (so R²_cv can be negative when the model predicts worse than the mean).
///
/// Folds are drawn from `seed` by [`crate::resample::kfold_assignments`] (documented so that a
/// Python reference can reproduce them). Needs `2 ≤ k ≤ n` and every training set large enough
/// and non-collinear.
pub fn cross_validated_r2(
    y: &[f64],
    predictors: &[&[f64]],
    k: usize,
    seed: u64,
) -> Result<CrossValidatedR2> {
    check_inputs(y, predictors)?;
    let n = y.len();
    let folds = crate::resample::kfold_assignments(n, k, seed)?;
    let y_mean = mean_unchecked(y);
    let sst: f64 = y.iter().map(|v| (v - y_mean) * (v - y_mean)).sum();
    if !is_positive(sst) {
        return Err(StatsError::ZeroVariance("the outcome is constant"));
    }
    let mut press = 0.0;
    let mut train = Vec::with_capacity(n);
    for fold in 0..k {
        train.clear();
        train.extend((0..n).filter(|&i| folds[i] != fold));
        if train.len() < predictors.len() + 2 {
            return Err(StatsError::TooFew {
                needed: predictors.len() + 2,
                got: train.len(),
            });
        }
        let sol = solve(y, predictors, Some(&train))?;
        for i in (0..n).filter(|&i| folds[i] == fold) {
            let fit = sol.intercept
                + predictors
                    .iter()
                    .zip(&sol.slopes)
                    .map(|(x, b)| x[i] * b)
                    .sum::<f64>();
            press += (y[i] - fit) * (y[i] - fit);
        }
    }
    Ok(CrossValidatedR2 {
        r2: 1.0 - press / sst,
        press,
        sst,
        folds,
    })
}
