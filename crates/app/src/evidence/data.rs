//! From the store to an `analyze` data set: people (every person of the organisation), the
//! cycle's submitted ratings and every outcome — the rows `sellerq export people|ratings|
//! outcomes` would write, pushed through the same tables and rules as the CSV reader.
//!
//! Only the chosen cycle's ratings are read: every figure of a cycle depends on that cycle's
//! ratings alone (rater slots are ordered by id, not by position in the file), so the figures
//! equal those of `sellerq analyze --cycle` on the whole export.
//!
//! The rows come from the store's bulk reads for analysis (`Store::analysis_ratings`,
//! `analysis_people`, `analysis_outcomes`: the same rows as the exports, a few database rows
//! each), read at the same time and made into the tables as they arrive.

use std::collections::HashMap;
use std::sync::Arc;

use sellerq_domain::DEFAULT_METRIC;
use sellerq_domain::assessment::CycleStatus;
use sellerq_domain::model::Model;
use sellerq_store::{AnalysisOutcomes, AnalysisPerson, AnalysisRating, AnalysisRatings, Cycle};

use super::cache::{Key, Value};
use super::{Choices, MetricChoice};
use crate::analyze::dataset::{PersonRow, RatingText};
use crate::analyze::{Dataset, OutcomesTable, PeopleTable, RatingsTable};
use crate::web::AppState;
use crate::web::error::AppError;

/// A cycle's data set with what the reports need beside it.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// People, the cycle's ratings, every outcome.
    pub ds: Dataset,
    /// The cycle.
    pub cycle: Cycle,
    /// Display names by person id.
    pub names: HashMap<String, String>,
    /// The cycle's model version.
    pub model: Arc<Model>,
}

/// The organisation's data version (its newest audit entry).
pub(crate) async fn version(state: &AppState, org_id: i64) -> Result<i64, AppError> {
    Ok(state.store.data_version(org_id).await?)
}

/// The organisation's cycles that hold at least one submitted rating, by name.
pub(crate) async fn rated_cycles(
    state: &AppState,
    org_id: i64,
    version: i64,
) -> Result<Arc<Vec<Cycle>>, AppError> {
    let key = Key::Cycles { org: org_id };
    if let Some(Value::Cycles(c)) = state.evidence.get(&key, version) {
        return Ok(c);
    }
    let started = std::time::Instant::now();
    let (rated, cycles) = tokio::try_join!(
        state.store.rated_cycle_ids(org_id),
        state.store.cycles(org_id)
    )?;
    let mut rated: Vec<Cycle> = cycles
        .into_iter()
        .filter(|c| rated.contains(&c.id))
        .collect();
    rated.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    tracing::debug!(
        org_id,
        ms = started.elapsed().as_secs_f64() * 1e3,
        "evidence: cycles with ratings found"
    );
    let rated = Arc::new(rated);
    state
        .evidence
        .put(key, version, Value::Cycles(rated.clone()));
    Ok(rated)
}

/// The cycle a report shows when none is asked for: the closed cycle with submitted ratings
/// whose name sorts last (its sheets are all in), or, while no rated cycle is closed yet, the
/// rated cycle whose name sorts last (`sellerq analyze`'s default).
pub(crate) fn default_cycle(rated: &[Cycle]) -> Option<&Cycle> {
    rated
        .iter()
        .rfind(|c| c.status == CycleStatus::Closed)
        .or_else(|| rated.last())
}

/// The cycle named `name` (trimmed), or by default [`default_cycle`]. A cycle without
/// submitted ratings is a 422 naming the field.
pub(crate) async fn resolve_cycle(
    state: &AppState,
    org_id: i64,
    version: i64,
    name: Option<&str>,
) -> Result<Cycle, AppError> {
    let rated = rated_cycles(state, org_id, version).await?;
    let known = || {
        rated
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => default_cycle(&rated).cloned().ok_or_else(|| {
            AppError::invalid(
                "cycle",
                "there are no submitted ratings yet: nothing to analyse",
            )
        }),
        Some(n) => rated
            .iter()
            .find(|c| c.name.as_str() == n)
            .cloned()
            .ok_or_else(|| {
                AppError::invalid(
                    "cycle",
                    if rated.is_empty() {
                        format!("there are no submitted ratings in cycle {n:?} (nor in any other)")
                    } else {
                        format!(
                            "there are no submitted ratings in cycle {n:?} (the cycles with ratings are: {})",
                            known()
                        )
                    },
                )
            }),
    }
}

