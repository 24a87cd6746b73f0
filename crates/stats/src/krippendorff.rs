//! Krippendorff's alpha for nominal, ordinal, interval and ratio data with missing values,
//! computed from value counts through the coincidence matrix — never from all pairs of values —
//! and matching the `krippendorff` PyPI package (0.9) exactly, including its ordinal metric.
//!
//! Definitions (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"): a unit with
//! m_u ≥ 2 values contributes `n_uc n_uk / (m_u − 1)` to the coincidence `o_ck` (c ≠ k); units
//! with fewer than two values contribute nothing. With margins `n_c` and `n = Σ n_c`,
//!
//! `α = 1 − (n − 1) Σ_{c≠k} o_ck δ²_ck / Σ_{c≠k} n_c n_k δ²_ck`,
//!
//! where δ² is 1 (nominal), `(v_c − v_k)²` (interval), `((v_c − v_k)/(v_c + v_k))²` (ratio) or,
//! for ordinal data, `(Σ_{g=c..k} n_g − (n_c + n_k)/2)²`. That ordinal distance equals
//! `(m_k − m_c)²` with the mid-ranks `m_j = Σ_{g≤j} n_g − n_j/2`, so the expected disagreement
//! of nominal, interval and ordinal data takes O(V) time, ratio O(V²).
//!
//! Cost: one pass over the values with O(d_u²) work per unit (d_u distinct values in the unit,
//! at most the number of coders), memory O(V²) for up to [`DENSE_LIMIT`] distinct values and
//! O(non-zero coincidences) beyond. Coder identity does not enter alpha, so units are given as
//! lists of their values: 100,000 units × 5 coders take a few milliseconds.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::{Result, StatsError};

/// Up to this many distinct values the coincidences accumulate in a dense V × V matrix.
pub const DENSE_LIMIT: usize = 512;

/// Level of measurement, which chooses the distance δ².
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Categories: any two different values disagree equally.
    Nominal,
    /// Ranks: distance by how many pairable values lie between (Krippendorff's ordinal metric).
    Ordinal,
    /// Equal intervals: squared difference.
    Interval,
    /// Ratios: squared difference over squared sum.
    Ratio,
}

/// A multiplicative hash for the small integer keys used here (value bits, index pairs).
#[derive(Debug, Default, Clone, Copy)]
struct MulHasher(u64);

impl Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<MulHasher>>;

/// Coincidences while values are still numbered in order of first appearance.
#[derive(Debug)]
enum Accumulator {
    Dense { dim: usize, cells: Vec<f64> },
    Sparse(FastMap<u64, f64>),
}

impl Accumulator {
    /// Adds `w` to the coincidence of ids `i < j`.
    fn add(&mut self, i: usize, j: usize, w: f64, n_ids: usize) {
        if let Self::Dense { dim, cells } = self
            && n_ids > *dim
        {
            if n_ids > DENSE_LIMIT {
                let mut map = FastMap::default();
                for a in 0..*dim {
                    for b in (a + 1)..*dim {
                        let v = cells[a * *dim + b];
                        if v != 0.0 {
                            map.insert(pair_key(a, b), v);
                        }
                    }
                }
                *self = Self::Sparse(map);
            } else {
                let new_dim = (n_ids * 2).clamp(16, DENSE_LIMIT);
                let mut grown = vec![0.0; new_dim * new_dim];
                for a in 0..*dim {
                    grown[a * new_dim..a * new_dim + *dim]
                        .copy_from_slice(&cells[a * *dim..(a + 1) * *dim]);
                }
                *dim = new_dim;
                *cells = grown;
            }
        }
        match self {
            Self::Dense { dim, cells } => cells[i * *dim + j] += w,
            Self::Sparse(map) => *map.entry(pair_key(i, j)).or_insert(0.0) += w,
        }
    }
}

fn pair_key(i: usize, j: usize) -> u64 {
    ((i as u64) << 32) | j as u64
}

/// Collects units one at a time into a coincidence matrix.
///
/// ```
/// use sellerq_stats::krippendorff::{CoincidenceBuilder, Level};
/// let mut b = CoincidenceBuilder::new();
/// for unit in [&[1.0, 1.0][..], &[2.0, 2.0, 3.0], &[3.0, 3.0], &[4.0]] {
///     b.push_unit(unit).unwrap();
/// }
/// let c = b.finish().unwrap();
/// assert!(c.alpha(Level::Interval).unwrap() > 0.8);
/// ```
#[derive(Debug)]
pub struct CoincidenceBuilder {
    /// Value id by bit pattern; small non-negative integers go through `small` instead.
    ids: FastMap<u64, u32>,
    small: Vec<u32>,
    values: Vec<f64>,
    margins: Vec<f64>,
    acc: Accumulator,
    scratch: Vec<u32>,
    runs: Vec<(u32, u32)>,
    units_pairable: usize,
}

impl Default for CoincidenceBuilder {
    fn default() -> Self {
        Self::new()
    }
}

