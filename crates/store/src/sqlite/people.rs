//! People: the columns of people.csv, their team (created by name when new), their line
//! manager (a person of the same organisation), renames, and the all-or-nothing import.
//!
//! References to a person id are deferred foreign keys (see the migration), so a rename can
//! move the id and every reference to it in one transaction, and an import can name a manager
//! that a later row creates. The store checks those references itself before committing, to
//! name the field and the row; the deferred keys are the backstop at `COMMIT`.

use std::collections::HashMap;

use sellerq_domain::{Email, Person, PersonId, PersonInput};
use serde_json::json;
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool};

use super::rows::{self, Change, date_text, now, person_select, unique_columns};
use super::{ScopeArgs, begin, people_in_scope, teams};
use crate::{Actor, ImportSummary, PeopleFilter, StoreError, StoreResult};

/// Is there a person with this id in the organisation?
pub(super) async fn exists(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: &PersonId,
) -> StoreResult<bool> {
    let row = sqlx::query("SELECT 1 FROM people WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id.as_str())
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

pub(super) async fn get(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: &PersonId,
) -> StoreResult<Option<Person>> {
    let row = sqlx::query(concat!(
        person_select!(),
        "WHERE p.org_id = $1 AND p.id = $2"
    ))
    .bind(org_id)
    .bind(id.as_str())
    .fetch_optional(conn)
    .await?;
    row.map(|r| rows::person(&r)).transpose()
}

pub(super) async fn by_email(
    pool: &SqlitePool,
    org_id: i64,
    email: &Email,
) -> StoreResult<Option<Person>> {
    let row = sqlx::query(concat!(
        person_select!(),
        "WHERE p.org_id = $1 AND p.email = $2"
    ))
    .bind(org_id)
    .bind(email.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|r| rows::person(&r)).transpose()
}

/// A case-insensitive `LIKE` pattern matching `search` anywhere, with `\` escaping the
/// wildcards a user may type (`50%` finds "50%", not "50 anything").
pub(super) fn like_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

pub(super) async fn list(
    pool: &SqlitePool,
    org_id: i64,
    filter: &PeopleFilter,
) -> StoreResult<Vec<Person>> {
    let Some(scope) = ScopeArgs::of(&filter.scope) else {
        return Ok(Vec::new());
    };
    let search = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(like_pattern);
    // `lower()` on both sides: SQLite's LIKE folds ASCII only, PostgreSQL's not at all.
    let found = sqlx::query(concat!(
        person_select!(),
        "WHERE p.org_id = $1 AND ",
        people_in_scope!(),
        " AND ($5 IS NULL \
               OR lower(p.id) LIKE $5 ESCAPE '\\' \
               OR lower(p.name) LIKE $5 ESCAPE '\\' \
               OR lower(coalesce(p.email, '')) LIKE $5 ESCAPE '\\') \
          AND ($6 IS NULL OR p.team_id = $6) \
         ORDER BY p.name, p.id",
    ))
    .bind(org_id)
    .bind(scope.kind)
    .bind(&scope.team_ids)
    .bind(&scope.person)
    .bind(search)
    .bind(filter.team_id)
    .fetch_all(pool)
    .await?;
    found.iter().map(rows::person).collect()
}

/// Runs the domain's own checks again (ranges, self-management): typed input could have been
/// built without them, and the CHECK constraints would only give an anonymous error.
fn check(input: &PersonInput, row: Option<usize>) -> StoreResult<()> {
    match input
        .check()
        .err()
        .and_then(|errs| errs.0.into_iter().next())
    {
        None => Ok(()),
        Some(e) => Err(StoreError::invalid(&e.field, at_row(row, e.message))),
    }
}

/// Prefixes a message with `row N: ` (1-based position in an import batch).
fn at_row(row: Option<usize>, message: impl Into<String>) -> String {
    match row {
        Some(i) => format!("row {}: {}", i + 1, message.into()),
        None => message.into(),
    }
}

/// Who else in the organisation has this e-mail.
async fn email_holder(
    conn: &mut SqliteConnection,
    org_id: i64,
    email: &Email,
    except: &PersonId,
) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT id FROM people WHERE org_id = $1 AND email = $2 AND id <> $3")
        .bind(org_id)
        .bind(email.as_str())
        .bind(except.as_str())
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

fn email_taken(email: &Email, holder: &str, row: Option<usize>) -> StoreError {
    StoreError::conflict(
        "email",
        at_row(row, format!("{email} is already used by person {holder}")),
    )
}

fn id_taken(id: &PersonId, row: Option<usize>) -> StoreError {
    StoreError::conflict(
        "id",
        at_row(row, format!("a person with id {id} already exists")),
    )
}

/// Maps a UNIQUE violation on `people` to the field it concerns.
fn unique_to_field(e: sqlx::Error, input: &PersonInput) -> StoreError {
    match unique_columns(&e) {
        Some(c) if c.contains("people.email") => StoreError::conflict(
            "email",
            format!(
                "{} is already used by another person",
                input.email.as_ref().map(Email::as_str).unwrap_or_default()
            ),
        ),
        Some(_) => id_taken(&input.id, None),
        None => e.into(),
    }
}

/// Binds the person columns `id, name, email, team_id, manager, hire_date` and the five
/// trailing indicators, in that order, after whatever the query bound before.
fn bind_fields(
    q: Query<'static, Sqlite, SqliteArguments>,
    input: &PersonInput,
    team_id: Option<i64>,
) -> Query<'static, Sqlite, SqliteArguments> {
    q.bind(input.id.as_str().to_owned())
        .bind(input.name.clone())
        .bind(input.email.as_ref().map(|e| e.as_str().to_owned()))
        .bind(team_id)
        .bind(input.manager.as_ref().map(|m| m.as_str().to_owned()))
        .bind(date_text(input.hire_date))
        .bind(input.years_experience)
        .bind(input.quota_track_record)
        .bind(input.tenure_years)
        .bind(input.vip_connections)
        .bind(input.domain_expertise)
}

async fn insert(
    conn: &mut SqliteConnection,
    org_id: i64,
    input: &PersonInput,
    team_id: Option<i64>,
) -> StoreResult<()> {
    let q = sqlx::query(
        "INSERT INTO people (org_id, id, name, email, team_id, manager, hire_date, \
           years_experience, quota_track_record, tenure_years, vip_connections, domain_expertise, \
           created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(org_id);
    bind_fields(q, input, team_id)
        .bind(now())
        .execute(conn)
        .await
        .map_err(|e| unique_to_field(e, input))?;
    Ok(())
}

/// Replaces every field of the person `old_id`, including the id itself.
async fn replace(
    conn: &mut SqliteConnection,
    org_id: i64,
    old_id: &PersonId,
    input: &PersonInput,
    team_id: Option<i64>,
) -> StoreResult<()> {
    let q = sqlx::query(
        "UPDATE people SET id = $3, name = $4, email = $5, team_id = $6, manager = $7, \
           hire_date = $8, years_experience = $9, quota_track_record = $10, tenure_years = $11, \
           vip_connections = $12, domain_expertise = $13, updated_at = $14 \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(old_id.as_str().to_owned());
    bind_fields(q, input, team_id)
        .bind(now())
        .execute(conn)
        .await
        .map_err(|e| unique_to_field(e, input))?;
    Ok(())
}

/// Points every reference to `old` at `new`: reports' manager, teams' manager, ratings'
/// subject and rater, cycle participants, rater assignments and outcomes. Subject and rater move in one
/// statement so that a self rating never breaks `role <> 'self' OR rater = subject` halfway.
async fn move_references(
    conn: &mut SqliteConnection,
    org_id: i64,
    old: &PersonId,
    new: &PersonId,
) -> StoreResult<()> {
    for sql in [
        "UPDATE people SET manager = $3 WHERE org_id = $1 AND manager = $2",
        "UPDATE teams SET manager = $3 WHERE org_id = $1 AND manager = $2",
        "UPDATE ratings SET \
           subject = CASE WHEN subject = $2 THEN $3 ELSE subject END, \
           rater = CASE WHEN rater = $2 THEN $3 ELSE rater END \
         WHERE org_id = $1 AND (subject = $2 OR rater = $2)",
        "UPDATE cycle_participants SET subject = $3 WHERE org_id = $1 AND subject = $2",
        "UPDATE outcomes SET subject = $3 WHERE org_id = $1 AND subject = $2",
        "UPDATE cycle_raters SET \
           subject = CASE WHEN subject = $2 THEN $3 ELSE subject END, \
           rater = CASE WHEN rater = $2 THEN $3 ELSE rater END \
         WHERE org_id = $1 AND (subject = $2 OR rater = $2)",
    ] {
        sqlx::query(sql)
            .bind(org_id)
            .bind(old.as_str())
            .bind(new.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The team id for a person's team name, creating the team when new. Returns (id, created).
async fn resolve_team(
    conn: &mut SqliteConnection,
    org_id: i64,
    input: &PersonInput,
    actor: &Actor,
) -> StoreResult<(Option<i64>, bool)> {
    match &input.team {
        None => Ok((None, false)),
        Some(name) => {
            let (id, created) = teams::ensure(conn, org_id, name, actor).await?;
            Ok((Some(id), created))
        }
    }
}

/// Refuses a management chain that comes back to where it started (`a → b → a`), for each
/// of `ids`. Reads the whole organisation's manager links once: they are few.
async fn check_no_management_cycle(
    conn: &mut SqliteConnection,
    org_id: i64,
    ids: &[&PersonId],
    row_of: &HashMap<&str, usize>,
) -> StoreResult<()> {
    let links: HashMap<String, String> =
        sqlx::query("SELECT id, manager FROM people WHERE org_id = $1 AND manager IS NOT NULL")
            .bind(org_id)
            .fetch_all(conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?;
    for start in ids {
        let mut chain = vec![start.as_str()];
        let mut at = start.as_str();
        while let Some(next) = links.get(at) {
            chain.push(next);
            if next == start.as_str() {
                return Err(StoreError::invalid(
                    "manager",
                    at_row(
                        row_of.get(start.as_str()).copied(),
                        format!("{} would make a management cycle", chain.join(" → ")),
                    ),
                ));
            }
            if chain.len() > links.len() + 1 {
                break; // a loop above `start` that does not include it: reported for its own members
            }
            at = next;
        }
    }
    Ok(())
}

/// The audit summary of a person: the columns that hold a value, as the API names them.
fn summary(p: &Person) -> serde_json::Value {
    let mut v = serde_json::to_value(p).unwrap_or_default();
    if let Some(fields) = v.as_object_mut() {
        fields.retain(|_, value| !value.is_null());
    }
    v
}

pub(super) async fn create(
    pool: &SqlitePool,
    org_id: i64,
    input: &PersonInput,
    actor: &Actor,
) -> StoreResult<Person> {
    check(input, None)?;
    let mut tx = begin(pool).await?;
    if exists(&mut tx, org_id, &input.id).await? {
        return Err(id_taken(&input.id, None));
    }
    if let Some(email) = &input.email
        && let Some(holder) = email_holder(&mut tx, org_id, email, &input.id).await?
    {
        return Err(email_taken(email, &holder, None));
    }
    if let Some(manager) = &input.manager
        && !exists(&mut tx, org_id, manager).await?
    {
        return Err(unknown_manager(manager, None));
    }
    let (team_id, _) = resolve_team(&mut tx, org_id, input, actor).await?;
    insert(&mut tx, org_id, input, team_id).await?;
    let person = get(&mut tx, org_id, &input.id)
        .await?
        .ok_or(StoreError::NotFound("person"))?;
    Change::new(Some(org_id), actor, "create", "person", person.id.as_str())
        .after(summary(&person))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(person)
}

fn unknown_manager(manager: &PersonId, row: Option<usize>) -> StoreError {
    StoreError::invalid(
        "manager",
        at_row(
            row,
            format!("no person with id {manager} in this organisation"),
        ),
    )
}

/// Updates (and renames) a person. A rename carries every reference along: reports'
/// manager, teams' manager, and the subject and rater of ratings, so history stays attached.
pub(super) async fn update(
    pool: &SqlitePool,
    org_id: i64,
    id: &PersonId,
    input: &PersonInput,
    actor: &Actor,
) -> StoreResult<Person> {
    check(input, None)?;
    let mut tx = begin(pool).await?;
    let Some(before) = get(&mut tx, org_id, id).await? else {
        return Err(StoreError::NotFound("person"));
    };
    let renamed = input.id != *id;
    if renamed && exists(&mut tx, org_id, &input.id).await? {
        return Err(id_taken(&input.id, None));
    }
    if let Some(email) = &input.email
        && let Some(holder) = email_holder(&mut tx, org_id, email, id).await?
    {
        return Err(email_taken(email, &holder, None));
    }
    if let Some(manager) = &input.manager {
        // Under the old id the person would be managing themselves after the rename.
        if manager == id {
            return Err(StoreError::invalid(
                "manager",
                "a person cannot be their own manager",
            ));
        }
        if !exists(&mut tx, org_id, manager).await? {
            return Err(unknown_manager(manager, None));
        }
    }
    let (team_id, _) = resolve_team(&mut tx, org_id, input, actor).await?;
    replace(&mut tx, org_id, id, input, team_id).await?;
    if renamed {
        move_references(&mut tx, org_id, id, &input.id).await?;
    }
    check_no_management_cycle(&mut tx, org_id, &[&input.id], &HashMap::new()).await?;
    let after = get(&mut tx, org_id, &input.id)
        .await?
        .ok_or(StoreError::NotFound("person"))?;
    Change::new(
        Some(org_id),
        actor,
        if renamed { "rename" } else { "update" },
        "person",
        id.as_str(),
    )
    .before(summary(&before))
    .after(summary(&after))
    .write(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a person. Refused while ratings name them (as subject or rater): assessments are
/// history. People they manage, and teams they lead, lose their manager (and the log says so);
/// their cycle participations and rater assignments (which hold no ratings) go with them, and
/// so do their outcomes (results belong to the person; the log counts them).
pub(super) async fn delete(
    pool: &SqlitePool,
    org_id: i64,
    id: &PersonId,
    actor: &Actor,
) -> StoreResult<()> {
    let mut tx = begin(pool).await?;
    let Some(before) = get(&mut tx, org_id, id).await? else {
        return Err(StoreError::NotFound("person"));
    };
    let ratings: i64 = sqlx::query(
        "SELECT COUNT(*) FROM ratings WHERE org_id = $1 AND (subject = $2 OR rater = $2)",
    )
    .bind(org_id)
    .bind(id.as_str())
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    if ratings > 0 {
        return Err(StoreError::conflict(
            "person",
            format!("{id} is named in {ratings} ratings and cannot be deleted"),
        ));
    }
    let reports =
        sqlx::query("UPDATE people SET manager = NULL WHERE org_id = $1 AND manager = $2")
            .bind(org_id)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
    let teams = sqlx::query("UPDATE teams SET manager = NULL WHERE org_id = $1 AND manager = $2")
        .bind(org_id)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    for sql in [
        "DELETE FROM cycle_raters WHERE org_id = $1 AND (subject = $2 OR rater = $2)",
        "DELETE FROM cycle_participants WHERE org_id = $1 AND subject = $2",
    ] {
        sqlx::query(sql)
            .bind(org_id)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
    }
    let outcomes = super::outcomes::delete_of_subject(&mut tx, org_id, id).await?;
    sqlx::query("DELETE FROM people WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    Change::new(Some(org_id), actor, "delete", "person", id.as_str())
        .before(summary(&before))
        .after(json!({
            "reports_unassigned": reports,
            "teams_unassigned": teams,
            "outcomes_deleted": outcomes,
        }))
        .write(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Would writing `input` over `p` change nothing?
fn unchanged(p: &Person, input: &PersonInput) -> bool {
    p.id == input.id
        && p.name == input.name
        && p.email == input.email
        && p.team == input.team
        && p.manager == input.manager
        && p.hire_date == input.hire_date
        && p.years_experience == input.years_experience
        && p.quota_track_record == input.quota_track_record
        && p.tenure_years == input.tenure_years
        && p.vip_connections == input.vip_connections
        && p.domain_expertise == input.domain_expertise
}

/// people.csv import: every row inserted or replaced in one transaction, or none.
///
/// Rows are written first with their managers as given (the manager key is deferred), then
/// every manager is checked against the organisation as it stands after the whole batch, so a
/// row may name a manager that a later row creates. Error messages start with `row N:` (the
/// 1-based position in `rows`). Unchanged rows are neither counted nor logged, so importing
/// the same file twice reports `updated: 0`.
pub(super) async fn import(
    pool: &SqlitePool,
    org_id: i64,
    rows: &[PersonInput],
    actor: &Actor,
) -> StoreResult<ImportSummary> {
    let mut row_of: HashMap<&str, usize> = HashMap::new();
    let mut email_row: HashMap<&str, usize> = HashMap::new();
    for (i, input) in rows.iter().enumerate() {
        check(input, Some(i))?;
        if let Some(first) = row_of.insert(input.id.as_str(), i) {
            return Err(StoreError::invalid(
                "id",
                at_row(
                    Some(i),
                    format!("{} appears again (first in row {})", input.id, first + 1),
                ),
            ));
        }
        if let Some(email) = &input.email
            && let Some(first) = email_row.insert(email.as_str(), i)
        {
            return Err(StoreError::conflict(
                "email",
                at_row(
                    Some(i),
                    format!("{email} appears again (first in row {})", first + 1),
                ),
            ));
        }
    }

    let mut tx = begin(pool).await?;
    let mut summary_counts = ImportSummary::default();
    let mut existing: HashMap<&str, Person> = HashMap::new();
    for input in rows {
        if let Some(p) = get(&mut tx, org_id, &input.id).await? {
            existing.insert(input.id.as_str(), p);
        }
    }
    // Free the addresses the batch moves, so that two people may swap e-mails in one file.
    for input in rows {
        if let Some(p) = existing.get(input.id.as_str())
            && p.email.is_some()
            && p.email != input.email
        {
            sqlx::query("UPDATE people SET email = NULL WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(input.id.as_str())
                .execute(&mut *tx)
                .await?;
        }
    }

    let mut changed: Vec<(usize, &PersonInput)> = Vec::new();
    for (i, input) in rows.iter().enumerate() {
        let before = existing.get(input.id.as_str());
        if before.is_some_and(|p| unchanged(p, input)) {
            continue;
        }
        if let Some(email) = &input.email
            && let Some(holder) = email_holder(&mut tx, org_id, email, &input.id).await?
        {
            return Err(email_taken(email, &holder, Some(i)));
        }
        let (team_id, team_created) =
            resolve_team(&mut tx, org_id, input, actor)
                .await
                .map_err(|e| match e {
                    StoreError::Invalid { field, message } => StoreError::Invalid {
                        field,
                        message: at_row(Some(i), message),
                    },
                    other => other,
                })?;
        summary_counts.teams_created += u64::from(team_created);
        match before {
            Some(_) => {
                replace(&mut tx, org_id, &input.id, input, team_id).await?;
                summary_counts.updated += 1;
            }
            None => {
                insert(&mut tx, org_id, input, team_id).await?;
                summary_counts.created += 1;
            }
        }
        changed.push((i, input));
    }

    // Managers, now that the whole batch is in: each must be a person of the organisation.
    let mut unknown = Vec::new();
    for (i, input) in &changed {
        if let Some(manager) = &input.manager
            && !exists(&mut tx, org_id, manager).await?
        {
            unknown.push(at_row(
                Some(*i),
                format!("no person with id {manager} in this organisation or the file"),
            ));
        }
    }
    if !unknown.is_empty() {
        let more = unknown.len().saturating_sub(20);
        unknown.truncate(20);
        if more > 0 {
            unknown.push(format!("and {more} more rows"));
        }
        return Err(StoreError::invalid("manager", unknown.join("; ")));
    }
    let ids: Vec<&PersonId> = changed.iter().map(|(_, p)| &p.id).collect();
    check_no_management_cycle(&mut tx, org_id, &ids, &row_of).await?;

    for (_, input) in &changed {
        let after = get(&mut tx, org_id, &input.id)
            .await?
            .ok_or(StoreError::NotFound("person"))?;
        let mut change = Change::new(Some(org_id), actor, "import", "person", input.id.as_str());
        if let Some(before) = existing.get(input.id.as_str()) {
            change = change.before(summary(before));
        }
        change.after(summary(&after)).write(&mut tx).await?;
    }
    Change::new(
        Some(org_id),
        actor,
        "import",
        "people",
        format!("{} rows", rows.len()),
    )
    .after(json!({
        "rows": rows.len(),
        "created": summary_counts.created,
        "updated": summary_counts.updated,
        "teams_created": summary_counts.teams_created,
    }))
    .write(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(summary_counts)
}
