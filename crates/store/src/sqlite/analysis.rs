//! Bulk reads for the analysis (the validity and reliability reports of issue 5).
//!
//! sqlx's SQLite driver pays several microseconds per result row (a copy of every value and a
//! hand-over from SQLite's worker thread to the caller), so a cycle of 400,000 ratings read
//! row by row takes seconds. These queries let SQLite pack many records into one text value
//! instead: fields separated by `char(31)` (unit separator; one `printf` or `concat_ws` per
//! record, which costs SQLite less than a chain of `||`), records by `char(30)` (record
//! separator). Neither can occur in what is packed: ids and names refuse control characters
//! (`PersonId::parse`, `check_name`), quality keys and roles are plain words, scores are
//! digits, and REAL values are written by `real_text!`. Decoding checks the shape of every record anyway, and
//! a record that does not parse is a corrupt-row error, never a silently wrong figure.
//!
//! A cycle's ratings are read in a few subject ranges at once, each on its own connection
//! (SQLite does the packing on its worker threads, so the ranges use the cores in parallel),
//! and each range is decoded as soon as it arrives, the ranges again in parallel.

use std::collections::HashMap;

use sellerq_domain::{PersonId, TRAILING_INDICATORS};
use sqlx::{Row, SqlitePool};

use super::rows::{RealText, corrupt, person_id, real_value};
use crate::{
    AnalysisOutcome, AnalysisOutcomes, AnalysisPerson, AnalysisRating, AnalysisRatings,
    OutcomeFilter, PeopleFilter, StoreError, StoreResult,
};

/// Separates the fields of a packed record.
const FIELD: char = '\u{1f}';
/// Separates packed records.
const RECORD: char = '\u{1e}';

/// The most subject ranges a cycle's ratings are read in at once.
const MAX_PARTS: usize = 4;

/// The cycles with a submitted rating: `EXISTS` stops at the first rating of each cycle found
/// along the `(cycle_id, subject, rater, quality)` index.
pub(super) async fn rated_cycle_ids(pool: &SqlitePool, org_id: i64) -> StoreResult<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT c.id FROM cycles c \
         WHERE c.org_id = $1 \
           AND EXISTS (SELECT 1 FROM ratings r WHERE r.cycle_id = c.id AND r.state = 'submitted') \
         ORDER BY c.name",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| r.try_get::<i64, _>(0).map_err(StoreError::from))
        .collect()
}

/// `subject rater role quality score` records of one subject range of a cycle, in the order
/// of the `(cycle_id, subject, rater, quality)` index. The last range has no upper bound.
macro_rules! packed_ratings {
    ($range:literal) => {
        concat!(
            "SELECT group_concat(printf('%s\u{1f}%s\u{1f}%s\u{1f}%s\u{1f}%s', \
                                        subject, rater, role, quality, ifnull(score, '')), \
                                 char(30)) \
             FROM ratings WHERE cycle_id = $1 AND state = 'submitted' AND ",
            $range
        )
    };
}

/// See [`crate::Store::analysis_ratings`].
pub(super) async fn ratings(
    pool: &SqlitePool,
    org_id: i64,
    cycle_id: i64,
) -> StoreResult<AnalysisRatings> {
    sqlx::query("SELECT 1 FROM cycles WHERE id = $1 AND org_id = $2")
        .bind(cycle_id)
        .bind(org_id)
        .fetch_optional(pool)
        .await?
        .ok_or(StoreError::NotFound("cycle"))?;
    let started = std::time::Instant::now();
    let bounds = subject_bounds(pool, org_id).await?;
    // Every range on its own connection, all at once, each decoded off the async threads as
    // soon as it arrives.
    let mut parts = tokio::task::JoinSet::new();
    for (k, low) in bounds.iter().enumerate() {
        let pool = pool.clone();
        let (low, high) = (low.clone(), bounds.get(k + 1).cloned());
        parts.spawn(async move {
            let query = match &high {
                Some(high) => sqlx::query(packed_ratings!("subject >= $2 AND subject < $3"))
                    .bind(cycle_id)
                    .bind(low)
                    .bind(high.clone()),
                None => sqlx::query(packed_ratings!("subject >= $2"))
                    .bind(cycle_id)
                    .bind(low),
            };
            let row = query.fetch_one(&pool).await?;
            let text = row.try_get::<Option<String>, _>(0)?;
            let sql_ms = started.elapsed().as_secs_f64() * 1e3;
            let part = tokio::task::spawn_blocking(move || {
                let mut d = Decoder::default();
                if let Some(text) = text {
                    d.add(&text)?;
                }
                Ok::<_, StoreError>(d.finish())
            })
            .await
            .map_err(|e| corrupt("ratings", format!("decoding failed: {e}")))??;
            tracing::debug!(
                part = k,
                sql_ms,
                decoded_ms = started.elapsed().as_secs_f64() * 1e3,
                "evidence: ratings read"
            );
            Ok::<_, StoreError>((k, part))
        });
    }
    let mut decoded = vec![AnalysisRatings::default(); bounds.len()];
    while let Some(part) = parts.join_next().await {
        let (k, part) = part.map_err(|e| corrupt("ratings", format!("a read failed: {e}")))??;
        decoded[k] = part;
    }
    Ok(merge(decoded))
}

