//! ratings.csv: the columns, the checks one row can fail on its own, and [`RatingsBatch`], a
//! compact checked file ready for the store's bulk import.
//!
//! A batch interns its text (cycle names, person ids, quality keys) so that a million-row file
//! costs about 32 bytes a row, and each distinct id is checked once, not once per row.
//!
//! Checked here, per row: every required cell present; the cycle name, subject and rater ids
//! and the quality key well-formed; the role one of the five; the score a whole number (or empty
//! for "not observed"); the evidence within [`MAX_EVIDENCE_LEN`]; a `self` row's rater is its
//! subject. Checked by the store, which knows the organisation: the quality is one of the
//! cycle's model, the score on its scale, the subject a person, the cycle not closed, and no
//! (cycle, subject, rater, quality) twice — in the file or against stored ratings. Evidence is
//! never required in a file (see [`crate::assessment::EvidencePolicy`]).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::{Column, HeaderMap, RowProblems};
use crate::PersonId;
use crate::assessment::{CycleName, MAX_EVIDENCE_LEN, RaterRole};
use crate::model::QualityKey;

/// The columns of ratings.csv, in the order export writes them.
pub const COLUMNS: [Column; 7] = [
    Column {
        name: "cycle",
        required: true,
    },
    Column {
        name: "subject",
        required: true,
    },
    Column {
        name: "rater",
        required: true,
    },
    Column {
        name: "role",
        required: true,
    },
    Column {
        name: "quality",
        required: true,
    },
    Column {
        name: "score",
        required: false,
    },
    Column {
        name: "evidence",
        required: false,
    },
];

/// The header line export writes.
pub const HEADER: [&str; 7] = [
    "cycle", "subject", "rater", "role", "quality", "score", "evidence",
];

/// One checked row of a batch: indices into the batch's interned tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchRow {
    /// The physical line of the record in its file (or the caller's row number).
    pub line: u64,
    /// Index into [`RatingsBatch::cycles`].
    pub cycle: u32,
    /// Index into [`RatingsBatch::people`].
    pub subject: u32,
    /// Index into [`RatingsBatch::people`].
    pub rater: u32,
    /// Index into [`RatingsBatch::qualities`].
    pub quality: u32,
    /// Index into the evidence notes ([`RatingsBatch::evidence`]); 0 is the empty note.
    pub evidence: u32,
    /// The rater's role.
    pub role: RaterRole,
    /// The score as written (checked against the scale by the store); `None` = not observed.
    pub score: Option<u8>,
}

/// A small, fast hasher for short interned strings (the FxHash mix); the batch hashes millions
/// of ids, which SipHash would make the slowest step of an import.
#[derive(Debug, Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<V> = HashMap<Box<str>, V, BuildHasherDefault<FxHasher>>;

/// Distinct values in first-seen order, each checked once.
#[derive(Debug, Clone)]
struct Interner<T> {
    values: Vec<T>,
    index: FastMap<u32>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Self {
            values: Vec::new(),
            index: FastMap::default(),
        }
    }
}

impl<T: AsRef<str>> Interner<T> {
    /// The index of `raw` (already trimmed), parsing and adding it when new.
    fn intern(
        &mut self,
        raw: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<u32, String> {
        if let Some(&i) = self.index.get(raw) {
            return Ok(i);
        }
        let value = parse(raw)?;
        let i =
            u32::try_from(self.values.len()).map_err(|_| "too many distinct values".to_owned())?;
        // Index under both the raw text and the parsed form (they differ only if the parser
        // normalises), so either finds it.
        self.index.insert(value.as_ref().into(), i);
        self.index.insert(raw.into(), i);
        self.values.push(value);
        Ok(i)
    }
}

impl AsRef<str> for PersonId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// A checked ratings.csv (or any list of ratings) ready for `Store::import_ratings`.
#[derive(Debug, Clone)]
pub struct RatingsBatch {
    cycles: Interner<CycleName>,
    people: Interner<PersonId>,
    qualities: Interner<QualityKey>,
    evidence: Vec<Box<str>>,
    rows: Vec<BatchRow>,
}

impl Default for RatingsBatch {
    fn default() -> Self {
        Self {
            cycles: Interner::default(),
            people: Interner::default(),
            qualities: Interner::default(),
            evidence: vec!["".into()],
            rows: Vec::new(),
        }
    }
}

/// The cells of one ratings.csv row, in [`COLUMNS`] order, trimmed.
pub type RatingCells<'a> = [&'a str; 7];

