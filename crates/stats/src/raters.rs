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