const NO_ID: u32 = u32::MAX;
const SMALL_INTS: usize = 256;

impl CoincidenceBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self {
            ids: FastMap::default(),
            small: vec![NO_ID; SMALL_INTS],
            values: Vec::new(),
            margins: Vec::new(),
            acc: Accumulator::Dense {
                dim: 0,
                cells: Vec::new(),
            },
            scratch: Vec::new(),
            runs: Vec::new(),
            units_pairable: 0,
        }
    }

    fn id_of(&mut self, v: f64) -> u32 {
        let v = v + 0.0; // −0 and +0 are one value
        if v >= 0.0 && v < SMALL_INTS as f64 && v.fract() == 0.0 {
            let slot = v as usize;
            if self.small[slot] == NO_ID {
                self.small[slot] = self.new_id(v);
            }
            return self.small[slot];
        }
        if let Some(&id) = self.ids.get(&v.to_bits()) {
            return id;
        }
        let id = self.new_id(v);
        self.ids.insert(v.to_bits(), id);
        id
    }

    fn new_id(&mut self, v: f64) -> u32 {
        self.values.push(v);
        self.margins.push(0.0);
        (self.values.len() - 1) as u32
    }

    /// Adds one unit: the values its coders gave (missing ones left out, any order).
    /// A unit with fewer than two values is allowed and contributes nothing.
    pub fn push_unit(&mut self, values: &[f64]) -> Result<()> {
        if values.len() < 2 {
            return if values.iter().all(|v| v.is_finite()) {
                Ok(())
            } else {
                Err(StatsError::NonFinite)
            };
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        for &v in values {
            if !v.is_finite() {
                self.scratch = scratch;
                return Err(StatsError::NonFinite);
            }
            scratch.push(self.id_of(v));
        }
        if self.values.len() >= NO_ID as usize {
            self.scratch = scratch;
            return Err(StatsError::InvalidArgument("too many distinct values"));
        }
        scratch.sort_unstable();
        self.runs.clear();
        for &id in &scratch {
            match self.runs.last_mut() {
                Some((last, count)) if *last == id => *count += 1,
                _ => self.runs.push((id, 1)),
            }
        }
        let w = 1.0 / (values.len() - 1) as f64;
        let n_ids = self.values.len();
        for (a, &(id_a, count_a)) in self.runs.iter().enumerate() {
            self.margins[id_a as usize] += f64::from(count_a);
            for &(id_b, count_b) in &self.runs[a + 1..] {
                let weight = f64::from(count_a) * f64::from(count_b) * w;
                self.acc.add(id_a as usize, id_b as usize, weight, n_ids);
            }
        }
        self.units_pairable += 1;
        self.scratch = scratch;
        Ok(())
    }

    /// Orders the values and freezes the coincidence matrix.
    ///
    /// Fails with [`StatsError::TooFew`] when no unit has two values.
    pub fn finish(self) -> Result<Coincidences> {
        if self.units_pairable == 0 {
            return Err(StatsError::TooFew { needed: 1, got: 0 });
        }
        // Keep only values that occur in pairable units, in ascending order.
        let mut order: Vec<usize> = (0..self.values.len())
            .filter(|&i| self.margins[i] > 0.0)
            .collect();
        order.sort_unstable_by(|&a, &b| self.values[a].total_cmp(&self.values[b]));
        let mut rank = vec![usize::MAX; self.values.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id] = r;
        }
        let mut pairs: Vec<(u32, u32, f64)> = Vec::new();
        let mut push = |i: usize, j: usize, w: f64| {
            let (a, b) = (rank[i], rank[j]);
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            pairs.push((lo as u32, hi as u32, w));
        };
        match &self.acc {
            Accumulator::Dense { dim, cells } => {
                for i in 0..*dim {
                    for j in (i + 1)..*dim {
                        let w = cells[i * *dim + j];
                        if w != 0.0 {
                            push(i, j, w);
                        }
                    }
                }
            }
            Accumulator::Sparse(map) => {
                for (&key, &w) in map {
                    push((key >> 32) as usize, (key & 0xFFFF_FFFF) as usize, w);
                }
            }
        }
        pairs.sort_unstable_by_key(|&(a, b, _)| (a, b));
        Ok(Coincidences {
            values: order.iter().map(|&i| self.values[i]).collect(),
            margins: order.iter().map(|&i| self.margins[i]).collect(),
            pairs,
            units_pairable: self.units_pairable,
        })
    }
}

/// A frozen coincidence matrix over the distinct pairable values, ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct Coincidences {
    values: Vec<f64>,
    margins: Vec<f64>,
    /// Off-diagonal coincidences `o_ck` for c < k (by index into `values`), non-zero only.
    pairs: Vec<(u32, u32, f64)>,
    units_pairable: usize,
}

