//! Row mapping, error mapping and the audit writer shared by the SQLite store's modules.
//!
//! Domain types carry no SQL derives (STYLE.md habit 7), so every row is mapped here by hand
//! with `Row::try_get`; a stored value that no longer parses (which only a foreign writer could
//! cause) surfaces as a decode error rather than a panic.

use sellerq_domain::person::{format_date, parse_date};
use sellerq_domain::{Email, Person, PersonId, Role, Team};
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::{Actor, AuditEntry, Org, StoreError, StoreResult, User};

/// The columns every person query selects, so that [`person`] can map any of them.
/// A macro, not a `const`, so that `concat!` can build `&'static str` queries from it (sqlx 0.9
/// accepts only static SQL without `AssertSqlSafe`).
macro_rules! person_select {
    () => {
        "SELECT p.id, p.name, p.email, p.team_id, t.name AS team, p.manager, p.hire_date, \
         p.years_experience, p.quota_track_record, p.tenure_years, p.vip_connections, \
         p.domain_expertise \
         FROM people p LEFT JOIN teams t ON t.org_id = p.org_id AND t.id = p.team_id "
    };
}
pub(super) use person_select;

/// The columns every team query selects, for [`team`].
macro_rules! team_select {
    () => {
        "SELECT t.id, t.name, t.parent_id, t.manager, t.description FROM teams t "
    };
}
pub(super) use team_select;

/// Unix seconds now.
pub(super) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A value read from the database that does not parse into its domain type.
pub(super) fn corrupt(column: &str, message: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("stored value does not parse: {message}").into(),
    })
}

pub(super) fn person_id(raw: String, column: &str) -> StoreResult<PersonId> {
    PersonId::parse(&raw).map_err(|m| corrupt(column, m))
}

fn email(raw: String, column: &str) -> StoreResult<Email> {
    Email::parse(&raw).map_err(|m| corrupt(column, m))
}

pub(super) fn role(raw: &str) -> StoreResult<Role> {
    raw.parse::<Role>().map_err(|m| corrupt("role", m))
}

/// Maps a row of [`person_select!`].
pub(super) fn person(row: &SqliteRow) -> StoreResult<Person> {
    let hire_date: Option<String> = row.try_get("hire_date")?;
    Ok(Person {
        id: person_id(row.try_get("id")?, "id")?,
        name: row.try_get("name")?,
        email: row
            .try_get::<Option<String>, _>("email")?
            .map(|e| email(e, "email"))
            .transpose()?,
        team: row.try_get("team")?,
        team_id: row.try_get("team_id")?,
        manager: row
            .try_get::<Option<String>, _>("manager")?
            .map(|m| person_id(m, "manager"))
            .transpose()?,
        hire_date: hire_date
            .map(|d| parse_date(&d).map_err(|m| corrupt("hire_date", m)))
            .transpose()?,
        years_experience: row.try_get("years_experience")?,
        quota_track_record: row.try_get("quota_track_record")?,
        tenure_years: row.try_get("tenure_years")?,
        vip_connections: row.try_get("vip_connections")?,
        domain_expertise: row.try_get("domain_expertise")?,
    })
}

/// Maps a row of [`team_select!`].
pub(super) fn team(row: &SqliteRow) -> StoreResult<Team> {
    Ok(Team {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        parent_id: row.try_get("parent_id")?,
        manager: row
            .try_get::<Option<String>, _>("manager")?
            .map(|m| person_id(m, "manager"))
            .transpose()?,
        description: row.try_get("description")?,
    })
}

/// Maps `id, name, created_at` of `organisations` (with an optional column prefix).
pub(super) fn org(row: &SqliteRow, prefix: &str) -> StoreResult<Org> {
    Ok(Org {
        id: row.try_get(format!("{prefix}id").as_str())?,
        name: row.try_get(format!("{prefix}name").as_str())?,
        created_at: row.try_get(format!("{prefix}created_at").as_str())?,
    })
}

/// Maps `id, email, name, created_at` of `users` (with an optional column prefix).
pub(super) fn user(row: &SqliteRow, prefix: &str) -> StoreResult<User> {
    Ok(User {
        id: row.try_get(format!("{prefix}id").as_str())?,
        email: email(row.try_get(format!("{prefix}email").as_str())?, "email")?,
        name: row.try_get(format!("{prefix}name").as_str())?,
        created_at: row.try_get(format!("{prefix}created_at").as_str())?,
    })
}

pub(super) fn audit_entry(row: &SqliteRow) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        before: row.try_get("before_json")?,
        after: row.try_get("after_json")?,
    })
}

/// The text a hire date is stored as.
pub(super) fn date_text(d: Option<time::Date>) -> Option<String> {
    d.map(format_date)
}

/// The columns a UNIQUE violation names (`people.org_id, people.email`), if `e` is one.
///
/// SQLite reports the table-qualified columns of the violated index; callers turn them into
/// the field the user typed.
pub(super) fn unique_columns(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let m = db.message();
            Some(
                m.strip_prefix("UNIQUE constraint failed: ")
                    .unwrap_or(m)
                    .to_owned(),
            )
        }
        _ => None,
    }
}

/// The message the immutability triggers raise.
const IN_USE: &str = "model version is in use by ratings";

/// True if `e` is the immutability trigger firing.
pub(super) fn is_in_use(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.message().contains(IN_USE))
}

/// One audit log row, written inside the transaction of the change it records.
#[derive(Debug)]
pub(super) struct Change<'a> {
    org_id: Option<i64>,
    actor: &'a Actor,
    action: &'a str,
    entity: &'a str,
    entity_id: String,
    before: Option<Value>,
    after: Option<Value>,
}

impl<'a> Change<'a> {
    pub(super) fn new(
        org_id: Option<i64>,
        actor: &'a Actor,
        action: &'a str,
        entity: &'a str,
        entity_id: impl Into<String>,
    ) -> Self {
        Self {
            org_id,
            actor,
            action,
            entity,
            entity_id: entity_id.into(),
            before: None,
            after: None,
        }
    }

    pub(super) fn before(mut self, v: Value) -> Self {
        self.before = Some(v);
        self
    }

    pub(super) fn after(mut self, v: Value) -> Self {
        self.after = Some(v);
        self
    }

    pub(super) async fn write(self, conn: &mut SqliteConnection) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (org_id, at, actor_user_id, actor, action, entity, entity_id, \
             before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(self.org_id)
        .bind(now())
        .bind(self.actor.user_id)
        .bind(&self.actor.label)
        .bind(self.action)
        .bind(self.entity)
        .bind(&self.entity_id)
        .bind(self.before.map(|v| v.to_string()))
        .bind(self.after.map(|v| v.to_string()))
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// What `real_text!` writes for a value it does not write exactly.
pub(super) const INEXACT: &str = "?";

/// A value as `real_text!` wrote it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum RealText {
    Null,
    Value(f64),
    /// Out of the exact range: to be read again typed.
    Inexact,
}

/// Parses a value `real_text!` wrote; anything else is a corrupt-row error naming `what`.
pub(super) fn real_value(text: &str, what: &str) -> StoreResult<RealText> {
    match text {
        "NULL" => Ok(RealText::Null),
        INEXACT => Ok(RealText::Inexact),
        t => t
            .parse::<f64>()
            .map(RealText::Value)
            .map_err(|_| corrupt(what, format!("{t:?} is not a number"))),
    }
}
