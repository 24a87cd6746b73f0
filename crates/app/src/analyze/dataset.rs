//! The in-memory data set `sellerq analyze` computes on: people with their trailing
//! indicators, ratings and outcomes, with every id interned to a `u32`.
//!
//! A data set is filled through three tables — [`PeopleTable`], [`RatingsTable`],
//! [`OutcomesTable`] — one per FORMATS.md file, then checked and assembled by
//! [`Dataset::assemble`]. The CSV readers in [`super::load`] fill the tables from files (each
//! table on its own thread); the web app can fill them from the store. Either way the same
//! rules apply and the same figures come out.
//!
//! Every problem is recorded with the row's source name and line, so a CSV user sees
//! `ratings.csv:17: score: …`; programmatic callers pass their own row numbers. Assembly fails
//! if any row of any table was bad: nothing is computed from a half-read data set.
//!
//! Ids (people, raters) share one index space, numbered in the byte order of the ids, so
//! "ordered by rater id" is simply "ordered by index". Cycles, periods and metrics are numbered
//! in name order the same way.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::Arc;

use sellerq_domain::model::Model;
use sellerq_domain::{PersonId, TRAILING_INDICATORS};

/// The number of trailing indicators (people.csv columns).
pub const N_TRAILING: usize = TRAILING_INDICATORS.len();

/// How many problems an [`InputError`] lists before "… and N more".
pub const MAX_SHOWN: usize = 100;

// ---------------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------------

/// One bad row (or header): shown as `file:line: column: problem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (or source) name as the user gave it.
    pub file: Arc<str>,
    /// The physical line of the record (the header is line 1).
    pub line: u64,
    /// The column the problem is about (`row` for the record as a whole).
    pub column: String,
    /// What is wrong.
    pub message: String,
    /// Orders problems by file: people, ratings, outcomes.
    rank: u8,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// The problems of one source, keeping only the first [`MAX_SHOWN`] by line (and a count),
/// so that a wholly wrong 7-million-row file costs neither memory nor time to report.
#[derive(Debug, Clone)]
pub struct ProblemSink {
    file: Arc<str>,
    rank: u8,
    kept: Vec<Problem>,
    total: usize,
}

impl ProblemSink {
    fn new(file: &str, rank: u8) -> Self {
        Self {
            file: Arc::from(file),
            rank,
            kept: Vec::new(),
            total: 0,
        }
    }

    /// Records a problem at `line` of this source.
    pub fn push(&mut self, line: u64, column: &str, message: impl Into<String>) {
        self.total += 1;
        self.kept.push(Problem {
            file: self.file.clone(),
            line,
            column: column.to_owned(),
            message: message.into(),
            rank: self.rank,
        });
        if self.kept.len() >= 8 * MAX_SHOWN {
            self.trim();
        }
    }

    fn trim(&mut self) {
        // Stable: problems of one line stay in column order.
        self.kept.sort_by_key(|p| p.line);
        self.kept.truncate(MAX_SHOWN);
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Takes in another sink's problems (of the same source).
    fn absorb(&mut self, other: ProblemSink) {
        self.total += other.total;
        self.kept.extend(other.kept);
        if self.kept.len() >= 8 * MAX_SHOWN {
            self.trim();
        }
    }

    /// Moves every problem `by` lines down (a part read from the middle of a file).
    fn shift_lines(&mut self, by: u64) {
        for p in &mut self.kept {
            p.line += by;
        }
    }
}

/// Why a data set could not be assembled: every bad row, first [`MAX_SHOWN`] shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The problems shown, by file (people, ratings, outcomes) then line.
    pub problems: Vec<Problem>,
    /// How many problems there are in all.
    pub total: usize,
}