impl RatingsBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks one row's cells (in [`COLUMNS`] order, as [`HeaderMap::cells`] gives them) and
    /// adds it; on failure records every problem of the row under `line` and adds nothing.
    /// Returns whether the row was added.
    pub fn push_cells(
        &mut self,
        line: u64,
        cells: &RatingCells<'_>,
        problems: &mut RowProblems,
    ) -> bool {
        let before = problems.total();
        let mut required = |c: usize| -> Option<&str> {
            let v = cells[c];
            if v.is_empty() {
                problems.push(line, COLUMNS[c].name, "is required");
                None
            } else {
                Some(v)
            }
        };
        let (cycle, subject, rater, role, quality) = (
            required(0),
            required(1),
            required(2),
            required(3),
            required(4),
        );
        let cycle = cycle.and_then(|v| {
            self.cycles
                .intern(v, CycleName::parse)
                .map_err(|m| problems.push(line, "cycle", m))
                .ok()
        });
        let subject = subject.and_then(|v| {
            self.people
                .intern(v, PersonId::parse)
                .map_err(|m| problems.push(line, "subject", m))
                .ok()
        });
        let rater = rater.and_then(|v| {
            self.people
                .intern(v, PersonId::parse)
                .map_err(|m| problems.push(line, "rater", m))
                .ok()
        });
        let role = role.and_then(|v| {
            v.parse::<RaterRole>()
                .map_err(|m| problems.push(line, "role", m))
                .ok()
        });
        let quality = quality.and_then(|v| {
            self.qualities
                .intern(v, |s| QualityKey::parse(s).map_err(|e| e.to_string()))
                .map_err(|m| problems.push(line, "quality", m))
                .ok()
        });
        let score = match cells[5] {
            "" => Ok(None),
            s => parse_whole(s).map(Some),
        }
        .map_err(|m| problems.push(line, "score", m));
        let evidence = cells[6];
        let long = !evidence.is_empty() && evidence.chars().count() > MAX_EVIDENCE_LEN;
        if long {
            problems.push(
                line,
                "evidence",
                format!("is longer than {MAX_EVIDENCE_LEN} characters"),
            );
        }
        if let (Some(RaterRole::SelfRating), Some(s), Some(r)) = (role, subject, rater)
            && s != r
        {
            problems.push(
                line,
                "rater",
                format!(
                    "a self rating's rater must be its subject ({}), found {}",
                    self.people.values[s as usize], self.people.values[r as usize]
                ),
            );
        }
        let (Some(cycle), Some(subject), Some(rater), Some(role), Some(quality), Ok(score)) =
            (cycle, subject, rater, role, quality, score)
        else {
            return false;
        };
        if problems.total() > before {
            return false;
        }
        let evidence = self.note(evidence);
        self.rows.push(BatchRow {
            line,
            cycle,
            subject,
            rater,
            quality,
            evidence,
            role,
            score,
        });
        true
    }

    /// Adds a typed rating (from a form or a test). The same checks as [`Self::push_cells`] apply
    /// to what the types do not already guarantee (the self rule, the evidence length).
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        line: u64,
        cycle: &CycleName,
        subject: &PersonId,
        rater: &PersonId,
        role: RaterRole,
        quality: &QualityKey,
        score: Option<u8>,
        evidence: &str,
        problems: &mut RowProblems,
    ) -> bool {
        let score = score.map(|s| s.to_string());
        let cells = [
            cycle.as_str(),
            subject.as_str(),
            rater.as_str(),
            role.as_str(),
            quality.as_str(),
            score.as_deref().unwrap_or(""),
            evidence.trim(),
        ];
        self.push_cells(line, &cells, problems)
    }

    fn note(&mut self, evidence: &str) -> u32 {
        if evidence.is_empty() {
            return 0;
        }
        let i = u32::try_from(self.evidence.len()).unwrap_or(u32::MAX);
        self.evidence.push(evidence.into());
        i
    }

    /// The rows, in the order added.
    pub fn rows(&self) -> &[BatchRow] {
        &self.rows
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The distinct cycle names, indexed by [`BatchRow::cycle`].
    pub fn cycles(&self) -> &[CycleName] {
        &self.cycles.values
    }

    /// The distinct subject and rater ids, indexed by [`BatchRow::subject`] and
    /// [`BatchRow::rater`].
    pub fn people(&self) -> &[PersonId] {
        &self.people.values
    }

    /// The distinct quality keys, indexed by [`BatchRow::quality`].
    pub fn qualities(&self) -> &[QualityKey] {
        &self.qualities.values
    }

    /// The evidence note `i` of a row ([`BatchRow::evidence`]).
    pub fn evidence(&self, i: u32) -> &str {
        self.evidence.get(i as usize).map_or("", |s| s)
    }

    /// The index of a person id in [`Self::people`], if the batch names them.
    pub fn person_index(&self, id: &str) -> Option<u32> {
        self.people.index.get(id).copied()
    }
}

