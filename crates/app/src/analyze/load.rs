//! CSV readers for people.csv, ratings.csv and outcomes.csv, exactly as FORMATS.md specifies
//! them: UTF-8 with an optional byte-order mark, RFC 4180 quoting, one header row whose names
//! match exactly, columns in any order, unknown and missing columns named, empty cells
//! missing. Every bad row is reported as `file:line: column: problem`, with the physical line
//! of the record (quoted line breaks and blank lines counted).
//!
//! Speed: records come from [`super::records`], a zero-copy reader (fields are slices of its
//! buffer), and the three files are read at once. A large ratings file (the big one) is split
//! in two at a line break and both halves are read in parallel; the first half then confirms
//! that the split fell between records (not inside a quoted cell), or the file is read again
//! in one piece.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use sellerq_domain::formats::Column;
use sellerq_domain::model::Model;
use sellerq_domain::person::{PersonInput, PersonText};

use super::dataset::{
    Dataset, InputError, N_TRAILING, OutcomeText, OutcomesTable, PeopleTable, PersonRow,
    ProblemSink, RatingText, RatingsTable,
};
use super::records::{Record, Records};

/// The columns of the three files, as the importers know them (FORMATS.md order).
pub use sellerq_domain::formats::outcomes::COLUMNS as OUTCOMES_COLUMNS;
pub use sellerq_domain::formats::people::COLUMNS as PEOPLE_COLUMNS;
pub use sellerq_domain::formats::ratings::COLUMNS as RATINGS_COLUMNS;

