//! The reliability report: how far the ratings of a cycle can be trusted.
//!
//! - Per quality: `sellerq analyze`'s figures (ICC, Krippendorff's alpha, raters per subject,
//!   raters needed for 0.70) with a badge from ICC(1,k) by the text report's thresholds.
//! - Cronbach's alpha (analyze's), and alpha of the other qualities when one is dropped (same
//!   subjects: those with every quality score of the qualities that have scores).
//! - Rater effects: analyze's leniency (exact), its 95 % interval and the halo index from
//!   `sellerq_stats::raters::rater_effects` over the cycle's non-self ratings, the interval
//!   centred on the exact leniency; outliers by the text report's rule.
//! - Self–other agreement per quality over the subjects with both a self score and a quality
//!   score (FORMATS.md's: every non-self rating, no anonymity rule — these are organisation-wide
//!   figures, never one seller's): Pearson r with its Fisher-z interval, and the shares of
//!   over-raters (self − others ≥ the blind-spot threshold) and under-raters (≤ −threshold),
//!   with the 1e-9 tolerance the profiles use.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use sellerq_domain::DEFAULT_METRIC;
use sellerq_stats::correlation;
use sellerq_stats::raters::{Rating as StatsRating, rater_effects};
use sellerq_stats::reliability::cronbach_alpha;

use super::cache::{Key, Value};
use super::data::{self, Loaded};
use super::{Agreement, Badge, QualityReliability, RaterRow, ReliabilityView};
use crate::analyze::report::{RaterReport, SubjectScores};
use crate::analyze::text::leniency_outliers;
use crate::web::AppState;
use crate::web::error::AppError;

/// Floating-point slack in the over/under-rater test (as the profiles' blind spots).
const EPSILON: f64 = 1e-9;

/// See [`super::reliability`].
pub(crate) async fn get(
    state: &AppState,
    org_id: i64,
    cycle: Option<&str>,
) -> Result<Arc<ReliabilityView>, AppError> {
    let version = data::version(state, org_id).await?;
    let cycle = data::resolve_cycle(state, org_id, version, cycle).await?;
    cached_or_built(state, org_id, version, &cycle).await
}

async fn cached_or_built(
    state: &AppState,
    org_id: i64,
    version: i64,
    cycle: &sellerq_store::Cycle,
) -> Result<Arc<ReliabilityView>, AppError> {
    let key = Key::Reliability {
        org: org_id,
        cycle: cycle.id,
    };
    if let Some(Value::Reliability(v)) = state.evidence.get(&key, version) {
        return Ok(v);
    }
    let flight = state.evidence.flight(&key);
    let _computing = flight.lock().await;
    if let Some(Value::Reliability(v)) = state.evidence.get(&key, version) {
        return Ok(v);
    }
    let threshold = state.store.org_settings(org_id).await?.blind_spot_threshold;
    let loaded = data::load(state, org_id, version, cycle).await?;
    let view = tokio::task::spawn_blocking(move || build(&loaded, threshold))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("computing reliability: {e}")))??;
    let view = Arc::new(view);
    state
        .evidence
        .put(key, version, Value::Reliability(view.clone()));
    Ok(view)
}

/// See [`super::rater_leniency`].
pub(crate) async fn leniency_by_id(
    state: &AppState,
    org_id: i64,
    cycle_id: i64,
) -> Result<Arc<HashMap<String, f64>>, AppError> {
    let version = data::version(state, org_id).await?;
    let key = Key::Leniency {
        org: org_id,
        cycle: cycle_id,
    };
    if let Some(Value::Leniency(m)) = state.evidence.get(&key, version) {
        return Ok(m);
    }
    let rated = data::rated_cycles(state, org_id, version).await?;
    let map = match rated.iter().find(|c| c.id == cycle_id) {
        Some(cycle) => {
            let view = cached_or_built(state, org_id, version, cycle).await?;
            view.raters
                .iter()
                .filter_map(|r| r.leniency.map(|l| (r.rater.clone(), l)))
                .collect()
        }
        None => {
            // No ratings (yet): nobody is lenient. An unknown cycle is a 404.
            state
                .store
                .cycle(org_id, cycle_id)
                .await?
                .ok_or(AppError::NotFound)?;
            HashMap::new()
        }
    };
    let map = Arc::new(map);
    state
        .evidence
        .put(key, version, Value::Leniency(map.clone()));
    Ok(map)
}

