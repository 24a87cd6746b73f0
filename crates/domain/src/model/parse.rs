//! Reads a model file into [`Model`], collecting every problem with its field path.
//!
//! The TOML is read into a plain [`toml::Table`] first, not straight into typed structs, so that
//! each problem can be reported at its own path (`qualities[3].levels[2].anchor: missing`) and
//! one mistake does not hide the next.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use toml::{Table, Value};

use super::{
    LevelAnchor, MAX_SCALE_LEVELS, Model, ModelError, ModelErrors, Quality, QualityKey, Scale,
    ScaleLevel, Side,
};

const MODEL_FIELDS: &[&str] = &["version", "name", "description", "scale", "qualities"];
const SCALE_FIELDS: &[&str] = &["min", "max", "levels"];
const SCALE_LEVEL_FIELDS: &[&str] = &["value", "name"];
const QUALITY_FIELDS: &[&str] = &[
    "key",
    "name",
    "position",
    "side",
    "definition",
    "indicators",
    "levels",
    "interview_questions",
    "coaching_activities",
    "links",
];
const ANCHOR_FIELDS: &[&str] = &["value", "anchor"];

pub(super) fn parse(text: &str) -> Result<Model, ModelErrors> {
    let root = match text.parse::<Table>() {
        Ok(root) => root,
        Err(e) => return Err(ModelErrors(vec![syntax_error(text, &e)])),
    };
    let mut reader = Reader::default();
    let model = reader.model(&Obj {
        table: &root,
        path: String::new(),
    });
    match model {
        Some(model) if reader.errors.is_empty() => Ok(model),
        _ if !reader.errors.is_empty() => Err(reader.errors),
        // Every `None` above comes with an error; this arm only keeps the parser panic-free.
        _ => Err(ModelErrors(vec![ModelError::new(
            "file",
            "could not be read as a model",
        )])),
    }
}

/// A TOML syntax error, placed by line and column (both 1-based).
fn syntax_error(text: &str, error: &toml::de::Error) -> ModelError {
    let message = error.message().trim().replace('\n', "; ");
    let problem = format!("invalid TOML: {message}");
    match error.span() {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            ModelError::new(format!("line {line}, column {column}"), problem)
        }
        None => ModelError::new("file", problem),
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// A table and the path it sits at.
struct Obj<'a> {
    table: &'a Table,
    path: String,
}

impl Obj<'_> {
    fn field(&self, key: &str) -> String {
        let key = path_segment(key);
        if self.path.is_empty() {
            key
        } else {
            format!("{}.{key}", self.path)
        }
    }
}