/// The parts of subject ranges in order as one: each id and quality stored once, in order of
/// first appearance (as one decoder over all the records would store them). The ranges do not
/// overlap and come in order, so the ratings stay sorted.
fn merge(parts: Vec<AnalysisRatings>) -> AnalysisRatings {
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    let mut out = AnalysisRatings {
        ratings: Vec::with_capacity(parts.iter().map(|p| p.ratings.len()).sum()),
        ..AnalysisRatings::default()
    };
    let mut seen: HashMap<String, u32> = HashMap::new();
    for part in parts {
        let ids: Vec<u32> = part
            .ids
            .into_iter()
            .map(|id| {
                *seen.entry(id).or_insert_with_key(|id| {
                    out.ids.push(id.clone());
                    out.ids.len() as u32 - 1
                })
            })
            .collect();
        let qualities: Vec<u32> = part
            .qualities
            .into_iter()
            .map(|q| match out.qualities.iter().position(|x| *x == q) {
                Some(i) => i as u32,
                None => {
                    out.qualities.push(q);
                    out.qualities.len() as u32 - 1
                }
            })
            .collect();
        out.ratings
            .extend(part.ratings.iter().map(|r| AnalysisRating {
                subject: ids[r.subject as usize],
                rater: ids[r.rater as usize],
                quality: qualities[r.quality as usize],
                ..*r
            }));
    }
    out
}

/// The lower bounds of up to [`MAX_PARTS`] subject ranges of about equal size: the first is
/// `""` (every id sorts after it), the others are people's ids at even steps (subjects of
/// ratings are people). Cheap: the people primary key answers the count and each offset.
async fn subject_bounds(pool: &SqlitePool, org_id: i64) -> StoreResult<Vec<String>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let people: i64 = sqlx::query("SELECT count(*) FROM people WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let parts = cores
        .clamp(1, MAX_PARTS)
        .min(usize::try_from(people / 1000).unwrap_or(0))
        .max(1);
    let mut bounds = vec![String::new()];
    for k in 1..parts {
        let offset = people * k as i64 / parts as i64;
        let id: Option<String> =
            sqlx::query("SELECT id FROM people WHERE org_id = $1 ORDER BY id LIMIT 1 OFFSET $2")
                .bind(org_id)
                .bind(offset)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        if let Some(id) = id.filter(|id| bounds.last().is_some_and(|b| b < id)) {
            bounds.push(id);
        }
    }
    Ok(bounds)
}

/// The five fields of a packed rating record, or `None` when it has another number of them.
fn fields(record: &str) -> Option<[&str; 5]> {
    let mut cut = [0usize; 4];
    let mut k = 0;
    for (i, &b) in record.as_bytes().iter().enumerate() {
        if b == FIELD as u8 {
            *cut.get_mut(k)? = i;
            k += 1;
        }
    }
    // The separator is one ASCII byte, so every cut falls between characters.
    (k == 4).then(|| {
        [
            &record[..cut[0]],
            &record[cut[0] + 1..cut[1]],
            &record[cut[1] + 1..cut[2]],
            &record[cut[2] + 1..cut[3]],
            &record[cut[3] + 1..],
        ]
    })
}

/// Turns packed rating records into [`AnalysisRatings`], each id and quality stored once, and
/// checks their order (sorting only if SQLite ever returned them otherwise).
#[derive(Default)]
struct Decoder {
    out: AnalysisRatings,
    ids: HashMap<String, u32>,
    sorted: bool,
    started: bool,
}

