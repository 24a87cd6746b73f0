//! Storage behind one trait.
//!
//! [`Store`] is everything the app asks of a database; [`sqlite::SqliteStore`] implements it
//! on an embedded SQLite file (WAL, foreign keys on, busy timeout) and a PostgreSQL
//! implementation can follow without touching `app`. Row mapping stays in this crate: the
//! domain types carry no SQL derives. Every write takes an [`Actor`] and records an
//! [`AuditEntry`] in the same transaction, so the audit log can never miss a change (a bulk
//! import records one summary entry, not one per row).
//!
//! Assessment data (issue 3): cycles with their participants and rater assignments, raters'
//! sheets (drafts, then submitted), and queries shaped for the domain's aggregation
//! ([`Store::subject_ratings`] for a profile and its trend, [`Store::cycle_ratings`] for a team)
//! that return roles and scores but never rater identities.
//!
//! Outcomes (issue 5): the organisation's metrics and each seller's results per period
//! ([`Store::outcomes`]), and [`Store::data_version`] for caches of figures computed from them.

mod error;
pub mod sqlite;
mod types;

use std::sync::Arc;

use async_trait::async_trait;
use sellerq_domain::assessment::{AssignmentStatus, CycleInput, CycleStatus, OrgSettings};
use sellerq_domain::formats::ratings::RatingsBatch;
use sellerq_domain::model::Model;
use sellerq_domain::{
    Email, Metric, OrgName, OutcomeInput, Person, PersonId, PersonInput, Role, Team, TeamInput,
};
use time::Date;

pub use error::{StoreError, StoreResult};
pub use types::*;

