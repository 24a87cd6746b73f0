//! The evidence cache: computed reports (and the data sets they come from), each valid for one
//! data version of its organisation, least recently used first out.
//!
//! Bounded twice: at most [`MAX_ENTRIES`] entries in all, and at most [`MAX_DATA_SETS`] loaded
//! data sets (the large ones: a cycle of 10,000 sellers holds about half a million ratings).
//! An entry read with another data version than it was stored with is dropped, so a change
//! to the organisation's data is never served stale.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use super::data::Loaded;
use super::{ReliabilityView, ValidityView};

/// Entries kept in all.
pub const MAX_ENTRIES: usize = 64;
/// Loaded data sets kept.
pub const MAX_DATA_SETS: usize = 4;

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// The cycles that have submitted ratings.
    Cycles { org: i64 },
    /// The periods with values of a metric.
    Periods { org: i64, metric: String },
    /// People, the cycle's ratings and every outcome.
    Data { org: i64, cycle: i64 },
    /// A validity report (periods sorted and without repeats).
    Validity {
        org: i64,
        cycle: i64,
        metric: String,
        periods: Vec<String>,
    },
    /// A reliability report.
    Reliability { org: i64, cycle: i64 },
    /// Rater leniencies by id.
    Leniency { org: i64, cycle: i64 },
}

impl Key {
    /// The cycle the entry belongs to, if it belongs to one.
    fn cycle(&self) -> Option<i64> {
        match self {
            Key::Cycles { .. } | Key::Periods { .. } => None,
            Key::Data { cycle, .. }
            | Key::Validity { cycle, .. }
            | Key::Reliability { cycle, .. }
            | Key::Leniency { cycle, .. } => Some(*cycle),
        }
    }

    fn org(&self) -> i64 {
        match self {
            Key::Cycles { org }
            | Key::Periods { org, .. }
            | Key::Data { org, .. }
            | Key::Validity { org, .. }
            | Key::Reliability { org, .. }
            | Key::Leniency { org, .. } => *org,
        }
    }
}

/// A cached value.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Cycles(Arc<Vec<sellerq_store::Cycle>>),
    Periods(Arc<Vec<String>>),
    Data(Arc<Loaded>),
    Validity(Arc<ValidityView>),
    Reliability(Arc<ReliabilityView>),
    Leniency(Arc<HashMap<String, f64>>),
}

#[derive(Debug)]
struct Slot {
    version: i64,
    value: Value,
    used: u64,
}

#[derive(Debug, Default)]
struct Inner {
    slots: HashMap<Key, Slot>,
    clock: u64,
}

/// Computed evidence of every organisation, shared by all requests (`AppState::evidence`).
#[derive(Debug, Default)]
pub struct Cache {
    inner: Mutex<Inner>,
    /// One lock per key being computed, so that requests arriving together compute it once.
    flights: Mutex<HashMap<Key, Weak<tokio::sync::Mutex<()>>>>,
}

impl Cache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value stored under `key` for data version `version`; an entry of another version
    /// is dropped.
    pub(crate) fn get(&self, key: &Key, version: i64) -> Option<Value> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        match inner.slots.get_mut(key) {
            Some(slot) if slot.version == version => {
                slot.used = now;
                Some(slot.value.clone())
            }
            Some(_) => {
                inner.slots.remove(key);
                None
            }
            None => None,
        }
    }

    /// Stores `value` under `key` for data version `version`, evicting what the bounds require
    /// (entries of the organisation's older versions first).
    pub(crate) fn put(&self, key: Key, version: i64, value: Value) {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        let org = key.org();
        inner
            .slots
            .retain(|k, s| k.org() != org || s.version >= version);
        let is_data = matches!(value, Value::Data(_));
        inner.slots.insert(
            key,
            Slot {
                version,
                value,
                used: now,
            },
        );
        if is_data {
            evict(&mut inner.slots, MAX_DATA_SETS, |v| {
                matches!(v, Value::Data(_))
            });
        }
        evict(&mut inner.slots, MAX_ENTRIES, |_| true);
    }

    /// The lock of `key`'s computation: hold it while checking the cache and computing, and
    /// a second request for the same key waits for the first and then finds its result.
    pub(crate) fn flight(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(lock) = flights.get(key).and_then(Weak::upgrade) {
            return lock;
        }
        flights.retain(|_, w| w.strong_count() > 0);
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        flights.insert(key.clone(), Arc::downgrade(&lock));
        lock
    }

    /// True when something of the cycle's (its data or a report) is held for data version
    /// `version`: its data were read for that version already.
    pub(crate) fn holds_cycle(&self, org: i64, cycle: i64, version: i64) -> bool {
        self.lock()
            .slots
            .iter()
            .any(|(k, s)| k.org() == org && k.cycle() == Some(cycle) && s.version == version)
    }

    /// How many entries are held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.lock().slots.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Removes the least recently used entries matching `kind` until at most `max` remain.
