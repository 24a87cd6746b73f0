//! The figures of `sellerq analyze`, exactly as FORMATS.md defines them, computed from a
//! [`Dataset`] for one cycle, one outcome metric and a set of periods.
//!
//! [`compute`] returns a [`Report`] that serializes to the FORMATS.md JSON (with a few added
//! keys: `mean_raters` and `raters_needed` per quality, `sd` and `mode_share` per indicator).
//! Every figure that cannot be computed is `None` (JSON `null`) with a sentence in `notes`;
//! no figure is ever NaN and no input makes this panic.
//!
//! Where FORMATS.md leaves a choice open, this is what is done (and `bench/analyze/reference.py`
//! does the same):
//! - *non-self* means manager, peer and coach, as FORMATS.md's quality score says; interviewer
//!   ratings belong to hiring and enter no figure (the app's profiles do the same);
//! - a rating with an empty score ("not observed") counts in `input.ratings` and in the
//!   duplicate check, and nowhere else; ICC's "number of ratings" counts scored ones;
//! - a rater's `role` is their most frequent role in the cycle (ties: manager, peer, coach);
//!   a rater none of whose ratings has another rater beside it is listed with
//!   `n` 0 and a null leniency;
//! - validity's subjects are those of the cycle with at least one quality score; an indicator
//!   (a quality too) with no value among them is left out and named in `omitted`;
//! - leniency is summed exactly (integer arithmetic) and a subject's outcome is the mean from
//!   an exactly rounded sum, so that exact zeros stay zero and equal outcomes tie in Spearman's
//!   ranks whatever tool computes them.
//!
//! The statistics come from `sellerq_stats`; this module only decides which numbers go in.
//! Work is split over two threads where it pays: the qualities are shared out, and the rater
//! leniencies and validity run beside them.

use sellerq_domain::TRAILING_INDICATORS;
use sellerq_stats::correlation;
use sellerq_stats::descriptive;
use sellerq_stats::krippendorff::{CoincidenceBuilder, Level};
use sellerq_stats::raters;
use sellerq_stats::regression;
use sellerq_stats::reliability;
use serde::Serialize;

use super::dataset::{Dataset, N_TRAILING, RaterRole, Rating};

/// The reliability every quality is measured against: "raters needed to reach 0.70".
pub const TARGET_RELIABILITY: f64 = 0.70;

/// The outcome metric used when none is chosen.
pub const DEFAULT_METRIC: &str = "quota_attainment";

/// What to analyse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The cycle; `None` = the cycle whose name sorts last.
    pub cycle: Option<String>,
    /// The outcome metric.
    pub metric: String,
    /// The outcome periods; empty = all periods of the metric.
    pub periods: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            cycle: None,
            metric: DEFAULT_METRIC.to_owned(),
            periods: Vec::new(),
        }
    }
}

/// Why a report could not be made at all (as opposed to a figure that is `null`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The ratings have no cycle at all.
    #[error("there are no ratings: nothing to analyse")]
    NoRatings,
    /// `--cycle` names a cycle the ratings do not have.
    #[error("--cycle: there are no ratings in cycle {given:?} (the cycles are: {known})")]
    UnknownCycle { given: String, known: String },
    /// A `--period` is not a period.
    #[error("--period: {0}")]
    BadPeriod(String),
}

/// The whole report: the JSON document of FORMATS.md.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub input: InputSummary,
    pub qualities: Vec<QualityReport>,
    pub cronbach_alpha: CronbachReport,
    pub raters: Vec<RaterReport>,
    pub validity: Validity,
    pub notes: Vec<String>,
}

/// What was read and chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSummary {
    /// Data rows of people.csv.
    pub people: u64,
    /// Data rows of ratings.csv (all cycles, empty scores included).
    pub ratings: u64,
    /// Data rows of outcomes.csv.
    pub outcomes: u64,
    pub cycle: String,
    pub metric: String,
    /// The periods averaged into the outcome.
    pub periods: Vec<String>,
}

