//! R² of two nested OLS models (with intercept) from one weighted cross-product matrix, fast
//! enough to refit on every bootstrap resample.
//!
//! A resample is given as a weight per observation (how often it was drawn). Each row's
//! products — its values (for the weighted sums) and the upper triangle of x xᵀ, base
//! predictors first and y last — are formed once per block of rows and shared by every
//! resample refitted together ([`NestedDesign::r2_weighted_many`]): the weighted cross-products
//! of a batch of resamples are then one small matrix product, computed in register tiles of
//! [`TILE_R`] resamples × [`TILE_C`] products that vectorize, so the data are read from memory
//! once per batch instead of once per resample. Every product is summed over the rows in
//! order, so a resample's figures do not depend on the batch it is refitted in. The Cholesky
//! factor `L` of the predictor block then gives both fits at once: with `L b = S_xy`, the
//! explained sum of squares of the first j predictors is `b₀² + … + b_{j−1}²`, so
//! `R²_base = Σ_{j<q} b_j² / S_yy` and `R²_full = Σ_j b_j² / S_yy`. This is the sequential
//! (type I) decomposition that hierarchical regression reads; it costs O(n·p²) per resample.
//!
//! The data are centered once on their full-sample means before accumulating, so that the
//! weighted means subtracted afterwards are small and little precision is lost. Figures agree
//! with [`crate::regression::hierarchical`] on the expanded resample to about 1e-10; this is
//! meant for resampling, where that is far below the resampling noise.

use crate::descriptive::mean_unchecked;
use crate::{Result, StatsError, check_finite, filled, is_positive};

/// A predictor counts as collinear when its Cholesky pivot falls below this fraction of its
/// own (weighted, centered) sum of squares.
const COLLINEARITY_TOLERANCE: f64 = 1e-10;

/// Rows per block of the cross-products (a block's products stay in the second-level cache).
const BLOCK: usize = 128;
/// Resamples per register tile.
const TILE_R: usize = 2;
/// Products per register tile (a multiple of the vector width).
const TILE_C: usize = 8;

/// The data of two nested models, ready to be refitted under weights.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedDesign {
    n: usize,
    /// Predictors in all (base, then added).
    p: usize,
    /// Base predictors.
    q: usize,
    /// Column-major, `p + 1` columns of n: the centered predictors, then y.
    columns: Vec<f64>,
}

/// R² of both steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NestedR2 {
    /// R² of the base predictors (0 when there are none).
    pub r2_base: f64,
    /// R² of the base and the added predictors.
    pub r2_full: f64,
}

impl NestedR2 {
    /// What the added predictors add.
    pub fn delta(&self) -> f64 {
        self.r2_full - self.r2_base
    }
}