fn evict(slots: &mut HashMap<Key, Slot>, max: usize, kind: impl Fn(&Value) -> bool) {
    loop {
        let matching = slots.values().filter(|s| kind(&s.value)).count();
        if matching <= max {
            return;
        }
        let oldest = slots
            .iter()
            .filter(|(_, s)| kind(&s.value))
            .min_by_key(|(_, s)| s.used)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => {
                slots.remove(&k);
            }
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leniency(v: f64) -> Value {
        Value::Leniency(Arc::new(HashMap::from([("r".to_owned(), v)])))
    }

    fn value_of(v: Option<Value>) -> Option<f64> {
        match v {
            Some(Value::Leniency(m)) => m.get("r").copied(),
            _ => None,
        }
    }

    #[test]
    fn an_entry_is_served_only_for_its_data_version() {
        let cache = Cache::new();
        let key = Key::Leniency { org: 1, cycle: 2 };
        cache.put(key.clone(), 7, leniency(0.5));
        assert_eq!(value_of(cache.get(&key, 7)), Some(0.5));
        assert_eq!(value_of(cache.get(&key, 8)), None, "a newer version misses");
        assert_eq!(
            value_of(cache.get(&key, 7)),
            None,
            "and the stale entry is gone"
        );
    }

    #[test]
    fn the_cache_is_bounded_and_drops_the_least_recently_used() {
        let cache = Cache::new();
        for cycle in 0..(MAX_ENTRIES as i64 + 10) {
            cache.put(Key::Leniency { org: 1, cycle }, 1, leniency(1.0));
            // Keep cycle 0 in use.
            assert!(cache.get(&Key::Leniency { org: 1, cycle: 0 }, 1).is_some());
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        assert!(cache.get(&Key::Leniency { org: 1, cycle: 0 }, 1).is_some());
        assert!(cache.get(&Key::Leniency { org: 1, cycle: 1 }, 1).is_none());
    }

    #[test]
    fn requests_for_one_key_share_one_lock_until_it_is_released() {
        let cache = Cache::new();
        let key = Key::Data { org: 1, cycle: 1 };
        let a = cache.flight(&key);
        let b = cache.flight(&key);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(
            &a,
            &cache.flight(&Key::Data { org: 1, cycle: 2 })
        ));
        drop((a, b));
        let c = cache.flight(&Key::Data { org: 1, cycle: 3 });
        assert_eq!(
            cache.flights.lock().map(|f| f.len()).unwrap_or(0),
            1,
            "released locks are forgotten"
        );
        drop(c);
    }

    #[test]
    fn a_cycle_is_held_while_any_entry_of_it_has_the_version() {
        let cache = Cache::new();
        assert!(!cache.holds_cycle(1, 2, 7));
        cache.put(Key::Leniency { org: 1, cycle: 2 }, 7, leniency(0.5));
        assert!(cache.holds_cycle(1, 2, 7));
        assert!(!cache.holds_cycle(1, 2, 8), "another version");
        assert!(!cache.holds_cycle(1, 3, 7), "another cycle");
        assert!(!cache.holds_cycle(2, 2, 7), "another organisation");
        cache.put(Key::Cycles { org: 1 }, 7, Value::Cycles(Arc::default()));
        assert!(
            !cache.holds_cycle(1, 9, 7),
            "the list of cycles is no cycle's"
        );
    }

    #[test]
    fn a_new_version_clears_the_organisations_older_entries_only() {
        let cache = Cache::new();
        cache.put(Key::Leniency { org: 1, cycle: 1 }, 1, leniency(1.0));
        cache.put(Key::Leniency { org: 2, cycle: 1 }, 1, leniency(2.0));
        cache.put(Key::Leniency { org: 1, cycle: 2 }, 2, leniency(3.0));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&Key::Leniency { org: 2, cycle: 1 }, 1).is_some());
    }
}