impl Decoder {
    fn id(&mut self, s: &str, last: Option<u32>) -> StoreResult<u32> {
        if let Some(i) = last.filter(|&i| self.out.ids[i as usize] == s) {
            return Ok(i);
        }
        if let Some(&i) = self.ids.get(s) {
            return Ok(i);
        }
        if s.is_empty() {
            return Err(corrupt("ratings", "an id is empty"));
        }
        let i =
            u32::try_from(self.out.ids.len()).map_err(|_| corrupt("ratings", "too many ids"))?;
        self.out.ids.push(s.to_owned());
        self.ids.insert(s.to_owned(), i);
        Ok(i)
    }

    fn quality(&mut self, s: &str, last: Option<u32>) -> StoreResult<u32> {
        // A sheet's qualities come in order: the one after the last is the likely one.
        if let Some(l) = last {
            let next = (l as usize + 1) % self.out.qualities.len().max(1);
            if self.out.qualities.get(next).is_some_and(|q| q == s) {
                return Ok(next as u32);
            }
            if self.out.qualities[l as usize] == s {
                return Ok(l);
            }
        }
        if let Some(i) = self.out.qualities.iter().position(|q| q == s) {
            return Ok(i as u32);
        }
        if s.is_empty() {
            return Err(corrupt("quality", "is empty"));
        }
        self.out.qualities.push(s.to_owned());
        Ok(self.out.qualities.len() as u32 - 1)
    }

    fn add(&mut self, text: &str) -> StoreResult<()> {
        if !self.started {
            self.started = true;
            self.sorted = true;
        }
        for record in text.split(RECORD) {
            let Some([subject, rater, role, quality, score]) = fields(record) else {
                return Err(corrupt(
                    "ratings",
                    "a packed rating does not have five fields",
                ));
            };
            let last = self.out.ratings.last().copied();
            let subject = self.id(subject, last.map(|r| r.subject))?;
            let rater = self.id(rater, last.map(|r| r.rater))?;
            let quality = self.quality(quality, last.map(|r| r.quality))?;
            let role = match last {
                Some(l) if l.role.as_str() == role => l.role,
                _ => role.parse().map_err(|m| corrupt("role", m))?,
            };
            let score = match score.as_bytes() {
                [] => None,
                [d @ b'0'..=b'9'] => Some(d - b'0'),
                _ => Some(
                    score
                        .parse::<u8>()
                        .map_err(|_| corrupt("score", format!("{score:?} is not a score")))?,
                ),
            };
            let rating = AnalysisRating {
                subject,
                rater,
                quality,
                role,
                score,
            };
            if self.sorted
                && let Some(prev) = last
            {
                self.sorted = self.in_order(&prev, &rating);
            }
            self.out.ratings.push(rating);
        }
        Ok(())
    }

    /// Is `b` strictly after `a` by (subject, rater, quality)? Equal ids compare equal
    /// without looking at their text.
    fn in_order(&self, a: &AnalysisRating, b: &AnalysisRating) -> bool {
        let ids = &self.out.ids;
        if a.subject != b.subject {
            return ids[a.subject as usize] < ids[b.subject as usize];
        }
        if a.rater != b.rater {
            return ids[a.rater as usize] < ids[b.rater as usize];
        }
        let qualities = &self.out.qualities;
        a.quality != b.quality && qualities[a.quality as usize] < qualities[b.quality as usize]
    }

    fn key<'a>(&'a self, r: &AnalysisRating) -> (&'a str, &'a str, &'a str) {
        (
            &self.out.ids[r.subject as usize],
            &self.out.ids[r.rater as usize],
            &self.out.qualities[r.quality as usize],
        )
    }

    fn finish(mut self) -> AnalysisRatings {
        if !self.sorted {
            let mut ratings = std::mem::take(&mut self.out.ratings);
            ratings.sort_by(|a, b| self.key(a).cmp(&self.key(b)));
            self.out.ratings = ratings;
        }
        self.out
    }
}

