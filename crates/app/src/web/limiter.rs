//! Limits failed logins per account and per client address.
//!
//! A sliding window of failure times per key, in memory: enough for one server process (a
//! multi-server PostgreSQL installation would keep these in the database). A successful
//! login clears the account's failures, not the address's.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed-login counters.
#[derive(Debug)]
pub struct LoginLimiter {
    per_account: u32,
    per_address: u32,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// Allows `per_account` failures per account and `per_address` per client address within
    /// `window`.
    pub fn new(per_account: u32, per_address: u32, window: Duration) -> Self {
        Self {
            per_account,
            per_address,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(account: &str, address: Option<IpAddr>) -> (String, Option<String>) {
        (
            format!("account:{}", account.trim().to_lowercase()),
            address.map(|a| format!("ip:{a}")),
        )
    }

    /// How long to wait before the next attempt may be made, if the limit is reached.
    pub fn blocked_for(&self, account: &str, address: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let (acc, ip) = Self::keys(account, address);
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = None;
        for (key, limit) in [(Some(acc), self.per_account), (ip, self.per_address)] {
            let Some(key) = key else { continue };
            if let Some(q) = map.get_mut(&key) {
                while q
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    q.pop_front();
                }
                if q.len() >= limit as usize {
                    let oldest = q.front().copied().unwrap_or(now);
                    let w = self.window.saturating_sub(now.duration_since(oldest));
                    wait = Some(wait.map_or(w, |x: Duration| x.max(w)));
                }
            }
        }
        wait
    }

    /// Records a failed attempt.
    pub fn record_failure(&self, account: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let (acc, ip) = Self::keys(account, address);
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Bound memory under a flood of distinct keys: forget the oldest state wholesale.
        if map.len() > 100_000 {
            map.clear();
        }
        map.entry(acc).or_default().push_back(now);
        if let Some(ip) = ip {
            map.entry(ip).or_default().push_back(now);
        }
    }

    /// Clears an account's failures after a successful login.
    pub fn record_success(&self, account: &str) {
        let (acc, _) = Self::keys(account, None);
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&acc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_blocked_after_its_allowance_of_failures() {
        let l = LoginLimiter::new(3, 100, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(l.blocked_for("a@b.co", None).is_none());
            l.record_failure("a@b.co", None);
        }
        assert!(
            l.blocked_for("A@B.co", None).is_some(),
            "the account key ignores case"
        );
        assert!(l.blocked_for("other@b.co", None).is_none());
    }

    #[test]
    fn an_address_is_blocked_across_accounts() {
        let l = LoginLimiter::new(100, 2, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        l.record_failure("a@b.co", Some(ip));
        l.record_failure("c@b.co", Some(ip));
        assert!(l.blocked_for("d@b.co", Some(ip)).is_some());
        assert!(
            l.blocked_for("d@b.co", Some("10.0.0.2".parse().unwrap()))
                .is_none()
        );
    }

    #[test]
    fn failures_expire_after_the_window() {
        let l = LoginLimiter::new(1, 100, Duration::from_millis(1));
        l.record_failure("a@b.co", None);
        std::thread::sleep(Duration::from_millis(5));
        assert!(l.blocked_for("a@b.co", None).is_none());
    }

    #[test]
    fn success_clears_the_accounts_failures() {
        let l = LoginLimiter::new(1, 100, Duration::from_secs(60));
        l.record_failure("a@b.co", None);
        l.record_success("a@b.co");
        assert!(l.blocked_for("a@b.co", None).is_none());
    }
}
