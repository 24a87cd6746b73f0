//! The audit log and the dashboard's figures.

use std::collections::HashMap;

use sellerq_domain::person::format_date;
use sellerq_domain::{Role, TRAILING_INDICATORS};
use sqlx::{Row, SqlitePool};

use super::rows::{self};
use super::{ScopeArgs, people_in_scope};
use crate::{AuditEntry, Overview, Scope, StoreResult};

/// How many audit entries the dashboard shows.
const RECENT_CHANGES: u32 = 10;

pub(super) async fn audit_log(
    pool: &SqlitePool,
    org_id: i64,
    limit: u32,
) -> StoreResult<Vec<AuditEntry>> {
    let found = sqlx::query(
        "SELECT id, at, actor, action, entity, entity_id, before_json, after_json \
         FROM audit_log WHERE org_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(org_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    found.iter().map(rows::audit_entry).collect()
}

/// The organisation's largest audit-log id: every write records its audit row in its own
/// transaction, so this grows exactly when the organisation's data changes (see
/// `Store::data_version`). Answered from the `audit_log_org (org_id, id)` index.
pub(super) async fn data_version(pool: &SqlitePool, org_id: i64) -> StoreResult<i64> {
    let row = sqlx::query("SELECT coalesce(max(id), 0) FROM audit_log WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(pool)
        .await?;
    Ok(row.try_get(0)?)
}

pub(super) async fn data_versions(pool: &SqlitePool) -> StoreResult<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT o.id, (SELECT coalesce(max(a.id), 0) FROM audit_log a WHERE a.org_id = o.id) \
         FROM organisations o ORDER BY o.id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

pub(super) async fn overview(
    pool: &SqlitePool,
    org_id: i64,
    scope: &Scope,
) -> StoreResult<Overview> {
    let mut o = Overview {
        trailing_means: TRAILING_INDICATORS
            .iter()
            .map(|t| (t.key.to_owned(), None, 0))
            .collect(),
        ..Overview::default()
    };

    let roles: HashMap<String, i64> =
        sqlx::query("SELECT role, COUNT(*) FROM memberships WHERE org_id = $1 GROUP BY role")
            .bind(org_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?;
    o.members_by_role = Role::ALL
        .iter()
        .map(|r| (*r, roles.get(r.as_str()).copied().unwrap_or(0)))
        .collect();

    if *scope == Scope::Organisation {
        o.recent_changes = audit_log(pool, org_id, RECENT_CHANGES).await?;
    }

    let Some(args) = ScopeArgs::of(scope) else {
        return Ok(o);
    };
    if args.kind != "person" {
        o.teams = sqlx::query(
            "SELECT COUNT(*) FROM teams t WHERE t.org_id = $1 \
               AND ($2 = 'org' OR t.id IN (SELECT value FROM json_each($3)))",
        )
        .bind(org_id)
        .bind(args.kind)
        .bind(&args.team_ids)
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    }

    let today = time::OffsetDateTime::now_utc().date();
    let year_ago = today - time::Duration::days(365);
    let row = sqlx::query(concat!(
        "SELECT COUNT(*) AS people, COUNT(p.email) AS people_with_email, \
           COUNT(CASE WHEN p.hire_date >= $5 AND p.hire_date <= $6 THEN 1 END) AS recent_hires, \
           AVG(p.years_experience) AS years_experience_mean, \
           COUNT(p.years_experience) AS years_experience_n, \
           AVG(p.quota_track_record) AS quota_track_record_mean, \
           COUNT(p.quota_track_record) AS quota_track_record_n, \
           AVG(p.tenure_years) AS tenure_years_mean, \
           COUNT(p.tenure_years) AS tenure_years_n, \
           AVG(p.vip_connections) AS vip_connections_mean, \
           COUNT(p.vip_connections) AS vip_connections_n, \
           AVG(p.domain_expertise) AS domain_expertise_mean, \
           COUNT(p.domain_expertise) AS domain_expertise_n \
         FROM people p WHERE p.org_id = $1 AND ",
        people_in_scope!(),
    ))
    .bind(org_id)
    .bind(args.kind)
    .bind(&args.team_ids)
    .bind(&args.person)
    .bind(format_date(year_ago))
    .bind(format_date(today))
    .fetch_one(pool)
    .await?;
    o.people = row.try_get("people")?;
    o.people_with_email = row.try_get("people_with_email")?;
    o.recent_hires = row.try_get("recent_hires")?;
    // The column names follow the indicator keys, so a new indicator in the domain fails
    // here loudly (and in the contract test) instead of being silently left out.
    o.trailing_means = TRAILING_INDICATORS
        .iter()
        .map(|t| {
            Ok((
                t.key.to_owned(),
                row.try_get::<Option<f64>, _>(format!("{}_mean", t.key).as_str())?,
                row.try_get::<i64, _>(format!("{}_n", t.key).as_str())?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(o)
}
