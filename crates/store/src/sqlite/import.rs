//! The bulk import of ratings: one transaction, all rows or none, fast.
//!
//! A million rows go in about as fast as the `sqlite3` shell's `.import` of the same file into a
//! bare table, because:
//!
//! - every row is checked in memory before anything is written (one query each for the
//!   cycles, the people and the stored ratings of the cycles named), so the database is only
//!   asked to insert;
//! - rows are inserted sorted by the unique key `(cycle_id, subject, rater, quality)`, so its
//!   index and `ratings_subject` grow along their ends instead of at random pages (random order
//!   costs three times as much);
//! - one multi-row `INSERT` of [`CHUNK`] rows is prepared once and reused; parameters are
//!   positional (`?`, no name lookups) and interned strings are bound as shared `Arc<str>`
//!   without copying;
//! - duplicates within the file are found by the same sort, for free.
//!
//! The audit log gets one summary entry (and one per cycle created), not a million.

use std::collections::HashMap;
use std::sync::Arc;

use sellerq_domain::assessment::{CycleInput, CycleStatus};
use sellerq_domain::formats::RowProblems;
use sellerq_domain::formats::ratings::RatingsBatch;
use sellerq_domain::model::Model;
use serde_json::json;
use sqlx::{AssertSqlSafe, Row, SqliteConnection, SqlitePool};

use super::begin;
use super::cycles;
use super::models::{self, ModelCache};
use super::rows::{Change, now};
use crate::{Actor, ImportOptions, RatingsImported, StoreError, StoreResult};

/// Rows per `INSERT` statement (7 parameters each, well under SQLite's 32,766).
const CHUNK: usize = 1000;

/// What the import knows about one cycle the file names.
#[derive(Debug)]
struct CycleInfo {
    /// The stored cycle's id; `None` until created.
    id: Option<i64>,
    model: Arc<Model>,
    /// The model's label, for messages.
    version: String,
    closed: bool,
}

/// Packs a row's sort key: cycle rank, subject, rater and quality ranks (each < 2^32).
fn key(c: u32, s: u32, r: u32, q: u32) -> u128 {
    (u128::from(c) << 96) | (u128::from(s) << 64) | (u128::from(r) << 32) | u128::from(q)
}

/// Ranks of `values` in byte order of their text (SQLite's BINARY collation).
fn ranks<T: AsRef<str>>(values: &[T]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|a, b| values[*a].as_ref().cmp(values[*b].as_ref()));
    let mut rank = vec![0u32; values.len()];
    for (r, i) in order.into_iter().enumerate() {
        rank[i] = u32::try_from(r).unwrap_or(u32::MAX);
    }
    rank
}

