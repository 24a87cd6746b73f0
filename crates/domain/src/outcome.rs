//! Outcomes: later results per seller, per period, per metric — what the indicators should
//! predict (FORMATS.md, outcomes.csv).
//!
//! A [`Metric`] is one kind of result an organisation records (`quota_attainment` for every
//! organisation, plus its own such as `bookings` or `win_rate`), with a unit and whether higher
//! is better. An [`OutcomeInput`] is one value of one metric for one seller in one period.

use serde::{Deserialize, Serialize};

use crate::{FieldErrors, PersonId, Role};

/// May this role record and delete outcomes (of the people within its reach)? Admins, leaders
/// and managers (for the people they look after); coaches, sellers and interviewers read at
/// most.
pub fn can_record_outcomes(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Leader | Role::Manager)
}

/// May this role define the organisation's metrics? Admins only.
pub fn can_manage_metrics(role: Role) -> bool {
    role == Role::Admin
}

/// The metric every organisation has from its creation: the share of quota reached,
/// 1.0 = 100 %, higher is better.
pub const DEFAULT_METRIC: &str = "quota_attainment";

/// The longest metric key.
pub const MAX_KEY_LEN: usize = 40;
/// The longest metric label.
pub const MAX_LABEL_LEN: usize = 80;
/// The longest metric unit.
pub const MAX_UNIT_LEN: usize = 20;

/// The unit meaning "a share, 1.0 = 100 %": values are shown as percentages.
pub const RATIO_UNIT: &str = "ratio";

/// One kind of outcome an organisation records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Lower snake case, e.g. `quota_attainment`: the `metric` column of outcomes.csv.
    pub key: String,
    /// What people read, e.g. "Quota attainment".
    pub label: String,
    /// e.g. `ratio` (1.0 = 100 %), `EUR`, `deals`; may be empty.
    pub unit: String,
    /// Is a larger value a better result?
    pub higher_is_better: bool,
}

impl Metric {
    /// The default metric ([`DEFAULT_METRIC`]) as a new organisation gets it.
    pub fn quota_attainment() -> Metric {
        Metric {
            key: DEFAULT_METRIC.to_owned(),
            label: "Quota attainment".to_owned(),
            unit: RATIO_UNIT.to_owned(),
            higher_is_better: true,
        }
    }

    /// A metric first met in an outcomes file: labelled by its key, no unit, higher is better.
    pub fn named(key: &str) -> Metric {
        Metric {
            key: key.to_owned(),
            label: key.to_owned(),
            unit: String::new(),
            higher_is_better: true,
        }
    }

    /// Checks every field (label and unit are trimmed first by [`Metric::trimmed`]).
    ///
    /// ```
    /// use sellerq_domain::outcome::Metric;
    /// assert!(Metric::named("win_rate").check().is_ok());
    /// let e = Metric::named("Win Rate").check().unwrap_err();
    /// assert!(e.get("key").is_some());
    /// ```
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        if let Err(m) = check_metric_key(&self.key) {
            errs.push("key", m);
        }
        let label = self.label.trim();
        if label.is_empty() {
            errs.push("label", "is required");
        } else if label.chars().count() > MAX_LABEL_LEN {
            errs.push(
                "label",
                format!("is longer than {MAX_LABEL_LEN} characters"),
            );
        } else if label.chars().any(char::is_control) {
            errs.push("label", "contains a control character");
        }
        let unit = self.unit.trim();
        if unit.chars().count() > MAX_UNIT_LEN {
            errs.push("unit", format!("is longer than {MAX_UNIT_LEN} characters"));
        } else if unit.chars().any(char::is_control) {
            errs.push("unit", "contains a control character");
        }
        errs.into_result(())
    }

    /// The metric with label and unit trimmed.
    pub fn trimmed(&self) -> Metric {
        Metric {
            key: self.key.trim().to_owned(),
            label: self.label.trim().to_owned(),
            unit: self.unit.trim().to_owned(),
            higher_is_better: self.higher_is_better,
        }
    }

    /// Is the unit [`RATIO_UNIT`] (values shown as percentages)?
    pub fn is_ratio(&self) -> bool {
        self.unit == RATIO_UNIT
    }

    /// A value as people read it: a ratio as a percentage (`0.95` → `95 %`), anything else
    /// as the number with its unit.
    ///
    /// ```
    /// use sellerq_domain::outcome::Metric;
    /// assert_eq!(Metric::quota_attainment().format_value(0.955), "95.5 %");
    /// let mut m = Metric::named("bookings");
    /// m.unit = "EUR".into();
    /// assert_eq!(m.format_value(120000.0), "120000 EUR");
    /// ```
    pub fn format_value(&self, value: f64) -> String {
        if self.is_ratio() {
            format!("{} %", trim_number(value * 100.0, 1))
        } else if self.unit.is_empty() {
            trim_number(value, 3)
        } else {
            format!("{} {}", trim_number(value, 3), self.unit)
        }
    }
}

