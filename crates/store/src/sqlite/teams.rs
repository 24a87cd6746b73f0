//! Teams: nested by an optional parent in the same organisation, managed by an optional person.

use sellerq_domain::ids::check_name;
use sellerq_domain::{Team, TeamInput};
use serde_json::json;
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::rows::{self, Change, now, team_select, unique_columns};
use super::{ScopeArgs, begin, people};
use crate::{Actor, Scope, StoreError, StoreResult, TeamSummary};

pub(super) async fn list(
    pool: &SqlitePool,
    org_id: i64,
    scope: &Scope,
) -> StoreResult<Vec<TeamSummary>> {
    // Teams are visible to the organisation-wide and team scopes only (`Scope::sees_team`).
    let Some(args) = ScopeArgs::of(scope).filter(|a| a.kind != "person") else {
        return Ok(Vec::new());
    };
    let found = sqlx::query(
        "SELECT t.id, t.name, t.parent_id, t.manager, t.description, \
                pt.name AS parent_name, mp.name AS manager_name, \
                (SELECT COUNT(*) FROM people p WHERE p.org_id = t.org_id AND p.team_id = t.id) \
                  AS people \
         FROM teams t \
         LEFT JOIN teams pt ON pt.org_id = t.org_id AND pt.id = t.parent_id \
         LEFT JOIN people mp ON mp.org_id = t.org_id AND mp.id = t.manager \
         WHERE t.org_id = $1 \
           AND ($2 = 'org' OR t.id IN (SELECT value FROM json_each($3))) \
         ORDER BY t.name, t.id",
    )
    .bind(org_id)
    .bind(args.kind)
    .bind(&args.team_ids)
    .fetch_all(pool)
    .await?;
    found
        .iter()
        .map(|r| {
            Ok(TeamSummary {
                team: rows::team(r)?,
                parent_name: r.try_get("parent_name")?,
                manager_name: r.try_get("manager_name")?,
                people: r.try_get("people")?,
            })
        })
        .collect()
}

pub(super) async fn get(pool: &SqlitePool, org_id: i64, id: i64) -> StoreResult<Option<Team>> {
    let mut conn = pool.acquire().await?;
    get_in(&mut conn, org_id, id).await
}

/// A team of the organisation, on a connection (inside a transaction).
pub(super) async fn get_in(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
) -> StoreResult<Option<Team>> {
    let row = sqlx::query(concat!(team_select!(), "WHERE t.org_id = $1 AND t.id = $2"))
        .bind(org_id)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| rows::team(&r)).transpose()
}

pub(super) async fn by_name(
    pool: &SqlitePool,
    org_id: i64,
    name: &str,
) -> StoreResult<Option<Team>> {
    let mut conn = pool.acquire().await?;
    by_name_in(&mut conn, org_id, name).await
}

async fn by_name_in(
    conn: &mut SqliteConnection,
    org_id: i64,
    name: &str,
) -> StoreResult<Option<Team>> {
    let row = sqlx::query(concat!(
        team_select!(),
        "WHERE t.org_id = $1 AND t.name = $2"
    ))
    .bind(org_id)
    .bind(name.trim())
    .fetch_optional(conn)
    .await?;
    row.map(|r| rows::team(&r)).transpose()
}

/// The team named `name`, created (and logged) if the organisation has none: people.csv's
/// `team` column names teams, and an unknown name creates one. Returns (id, created).
pub(super) async fn ensure(
    conn: &mut SqliteConnection,
    org_id: i64,
    name: &str,
    actor: &Actor,
) -> StoreResult<(i64, bool)> {
    if let Some(team) = by_name_in(conn, org_id, name).await? {
        return Ok((team.id, false));
    }
    let name = check_name(name).map_err(|m| StoreError::invalid("team", m))?;
    let input = TeamInput {
        name,
        parent_id: None,
        manager: None,
        description: String::new(),
    };
    let team = insert(conn, org_id, &input, actor).await?;
    Ok((team.id, true))
}

/// Checks a team's references: the parent exists in the organisation, and the manager is a
/// person of the organisation.
async fn check_refs(
    conn: &mut SqliteConnection,
    org_id: i64,
    input: &TeamInput,
) -> StoreResult<()> {
    if let Some(parent) = input.parent_id
        && get_in(conn, org_id, parent).await?.is_none()
    {
        return Err(StoreError::invalid(
            "parent_id",
            format!("team {parent} does not exist in this organisation"),
        ));
    }
    if let Some(manager) = &input.manager
        && !people::exists(conn, org_id, manager).await?
    {
        return Err(StoreError::invalid(
            "manager",
            format!("no person with id {manager} in this organisation"),
        ));
    }
    Ok(())
}

