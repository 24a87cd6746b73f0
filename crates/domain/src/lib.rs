//! The product's vocabulary as checked types.
//!
//! `domain` holds the Seller Qualities Model ([`model`]), and the people, teams, roles and
//! identifiers the rest of sellerq passes around. Every type here exists only once its input
//! has been checked (parse at the edge), so the store and the web layer never see raw strings.
//! No async, no SQL, no HTTP.

pub mod assessment;
pub mod field;
pub mod formats;
pub mod ids;
pub mod model;
pub mod outcome;
pub mod person;
pub mod role;
pub mod team;

pub use field::{FieldError, FieldErrors};
pub use ids::{Email, OrgName, PersonId};
pub use model::{Model, QualityKey, Side, default_model};
pub use outcome::{DEFAULT_METRIC, Metric, OutcomeInput, check_period};
pub use person::{Person, PersonInput, TRAILING_INDICATORS, TrailingIndicator};
pub use role::Role;
pub use team::{Team, TeamInput};
