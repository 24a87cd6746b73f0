//! [`ModelErrors`]: every problem found in a model file, each with the field path it is about.

use std::fmt;

/// One problem in a model file.
///
/// `path` names the field with 0-based indices, the way the file nests it
/// (`qualities[3].levels[2].anchor`), or the place in the text (`line 7, column 12`) when the
/// file is not valid TOML at all.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ModelError {
    /// Where: a field path, or a line and column for syntax errors.
    pub path: String,
    /// What is wrong, without the path (`missing`, `must not be empty`, …).
    pub problem: String,
}

impl ModelError {
    /// Builds an error at `path`.
    pub fn new(path: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

impl std::error::Error for ModelError {}

/// Every problem found in one model file, in the order the parser met them.
///
/// `Display` prints one problem per line.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ModelErrors(pub Vec<ModelError>);

impl ModelErrors {
    /// The number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, ModelError> {
        self.0.iter()
    }

    /// The first problem reported at `path`, if any.
    pub fn at(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.path == path)
            .map(|e| e.problem.as_str())
    }

    pub(crate) fn push(&mut self, path: impl Into<String>, problem: impl Into<String>) {
        self.0.push(ModelError::new(path, problem));
    }
}

impl fmt::Display for ModelErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ModelErrors {}

impl<'a> IntoIterator for &'a ModelErrors {
    type Item = &'a ModelError;
    type IntoIter = std::slice::Iter<'a, ModelError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display_one_per_line_as_path_colon_problem() {
        let mut errors = ModelErrors::default();
        errors.push("qualities[3].levels[2].anchor", "missing");
        errors.push("scale.max", "expected an integer, found a string");
        assert_eq!(
            errors.to_string(),
            "qualities[3].levels[2].anchor: missing\nscale.max: expected an integer, found a string"
        );
        assert_eq!(
            errors.at("scale.max"),
            Some("expected an integer, found a string")
        );
    }
}