/// Why the files could not be read into a [`Dataset`].
#[derive(Debug)]
pub enum LoadError {
    /// A file could not be opened or read.
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        error: io::Error,
    },
    /// Some rows are bad (every one is listed).
    Input(InputError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io { path, error } => write!(f, "{}: cannot read: {error}", path.display()),
            LoadError::Input(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {}

/// The three input files.
#[derive(Debug, Clone, Copy)]
pub struct InputFiles<'a> {
    pub people: &'a Path,
    pub ratings: &'a Path,
    pub outcomes: &'a Path,
}

/// Ratings files above this size are read in two halves at once.
const SPLIT_BYTES: u64 = 16 << 20;

/// Reads the three files (in parallel) and assembles the data set. `progress` is told how
/// many bytes were read as reading advances (from several threads).
pub fn load_files(
    model: &Model,
    files: InputFiles<'_>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Dataset, LoadError> {
    let io_err = |p: &Path| {
        let p = p.to_owned();
        move |error| LoadError::Io { path: p, error }
    };
    let open = |p: &Path| File::open(p).map_err(io_err(p));
    let (people, outcomes) = (open(files.people)?, open(files.outcomes)?);
    let ratings = open(files.ratings)?;
    let name = |p: &Path| p.display().to_string();
    let (p_name, r_name, o_name) = (
        name(files.people),
        name(files.ratings),
        name(files.outcomes),
    );
    let mut p_table = PeopleTable::new(&p_name);
    let mut o_table = OutcomesTable::new(&o_name);
    let (r_res, p_res, o_res) = std::thread::scope(|s| {
        let small = s.spawn(|| {
            let p = read_people(people, &mut p_table, progress);
            let o = read_outcomes(outcomes, &mut o_table, progress);
            (p, o)
        });
        let r = read_ratings_file(ratings, files.ratings, &r_name, model, progress);
        let (p, o) = small
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (r, p, o)
    });
    p_res.map_err(io_err(files.people))?;
    o_res.map_err(io_err(files.outcomes))?;
    let r_table = r_res.map_err(io_err(files.ratings))?;
    Dataset::assemble(model, p_table, r_table, o_table).map_err(LoadError::Input)
}

/// Reads the three files from any readers (`name` is what problems are reported against).
pub fn load_readers<P, R, O>(
    model: &Model,
    people: (&str, P),
    ratings: (&str, R),
    outcomes: (&str, O),
) -> Result<Dataset, LoadError>
where
    P: Read + Send,
    R: Read + Send,
    O: Read + Send,
{
    let mut p_table = PeopleTable::new(people.0);
    let mut r_table = RatingsTable::new(ratings.0, model);
    let mut o_table = OutcomesTable::new(outcomes.0);
    let io_err = |name: &str| {
        let path = PathBuf::from(name);
        move |error| LoadError::Io { path, error }
    };
    let (r_res, p_res, o_res) = std::thread::scope(|s| {
        let (p_read, o_read) = (people.1, outcomes.1);
        let (p_table, o_table) = (&mut p_table, &mut o_table);
        let small = s.spawn(move || {
            (
                read_people(p_read, p_table, &|_| {}),
                read_outcomes(o_read, o_table, &|_| {}),
            )
        });
        let r = read_ratings(Records::new(ratings.1), &mut r_table, &|_| {});
        let (p, o) = small
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (r, p, o)
    });
    p_res.map_err(io_err(people.0))?;
    r_res.map_err(io_err(ratings.0))?;
    o_res.map_err(io_err(outcomes.0))?;
    Dataset::assemble(model, p_table, r_table, o_table).map_err(LoadError::Input)
}

/// Maps header names to the spec's columns. `None` when the header is unusable (its
/// problems are recorded at its line).
fn header<const N: usize>(
    rec: Option<&Record<'_>>,
    spec: &[Column; N],
    problems: &mut ProblemSink,
) -> Option<([Option<usize>; N], usize)> {
    let Some(rec) = rec.filter(|r| !(r.len() == 1 && r.field(0).is_empty())) else {
        problems.push(1, "header", "the file is empty (a header row is expected)");
        return None;
    };
    let line = rec.line;
    let mut index = [None; N];
    let mut ok = true;
    for i in 0..rec.len() {
        let raw = rec.field(i);
        // A byte-order mark may precede the first name.
        let raw = if i == 0 {
            raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
        } else {
            raw
        };
        let Ok(name) = std::str::from_utf8(raw) else {
            problems.push(
                line,
                &format!("column {}", i + 1),
                "the name is not valid UTF-8",
            );
            ok = false;
            continue;
        };
        match spec.iter().position(|c| c.name == name) {
            Some(c) if index[c].is_some() => {
                problems.push(line, name, "appears twice in the header");
                ok = false;
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
                    line,
                    &shown,
                    format!("unknown column (the columns are: {})", known.join(", ")),
                );
                ok = false;
            }
        }
    }
    for (c, col) in spec.iter().enumerate() {
        if col.required && index[c].is_none() {
            problems.push(line, col.name, "required column is missing");
            ok = false;
        }
    }
    ok.then_some((index, rec.len()))
}

/// Trims surrounding white space; most cells have none, and checking the two ends first skips
/// the general (Unicode) trim on the hot path.
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if (b'!'..0x80).contains(a) && (b'!'..0x80).contains(b) => s,
        _ => s.trim(),
    }
}

