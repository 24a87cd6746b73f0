//! People: the sellers (and managers) of an organisation, with the columns of people.csv.
//!
//! The five trailing indicators of MODEL.md live on the person. Every input path — web form,
//! JSON body, CSV row — goes through [`PersonInput::from_text`] or [`PersonInput::check`], so
//! the same rules and the same messages apply everywhere.

use serde::Serialize;
use time::Date;
use time::macros::format_description;

use crate::ids::check_name;
use crate::{Email, FieldErrors, PersonId};

/// One of the five trailing indicators: the résumé facts organisations usually hire on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrailingIndicator {
    /// The people.csv column.
    pub key: &'static str,
    /// A short name for people.
    pub label: &'static str,
    /// What it records.
    pub help: &'static str,
    /// The smallest allowed value.
    pub min: f64,
    /// The largest allowed value, if the scale is bounded (`domain_expertise` is 1–5).
    pub max: Option<f64>,
}

/// The trailing indicators in people.csv order.
pub const TRAILING_INDICATORS: [TrailingIndicator; 5] = [
    TrailingIndicator {
        key: "years_experience",
        label: "Years of experience",
        help: "Total years in sales.",
        min: 0.0,
        max: None,
    },
    TrailingIndicator {
        key: "quota_track_record",
        label: "Quota track record",
        help: "Mean share of quota reached in past periods (1.0 = 100 %).",
        min: 0.0,
        max: None,
    },
    TrailingIndicator {
        key: "tenure_years",
        label: "Tenure",
        help: "Years at a single company.",
        min: 0.0,
        max: None,
    },
    TrailingIndicator {
        key: "vip_connections",
        label: "VIP connections",
        help: "Count of senior relationships in the territory.",
        min: 0.0,
        max: None,
    },
    TrailingIndicator {
        key: "domain_expertise",
        label: "Domain expertise",
        help: "Depth in one industry or domain, 1–5.",
        min: 1.0,
        max: Some(5.0),
    },
];

/// A stored person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    /// The organisation's own id for the person.
    pub id: PersonId,
    /// Display name.
    pub name: String,
    /// E-mail; a user with the same address in the organisation *is* this person.
    pub email: Option<Email>,
    /// Team name.
    pub team: Option<String>,
    /// Team number in the store.
    #[serde(skip)]
    pub team_id: Option<i64>,
    /// Line manager's person id.
    pub manager: Option<PersonId>,
    /// Hire date.
    #[serde(serialize_with = "ser_date")]
    pub hire_date: Option<Date>,
    /// Trailing: total years in sales.
    pub years_experience: Option<f64>,
    /// Trailing: mean share of quota reached (1.0 = 100 %).
    pub quota_track_record: Option<f64>,
    /// Trailing: years at a single company.
    pub tenure_years: Option<f64>,
    /// Trailing: senior relationships in the territory.
    pub vip_connections: Option<f64>,
    /// Trailing: depth in one domain, 1–5.
    pub domain_expertise: Option<f64>,
}

impl Person {
    /// The value of a trailing indicator by its people.csv column.
    pub fn trailing(&self, key: &str) -> Option<f64> {
        match key {
            "years_experience" => self.years_experience,
            "quota_track_record" => self.quota_track_record,
            "tenure_years" => self.tenure_years,
            "vip_connections" => self.vip_connections,
            "domain_expertise" => self.domain_expertise,
            _ => None,
        }
    }

    /// The hire date as `YYYY-MM-DD`.
    pub fn hire_date_text(&self) -> String {
        self.hire_date.map(format_date).unwrap_or_default()
    }
}

fn ser_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&format_date(*d)),
        None => s.serialize_none(),
    }
}

/// Formats a date as ISO `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// Parses an ISO `YYYY-MM-DD` date.
///
/// ```
/// assert!(sellerq_domain::person::parse_date("2024-02-29").is_ok());
/// assert!(sellerq_domain::person::parse_date("2023-02-29").is_err());
/// ```
pub fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("{:?} is not a date in the form YYYY-MM-DD", s.trim()))
}

/// The person fields as text, the way a form or a CSV row carries them. Empty means missing.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonText<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub team: &'a str,
    pub manager: &'a str,
    pub hire_date: &'a str,
    pub years_experience: &'a str,
    pub quota_track_record: &'a str,
    pub tenure_years: &'a str,
    pub vip_connections: &'a str,
    pub domain_expertise: &'a str,
}

/// A checked person, ready to be created or to replace a stored one.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonInput {
    pub id: PersonId,
    pub name: String,
    pub email: Option<Email>,
    /// Team name; the store creates a team it does not know (people.csv rule).
    pub team: Option<String>,
    pub manager: Option<PersonId>,
    pub hire_date: Option<Date>,
    pub years_experience: Option<f64>,
    pub quota_track_record: Option<f64>,
    pub tenure_years: Option<f64>,
    pub vip_connections: Option<f64>,
    pub domain_expertise: Option<f64>,
}

