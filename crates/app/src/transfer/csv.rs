//! Reading a FORMATS.md CSV: UTF-8 with an optional byte-order mark, RFC 4180 quoting, one
//! header row matched exactly against a column spec, every record as wide as the header.
//!
//! [`read_rows`] hands each data row's cells (in spec order, trimmed, `""` for absent columns)
//! to a callback with the record's line; problems of the file's shape (header, width, encoding)
//! go into the same [`RowProblems`] the callback fills.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;

use sellerq_domain::formats::{Column, HeaderMap, RowProblems};

use super::TransferError;

/// Where the line breaks are, to turn a record's byte offset into its physical line. (The csv
/// crate's own line count misses breaks inside quoted fields, and a record's position is taken
/// before the blank lines it skips.) Holds only the breaks not yet passed by a record: about
/// the reader's one-megabyte look-ahead.
#[derive(Debug, Default)]
struct Lines {
    /// Offsets of `\n` bytes read but not yet passed, each with "preceded by `\r`".
    pending: VecDeque<(u64, bool)>,
    /// Bytes read so far.
    read: u64,
    /// The last byte read (a `\r` may end one read and its `\n` start the next).
    last: u8,
    /// Line breaks passed.
    passed: u64,
}

impl Lines {
    fn scan(&mut self, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                let cr = if i == 0 {
                    self.last == b'\r'
                } else {
                    bytes[i - 1] == b'\r'
                };
                self.pending.push_back((self.read + i as u64, cr));
            }
        }
        if let Some(b) = bytes.last() {
            self.last = *b;
        }
        self.read += bytes.len() as u64;
    }

    /// The physical line of a record read from `byte` on (blank lines there skipped).
    fn line_at(&mut self, byte: u64) -> u64 {
        while self.pending.front().is_some_and(|(at, _)| *at < byte) {
            self.pending.pop_front();
            self.passed += 1;
        }
        let mut pos = byte;
        loop {
            match self.pending.front() {
                Some((at, _)) if *at == pos => pos += 1,
                Some((at, true)) if *at == pos + 1 => pos += 2,
                _ => break,
            }
            self.pending.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// A reader that records where the line breaks are.
#[derive(Debug)]
struct Indexed<R> {
    inner: R,
    lines: Rc<RefCell<Lines>>,
}

impl<R: Read> Read for Indexed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines.borrow_mut().scan(&buf[..n]);
        Ok(n)
    }
}

