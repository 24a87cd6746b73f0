//! The CSV files of FORMATS.md, row by row: column specs, header matching, line-numbered
//! problems, and the checked forms of a row.
//!
//! This module does no I/O: a reader (the CLI, the web upload page) splits records and hands
//! each row's cells here. What it checks is everything a row can break *on its own* — required
//! cells, id and key syntax, roles, whole numbers. What needs the database (the model's
//! qualities and scale, known people, closed cycles, duplicates against stored ratings) is
//! checked by the store, which reports in the same [`RowProblem`] shape, so one report lists
//! every bad row of a file.
//!
//! The rules of FORMATS.md that live here: header names match exactly (lower case), columns in
//! any order, an unknown column or a missing required one is an error naming it, an empty cell
//! means missing, cells are trimmed.

pub mod outcomes;
pub mod people;
pub mod ratings;

use std::fmt;

/// How many problems a report shows before "… and N more" (FORMATS.md: the first 100).
pub const MAX_SHOWN: usize = 100;

/// One column of a file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The header name, exactly.
    pub name: &'static str,
    /// Must the header have it (and every row a value)?
    pub required: bool,
}

/// One bad row (or the header, line 1): shown as `file:line: column: problem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The physical line where the record starts (the header is line 1).
    pub line: u64,
    /// The column the problem is about (`row` for the record as a whole).
    pub column: String,
    /// What is wrong.
    pub message: String,
}

impl RowProblem {
    /// A problem on `line` in `column`.
    pub fn new(line: u64, column: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            line,
            column: column.into(),
            message: message.into(),
        }
    }
}

/// Every problem of one file: the first [`MAX_SHOWN`] by line, and how many in all.
///
/// Keeps memory bounded: a wholly wrong million-row file costs a few hundred problems, not a
/// million. Its `Display` is the report FORMATS.md asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowProblems {
    source: String,
    kept: Vec<RowProblem>,
    total: usize,
}

