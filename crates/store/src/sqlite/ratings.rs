//! Ratings: raters' sheets (drafts, then submitted), single recorded ratings, the queries that
//! feed the profile and the team view, evidence notes and the export.
//!
//! Only submitted ratings count anywhere outside a rater's own sheet. The aggregation queries
//! return no rater ids: the domain computes profiles from roles and scores alone.

use sellerq_domain::PersonId;
use sellerq_domain::assessment::{
    CycleStatus, EvidencePolicy, RaterRole, RatingValue, Score, SheetEntry, check_evidence,
    check_sheet,
};
use sellerq_domain::model::{Model, QualityKey};
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::cycles::{self, assignment_in};
use super::models::ModelCache;
use super::rows::{Change, corrupt, now, unique_columns};
use super::{ScopeArgs, begin, people, people_in_scope};
use crate::{
    Actor, CycleRatings, EvidenceNote, NewRating, PeopleFilter, RatingRecord, RatingSheet,
    SheetInput, SheetState, StoreError, StoreResult, SubjectRatings,
};

/// The ratings of a group packed into three comma-joined texts (`roles`, `qualities`,
/// `scores`, in step; -1 for "not observed" since `group_concat` skips NULLs): a profile or a
/// team reads one row per cycle or per subject instead of one per rating, because each row
/// crossing from SQLite into Rust costs about 3 µs (1,600 ratings one by one: 5 ms; packed:
/// under 2 ms). Three plain lists cost SQLite less than one concatenated string.
macro_rules! packed_ratings {
    () => {
        "group_concat(r.role) AS roles, group_concat(r.quality) AS qualities, \
         group_concat(ifnull(r.score, -1)) AS scores"
    };
}

/// Rows per page of the export.
const EXPORT_PAGE: i64 = 5000;

/// Parses quality keys and roles read back from the database, remembering the few distinct
/// ones (a team query reads tens of thousands of rows with eight keys).
#[derive(Debug, Default)]
struct Decoder {
    keys: Vec<QualityKey>,
    /// Where the last key was found in `keys`: a group lists each rater's qualities in the
    /// same order, so the next key is usually the one after it.
    last_key: usize,
    /// The last role read: a group lists each rater's qualities together, so roles come in
    /// runs.
    last_role: Option<RaterRole>,
}

impl Decoder {
    fn key(&mut self, raw: &str) -> StoreResult<QualityKey> {
        let n = self.keys.len();
        if n > 0 {
            let next = (self.last_key + 1) % n;
            let found = [next, self.last_key]
                .into_iter()
                .find(|&i| self.keys[i].as_str() == raw)
                .or_else(|| self.keys.iter().position(|k| k.as_str() == raw));
            if let Some(i) = found {
                self.last_key = i;
                return Ok(self.keys[i].clone());
            }
        }
        let k = QualityKey::parse(raw).map_err(|e| corrupt("quality", e))?;
        self.last_key = self.keys.len();
        self.keys.push(k.clone());
        Ok(k)
    }

    fn role(&mut self, raw: &str) -> StoreResult<RaterRole> {
        if let Some(r) = self.last_role.filter(|r| r.as_str() == raw) {
            return Ok(r);
        }
        let r: RaterRole = raw.parse().map_err(|m| corrupt("role", m))?;
        self.last_role = Some(r);
        Ok(r)
    }

    /// Unpacks a [`packed_ratings!`] group: three comma-joined lists in step (roles and
    /// quality keys never hold a comma; a score of -1 is "not observed").
    fn packed(&mut self, r: &SqliteRow, out: &mut Vec<RatingValue>) -> StoreResult<()> {
        let (roles, qualities, scores): (&str, &str, &str) = (
            r.try_get("roles")?,
            r.try_get("qualities")?,
            r.try_get("scores")?,
        );
        // A score takes at least two bytes with its comma, so this is about the count.
        out.reserve(scores.len() / 2 + 1);
        let mut qualities = qualities.split(',');
        let mut scores = scores.split(',');
        for role in roles.split(',') {
            let (Some(quality), Some(score)) = (qualities.next(), scores.next()) else {
                return Err(corrupt("ratings", "packed lists of different lengths"));
            };
            out.push(RatingValue {
                quality: self.key(quality)?,
                role: self.role(role)?,
                score: match score {
                    "-1" => None,
                    s => Some(s.parse().map_err(|_| corrupt("score", s))?),
                },
            });
        }
        Ok(())
    }

