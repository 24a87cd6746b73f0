//! Ratings: rater roles, scores checked against a scale, and the rules of a rater's sheet.
//!
//! The evidence rule differs by channel, on purpose: the **rating form** requires an evidence
//! note when the score is at either end of the scale ([`EvidencePolicy::RequiredAtEnds`]), to
//! make raters justify the extremes; **imports and recorded ratings** accept a file without
//! notes ([`EvidencePolicy::Optional`]), because historical spreadsheets rarely have them and
//! refusing them would lose real data.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::FieldErrors;
use crate::model::{Model, QualityKey, Scale};

/// The longest evidence note, in characters.
pub const MAX_EVIDENCE_LEN: usize = 4000;

/// The perspective a rating is given from (ratings.csv `role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RaterRole {
    /// The subject rating themselves (`self`).
    #[serde(rename = "self")]
    SelfRating = 0,
    /// The subject's line manager.
    #[serde(rename = "manager")]
    Manager = 1,
    /// A colleague; shown only aggregated, and only above the anonymity threshold.
    #[serde(rename = "peer")]
    Peer = 2,
    /// A sales coach.
    #[serde(rename = "coach")]
    Coach = 3,
    /// A hiring panel member (candidates' scorecards; not part of a cycle's scores).
    #[serde(rename = "interviewer")]
    Interviewer = 4,
}

impl RaterRole {
    /// Every role, in ratings.csv's order of the FORMATS.md table.
    pub const ALL: [RaterRole; 5] = [
        RaterRole::SelfRating,
        RaterRole::Manager,
        RaterRole::Peer,
        RaterRole::Coach,
        RaterRole::Interviewer,
    ];

    /// The role as written in ratings.csv and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RaterRole::SelfRating => "self",
            RaterRole::Manager => "manager",
            RaterRole::Peer => "peer",
            RaterRole::Coach => "coach",
            RaterRole::Interviewer => "interviewer",
        }
    }

    /// The role's name for people.
    pub fn label(self) -> &'static str {
        match self {
            RaterRole::SelfRating => "Self",
            RaterRole::Manager => "Manager",
            RaterRole::Peer => "Peer",
            RaterRole::Coach => "Coach",
            RaterRole::Interviewer => "Interviewer",
        }
    }

    /// Does a rating in this role count in a subject's quality score? FORMATS.md: the quality
    /// score is the mean of the manager, peer and coach ratings; self is shown beside it and
    /// interviewer scorecards belong to hiring.
    pub fn counts_in_score(self) -> bool {
        matches!(
            self,
            RaterRole::Manager | RaterRole::Peer | RaterRole::Coach
        )
    }
}

impl fmt::Display for RaterRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RaterRole {
    type Err = String;
    /// Exact lower-case names, as FORMATS.md says header names and values are matched.
    fn from_str(s: &str) -> Result<Self, String> {
        RaterRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                format!("{s:?} is not a rater role (self, manager, peer, coach or interviewer)")
            })
    }
}

/// A score on a model's scale: exists only once checked against that scale.
///
/// ```
/// use sellerq_domain::assessment::Score;
/// use sellerq_domain::default_model;
/// let scale = &default_model().scale;
/// assert_eq!(Score::new(4, scale).unwrap().value(), 4);
/// assert_eq!(Score::new(0, scale).unwrap_err(), "0 is not on the scale 1–5");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "u8")]
pub struct Score(u8);

impl Score {
    /// Checks `value` against `scale`.
    pub fn new(value: i64, scale: &Scale) -> Result<Self, String> {
        if scale.contains(value) {
            u8::try_from(value)
                .map(Self)
                .map_err(|_| out_of_scale(value, scale))
        } else {
            Err(out_of_scale(value, scale))
        }
    }

    /// The score as a number.
    pub fn value(self) -> u8 {
        self.0
    }

    /// Is the score the lowest or the highest of `scale`? (The form asks for evidence then.)
    pub fn is_at_an_end(self, scale: &Scale) -> bool {
        self.0 == scale.min || self.0 == scale.max
    }
}