/// Bare keys print as they are; anything else is quoted, as TOML would need it.
fn path_segment(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// Prose fields fold line breaks and runs of spaces into single spaces.
fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How a string field is taken.
#[derive(Debug, Clone, Copy)]
enum Text {
    /// Whitespace folded (names, definitions, anchors).
    Prose,
    /// Exactly as written (keys, sides, links).
    Exact,
}

/// A quality as read, before the checks that need all qualities.
#[derive(Debug, Default)]
struct Draft {
    path: String,
    key: Option<QualityKey>,
    name: Option<String>,
    position: Option<i64>,
    side: Option<Side>,
    definition: Option<String>,
    indicators: Option<Vec<String>>,
    levels: Option<Vec<LevelAnchor>>,
    interview_questions: Option<Vec<String>>,
    coaching_activities: Option<Vec<String>>,
    links: Vec<(String, QualityKey)>,
}

#[derive(Debug, Default)]
struct Reader {
    errors: ModelErrors,
}

impl Reader {
    fn push(&mut self, path: impl Into<String>, problem: impl Into<String>) {
        self.errors.push(path, problem);
    }

    fn model(&mut self, root: &Obj<'_>) -> Option<Model> {
        self.unknown_fields(root, MODEL_FIELDS);
        let version = self.text(root, "version", Text::Exact);
        let name = self.text(root, "name", Text::Prose);
        let description = self.text(root, "description", Text::Prose);
        let (scale, range) = self.scale(root);
        let drafts = self.qualities(root, range.as_ref());
        let qualities = drafts.map(|drafts| self.check_qualities(drafts));
        Some(Model {
            version: version?.trim().to_owned(),
            name: name?,
            description: description?,
            scale: scale?,
            qualities: qualities??,
        })
    }

    // ----- generic field readers -------------------------------------------------------------

    fn unknown_fields(&mut self, obj: &Obj<'_>, allowed: &[&str]) {
        for key in obj.table.keys() {
            if !allowed.contains(&key.as_str()) {
                self.push(
                    obj.field(key),
                    format!("unknown field; expected one of: {}", allowed.join(", ")),
                );
            }
        }
    }

    fn text(&mut self, obj: &Obj<'_>, key: &str, how: Text) -> Option<String> {
        let path = obj.field(key);
        match obj.table.get(key) {
            None => {
                self.push(path, "missing");
                None
            }
            Some(value) => self.text_value(path, value, how),
        }
    }

    fn text_value(&mut self, path: String, value: &Value, how: Text) -> Option<String> {
        match value {
            Value::String(s) => {
                let s = match how {
                    Text::Prose => fold(s),
                    Text::Exact => s.clone(),
                };
                if s.trim().is_empty() {
                    self.push(path, "must not be empty");
                    None
                } else {
                    Some(s)
                }
            }
            other => {
                self.push(path, format!("expected a string, found {}", kind(other)));
                None
            }
        }
    }

    fn integer(&mut self, obj: &Obj<'_>, key: &str) -> Option<i64> {
        match obj.table.get(key) {
            None => {
                self.push(obj.field(key), "missing");
                None
            }
            Some(Value::Integer(n)) => Some(*n),
            Some(other) => {
                self.push(
                    obj.field(key),
                    format!("expected an integer, found {}", kind(other)),
                );
                None
            }
        }
    }

    /// A whole number that fits a `u8`.
    fn small_integer(&mut self, obj: &Obj<'_>, key: &str) -> Option<u8> {
        let n = self.integer(obj, key)?;
        match u8::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                self.push(obj.field(key), format!("must be from 0 to 255, found {n}"));
                None
            }
        }
    }

    /// A level's `value`: inside the scale's range when that is known, and fitting a `u8`.
    fn level_value(
        &mut self,
        path: String,
        value: i64,
        range: Option<&RangeInclusive<u8>>,
    ) -> Option<u8> {
        if let Some(range) = range
            && (value < i64::from(*range.start()) || value > i64::from(*range.end()))
        {
            let (min, max) = (range.start(), range.end());
            self.push(
                path,
                format!("{value} is outside the scale ({min} to {max})"),
            );
            return None;
        }
        match u8::try_from(value) {
            Ok(value) => Some(value),
            Err(_) => {
                self.push(path, format!("must be from 0 to 255, found {value}"));
                None
            }
        }
    }

    /// An array of non-empty strings. `noun` names one item for the "at least" message; a
    /// missing optional list is empty.
    fn text_list(
        &mut self,
        obj: &Obj<'_>,
        key: &str,
        how: Text,
        required: Option<&str>,
    ) -> Option<Vec<String>> {
        let path = obj.field(key);
        let items = match obj.table.get(key) {
            None if required.is_some() => {
                self.push(path, "missing");
                return None;
            }
            None => return Some(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.push(
                    path,
                    format!("expected an array of strings, found {}", kind(other)),
                );
                return None;
            }
        };
        let before = self.errors.len();
        let texts: Vec<String> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.text_value(format!("{path}[{i}]"), item, how))
            .collect();
        if let Some(noun) = required
            && items.is_empty()
        {
            self.push(path, format!("must list at least one {noun}"));
            return None;
        }
        (self.errors.len() == before).then_some(texts)
    }

    /// An array of tables (`[[name]]`); items that are not tables are reported and skipped.
    fn tables<'a>(&mut self, obj: &Obj<'a>, key: &str) -> Option<Vec<Obj<'a>>> {
        let path = obj.field(key);
        let items = match obj.table.get(key) {
            None => {
                self.push(path, "missing");
                return None;
            }
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.push(
                    path,
                    format!(
                        "expected an array of tables ([[{key}]]), found {}",
                        kind(other)
                    ),
                );
                return None;
            }
        };
        let mut tables = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            match item {
                Value::Table(table) => tables.push(Obj {
                    table,
                    path: item_path,
                }),
                other => self.push(
                    item_path,
                    format!("expected a table, found {}", kind(other)),
                ),
            }
        }
        Some(tables)
    }

    // ----- the scale --------------------------------------------------------------------------

    /// The scale, and its range on its own: when only the levels are broken, the range still
    /// lets the qualities' anchors be checked.
    fn scale(&mut self, root: &Obj<'_>) -> (Option<Scale>, Option<RangeInclusive<u8>>) {
        let obj = match root.table.get("scale") {
            None => {
                self.push("scale", "missing");
                return (None, None);
            }
            Some(Value::Table(table)) => Obj {
                table,
                path: "scale".to_owned(),
            },
            Some(other) => {
                self.push(
                    "scale",
                    format!("expected a table ([scale]), found {}", kind(other)),
                );
                return (None, None);
            }
        };
        let before = self.errors.len();
        self.unknown_fields(&obj, SCALE_FIELDS);
        let min = self.small_integer(&obj, "min");
        let max = self.small_integer(&obj, "max");
        let range = match (min, max) {
            (Some(min), Some(max)) if min >= max => {
                self.push(
                    "scale.max",
                    format!("must be greater than scale.min ({min}), found {max}"),
                );
                None
            }
            (Some(min), Some(max)) if usize::from(max - min) >= MAX_SCALE_LEVELS => {
                let count = usize::from(max - min) + 1;
                self.push(
                    "scale.max",
                    format!(
                        "a scale has at most {MAX_SCALE_LEVELS} levels, {min} to {max} would have \
                         {count}"
                    ),
                );
                None
            }
            (Some(min), Some(max)) => Some(min..=max),
            _ => None,
        };

        let mut levels: Vec<ScaleLevel> = Vec::new();
        let mut seen_value: HashMap<u8, String> = HashMap::new();
        let mut seen_name: HashMap<String, String> = HashMap::new();
        let mut all_values_read = true;
        for level in self.tables(&obj, "levels").unwrap_or_default() {
            self.unknown_fields(&level, SCALE_LEVEL_FIELDS);
            let value = self.integer(&level, "value");
            let name = self.text(&level, "name", Text::Prose);
            if let Some(name) = &name {
                let folded = name.to_lowercase();
                if let Some(first) = seen_name.get(&folded) {
                    self.push(
                        level.field("name"),
                        format!("duplicate level name `{name}` (also {first})"),
                    );
                } else {
                    seen_name.insert(folded, level.field("name"));
                }
            }
            let Some(value) = value else {
                all_values_read = false;
                continue;
            };
            let Some(value) = self.level_value(level.field("value"), value, range.as_ref()) else {
                continue;
            };
            if let Some(first) = seen_value.get(&value) {
                self.push(
                    level.field("value"),
                    format!("duplicate level {value} (also {first})"),
                );
                continue;
            }
            seen_value.insert(value, level.field("value"));
            if let Some(name) = name {
                levels.push(ScaleLevel { value, name });
            }
        }
        if let Some(range) = &range
            && all_values_read
        {
            for value in range.clone() {
                if !seen_value.contains_key(&value) {
                    self.push("scale.levels", format!("no level {value}"));
                }
            }
        }
        if self.errors.len() > before {
            return (None, range);
        }
        levels.sort_by_key(|l| l.value);
        let scale = range.as_ref().map(|r| Scale {
            min: *r.start(),
            max: *r.end(),
            levels,
        });
        (scale, range)
    }

    // ----- the qualities ----------------------------------------------------------------------

    fn qualities(
        &mut self,
        root: &Obj<'_>,
        scale: Option<&RangeInclusive<u8>>,
    ) -> Option<Vec<Draft>> {
        let tables = self.tables(root, "qualities")?;
        let count = root
            .table
            .get("qualities")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if count == 0 {
            self.push("qualities", "must list at least one quality");
            return None;
        }
        if count > usize::from(u8::MAX) {
            self.push(
                "qualities",
                format!("a model has at most 255 qualities, found {count}"),
            );
            return None;
        }
        Some(tables.iter().map(|obj| self.quality(obj, scale)).collect())
    }

    fn quality(&mut self, obj: &Obj<'_>, scale: Option<&RangeInclusive<u8>>) -> Draft {
        self.unknown_fields(obj, QUALITY_FIELDS);
        let key = self
            .text(obj, "key", Text::Exact)
            .and_then(|k| match QualityKey::parse(&k) {
                Ok(key) => Some(key),
                Err(e) => {
                    self.push(obj.field("key"), e.to_string());
                    None
                }
            });
        let name = self.text(obj, "name", Text::Prose);
        let position = self.integer(obj, "position");
        let side = self
            .text(obj, "side", Text::Exact)
            .and_then(|s| match s.parse::<Side>() {
                Ok(side) => Some(side),
                Err(e) => {
                    self.push(obj.field("side"), e.to_string());
                    None
                }
            });
        let definition = self.text(obj, "definition", Text::Prose);
        let indicators = self.text_list(obj, "indicators", Text::Prose, Some("indicator"));
        let levels = self.anchors(obj, scale);
        let interview_questions = self.text_list(
            obj,
            "interview_questions",
            Text::Prose,
            Some("interview question"),
        );
        let coaching_activities = self.text_list(
            obj,
            "coaching_activities",
            Text::Prose,
            Some("coaching activity"),
        );
        let mut links = Vec::new();
        let link_path = obj.field("links");
        if let Some(texts) = self.text_list(obj, "links", Text::Exact, None) {
            for (j, text) in texts.iter().enumerate() {
                let path = format!("{link_path}[{j}]");
                match QualityKey::parse(text) {
                    Ok(key) => links.push((path, key)),
                    Err(e) => self.push(path, e.to_string()),
                }
            }
        }
        Draft {
            path: obj.path.clone(),
            key,
            name,
            position,
            side,
            definition,
            indicators,
            levels,
            interview_questions,
            coaching_activities,
            links,
        }
    }

    /// A quality's `[[qualities.levels]]`: one anchor per scale value, ascending.
    fn anchors(
        &mut self,
        obj: &Obj<'_>,
        scale: Option<&RangeInclusive<u8>>,
    ) -> Option<Vec<LevelAnchor>> {
        let before = self.errors.len();
        let tables = self.tables(obj, "levels")?;
        let mut anchors: Vec<LevelAnchor> = Vec::new();
        let mut seen: HashMap<u8, String> = HashMap::new();
        let mut all_values_read = true;
        for level in &tables {
            self.unknown_fields(level, ANCHOR_FIELDS);
            let value = self.integer(level, "value");
            let anchor = self.text(level, "anchor", Text::Prose);
            let Some(value) = value else {
                all_values_read = false;
                continue;
            };
            let Some(value) = self.level_value(level.field("value"), value, scale) else {
                continue;
            };
            if let Some(first) = seen.get(&value) {
                self.push(
                    level.field("value"),
                    format!("duplicate anchor for level {value} (also {first})"),
                );
                continue;
            }
            seen.insert(value, level.field("value"));
            if let Some(anchor) = anchor {
                anchors.push(LevelAnchor { value, anchor });
            }
        }
        if let Some(scale) = scale
            && all_values_read
        {
            for value in scale.clone() {
                if !seen.contains_key(&value) {
                    self.push(obj.field("levels"), format!("no anchor for level {value}"));
                }
            }
        }
        anchors.sort_by_key(|a| a.value);
        (self.errors.len() == before).then_some(anchors)
    }

    /// The checks that need every quality: unique keys and names, positions 1..n, mindset before
    /// behaviour, links to other existing qualities. Returns the qualities in spectrum order.
    fn check_qualities(&mut self, drafts: Vec<Draft>) -> Option<Vec<Quality>> {
        let n = drafts.len();

        let mut first_key: HashMap<&QualityKey, &str> = HashMap::new();
        let mut first_name: HashMap<String, &str> = HashMap::new();
        for d in &drafts {
            if let Some(key) = &d.key {
                match first_key.get(key) {
                    Some(first) => {
                        let first = format!("also {first}.key");
                        self.push(
                            format!("{}.key", d.path),
                            format!("duplicate key `{key}` ({first})"),
                        );
                    }
                    None => {
                        first_key.insert(key, &d.path);
                    }
                }
            }
            if let Some(name) = &d.name {
                match first_name.get(&name.to_lowercase()) {
                    Some(first) => {
                        let first = format!("also {first}.name");
                        self.push(
                            format!("{}.name", d.path),
                            format!("duplicate name `{name}` ({first})"),
                        );
                    }
                    None => {
                        first_name.insert(name.to_lowercase(), &d.path);
                    }
                }
            }
        }

        let mut at_position: HashMap<i64, &Draft> = HashMap::new();
        let mut positions_clean = true;
        for d in &drafts {
            let Some(p) = d.position else {
                positions_clean = false;
                continue;
            };
            if p < 1 || p > n as i64 {
                positions_clean = false;
                self.push(
                    format!("{}.position", d.path),
                    format!("must be from 1 to {n} (the number of qualities), found {p}"),
                );
            } else if let Some(first) = at_position.get(&p) {
                positions_clean = false;
                self.push(
                    format!("{}.position", d.path),
                    format!("duplicate position {p} (also {}.position)", first.path),
                );
            } else {
                at_position.insert(p, d);
            }
        }
        if drafts.iter().all(|d| d.position.is_some()) {
            for p in 1..=n as i64 {
                if !at_position.contains_key(&p) {
                    self.push("qualities", format!("no quality at position {p}"));
                }
            }
        }
        if positions_clean {
            let mut last_behaviour: Option<i64> = None;
            for p in 1..=n as i64 {
                let Some(d) = at_position.get(&p) else {
                    continue;
                };
                match (d.side, last_behaviour) {
                    (Some(Side::Behaviour), None) => last_behaviour = Some(p),
                    (Some(Side::Mindset), Some(b)) => self.push(
                        format!("{}.side", d.path),
                        format!(
                            "a mindset quality at position {p} comes after a behaviour quality at \
                             position {b}; the spectrum runs from mindset to behaviour"
                        ),
                    ),
                    _ => {}
                }
            }
        }

        for d in &drafts {
            let mut seen: HashMap<&QualityKey, &str> = HashMap::new();
            for (path, link) in &d.links {
                if let Some(first) = seen.get(link) {
                    self.push(
                        path.clone(),
                        format!("duplicate link `{link}` (also {first})"),
                    );
                } else if d.key.as_ref() == Some(link) {
                    self.push(path.clone(), "a quality cannot link to itself");
                } else if !first_key.contains_key(link) {
                    self.push(path.clone(), format!("unknown quality `{link}`"));
                }
                seen.entry(link).or_insert(path);
            }
        }

        let mut qualities = Vec::with_capacity(n);
        for d in drafts {
            qualities.push(Quality {
                key: d.key?,
                name: d.name?,
                position: u8::try_from(d.position?).ok()?,
                side: d.side?,
                definition: d.definition?,
                indicators: d.indicators?,
                levels: d.levels?,
                interview_questions: d.interview_questions?,
                coaching_activities: d.coaching_activities?,
                links: d.links.into_iter().map(|(_, key)| key).collect(),
            });
        }
        qualities.sort_by_key(|q| q.position);
        Some(qualities)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one_in_characters() {
        let text = "a = 1\nbé = \"x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 9), (2, 3));
        assert_eq!(line_column(text, 1000), (3, 1));
    }

    #[test]
    fn prose_folds_line_breaks_and_runs_of_spaces() {
        assert_eq!(fold("\n  one\n two   three \n"), "one two three");
    }

    #[test]
    fn odd_field_names_are_quoted_in_paths() {
        assert_eq!(path_segment("min"), "min");
        assert_eq!(path_segment("my field"), "\"my field\"");
        assert_eq!(path_segment(""), "\"\"");
    }

    #[test]
    fn the_default_file_uses_every_quality_field() {
        let root: Table = super::super::DEFAULT_MODEL_TOML.parse().unwrap();
        let quality = root["qualities"].as_array().unwrap()[0].as_table().unwrap();
        let keys: Vec<&str> = quality.keys().map(String::as_str).collect();
        for field in QUALITY_FIELDS {
            assert!(
                keys.contains(field),
                "the default file's first quality lacks `{field}`"
            );
        }
    }
}