/// The figures of one quality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityReport {
    pub key: String,
    /// Subjects with a quality score (at least one non-self rating).
    pub n_subjects: usize,
    /// Mean of the quality scores.
    pub mean: Option<f64>,
    /// Their SD (n − 1).
    pub sd: Option<f64>,
    /// Mean of the self ratings.
    pub self_mean: Option<f64>,
    /// Mean of self − quality score over subjects with both.
    pub gap_mean: Option<f64>,
    pub icc: IccReport,
    pub krippendorff_alpha: KrippendorffReport,
    /// Added: mean number of non-self raters per subject with a quality score.
    pub mean_raters: Option<f64>,
    /// Added: Spearman–Brown raters needed for [`TARGET_RELIABILITY`] from ICC(1,1).
    pub raters_needed: RatersNeeded,
}

/// The six Shrout & Fleiss forms on the subjects with exactly `n_raters` non-self raters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IccReport {
    pub n_subjects: usize,
    pub n_raters: usize,
    pub icc1: Option<f64>,
    pub icc2: Option<f64>,
    pub icc3: Option<f64>,
    pub icc1k: Option<f64>,
    pub icc2k: Option<f64>,
    pub icc3k: Option<f64>,
}

/// Krippendorff's alpha at two levels of measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KrippendorffReport {
    pub interval: Option<f64>,
    pub ordinal: Option<f64>,
}

/// How many raters' mean reaches the target reliability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatersNeeded {
    /// The target (0.70).
    pub target: f64,
    /// The exact Spearman–Brown figure (fractional).
    pub raters: Option<f64>,
    /// Rounded up: the raters to plan for.
    pub whole: Option<u64>,
}

/// Cronbach's alpha over the quality scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CronbachReport {
    pub n_subjects: usize,
    pub alpha: Option<f64>,
}

/// One non-self rater's leniency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterReport {
    pub rater: String,
    /// The rater's most frequent role in the cycle (ties: manager, peer, coach, interviewer).
    pub role: &'static str,
    /// Ratings counted (those with at least one other rater's score).
    pub n: usize,
    pub leniency: Option<f64>,
}

/// Leading (a quality) or trailing (a résumé fact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Leading,
    Trailing,
}

/// Indicators against the outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validity {
    /// Subjects with every indicator and the outcome.
    pub n: usize,
    /// Indicators left out because they have no value at all.
    pub omitted: Vec<String>,
    pub indicators: Vec<IndicatorReport>,
    pub hierarchical: Hierarchical,
}

/// One indicator against the outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorReport {
    pub name: String,
    pub kind: Kind,
    pub r: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p: Option<f64>,
    pub rho: Option<f64>,
    /// Added: the indicator's SD over the n subjects.
    pub sd: Option<f64>,
    /// Added: the share of the n subjects that have its most common value (near 1 = it
    /// barely varies).
    pub mode_share: Option<f64>,
}

/// Step 1 the trailing indicators, step 2 plus the qualities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hierarchical {
    pub r2_trailing: Option<f64>,
    pub r2_full: Option<f64>,
    pub delta_r2: Option<f64>,
    pub f_change: Option<f64>,
    pub df1: Option<usize>,
    pub df2: Option<usize>,
    pub p_change: Option<f64>,
}