/// Reads `reader` (shown as `source`) against `spec`, calling `row(line, cells, problems)` for
/// every data row. With a bad header no row is read. Returns the number of data rows.
///
/// ```
/// use sellerq::transfer::csv::read_rows;
/// use sellerq_domain::formats::{RowProblems, ratings::COLUMNS};
///
/// let file = "\u{feff}subject,cycle,rater,role,quality\np-1,2026-H1,p-2,peer,belief\n";
/// let mut problems = RowProblems::new("ratings.csv");
/// let mut seen = Vec::new();
/// let rows = read_rows(file.as_bytes(), "ratings.csv", &COLUMNS, &mut problems, |line, cells, _| {
///     seen.push((line, cells[0].to_owned(), cells[1].to_owned()));
/// }).unwrap();
/// assert_eq!(rows, 1);
/// assert_eq!(seen, [(2, "2026-H1".to_owned(), "p-1".to_owned())]);
/// ```
pub fn read_rows<R: Read, const N: usize>(
    reader: R,
    source: &str,
    spec: &[Column; N],
    problems: &mut RowProblems,
    mut row: impl FnMut(u64, &[&str; N], &mut RowProblems),
) -> Result<u64, TransferError> {
    let lines = Rc::new(RefCell::new(Lines::default()));
    let mut csv = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(Indexed {
            inner: reader,
            lines: Rc::clone(&lines),
        });
    let mut record = ::csv::ByteRecord::new();
    let io = |e: ::csv::Error| match e.into_kind() {
        ::csv::ErrorKind::Io(e) => TransferError::io(source, e),
        other => TransferError::io(source, std::io::Error::other(format!("{other:?}"))),
    };

    if !csv.read_byte_record(&mut record).map_err(io)? {
        problems.push(1, "header", "the file is empty (a header row is expected)");
        return Ok(0);
    }
    let mut names = Vec::with_capacity(record.len());
    for (i, raw) in record.iter().enumerate() {
        match std::str::from_utf8(raw) {
            Ok(s) => names.push(s),
            Err(_) => {
                problems.push(
                    1,
                    &format!("column {}", i + 1),
                    "the name is not valid UTF-8",
                );
                return Ok(0);
            }
        }
    }
    let header = match HeaderMap::new(spec, &names) {
        Ok(h) => h,
        Err(p) => {
            problems.merge(p);
            return Ok(0);
        }
    };

    let mut rows = 0u64;
    while csv.read_byte_record(&mut record).map_err(io)? {
        rows += 1;
        let line = match record.position() {
            Some(p) => lines.borrow_mut().line_at(p.byte()),
            None => rows + 1,
        };
        if record.len() != header.width() {
            problems.push(
                line,
                "row",
                format!(
                    "has {} fields, the header has {}",
                    record.len(),
                    header.width()
                ),
            );
            continue;
        }
        // Every column of the file is a spec column (unknown ones fail the header), so
        // checking the spec's cells checks the whole record.
        let mut cells = [""; N];
        let mut bad = None;
        for (c, cell) in cells.iter_mut().enumerate() {
            let Some(raw) = header.position(c).and_then(|i| record.get(i)) else {
                continue;
            };
            match std::str::from_utf8(raw) {
                Ok(s) => *cell = s.trim(),
                Err(_) => {
                    bad = Some(spec[c].name);
                    break;
                }
            }
        }
        if let Some(column) = bad {
            problems.push(line, column, "is not valid UTF-8");
            continue;
        }
        row(line, &cells, problems);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sellerq_domain::formats::ratings::COLUMNS;

    fn read(text: &[u8]) -> (u64, Vec<(u64, Vec<String>)>, RowProblems) {
        let mut problems = RowProblems::new("r.csv");
        let mut rows = Vec::new();
        let n = read_rows(text, "r.csv", &COLUMNS, &mut problems, |line, cells, _| {
            rows.push((line, cells.iter().map(|c| (*c).to_owned()).collect()));
        })
        .unwrap();
        (n, rows, problems)
    }

    #[test]
    fn quoted_fields_may_hold_commas_quotes_and_line_breaks() {
        let text = b"cycle,subject,rater,role,quality,score,evidence\r\n\
                     2026-H1,p-1,p-2,peer,belief,4,\"said \"\"no\"\",\nthen yes\"\r\n\
                     2026-H1,p-1,p-3,peer,belief,,\r\n";
        let (n, rows, problems) = read(text);
        assert!(problems.is_empty(), "{problems}");
        assert_eq!(n, 2);
        assert_eq!(rows[0].1[6], "said \"no\",\nthen yes");
        assert_eq!(rows[1].0, 4, "the second record starts on line 4");
        assert_eq!(rows[1].1[5], "", "an empty score cell");
    }

    #[test]
    fn blank_lines_are_skipped_but_counted() {
        let text = b"cycle,subject,rater,role,quality\n\n\
                     a,b,c,peer,belief\n\
                     a,\"b\n\",c,peer,belief\n\n\n\
                     a,b,c,peer,belief\n";
        let (n, rows, problems) = read(text);
        assert!(problems.is_empty(), "{problems}");
        assert_eq!(n, 3);
        let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [3, 4, 8]);
        let crlf: Vec<u8> = String::from_utf8_lossy(text)
            .replace('\n', "\r\n")
            .into_bytes();
        let (_, rows, _) = read(&crlf);
        let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [3, 4, 8], "with CRLF line ends");
    }

    #[test]
    fn a_bad_header_stops_before_the_rows() {
        let (n, rows, problems) = read(b"cycle,subject,Rater,role\nx,y,z,w\n");
        assert_eq!((n, rows.len()), (0, 0));
        let text = problems.to_string();
        assert!(text.contains("r.csv:1: Rater: unknown column"), "{text}");
        assert!(
            text.contains("r.csv:1: rater: required column is missing"),
            "{text}"
        );
        assert!(
            text.contains("r.csv:1: quality: required column is missing"),
            "{text}"
        );
    }

    #[test]
    fn rows_of_the_wrong_width_or_encoding_are_reported_by_line() {
        let text = b"cycle,subject,rater,role,quality\n\
                     a,b,c,peer,belief\n\
                     a,b,c\n\
                     a,b\xff,c,peer,belief\n";
        let (n, rows, problems) = read(text);
        assert_eq!((n, rows.len()), (3, 1));
        let report = problems.to_string();
        assert!(
            report.contains("r.csv:3: row: has 3 fields, the header has 5"),
            "{report}"
        );
        assert!(
            report.contains("r.csv:4: subject: is not valid UTF-8"),
            "{report}"
        );
    }

    #[test]
    fn an_empty_file_has_no_header() {
        let (_, _, problems) = read(b"");
        assert!(
            problems
                .to_string()
                .contains("r.csv:1: header: the file is empty")
        );
    }
}
