//! Outcomes: the organisation's metrics, each seller's results per period and metric, and the
//! all-or-nothing outcomes.csv import.
//!
//! Outcomes are keyed by (organisation, subject, metric, period) — the primary key of a
//! `WITHOUT ROWID` table, so an organisation's outcomes come back in report order from one
//! range scan. The subject is a deferred reference to a person (a rename moves it, see
//! `people::move_references`; deleting a person deletes their outcomes); the metric references
//! the organisation's metrics, so a metric in use cannot disappear.

use std::collections::{HashMap, HashSet};

use sellerq_domain::formats::RowProblems;
use sellerq_domain::outcome::{DEFAULT_METRIC, Metric, OutcomeInput};
use sellerq_domain::{FieldErrors, PersonId};
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row, SqliteConnection, SqlitePool};

use super::begin;
use super::people;
use super::rows::{Change, RealText, corrupt, now, person_id, real_value};
use crate::{Actor, ImportSummary, OutcomeFilter, OutcomeRecord, StoreError, StoreResult};

/// Rows per `INSERT` statement of an import (4 parameters each).
const CHUNK: usize = 500;

/// The first field error as the store's `Invalid`.
fn invalid(errs: FieldErrors) -> StoreError {
    match errs.0.into_iter().next() {
        Some(e) => StoreError::invalid(&e.field, e.message),
        None => StoreError::invalid("input", "is invalid"),
    }
}

fn metric_row(row: &SqliteRow) -> StoreResult<Metric> {
    Ok(Metric {
        key: row.try_get("key")?,
        label: row.try_get("label")?,
        unit: row.try_get("unit")?,
        higher_is_better: row.try_get::<i64, _>("higher_is_better")? != 0,
    })
}

fn metric_summary(m: &Metric) -> serde_json::Value {
    json!({
        "key": m.key,
        "label": m.label,
        "unit": m.unit,
        "higher_is_better": m.higher_is_better,
    })
}

/// Adds the default metric to a new organisation (inside its creating transaction).
pub(super) async fn add_default_metric(
    conn: &mut SqliteConnection,
    org_id: i64,
) -> StoreResult<()> {
    insert_metric(conn, org_id, &Metric::quota_attainment()).await
}

