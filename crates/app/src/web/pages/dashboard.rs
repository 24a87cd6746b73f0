//! The dashboard: the organisation at a glance, within what the viewer may see.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use sellerq_domain::{Role, TRAILING_INDICATORS};
use sellerq_store::{Overview, Scope, TeamSummary};

use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

/// A trailing indicator's mean for the dashboard table.
#[derive(Debug)]
pub struct TrailingRow {
    pub label: &'static str,
    pub help: &'static str,
    pub mean: String,
    pub n: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    layout: Layout,
    role: Role,
    overview: Overview,
    teams: Vec<TeamSummary>,
    trailing: Vec<TrailingRow>,
    members: Vec<(&'static str, i64)>,
    own_record: Option<String>,
    qualities: Vec<(String, String, &'static str)>,
}

impl DashboardPage {
    fn sees_org(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Leader)
    }
    fn sees_people(&self) -> bool {
        self.role.can_list_people()
    }
}

fn fmt_mean(key: &str, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if key == "quota_track_record" => format!("{:.0} %", v * 100.0),
        Some(v) => format!("{v:.1}"),
    }
}

/// GET /
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<DashboardPage, AppError> {
    let overview = state.store.overview(viewer.org.id, &viewer.scope).await?;
    let teams = if viewer.role.can_view_teams() {
        state.store.list_teams(viewer.org.id, &viewer.scope).await?
    } else {
        Vec::new()
    };
    let trailing = TRAILING_INDICATORS
        .iter()
        .map(|ind| {
            let (mean, n) = overview
                .trailing_means
                .iter()
                .find(|(k, _, _)| k == ind.key)
                .map(|(_, m, n)| (*m, *n))
                .unwrap_or((None, 0));
            TrailingRow {
                label: ind.label,
                help: ind.help,
                mean: fmt_mean(ind.key, mean),
                n,
            }
        })
        .collect();
    let members = overview
        .members_by_role
        .iter()
        .map(|(r, n)| (r.label(), *n))
        .collect();
    let own_record = match &viewer.scope {
        Scope::Person(Some(id)) => Some(super::url_segment(id.as_str())),
        _ => None,
    };
    let model = crate::web::current_model(&state, viewer.org.id).await?;
    let qualities = model
        .qualities
        .iter()
        .map(|q| {
            let side = match q.side {
                sellerq_domain::model::Side::Mindset => "mindset",
                sellerq_domain::model::Side::Behaviour => "behaviour",
            };
            (q.name.clone(), q.key.as_str().to_owned(), side)
        })
        .collect();
    Ok(DashboardPage {
        layout: Layout::new(&viewer, "Dashboard", Section::Dashboard),
        role: viewer.role,
        overview,
        teams,
        trailing,
        members,
        own_record,
        qualities,
    })
}