/// The cycle's data set, from the cache or the store.
pub(crate) async fn load(
    state: &AppState,
    org_id: i64,
    version: i64,
    cycle: &Cycle,
) -> Result<Arc<Loaded>, AppError> {
    let key = Key::Data {
        org: org_id,
        cycle: cycle.id,
    };
    if let Some(Value::Data(d)) = state.evidence.get(&key, version) {
        return Ok(d);
    }
    let flight = state.evidence.flight(&key);
    let _computing = flight.lock().await;
    if let Some(Value::Data(d)) = state.evidence.get(&key, version) {
        return Ok(d);
    }
    let started = std::time::Instant::now();
    let model = state.store.model(org_id, cycle.model_version_id).await?;

    // People, the cycle's ratings and the outcomes are read at the same time (the store
    // serves each on its own connections), and each is made into its analyze table as soon
    // as it arrives, off the async threads.
    let blocking = |what: &'static str| {
        move |e: tokio::task::JoinError| AppError::Internal(anyhow::anyhow!("{what}: {e}"))
    };
    let ratings = async {
        let read = state.store.analysis_ratings(org_id, cycle.id).await?;
        let t_read = started.elapsed();
        let (model, name) = (model.clone(), cycle.name.as_str().to_owned());
        let table = tokio::task::spawn_blocking(move || ratings_table(&model, &name, &read))
            .await
            .map_err(blocking("reading the ratings"))?;
        Ok::<_, AppError>((table, t_read))
    };
    let people = async {
        let read = state.store.analysis_people(org_id).await?;
        let t_read = started.elapsed();
        Ok::<_, AppError>((people_table(read), t_read))
    };
    let outcomes = async {
        let read = state.store.analysis_outcomes(org_id).await?;
        let t_read = started.elapsed();
        let table = tokio::task::spawn_blocking(move || outcomes_table(&read))
            .await
            .map_err(blocking("reading the outcomes"))?;
        Ok::<_, AppError>((table, t_read))
    };
    let (
        (ratings_table, t_ratings),
        ((people_table, names), t_people),
        (outcomes_table, t_outcomes_read),
    ) = tokio::try_join!(ratings, people, outcomes)?;
    let t_outcomes = started.elapsed();
    let model_for_assembly = model.clone();
    let ds = tokio::task::spawn_blocking(move || {
        Dataset::assemble(
            &model_for_assembly,
            people_table,
            ratings_table,
            outcomes_table,
        )
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("assembling the data set: {e}")))?
    .map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "the stored data break the FORMATS.md rules ({} problems):\n{e}",
            e.total
        ))
    })?;
    tracing::debug!(
        org_id,
        cycle = cycle.name.as_str(),
        people_ms = t_people.as_secs_f64() * 1e3,
        ratings_ms = t_ratings.as_secs_f64() * 1e3,
        outcomes_ms = t_outcomes_read.as_secs_f64() * 1e3,
        assemble_ms = (started.elapsed() - t_outcomes).as_secs_f64() * 1e3,
        "evidence: data set loaded"
    );
    let loaded = Arc::new(Loaded {
        ds,
        cycle: cycle.clone(),
        names,
        model,
    });
    state
        .evidence
        .put(key, version, Value::Data(loaded.clone()));
    Ok(loaded)
}