impl RowProblems {
    /// An empty report for the file shown as `source` (a path or an upload's name).
    pub fn new(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            kept: Vec::new(),
            total: 0,
        }
    }

    /// Records a problem.
    pub fn push(&mut self, line: u64, column: &str, message: impl Into<String>) {
        self.add(RowProblem::new(line, column, message));
    }

    /// Records a problem.
    pub fn add(&mut self, p: RowProblem) {
        self.total += 1;
        self.kept.push(p);
        if self.kept.len() >= 8 * MAX_SHOWN {
            self.trim();
        }
    }

    /// Adds every problem of `other` (whose own source is ignored).
    pub fn merge(&mut self, other: RowProblems) {
        let extra = other.total - other.kept.len();
        for p in other.kept {
            self.add(p);
        }
        self.total += extra;
    }

    fn trim(&mut self) {
        self.kept.sort_by_key(|p| p.line);
        self.kept.truncate(MAX_SHOWN);
    }

    /// Names the file (for a report built without one, as the store's is).
    pub fn set_source(&mut self, source: impl Into<String>) {
        self.source = source.into();
    }

    /// The file's name as shown.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many problems in all.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The first [`MAX_SHOWN`] problems, by line.
    pub fn shown(&self) -> Vec<RowProblem> {
        let mut v = self.kept.clone();
        v.sort_by_key(|p| p.line);
        v.truncate(MAX_SHOWN);
        v
    }

    /// `Ok(value)` when empty, else this report.
    pub fn into_result<T>(self, value: T) -> Result<T, RowProblems> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for RowProblems {
    /// One problem per line as `file:line: column: problem`, then `… and N more problems`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.shown();
        for (i, p) in shown.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}:{}: {}: {}", self.source, p.line, p.column, p.message)?;
        }
        if self.total > shown.len() {
            write!(f, "\n… and {} more problems", self.total - shown.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for RowProblems {}

/// Where each column of a spec sits in a file's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderMap {
    index: Vec<Option<usize>>,
    width: usize,
}

impl HeaderMap {
    /// Matches a header row against `spec`. Every problem is reported at line 1: an unknown
    /// column (named, with the list of known ones), a repeated one, a missing required one.
    /// A leading byte-order mark on the first name is ignored.
    ///
    /// ```
    /// use sellerq_domain::formats::{HeaderMap, ratings::COLUMNS};
    /// let h = HeaderMap::new(&COLUMNS, &["\u{feff}subject", "cycle", "rater", "role", "quality"]).unwrap();
    /// assert_eq!(h.position(0), Some(1)); // `cycle` is the file's second column
    /// let e = HeaderMap::new(&COLUMNS, &["cycle", "Subject"]).unwrap_err();
    /// assert!(e.to_string().contains("Subject: unknown column"));
    /// ```
    pub fn new(spec: &[Column], names: &[&str]) -> Result<HeaderMap, RowProblems> {
        let mut problems = RowProblems::default();
        if names.is_empty() || (names.len() == 1 && names[0].is_empty()) {
            problems.push(1, "header", "the file is empty (a header row is expected)");
            return Err(problems);
        }
        let mut index = vec![None; spec.len()];
        for (i, raw) in names.iter().enumerate() {
            let name = if i == 0 {
                raw.strip_prefix('\u{feff}').unwrap_or(raw)
            } else {
                raw
            };
            match spec.iter().position(|c| c.name == name) {
                Some(c) if index[c].is_some() => {
                    problems.push(1, name, "appears twice in the header");
                }
                Some(c) => index[c] = Some(i),
                None => {
                    let known: Vec<&str> = spec.iter().map(|c| c.name).collect();
                    let shown = if name.is_empty() {
                        format!("column {}", i + 1)
                    } else {
                        name.to_owned()
                    };
                    problems.push(
                        1,
                        &shown,
                        format!(
                            "unknown column (the columns are: {}; names are lower case)",
                            known.join(", ")
                        ),
                    );
                }
            }
        }
        for (c, col) in spec.iter().enumerate() {
            if col.required && index[c].is_none() {
                problems.push(1, col.name, "required column is missing");
            }
        }
        problems.into_result(HeaderMap {
            index,
            width: names.len(),
        })
    }

    /// The file's column index of spec column `c`.
    pub fn position(&self, c: usize) -> Option<usize> {
        self.index.get(c).copied().flatten()
    }

    /// How many fields the header has (every record must have as many).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Picks the cells of a record in spec order, trimmed (`""` for columns the file lacks).
    /// `N` must be the spec's length.
    pub fn cells<'r, const N: usize>(&self, record: &[&'r str]) -> [&'r str; N] {
        let mut out = [""; N];
        for (c, slot) in out.iter_mut().enumerate() {
            if let Some(i) = self.position(c) {
                *slot = record.get(i).map_or("", |s| s.trim());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: [Column; 3] = [
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
    ];

    #[test]
    fn a_header_may_list_the_columns_in_any_order_and_leave_out_optional_ones() {
        let h = HeaderMap::new(&SPEC, &["name", "id"]).unwrap();
        assert_eq!(
            (h.position(0), h.position(1), h.position(2)),
            (Some(1), Some(0), None)
        );
        assert_eq!(h.cells::<3>(&[" Ana ", "p-1"]), ["p-1", "Ana", ""]);
    }

    #[test]
    fn unknown_repeated_and_missing_columns_are_each_named_at_line_one() {
        let e = HeaderMap::new(&SPEC, &["id", "ID", "id", ""]).unwrap_err();
        let text = e.to_string();
        assert!(text.contains(":1: ID: unknown column"), "{text}");
        assert!(text.contains(":1: id: appears twice"), "{text}");
        assert!(text.contains(":1: column 4: unknown column"), "{text}");
        assert!(
            text.contains(":1: name: required column is missing"),
            "{text}"
        );
        assert_eq!(e.total(), 4);
    }

    #[test]
    fn an_empty_file_has_no_header() {
        let e = HeaderMap::new(&SPEC, &[""]).unwrap_err();
        assert!(e.to_string().contains("the file is empty"));
    }

    #[test]
    fn a_report_shows_the_first_hundred_problems_by_line_then_a_count() {
        let mut p = RowProblems::new("ratings.csv");
        for line in (2..=1001).rev() {
            p.push(line, "score", "is bad");
        }
        let text = p.to_string();
        assert_eq!(p.total(), 1000);
        assert!(text.starts_with("ratings.csv:2: score: is bad\n"));
        assert!(text.contains("ratings.csv:101: score"));
        assert!(!text.contains("ratings.csv:102: score"));
        assert!(text.ends_with("… and 900 more problems"));
    }

    #[test]
    fn merging_reports_keeps_the_total() {
        let mut a = RowProblems::new("f.csv");
        a.push(5, "x", "bad");
        let mut b = RowProblems::default();
        for line in 0..150 {
            b.push(10 + line, "y", "bad");
        }
        a.merge(b);
        assert_eq!(a.total(), 151);
        assert_eq!(a.shown()[0].line, 5);
        assert_eq!(a.shown().len(), MAX_SHOWN);
    }
}
