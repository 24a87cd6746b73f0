//! Assessment: cycles, raters, ratings and the scores computed from them.
//!
//! A **cycle** (`2026-H1`) names the people assessed in it (its *participants*, or *subjects*),
//! the rater roles it collects and a due date, and moves `draft → open → closed`
//! ([`CycleStatus`]). Each **rating** is one quality score (or "not observed") given by one
//! rater, in one [`RaterRole`], to one subject, in one cycle; a [`Score`] exists only once it
//! has been checked against the model's scale. Raters fill in a *sheet* (all qualities for one
//! subject): drafts are kept, submitting makes it final ([`check_sheet`]).
//!
//! [`aggregate`] turns the submitted ratings into what the product shows: the seller profile
//! (per quality the others' score, the self score, the self–other gap, counts per role, the
//! mindset and behaviour indexes, blind spots, strengths and the suggested growth focus) and the
//! team statistics, exactly as FORMATS.md defines them plus the anonymity rule of
//! [`OrgSettings`].
//!
//! ```
//! use sellerq_domain::assessment::{CycleName, CycleStatus, RaterRole, Score};
//! use sellerq_domain::default_model;
//!
//! let name = CycleName::parse(" 2026-H1 ").unwrap();
//! assert_eq!(name.as_str(), "2026-H1");
//! assert!(CycleStatus::Draft.can_become(CycleStatus::Open));
//! assert_eq!("self".parse::<RaterRole>(), Ok(RaterRole::SelfRating));
//! assert!(Score::new(6, &default_model().scale).is_err());
//! ```

pub mod aggregate;
mod cycle;
mod rating;
mod settings;

pub use aggregate::{
    BlindSpot, BlindSpotKind, LevelCount, Profile, QualityProfile, RatingValue, RoleCounts,
    TeamQuality, TeamStats, Trend, TrendSeries, adjusted_scores, profile, team_stats, trend,
};
pub use cycle::{
    AssignmentStatus, CycleInput, CycleName, CycleStatus, MAX_CYCLE_NAME_LEN, RaterRoles,
};
pub use rating::{
    EvidencePolicy, MAX_EVIDENCE_LEN, RaterRole, Score, SheetEntry, check_evidence, check_sheet,
    parse_score,
};
pub use settings::OrgSettings;
