//! Keeps each organisation's default reports computed, so that leaders opening the validity or
//! reliability page find them ready rather than waiting for the data to be read and the
//! bootstrap refitted (about half a second at 10,000 sellers).
//!
//! A background task looks at every organisation's data version every [`INTERVAL`]. At the
//! first look (the server has just started) it computes the default views of every
//! organisation with submitted ratings: the validity report of the default cycle for the
//! default metric over all periods, and the reliability report of the default cycle. Later it
//! recomputes an organisation's views once its data have changed and then stayed the same for
//! one interval (an import or a burst of edits is computed after it, not during it). Requests
//! share the work in flight: a page asked for while it is being computed waits for that one
//! computation (the cache's single-flight locks), never starts a second.
//!
//! The cache stays the only source of truth: an entry is valid for one data version, so what
//! the task computes is served only while the data are those it was computed from.

use std::collections::HashMap;
use std::time::{Duration, Instant};

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
    match data::rated_cycles(state, org, version).await {
        Ok(rated) if !rated.is_empty() => {}
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(org, error = ?e, "evidence: could not list the rated cycles");
            return;
        }
    }
    let validity = validity::get(state, org, &EvidenceQuery::default()).await;
    let reliability = reliability::get(state, org, None).await;
    tracing::info!(
        org,
        ms = started.elapsed().as_secs_f64() * 1e3,
        validity = validity.is_ok(),
        reliability = reliability.is_ok(),
        "evidence: default reports computed in the background"
    );
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sellerq_store::Store;
    use sellerq_store::sqlite::SqliteStore;

    use super::*;
    use crate::config::Config;
    use crate::evidence::cache::{Key, Value};
    use crate::web::AppState;

    #[tokio::test]
    async fn the_default_views_are_computed_at_start_and_again_once_a_change_settles() {
        let dir = std::env::temp_dir().join(format!(
            "sellerq-warm-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let store = SqliteStore::open(&dir.join("warm.db")).await.unwrap();
        crate::demo::ensure_demo(&store).await.unwrap();
        let store: Arc<dyn Store> = Arc::new(store);
        let org = store
            .organisation_by_name(crate::demo::DEMO_ORG_NAME)
            .await
            .unwrap()
            .unwrap()
            .id;
        let state = AppState::new(store.clone(), Config::new(dir.join("warm.db")));
        let cached = |state: &AppState, version: i64| {
            let rated = match state.evidence.get(&Key::Cycles { org }, version) {
                Some(Value::Cycles(c)) => c,
                _ => return (false, false),
            };
            let cycle = data::default_cycle(&rated).unwrap().id;
            let validity = Key::Validity {
                org,
                cycle,
                metric: sellerq_domain::DEFAULT_METRIC.to_owned(),
                periods: Vec::new(),
            };
            (
                matches!(
                    state.evidence.get(&validity, version),
                    Some(Value::Validity(_))
                ),
                matches!(
                    state
                        .evidence
                        .get(&Key::Reliability { org, cycle }, version),
                    Some(Value::Reliability(_))
                ),
            )
        };

        // At start: computed for the data as they are.
        let mut watch = Watch::default();
        assert_eq!(watch.look(&state).await, vec![org]);
        let v0 = store.data_version(org).await.unwrap();
        assert_eq!(cached(&state, v0), (true, true));
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
            (false, false),
            "the old views are not served"
        );
        assert!(watch.look(&state).await.is_empty(), "the change may go on");
        assert_eq!(watch.look(&state).await, vec![org]);
        assert_eq!(cached(&state, v1), (true, true));

        drop(state);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
