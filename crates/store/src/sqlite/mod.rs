//! The [`Store`] on an embedded SQLite file.
//!
//! One file, WAL journal (readers never wait for the writer), foreign keys on, a 5 s busy
//! timeout and `synchronous = NORMAL` (safe with WAL: a power cut may lose the last commits,
//! never corrupt the file). Migrations are embedded from `migrations/sqlite/` and run on
//! [`SqliteStore::open`].
//!
//! Every write method runs in one `BEGIN IMMEDIATE` transaction that also writes its audit
//! row; validation happens inside it, so nothing is half-written. Queries are runtime
//! `sqlx::query` calls with `$n` placeholders and rows are mapped by hand in `rows`.
//!
//! The methods live in submodules by subject: `accounts` (organisations, users,
//! memberships, scope, sessions, tokens), `teams`, `people`, `models` (model versions and the
//! parsed-model cache), `cycles` (cycles, settings, participants, rater assignments,
//! completion), `ratings` (sheets, recorded ratings, aggregation queries, export), `import`
//! (the bulk ratings import), `outcomes` (metrics, outcomes and their import) and `overview`
//! (audit log, dashboard and the data version); the `Store` impl below
//! only delegates.

/// SQL for a REAL column (or NULL) as text that reads back as the same double, for the packed
/// bulk reads: 17 significant digits (`%!.17g`) for 0 and for magnitudes from 1e-30 to 1e30,
/// where SQLite's conversion is exact (checked on 1.9 million random doubles of that range);
/// `NULL` for NULL; `rows::INEXACT` for the rest, which the caller then reads again typed
/// (`rows::real_value` tells them apart). `quote()`, used before, was not exact out there
/// either: one double in nine of those tried, e.g. 4.4251604027143375e284, came back one unit
/// in the last place off.
macro_rules! real_text {
    ($col:literal) => {
        concat!(
            "CASE WHEN ",
            $col,
            " IS NULL THEN 'NULL' WHEN ",
            $col,
            " = 0 OR abs(",
            $col,
            ") BETWEEN 1e-30 AND 1e30 THEN printf('%!.17g', ",
            $col,
            ") ELSE '?' END"
        )
    };
}

mod accounts;
mod analysis;
mod cycles;
mod import;
mod models;
mod outcomes;
mod overview;
mod people;
mod ratings;
mod rows;
mod teams;

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sellerq_domain::assessment::{AssignmentStatus, CycleInput, CycleStatus, OrgSettings};
use sellerq_domain::formats::ratings::RatingsBatch;
use sellerq_domain::model::Model;
use sellerq_domain::{
    Email, Metric, OrgName, OutcomeInput, Person, PersonId, PersonInput, Role, Team, TeamInput,
};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlSafeStr, Sqlite, SqlitePool, Transaction};
use time::Date;

use crate::{
    Actor, Assignment, AuditEntry, Completion, Cycle, CycleRatings, EvidenceNote, ImportOptions,
    ImportSummary, Member, Membership, ModelVersion, MyAssessment, NewAssignment, NewRating, Org,
    OutcomeFilter, OutcomeRecord, Overview, Participant, ParticipantRef, PeopleFilter,
    RatingRecord, RatingSheet, RatingsImported, Scope, Session, SheetInput, Store, StoreError,
    StoreResult, SubjectRatings, TeamSummary, User,
};

/// The embedded migrations: (version, description, SQL). Append only; never edit a shipped one
/// (sqlx refuses to start when an applied migration's checksum changes).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../../migrations/sqlite/0001_foundation.sql"),
    ),
    (
        2,
        "assessment",
        include_str!("../../migrations/sqlite/0002_assessment.sql"),
    ),
    (
        3,
        "outcomes",
        include_str!("../../migrations/sqlite/0003_outcomes.sql"),
    ),
];

/// How much of the database file SQLite maps into memory (1 GiB).
const MMAP_SIZE: u64 = 1 << 30;

/// Connections in the pool. SQLite has one writer at a time anyway; more connections only
/// help concurrent readers, and 8 covers a small team's web traffic.
const MAX_CONNECTIONS: u32 = 8;

/// sellerq's database in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    models: Arc<models::ModelCache>,
}