impl InputError {
    fn from_sinks(sinks: Vec<ProblemSink>) -> Option<Self> {
        let total = sinks.iter().map(|s| s.total).sum();
        if total == 0 {
            return None;
        }
        let mut problems: Vec<Problem> = sinks.into_iter().flat_map(|s| s.kept).collect();
        problems.sort_by_key(|p| (p.rank, p.line));
        problems.truncate(MAX_SHOWN);
        Some(Self { problems, total })
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        if self.total > self.problems.len() {
            write!(f, "\n… and {} more", self.total - self.problems.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

// ---------------------------------------------------------------------------------------------
// Small building blocks
// ---------------------------------------------------------------------------------------------

/// FxHash (rustc's hasher): ids are short, and millions of lookups with SipHash would cost
/// more than parsing the CSV. Hash flooding is no concern for a user's own files.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_K: u64 = 0xf135_7aea_2e62_a9c5;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = self.hash.wrapping_add(word).wrapping_mul(FX_K);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Text → dense `u32`, in first-seen order until [`Interner::into_sorted`].
#[derive(Debug, Default, Clone)]
pub(crate) struct Interner {
    map: FxMap<Box<str>, u32>,
}

impl Interner {
    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }

    /// The index of `s`, adding it if new; the flag says whether it was new.
    pub(crate) fn intern(&mut self, s: &str) -> (u32, bool) {
        if let Some(&i) = self.map.get(s) {
            return (i, false);
        }
        let i = u32::try_from(self.map.len()).expect("fewer than 2^32 distinct names");
        self.map.insert(Box::from(s), i);
        (i, true)
    }

    /// Every name with its index, in no particular order.
    fn iter(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.map.iter().map(|(k, v)| (&**k, *v))
    }

    /// The names by index.
    fn into_names(self) -> Vec<Box<str>> {
        let mut names: Vec<Box<str>> = vec![Box::default(); self.map.len()];
        for (k, v) in self.map {
            names[v as usize] = k;
        }
        names
    }
}

/// Names from several interners, merged and numbered in byte order; `remap[t][i]` is the
/// merged index of interner `t`'s name `i`.
///
/// Each part is sorted on its own (ids usually arrive in order, which the sort detects in one
/// pass), then the sorted parts are merged: no hashing and no sort of all names at once.
fn merge_sorted(mut parts: Vec<Vec<Box<str>>>) -> (Vec<Box<str>>, Vec<Vec<u32>>) {
    let order = |p: &[Box<str>]| {
        let mut o: Vec<u32> = (0..p.len() as u32).collect();
        o.sort_unstable_by(|&a, &b| p[a as usize].cmp(&p[b as usize]));
        o
    };
    // The first part (people) on a second core, the others here.
    let orders: Vec<Vec<u32>> = match parts.split_first() {
        Some((head, rest)) if head.len() >= 4096 => std::thread::scope(|s| {
            let first = s.spawn(|| order(head));
            let rest: Vec<Vec<u32>> = rest.iter().map(|p| order(p)).collect();
            let mut all = vec![
                first
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            ];
            all.extend(rest);
            all
        }),
        _ => parts.iter().map(|p| order(p)).collect(),
    };
    let mut remap: Vec<Vec<u32>> = parts.iter().map(|p| vec![0; p.len()]).collect();
    let mut pos = vec![0usize; parts.len()];
    let mut names: Vec<Box<str>> =
        Vec::with_capacity(parts.iter().map(Vec::len).max().unwrap_or(0));
    loop {
        // The smallest name at the parts' current positions.
        let mut least: Option<(usize, u32)> = None;
        for (t, o) in orders.iter().enumerate() {
            let Some(&i) = o.get(pos[t]) else { continue };
            match least {
                Some((lt, li)) if parts[lt][li as usize] <= parts[t][i as usize] => {}
                _ => least = Some((t, i)),
            }
        }
        let Some((lt, li)) = least else { break };
        let merged = names.len() as u32;
        let name = std::mem::take(&mut parts[lt][li as usize]);
        for (t, o) in orders.iter().enumerate() {
            // Every part holding the same name (each part holds a name at most once).
            if let Some(&i) = o.get(pos[t])
                && (t == lt || parts[t][i as usize] == name)
            {
                remap[t][i as usize] = merged;
                pos[t] += 1;
            }
        }
        names.push(name);
    }
    (names, remap)
}

/// Physical line numbers of pushed rows, stored only where they break the run `previous + 1`
/// (a quoted line break in a cell, a skipped bad row): near-zero memory for 7 million rows.
#[derive(Debug, Default, Clone)]
struct LineMap {
    breaks: Vec<(u32, u64)>,
    next_index: u32,
    next_line: u64,
}

impl LineMap {
    fn push(&mut self, line: u64) {
        if self.breaks.is_empty() || line != self.next_line {
            self.breaks.push((self.next_index, line));
        }
        self.next_index += 1;
        self.next_line = line + 1;
    }

    /// Appends another map's rows after these.
    fn append(&mut self, other: LineMap) {
        let base = self.next_index;
        self.breaks
            .extend(other.breaks.into_iter().map(|(i, l)| (i + base, l)));
        self.next_index += other.next_index;
        if other.next_index > 0 {
            self.next_line = other.next_line;
        }
    }

    fn shift_lines(&mut self, by: u64) {
        for (_, l) in &mut self.breaks {
            *l += by;
        }
        self.next_line += by;
    }

    fn line(&self, index: u32) -> u64 {
        let k = self.breaks.partition_point(|(i, _)| *i <= index);
        match k.checked_sub(1).map(|k| self.breaks[k]) {
            Some((i, line)) => line + u64::from(index - i),
            None => 0,
        }
    }
}

/// A rater's role in a rating (ratings.csv `role`). Ordered manager first: the rater-slot
/// order of the ICC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum RaterRole {
    /// The subject's line manager.
    Manager = 0,
    /// A colleague.
    Peer = 1,
    /// A sales coach.
    Coach = 2,
    /// A member of a hiring panel.
    Interviewer = 3,
    /// The subject rating themself.
    SelfRating = 4,
}

impl RaterRole {
    /// Every role, in slot order.
    pub const ALL: [RaterRole; 5] = [
        RaterRole::Manager,
        RaterRole::Peer,
        RaterRole::Coach,
        RaterRole::Interviewer,
        RaterRole::SelfRating,
    ];

    /// The ratings.csv value.
    pub fn as_str(self) -> &'static str {
        match self {
            RaterRole::Manager => "manager",
            RaterRole::Peer => "peer",
            RaterRole::Coach => "coach",
            RaterRole::Interviewer => "interviewer",
            RaterRole::SelfRating => "self",
        }
    }

    /// Parses a ratings.csv value (exact, lower case).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "manager" => RaterRole::Manager,
            "peer" => RaterRole::Peer,
            "coach" => RaterRole::Coach,
            "interviewer" => RaterRole::Interviewer,
            "self" => RaterRole::SelfRating,
            _ => return None,
        })
    }

    /// True for `self`: self ratings are reported beside the quality score, never in it.
    pub fn is_self(self) -> bool {
        self == RaterRole::SelfRating
    }

    /// True for the roles whose ratings make a subject's quality score: manager, peer and
    /// coach (FORMATS.md). Self ratings are reported beside them; interviewer ratings belong
    /// to hiring and never enter a seller's figures.
    pub fn is_other(self) -> bool {
        matches!(
            self,
            RaterRole::Manager | RaterRole::Peer | RaterRole::Coach
        )
    }

    fn from_u8(v: u8) -> Self {
        Self::ALL[usize::from(v).min(4)]
    }
}

/// The period syntax of outcomes.csv, one definition for the app and `analyze`.
pub use sellerq_domain::outcome::check_period;

/// Parses a number cell: `.` as the decimal point, finite.
pub(crate) fn parse_number(s: &str) -> Result<f64, String> {
    if let Some(v) = short_decimal(s.as_bytes()) {
        return Ok(v);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number (use . as the decimal point)"
        )),
    }
}

/// Exact powers of ten as doubles (10^22 is the largest that is exact).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The common number cell, `-ddd.ddd` with at most 15 digits, without the general parser:
/// the digits make an integer m < 10^15 < 2^53 and the value is m / 10^k with both exact
/// doubles, so the one division rounds correctly (Clinger's fast path) — the same double
/// `str::parse` returns. `None` for anything else (the caller then uses `str::parse`).
fn short_decimal(b: &[u8]) -> Option<f64> {
    let (negative, digits) = match b {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, b),
    };
    let (mut m, mut n, mut frac, mut point) = (0u64, 0usize, 0usize, false);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                n += 1;
                frac += usize::from(point);
            }
            b'.' if !point => point = true,
            _ => return None,
        }
        if n > 15 {
            return None;
        }
    }
    if n == 0 {
        return None;
    }
    let v = m as f64 / POW10[frac];
    Some(if negative { -v } else { v })
}