fn name_taken(e: sqlx::Error, name: &str) -> StoreError {
    match unique_columns(&e) {
        Some(_) => StoreError::conflict("name", format!("a team named {name:?} already exists")),
        None => e.into(),
    }
}

/// Inserts a checked team and logs it.
async fn insert(
    conn: &mut SqliteConnection,
    org_id: i64,
    input: &TeamInput,
    actor: &Actor,
) -> StoreResult<Team> {
    let name = check_name(&input.name).map_err(|m| StoreError::invalid("name", m))?;
    check_refs(conn, org_id, input).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO teams (org_id, name, parent_id, manager, description, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org_id)
    .bind(&name)
    .bind(input.parent_id)
    .bind(input.manager.as_ref().map(|m| m.as_str()))
    .bind(&input.description)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| name_taken(e, &name))?
    .try_get(0)?;
    let team = Team {
        id,
        name,
        parent_id: input.parent_id,
        manager: input.manager.clone(),
        description: input.description.clone(),
    };
    Change::new(Some(org_id), actor, "create", "team", id.to_string())
        .after(summary(&team))
        .write(conn)
        .await?;
    Ok(team)
}

/// The audit summary of a team.
fn summary(t: &Team) -> serde_json::Value {
    json!({ "name": t.name, "parent_id": t.parent_id, "manager": t.manager,
            "description": t.description })
}

pub(super) async fn create(
    pool: &SqlitePool,
    org_id: i64,
    input: &TeamInput,
    actor: &Actor,
) -> StoreResult<Team> {
    let mut tx = begin(pool).await?;
    let team = insert(&mut tx, org_id, input, actor).await?;
    tx.commit().await?;
    Ok(team)
}

pub(super) async fn update(
    pool: &SqlitePool,
    org_id: i64,
    id: i64,
    input: &TeamInput,
    actor: &Actor,
) -> StoreResult<Team> {
    let name = check_name(&input.name).map_err(|m| StoreError::invalid("name", m))?;
    let mut tx = begin(pool).await?;
    let Some(before) = get_in(&mut tx, org_id, id).await? else {
        return Err(StoreError::NotFound("team"));
    };
    check_refs(&mut tx, org_id, input).await?;
    if let Some(parent) = input.parent_id {
        // The new parent may not be the team itself or one of its descendants: walk up from
        // the parent and look for this team.
        let loops = parent == id
            || sqlx::query(
                "WITH RECURSIVE up(id, parent_id) AS ( \
                     SELECT id, parent_id FROM teams WHERE org_id = $1 AND id = $2 \
                     UNION \
                     SELECT t.id, t.parent_id FROM teams t JOIN up ON t.id = up.parent_id \
                      WHERE t.org_id = $1 \
                 ) SELECT 1 FROM up WHERE id = $3",
            )
            .bind(org_id)
            .bind(parent)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if loops {
            return Err(StoreError::invalid(
                "parent_id",
                format!(
                    "team {parent} is this team or one of its sub-teams: that would make a cycle"
                ),
            ));
        }
    }
    sqlx::query(
        "UPDATE teams SET name = $3, parent_id = $4, manager = $5, description = $6 \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .bind(&name)
    .bind(input.parent_id)
    .bind(input.manager.as_ref().map(|m| m.as_str()))
    .bind(&input.description)
    .execute(&mut *tx)
    .await
    .map_err(|e| name_taken(e, &name))?;
    let after = Team {
        id,
        name,
        parent_id: input.parent_id,
        manager: input.manager.clone(),
        description: input.description.clone(),
    };
    Change::new(Some(org_id), actor, "update", "team", id.to_string())
        .before(summary(&before))
        .after(summary(&after))
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
    let Some(before) = get_in(&mut tx, org_id, id).await? else {
        return Err(StoreError::NotFound("team"));
    };
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM people WHERE org_id = $1 AND team_id = $2) AS people, \
                (SELECT COUNT(*) FROM teams WHERE org_id = $1 AND parent_id = $2) AS teams",
    )
    .bind(org_id)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let (people, teams): (i64, i64) = (row.try_get("people")?, row.try_get("teams")?);
    if people > 0 || teams > 0 {
        return Err(StoreError::conflict(
            "team",
            format!(
                "team {:?} still has {people} people and {teams} sub-teams; move them first",
                before.name
            ),
        ));
    }
    // Assignments of managers and coaches to the team go with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM teams WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Change::new(Some(org_id), actor, "delete", "team", id.to_string())
        .before(summary(&before))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
