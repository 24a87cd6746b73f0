//! What changed between two model versions (`sellerq model diff OLD NEW`).

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use super::render::{WIDTH, wrap};
use super::{Model, Quality, QualityKey, Side};

/// A value before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change<T> {
    /// In the old model.
    pub old: T,
    /// In the new model.
    pub new: T,
}

/// A value of one quality (same key in both models) before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualityChange<T> {
    /// The quality.
    pub key: QualityKey,
    /// In the old model.
    pub old: T,
    /// In the new model.
    pub new: T,
}

/// A quality that exists in only one of the two models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualityRef {
    /// Its key.
    pub key: QualityKey,
    /// Its name.
    pub name: String,
    /// Its spectrum position.
    pub position: u8,
    /// Its side.
    pub side: Side,
}

/// A change to the rating scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ScaleChange {
    /// The range changed (`1 to 5` → `0 to 4`).
    Range {
        /// Old bounds.
        old: (u8, u8),
        /// New bounds.
        new: (u8, u8),
    },
    /// A level only the new scale has.
    LevelAdded {
        /// The score.
        value: u8,
        /// Its name.
        name: String,
    },
    /// A level only the old scale had.
    LevelRemoved {
        /// The score.
        value: u8,
        /// Its name.
        name: String,
    },
    /// A level whose name changed.
    LevelRenamed {
        /// The score.
        value: u8,
        /// Old name.
        old: String,
        /// New name.
        new: String,
    },
}

/// A level anchor that changed, appeared or disappeared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorChange {
    /// The quality.
    pub key: QualityKey,
    /// The scale value.
    pub value: u8,
    /// The old anchor (`None`: the level is new).
    pub old: Option<String>,
    /// The new anchor (`None`: the level is gone).
    pub new: Option<String>,
}

/// Which list of a quality changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListField {
    /// `indicators`
    Indicators,
    /// `interview_questions`
    InterviewQuestions,
    /// `coaching_activities`
    CoachingActivities,
    /// `links`
    Links,
}

impl ListField {
    /// The field's name in model files.
    pub fn as_str(self) -> &'static str {
        match self {
            ListField::Indicators => "indicators",
            ListField::InterviewQuestions => "interview_questions",
            ListField::CoachingActivities => "coaching_activities",
            ListField::Links => "links",
        }
    }
}

impl fmt::Display for ListField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Items added to or removed from one list of one quality (order-only changes set `reordered`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListChange {
    /// The quality.
    pub key: QualityKey,
    /// Which list.
    pub field: ListField,
    /// Items only the new list has.
    pub added: Vec<String>,
    /// Items only the old list had.
    pub removed: Vec<String>,
    /// Same items, different order.
    pub reordered: bool,
}

/// Everything that differs between two models. Qualities are matched by key, so a quality
/// whose key is unchanged but whose name changed counts as renamed, not removed and added.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ModelDiff {
    /// The version label, if it changed.
    pub version: Option<Change<String>>,
    /// The model name, if it changed.
    pub name: Option<Change<String>>,
    /// The description, if it changed.
    pub description: Option<Change<String>>,
    /// Changes to the scale.
    pub scale: Vec<ScaleChange>,
    /// Qualities only the new model has, in its spectrum order.
    pub added: Vec<QualityRef>,
    /// Qualities only the old model had, in its spectrum order.
    pub removed: Vec<QualityRef>,
    /// Same key, new name.
    pub renamed: Vec<QualityChange<String>>,
    /// Same key, new position.
    pub moved: Vec<QualityChange<u8>>,
    /// Same key, other side of the spectrum.
    pub side_changed: Vec<QualityChange<Side>>,
    /// Same key, new definition.
    pub definition_changed: Vec<QualityChange<String>>,
    /// Anchors that differ, by quality then level.
    pub anchors_changed: Vec<AnchorChange>,
    /// Indicators, questions, activities or links that differ.
    pub lists_changed: Vec<ListChange>,
}

impl ModelDiff {
    /// True when the two models are the same in every respect.
    pub fn is_empty(&self) -> bool {
        self == &ModelDiff::default()
    }
}

fn change<T: PartialEq + Clone>(old: &T, new: &T) -> Option<Change<T>> {
    (old != new).then(|| Change {
        old: old.clone(),
        new: new.clone(),
    })
}

fn reference(q: &Quality) -> QualityRef {
    QualityRef {
        key: q.key.clone(),
        name: q.name.clone(),
        position: q.position,
        side: q.side,
    }
}

