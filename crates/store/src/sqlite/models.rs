//! Model versions, cycles and ratings: the minimum that the "a model version in use never
//! changes" rule needs (issue 3 extends cycles and ratings).
//!
//! The rule is checked here first, to answer with [`StoreError::Immutable`]; the migration's
//! triggers refuse the same change from any other writer.

use sellerq_domain::model::Model;
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::rows::{Change, is_in_use, now, unique_columns};
use super::{begin, people};
use crate::{Actor, Cycle, ModelVersion, NewRating, StoreError, StoreResult};

/// Rater roles of ratings.csv.
const RATER_ROLES: [&str; 5] = ["self", "manager", "peer", "coach", "interviewer"];

macro_rules! version_select {
    () => {
        "SELECT mv.id, mv.org_id, mv.label, mv.toml, mv.created_at, \
                EXISTS (SELECT 1 FROM cycles c JOIN ratings r ON r.cycle_id = c.id \
                         WHERE c.model_version_id = mv.id) AS in_use \
         FROM model_versions mv "
    };
}

fn version(r: &SqliteRow) -> StoreResult<ModelVersion> {
    Ok(ModelVersion {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        label: r.try_get("label")?,
        toml: r.try_get("toml")?,
        created_at: r.try_get("created_at")?,
        in_use: r.try_get("in_use")?,
    })
}

async fn version_in(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
) -> StoreResult<Option<ModelVersion>> {
    let row = sqlx::query(concat!(
        version_select!(),
        "WHERE mv.org_id = $1 AND mv.id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(version).transpose()
}

pub(super) async fn versions(pool: &SqlitePool, org_id: i64) -> StoreResult<Vec<ModelVersion>> {
    let found = sqlx::query(concat!(
        version_select!(),
        "WHERE mv.org_id = $1 ORDER BY mv.id"
    ))
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    found.iter().map(version).collect()
}

pub(super) async fn current(pool: &SqlitePool, org_id: i64) -> StoreResult<ModelVersion> {
    let row = sqlx::query(concat!(
        version_select!(),
        "WHERE mv.org_id = $1 ORDER BY mv.id DESC LIMIT 1"
    ))
    .bind(org_id)
    .fetch_optional(pool)
    .await?;
    row.as_ref()
        .map(version)
        .transpose()?
        .ok_or(StoreError::NotFound("model version"))
}

/// The text must be a valid model: the store is the last gate before a cycle freezes it.
fn check_toml(toml: &str) -> StoreResult<Model> {
    Model::parse(toml).map_err(|e| StoreError::invalid("toml", e.to_string()))
}

pub(super) async fn add_version(
    pool: &SqlitePool,
    org_id: i64,
    label: &str,
    toml: &str,
    actor: &Actor,
) -> StoreResult<ModelVersion> {
    let label = label.trim();
    if label.is_empty() {
        return Err(StoreError::invalid("label", "is required"));
    }
    check_toml(toml)?;
    let mut tx = begin(pool).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO model_versions (org_id, label, toml, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(org_id)
    .bind(label)
    .bind(toml)
    .bind(now())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match unique_columns(&e) {
        Some(_) => StoreError::conflict("label", format!("model version {label:?} already exists")),
        None => e.into(),
    })?
    .try_get(0)?;
    Change::new(
        Some(org_id),
        actor,
        "create",
        "model_version",
        id.to_string(),
    )
    .after(json!({ "label": label, "bytes": toml.len() }))
    .write(&mut tx)
    .await?;
    let added = version_in(&mut tx, org_id, id)
        .await?
        .ok_or(StoreError::NotFound("model version"))?;
    tx.commit().await?;
    Ok(added)
}

pub(super) async fn update_version(
    pool: &SqlitePool,
    org_id: i64,
    id: i64,
    toml: &str,
    actor: &Actor,
) -> StoreResult<ModelVersion> {
    check_toml(toml)?;
    let mut tx = begin(pool).await?;
    let Some(before) = version_in(&mut tx, org_id, id).await? else {
        return Err(StoreError::NotFound("model version"));
    };
    let frozen = || {
        StoreError::Immutable(format!(
            "model version {:?} is in use by ratings and cannot change; add a new version instead",
            before.label
        ))
    };
    if before.in_use {
        return Err(frozen());
    }
    sqlx::query("UPDATE model_versions SET toml = $3 WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .bind(toml)
        .execute(&mut *tx)
        .await
        .map_err(|e| if is_in_use(&e) { frozen() } else { e.into() })?;
    Change::new(
        Some(org_id),
        actor,
        "update",
        "model_version",
        id.to_string(),
    )
    .before(json!({ "label": before.label, "bytes": before.toml.len() }))
    .after(json!({ "label": before.label, "bytes": toml.len() }))
    .write(&mut tx)
    .await?;
    let after = version_in(&mut tx, org_id, id)
        .await?
        .ok_or(StoreError::NotFound("model version"))?;
    tx.commit().await?;
    Ok(after)
}

pub(super) async fn create_cycle(
    pool: &SqlitePool,
    org_id: i64,
    name: &str,
    model_version_id: i64,
    actor: &Actor,
) -> StoreResult<Cycle> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::invalid("name", "is required"));
    }
    let mut tx = begin(pool).await?;
    let Some(model) = version_in(&mut tx, org_id, model_version_id).await? else {
        return Err(StoreError::invalid(
            "model_version_id",
            format!("model version {model_version_id} does not exist in this organisation"),
        ));
    };
    let id: i64 = sqlx::query(
        "INSERT INTO cycles (org_id, name, model_version_id, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(model_version_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match unique_columns(&e) {
        Some(_) => StoreError::conflict("name", format!("a cycle named {name:?} already exists")),
        None => e.into(),
    })?
    .try_get(0)?;
    Change::new(Some(org_id), actor, "create", "cycle", id.to_string())
        .after(json!({ "name": name, "model_version": model.label }))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(Cycle {
        id,
        org_id,
        name: name.to_owned(),
        model_version_id,
    })
}

