//! The validity report: `sellerq analyze`'s validity block, and what the page adds to it.
//!
//! The `validity` figures are [`crate::analyze::compute`]'s, untouched. The additions are
//! computed on the same analysis rows, rebuilt here from the data set by the FORMATS.md
//! definitions (subjects of the cycle with at least one quality score, the quality score =
//! mean of the non-self ratings, the outcome = mean of the metric over the periods; listwise
//! over the indicators analyze kept):
//! - cross-validated R² of step 1 and step 2 ([`FOLDS`] folds drawn from [`SEED`]);
//! - a 95 % percentile bootstrap interval of ΔR² ([`BOOTSTRAP_RESAMPLES`] resamples, [`SEED`]),
//!   each resample refitted through `sellerq_stats::nested`;
//! - the points of the scatter plot (every subject with an outcome, values where present);
//! - one verdict sentence and the caveats.

use std::sync::Arc;

use sellerq_domain::TRAILING_INDICATORS;
use sellerq_domain::model::Model;
use sellerq_stats::nested::NestedDesign;
use sellerq_stats::regression::cross_validated_r2;
use sellerq_stats::resample::BootstrapInterval;
use sellerq_stats::rng::Xoshiro256StarStar;

use super::cache::{Key, Value};
use super::data::{self, Loaded};
use super::{
    BOOTSTRAP_RESAMPLES, CrossValidation, EvidenceQuery, FOLDS, Interval, MetricChoice, SEED,
    SubjectPoint, ValidityView,
};
use crate::analyze::report::{
    Hierarchical, Kind, Options, Report, ReportError, SubjectScores, Validity, subject_outcomes,
};
use crate::analyze::text::{BARELY_VARIES, MIN_N};
use crate::web::AppState;
use crate::web::error::AppError;

/// Below this many sellers per indicator the regression gets a caveat.
pub const MIN_PER_INDICATOR: usize = 10;

/// See [`super::validity`].
pub(crate) async fn get(
    state: &AppState,
    org_id: i64,
    q: &EvidenceQuery,
) -> Result<Arc<ValidityView>, AppError> {
    let version = data::version(state, org_id).await?;
    let cycle = data::resolve_cycle(state, org_id, version, q.cycle.as_deref()).await?;
    let metric = data::metric(state, org_id, q.metric.as_deref()).await?;
    let periods = periods(&q.periods)?;
    let key = Key::Validity {
        org: org_id,
        cycle: cycle.id,
        metric: metric.key.clone(),
        periods: periods.clone(),
    };
    if let Some(Value::Validity(v)) = state.evidence.get(&key, version) {
        return Ok(v);
    }
    let flight = state.evidence.flight(&key);
    let _computing = flight.lock().await;
    if let Some(Value::Validity(v)) = state.evidence.get(&key, version) {
        return Ok(v);
    }
    let loaded = data::load(state, org_id, version, &cycle).await?;
    let view = tokio::task::spawn_blocking(move || build(&loaded, metric, periods))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("computing validity: {e}")))??;
    let view = Arc::new(view);
    state
        .evidence
        .put(key, version, Value::Validity(view.clone()));
    Ok(view)
}

