//! Cycles: their names, their status and its transitions, the rater roles they collect, and the
//! status of a rater assignment (peers nominated by a seller wait for the manager).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

use super::RaterRole;
use crate::FieldErrors;
use crate::person::parse_date;

/// The longest cycle name.
pub const MAX_CYCLE_NAME_LEN: usize = 40;

/// A cycle's name, e.g. `2026-H1`: trimmed, 1–40 characters, no control characters.
///
/// Names are the cycle's identity in ratings.csv and in URLs (`?cycle=2026-H1`), unique within
/// an organisation. FORMATS.md's "the cycle whose name sorts last" is the byte order of names.
///
/// ```
/// use sellerq_domain::assessment::CycleName;
/// assert_eq!(CycleName::parse("  2026-H1 ").unwrap().as_str(), "2026-H1");
/// assert!(CycleName::parse("").is_err());
/// assert!(CycleName::parse(&"x".repeat(41)).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CycleName(String);

impl CycleName {
    /// Checks and trims `raw`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("is required".into());
        }
        let len = s.chars().count();
        if len > MAX_CYCLE_NAME_LEN {
            return Err(format!(
                "is {len} characters long; a cycle name has at most {MAX_CYCLE_NAME_LEN}"
            ));
        }
        if s.chars().any(char::is_control) {
            return Err("may not contain control characters".into());
        }
        Ok(Self(s.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CycleName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<CycleName> for String {
    fn from(n: CycleName) -> String {
        n.0
    }
}

impl AsRef<str> for CycleName {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for CycleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a cycle is in its life.
///
/// | from \ to | draft | open | closed |
/// |-----------|-------|------|--------|
/// | draft     |       | yes  |        |
/// | open      |       |      | yes    |
/// | closed    |       | yes (reopen) |  |
///
/// A **draft** is being set up: its model version, participants and raters may change, and
/// raters do not see it yet. **Open** freezes the model version; raters fill in their sheets.
/// **Closed** takes no more ratings of any kind (forms, API or import); an admin may reopen it
/// to correct something, which the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CycleStatus {
    /// Being set up.
    Draft,
    /// Collecting ratings.
    Open,
    /// Finished: read only.
    Closed,
}

impl CycleStatus {
    /// Every status, in life order.
    pub const ALL: [CycleStatus; 3] = [CycleStatus::Draft, CycleStatus::Open, CycleStatus::Closed];

    /// `draft`, `open` or `closed`, as stored and typed.
    pub fn as_str(self) -> &'static str {
        match self {
            CycleStatus::Draft => "draft",
            CycleStatus::Open => "open",
            CycleStatus::Closed => "closed",
        }
    }

    /// May a cycle in this status move to `next`? (See the table on [`CycleStatus`].)
    pub fn can_become(self, next: CycleStatus) -> bool {
        matches!(
            (self, next),
            (CycleStatus::Draft, CycleStatus::Open)
                | (CycleStatus::Open, CycleStatus::Closed)
                | (CycleStatus::Closed, CycleStatus::Open)
        )
    }

    /// `Ok(next)` when allowed, else a sentence saying why not.
    pub fn transition(self, next: CycleStatus) -> Result<CycleStatus, String> {
        if self.can_become(next) {
            Ok(next)
        } else if self == next {
            Err(format!("the cycle is already {}", self.as_str()))
        } else {
            Err(format!(
                "a {} cycle cannot become {} (draft → open → closed; a closed cycle may be reopened)",
                self.as_str(),
                next.as_str()
            ))
        }
    }

    /// Is the model version fixed? (Every status but draft.)
    pub fn freezes_model_version(self) -> bool {
        self != CycleStatus::Draft
    }

    /// Do raters' sheets take ratings? (Open only.)
    pub fn takes_sheets(self) -> bool {
        self == CycleStatus::Open
    }

    /// Do imports and single recorded ratings go in? (Draft and open: a file may load
    /// history into a cycle being set up; closed takes nothing.)
    pub fn takes_recorded_ratings(self) -> bool {
        self != CycleStatus::Closed
    }
}

impl fmt::Display for CycleStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CycleStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        CycleStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| format!("{s:?} is not a cycle status (draft, open or closed)"))
    }
}

