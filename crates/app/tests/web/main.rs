//! Web and API tests through a real server (`helpers::spawn_app`), all in one test binary.

mod analytics;
mod api;
mod assessments;
mod auth;
mod cycles;
mod evidence_pages;
mod helpers;
mod outcomes;
mod pages;
mod permissions;
mod profile;
mod team_view;
