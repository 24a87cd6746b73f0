//! Plain rows the store returns and takes, beside the domain types.

use std::collections::HashSet;

use sellerq_domain::assessment::{
    AssignmentStatus, CycleName, CycleStatus, RaterRole, RaterRoles, RatingValue, Score, SheetEntry,
};
use sellerq_domain::model::QualityKey;
use sellerq_domain::person::format_date;
use sellerq_domain::{Email, Person, PersonId, Role, Team};
use serde::Serialize;
use time::Date;

/// Who makes a change, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user, when a signed-in person or an API token acts.
    pub user_id: Option<i64>,
    /// A readable label: the user's e-mail, or `cli`, `demo`, `system`.
    pub label: String,
}

impl Actor {
    /// A signed-in user.
    pub fn user(id: i64, email: &str) -> Self {
        Self {
            user_id: Some(id),
            label: email.to_owned(),
        }
    }

    /// A non-user source such as `cli` or `demo`.
    pub fn system(label: &str) -> Self {
        Self {
            user_id: None,
            label: label.to_owned(),
        }
    }
}

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    pub id: i64,
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A user account (one per e-mail across the installation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub email: Email,
    pub name: String,
    pub created_at: i64,
}

/// A user's role in one organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub org: Org,
    pub role: Role,
    /// Teams assigned to the user (managers, coaches).
    pub team_ids: Vec<i64>,
}

/// A user as a member of an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: User,
    pub role: Role,
    pub team_ids: Vec<i64>,
}

/// What a user may see of an organisation's people and teams, resolved from their role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything (admin, leader).
    Organisation,
    /// These teams (assigned ones and their sub-teams) and the people in them, plus people
    /// whose line manager is the user's own person.
    Teams {
        team_ids: HashSet<i64>,
        reports_of: Option<PersonId>,
    },
    /// Only this person (a seller's own record), if they have one.
    Person(Option<PersonId>),
    /// Nothing (interviewer).
    Nothing,
}

impl Scope {
    /// May the user see this team?
    pub fn sees_team(&self, team_id: i64) -> bool {
        match self {
            Scope::Organisation => true,
            Scope::Teams { team_ids, .. } => team_ids.contains(&team_id),
            Scope::Person(_) | Scope::Nothing => false,
        }
    }

    /// May the user see this person?
    pub fn sees_person(&self, p: &Person) -> bool {
        match self {
            Scope::Organisation => true,
            Scope::Teams {
                team_ids,
                reports_of,
            } => {
                p.team_id.is_some_and(|t| team_ids.contains(&t))
                    || (reports_of.is_some() && p.manager.as_ref() == reports_of.as_ref())
            }
            Scope::Person(me) => me.as_ref() == Some(&p.id),
            Scope::Nothing => false,
        }
    }
}

/// A session row; the token itself never reaches the database, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    /// The organisation the user is working in.
    pub org_id: Option<i64>,
    /// The CSRF token forms must echo.
    pub csrf_token: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A team with what the list page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamSummary {
    pub team: Team,
    pub parent_name: Option<String>,
    pub manager_name: Option<String>,
    pub people: i64,
}

/// A people query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeopleFilter {
    /// Whose view this is.
    pub scope: Scope,
    /// Matches id, name or e-mail, case-insensitively.
    pub search: Option<String>,
    /// Only this team (not its sub-teams).
    pub team_id: Option<i64>,
}

