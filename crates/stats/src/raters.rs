//! Rater effects: leniency (exactly as FORMATS.md defines it) and a halo index.
//!
//! Ratings come as plain [`Rating`] records with dense indices (the caller maps its ids to
//! `0..n`); only non-self ratings belong here, and each (rater, subject, quality) at most once.
//!
//! - **Leniency** of a rater: the mean over their ratings of
//!   `score − mean of the other raters' scores of the same subject and quality`, counting only
//!   ratings that have at least one such other score. Positive = lenient, negative = severe.
//!   Computed in O(ratings) from per-(subject, quality) sums and counts: the others' mean is
//!   `(sum − score) / (count − 1)`. Its 95 % interval is `mean ± t₀.₉₇₅(n − 1) · sd / √n`
//!   (sd of the rater's deviations, n − 1 denominator; needs n ≥ 2).
//! - **Halo**: a rater's *within-subject SD* is the mean, over the subjects they rated on at
//!   least two qualities, of the SD (n − 1) of their scores of that subject across qualities.
//!   The *halo index* is that SD divided by the mean of the within-subject SDs of all raters
//!   that have one (each rater weighted equally). Below 1 = the rater differentiates qualities
//!   less than raters do on average (more halo); above 1 = less halo.

use crate::dist::StudentsT;
use crate::{Result, StatsError, filled};

/// One non-self rating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rating {
    /// Rater index, dense from 0.
    pub rater: usize,
    /// Subject index, dense from 0.
    pub subject: usize,
    /// Quality index, dense from 0.
    pub quality: usize,
    /// The score.
    pub score: f64,
}

/// Leniency and halo of one rater.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RaterEffect {
    /// The rater index.
    pub rater: usize,
    /// All ratings given.
    pub n_ratings: usize,
    /// Ratings that have at least one other rater's score of the same subject and quality.
    pub n: usize,
    /// Mean deviation from the other raters; `None` when n = 0.
    pub leniency: Option<f64>,
    /// SD of the deviations (n − 1); `None` when n < 2.
    pub sd: Option<f64>,
    /// Lower end of the 95 % interval of the leniency; `None` when n < 2.
    pub ci_low: Option<f64>,
    /// Upper end of the 95 % interval of the leniency; `None` when n < 2.
    pub ci_high: Option<f64>,
    /// Subjects this rater scored on at least two qualities.
    pub n_subjects_multi: usize,
    /// Mean within-subject SD across qualities; `None` without such subjects.
    pub within_subject_sd: Option<f64>,
    /// `within_subject_sd` over the mean of all raters' — below 1 means more halo.
    pub halo_index: Option<f64>,
}

/// Leniency and halo for every rater index `0..=max rater` (raters without ratings get an
/// entry with n = 0 and `None`s), plus the reference the halo index divides by.
#[derive(Debug, Clone, PartialEq)]
pub struct RaterEffects {
    /// One entry per rater index.
    pub raters: Vec<RaterEffect>,
    /// Mean within-subject SD over raters that have one: the halo index's denominator.
    pub mean_within_subject_sd: Option<f64>,
}

fn dense_len(len: usize) -> Result<Vec<f64>> {
    filled(len, 0.0)
}

/// One more than the largest index, without overflow.
fn extent(ratings: &[Rating], index: impl Fn(&Rating) -> usize) -> Result<usize> {
    ratings.iter().map(index).max().map_or(Ok(0), |m| {
        m.checked_add(1).ok_or(StatsError::InvalidArgument(
            "indices are too large to index densely",
        ))
    })
}