/// The rater roles a cycle collects: a set of self, manager, peer and coach (interviewers rate
/// candidates, not cycle participants).
///
/// ```
/// use sellerq_domain::assessment::{RaterRole, RaterRoles};
/// let roles = RaterRoles::parse("self, manager,peer").unwrap();
/// assert!(roles.contains(RaterRole::Peer) && !roles.contains(RaterRole::Coach));
/// assert_eq!(roles.to_string(), "self,manager,peer");
/// assert!(RaterRoles::parse("interviewer").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RaterRoles(u8);

impl RaterRoles {
    /// The roles a cycle may collect, in display order.
    pub const CYCLE_ROLES: [RaterRole; 4] = [
        RaterRole::SelfRating,
        RaterRole::Manager,
        RaterRole::Peer,
        RaterRole::Coach,
    ];

    /// Self, manager, peer and coach: the default.
    pub fn all() -> Self {
        Self::from_roles(&Self::CYCLE_ROLES).unwrap_or(Self(0))
    }

    /// The set of `roles`; interviewer is refused, and the set may not be empty.
    pub fn from_roles(roles: &[RaterRole]) -> Result<Self, String> {
        let mut bits = 0u8;
        for r in roles {
            if *r == RaterRole::Interviewer {
                return Err(
                    "interviewers rate candidates; a cycle collects self, manager, peer or coach"
                        .into(),
                );
            }
            bits |= 1 << (*r as u8);
        }
        if bits == 0 {
            return Err("choose at least one rater role".into());
        }
        Ok(Self(bits))
    }

    /// Parses a comma-separated list such as `self,manager,peer`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let roles = raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse::<RaterRole>)
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_roles(&roles)
    }

    /// Does the set hold `role`?
    pub fn contains(self, role: RaterRole) -> bool {
        self.0 & (1 << (role as u8)) != 0
    }

    /// The roles in the set, in [`Self::CYCLE_ROLES`] order.
    pub fn roles(self) -> impl Iterator<Item = RaterRole> {
        Self::CYCLE_ROLES
            .into_iter()
            .filter(move |r| self.contains(*r))
    }
}

impl Default for RaterRoles {
    fn default() -> Self {
        Self::all()
    }
}

impl fmt::Display for RaterRoles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.roles().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(r.as_str())?;
        }
        Ok(())
    }
}

impl Serialize for RaterRoles {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.roles())
    }
}

/// Where a rater assignment stands. Managers' choices (and self, manager and coach raters)
/// are approved at once; a peer nominated by the seller waits for the manager's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssignmentStatus {
    /// Proposed by the seller; not yet asked to rate.
    Nominated,
    /// Asked to rate: the sheet appears in the rater's "my assessments".
    Approved,
    /// Turned down by the manager.
    Declined,
}

impl AssignmentStatus {
    /// Every status.
    pub const ALL: [AssignmentStatus; 3] = [
        AssignmentStatus::Nominated,
        AssignmentStatus::Approved,
        AssignmentStatus::Declined,
    ];

    /// `nominated`, `approved` or `declined`.
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentStatus::Nominated => "nominated",
            AssignmentStatus::Approved => "approved",
            AssignmentStatus::Declined => "declined",
        }
    }
}

impl fmt::Display for AssignmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AssignmentStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        AssignmentStatus::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim())
            .ok_or_else(|| {
                format!("{s:?} is not an assignment status (nominated, approved or declined)")
            })
    }
}

/// A checked cycle, ready to be created or to replace a draft's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleInput {
    /// Unique within the organisation.
    pub name: CycleName,
    /// The model version to rate on; `None` = the organisation's current one.
    pub model_version_id: Option<i64>,
    /// When sheets are due; after it, unsubmitted sheets count as overdue.
    pub due_date: Option<Date>,
    /// Which rater roles the cycle collects.
    pub rater_roles: RaterRoles,
}

