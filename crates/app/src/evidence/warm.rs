//! Keeps each organisation's default reports computed, so that leaders opening the validity or
//! reliability page find them ready rather than waiting for the data to be read and the
//! bootstrap refitted (about half a second at 10,000 sellers).
//!
//! A background task looks at every organisation's data version every [`INTERVAL`]. At the
//! first look (the server has just started) it computes the default views of every
//! organisation with submitted ratings: the choices the pages offer, and for the default cycle
//! and the newest other cycles (as many data sets as the cache keeps) the validity report for
//! the default metric over all periods and the reliability report. Later it
//! recomputes an organisation's views once its data have changed and then stayed the same for
//! one interval (an import or a burst of edits is computed after it, not during it). Requests
//! share the work in flight: a page asked for while it is being computed waits for that one
//! computation (the cache's single-flight locks), never starts a second.
//!
//! The cache stays the only source of truth: an entry is valid for one data version, so what
//! the task computes is served only while the data are those it was computed from.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sellerq_store::Cycle;

use super::cache::MAX_DATA_SETS;
use super::{EvidenceQuery, data, reliability, validity};
use crate::web::AppState;

/// How often the task looks at the data versions.
pub const INTERVAL: Duration = Duration::from_secs(2);

/// Starts the task on the current Tokio runtime; it runs until the runtime stops.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut watch = Watch::default();
        loop {
            watch.look(&state).await;
            tokio::time::sleep(INTERVAL).await;
        }
    })
}

/// What the task has seen and computed, per organisation.
#[derive(Debug, Default)]
pub(crate) struct Watch {
    /// The data version at the last look.
    seen: HashMap<i64, i64>,
    /// The data version the default views were last computed for.
    computed: HashMap<i64, i64>,
    /// Whether there was a look before.
    started: bool,
}

impl Watch {
    /// One look: computes the views of every organisation whose data changed since they were
    /// last computed and did not change since the look before (at the first look: every
    /// organisation). Returns the organisations computed.
    pub(crate) async fn look(&mut self, state: &AppState) -> Vec<i64> {
        let versions = match state.store.data_versions().await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "evidence: could not read the data versions");
                return Vec::new();
            }
        };
        let first = !self.started;
        self.started = true;
        let mut done = Vec::new();
        for (org, version) in versions {
            let settled = first || self.seen.get(&org) == Some(&version);
            self.seen.insert(org, version);
            if settled && self.computed.get(&org) != Some(&version) {
                compute(state, org).await;
                // Recorded even when nothing could be computed (no ratings yet): the next
                // attempt waits for the next change.
                self.computed.insert(org, version);
                done.push(org);
            }
        }
        done
    }
}

/// The default views of one organisation; what cannot be computed (no ratings, no outcomes)
/// is left for the pages to explain.
async fn compute(state: &AppState, org: i64) {
    let started = Instant::now();
    let version = match data::version(state, org).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(org, error = ?e, "evidence: could not read the data version");
            return;
        }
    };
    let rated = match data::rated_cycles(state, org, version).await {
        Ok(rated) if !rated.is_empty() => rated,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(org, error = ?e, "evidence: could not list the rated cycles");
            return;
        }
    };
    // What the pages offer (the periods of the default metric take a scan of its outcomes).
    let choices = data::choices(state, org, None).await;
    let (mut validity, mut reliability) = (0, 0);
    for cycle in cycles_to_compute(&rated) {
        let name = Some(cycle.name.as_str().to_owned());
        let query = EvidenceQuery {
            cycle: name.clone(),
            ..EvidenceQuery::default()
        };
        validity += usize::from(validity::get(state, org, &query).await.is_ok());
        reliability += usize::from(reliability::get(state, org, name.as_deref()).await.is_ok());
    }
    tracing::info!(
        org,
        ms = started.elapsed().as_secs_f64() * 1e3,
        choices = choices.is_ok(),
        validity,
        reliability,
        "evidence: default reports computed in the background"
    );
}

