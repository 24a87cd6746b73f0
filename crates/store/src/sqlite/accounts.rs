//! Organisations, users, memberships, what a member may see (scope), sessions and API tokens.

use std::collections::{BTreeMap, HashSet};

use sellerq_domain::model::{DEFAULT_MODEL_TOML, Model};
use sellerq_domain::role::Reach;
use sellerq_domain::{Email, OrgName, PersonId, Role};
use serde_json::json;
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::rows::{self, Change, now, unique_columns};
use super::{begin, teams};
use crate::{Actor, Member, Membership, Org, Scope, Session, StoreError, StoreResult, User};

pub(super) async fn create_organisation(
    pool: &SqlitePool,
    name: &OrgName,
    actor: &Actor,
) -> StoreResult<Org> {
    // Parse before writing anything: the default model is embedded, so a failure here is a
    // build defect, but it must not leave an organisation without a model.
    let model = Model::parse(DEFAULT_MODEL_TOML)
        .map_err(|e| StoreError::invalid("model", format!("the default model is invalid: {e}")))?;
    let mut tx = begin(pool).await?;
    let at = now();
    let id: i64 =
        sqlx::query("INSERT INTO organisations (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name.as_str())
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match unique_columns(&e) {
                Some(_) => StoreError::conflict(
                    "name",
                    format!("an organisation named {name:?} already exists"),
                ),
                None => e.into(),
            })?
            .try_get(0)?;
    Change::new(Some(id), actor, "create", "organisation", id.to_string())
        .after(json!({ "name": name.as_str() }))
        .write(&mut tx)
        .await?;
    let version_id: i64 = sqlx::query(
        "INSERT INTO model_versions (org_id, label, toml, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(id)
    .bind(&model.version)
    .bind(DEFAULT_MODEL_TOML)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    Change::new(
        Some(id),
        actor,
        "create",
        "model_version",
        version_id.to_string(),
    )
    .after(json!({ "label": model.version, "source": "default model" }))
    .write(&mut tx)
    .await?;
    super::outcomes::add_default_metric(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Org {
        id,
        name: name.as_str().to_owned(),
        created_at: at,
    })
}

pub(super) async fn organisation_by_name(
    pool: &SqlitePool,
    name: &str,
) -> StoreResult<Option<Org>> {
    let row = sqlx::query("SELECT id, name, created_at FROM organisations WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    row.map(|r| rows::org(&r, "")).transpose()
}

pub(super) async fn organisation(pool: &SqlitePool, id: i64) -> StoreResult<Option<Org>> {
    let row = sqlx::query("SELECT id, name, created_at FROM organisations WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.map(|r| rows::org(&r, "")).transpose()
}

pub(super) async fn create_user(
    pool: &SqlitePool,
    email: &Email,
    name: &str,
    password_hash: &str,
) -> StoreResult<User> {
    let name = sellerq_domain::ids::check_name(name).map_err(|m| StoreError::invalid("name", m))?;
    let mut tx = begin(pool).await?;
    let at = now();
    let id: i64 = sqlx::query(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(email.as_str())
    .bind(&name)
    .bind(password_hash)
    .bind(at)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match unique_columns(&e) {
        Some(_) => StoreError::conflict("email", format!("a user with {email} already exists")),
        None => e.into(),
    })?
    .try_get(0)?;
    // The trait gives no actor here: a user is created by `init`, `user add` or an admin, and
    // the membership that follows records who; the account itself is logged as `system`.
    Change::new(
        None,
        &Actor::system("system"),
        "create",
        "user",
        id.to_string(),
    )
    .after(json!({ "email": email.as_str(), "name": name }))
    .write(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(User {
        id,
        email: email.clone(),
        name,
        created_at: at,
    })
}

pub(super) async fn user_by_email(
    pool: &SqlitePool,
    email: &Email,
) -> StoreResult<Option<(User, String)>> {
    let row = sqlx::query(
        "SELECT id, email, name, created_at, password_hash FROM users WHERE email = $1",
    )
    .bind(email.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|r| Ok((rows::user(&r, "")?, r.try_get("password_hash")?)))
        .transpose()
}

pub(super) async fn user(pool: &SqlitePool, id: i64) -> StoreResult<Option<User>> {
    let row = sqlx::query("SELECT id, email, name, created_at FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.map(|r| rows::user(&r, "")).transpose()
}

pub(super) async fn password_hash(pool: &SqlitePool, user_id: i64) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub(super) async fn set_password(
    pool: &SqlitePool,
    user_id: i64,
    password_hash: &str,
    keep_session: Option<&str>,
    actor: &Actor,
) -> StoreResult<()> {
    let mut tx = begin(pool).await?;
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("user"));
    }
    // A new password ends every other session: whoever knew the old one is signed out.
    let ended =
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR token_hash <> $2)")
            .bind(user_id)
            .bind(keep_session)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    // Never the hash itself in the log.
    Change::new(None, actor, "set_password", "user", user_id.to_string())
        .after(json!({ "password": "changed", "sessions_ended": ended }))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn set_membership(
    pool: &SqlitePool,
    org_id: i64,
    user_id: i64,
    role: Role,
    team_ids: &[i64],
    actor: &Actor,
) -> StoreResult<()> {
    let mut tx = begin(pool).await?;
    if organisation_exists(&mut tx, org_id).await?.is_none() {
        return Err(StoreError::NotFound("organisation"));
    }
    let Some(user_email) = sqlx::query("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Err(StoreError::NotFound("user"));
    };
    let user_email: String = user_email.try_get(0)?;
    let mut wanted: Vec<i64> = team_ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    for team_id in &wanted {
        if teams::get_in(&mut tx, org_id, *team_id).await?.is_none() {
            return Err(StoreError::invalid(
                "team_ids",
                format!("team {team_id} does not exist in this organisation"),
            ));
        }
    }
    let before = membership_row(&mut tx, org_id, user_id).await?;
    let membership_id: i64 = sqlx::query(
        "INSERT INTO memberships (user_id, org_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role RETURNING id",
    )
    .bind(user_id)
    .bind(org_id)
    .bind(role.as_str())
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    sqlx::query("DELETE FROM membership_teams WHERE membership_id = $1")
        .bind(membership_id)
        .execute(&mut *tx)
        .await?;
    for team_id in &wanted {
        sqlx::query("INSERT INTO membership_teams (membership_id, team_id) VALUES ($1, $2)")
            .bind(membership_id)
            .bind(team_id)
            .execute(&mut *tx)
            .await?;
    }
    let mut change = Change::new(
        Some(org_id),
        actor,
        if before.is_some() { "update" } else { "create" },
        "membership",
        user_email.clone(),
    );
    if let Some((role, teams)) = before {
        change = change.before(json!({ "user": user_email, "role": role, "team_ids": teams }));
    }
    change
        .after(json!({ "user": user_email, "role": role.as_str(), "team_ids": wanted }))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn organisation_exists(conn: &mut SqliteConnection, org_id: i64) -> StoreResult<Option<()>> {
    let row = sqlx::query("SELECT 1 FROM organisations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|_| ()))
}

/// The user's current (role, team ids) in the organisation, for the audit's `before`.
async fn membership_row(
    conn: &mut SqliteConnection,
    org_id: i64,
    user_id: i64,
) -> StoreResult<Option<(String, Vec<i64>)>> {
    let Some(row) =
        sqlx::query("SELECT id, role FROM memberships WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let id: i64 = row.try_get("id")?;
    let teams = sqlx::query(
        "SELECT team_id FROM membership_teams WHERE membership_id = $1 ORDER BY team_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<Vec<i64>, _>>()?;
    Ok(Some((row.try_get("role")?, teams)))
}

/// The user's memberships (in one organisation if `only_org`), ordered by organisation name.
pub(super) async fn memberships(
    pool: &SqlitePool,
    user_id: i64,
    only_org: Option<i64>,
) -> StoreResult<Vec<Membership>> {
    let found = sqlx::query(
        "SELECT m.id AS membership_id, m.role, o.id, o.name, o.created_at \
         FROM memberships m JOIN organisations o ON o.id = m.org_id \
         WHERE m.user_id = $1 AND ($2 IS NULL OR m.org_id = $2) \
         ORDER BY o.name, o.id",
    )
    .bind(user_id)
    .bind(only_org)
    .fetch_all(pool)
    .await?;
    let mut teams = membership_teams(
        pool,
        "SELECT mt.membership_id, mt.team_id FROM membership_teams mt \
         JOIN memberships m ON m.id = mt.membership_id WHERE m.user_id = $1 \
         ORDER BY mt.team_id",
        user_id,
    )
    .await?;
    found
        .iter()
        .map(|r| {
            let membership_id: i64 = r.try_get("membership_id")?;
            Ok(Membership {
                org: rows::org(r, "")?,
                role: rows::role(r.try_get("role")?)?,
                team_ids: teams.remove(&membership_id).unwrap_or_default(),
            })
        })
        .collect()
}

/// The organisation's members, ordered by name (then e-mail, which is unique).
pub(super) async fn members(pool: &SqlitePool, org_id: i64) -> StoreResult<Vec<Member>> {
    let found = sqlx::query(
        "SELECT m.id AS membership_id, m.role, u.id, u.email, u.name, u.created_at \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.org_id = $1 ORDER BY u.name, u.email",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    let mut teams = membership_teams(
        pool,
        "SELECT mt.membership_id, mt.team_id FROM membership_teams mt \
         JOIN memberships m ON m.id = mt.membership_id WHERE m.org_id = $1 \
         ORDER BY mt.team_id",
        org_id,
    )
    .await?;
    found
        .iter()
        .map(|r| {
            let membership_id: i64 = r.try_get("membership_id")?;
            Ok(Member {
                user: rows::user(r, "")?,
                role: rows::role(r.try_get("role")?)?,
                team_ids: teams.remove(&membership_id).unwrap_or_default(),
            })
        })
        .collect()
}

/// Team ids per membership id, from a query selecting `(membership_id, team_id)`.
async fn membership_teams(
    pool: &SqlitePool,
    sql: &'static str,
    key: i64,
) -> StoreResult<BTreeMap<i64, Vec<i64>>> {
    let mut by_membership: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for r in sqlx::query(sql).bind(key).fetch_all(pool).await? {
        by_membership
            .entry(r.try_get(0)?)
            .or_default()
            .push(r.try_get(1)?);
    }
    Ok(by_membership)
}

/// The user's own person in the organisation: the person with the user's e-mail.
async fn own_person(pool: &SqlitePool, org_id: i64, user_id: i64) -> StoreResult<Option<PersonId>> {
    let row = sqlx::query(
        "SELECT p.id FROM people p JOIN users u ON u.email = p.email \
         WHERE p.org_id = $1 AND u.id = $2",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| rows::person_id(r.try_get(0)?, "id"))
        .transpose()
}

pub(super) async fn scope(pool: &SqlitePool, org_id: i64, user_id: i64) -> StoreResult<Scope> {
    let Some(membership) = memberships(pool, user_id, Some(org_id)).await?.pop() else {
        // Not a member: sees nothing of this organisation.
        return Ok(Scope::Nothing);
    };
    match membership.role.reach() {
        Reach::Organisation => Ok(Scope::Organisation),
        Reach::Nothing => Ok(Scope::Nothing),
        Reach::OwnRecord => Ok(Scope::Person(own_person(pool, org_id, user_id).await?)),
        Reach::AssignedTeams => {
            let me = own_person(pool, org_id, user_id).await?;
            // Assigned teams, teams the user's own person manages, and every team below them.
            // UNION (not UNION ALL) makes the recursion stop even if parents ever formed a loop.
            let found = sqlx::query(
                "WITH RECURSIVE reach(id) AS ( \
                     SELECT mt.team_id FROM membership_teams mt \
                       JOIN memberships m ON m.id = mt.membership_id \
                       JOIN teams t ON t.id = mt.team_id AND t.org_id = m.org_id \
                      WHERE m.org_id = $1 AND m.user_id = $2 \
                     UNION \
                     SELECT t.id FROM teams t WHERE t.org_id = $1 AND t.manager = $3 \
                     UNION \
                     SELECT t.id FROM teams t JOIN reach r ON t.parent_id = r.id \
                      WHERE t.org_id = $1 \
                 ) SELECT id FROM reach",
            )
            .bind(org_id)
            .bind(user_id)
            .bind(me.as_ref().map(PersonId::as_str))
            .fetch_all(pool)
            .await?;
            let team_ids = found
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<HashSet<i64>, _>>()?;
            Ok(Scope::Teams {
                team_ids,
                reports_of: me,
            })
        }
    }
}

pub(super) async fn create_session(pool: &SqlitePool, s: &Session) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, org_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.token_hash)
    .bind(s.user_id)
    .bind(s.org_id)
    .bind(&s.csrf_token)
    .bind(s.created_at)
    .bind(s.expires_at)
    .execute(pool)
    .await
    .map_err(|e| match unique_columns(&e) {
        Some(_) => StoreError::conflict("token_hash", "a session with this token already exists"),
        None => e.into(),
    })?;
    Ok(())
}

pub(super) async fn session(
    pool: &SqlitePool,
    token_hash: &str,
    now: i64,
) -> StoreResult<Option<Session>> {
    let row = sqlx::query(
        "SELECT token_hash, user_id, org_id, csrf_token, created_at, expires_at FROM sessions \
         WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(Session {
            token_hash: r.try_get("token_hash")?,
            user_id: r.try_get("user_id")?,
            org_id: r.try_get("org_id")?,
            csrf_token: r.try_get("csrf_token")?,
            created_at: r.try_get("created_at")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

pub(super) async fn set_session_org(
    pool: &SqlitePool,
    token_hash: &str,
    org_id: i64,
) -> StoreResult<()> {
    // Only into an organisation the session's user belongs to: the switch can never widen
    // what the user sees.
    let done = sqlx::query(
        "UPDATE sessions SET org_id = $2 WHERE token_hash = $1 AND EXISTS \
         (SELECT 1 FROM memberships m WHERE m.user_id = sessions.user_id AND m.org_id = $2)",
    )
    .bind(token_hash)
    .bind(org_id)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("membership"));
    }
    Ok(())
}

pub(super) async fn create_api_token(
    pool: &SqlitePool,
    org_id: i64,
    user_id: i64,
    token_hash: &str,
    label: &str,
    actor: &Actor,
) -> StoreResult<i64> {
    let mut tx = begin(pool).await?;
    let Some((role, _)) = membership_row(&mut tx, org_id, user_id).await? else {
        return Err(StoreError::invalid(
            "user",
            "is not a member of this organisation",
        ));
    };
    let id: i64 = sqlx::query(
        "INSERT INTO api_tokens (token_hash, user_id, org_id, label, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(org_id)
    .bind(label)
    .bind(now())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match unique_columns(&e) {
        Some(_) => StoreError::conflict("token_hash", "this token already exists"),
        None => e.into(),
    })?
    .try_get(0)?;
    Change::new(Some(org_id), actor, "create", "api_token", id.to_string())
        .after(json!({ "user_id": user_id, "role": role, "label": label }))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub(super) async fn api_token(
    pool: &SqlitePool,
    token_hash: &str,
    now: i64,
) -> StoreResult<Option<(i64, i64)>> {
    // A token works only while its user is still a member of the token's organisation.
    let row = sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 AND EXISTS \
         (SELECT 1 FROM memberships m \
           WHERE m.user_id = api_tokens.user_id AND m.org_id = api_tokens.org_id) \
         RETURNING user_id, org_id",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    row.map(|r| Ok((r.try_get("user_id")?, r.try_get("org_id")?)))
        .transpose()
}