impl CycleInput {
    /// Checks form fields (empty = absent): `name`, `due_date` (`YYYY-MM-DD`), and the rater
    /// roles ticked (`rater_roles`; none ticked is an error).
    pub fn parse(
        name: &str,
        model_version_id: Option<i64>,
        due_date: &str,
        rater_roles: &[&str],
    ) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::default();
        let name = CycleName::parse(name)
            .map_err(|m| errs.push("name", m))
            .ok();
        let due_date = match due_date.trim() {
            "" => None,
            s => parse_date(s).map_err(|m| errs.push("due_date", m)).ok(),
        };
        let roles = rater_roles
            .iter()
            .map(|r| r.parse::<RaterRole>())
            .collect::<Result<Vec<_>, _>>()
            .and_then(|rs| RaterRoles::from_roles(&rs))
            .map_err(|m| errs.push("rater_roles", m))
            .ok();
        match (name, roles) {
            (Some(name), Some(rater_roles)) if errs.is_empty() => Ok(Self {
                name,
                model_version_id,
                due_date,
                rater_roles,
            }),
            _ => Err(errs),
        }
    }

    /// A cycle collecting every role, on the current model, without a due date.
    pub fn named(name: CycleName) -> Self {
        Self {
            name,
            model_version_id: None,
            due_date: None,
            rater_roles: RaterRoles::all(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycle_names_are_trimmed_and_bounded() {
        assert_eq!(CycleName::parse("\t2026-H1 ").unwrap().as_str(), "2026-H1");
        assert!(CycleName::parse(&"é".repeat(40)).is_ok());
        for bad in ["", "   ", "a\nb"] {
            assert!(CycleName::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(
            CycleName::parse(&"x".repeat(41))
                .unwrap_err()
                .contains("at most 40")
        );
    }

    #[test]
    fn a_cycle_moves_from_draft_to_open_to_closed_and_may_be_reopened() {
        use CycleStatus::*;
        let allowed: Vec<(CycleStatus, CycleStatus)> = CycleStatus::ALL
            .into_iter()
            .flat_map(|a| CycleStatus::ALL.into_iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.can_become(*b))
            .collect();
        assert_eq!(allowed, vec![(Draft, Open), (Open, Closed), (Closed, Open)]);
        assert!(
            Open.transition(Draft)
                .unwrap_err()
                .contains("cannot become")
        );
        assert!(Open.transition(Open).unwrap_err().contains("already open"));
    }

    #[test]
    fn only_an_open_cycle_takes_sheets_and_a_closed_one_takes_nothing() {
        assert!(CycleStatus::Open.takes_sheets());
        assert!(!CycleStatus::Draft.takes_sheets());
        assert!(CycleStatus::Draft.takes_recorded_ratings());
        assert!(!CycleStatus::Closed.takes_recorded_ratings());
        assert!(!CycleStatus::Draft.freezes_model_version());
        assert!(CycleStatus::Closed.freezes_model_version());
    }

    #[test]
    fn statuses_read_and_print_in_lower_case() {
        for s in CycleStatus::ALL {
            assert_eq!(s.as_str().parse::<CycleStatus>(), Ok(s));
        }
        for s in AssignmentStatus::ALL {
            assert_eq!(s.as_str().parse::<AssignmentStatus>(), Ok(s));
        }
        assert!("finished".parse::<CycleStatus>().is_err());
    }

    #[test]
    fn rater_roles_are_a_non_empty_set_without_interviewers() {
        let r = RaterRoles::parse("peer,self,peer").unwrap();
        assert_eq!(r.to_string(), "self,peer");
        assert_eq!(RaterRoles::all().to_string(), "self,manager,peer,coach");
        assert!(RaterRoles::parse("").is_err());
        assert!(RaterRoles::parse("self,boss").is_err());
        assert_eq!(
            serde_json::to_string(&RaterRoles::parse("coach,manager").unwrap()).unwrap(),
            r#"["manager","coach"]"#
        );
    }

    #[test]
    fn a_cycle_form_reports_every_bad_field() {
        let e = CycleInput::parse(" ", None, "2026-02-30", &[]).unwrap_err();
        for f in ["name", "due_date", "rater_roles"] {
            assert!(e.get(f).is_some(), "{f} should be reported in {e}");
        }
        let ok = CycleInput::parse("2026-H1", None, "2026-06-30", &["self", "manager"]).unwrap();
        assert_eq!(
            ok.due_date.map(|d| d.to_string()),
            Some("2026-06-30".into())
        );
        assert!(!ok.rater_roles.contains(RaterRole::Peer));
    }
}
