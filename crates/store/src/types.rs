//! Plain rows the store returns and takes, beside the domain types.

use std::collections::HashSet;

use sellerq_domain::{Email, Person, PersonId, Role, Team};
use serde::Serialize;

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

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ImportSummary {
    pub created: u64,
    pub updated: u64,
    pub teams_created: u64,
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

/// An assessment cycle (issue 3 adds participants, rater roles, due dates and status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub model_version_id: i64,
}

/// One rating as ratings.csv describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    pub cycle_id: i64,
    pub subject: PersonId,
    pub rater: String,
    pub role: String,
    pub quality: String,
    /// `None` = not observed.
    pub score: Option<i64>,
    pub evidence: String,
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
