//! [`QualityKey`]: the stable identifier of a quality, as written in model files and URLs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest key a model may use.
pub const MAX_KEY_LEN: usize = 40;

/// A quality's key: lower snake_case (`[a-z][a-z0-9_]*`), at most 40 characters.
///
/// Keys, not names, tie ratings to qualities, so a quality can be renamed in a later model
/// version without losing its history.
///
/// ```
/// use sellerq_domain::model::QualityKey;
///
/// let key: QualityKey = "trust_building".parse().unwrap();
/// assert_eq!(key.as_str(), "trust_building");
/// assert!("Trust Building".parse::<QualityKey>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualityKey(String);

/// Why a string is not a [`QualityKey`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QualityKeyError {
    /// The string is empty.
    #[error("a quality key must not be empty")]
    Empty,
    /// The string is longer than [`MAX_KEY_LEN`] characters.
    #[error("a quality key has at most {MAX_KEY_LEN} characters, found {0}")]
    TooLong(usize),
    /// The first character is not a lower-case ASCII letter.
    #[error("a quality key starts with a lower-case letter a-z, found `{0}`")]
    BadStart(char),
    /// A later character is not `a-z`, `0-9` or `_`.
    #[error("a quality key uses only a-z, 0-9 and `_` (lower snake_case), found `{0}`")]
    BadChar(char),
}

impl QualityKey {
    /// Checks `s` and wraps it.
    pub fn parse(s: &str) -> Result<Self, QualityKeyError> {
        let mut chars = s.chars();
        let Some(first) = chars.next() else {
            return Err(QualityKeyError::Empty);
        };
        let len = s.chars().count();
        if len > MAX_KEY_LEN {
            return Err(QualityKeyError::TooLong(len));
        }
        if !first.is_ascii_lowercase() {
            return Err(QualityKeyError::BadStart(first));
        }
        if let Some(bad) =
            chars.find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
        {
            return Err(QualityKeyError::BadChar(bad));
        }
        Ok(Self(s.to_owned()))
    }

    /// The key as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for QualityKey {
    type Err = QualityKeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for QualityKey {
    type Error = QualityKeyError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl TryFrom<String> for QualityKey {
    type Error = QualityKeyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl AsRef<str> for QualityKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<QualityKey> for String {
    fn from(key: QualityKey) -> Self {
        key.0
    }
}

impl PartialEq<str> for QualityKey {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for QualityKey {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for QualityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for QualityKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for QualityKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_keys_are_accepted() {
        for ok in [
            "belief",
            "trust_building",
            "q1",
            "a",
            "value_crafting_2",
            "x_",
        ] {
            assert_eq!(
                QualityKey::parse(ok).map(|k| k.to_string()),
                Ok(ok.to_owned()),
                "{ok}"
            );
        }
    }

    #[test]
    fn anything_else_is_refused_with_the_reason() {
        let cases = [
            ("", QualityKeyError::Empty),
            ("Belief", QualityKeyError::BadStart('B')),
            ("1st", QualityKeyError::BadStart('1')),
            ("_x", QualityKeyError::BadStart('_')),
            ("trust building", QualityKeyError::BadChar(' ')),
            ("trust-building", QualityKeyError::BadChar('-')),
            ("valuÉ", QualityKeyError::BadChar('É')),
        ];
        for (input, expected) in cases {
            assert_eq!(QualityKey::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn a_key_may_have_forty_characters_but_not_forty_one() {
        assert!(QualityKey::parse(&"a".repeat(40)).is_ok());
        assert_eq!(
            QualityKey::parse(&"a".repeat(41)),
            Err(QualityKeyError::TooLong(41))
        );
    }

    #[test]
    fn a_key_serializes_as_a_plain_string_and_checks_on_the_way_in() {
        let key = QualityKey::parse("belief").unwrap();
        assert_eq!(serde_json::to_string(&key).unwrap(), "\"belief\"");
        assert_eq!(
            serde_json::from_str::<QualityKey>("\"belief\"").unwrap(),
            key
        );
        assert!(serde_json::from_str::<QualityKey>("\"Belief\"").is_err());
    }
}
