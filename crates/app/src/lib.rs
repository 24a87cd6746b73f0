//! sellerq: the binary's library half.
//!
//! `cli` parses the command line and runs each subcommand; `web` is the axum application
//! (pages, JSON API, sessions); `demo` fills the demo organisation; `security` holds the
//! password and token primitives; `transfer` reads and writes the FORMATS.md CSV files for
//! `sellerq import` / `sellerq export` and the upload page. Integration tests use [`web::router`] and the `spawn_app`
//! helper in `tests/`.

pub mod analyze;
pub mod cli;
pub mod config;
pub mod demo;
pub mod evidence;
pub mod security;
pub mod transfer;
pub mod web;
