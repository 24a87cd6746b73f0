//! Cycles (status, due date, rater roles, frozen model version), organisation settings,
//! participants and rater assignments.
//!
//! A cycle's model version is frozen once the cycle leaves draft or holds ratings: checked here
//! to answer [`StoreError::Immutable`], and by the migration's triggers for any other writer.

use std::collections::{BTreeSet, HashMap};

use sellerq_domain::assessment::{
    AssignmentStatus, CycleInput, CycleName, CycleStatus, OrgSettings, RaterRole, RaterRoles,
};
use sellerq_domain::person::{format_date, parse_date};
use sellerq_domain::{Email, PersonId};
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};
use time::Date;

use super::begin;
use super::models::{self, ModelCache};
use super::rows::{Change, corrupt, now, person_id, unique_columns};
use crate::{
    Actor, Assignment, Completion, CompletionCounts, Cycle, MyAssessment, NewAssignment,
    Participant, ParticipantRef, RaterCompletion, SheetState, StoreError, StoreResult,
    SubjectCompletion,
};

/// The columns [`cycle`] maps.
macro_rules! cycle_select {
    () => {
        "SELECT c.id, c.org_id, c.name, c.model_version_id, c.status, c.due_date, \
                c.rater_roles, c.created_at, c.opened_at, c.closed_at \
         FROM cycles c "
    };
}

/// Maps a row of [`cycle_select!`].
pub(super) fn cycle(r: &SqliteRow) -> StoreResult<Cycle> {
    let name: String = r.try_get("name")?;
    let status: String = r.try_get("status")?;
    let roles: String = r.try_get("rater_roles")?;
    let due: Option<String> = r.try_get("due_date")?;
    Ok(Cycle {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        name: CycleName::parse(&name).map_err(|m| corrupt("name", m))?,
        model_version_id: r.try_get("model_version_id")?,
        status: status.parse().map_err(|m| corrupt("status", m))?,
        due_date: due
            .map(|d| parse_date(&d).map_err(|m| corrupt("due_date", m)))
            .transpose()?,
        rater_roles: RaterRoles::parse(&roles).map_err(|m| corrupt("rater_roles", m))?,
        created_at: r.try_get("created_at")?,
        opened_at: r.try_get("opened_at")?,
        closed_at: r.try_get("closed_at")?,
    })
}