/// A finite number or nothing: NaN and infinities never reach the JSON.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Computes every figure of the report.
pub fn compute(ds: &Dataset, opts: &Options) -> Result<Report, ReportError> {
    if ds.cycles().is_empty() {
        return Err(ReportError::NoRatings);
    }
    let cycle = match &opts.cycle {
        None => ds.cycles().len() - 1,
        Some(c) => ds
            .cycle_index(c.trim())
            .ok_or_else(|| ReportError::UnknownCycle {
                given: c.clone(),
                known: ds
                    .cycles()
                    .iter()
                    .map(|c| &**c)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?,
    };
    let mut periods: Vec<String> = Vec::new();
    for p in &opts.periods {
        let p = p.trim();
        super::dataset::check_period(p).map_err(ReportError::BadPeriod)?;
        if !periods.iter().any(|q| q == p) {
            periods.push(p.to_owned());
        }
    }
    periods.sort();

    let cells = Cells::new(ds, cycle);
    let n_q = ds.qualities().len();
    // The independent pieces, shared out over both cores (leniency, the largest, first).
    enum Done {
        Quality(Box<QualityReport>, Vec<String>),
        Raters(Vec<RaterReport>, Vec<String>),
        Cronbach(CronbachReport, Vec<String>),
        Outcome(Vec<Option<f64>>, Vec<String>, Vec<String>),
    }
    let done = par_map(n_q + 3, |task| match task {
        0 => {
            let (raters, notes) = leniency(ds, cycle);
            Done::Raters(raters, notes)
        }
        1 => {
            let mut notes = Vec::new();
            let c = cronbach(&cells, &mut notes);
            Done::Cronbach(c, notes)
        }
        2 => {
            let mut notes = Vec::new();
            let (o, p) = outcome(ds, &opts.metric, periods.clone(), &mut notes);
            Done::Outcome(o, p, notes)
        }
        t => {
            let (q, notes) = quality(ds, &cells, t - 3);
            Done::Quality(Box::new(q), notes)
        }
    });
    let mut notes = Vec::new();
    let (mut qualities, mut raters, mut cronbach_alpha, mut outcome_by_id) =
        (Vec::new(), Vec::new(), None, Vec::new());
    let (mut cronbach_notes, mut rater_notes, mut outcome_notes) =
        (Vec::new(), Vec::new(), Vec::new());
    for d in done {
        match d {
            Done::Quality(q, mut n) => {
                qualities.push(*q);
                notes.append(&mut n);
            }
            Done::Raters(r, n) => {
                raters = r;
                rater_notes = n;
            }
            Done::Cronbach(c, n) => {
                cronbach_alpha = Some(c);
                cronbach_notes = n;
            }
            Done::Outcome(o, p, n) => {
                outcome_by_id = o;
                periods = p;
                outcome_notes = n;
            }
        }
    }
    notes.append(&mut cronbach_notes);
    notes.append(&mut rater_notes);
    notes.append(&mut outcome_notes);
    let cronbach_alpha = cronbach_alpha.unwrap_or(CronbachReport {
        n_subjects: 0,
        alpha: None,
    });
    let validity = validity(ds, &cells, &qualities, &outcome_by_id, &mut notes);

    let counts = ds.counts();
    Ok(Report {
        input: InputSummary {
            people: counts.people,
            ratings: counts.ratings,
            outcomes: counts.outcomes,
            cycle: ds.cycles()[cycle].to_string(),
            metric: opts.metric.clone(),
            periods,
        },
        qualities,
        cronbach_alpha,
        raters,
        validity,
        notes,
    })
}

/// Per subject of a cycle (in id order) and quality: FORMATS.md's quality score (the mean of
/// the non-self ratings) and the self score, as [`compute`] uses them. For the app's reports,
/// which show more than the JSON document and must start from the same numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectScores {
    /// The subjects' indexes ([`Dataset::id`]).
    pub subjects: Vec<u32>,
    /// The number of qualities.
    pub n_q: usize,
    /// `others[s * n_q + q]`: the quality score of subject `s` on quality `q`.
    pub others: Vec<Option<f64>>,
    /// `own[s * n_q + q]`: the self score.
    pub own: Vec<Option<f64>>,
}

impl SubjectScores {
    /// The scores of `cycle` (an index into [`Dataset::cycles`]).
    pub fn of(ds: &Dataset, cycle: usize) -> Self {
        let cells = Cells::new(ds, cycle);
        Self {
            subjects: cells.subjects,
            n_q: cells.n_q,
            others: cells.score,
            own: cells.own,
        }
    }
}

/// Per id ([`Dataset::id`]): the subject's outcome, the mean of `metric` over `periods` (all
/// periods when empty) exactly as [`compute`] takes it (an exactly rounded sum).
pub fn subject_outcomes(ds: &Dataset, metric: &str, periods: &[String]) -> Vec<Option<f64>> {
    outcome(ds, metric, periods.to_vec(), &mut Vec::new()).0
}

/// Per subject of the cycle (in id order) and quality: the quality score, the self score and
/// the number of non-self raters.
struct Cells<'a> {
    subjects: Vec<u32>,
    /// The subjects' rating slices.
    ratings: Vec<&'a [Rating]>,
    /// `score[s * n_q + q]`: mean of the non-self scores.
    score: Vec<Option<f64>>,
    own: Vec<Option<f64>>,
    count: Vec<u32>,
    /// `qstart[s * (n_q + 1) + q]`: where quality q starts in subject s's ratings.
    qstart: Vec<u32>,
    n_q: usize,
}