/// The chosen periods, checked, without repeats, sorted (as analyze orders them).
fn periods(given: &[String]) -> Result<Vec<String>, AppError> {
    let mut out = Vec::new();
    for p in given {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        crate::analyze::dataset::check_period(p).map_err(|m| AppError::invalid("period", m))?;
        out.push(p.to_owned());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// analyze's report on a loaded data set; its refusals are the caller's input errors.
pub(crate) fn report(
    loaded: &Loaded,
    metric: &str,
    periods: &[String],
) -> Result<Report, AppError> {
    let opts = Options {
        cycle: Some(loaded.cycle.name.as_str().to_owned()),
        metric: metric.to_owned(),
        periods: periods.to_vec(),
    };
    crate::analyze::compute(&loaded.ds, &opts).map_err(|e| match e {
        ReportError::BadPeriod(m) => AppError::invalid("period", m),
        other => AppError::invalid("cycle", other.to_string()),
    })
}

/// The analysis rows of a report, rebuilt from the data set.
#[derive(Debug, Default)]
struct Rows {
    points: Vec<SubjectPoint>,
}

impl Rows {
    fn complete(&self) -> impl Iterator<Item = &SubjectPoint> {
        self.points.iter().filter(|p| p.complete)
    }

    /// Column `j` of the complete rows.
    fn column(&self, j: usize) -> Vec<f64> {
        self.complete()
            .map(|p| p.values[j].unwrap_or(f64::NAN))
            .collect()
    }

    fn outcome(&self) -> Vec<f64> {
        self.complete().map(|p| p.outcome).collect()
    }
}

/// Per subject of the cycle with a quality score and an outcome: the outcome and each
/// indicator of `validity.indicators`.
fn rows(loaded: &Loaded, validity: &Validity, metric: &str, periods: &[String]) -> Rows {
    let ds = &loaded.ds;
    let Some(cycle) = ds.cycle_index(loaded.cycle.name.as_str()) else {
        return Rows::default();
    };
    // Where each indicator's value comes from.
    enum Source {
        Quality(usize),
        Trailing(usize),
        Nothing,
    }
    let sources: Vec<Source> = validity
        .indicators
        .iter()
        .map(|ind| match ind.kind {
            Kind::Leading => ds
                .qualities()
                .iter()
                .position(|q| **q == *ind.name)
                .map_or(Source::Nothing, Source::Quality),
            Kind::Trailing => TRAILING_INDICATORS
                .iter()
                .position(|t| t.key == ind.name)
                .map_or(Source::Nothing, Source::Trailing),
        })
        .collect();
    let outcome = subject_outcomes(ds, metric, periods);
    let scores = SubjectScores::of(ds, cycle);
    let n_q = scores.n_q;
    let mut points = Vec::new();
    for (s, &subject) in scores.subjects.iter().enumerate() {
        let quality = &scores.others[s * n_q..(s + 1) * n_q];
        if quality.iter().all(Option::is_none) {
            continue;
        }
        let Some(y) = outcome[subject as usize] else {
            continue;
        };
        let trailing = ds.trailing(subject);
        let values: Vec<Option<f64>> = sources
            .iter()
            .map(|s| match *s {
                Source::Quality(q) => quality[q],
                Source::Trailing(t) => trailing.and_then(|v| v[t]),
                Source::Nothing => None,
            })
            .collect();
        let id = ds.id(subject).to_owned();
        points.push(SubjectPoint {
            name: loaded.names.get(&id).cloned().unwrap_or_else(|| id.clone()),
            id,
            outcome: y,
            complete: values.iter().all(Option::is_some),
            values,
        });
    }
    Rows { points }
}

/// Computes the whole view.
fn build(
    loaded: &Loaded,
    metric: MetricChoice,
    periods: Vec<String>,
) -> Result<ValidityView, AppError> {
    let started = std::time::Instant::now();
    let report = report(loaded, &metric.key, &periods)?;
    let t_report = started.elapsed();
    let validity = report.validity.clone();
    let rows = rows(loaded, &validity, &metric.key, &report.input.periods);
    let n = rows.complete().count();
    debug_assert_eq!(n, validity.n, "the rebuilt rows are analyze's");

    let (mut base, mut added) = (Vec::new(), Vec::new());
    for (j, ind) in validity.indicators.iter().enumerate() {
        match ind.kind {
            Kind::Trailing => base.push(rows.column(j)),
            Kind::Leading => added.push(rows.column(j)),
        }
    }
    let y = rows.outcome();
    let base_refs: Vec<&[f64]> = base.iter().map(Vec::as_slice).collect();
    let all_refs: Vec<&[f64]> = base.iter().chain(&added).map(Vec::as_slice).collect();
    let cv = |predictors: &[&[f64]]| {
        cross_validated_r2(&y, predictors, FOLDS, SEED)
            .ok()
            .map(|c| c.r2)
            .filter(|r| r.is_finite())
    };
    let cross_validation = || CrossValidation {
        folds: FOLDS,
        seed: SEED,
        r2_trailing: cv(&base_refs),
        r2_full: if added.is_empty() {
            None
        } else {
            cv(&all_refs)
        },
    };
    let bootstrap = || {
        validity.hierarchical.delta_r2?;
        let added_refs: Vec<&[f64]> = added.iter().map(Vec::as_slice).collect();
        NestedDesign::new(&y, &base_refs, &added_refs)
            .ok()
            .and_then(|design| bootstrap_delta_r2(&design, BOOTSTRAP_RESAMPLES, SEED))
    };
    // Cross-validation beside the bootstrap (which keeps every core busy but one of them
    // making its draws at times).
    let ((cross_validation, t_cv), interval) = std::thread::scope(|s| {
        let cv = s.spawn(|| {
            let at = std::time::Instant::now();
            (cross_validation(), at.elapsed())
        });
        let interval = bootstrap();
        // A panic there is this request's panic, as if it had run on this thread.
        let cv = cv
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (cv, interval)
    });
    let mut caveats = Vec::new();
    let delta_r2_interval = interval.map(|ci| {
        if ci.failed > 0 {
            caveats.push(format!(
                "ΔR² could not be refitted on {} of {BOOTSTRAP_RESAMPLES} bootstrap resamples (too little variation in them); its interval uses the other {}.",
                ci.failed, ci.replicates
            ));
        }
        Interval {
            low: ci.low,
            high: ci.high,
        }
    });

    tracing::debug!(
        report_ms = t_report.as_secs_f64() * 1e3,
        cross_validation_ms = t_cv.as_secs_f64() * 1e3,
        cross_validation_and_bootstrap_ms = (started.elapsed() - t_report).as_secs_f64() * 1e3,
        n,
        "evidence: validity computed"
    );
    let verdict = verdict(
        &validity.hierarchical,
        &cross_validation,
        &metric.label,
        validity.n,
    );
    caveats.splice(0..0, standard_caveats(&validity, &loaded.model, &metric));
    caveats.extend(report.notes.iter().cloned());
    Ok(ValidityView {
        cycle: report.input.cycle.clone(),
        metric,
        periods: report.input.periods.clone(),
        validity,
        cross_validation,
        delta_r2_interval,
        bootstrap_resamples: BOOTSTRAP_RESAMPLES,
        points: rows.points,
        verdict,
        caveats,
    })
}

/// The 95 % percentile bootstrap interval of ΔR², with exactly the resamples of
/// `sellerq_stats::resample::bootstrap_percentile(n, replicates, 0.95, seed, …)` (one
/// generator seeded once; replicate r draws n indices with `below(n)`, in order) and the same
/// type 7 quantiles — only refitted on every core: this thread makes the draws in order, in
/// batches, while one worker per core refits the batches as they come
/// (`NestedDesign::r2_weighted_many`, the same figures as one by one). The interval depends on
/// the set of refitted values only, not on which worker made which.
fn bootstrap_delta_r2(
    design: &NestedDesign,
    replicates: usize,
    seed: u64,
) -> Option<BootstrapInterval> {
    const BATCH: usize = 32;
    let n = design.len();
    if n == 0 || replicates < 2 {
        return None;
    }
    let workers = std::thread::available_parallelism().map_or(1, |c| c.get().clamp(1, 8));
    let refit = |batch: &[Vec<u32>]| -> Vec<f64> {
        let ws: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
        design
            .r2_weighted_many(&ws)
            .into_iter()
            .filter_map(|r| r.ok().map(|r| r.delta()))
            .filter(|v| v.is_finite())
            .collect()
    };
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Vec<u32>>>(workers);
    let receive = std::sync::Mutex::new(receive);
    let mut values: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let next = match receive.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok(batch) = next else { break };
                        mine.extend(refit(&batch));
                    }
                    mine
                })
            })
            .collect();
        let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
        let mut done = 0;
        while done < replicates {
            let size = BATCH.min(replicates - done);
            let batch: Vec<Vec<u32>> = (0..size)
                .map(|_| {
                    let mut weights = vec![0u32; n];
                    for _ in 0..n {
                        weights[rng.below(n as u64) as usize] += 1;
                    }
                    weights
                })
                .collect();
            if send.send(batch).is_err() {
                break;
            }
            done += size;
        }
        drop(send);
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let failed = replicates - values.len();
    if values.len() < 2 {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    // The tails exactly as `bootstrap_percentile` computes them.
    let tail = (1.0 - 0.95) / 2.0;
    let low = sellerq_stats::descriptive::quantile_sorted(&values, tail).ok()?;
    let high = sellerq_stats::descriptive::quantile_sorted(&values, 1.0 - tail).ok()?;
    Some(BootstrapInterval {
        low,
        high,
        replicates: values.len(),
        failed,
    })
}