/// See [`crate::Store::analysis_people`]. Each indicator comes as `real_text!`; should any
/// be out of its exact range, every person's indicators are read again typed.
pub(super) async fn people(pool: &SqlitePool, org_id: i64) -> StoreResult<Vec<AnalysisPerson>> {
    let row = sqlx::query(concat!(
        "SELECT group_concat(concat_ws(char(31), id, name, ifnull(manager, ''), ",
        real_text!("years_experience"),
        ", ",
        real_text!("quota_track_record"),
        ", ",
        real_text!("tenure_years"),
        ", ",
        real_text!("vip_connections"),
        ", ",
        real_text!("domain_expertise"),
        "), char(30)) FROM people WHERE org_id = $1"
    ))
    .bind(org_id)
    .fetch_one(pool)
    .await?;
    let Some(text) = row.try_get::<Option<&str>, _>(0)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut inexact = false;
    for record in text.split(RECORD) {
        let f: Vec<&str> = record.split(FIELD).collect();
        let [id, name, manager, trailing @ ..] = f.as_slice() else {
            return Err(corrupt("people", "a packed person has too few fields"));
        };
        let trailing: [&str; 5] = trailing
            .try_into()
            .map_err(|_| corrupt("people", "a packed person does not have five indicators"))?;
        let mut values = [None; 5];
        for (slot, text) in values.iter_mut().zip(trailing) {
            match real_value(text, "people")? {
                RealText::Value(v) => *slot = Some(v),
                RealText::Null => {}
                RealText::Inexact => inexact = true,
            }
        }
        out.push(AnalysisPerson {
            id: person_id((*id).to_owned(), "id")?,
            name: (*name).to_owned(),
            manager: match *manager {
                "" => None,
                m => Some(person_id(m.to_owned(), "manager")?),
            },
            trailing: values,
        });
    }
    // The primary key gives id order already; this only guarantees it.
    if !out.is_sorted_by(|a, b| a.id <= b.id) {
        out.sort_by(|a, b| a.id.cmp(&b.id));
    }
    if inexact {
        // Some indicator is out of `real_text!`'s exact range: take them all from the typed
        // people list.
        let typed: HashMap<PersonId, [Option<f64>; 5]> =
            super::people::list(pool, org_id, &PeopleFilter::everyone())
                .await?
                .into_iter()
                .map(|p| (p.id.clone(), TRAILING_INDICATORS.map(|t| p.trailing(t.key))))
                .collect();
        for p in &mut out {
            p.trailing = *typed
                .get(&p.id)
                .ok_or_else(|| corrupt("people", format!("{} was not read again", p.id)))?;
        }
    }
    Ok(out)
}

/// See [`crate::Store::analysis_outcomes`]: one row, the records in primary-key order
/// (subject, metric, period) — `INDEXED BY` the primary key (SQLite's name for it) keeps the
/// planner off the covering `outcomes_metric` index, which would give metric order; should
/// the order ever differ, the records are sorted here — each value written by `real_text!`;
/// the values out of its exact range are read again typed.
pub(super) async fn outcomes(pool: &SqlitePool, org_id: i64) -> StoreResult<AnalysisOutcomes> {
    let row = sqlx::query(concat!(
        "SELECT group_concat(concat_ws(char(31), subject, metric, period, ",
        real_text!("value"),
        "), char(30)) FROM outcomes INDEXED BY sqlite_autoindex_outcomes_1 WHERE org_id = $1"
    ))
    .bind(org_id)
    .fetch_one(pool)
    .await?;
    let mut out = AnalysisOutcomes::default();
    let Some(text) = row.try_get::<Option<&str>, _>(0)? else {
        return Ok(out);
    };
    // Index of the last entry equal to `s`, else a new one (metrics and periods are few).
    fn index(list: &mut Vec<String>, s: &str, last: Option<u32>) -> u32 {
        if let Some(i) = last.filter(|&i| list[i as usize] == s) {
            return i;
        }
        match list.iter().position(|x| x == s) {
            Some(i) => i as u32,
            None => {
                list.push(s.to_owned());
                list.len() as u32 - 1
            }
        }
    }
    let mut seen: HashMap<String, u32> = HashMap::new();
    // Positions of the values to read again typed.
    let mut inexact = Vec::new();
    for record in text.split(RECORD) {
        let mut f = record.split(FIELD);
        let (Some(subject), Some(metric), Some(period), Some(value), None) =
            (f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            return Err(corrupt(
                "outcomes",
                "a packed outcome does not have four fields",
            ));
        };
        let value = match real_value(value, "value")? {
            RealText::Value(v) => v,
            RealText::Null => return Err(corrupt("value", "is empty")),
            RealText::Inexact => {
                inexact.push(out.outcomes.len());
                f64::NAN
            }
        };
        let last = out.outcomes.last().copied();
        let subject = match last.filter(|o| out.ids[o.subject as usize] == subject) {
            Some(o) => o.subject,
            None => *seen.entry(subject.to_owned()).or_insert_with(|| {
                out.ids.push(subject.to_owned());
                out.ids.len() as u32 - 1
            }),
        };
        let metric = index(&mut out.metrics, metric, last.map(|o| o.metric));
        let period = index(&mut out.periods, period, last.map(|o| o.period));
        out.outcomes.push(AnalysisOutcome {
            subject,
            metric,
            period,
            value,
        });
    }
    if !inexact.is_empty() {
        // Values out of `real_text!`'s exact range: from the outcomes list, which reads them
        // typed.
        let typed: HashMap<(String, String, String), f64> =
            super::outcomes::list(pool, org_id, &OutcomeFilter::default())
                .await?
                .into_iter()
                .map(|o| ((o.subject.as_str().to_owned(), o.metric, o.period), o.value))
                .collect();
        for i in inexact {
            let o = out.outcomes[i];
            let key = (
                out.ids[o.subject as usize].clone(),
                out.metrics[o.metric as usize].clone(),
                out.periods[o.period as usize].clone(),
            );
            out.outcomes[i].value = *typed
                .get(&key)
                .ok_or_else(|| corrupt("value", format!("{key:?} was not read again")))?;
        }
    }
    let key = |o: &AnalysisOutcome| {
        (
            out.ids[o.subject as usize].as_str(),
            out.metrics[o.metric as usize].as_str(),
            out.periods[o.period as usize].as_str(),
        )
    };
    if !out.outcomes.is_sorted_by(|a, b| key(a) <= key(b)) {
        let mut sorted = out.outcomes.clone();
        sorted.sort_by(|a, b| key(a).cmp(&key(b)));
        out.outcomes = sorted;
    }
    Ok(out)
}

