//! The six roles of PRODUCT.md and what each may do.
//!
//! Role rules live here, in one place, so that pages, API routes and tests ask the same
//! questions. *Which* teams or people a manager or coach may see is a matter of scope
//! (their assigned teams), decided by the store; the role says only what kind of access applies.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A user's role in one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sales ops / enablement: everything in the organisation.
    Admin,
    /// VP of sales: all sellers, teams and analytics.
    Leader,
    /// Front-line manager: their team's sellers.
    Manager,
    /// Sales coach: the teams assigned to them.
    Coach,
    /// Account executive: their own profile only.
    Seller,
    /// Hiring panel member: the candidates assigned to them.
    Interviewer,
}

/// How far a role sees people and teams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every team and person of the organisation.
    Organisation,
    /// The teams assigned to the user (and their sub-teams) and the people in them.
    AssignedTeams,
    /// Only the person with the user's own e-mail.
    OwnRecord,
    /// No people or teams at all.
    Nothing,
}

impl Role {
    /// All roles, most powerful first.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Leader,
        Role::Manager,
        Role::Coach,
        Role::Seller,
        Role::Interviewer,
    ];

    /// The role's key as stored and typed (`admin`, `leader`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Manager => "manager",
            Role::Coach => "coach",
            Role::Seller => "seller",
            Role::Interviewer => "interviewer",
        }
    }

    /// The role's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Leader => "Sales leader",
            Role::Manager => "Manager",
            Role::Coach => "Coach",
            Role::Seller => "Seller",
            Role::Interviewer => "Interviewer",
        }
    }

    /// How far this role sees people and teams.
    pub fn reach(self) -> Reach {
        match self {
            Role::Admin | Role::Leader => Reach::Organisation,
            Role::Manager | Role::Coach => Reach::AssignedTeams,
            Role::Seller => Reach::OwnRecord,
            Role::Interviewer => Reach::Nothing,
        }
    }

    /// May list people (within reach)?
    pub fn can_list_people(self) -> bool {
        matches!(self.reach(), Reach::Organisation | Reach::AssignedTeams)
    }

    /// May list and open teams (within reach)?
    pub fn can_view_teams(self) -> bool {
        matches!(self.reach(), Reach::Organisation | Reach::AssignedTeams)
    }

    /// May create, edit and delete teams?
    pub fn can_manage_teams(self) -> bool {
        matches!(self, Role::Admin | Role::Leader)
    }

    /// May add people and edit their records (within reach)? Coaches read only; sellers do
    /// not edit their own HR record.
    pub fn can_edit_people(self) -> bool {
        matches!(self, Role::Admin | Role::Leader | Role::Manager)
    }

    /// May delete people?
    pub fn can_delete_people(self) -> bool {
        matches!(self, Role::Admin | Role::Leader)
    }

    /// May see the organisation's audit log and manage the model?
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or_else(|| {
            format!(
                "{s:?} is not a role (one of admin, leader, manager, coach, seller, interviewer)"
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_keys() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("boss".parse::<Role>().unwrap_err().contains("not a role"));
    }

    #[test]
    fn only_admins_and_leaders_see_the_whole_organisation() {
        let whole: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.reach() == Reach::Organisation)
            .collect();
        assert_eq!(whole, vec![Role::Admin, Role::Leader]);
    }

    #[test]
    fn sellers_and_interviewers_cannot_list_people() {
        assert!(!Role::Seller.can_list_people());
        assert!(!Role::Interviewer.can_list_people());
        assert!(Role::Coach.can_list_people());
        assert!(!Role::Coach.can_edit_people());
    }
}