/// Leniency (with interval) and halo of every rater, in O(ratings + subjects × qualities).
///
/// ```
/// use sellerq_stats::raters::{rater_effects, Rating};
/// let r = |rater, subject, quality, score| Rating { rater, subject, quality, score };
/// let ratings = [r(0, 0, 0, 5.0), r(1, 0, 0, 3.0), r(2, 0, 0, 4.0)];
/// let effects = rater_effects(&ratings).unwrap();
/// assert_eq!(effects.raters[0].leniency, Some(1.5)); // 5 − mean(3, 4)
/// ```
pub fn rater_effects(ratings: &[Rating]) -> Result<RaterEffects> {
    if ratings.iter().any(|r| !r.score.is_finite()) {
        return Err(StatsError::NonFinite);
    }
    if ratings.is_empty() {
        return Ok(RaterEffects {
            raters: Vec::new(),
            mean_within_subject_sd: None,
        });
    }
    let n_raters = extent(ratings, |r| r.rater)?;
    let n_subjects = extent(ratings, |r| r.subject)?;
    let n_qualities = extent(ratings, |r| r.quality)?;
    let cells = n_subjects
        .checked_mul(n_qualities)
        .ok_or(StatsError::InvalidArgument(
            "indices are too large to index densely",
        ))?;

    // Per (subject, quality): sum and count of scores.
    let mut sums = dense_len(cells)?;
    let mut counts = dense_len(cells)?;
    for r in ratings {
        let cell = r.subject * n_qualities + r.quality;
        sums[cell] += r.score;
        counts[cell] += 1.0;
    }

    // Per rater: Welford over deviations from the others' mean.
    let mut n_ratings = filled(n_raters, 0usize)?;
    let mut n = filled(n_raters, 0usize)?;
    let mut mean = dense_len(n_raters)?;
    let mut m2 = dense_len(n_raters)?;
    for r in ratings {
        n_ratings[r.rater] += 1;
        let cell = r.subject * n_qualities + r.quality;
        let count = counts[cell];
        if count < 2.0 {
            continue;
        }
        let others = (sums[cell] - r.score) / (count - 1.0);
        let dev = r.score - others;
        let i = r.rater;
        n[i] += 1;
        let delta = dev - mean[i];
        mean[i] += delta / n[i] as f64;
        m2[i] += delta * (dev - mean[i]);
    }
    drop(sums);
    drop(counts);

    let (n_multi, within_sd) = within_subject_sds(ratings, n_raters, n_subjects)?;
    let defined: Vec<f64> = within_sd.iter().flatten().copied().collect();
    let reference = if defined.is_empty() {
        None
    } else {
        Some(crate::descriptive::mean_unchecked(&defined))
    };

    // t quantiles depend only on n: compute each once.
    let mut t_cache: Vec<Option<f64>> = vec![None; n.iter().copied().max().unwrap_or(0) + 1];
    let mut raters = Vec::with_capacity(n_raters);
    for i in 0..n_raters {
        let leniency = (n[i] > 0).then_some(mean[i]);
        let sd = (n[i] > 1).then(|| (m2[i] / (n[i] - 1) as f64).sqrt());
        let half_width = match sd {
            Some(sd) => {
                let t = match t_cache[n[i]] {
                    Some(t) => t,
                    None => {
                        let t = StudentsT::new((n[i] - 1) as f64)?.quantile(0.975)?;
                        t_cache[n[i]] = Some(t);
                        t
                    }
                };
                Some(t * sd / (n[i] as f64).sqrt())
            }
            None => None,
        };
        raters.push(RaterEffect {
            rater: i,
            n_ratings: n_ratings[i],
            n: n[i],
            leniency,
            sd,
            ci_low: half_width.map(|h| mean[i] - h),
            ci_high: half_width.map(|h| mean[i] + h),
            n_subjects_multi: n_multi[i],
            within_subject_sd: within_sd[i],
            halo_index: match (within_sd[i], reference) {
                (Some(own), Some(all)) if all > 0.0 => Some(own / all),
                _ => None,
            },
        });
    }
    Ok(RaterEffects {
        raters,
        mean_within_subject_sd: reference,
    })
}

/// One rater's leniency from integer scores, as [`integer_leniency`] computes it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ExactLeniency {
    /// All ratings given.
    pub n_ratings: usize,
    /// Ratings that have at least one other rater's score in the same cell.
    pub n: usize,
    /// Mean deviation from the other raters; `None` when n = 0.
    pub leniency: Option<f64>,
}