pub(super) async fn add_rating(
    pool: &SqlitePool,
    org_id: i64,
    r: &NewRating,
    actor: &Actor,
) -> StoreResult<i64> {
    if !RATER_ROLES.contains(&r.role.as_str()) {
        return Err(StoreError::invalid(
            "role",
            format!(
                "{:?} is not a rater role (self, manager, peer, coach or interviewer)",
                r.role
            ),
        ));
    }
    let rater = r.rater.trim();
    if rater.is_empty() {
        return Err(StoreError::invalid("rater", "is required"));
    }
    if r.role == "self" && rater != r.subject.as_str() {
        return Err(StoreError::invalid(
            "rater",
            "a self rating's rater must be the subject",
        ));
    }
    let quality = r.quality.trim();
    if quality.is_empty() {
        return Err(StoreError::invalid("quality", "is required"));
    }
    let mut tx = begin(pool).await?;
    let cycle = sqlx::query("SELECT name FROM cycles WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(r.cycle_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(cycle) = cycle else {
        return Err(StoreError::invalid(
            "cycle_id",
            format!("cycle {} does not exist in this organisation", r.cycle_id),
        ));
    };
    let cycle: String = cycle.try_get(0)?;
    if !people::exists(&mut tx, org_id, &r.subject).await? {
        return Err(StoreError::invalid(
            "subject",
            format!("no person with id {} in this organisation", r.subject),
        ));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO ratings (org_id, cycle_id, subject, rater, role, quality, score, evidence, \
           created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(org_id)
    .bind(r.cycle_id)
    .bind(r.subject.as_str())
    .bind(rater)
    .bind(&r.role)
    .bind(quality)
    .bind(r.score)
    .bind(&r.evidence)
    .bind(now())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match unique_columns(&e) {
        Some(_) => StoreError::conflict(
            "quality",
            format!(
                "{rater} has already rated {} on {quality} in cycle {cycle}",
                r.subject
            ),
        ),
        None => e.into(),
    })?
    .try_get(0)?;
    Change::new(Some(org_id), actor, "create", "rating", id.to_string())
        .after(
            json!({ "cycle": cycle, "subject": r.subject, "rater": rater, "role": r.role,
                       "quality": quality, "score": r.score }),
        )
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}
