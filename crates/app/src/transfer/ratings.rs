//! ratings.csv in and out.
//!
//! In: [`read`] checks the header and every row's own cells into a compact
//! [`RatingsBatch`]; [`import`] has the store check the rows against the organisation and, if
//! the whole file is good, write it in one transaction. Evidence is never required in a file
//! (the form requires it at the ends of the scale; historical files rarely have it).
//!
//! Out: [`export`] writes every submitted rating in the same format, so that an export imported
//! into a fresh organisation (with the same people and model) reproduces every rating, and so
//! every profile, exactly.

use std::io::{Read, Write};

use sellerq_domain::formats::RowProblems;
use sellerq_domain::formats::ratings::{COLUMNS, HEADER, RatingsBatch};
use sellerq_store::{Actor, ImportOptions, RatingRecord, RatingsImported, Store, StoreError};

use super::{Progress, TransferError, csv};

/// Reads a ratings.csv (shown as `source`): the rows that passed the reader's checks, and the
/// problems of the others (empty when the file is good so far).
pub fn read<R: Read>(
    reader: R,
    source: &str,
) -> Result<(RatingsBatch, RowProblems), TransferError> {
    let mut batch = RatingsBatch::new();
    let mut problems = RowProblems::new(source);
    csv::read_rows(
        reader,
        source,
        &COLUMNS,
        &mut problems,
        |line, cells, problems| {
            batch.push_cells(line, cells, problems);
        },
    )?;
    Ok((batch, problems))
}

/// Imports what [`read`] gave: when the reader found problems, the store only checks the rest
/// (so the report lists every bad row) and nothing is written; otherwise the store checks and
/// writes the whole file, or nothing. `progress` shows the rows written.
pub async fn import(
    store: &dyn Store,
    org_id: i64,
    batch: &RatingsBatch,
    mut problems: RowProblems,
    actor: &Actor,
    progress: &Progress,
) -> Result<RatingsImported, TransferError> {
    let source = problems.source().to_owned();
    let check_only = !problems.is_empty();
    if !check_only {
        progress.writing(batch.len() as u64);
    }
    let done = store
        .import_ratings(org_id, batch, ImportOptions { check_only }, actor, &|n| {
            progress.set(n)
        })
        .await;
    match done {
        Ok(summary) if !check_only => Ok(summary),
        Ok(_) => Err(TransferError::rejected(problems, &source)),
        Err(StoreError::Rejected(more)) => {
            problems.merge(more);
            Err(TransferError::rejected(problems, &source))
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes the organisation's submitted ratings (of one cycle, if given) as ratings.csv to
/// `writer` (shown as `dest` in errors). Returns the number of rows.
pub async fn export<W: Write + Send>(
    store: &dyn Store,
    org_id: i64,
    cycle_id: Option<i64>,
    writer: W,
    dest: &str,
) -> Result<u64, TransferError> {
    let mut out = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(writer);
    let io = |e: ::csv::Error| TransferError::io(dest, std::io::Error::other(e.to_string()));
    out.write_record(HEADER).map_err(io)?;
    let mut score = String::new();
    let rows = store
        .export_ratings(org_id, cycle_id, &mut |r: &RatingRecord| {
            score.clear();
            if let Some(s) = r.score {
                score.push_str(&s.to_string());
            }
            out.write_record([
                r.cycle.as_str(),
                r.subject.as_str(),
                r.rater.as_str(),
                r.role.as_str(),
                r.quality.as_str(),
                score.as_str(),
                r.evidence.as_str(),
            ])
            .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| match e {
            StoreError::Sink(m) => TransferError::io(dest, std::io::Error::other(m)),
            other => other.into(),
        })?;
    out.flush().map_err(|e| TransferError::io(dest, e))?;
    Ok(rows)
}