impl<'a> Cells<'a> {
    fn new(ds: &'a Dataset, cycle: usize) -> Self {
        let n_q = ds.qualities().len();
        let n = ds.subject_count(cycle);
        let mut cells = Cells {
            subjects: Vec::with_capacity(n),
            ratings: Vec::with_capacity(n),
            score: vec![None; n * n_q],
            own: vec![None; n * n_q],
            count: vec![0; n * n_q],
            qstart: vec![0; n * (n_q + 1)],
            n_q,
        };
        let mut sums = vec![0u32; n_q];
        for (s, subject) in ds.subjects_in(cycle).enumerate() {
            cells.subjects.push(subject.subject);
            cells.ratings.push(subject.ratings);
            sums.fill(0);
            let qs = &mut cells.qstart[s * (n_q + 1)..(s + 1) * (n_q + 1)];
            for r in subject.ratings {
                if let Some(next) = qs.get_mut(usize::from(r.quality) + 1) {
                    *next += 1;
                }
            }
            for q in 0..n_q {
                qs[q + 1] += qs[q];
            }
            for r in subject.ratings {
                let i = s * n_q + usize::from(r.quality);
                if r.role().is_self() {
                    cells.own[i] = Some(f64::from(r.score));
                } else if r.role().is_other() {
                    sums[usize::from(r.quality)] += u32::from(r.score);
                    cells.count[i] += 1;
                }
            }
            for (q, &sum) in sums.iter().enumerate() {
                let c = cells.count[s * n_q + q];
                if c > 0 {
                    cells.score[s * n_q + q] = Some(f64::from(sum) / f64::from(c));
                }
            }
        }
        cells
    }

    /// The non-self ratings of subject `s` on quality `q`, in rater-id order.
    fn others(&self, s: usize, q: u8) -> impl Iterator<Item = &'a Rating> + 'a {
        let rs = self.ratings[s];
        let at = s * (self.n_q + 1) + usize::from(q);
        let (lo, hi) = (self.qstart[at] as usize, self.qstart[at + 1] as usize);
        rs[lo..hi].iter().filter(|r| r.role().is_other())
    }

    fn column(&self, q: usize) -> impl Iterator<Item = Option<f64>> + '_ {
        (0..self.subjects.len()).map(move |s| self.score[s * self.n_q + q])
    }
}

/// `f(0..n)` on both cores: two workers take the next task as they finish one. Results come
/// back in task order.
fn par_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let work = || {
        let mut out = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                return out;
            }
            out.push((i, f(i)));
        }
    };
    let (mut a, b) = std::thread::scope(|s| {
        let helper = s.spawn(work);
        let mine = work();
        (
            mine,
            helper
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
        )
    });
    a.extend(b);
    a.sort_unstable_by_key(|(i, _)| *i);
    a.into_iter().map(|(_, t)| t).collect()
}

fn quality(ds: &Dataset, cells: &Cells<'_>, q: usize) -> (QualityReport, Vec<String>) {
    let key = ds.qualities()[q].to_string();
    let mut notes = Vec::new();
    let scores: Vec<f64> = cells.column(q).flatten().collect();
    let n_subjects = scores.len();
    let n_q = cells.n_q;
    let selfs: Vec<f64> = (0..cells.subjects.len())
        .filter_map(|s| cells.own[s * n_q + q])
        .collect();
    let gaps: Vec<f64> = (0..cells.subjects.len())
        .filter_map(
            |s| match (cells.own[s * n_q + q], cells.score[s * n_q + q]) {
                (Some(own), Some(other)) => Some(own - other),
                _ => None,
            },
        )
        .collect();
    let mean = descriptive::mean(&scores).ok();
    if mean.is_none() {
        // One note says it all: every figure of this quality is null.
        notes.push(format!(
            "{key}: no non-self ratings in this cycle: its figures are null"
        ));
    }
    let sd = descriptive::sd(&scores).ok();
    let counts: Vec<u32> = (0..cells.subjects.len())
        .map(|s| cells.count[s * n_q + q])
        .filter(|c| *c > 0)
        .collect();
    let mean_raters = (!counts.is_empty())
        .then(|| counts.iter().map(|c| f64::from(*c)).sum::<f64>() / counts.len() as f64);

    let mut quiet = Vec::new();
    let figure_notes = if n_subjects == 0 {
        &mut quiet
    } else {
        &mut notes
    };
    let icc = icc(cells, q, &key, figure_notes);
    let kripp = krippendorff(cells, q, &key, figure_notes);
    let raters_needed = match icc.icc1 {
        Some(r1) => match reliability::raters_needed(r1, TARGET_RELIABILITY).and_then(finite) {
            Some(m) => RatersNeeded {
                target: TARGET_RELIABILITY,
                raters: Some(m),
                // The tolerance keeps an exact whole number (2.0000000000000004) from becoming 3.
                whole: Some((m - 1e-9).ceil().max(1.0) as u64),
            },
            None => {
                notes.push(format!(
                    "{key}: raters_needed is null: a single rater's reliability (ICC1 = {r1:.3}) is not above 0"
                ));
                RatersNeeded {
                    target: TARGET_RELIABILITY,
                    raters: None,
                    whole: None,
                }
            }
        },
        None => RatersNeeded {
            target: TARGET_RELIABILITY,
            raters: None,
            whole: None,
        },
    };
    let report = QualityReport {
        key,
        n_subjects,
        mean,
        sd,
        self_mean: descriptive::mean(&selfs).ok(),
        gap_mean: descriptive::mean(&gaps).ok(),
        icc,
        krippendorff_alpha: kripp,
        mean_raters,
        raters_needed,
    };
    (report, notes)
}