/// Everything sellerq reads from and writes to its database.
///
/// Every method that touches organisation data takes the organisation's id and never returns
/// rows of another organisation. Methods that write take the [`Actor`] for the audit log.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Checks that the database answers (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;

    // --- organisations ---------------------------------------------------------------

    /// Creates an organisation and installs the default model as its first model version.
    /// `Conflict("name")` if the name is taken.
    async fn create_organisation(&self, name: &OrgName, actor: &Actor) -> StoreResult<Org>;
    /// Finds an organisation by its exact name.
    async fn organisation_by_name(&self, name: &str) -> StoreResult<Option<Org>>;
    /// Finds an organisation by id.
    async fn organisation(&self, id: i64) -> StoreResult<Option<Org>>;

    // --- users and memberships -------------------------------------------------------

    /// Creates a user (no membership yet). `Conflict("email")` if the address is taken.
    async fn create_user(
        &self,
        email: &Email,
        name: &str,
        password_hash: &str,
    ) -> StoreResult<User>;
    /// A user and their password hash, by e-mail.
    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<(User, String)>>;
    /// A user by id.
    async fn user(&self, id: i64) -> StoreResult<Option<User>>;
    /// The user's password hash.
    async fn password_hash(&self, user_id: i64) -> StoreResult<Option<String>>;
    /// Replaces a user's password hash and ends their other sessions (all but `keep_session`).
    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
        actor: &Actor,
    ) -> StoreResult<()>;
    /// Gives a user a role in an organisation (replacing an earlier role there), with the teams
    /// assigned to them (meaningful for managers and coaches; `[]` otherwise).
    async fn set_membership(
        &self,
        org_id: i64,
        user_id: i64,
        role: Role,
        team_ids: &[i64],
        actor: &Actor,
    ) -> StoreResult<()>;
    /// Every organisation the user belongs to, with the role there, ordered by organisation name.
    async fn memberships(&self, user_id: i64) -> StoreResult<Vec<Membership>>;
    /// The user's membership in one organisation.
    async fn membership(&self, user_id: i64, org_id: i64) -> StoreResult<Option<Membership>>;
    /// The organisation's users with their roles, ordered by name.
    async fn members(&self, org_id: i64) -> StoreResult<Vec<Member>>;
    /// What the user may see of people and teams in the organisation: resolves the role's
    /// reach, assigned teams (with their sub-teams, and teams whose `manager` is the user's
    /// own person) and the user's own person (same e-mail).
    async fn scope(&self, org_id: i64, user_id: i64) -> StoreResult<Scope>;

    // --- sessions and API tokens -----------------------------------------------------

    /// Stores a new session.
    async fn create_session(&self, session: &Session) -> StoreResult<()>;
    /// A live (unexpired at `now`) session by the hash of its token.
    async fn session(&self, token_hash: &str, now: i64) -> StoreResult<Option<Session>>;
    /// Switches the session's active organisation.
    async fn set_session_org(&self, token_hash: &str, org_id: i64) -> StoreResult<()>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Removes sessions that expired before `now`; returns how many.
    async fn purge_sessions(&self, now: i64) -> StoreResult<u64>;
    /// Stores an API token's hash for a user in an organisation; returns its id.
    async fn create_api_token(
        &self,
        org_id: i64,
        user_id: i64,
        token_hash: &str,
        label: &str,
        actor: &Actor,
    ) -> StoreResult<i64>;
    /// The (user id, organisation id) of a token, by its hash; notes its last use at `now`.
    async fn api_token(&self, token_hash: &str, now: i64) -> StoreResult<Option<(i64, i64)>>;

    // --- teams -------------------------------------------------------------------------

    /// Teams visible in `scope`, ordered by name, with their head counts.
    async fn list_teams(&self, org_id: i64, scope: &Scope) -> StoreResult<Vec<TeamSummary>>;
    /// One team (no scope check: callers check [`Scope::sees_team`]).
    async fn team(&self, org_id: i64, id: i64) -> StoreResult<Option<Team>>;
    /// A team by its name.
    async fn team_by_name(&self, org_id: i64, name: &str) -> StoreResult<Option<Team>>;
    /// Creates a team. `Conflict("name")` when taken; `Invalid("parent_id")` when the parent
    /// is unknown; `Invalid("manager")` when the manager is not a person of the organisation.
    async fn create_team(&self, org_id: i64, input: &TeamInput, actor: &Actor)
    -> StoreResult<Team>;
    /// Replaces a team's fields. Also `Invalid("parent_id")` when the parent would make a cycle.
    async fn update_team(
        &self,
        org_id: i64,
        id: i64,
        input: &TeamInput,
        actor: &Actor,
    ) -> StoreResult<Team>;
    /// Deletes an empty team. `Conflict("team")` while people or sub-teams belong to it.
    async fn delete_team(&self, org_id: i64, id: i64, actor: &Actor) -> StoreResult<()>;

    // --- people ------------------------------------------------------------------------

    /// People matching the filter, within its scope, ordered by name then id.
    async fn list_people(&self, org_id: i64, filter: &PeopleFilter) -> StoreResult<Vec<Person>>;
    /// One person (no scope check: callers check [`Scope::sees_person`]).
    async fn person(&self, org_id: i64, id: &PersonId) -> StoreResult<Option<Person>>;
    /// The person with this e-mail in the organisation.
    async fn person_by_email(&self, org_id: i64, email: &Email) -> StoreResult<Option<Person>>;
    /// Creates a person; an unknown team name creates the team. `Conflict("id")` when the id is
    /// taken, `Conflict("email")` when another person has the address, `Invalid("manager")`
    /// when the manager is unknown.
    async fn create_person(
        &self,
        org_id: i64,
        input: &PersonInput,
        actor: &Actor,
    ) -> StoreResult<Person>;
    /// Replaces the person `id`'s fields (`input.id` may rename the id; references follow).
    async fn update_person(
        &self,
        org_id: i64,
        id: &PersonId,
        input: &PersonInput,
        actor: &Actor,
    ) -> StoreResult<Person>;
    /// Deletes a person. `Conflict("person")` while ratings name them. Their outcomes are
    /// deleted with them.
    async fn delete_person(&self, org_id: i64, id: &PersonId, actor: &Actor) -> StoreResult<()>;
    /// Inserts or replaces every row in one transaction (people.csv import): all or nothing.
    /// Managers may refer to rows later in the same batch.
    async fn import_people(
        &self,
        org_id: i64,
        rows: &[PersonInput],
        actor: &Actor,
    ) -> StoreResult<ImportSummary>;

    // --- model versions ----------------------------------------------------------------

    /// The organisation's model versions, oldest first.
    async fn model_versions(&self, org_id: i64) -> StoreResult<Vec<ModelVersion>>;
    /// The organisation's current model version (the newest).
    async fn current_model_version(&self, org_id: i64) -> StoreResult<ModelVersion>;
    /// Adds a model version (validated TOML) and makes it current.
    async fn add_model_version(
        &self,
        org_id: i64,
        label: &str,
        toml: &str,
        actor: &Actor,
    ) -> StoreResult<ModelVersion>;
    /// Replaces a model version's text. `Immutable` once it is in use: a cycle on it has left
    /// draft or holds ratings.
    async fn update_model_version(
        &self,
        org_id: i64,
        id: i64,
        toml: &str,
        actor: &Actor,
    ) -> StoreResult<ModelVersion>;

    /// The parsed model of a version. Versions in use are cached by id (no query at all);
    /// others are read and their parse cached by the text's hash. `NotFound` if the version is
    /// not the organisation's.
    async fn model(&self, org_id: i64, model_version_id: i64) -> StoreResult<Arc<Model>>;

    // --- assessment settings --------------------------------------------------------------

    /// The organisation's anonymity and blind-spot thresholds (the defaults until set).
    async fn org_settings(&self, org_id: i64) -> StoreResult<OrgSettings>;
    /// Replaces the organisation's thresholds. `Invalid(field)` when out of range.
    async fn set_org_settings(
        &self,
        org_id: i64,
        settings: &OrgSettings,
        actor: &Actor,
    ) -> StoreResult<OrgSettings>;

    // --- cycles ----------------------------------------------------------------------------

    /// Creates a cycle as a draft; `model_version_id: None` takes the current version.
    /// `Conflict("name")` when taken; `Invalid("model_version_id")` for a version of another
    /// organisation.
    async fn create_cycle(
        &self,
        org_id: i64,
        input: &CycleInput,
        actor: &Actor,
    ) -> StoreResult<Cycle>;
    /// Replaces a cycle's name, due date, rater roles and model version. A closed cycle
    /// changes nothing (`Conflict("status")`); once the model version is frozen (the cycle
    /// left draft or holds ratings) a different version gives `Immutable`.
    /// `model_version_id: None` keeps the cycle's version.
    async fn update_cycle(
        &self,
        org_id: i64,
        id: i64,
        input: &CycleInput,
        actor: &Actor,
    ) -> StoreResult<Cycle>;
    /// Moves a cycle to `status` (draft → open → closed; closed → open reopens).
    /// `Invalid("status")` for any other move.
    async fn set_cycle_status(
        &self,
        org_id: i64,
        id: i64,
        status: CycleStatus,
        actor: &Actor,
    ) -> StoreResult<Cycle>;
    /// Deletes a draft cycle without ratings, with its participants and assignments.
    /// `Conflict("status")` otherwise.
    async fn delete_cycle(&self, org_id: i64, id: i64, actor: &Actor) -> StoreResult<()>;
    /// One cycle.
    async fn cycle(&self, org_id: i64, id: i64) -> StoreResult<Option<Cycle>>;
    /// A cycle by its exact name.
    async fn cycle_by_name(&self, org_id: i64, name: &str) -> StoreResult<Option<Cycle>>;
    /// The organisation's cycles, by name (so the last is FORMATS.md's default cycle).
    async fn cycles(&self, org_id: i64) -> StoreResult<Vec<Cycle>>;

    // --- participants and rater assignments --------------------------------------------------

    /// Adds people (a team: its people and its sub-teams' people) to a draft or open cycle.
    /// Each new participant gets a self assignment (if the cycle collects self ratings) and a
    /// manager assignment for their line manager, or else their team's manager (if it collects
    /// manager ratings), both approved. People already in are skipped. Returns how many were
    /// added. `Invalid("participants")` for an unknown person or team.
    async fn add_participants(
        &self,
        org_id: i64,
        cycle_id: i64,
        who: &[ParticipantRef],
        actor: &Actor,
    ) -> StoreResult<u64>;
    /// Removes a participant and their assignments. `Conflict("subject")` once they have
    /// submitted ratings in the cycle (drafts are removed with them).
    async fn remove_participant(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: &PersonId,
        actor: &Actor,
    ) -> StoreResult<()>;
    /// The cycle's participants, by name then id.
    async fn participants(&self, org_id: i64, cycle_id: i64) -> StoreResult<Vec<Participant>>;
    /// Asks `rater` to rate `subject` (a participant) in the cycle: a peer chosen by the
    /// manager or a coach (approved), or a peer nominated by the seller (`Nominated`).
    /// `Invalid(field)` when the role is not collected by the cycle, the rater is not a person
    /// of the organisation, a self assignment names someone else, or a non-peer is nominated;
    /// `Conflict("rater")` when the rater is already assigned to that subject.
    async fn assign_rater(
        &self,
        org_id: i64,
        cycle_id: i64,
        assignment: &NewAssignment,
        actor: &Actor,
    ) -> StoreResult<Assignment>;
    /// Approves or declines a nominated peer (or changes an earlier decision).
    /// `Conflict("status")` when the rater has already submitted.
    async fn set_assignment_status(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: &PersonId,
        rater: &PersonId,
        status: AssignmentStatus,
        actor: &Actor,
    ) -> StoreResult<Assignment>;
    /// Removes an assignment and its draft. `Conflict("rater")` once submitted.
    async fn remove_assignment(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: &PersonId,
        rater: &PersonId,
        actor: &Actor,
    ) -> StoreResult<()>;
    /// A cycle's assignments (of one subject, if given), by subject name, role, rater name.
    async fn assignments(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: Option<&PersonId>,
    ) -> StoreResult<Vec<Assignment>>;
    /// "My assessments": the approved sheets `rater` is asked to fill in, in open cycles, by
    /// due date (none last), cycle name and subject name; `overdue` as of `today`.
    async fn my_assessments(
        &self,
        org_id: i64,
        rater: &PersonId,
        today: Date,
    ) -> StoreResult<Vec<MyAssessment>>;
    /// Per-rater and per-subject counts of submitted, outstanding and overdue sheets (approved
    /// assignments only), as of `today`.
    async fn completion(&self, org_id: i64, cycle_id: i64, today: Date) -> StoreResult<Completion>;

    // --- ratings --------------------------------------------------------------------------

    /// A rater's sheet for a subject (their assignment must exist): the answers saved so far.
    async fn rating_sheet(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: &PersonId,
        rater: &PersonId,
    ) -> StoreResult<Option<RatingSheet>>;
    /// Saves a rater's sheet: replaces their draft answers with `input.entries`; with
    /// `submit`, also makes every answer final. Needs an open cycle (`Conflict("status")`), an
    /// approved assignment (`Invalid("rater")`), a sheet not yet submitted
    /// (`Conflict("state")`), and the sheet rules of
    /// [`sellerq_domain::assessment::check_sheet`] (`Invalid("score.<key>"|"evidence.<key>")`).
    async fn save_sheet(
        &self,
        org_id: i64,
        input: &SheetInput,
        submit: bool,
        actor: &Actor,
    ) -> StoreResult<RatingSheet>;
    /// Records one submitted rating (no assignment needed; evidence optional). Refused:
    /// a closed cycle (`Conflict("status")`), an unknown cycle (`Invalid("cycle_id")`) or
    /// subject (`Invalid("subject")`), a quality not in the cycle's model
    /// (`Invalid("quality")`), a score off its scale (`Invalid("score")`), a self rating by
    /// someone else (`Invalid("rater")`), the same (cycle, subject, rater, quality) twice
    /// (`Conflict("quality")`). Freezes the cycle's model version.
    async fn add_rating(&self, org_id: i64, rating: &NewRating, actor: &Actor) -> StoreResult<i64>;
    /// A seller's submitted ratings in every cycle that has some, by cycle name (for the
    /// profile and its trend). No rater identities.
    async fn subject_ratings(
        &self,
        org_id: i64,
        subject: &PersonId,
    ) -> StoreResult<Vec<CycleRatings>>;
    /// The submitted ratings of one cycle for the people matching `filter` (scope, team,
    /// search), by subject id; subjects without ratings are left out. No rater identities.
    async fn cycle_ratings(
        &self,
        org_id: i64,
        cycle_id: i64,
        filter: &PeopleFilter,
    ) -> StoreResult<Vec<SubjectRatings>>;
    /// The evidence notes on a subject's submitted ratings in a cycle, without rater ids, by
    /// quality (spectrum order is the caller's) then text — never in rater order.
    async fn evidence_notes(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: &PersonId,
    ) -> StoreResult<Vec<EvidenceNote>>;
    /// Writes every submitted rating (of one cycle, if given) to `sink` in ratings.csv terms,
    /// by cycle name, subject, rater and quality; returns how many. Reads in pages, so a
    /// million rows never sit in memory at once. A `sink` error stops the export (`Sink`).
    async fn export_ratings(
        &self,
        org_id: i64,
        cycle_id: Option<i64>,
        sink: &mut (dyn for<'r> FnMut(&'r RatingRecord) -> Result<(), String> + Send),
    ) -> StoreResult<u64>;
    /// Imports a checked ratings file in one transaction: all rows or none. Cycles the file
    /// names that do not exist are created (open, on the current model version). Every row is
    /// checked against the organisation first — quality in the cycle's model, score on its
    /// scale, subject a person, cycle not closed, no (cycle, subject, rater, quality) twice in
    /// the file or against stored ratings — and any bad row gives `Rejected` with every
    /// problem by line. Raters need not be people (external raters). One audit entry sums the
    /// import up. `progress` is called with the rows written so far.
    async fn import_ratings(
        &self,
        org_id: i64,
        batch: &RatingsBatch,
        options: ImportOptions,
        actor: &Actor,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<RatingsImported>;

    // --- outcomes ----------------------------------------------------------------------------

    /// The organisation's outcome metrics, by key. Every organisation has
    /// [`sellerq_domain::DEFAULT_METRIC`] (`quota_attainment`, unit `ratio`: 1.0 = 100 %,
    /// higher is better) from its creation.
    async fn metrics(&self, org_id: i64) -> StoreResult<Vec<Metric>>;
    /// Creates the metric, or replaces the label, unit and direction of the one with its key.
    /// `Invalid("key"|"label"|"unit")` when a field breaks [`Metric::check`].
    async fn save_metric(&self, org_id: i64, metric: &Metric, actor: &Actor)
    -> StoreResult<Metric>;
    /// Deletes a metric. `Conflict("metric")` while outcomes use it, and always for the
    /// default metric; `NotFound("metric")` when there is no such metric.
    async fn delete_metric(&self, org_id: i64, key: &str, actor: &Actor) -> StoreResult<()>;
    /// The outcomes matching `filter`, by subject, metric, then period: one query on an index
    /// in that order. Values come back bit for bit as stored. For 10,000 sellers × 8 quarters
    /// × 3 metrics, one metric (80,000 values) reads in about 0.2 s and everything in about
    /// 0.4 s on a busy two-core machine (`examples/outcomes_speed.rs`).
    async fn outcomes(
        &self,
        org_id: i64,
        filter: &OutcomeFilter,
    ) -> StoreResult<Vec<OutcomeRecord>>;
    /// Records one outcome, replacing the value stored for the same (subject, period, metric).
    /// `Invalid("subject")` for an unknown person, `Invalid("metric")` for an unknown metric,
    /// `Invalid("period"|"value")` when [`OutcomeInput::check`] refuses them.
    async fn set_outcome(
        &self,
        org_id: i64,
        input: &OutcomeInput,
        actor: &Actor,
    ) -> StoreResult<OutcomeRecord>;
    /// Deletes one outcome; `NotFound("outcome")` when there is none.
    async fn delete_outcome(
        &self,
        org_id: i64,
        subject: &PersonId,
        period: &str,
        metric: &str,
        actor: &Actor,
    ) -> StoreResult<()>;
    /// Imports outcomes.csv rows (each with its file line) in one transaction: all or none.
    /// An unknown subject, a row [`OutcomeInput::check`] refuses, or a (subject, period, metric)
    /// twice in the batch gives `Rejected` naming every bad line and column. A metric not yet
    /// defined is created (label = key, no unit, higher is better: `metrics_created`). Rows
    /// that replace a stored value count as `updated`, the others as `created`. One audit
    /// entry sums the import up.
    async fn import_outcomes(
        &self,
        org_id: i64,
        rows: &[(u64, OutcomeInput)],
        actor: &Actor,
    ) -> StoreResult<ImportSummary>;

    // --- change tracking -------------------------------------------------------------------

    /// A number that grows whenever the organisation's data changes: its largest audit-log id
    /// (0 before any entry). Every write records an audit row in its own transaction, so a
    /// cache of figures computed from the organisation's data (the analytics reports) is
    /// current exactly while this number is unchanged. One index lookup.
    async fn data_version(&self, org_id: i64) -> StoreResult<i64>;
    /// Every organisation's id with its [`Store::data_version`], by id: one index lookup per
    /// organisation (for the server's background work, which looks at all of them).
    async fn data_versions(&self) -> StoreResult<Vec<(i64, i64)>>;

    // --- audit and overview --------------------------------------------------------------

    /// The newest audit entries of the organisation, newest first.
    async fn audit_log(&self, org_id: i64, limit: u32) -> StoreResult<Vec<AuditEntry>>;
    /// Counts and means for the dashboard, within `scope`.
    async fn overview(&self, org_id: i64, scope: &Scope) -> StoreResult<Overview>;

    // --- analysis ----------------------------------------------------------------------------

    /// The ids of the organisation's cycles that hold at least one submitted rating, by cycle
    /// name: one index probe per cycle, no scan.
    async fn rated_cycle_ids(&self, org_id: i64) -> StoreResult<Vec<i64>>;
    /// A cycle's submitted ratings for analysis — exactly the rows [`Store::export_ratings`]
    /// writes for the cycle, in its order (subject, rater, quality), without the evidence —
    /// read in bulk: a cycle of 400,000 ratings costs a handful of database rows, not 400,000.
    /// `NotFound("cycle")` for a cycle of another organisation.
    async fn analysis_ratings(&self, org_id: i64, cycle_id: i64) -> StoreResult<AnalysisRatings>;
    /// Every person of the organisation with what the analysis needs (id, name, line manager,
    /// trailing indicators), by id, read in bulk.
    async fn analysis_people(&self, org_id: i64) -> StoreResult<Vec<AnalysisPerson>>;
    /// Every outcome of the organisation — exactly what [`Store::outcomes`] returns without a
    /// filter, in its order (subject, metric, period), values bit for bit — read in bulk.
    async fn analysis_outcomes(&self, org_id: i64) -> StoreResult<AnalysisOutcomes>;
    /// The periods that hold a value of `metric`, sorted, each once (one pass over the
    /// `(org_id, metric, …)` index; a handful of rows).
    async fn analysis_periods(&self, org_id: i64, metric: &str) -> StoreResult<Vec<String>>;
}

