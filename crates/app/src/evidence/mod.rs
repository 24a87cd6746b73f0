//! The evidence engine: the validity and reliability reports of an organisation, computed on
//! its stored data by the same engine as `sellerq analyze` (issue 5).
//!
//! - [`validity`]: each indicator against an outcome, the hierarchical regression (exactly the
//!   `validity` block `sellerq analyze` prints for the organisation's exported CSV files), plus
//!   what the page adds: 10-fold cross-validated R² of both models, a bootstrap interval of
//!   ΔR², the points of the scatter plot, a plain-language verdict and the caveats.
//! - [`reliability`]: per quality ICC and Krippendorff's alpha with a good / fair / poor badge,
//!   Cronbach's alpha (and alpha if a quality is dropped), the rater-effects table (leniency
//!   with its interval, halo index, outliers) and self–other agreement.
//! - [`rater_leniency`]: every rater's leniency in a cycle, for leniency-adjusted scores.
//! - [`choices`]: the cycles, metrics and periods the pages offer.
//!
//! Data flow: people, the cycle's submitted ratings and every outcome are read from the store
//! in bulk (`Store::analysis_people`, `Store::analysis_ratings`, `Store::analysis_outcomes`: a few
//! database rows each, read at the same time) into the `analyze` tables
//! ([`crate::analyze::PeopleTable`] …), assembled into a
//! [`crate::analyze::Dataset`] and handed to [`crate::analyze::compute`]. The results are
//! kept in [`Cache`] (held by `AppState`), keyed by organisation, cycle, metric and periods
//! and valid for one *data version* of the organisation (its newest audit entry id, which
//! every write moves): a page view after any change computes afresh, and repeated views cost
//! one small query.
//!
//! Statistics come from `sellerq_stats`; what is decided here is which numbers go in and how
//! they are put into words. Every random choice (folds, resamples) is seeded by [`SEED`], so
//! the same data give the same figures on every view.

mod adjusted;
mod cache;
mod data;
mod reliability;
mod validity;
pub mod warm;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

pub use adjusted::adjusted_for;
pub use cache::Cache;

use crate::analyze::report::{CronbachReport, QualityReport, Validity};
use crate::web::AppState;
use crate::web::error::AppError;

/// The seed of the cross-validation folds and the bootstrap resamples.
pub const SEED: u64 = 20_260_505;
/// Folds of the cross-validation.
pub const FOLDS: usize = 10;
/// Resamples of the ΔR² bootstrap.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;

/// What the validity report is asked for; `None` / empty takes the defaults: the latest
/// closed cycle with ratings (else the latest with ratings: `sellerq analyze`'s default),
/// `quota_attainment`, every period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct EvidenceQuery {
    pub cycle: Option<String>,
    pub metric: Option<String>,
    pub periods: Vec<String>,
}

/// An outcome metric as the pages offer it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MetricChoice {
    /// The metric key of outcomes.csv, e.g. `quota_attainment`.
    #[schema(example = "quota_attainment")]
    pub key: String,
    /// Its name for people.
    #[schema(example = "Quota attainment")]
    pub label: String,
    /// Its unit (may be empty), e.g. `ratio`.
    pub unit: String,
    /// Whether a larger value is a better result.
    pub higher_is_better: bool,
}

/// The cycles, metrics and periods a report can be run on.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Choices {
    /// Names of the cycles with submitted ratings, sorted.
    pub cycles: Vec<String>,
    /// The cycle a report shows when none is asked for: the latest closed cycle with ratings
    /// (all its sheets are in), else the latest cycle with ratings; `null` without ratings.
    pub default_cycle: Option<String>,
    /// The organisation's outcome metrics.
    pub metrics: Vec<MetricChoice>,
    /// The periods that have values of the chosen metric, sorted.
    pub periods: Vec<String>,
}

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// Out-of-sample R² of both models from seeded k-fold cross-validation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CrossValidation {
    /// Number of folds (10).
    pub folds: usize,
    /// The seed the folds are drawn from (`sellerq_stats::resample::kfold_assignments`).
    pub seed: u64,
    /// R² out of sample of the trailing indicators alone; `null` when it cannot be computed.
    pub r2_trailing: Option<f64>,
    /// R² out of sample of the trailing indicators and the qualities.
    pub r2_full: Option<f64>,
}