/// ICC on the subjects with exactly k non-self ratings, k the most common count (ties: the
/// larger), rater slots manager first and then by rater id.
fn icc(cells: &Cells<'_>, q: usize, key: &str, notes: &mut Vec<String>) -> IccReport {
    let n_q = cells.n_q;
    let mut freq: Vec<usize> = Vec::new();
    for s in 0..cells.subjects.len() {
        let c = cells.count[s * n_q + q] as usize;
        if c > 0 {
            if freq.len() <= c {
                freq.resize(c + 1, 0);
            }
            freq[c] += 1;
        }
    }
    let mut report = IccReport {
        n_subjects: 0,
        n_raters: 0,
        icc1: None,
        icc2: None,
        icc3: None,
        icc1k: None,
        icc2k: None,
        icc3k: None,
    };
    // The larger k wins ties: scan from the top and keep only strictly greater counts.
    let Some((k, _)) = freq.iter().enumerate().rev().filter(|(_, f)| **f > 0).fold(
        None::<(usize, usize)>,
        |best, (k, f)| match best {
            Some((_, bf)) if bf >= *f => best,
            _ => Some((k, *f)),
        },
    ) else {
        return report;
    };
    let mut rows: Vec<f64> = Vec::with_capacity(freq[k] * k);
    let mut managers: Vec<f64> = Vec::new();
    let mut others: Vec<f64> = Vec::new();
    for s in 0..cells.subjects.len() {
        if cells.count[s * n_q + q] as usize != k {
            continue;
        }
        managers.clear();
        others.clear();
        for r in cells.others(s, q as u8) {
            let v = f64::from(r.score);
            if r.role() == RaterRole::Manager {
                managers.push(v);
            } else {
                others.push(v);
            }
        }
        rows.extend_from_slice(&managers);
        rows.extend_from_slice(&others);
    }
    report.n_subjects = freq[k];
    report.n_raters = k;
    // Coefficients only: the JSON has no intervals, and the coefficients exist even where an
    // interval does not (pingouin reports them then too).
    match reliability::icc_coefficients(&rows, k) {
        Ok(c) => {
            report.icc1 = finite(c.icc1);
            report.icc2 = c.icc2.and_then(finite);
            report.icc3 = finite(c.icc3);
            report.icc1k = finite(c.icc1k);
            report.icc2k = c.icc2k.and_then(finite);
            report.icc3k = finite(c.icc3k);
        }
        Err(e) => notes.push(format!(
            "{key}: ICC is null ({} subjects with {k} raters): {e}",
            report.n_subjects
        )),
    }
    report
}