/// `v` with at most `decimals` decimals and no trailing zeros.
fn trim_number(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

/// Checks a metric key: lower snake case, `[a-z][a-z0-9_]{0,39}`.
///
/// ```
/// use sellerq_domain::outcome::check_metric_key;
/// assert!(check_metric_key("quota_attainment").is_ok());
/// assert!(check_metric_key("2x").is_err());
/// assert!(check_metric_key("WinRate").is_err());
/// ```
pub fn check_metric_key(key: &str) -> Result<(), String> {
    let b = key.as_bytes();
    if b.is_empty() {
        return Err("is required".into());
    }
    let ok = b[0].is_ascii_lowercase()
        && b.len() <= MAX_KEY_LEN
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{key:?} is not a metric key (lower case letters, digits and _, starting with a \
             letter, at most {MAX_KEY_LEN} characters, e.g. win_rate)"
        ))
    }
}

/// Checks a period: `YYYY-Qn`, `YYYY-Hn`, `YYYY-MM` or `YYYY` (FORMATS.md).
///
/// ```
/// use sellerq_domain::outcome::check_period;
/// assert!(check_period("2026-Q3").is_ok());
/// assert!(check_period("2026-H2").is_ok());
/// assert!(check_period("2026-07").is_ok());
/// assert!(check_period("2026").is_ok());
/// assert!(check_period("2026-Q5").is_err());
/// assert!(check_period("2026-13").is_err());
/// assert!(check_period("26-Q1").is_err());
/// ```
pub fn check_period(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let year = b.len() >= 4 && b[..4].iter().all(u8::is_ascii_digit);
    let ok = year
        && match &b[4..] {
            [] => true,
            [b'-', b'Q', n] => (b'1'..=b'4').contains(n),
            [b'-', b'H', n] => (b'1'..=b'2').contains(n),
            [b'-', m1, m2] if m1.is_ascii_digit() && m2.is_ascii_digit() => {
                (1..=12).contains(&((m1 - b'0') * 10 + (m2 - b'0')))
            }
            _ => false,
        };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{s:?} is not a period (use YYYY-Qn, YYYY-Hn, YYYY-MM or YYYY, e.g. 2026-Q3)"
        ))
    }
}

/// Parses a value cell: `.` as the decimal point, finite.
pub fn parse_value(s: &str) -> Result<f64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("is required".into());
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number (use . as the decimal point)"
        )),
    }
}

/// One outcome to record: `value` of `metric` for `subject` in `period`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeInput {
    pub subject: PersonId,
    /// `YYYY-Qn`, `YYYY-Hn`, `YYYY-MM` or `YYYY`.
    pub period: String,
    /// A metric key.
    pub metric: String,
    pub value: f64,
}

/// The text of an outcome as a form or a CSV row gives it.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutcomeText<'a> {
    pub subject: &'a str,
    pub period: &'a str,
    pub metric: &'a str,
    pub value: &'a str,
}