/// Alpha of the other qualities when each is left out; `None` for a quality without scores.
fn alpha_if_dropped(keys: &[Box<str>], sc: &SubjectScores) -> Vec<(String, Option<f64>)> {
    let present: Vec<usize> = (0..sc.n_q)
        .filter(|&q| (0..sc.subjects.len()).any(|s| sc.others[s * sc.n_q + q].is_some()))
        .collect();
    let mut rows = Vec::new();
    for s in 0..sc.subjects.len() {
        let row: Option<Vec<f64>> = present.iter().map(|&q| sc.others[s * sc.n_q + q]).collect();
        if let Some(row) = row {
            rows.extend(row);
        }
    }
    let dropped = cronbach_alpha(&rows, present.len())
        .map(|a| a.alpha_if_dropped)
        .unwrap_or_default();
    keys.iter()
        .enumerate()
        .map(|(q, key)| {
            let alpha = present
                .iter()
                .position(|&p| p == q)
                .and_then(|i| dropped.get(i).copied().flatten())
                .filter(|a| a.is_finite());
            (key.to_string(), alpha)
        })
        .collect()
}

/// Self–other agreement of one quality.
pub fn agreement(key: &str, pairs: &[(f64, f64)], threshold: f64) -> Agreement {
    let n = pairs.len();
    let (own, others): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
    let c = correlation::pearson(&own, &others).ok();
    let share = |test: &dyn Fn(f64) -> bool| {
        (n > 0).then(|| pairs.iter().filter(|(s, o)| test(s - o)).count() as f64 / n as f64)
    };
    Agreement {
        key: key.to_owned(),
        n,
        r: c.map(|c| c.r).filter(|v| v.is_finite()),
        ci_low: c.map(|c| c.ci_low).filter(|v| v.is_finite()),
        ci_high: c.map(|c| c.ci_high).filter(|v| v.is_finite()),
        over_share: share(&|gap| gap >= threshold - EPSILON),
        under_share: share(&|gap| gap <= -threshold + EPSILON),
    }
}

/// The rater table: analyze's raters with interval, halo and the outlier flag, most lenient
/// first (raters without a leniency last), ties by id.
pub fn rater_rows(
    raters: &[RaterReport],
    effects: &HashMap<String, sellerq_stats::raters::RaterEffect>,
    names: &HashMap<String, String>,
) -> Vec<RaterRow> {
    let outliers: HashSet<&str> = leniency_outliers(raters)
        .into_iter()
        .map(|r| r.rater.as_str())
        .collect();
    let mut rows: Vec<RaterRow> = raters
        .iter()
        .map(|r| {
            let e = effects.get(&r.rater);
            // The interval's half width from the float computation, centred on the exact
            // leniency analyze reports.
            let half = e.and_then(|e| Some((e.ci_high? - e.ci_low?) / 2.0));
            let (ci_low, ci_high) = match (r.leniency, half) {
                (Some(l), Some(h)) if h.is_finite() => (Some(l - h), Some(l + h)),
                _ => (None, None),
            };
            RaterRow {
                rater: r.rater.clone(),
                name: names.get(&r.rater).cloned(),
                role: r.role,
                n: r.n,
                leniency: r.leniency,
                ci_low,
                ci_high,
                halo_index: e.and_then(|e| e.halo_index).filter(|h| h.is_finite()),
                outlier: outliers.contains(r.rater.as_str()),
            }
        })
        .collect();
    rows.sort_by(|a, b| match (a.leniency, b.leniency) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.rater.cmp(&b.rater)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.rater.cmp(&b.rater),
    });
    rows
}