// ---------------------------------------------------------------------------------------------
// people.csv
// ---------------------------------------------------------------------------------------------

/// One checked person row: the id, the line manager and the trailing indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    /// The person's id.
    pub id: PersonId,
    /// The line manager's id, if given.
    pub manager: Option<PersonId>,
    /// The trailing indicators in [`TRAILING_INDICATORS`] order.
    pub trailing: [Option<f64>; N_TRAILING],
}

#[derive(Debug, Clone)]
struct PersonEntry {
    id: u32,
    manager: Option<Box<str>>,
    trailing: [Option<f64>; N_TRAILING],
    line: u64,
}

/// people.csv rows as they arrive; duplicates and unknown managers are found here.
#[derive(Debug, Clone)]
pub struct PeopleTable {
    ids: Interner,
    rows: Vec<PersonEntry>,
    first_line: Vec<u64>,
    rows_read: u64,
    /// Problems found so far (the loaders add row-level ones here).
    pub problems: ProblemSink,
}

impl PeopleTable {
    /// An empty table whose problems are reported against `file`.
    pub fn new(file: &str) -> Self {
        Self {
            ids: Interner::default(),
            rows: Vec::new(),
            first_line: Vec::new(),
            rows_read: 0,
            problems: ProblemSink::new(file, 0),
        }
    }

    /// Counts a data row read (good or bad) for the `input` block of the report.
    pub fn count_row(&mut self) {
        self.rows_read += 1;
    }

    /// Adds a checked person read at `line`. A repeated id is a problem.
    pub fn push(&mut self, line: u64, row: PersonRow) {
        let (id, new) = self.ids.intern(row.id.as_str());
        if !new {
            let first = self.first_line[id as usize];
            self.problems.push(
                line,
                "id",
                format!("{} appears again (first on line {first})", row.id),
            );
            return;
        }
        self.first_line.push(line);
        let manager = row.manager.map(|m| Box::from(m.as_str()));
        self.rows.push(PersonEntry {
            id,
            manager,
            trailing: row.trailing,
            line,
        });
    }
}

// ---------------------------------------------------------------------------------------------
// ratings.csv
// ---------------------------------------------------------------------------------------------

/// One rating before assembly (16 bytes: millions of these are held at once).
#[derive(Debug, Clone, Copy)]
struct RawRating {
    cycle: u32,
    subject: u32,
    rater: u32,
    quality: u8,
    role: u8,
    /// 0 = not observed.
    score: u8,
}

/// The text cells of one ratings.csv row, trimmed; an empty `score` means not observed.
#[derive(Debug, Clone, Copy, Default)]
pub struct RatingText<'a> {
    pub cycle: &'a str,
    pub subject: &'a str,
    pub rater: &'a str,
    pub role: &'a str,
    pub quality: &'a str,
    pub score: &'a str,
}

/// The last text looked up and its index: rows repeat cells, and the buffer is reused
/// (no allocation per change).
#[derive(Debug, Clone, Default)]
struct Last {
    text: String,
    index: Option<u32>,
}

impl Last {
    #[inline]
    fn get(&self, s: &str) -> Option<u32> {
        self.index.filter(|_| self.text == s)
    }

    fn set(&mut self, s: &str, index: u32) {
        self.text.clear();
        self.text.push_str(s);
        self.index = Some(index);
    }
}

/// ratings.csv rows as they arrive, checked cell by cell.
#[derive(Debug, Clone)]
pub struct RatingsTable {
    qualities: Vec<Box<str>>,
    quality_list: String,
    scale: (u8, u8),
    ids: Interner,
    cycles: Interner,
    raw: Vec<RawRating>,
    lines: LineMap,
    rows_read: u64,
    last_cycle: Last,
    last_subject: Last,
    last_rater: Last,
    last_quality: usize,
    /// (cycle, subject, rater, role) of the last row, when all four were good.
    last_key: Option<(u32, u32, u32, u8)>,
    /// Problems found so far.
    pub problems: ProblemSink,
}

impl RatingsTable {
    /// An empty table for ratings on `model`'s qualities and scale, reported against `file`.
    pub fn new(file: &str, model: &Model) -> Self {
        let qualities: Vec<Box<str>> = model
            .qualities
            .iter()
            .map(|q| Box::from(q.key.as_str()))
            .collect();
        let quality_list = qualities
            .iter()
            .map(|q| &**q)
            .collect::<Vec<_>>()
            .join(", ");
        Self {
            qualities,
            quality_list,
            scale: (model.scale.min, model.scale.max),
            ids: Interner::default(),
            cycles: Interner::default(),
            raw: Vec::new(),
            lines: LineMap::default(),
            rows_read: 0,
            last_cycle: Last::default(),
            last_subject: Last::default(),
            last_rater: Last::default(),
            last_quality: 0,
            last_key: None,
            problems: ProblemSink::new(file, 1),
        }
    }

    /// Reserves room for about `n` more ratings.
    pub fn reserve(&mut self, n: usize) {
        self.raw.reserve(n);
    }

    /// Counts a data row read (good or bad).
    pub fn count_row(&mut self) {
        self.rows_read += 1;
    }

    fn person(&mut self, line: u64, column: &str, s: &str) -> Option<u32> {
        if let Some(i) = self.ids.get(s) {
            return Some(i);
        }
        if s.is_empty() {
            self.problems.push(line, column, "is required");
            return None;
        }
        match PersonId::parse(s) {
            Ok(_) => Some(self.ids.intern(s).0),
            Err(m) => {
                self.problems.push(line, column, m);
                None
            }
        }
    }

    fn subject(&mut self, line: u64, s: &str) -> Option<u32> {
        // Ratings usually come grouped by subject: skip the hash lookup then.
        if let Some(i) = self.last_subject.get(s) {
            return Some(i);
        }
        let i = self.person(line, "subject", s)?;
        self.last_subject.set(s, i);
        Some(i)
    }