/// The cells of `rec` in spec order, trimmed (`""` for absent columns); `Err` names the first
/// column whose bytes are not UTF-8.
fn cells<'r, const N: usize>(
    rec: &Record<'r>,
    index: &[Option<usize>; N],
    spec: &[Column; N],
) -> Result<[&'r str; N], &'static str> {
    let mut out = [""; N];
    // One check of the bytes the fields are slices of is much cheaper than one per field; a
    // field is then valid unless its ends split a character. Every header column is a spec
    // column, so the loops below see every field.
    let (data, bounds) = rec.parts();
    if let Ok(whole) = std::str::from_utf8(data) {
        for c in 0..N {
            if let Some(i) = index[c] {
                let (a, b) = bounds[i];
                out[c] = trim(whole.get(a as usize..b as usize).ok_or(spec[c].name)?);
            }
        }
        return Ok(out);
    }
    for c in 0..N {
        if let Some(i) = index[c] {
            out[c] = trim(std::str::from_utf8(rec.field(i)).map_err(|_| spec[c].name)?);
        }
    }
    Ok(out)
}

/// Checks the row's width and encoding; the cells when all is well.
fn row<'r, const N: usize>(
    rec: &Record<'r>,
    cols: &([Option<usize>; N], usize),
    spec: &[Column; N],
    problems: &mut ProblemSink,
) -> Option<[&'r str; N]> {
    if rec.len() != cols.1 {
        problems.push(
            rec.line,
            "row",
            format!("has {} fields, the header has {}", rec.len(), cols.1),
        );
        return None;
    }
    match cells(rec, &cols.0, spec) {
        Ok(c) => Some(c),
        Err(col) => {
            problems.push(rec.line, col, "is not valid UTF-8");
            None
        }
    }
}

/// Hands every data record of `records` to `each`, telling `progress` the bytes read as it
/// goes.
fn for_each_row<R: Read>(
    records: &mut Records<R>,
    progress: &(dyn Fn(u64) + Sync),
    mut each: impl FnMut(&Record<'_>),
) -> io::Result<()> {
    let mut reported = records.consumed();
    let mut n = 0u32;
    while let Some(rec) = records.next_record()? {
        each(&rec);
        n = n.wrapping_add(1);
        if n.is_multiple_of(65_536) {
            let now = records.consumed();
            progress(now - reported);
            reported = now;
        }
    }
    progress(records.consumed() - reported);
    Ok(())
}

fn read_people<R: Read>(
    reader: R,
    table: &mut PeopleTable,
    progress: &(dyn Fn(u64) + Sync),
) -> io::Result<()> {
    let spec = PEOPLE_COLUMNS;
    let mut records = Records::new(reader);
    let Some(cols) = header(records.next_record()?.as_ref(), &spec, &mut table.problems) else {
        return Ok(());
    };
    for_each_row(&mut records, progress, |rec| {
        table.count_row();
        let line = rec.line;
        let Some(c) = row(rec, &cols, &spec, &mut table.problems) else {
            return;
        };
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
            Ok(p) => {
                let trailing: [Option<f64>; N_TRAILING] = p.trailing_values();
                table.push(
                    line,
                    PersonRow {
                        id: p.id,
                        manager: p.manager,
                        trailing,
                    },
                );
            }
            Err(errs) => {
                for e in errs.0 {
                    table.problems.push(line, &e.field, e.message);
                }
            }
        }
    })
}

/// The ratings rows of `records` (whose header was read) into `table`.
fn ratings_rows<R: Read>(
    records: &mut Records<R>,
    cols: &([Option<usize>; 7], usize),
    table: &mut RatingsTable,
    progress: &(dyn Fn(u64) + Sync),
) -> io::Result<()> {
    let spec = RATINGS_COLUMNS;
    // When cycle, subject, rater and role are the first four columns, a row whose bytes up to
    // the end of the fourth equal the row before's has the same four cells: exports list one
    // rater's qualities in a row, so most rows skip four lookups.
    let lead = cols.0[..4].iter().all(|c| c.is_some_and(|i| i < 4));
    if lead {
        records.remember_lead(4);
    }
    let mut prev_ok = false;
    for_each_row(records, progress, |rec| {
        table.count_row();
        if lead && prev_ok && rec.same_lead && rec.len() == cols.1 {
            // The same four key cells: only the quality, score and evidence cells need a
            // look, on their bytes (a known ASCII key and a digit are valid UTF-8).
            let cell = |c: usize| cols.0[c].map_or(&b""[..], |i| rec.field(i));
            let evidence = cell(6);
            if (evidence.is_ascii() || std::str::from_utf8(evidence).is_ok())
                && table.push_same_key_bytes(rec.line, cell(4), cell(5))
            {
                return;
            }
        }
        let Some(c) = row(rec, cols, &spec, &mut table.problems) else {
            prev_ok = false;
            return;
        };
        prev_ok = lead && !rec.quoted;
        let text = RatingText {
            cycle: c[0],
            subject: c[1],
            rater: c[2],
            role: c[3],
            quality: c[4],
            score: c[5],
        };
        table.push_text(rec.line, &text);
    })
}