/// Loads what the checks need about the cycles the batch names; cycles to be created get the
/// current model version.
async fn cycle_infos(
    conn: &mut SqliteConnection,
    cache: &ModelCache,
    org_id: i64,
    batch: &RatingsBatch,
) -> StoreResult<Vec<CycleInfo>> {
    let current = models::current_id(conn, org_id).await?;
    let mut infos = Vec::with_capacity(batch.cycles().len());
    for name in batch.cycles() {
        let row = sqlx::query(
            "SELECT id, model_version_id, status FROM cycles WHERE org_id = $1 AND name = $2",
        )
        .bind(org_id)
        .bind(name.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        let (id, version, closed) = match row {
            Some(r) => {
                let status: String = r.try_get("status")?;
                (
                    Some(r.try_get::<i64, _>("id")?),
                    r.try_get::<i64, _>("model_version_id")?,
                    status == CycleStatus::Closed.as_str(),
                )
            }
            None => (None, current, false),
        };
        let model = cache.of_version(conn, org_id, version).await?;
        infos.push(CycleInfo {
            id,
            version: model.version.clone(),
            model,
            closed,
        });
    }
    Ok(infos)
}

pub(super) async fn import(
    pool: &SqlitePool,
    cache: &ModelCache,
    org_id: i64,
    batch: &RatingsBatch,
    options: ImportOptions,
    actor: &Actor,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> StoreResult<RatingsImported> {
    if batch.is_empty() {
        return Ok(RatingsImported::default());
    }
    let mut tx = begin(pool).await?;
    let mut infos = cycle_infos(&mut tx, cache, org_id, batch).await?;

    // Which of the batch's ids are people of the organisation.
    let people: std::collections::HashSet<String> =
        sqlx::query("SELECT id FROM people WHERE org_id = $1")
            .bind(org_id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
    let is_person: Vec<bool> = batch
        .people()
        .iter()
        .map(|p| people.contains(p.as_str()))
        .collect();
    drop(people);

    // Per cycle and quality: is the key in the cycle's model?
    let known: Vec<Vec<bool>> = infos
        .iter()
        .map(|i| {
            batch
                .qualities()
                .iter()
                .map(|q| i.model.quality(q.as_str()).is_some())
                .collect()
        })
        .collect();
    let keys_of: Vec<String> = infos
        .iter()
        .map(|i| {
            i.model
                .keys()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();

    let mut problems = RowProblems::default();
    let rows = batch.rows();
    for r in rows {
        let info = &infos[r.cycle as usize];
        let cycle = &batch.cycles()[r.cycle as usize];
        if info.closed {
            problems.push(
                r.line,
                "cycle",
                format!("cycle {cycle} is closed and takes no more ratings"),
            );
        }
        if !is_person[r.subject as usize] {
            problems.push(
                r.line,
                "subject",
                format!(
                    "no person with id {} in this organisation",
                    batch.people()[r.subject as usize]
                ),
            );
        }
        if !known[r.cycle as usize][r.quality as usize] {
            problems.push(
                r.line,
                "quality",
                format!(
                    "{:?} is not a quality of model version {} (cycle {cycle}): {}",
                    batch.qualities()[r.quality as usize].as_str(),
                    info.version,
                    keys_of[r.cycle as usize]
                ),
            );
        }
        if let Some(s) = r.score
            && !info.model.scale.contains(i64::from(s))
        {
            problems.push(
                r.line,
                "score",
                format!(
                    "{s} is not on the scale {}–{}",
                    info.model.scale.min, info.model.scale.max
                ),
            );
        }
    }

    // Sort by the unique key in the database's order: stored cycles by id, then the new ones
    // by name (they are created in that order, so their ids follow); text in byte order.
    let mut cycle_order: Vec<usize> = (0..infos.len()).collect();
    cycle_order.sort_by(|a, b| {
        let (x, y) = (&infos[*a], &infos[*b]);
        match (x.id, y.id) {
            (Some(i), Some(j)) => i.cmp(&j),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => batch.cycles()[*a].cmp(&batch.cycles()[*b]),
        }
    });
    let mut cycle_rank = vec![0u32; infos.len()];
    for (rank, i) in cycle_order.iter().enumerate() {
        cycle_rank[*i] = rank as u32;
    }
    let person_rank = ranks(batch.people());
    let quality_rank = ranks(batch.qualities());
    let row_key = |r: &sellerq_domain::formats::ratings::BatchRow| {
        key(
            cycle_rank[r.cycle as usize],
            person_rank[r.subject as usize],
            person_rank[r.rater as usize],
            quality_rank[r.quality as usize],
        )
    };
    let mut order: Vec<(u128, u32)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (row_key(r), i as u32))
        .collect();
    order.sort_unstable();
    let describe = |r: &sellerq_domain::formats::ratings::BatchRow| {
        format!(
            "{} rated {} on {} in cycle {}",
            batch.people()[r.rater as usize],
            batch.people()[r.subject as usize],
            batch.qualities()[r.quality as usize],
            batch.cycles()[r.cycle as usize]
        )
    };
    // Equal keys sort by row index, i.e. by line: the first of a run came first in the file.
    let mut run = 0;
    for i in 1..order.len() {
        if order[i].0 == order[run].0 {
            let (first, again) = (&rows[order[run].1 as usize], &rows[order[i].1 as usize]);
            problems.push(
                again.line,
                "quality",
                format!(
                    "appears twice: {} (first on line {})",
                    describe(again),
                    first.line
                ),
            );
        } else {
            run = i;
        }
    }

    // Duplicates against stored ratings (drafts included: they hold the key too), for the
    // stored cycles the file names.
    let quality_index: HashMap<&str, u32> = batch
        .qualities()
        .iter()
        .enumerate()
        .map(|(i, q)| (q.as_str(), i as u32))
        .collect();
    for (c, info) in infos.iter().enumerate() {
        let Some(id) = info.id else { continue };
        let stored = sqlx::query("SELECT subject, rater, quality FROM ratings WHERE cycle_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        for s in &stored {
            let (subject, rater, quality): (&str, &str, &str) =
                (s.try_get(0)?, s.try_get(1)?, s.try_get(2)?);
            let (Some(si), Some(ri), Some(qi)) = (
                batch.person_index(subject),
                batch.person_index(rater),
                quality_index.get(quality),
            ) else {
                continue;
            };
            let k = key(
                cycle_rank[c],
                person_rank[si as usize],
                person_rank[ri as usize],
                quality_rank[*qi as usize],
            );
            let start = order.partition_point(|(x, _)| *x < k);
            for (x, i) in &order[start..] {
                if *x != k {
                    break;
                }
                let r = &rows[*i as usize];
                problems.push(
                    r.line,
                    "quality",
                    format!("is already stored: {}", describe(r)),
                );
            }
        }
    }

    if !problems.is_empty() {
        tx.rollback().await?;
        return Err(StoreError::Rejected(problems));
    }
    let mut per_cycle = vec![0u64; infos.len()];
    for r in rows {
        per_cycle[r.cycle as usize] += 1;
    }
    let mut summary = RatingsImported {
        rows: 0,
        cycles_created: Vec::new(),
        per_cycle: cycle_order
            .iter()
            .map(|c| (batch.cycles()[*c].clone(), per_cycle[*c]))
            .collect(),
    };
    summary.per_cycle.sort_by(|a, b| a.0.cmp(&b.0));
    if options.check_only {
        tx.rollback().await?;
        return Ok(summary);
    }

    // Create the missing cycles, by name (their ids then follow the ranks above).
    for c in &cycle_order {
        if infos[*c].id.is_none() {
            let name = batch.cycles()[*c].clone();
            let created = cycles::insert(
                &mut tx,
                org_id,
                &CycleInput::named(name.clone()),
                CycleStatus::Open,
                actor,
            )
            .await?;
            infos[*c].id = Some(created.id);
            summary.cycles_created.push(name);
        }
    }
    let cycle_ids: Vec<i64> = infos.iter().map(|i| i.id.unwrap_or_default()).collect();

    insert_rows(&mut tx, org_id, batch, &order, &cycle_ids, progress).await?;
    summary.rows = rows.len() as u64;

    Change::new(
        Some(org_id),
        actor,
        "import",
        "ratings",
        format!("{} rows", rows.len()),
    )
    .after(json!({
        "rows": rows.len(),
        "cycles_created": summary.cycles_created,
        "per_cycle": summary.per_cycle.iter()
            .map(|(c, n)| json!({ "cycle": c, "rows": n }))
            .collect::<Vec<_>>(),
    }))
    .write(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(summary)
}

/// The multi-row `INSERT` for `n` rows. The organisation and the time are the same for every
/// row, so they are written into the statement as integer literals (not user text: safe), and
/// each row binds seven positional parameters.
fn insert_sql(org_id: i64, at: i64, n: usize) -> String {
    let row = format!("({org_id}, ?, ?, ?, ?, ?, ?, ?, 'submitted', {at}, {at})");
    let mut sql = String::with_capacity(200 + n * (row.len() + 2));
    sql.push_str(
        "INSERT INTO ratings (org_id, cycle_id, subject, rater, role, quality, score, evidence, \
         state, created_at, updated_at) VALUES ",
    );
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&row);
    }
    sql
}

async fn insert_rows(
    conn: &mut SqliteConnection,
    org_id: i64,
    batch: &RatingsBatch,
    order: &[(u128, u32)],
    cycle_ids: &[i64],
    progress: &(dyn Fn(u64) + Send + Sync),
) -> StoreResult<()> {
    let people: Vec<Arc<str>> = batch
        .people()
        .iter()
        .map(|p| Arc::from(p.as_str()))
        .collect();
    let qualities: Vec<Arc<str>> = batch
        .qualities()
        .iter()
        .map(|q| Arc::from(q.as_str()))
        .collect();
    let roles: Vec<Arc<str>> = sellerq_domain::assessment::RaterRole::ALL
        .iter()
        .map(|r| Arc::from(r.as_str()))
        .collect();
    let empty: Arc<str> = Arc::from("");
    let at = now();
    let full_sql = insert_sql(org_id, at, CHUNK);
    let rows = batch.rows();
    let mut done = 0u64;
    for chunk in order.chunks(CHUNK) {
        let sql = if chunk.len() == CHUNK {
            full_sql.clone()
        } else {
            insert_sql(org_id, at, chunk.len())
        };
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (_, i) in chunk {
            let r = &rows[*i as usize];
            let evidence = match r.evidence {
                0 => Arc::clone(&empty),
                e => Arc::from(batch.evidence(e)),
            };
            q = q
                .bind(cycle_ids[r.cycle as usize])
                .bind(Arc::clone(&people[r.subject as usize]))
                .bind(Arc::clone(&people[r.rater as usize]))
                .bind(Arc::clone(&roles[r.role as usize]))
                .bind(Arc::clone(&qualities[r.quality as usize]))
                .bind(r.score.map(i64::from))
                .bind(evidence);
        }
        q.execute(&mut *conn).await?;
        done += chunk.len() as u64;
        progress(done);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_byte_order() {
        assert_eq!(ranks(&["p-2", "P-1", "p-10"]), [2, 0, 1]);
    }

    #[test]
    fn keys_order_by_cycle_then_subject_rater_and_quality() {
        assert!(key(0, 9, 9, 9) < key(1, 0, 0, 0));
        assert!(key(1, 0, 9, 9) < key(1, 1, 0, 0));
        assert!(key(1, 1, 0, 9) < key(1, 1, 1, 0));
    }

    #[test]
    fn the_insert_statement_has_seven_parameters_a_row() {
        let sql = insert_sql(3, 100, 2);
        assert_eq!(sql.matches('?').count(), 14);
        assert!(sql.ends_with("(3, ?, ?, ?, ?, ?, ?, ?, 'submitted', 100, 100)"));
    }
}