/// A figure with `decimals` decimals and a real minus sign.
fn num(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('-', "−")
}

fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "p < 0.001".to_owned(),
        Some(p) => format!("p = {p:.3}"),
        None => "p not computable".to_owned(),
    }
}

/// R² as a share of the differences explained, in whole percent.
fn percent(r2: f64) -> String {
    format!("{} %", num(r2 * 100.0, 0))
}

/// "Quota attainment" → "quota attainment"; acronyms ("EUR bookings") stay as they are.
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_owned(),
    }
}

/// The one plain-language sentence of the report.
pub fn verdict(h: &Hierarchical, cv: &CrossValidation, metric_label: &str, n: usize) -> String {
    let what = lower_first(metric_label);
    let (Some(delta), Some(f), Some(df1), Some(df2), Some(r2_t), Some(r2_f)) = (
        h.delta_r2,
        h.f_change,
        h.df1,
        h.df2,
        h.r2_trailing,
        h.r2_full,
    ) else {
        return format!(
            "The data cannot yet say whether the qualities predict {what} better than the trailing indicators: the regression could not be computed on {n} seller{} (see the caveats).",
            if n == 1 { "" } else { "s" }
        );
    };
    let out_of_sample = match (cv.r2_full, cv.r2_trailing) {
        (Some(full), Some(trailing)) => format!(
            "; out of sample ({} folds) {} and {}",
            cv.folds,
            percent(full),
            percent(trailing)
        ),
        _ => String::new(),
    };
    let test = format!("F({df1}, {df2}) = {}, {}", num(f, 1), p_text(h.p_change));
    if delta > 0.0 && h.p_change.is_some_and(|p| p < 0.05) {
        format!(
            "The qualities add ΔR² = {} over the trailing indicators ({test}): with them the model explains {} of the differences in {what} between sellers, without them {}{out_of_sample}.",
            num(delta, 2),
            percent(r2_f),
            percent(r2_t),
        )
    } else {
        format!(
            "The qualities add no reliable predictive power over the trailing indicators in this data (ΔR² = {}, {test}): the model explains {} of the differences in {what} with them and {} without{out_of_sample}.",
            num(delta, 2),
            percent(r2_f),
            percent(r2_t),
        )
    }
}