impl SqliteStore {
    /// Opens (creating if absent) the database at `path` and runs the pending migrations.
    ///
    /// Missing parent directories are created. A path that cannot be created, opened or
    /// written gives [`StoreError::Open`] naming it.
    pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
        let open_error = |message: String| StoreError::Open {
            path: path.display().to_string(),
            message,
        };
        if let Some(dir) = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.exists())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| open_error(format!("cannot create {}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .synchronous(SqliteSynchronous::Normal)
            // Reads go straight to the operating system's page cache instead of being copied
            // into each connection's own (2 MB by default) cache: the bulk reads of the
            // analysis scan whole cycles. Address space only; the file is not read ahead.
            .pragma("mmap_size", MMAP_SIZE.to_string());
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(|e| open_error(e.to_string()))?;
        // SQLite silently opens a write-protected file read-only; find out now, with the
        // path in the message, rather than on the first write.
        let probe = async {
            let tx = begin(&pool).await?;
            tx.rollback().await
        };
        probe.await.map_err(|e| open_error(e.to_string()))?;
        let store = SqliteStore {
            pool,
            models: Arc::default(),
        };
        let applied = store.migrate().await?;
        if !applied.is_empty() {
            tracing::info!(path = %path.display(), ?applied, "database migrated");
        }
        Ok(store)
    }

    /// Applies the pending migrations; returns the descriptions of those it applied (empty
    /// when the database is up to date, so running it again changes nothing).
    pub async fn migrate(&self) -> StoreResult<Vec<String>> {
        let before = self.applied_versions().await?;
        migrator().run(&self.pool).await?;
        Ok(MIGRATIONS
            .iter()
            .filter(|(version, ..)| !before.contains(version))
            .map(|(_, description, _)| (*description).to_owned())
            .collect())
    }

    /// Every migration recorded in the database, as (version, description), oldest first.
    pub async fn applied_migrations(&self) -> StoreResult<Vec<(i64, String)>> {
        if !self.has_migrations_table().await? {
            return Ok(Vec::new());
        }
        let rows =
            sqlx::query("SELECT version, description FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("version")?, r.try_get("description")?)))
            .collect()
    }

    /// The connection pool (for tests and maintenance such as backups).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn has_migrations_table(&self) -> StoreResult<bool> {
        let found = sqlx::query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    async fn applied_versions(&self) -> StoreResult<HashSet<i64>> {
        Ok(self
            .applied_migrations()
            .await?
            .into_iter()
            .map(|(v, _)| v)
            .collect())
    }
}

/// The migrator over the embedded files (built by hand: the `migrate!` macro needs sqlx's
/// `macros` feature, which compiles SQLite a second time).
fn migrator() -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// Starts a write transaction. `IMMEDIATE` takes the write lock up front, so a concurrent
/// writer makes us wait (busy timeout) instead of failing with `SQLITE_BUSY` when a read
/// transaction later tries to upgrade to a write.
async fn begin(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// What a [`Scope`] lets a query see, as bind parameters: `kind` is `org`, `teams` or
/// `person`; `team_ids` a JSON array for `json_each`; `person` the own person id.
/// `None` when the scope sees no people at all.
#[derive(Debug)]
struct ScopeArgs {
    kind: &'static str,
    team_ids: String,
    person: Option<String>,
}

impl ScopeArgs {
    fn of(scope: &Scope) -> Option<ScopeArgs> {
        match scope {
            Scope::Organisation => Some(ScopeArgs {
                kind: "org",
                team_ids: "[]".into(),
                person: None,
            }),
            Scope::Teams {
                team_ids,
                reports_of,
            } => {
                let mut ids: Vec<i64> = team_ids.iter().copied().collect();
                ids.sort_unstable();
                Some(ScopeArgs {
                    kind: "teams",
                    team_ids: serde_json::Value::from(ids).to_string(),
                    person: reports_of.as_ref().map(|p| p.as_str().to_owned()),
                })
            }
            Scope::Person(Some(me)) => Some(ScopeArgs {
                kind: "person",
                team_ids: "[]".into(),
                person: Some(me.as_str().to_owned()),
            }),
            Scope::Person(None) | Scope::Nothing => None,
        }
    }
}

/// The people a scope sees, as a SQL condition on `p` with the [`ScopeArgs`] bound as
/// `$2` (kind), `$3` (team ids) and `$4` (person). A macro so `concat!` keeps queries static.
macro_rules! people_in_scope {
    () => {
        "($2 = 'org' \
          OR ($2 = 'teams' AND (p.team_id IN (SELECT value FROM json_each($3)) OR p.manager = $4)) \
          OR ($2 = 'person' AND p.id = $4))"
    };
}
use people_in_scope;

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn create_organisation(&self, name: &OrgName, actor: &Actor) -> StoreResult<Org> {
        accounts::create_organisation(&self.pool, name, actor).await
    }

    async fn organisation_by_name(&self, name: &str) -> StoreResult<Option<Org>> {
        accounts::organisation_by_name(&self.pool, name).await
    }

    async fn organisation(&self, id: i64) -> StoreResult<Option<Org>> {
        accounts::organisation(&self.pool, id).await
    }

    async fn create_user(
        &self,
        email: &Email,
        name: &str,
        password_hash: &str,
    ) -> StoreResult<User> {
        accounts::create_user(&self.pool, email, name, password_hash).await
    }

    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<(User, String)>> {
        accounts::user_by_email(&self.pool, email).await
    }

    async fn user(&self, id: i64) -> StoreResult<Option<User>> {
        accounts::user(&self.pool, id).await
    }

    async fn password_hash(&self, user_id: i64) -> StoreResult<Option<String>> {
        accounts::password_hash(&self.pool, user_id).await
    }

    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
        actor: &Actor,
    ) -> StoreResult<()> {
        accounts::set_password(&self.pool, user_id, password_hash, keep_session, actor).await
    }

    async fn set_membership(
        &self,
        org_id: i64,
        user_id: i64,
        role: Role,
        team_ids: &[i64],
        actor: &Actor,
    ) -> StoreResult<()> {
        accounts::set_membership(&self.pool, org_id, user_id, role, team_ids, actor).await
    }

    async fn memberships(&self, user_id: i64) -> StoreResult<Vec<Membership>> {
        accounts::memberships(&self.pool, user_id, None).await
    }

    async fn membership(&self, user_id: i64, org_id: i64) -> StoreResult<Option<Membership>> {
        Ok(accounts::memberships(&self.pool, user_id, Some(org_id))
            .await?
            .pop())
    }

    async fn members(&self, org_id: i64) -> StoreResult<Vec<Member>> {
        accounts::members(&self.pool, org_id).await
    }

    async fn scope(&self, org_id: i64, user_id: i64) -> StoreResult<Scope> {
        accounts::scope(&self.pool, org_id, user_id).await
    }

    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        accounts::create_session(&self.pool, session).await
    }

    async fn session(&self, token_hash: &str, now: i64) -> StoreResult<Option<Session>> {
        accounts::session(&self.pool, token_hash, now).await
    }

    async fn set_session_org(&self, token_hash: &str, org_id: i64) -> StoreResult<()> {
        accounts::set_session_org(&self.pool, token_hash, org_id).await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn purge_sessions(&self, now: i64) -> StoreResult<u64> {
        // A session is live while `expires_at > now` (see `session`), so `<=` is expired.
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn create_api_token(
        &self,
        org_id: i64,
        user_id: i64,
        token_hash: &str,
        label: &str,
        actor: &Actor,
    ) -> StoreResult<i64> {
        accounts::create_api_token(&self.pool, org_id, user_id, token_hash, label, actor).await
    }

    async fn api_token(&self, token_hash: &str, now: i64) -> StoreResult<Option<(i64, i64)>> {
        accounts::api_token(&self.pool, token_hash, now).await
    }

    async fn list_teams(&self, org_id: i64, scope: &Scope) -> StoreResult<Vec<TeamSummary>> {
        teams::list(&self.pool, org_id, scope).await
    }

    async fn team(&self, org_id: i64, id: i64) -> StoreResult<Option<Team>> {
        teams::get(&self.pool, org_id, id).await
    }

    async fn team_by_name(&self, org_id: i64, name: &str) -> StoreResult<Option<Team>> {
        teams::by_name(&self.pool, org_id, name).await
    }

    async fn create_team(
        &self,
        org_id: i64,
        input: &TeamInput,
        actor: &Actor,
    ) -> StoreResult<Team> {
        teams::create(&self.pool, org_id, input, actor).await
    }

    async fn update_team(
        &self,
        org_id: i64,
        id: i64,
        input: &TeamInput,
        actor: &Actor,
    ) -> StoreResult<Team> {
        teams::update(&self.pool, org_id, id, input, actor).await
    }

    async fn delete_team(&self, org_id: i64, id: i64, actor: &Actor) -> StoreResult<()> {
        teams::delete(&self.pool, org_id, id, actor).await
    }

    async fn list_people(&self, org_id: i64, filter: &PeopleFilter) -> StoreResult<Vec<Person>> {
        people::list(&self.pool, org_id, filter).await
    }

    async fn person(&self, org_id: i64, id: &PersonId) -> StoreResult<Option<Person>> {
        let mut conn = self.pool.acquire().await?;
        people::get(&mut conn, org_id, id).await
    }

    async fn person_by_email(&self, org_id: i64, email: &Email) -> StoreResult<Option<Person>> {
        people::by_email(&self.pool, org_id, email).await
    }

    async fn create_person(
        &self,
        org_id: i64,
        input: &PersonInput,
        actor: &Actor,
    ) -> StoreResult<Person> {
        people::create(&self.pool, org_id, input, actor).await
    }

    async fn update_person(
        &self,
        org_id: i64,
        id: &PersonId,
        input: &PersonInput,
        actor: &Actor,
    ) -> StoreResult<Person> {
        people::update(&self.pool, org_id, id, input, actor).await
    }

    async fn delete_person(&self, org_id: i64, id: &PersonId, actor: &Actor) -> StoreResult<()> {
        people::delete(&self.pool, org_id, id, actor).await
    }

    async fn import_people(
        &self,
        org_id: i64,
        rows: &[PersonInput],
        actor: &Actor,
    ) -> StoreResult<ImportSummary> {
        people::import(&self.pool, org_id, rows, actor).await
    }

    async fn model_versions(&self, org_id: i64) -> StoreResult<Vec<ModelVersion>> {
        models::versions(&self.pool, org_id).await
    }

    async fn current_model_version(&self, org_id: i64) -> StoreResult<ModelVersion> {
        models::current(&self.pool, org_id).await
    }

    async fn add_model_version(
        &self,
        org_id: i64,
        label: &str,
        toml: &str,
        actor: &Actor,
    ) -> StoreResult<ModelVersion> {
        models::add_version(&self.pool, org_id, label, toml, actor).await
    }

    async fn update_model_version(
        &self,
        org_id: i64,
        id: i64,
        toml: &str,
        actor: &Actor,
    ) -> StoreResult<ModelVersion> {
        models::update_version(&self.pool, org_id, id, toml, actor).await
    }

    async fn model(&self, org_id: i64, model_version_id: i64) -> StoreResult<Arc<Model>> {
        let mut conn = self.pool.acquire().await?;
        self.models
            .of_version(&mut conn, org_id, model_version_id)
            .await
    }

    async fn org_settings(&self, org_id: i64) -> StoreResult<OrgSettings> {
        cycles::settings(&self.pool, org_id).await
    }

    async fn set_org_settings(
        &self,
        org_id: i64,
        settings: &OrgSettings,
        actor: &Actor,
    ) -> StoreResult<OrgSettings> {
        cycles::set_settings(&self.pool, org_id, settings, actor).await
    }

    async fn create_cycle(
        &self,
        org_id: i64,
        input: &CycleInput,
        actor: &Actor,
    ) -> StoreResult<Cycle> {
        cycles::create(&self.pool, org_id, input, actor).await
    }

    async fn update_cycle(
        &self,
        org_id: i64,
        id: i64,
        input: &CycleInput,
        actor: &Actor,
    ) -> StoreResult<Cycle> {
        cycles::update(&self.pool, org_id, id, input, actor).await
    }

    async fn set_cycle_status(
        &self,
        org_id: i64,
        id: i64,
        status: CycleStatus,
        actor: &Actor,
    ) -> StoreResult<Cycle> {
        cycles::set_status(&self.pool, org_id, id, status, actor).await
    }

    async fn delete_cycle(&self, org_id: i64, id: i64, actor: &Actor) -> StoreResult<()> {
        cycles::delete(&self.pool, org_id, id, actor).await
    }

    async fn cycle(&self, org_id: i64, id: i64) -> StoreResult<Option<Cycle>> {
        cycles::get(&self.pool, org_id, id).await
    }

    async fn cycle_by_name(&self, org_id: i64, name: &str) -> StoreResult<Option<Cycle>> {
        cycles::by_name(&self.pool, org_id, name).await
    }

    async fn cycles(&self, org_id: i64) -> StoreResult<Vec<Cycle>> {
        cycles::list(&self.pool, org_id).await
    }

    async fn add_participants(
        &self,
        org_id: i64,
        cycle_id: i64,
        who: &[ParticipantRef],
        actor: &Actor,
    ) -> StoreResult<u64> {
        cycles::add_participants(&self.pool, org_id, cycle_id, who, actor).await
    }

    async fn remove_participant(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: &PersonId,
        actor: &Actor,
    ) -> StoreResult<()> {
        cycles::remove_participant(&self.pool, org_id, cycle_id, subject, actor).await
    }

    async fn participants(&self, org_id: i64, cycle_id: i64) -> StoreResult<Vec<Participant>> {
        cycles::participants(&self.pool, org_id, cycle_id).await
    }

    async fn assign_rater(
        &self,
        org_id: i64,
        cycle_id: i64,
        assignment: &NewAssignment,
        actor: &Actor,
    ) -> StoreResult<Assignment> {
        cycles::assign(&self.pool, org_id, cycle_id, assignment, actor).await
    }

    async fn set_assignment_status(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: &PersonId,
        rater: &PersonId,
        status: AssignmentStatus,
        actor: &Actor,
    ) -> StoreResult<Assignment> {
        cycles::set_assignment_status(&self.pool, org_id, cycle_id, subject, rater, status, actor)
            .await
    }

    async fn remove_assignment(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: &PersonId,
        rater: &PersonId,
        actor: &Actor,
    ) -> StoreResult<()> {
        cycles::remove_assignment(&self.pool, org_id, cycle_id, subject, rater, actor).await
    }

    async fn assignments(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: Option<&PersonId>,
    ) -> StoreResult<Vec<Assignment>> {
        cycles::assignments(&self.pool, org_id, cycle_id, subject).await
    }

    async fn my_assessments(
        &self,
        org_id: i64,
        rater: &PersonId,
        today: Date,
    ) -> StoreResult<Vec<MyAssessment>> {
        cycles::my_assessments(&self.pool, &self.models, org_id, rater, today).await
    }

    async fn completion(&self, org_id: i64, cycle_id: i64, today: Date) -> StoreResult<Completion> {
        cycles::completion(&self.pool, org_id, cycle_id, today).await
    }

    async fn rating_sheet(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: &PersonId,
        rater: &PersonId,
    ) -> StoreResult<Option<RatingSheet>> {
        ratings::sheet(&self.pool, &self.models, org_id, cycle_id, subject, rater).await
    }

    async fn save_sheet(
        &self,
        org_id: i64,
        input: &SheetInput,
        submit: bool,
        actor: &Actor,
    ) -> StoreResult<RatingSheet> {
        ratings::save_sheet(&self.pool, &self.models, org_id, input, submit, actor).await
    }

    async fn add_rating(&self, org_id: i64, rating: &NewRating, actor: &Actor) -> StoreResult<i64> {
        ratings::add(&self.pool, &self.models, org_id, rating, actor).await
    }

    async fn subject_ratings(
        &self,
        org_id: i64,
        subject: &PersonId,
    ) -> StoreResult<Vec<CycleRatings>> {
        ratings::of_subject(&self.pool, org_id, subject).await
    }

    async fn cycle_ratings(
        &self,
        org_id: i64,
        cycle_id: i64,
        filter: &PeopleFilter,
    ) -> StoreResult<Vec<SubjectRatings>> {
        ratings::of_cycle(&self.pool, org_id, cycle_id, filter).await
    }

    async fn evidence_notes(
        &self,
        org_id: i64,
        cycle_id: i64,
        subject: &PersonId,
    ) -> StoreResult<Vec<EvidenceNote>> {
        ratings::evidence_notes(&self.pool, org_id, cycle_id, subject).await
    }

    async fn export_ratings(
        &self,
        org_id: i64,
        cycle_id: Option<i64>,
        sink: &mut (dyn for<'r> FnMut(&'r RatingRecord) -> Result<(), String> + Send),
    ) -> StoreResult<u64> {
        ratings::export(&self.pool, org_id, cycle_id, sink).await
    }

    async fn import_ratings(
        &self,
        org_id: i64,
        batch: &RatingsBatch,
        options: ImportOptions,
        actor: &Actor,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<RatingsImported> {
        import::import(
            &self.pool,
            &self.models,
            org_id,
            batch,
            options,
            actor,
            progress,
        )
        .await
    }

    async fn metrics(&self, org_id: i64) -> StoreResult<Vec<Metric>> {
        outcomes::metrics(&self.pool, org_id).await
    }

    async fn save_metric(
        &self,
        org_id: i64,
        metric: &Metric,
        actor: &Actor,
    ) -> StoreResult<Metric> {
        outcomes::save_metric(&self.pool, org_id, metric, actor).await
    }

    async fn delete_metric(&self, org_id: i64, key: &str, actor: &Actor) -> StoreResult<()> {
        outcomes::delete_metric(&self.pool, org_id, key, actor).await
    }

    async fn outcomes(
        &self,
        org_id: i64,
        filter: &OutcomeFilter,
    ) -> StoreResult<Vec<OutcomeRecord>> {
        outcomes::list(&self.pool, org_id, filter).await
    }

    async fn set_outcome(
        &self,
        org_id: i64,
        input: &OutcomeInput,
        actor: &Actor,
    ) -> StoreResult<OutcomeRecord> {
        outcomes::set(&self.pool, org_id, input, actor).await
    }

    async fn delete_outcome(
        &self,
        org_id: i64,
        subject: &PersonId,
        period: &str,
        metric: &str,
        actor: &Actor,
    ) -> StoreResult<()> {
        outcomes::delete(&self.pool, org_id, subject, period, metric, actor).await
    }

    async fn import_outcomes(
        &self,
        org_id: i64,
        rows: &[(u64, OutcomeInput)],
        actor: &Actor,
    ) -> StoreResult<ImportSummary> {
        outcomes::import(&self.pool, org_id, rows, actor).await
    }

    async fn data_version(&self, org_id: i64) -> StoreResult<i64> {
        overview::data_version(&self.pool, org_id).await
    }

    async fn data_versions(&self) -> StoreResult<Vec<(i64, i64)>> {
        overview::data_versions(&self.pool).await
    }

    async fn audit_log(&self, org_id: i64, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        overview::audit_log(&self.pool, org_id, limit).await
    }

    async fn overview(&self, org_id: i64, scope: &Scope) -> StoreResult<Overview> {
        overview::overview(&self.pool, org_id, scope).await
    }

    async fn rated_cycle_ids(&self, org_id: i64) -> StoreResult<Vec<i64>> {
        analysis::rated_cycle_ids(&self.pool, org_id).await
    }

    async fn analysis_ratings(
        &self,
        org_id: i64,
        cycle_id: i64,
    ) -> StoreResult<crate::AnalysisRatings> {
        analysis::ratings(&self.pool, org_id, cycle_id).await
    }

    async fn analysis_people(&self, org_id: i64) -> StoreResult<Vec<crate::AnalysisPerson>> {
        analysis::people(&self.pool, org_id).await
    }

    async fn analysis_outcomes(&self, org_id: i64) -> StoreResult<crate::AnalysisOutcomes> {
        analysis::outcomes(&self.pool, org_id).await
    }

    async fn analysis_periods(&self, org_id: i64, metric: &str) -> StoreResult<Vec<String>> {
        analysis::periods(&self.pool, org_id, metric).await
    }
}
