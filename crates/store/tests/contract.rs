//! The store contract: what every backend must do, told as short stories.
//!
//! Each story in [`contract`] is an `async fn(&Backend)` that talks to the store only through
//! `Arc<dyn Store>`; the one thing it cannot say through the trait (a raw SQL statement, to
//! prove the database itself guards model versions) goes through [`RawSql`]. The
//! `contract_tests!` macro turns every story into a `#[tokio::test]` for one backend on a fresh
//! database, so a PostgreSQL backend adds one line: `contract_tests!(postgres, open_postgres);`
//! plus its opener. Backend-specific behaviour (opening files, migrations) is tested below the
//! macro.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use sellerq_domain::assessment::{CycleInput, CycleName, Score};
use sellerq_domain::model::{DEFAULT_MODEL_TOML, Model, QualityKey, default_model};
use sellerq_domain::{Email, OrgName, PersonId, PersonInput, Role, TeamInput};
use sellerq_store::sqlite::SqliteStore;
use sellerq_store::{Actor, NewRating, PeopleFilter, Scope, Session, Store, StoreError};

// --- backends ------------------------------------------------------------------------------

/// Runs SQL outside the store, the way another program with access to the database could.
#[async_trait]
trait RawSql: Send + Sync {
    /// Executes `sql` (with `$1` bound to `arg`); returns the rows affected or the database's
    /// error message.
    async fn execute(&self, sql: &str, arg: i64) -> Result<u64, String>;
}

/// A store on a fresh database, with raw access to the same database.
struct Backend {
    store: Arc<dyn Store>,
    raw: Box<dyn RawSql>,
    _cleanup: Option<TempDb>,
}

/// A database file in the temporary directory, removed (with its WAL files) when dropped.
struct TempDb(PathBuf);

impl TempDb {
    fn new(name: &str) -> TempDb {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        TempDb(std::env::temp_dir().join(format!(
            "sellerq-contract-{}-{n}-{name}.db",
            std::process::id()
        )))
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

struct SqliteRaw(SqliteStore);

#[async_trait]
impl RawSql for SqliteRaw {
    async fn execute(&self, sql: &str, arg: i64) -> Result<u64, String> {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(arg)
            .execute(self.0.pool())
            .await
            .map(|r| r.rows_affected())
            .map_err(|e| e.to_string())
    }
}

async fn open_sqlite(name: &str) -> Backend {
    let db = TempDb::new(name);
    let store = SqliteStore::open(&db.0)
        .await
        .expect("a fresh SQLite database opens");
    Backend {
        store: Arc::new(store.clone()),
        raw: Box::new(SqliteRaw(store)),
        _cleanup: Some(db),
    }
}

/// One `#[tokio::test]` per story, each on a fresh database of the backend.
macro_rules! contract_tests {
    ($backend:ident, $open:path; $($story:ident),* $(,)?) => {
        mod $backend {
            $(
                #[tokio::test]
                async fn $story() {
                    let backend = $open(stringify!($story)).await;
                    super::contract::$story(&backend).await;
                }
            )*
        }
    };
}

contract_tests!(sqlite, crate::open_sqlite;
    an_organisation_starts_with_the_default_model_as_version_1,
    an_organisation_name_is_taken_only_once,
    one_user_can_belong_to_several_organisations_with_a_role_in_each,
    a_new_password_ends_every_other_session,
    sessions_expire_and_switch_only_into_the_users_organisations,
    an_api_token_names_its_user_and_organisation_while_the_membership_lasts,
    team_names_are_unique_and_parents_exist_and_never_form_a_cycle,
    a_team_is_deleted_only_when_empty,
    people_are_created_with_unknown_teams_created_for_them,
    people_ids_and_emails_are_unique_and_managers_must_exist,
    renaming_a_person_carries_their_reports_teams_and_ratings_along,
    a_person_named_in_ratings_cannot_be_deleted,
    deleting_a_manager_leaves_their_reports_without_a_manager,
    an_import_writes_every_row_with_managers_named_later_in_the_batch,
    an_import_with_one_bad_row_writes_nothing,
    an_import_may_swap_two_peoples_emails,
    people_search_matches_id_name_or_email_and_escapes_wildcards,
    a_manager_sees_their_teams_and_sub_teams_but_not_the_other_team,
    a_coach_sees_their_assigned_teams,
    a_seller_sees_only_themselves,
    an_interviewer_and_a_stranger_see_nobody,
    no_data_crosses_organisations,
    every_write_is_in_the_audit_log_with_before_and_after,
    a_model_version_changes_until_a_rating_uses_it,
    the_database_itself_refuses_to_change_a_model_version_in_use,
    a_new_model_version_becomes_current,
    ratings_keep_their_unique_key_and_the_self_rule,
    the_overview_counts_what_the_scope_sees,
    a_cycle_starts_as_a_draft_on_the_current_model_and_moves_draft_open_closed,
    a_cycles_model_version_is_frozen_once_it_opens,
    a_closed_cycle_takes_no_ratings_of_any_kind,
    adding_a_team_adds_its_people_with_self_and_manager_raters,
    peers_chosen_by_the_manager_are_asked_at_once_and_nominated_ones_wait,
    a_rater_keeps_drafts_and_submitting_makes_the_sheet_final,
    sheets_need_an_open_cycle_and_an_approved_assignment,
    my_assessments_lists_open_sheets_with_due_dates_and_overdue_flags,
    completion_counts_submitted_outstanding_and_overdue_per_rater_and_subject,
    the_store_checks_ratings_against_the_cycles_own_model,
    profile_and_team_queries_return_submitted_ratings_without_raters,
    evidence_notes_come_without_their_raters,
    an_import_writes_every_row_and_creates_missing_cycles_open,
    a_ratings_import_with_one_bad_row_writes_nothing,
    an_import_refuses_ratings_already_stored_and_a_check_writes_nothing,
    export_then_import_into_a_fresh_organisation_reproduces_every_rating,
    organisation_settings_default_to_three_peers_and_one_point,
    only_a_draft_cycle_without_ratings_can_be_deleted,
    renaming_or_deleting_a_person_carries_their_cycle_roles_along,
    no_assessment_data_crosses_organisations,
    every_organisation_has_quota_attainment_from_its_creation,
    metrics_are_created_updated_and_deleted_only_while_unused,
    an_outcome_is_set_replaced_and_deleted,
    set_outcome_names_the_field_it_refuses,
    outcomes_come_back_by_subject_metric_and_period_and_filter,
    an_outcomes_import_writes_every_row_and_creates_unknown_metrics,
    an_outcomes_import_with_one_bad_row_writes_nothing,
    an_outcomes_import_names_every_bad_line_and_column,
    renaming_a_person_carries_their_outcomes_along,
    deleting_a_person_deletes_their_outcomes,
    no_outcome_crosses_organisations,
    the_data_version_grows_with_every_write,
    outcome_values_come_back_bit_for_bit_whatever_the_filter,
);

contract_tests!(sqlite_analysis, crate::open_sqlite;
    the_bulk_ratings_read_equals_the_export_row_for_row,
    the_bulk_people_read_equals_the_people_list_bit_for_bit,
    only_cycles_with_submitted_ratings_count_as_rated_and_nothing_crosses_organisations,
    the_bulk_outcomes_read_equals_the_outcomes_list_bit_for_bit,
);

/// The assessment stories (issue 3) live in their own file.
#[path = "contract/assessment.rs"]
mod assessment;

/// The outcome stories (issue 5).
#[path = "contract/outcomes.rs"]
mod outcomes;

/// The bulk reads of the analysis (issue 5, speed).
#[path = "contract/analysis.rs"]
mod analysis;

// --- SQLite specifics ------------------------------------------------------------------------

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    let db = TempDb::new("migrate");
    let store = SqliteStore::open(&db.0).await.unwrap();
    let applied = store.applied_migrations().await.unwrap();
    assert_eq!(
        applied,
        vec![
            (1, "foundation".to_owned()),
            (2, "assessment".to_owned()),
            (3, "outcomes".to_owned()),
        ]
    );

    assert_eq!(
        store.migrate().await.unwrap(),
        Vec::<String>::new(),
        "nothing left to apply"
    );
    assert_eq!(store.migrate().await.unwrap(), Vec::<String>::new());
    assert_eq!(store.applied_migrations().await.unwrap(), applied);
}

#[tokio::test]
async fn upgrading_a_foundation_database_keeps_its_ratings_as_submitted_in_open_cycles() {
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    use sqlx::{Executor, SqlSafeStr};
    let db = TempDb::new("upgrade");
    // A database as issue 2 left it: only 0001 applied, with a cycle and a rating.
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db.0)
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        Migrator::with_migrations(vec![Migration::new(
            1,
            "foundation".into(),
            MigrationType::Simple,
            include_str!("../migrations/sqlite/0001_foundation.sql").into_sql_str(),
            false,
        )])
        .run(&pool)
        .await
        .unwrap();
        pool.execute(
            "INSERT INTO organisations VALUES (1, 'Acme', 0); \
             INSERT INTO model_versions VALUES (1, 1, '1', 'x', 0); \
             INSERT INTO people (org_id, id, name, created_at, updated_at) \
               VALUES (1, 'p-1', 'Pat', 0, 0); \
             INSERT INTO cycles VALUES (1, 1, '2025-H2', 1, 0); \
             INSERT INTO ratings (org_id, cycle_id, subject, rater, role, quality, score, \
               evidence, created_at) VALUES (1, 1, 'p-1', 'm-9', 'manager', 'belief', 4, '', 7);",
        )
        .await
        .unwrap();
        pool.close().await;
    }

    let store = SqliteStore::open(&db.0).await.unwrap();

    let cycle = store.cycle_by_name(1, "2025-H2").await.unwrap().unwrap();
    assert_eq!(cycle.status, sellerq_domain::assessment::CycleStatus::Open);
    let (state, updated): (String, i64) =
        sqlx::query_as("SELECT state, updated_at FROM ratings WHERE subject = 'p-1'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!((state.as_str(), updated), ("submitted", 7));
    let versions = store.model_versions(1).await.unwrap();
    assert!(versions[0].in_use, "its cycle is open and rated");
    assert_eq!(
        store.metrics(1).await.unwrap(),
        vec![sellerq_domain::Metric::quota_attainment()],
        "0003 gives existing organisations the default metric"
    );
}

