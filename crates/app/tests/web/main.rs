//! Web and API tests through a real server (`helpers::spawn_app`), all in one test binary.

mod api;
mod auth;
mod helpers;
mod pages;
mod permissions;