/// Leniency of every rater index `0..n_raters`, summed exactly where possible.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegerLeniency {
    /// One entry per rater index (raters without ratings: n_ratings 0, `None`).
    pub raters: Vec<ExactLeniency>,
    /// True when every leniency was summed exactly; false when a cell had more than 64 raters
    /// or the common denominator outgrew 64-bit integers, and the deviations were summed in
    /// floating point instead (as [`rater_effects`] does).
    pub exact: bool,
}

/// Leniency (FORMATS.md's definition, as in [`rater_effects`]) for integer scores, summed
/// exactly.
///
/// In floating point a leniency that is exactly 0 — common with integer scales, where the
/// deviations are fractions with denominators 1–4 that cancel — comes out as ±1e-17, which no
/// relative tolerance can compare. With integer scores each deviation is
/// `(c·score − S)/(c − 1)`, c and S the count and sum of its cell, so the deviations are summed
/// over a common denominator L = lcm(c − 1) in 128-bit integers, exactly, and one division
/// `Σ / (L·n)` rounds once: exact zeros stay zero, and the result does not depend on the order
/// of cells or ratings.
///
/// `cells` is called twice (the first pass collects the denominators) and yields the cells —
/// each the (rater index, score) pairs of one subject and quality, each rater at most once;
/// only non-self ratings belong here. A cell is iterated twice as well (count and sum, then the
/// deviations), hence `Clone`. Nothing is copied: callers map their own storage.
///
/// Fails with [`StatsError::InvalidArgument`] if a rater index is not below `n_raters`.
///
/// ```
/// use sellerq_stats::raters::integer_leniency;
/// // One subject-quality cell rated 5, 3 and 4 by raters 0, 1 and 2.
/// let cells = [vec![(0, 5), (1, 3), (2, 4)]];
/// let l = integer_leniency(3, || cells.iter().map(|c| c.iter().copied())).unwrap();
/// assert_eq!(l.raters[0].leniency, Some(1.5)); // 5 − mean(3, 4)
/// assert_eq!(l.raters[2].leniency, Some(0.0)); // exactly
/// assert!(l.exact);
/// ```
pub fn integer_leniency<F, I, C>(n_raters: usize, cells: F) -> Result<IntegerLeniency>
where
    F: Fn() -> I,
    I: IntoIterator<Item = C>,
    C: IntoIterator<Item = (usize, i32)> + Clone,
{
    /// Denominators below this are summed exactly.
    const MAX_D: usize = 64;
    // Pass 1: the denominators c − 1 that occur.
    let mut denominators = 0u64;
    let mut wide = false;
    for cell in cells() {
        let c = cell.into_iter().count();
        if c >= 2 {
            if c - 1 < MAX_D {
                denominators |= 1 << (c - 1);
            } else {
                wide = true;
            }
        }
    }
    let mut l: i128 = 1;
    for d in 1..MAX_D as i128 {
        if denominators & (1 << d) != 0 {
            l = l / gcd(l, d) * d;
            if l > i128::from(i64::MAX) {
                wide = true;
                break;
            }
        }
    }
    // L / d for each denominator: no 128-bit division per rating.
    let mult: Vec<i128> = (0..MAX_D as i128)
        .map(|d| if d == 0 || wide { 0 } else { l / d })
        .collect();
    // Per rater: counts, and the exact numerators or the floating-point sums.
    type Sums = (Vec<ExactLeniency>, Vec<i128>, Vec<f64>);
    let pass = |wide: bool| -> Result<Option<Sums>> {
        let mut out = filled(n_raters, ExactLeniency::default())?;
        let mut num = filled(if wide { 0 } else { n_raters }, 0i128)?;
        let mut float_sum = filled(if wide { n_raters } else { 0 }, 0.0f64)?;
        for cell in cells() {
            let (c, sum) = cell
                .clone()
                .into_iter()
                .fold((0i128, 0i128), |(c, s), (_, v)| (c + 1, s + i128::from(v)));
            for (rater, score) in cell {
                let Some(e) = out.get_mut(rater) else {
                    return Err(StatsError::InvalidArgument(
                        "a rater index is not below n_raters",
                    ));
                };
                e.n_ratings += 1;
                if c < 2 {
                    continue;
                }
                e.n += 1;
                let dev = c * i128::from(score) - sum;
                if wide {
                    float_sum[rater] += dev as f64 / (c - 1) as f64;
                } else {
                    match dev
                        .checked_mul(mult[(c - 1) as usize])
                        .and_then(|t| num[rater].checked_add(t))
                    {
                        Some(t) => num[rater] = t,
                        // Beyond 128 bits (absurd scores): start again in floating point.
                        None => return Ok(None),
                    }
                }
            }
        }
        Ok(Some((out, num, float_sum)))
    };
    let (mut raters, num, float_sum) = match pass(wide)? {
        Some(r) => r,
        None => {
            wide = true;
            pass(true)?.ok_or(StatsError::Degenerate("the leniency sums overflow"))?
        }
    };
    for (i, e) in raters.iter_mut().enumerate() {
        if e.n == 0 {
            continue;
        }
        let value = if wide {
            float_sum[i] / e.n as f64
        } else {
            num[i] as f64 / (l * e.n as i128) as f64
        };
        e.leniency = value.is_finite().then_some(value);
    }
    Ok(IntegerLeniency {
        raters,
        exact: !wide,
    })
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// For each rater: how many subjects they scored on ≥ 2 qualities, and the mean over those of
/// the SD of their scores across qualities. Counting sort by rater, then per-subject scratch
/// arrays that are reset through a list of touched subjects: O(ratings + subjects + raters).
fn within_subject_sds(
    ratings: &[Rating],
    n_raters: usize,
    n_subjects: usize,
) -> Result<(Vec<usize>, Vec<Option<f64>>)> {
    let mut start = filled(n_raters + 1, 0usize)?;
    for r in ratings {
        start[r.rater + 1] += 1;
    }
    for i in 0..n_raters {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut order = vec![0usize; ratings.len()];
    for (idx, r) in ratings.iter().enumerate() {
        order[next[r.rater]] = idx;
        next[r.rater] += 1;
    }
    let mut count = dense_len(n_subjects)?;
    let mut sum = dense_len(n_subjects)?;
    let mut ss = dense_len(n_subjects)?;
    let mut touched: Vec<usize> = Vec::new();
    let mut n_multi = vec![0usize; n_raters];
    let mut result = vec![None; n_raters];
    for rater in 0..n_raters {
        let own = &order[start[rater]..start[rater + 1]];
        touched.clear();
        for &idx in own {
            let s = ratings[idx].subject;
            if count[s] == 0.0 {
                touched.push(s);
            }
            count[s] += 1.0;
            sum[s] += ratings[idx].score;
        }
        for &idx in own {
            let s = ratings[idx].subject;
            let d = ratings[idx].score - sum[s] / count[s];
            ss[s] += d * d;
        }
        let (mut total, mut subjects) = (0.0, 0usize);
        for &s in &touched {
            if count[s] >= 2.0 {
                total += (ss[s] / (count[s] - 1.0)).sqrt();
                subjects += 1;
            }
            count[s] = 0.0;
            sum[s] = 0.0;
            ss[s] = 0.0;
        }
        n_multi[rater] = subjects;
        if subjects > 0 {
            result[rater] = Some(total / subjects as f64);
        }
    }
    Ok((n_multi, result))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cells as (subject, quality) → [(rater, score)].
    type Cells = Vec<Vec<(usize, i32)>>;

    fn exact(n_raters: usize, cells: &Cells) -> IntegerLeniency {
        integer_leniency(n_raters, || cells.iter().map(|c| c.iter().copied())).unwrap()
    }

    fn as_ratings(cells: &Cells) -> Vec<Rating> {
        cells
            .iter()
            .enumerate()
            .flat_map(|(s, c)| {
                c.iter().map(move |&(rater, score)| Rating {
                    rater,
                    subject: s,
                    quality: 0,
                    score: f64::from(score),
                })
            })
            .collect()
    }

    fn random_cells(seed: u64, n_cells: usize, n_raters: usize, max_c: u64) -> Cells {
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        (0..n_cells)
            .map(|_| {
                let c = 1 + next(max_c) as usize;
                let mut raters: Vec<usize> = Vec::new();
                while raters.len() < c.min(n_raters) {
                    let r = next(n_raters as u64) as usize;
                    if !raters.contains(&r) {
                        raters.push(r);
                    }
                }
                raters
                    .into_iter()
                    .map(|r| (r, 1 + next(5) as i32))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn deviations_from_the_other_raters_by_hand() {
        let cells: Cells = vec![
            vec![(0, 5), (1, 3), (2, 4)],
            vec![(0, 2), (1, 4)],
            vec![(2, 3)],
        ];
        let l = exact(4, &cells);
        assert!(l.exact);
        // Rater 0: 5 − 3.5 and 2 − 4; rater 1: 3 − 4.5 and 4 − 2; rater 2: 4 − 4 (and a
        // cell alone, which does not count).
        assert_eq!(l.raters[0].leniency, Some((1.5 - 2.0) / 2.0));
        assert_eq!(l.raters[1].leniency, Some((-1.5 + 2.0) / 2.0));
        assert_eq!(l.raters[2].leniency, Some(0.0));
        assert_eq!((l.raters[2].n_ratings, l.raters[2].n), (2, 1));
        assert_eq!(l.raters[3], ExactLeniency::default());
    }

    #[test]
    fn agrees_with_the_floating_point_rater_effects() {
        for seed in 0..20 {
            let cells = random_cells(seed, 300, 25, 6);
            let l = exact(25, &cells);
            let f = rater_effects(&as_ratings(&cells)).unwrap();
            assert!(l.exact);
            for (e, r) in l.raters.iter().zip(&f.raters) {
                assert_eq!((e.n_ratings, e.n), (r.n_ratings, r.n));
                match (e.leniency, r.leniency) {
                    (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{a} vs {b}"),
                    (a, b) => assert_eq!(a, b),
                }
            }
        }
    }

    #[test]
    fn cancelling_deviations_give_exactly_zero() {
        // Cells of four raters: deviations are thirds. Rater 0 deviates +2/3, −1/3, −1/3.
        let cells: Cells = vec![
            vec![(0, 2), (1, 1), (2, 1), (3, 2)],
            vec![(0, 1), (1, 2), (2, 1), (3, 1)],
            vec![(0, 1), (1, 1), (2, 2), (3, 1)],
        ];
        let l = exact(4, &cells);
        assert_eq!(l.raters[0].leniency, Some(0.0));
        let f = rater_effects(&as_ratings(&cells)).unwrap();
        assert!(f.raters[0].leniency.unwrap().abs() < 1e-15);
    }

    #[test]
    fn the_order_of_cells_and_ratings_does_not_matter() {
        let cells = random_cells(99, 400, 30, 5);
        let mut shuffled = cells.clone();
        shuffled.reverse();
        for c in &mut shuffled {
            c.reverse();
        }
        assert_eq!(exact(30, &cells), exact(30, &shuffled));
    }

    #[test]
    fn a_cell_of_more_than_64_raters_falls_back_to_floating_point() {
        let mut cells = random_cells(5, 50, 80, 4);
        cells.push((0..70).map(|r| (r, 1 + (r % 5) as i32)).collect());
        let l = exact(80, &cells);
        assert!(!l.exact);
        let f = rater_effects(&as_ratings(&cells)).unwrap();
        for (e, r) in l.raters.iter().zip(&f.raters) {
            match (e.leniency, r.leniency) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{a} vs {b}"),
                (a, b) => assert_eq!(a, b),
            }
        }
    }

    #[test]
    fn a_rater_index_out_of_range_is_an_error() {
        let cells: Cells = vec![vec![(0, 1), (5, 2)]];
        assert!(matches!(
            integer_leniency(3, || cells.iter().map(|c| c.iter().copied())),
            Err(StatsError::InvalidArgument(_))
        ));
        let none: Cells = Vec::new();
        assert_eq!(exact(2, &none).raters, vec![ExactLeniency::default(); 2]);
    }
}
