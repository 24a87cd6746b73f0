//! outcomes.csv: the columns, and one row's cells turned into a checked [`OutcomeInput`].
//!
//! The row rules are [`OutcomeInput::from_text`]'s, the same as the seller page's form. What
//! needs the whole file or the database (the subject a person of the organisation, no
//! (subject, period, metric) twice in the file) is checked by the store's import, which reports
//! in the same line-numbered shape.

use super::{Column, HeaderMap, RowProblems};
use crate::outcome::{OutcomeInput, OutcomeText};

/// The outcomes.csv columns in FORMATS.md order: every one is required.
pub const COLUMNS: [Column; 4] = [
    Column {
        name: "subject",
        required: true,
    },
    Column {
        name: "period",
        required: true,
    },
    Column {
        name: "metric",
        required: true,
    },
    Column {
        name: "value",
        required: true,
    },
];

/// The header line export writes.
pub const HEADER: [&str; 4] = ["subject", "period", "metric", "value"];

/// The cells of one outcomes.csv row in [`COLUMNS`] order.
pub type OutcomeCells<'a> = [&'a str; 4];

/// Checks an outcomes.csv header row.
pub fn header(names: &[&str]) -> Result<HeaderMap, RowProblems> {
    HeaderMap::new(&COLUMNS, names)
}

/// Checks one row; every problem is recorded under `line` with its column.
///
/// ```
/// use sellerq_domain::formats::{RowProblems, outcomes};
/// let mut problems = RowProblems::new("outcomes.csv");
/// let row = outcomes::parse_row(2, &["p-1", "2026-Q3", "quota_attainment", "0.9"], &mut problems);
/// assert_eq!(row.unwrap().value, 0.9);
/// assert!(outcomes::parse_row(3, &["p-1", "2026-Q5", "quota_attainment", ""], &mut problems).is_none());
/// let text = problems.to_string();
/// assert!(text.contains("outcomes.csv:3: period: "), "{text}");
/// assert!(text.contains("outcomes.csv:3: value: is required"), "{text}");
/// ```
pub fn parse_row(
    line: u64,
    c: &OutcomeCells<'_>,
    problems: &mut RowProblems,
) -> Option<OutcomeInput> {
    let text = OutcomeText {
        subject: c[0],
        period: c[1],
        metric: c[2],
        value: c[3],
    };
    match OutcomeInput::from_text(&text) {
        Ok(o) => Some(o),
        Err(errs) => {
            for e in errs.0 {
                problems.push(line, &e.field, e.message);
            }
            None
        }
    }
}

/// Writes a value as export does: the shortest text that reads back as the same number.
///
/// ```
/// assert_eq!(sellerq_domain::formats::outcomes::format_value(0.1), "0.1");
/// assert_eq!(sellerq_domain::formats::outcomes::format_value(2.0), "2");
/// ```
pub fn format_value(v: f64) -> String {
    format!("{v}")
}
