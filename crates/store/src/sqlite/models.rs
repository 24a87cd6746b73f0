//! Model versions, and the parsed-model cache.
//!
//! A version is *in use* once a cycle on it has left draft or holds ratings; then it never
//! changes. The rule is checked here first, to answer with [`StoreError::Immutable`]; the
//! migrations' triggers refuse the same change from any other writer.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use sellerq_domain::model::Model;
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::begin;
use super::rows::{Change, is_in_use, now, unique_columns};
use crate::{Actor, ModelVersion, StoreError, StoreResult};

macro_rules! version_select {
    () => {
        "SELECT mv.id, mv.org_id, mv.label, mv.toml, mv.created_at, \
                EXISTS (SELECT 1 FROM cycles c \
                         WHERE c.model_version_id = mv.id \
                           AND (c.status <> 'draft' \
                                OR EXISTS (SELECT 1 FROM ratings r WHERE r.cycle_id = c.id))) \
                  AS in_use \
         FROM model_versions mv "
    };
}

/// Parsed models. A version in use never changes (the store refuses, the triggers too), so it
/// is cached by its id and served without a query; any other version is read each time and its
/// parse cached by the text's hash, so an edited draft version can never be served stale.
#[derive(Debug, Default)]
pub(super) struct ModelCache {
    by_text: Mutex<HashMap<u64, Arc<Model>>>,
    in_use: Mutex<HashMap<(i64, i64), Arc<Model>>>,
}

impl ModelCache {
    /// The model of `toml`, parsed once.
    pub(super) fn get(&self, toml: &str) -> StoreResult<Arc<Model>> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        toml.hash(&mut h);
        let key = h.finish();
        if let Some(m) = self.by_text.lock().map_err(|_| poisoned())?.get(&key) {
            return Ok(Arc::clone(m));
        }
        let model = Arc::new(Model::parse(toml).map_err(|e| {
            StoreError::Database(sqlx::Error::ColumnDecode {
                index: "toml".into(),
                source: format!("a stored model version does not parse: {e}").into(),
            })
        })?);
        let mut map = self.by_text.lock().map_err(|_| poisoned())?;
        // Versions are few; a bound keeps a long-lived server from growing without end.
        if map.len() >= 256 {
            map.clear();
        }
        map.insert(key, Arc::clone(&model));
        Ok(model)
    }

    /// The model of version `id` of the organisation, read on `conn`.
    pub(super) async fn of_version(
        &self,
        conn: &mut SqliteConnection,
        org_id: i64,
        id: i64,
    ) -> StoreResult<Arc<Model>> {
        if let Some(m) = self
            .in_use
            .lock()
            .map_err(|_| poisoned())?
            .get(&(org_id, id))
        {
            return Ok(Arc::clone(m));
        }
        let row = sqlx::query(concat!(
            version_select!(),
            "WHERE mv.org_id = $1 AND mv.id = $2"
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound("model version"))?;
        let v = version(&row)?;
        let model = self.get(&v.toml)?;
        if v.in_use {
            let mut map = self.in_use.lock().map_err(|_| poisoned())?;
            if map.len() >= 1024 {
                map.clear();
            }
            map.insert((org_id, id), Arc::clone(&model));
        }
        Ok(model)
    }
}

fn poisoned() -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(
        "the model cache lock is poisoned".into(),
    ))
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

pub(super) async fn version_in(
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
            "model version {:?} is in use (a cycle on it is open, closed or rated) and cannot \
             change; add a new version instead",
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

/// The id of the organisation's current (newest) model version.
pub(super) async fn current_id(conn: &mut SqliteConnection, org_id: i64) -> StoreResult<i64> {
    let row =
        sqlx::query("SELECT id FROM model_versions WHERE org_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(org_id)
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound("model version"))?;
    Ok(row.try_get(0)?)
}