/// The cycles whose reports are computed ahead: the default cycle first, then the others
/// newest first, as many as the cache keeps data sets of (so that none pushes out another).
fn cycles_to_compute(rated: &[Cycle]) -> Vec<&Cycle> {
    let first = data::default_cycle(rated);
    first
        .into_iter()
        .chain(
            rated
                .iter()
                .rev()
                .filter(|c| Some(c.id) != first.map(|f| f.id)),
        )
        .take(MAX_DATA_SETS)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sellerq_store::Store;

    use super::*;
    use crate::config::Config;
    use crate::evidence::cache::{Key, Value};
    use crate::web::AppState;

    fn cycle(id: i64, name: &str, status: sellerq_domain::assessment::CycleStatus) -> Cycle {
        Cycle {
            id,
            org_id: 1,
            name: sellerq_domain::assessment::CycleName::parse(name).unwrap(),
            model_version_id: 1,
            status,
            due_date: None,
            rater_roles: Default::default(),
            created_at: 0,
            opened_at: None,
            closed_at: None,
        }
    }

    #[test]
    fn the_default_cycle_comes_first_then_the_newest_others_as_many_as_the_cache_keeps() {
        use sellerq_domain::assessment::CycleStatus::{Closed, Open};
        let rated: Vec<Cycle> = [
            (1, "2024-H1", Closed),
            (2, "2024-H2", Closed),
            (3, "2025-H1", Closed),
            (4, "2025-H2", Closed),
            (5, "2026-H1", Closed),
            (6, "2026-H2", Open),
        ]
        .into_iter()
        .map(|(id, name, status)| cycle(id, name, status))
        .collect();
        let ids: Vec<i64> = cycles_to_compute(&rated).iter().map(|c| c.id).collect();
        assert_eq!(ids, [5, 6, 4, 3]);
        assert_eq!(MAX_DATA_SETS, 4);
        assert!(cycles_to_compute(&[]).is_empty());
    }

    #[tokio::test]
    async fn the_default_views_are_computed_at_start_and_again_once_a_change_settles() {
        let (store, dir) = crate::demo::demo_store("warm").await;
        let store: Arc<dyn Store> = Arc::new(store);
        let org = store
            .organisation_by_name(crate::demo::DEMO_ORG_NAME)
            .await
            .unwrap()
            .unwrap()
            .id;
        let state = AppState::new(store.clone(), Config::new(dir.join("demo.db")));
        // Per cycle computed ahead (the default first): are both its reports held?
        let cached = |state: &AppState, version: i64| -> Vec<(bool, bool)> {
            let rated = match state.evidence.get(&Key::Cycles { org }, version) {
                Some(Value::Cycles(c)) => c,
                _ => return vec![(false, false)],
            };
            cycles_to_compute(&rated)
                .into_iter()
                .map(|c| {
                    let validity = Key::Validity {
                        org,
                        cycle: c.id,
                        metric: sellerq_domain::DEFAULT_METRIC.to_owned(),
                        periods: Vec::new(),
                    };
                    let reliability = Key::Reliability { org, cycle: c.id };
                    (
                        matches!(
                            state.evidence.get(&validity, version),
                            Some(Value::Validity(_))
                        ),
                        matches!(
                            state.evidence.get(&reliability, version),
                            Some(Value::Reliability(_))
                        ),
                    )
                })
                .collect()
        };
        let all_held =
            |held: Vec<(bool, bool)>| held.len() > 1 && held.iter().all(|&h| h == (true, true));

        // At start: computed for the data as they are.
        let mut watch = Watch::default();
        assert_eq!(watch.look(&state).await, vec![org]);
        let v0 = store.data_version(org).await.unwrap();
        assert!(all_held(cached(&state, v0)), "{:?}", cached(&state, v0));
        let periods = Key::Periods {
            org,
            metric: sellerq_domain::DEFAULT_METRIC.to_owned(),
        };
        assert!(
            matches!(state.evidence.get(&periods, v0), Some(Value::Periods(p)) if !p.is_empty()),
            "the periods the validity page offers"
        );
        // Nothing changed: nothing computed again.
        assert!(watch.look(&state).await.is_empty());

        // A change: not while it may go on, but at the look after it has settled.
        let metric = sellerq_domain::Metric::named("renewals");
        store
            .save_metric(org, &metric, &sellerq_store::Actor::system("test"))
            .await
            .unwrap();
        let v1 = store.data_version(org).await.unwrap();
        assert!(v1 > v0);
        assert_eq!(
            cached(&state, v1),
            vec![(false, false)],
            "the old views are not served"
        );
        assert!(watch.look(&state).await.is_empty(), "the change may go on");
        assert_eq!(watch.look(&state).await, vec![org]);
        assert!(all_held(cached(&state, v1)));

        drop(state);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