impl Coincidences {
    /// Builds from a units × coders matrix (row-major, `None` = missing).
    ///
    /// ```
    /// use sellerq_stats::krippendorff::{Coincidences, Level};
    /// let data = [Some(1.0), Some(1.0), Some(2.0), Some(2.0), Some(3.0), None];
    /// let c = Coincidences::from_matrix(&data, 2).unwrap();
    /// assert_eq!(c.alpha(Level::Nominal).unwrap(), 1.0);
    /// ```
    pub fn from_matrix(data: &[Option<f64>], n_coders: usize) -> Result<Self> {
        if n_coders == 0 || !data.len().is_multiple_of(n_coders) {
            return Err(StatsError::LengthMismatch {
                expected: data.len() - data.len() % n_coders.max(1),
                got: data.len(),
            });
        }
        let mut builder = CoincidenceBuilder::new();
        let mut unit = Vec::with_capacity(n_coders);
        for row in data.chunks_exact(n_coders) {
            unit.clear();
            unit.extend(row.iter().flatten());
            builder.push_unit(&unit)?;
        }
        builder.finish()
    }

    /// The distinct values that occur in units with at least two values, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// `n_c`: how many pairable values equal each of [`Self::values`].
    pub fn margins(&self) -> &[f64] {
        &self.margins
    }

    /// `n`: the number of pairable values.
    pub fn n_pairable(&self) -> f64 {
        self.margins.iter().sum()
    }

    /// Units that have at least two values.
    pub fn units_pairable(&self) -> usize {
        self.units_pairable
    }

    /// The coincidence `o_ck` of the c-th and k-th values (diagonal included).
    pub fn get(&self, c: usize, k: usize) -> f64 {
        if c >= self.values.len() || k >= self.values.len() {
            return 0.0;
        }
        if c == k {
            let off: f64 = self
                .pairs
                .iter()
                .filter(|&&(a, b, _)| a as usize == c || b as usize == c)
                .map(|p| p.2)
                .sum();
            return self.margins[c] - off;
        }
        let (lo, hi) = if c < k { (c, k) } else { (k, c) };
        self.pairs
            .binary_search_by_key(&(lo as u32, hi as u32), |&(a, b, _)| (a, b))
            .map_or(0.0, |i| self.pairs[i].2)
    }

    /// Krippendorff's alpha at the given level of measurement.
    ///
    /// Fails with [`StatsError::ZeroVariance`] when the expected disagreement is zero (e.g. all
    /// pairable values equal).
    pub fn alpha(&self, level: Level) -> Result<f64> {
        let n = self.n_pairable();
        let v = self.values.len();
        if v < 2 {
            return Err(StatsError::ZeroVariance("all pairable values are equal"));
        }
        let mids: Vec<f64>;
        let points: &[f64] = match level {
            Level::Ordinal => {
                let mut cumulative = 0.0;
                mids = self
                    .margins
                    .iter()
                    .map(|&m| {
                        cumulative += m;
                        cumulative - m / 2.0
                    })
                    .collect();
                &mids
            }
            _ => &self.values,
        };
        let delta = |c: usize, k: usize| -> f64 {
            match level {
                Level::Nominal => 1.0,
                Level::Ordinal | Level::Interval => (points[c] - points[k]).powi(2),
                Level::Ratio => {
                    let s = self.values[c] + self.values[k];
                    if s == 0.0 {
                        0.0
                    } else {
                        ((self.values[c] - self.values[k]) / s).powi(2)
                    }
                }
            }
        };
        let observed: f64 = 2.0
            * self
                .pairs
                .iter()
                .map(|&(c, k, o)| o * delta(c as usize, k as usize))
                .sum::<f64>();
        // Σ_{c≠k} n_c n_k δ²_ck.
        let expected = match level {
            Level::Nominal => n * n - self.margins.iter().map(|m| m * m).sum::<f64>(),
            Level::Ordinal | Level::Interval => {
                let mean = self
                    .margins
                    .iter()
                    .zip(points)
                    .map(|(m, p)| m * p)
                    .sum::<f64>()
                    / n;
                2.0 * n
                    * self
                        .margins
                        .iter()
                        .zip(points)
                        .map(|(m, p)| m * (p - mean).powi(2))
                        .sum::<f64>()
            }
            Level::Ratio => {
                let mut sum = 0.0;
                for c in 0..v {
                    for k in (c + 1)..v {
                        sum += self.margins[c] * self.margins[k] * delta(c, k);
                    }
                }
                2.0 * sum
            }
        };
        if !crate::is_positive(expected) {
            return Err(StatsError::ZeroVariance(
                "no disagreement is expected by chance",
            ));
        }
        let alpha = 1.0 - (n - 1.0) * observed / expected;
        if alpha.is_finite() {
            Ok(alpha)
        } else {
            Err(StatsError::Degenerate("alpha overflows"))
        }
    }
}

/// Krippendorff's alpha of a units × coders matrix (row-major, `None` = missing).
pub fn krippendorff_alpha(data: &[Option<f64>], n_coders: usize, level: Level) -> Result<f64> {
    Coincidences::from_matrix(data, n_coders)?.alpha(level)
}