/// Outcomes with each subject, metric and period stored once ([`Store::analysis_outcomes`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalysisOutcomes {
    /// Subjects, metric keys and periods, each once; outcomes refer to them by index.
    pub ids: Vec<String>,
    pub metrics: Vec<String>,
    pub periods: Vec<String>,
    /// The outcomes by subject, metric and period.
    pub outcomes: Vec<AnalysisOutcome>,
}

/// One outcome of [`AnalysisOutcomes`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalysisOutcome {
    /// Index into [`AnalysisOutcomes::ids`].
    pub subject: u32,
    /// Index into [`AnalysisOutcomes::metrics`].
    pub metric: u32,
    /// Index into [`AnalysisOutcomes::periods`].
    pub period: u32,
    pub value: f64,
}

/// A cycle's submitted ratings with each id stored once ([`Store::analysis_ratings`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalysisRatings {
    /// The subjects' and raters' ids, each once; ratings refer to them by index.
    pub ids: Vec<String>,
    /// The quality keys, each once; ratings refer to them by index.
    pub qualities: Vec<String>,
    /// The ratings by subject, rater and quality.
    pub ratings: Vec<AnalysisRating>,
}

/// One submitted rating of [`AnalysisRatings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalysisRating {
    /// Index into [`AnalysisRatings::ids`].
    pub subject: u32,
    /// Index into [`AnalysisRatings::ids`].
    pub rater: u32,
    /// Index into [`AnalysisRatings::qualities`].
    pub quality: u32,
    pub role: sellerq_domain::assessment::RaterRole,
    /// `None` = not observed.
    pub score: Option<u8>,
}

/// A person as the analysis sees them ([`Store::analysis_people`]): the people.csv columns it
/// reads.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisPerson {
    pub id: PersonId,
    pub name: String,
    pub manager: Option<PersonId>,
    /// The trailing indicators in [`sellerq_domain::TRAILING_INDICATORS`] order.
    pub trailing: [Option<f64>; 5],
}