fn krippendorff(
    cells: &Cells<'_>,
    q: usize,
    key: &str,
    notes: &mut Vec<String>,
) -> KrippendorffReport {
    let mut b = CoincidenceBuilder::new();
    let mut unit: Vec<f64> = Vec::new();
    for s in 0..cells.subjects.len() {
        unit.clear();
        unit.extend(cells.others(s, q as u8).map(|r| f64::from(r.score)));
        // Scores are whole numbers on the scale: they are always finite.
        let _ = b.push_unit(&unit);
    }
    let mut report = KrippendorffReport {
        interval: None,
        ordinal: None,
    };
    match b.finish() {
        Ok(c) => {
            for (level, slot, name) in [
                (Level::Interval, &mut report.interval, "interval"),
                (Level::Ordinal, &mut report.ordinal, "ordinal"),
            ] {
                match c.alpha(level) {
                    Ok(a) => *slot = finite(a),
                    Err(e) => {
                        notes.push(format!("{key}: Krippendorff's alpha ({name}) is null: {e}"))
                    }
                }
            }
        }
        Err(_) => notes.push(format!(
            "{key}: Krippendorff's alpha is null: no subject has two non-self ratings"
        )),
    }
    report
}

fn cronbach(cells: &Cells<'_>, notes: &mut Vec<String>) -> CronbachReport {
    // The qualities that have scores at all.
    let present: Vec<usize> = (0..cells.n_q)
        .filter(|&q| cells.column(q).any(|v| v.is_some()))
        .collect();
    let mut rows = Vec::new();
    let mut n = 0;
    for s in 0..cells.subjects.len() {
        let row: Option<Vec<f64>> = present
            .iter()
            .map(|&q| cells.score[s * cells.n_q + q])
            .collect();
        if let Some(row) = row {
            rows.extend(row);
            n += 1;
        }
    }
    if present.len() < 2 {
        notes.push("Cronbach's alpha is null: fewer than two qualities have scores".to_owned());
        return CronbachReport {
            n_subjects: n,
            alpha: None,
        };
    }
    match reliability::cronbach_alpha(&rows, present.len()) {
        Ok(a) => CronbachReport {
            n_subjects: n,
            alpha: finite(a.alpha),
        },
        Err(e) => {
            notes.push(format!(
                "Cronbach's alpha is null ({n} subjects with every quality score): {e}"
            ));
            CronbachReport {
                n_subjects: n,
                alpha: None,
            }
        }
    }
}

/// Rater leniency, summed exactly over integer scores (`raters::integer_leniency`: a
/// leniency that is exactly 0 stays 0), with each rater's most frequent role.
fn leniency(ds: &Dataset, cycle: usize) -> (Vec<RaterReport>, Vec<String>) {
    let mut notes = Vec::new();
    let n_ids = ds.ids().len();
    // The cells: each subject's non-self ratings of one quality (ratings come ordered by
    // quality), mapped in place.
    let cells = || {
        ds.subjects_in(cycle)
            .flat_map(|s| s.ratings.chunk_by(|a, b| a.quality == b.quality))
            .map(|cell| {
                cell.iter()
                    .filter(|r| r.role().is_other())
                    .map(|r| (r.rater as usize, i32::from(r.score)))
            })
    };
    let lenient = match raters::integer_leniency(n_ids, cells) {
        Ok(l) => l,
        Err(e) => {
            notes.push(format!("rater leniency is null: {e}"));
            return (Vec::new(), notes);
        }
    };
    if !lenient.exact {
        notes.push(
            "rater leniency was summed in floating point (some subject has more than 64 raters of one quality)"
                .to_owned(),
        );
    }
    let mut roles = vec![[0u32; 4]; n_ids];
    for subject in ds.subjects_in(cycle) {
        for r in subject.ratings {
            if r.role().is_other() {
                roles[r.rater as usize][(r.role() as usize).min(3)] += 1;
            }
        }
    }
    let mut out = Vec::new();
    let mut without = 0;
    for (i, (e, roles)) in lenient.raters.iter().zip(&roles).enumerate() {
        if e.n_ratings == 0 {
            continue;
        }
        let best = (0..4).fold(0, |b, r| if roles[r] > roles[b] { r } else { b });
        if e.n == 0 {
            without += 1;
        }
        out.push(RaterReport {
            rater: ds.id(i as u32).to_owned(),
            role: RaterRole::ALL[best].as_str(),
            n: e.n,
            leniency: e.leniency.and_then(finite),
        });
    }
    if without > 0 {
        notes.push(format!(
            "leniency is null for {without} rater(s) whose subjects had no other rater of the same quality"
        ));
    }
    (out, notes)
}

