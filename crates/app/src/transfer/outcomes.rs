//! outcomes.csv in and out.
//!
//! In: [`read`] checks the header and every row's own cells (subject id, period, metric key, a
//! finite number) and finds (subject, period, metric) repeated in the file; [`import`] adds the
//! subjects unknown to the organisation to the same report and, only when the whole file is
//! good, has `Store::import_outcomes` write it in one transaction. Metrics the file names that
//! the organisation lacks are created (label = key), as FORMATS.md's open list of metrics asks.
//!
//! Out: [`export`] writes every outcome (of one metric, if given) by subject, metric and period,
//! values in the shortest form that reads back as the same number — so an export imported into
//! a fresh organisation (with the same people) reproduces every value exactly, and
//! `sellerq analyze` on the exports gives the web reports' figures.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};

use sellerq_domain::OutcomeInput;
use sellerq_domain::formats::RowProblems;
use sellerq_domain::formats::outcomes::{COLUMNS, HEADER, format_value, parse_row};
use sellerq_store::{Actor, ImportSummary, OutcomeFilter, PeopleFilter, Store, StoreError};

use super::{TransferError, csv};

/// Reads an outcomes.csv (shown as `source`): the rows that passed the reader's checks, each
/// with its line, and every problem found so far (a repeated (subject, period, metric)
/// included, naming the first line).
pub fn read<R: Read>(
    reader: R,
    source: &str,
) -> Result<(Vec<(u64, OutcomeInput)>, RowProblems), TransferError> {
    let mut rows = Vec::new();
    let mut problems = RowProblems::new(source);
    let mut first_line: HashMap<(String, String, String), u64> = HashMap::new();
    csv::read_rows(
        reader,
        source,
        &COLUMNS,
        &mut problems,
        |line, cells, problems| {
            let Some(o) = parse_row(line, cells, problems) else {
                return;
            };
            let key = (
                o.subject.as_str().to_owned(),
                o.period.clone(),
                o.metric.clone(),
            );
            if let Some(first) = first_line.get(&key) {
                problems.push(
                    line,
                    "metric",
                    format!(
                        "appears twice: {} of {} in {} (first on line {first})",
                        o.metric, o.subject, o.period
                    ),
                );
                return;
            }
            first_line.insert(key, line);
            rows.push((line, o));
        },
    )?;
    Ok((rows, problems))
}

/// Checks `rows` against the organisation (every subject a person of it) and imports them all,
/// or reports every problem (with those [`read`] found) and writes nothing.
pub async fn import(
    store: &dyn Store,
    org_id: i64,
    rows: Vec<(u64, OutcomeInput)>,
    mut problems: RowProblems,
    actor: &Actor,
) -> Result<ImportSummary, TransferError> {
    let source = problems.source().to_owned();
    let people = store.list_people(org_id, &PeopleFilter::everyone()).await?;
    let known: HashSet<&str> = people.iter().map(|p| p.id.as_str()).collect();
    for (line, o) in &rows {
        if !known.contains(o.subject.as_str()) {
            problems.push(
                *line,
                "subject",
                format!("no person with id {} in this organisation", o.subject),
            );
        }
    }
    if !problems.is_empty() {
        return Err(TransferError::rejected(problems, &source));
    }
    match store.import_outcomes(org_id, &rows, actor).await {
        Ok(summary) => Ok(summary),
        Err(StoreError::Rejected(more)) => {
            problems.merge(more);
            Err(TransferError::rejected(problems, &source))
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes the organisation's outcomes (of one metric, if given) as outcomes.csv to `writer`
/// (shown as `dest` in errors), by subject, metric and period. Returns the number of rows.
pub async fn export<W: Write + Send>(
    store: &dyn Store,
    org_id: i64,
    metric: Option<&str>,
    writer: W,
    dest: &str,
) -> Result<u64, TransferError> {
    let records = store
        .outcomes(
            org_id,
            &OutcomeFilter {
                subject: None,
                metric: metric.map(str::to_owned),
            },
        )
        .await?;
    let mut out = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(writer);
    let io = |e: ::csv::Error| TransferError::io(dest, std::io::Error::other(e.to_string()));
    out.write_record(HEADER).map_err(io)?;
    for r in &records {
        out.write_record([
            r.subject.as_str(),
            r.period.as_str(),
            r.metric.as_str(),
            format_value(r.value).as_str(),
        ])
        .map_err(io)?;
    }
    out.flush().map_err(|e| TransferError::io(dest, e))?;
    Ok(records.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_subject_period_and_metric_names_its_first_line() {
        let text = "subject,period,metric,value\n\
                    p-1,2026-Q1,quota_attainment,0.9\n\
                    p-1,2026-Q2,quota_attainment,1.0\n\
                    p-1,2026-Q1,quota_attainment,1.1\n";
        let (rows, problems) = read(text.as_bytes(), "outcomes.csv").unwrap();
        assert_eq!(rows.len(), 2);
        let report = problems.to_string();
        assert!(
            report.contains(
                "outcomes.csv:4: metric: appears twice: quota_attainment of p-1 in 2026-Q1 \
                 (first on line 2)"
            ),
            "{report}"
        );
    }

    #[test]
    fn every_bad_cell_is_reported_by_line_and_column() {
        let text = "value,metric,subject,period\n\
                    x,Quota,,2026-Q7\n\
                    0.5,quota_attainment,p-2,2026-07\n";
        let (rows, problems) = read(text.as_bytes(), "o.csv").unwrap();
        assert_eq!(rows.len(), 1, "columns in any order");
        let report = problems.to_string();
        for want in [
            "o.csv:2: subject: is required",
            "o.csv:2: period: ",
            "o.csv:2: metric: ",
            "o.csv:2: value: ",
        ] {
            assert!(report.contains(want), "{want} in {report}");
        }
    }
}
