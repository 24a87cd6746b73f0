//! people.csv: the columns, and one row's cells turned into a checked [`PersonInput`].
//!
//! The row rules are [`PersonInput::from_text`]'s, the same as the web form's. What needs the
//! whole file or the database (ids and e-mails unique, managers known) is checked by the
//! importer and the store.

use super::{Column, HeaderMap, RowProblems};
use crate::person::{PersonInput, PersonText};

/// The columns of people.csv, in FORMATS.md order.
pub const COLUMNS: [Column; 11] = [
    Column {
        name: "id",
        required: true,
    },
    Column {
        name: "name",
        required: true,
    },
    Column {
        name: "email",
        required: false,
    },
    Column {
        name: "team",
        required: false,
    },
    Column {
        name: "manager",
        required: false,
    },
    Column {
        name: "hire_date",
        required: false,
    },
    Column {
        name: "years_experience",
        required: false,
    },
    Column {
        name: "quota_track_record",
        required: false,
    },
    Column {
        name: "tenure_years",
        required: false,
    },
    Column {
        name: "vip_connections",
        required: false,
    },
    Column {
        name: "domain_expertise",
        required: false,
    },
];

/// The cells of one people.csv row in [`COLUMNS`] order.
pub type PersonCells<'a> = [&'a str; 11];

/// Checks a people.csv header row.
pub fn header(names: &[&str]) -> Result<HeaderMap, RowProblems> {
    HeaderMap::new(&COLUMNS, names)
}

/// Checks one row; every problem is recorded under `line` with its column.
///
/// ```
/// use sellerq_domain::formats::{RowProblems, people};
/// let mut problems = RowProblems::new("people.csv");
/// let mut cells = [""; 11];
/// cells[0] = "p-1";
/// assert!(people::parse_row(3, &cells, &mut problems).is_none());
/// assert!(problems.to_string().contains("people.csv:3: name: is required"));
/// cells[1] = "Ana Ruiz";
/// cells[6] = "-2";
/// assert!(people::parse_row(4, &cells, &mut problems).is_none());
/// assert!(problems.to_string().contains("people.csv:4: years_experience: must be at least 0"));
/// ```
pub fn parse_row(
    line: u64,
    c: &PersonCells<'_>,
    problems: &mut RowProblems,
) -> Option<PersonInput> {
    let text = PersonText {
        id: c[0],
        name: c[1],
        email: c[2],
        team: c[3],
        manager: c[4],
        hire_date: c[5],
        years_experience: c[6],
        quota_track_record: c[7],
        tenure_years: c[8],
        vip_connections: c[9],
        domain_expertise: c[10],
    };
    match PersonInput::from_text(&text) {
        Ok(p) => Some(p),
        Err(errs) => {
            for e in errs.0 {
                problems.push(line, &e.field, e.message);
            }
            None
        }
    }
}