    fn rater(&mut self, line: u64, s: &str) -> Option<u32> {
        // Exports often list one rater's qualities in a row.
        if let Some(i) = self.last_rater.get(s) {
            return Some(i);
        }
        let i = self.person(line, "rater", s)?;
        self.last_rater.set(s, i);
        Some(i)
    }

    fn cycle(&mut self, line: u64, s: &str) -> Option<u32> {
        if let Some(i) = self.last_cycle.get(s) {
            return Some(i);
        }
        if s.is_empty() {
            self.problems.push(line, "cycle", "is required");
            return None;
        }
        if s.chars().any(char::is_control) || s.chars().count() > 100 {
            self.problems.push(
                line,
                "cycle",
                "must be 1–100 characters without control characters",
            );
            return None;
        }
        let (i, _) = self.cycles.intern(s);
        self.last_cycle.set(s, i);
        Some(i)
    }

    fn quality(&mut self, line: u64, s: &str) -> Option<u8> {
        // Qualities usually come in model order: try the one after the last first.
        let n = self.qualities.len();
        let next = (self.last_quality + 1) % n.max(1);
        for q in [next, self.last_quality].into_iter().chain(0..n) {
            if q < n && *self.qualities[q] == *s {
                self.last_quality = q;
                return Some(q as u8);
            }
        }
        let msg = if s.is_empty() {
            "is required".to_owned()
        } else {
            format!(
                "{s:?} is not a quality of the model ({})",
                self.quality_list
            )
        };
        self.problems.push(line, "quality", msg);
        None
    }

    fn score(&mut self, line: u64, s: &str) -> Option<u8> {
        let (min, max) = self.scale;
        match s.as_bytes() {
            [] => return Some(0),
            // The common case: one digit on the scale.
            [d @ b'0'..=b'9'] if (min..=max).contains(&(d - b'0')) => return Some(d - b'0'),
            _ => {}
        }
        match s.parse::<i64>() {
            Ok(v) if (i64::from(min)..=i64::from(max)).contains(&v) => Some(v as u8),
            Ok(v) => {
                self.problems.push(
                    line,
                    "score",
                    format!("{v} is outside the scale {min}–{max}"),
                );
                None
            }
            Err(_) => {
                self.problems.push(
                    line,
                    "score",
                    format!("{s:?} is not a whole number on the scale {min}–{max}"),
                );
                None
            }
        }
    }

    /// Moves every row `by` lines down: for a table filled from the middle of a file, whose
    /// reader counted lines from 1.
    pub fn shift_lines(&mut self, by: u64) {
        self.lines.shift_lines(by);
        self.problems.shift_lines(by);
    }

    /// Adds the rows of `other` (read from later in the same file) after these.
    pub fn append(&mut self, other: RatingsTable) {
        let mut ids = vec![0u32; other.ids.map.len()];
        for (name, i) in other.ids.iter() {
            ids[i as usize] = self.ids.intern(name).0;
        }
        let mut cycles = vec![0u32; other.cycles.map.len()];
        for (name, i) in other.cycles.iter() {
            cycles[i as usize] = self.cycles.intern(name).0;
        }
        self.raw.extend(other.raw.iter().map(|r| RawRating {
            cycle: cycles[r.cycle as usize],
            subject: ids[r.subject as usize],
            rater: ids[r.rater as usize],
            ..*r
        }));
        self.lines.append(other.lines);
        self.problems.absorb(other.problems);
        self.rows_read += other.rows_read;
    }

    /// Checks and adds one row read at `line` (cells already trimmed). Every bad cell is
    /// recorded; a bad row is not added.
    pub fn push_text(&mut self, line: u64, row: &RatingText<'_>) {
        let cycle = self.cycle(line, row.cycle);
        let subject = self.subject(line, row.subject);
        let rater = self.rater(line, row.rater);
        let role = match RaterRole::parse(row.role) {
            Some(r) => Some(r),
            None if row.role.is_empty() => {
                self.problems.push(line, "role", "is required");
                None
            }
            None => {
                self.problems.push(
                    line,
                    "role",
                    format!(
                        "{:?} is not a rater role (self, manager, peer, coach or interviewer)",
                        row.role
                    ),
                );
                None
            }
        };
        let quality = self.quality(line, row.quality);
        let score = self.score(line, row.score);
        self.last_key = match (cycle, subject, rater, role) {
            (Some(c), Some(s), Some(r), Some(role)) if !role.is_self() || r == s => {
                Some((c, s, r, role as u8))
            }
            _ => None,
        };
        let (Some(cycle), Some(subject), Some(rater), Some(role), Some(quality), Some(score)) =
            (cycle, subject, rater, role, quality, score)
        else {
            return;
        };
        if role.is_self() && rater != subject {
            self.problems.push(
                line,
                "rater",
                format!(
                    "a self rating needs rater = subject ({} is not {})",
                    row.rater, row.subject
                ),
            );
            return;
        }
        self.lines.push(line);
        self.raw.push(RawRating {
            cycle,
            subject,
            rater,
            quality,
            role: role as u8,
            score,
        });
    }

    /// Adds a row whose cycle, subject, rater and role cells are exactly (byte for byte) those
    /// of the row before — the hot path: a quality key as written and a one-digit score (or
    /// none), on raw bytes. False, and nothing done, for anything else (a bad key before,
    /// spaces, an unknown quality, another score): the caller then takes the checked path,
    /// which reports it.
    pub fn push_same_key_bytes(&mut self, line: u64, quality: &[u8], score: &[u8]) -> bool {
        let Some((cycle, subject, rater, role)) = self.last_key else {
            return false;
        };
        let (min, max) = self.scale;
        let score = match score {
            [] => 0,
            [d @ b'0'..=b'9'] if (min..=max).contains(&(d - b'0')) => d - b'0',
            _ => return false,
        };
        let n = self.qualities.len();
        let next = (self.last_quality + 1) % n.max(1);
        let Some(q) = [next, self.last_quality]
            .into_iter()
            .chain(0..n)
            .find(|&q| q < n && self.qualities[q].as_bytes() == quality)
        else {
            return false;
        };
        self.last_quality = q;
        self.lines.push(line);
        self.raw.push(RawRating {
            cycle,
            subject,
            rater,
            quality: q as u8,
            role,
            score,
        });
        true
    }