/// Leniency intervals and halo of the cycle's non-self raters, by rater id.
fn effects(
    loaded: &Loaded,
    cycle: usize,
) -> Result<HashMap<String, sellerq_stats::raters::RaterEffect>, AppError> {
    let ds = &loaded.ds;
    // Dense rater indices in order of first appearance.
    let mut dense: HashMap<u32, usize> = HashMap::new();
    let mut ids: Vec<u32> = Vec::new();
    let mut ratings = Vec::new();
    for (s, subject) in ds.subjects_in(cycle).enumerate() {
        for r in subject.ratings.iter().filter(|r| r.role().is_other()) {
            let i = *dense.entry(r.rater).or_insert_with(|| {
                ids.push(r.rater);
                ids.len() - 1
            });
            ratings.push(StatsRating {
                rater: i,
                subject: s,
                quality: usize::from(r.quality),
                score: f64::from(r.score),
            });
        }
    }
    let effects = rater_effects(&ratings)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rater effects: {e}")))?;
    Ok(effects
        .raters
        .into_iter()
        .filter_map(|e| ids.get(e.rater).map(|&id| (ds.id(id).to_owned(), e)))
        .collect())
}

/// Computes the whole view.
fn build(loaded: &Loaded, blind_spot_threshold: f64) -> Result<ReliabilityView, AppError> {
    let started = std::time::Instant::now();
    let report = super::validity::report(loaded, DEFAULT_METRIC, &[])?;
    let t_report = started.elapsed();
    let ds = &loaded.ds;
    let cycle = ds
        .cycle_index(loaded.cycle.name.as_str())
        .ok_or_else(|| AppError::invalid("cycle", "the cycle has no ratings"))?;
    let sc = SubjectScores::of(&loaded.ds, cycle);

    let qualities = report
        .qualities
        .iter()
        .map(|q| QualityReliability {
            badge: Badge::of(q.icc.icc1k),
            figures: q.clone(),
        })
        .collect();
    let agreement = ds
        .qualities()
        .iter()
        .enumerate()
        .map(|(q, key)| {
            let pairs: Vec<(f64, f64)> = (0..sc.subjects.len())
                .filter_map(|s| Some((sc.own[s * sc.n_q + q]?, sc.others[s * sc.n_q + q]?)))
                .collect();
            agreement(key, &pairs, blind_spot_threshold)
        })
        .collect();
    let effects = effects(loaded, cycle)?;
    let raters = rater_rows(&report.raters, &effects, &loaded.names);
    tracing::debug!(
        report_ms = t_report.as_secs_f64() * 1e3,
        rest_ms = (started.elapsed() - t_report).as_secs_f64() * 1e3,
        "evidence: reliability computed"
    );
    // analyze's notes about the ratings (those about outcomes and validity belong to the
    // validity report).
    let notes = report
        .notes
        .iter()
        .filter(|n| {
            !(n.contains("outcome") || n.contains("validity") || n.contains("hierarchical"))
        })
        .cloned()
        .collect();
    Ok(ReliabilityView {
        cycle: report.input.cycle.clone(),
        qualities,
        cronbach: report.cronbach_alpha.clone(),
        alpha_if_dropped: alpha_if_dropped(ds.qualities(), &sc),
        raters,
        agreement,
        blind_spot_threshold,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sellerq_stats::raters::RaterEffect;

    #[test]
    fn badges_follow_the_text_reports_thresholds() {
        assert_eq!(Badge::of(Some(0.70)), Badge::Good);
        assert_eq!(Badge::of(Some(0.6999)), Badge::Fair);
        assert_eq!(Badge::of(Some(0.50)), Badge::Fair);
        assert_eq!(Badge::of(Some(0.49)), Badge::Poor);
        assert_eq!(Badge::of(Some(-0.2)), Badge::Poor);
        assert_eq!(Badge::of(None), Badge::Unknown);
        assert_eq!(Badge::Fair.word(), "fair");
        assert_eq!(Badge::Unknown.word(), "unknown");
    }

    #[test]
    fn agreement_of_a_small_hand_computed_case() {
        // (self, others): gaps +1, 0, −1.5, +0.5, +2 → over-raters 2/5, under-raters 1/5.
        let pairs = [(4.0, 3.0), (3.0, 3.0), (2.0, 3.5), (5.0, 4.5), (5.0, 3.0)];
        let a = agreement("humility", &pairs, 1.0);
        assert_eq!(a.n, 5);
        assert_eq!(a.over_share, Some(0.4));
        assert_eq!(a.under_share, Some(0.2));
        // Pearson r by hand: self mean 3.8, others mean 3.4;
        // Σdxdy = 0.2·(−0.4) + (−0.8)(−0.4) + (−1.8)(0.1) + 1.2·1.1 + 1.2·(−0.4) = 0.9,
        // Σdx² = 0.04 + 0.64 + 3.24 + 1.44 + 1.44 = 6.8, Σdy² = 0.16·3 + 0.01 + 1.21 = 1.7.
        let r = 0.9 / (6.8f64 * 1.7).sqrt();
        assert!((a.r.unwrap() - r).abs() < 1e-12, "{:?} vs {r}", a.r);
        assert!(a.ci_low.unwrap() < r && r < a.ci_high.unwrap());
    }

    #[test]
    fn agreement_without_pairs_is_empty_not_nan() {
        let a = agreement("belief", &[], 1.0);
        assert_eq!(
            (a.n, a.r, a.over_share, a.under_share),
            (0, None, None, None)
        );
    }

    #[test]
    fn a_gap_of_exactly_the_threshold_counts_despite_rounding() {
        // 3 − 1.9999999999999998 is just below 1.0 in floating point.
        let a = agreement("ownership", &[(3.0, 1.999_999_999_999_999_8)], 1.0);
        assert_eq!(a.over_share, Some(1.0));
    }

    fn rater(id: &str, n: usize, leniency: Option<f64>) -> RaterReport {
        RaterReport {
            rater: id.to_owned(),
            role: "peer",
            n,
            leniency,
        }
    }

    #[test]
    fn the_outlier_is_flagged_and_the_interval_is_centred_on_the_exact_leniency() {
        // Twenty raters near zero and one at +1.5: more than 2 SD out and ≥ 0.5 points.
        let mut raters: Vec<RaterReport> = (0..20)
            .map(|i| {
                rater(
                    &format!("r{i:02}"),
                    12,
                    Some(if i % 2 == 0 { 0.1 } else { -0.1 }),
                )
            })
            .collect();
        raters.push(rater("loud", 12, Some(1.5)));
        raters.push(rater("few", 3, Some(2.0))); // too few compared ratings to be judged
        raters.push(rater("none", 0, None));
        let effect = RaterEffect {
            rater: 0,
            n_ratings: 12,
            n: 12,
            leniency: Some(1.5 + 1e-17),
            sd: Some(0.3),
            ci_low: Some(1.3),
            ci_high: Some(1.7),
            n_subjects_multi: 3,
            within_subject_sd: Some(0.2),
            halo_index: Some(0.5),
        };
        let effects = HashMap::from([("loud".to_owned(), effect)]);
        let names = HashMap::from([("loud".to_owned(), "Lou Loud".to_owned())]);
        let rows = rater_rows(&raters, &effects, &names);
        assert_eq!(rows[0].rater, "few", "most lenient first");
        let loud = &rows[1];
        assert_eq!(loud.rater, "loud");
        assert!(loud.outlier);
        assert_eq!(loud.name.as_deref(), Some("Lou Loud"));
        assert_eq!(loud.leniency, Some(1.5));
        assert!((loud.ci_low.unwrap() - 1.3).abs() < 1e-12);
        assert!((loud.ci_high.unwrap() - 1.7).abs() < 1e-12);
        assert_eq!(loud.halo_index, Some(0.5));
        assert!(
            !rows[0].outlier,
            "a rater with few compared ratings is not judged"
        );
        assert_eq!(rows.iter().filter(|r| r.outlier).count(), 1);
        assert_eq!(rows.last().map(|r| r.rater.as_str()), Some("none"));
        assert_eq!(rows.last().and_then(|r| r.ci_low), None);
    }
}