impl From<Score> for u8 {
    fn from(s: Score) -> u8 {
        s.0
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

fn out_of_scale(value: i64, scale: &Scale) -> String {
    format!("{value} is not on the scale {}–{}", scale.min, scale.max)
}

/// Parses a score cell: empty means "not observed" (`Ok(None)`); otherwise a whole number on
/// `scale`.
///
/// ```
/// use sellerq_domain::assessment::parse_score;
/// use sellerq_domain::default_model;
/// let scale = &default_model().scale;
/// assert_eq!(parse_score(" ", scale), Ok(None));
/// assert_eq!(parse_score("3", scale).unwrap().map(|s| s.value()), Some(3));
/// assert!(parse_score("3.5", scale).unwrap_err().contains("whole number"));
/// ```
pub fn parse_score(raw: &str, scale: &Scale) -> Result<Option<Score>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let value: i64 = raw.parse().map_err(|_| {
        format!(
            "{raw:?} is not a whole number on the scale {}–{} (leave it empty for \"not observed\")",
            scale.min, scale.max
        )
    })?;
    Score::new(value, scale).map(Some)
}

/// When an evidence note is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidencePolicy {
    /// The rating form: required when the score is at either end of the scale.
    RequiredAtEnds,
    /// Imports and recorded ratings: never required.
    Optional,
}

/// Checks an evidence note against the length limit and `policy`; the message names no field.
pub fn check_evidence(
    evidence: &str,
    score: Option<Score>,
    scale: &Scale,
    policy: EvidencePolicy,
) -> Result<(), String> {
    let len = evidence.chars().count();
    if len > MAX_EVIDENCE_LEN {
        return Err(format!(
            "is {len} characters long; an evidence note has at most {MAX_EVIDENCE_LEN}"
        ));
    }
    if policy == EvidencePolicy::RequiredAtEnds
        && evidence.trim().is_empty()
        && let Some(s) = score.filter(|s| s.is_at_an_end(scale))
    {
        return Err(format!(
            "is required for a score of {s}, at the end of the scale: say what you saw"
        ));
    }
    Ok(())
}

/// One quality's answer on a rater's sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetEntry {
    /// The quality rated.
    pub quality: QualityKey,
    /// The score; `None` = "not observed".
    pub score: Option<Score>,
    /// What the rater saw (may be empty).
    pub evidence: String,
}