/// One seller in the scatter plot.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SubjectPoint {
    /// The person id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The seller's outcome (mean of the metric over the periods).
    pub outcome: f64,
    /// The indicators' values, parallel to `validity.indicators` (`null` where missing).
    pub values: Vec<Option<f64>>,
    /// True when the seller has every indicator, i.e. is one of the `n` the figures use.
    pub complete: bool,
}

/// The validity report of one cycle, metric and set of periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidityView {
    /// The cycle whose ratings give the quality scores.
    pub cycle: String,
    /// The outcome metric.
    pub metric: MetricChoice,
    /// The periods averaged into the outcome.
    pub periods: Vec<String>,
    /// Exactly what `sellerq analyze` computes on the organisation's exported CSV files.
    pub validity: Validity,
    /// 10-fold, seeded: out-of-sample R² of the trailing-only and the full model.
    pub cross_validation: CrossValidation,
    /// Percentile bootstrap interval (95 %) of ΔR², seeded.
    pub delta_r2_interval: Option<Interval>,
    /// Resamples drawn for `delta_r2_interval`.
    pub bootstrap_resamples: usize,
    /// Sellers of the cycle with an outcome, for the scatter plot.
    pub points: Vec<SubjectPoint>,
    /// One plain-language sentence.
    pub verdict: String,
    /// What limits the conclusions, then the computation's notes.
    pub caveats: Vec<String>,
}

/// A reliability badge: ICC(1,k) against the thresholds of the text report
/// ([`crate::analyze::text::GOOD`], [`crate::analyze::text::FAIR`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Badge {
    Good,
    Fair,
    Poor,
    /// No reliability could be computed.
    Unknown,
}

impl Badge {
    /// The badge of a reliability (ICC(1,k)); `None` is unknown.
    pub fn of(reliability: Option<f64>) -> Self {
        match reliability.map(crate::analyze::text::verdict) {
            Some("good") => Badge::Good,
            Some("fair") => Badge::Fair,
            Some(_) => Badge::Poor,
            None => Badge::Unknown,
        }
    }

    /// The word shown on the badge.
    pub fn word(self) -> &'static str {
        match self {
            Badge::Good => "good",
            Badge::Fair => "fair",
            Badge::Poor => "poor",
            Badge::Unknown => "unknown",
        }
    }
}

/// One quality's reliability figures (as `sellerq analyze` reports them) and its badge.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QualityReliability {
    /// The quality's entry of `qualities` in the FORMATS.md JSON.
    #[schema(value_type = Object)]
    pub figures: QualityReport,
    pub badge: Badge,
}

/// One non-self rater's effects in the cycle.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RaterRow {
    /// The rater's person id (or an external rater's id).
    pub rater: String,
    /// The rater's name, when they are a person of the organisation.
    pub name: Option<String>,
    /// The rater's most frequent role in the cycle.
    #[schema(value_type = String, example = "peer")]
    pub role: &'static str,
    /// Ratings compared (those with another rater's score of the same seller and quality).
    pub n: usize,
    /// Mean deviation from the other raters (FORMATS.md); positive = lenient.
    pub leniency: Option<f64>,
    /// 95 % interval of the leniency (t, n − 1 df); needs n ≥ 2.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Within-seller spread across qualities relative to all raters'; below 1 = more halo.
    pub halo_index: Option<f64>,
    /// A leniency outlier by the text report's rule.
    pub outlier: bool,
}

/// Self–other agreement on one quality across the organisation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Agreement {
    /// The quality key.
    pub key: String,
    /// Sellers with both a self score and a quality score.
    pub n: usize,
    /// Pearson r of self score and others' score, with its 95 % Fisher-z interval.
    pub r: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Share of those sellers whose self score is at least the blind-spot threshold above
    /// the others' (over-raters).
    pub over_share: Option<f64>,
    /// Share at least the threshold below (under-raters).
    pub under_share: Option<f64>,
}

