//! The shared page frame: title, navigation by role, organisation switcher, notices.

use sellerq_domain::Role;
use sellerq_store::Scope;

use super::session::Viewer;

/// Which navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    People,
    Teams,
    Model,
    Account,
    Profile,
    Cycles,
    Assessments,
    Imports,
    /// The validity and reliability reports.
    Evidence,
    /// Admin settings (the outcome metrics).
    Settings,
}

/// One navigation link.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

/// One organisation in the switcher.
#[derive(Debug, Clone)]
pub struct OrgChoice {
    pub id: i64,
    pub name: String,
    pub role: &'static str,
    pub active: bool,
}

/// What `layout.html` needs; every page template has a `layout` field.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub user_name: String,
    pub user_email: String,
    pub org_name: String,
    pub role_label: &'static str,
    pub nav: Vec<NavItem>,
    pub orgs: Vec<OrgChoice>,
    pub csrf: String,
    /// A one-line confirmation ("Saved.") shown at the top of the page.
    pub notice: Option<String>,
}

impl Layout {
    /// The frame for `viewer` on a page titled `title` in `section`.
    pub fn new(viewer: &Viewer, title: impl Into<String>, section: Section) -> Self {
        let role = viewer.role;
        let mut nav = vec![NavItem {
            href: "/".into(),
            label: "Dashboard",
            active: section == Section::Dashboard,
        }];
        if role.can_list_people() {
            nav.push(NavItem {
                href: "/people".into(),
                label: "People",
                active: section == Section::People,
            });
        }
        if role.can_view_teams() {
            nav.push(NavItem {
                href: "/teams".into(),
                label: "Teams",
                active: section == Section::Teams,
            });
        }
        if role == Role::Seller
            && let Scope::Person(Some(me)) = &viewer.scope
        {
            nav.push(NavItem {
                href: format!("/people/{}", super::pages::url_segment(me.as_str())),
                label: "My record",
                active: section == Section::Profile,
            });
        }
        if matches!(role, Role::Admin | Role::Leader | Role::Manager) {
            nav.push(NavItem {
                href: "/cycles".into(),
                label: "Cycles",
                active: section == Section::Cycles,
            });
        }
        // The evidence reports: validity for leaders and admins, reliability for coaches too.
        if matches!(role, Role::Admin | Role::Leader | Role::Coach) {
            nav.push(NavItem {
                href: if role == Role::Coach {
                    "/analytics/reliability".into()
                } else {
                    "/analytics/validity".into()
                },
                label: "Evidence",
                active: section == Section::Evidence,
            });
        }
        nav.push(NavItem {
            href: "/assessments".into(),
            label: "My assessments",
            active: section == Section::Assessments,
        });
        if role.is_admin() {
            nav.push(NavItem {
                href: "/imports".into(),
                label: "Import",
                active: section == Section::Imports,
            });
            nav.push(NavItem {
                href: "/settings/metrics".into(),
                label: "Metrics",
                active: section == Section::Settings,
            });
        }
        nav.push(NavItem {
            href: "/model".into(),
            label: "Model",
            active: section == Section::Model,
        });
        let orgs = viewer
            .memberships
            .iter()
            .map(|m| OrgChoice {
                id: m.org.id,
                name: m.org.name.clone(),
                role: m.role.label(),
                active: m.org.id == viewer.org.id,
            })
            .collect();
        Self {
            title: title.into(),
            user_name: viewer.user.name.clone(),
            user_email: viewer.user.email.to_string(),
            org_name: viewer.org.name.clone(),
            role_label: role.label(),
            nav,
            orgs,
            csrf: viewer.csrf.clone(),
            notice: None,
        }
    }

    /// Adds a confirmation line.
    pub fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }

    /// Up to two initials of the user's name, for the avatar.
    pub fn initials(&self) -> String {
        self.user_name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect()
    }

    /// True when the user belongs to more than one organisation.
    pub fn has_switcher(&self) -> bool {
        self.orgs.len() > 1
    }
}