async fn insert_metric(conn: &mut SqliteConnection, org_id: i64, m: &Metric) -> StoreResult<()> {
    let at = now();
    sqlx::query(
        "INSERT INTO metrics (org_id, key, label, unit, higher_is_better, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(org_id)
    .bind(&m.key)
    .bind(&m.label)
    .bind(&m.unit)
    .bind(i64::from(m.higher_is_better))
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

async fn metric(
    conn: &mut SqliteConnection,
    org_id: i64,
    key: &str,
) -> StoreResult<Option<Metric>> {
    let row = sqlx::query(
        "SELECT key, label, unit, higher_is_better FROM metrics WHERE org_id = $1 AND key = $2",
    )
    .bind(org_id)
    .bind(key)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(metric_row).transpose()
}

pub(super) async fn metrics(pool: &SqlitePool, org_id: i64) -> StoreResult<Vec<Metric>> {
    let found = sqlx::query(
        "SELECT key, label, unit, higher_is_better FROM metrics WHERE org_id = $1 ORDER BY key",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    found.iter().map(metric_row).collect()
}

pub(super) async fn save_metric(
    pool: &SqlitePool,
    org_id: i64,
    input: &Metric,
    actor: &Actor,
) -> StoreResult<Metric> {
    let m = input.trimmed();
    m.check().map_err(invalid)?;
    let mut tx = begin(pool).await?;
    let before = metric(&mut tx, org_id, &m.key).await?;
    match &before {
        None => insert_metric(&mut tx, org_id, &m).await?,
        Some(_) => {
            sqlx::query(
                "UPDATE metrics SET label = $3, unit = $4, higher_is_better = $5, updated_at = $6 \
                 WHERE org_id = $1 AND key = $2",
            )
            .bind(org_id)
            .bind(&m.key)
            .bind(&m.label)
            .bind(&m.unit)
            .bind(i64::from(m.higher_is_better))
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
    }
    let mut change = Change::new(
        Some(org_id),
        actor,
        if before.is_some() { "update" } else { "create" },
        "metric",
        m.key.as_str(),
    );
    if let Some(b) = &before {
        change = change.before(metric_summary(b));
    }
    change.after(metric_summary(&m)).write(&mut tx).await?;
    tx.commit().await?;
    Ok(m)
}

pub(super) async fn delete_metric(
    pool: &SqlitePool,
    org_id: i64,
    key: &str,
    actor: &Actor,
) -> StoreResult<()> {
    if key == DEFAULT_METRIC {
        return Err(StoreError::conflict(
            "metric",
            format!(
                "{DEFAULT_METRIC} is every organisation's default metric and cannot be deleted"
            ),
        ));
    }
    let mut tx = begin(pool).await?;
    let Some(before) = metric(&mut tx, org_id, key).await? else {
        return Err(StoreError::NotFound("metric"));
    };
    let used: i64 = sqlx::query("SELECT COUNT(*) FROM outcomes WHERE org_id = $1 AND metric = $2")
        .bind(org_id)
        .bind(key)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    if used > 0 {
        return Err(StoreError::conflict(
            "metric",
            format!("{key} holds {used} outcomes and cannot be deleted (delete them first)"),
        ));
    }
    sqlx::query("DELETE FROM metrics WHERE org_id = $1 AND key = $2")
        .bind(org_id)
        .bind(key)
        .execute(&mut *tx)
        .await?;
    Change::new(Some(org_id), actor, "delete", "metric", key)
        .before(metric_summary(&before))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The columns of a one-seller outcomes read, for [`map_outcomes`]; a macro so that `concat!`
/// keeps the queries static.
macro_rules! outcome_select {
    () => {
        "SELECT subject, period, metric, value FROM outcomes "
    };
}

/// An organisation-wide read packs each seller's outcomes into one row: `subject` and
/// `packed` = `metric period value` triples separated by spaces (keys and periods hold no
/// space), in metric then period order. Each row costs sqlx a hand-over between SQLite's
/// worker thread and the caller, which dominates at 240,000 rows; packing makes it 10,000.
/// Values are written by `real_text!`, so none changes on the way; should one be out of its
/// exact range, the read is made again row by row ([`outcome_select!`]).
macro_rules! outcome_packed {
    () => {
        concat!(
            "SELECT subject, group_concat(metric || ' ' || period || ' ' || ",
            real_text!("value"),
            ", ' ' ORDER BY metric, period) AS packed FROM outcomes "
        )
    };
}

/// The outcomes matching `filter`, by subject, metric, period. Each case has its own static
/// query so that SQLite uses the primary key (or `outcomes_metric`) for both the condition and
/// the order; an `$n IS NULL OR …` condition would defeat the index.
pub(super) async fn list(
    pool: &SqlitePool,
    org_id: i64,
    filter: &OutcomeFilter,
) -> StoreResult<Vec<OutcomeRecord>> {
    let subject = filter.subject.as_ref().map(PersonId::as_str);
    let metric = filter.metric.as_deref();
    match (subject, metric) {
        (None, None) => {
            let found = sqlx::query(concat!(
                outcome_packed!(),
                "WHERE org_id = $1 GROUP BY subject ORDER BY subject"
            ))
            .bind(org_id)
            .fetch_all(pool)
            .await?;
            match unpack_outcomes(&found)? {
                Some(out) => Ok(out),
                None => typed(pool, org_id, None).await,
            }
        }
        (None, Some(m)) => {
            let found = sqlx::query(concat!(
                outcome_packed!(),
                "INDEXED BY outcomes_metric WHERE org_id = $1 AND metric = $2 \
                 GROUP BY subject ORDER BY subject"
            ))
            .bind(org_id)
            .bind(m)
            .fetch_all(pool)
            .await?;
            match unpack_outcomes(&found)? {
                Some(out) => Ok(out),
                None => typed(pool, org_id, Some(m)).await,
            }
        }
        (Some(s), None) => {
            let found = sqlx::query(concat!(
                outcome_select!(),
                "WHERE org_id = $1 AND subject = $2 ORDER BY subject, metric, period"
            ))
            .bind(org_id)
            .bind(s)
            .fetch_all(pool)
            .await?;
            map_outcomes(&found)
        }
        (Some(s), Some(m)) => {
            let found = sqlx::query(concat!(
                outcome_select!(),
                "WHERE org_id = $1 AND subject = $2 AND metric = $3 \
                 ORDER BY subject, metric, period"
            ))
            .bind(org_id)
            .bind(s)
            .bind(m)
            .fetch_all(pool)
            .await?;
            map_outcomes(&found)
        }
    }
}

/// The organisation's outcomes (of `metric`, if given) read row by row, values typed: what
/// [`list`] falls back to when a packed value is out of `real_text!`'s exact range (a rare
/// path: one query serves with and without a metric).
async fn typed(
    pool: &SqlitePool,
    org_id: i64,
    metric: Option<&str>,
) -> StoreResult<Vec<OutcomeRecord>> {
    let found = sqlx::query(concat!(
        outcome_select!(),
        "WHERE org_id = $1 AND ($2 IS NULL OR metric = $2) ORDER BY subject, metric, period"
    ))
    .bind(org_id)
    .bind(metric)
    .fetch_all(pool)
    .await?;
    map_outcomes(&found)
}

/// Unpacks rows of [`outcome_packed!`]; `None` when a value came as `rows::INEXACT` and the
/// rows must be read again typed.
fn unpack_outcomes(found: &[SqliteRow]) -> StoreResult<Option<Vec<OutcomeRecord>>> {
    let mut out: Vec<OutcomeRecord> = Vec::new();
    for row in found {
        let subject = person_id(row.try_get("subject")?, "subject")?;
        let packed: &str = row.try_get("packed")?;
        let mut parts = packed.split(' ');
        while let Some(metric) = parts.next() {
            let (Some(period), Some(value)) = (parts.next(), parts.next()) else {
                return Err(corrupt(
                    "outcomes",
                    "a packed outcome lacks its period or value",
                ));
            };
            let value = match real_value(value, "value")? {
                RealText::Value(v) => v,
                RealText::Null => return Err(corrupt("value", "is empty")),
                RealText::Inexact => return Ok(None),
            };
            let metric = match out.last() {
                Some(prev) if prev.metric == metric => prev.metric.clone(),
                _ => metric.to_owned(),
            };
            out.push(OutcomeRecord {
                subject: subject.clone(),
                period: period.to_owned(),
                metric,
                value,
            });
        }
    }
    Ok(Some(out))
}

/// Maps rows of `subject, period, metric, value` by position.
fn map_outcomes(found: &[SqliteRow]) -> StoreResult<Vec<OutcomeRecord>> {
    let mut out: Vec<OutcomeRecord> = Vec::with_capacity(found.len());
    for row in found {
        out.push(OutcomeRecord {
            subject: person_id(row.try_get(0)?, "subject")?,
            period: row.try_get(1)?,
            metric: row.try_get(2)?,
            value: row.try_get(3)?,
        });
    }
    Ok(out)
}

async fn stored_value(
    conn: &mut SqliteConnection,
    org_id: i64,
    subject: &PersonId,
    period: &str,
    metric: &str,
) -> StoreResult<Option<f64>> {
    let row = sqlx::query(
        "SELECT value FROM outcomes \
         WHERE org_id = $1 AND subject = $2 AND metric = $3 AND period = $4",
    )
    .bind(org_id)
    .bind(subject.as_str())
    .bind(metric)
    .bind(period)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

fn outcome_summary(
    subject: &PersonId,
    period: &str,
    metric: &str,
    value: f64,
) -> serde_json::Value {
    json!({ "subject": subject, "period": period, "metric": metric, "value": value })
}

/// The audit entity id of one outcome.
fn outcome_key(subject: &PersonId, period: &str, metric: &str) -> String {
    format!("{subject}/{period}/{metric}")
}

pub(super) async fn set(
    pool: &SqlitePool,
    org_id: i64,
    input: &OutcomeInput,
    actor: &Actor,
) -> StoreResult<OutcomeRecord> {
    input.check().map_err(invalid)?;
    let mut tx = begin(pool).await?;
    if !people::exists(&mut tx, org_id, &input.subject).await? {
        return Err(StoreError::invalid(
            "subject",
            format!("no person with id {} in this organisation", input.subject),
        ));
    }
    if metric(&mut tx, org_id, &input.metric).await?.is_none() {
        return Err(StoreError::invalid(
            "metric",
            format!(
                "{} is not a metric of this organisation (an admin adds metrics)",
                input.metric
            ),
        ));
    }
    let before = stored_value(
        &mut tx,
        org_id,
        &input.subject,
        &input.period,
        &input.metric,
    )
    .await?;
    let at = now();
    sqlx::query(
        "INSERT INTO outcomes (org_id, subject, metric, period, value, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (org_id, subject, metric, period) \
         DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(org_id)
    .bind(input.subject.as_str())
    .bind(&input.metric)
    .bind(&input.period)
    .bind(input.value)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    let mut change = Change::new(
        Some(org_id),
        actor,
        if before.is_some() { "update" } else { "create" },
        "outcome",
        outcome_key(&input.subject, &input.period, &input.metric),
    );
    if let Some(v) = before {
        change = change.before(outcome_summary(
            &input.subject,
            &input.period,
            &input.metric,
            v,
        ));
    }
    change
        .after(outcome_summary(
            &input.subject,
            &input.period,
            &input.metric,
            input.value,
        ))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(OutcomeRecord {
        subject: input.subject.clone(),
        period: input.period.clone(),
        metric: input.metric.clone(),
        value: input.value,
    })
}

pub(super) async fn delete(
    pool: &SqlitePool,
    org_id: i64,
    subject: &PersonId,
    period: &str,
    metric: &str,
    actor: &Actor,
) -> StoreResult<()> {
    let mut tx = begin(pool).await?;
    let Some(before) = stored_value(&mut tx, org_id, subject, period, metric).await? else {
        return Err(StoreError::NotFound("outcome"));
    };
    sqlx::query(
        "DELETE FROM outcomes WHERE org_id = $1 AND subject = $2 AND metric = $3 AND period = $4",
    )
    .bind(org_id)
    .bind(subject.as_str())
    .bind(metric)
    .bind(period)
    .execute(&mut *tx)
    .await?;
    Change::new(
        Some(org_id),
        actor,
        "delete",
        "outcome",
        outcome_key(subject, period, metric),
    )
    .before(outcome_summary(subject, period, metric, before))
    .write(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a person's outcomes (their deletion); returns how many.
pub(super) async fn delete_of_subject(
    conn: &mut SqliteConnection,
    org_id: i64,
    subject: &PersonId,
) -> StoreResult<u64> {
    Ok(
        sqlx::query("DELETE FROM outcomes WHERE org_id = $1 AND subject = $2")
            .bind(org_id)
            .bind(subject.as_str())
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

async fn count(conn: &mut SqliteConnection, org_id: i64) -> StoreResult<u64> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM outcomes WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(conn)
        .await?
        .try_get(0)?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// The multi-row upsert for `n` rows. The organisation and the time are the same for every
/// row, so they are written into the statement as integer literals (not user text: safe); each
/// row binds four positional parameters.
fn upsert_sql(org_id: i64, at: i64, n: usize) -> String {
    let row = format!("({org_id}, ?, ?, ?, ?, {at}, {at})");
    let mut sql = String::with_capacity(300 + n * (row.len() + 2));
    sql.push_str(
        "INSERT INTO outcomes (org_id, subject, metric, period, value, created_at, updated_at) \
         VALUES ",
    );
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&row);
    }
    sql.push_str(
        " ON CONFLICT (org_id, subject, metric, period) \
         DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    );
    sql
}

/// outcomes.csv import: every row written in one transaction, or none.
pub(super) async fn import(
    pool: &SqlitePool,
    org_id: i64,
    rows: &[(u64, OutcomeInput)],
    actor: &Actor,
) -> StoreResult<ImportSummary> {
    let mut problems = RowProblems::default();
    for (line, input) in rows {
        if let Err(errs) = input.check() {
            for e in errs.0 {
                problems.push(*line, &e.field, e.message);
            }
        }
    }
    // Duplicates within the batch: sorted by key (then by line), the first of a run came first.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let key = |i: usize| {
        let o = &rows[i].1;
        (o.subject.as_str(), o.metric.as_str(), o.period.as_str())
    };
    order.sort_by(|a, b| key(*a).cmp(&key(*b)).then(rows[*a].0.cmp(&rows[*b].0)));
    let mut run = 0;
    for i in 1..order.len() {
        if key(order[i]) == key(order[run]) {
            let ((first, _), (again, o)) = (&rows[order[run]], &rows[order[i]]);
            problems.push(
                *again,
                "metric",
                format!(
                    "appears twice: {} of {} in {} (first on line {first})",
                    o.metric, o.subject, o.period
                ),
            );
        } else {
            run = i;
        }
    }

    let mut tx = begin(pool).await?;
    let people: HashSet<String> = sqlx::query("SELECT id FROM people WHERE org_id = $1")
        .bind(org_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for (line, input) in rows {
        if !people.contains(input.subject.as_str()) {
            problems.push(
                *line,
                "subject",
                format!("no person with id {} in this organisation", input.subject),
            );
        }
    }
    drop(people);
    if !problems.is_empty() {
        tx.rollback().await?;
        return Err(StoreError::Rejected(problems));
    }

    let known: HashMap<String, Metric> =
        sqlx::query("SELECT key, label, unit, higher_is_better FROM metrics WHERE org_id = $1")
            .bind(org_id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| metric_row(r).map(|m| (m.key.clone(), m)))
            .collect::<StoreResult<_>>()?;
    let mut new_metrics: Vec<&str> = rows
        .iter()
        .map(|(_, o)| o.metric.as_str())
        .filter(|m| !known.contains_key(*m))
        .collect();
    new_metrics.sort_unstable();
    new_metrics.dedup();
    for key in &new_metrics {
        let m = Metric::named(key);
        insert_metric(&mut tx, org_id, &m).await?;
        Change::new(Some(org_id), actor, "create", "metric", *key)
            .after(metric_summary(&m))
            .write(&mut tx)
            .await?;
    }

    let before = count(&mut tx, org_id).await?;
    let at = now();
    let full_sql = upsert_sql(org_id, at, CHUNK);
    for chunk in order.chunks(CHUNK) {
        let sql = if chunk.len() == CHUNK {
            full_sql.clone()
        } else {
            upsert_sql(org_id, at, chunk.len())
        };
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for i in chunk {
            let o = &rows[*i].1;
            q = q
                .bind(o.subject.as_str().to_owned())
                .bind(o.metric.clone())
                .bind(o.period.clone())
                .bind(o.value);
        }
        q.execute(&mut *tx).await?;
    }
    let after = count(&mut tx, org_id).await?;
    let created = after.saturating_sub(before);
    let summary = ImportSummary {
        created,
        updated: (rows.len() as u64).saturating_sub(created),
        teams_created: 0,
        metrics_created: new_metrics.len() as u64,
    };
    Change::new(
        Some(org_id),
        actor,
        "import",
        "outcomes",
        format!("{} rows", rows.len()),
    )
    .after(json!({
        "rows": rows.len(),
        "created": summary.created,
        "updated": summary.updated,
        "metrics_created": new_metrics,
    }))
    .write(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upsert_statement_has_four_parameters_a_row() {
        let sql = upsert_sql(3, 100, 2);
        assert_eq!(sql.matches('?').count(), 8);
        assert!(sql.contains("(3, ?, ?, ?, ?, 100, 100), (3, ?, ?, ?, ?, 100, 100) ON CONFLICT"));
    }
}