impl PersonInput {
    /// Parses text fields (form, CSV), collecting every problem.
    pub fn from_text(t: &PersonText<'_>) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::default();
        let mut num = |field: &str, raw: &str| -> Option<f64> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    errs.push(
                        field,
                        format!("{raw:?} is not a number (use . as the decimal point)"),
                    );
                    None
                }
            }
        };
        let years_experience = num("years_experience", t.years_experience);
        let quota_track_record = num("quota_track_record", t.quota_track_record);
        let tenure_years = num("tenure_years", t.tenure_years);
        let vip_connections = num("vip_connections", t.vip_connections);
        let domain_expertise = num("domain_expertise", t.domain_expertise);
        let hire_date = match t.hire_date.trim() {
            "" => None,
            s => parse_date(s).map_err(|m| errs.push("hire_date", m)).ok(),
        };
        let email = match t.email.trim() {
            "" => None,
            s => Email::parse(s).map_err(|m| errs.push("email", m)).ok(),
        };
        let manager = match t.manager.trim() {
            "" => None,
            s => PersonId::parse(s).map_err(|m| errs.push("manager", m)).ok(),
        };
        let team = match t.team.trim() {
            "" => None,
            s => check_name(s).map_err(|m| errs.push("team", m)).ok(),
        };
        let id = PersonId::parse(t.id).map_err(|m| errs.push("id", m)).ok();
        let name = check_name(t.name).map_err(|m| errs.push("name", m)).ok();
        let (Some(id), Some(name)) = (id, name) else {
            return Err(errs);
        };
        let input = Self {
            id,
            name,
            email,
            team,
            manager,
            hire_date,
            years_experience,
            quota_track_record,
            tenure_years,
            vip_connections,
            domain_expertise,
        };
        match input.check() {
            Ok(()) => errs.into_result(input),
            Err(more) => {
                errs.0.extend(more.0);
                Err(errs)
            }
        }
    }

    /// Checks the rules that typed input (JSON) can still break: ranges, self-management.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        for (ind, v) in TRAILING_INDICATORS.iter().zip(self.trailing_values()) {
            let Some(v) = v else {
                continue;
            };
            if !v.is_finite() {
                errs.push(ind.key, "must be a finite number");
            } else if v < ind.min {
                errs.push(ind.key, format!("must be at least {}", ind.min));
            } else if let Some(max) = ind.max.filter(|m| v > *m) {
                errs.push(ind.key, format!("must be between {} and {max}", ind.min));
            }
        }
        if let Some(years) = self.years_experience.filter(|v| *v > 70.0) {
            errs.push(
                "years_experience",
                format!("{years} years is not plausible (at most 70)"),
            );
        }
        if let Some(years) = self.tenure_years.filter(|v| *v > 70.0) {
            errs.push(
                "tenure_years",
                format!("{years} years is not plausible (at most 70)"),
            );
        }
        if self.manager.as_ref() == Some(&self.id) {
            errs.push("manager", "a person cannot be their own manager");
        }
        errs.into_result(())
    }

    /// The five trailing indicators in [`TRAILING_INDICATORS`] order.
    pub fn trailing_values(&self) -> [Option<f64>; 5] {
        [
            self.years_experience,
            self.quota_track_record,
            self.tenure_years,
            self.vip_connections,
            self.domain_expertise,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'a>() -> PersonText<'a> {
        PersonText {
            id: "p-1",
            name: "Ana Ruiz",
            ..Default::default()
        }
    }

    #[test]
    fn id_and_name_are_enough() {
        let p = PersonInput::from_text(&text()).unwrap();
        assert_eq!(p.id.as_str(), "p-1");
        assert_eq!(p.years_experience, None);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_name() {
        let t = PersonText {
            id: "",
            name: "",
            email: "nope",
            hire_date: "2024-13-01",
            years_experience: "ten",
            domain_expertise: "7",
            ..Default::default()
        };
        let e = PersonInput::from_text(&t).unwrap_err();
        for f in ["id", "name", "email", "hire_date", "years_experience"] {
            assert!(e.get(f).is_some(), "{f} should be reported in {e}");
        }
    }

    #[test]
    fn domain_expertise_must_be_on_its_one_to_five_scale() {
        let t = PersonText {
            domain_expertise: "7",
            ..text()
        };
        let e = PersonInput::from_text(&t).unwrap_err();
        assert_eq!(e.get("domain_expertise"), Some("must be between 1 and 5"));
    }

    #[test]
    fn negative_trailing_indicators_are_refused() {
        let t = PersonText {
            vip_connections: "-1",
            ..text()
        };
        let e = PersonInput::from_text(&t).unwrap_err();
        assert_eq!(e.get("vip_connections"), Some("must be at least 0"));
    }

    #[test]
    fn a_person_cannot_manage_themselves() {
        let t = PersonText {
            manager: "p-1",
            ..text()
        };
        assert!(
            PersonInput::from_text(&t)
                .unwrap_err()
                .get("manager")
                .is_some()
        );
    }
}