pub(super) async fn get_in(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
) -> StoreResult<Option<Cycle>> {
    let row = sqlx::query(concat!(
        cycle_select!(),
        "WHERE c.org_id = $1 AND c.id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(cycle).transpose()
}

pub(super) async fn get(pool: &SqlitePool, org_id: i64, id: i64) -> StoreResult<Option<Cycle>> {
    let mut conn = pool.acquire().await?;
    get_in(&mut conn, org_id, id).await
}

/// The cycle, or `NotFound`.
pub(super) async fn require(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
) -> StoreResult<Cycle> {
    get_in(conn, org_id, id)
        .await?
        .ok_or(StoreError::NotFound("cycle"))
}

pub(super) async fn by_name(
    pool: &SqlitePool,
    org_id: i64,
    name: &str,
) -> StoreResult<Option<Cycle>> {
    let row = sqlx::query(concat!(
        cycle_select!(),
        "WHERE c.org_id = $1 AND c.name = $2"
    ))
    .bind(org_id)
    .bind(name.trim())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(cycle).transpose()
}

pub(super) async fn list(pool: &SqlitePool, org_id: i64) -> StoreResult<Vec<Cycle>> {
    let rows = sqlx::query(concat!(
        cycle_select!(),
        "WHERE c.org_id = $1 ORDER BY c.name"
    ))
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(cycle).collect()
}

/// Does the cycle hold any rating (draft or submitted)?
pub(super) async fn has_ratings(conn: &mut SqliteConnection, cycle_id: i64) -> StoreResult<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM ratings WHERE cycle_id = $1 LIMIT 1")
            .bind(cycle_id)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// The audit summary of a cycle.
fn summary(c: &Cycle) -> serde_json::Value {
    json!({ "name": c.name, "model_version_id": c.model_version_id, "status": c.status,
            "due_date": c.due_date.map(format_date), "rater_roles": c.rater_roles.to_string() })
}

fn name_taken(e: sqlx::Error, name: &CycleName) -> StoreError {
    match unique_columns(&e) {
        Some(_) => StoreError::conflict("name", format!("a cycle named {name} already exists")),
        None => e.into(),
    }
}

/// Checks that a model version belongs to the organisation.
async fn check_version(
    conn: &mut SqliteConnection,
    org_id: i64,
    model_version_id: i64,
) -> StoreResult<()> {
    if models::version_in(conn, org_id, model_version_id)
        .await?
        .is_none()
    {
        return Err(StoreError::invalid(
            "model_version_id",
            format!("model version {model_version_id} does not exist in this organisation"),
        ));
    }
    Ok(())
}

/// Inserts a cycle (inside the caller's transaction) and logs it.
pub(super) async fn insert(
    conn: &mut SqliteConnection,
    org_id: i64,
    input: &CycleInput,
    status: CycleStatus,
    actor: &Actor,
) -> StoreResult<Cycle> {
    let version = match input.model_version_id {
        Some(v) => {
            check_version(conn, org_id, v).await?;
            v
        }
        None => models::current_id(conn, org_id).await?,
    };
    let at = now();
    let opened_at = (status != CycleStatus::Draft).then_some(at);
    let id: i64 = sqlx::query(
        "INSERT INTO cycles (org_id, name, model_version_id, created_at, status, due_date, \
           rater_roles, opened_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(org_id)
    .bind(input.name.as_str())
    .bind(version)
    .bind(at)
    .bind(status.as_str())
    .bind(input.due_date.map(format_date))
    .bind(input.rater_roles.to_string())
    .bind(opened_at)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| name_taken(e, &input.name))?
    .try_get(0)?;
    let created = require(conn, org_id, id).await?;
    Change::new(Some(org_id), actor, "create", "cycle", id.to_string())
        .after(summary(&created))
        .write(conn)
        .await?;
    Ok(created)
}

pub(super) async fn create(
    pool: &SqlitePool,
    org_id: i64,
    input: &CycleInput,
    actor: &Actor,
) -> StoreResult<Cycle> {
    let mut tx = begin(pool).await?;
    let created = insert(&mut tx, org_id, input, CycleStatus::Draft, actor).await?;
    tx.commit().await?;
    Ok(created)
}

fn closed(c: &Cycle) -> StoreError {
    StoreError::conflict(
        "status",
        format!(
            "cycle {} is closed and takes no more changes or ratings; reopen it first",
            c.name
        ),
    )
}

pub(super) async fn update(
    pool: &SqlitePool,
    org_id: i64,
    id: i64,
    input: &CycleInput,
    actor: &Actor,
) -> StoreResult<Cycle> {
    let mut tx = begin(pool).await?;
    let before = require(&mut tx, org_id, id).await?;
    if before.status == CycleStatus::Closed {
        return Err(closed(&before));
    }
    let version = input.model_version_id.unwrap_or(before.model_version_id);
    if version != before.model_version_id {
        if before.status.freezes_model_version() || has_ratings(&mut tx, id).await? {
            return Err(StoreError::Immutable(format!(
                "the model version of cycle {} is frozen: the cycle has been opened or holds \
                 ratings",
                before.name
            )));
        }
        check_version(&mut tx, org_id, version).await?;
    }
    sqlx::query(
        "UPDATE cycles SET name = $3, model_version_id = $4, due_date = $5, rater_roles = $6 \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .bind(input.name.as_str())
    .bind(version)
    .bind(input.due_date.map(format_date))
    .bind(input.rater_roles.to_string())
    .execute(&mut *tx)
    .await
    .map_err(|e| name_taken(e, &input.name))?;
    // Roles newly collected get their automatic assignments for the people already in.
    let subjects: Vec<String> =
        sqlx::query("SELECT subject FROM cycle_participants WHERE cycle_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
    let after = require(&mut tx, org_id, id).await?;
    for s in subjects {
        auto_assign(&mut tx, &after, &person_id(s, "subject")?).await?;
    }
    Change::new(Some(org_id), actor, "update", "cycle", id.to_string())
        .before(summary(&before))
        .after(summary(&after))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(after)
}

pub(super) async fn set_status(
    pool: &SqlitePool,
    org_id: i64,
    id: i64,
    status: CycleStatus,
    actor: &Actor,
) -> StoreResult<Cycle> {
    let mut tx = begin(pool).await?;
    let before = require(&mut tx, org_id, id).await?;
    before
        .status
        .transition(status)
        .map_err(|m| StoreError::invalid("status", format!("cycle {}: {m}", before.name)))?;
    let at = now();
    sqlx::query(
        "UPDATE cycles SET status = $3, \
           opened_at = CASE WHEN $3 = 'open' THEN $4 ELSE opened_at END, \
           closed_at = CASE WHEN $3 = 'closed' THEN $4 ELSE closed_at END \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .bind(status.as_str())
    .bind(at)
    .execute(&mut *tx)
    .await?;
    let action = match (before.status, status) {
        (CycleStatus::Closed, CycleStatus::Open) => "reopen",
        (_, CycleStatus::Open) => "open",
        _ => "close",
    };
    let after = require(&mut tx, org_id, id).await?;
    Change::new(Some(org_id), actor, action, "cycle", id.to_string())
        .before(json!({ "name": before.name, "status": before.status }))
        .after(json!({ "name": after.name, "status": after.status }))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(after)
}

pub(super) async fn delete(
    pool: &SqlitePool,
    org_id: i64,
    id: i64,
    actor: &Actor,
) -> StoreResult<()> {
    let mut tx = begin(pool).await?;
    let before = require(&mut tx, org_id, id).await?;
    if before.status != CycleStatus::Draft || has_ratings(&mut tx, id).await? {
        return Err(StoreError::conflict(
            "status",
            format!(
                "cycle {} has been opened or holds ratings: close it instead of deleting it",
                before.name
            ),
        ));
    }
    for sql in [
        "DELETE FROM cycle_raters WHERE cycle_id = $1",
        "DELETE FROM cycle_participants WHERE cycle_id = $1",
        "DELETE FROM cycles WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    Change::new(Some(org_id), actor, "delete", "cycle", id.to_string())
        .before(summary(&before))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

// --- settings --------------------------------------------------------------------------------

pub(super) async fn settings(pool: &SqlitePool, org_id: i64) -> StoreResult<OrgSettings> {
    let mut conn = pool.acquire().await?;
    settings_in(&mut conn, org_id).await
}

pub(super) async fn settings_in(
    conn: &mut SqliteConnection,
    org_id: i64,
) -> StoreResult<OrgSettings> {
    let row = sqlx::query(
        "SELECT anonymity_threshold, blind_spot_threshold FROM org_settings WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        None => OrgSettings::default(),
        Some(r) => OrgSettings {
            anonymity_threshold: r.try_get("anonymity_threshold")?,
            blind_spot_threshold: r.try_get("blind_spot_threshold")?,
        },
    })
}

pub(super) async fn set_settings(
    pool: &SqlitePool,
    org_id: i64,
    s: &OrgSettings,
    actor: &Actor,
) -> StoreResult<OrgSettings> {
    if let Some(e) = s.check().err().and_then(|e| e.0.into_iter().next()) {
        return Err(StoreError::invalid(&e.field, e.message));
    }
    let mut tx = begin(pool).await?;
    let before = settings_in(&mut tx, org_id).await?;
    sqlx::query(
        "INSERT INTO org_settings (org_id, anonymity_threshold, blind_spot_threshold, updated_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id) DO UPDATE SET anonymity_threshold = excluded.anonymity_threshold, \
           blind_spot_threshold = excluded.blind_spot_threshold, updated_at = excluded.updated_at",
    )
    .bind(org_id)
    .bind(s.anonymity_threshold)
    .bind(s.blind_spot_threshold)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    Change::new(
        Some(org_id),
        actor,
        "update",
        "settings",
        org_id.to_string(),
    )
    .before(serde_json::to_value(before).unwrap_or_default())
    .after(serde_json::to_value(s).unwrap_or_default())
    .write(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(*s)
}

// --- participants ----------------------------------------------------------------------------

/// The ids of the people of `team_id` and of its sub-teams; `None` if the team is unknown.
async fn team_people(
    conn: &mut SqliteConnection,
    org_id: i64,
    team_id: i64,
) -> StoreResult<Option<Vec<String>>> {
    let known = sqlx::query("SELECT 1 FROM teams WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(team_id)
        .fetch_optional(&mut *conn)
        .await?;
    if known.is_none() {
        return Ok(None);
    }
    let rows = sqlx::query(
        "WITH RECURSIVE down(id) AS ( \
             SELECT $2 \
             UNION \
             SELECT t.id FROM teams t JOIN down ON t.parent_id = down.id WHERE t.org_id = $1 \
         ) \
         SELECT p.id FROM people p WHERE p.org_id = $1 AND p.team_id IN (SELECT id FROM down) \
         ORDER BY p.id",
    )
    .bind(org_id)
    .bind(team_id)
    .fetch_all(conn)
    .await?;
    Ok(Some(
        rows.iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?,
    ))
}

/// The line manager of `subject`, or else their team's manager (never themselves).
async fn manager_of(
    conn: &mut SqliteConnection,
    org_id: i64,
    subject: &PersonId,
) -> StoreResult<Option<String>> {
    let row = sqlx::query(
        "SELECT COALESCE(p.manager, \
                  (SELECT t.manager FROM teams t WHERE t.org_id = p.org_id AND t.id = p.team_id \
                     AND t.manager <> p.id)) \
         FROM people p WHERE p.org_id = $1 AND p.id = $2",
    )
    .bind(org_id)
    .bind(subject.as_str())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?.flatten())
}

/// Creates the automatic (approved) self and manager assignments a participant is due, if
/// missing.
async fn auto_assign(
    conn: &mut SqliteConnection,
    cycle: &Cycle,
    subject: &PersonId,
) -> StoreResult<()> {
    let mut raters: Vec<(String, RaterRole)> = Vec::new();
    if cycle.rater_roles.contains(RaterRole::SelfRating) {
        raters.push((subject.as_str().to_owned(), RaterRole::SelfRating));
    }
    if cycle.rater_roles.contains(RaterRole::Manager)
        && let Some(m) = manager_of(conn, cycle.org_id, subject).await?
    {
        raters.push((m, RaterRole::Manager));
    }
    let at = now();
    for (rater, role) in raters {
        sqlx::query(
            "INSERT INTO cycle_raters (org_id, cycle_id, subject, rater, role, status, \
               created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'approved', $6, $6) \
             ON CONFLICT (cycle_id, subject, rater) DO NOTHING",
        )
        .bind(cycle.org_id)
        .bind(cycle.id)
        .bind(subject.as_str())
        .bind(rater)
        .bind(role.as_str())
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(super) async fn add_participants(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: i64,
    who: &[ParticipantRef],
    actor: &Actor,
) -> StoreResult<u64> {
    let mut tx = begin(pool).await?;
    let cycle = require(&mut tx, org_id, cycle_id).await?;
    if cycle.status == CycleStatus::Closed {
        return Err(closed(&cycle));
    }
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for w in who {
        match w {
            ParticipantRef::Person(p) => {
                if !super::people::exists(&mut tx, org_id, p).await? {
                    return Err(StoreError::invalid(
                        "participants",
                        format!("no person with id {p} in this organisation"),
                    ));
                }
                ids.insert(p.as_str().to_owned());
            }
            ParticipantRef::Team(t) => {
                let people = team_people(&mut tx, org_id, *t).await?.ok_or_else(|| {
                    StoreError::invalid(
                        "participants",
                        format!("team {t} does not exist in this organisation"),
                    )
                })?;
                ids.extend(people);
            }
        }
    }
    let at = now();
    let mut added = Vec::new();
    for id in ids {
        let done = sqlx::query(
            "INSERT INTO cycle_participants (org_id, cycle_id, subject, added_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (cycle_id, subject) DO NOTHING",
        )
        .bind(org_id)
        .bind(cycle_id)
        .bind(&id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            auto_assign(&mut tx, &cycle, &person_id(id.clone(), "subject")?).await?;
            added.push(id);
        }
    }
    if !added.is_empty() {
        let shown: Vec<&String> = added.iter().take(50).collect();
        Change::new(
            Some(org_id),
            actor,
            "add_participants",
            "cycle",
            cycle_id.to_string(),
        )
        .after(json!({ "cycle": cycle.name, "added": added.len(), "people": shown }))
        .write(&mut tx)
        .await?;
    }
    tx.commit().await?;
    Ok(added.len() as u64)
}

/// Submitted ratings of `subject` in the cycle, by `rater` if given.
async fn submitted(
    conn: &mut SqliteConnection,
    cycle_id: i64,
    subject: &PersonId,
    rater: Option<&PersonId>,
) -> StoreResult<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) FROM ratings WHERE cycle_id = $1 AND subject = $2 \
           AND ($3 IS NULL OR rater = $3) AND state = 'submitted'",
    )
    .bind(cycle_id)
    .bind(subject.as_str())
    .bind(rater.map(PersonId::as_str))
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

pub(super) async fn remove_participant(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: i64,
    subject: &PersonId,
    actor: &Actor,
) -> StoreResult<()> {
    let mut tx = begin(pool).await?;
    let cycle = require(&mut tx, org_id, cycle_id).await?;
    if cycle.status == CycleStatus::Closed {
        return Err(closed(&cycle));
    }
    let n = submitted(&mut tx, cycle_id, subject, None).await?;
    if n > 0 {
        return Err(StoreError::conflict(
            "subject",
            format!(
                "{subject} has {n} submitted ratings in cycle {}; they stay",
                cycle.name
            ),
        ));
    }
    let gone = sqlx::query("DELETE FROM cycle_participants WHERE cycle_id = $1 AND subject = $2")
        .bind(cycle_id)
        .bind(subject.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(StoreError::NotFound("participant"));
    }
    for sql in [
        "DELETE FROM cycle_raters WHERE cycle_id = $1 AND subject = $2",
        "DELETE FROM ratings WHERE cycle_id = $1 AND subject = $2 AND state = 'draft'",
    ] {
        sqlx::query(sql)
            .bind(cycle_id)
            .bind(subject.as_str())
            .execute(&mut *tx)
            .await?;
    }
    Change::new(
        Some(org_id),
        actor,
        "remove_participant",
        "cycle",
        cycle_id.to_string(),
    )
    .before(json!({ "cycle": cycle.name, "subject": subject }))
    .write(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn participants(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: i64,
) -> StoreResult<Vec<Participant>> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, t.name AS team, p.manager \
         FROM cycle_participants cp \
         JOIN people p ON p.org_id = cp.org_id AND p.id = cp.subject \
         LEFT JOIN teams t ON t.org_id = p.org_id AND t.id = p.team_id \
         WHERE cp.org_id = $1 AND cp.cycle_id = $2 ORDER BY p.name, p.id",
    )
    .bind(org_id)
    .bind(cycle_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Participant {
                subject: person_id(r.try_get("id")?, "id")?,
                name: r.try_get("name")?,
                team: r.try_get("team")?,
                manager: r
                    .try_get::<Option<String>, _>("manager")?
                    .map(|m| person_id(m, "manager"))
                    .transpose()?,
            })
        })
        .collect()
}

// --- assignments -------------------------------------------------------------------------------

/// The columns [`assignment`] maps: an assignment with its names and its sheet's progress.
macro_rules! assignment_select {
    () => {
        "SELECT a.cycle_id, a.subject, ps.name AS subject_name, a.rater, pr.name AS rater_name, \
                pr.email AS rater_email, a.role, a.status, \
                (SELECT COUNT(*) FROM ratings r WHERE r.cycle_id = a.cycle_id \
                   AND r.subject = a.subject AND r.rater = a.rater) AS answered, \
                (SELECT COUNT(*) FROM ratings r WHERE r.cycle_id = a.cycle_id \
                   AND r.subject = a.subject AND r.rater = a.rater \
                   AND r.state = 'submitted') AS submitted \
         FROM cycle_raters a \
         JOIN people ps ON ps.org_id = a.org_id AND ps.id = a.subject \
         JOIN people pr ON pr.org_id = a.org_id AND pr.id = a.rater "
    };
}

/// Role order within a subject: self, manager, peer, coach.
macro_rules! role_order {
    () => {
        "CASE a.role WHEN 'self' THEN 0 WHEN 'manager' THEN 1 WHEN 'peer' THEN 2 ELSE 3 END"
    };
}

fn assignment(r: &SqliteRow) -> StoreResult<Assignment> {
    let role: String = r.try_get("role")?;
    let status: String = r.try_get("status")?;
    let answered: i64 = r.try_get("answered")?;
    let submitted: i64 = r.try_get("submitted")?;
    Ok(Assignment {
        cycle_id: r.try_get("cycle_id")?,
        subject: person_id(r.try_get("subject")?, "subject")?,
        subject_name: r.try_get("subject_name")?,
        rater: person_id(r.try_get("rater")?, "rater")?,
        rater_name: r.try_get("rater_name")?,
        role: role.parse().map_err(|m| corrupt("role", m))?,
        status: status.parse().map_err(|m| corrupt("status", m))?,
        state: sheet_state(answered, submitted),
        answered: u32::try_from(answered).unwrap_or(u32::MAX),
    })
}

/// A sheet's state from its counts of answers and submitted answers.
pub(super) fn sheet_state(answered: i64, submitted: i64) -> SheetState {
    if submitted > 0 {
        SheetState::Submitted
    } else if answered > 0 {
        SheetState::Draft
    } else {
        SheetState::NotStarted
    }
}

/// One assignment, or `None`.
pub(super) async fn assignment_in(
    conn: &mut SqliteConnection,
    org_id: i64,
    cycle_id: i64,
    subject: &PersonId,
    rater: &PersonId,
) -> StoreResult<Option<Assignment>> {
    let row = sqlx::query(concat!(
        assignment_select!(),
        "WHERE a.org_id = $1 AND a.cycle_id = $2 AND a.subject = $3 AND a.rater = $4"
    ))
    .bind(org_id)
    .bind(cycle_id)
    .bind(subject.as_str())
    .bind(rater.as_str())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(assignment).transpose()
}

pub(super) async fn assign(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: i64,
    a: &NewAssignment,
    actor: &Actor,
) -> StoreResult<Assignment> {
    let mut tx = begin(pool).await?;
    let cycle = require(&mut tx, org_id, cycle_id).await?;
    if cycle.status == CycleStatus::Closed {
        return Err(closed(&cycle));
    }
    if !cycle.rater_roles.contains(a.role) {
        return Err(StoreError::invalid(
            "role",
            format!(
                "cycle {} does not collect {} ratings (it collects {})",
                cycle.name, a.role, cycle.rater_roles
            ),
        ));
    }
    if a.status == AssignmentStatus::Nominated && a.role != RaterRole::Peer {
        return Err(StoreError::invalid(
            "role",
            "only peers are nominated; managers, coaches and self are assigned",
        ));
    }
    if (a.role == RaterRole::SelfRating) != (a.rater == a.subject) {
        return Err(StoreError::invalid(
            "rater",
            "a self rating is given by the subject, and only a self rating is",
        ));
    }
    let is_participant =
        sqlx::query("SELECT 1 FROM cycle_participants WHERE cycle_id = $1 AND subject = $2")
            .bind(cycle_id)
            .bind(a.subject.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
    if !is_participant {
        return Err(StoreError::invalid(
            "subject",
            format!("{} is not a participant of cycle {}", a.subject, cycle.name),
        ));
    }
    if !super::people::exists(&mut tx, org_id, &a.rater).await? {
        return Err(StoreError::invalid(
            "rater",
            format!("no person with id {} in this organisation", a.rater),
        ));
    }
    let at = now();
    sqlx::query(
        "INSERT INTO cycle_raters (org_id, cycle_id, subject, rater, role, status, created_at, \
           updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(org_id)
    .bind(cycle_id)
    .bind(a.subject.as_str())
    .bind(a.rater.as_str())
    .bind(a.role.as_str())
    .bind(a.status.as_str())
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(|e| match unique_columns(&e) {
        Some(_) => StoreError::conflict(
            "rater",
            format!(
                "{} is already asked to rate {} in cycle {}",
                a.rater, a.subject, cycle.name
            ),
        ),
        None => e.into(),
    })?;
    let made = assignment_in(&mut tx, org_id, cycle_id, &a.subject, &a.rater)
        .await?
        .ok_or(StoreError::NotFound("assignment"))?;
    Change::new(
        Some(org_id),
        actor,
        if a.status == AssignmentStatus::Nominated {
            "nominate"
        } else {
            "assign"
        },
        "rater",
        format!("{cycle_id}/{}/{}", a.subject, a.rater),
    )
    .after(
        json!({ "cycle": cycle.name, "subject": a.subject, "rater": a.rater,
                   "role": a.role, "status": a.status }),
    )
    .write(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(made)
}

pub(super) async fn set_assignment_status(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: i64,
    subject: &PersonId,
    rater: &PersonId,
    status: AssignmentStatus,
    actor: &Actor,
) -> StoreResult<Assignment> {
    let mut tx = begin(pool).await?;
    let cycle = require(&mut tx, org_id, cycle_id).await?;
    if cycle.status == CycleStatus::Closed {
        return Err(closed(&cycle));
    }
    let before = assignment_in(&mut tx, org_id, cycle_id, subject, rater)
        .await?
        .ok_or(StoreError::NotFound("assignment"))?;
    if before.state == SheetState::Submitted {
        return Err(StoreError::conflict(
            "status",
            format!("{rater} has already submitted their ratings of {subject}"),
        ));
    }
    if status == AssignmentStatus::Nominated && before.role != RaterRole::Peer {
        return Err(StoreError::invalid("status", "only peers are nominated"));
    }
    sqlx::query(
        "UPDATE cycle_raters SET status = $4, updated_at = $5 \
         WHERE cycle_id = $1 AND subject = $2 AND rater = $3",
    )
    .bind(cycle_id)
    .bind(subject.as_str())
    .bind(rater.as_str())
    .bind(status.as_str())
    .bind(now())
    .execute(&mut *tx)
    .await?;
    if status == AssignmentStatus::Declined {
        discard_draft(&mut tx, cycle_id, subject, rater).await?;
    }
    let after = assignment_in(&mut tx, org_id, cycle_id, subject, rater)
        .await?
        .ok_or(StoreError::NotFound("assignment"))?;
    Change::new(
        Some(org_id),
        actor,
        status.as_str(),
        "rater",
        format!("{cycle_id}/{subject}/{rater}"),
    )
    .before(json!({ "status": before.status }))
    .after(json!({ "status": after.status }))
    .write(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(after)
}

async fn discard_draft(
    conn: &mut SqliteConnection,
    cycle_id: i64,
    subject: &PersonId,
    rater: &PersonId,
) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM ratings WHERE cycle_id = $1 AND subject = $2 AND rater = $3 \
           AND state = 'draft'",
    )
    .bind(cycle_id)
    .bind(subject.as_str())
    .bind(rater.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn remove_assignment(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: i64,
    subject: &PersonId,
    rater: &PersonId,
    actor: &Actor,
) -> StoreResult<()> {
    let mut tx = begin(pool).await?;
    let cycle = require(&mut tx, org_id, cycle_id).await?;
    if cycle.status == CycleStatus::Closed {
        return Err(closed(&cycle));
    }
    let before = assignment_in(&mut tx, org_id, cycle_id, subject, rater)
        .await?
        .ok_or(StoreError::NotFound("assignment"))?;
    if before.state == SheetState::Submitted {
        return Err(StoreError::conflict(
            "rater",
            format!("{rater} has already submitted their ratings of {subject}; they stay"),
        ));
    }
    sqlx::query("DELETE FROM cycle_raters WHERE cycle_id = $1 AND subject = $2 AND rater = $3")
        .bind(cycle_id)
        .bind(subject.as_str())
        .bind(rater.as_str())
        .execute(&mut *tx)
        .await?;
    discard_draft(&mut tx, cycle_id, subject, rater).await?;
    Change::new(
        Some(org_id),
        actor,
        "unassign",
        "rater",
        format!("{cycle_id}/{subject}/{rater}"),
    )
    .before(json!({ "role": before.role, "status": before.status }))
    .write(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn assignments(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: i64,
    subject: Option<&PersonId>,
) -> StoreResult<Vec<Assignment>> {
    let rows = sqlx::query(concat!(
        assignment_select!(),
        "WHERE a.org_id = $1 AND a.cycle_id = $2 AND ($3 IS NULL OR a.subject = $3) \
         ORDER BY ps.name, a.subject, ",
        role_order!(),
        ", pr.name, a.rater"
    ))
    .bind(org_id)
    .bind(cycle_id)
    .bind(subject.map(PersonId::as_str))
    .fetch_all(pool)
    .await?;
    rows.iter().map(assignment).collect()
}

pub(super) async fn my_assessments(
    pool: &SqlitePool,
    cache: &ModelCache,
    org_id: i64,
    rater: &PersonId,
    today: Date,
) -> StoreResult<Vec<MyAssessment>> {
    let mut conn = pool.acquire().await?;
    let rows = sqlx::query(concat!(
        "SELECT c.name AS cycle_name, c.due_date, c.model_version_id, x.* FROM (",
        assignment_select!(),
        "WHERE a.org_id = $1 AND a.rater = $2 AND a.status = 'approved') x \
         JOIN cycles c ON c.id = x.cycle_id AND c.status = 'open' \
         ORDER BY c.due_date IS NULL, c.due_date, c.name, x.subject_name, x.subject"
    ))
    .bind(org_id)
    .bind(rater.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut sizes: HashMap<i64, u32> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let a = assignment(r)?;
        let version: i64 = r.try_get("model_version_id")?;
        let qualities = match sizes.get(&version) {
            Some(n) => *n,
            None => {
                let m = cache.of_version(&mut conn, org_id, version).await?;
                let n = u32::try_from(m.qualities.len()).unwrap_or(u32::MAX);
                sizes.insert(version, n);
                n
            }
        };
        let name: String = r.try_get("cycle_name")?;
        let due: Option<String> = r.try_get("due_date")?;
        let due_date = due
            .map(|d| parse_date(&d).map_err(|m| corrupt("due_date", m)))
            .transpose()?;
        out.push(MyAssessment {
            cycle_id: a.cycle_id,
            cycle: CycleName::parse(&name).map_err(|m| corrupt("name", m))?,
            overdue: a.state != SheetState::Submitted && due_date.is_some_and(|d| today > d),
            due_date,
            subject: a.subject,
            subject_name: a.subject_name,
            role: a.role,
            state: a.state,
            answered: a.answered,
            qualities,
        });
    }
    Ok(out)
}

pub(super) async fn completion(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: i64,
    today: Date,
) -> StoreResult<Completion> {
    let mut conn = pool.acquire().await?;
    let cycle = require(&mut conn, org_id, cycle_id).await?;
    let past_due = cycle.due_date.is_some_and(|d| today > d);
    let rows = sqlx::query(concat!(
        assignment_select!(),
        "WHERE a.org_id = $1 AND a.cycle_id = $2 AND a.status = 'approved'"
    ))
    .bind(org_id)
    .bind(cycle_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut totals = CompletionCounts::default();
    let mut raters: HashMap<String, RaterCompletion> = HashMap::new();
    let mut subjects: HashMap<String, SubjectCompletion> = HashMap::new();
    for r in &rows {
        let a = assignment(r)?;
        totals.count(a.state, past_due);
        let email: Option<String> = r.try_get("rater_email")?;
        raters
            .entry(a.rater.as_str().to_owned())
            .or_insert_with(|| RaterCompletion {
                rater: a.rater.clone(),
                name: a.rater_name.clone(),
                email: email.and_then(|e| Email::parse(&e).ok()),
                counts: CompletionCounts::default(),
            })
            .counts
            .count(a.state, past_due);
        subjects
            .entry(a.subject.as_str().to_owned())
            .or_insert_with(|| SubjectCompletion {
                subject: a.subject.clone(),
                name: a.subject_name.clone(),
                counts: CompletionCounts::default(),
            })
            .counts
            .count(a.state, past_due);
    }
    let mut raters: Vec<RaterCompletion> = raters.into_values().collect();
    raters.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.rater.cmp(&b.rater)));
    let mut subjects: Vec<SubjectCompletion> = subjects.into_values().collect();
    subjects.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.subject.cmp(&b.subject)));
    Ok(Completion {
        cycle_id,
        due_date: cycle.due_date,
        past_due,
        totals,
        raters,
        subjects,
    })
}
