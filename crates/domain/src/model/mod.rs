//! The Seller Qualities Model as data.
//!
//! A model is one human-editable TOML file: a rating scale with named levels, and qualities on a
//! spectrum from mindset (how a seller thinks) to behaviour (how a seller acts), each with a
//! definition, observable indicators, a behavioural anchor per scale level, interview questions,
//! coaching activities and links to the qualities it draws on. The default model ships inside
//! the binary ([`DEFAULT_MODEL_TOML`], [`default_model`]); organisations may edit their own
//! copy, so [`Model::parse`] checks everything and reports every problem with its field path,
//! and [`diff`] says what changed between two versions.
//!
//! ```
//! use sellerq_domain::model::{default_model, Side};
//!
//! let model = default_model();
//! assert_eq!(model.qualities.len(), 8);
//! assert_eq!(model.quality("storytelling").map(|q| q.side), Some(Side::Behaviour));
//! assert_eq!(model.scale.level_name(5), Some("Exemplary"));
//! ```

mod diff;
mod error;
mod key;
mod parse;
mod render;

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

pub use diff::{
    AnchorChange, Change, ListChange, ListField, ModelDiff, QualityChange, QualityRef, ScaleChange,
    diff,
};
pub use error::{ModelError, ModelErrors};
pub use key::{MAX_KEY_LEN, QualityKey, QualityKeyError};

/// The default model's TOML text, embedded in the binary.
pub const DEFAULT_MODEL_TOML: &str = include_str!("../../../../model/seller-qualities.v1.toml");

/// The most levels a rating scale may have (0 to 10 is the widest common scale).
pub const MAX_SCALE_LEVELS: usize = 11;

static DEFAULT_MODEL: LazyLock<Model> = LazyLock::new(|| match Model::parse(DEFAULT_MODEL_TOML) {
    Ok(model) => model,
    // Unreachable in a tested build: a unit test parses the embedded file.
    Err(errors) => panic!("the embedded default model is invalid:\n{errors}"),
});

/// The default model ([`DEFAULT_MODEL_TOML`]), parsed once on first use.
pub fn default_model() -> &'static Model {
    &DEFAULT_MODEL
}

/// A checked model: a scale and qualities in spectrum order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Model {
    /// The model's version label (`"1"`), kept with every assessment made with it.
    pub version: String,
    /// The model's display name.
    pub name: String,
    /// What the model is and how to read it.
    pub description: String,
    /// The rating scale every quality is anchored on.
    pub scale: Scale,
    /// The qualities, ordered by [`Quality::position`] (mindset first, behaviour last).
    pub qualities: Vec<Quality>,
}

/// The rating scale: whole numbers from `min` to `max`, each level named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scale {
    /// The lowest score.
    pub min: u8,
    /// The highest score.
    pub max: u8,
    /// One entry per value from `min` to `max`, ascending.
    pub levels: Vec<ScaleLevel>,
}

/// One named level of the scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScaleLevel {
    /// The score.
    pub value: u8,
    /// Its name (`"Consistent"`).
    pub name: String,
}

/// One quality of the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quality {
    /// The stable identifier ratings refer to.
    pub key: QualityKey,
    /// The display name.
    pub name: String,
    /// Place on the spectrum, 1 = most mindset.
    pub position: u8,
    /// Mindset or behaviour.
    pub side: Side,
    /// What the quality is, in two or three sentences.
    pub definition: String,
    /// Things a manager can see a seller do or say that show the quality.
    pub indicators: Vec<String>,
    /// One behavioural anchor per scale value, ascending.
    pub levels: Vec<LevelAnchor>,
    /// Behavioural interview questions ("Tell me about a time…").
    pub interview_questions: Vec<String>,
    /// Concrete coaching exercises.
    pub coaching_activities: Vec<String>,
    /// The qualities this one draws on.
    pub links: Vec<QualityKey>,
}

/// What a quality looks like at one level of the scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelAnchor {
    /// The scale value.
    pub value: u8,
    /// Observable behaviour at that level.
    pub anchor: String,
}

/// Which end of the spectrum a quality leans to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// How a seller thinks.
    Mindset,
    /// How a seller acts.
    Behaviour,
}

impl Side {
    /// `"mindset"` or `"behaviour"`, as in model files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Mindset => "mindset",
            Side::Behaviour => "behaviour",
        }
    }

    /// `"Mindset"` or `"Behaviour"`, for headings.
    pub fn label(self) -> &'static str {
        match self {
            Side::Mindset => "Mindset",
            Side::Behaviour => "Behaviour",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The string is neither `mindset` nor `behaviour`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be \"mindset\" or \"behaviour\", found {0:?}")]
pub struct SideError(pub String);

impl FromStr for Side {
    type Err = SideError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "mindset" => Ok(Side::Mindset),
            "behaviour" => Ok(Side::Behaviour),
            other => Err(SideError(other.to_owned())),
        }
    }
}

impl Scale {
    /// True when `score` is a value of this scale.
    pub fn contains(&self, score: i64) -> bool {
        i64::from(self.min) <= score && score <= i64::from(self.max)
    }

    /// The name of level `value`, if the scale has it.
    pub fn level_name(&self, value: u8) -> Option<&str> {
        self.levels
            .iter()
            .find(|l| l.value == value)
            .map(|l| l.name.as_str())
    }

    /// Every value of the scale, ascending.
    pub fn values(&self) -> RangeInclusive<u8> {
        self.min..=self.max
    }
}