/// Checks a sheet (one rater, one subject) against the cycle's model.
///
/// Always: every quality is a quality of `model`, appears once, its score is on the scale, its
/// evidence within the length limit. When `submit` is true, also: every quality of the model is
/// answered (a score or "not observed"), and scores at either end of the scale carry evidence
/// (the form's rule). A draft may be incomplete.
///
/// Fields are named `score.<key>` and `evidence.<key>`, the form's input names; a missing
/// answer is reported on `score.<key>`.
pub fn check_sheet(model: &Model, entries: &[SheetEntry], submit: bool) -> Result<(), FieldErrors> {
    let mut errs = FieldErrors::default();
    let mut seen = HashSet::new();
    for e in entries {
        let key = e.quality.as_str();
        if model.quality(key).is_none() {
            errs.push(
                &format!("score.{key}"),
                format!(
                    "{key:?} is not a quality of model version {}",
                    model.version
                ),
            );
            continue;
        }
        if !seen.insert(key) {
            errs.push(&format!("score.{key}"), "is answered twice");
            continue;
        }
        if let Some(s) = e.score
            && !model.scale.contains(i64::from(s.value()))
        {
            errs.push(
                &format!("score.{key}"),
                out_of_scale(i64::from(s.value()), &model.scale),
            );
        }
        let policy = if submit {
            EvidencePolicy::RequiredAtEnds
        } else {
            EvidencePolicy::Optional
        };
        if let Err(m) = check_evidence(&e.evidence, e.score, &model.scale, policy) {
            errs.push(&format!("evidence.{key}"), m);
        }
    }
    if submit {
        for q in &model.qualities {
            if !seen.contains(q.key.as_str()) {
                errs.push(
                    &format!("score.{}", q.key),
                    "choose a level or \"not observed\" before submitting",
                );
            }
        }
    }
    errs.into_result(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::default_model;

    fn entry(key: &str, score: Option<u8>, evidence: &str) -> SheetEntry {
        let scale = &default_model().scale;
        SheetEntry {
            quality: QualityKey::parse(key).unwrap(),
            score: score.map(|s| Score::new(i64::from(s), scale).unwrap()),
            evidence: evidence.into(),
        }
    }

    fn full_sheet(score: u8) -> Vec<SheetEntry> {
        default_model()
            .keys()
            .map(|k| entry(k.as_str(), Some(score), ""))
            .collect()
    }

    #[test]
    fn rater_roles_read_exact_lower_case_names() {
        for r in RaterRole::ALL {
            assert_eq!(r.as_str().parse::<RaterRole>(), Ok(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{r}\""));
        }
        assert!("Self".parse::<RaterRole>().is_err());
        assert!(
            "boss"
                .parse::<RaterRole>()
                .unwrap_err()
                .contains("not a rater role")
        );
    }

    #[test]
    fn only_manager_peer_and_coach_ratings_count_in_the_score() {
        let counted: Vec<RaterRole> = RaterRole::ALL
            .into_iter()
            .filter(|r| r.counts_in_score())
            .collect();
        assert_eq!(
            counted,
            [RaterRole::Manager, RaterRole::Peer, RaterRole::Coach]
        );
    }

    #[test]
    fn scores_exist_only_on_the_scale() {
        let scale = &default_model().scale;
        for ok in 1..=5 {
            assert_eq!(Score::new(ok, scale).unwrap().value() as i64, ok);
        }
        for bad in [0, 6, -1, 256, i64::MAX] {
            assert!(Score::new(bad, scale).is_err(), "{bad}");
        }
        assert!(Score::new(1, scale).unwrap().is_at_an_end(scale));
        assert!(Score::new(5, scale).unwrap().is_at_an_end(scale));
        assert!(!Score::new(3, scale).unwrap().is_at_an_end(scale));
    }

    #[test]
    fn a_score_cell_may_be_empty_but_not_fractional_or_text() {
        let scale = &default_model().scale;
        assert_eq!(parse_score("", scale), Ok(None));
        assert!(parse_score("four", scale).is_err());
        assert!(parse_score("2.0", scale).is_err());
        assert_eq!(
            parse_score("9", scale).unwrap_err(),
            "9 is not on the scale 1–5"
        );
    }

    #[test]
    fn the_form_requires_evidence_at_either_end_of_the_scale_and_imports_do_not() {
        let scale = &default_model().scale;
        let five = Score::new(5, scale).ok();
        let three = Score::new(3, scale).ok();
        assert!(check_evidence("", five, scale, EvidencePolicy::RequiredAtEnds).is_err());
        assert!(check_evidence("  ", five, scale, EvidencePolicy::RequiredAtEnds).is_err());
        assert!(check_evidence("led the QBR", five, scale, EvidencePolicy::RequiredAtEnds).is_ok());
        assert!(check_evidence("", three, scale, EvidencePolicy::RequiredAtEnds).is_ok());
        assert!(check_evidence("", None, scale, EvidencePolicy::RequiredAtEnds).is_ok());
        assert!(check_evidence("", five, scale, EvidencePolicy::Optional).is_ok());
        let long = "x".repeat(MAX_EVIDENCE_LEN + 1);
        assert!(check_evidence(&long, three, scale, EvidencePolicy::Optional).is_err());
    }

    #[test]
    fn a_draft_sheet_may_be_incomplete_but_a_submitted_one_may_not() {
        let model = default_model();
        let partial = vec![entry("belief", Some(3), ""), entry("humility", None, "")];
        assert!(check_sheet(model, &partial, false).is_ok());
        let e = check_sheet(model, &partial, true).unwrap_err();
        assert!(e.get("score.storytelling").is_some(), "{e}");
        assert!(e.get("score.belief").is_none(), "{e}");
        assert!(check_sheet(model, &full_sheet(3), true).is_ok());
    }

    #[test]
    fn submitting_an_extreme_score_without_evidence_names_the_evidence_field() {
        let model = default_model();
        let mut sheet = full_sheet(3);
        sheet[7] = entry("storytelling", Some(1), "");
        let e = check_sheet(model, &sheet, true).unwrap_err();
        assert_eq!(e.0.len(), 1, "{e}");
        assert!(e.get("evidence.storytelling").is_some());
        assert!(
            check_sheet(model, &sheet, false).is_ok(),
            "drafts may skip evidence"
        );
    }

    #[test]
    fn a_sheet_refuses_unknown_and_repeated_qualities() {
        let model = default_model();
        let sheet = vec![
            entry("charisma", Some(3), ""),
            entry("belief", Some(3), ""),
            entry("belief", Some(2), ""),
        ];
        let e = check_sheet(model, &sheet, false).unwrap_err();
        assert!(e.get("score.charisma").unwrap().contains("not a quality"));
        assert_eq!(e.get("score.belief"), Some("is answered twice"));
    }
}