    /// Maps `role, quality, score`.
    fn value(&mut self, r: &SqliteRow) -> StoreResult<RatingValue> {
        let role: &str = r.try_get("role")?;
        let quality: &str = r.try_get("quality")?;
        let score: Option<i64> = r.try_get("score")?;
        Ok(RatingValue {
            quality: self.key(quality)?,
            role: self.role(role)?,
            score: score
                .map(|s| u8::try_from(s).map_err(|_| corrupt("score", s)))
                .transpose()?,
        })
    }
}

fn not_open(name: &str, status: CycleStatus) -> StoreError {
    match status {
        CycleStatus::Closed => StoreError::conflict(
            "status",
            format!("cycle {name} is closed and takes no more ratings"),
        ),
        _ => StoreError::conflict(
            "status",
            format!("cycle {name} is still a draft; raters' sheets open when the cycle does"),
        ),
    }
}

/// The sheet's saved answers in spectrum order (answers for qualities the model lacks last).
async fn sheet_entries(
    conn: &mut SqliteConnection,
    model: &Model,
    cycle_id: i64,
    subject: &PersonId,
    rater: &PersonId,
) -> StoreResult<Vec<SheetEntry>> {
    let rows = sqlx::query(
        "SELECT quality, score, evidence FROM ratings \
         WHERE cycle_id = $1 AND subject = $2 AND rater = $3",
    )
    .bind(cycle_id)
    .bind(subject.as_str())
    .bind(rater.as_str())
    .fetch_all(conn)
    .await?;
    let mut entries = rows
        .iter()
        .map(|r| {
            let quality: String = r.try_get("quality")?;
            let score: Option<i64> = r.try_get("score")?;
            Ok(SheetEntry {
                quality: QualityKey::parse(&quality).map_err(|e| corrupt("quality", e))?,
                score: score
                    .map(|s| Score::new(s, &model.scale).map_err(|m| corrupt("score", m)))
                    .transpose()?,
                evidence: r.try_get("evidence")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let position = |k: &QualityKey| {
        model
            .qualities
            .iter()
            .position(|q| q.key == *k)
            .unwrap_or(usize::MAX)
    };
    entries.sort_by_key(|e| position(&e.quality));
    Ok(entries)
}

async fn sheet_in(
    conn: &mut SqliteConnection,
    cache: &ModelCache,
    org_id: i64,
    cycle_id: i64,
    subject: &PersonId,
    rater: &PersonId,
) -> StoreResult<Option<RatingSheet>> {
    let Some(cycle) = cycles::get_in(conn, org_id, cycle_id).await? else {
        return Ok(None);
    };
    let Some(a) = assignment_in(conn, org_id, cycle_id, subject, rater).await? else {
        return Ok(None);
    };
    let model = cache
        .of_version(conn, org_id, cycle.model_version_id)
        .await?;
    let entries = sheet_entries(conn, &model, cycle_id, subject, rater).await?;
    Ok(Some(RatingSheet {
        cycle_id,
        subject: subject.clone(),
        rater: rater.clone(),
        role: a.role,
        state: a.state,
        entries,
    }))
}

pub(super) async fn sheet(
    pool: &SqlitePool,
    cache: &ModelCache,
    org_id: i64,
    cycle_id: i64,
    subject: &PersonId,
    rater: &PersonId,
) -> StoreResult<Option<RatingSheet>> {
    let mut conn = pool.acquire().await?;
    sheet_in(&mut conn, cache, org_id, cycle_id, subject, rater).await
}

pub(super) async fn save_sheet(
    pool: &SqlitePool,
    cache: &ModelCache,
    org_id: i64,
    input: &SheetInput,
    submit: bool,
    actor: &Actor,
) -> StoreResult<RatingSheet> {
    let mut tx = begin(pool).await?;
    let cycle = cycles::require(&mut tx, org_id, input.cycle_id).await?;
    if !cycle.status.takes_sheets() {
        return Err(not_open(cycle.name.as_str(), cycle.status));
    }
    let a = assignment_in(&mut tx, org_id, cycle.id, &input.subject, &input.rater)
        .await?
        .filter(|a| a.status == sellerq_domain::assessment::AssignmentStatus::Approved)
        .ok_or_else(|| {
            StoreError::invalid(
                "rater",
                format!(
                    "{} is not asked to rate {} in cycle {}",
                    input.rater, input.subject, cycle.name
                ),
            )
        })?;
    if a.state == SheetState::Submitted {
        return Err(StoreError::conflict(
            "state",
            format!(
                "the ratings of {} in cycle {} are already submitted, and final",
                input.subject, cycle.name
            ),
        ));
    }
    let model = cache
        .of_version(&mut tx, org_id, cycle.model_version_id)
        .await?;
    if let Err(errs) = check_sheet(&model, &input.entries, submit) {
        let first = errs.0.into_iter().next().map_or_else(
            || ("sheet".to_owned(), "is not valid".to_owned()),
            |e| (e.field, e.message),
        );
        return Err(StoreError::invalid(&first.0, first.1));
    }
    sqlx::query("DELETE FROM ratings WHERE cycle_id = $1 AND subject = $2 AND rater = $3")
        .bind(cycle.id)
        .bind(input.subject.as_str())
        .bind(input.rater.as_str())
        .execute(&mut *tx)
        .await?;
    let state = if submit { "submitted" } else { "draft" };
    let at = now();
    for e in &input.entries {
        sqlx::query(
            "INSERT INTO ratings (org_id, cycle_id, subject, rater, role, quality, score, \
               evidence, state, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(org_id)
        .bind(cycle.id)
        .bind(input.subject.as_str())
        .bind(input.rater.as_str())
        .bind(a.role.as_str())
        .bind(e.quality.as_str())
        .bind(e.score.map(|s| i64::from(s.value())))
        .bind(e.evidence.trim())
        .bind(state)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    }
    Change::new(
        Some(org_id),
        actor,
        if submit { "submit" } else { "save_draft" },
        "sheet",
        format!("{}/{}/{}", cycle.id, input.subject, input.rater),
    )
    .after(
        json!({ "cycle": cycle.name, "subject": input.subject, "rater": input.rater,
                   "role": a.role, "answered": input.entries.len(), "state": state }),
    )
    .write(&mut tx)
    .await?;
    let saved = sheet_in(
        &mut tx,
        cache,
        org_id,
        cycle.id,
        &input.subject,
        &input.rater,
    )
    .await?
    .ok_or(StoreError::NotFound("sheet"))?;
    tx.commit().await?;
    Ok(saved)
}

pub(super) async fn add(
    pool: &SqlitePool,
    cache: &ModelCache,
    org_id: i64,
    r: &NewRating,
    actor: &Actor,
) -> StoreResult<i64> {
    if r.role == RaterRole::SelfRating && r.rater != r.subject {
        return Err(StoreError::invalid(
            "rater",
            format!(
                "a self rating's rater must be its subject ({}), found {}",
                r.subject, r.rater
            ),
        ));
    }
    let mut tx = begin(pool).await?;
    let Some(cycle) = cycles::get_in(&mut tx, org_id, r.cycle_id).await? else {
        return Err(StoreError::invalid(
            "cycle_id",
            format!("cycle {} does not exist in this organisation", r.cycle_id),
        ));
    };
    if !cycle.status.takes_recorded_ratings() {
        return Err(not_open(cycle.name.as_str(), cycle.status));
    }
    if !people::exists(&mut tx, org_id, &r.subject).await? {
        return Err(StoreError::invalid(
            "subject",
            format!("no person with id {} in this organisation", r.subject),
        ));
    }
    let model = cache
        .of_version(&mut tx, org_id, cycle.model_version_id)
        .await?;
    if model.quality(r.quality.as_str()).is_none() {
        return Err(StoreError::invalid(
            "quality",
            format!(
                "{:?} is not a quality of model version {}",
                r.quality.as_str(),
                model.version
            ),
        ));
    }
    if let Some(s) = r.score {
        Score::new(i64::from(s.value()), &model.scale)
            .map_err(|m| StoreError::invalid("score", m))?;
    }
    check_evidence(&r.evidence, r.score, &model.scale, EvidencePolicy::Optional)
        .map_err(|m| StoreError::invalid("evidence", m))?;
    let at = now();
    let id: i64 = sqlx::query(
        "INSERT INTO ratings (org_id, cycle_id, subject, rater, role, quality, score, evidence, \
           state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'submitted', $9, $9) RETURNING id",
    )
    .bind(org_id)
    .bind(cycle.id)
    .bind(r.subject.as_str())
    .bind(r.rater.as_str())
    .bind(r.role.as_str())
    .bind(r.quality.as_str())
    .bind(r.score.map(|s| i64::from(s.value())))
    .bind(r.evidence.trim())
    .bind(at)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match unique_columns(&e) {
        Some(_) => StoreError::conflict(
            "quality",
            format!(
                "{} has already rated {} on {} in cycle {}",
                r.rater, r.subject, r.quality, cycle.name
            ),
        ),
        None => e.into(),
    })?
    .try_get(0)?;
    Change::new(Some(org_id), actor, "create", "rating", id.to_string())
        .after(
            json!({ "cycle": cycle.name, "subject": r.subject, "rater": r.rater,
                       "role": r.role, "quality": r.quality,
                       "score": r.score.map(Score::value) }),
        )
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub(super) async fn of_subject(
    pool: &SqlitePool,
    org_id: i64,
    subject: &PersonId,
) -> StoreResult<Vec<CycleRatings>> {
    // One query for the cycles and their ratings. The cycles come along the (org_id, name)
    // index in name order, and each cycle's ratings of the subject along the unique
    // (cycle_id, subject, …) index, so the groups stream out without a sort; `+r.org_id`
    // keeps the planner off `ratings_subject (org_id, subject)`, which reads every rating of
    // the person and then sorts them into cycles. (A cycle's name is unique in its
    // organisation, so grouping by name is grouping by cycle.)
    let rows = sqlx::query(concat!(
        "SELECT c.id, c.org_id, c.name, c.model_version_id, c.status, c.due_date, \
                c.rater_roles, c.created_at, c.opened_at, c.closed_at, ",
        packed_ratings!(),
        " FROM cycles c \
         JOIN ratings r ON r.cycle_id = c.id AND r.subject = $2 AND +r.org_id = $1 \
           AND r.state = 'submitted' \
         WHERE c.org_id = $1 \
         GROUP BY c.name ORDER BY c.name",
    ))
    .bind(org_id)
    .bind(subject.as_str())
    .fetch_all(pool)
    .await?;
    let mut decoder = Decoder::default();
    let mut out: Vec<CycleRatings> = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut ratings = Vec::new();
        decoder.packed(r, &mut ratings)?;
        out.push(CycleRatings {
            cycle: cycles::cycle(r)?,
            ratings,
        });
    }
    Ok(out)
}

pub(super) async fn of_cycle(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: i64,
    filter: &PeopleFilter,
) -> StoreResult<Vec<SubjectRatings>> {
    let Some(scope) = ScopeArgs::of(&filter.scope) else {
        return Ok(Vec::new());
    };
    let search = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(people::like_pattern);
    let mut conn = pool.acquire().await?;
    if cycles::get_in(&mut conn, org_id, cycle_id).await?.is_none() {
        return Ok(Vec::new());
    }
    // Reads this cycle's ratings along the unique index, for the subjects the filter lets
    // through. `+r.org_id` keeps the planner off `ratings_subject (org_id, subject)`, which
    // would read every cycle's ratings of each person. (The cycle is the organisation's,
    // checked above; the term stays as a second guard.)
    let rows = sqlx::query(concat!(
        "SELECT r.subject, ",
        packed_ratings!(),
        " FROM ratings r \
         WHERE r.cycle_id = $5 AND +r.org_id = $1 AND r.state = 'submitted' \
           AND r.subject IN (SELECT p.id FROM people p WHERE p.org_id = $1 AND ",
        people_in_scope!(),
        " AND ($6 IS NULL \
               OR lower(p.id) LIKE $6 ESCAPE '\\' \
               OR lower(p.name) LIKE $6 ESCAPE '\\' \
               OR lower(coalesce(p.email, '')) LIKE $6 ESCAPE '\\') \
           AND ($7 IS NULL OR p.team_id = $7)) \
         GROUP BY r.subject ORDER BY r.subject",
    ))
    .bind(org_id)
    .bind(scope.kind)
    .bind(&scope.team_ids)
    .bind(&scope.person)
    .bind(cycle_id)
    .bind(search)
    .bind(filter.team_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut decoder = Decoder::default();
    let mut out: Vec<SubjectRatings> = Vec::with_capacity(rows.len());
    for r in &rows {
        let subject: &str = r.try_get("subject")?;
        let mut ratings = Vec::new();
        decoder.packed(r, &mut ratings)?;
        out.push(SubjectRatings {
            subject: PersonId::parse(subject).map_err(|m| corrupt("subject", m))?,
            ratings,
        });
    }
    Ok(out)
}

pub(super) async fn evidence_notes(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: i64,
    subject: &PersonId,
) -> StoreResult<Vec<EvidenceNote>> {
    let rows = sqlx::query(
        // Along the unique (cycle_id, subject, …) index: the subject's ratings in this cycle
        // only. `+org_id` keeps the planner off `ratings_subject (org_id, subject)`, which
        // would read the subject's ratings of every cycle.
        "SELECT role, quality, score, evidence FROM ratings \
         WHERE cycle_id = $2 AND subject = $3 AND +org_id = $1 AND state = 'submitted' \
           AND evidence <> '' \
         ORDER BY quality, evidence",
    )
    .bind(org_id)
    .bind(cycle_id)
    .bind(subject.as_str())
    .fetch_all(pool)
    .await?;
    let mut decoder = Decoder::default();
    rows.iter()
        .map(|r| {
            let v = decoder.value(r)?;
            Ok(EvidenceNote {
                quality: v.quality,
                role: v.role,
                score: v.score,
                evidence: r.try_get("evidence")?,
            })
        })
        .collect()
}

pub(super) async fn export(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: Option<i64>,
    sink: &mut (dyn for<'r> FnMut(&'r RatingRecord) -> Result<(), String> + Send),
) -> StoreResult<u64> {
    let mut all = cycles::list(pool, org_id).await?;
    if let Some(id) = cycle_id {
        all.retain(|c| c.id == id);
        if all.is_empty() {
            return Err(StoreError::NotFound("cycle"));
        }
    }
    let mut written = 0u64;
    for cycle in all {
        // Keyset pages along the (cycle_id, subject, rater, quality) index: constant memory,
        // no sort.
        let mut after = (String::new(), String::new(), String::new());
        loop {
            let rows = sqlx::query(
                "SELECT subject, rater, role, quality, score, evidence FROM ratings \
                 WHERE cycle_id = $1 AND state = 'submitted' \
                   AND (subject, rater, quality) > ($2, $3, $4) \
                 ORDER BY subject, rater, quality LIMIT $5",
            )
            .bind(cycle.id)
            .bind(&after.0)
            .bind(&after.1)
            .bind(&after.2)
            .bind(EXPORT_PAGE)
            .fetch_all(pool)
            .await?;
            for r in &rows {
                let role: &str = r.try_get("role")?;
                let record = RatingRecord {
                    cycle: cycle.name.as_str().to_owned(),
                    subject: r.try_get("subject")?,
                    rater: r.try_get("rater")?,
                    role: role.parse().map_err(|m| corrupt("role", m))?,
                    quality: r.try_get("quality")?,
                    score: r.try_get("score")?,
                    evidence: r.try_get("evidence")?,
                };
                sink(&record).map_err(StoreError::Sink)?;
                written += 1;
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == EXPORT_PAGE => {
                    after = (
                        last.try_get("subject")?,
                        last.try_get("rater")?,
                        last.try_get("quality")?,
                    );
                }
                _ => break,
            }
        }
    }
    Ok(written)
}