/// A whole number that could be a score: 0–255 (no scale goes beyond 0–10; the store names the
/// scale when the number is not on it).
fn parse_whole(s: &str) -> Result<u8, String> {
    match s.parse::<i64>() {
        Ok(v) => u8::try_from(v).map_err(|_| format!("{v} is not on the rating scale")),
        Err(_) => Err(format!(
            "{s:?} is not a whole number (leave it empty for \"not observed\")"
        )),
    }
}

/// Checks a ratings.csv header row.
pub fn header(names: &[&str]) -> Result<HeaderMap, RowProblems> {
    HeaderMap::new(&COLUMNS, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(batch: &mut RatingsBatch, line: u64, cells: RatingCells<'_>) -> RowProblems {
        let mut p = RowProblems::new("ratings.csv");
        batch.push_cells(line, &cells, &mut p);
        p
    }

    #[test]
    fn a_good_row_is_interned_and_kept() {
        let mut b = RatingsBatch::new();
        let p = add(
            &mut b,
            2,
            [
                "2026-H1",
                "p-1",
                "p-2",
                "peer",
                "belief",
                "4",
                "ran the QBR",
            ],
        );
        assert!(p.is_empty(), "{p}");
        let p = add(
            &mut b,
            3,
            ["2026-H1", "p-1", "p-1", "self", "belief", "", ""],
        );
        assert!(p.is_empty(), "{p}");
        assert_eq!(b.len(), 2);
        assert_eq!(b.cycles().len(), 1);
        assert_eq!(b.people().len(), 2);
        let r = b.rows()[0];
        assert_eq!((r.line, r.role, r.score), (2, RaterRole::Peer, Some(4)));
        assert_eq!(b.evidence(r.evidence), "ran the QBR");
        assert_eq!(b.rows()[1].score, None);
        assert_eq!(b.evidence(b.rows()[1].evidence), "");
        assert_eq!(b.person_index("p-2"), Some(1));
    }

    #[test]
    fn every_problem_of_a_row_is_reported_with_its_column() {
        let mut b = RatingsBatch::new();
        let p = add(&mut b, 7, ["", "a/b", "", "boss", "Belief", "four", ""]);
        let text = p.to_string();
        for want in [
            "ratings.csv:7: cycle: is required",
            "ratings.csv:7: subject: contains the character '/'",
            "ratings.csv:7: rater: is required",
            "ratings.csv:7: role: \"boss\" is not a rater role",
            "ratings.csv:7: quality: a quality key starts with a lower-case letter",
            "ratings.csv:7: score: \"four\" is not a whole number",
        ] {
            assert!(text.contains(want), "{want} in\n{text}");
        }
        assert!(b.is_empty());
    }

    #[test]
    fn a_self_rating_must_name_the_subject_as_rater() {
        let mut b = RatingsBatch::new();
        let p = add(
            &mut b,
            4,
            ["2026-H1", "p-1", "p-2", "self", "belief", "3", ""],
        );
        assert!(
            p.to_string()
                .contains("4: rater: a self rating's rater must be its subject (p-1)")
        );
        assert!(b.is_empty());
    }

    #[test]
    fn negative_and_huge_scores_are_refused_here_and_the_scale_is_left_to_the_store() {
        let mut b = RatingsBatch::new();
        assert!(!add(&mut b, 2, ["c", "p", "q", "peer", "belief", "-1", ""]).is_empty());
        assert!(!add(&mut b, 3, ["c", "p", "q", "peer", "belief", "300", ""]).is_empty());
        assert!(add(&mut b, 4, ["c", "p", "q", "peer", "belief", "9", ""]).is_empty());
    }

    #[test]
    fn long_evidence_is_refused() {
        let mut b = RatingsBatch::new();
        let long = "x".repeat(MAX_EVIDENCE_LEN + 1);
        let p = add(&mut b, 2, ["c", "p", "q", "peer", "belief", "3", &long]);
        assert!(p.to_string().contains("evidence: is longer than"));
    }

    #[test]
    fn typed_ratings_go_through_the_same_checks() {
        let mut b = RatingsBatch::new();
        let mut p = RowProblems::default();
        let c = CycleName::parse("2026-H1").unwrap();
        let (s, r) = (
            PersonId::parse("p-1").unwrap(),
            PersonId::parse("p-2").unwrap(),
        );
        let q = QualityKey::parse("belief").unwrap();
        assert!(b.push(1, &c, &s, &r, RaterRole::Manager, &q, Some(3), "", &mut p));
        assert!(!b.push(
            2,
            &c,
            &s,
            &r,
            RaterRole::SelfRating,
            &q,
            Some(3),
            "",
            &mut p
        ));
        assert_eq!(p.total(), 1);
    }
}