    /// Adds one typed rating (`score` `None` = not observed), checked like a CSV row.
    pub fn push(
        &mut self,
        line: u64,
        cycle: &str,
        subject: &str,
        rater: &str,
        role: RaterRole,
        quality: &str,
        score: Option<u8>,
    ) {
        let score = score.map(|s| s.to_string()).unwrap_or_default();
        self.push_text(
            line,
            &RatingText {
                cycle: cycle.trim(),
                subject: subject.trim(),
                rater: rater.trim(),
                role: role.as_str(),
                quality: quality.trim(),
                score: &score,
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// outcomes.csv
// ---------------------------------------------------------------------------------------------

/// The text cells of one outcomes.csv row, trimmed.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutcomeText<'a> {
    pub subject: &'a str,
    pub period: &'a str,
    pub metric: &'a str,
    pub value: &'a str,
}

#[derive(Debug, Clone, Copy)]
struct RawOutcome {
    subject: u32,
    period: u32,
    metric: u32,
    value: f64,
}

/// outcomes.csv rows as they arrive.
#[derive(Debug, Clone)]
pub struct OutcomesTable {
    ids: Interner,
    periods: Interner,
    metrics: Interner,
    raw: Vec<RawOutcome>,
    lines: LineMap,
    rows_read: u64,
    last_metric: Option<(Box<str>, u32)>,
    last_period: Option<(Box<str>, u32)>,
    /// Problems found so far.
    pub problems: ProblemSink,
}

impl OutcomesTable {
    /// An empty table reported against `file`.
    pub fn new(file: &str) -> Self {
        Self {
            ids: Interner::default(),
            periods: Interner::default(),
            metrics: Interner::default(),
            raw: Vec::new(),
            lines: LineMap::default(),
            rows_read: 0,
            last_metric: None,
            last_period: None,
            problems: ProblemSink::new(file, 2),
        }
    }

    /// Counts a data row read (good or bad).
    pub fn count_row(&mut self) {
        self.rows_read += 1;
    }

    /// Checks and adds one row read at `line` (cells already trimmed).
    pub fn push_text(&mut self, line: u64, row: &OutcomeText<'_>) {
        let subject = match self.ids.get(row.subject) {
            Some(i) => Some(i),
            None if row.subject.is_empty() => {
                self.problems.push(line, "subject", "is required");
                None
            }
            None => match PersonId::parse(row.subject) {
                Ok(_) => Some(self.ids.intern(row.subject).0),
                Err(m) => {
                    self.problems.push(line, "subject", m);
                    None
                }
            },
        };
        let cached = self
            .last_period
            .as_ref()
            .filter(|(p, _)| **p == *row.period)
            .map(|(_, i)| *i);
        let period = match cached.or_else(|| self.periods.get(row.period)) {
            Some(i) => {
                if cached.is_none() {
                    self.last_period = Some((Box::from(row.period), i));
                }
                Some(i)
            }
            None if row.period.is_empty() => {
                self.problems.push(line, "period", "is required");
                None
            }
            None => match check_period(row.period) {
                Ok(()) => Some(self.periods.intern(row.period).0),
                Err(m) => {
                    self.problems.push(line, "period", m);
                    None
                }
            },
        };
        let metric = match &self.last_metric {
            Some((last, i)) if **last == *row.metric => Some(*i),
            _ if row.metric.is_empty() => {
                self.problems.push(line, "metric", "is required");
                None
            }
            _ if row.metric.chars().any(char::is_control) || row.metric.chars().count() > 100 => {
                self.problems.push(
                    line,
                    "metric",
                    "must be 1–100 characters without control characters",
                );
                None
            }
            _ => {
                let i = self.metrics.intern(row.metric).0;
                self.last_metric = Some((Box::from(row.metric), i));
                Some(i)
            }
        };
        let value = if row.value.is_empty() {
            self.problems.push(line, "value", "is required");
            None
        } else {
            parse_number(row.value)
                .map_err(|m| self.problems.push(line, "value", m))
                .ok()
        };
        if let (Some(subject), Some(period), Some(metric), Some(value)) =
            (subject, period, metric, value)
        {
            self.lines.push(line);
            self.raw.push(RawOutcome {
                subject,
                period,
                metric,
                value,
            });
        }
    }

    /// Adds one typed outcome, checked like a CSV row.
    pub fn push(&mut self, line: u64, subject: &str, period: &str, metric: &str, value: f64) {
        let value = if value.is_finite() {
            format!("{value:?}")
        } else {
            "NaN".to_owned()
        };
        self.push_text(
            line,
            &OutcomeText {
                subject: subject.trim(),
                period: period.trim(),
                metric: metric.trim(),
                value: &value,
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The assembled data set
// ---------------------------------------------------------------------------------------------

/// One scored rating in the assembled data set (8 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating {
    /// The rater's index ([`Dataset::id`]).
    pub rater: u32,
    /// The quality's index in the model ([`Dataset::qualities`]).
    pub quality: u8,
    role: u8,
    /// The score on the model's scale.
    pub score: u8,
}

impl Rating {
    /// The rater's role.
    pub fn role(&self) -> RaterRole {
        RaterRole::from_u8(self.role)
    }
}

/// The scored ratings of one subject in one cycle, ordered by quality then rater.
#[derive(Debug, Clone, Copy)]
pub struct SubjectRatings<'a> {
    /// The subject's index.
    pub subject: u32,
    /// The ratings (never empty).
    pub ratings: &'a [Rating],
}

#[derive(Debug, Clone, Copy)]
struct Group {
    subject: u32,
    start: u32,
    len: u32,
}

/// One outcome row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// The subject's index.
    pub subject: u32,
    /// Index into [`Dataset::periods`].
    pub period: u32,
    /// Index into [`Dataset::metrics`].
    pub metric: u32,
    /// The value.
    pub value: f64,
}

/// How many data rows each file had (all cycles, empty scores included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputCounts {
    pub people: u64,
    pub ratings: u64,
    pub outcomes: u64,
}

/// People, ratings and outcomes, checked and indexed for analysis.
#[derive(Debug, Clone)]
pub struct Dataset {
    qualities: Vec<Box<str>>,
    scale: (u8, u8),
    ids: Vec<Box<str>>,
    /// Per id: its people.csv row, if it has one.
    person: Vec<u32>,
    trailing: Vec<[Option<f64>; N_TRAILING]>,
    cycles: Vec<Box<str>>,
    /// Per cycle, its range of `groups`.
    cycle_groups: Vec<Range<usize>>,
    groups: Vec<Group>,
    ratings: Vec<Rating>,
    periods: Vec<Box<str>>,
    metrics: Vec<Box<str>>,
    outcomes: Vec<Outcome>,
    counts: InputCounts,
}

const NO_PERSON: u32 = u32::MAX;

impl Dataset {
    /// Checks the three tables against each other and builds the data set: every subject of a
    /// rating or an outcome and every manager must be a person of people.csv, and a (cycle,
    /// subject, rater, quality) may appear only once. Fails with every problem of every table
    /// if any row anywhere was bad.
    pub fn assemble(
        model: &Model,
        people: PeopleTable,
        ratings: RatingsTable,
        outcomes: OutcomesTable,
    ) -> Result<Self, InputError> {
        let PeopleTable {
            ids: p_ids,
            rows: p_rows,
            problems: mut p_problems,
            rows_read: p_read,
            ..
        } = people;
        let RatingsTable {
            ids: r_ids,
            cycles: r_cycles,
            raw,
            lines: r_lines,
            problems: mut r_problems,
            rows_read: r_read,
            ..
        } = ratings;
        let OutcomesTable {
            ids: o_ids,
            periods: o_periods,
            metrics: o_metrics,
            raw: o_raw,
            lines: o_lines,
            problems: mut o_problems,
            rows_read: o_read,
            ..
        } = outcomes;

        let p_names = p_ids.into_names();
        let (ids, remap) = merge_sorted(vec![p_names, r_ids.into_names(), o_ids.into_names()]);
        let (p_map, r_map, o_map) = (&remap[0], &remap[1], &remap[2]);

        let mut person = vec![NO_PERSON; ids.len()];
        let mut trailing = Vec::with_capacity(p_rows.len());
        for (row, p) in p_rows.iter().enumerate() {
            person[p_map[p.id as usize] as usize] = row as u32;
            trailing.push(p.trailing);
        }
        let id_index = |s: &str| ids.binary_search_by(|x| (**x).cmp(s)).ok();
        for p in &p_rows {
            if let Some(m) = &p.manager
                && id_index(m).is_none_or(|g| person[g] == NO_PERSON)
            {
                p_problems.push(
                    p.line,
                    "manager",
                    format!("{m} is not the id of a row of this file"),
                );
            }
        }
        // Subjects of ratings and outcomes that are nobody in people.csv: every such row is bad.
        let is_person = |g: u32| person[g as usize] != NO_PERSON;
        let r_bad: Vec<bool> = r_map.iter().map(|&g| !is_person(g)).collect();
        for (i, r) in raw.iter().enumerate() {
            if r_bad[r.subject as usize] {
                let name = &ids[r_map[r.subject as usize] as usize];
                r_problems.push(
                    r_lines.line(i as u32),
                    "subject",
                    format!("{name} is not in people.csv"),
                );
            }
        }
        for (i, o) in o_raw.iter().enumerate() {
            let g = o_map[o.subject as usize];
            if !is_person(g) {
                let name = &ids[g as usize];
                o_problems.push(
                    o_lines.line(i as u32),
                    "subject",
                    format!("{name} is not in people.csv"),
                );
            }
        }

        let (cycles, cycle_remap) = merge_sorted(vec![r_cycles.into_names()]);
        let cycle_remap = &cycle_remap[0];
        let names = Names {
            ids: &ids,
            cycles: &cycles,
            model,
        };
        let (ratings, groups, cycle_groups) =
            group_ratings(raw, r_map, cycle_remap, &names, &r_lines, &mut r_problems);

        if let Some(err) = InputError::from_sinks(vec![p_problems, r_problems, o_problems]) {
            return Err(err);
        }

        let (periods, period_remap) = merge_sorted(vec![o_periods.into_names()]);
        let (metrics, metric_remap) = merge_sorted(vec![o_metrics.into_names()]);
        let outcomes = o_raw
            .iter()
            .map(|o| Outcome {
                subject: o_map[o.subject as usize],
                period: period_remap[0][o.period as usize],
                metric: metric_remap[0][o.metric as usize],
                value: o.value,
            })
            .collect();

        Ok(Self {
            qualities: model
                .qualities
                .iter()
                .map(|q| Box::from(q.key.as_str()))
                .collect(),
            scale: (model.scale.min, model.scale.max),
            ids,
            person,
            trailing,
            cycles,
            cycle_groups,
            groups,
            ratings,
            periods,
            metrics,
            outcomes,
            counts: InputCounts {
                people: p_read,
                ratings: r_read,
                outcomes: o_read,
            },
        })
    }

    /// The model's quality keys, in spectrum order; ratings refer to them by index.
    pub fn qualities(&self) -> &[Box<str>] {
        &self.qualities
    }

    /// The model's scale (min, max).
    pub fn scale(&self) -> (u8, u8) {
        self.scale
    }

    /// Every id (people and raters), in byte order.
    pub fn ids(&self) -> &[Box<str>] {
        &self.ids
    }

    /// The id with index `i`.
    pub fn id(&self, i: u32) -> &str {
        &self.ids[i as usize]
    }

    /// The trailing indicators of person `i` ([`TRAILING_INDICATORS`] order), if `i` is a
    /// person of people.csv.
    pub fn trailing(&self, i: u32) -> Option<&[Option<f64>; N_TRAILING]> {
        match self.person.get(i as usize) {
            Some(&row) if row != NO_PERSON => self.trailing.get(row as usize),
            _ => None,
        }
    }

    /// The cycle names, sorted (the last is the default cycle).
    pub fn cycles(&self) -> &[Box<str>] {
        &self.cycles
    }

    /// The index of cycle `name`.
    pub fn cycle_index(&self, name: &str) -> Option<usize> {
        self.cycles.iter().position(|c| **c == *name)
    }

    /// The scored ratings of cycle `cycle`, one entry per subject in id order.
    pub fn subjects_in(
        &self,
        cycle: usize,
    ) -> impl ExactSizeIterator<Item = SubjectRatings<'_>> + '_ {
        let range = self.cycle_groups.get(cycle).cloned().unwrap_or(0..0);
        self.groups[range].iter().map(|g| SubjectRatings {
            subject: g.subject,
            ratings: &self.ratings[g.start as usize..(g.start + g.len) as usize],
        })
    }

    /// The number of subjects with a scored rating in `cycle`.
    pub fn subject_count(&self, cycle: usize) -> usize {
        self.cycle_groups.get(cycle).map_or(0, |r| r.len())
    }

    /// The periods of outcomes.csv, sorted.
    pub fn periods(&self) -> &[Box<str>] {
        &self.periods
    }

    /// The metrics of outcomes.csv, sorted.
    pub fn metrics(&self) -> &[Box<str>] {
        &self.metrics
    }

    /// Every outcome row.
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// How many data rows each file had.
    pub fn counts(&self) -> InputCounts {
        self.counts
    }
}

/// One half's share of [`group_ratings`].
#[derive(Default)]
struct Part {
    ratings: Vec<Rating>,
    groups: Vec<(u32, Group)>,
    dups: Vec<Dup>,
}

/// A repeated (cycle, subject, rater, quality): the raw indices of the repeat and the first.
struct Dup {
    index: u32,
    first: u32,
    subject: u32,
    cycle: u32,
    quality: u8,
    rater: u32,
}

/// The names ratings' indices refer to, for messages.
struct Names<'a> {
    ids: &'a [Box<str>],
    cycles: &'a [Box<str>],
    model: &'a Model,
}

/// Orders ratings by subject, then cycle, quality and rater, reports repeated (cycle, subject,
/// rater, quality) and keeps the scored ones. No comparison sort of millions of ratings: a
/// counting sort by subject (each core gathers the subjects of one half of the ratings), then
/// per subject a counting sort by quality and an insertion sort of each quality's few
/// ratings, in cache.
///
/// Each rating travels as one `u128` key holding everything needed, from the high bits down:
/// cycle (32), quality (8), rater (32), position in the file (32), role (8), score (8). The
/// order is that of the keys, (cycle, quality, rater, position), and nothing else is looked up
/// while sorting.
fn group_ratings(
    raw: Vec<RawRating>,
    id_map: &[u32],
    cycle_map: &[u32],
    names: &Names<'_>,
    lines: &LineMap,
    problems: &mut ProblemSink,
) -> (Vec<Rating>, Vec<Group>, Vec<Range<usize>>) {
    let (n_ids, n_cycles) = (names.ids.len(), names.cycles.len());
    let mut start = vec![0u32; n_ids + 1];
    for r in &raw {
        start[id_map[r.subject as usize] as usize + 1] += 1;
    }
    for i in 0..n_ids {
        start[i + 1] += start[i];
    }
    let n_q = names.model.qualities.len().max(1);
    let key = |i: usize, r: &RawRating| {
        (u128::from(cycle_map[r.cycle as usize]) << 88)
            | (u128::from(r.quality) << 80)
            | (u128::from(id_map[r.rater as usize]) << 48)
            | (u128::from(i as u32) << 16)
            | (u128::from(r.role) << 8)
            | u128::from(r.score)
    };
    // Gathers the ratings of the subjects `subjects` (their keys go to `order`, which starts at
    // rating `base`), sorts each subject's and keeps the scored ratings; repeated (cycle,
    // rater, quality) go to `dups`.
    let build = |subjects: Range<usize>, order: &mut [u128], base: usize| {
        // A counting sort by subject restricted to these subjects: one pass over all ratings.
        let first = subjects.start;
        let mut next: Vec<u32> = start[subjects.clone()]
            .iter()
            .map(|&p| p - base as u32)
            .collect();
        for (i, r) in raw.iter().enumerate() {
            let s = id_map[r.subject as usize] as usize;
            if let Some(n) = s.checked_sub(first).and_then(|j| next.get_mut(j)) {
                order[*n as usize] = key(i, r);
                *n += 1;
            }
        }
        drop(next);
        // Sized up front: a growing vector of millions of ratings is copied again and again.
        let mut part = Part {
            ratings: Vec::with_capacity(order.len()),
            ..Part::default()
        };
        // Per subject: a counting sort by quality (stable: file order within a quality), an
        // insertion sort of each quality's few ratings by (cycle, rater, position), then the
        // cycles one by one, each quality's run of that cycle in turn. The order is that of the
        // whole key, (cycle, quality, rater, position), without a comparison sort.
        let mut bucket = vec![0u32; n_q + 1];
        let mut cursor = vec![0u32; n_q];
        let mut sorted: Vec<u128> = Vec::new();
        let mut cycles: Vec<u32> = Vec::new();
        for s in subjects {
            let slice = &order[start[s] as usize - base..start[s + 1] as usize - base];
            bucket.fill(0);
            for &k in slice {
                bucket[((k >> 80) as u8 as usize).min(n_q - 1) + 1] += 1;
            }
            for q in 0..n_q {
                bucket[q + 1] += bucket[q];
            }
            cursor.copy_from_slice(&bucket[..n_q]);
            sorted.clear();
            sorted.resize(slice.len(), 0);
            for &k in slice {
                let q = ((k >> 80) as u8 as usize).min(n_q - 1);
                sorted[cursor[q] as usize] = k;
                cursor[q] += 1;
            }
            cycles.clear();
            for q in 0..n_q {
                let run = &mut sorted[bucket[q] as usize..bucket[q + 1] as usize];
                for j in 1..run.len() {
                    let mut m = j;
                    while m > 0 && run[m - 1] > run[m] {
                        run.swap(m - 1, m);
                        m -= 1;
                    }
                }
                for &k in run.iter() {
                    let c = (k >> 88) as u32;
                    if cycles.last() != Some(&c) {
                        cycles.push(c);
                    }
                }
            }
            cycles.sort_unstable();
            cycles.dedup();
            cursor.copy_from_slice(&bucket[..n_q]);
            let mut prev: Option<u128> = None;
            for &c in &cycles {
                for q in 0..n_q {
                    while cursor[q] < bucket[q + 1] {
                        let k = sorted[cursor[q] as usize];
                        if (k >> 88) as u32 != c {
                            break;
                        }
                        cursor[q] += 1;
                        let (q, rater) = ((k >> 80) as u8, (k >> 48) as u32);
                        let (i, role, score) = ((k >> 16) as u32, (k >> 8) as u8, k as u8);
                        if let Some(p) = prev
                            && p >> 48 == k >> 48
                        {
                            let first = (p >> 16) as u32;
                            part.dups.push(Dup {
                                index: i,
                                first,
                                subject: s as u32,
                                cycle: c,
                                quality: q,
                                rater,
                            });
                            continue;
                        }
                        prev = Some(k);
                        if score == 0 {
                            continue;
                        }
                        match part.groups.last_mut() {
                            Some((gc, g)) if *gc == c && g.subject == s as u32 => g.len += 1,
                            _ => part.groups.push((
                                c,
                                Group {
                                    subject: s as u32,
                                    start: part.ratings.len() as u32,
                                    len: 1,
                                },
                            )),
                        }
                        part.ratings.push(Rating {
                            rater,
                            quality: q,
                            role,
                            score,
                        });
                    }
                }
            }
        }
        part
    };
    // Both cores: each takes the subjects of one half of the ratings.
    let mut order = vec![0u128; raw.len()];
    let mid = start
        .partition_point(|&s| (s as usize) < order.len() / 2)
        .min(n_ids);
    let (lo, hi) = order.split_at_mut(start[mid] as usize);
    let (first, second) = std::thread::scope(|scope| {
        let build = &build;
        let first = scope.spawn(move || build(0..mid, lo, 0));
        let second = build(mid..n_ids, hi, start[mid] as usize);
        (
            first
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            second,
        )
    });
    drop(raw);
    drop(order);
    let Part {
        mut ratings,
        mut groups,
        mut dups,
    } = first;
    let offset = ratings.len() as u32;
    ratings.reserve_exact(second.ratings.len());
    ratings.extend_from_slice(&second.ratings);
    drop(second.ratings);
    groups.extend(second.groups.into_iter().map(|(c, g)| {
        (
            c,
            Group {
                start: g.start + offset,
                ..g
            },
        )
    }));
    dups.extend(second.dups);
    for d in dups {
        problems.push(
            lines.line(d.index),
            "rater",
            format!(
                "{} already rated {} on {} in cycle {} (line {})",
                names.ids[d.rater as usize],
                names.ids[d.subject as usize],
                names.model.qualities[usize::from(d.quality)].key.as_str(),
                names.cycles[d.cycle as usize],
                lines.line(d.first)
            ),
        );
    }
    // Groups come subject-major; the report wants them cycle by cycle.
    groups.sort_by_key(|(c, g)| (*c, g.subject));
    let mut cycle_groups = vec![0..0; n_cycles];
    let mut i = 0;
    for (c, range) in cycle_groups.iter_mut().enumerate() {
        let begin = i;
        while i < groups.len() && groups[i].0 as usize == c {
            i += 1;
        }
        *range = begin..i;
    }
    (
        ratings,
        groups.into_iter().map(|(_, g)| g).collect(),
        cycle_groups,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_map_returns_the_line_of_every_pushed_row() {
        let mut m = LineMap::default();
        let lines = [2, 3, 4, 6, 7, 10, 11, 12];
        for l in lines {
            m.push(l);
        }
        for (i, l) in lines.iter().enumerate() {
            assert_eq!(m.line(i as u32), *l);
        }
        // Runs cost nothing: only the three breaks are stored.
        assert_eq!(m.breaks.len(), 3);
    }

    #[test]
    fn merged_names_are_numbered_in_byte_order() {
        let (names, remap) = merge_sorted(vec![
            vec![Box::from("p2"), Box::from("P1")],
            vec![Box::from("p10"), Box::from("p2")],
        ]);
        let names: Vec<&str> = names.iter().map(|n| &**n).collect();
        assert_eq!(names, ["P1", "p10", "p2"]);
        assert_eq!(remap, vec![vec![2, 0], vec![1, 2]]);
    }

    #[test]
    fn short_decimals_parse_to_the_same_double_as_str_parse() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let alphabet = b"0123456789.-e+ ";
        for _ in 0..200_000 {
            let len = 1 + next(18) as usize;
            let mut cell: String = (0..len)
                .map(|_| char::from(alphabet[next(10) as usize]))
                .collect();
            if next(4) == 0 {
                cell.insert(next(cell.len() as u64 + 1) as usize, '.');
            }
            if next(4) == 0 {
                cell.insert(0, '-');
            }
            if next(50) == 0 {
                cell.push(char::from(alphabet[10 + next(5) as usize]));
            }
            let ours = short_decimal(cell.as_bytes());
            match cell.parse::<f64>() {
                Ok(v) => {
                    if let Some(o) = ours {
                        assert_eq!(o.to_bits(), v.to_bits(), "{cell}");
                    }
                }
                Err(_) => assert!(ours.is_none(), "{cell}"),
            }
        }
        for (cell, v) in [("1.0946", 1.0946), ("-0.5", -0.5), ("7", 7.0), (".5", 0.5)] {
            assert_eq!(short_decimal(cell.as_bytes()), Some(v));
        }
        assert_eq!(
            short_decimal(b"-0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        for cell in ["", "-", ".", "1e5", "1.2.3", "1234567890123456", " 1"] {
            assert_eq!(short_decimal(cell.as_bytes()), None, "{cell}");
        }
    }

    #[test]
    fn periods_follow_formats_md() {
        for ok in [
            "2026", "2026-Q1", "2026-Q4", "2026-H1", "2026-H2", "2026-01", "2026-12",
        ] {
            assert!(check_period(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "26", "2026-Q0", "2026-Q5", "2026-H3", "2026-13", "2026-00", "2026-1", "2026/Q1",
        ] {
            assert!(check_period(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_parse_exactly_and_order_the_manager_first() {
        for r in RaterRole::ALL {
            assert_eq!(RaterRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(RaterRole::parse("Manager"), None);
        assert!(RaterRole::Manager < RaterRole::Peer);
    }
}
