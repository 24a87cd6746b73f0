//! people.csv in and out.
//!
//! In: every row checked (its own cells, then ids and e-mails unique in the file, managers
//! known in the file or the organisation, e-mails not taken by someone outside the file), then
//! written by `Store::import_people` in one transaction, or not at all.
//!
//! Out: [`export`] writes every person with the columns in FORMATS.md order, numbers in the
//! shortest form that reads back as the same value, so that `export people`, `export ratings`
//! and `export outcomes` feed `sellerq analyze` with exactly the data the web reports use.

use std::collections::HashMap;
use std::io::{Read, Write};

use sellerq_domain::PersonInput;
use sellerq_domain::formats::RowProblems;
use sellerq_domain::formats::people::{COLUMNS, parse_row};
use sellerq_store::{Actor, ImportSummary, PeopleFilter, Store, StoreError};

use super::{TransferError, csv};

/// One checked row and the line it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    /// The record's line in the file.
    pub line: u64,
    /// The checked person.
    pub person: PersonInput,
}

/// Reads a people.csv (shown as `source`): the good rows, and every problem found so far
/// (including ids and e-mails repeated within the file).
pub fn read<R: Read>(
    reader: R,
    source: &str,
) -> Result<(Vec<PersonRow>, RowProblems), TransferError> {
    let mut rows = Vec::new();
    let mut problems = RowProblems::new(source);
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut emails: HashMap<String, u64> = HashMap::new();
    csv::read_rows(
        reader,
        source,
        &COLUMNS,
        &mut problems,
        |line, cells, problems| {
            let Some(person) = parse_row(line, cells, problems) else {
                return;
            };
            if let Some(first) = ids.insert(person.id.as_str().to_owned(), line) {
                problems.push(
                    line,
                    "id",
                    format!("{} appears again (first on line {first})", person.id),
                );
                ids.insert(person.id.as_str().to_owned(), first);
                return;
            }
            if let Some(email) = &person.email
                && let Some(first) = emails.insert(email.as_str().to_owned(), line)
            {
                problems.push(
                    line,
                    "email",
                    format!("{email} appears again (first on line {first})"),
                );
                emails.insert(email.as_str().to_owned(), first);
                return;
            }
            rows.push(PersonRow { line, person });
        },
    )?;
    Ok((rows, problems))
}

/// Checks `rows` against the organisation and imports them all, or reports every problem
/// (with those `read` found) and writes nothing.
pub async fn import(
    store: &dyn Store,
    org_id: i64,
    rows: Vec<PersonRow>,
    mut problems: RowProblems,
    actor: &Actor,
) -> Result<ImportSummary, TransferError> {
    let source = problems.source().to_owned();
    let existing = store.list_people(org_id, &PeopleFilter::everyone()).await?;
    let in_file: HashMap<&str, u64> = rows
        .iter()
        .map(|r| (r.person.id.as_str(), r.line))
        .collect();
    let known: std::collections::HashSet<&str> = existing.iter().map(|p| p.id.as_str()).collect();
    let email_holder: HashMap<&str, &str> = existing
        .iter()
        .filter_map(|p| p.email.as_ref().map(|e| (e.as_str(), p.id.as_str())))
        .collect();
    for r in &rows {
        if let Some(m) = &r.person.manager
            && !in_file.contains_key(m.as_str())
            && !known.contains(m.as_str())
        {
            problems.push(
                r.line,
                "manager",
                format!("no person with id {m} in this organisation or the file"),
            );
        }
        if let Some(e) = &r.person.email
            && let Some(holder) = email_holder.get(e.as_str())
            && *holder != r.person.id.as_str()
            && !in_file.contains_key(holder)
        {
            problems.push(
                r.line,
                "email",
                format!("{e} is already used by person {holder}"),
            );
        }
    }
    if !problems.is_empty() {
        return Err(TransferError::rejected(problems, &source));
    }
    let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
    let inputs: Vec<PersonInput> = rows.into_iter().map(|r| r.person).collect();
    match store.import_people(org_id, &inputs, actor).await {
        Ok(summary) => Ok(summary),
        // The store names rows by position ("row 3: …"); turn that back into lines.
        Err(StoreError::Invalid { field, message } | StoreError::Conflict { field, message }) => {
            for part in message.split("; ") {
                let (line, text) = row_line(part, &lines);
                problems.push(line, &field, text);
            }
            Err(TransferError::rejected(problems, &source))
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes every person of the organisation as people.csv to `writer` (shown as `dest` in
/// errors), by id. Returns the number of rows.
pub async fn export<W: Write + Send>(
    store: &dyn Store,
    org_id: i64,
    writer: W,
    dest: &str,
) -> Result<u64, TransferError> {
    let mut people = store.list_people(org_id, &PeopleFilter::everyone()).await?;
    people.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(writer);
    let io = |e: ::csv::Error| TransferError::io(dest, std::io::Error::other(e.to_string()));
    out.write_record(COLUMNS.iter().map(|c| c.name))
        .map_err(io)?;
    let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for p in &people {
        out.write_record([
            p.id.as_str().to_owned(),
            p.name.clone(),
            p.email
                .as_ref()
                .map(|e| e.as_str().to_owned())
                .unwrap_or_default(),
            p.team.clone().unwrap_or_default(),
            p.manager
                .as_ref()
                .map(|m| m.as_str().to_owned())
                .unwrap_or_default(),
            p.hire_date_text(),
            number(p.years_experience),
            number(p.quota_track_record),
            number(p.tenure_years),
            number(p.vip_connections),
            number(p.domain_expertise),
        ])
        .map_err(io)?;
    }
    out.flush().map_err(|e| TransferError::io(dest, e))?;
    Ok(people.len() as u64)
}

/// `("row 3: x", lines)` → (the line of row 3, "x"); anything else is put on line 1.
fn row_line<'m>(message: &'m str, lines: &[u64]) -> (u64, &'m str) {
    message
        .strip_prefix("row ")
        .and_then(|rest| rest.split_once(": "))
        .and_then(|(n, text)| {
            let i: usize = n.parse().ok()?;
            lines.get(i.checked_sub(1)?).map(|l| (*l, text))
        })
        .unwrap_or((1, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_messages_naming_a_row_point_at_its_line() {
        assert_eq!(row_line("row 2: a → b → a", &[2, 5, 9]), (5, "a → b → a"));
        assert_eq!(row_line("something else", &[2]), (1, "something else"));
        assert_eq!(
            row_line("row 9: out of range", &[2]),
            (1, "row 9: out of range")
        );
    }

    #[test]
    fn ids_and_emails_repeated_in_a_file_are_reported_with_the_first_line() {
        let text = "id,name,email\np-1,Ana,a@x.io\np-1,Bo,\np-2,Cy,a@x.io\n";
        let (rows, problems) = read(text.as_bytes(), "people.csv").unwrap();
        assert_eq!(rows.len(), 1);
        let report = problems.to_string();
        assert!(
            report.contains("people.csv:3: id: p-1 appears again (first on line 2)"),
            "{report}"
        );
        assert!(
            report.contains("people.csv:4: email: a@x.io appears again (first on line 2)"),
            "{report}"
        );
    }
}
