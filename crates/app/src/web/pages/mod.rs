//! Server-rendered pages. Each submodule owns its routes; this module merges them and holds
//! the sign-in, sign-out, password, organisation-switch and dashboard pages.

mod account;
pub(crate) mod assessments;
pub(crate) mod cycles;
mod dashboard;
mod imports;
mod login;
mod model;
mod people;
pub(crate) mod profile;
mod reliability;
mod settings;
pub(crate) mod team_view;
mod teams;
mod validity;

use axum::Router;
use axum::routing::{get, post};

use super::AppState;
use super::error::AppError;

/// Every page route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/org/switch", post(account::switch_org))
        .route(
            "/account/password",
            get(account::password_form).post(account::change_password),
        )
        .merge(teams::router())
        .merge(cycles::router())
        .merge(assessments::router())
        .merge(imports::router())
        .merge(people::router())
        .merge(settings::router())
        .merge(profile::router())
        .merge(team_view::router())
        .merge(model::router())
        .merge(validity::router())
        .merge(reliability::router())
}

/// The 404 page for unknown paths.
pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// Percent-encodes a person id for a URL path segment (ids may hold spaces, `@`, …).
pub fn url_segment(s: &str) -> String {
    // A segment equal to a page's own name under a collection (`/people/new`) is written
    // with its first letter escaped: `/people/%6Eew` is the person whose id is `new` (the
    // router matches the written path, the `{id}` extractor reads it decoded).
    if RESERVED_SEGMENTS.contains(&s) {
        let mut chars = s.chars();
        if let Some(first) = chars.next() {
            return format!("%{:02X}{}", first as u32, chars.as_str());
        }
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Path segments that name pages of their own beside `{id}` (`/people/new`, `/teams/new`,
/// `/cycles/new`); all ASCII.
const RESERVED_SEGMENTS: [&str; 1] = ["new"];

#[cfg(test)]
mod tests {
    use super::url_segment;

    #[test]
    fn url_segments_escape_everything_but_unreserved_characters() {
        assert_eq!(url_segment("p-0042"), "p-0042");
        assert_eq!(url_segment("ana ruiz@x.co"), "ana%20ruiz%40x.co");
        assert_eq!(url_segment("é"), "%C3%A9");
    }

    #[test]
    fn a_segment_named_like_a_page_is_escaped_so_that_it_reaches_the_record() {
        assert_eq!(url_segment("new"), "%6Eew");
        assert_eq!(url_segment("New"), "New");
        assert_eq!(url_segment("new-1"), "new-1");
    }
}