impl Quality {
    /// The anchor for level `value`, if the scale has it.
    pub fn anchor(&self, value: u8) -> Option<&str> {
        self.levels
            .iter()
            .find(|l| l.value == value)
            .map(|l| l.anchor.as_str())
    }

    /// True when this quality draws on `key`.
    pub fn links_to(&self, key: &str) -> bool {
        self.links.iter().any(|k| k.as_str() == key)
    }
}

impl Model {
    /// Parses and checks a model file, reporting every problem found (not only the first).
    ///
    /// ```
    /// use sellerq_domain::model::Model;
    ///
    /// let errors = Model::parse("version = \"2\"\nname = \"x\"").unwrap_err();
    /// assert!(errors.to_string().contains("scale: missing"));
    /// ```
    pub fn parse(toml_text: &str) -> Result<Model, ModelErrors> {
        parse::parse(toml_text)
    }

    /// The quality with this key.
    pub fn quality(&self, key: &str) -> Option<&Quality> {
        self.qualities.iter().find(|q| q.key.as_str() == key)
    }

    /// The mindset-side qualities, in spectrum order.
    pub fn mindset(&self) -> impl Iterator<Item = &Quality> {
        self.side(Side::Mindset)
    }

    /// The behaviour-side qualities, in spectrum order.
    pub fn behaviour(&self) -> impl Iterator<Item = &Quality> {
        self.side(Side::Behaviour)
    }

    /// The qualities on `side`, in spectrum order.
    pub fn side(&self, side: Side) -> impl Iterator<Item = &Quality> {
        self.qualities.iter().filter(move |q| q.side == side)
    }

    /// Every quality key, in spectrum order.
    pub fn keys(&self) -> impl Iterator<Item = &QualityKey> {
        self.qualities.iter().map(|q| &q.key)
    }

    /// The qualities that draw on `key` (the reverse of [`Quality::links`]).
    pub fn linked_from<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Quality> + 'a {
        self.qualities.iter().filter(move |q| q.links_to(key))
    }

    /// The model as served by `GET /api/v1/model`: every level carries the scale's level name.
    pub fn to_json(&self) -> serde_json::Value {
        let levels: Vec<_> = self
            .scale
            .levels
            .iter()
            .map(|l| serde_json::json!({ "value": l.value, "name": l.name }))
            .collect();
        let qualities: Vec<_> = self
            .qualities
            .iter()
            .map(|q| {
                let anchors: Vec<_> = q
                    .levels
                    .iter()
                    .map(|l| {
                        serde_json::json!({
                            "value": l.value,
                            "name": self.scale.level_name(l.value).unwrap_or_default(),
                            "anchor": l.anchor,
                        })
                    })
                    .collect();
                serde_json::json!({
                    "key": q.key,
                    "name": q.name,
                    "position": q.position,
                    "side": q.side,
                    "definition": q.definition,
                    "indicators": q.indicators,
                    "levels": anchors,
                    "interview_questions": q.interview_questions,
                    "coaching_activities": q.coaching_activities,
                    "links": q.links,
                })
            })
            .collect();
        serde_json::json!({
            "version": self.version,
            "name": self.name,
            "scale": { "min": self.scale.min, "max": self.scale.max, "levels": levels },
            "qualities": qualities,
        })
    }

    /// The whole model as plain text for a terminal (`sellerq model show --format text`),
    /// wrapped at 90 columns.
    pub fn render_text(&self) -> String {
        render::render_text(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_default_model_is_valid() {
        if let Err(errors) = Model::parse(DEFAULT_MODEL_TOML) {
            panic!("default model invalid:\n{errors}");
        }
        assert_eq!(default_model().version, "1");
    }

    #[test]
    fn sides_read_and_print_in_lower_case() {
        assert_eq!("mindset".parse::<Side>(), Ok(Side::Mindset));
        assert_eq!("behaviour".parse::<Side>(), Ok(Side::Behaviour));
        assert!("behavior".parse::<Side>().is_err());
        assert_eq!(Side::Behaviour.to_string(), "behaviour");
        assert_eq!(
            serde_json::to_string(&Side::Mindset).unwrap(),
            "\"mindset\""
        );
    }

    #[test]
    fn the_scale_contains_exactly_its_values() {
        let scale = &default_model().scale;
        assert!(!scale.contains(0));
        assert!(scale.contains(1) && scale.contains(5));
        assert!(!scale.contains(6));
        assert!(!scale.contains(i64::MIN));
        assert_eq!(scale.level_name(3), Some("Consistent"));
        assert_eq!(scale.level_name(6), None);
    }

    #[test]
    fn the_json_form_names_every_level_from_the_scale() {
        let json = default_model().to_json();
        assert_eq!(json["version"], "1");
        assert_eq!(json["scale"]["min"], 1);
        assert_eq!(json["scale"]["levels"][4]["name"], "Exemplary");
        let first = &json["qualities"][0];
        assert_eq!(first["key"], "belief");
        assert_eq!(first["side"], "mindset");
        assert_eq!(first["levels"][0]["value"], 1);
        assert_eq!(first["levels"][0]["name"], "Limited");
        assert!(
            first["levels"][0]["anchor"]
                .as_str()
                .is_some_and(|a| !a.is_empty())
        );
        assert_eq!(json["qualities"][7]["links"][0], "value_crafting");
    }

    #[test]
    fn storytelling_is_linked_from_none_and_links_to_five() {
        let model = default_model();
        let from: Vec<_> = model
            .linked_from("belief")
            .map(|q| q.key.as_str())
            .collect();
        assert_eq!(from, ["storytelling"]);
        assert_eq!(model.linked_from("storytelling").count(), 0);
    }
}