/// The reliability report of one cycle.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReliabilityView {
    pub cycle: String,
    /// Per quality, in the model's spectrum order.
    pub qualities: Vec<QualityReliability>,
    /// Cronbach's alpha over the quality scores (FORMATS.md `cronbach_alpha`).
    #[schema(value_type = Object)]
    pub cronbach: CronbachReport,
    /// Alpha of the other qualities when one is left out, per quality key.
    #[schema(value_type = Vec<Object>)]
    pub alpha_if_dropped: Vec<(String, Option<f64>)>,
    /// Every non-self rater, most lenient first.
    pub raters: Vec<RaterRow>,
    /// Per quality, in spectrum order.
    pub agreement: Vec<Agreement>,
    /// The blind-spot threshold used for over- and under-raters (scale points).
    pub blind_spot_threshold: f64,
    /// Why a figure is missing, and other remarks.
    pub notes: Vec<String>,
}

/// May this role see the validity report? Leaders and admins: it is organisation-wide.
pub fn may_see_validity(role: sellerq_domain::Role) -> bool {
    use sellerq_domain::Role;
    matches!(role, Role::Admin | Role::Leader)
}

/// May this role see the reliability report? Leaders, admins and coaches (in the
/// organisations they coach: a role is always a membership of the organisation at hand).
pub fn may_see_reliability(role: sellerq_domain::Role) -> bool {
    use sellerq_domain::Role;
    matches!(role, Role::Admin | Role::Leader | Role::Coach)
}

/// The cycles, metrics and periods the validity and reliability pages offer; `periods` are
/// those with values of `metric` (default `quota_attainment`).
pub async fn choices(
    state: &AppState,
    org_id: i64,
    metric: Option<&str>,
) -> Result<Choices, AppError> {
    data::choices(state, org_id, metric).await
}

/// Starts reading the data of cycle `cycle` (by name; default as [`Choices::default_cycle`])
/// on its own task, unless the cache holds the cycle's data or a report of it already, so that
/// a page can gather its choices meanwhile; the report asked for next waits for that read
/// instead of starting another. A cycle that cannot be read is left for the report to explain.
pub fn prefetch(state: &AppState, org_id: i64, cycle: Option<&str>) {
    let (state, cycle) = (state.clone(), cycle.map(str::to_owned));
    tokio::spawn(async move {
        let read = async {
            let version = data::version(&state, org_id).await?;
            let cycle = data::resolve_cycle(&state, org_id, version, cycle.as_deref()).await?;
            if !state.evidence.holds_cycle(org_id, cycle.id, version) {
                data::load(&state, org_id, version, &cycle).await?;
            }
            Ok::<_, AppError>(())
        };
        if let Err(e) = read.await {
            tracing::debug!(org_id, error = ?e, "evidence: nothing prefetched");
        }
    });
}

/// The validity report (cached per organisation, cycle, metric and periods until the
/// organisation's data change).
pub async fn validity(
    state: &AppState,
    org_id: i64,
    q: &EvidenceQuery,
) -> Result<Arc<ValidityView>, AppError> {
    validity::get(state, org_id, q).await
}

/// The reliability report of a cycle (default: as [`Choices::default_cycle`]), cached.
pub async fn reliability(
    state: &AppState,
    org_id: i64,
    cycle: Option<&str>,
) -> Result<Arc<ReliabilityView>, AppError> {
    reliability::get(state, org_id, cycle).await
}

/// Every non-self rater's leniency (FORMATS.md) in a cycle, by rater id; raters whose
/// leniency cannot be computed are left out. Cached like the reports.
pub async fn rater_leniency(
    state: &AppState,
    org_id: i64,
    cycle_id: i64,
) -> Result<Arc<HashMap<String, f64>>, AppError> {
    reliability::leniency_by_id(state, org_id, cycle_id).await
}