/// An indicator's name for people.
fn label(model: &Model, name: &str) -> String {
    if let Some(q) = model.quality(name) {
        return q.name.clone();
    }
    TRAILING_INDICATORS
        .iter()
        .find(|t| t.key == name)
        .map_or_else(|| name.to_owned(), |t| t.label.to_owned())
}

/// The caveats that always matter for this report, and those the figures call for.
fn standard_caveats(v: &Validity, model: &Model, metric: &MetricChoice) -> Vec<String> {
    let mut out = Vec::new();
    if v.n < MIN_N {
        out.push(format!(
            "Small sample: only {} seller{} have every indicator and an outcome. Below {MIN_N}, correlations and the regression are very uncertain — read the intervals, not the point figures.",
            v.n,
            if v.n == 1 { "" } else { "s" }
        ));
    } else if v.n < MIN_PER_INDICATOR * v.indicators.len().max(1) {
        out.push(format!(
            "{} sellers for {} indicators is fewer than {MIN_PER_INDICATOR} per indicator: the in-sample R² flatters the model; the out-of-sample R² is the fairer figure.",
            v.n,
            v.indicators.len()
        ));
    }
    out.push(
        "Restricted range: only sellers who were hired (and stayed long enough to have an outcome) are in the data. People screened out on their résumé never appear, which usually makes every correlation here smaller than it would be among all candidates — trailing indicators that were used to hire are hit hardest."
            .to_owned(),
    );
    out.push(format!(
        "The qualities are rated by managers, peers and coaches. An outcome that is itself a judgement (such as a manager's rating) shares that view and can agree with the ratings more than objective sales figures do: {} and other metrics can give different answers.",
        lower_first(&metric.label)
    ));
    for x in &v.indicators {
        let flat =
            x.sd.is_some_and(|s| s == 0.0) || x.mode_share.is_some_and(|m| m >= BARELY_VARIES);
        if flat {
            out.push(format!(
                "{} barely varies ({} of sellers share one value): its correlation says little.",
                label(model, &x.name),
                x.mode_share
                    .map_or("all".to_owned(), |m| format!("{:.0} %", m * 100.0))
            ));
        }
    }
    if !v.indicators.iter().any(|i| i.kind == Kind::Leading) {
        out.push(
            "No quality has scores in this cycle: only the trailing indicators are tested."
                .to_owned(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hier(delta: f64, p: f64) -> Hierarchical {
        Hierarchical {
            r2_trailing: Some(0.056),
            r2_full: Some(0.056 + delta),
            delta_r2: Some(delta),
            f_change: Some(16.68),
            df1: Some(8),
            df2: Some(483),
            p_change: Some(p),
        }
    }

    fn cv(full: Option<f64>, trailing: Option<f64>) -> CrossValidation {
        CrossValidation {
            folds: 10,
            seed: SEED,
            r2_trailing: trailing,
            r2_full: full,
        }
    }

    #[test]
    fn a_reliable_gain_is_stated_with_its_test_and_the_shares_explained() {
        let s = verdict(
            &hier(0.203, 6.3e-22),
            &cv(Some(0.24), Some(0.05)),
            "Quota attainment",
            497,
        );
        assert_eq!(
            s,
            "The qualities add ΔR² = 0.20 over the trailing indicators (F(8, 483) = 16.7, p < 0.001): with them the model explains 26 % of the differences in quota attainment between sellers, without them 6 %; out of sample (10 folds) 24 % and 5 %."
        );
    }

    #[test]
    fn no_reliable_gain_says_so() {
        let s = verdict(&hier(0.004, 0.31), &cv(None, None), "EUR bookings", 80);
        assert_eq!(
            s,
            "The qualities add no reliable predictive power over the trailing indicators in this data (ΔR² = 0.00, F(8, 483) = 16.7, p = 0.310): the model explains 6 % of the differences in EUR bookings with them and 6 % without."
        );
    }

    #[test]
    fn a_missing_regression_says_the_data_cannot_tell_yet() {
        let h = Hierarchical {
            r2_trailing: None,
            r2_full: None,
            delta_r2: None,
            f_change: None,
            df1: None,
            df2: None,
            p_change: None,
        };
        let s = verdict(&h, &cv(None, None), "Win rate", 1);
        assert!(s.starts_with("The data cannot yet say"), "{s}");
        assert!(s.contains("win rate") && s.contains("1 seller "), "{s}");
    }

    #[test]
    fn negative_figures_get_a_real_minus_sign() {
        assert_eq!(num(-0.25, 2), "−0.25");
        assert_eq!(percent(-0.031), "−3 %");
        assert_eq!(lower_first("Quota attainment"), "quota attainment");
        assert_eq!(lower_first("NPS"), "NPS");
    }

    #[test]
    fn the_parallel_bootstrap_draws_exactly_the_documented_resamples() {
        let mut rng = Xoshiro256StarStar::seed_from_u64(3);
        let mut u = || rng.below(1000) as f64 / 1000.0;
        let x1: Vec<f64> = (0..150).map(|_| u()).collect();
        let x2: Vec<f64> = (0..150).map(|_| u()).collect();
        let y: Vec<f64> = x1.iter().zip(&x2).map(|(a, b)| a + 0.5 * b + u()).collect();
        let design = NestedDesign::new(&y, &[&x1], &[&x2]).unwrap();
        let ours = bootstrap_delta_r2(&design, 300, 11).unwrap();
        let reference = sellerq_stats::resample::bootstrap_percentile(150, 300, 0.95, 11, |idx| {
            design.r2_of(idx).ok().map(|r| r.delta())
        })
        .unwrap();
        assert_eq!(ours, reference);
    }

    #[test]
    fn periods_are_checked_sorted_and_deduplicated() {
        let p = periods(&[
            "2026-Q4".into(),
            " 2026-Q3".into(),
            "2026-Q4".into(),
            "".into(),
        ])
        .unwrap();
        assert_eq!(p, vec!["2026-Q3", "2026-Q4"]);
        assert!(periods(&["2026-Q5".into()]).is_err());
    }
}