/// Per id: the mean of the metric over the chosen periods; and the periods used.
fn outcome(
    ds: &Dataset,
    metric: &str,
    chosen: Vec<String>,
    notes: &mut Vec<String>,
) -> (Vec<Option<f64>>, Vec<String>) {
    let metric_ix = ds.metrics().iter().position(|m| **m == *metric);
    let mut by_id = vec![None; ds.ids().len()];
    let Some(m) = metric_ix else {
        notes.push(format!(
            "outcomes.csv has no rows with metric {metric:?}{}: validity is null",
            if ds.metrics().is_empty() {
                String::new()
            } else {
                format!(
                    " (the metrics are: {})",
                    ds.metrics()
                        .iter()
                        .map(|m| &**m)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ));
        return (by_id, chosen);
    };
    let mut use_period = vec![chosen.is_empty(); ds.periods().len()];
    for p in &chosen {
        match ds.periods().iter().position(|q| **q == **p) {
            Some(i) => use_period[i] = true,
            None => notes.push(format!("outcomes.csv has no rows in period {p}")),
        }
    }
    // Values per subject, then an exactly rounded sum: the mean then does not depend on the
    // order of the rows, so subjects whose values are equal get equal outcomes (Spearman's
    // ties), whatever tool computes them.
    let mut rows: Vec<(u32, f64)> = Vec::new();
    let mut seen = vec![false; ds.periods().len()];
    for o in ds.outcomes() {
        if o.metric as usize == m && use_period[o.period as usize] {
            rows.push((o.subject, o.value));
            seen[o.period as usize] = true;
        }
    }
    rows.sort_unstable_by_key(|(s, _)| *s);
    let mut values = Vec::new();
    for group in rows.chunk_by(|a, b| a.0 == b.0) {
        values.clear();
        values.extend(group.iter().map(|(_, v)| *v));
        by_id[group[0].0 as usize] = descriptive::exact_sum(&values)
            .ok()
            .and_then(|sum| finite(sum / values.len() as f64));
    }
    let periods = if chosen.is_empty() {
        ds.periods()
            .iter()
            .zip(&seen)
            .filter(|(_, s)| **s)
            .map(|(p, _)| p.to_string())
            .collect()
    } else {
        chosen
    };
    (by_id, periods)
}

fn validity(
    ds: &Dataset,
    cells: &Cells<'_>,
    qualities: &[QualityReport],
    outcome: &[Option<f64>],
    notes: &mut Vec<String>,
) -> Validity {
    let n_q = cells.n_q;
    // The analysis units: subjects of the cycle with at least one quality score.
    let units: Vec<usize> = (0..cells.subjects.len())
        .filter(|&s| (0..n_q).any(|q| cells.score[s * n_q + q].is_some()))
        .collect();
    let mut omitted = Vec::new();
    let present: Vec<usize> = (0..n_q)
        .filter(|&q| {
            let keep = qualities[q].n_subjects > 0;
            if !keep {
                omitted.push(qualities[q].key.clone());
            }
            keep
        })
        .collect();
    let trailing_of = |s: usize| ds.trailing(cells.subjects[s]);
    let kept: Vec<usize> = (0..N_TRAILING)
        .filter(|&t| {
            let keep = units
                .iter()
                .any(|&s| trailing_of(s).is_some_and(|v| v[t].is_some()));
            if !keep {
                omitted.push(TRAILING_INDICATORS[t].key.to_owned());
            }
            keep
        })
        .collect();
    if !omitted.is_empty() {
        notes.push(format!(
            "left out of validity (no value at all): {}",
            omitted.join(", ")
        ));
    }

    // Listwise: subjects with every kept indicator and the outcome.
    let n_ind = present.len() + kept.len();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); n_ind];
    let mut y = Vec::new();
    for &s in &units {
        let Some(out) = outcome[cells.subjects[s] as usize] else {
            continue;
        };
        let tr = trailing_of(s);
        let row: Option<Vec<f64>> = present
            .iter()
            .map(|&q| cells.score[s * n_q + q])
            .chain(kept.iter().map(|&t| tr.and_then(|v| v[t])))
            .collect();
        if let Some(row) = row {
            for (c, v) in columns.iter_mut().zip(row) {
                c.push(v);
            }
            y.push(out);
        }
    }
    let n = y.len();
    let names: Vec<(String, Kind)> = present
        .iter()
        .map(|&q| (qualities[q].key.clone(), Kind::Leading))
        .chain(
            kept.iter()
                .map(|&t| (TRAILING_INDICATORS[t].key.to_owned(), Kind::Trailing)),
        )
        .collect();
    // Each indicator, and the regression as one more task, on both cores.
    let (lead, trail) = columns.split_at(present.len());
    let base: Vec<&[f64]> = trail.iter().map(Vec::as_slice).collect();
    let added: Vec<&[f64]> = lead.iter().map(Vec::as_slice).collect();
    enum Done {
        Indicator(IndicatorReport, Option<String>),
        Regression(Hierarchical, Option<String>),
    }
    // The outcome's ranks serve every Spearman rho.
    let y_ranks = correlation::ranks(&y).ok();
    let done = par_map(n_ind + 1, |task| {
        if task == 0 {
            let (h, note) = hierarchical(&y, &base, &added);
            return Done::Regression(h, note);
        }
        let ((name, kind), x) = (names[task - 1].clone(), &columns[task - 1]);
        let mut ind = IndicatorReport {
            name,
            kind,
            r: None,
            ci_low: None,
            ci_high: None,
            p: None,
            rho: None,
            sd: descriptive::sd(x).ok(),
            mode_share: None,
        };
        let note = match correlation::pearson(x, &y) {
            Ok(c) => {
                ind.r = finite(c.r);
                ind.ci_low = finite(c.ci_low);
                ind.ci_high = finite(c.ci_high);
                ind.p = finite(c.p);
                // Spearman's rho is Pearson's r of the average ranks (as `spearman` computes it).
                let x_ranks = correlation::ranks(x).ok();
                ind.rho = match (&x_ranks, &y_ranks) {
                    (Some(rx), Some(ry)) => {
                        correlation::pearson(rx, ry).ok().and_then(|c| finite(c.r))
                    }
                    _ => None,
                };
                ind.mode_share = x_ranks.as_deref().and_then(mode_share);
                None
            }
            Err(e) => Some(format!(
                "{}: the correlation with the outcome is null (n = {n}): {e}",
                ind.name
            )),
        };
        Done::Indicator(ind, note)
    });
    let mut indicators = Vec::with_capacity(n_ind);
    let mut hier = None;
    let mut regression_note = None;
    for d in done {
        match d {
            Done::Indicator(ind, note) => {
                indicators.push(ind);
                notes.extend(note);
            }
            Done::Regression(h, note) => {
                hier = Some(h);
                regression_note = note;
            }
        }
    }
    notes.extend(regression_note);
    let hier = hier.unwrap_or_else(Hierarchical::null);
    Validity {
        n,
        omitted,
        indicators,
        hierarchical: hier,
    }
}

