//! Leniency-adjusted scores for the profile and the team view (issue 5, point 3): each
//! counted rating minus its rater's leniency in the cycle, averaged as the raw score is
//! ([`sellerq_domain::assessment::adjusted_scores`], which also keeps the anonymity rule).
//!
//! The ratings come from the cycle's cached data set (the one the reports use) and the
//! leniencies from the reliability report, so the adjustment is exactly FORMATS.md's leniency.
//! Rater identities stay inside this module: what leaves it is one figure per quality.

use std::collections::HashMap;

use sellerq_domain::PersonId;
use sellerq_domain::assessment::{RaterRole, RatingValue, adjusted_scores};
use sellerq_domain::model::QualityKey;
use sellerq_store::Cycle;

use super::data;
use crate::analyze::RaterRole as DataRole;
use crate::web::AppState;
use crate::web::error::AppError;

/// Leniency-adjusted quality scores in `cycle` of each of `subjects` that has ratings there,
/// by person id: one entry per quality of the cycle's model, in spectrum order (`None` where
/// no counted rating exists).
pub async fn adjusted_for(
    state: &AppState,
    org_id: i64,
    cycle: &Cycle,
    subjects: &[&PersonId],
) -> Result<HashMap<String, Vec<Option<f64>>>, AppError> {
    if subjects.is_empty() {
        return Ok(HashMap::new());
    }
    let version = data::version(state, org_id).await?;
    let loaded = data::load(state, org_id, version, cycle).await?;
    let leniency = super::rater_leniency(state, org_id, cycle.id).await?;
    let settings = state.store.org_settings(org_id).await?;
    let ds = &loaded.ds;
    let Some(cycle_index) = ds.cycle_index(cycle.name.as_str()) else {
        return Ok(HashMap::new());
    };
    let by_index: Vec<Option<f64>> = ds
        .ids()
        .iter()
        .map(|id| leniency.get(&**id).copied())
        .collect();
    let keys: Vec<QualityKey> = ds
        .qualities()
        .iter()
        .map(|k| k.parse())
        .collect::<Result<_, _>>()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("a model quality key does not parse")))?;

    let mut wanted = vec![false; ds.ids().len()];
    for s in subjects {
        if let Ok(i) = ds.ids().binary_search_by(|id| (**id).cmp(s.as_str())) {
            wanted[i] = true;
        }
    }
    let mut out = HashMap::with_capacity(subjects.len());
    for group in ds.subjects_in(cycle_index) {
        if !wanted[group.subject as usize] {
            continue;
        }
        let paired: Vec<(RatingValue, Option<f64>)> = group
            .ratings
            .iter()
            .filter_map(|r| {
                let role = match r.role() {
                    DataRole::Manager => RaterRole::Manager,
                    DataRole::Peer => RaterRole::Peer,
                    DataRole::Coach => RaterRole::Coach,
                    _ => return None,
                };
                let rating = RatingValue {
                    quality: keys.get(usize::from(r.quality))?.clone(),
                    role,
                    score: Some(r.score),
                };
                Some((rating, by_index.get(r.rater as usize).copied().flatten()))
            })
            .collect();
        out.insert(
            ds.id(group.subject).to_owned(),
            adjusted_scores(&loaded.model, &paired, &settings),
        );
    }
    Ok(out)
}
