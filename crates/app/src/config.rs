//! The one typed configuration of the server, passed through axum state (never a global).

use std::net::SocketAddr;
use std::path::PathBuf;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// What the web server needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite file.
    pub db: PathBuf,
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Mark cookies `Secure` (when served behind HTTPS).
    pub https_cookies: bool,
    /// Session lifetime in seconds.
    pub session_ttl: i64,
    /// Failed logins allowed per account within [`Config::login_window`] seconds.
    pub login_attempts_per_account: u32,
    /// Failed logins allowed per client address within the window.
    pub login_attempts_per_address: u32,
    /// The window for the login limits, in seconds.
    pub login_window: u64,
}

impl Config {
    /// Defaults for a database path (used by tests and `serve`).
    pub fn new(db: PathBuf) -> Self {
        Self {
            db,
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            https_cookies: false,
            session_ttl: 12 * 3600,
            login_attempts_per_account: 5,
            login_attempts_per_address: 20,
            login_window: 15 * 60,
        }
    }
}