impl PeopleFilter {
    /// Everyone in the organisation: no scope limit, no search, no team.
    pub fn everyone() -> Self {
        Self {
            scope: Scope::Organisation,
            search: None,
            team_id: None,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ImportSummary {
    pub created: u64,
    pub updated: u64,
    pub teams_created: u64,
    /// Outcome metrics an outcomes.csv named that did not exist (created with their key as
    /// label); only outcome imports create them.
    #[serde(skip_serializing_if = "is_zero")]
    pub metrics_created: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Which outcomes to read; the default reads every one of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutcomeFilter {
    /// Only this seller's.
    pub subject: Option<PersonId>,
    /// Only this metric's (a metric key).
    pub metric: Option<String>,
}

/// One stored outcome: `value` of `metric` for `subject` in `period` (a row of outcomes.csv).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeRecord {
    pub subject: PersonId,
    /// `YYYY-Qn`, `YYYY-Hn`, `YYYY-MM` or `YYYY`.
    pub period: String,
    /// A metric key.
    pub metric: String,
    pub value: f64,
}

/// A stored model version: the TOML text as it was loaded, plus its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelVersion {
    pub id: i64,
    pub org_id: i64,
    /// The label (the model file's `version`, or what the admin chose).
    pub label: String,
    pub toml: String,
    pub created_at: i64,
    /// True once a rating uses it: then it never changes.
    pub in_use: bool,
}

/// An assessment cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cycle {
    pub id: i64,
    pub org_id: i64,
    pub name: CycleName,
    /// The model version its ratings are made on; frozen once the cycle leaves draft or holds
    /// ratings.
    pub model_version_id: i64,
    pub status: CycleStatus,
    /// When sheets are due (unsubmitted sheets after it are overdue).
    #[serde(serialize_with = "ser_date")]
    pub due_date: Option<Date>,
    /// The rater roles the cycle collects.
    pub rater_roles: RaterRoles,
    /// Unix seconds.
    pub created_at: i64,
    /// When it last became open.
    pub opened_at: Option<i64>,
    /// When it last closed.
    pub closed_at: Option<i64>,
}

fn ser_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&format_date(*d)),
        None => s.serialize_none(),
    }
}

/// One rating recorded directly (API, scripts, tests): submitted at once. Forms use
/// [`SheetInput`] instead; files use `Store::import_ratings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    pub cycle_id: i64,
    pub subject: PersonId,
    /// A person id, or an external rater's id.
    pub rater: PersonId,
    pub role: RaterRole,
    pub quality: QualityKey,
    /// `None` = not observed.
    pub score: Option<Score>,
    pub evidence: String,
}

/// Whom to add to a cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParticipantRef {
    /// One person.
    Person(PersonId),
    /// Every person of the team and of its sub-teams.
    Team(i64),
}

/// A person assessed in a cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    pub subject: PersonId,
    pub name: String,
    pub team: Option<String>,
    pub manager: Option<PersonId>,
}

/// Where a rater's sheet for one subject stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetState {
    /// Nothing saved yet.
    NotStarted,
    /// Saved as a draft (some or all qualities answered).
    Draft,
    /// Submitted: final.
    Submitted,
}

impl SheetState {
    /// `not_started`, `draft` or `submitted`.
    pub fn as_str(self) -> &'static str {
        match self {
            SheetState::NotStarted => "not_started",
            SheetState::Draft => "draft",
            SheetState::Submitted => "submitted",
        }
    }
}

/// Who is asked to rate whom in a cycle, and how far they got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub cycle_id: i64,
    pub subject: PersonId,
    pub subject_name: String,
    pub rater: PersonId,
    pub rater_name: String,
    pub role: RaterRole,
    pub status: AssignmentStatus,
    pub state: SheetState,
    /// Qualities answered (a score or "not observed") in the draft or submitted sheet.
    pub answered: u32,
}

/// A new rater assignment. A `Nominated` status is for peers proposed by the seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssignment {
    pub subject: PersonId,
    pub rater: PersonId,
    pub role: RaterRole,
    pub status: AssignmentStatus,
}

/// One sheet on a rater's "my assessments" list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MyAssessment {
    pub cycle_id: i64,
    pub cycle: CycleName,
    #[serde(serialize_with = "ser_date")]
    pub due_date: Option<Date>,
    /// Not submitted and the due date has passed.
    pub overdue: bool,
    pub subject: PersonId,
    pub subject_name: String,
    pub role: RaterRole,
    pub state: SheetState,
    pub answered: u32,
    /// Qualities of the cycle's model.
    pub qualities: u32,
}

/// A rater's sheet for one subject: the saved answers, in the model's spectrum order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingSheet {
    pub cycle_id: i64,
    pub subject: PersonId,
    pub rater: PersonId,
    pub role: RaterRole,
    pub state: SheetState,
    pub entries: Vec<SheetEntry>,
}