/// See [`crate::Store::analysis_periods`]: the covering `outcomes_metric` index answers it.
pub(super) async fn periods(
    pool: &SqlitePool,
    org_id: i64,
    metric: &str,
) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT DISTINCT period FROM outcomes WHERE org_id = $1 AND metric = $2 ORDER BY period",
    )
    .bind(org_id)
    .bind(metric)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(StoreError::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_out_of_order_are_sorted_and_ids_stored_once() {
        let mut d = Decoder::default();
        let r = |s: &str, ra: &str, q: &str, score: &str| {
            [s, ra, "peer", q, score].join(&FIELD.to_string())
        };
        let text = [
            r("b", "x", "belief", "3"),
            r("a", "y", "humility", ""),
            r("a", "x", "belief", "5"),
        ]
        .join(&RECORD.to_string());
        d.add(&text).unwrap();
        let out = d.finish();
        assert_eq!(out.ids, ["b", "x", "a", "y"]);
        let keys: Vec<(&str, &str, Option<u8>)> = out
            .ratings
            .iter()
            .map(|r| {
                (
                    out.ids[r.subject as usize].as_str(),
                    out.ids[r.rater as usize].as_str(),
                    r.score,
                )
            })
            .collect();
        assert_eq!(
            keys,
            [("a", "x", Some(5)), ("a", "y", None), ("b", "x", Some(3))]
        );
    }

    #[test]
    fn ranges_decoded_apart_and_merged_equal_one_decoding_of_them_all() {
        let r = |s: &str, ra: &str, q: &str, score: &str| {
            [s, ra, "peer", q, score].join(&FIELD.to_string())
        };
        let first = [
            r("a", "x", "belief", "3"),
            r("a", "y", "humility", ""),
            r("b", "y", "belief", "4"),
        ]
        .join(&RECORD.to_string());
        let second = [
            r("c", "y", "trust_building", "2"),
            r("c", "z", "belief", "5"),
            r("d", "x", "humility", "1"),
        ]
        .join(&RECORD.to_string());
        let decode = |texts: &[&str]| {
            let mut d = Decoder::default();
            for t in texts {
                d.add(t).unwrap();
            }
            d.finish()
        };
        let whole = decode(&[&first, &second]);
        let merged = merge(vec![decode(&[&first]), decode(&[&second])]);
        assert_eq!(merged, whole);
        assert_eq!(merged.ids, ["a", "x", "y", "b", "c", "z", "d"]);
        assert_eq!(merged.qualities, ["belief", "humility", "trust_building"]);
        assert_eq!(merge(vec![decode(&[&first])]), decode(&[&first]));
    }

    #[test]
    fn a_record_of_the_wrong_shape_is_an_error() {
        let mut d = Decoder::default();
        assert!(d.add("a\u{1f}b\u{1f}peer\u{1f}belief").is_err());
        let mut d = Decoder::default();
        assert!(d.add("a\u{1f}b\u{1f}boss\u{1f}belief\u{1f}3").is_err());
        let mut d = Decoder::default();
        assert!(d.add("a\u{1f}b\u{1f}peer\u{1f}belief\u{1f}x").is_err());
    }
}