impl NestedDesign {
    /// The design of step 1 on `base` (may be empty) and step 2 on `base` then `added` (at
    /// least one), every column as long as `y`.
    pub fn new(y: &[f64], base: &[&[f64]], added: &[&[f64]]) -> Result<Self> {
        if added.is_empty() {
            return Err(StatsError::InvalidArgument(
                "step 2 must add at least one predictor",
            ));
        }
        check_finite(y)?;
        let n = y.len();
        let all: Vec<&[f64]> = base.iter().chain(added).copied().collect();
        for x in &all {
            if x.len() != n {
                return Err(StatsError::LengthMismatch {
                    expected: n,
                    got: x.len(),
                });
            }
            check_finite(x)?;
        }
        let p = all.len();
        let mut columns = Vec::new();
        columns
            .try_reserve_exact(n.saturating_mul(p + 1))
            .map_err(|_| StatsError::InvalidArgument("too large to hold in memory"))?;
        for x in all.iter().chain(std::iter::once(&y)) {
            let m = if n > 0 { mean_unchecked(x) } else { 0.0 };
            columns.extend(x.iter().map(|v| v - m));
        }
        Ok(Self {
            n,
            p,
            q: base.len(),
            columns,
        })
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True without observations.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Both R² on the rows `indices` (a resample: repeats count as often as they appear).
    pub fn r2_of(&self, indices: &[usize]) -> Result<NestedR2> {
        let mut weights = filled(self.n, 0u32)?;
        for &i in indices {
            let w = weights.get_mut(i).ok_or(StatsError::InvalidArgument(
                "an index lies outside the observations",
            ))?;
            *w = w.saturating_add(1);
        }
        self.r2_weighted(&weights)
    }

    /// Both R² with observation i counted `weights[i]` times.
    pub fn r2_weighted(&self, weights: &[u32]) -> Result<NestedR2> {
        self.r2_weighted_many(&[weights])
            .pop()
            .unwrap_or(Err(StatsError::InvalidArgument("no resample")))
    }

    /// [`NestedDesign::r2_weighted`] of several resamples at once (the same figures, bit for
    /// bit, whatever the batch), with the data read once for all of them.
    pub fn r2_weighted_many(&self, weights: &[&[u32]]) -> Vec<Result<NestedR2>> {
        let (p, width) = (self.p, self.p + 1);
        // The products of a row: its `width` values, then the upper triangle of its outer
        // product, padded to whole tiles.
        let pairs = width * (width + 1) / 2;
        let m = (width + pairs).div_ceil(TILE_C) * TILE_C;
        let mut totals = Vec::with_capacity(weights.len());
        let mut results: Vec<Option<Result<NestedR2>>> = Vec::with_capacity(weights.len());
        for w in weights {
            let total: u64 = w.iter().map(|&c| u64::from(c)).sum();
            totals.push(total);
            results.push(if w.len() != self.n {
                Some(Err(StatsError::LengthMismatch {
                    expected: self.n,
                    got: w.len(),
                }))
            } else if total < (p + 2) as u64 {
                Some(Err(StatsError::TooFew {
                    needed: p + 2,
                    got: total as usize,
                }))
            } else {
                None
            });
        }
        let live: Vec<usize> = (0..weights.len())
            .filter(|&r| results[r].is_none())
            .collect();
        // sums[k * m + c]: resample live[k]'s weighted sum of product c.
        let mut sums = vec![0.0; live.len() * m];
        // Tile-major, so that a tile's loop reads two contiguous streams:
        // products[(t * BLOCK + i) * TILE_C + c] is product t·TILE_C + c of row i, and
        // w[(g * BLOCK + i) * TILE_R + k] the weight of row i in resample g·TILE_R + k.
        let mut products = vec![0.0; BLOCK * m];
        let groups = live.len().div_ceil(TILE_R);
        let mut w = vec![0.0; groups * BLOCK * TILE_R];
        let mut row = vec![0.0; m];
        for start in (0..self.n).step_by(BLOCK) {
            let len = BLOCK.min(self.n - start);
            for i in 0..len {
                let value = |a: usize| self.columns[a * self.n + start + i];
                let mut c = 0;
                for a in 0..width {
                    row[c] = value(a);
                    c += 1;
                }
                for a in 0..width {
                    let va = value(a);
                    for b in a..width {
                        row[c] = va * value(b);
                        c += 1;
                    }
                }
                for (t, chunk) in row.chunks_exact(TILE_C).enumerate() {
                    let at = (t * BLOCK + i) * TILE_C;
                    products[at..at + TILE_C].copy_from_slice(chunk);
                }
            }
            for (k, &r) in live.iter().enumerate() {
                let (g, lane) = (k / TILE_R, k % TILE_R);
                for (i, &c) in weights[r][start..start + len].iter().enumerate() {
                    w[(g * BLOCK + i) * TILE_R + lane] = f64::from(c);
                }
            }
            for g in 0..groups {
                let k0 = g * TILE_R;
                let in_group = TILE_R.min(live.len() - k0);
                let wg = &w[g * BLOCK * TILE_R..(g * BLOCK + len) * TILE_R];
                for t in 0..m / TILE_C {
                    let z = &products[t * BLOCK * TILE_C..(t * BLOCK + len) * TILE_C];
                    let acc = tile(z, wg);
                    for (k, a) in acc.iter().enumerate().take(in_group) {
                        let at = (k0 + k) * m + t * TILE_C;
                        for (s, x) in sums[at..at + TILE_C].iter_mut().zip(a) {
                            *s += x;
                        }
                    }
                }
            }
        }
        for (k, &r) in live.iter().enumerate() {
            results[r] = Some(self.solve(&sums[k * m..(k + 1) * m], totals[r] as f64));
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or(Err(StatsError::InvalidArgument("no resample"))))
            .collect()
    }

    /// Both R² from one resample's weighted sums of the products (see `r2_weighted_many`).
    fn solve(&self, products: &[f64], total: f64) -> Result<NestedR2> {
        let (p, width) = (self.p, self.p + 1);
        let (sum, pairs) = products.split_at(width);
        // Centered at the weighted means: S = Σ w x xᵀ − W m mᵀ (upper triangle, row-major).
        let mut cross = vec![0.0; width * width];
        let mut c = 0;
        for a in 0..width {
            for b in a..width {
                cross[a * width + b] = pairs[c] - sum[a] * sum[b] / total;
                c += 1;
            }
        }
        let s = |a: usize, b: usize| cross[a.min(b) * width + a.max(b)];
        let syy = s(p, p);
        if !is_positive(syy) {
            return Err(StatsError::ZeroVariance("the outcome is constant"));
        }
        // Cholesky S_xx = L Lᵀ (row-major lower triangle), then L b = S_xy.
        let mut l = vec![0.0; p * p];
        let mut b = vec![0.0; p];
        for j in 0..p {
            let own = s(j, j);
            let mut d = own;
            for k in 0..j {
                d -= l[j * p + k] * l[j * p + k];
            }
            if !is_positive(own) || d <= COLLINEARITY_TOLERANCE * own || d.is_nan() {
                return Err(StatsError::Collinear { predictor: j });
            }
            let pivot = d.sqrt();
            l[j * p + j] = pivot;
            for i in (j + 1)..p {
                let mut v = s(i, j);
                for k in 0..j {
                    v -= l[i * p + k] * l[j * p + k];
                }
                l[i * p + j] = v / pivot;
            }
            let mut v = s(j, p);
            for k in 0..j {
                v -= l[j * p + k] * b[k];
            }
            b[j] = v / pivot;
        }
        let explained = |upto: usize| b[..upto].iter().map(|v| v * v).sum::<f64>();
        Ok(NestedR2 {
            r2_base: explained(self.q) / syy,
            r2_full: explained(p) / syy,
        })
    }
}

/// One register tile: Σ over the rows of `w[i][k] · z[i][c]` for [`TILE_R`] resamples and
/// [`TILE_C`] products, in row order. The accumulators are independent lanes, so the loop
/// vectorizes without reordering any sum (and a resample's sums do not depend on the others
/// in its tile).
#[inline(always)]
fn tile(z: &[f64], w: &[f64]) -> [[f64; TILE_C]; TILE_R] {
    let mut acc = [[0.0f64; TILE_C]; TILE_R];
    for (zi, wi) in z.chunks_exact(TILE_C).zip(w.chunks_exact(TILE_R)) {
        for (a, &wk) in acc.iter_mut().zip(wi) {
            for (x, &zc) in a.iter_mut().zip(zi) {
                *x += wk * zc;
            }
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regression::hierarchical;
    use crate::rng::Xoshiro256StarStar;

    fn data(n: usize, seed: u64) -> (Vec<f64>, Vec<Vec<f64>>) {
        let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
        let mut u = || rng.below(1_000_000) as f64 / 1e6 - 0.5;
        let cols: Vec<Vec<f64>> = (0..4)
            .map(|j| (0..n).map(|_| u() * (j + 1) as f64 + 10.0).collect())
            .collect();
        let y = (0..n)
            .map(|i| 0.3 * cols[0][i] - 0.2 * cols[1][i] + 0.5 * cols[3][i] + u())
            .collect();
        (y, cols)
    }

    #[test]
    fn with_unit_weights_both_steps_equal_the_hierarchical_regression() {
        let (y, cols) = data(700, 1); // several blocks of rows
        let base: Vec<&[f64]> = cols[..2].iter().map(Vec::as_slice).collect();
        let added: Vec<&[f64]> = cols[2..].iter().map(Vec::as_slice).collect();
        let design = NestedDesign::new(&y, &base, &added).unwrap();
        let r = design.r2_weighted(&[1; 700]).unwrap();
        let h = hierarchical(&y, &base, &added).unwrap();
        assert!((r.r2_base - h.r2_step1).abs() < 1e-12, "{r:?} vs {h:?}");
        assert!((r.r2_full - h.r2_step2).abs() < 1e-12);
        assert!((r.delta() - h.delta_r2).abs() < 1e-12);
    }

    #[test]
    fn a_resample_equals_the_regression_on_the_repeated_rows() {
        let (y, cols) = data(40, 2);
        let mut rng = Xoshiro256StarStar::seed_from_u64(9);
        let idx: Vec<usize> = (0..40).map(|_| rng.below(40) as usize).collect();
        let take = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        let (ry, rcols): (Vec<f64>, Vec<Vec<f64>>) =
            (take(&y), cols.iter().map(|c| take(c)).collect());
        let base: Vec<&[f64]> = cols[..1].iter().map(Vec::as_slice).collect();
        let added: Vec<&[f64]> = cols[1..].iter().map(Vec::as_slice).collect();
        let design = NestedDesign::new(&y, &base, &added).unwrap();
        let r = design.r2_of(&idx).unwrap();
        let rb: Vec<&[f64]> = rcols[..1].iter().map(Vec::as_slice).collect();
        let ra: Vec<&[f64]> = rcols[1..].iter().map(Vec::as_slice).collect();
        let h = hierarchical(&ry, &rb, &ra).unwrap();
        assert!((r.r2_base - h.r2_step1).abs() < 1e-10);
        assert!((r.r2_full - h.r2_step2).abs() < 1e-10);
    }

    #[test]
    fn a_batch_gives_each_resample_exactly_its_own_figures() {
        let (y, cols) = data(300, 5);
        let base: Vec<&[f64]> = cols[..2].iter().map(Vec::as_slice).collect();
        let added: Vec<&[f64]> = cols[2..].iter().map(Vec::as_slice).collect();
        let design = NestedDesign::new(&y, &base, &added).unwrap();
        let mut rng = Xoshiro256StarStar::seed_from_u64(4);
        let weights: Vec<Vec<u32>> = (0..7)
            .map(|_| {
                let mut w = vec![0u32; 300];
                for _ in 0..300 {
                    w[rng.below(300) as usize] += 1;
                }
                w
            })
            .collect();
        let refs: Vec<&[u32]> = weights.iter().map(Vec::as_slice).collect();
        let batch = design.r2_weighted_many(&refs);
        for (w, got) in weights.iter().zip(&batch) {
            assert_eq!(got, &design.r2_weighted(w), "bit for bit");
        }
        let short = [0u32; 3];
        assert!(design.r2_weighted_many(&[&short])[0].is_err());
    }

    #[test]
    fn no_base_predictors_means_a_base_r2_of_zero() {
        let (y, cols) = data(30, 3);
        let added: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let design = NestedDesign::new(&y, &[], &added).unwrap();
        let r = design.r2_weighted(&[1; 30]).unwrap();
        assert_eq!(r.r2_base, 0.0);
        let h = hierarchical(&y, &[], &added).unwrap();
        assert!((r.r2_full - h.r2_step2).abs() < 1e-12);
    }

    #[test]
    fn degenerate_inputs_are_errors_not_nan() {
        let (y, cols) = data(20, 4);
        let x: Vec<&[f64]> = vec![&cols[0], &cols[0]];
        let design = NestedDesign::new(&y, &x[..1], &x[1..]).unwrap();
        assert!(matches!(
            design.r2_weighted(&[1; 20]),
            Err(StatsError::Collinear { predictor: 1 })
        ));
        let design = NestedDesign::new(&y, &[], &x[..1]).unwrap();
        assert!(matches!(
            design.r2_of(&[0, 0, 0]),
            Err(StatsError::ZeroVariance(_)) | Err(StatsError::Collinear { .. })
        ));
        assert!(matches!(design.r2_of(&[0]), Err(StatsError::TooFew { .. })));
        assert!(design.r2_of(&[99]).is_err());
        assert!(NestedDesign::new(&y, &x, &[]).is_err());
        assert!(NestedDesign::new(&[f64::NAN], &[], &[&[1.0]]).is_err());
    }
}