impl OutcomeInput {
    /// Checks every field: period syntax, metric key syntax, a finite value.
    ///
    /// ```
    /// use sellerq_domain::{PersonId, outcome::OutcomeInput};
    /// let mut o = OutcomeInput {
    ///     subject: PersonId::parse("p-1").unwrap(),
    ///     period: "2026-Q3".into(),
    ///     metric: "quota_attainment".into(),
    ///     value: 0.9,
    /// };
    /// assert!(o.check().is_ok());
    /// o.value = f64::NAN;
    /// assert_eq!(o.check().unwrap_err().0[0].field, "value");
    /// ```
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        if let Err(m) = check_period(&self.period) {
            errs.push("period", m);
        }
        if let Err(m) = check_metric_key(&self.metric) {
            errs.push("metric", m);
        }
        if !self.value.is_finite() {
            errs.push("value", "must be a finite number");
        }
        errs.into_result(())
    }

    /// Parses and checks the text of a form or a CSV row (cells trimmed); every problem named
    /// by its field.
    pub fn from_text(t: &OutcomeText<'_>) -> Result<OutcomeInput, FieldErrors> {
        let mut errs = FieldErrors::default();
        let subject = match t.subject.trim() {
            "" => {
                errs.push("subject", "is required");
                None
            }
            s => PersonId::parse(s).map_err(|m| errs.push("subject", m)).ok(),
        };
        let period = t.period.trim();
        if period.is_empty() {
            errs.push("period", "is required");
        } else if let Err(m) = check_period(period) {
            errs.push("period", m);
        }
        let metric = t.metric.trim();
        if let Err(m) = check_metric_key(metric) {
            errs.push("metric", m);
        }
        let value = parse_value(t.value).map_err(|m| errs.push("value", m)).ok();
        match (subject, value) {
            (Some(subject), Some(value)) if errs.is_empty() => Ok(OutcomeInput {
                subject,
                period: period.to_owned(),
                metric: metric.to_owned(),
                value,
            }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_keys_are_lower_snake_case_up_to_forty_characters() {
        for ok in ["a", "win_rate", "q2_bookings", &"a".repeat(40)] {
            assert!(check_metric_key(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "_a",
            "1a",
            "Win",
            "win-rate",
            "win rate",
            &"a".repeat(41),
            "é",
        ] {
            assert!(check_metric_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_metric_needs_a_label_of_at_most_eighty_characters_and_a_short_unit() {
        let mut m = Metric::quota_attainment();
        assert!(m.check().is_ok());
        m.label = " ".into();
        m.unit = "x".repeat(21);
        let e = m.check().unwrap_err();
        assert!(e.get("label").is_some());
        assert!(e.get("unit").is_some());
        m.label = "x".repeat(81);
        assert!(m.check().unwrap_err().get("label").is_some());
    }

    #[test]
    fn periods_follow_formats_md() {
        for ok in [
            "2026", "2026-Q1", "2026-Q4", "2026-H1", "2026-H2", "2026-01", "2026-12",
        ] {
            assert!(check_period(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "2026-Q0", "2026-H3", "2026-00", "2026-1", "2026-q1", "2026 ", "x026",
        ] {
            assert!(check_period(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn text_is_parsed_with_every_problem_named() {
        let e = OutcomeInput::from_text(&OutcomeText {
            subject: "",
            period: "2026-Q9",
            metric: "Bookings",
            value: "1,5",
        })
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["subject", "period", "metric", "value"]);
        let ok = OutcomeInput::from_text(&OutcomeText {
            subject: " p-1 ",
            period: "2026-Q3",
            metric: "quota_attainment",
            value: " 1.05",
        })
        .unwrap();
        assert_eq!(ok.subject.as_str(), "p-1");
        assert_eq!(ok.value, 1.05);
    }

    #[test]
    fn values_are_shown_in_their_unit() {
        let q = Metric::quota_attainment();
        assert_eq!(q.format_value(1.0), "100 %");
        assert_eq!(q.format_value(0.8734), "87.3 %");
        assert_eq!(Metric::named("x").format_value(2.5), "2.5");
    }
}