/// A cycle's ratings as analyze's table, each checked like a row of the exported ratings.csv
/// (line 2 onwards, in export order). Rows that repeat the subject, rater and role of the row
/// before take the table's byte-level fast path.
fn ratings_table(model: &Model, cycle: &str, read: &AnalysisRatings) -> RatingsTable {
    let mut table = RatingsTable::new("ratings", model);
    table.reserve(read.ratings.len());
    let scores: Vec<String> = (0..=u8::MAX).map(|s| s.to_string()).collect();
    let mut before: Option<&AnalysisRating> = None;
    for (i, r) in read.ratings.iter().enumerate() {
        let line = i as u64 + 2;
        table.count_row();
        let quality = read.qualities[r.quality as usize].as_str();
        let score = r.score.map_or("", |s| scores[usize::from(s)].as_str());
        let same_key = before
            .is_some_and(|b| b.subject == r.subject && b.rater == r.rater && b.role == r.role);
        if !(same_key && table.push_same_key_bytes(line, quality.as_bytes(), score.as_bytes())) {
            table.push_text(
                line,
                &RatingText {
                    cycle,
                    subject: &read.ids[r.subject as usize],
                    rater: &read.ids[r.rater as usize],
                    role: r.role.as_str(),
                    quality,
                    score,
                },
            );
        }
        before = Some(r);
    }
    table
}

/// People as analyze's table (line 2 onwards, by id), and their display names by id.
fn people_table(read: Vec<AnalysisPerson>) -> (PeopleTable, HashMap<String, String>) {
    let mut table = PeopleTable::new("people");
    let mut names = HashMap::with_capacity(read.len());
    for (i, p) in read.into_iter().enumerate() {
        table.count_row();
        table.push(
            i as u64 + 2,
            PersonRow {
                id: p.id.clone(),
                manager: p.manager,
                trailing: p.trailing,
            },
        );
        names.insert(String::from(p.id), p.name);
    }
    (table, names)
}

/// Outcomes as analyze's table (line 2 onwards, in the store's order).
fn outcomes_table(read: &AnalysisOutcomes) -> OutcomesTable {
    let mut table = OutcomesTable::new("outcomes");
    for (i, o) in read.outcomes.iter().enumerate() {
        table.count_row();
        table.push(
            i as u64 + 2,
            &read.ids[o.subject as usize],
            &read.periods[o.period as usize],
            &read.metrics[o.metric as usize],
            o.value,
        );
    }
    table
}

/// The metric as the pages show it; an unknown key is a 422.
pub(crate) async fn metric(
    state: &AppState,
    org_id: i64,
    key: Option<&str>,
) -> Result<MetricChoice, AppError> {
    let key = key
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .unwrap_or(DEFAULT_METRIC);
    let metrics = state.store.metrics(org_id).await?;
    metrics
        .iter()
        .find(|m| m.key == key)
        .map(metric_choice)
        .ok_or_else(|| {
            AppError::invalid(
                "metric",
                format!(
                    "{key:?} is not an outcome metric of the organisation (the metrics are: {})",
                    metrics
                        .iter()
                        .map(|m| m.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
}

fn metric_choice(m: &sellerq_domain::Metric) -> MetricChoice {
    MetricChoice {
        key: m.key.clone(),
        label: m.label.clone(),
        unit: m.unit.clone(),
        higher_is_better: m.higher_is_better,
    }
}

/// The periods with values of `metric`, sorted.
async fn periods(
    state: &AppState,
    org_id: i64,
    version: i64,
    metric: &str,
) -> Result<Arc<Vec<String>>, AppError> {
    let key = Key::Periods {
        org: org_id,
        metric: metric.to_owned(),
    };
    if let Some(Value::Periods(p)) = state.evidence.get(&key, version) {
        return Ok(p);
    }
    let periods = state.store.analysis_periods(org_id, metric).await?;
    let periods = Arc::new(periods);
    state
        .evidence
        .put(key, version, Value::Periods(periods.clone()));
    Ok(periods)
}

/// See [`super::choices`].
pub(crate) async fn choices(
    state: &AppState,
    org_id: i64,
    metric: Option<&str>,
) -> Result<Choices, AppError> {
    let version = version(state, org_id).await?;
    let rated = rated_cycles(state, org_id, version).await?;
    let cycles = rated.iter().map(|c| c.name.as_str().to_owned()).collect();
    let default_cycle = default_cycle(&rated).map(|c| c.name.as_str().to_owned());
    let metrics: Vec<MetricChoice> = state
        .store
        .metrics(org_id)
        .await?
        .iter()
        .map(metric_choice)
        .collect();
    let key = metric
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .unwrap_or(DEFAULT_METRIC);
    let periods = periods(state, org_id, version, key).await?.as_ref().clone();
    Ok(Choices {
        cycles,
        default_cycle,
        metrics,
        periods,
    })
}