/// Compares two models.
///
/// ```
/// use sellerq_domain::model::{default_model, diff};
///
/// let mut new = default_model().clone();
/// new.qualities[0].name = "Conviction".into();
/// let d = diff(default_model(), &new);
/// assert_eq!(d.renamed[0].new, "Conviction");
/// assert!(diff(default_model(), default_model()).is_empty());
/// ```
pub fn diff(old: &Model, new: &Model) -> ModelDiff {
    let mut d = ModelDiff {
        version: change(&old.version, &new.version),
        name: change(&old.name, &new.name),
        description: change(&old.description, &new.description),
        ..ModelDiff::default()
    };

    let (o, n) = (&old.scale, &new.scale);
    if (o.min, o.max) != (n.min, n.max) {
        d.scale.push(ScaleChange::Range {
            old: (o.min, o.max),
            new: (n.min, n.max),
        });
    }
    let values: BTreeSet<u8> = o.levels.iter().chain(&n.levels).map(|l| l.value).collect();
    for value in values {
        match (o.level_name(value), n.level_name(value)) {
            (Some(a), Some(b)) if a != b => d.scale.push(ScaleChange::LevelRenamed {
                value,
                old: a.to_owned(),
                new: b.to_owned(),
            }),
            (Some(a), None) => {
                d.scale.push(ScaleChange::LevelRemoved {
                    value,
                    name: a.to_owned(),
                });
            }
            (None, Some(b)) => d.scale.push(ScaleChange::LevelAdded {
                value,
                name: b.to_owned(),
            }),
            _ => {}
        }
    }

    d.removed = old
        .qualities
        .iter()
        .filter(|q| new.quality(q.key.as_str()).is_none())
        .map(reference)
        .collect();
    d.added = new
        .qualities
        .iter()
        .filter(|q| old.quality(q.key.as_str()).is_none())
        .map(reference)
        .collect();

    for b in &new.qualities {
        let Some(a) = old.quality(b.key.as_str()) else {
            continue;
        };
        let key = &b.key;
        let quality_change = |old: &String, new: &String| QualityChange {
            key: key.clone(),
            old: old.clone(),
            new: new.clone(),
        };
        if a.name != b.name {
            d.renamed.push(quality_change(&a.name, &b.name));
        }
        if a.position != b.position {
            d.moved.push(QualityChange {
                key: key.clone(),
                old: a.position,
                new: b.position,
            });
        }
        if a.side != b.side {
            d.side_changed.push(QualityChange {
                key: key.clone(),
                old: a.side,
                new: b.side,
            });
        }
        if a.definition != b.definition {
            d.definition_changed
                .push(quality_change(&a.definition, &b.definition));
        }
        let values: BTreeSet<u8> = a.levels.iter().chain(&b.levels).map(|l| l.value).collect();
        for value in values {
            let (x, y) = (a.anchor(value), b.anchor(value));
            if x != y {
                d.anchors_changed.push(AnchorChange {
                    key: key.clone(),
                    value,
                    old: x.map(str::to_owned),
                    new: y.map(str::to_owned),
                });
            }
        }
        let links = |q: &Quality| q.links.iter().map(|k| k.to_string()).collect::<Vec<_>>();
        let lists = [
            (
                ListField::Indicators,
                a.indicators.clone(),
                b.indicators.clone(),
            ),
            (
                ListField::InterviewQuestions,
                a.interview_questions.clone(),
                b.interview_questions.clone(),
            ),
            (
                ListField::CoachingActivities,
                a.coaching_activities.clone(),
                b.coaching_activities.clone(),
            ),
            (ListField::Links, links(a), links(b)),
        ];
        for (field, x, y) in lists {
            if x == y {
                continue;
            }
            let added: Vec<String> = y.iter().filter(|i| !x.contains(i)).cloned().collect();
            let removed: Vec<String> = x.iter().filter(|i| !y.contains(i)).cloned().collect();
            let reordered = added.is_empty() && removed.is_empty();
            d.lists_changed.push(ListChange {
                key: key.clone(),
                field,
                added,
                removed,
                reordered,
            });
        }
    }
    d
}

fn quoted_change(
    f: &mut fmt::Formatter<'_>,
    label: &str,
    c: &Option<Change<String>>,
) -> fmt::Result {
    match c {
        Some(c) => writeln!(f, "{label}: {:?} → {:?}", c.old, c.new),
        None => Ok(()),
    }
}