/// A sheet as the form sends it: every answer given so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInput {
    pub cycle_id: i64,
    pub subject: PersonId,
    pub rater: PersonId,
    pub entries: Vec<SheetEntry>,
}

/// Sheets per state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CompletionCounts {
    /// Approved assignments.
    pub assigned: u32,
    pub submitted: u32,
    /// Not submitted, not yet due (or no due date).
    pub outstanding: u32,
    /// Not submitted, past the due date.
    pub overdue: u32,
    /// Of the outstanding and overdue, how many have a draft.
    pub in_draft: u32,
}

impl CompletionCounts {
    /// Counts one sheet (the store builds completions).
    pub(crate) fn count(&mut self, state: SheetState, overdue: bool) {
        self.assigned += 1;
        match state {
            SheetState::Submitted => self.submitted += 1,
            s => {
                if overdue {
                    self.overdue += 1;
                } else {
                    self.outstanding += 1;
                }
                if s == SheetState::Draft {
                    self.in_draft += 1;
                }
            }
        }
    }
}

/// One rater's progress in a cycle (for reminders: name and e-mail included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RaterCompletion {
    pub rater: PersonId,
    pub name: String,
    pub email: Option<Email>,
    pub counts: CompletionCounts,
}

/// One subject's progress in a cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectCompletion {
    pub subject: PersonId,
    pub name: String,
    pub counts: CompletionCounts,
}

/// A cycle's completion on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completion {
    pub cycle_id: i64,
    #[serde(serialize_with = "ser_date")]
    pub due_date: Option<Date>,
    /// True when the due date has passed on the day asked about.
    pub past_due: bool,
    pub totals: CompletionCounts,
    /// By rater name, then id.
    pub raters: Vec<RaterCompletion>,
    /// By subject name, then id.
    pub subjects: Vec<SubjectCompletion>,
}

/// A seller's submitted ratings in one cycle, for [`sellerq_domain::assessment::profile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRatings {
    pub cycle: Cycle,
    pub ratings: Vec<RatingValue>,
}

/// One subject's submitted ratings in a cycle, for the team view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRatings {
    pub subject: PersonId,
    pub ratings: Vec<RatingValue>,
}

/// An evidence note without its rater: what the subject's manager and coach may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceNote {
    pub quality: QualityKey,
    pub role: RaterRole,
    pub score: Option<u8>,
    pub evidence: String,
}

/// One submitted rating as ratings.csv writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRecord {
    pub cycle: String,
    pub subject: String,
    pub rater: String,
    pub role: RaterRole,
    pub quality: String,
    pub score: Option<i64>,
    pub evidence: String,
}

/// How a bulk import runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// Check everything against the database, write nothing (to complete a report when the
    /// file also has rows the reader refused).
    pub check_only: bool,
}

/// What a ratings import did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RatingsImported {
    /// Rows written (0 for a check).
    pub rows: u64,
    /// Cycles the file named that did not exist, created open on the current model version.
    pub cycles_created: Vec<CycleName>,
    /// Rows per cycle, by cycle name.
    pub per_cycle: Vec<(CycleName, u64)>,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    /// `create`, `update`, `delete`, …
    pub action: String,
    /// `person`, `team`, `membership`, …
    pub entity: String,
    pub entity_id: String,
    /// Short JSON summaries of the row before and after.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The dashboard's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Overview {
    pub teams: i64,
    pub people: i64,
    /// People with an e-mail (who can sign in as themselves).
    pub people_with_email: i64,
    /// Members per role, in [`Role::ALL`] order.
    pub members_by_role: Vec<(Role, i64)>,
    /// Mean of each trailing indicator over the people in scope that have it, in people.csv
    /// order, with the count of people it was computed over.
    pub trailing_means: Vec<(String, Option<f64>, i64)>,
    /// People hired in the last 365 days.
    pub recent_hires: i64,
    /// The newest audit entries (only for roles that see the whole organisation).
    pub recent_changes: Vec<AuditEntry>,
}