fn read_ratings<R: Read>(
    mut records: Records<R>,
    table: &mut RatingsTable,
    progress: &(dyn Fn(u64) + Sync),
) -> io::Result<()> {
    let Some(cols) = header(
        records.next_record()?.as_ref(),
        &RATINGS_COLUMNS,
        &mut table.problems,
    ) else {
        return Ok(());
    };
    ratings_rows(&mut records, &cols, table, progress)
}

/// Reads a ratings file, in two halves at once when it is large.
fn read_ratings_file(
    mut file: File,
    path: &Path,
    name: &str,
    model: &Model,
    progress: &(dyn Fn(u64) + Sync),
) -> io::Result<RatingsTable> {
    let len = file.metadata()?.len();
    let mut table = RatingsTable::new(name, model);
    // About 40 bytes a rating: reserving up front saves copying a growing vector.
    table.reserve((len / 40) as usize);
    let split = if len >= SPLIT_BYTES {
        line_start_after(&mut file, len / 2)?
    } else {
        None
    };
    file.seek(SeekFrom::Start(0))?;
    let Some(split) = split else {
        read_ratings(Records::new(file), &mut table, progress)?;
        return Ok(table);
    };
    let mut first = Records::new(file.take(split));
    let Some(cols) = header(
        first.next_record()?.as_ref(),
        &RATINGS_COLUMNS,
        &mut table.problems,
    ) else {
        return Ok(table);
    };
    let mut second_file = File::open(path)?;
    second_file.seek(SeekFrom::Start(split))?;
    let mut second = RatingsTable::new(name, model);
    second.reserve(((len - split) / 40) as usize);
    let (a, b) = std::thread::scope(|s| {
        let other = s.spawn(|| {
            let mut records = Records::new(second_file);
            ratings_rows(&mut records, &cols, &mut second, progress)
        });
        let a = ratings_rows(&mut first, &cols, &mut table, progress);
        (
            a,
            other
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
        )
    });
    a?;
    b?;
    if first.ended_inside_quotes() {
        // The split fell inside a quoted cell: the second half was misread. Read it all again.
        let mut table = RatingsTable::new(name, model);
        read_ratings(Records::new(File::open(path)?), &mut table, &|_| {})?;
        return Ok(table);
    }
    // The second half counted lines from 1 at the split.
    second.shift_lines(first.next_line() - 1);
    table.append(second);
    Ok(table)
}

/// The offset just after the first line feed at or after `from`, if any before the end.
fn line_start_after(file: &mut File, from: u64) -> io::Result<Option<u64>> {
    file.seek(SeekFrom::Start(from))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut pos = from;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(i) = buf[..n].iter().position(|b| *b == b'\n') {
            return Ok(Some(pos + i as u64 + 1));
        }
        pos += n as u64;
    }
}

fn read_outcomes<R: Read>(
    reader: R,
    table: &mut OutcomesTable,
    progress: &(dyn Fn(u64) + Sync),
) -> io::Result<()> {
    let spec = OUTCOMES_COLUMNS;
    let mut records = Records::new(reader);
    let Some(cols) = header(records.next_record()?.as_ref(), &spec, &mut table.problems) else {
        return Ok(());
    };
    for_each_row(&mut records, progress, |rec| {
        table.count_row();
        if let Some(c) = row(rec, &cols, &spec, &mut table.problems) {
            let text = OutcomeText {
                subject: c[0],
                period: c[1],
                metric: c[2],
                value: c[3],
            };
            table.push_text(rec.line, &text);
        }
    })
}
