//! Teams: a name, an optional parent team and an optional manager (a person).

use serde::Serialize;

use crate::ids::check_name;
use crate::{FieldErrors, PersonId};

/// A stored team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Team {
    /// The team's number in the store.
    pub id: i64,
    /// Unique within the organisation.
    pub name: String,
    /// The parent team's number, for nested teams.
    pub parent_id: Option<i64>,
    /// The person who manages the team.
    pub manager: Option<PersonId>,
    /// A free description.
    pub description: String,
}

/// A checked team, ready to be created or to replace an existing one.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamInput {
    /// The team's name.
    pub name: String,
    /// The parent team.
    pub parent_id: Option<i64>,
    /// The manager's person id.
    pub manager: Option<PersonId>,
    /// A free description (may be empty).
    pub description: String,
}

impl TeamInput {
    /// Checks raw fields as a form or the API sends them (empty = absent).
    pub fn parse(
        name: &str,
        parent_id: Option<i64>,
        manager: Option<&str>,
        description: &str,
    ) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::default();
        let name = check_name(name)
            .map_err(|m| errs.push("name", m))
            .unwrap_or_default();
        let manager = match manager.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(m) => PersonId::parse(m).map_err(|e| errs.push("manager", e)).ok(),
        };
        let description = description.trim().to_owned();
        if description.chars().count() > 2000 {
            errs.push("description", "is longer than 2000 characters");
        }
        errs.into_result(Self {
            name,
            parent_id,
            manager,
            description,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_needs_a_name() {
        let e = TeamInput::parse("  ", None, None, "").unwrap_err();
        assert_eq!(e.get("name"), Some("is required"));
    }

    #[test]
    fn an_empty_manager_means_none() {
        let t = TeamInput::parse("West", None, Some(" "), "").unwrap();
        assert_eq!(t.manager, None);
    }
}
