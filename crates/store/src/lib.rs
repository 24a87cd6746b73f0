//! Storage behind one trait.
//!
//! [`Store`] is everything the app asks of a database; [`sqlite::SqliteStore`] implements it
//! on an embedded SQLite file (WAL, foreign keys on, busy timeout) and a PostgreSQL
//! implementation can follow without touching `app`. Row mapping stays in this crate: the
//! domain types carry no SQL derives. Every write takes an [`Actor`] and records an
//! [`AuditEntry`] in the same transaction, so the audit log can never miss a change.

mod error;
pub mod sqlite;
mod types;

use async_trait::async_trait;
use sellerq_domain::{Email, OrgName, Person, PersonId, PersonInput, Role, Team, TeamInput};

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
    /// Deletes a person. `Conflict("person")` while ratings name them.
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
    /// Replaces a model version's text. `Immutable` once any rating uses it.
    async fn update_model_version(
        &self,
        org_id: i64,
        id: i64,
        toml: &str,
        actor: &Actor,
    ) -> StoreResult<ModelVersion>;

    // --- cycles and ratings (the minimum the model-version rule needs; issue 3 extends) ---

    /// Creates a cycle on a model version. `Conflict("name")` when taken.
    async fn create_cycle(
        &self,
        org_id: i64,
        name: &str,
        model_version_id: i64,
        actor: &Actor,
    ) -> StoreResult<Cycle>;
    /// Records one rating. Freezes the cycle's model version from then on.
    async fn add_rating(&self, org_id: i64, rating: &NewRating, actor: &Actor) -> StoreResult<i64>;

    // --- audit and overview --------------------------------------------------------------

    /// The newest audit entries of the organisation, newest first.
    async fn audit_log(&self, org_id: i64, limit: u32) -> StoreResult<Vec<AuditEntry>>;
    /// Counts and means for the dashboard, within `scope`.
    async fn overview(&self, org_id: i64, scope: &Scope) -> StoreResult<Overview>;
}