impl Hierarchical {
    fn null() -> Self {
        Hierarchical {
            r2_trailing: None,
            r2_full: None,
            delta_r2: None,
            f_change: None,
            df1: None,
            df2: None,
            p_change: None,
        }
    }
}

/// Step 1 on `base` (the trailing indicators), step 2 plus `added` (the qualities).
fn hierarchical(y: &[f64], base: &[&[f64]], added: &[&[f64]]) -> (Hierarchical, Option<String>) {
    if added.is_empty() {
        let note = "the hierarchical regression is null: no quality has scores".to_owned();
        return (Hierarchical::null(), Some(note));
    }
    match regression::hierarchical(y, base, added) {
        Ok(h) => (
            Hierarchical {
                r2_trailing: finite(h.r2_step1),
                r2_full: finite(h.r2_step2),
                delta_r2: finite(h.delta_r2),
                f_change: finite(h.f_change),
                df1: Some(h.df1),
                df2: Some(h.df2),
                p_change: finite(h.p_change),
            },
            None,
        ),
        Err(e) => (
            Hierarchical::null(),
            Some(format!(
                "the hierarchical regression is null (n = {}): {e}",
                y.len()
            )),
        ),
    }
}

/// The share of values equal to the most common one, from the values' average ranks: equal
/// values share a rank and different values never do (tie groups occupy disjoint positions),
/// so counting equal ranks counts equal values without sorting again.
fn mode_share(ranks: &[f64]) -> Option<f64> {
    if ranks.is_empty() {
        return None;
    }
    let mut count: super::dataset::FxMap<u64, usize> = Default::default();
    for r in ranks {
        *count.entry(r.to_bits()).or_insert(0) += 1;
    }
    let best = count.values().copied().max().unwrap_or(0);
    Some(best as f64 / ranks.len() as f64)
}