fn old_new(f: &mut fmt::Formatter<'_>, old: Option<&str>, new: Option<&str>) -> fmt::Result {
    match old {
        Some(text) => f.write_str(&wrap(text, WIDTH, "    - ", "      "))?,
        None => f.write_str("    - (none)\n")?,
    }
    match new {
        Some(text) => f.write_str(&wrap(text, WIDTH, "    + ", "      ")),
        None => f.write_str("    + (none)\n"),
    }
}

/// A readable report, one change per entry; "no differences" when empty.
impl fmt::Display for ModelDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("no differences\n");
        }
        quoted_change(f, "version", &self.version)?;
        quoted_change(f, "name", &self.name)?;
        if let Some(c) = &self.description {
            f.write_str("description changed:\n")?;
            old_new(f, Some(&c.old), Some(&c.new))?;
        }
        for c in &self.scale {
            match c {
                ScaleChange::Range { old, new } => {
                    writeln!(f, "scale: {} to {} → {} to {}", old.0, old.1, new.0, new.1)?;
                }
                ScaleChange::LevelAdded { value, name } => {
                    writeln!(f, "scale: level {value} {name:?} added")?;
                }
                ScaleChange::LevelRemoved { value, name } => {
                    writeln!(f, "scale: level {value} {name:?} removed")?;
                }
                ScaleChange::LevelRenamed { value, old, new } => {
                    writeln!(f, "scale: level {value} renamed {old:?} → {new:?}")?;
                }
            }
        }
        for q in &self.added {
            writeln!(
                f,
                "added: {} {:?} at position {} ({})",
                q.key, q.name, q.position, q.side
            )?;
        }
        for q in &self.removed {
            writeln!(
                f,
                "removed: {} {:?} (was at position {})",
                q.key, q.name, q.position
            )?;
        }
        for c in &self.renamed {
            writeln!(f, "renamed: {} {:?} → {:?}", c.key, c.old, c.new)?;
        }
        for c in &self.moved {
            writeln!(f, "moved: {} position {} → {}", c.key, c.old, c.new)?;
        }
        for c in &self.side_changed {
            writeln!(f, "side changed: {} {} → {}", c.key, c.old, c.new)?;
        }
        for c in &self.definition_changed {
            writeln!(f, "definition changed: {}", c.key)?;
            old_new(f, Some(&c.old), Some(&c.new))?;
        }
        for c in &self.anchors_changed {
            writeln!(f, "anchor changed: {} level {}", c.key, c.value)?;
            old_new(f, c.old.as_deref(), c.new.as_deref())?;
        }
        for c in &self.lists_changed {
            if c.reordered {
                writeln!(f, "{} reordered: {}", c.field, c.key)?;
                continue;
            }
            writeln!(f, "{} changed: {}", c.field, c.key)?;
            for item in &c.removed {
                f.write_str(&wrap(item, WIDTH, "    - ", "      "))?;
            }
            for item in &c.added {
                f.write_str(&wrap(item, WIDTH, "    + ", "      "))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::default_model;

    #[test]
    fn a_reordered_list_is_reported_as_reordered_only() {
        let old = default_model();
        let mut new = old.clone();
        new.qualities[7].links.reverse();
        let d = diff(old, &new);
        assert_eq!(d.lists_changed.len(), 1);
        assert!(d.lists_changed[0].reordered);
        assert_eq!(d.to_string(), "links reordered: storytelling\n");
    }

    #[test]
    fn a_scale_level_renamed_and_one_dropped_are_both_reported() {
        let old = default_model();
        let mut new = old.clone();
        new.scale.max = 4;
        new.scale.levels.pop();
        new.scale.levels[2].name = "Solid".into();
        let d = diff(old, &new);
        assert_eq!(
            d.scale,
            [
                ScaleChange::Range {
                    old: (1, 5),
                    new: (1, 4)
                },
                ScaleChange::LevelRenamed {
                    value: 3,
                    old: "Consistent".into(),
                    new: "Solid".into()
                },
                ScaleChange::LevelRemoved {
                    value: 5,
                    name: "Exemplary".into()
                },
            ]
        );
        let text = d.to_string();
        assert!(text.contains("scale: 1 to 5 → 1 to 4\n"), "{text}");
        assert!(
            text.contains("scale: level 3 renamed \"Consistent\" → \"Solid\"\n"),
            "{text}"
        );
    }
}
