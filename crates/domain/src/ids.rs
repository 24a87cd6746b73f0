//! Identifiers and names that users type: checked once, then trusted.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// A person's id as the organisation knows it (employee number, e-mail, …).
///
/// Case-sensitive and trimmed, as FORMATS.md says; 1–64 characters without control
/// characters or `/` (ids appear in URLs).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonId(String);

impl PersonId {
    /// Checks and trims `raw`.
    ///
    /// ```
    /// use sellerq_domain::PersonId;
    /// assert_eq!(PersonId::parse("  p-0042 ").unwrap().as_str(), "p-0042");
    /// assert!(PersonId::parse("a/b").is_err());
    /// ```
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("is empty".into());
        }
        if s.chars().count() > 64 {
            return Err("is longer than 64 characters".into());
        }
        if let Some(c) = s
            .chars()
            .find(|c| c.is_control() || *c == '/' || *c == '?' || *c == '#')
        {
            return Err(format!(
                "contains the character {c:?}, which ids may not hold"
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<PersonId> for String {
    fn from(id: PersonId) -> String {
        id.0
    }
}

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, trimmed and lower-cased so that the same person always matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Checks the shape `local@domain.tld` (no spaces, one `@`, a dot in the domain).
    ///
    /// ```
    /// use sellerq_domain::Email;
    /// assert_eq!(Email::parse(" Ana.Ruiz@Example.com ").unwrap().as_str(), "ana.ruiz@example.com");
    /// assert!(Email::parse("ana@localhost").is_err());
    /// ```
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err("is empty".into());
        }
        if s.len() > 254 {
            return Err("is longer than 254 characters".into());
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err("is not an e-mail address (no @)".into());
        };
        if local.is_empty() || domain.contains('@') {
            return Err("is not an e-mail address".into());
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("may not contain spaces".into());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
            return Err("needs a domain such as example.com".into());
        }
        Ok(Self(s))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An organisation's or a team's display name: trimmed, 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgName(String);

impl OrgName {
    /// Checks and trims `raw`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        check_name(raw).map(Self)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrgName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<OrgName> for String {
    fn from(n: OrgName) -> String {
        n.0
    }
}

impl fmt::Display for OrgName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a display name (person, team, organisation): trimmed, 1–100 characters.
pub fn check_name(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("is required".into());
    }
    if s.chars().count() > 100 {
        return Err("is longer than 100 characters".into());
    }
    if s.chars().any(char::is_control) {
        return Err("may not contain control characters".into());
    }
    Ok(s.to_owned())
}

/// Turns a `Result<T, String>` from a parser into a [`FieldError`] for `field`.
pub fn for_field<T>(field: &str, r: Result<T, String>) -> Result<T, FieldError> {
    r.map_err(|m| FieldError::new(field, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_ids_keep_case_but_lose_surrounding_space() {
        assert_eq!(PersonId::parse(" AbC ").unwrap().as_str(), "AbC");
        assert_ne!(
            PersonId::parse("abc").unwrap(),
            PersonId::parse("ABC").unwrap()
        );
    }

    #[test]
    fn person_ids_refuse_empty_long_and_url_breaking_values() {
        for bad in ["", "   ", "a/b", "a?b", "x#", &"x".repeat(65), "a\tb"] {
            assert!(PersonId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("A@B.CO").unwrap().as_str(), "a@b.co");
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a b@c.de", "a@b..c", "a@@b.co",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  West  ").unwrap(), "West");
        assert!(check_name(" ").is_err());
        assert!(check_name(&"n".repeat(101)).is_err());
    }
}