#[tokio::test]
async fn reopening_a_database_keeps_its_data() {
    let db = TempDb::new("reopen");
    let first = SqliteStore::open(&db.0).await.unwrap();
    first
        .create_organisation(&org_name("Acme"), &cli())
        .await
        .unwrap();
    first.pool().close().await;

    let again = SqliteStore::open(&db.0).await.unwrap();
    assert!(again.organisation_by_name("Acme").await.unwrap().is_some());
}

#[tokio::test]
async fn the_database_runs_in_wal_mode_with_foreign_keys_on() {
    let db = TempDb::new("pragmas");
    let store = SqliteStore::open(&db.0).await.unwrap();
    let mut conn = store.pool().acquire().await.unwrap();
    let mode: String = sqlx::Row::get(
        &sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .unwrap(),
        0,
    );
    let fks: i64 = sqlx::Row::get(
        &sqlx::query("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .unwrap(),
        0,
    );
    let busy: i64 = sqlx::Row::get(
        &sqlx::query("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await
            .unwrap(),
        0,
    );
    assert_eq!((mode.as_str(), fks, busy), ("wal", 1, 5000));
}

#[tokio::test]
async fn concurrent_writers_wait_for_each_other_instead_of_failing() {
    let backend = open_sqlite("concurrent").await;
    let (org, admin) = org_with_admin(&*backend.store, "Acme", "admin@acme.test").await;
    let writers: Vec<_> = (0..24)
        .map(|i| {
            let store = backend.store.clone();
            let admin = admin.clone();
            tokio::spawn(async move {
                let p = in_team(
                    person(&format!("p-{i:02}"), "Pat"),
                    &format!("Team {}", i % 3),
                );
                store.create_person(org, &p, &admin).await
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap().unwrap();
    }
    assert_eq!(
        backend
            .store
            .list_people(org, &everyone())
            .await
            .unwrap()
            .len(),
        24
    );
    assert_eq!(
        backend
            .store
            .list_teams(org, &Scope::Organisation)
            .await
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn opening_an_unwritable_path_fails_naming_the_path() {
    // The first needs a directory that cannot be created, the second a file SQLite cannot create.
    for path in ["/proc/nope/x.db", "/proc/x.db"] {
        match SqliteStore::open(Path::new(path)).await {
            Err(StoreError::Open {
                path: named,
                message,
            }) => {
                assert_eq!(named, path);
                assert!(!message.is_empty());
                let shown = StoreError::Open {
                    path: named,
                    message,
                }
                .to_string();
                assert!(
                    shown.starts_with(&format!("cannot open the database at {path}: ")),
                    "{shown}"
                );
            }
            other => panic!("expected Open naming {path}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn opening_creates_missing_parent_directories() {
    let dir = std::env::temp_dir().join(format!("sellerq-contract-{}-nested", std::process::id()));
    let path = dir.join("deeper").join("sellerq.db");
    let store = SqliteStore::open(&path).await.unwrap();
    store.ping().await.unwrap();
    store.pool().close().await;
    assert!(path.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

// --- helpers ---------------------------------------------------------------------------------

fn cli() -> Actor {
    Actor::system("cli")
}

fn org_name(s: &str) -> OrgName {
    OrgName::parse(s).unwrap()
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

fn pid(s: &str) -> PersonId {
    PersonId::parse(s).unwrap()
}

/// A person with just an id and a name.
fn person(id: &str, name: &str) -> PersonInput {
    PersonInput {
        id: pid(id),
        name: name.to_owned(),
        email: None,
        team: None,
        manager: None,
        hire_date: None,
        years_experience: None,
        quota_track_record: None,
        tenure_years: None,
        vip_connections: None,
        domain_expertise: None,
    }
}

fn in_team(mut p: PersonInput, team: &str) -> PersonInput {
    p.team = Some(team.to_owned());
    p
}

fn managed_by(mut p: PersonInput, manager: &str) -> PersonInput {
    p.manager = Some(pid(manager));
    p
}

fn with_email(mut p: PersonInput, e: &str) -> PersonInput {
    p.email = Some(email(e));
    p
}

fn team(name: &str) -> TeamInput {
    TeamInput {
        name: name.to_owned(),
        parent_id: None,
        manager: None,
        description: String::new(),
    }
}

fn sub_team(name: &str, parent: i64) -> TeamInput {
    TeamInput {
        parent_id: Some(parent),
        ..team(name)
    }
}

fn everyone() -> PeopleFilter {
    PeopleFilter {
        scope: Scope::Organisation,
        search: None,
        team_id: None,
    }
}

fn ids(people: &[sellerq_domain::Person]) -> Vec<&str> {
    people.iter().map(|p| p.id.as_str()).collect()
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, want: &str) {
    match r {
        Err(StoreError::Conflict { field, .. }) if field == want => {}
        other => panic!("expected Conflict on {want}, got {other:?}"),
    }
}

#[track_caller]
fn assert_invalid<T: std::fmt::Debug>(r: Result<T, StoreError>, want: &str) {
    match r {
        Err(StoreError::Invalid { field, .. }) if field == want => {}
        other => panic!("expected Invalid on {want}, got {other:?}"),
    }
}

/// An organisation with its first admin, as `sellerq init` makes it. Returns (org id, admin).
async fn org_with_admin(s: &dyn Store, name: &str, admin_email: &str) -> (i64, Actor) {
    let org = s
        .create_organisation(&org_name(name), &cli())
        .await
        .unwrap();
    let user = match s.user_by_email(&email(admin_email)).await.unwrap() {
        Some((u, _)) => u,
        None => s
            .create_user(&email(admin_email), "Admin", "$argon2id$fake")
            .await
            .unwrap(),
    };
    s.set_membership(org.id, user.id, Role::Admin, &[], &cli())
        .await
        .unwrap();
    (org.id, Actor::user(user.id, admin_email))
}

/// A user with a role (and assigned teams) in the organisation; returns the user id.
async fn member(s: &dyn Store, org: i64, mail: &str, role: Role, teams: &[i64]) -> i64 {
    let user = match s.user_by_email(&email(mail)).await.unwrap() {
        Some((u, _)) => u,
        None => s
            .create_user(&email(mail), mail, "$argon2id$fake")
            .await
            .unwrap(),
    };
    s.set_membership(org, user.id, role, teams, &cli())
        .await
        .unwrap();
    user.id
}

/// West (managed by m-1) with sub-team West Enterprise, and East; people in each, and one
/// report of m-1 who sits in East. Returns (west, west enterprise, east) team ids.
async fn sales_floor(s: &dyn Store, org: i64, actor: &Actor) -> (i64, i64, i64) {
    s.create_person(
        org,
        &with_email(person("m-1", "Mia Manager"), "mia@acme.test"),
        actor,
    )
    .await
    .unwrap();
    let west = s
        .create_team(
            org,
            &TeamInput {
                manager: Some(pid("m-1")),
                ..team("West")
            },
            actor,
        )
        .await
        .unwrap();
    let ent = s
        .create_team(org, &sub_team("West Enterprise", west.id), actor)
        .await
        .unwrap();
    let east = s.create_team(org, &team("East"), actor).await.unwrap();
    for p in [
        managed_by(in_team(person("w-1", "Wes West"), "West"), "m-1"),
        in_team(person("we-1", "Wendy Enterprise"), "West Enterprise"),
        with_email(in_team(person("e-1", "Eve East"), "East"), "eve@acme.test"),
        managed_by(in_team(person("e-2", "Ed East"), "East"), "m-1"),
    ] {
        s.create_person(org, &p, actor).await.unwrap();
    }
    (west.id, ent.id, east.id)
}

fn rating(cycle_id: i64, subject: &str, rater: &str, role: &str, quality: &str) -> NewRating {
    NewRating {
        cycle_id,
        subject: pid(subject),
        rater: pid(rater),
        role: role.parse().unwrap(),
        quality: QualityKey::parse(quality).unwrap(),
        score: Some(score(4)),
        evidence: "ran the discovery call".to_owned(),
    }
}

fn score(v: i64) -> Score {
    Score::new(v, &default_model().scale).unwrap()
}

/// A draft cycle on a given model version, collecting every role.
fn cycle_on(name: &str, model_version_id: i64) -> CycleInput {
    CycleInput {
        model_version_id: Some(model_version_id),
        ..CycleInput::named(CycleName::parse(name).unwrap())
    }
}

// --- the stories -----------------------------------------------------------------------------

mod contract {
    use super::*;
    pub use crate::analysis::*;
    pub use crate::assessment::*;
    pub use crate::outcomes::*;

    pub async fn an_organisation_starts_with_the_default_model_as_version_1(b: &Backend) {
        let s = &*b.store;
        let org = s
            .create_organisation(&org_name("Acme"), &cli())
            .await
            .unwrap();

        let current = s.current_model_version(org.id).await.unwrap();
        assert_eq!(current.label, "1");
        assert_eq!(
            current.label,
            Model::parse(DEFAULT_MODEL_TOML).unwrap().version
        );
        assert_eq!(current.toml, DEFAULT_MODEL_TOML);
        assert!(!current.in_use);
        assert_eq!(s.model_versions(org.id).await.unwrap(), vec![current]);
        assert_eq!(s.organisation(org.id).await.unwrap(), Some(org.clone()));
        assert_eq!(s.organisation_by_name("Acme").await.unwrap(), Some(org));
        assert_eq!(
            s.organisation_by_name("acme").await.unwrap(),
            None,
            "names match exactly"
        );
        s.ping().await.unwrap();
    }

    pub async fn an_organisation_name_is_taken_only_once(b: &Backend) {
        let s = &*b.store;
        s.create_organisation(&org_name("Acme"), &cli())
            .await
            .unwrap();
        assert_conflict(
            s.create_organisation(&org_name("Acme"), &cli()).await,
            "name",
        );
    }

    pub async fn one_user_can_belong_to_several_organisations_with_a_role_in_each(b: &Backend) {
        let s = &*b.store;
        let (zeta, admin) = org_with_admin(s, "Zeta", "admin@zeta.test").await;
        let (acme, _) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let east = s.create_team(zeta, &team("East"), &admin).await.unwrap();
        let coach = s
            .create_user(&email("Cora@Coach.test"), "Cora", "$argon2id$h")
            .await
            .unwrap();
        assert_eq!(coach.email.as_str(), "cora@coach.test");
        assert_conflict(
            s.create_user(&email("cora@coach.test"), "Cora 2", "h")
                .await,
            "email",
        );

        s.set_membership(zeta, coach.id, Role::Coach, &[east.id], &admin)
            .await
            .unwrap();
        s.set_membership(acme, coach.id, Role::Seller, &[], &cli())
            .await
            .unwrap();

        let ms = s.memberships(coach.id).await.unwrap();
        let seen: Vec<(&str, Role, Vec<i64>)> = ms
            .iter()
            .map(|m| (m.org.name.as_str(), m.role, m.team_ids.clone()))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("Acme", Role::Seller, vec![]),
                ("Zeta", Role::Coach, vec![east.id])
            ]
        );

        // A second call replaces the role and the teams.
        s.set_membership(acme, coach.id, Role::Leader, &[], &cli())
            .await
            .unwrap();
        assert_eq!(
            s.membership(coach.id, acme).await.unwrap().unwrap().role,
            Role::Leader
        );
        assert_eq!(s.memberships(coach.id).await.unwrap().len(), 2);

        let members = s.members(zeta).await.unwrap();
        let names: Vec<(&str, Role)> = members
            .iter()
            .map(|m| (m.user.name.as_str(), m.role))
            .collect();
        assert_eq!(names, vec![("Admin", Role::Admin), ("Cora", Role::Coach)]);

        let (user, hash) = s
            .user_by_email(&email("cora@coach.test"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((user.id, hash.as_str()), (coach.id, "$argon2id$h"));
        assert_eq!(s.user(coach.id).await.unwrap(), Some(coach.clone()));
        assert_eq!(s.user(9999).await.unwrap(), None);

        assert_invalid(
            s.set_membership(acme, coach.id, Role::Manager, &[9999], &cli())
                .await,
            "team_ids",
        );
    }

    pub async fn a_new_password_ends_every_other_session(b: &Backend) {
        let s = &*b.store;
        let (org, _) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let user = member(s, org, "ana@acme.test", Role::Seller, &[]).await;
        for token in ["here", "phone", "laptop"] {
            s.create_session(&Session {
                token_hash: token.into(),
                user_id: user,
                org_id: Some(org),
                csrf_token: format!("csrf-{token}"),
                created_at: 100,
                expires_at: 1_000,
            })
            .await
            .unwrap();
        }

        s.set_password(
            user,
            "$argon2id$new",
            Some("here"),
            &Actor::user(user, "ana@acme.test"),
        )
        .await
        .unwrap();

        assert_eq!(
            s.password_hash(user).await.unwrap().as_deref(),
            Some("$argon2id$new")
        );
        assert!(s.session("here", 500).await.unwrap().is_some());
        assert!(s.session("phone", 500).await.unwrap().is_none());
        assert!(s.session("laptop", 500).await.unwrap().is_none());
        assert!(matches!(
            s.set_password(9999, "h", None, &cli()).await,
            Err(StoreError::NotFound(_))
        ));
    }

    pub async fn sessions_expire_and_switch_only_into_the_users_organisations(b: &Backend) {
        let s = &*b.store;
        let (acme, _) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let (zeta, _) = org_with_admin(s, "Zeta", "admin@zeta.test").await;
        let (other, _) = org_with_admin(s, "Other", "admin@other.test").await;
        let user = member(s, acme, "cora@coach.test", Role::Coach, &[]).await;
        member(s, zeta, "cora@coach.test", Role::Coach, &[]).await;
        let session = Session {
            token_hash: "h1".into(),
            user_id: user,
            org_id: Some(acme),
            csrf_token: "c1".into(),
            created_at: 100,
            expires_at: 200,
        };
        s.create_session(&session).await.unwrap();
        s.create_session(&Session {
            token_hash: "h2".into(),
            expires_at: 400,
            ..session.clone()
        })
        .await
        .unwrap();

        assert_eq!(s.session("h1", 150).await.unwrap(), Some(session.clone()));
        assert_eq!(
            s.session("h1", 200).await.unwrap(),
            None,
            "expired at expires_at"
        );
        assert_eq!(s.session("nope", 150).await.unwrap(), None);

        s.set_session_org("h2", zeta).await.unwrap();
        assert_eq!(
            s.session("h2", 150).await.unwrap().unwrap().org_id,
            Some(zeta)
        );
        assert!(matches!(
            s.set_session_org("h2", other).await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(
            s.session("h2", 150).await.unwrap().unwrap().org_id,
            Some(zeta)
        );

        assert_eq!(
            s.purge_sessions(300).await.unwrap(),
            1,
            "only h1 has expired"
        );
        s.delete_session("h2").await.unwrap();
        assert_eq!(s.session("h2", 150).await.unwrap(), None);
    }

    pub async fn an_api_token_names_its_user_and_organisation_while_the_membership_lasts(
        b: &Backend,
    ) {
        let s = &*b.store;
        let (acme, admin) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let (zeta, _) = org_with_admin(s, "Zeta", "admin@zeta.test").await;
        let user = member(s, acme, "bot@acme.test", Role::Leader, &[]).await;

        let id = s
            .create_api_token(acme, user, "hash-1", "reporting", &admin)
            .await
            .unwrap();
        assert!(id > 0);
        assert_eq!(
            s.api_token("hash-1", 1_000).await.unwrap(),
            Some((user, acme))
        );
        assert_eq!(s.api_token("hash-2", 1_000).await.unwrap(), None);
        assert_conflict(
            s.create_api_token(acme, user, "hash-1", "again", &admin)
                .await,
            "token_hash",
        );
        assert_invalid(
            s.create_api_token(zeta, user, "hash-3", "x", &admin).await,
            "user",
        );
    }

    pub async fn team_names_are_unique_and_parents_exist_and_never_form_a_cycle(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let west = s.create_team(org, &team("West"), &a).await.unwrap();
        let ent = s
            .create_team(org, &sub_team("West Enterprise", west.id), &a)
            .await
            .unwrap();
        let big = s
            .create_team(org, &sub_team("Big Deals", ent.id), &a)
            .await
            .unwrap();

        assert_conflict(s.create_team(org, &team("West"), &a).await, "name");
        assert_conflict(s.update_team(org, ent.id, &team("West"), &a).await, "name");
        assert_invalid(
            s.create_team(org, &sub_team("Orphans", 9999), &a).await,
            "parent_id",
        );
        let managed = TeamInput {
            manager: Some(pid("ghost")),
            ..team("Ghosts")
        };
        assert_invalid(s.create_team(org, &managed, &a).await, "manager");

        // West under its own grandchild, or under itself, would be a loop.
        assert_invalid(
            s.update_team(org, west.id, &sub_team("West", big.id), &a)
                .await,
            "parent_id",
        );
        assert_invalid(
            s.update_team(org, west.id, &sub_team("West", west.id), &a)
                .await,
            "parent_id",
        );

        // Moving a leaf elsewhere is fine.
        let moved = s
            .update_team(org, big.id, &sub_team("Big Deals", west.id), &a)
            .await
            .unwrap();
        assert_eq!(moved.parent_id, Some(west.id));
        assert_eq!(s.team(org, big.id).await.unwrap(), Some(moved));
        assert_eq!(
            s.team_by_name(org, "West").await.unwrap(),
            Some(west.clone())
        );
        assert!(matches!(
            s.update_team(org, 9999, &team("Nope"), &a).await,
            Err(StoreError::NotFound(_))
        ));

        let list = s.list_teams(org, &Scope::Organisation).await.unwrap();
        let shown: Vec<(&str, Option<&str>)> = list
            .iter()
            .map(|t| (t.team.name.as_str(), t.parent_name.as_deref()))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("Big Deals", Some("West")),
                ("West", None),
                ("West Enterprise", Some("West"))
            ]
        );
    }

    pub async fn a_team_is_deleted_only_when_empty(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let west = s.create_team(org, &team("West"), &a).await.unwrap();
        let ent = s
            .create_team(org, &sub_team("West Enterprise", west.id), &a)
            .await
            .unwrap();
        s.create_person(org, &in_team(person("p-1", "Pat"), "West Enterprise"), &a)
            .await
            .unwrap();

        assert_conflict(s.delete_team(org, west.id, &a).await, "team");
        assert_conflict(s.delete_team(org, ent.id, &a).await, "team");

        s.delete_person(org, &pid("p-1"), &a).await.unwrap();
        s.delete_team(org, ent.id, &a).await.unwrap();
        s.delete_team(org, west.id, &a).await.unwrap();
        assert!(
            s.list_teams(org, &Scope::Organisation)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            s.delete_team(org, west.id, &a).await,
            Err(StoreError::NotFound(_))
        ));
    }

    pub async fn people_are_created_with_unknown_teams_created_for_them(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let mut input = in_team(
            with_email(person("p-1", "Ana Ruiz"), "Ana@Acme.test"),
            "North",
        );
        input.hire_date = Some(time::macros::date!(2024 - 02 - 29));
        input.years_experience = Some(7.5);
        input.domain_expertise = Some(4.0);

        let created = s.create_person(org, &input, &a).await.unwrap();

        let north = s
            .team_by_name(org, "North")
            .await
            .unwrap()
            .expect("North was created");
        assert_eq!(created.team.as_deref(), Some("North"));
        assert_eq!(created.team_id, Some(north.id));
        assert_eq!(
            created.email.as_ref().map(Email::as_str),
            Some("ana@acme.test")
        );
        assert_eq!(created.hire_date_text(), "2024-02-29");
        assert_eq!(
            (created.years_experience, created.domain_expertise),
            (Some(7.5), Some(4.0))
        );
        assert_eq!(
            s.person(org, &pid("p-1")).await.unwrap(),
            Some(created.clone())
        );
        assert_eq!(
            s.person_by_email(org, &email("ana@acme.test"))
                .await
                .unwrap(),
            Some(created)
        );

        let mut updated = input.clone();
        updated.name = "Ana Ruiz-Ortega".into();
        updated.team = None;
        updated.years_experience = None;
        let after = s
            .update_person(org, &pid("p-1"), &updated, &a)
            .await
            .unwrap();
        assert_eq!(
            (after.name.as_str(), after.team_id, after.years_experience),
            ("Ana Ruiz-Ortega", None, None)
        );

        let mut bad = person("p-2", "Out Of Range");
        bad.domain_expertise = Some(6.0);
        assert_invalid(s.create_person(org, &bad, &a).await, "domain_expertise");
    }

    pub async fn people_ids_and_emails_are_unique_and_managers_must_exist(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        s.create_person(org, &with_email(person("p-1", "Ana"), "ana@acme.test"), &a)
            .await
            .unwrap();
        s.create_person(org, &person("p-2", "Ben"), &a)
            .await
            .unwrap();

        assert_conflict(
            s.create_person(org, &person("p-1", "Other Ana"), &a).await,
            "id",
        );
        assert_conflict(
            s.create_person(org, &with_email(person("p-3", "Cy"), "ana@acme.test"), &a)
                .await,
            "email",
        );
        assert_conflict(
            s.update_person(
                org,
                &pid("p-2"),
                &with_email(person("p-2", "Ben"), "ana@acme.test"),
                &a,
            )
            .await,
            "email",
        );
        assert_conflict(
            s.update_person(org, &pid("p-2"), &person("p-1", "Ben"), &a)
                .await,
            "id",
        );
        assert_invalid(
            s.create_person(org, &managed_by(person("p-3", "Cy"), "ghost"), &a)
                .await,
            "manager",
        );
        assert_invalid(
            s.update_person(
                org,
                &pid("p-2"),
                &managed_by(person("p-2", "Ben"), "p-2"),
                &a,
            )
            .await,
            "manager",
        );
        // p-1 → p-2 → p-1 would be a loop of managers.
        s.update_person(
            org,
            &pid("p-2"),
            &managed_by(person("p-2", "Ben"), "p-1"),
            &a,
        )
        .await
        .unwrap();
        assert_invalid(
            s.update_person(
                org,
                &pid("p-1"),
                &managed_by(with_email(person("p-1", "Ana"), "ana@acme.test"), "p-2"),
                &a,
            )
            .await,
            "manager",
        );
        assert!(matches!(
            s.update_person(org, &pid("ghost"), &person("ghost", "G"), &a)
                .await,
            Err(StoreError::NotFound(_))
        ));
        let people = s.list_people(org, &everyone()).await.unwrap();
        assert_eq!(ids(&people), vec!["p-1", "p-2"], "nothing half-written");
        assert_eq!(people[0].manager, None);
    }

    pub async fn renaming_a_person_carries_their_reports_teams_and_ratings_along(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        s.create_person(org, &person("m-1", "Mia"), &a)
            .await
            .unwrap();
        s.create_team(
            org,
            &TeamInput {
                manager: Some(pid("m-1")),
                ..team("West")
            },
            &a,
        )
        .await
        .unwrap();
        s.create_person(
            org,
            &managed_by(in_team(person("p-1", "Pat"), "West"), "m-1"),
            &a,
        )
        .await
        .unwrap();
        let model = s.current_model_version(org).await.unwrap();
        let cycle = s
            .create_cycle(org, &cycle_on("2026-H1", model.id), &a)
            .await
            .unwrap();
        s.add_rating(org, &rating(cycle.id, "m-1", "m-1", "self", "belief"), &a)
            .await
            .unwrap();
        s.add_rating(
            org,
            &rating(cycle.id, "p-1", "m-1", "manager", "belief"),
            &a,
        )
        .await
        .unwrap();

        let renamed = s
            .update_person(org, &pid("m-1"), &person("mia-01", "Mia"), &a)
            .await
            .unwrap();

        assert_eq!(renamed.id.as_str(), "mia-01");
        assert_eq!(s.person(org, &pid("m-1")).await.unwrap(), None);
        let pat = s.person(org, &pid("p-1")).await.unwrap().unwrap();
        assert_eq!(pat.manager, Some(pid("mia-01")));
        let west = s.team_by_name(org, "West").await.unwrap().unwrap();
        assert_eq!(west.manager, Some(pid("mia-01")));
        // The ratings followed: the old id no longer blocks a delete, the new one does.
        s.create_person(org, &person("m-1", "Someone New"), &a)
            .await
            .unwrap();
        s.delete_person(org, &pid("m-1"), &a).await.unwrap();
        assert_conflict(s.delete_person(org, &pid("mia-01"), &a).await, "person");
        // And the self rating is still a self rating of the renamed person.
        assert_conflict(
            s.add_rating(
                org,
                &rating(cycle.id, "mia-01", "mia-01", "self", "belief"),
                &a,
            )
            .await,
            "quality",
        );
    }

    pub async fn a_person_named_in_ratings_cannot_be_deleted(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        s.create_person(org, &person("p-1", "Pat"), &a)
            .await
            .unwrap();
        s.create_person(org, &person("p-2", "Peer"), &a)
            .await
            .unwrap();
        let model = s.current_model_version(org).await.unwrap();
        let cycle = s
            .create_cycle(org, &cycle_on("2026-H1", model.id), &a)
            .await
            .unwrap();
        s.add_rating(org, &rating(cycle.id, "p-1", "p-2", "peer", "belief"), &a)
            .await
            .unwrap();

        assert_conflict(s.delete_person(org, &pid("p-1"), &a).await, "person");
        assert_conflict(s.delete_person(org, &pid("p-2"), &a).await, "person");
        assert_eq!(s.list_people(org, &everyone()).await.unwrap().len(), 2);
    }

    pub async fn deleting_a_manager_leaves_their_reports_without_a_manager(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        s.create_person(org, &person("m-1", "Mia"), &a)
            .await
            .unwrap();
        s.create_person(org, &managed_by(person("p-1", "Pat"), "m-1"), &a)
            .await
            .unwrap();

        s.delete_person(org, &pid("m-1"), &a).await.unwrap();

        assert_eq!(s.person(org, &pid("m-1")).await.unwrap(), None);
        assert_eq!(
            s.person(org, &pid("p-1")).await.unwrap().unwrap().manager,
            None
        );
        assert!(matches!(
            s.delete_person(org, &pid("m-1"), &a).await,
            Err(StoreError::NotFound(_))
        ));
    }

    pub async fn an_import_writes_every_row_with_managers_named_later_in_the_batch(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        s.create_team(org, &team("West"), &a).await.unwrap();
        s.create_person(org, &person("p-1", "Old Name"), &a)
            .await
            .unwrap();
        let rows = vec![
            managed_by(in_team(person("p-1", "Pat"), "West"), "m-9"),
            managed_by(in_team(person("p-2", "Pia"), "North"), "m-9"),
            in_team(person("m-9", "Max Manager"), "North"),
        ];

        let summary = s.import_people(org, &rows, &a).await.unwrap();

        assert_eq!(
            (summary.created, summary.updated, summary.teams_created),
            (2, 1, 1)
        );
        let people = s.list_people(org, &everyone()).await.unwrap();
        assert_eq!(ids(&people), vec!["m-9", "p-1", "p-2"]);
        assert!(
            people
                .iter()
                .filter(|p| p.id.as_str() != "m-9")
                .all(|p| p.manager == Some(pid("m-9")))
        );

        let again = s.import_people(org, &rows, &a).await.unwrap();
        assert_eq!(
            (again.created, again.updated, again.teams_created),
            (0, 0, 0)
        );
    }

    pub async fn an_import_with_one_bad_row_writes_nothing(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        s.create_person(org, &with_email(person("p-1", "Pat"), "pat@acme.test"), &a)
            .await
            .unwrap();
        s.create_person(
            org,
            &with_email(person("p-9", "Nine"), "nine@acme.test"),
            &a,
        )
        .await
        .unwrap();
        let before_people = s.list_people(org, &everyone()).await.unwrap();
        let before_teams = s.list_teams(org, &Scope::Organisation).await.unwrap();
        let before_log = s.audit_log(org, 1000).await.unwrap();
        let good = vec![
            in_team(person("p-1", "Pat Renamed"), "Brand New Team"),
            in_team(person("p-2", "Pia"), "Brand New Team"),
        ];

        for (bad, field) in [
            (managed_by(person("p-3", "Cy"), "ghost"), "manager"),
            (with_email(person("p-3", "Cy"), "nine@acme.test"), "email"),
            (person("p-2", "Pia Twice"), "id"),
        ] {
            let mut rows = good.clone();
            rows.push(bad);
            let err = s.import_people(org, &rows, &a).await.unwrap_err();
            match &err {
                StoreError::Invalid { field: f, message }
                | StoreError::Conflict { field: f, message } => {
                    assert_eq!(f, field, "{err}");
                    assert!(
                        message.starts_with("row 3: "),
                        "the row is named: {message}"
                    );
                }
                other => panic!("expected a field error, got {other:?}"),
            }
            assert_eq!(
                s.list_people(org, &everyone()).await.unwrap(),
                before_people
            );
            assert_eq!(
                s.list_teams(org, &Scope::Organisation).await.unwrap(),
                before_teams
            );
            assert_eq!(s.audit_log(org, 1000).await.unwrap(), before_log);
        }
    }

    pub async fn an_import_may_swap_two_peoples_emails(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        s.create_person(org, &with_email(person("p-1", "Pat"), "one@acme.test"), &a)
            .await
            .unwrap();
        s.create_person(org, &with_email(person("p-2", "Pia"), "two@acme.test"), &a)
            .await
            .unwrap();

        let rows = vec![
            with_email(person("p-1", "Pat"), "two@acme.test"),
            with_email(person("p-2", "Pia"), "one@acme.test"),
        ];
        let summary = s.import_people(org, &rows, &a).await.unwrap();

        assert_eq!(summary.updated, 2);
        let pat = s
            .person_by_email(org, &email("two@acme.test"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(pat.id.as_str(), "p-1");
    }

    pub async fn people_search_matches_id_name_or_email_and_escapes_wildcards(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let west = s.create_team(org, &team("West"), &a).await.unwrap();
        s.create_person(
            org,
            &in_team(
                with_email(person("AB-1", "Zoe Zed"), "zoe@acme.test"),
                "West",
            ),
            &a,
        )
        .await
        .unwrap();
        s.create_person(org, &person("ab_2", "Al 100% Closer"), &a)
            .await
            .unwrap();
        s.create_person(org, &person("c-3", "Bea Abbot"), &a)
            .await
            .unwrap();
        let find = |search: &str, team_id: Option<i64>| PeopleFilter {
            scope: Scope::Organisation,
            search: Some(search.to_owned()),
            team_id,
        };

        let by = |people: Vec<sellerq_domain::Person>| -> Vec<String> {
            people.into_iter().map(|p| p.id.to_string()).collect()
        };
        assert_eq!(
            by(s.list_people(org, &find("ab", None)).await.unwrap()),
            ["ab_2", "c-3", "AB-1"]
        );
        assert_eq!(
            by(s.list_people(org, &find("ZOE@", None)).await.unwrap()),
            ["AB-1"]
        );
        assert_eq!(
            by(s.list_people(org, &find("%", None)).await.unwrap()),
            ["ab_2"]
        );
        assert_eq!(
            by(s.list_people(org, &find("b_", None)).await.unwrap()),
            ["ab_2"]
        );
        assert_eq!(
            by(s.list_people(org, &find("ab", Some(west.id)))
                .await
                .unwrap()),
            ["AB-1"]
        );
        assert_eq!(
            by(s.list_people(org, &find("  ", None)).await.unwrap()).len(),
            3,
            "blank = all"
        );
    }

    pub async fn a_manager_sees_their_teams_and_sub_teams_but_not_the_other_team(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let (west, ent, east) = sales_floor(s, org, &a).await;
        // Mia is a manager with no explicit assignment: she manages West as person m-1.
        let mia = member(s, org, "mia@acme.test", Role::Manager, &[]).await;

        let scope = s.scope(org, mia).await.unwrap();

        let Scope::Teams {
            team_ids,
            reports_of,
        } = &scope
        else {
            panic!("{scope:?}")
        };
        assert_eq!(team_ids, &[west, ent].into_iter().collect());
        assert_eq!(reports_of, &Some(pid("m-1")));
        let filter = PeopleFilter {
            scope: scope.clone(),
            search: None,
            team_id: None,
        };
        let seen = s.list_people(org, &filter).await.unwrap();
        // e-2 sits in East but reports to Mia.
        assert_eq!(ids(&seen), vec!["e-2", "we-1", "w-1"]);
        assert!(seen.iter().all(|p| scope.sees_person(p)));
        let eve = s.person(org, &pid("e-1")).await.unwrap().unwrap();
        assert!(!scope.sees_person(&eve));
        assert!(scope.sees_team(ent) && !scope.sees_team(east));
        let teams = s.list_teams(org, &scope).await.unwrap();
        let names: Vec<(&str, i64)> = teams
            .iter()
            .map(|t| (t.team.name.as_str(), t.people))
            .collect();
        assert_eq!(names, vec![("West", 1), ("West Enterprise", 1)]);
        assert_eq!(teams[0].manager_name.as_deref(), Some("Mia Manager"));
    }

    pub async fn a_coach_sees_their_assigned_teams(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let (west, ent, east) = sales_floor(s, org, &a).await;
        let coach = member(s, org, "cora@coach.test", Role::Coach, &[west]).await;

        let scope = s.scope(org, coach).await.unwrap();

        assert_eq!(
            scope,
            Scope::Teams {
                team_ids: [west, ent].into_iter().collect(),
                reports_of: None
            }
        );
        let filter = PeopleFilter {
            scope: scope.clone(),
            search: None,
            team_id: Some(east),
        };
        assert!(s.list_people(org, &filter).await.unwrap().is_empty());
    }

    pub async fn a_seller_sees_only_themselves(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        sales_floor(s, org, &a).await;
        let eve = member(s, org, "eve@acme.test", Role::Seller, &[]).await;
        let nobody = member(s, org, "new@acme.test", Role::Seller, &[]).await;

        let scope = s.scope(org, eve).await.unwrap();

        assert_eq!(scope, Scope::Person(Some(pid("e-1"))));
        let filter = PeopleFilter {
            scope: scope.clone(),
            search: None,
            team_id: None,
        };
        assert_eq!(
            ids(&s.list_people(org, &filter).await.unwrap()),
            vec!["e-1"]
        );
        assert!(s.list_teams(org, &scope).await.unwrap().is_empty());
        let no_record = s.scope(org, nobody).await.unwrap();
        assert_eq!(no_record, Scope::Person(None));
        let filter = PeopleFilter {
            scope: no_record,
            search: None,
            team_id: None,
        };
        assert!(s.list_people(org, &filter).await.unwrap().is_empty());
    }

    pub async fn an_interviewer_and_a_stranger_see_nobody(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let (other, _) = org_with_admin(s, "Zeta", "admin@zeta.test").await;
        sales_floor(s, org, &a).await;
        let ian = member(s, org, "ian@acme.test", Role::Interviewer, &[]).await;
        let stranger = member(s, other, "sam@zeta.test", Role::Admin, &[]).await;

        for user in [ian, stranger] {
            let scope = s.scope(org, user).await.unwrap();
            assert_eq!(scope, Scope::Nothing);
            let filter = PeopleFilter {
                scope: scope.clone(),
                search: None,
                team_id: None,
            };
            assert!(s.list_people(org, &filter).await.unwrap().is_empty());
            assert!(s.list_teams(org, &scope).await.unwrap().is_empty());
        }
        let admin_id = a.user_id.unwrap();
        assert_eq!(s.scope(org, admin_id).await.unwrap(), Scope::Organisation);
        assert_eq!(s.list_people(org, &everyone()).await.unwrap().len(), 5);
    }

    pub async fn no_data_crosses_organisations(b: &Backend) {
        let s = &*b.store;
        let (acme, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let (zeta, z) = org_with_admin(s, "Zeta", "admin@zeta.test").await;
        let zeta_team = s.create_team(zeta, &team("Zeta Team"), &z).await.unwrap();
        s.create_person(
            zeta,
            &in_team(
                with_email(person("z-1", "Zed"), "zed@zeta.test"),
                "Zeta Team",
            ),
            &z,
        )
        .await
        .unwrap();
        // The same id may exist in both organisations, each its own person.
        s.create_person(zeta, &person("p-1", "Zeta's Pat"), &z)
            .await
            .unwrap();
        s.create_person(acme, &person("p-1", "Acme's Pat"), &a)
            .await
            .unwrap();
        let zeta_model = s.current_model_version(zeta).await.unwrap();

        assert_eq!(
            ids(&s.list_people(acme, &everyone()).await.unwrap()),
            vec!["p-1"]
        );
        assert_eq!(s.person(acme, &pid("z-1")).await.unwrap(), None);
        assert_eq!(
            s.person(acme, &pid("p-1")).await.unwrap().unwrap().name,
            "Acme's Pat"
        );
        assert_eq!(
            s.person_by_email(acme, &email("zed@zeta.test"))
                .await
                .unwrap(),
            None
        );
        assert_eq!(s.team(acme, zeta_team.id).await.unwrap(), None);
        assert_eq!(s.team_by_name(acme, "Zeta Team").await.unwrap(), None);
        let foreign_scope = Scope::Teams {
            team_ids: [zeta_team.id].into(),
            reports_of: None,
        };
        assert!(s.list_teams(acme, &foreign_scope).await.unwrap().is_empty());
        let filter = PeopleFilter {
            scope: foreign_scope,
            search: None,
            team_id: None,
        };
        assert!(s.list_people(acme, &filter).await.unwrap().is_empty());

        assert!(matches!(
            s.update_person(acme, &pid("z-1"), &person("z-1", "X"), &a)
                .await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.delete_person(acme, &pid("z-1"), &a).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.delete_team(acme, zeta_team.id, &a).await,
            Err(StoreError::NotFound(_))
        ));
        assert_invalid(
            s.create_team(acme, &sub_team("Hijack", zeta_team.id), &a)
                .await,
            "parent_id",
        );
        assert_invalid(
            s.create_person(acme, &managed_by(person("p-2", "P"), "z-1"), &a)
                .await,
            "manager",
        );
        let admin = a.user_id.unwrap();
        assert_invalid(
            s.set_membership(acme, admin, Role::Manager, &[zeta_team.id], &a)
                .await,
            "team_ids",
        );
        assert_invalid(
            s.create_cycle(acme, &cycle_on("2026-H1", zeta_model.id), &a)
                .await,
            "model_version_id",
        );
        assert!(matches!(
            s.update_model_version(acme, zeta_model.id, DEFAULT_MODEL_TOML, &a)
                .await,
            Err(StoreError::NotFound(_))
        ));
        let zeta_cycle = s
            .create_cycle(zeta, &cycle_on("2026-H1", zeta_model.id), &z)
            .await
            .unwrap();
        assert_invalid(
            s.add_rating(
                acme,
                &rating(zeta_cycle.id, "p-1", "x", "peer", "belief"),
                &a,
            )
            .await,
            "cycle_id",
        );

        let acme_log = s.audit_log(acme, 1000).await.unwrap();
        assert!(
            acme_log
                .iter()
                .all(|e| !e.after.as_deref().unwrap_or("").contains("Zed"))
        );
        let overview = s.overview(acme, &Scope::Organisation).await.unwrap();
        assert_eq!((overview.people, overview.teams), (1, 0));
        assert_eq!(
            s.person(zeta, &pid("p-1")).await.unwrap().unwrap().name,
            "Zeta's Pat"
        );
    }

    pub async fn every_write_is_in_the_audit_log_with_before_and_after(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        let west = s.create_team(org, &team("West"), &a).await.unwrap();
        s.update_team(
            org,
            west.id,
            &TeamInput {
                description: "Coast".into(),
                ..team("West")
            },
            &a,
        )
        .await
        .unwrap();
        s.create_person(org, &in_team(person("p-1", "Pat"), "North"), &a)
            .await
            .unwrap();
        s.update_person(org, &pid("p-1"), &person("p-1", "Pat Lee"), &a)
            .await
            .unwrap();
        s.import_people(org, &[person("p-2", "Pia")], &a)
            .await
            .unwrap();
        s.delete_person(org, &pid("p-2"), &a).await.unwrap();
        s.delete_team(org, west.id, &a).await.unwrap();
        let user = member(s, org, "ana@acme.test", Role::Seller, &[]).await;
        s.create_api_token(org, user, "tok", "ci", &a)
            .await
            .unwrap();
        let model = s.current_model_version(org).await.unwrap();
        let edited = format!("{DEFAULT_MODEL_TOML}\n# edited\n");
        s.update_model_version(org, model.id, &edited, &a)
            .await
            .unwrap();
        let cycle = s
            .create_cycle(org, &cycle_on("2026-H1", model.id), &a)
            .await
            .unwrap();
        s.add_rating(org, &rating(cycle.id, "p-1", "p-1", "self", "belief"), &a)
            .await
            .unwrap();

        let log = s.audit_log(org, 100).await.unwrap();

        let mut seen: Vec<(&str, &str)> = log
            .iter()
            .map(|e| (e.action.as_str(), e.entity.as_str()))
            .collect();
        seen.reverse();
        assert_eq!(
            seen,
            vec![
                ("create", "organisation"),
                ("create", "model_version"),
                ("create", "membership"),
                ("create", "team"),
                ("update", "team"),
                ("create", "team"),
                ("create", "person"),
                ("update", "person"),
                ("import", "person"),
                ("import", "people"),
                ("delete", "person"),
                ("delete", "team"),
                ("create", "membership"),
                ("create", "api_token"),
                ("update", "model_version"),
                ("create", "cycle"),
                ("create", "rating"),
            ]
        );
        let update = log
            .iter()
            .find(|e| e.action == "update" && e.entity == "person")
            .unwrap();
        assert_eq!(
            (update.entity_id.as_str(), update.actor.as_str()),
            ("p-1", "admin@acme.test")
        );
        let before: serde_json::Value =
            serde_json::from_str(update.before.as_deref().unwrap()).unwrap();
        let after: serde_json::Value =
            serde_json::from_str(update.after.as_deref().unwrap()).unwrap();
        assert_eq!(
            (before["name"].as_str(), after["name"].as_str()),
            (Some("Pat"), Some("Pat Lee"))
        );
        assert_eq!(before["team"].as_str(), Some("North"));
        assert!(log.iter().all(|e| e.at > 0));
        assert!(log.windows(2).all(|w| w[0].id > w[1].id), "newest first");
        assert_eq!(s.audit_log(org, 3).await.unwrap().len(), 3);
        let token = log.iter().find(|e| e.entity == "api_token").unwrap();
        assert!(
            !token.after.as_deref().unwrap().contains("tok\""),
            "no token hash in the log"
        );
    }

    pub async fn a_model_version_changes_until_a_rating_uses_it(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        s.create_person(org, &person("p-1", "Pat"), &a)
            .await
            .unwrap();
        let model = s.current_model_version(org).await.unwrap();
        let edited = format!("{DEFAULT_MODEL_TOML}\n# edited before any rating\n");

        let updated = s
            .update_model_version(org, model.id, &edited, &a)
            .await
            .unwrap();
        assert_eq!(updated.toml, edited);
        assert_invalid(
            s.update_model_version(org, model.id, "not = [toml", &a)
                .await,
            "toml",
        );
        let cycle = s
            .create_cycle(org, &cycle_on("2026-H1", model.id), &a)
            .await
            .unwrap();
        let unrated = format!("{edited}# a cycle alone does not freeze it\n");
        s.update_model_version(org, model.id, &unrated, &a)
            .await
            .unwrap();

        s.add_rating(org, &rating(cycle.id, "p-1", "p-1", "self", "belief"), &a)
            .await
            .unwrap();

        let frozen = s
            .update_model_version(org, model.id, DEFAULT_MODEL_TOML, &a)
            .await;
        assert!(
            matches!(frozen, Err(StoreError::Immutable(_))),
            "{frozen:?}"
        );
        let now = s.current_model_version(org).await.unwrap();
        assert!(now.in_use);
        assert_eq!(now.toml, unrated);
    }

    pub async fn the_database_itself_refuses_to_change_a_model_version_in_use(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        s.create_person(org, &person("p-1", "Pat"), &a)
            .await
            .unwrap();
        let model = s.current_model_version(org).await.unwrap();
        let cycle = s
            .create_cycle(org, &cycle_on("2026-H1", model.id), &a)
            .await
            .unwrap();
        let raw_update = "UPDATE model_versions SET toml = 'tampered' WHERE id = $1";
        let raw_delete = "DELETE FROM model_versions WHERE id = $1";
        // Unused, the raw statement goes through (and we put the text back).
        assert_eq!(b.raw.execute(raw_update, model.id).await, Ok(1));
        s.update_model_version(org, model.id, DEFAULT_MODEL_TOML, &a)
            .await
            .unwrap();

        s.add_rating(org, &rating(cycle.id, "p-1", "p-1", "self", "belief"), &a)
            .await
            .unwrap();

        for sql in [raw_update, raw_delete] {
            let refused = b.raw.execute(sql, model.id).await.unwrap_err();
            assert!(refused.contains("in use"), "{refused}");
        }
        let other = s.add_model_version(org, "2", &v2(), &a).await.unwrap();
        let moved = b
            .raw
            .execute(
                &format!(
                    "UPDATE cycles SET model_version_id = {} WHERE id = $1",
                    other.id
                ),
                cycle.id,
            )
            .await;
        assert!(moved.unwrap_err().contains("in use"));
        assert_eq!(
            s.model_versions(org).await.unwrap()[0].toml,
            DEFAULT_MODEL_TOML
        );
    }

    /// The default model relabelled "2".
    fn v2() -> String {
        DEFAULT_MODEL_TOML.replacen("version = \"1\"", "version = \"2\"", 1)
    }

    pub async fn a_new_model_version_becomes_current(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;

        let added = s.add_model_version(org, "2", &v2(), &a).await.unwrap();

        assert_eq!(s.current_model_version(org).await.unwrap(), added);
        let labels: Vec<String> = s
            .model_versions(org)
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.label)
            .collect();
        assert_eq!(labels, ["1", "2"]);
        assert_conflict(s.add_model_version(org, "2", &v2(), &a).await, "label");
        assert_invalid(
            s.add_model_version(org, "3", "[qualities", &a).await,
            "toml",
        );
        assert_invalid(s.add_model_version(org, " ", &v2(), &a).await, "label");
    }

    pub async fn ratings_keep_their_unique_key_and_the_self_rule(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        s.create_person(org, &person("p-1", "Pat"), &a)
            .await
            .unwrap();
        let model = s.current_model_version(org).await.unwrap();
        let cycle = s
            .create_cycle(org, &cycle_on("2026-H1", model.id), &a)
            .await
            .unwrap();
        assert_conflict(
            s.create_cycle(org, &cycle_on("2026-H1", model.id), &a)
                .await,
            "name",
        );
        assert_invalid(
            s.create_cycle(org, &cycle_on("2026-H2", 9999), &a).await,
            "model_version_id",
        );

        let first = s
            .add_rating(org, &rating(cycle.id, "p-1", "ext-7", "peer", "belief"), &a)
            .await;
        assert!(first.unwrap() > 0);
        let not_observed = NewRating {
            score: None,
            ..rating(cycle.id, "p-1", "ext-7", "peer", "humility")
        };
        s.add_rating(org, &not_observed, &a).await.unwrap();

        assert_conflict(
            s.add_rating(org, &rating(cycle.id, "p-1", "ext-7", "peer", "belief"), &a)
                .await,
            "quality",
        );
        assert_invalid(
            s.add_rating(org, &rating(cycle.id, "p-1", "ext-7", "self", "belief"), &a)
                .await,
            "rater",
        );
        assert_invalid(
            s.add_rating(
                org,
                &rating(cycle.id, "p-1", "ext-7", "peer", "charisma"),
                &a,
            )
            .await,
            "quality",
        );
        assert_invalid(
            s.add_rating(
                org,
                &rating(cycle.id, "ghost", "ext-7", "peer", "belief"),
                &a,
            )
            .await,
            "subject",
        );
        assert_invalid(
            s.add_rating(org, &rating(9999, "p-1", "ext-7", "peer", "belief"), &a)
                .await,
            "cycle_id",
        );
    }

    pub async fn the_overview_counts_what_the_scope_sees(b: &Backend) {
        let s = &*b.store;
        let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
        sales_floor(s, org, &a).await;
        let today = time::OffsetDateTime::now_utc().date();
        let mut recent = in_team(person("w-2", "Wyn New"), "West");
        recent.hire_date = Some(today - time::Duration::days(30));
        recent.years_experience = Some(2.0);
        recent.domain_expertise = Some(5.0);
        let mut old = in_team(person("e-3", "Eli Old"), "East");
        old.hire_date = Some(today - time::Duration::days(800));
        old.years_experience = Some(10.0);
        s.import_people(org, &[recent, old], &a).await.unwrap();
        let mia = member(s, org, "mia@acme.test", Role::Manager, &[]).await;
        member(s, org, "cora@coach.test", Role::Coach, &[]).await;

        let all = s.overview(org, &Scope::Organisation).await.unwrap();

        assert_eq!(
            (
                all.teams,
                all.people,
                all.people_with_email,
                all.recent_hires
            ),
            (3, 7, 2, 1)
        );
        assert_eq!(
            all.members_by_role,
            vec![
                (Role::Admin, 1),
                (Role::Leader, 0),
                (Role::Manager, 1),
                (Role::Coach, 1),
                (Role::Seller, 0),
                (Role::Interviewer, 0)
            ]
        );
        let keys: Vec<&str> = all
            .trailing_means
            .iter()
            .map(|(k, ..)| k.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "years_experience",
                "quota_track_record",
                "tenure_years",
                "vip_connections",
                "domain_expertise"
            ]
        );
        assert_eq!(
            all.trailing_means[0],
            ("years_experience".to_owned(), Some(6.0), 2)
        );
        assert_eq!(
            all.trailing_means[1],
            ("quota_track_record".to_owned(), None, 0)
        );
        assert!(!all.recent_changes.is_empty() && all.recent_changes.len() <= 10);

        let scope = s.scope(org, mia).await.unwrap();
        let mine = s.overview(org, &scope).await.unwrap();
        assert_eq!((mine.teams, mine.people, mine.recent_hires), (2, 4, 1));
        assert_eq!(
            mine.trailing_means[0],
            ("years_experience".to_owned(), Some(2.0), 1)
        );
        assert!(
            mine.recent_changes.is_empty(),
            "only organisation-wide roles see the log"
        );

        let nothing = s.overview(org, &Scope::Nothing).await.unwrap();
        assert_eq!((nothing.teams, nothing.people), (0, 0));
        assert_eq!(nothing.members_by_role.len(), 6);
        assert_eq!(nothing.trailing_means.len(), 5);
    }
}
