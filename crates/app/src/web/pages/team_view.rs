//! The team view (`/teams/{id}/view?cycle=NAME`) and the organisation-wide view
//! (`/team-view?cycle=NAME`, leaders and admins), and the loading they share with
//! `GET /api/v1/teams/{id}/view` and `GET /api/v1/team-view`.
//!
//! A team's view covers the people whose team it is (not its sub-teams: each has its own
//! view). Managers and coaches see the teams in their scope, leaders and admins every team; a
//! team out of scope is a 404 like one that does not exist, and a role that sees no teams gets
//! a 403. The figures are each subject's profile under the organisation's anonymity rule,
//! aggregated by the domain's [`team_stats`]: mean ± SD and the distribution per quality, the
//! weakest and the most uneven quality. No rater identity is ever read.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use sellerq_domain::assessment::{OrgSettings, Profile, TeamStats, profile, team_stats};
use sellerq_domain::model::{Model, QualityKey};
use sellerq_domain::{Person, Role, Team};
use sellerq_store::{Cycle, PeopleFilter, Scope};

use super::profile::CycleQuery;
use super::url_segment;
use crate::web::AppState;
use crate::web::charts::{
    self, ChartScale, HeatmapRow, LevelCount, QualityLabel, QualityStats, fmt_score,
};
use crate::web::error::AppError;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

/// The team view routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/teams/{id}/view", get(show))
        .route("/team-view", get(show_organisation))
}

/// Everything a team view shows, loaded once for the page and the API.
#[derive(Debug)]
pub(crate) struct TeamData {
    /// The team (`None`: the whole organisation).
    pub team: Option<Team>,
    /// The organisation's cycles, by name.
    pub cycles: Vec<String>,
    /// The cycle shown (`None` when no cycle has ratings for these people).
    pub cycle: Option<Cycle>,
    /// The cycle's model.
    pub model: Arc<Model>,
    /// The people of the team (or organisation) with their profiles (`None`: no ratings).
    pub subjects: Vec<(Person, Option<Profile>)>,
    /// The statistics over the subjects with ratings.
    pub stats: TeamStats,
    /// The organisation's thresholds.
    pub settings: OrgSettings,
}

impl TeamData {
    /// The display name of a quality (the key when unknown).
    pub fn quality_name(&self, key: &QualityKey) -> String {
        self.model
            .qualities
            .iter()
            .find(|q| &q.key == key)
            .map_or_else(|| key.as_str().to_owned(), |q| q.name.clone())
    }
}

/// Loads the view of team `team_raw` (`None`: the whole organisation, leaders and admins
/// only) in `cycle` (empty: the latest cycle with ratings for these people).
pub(crate) async fn load(
    state: &AppState,
    org_id: i64,
    role: Role,
    scope: &Scope,
    team_raw: Option<&str>,
    cycle: &str,
) -> Result<TeamData, AppError> {
    let team = match team_raw {
        Some(raw) => {
            if !role.can_view_teams() {
                return Err(AppError::Forbidden);
            }
            let id = raw.parse::<i64>().map_err(|_| AppError::NotFound)?;
            if !scope.sees_team(id) {
                return Err(AppError::NotFound);
            }
            Some(
                state
                    .store
                    .team(org_id, id)
                    .await?
                    .ok_or(AppError::NotFound)?,
            )
        }
        None => {
            if !matches!(role, Role::Admin | Role::Leader) {
                return Err(AppError::Forbidden);
            }
            None
        }
    };
    let filter = PeopleFilter {
        scope: scope.clone(),
        search: None,
        team_id: team.as_ref().map(|t| t.id),
    };
    let settings = state.store.org_settings(org_id).await?;
    let cycles = state.store.cycles(org_id).await?;
    let wanted = cycle.trim();
    let (chosen, ratings) = if wanted.is_empty() {
        let mut found = (None, Vec::new());
        for c in cycles.iter().rev() {
            let r = state.store.cycle_ratings(org_id, c.id, &filter).await?;
            if !r.is_empty() {
                found = (Some(c.clone()), r);
                break;
            }
        }
        found
    } else {
        let c = cycles
            .iter()
            .find(|c| c.name.as_str() == wanted)
            .cloned()
            .ok_or(AppError::NotFound)?;
        let r = state.store.cycle_ratings(org_id, c.id, &filter).await?;
        (Some(c), r)
    };
    let model = match &chosen {
        Some(c) => state.store.model(org_id, c.model_version_id).await?,
        None => crate::web::current_model(state, org_id).await?,
    };
    let people = state.store.list_people(org_id, &filter).await?;
    let by_subject: std::collections::HashMap<&str, &[sellerq_domain::assessment::RatingValue]> =
        ratings
            .iter()
            .map(|r| (r.subject.as_str(), r.ratings.as_slice()))
            .collect();
    let subjects: Vec<(Person, Option<Profile>)> = people
        .into_iter()
        .map(|p| {
            let prof = by_subject
                .get(p.id.as_str())
                .map(|r| profile(&model, r, &settings));
            (p, prof)
        })
        .collect();
    let stats = team_stats(&model, subjects.iter().filter_map(|(_, p)| p.as_ref()));
    Ok(TeamData {
        team,
        cycles: cycles.iter().map(|c| c.name.as_str().to_owned()).collect(),
        cycle: chosen,
        model,
        subjects,
        stats,
        settings,
    })
}

// --- the page ----------------------------------------------------------------------------

/// A cycle in the picker.
#[derive(Debug)]
struct CycleChoice {
    name: String,
    selected: bool,
}

/// A quality named in a sentence, with its figure.
#[derive(Debug)]
struct Named {
    name: String,
    figure: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "team_view.html")]
struct TeamViewPage {
    layout: Layout,
    title: String,
    team_href: Option<String>,
    href: String,
    cycle: Option<String>,
    choices: Vec<CycleChoice>,
    n_people: usize,
    n_rated: u32,
    heatmap: String,
    mean_sd: String,
    mean_sd_numbers: String,
    distribution: String,
    distribution_numbers: String,
    weakest: Option<Named>,
    most_uneven: Option<Named>,
    summary: String,
    mindset_index: String,
    behaviour_index: String,
    threshold: u32,
    adjusted: Option<AdjustedView>,
    adjusted_on: bool,
}

/// The leniency-adjusted scores shown beside the raw ones.
#[derive(Debug)]
struct AdjustedView {
    heatmap: String,
    comparison: String,
}

/// GET /teams/{id}/view?cycle=NAME
async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Query(query): Query<CycleQuery>,
) -> Result<TeamViewPage, AppError> {
    let data = load(
        &state,
        viewer.org.id,
        viewer.role,
        &viewer.scope,
        Some(&raw),
        &query.cycle,
    )
    .await?;
    finish(&state, &viewer, &data, query.adjusted()).await
}

/// GET /team-view?cycle=NAME
async fn show_organisation(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<CycleQuery>,
) -> Result<TeamViewPage, AppError> {
    let data = load(
        &state,
        viewer.org.id,
        viewer.role,
        &viewer.scope,
        None,
        &query.cycle,
    )
    .await?;
    finish(&state, &viewer, &data, query.adjusted()).await
}

/// The page, with the leniency-adjusted scores when the switch is on.
async fn finish(
    state: &AppState,
    viewer: &Viewer,
    data: &TeamData,
    adjusted: bool,
) -> Result<TeamViewPage, AppError> {
    let mut page = page(viewer, data);
    page.adjusted_on = adjusted;
    if let (true, Some(cycle)) = (adjusted, &data.cycle) {
        let ids: Vec<&sellerq_domain::PersonId> = data
            .subjects
            .iter()
            .filter(|(_, p)| p.is_some())
            .map(|(p, _)| &p.id)
            .collect();
        let scores = crate::evidence::adjusted_for(state, viewer.org.id, cycle, &ids).await?;
        page.adjusted = Some(adjusted_view(data, &scores));
    }
    Ok(page)
}

/// The adjusted heatmap and the team means raw and adjusted, quality by quality.
fn adjusted_view(
    data: &TeamData,
    scores: &std::collections::HashMap<String, Vec<Option<f64>>>,
) -> AdjustedView {
    let scale = ChartScale::from_model(&data.model.scale);
    let labels = QualityLabel::from_model(&data.model);
    let rows: Vec<HeatmapRow> = data
        .subjects
        .iter()
        .filter(|(_, prof)| prof.is_some())
        .map(|(p, _)| HeatmapRow {
            name: p.name.clone(),
            href: Some(profile_href(p, data.cycle.as_ref())),
            values: scores
                .get(p.id.as_str())
                .cloned()
                .unwrap_or_else(|| vec![None; labels.len()]),
        })
        .collect();
    let mean_of = |i: usize| {
        let (sum, n) = rows
            .iter()
            .filter_map(|r| r.values.get(i).copied().flatten())
            .fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
        (n > 0).then(|| sum / f64::from(n))
    };
    let table = charts::NumbersTable {
        caption: "Team means per quality, raw and leniency-adjusted".into(),
        row_header: "Quality".into(),
        columns: ["Raw mean", "Adjusted mean", "Adjusted − raw"]
            .into_iter()
            .map(|label| charts::NumbersColumn {
                label: label.into(),
                numeric: true,
            })
            .collect(),
        rows: labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let raw = data.stats.quality(&l.key).and_then(|q| q.mean);
                let adjusted = mean_of(i);
                let diff = raw.zip(adjusted).map(|(r, a)| a - r);
                charts::NumbersRow {
                    key: l.key.clone(),
                    label: l.name.clone(),
                    side: Some(l.side),
                    cells: vec![fmt_score(raw), fmt_score(adjusted), charts::fmt_gap(diff)],
                }
            })
            .collect(),
    };
    let caption = "Leniency-adjusted quality scores: each rating minus its rater's leniency";
    AdjustedView {
        heatmap: charts::heatmap(
            &labels,
            &rows,
            &scale,
            "team-heatmap-adjusted",
            caption,
            "Seller",
        ),
        comparison: table.to_html(),
    }
}

/// The chart inputs of a team's statistics.
fn quality_stats(data: &TeamData) -> Vec<QualityStats> {
    QualityLabel::from_model(&data.model)
        .into_iter()
        .map(|l| {
            let q = data.stats.quality(&l.key);
            QualityStats {
                n: q.map_or(0, |q| q.n_subjects),
                mean: q.and_then(|q| q.mean),
                sd: q.and_then(|q| q.sd),
                self_mean: None,
                counts: q.map_or_else(Vec::new, |q| {
                    q.distribution
                        .iter()
                        .map(|c| LevelCount {
                            level: c.level,
                            count: c.count,
                        })
                        .collect()
                }),
                quality: l,
            }
        })
        .collect()
}

fn page(viewer: &Viewer, data: &TeamData) -> TeamViewPage {
    let scale = ChartScale::from_model(&data.model.scale);
    let labels = QualityLabel::from_model(&data.model);
    let rows: Vec<HeatmapRow> = data
        .subjects
        .iter()
        .map(|(p, prof)| HeatmapRow {
            name: p.name.clone(),
            href: Some(profile_href(p, data.cycle.as_ref())),
            values: labels
                .iter()
                .map(|l| {
                    prof.as_ref()
                        .and_then(|pr| pr.quality(&l.key))
                        .and_then(|q| q.score)
                })
                .collect(),
        })
        .collect();
    let stats = quality_stats(data);
    let cycle_name = data.cycle.as_ref().map(|c| c.name.as_str().to_owned());
    let (title, team_href, href) = match &data.team {
        Some(t) => (
            t.name.clone(),
            Some(format!("/teams/{}", t.id)),
            format!("/teams/{}/view", t.id),
        ),
        None => (viewer.org.name.clone(), None, "/team-view".to_owned()),
    };
    let caption = format!(
        "Quality scores of {title}{}",
        cycle_name
            .as_deref()
            .map(|c| format!(", cycle {c}"))
            .unwrap_or_default()
    );
    let named = |k: &Option<QualityKey>,
                 f: fn(&sellerq_domain::assessment::TeamQuality) -> String| {
        k.as_ref().map(|k| Named {
            name: data.quality_name(k),
            figure: data.stats.quality(k.as_str()).map(f).unwrap_or_default(),
        })
    };
    let weakest = named(&data.stats.weakest, |q| {
        format!("mean {}", fmt_score(q.mean))
    });
    let most_uneven = named(&data.stats.most_uneven, |q| {
        format!("SD {}", fmt_score(q.sd))
    });
    let summary = match (&weakest, &most_uneven) {
        (Some(w), Some(u)) if w.name == u.name => format!(
            "{} is both the team's weakest quality ({}) and the one where people differ most \
             ({}): a good subject for a team workshop.",
            w.name, w.figure, u.figure
        ),
        (Some(w), Some(u)) => format!(
            "{} is the team's weakest quality ({}): a candidate for a team workshop. {} is the \
             most uneven ({}): some are strong there and could help the others.",
            w.name, w.figure, u.name, u.figure
        ),
        (Some(w), None) => format!("{} is the team's weakest quality ({}).", w.name, w.figure),
        _ => String::new(),
    };
    let mut choices: Vec<CycleChoice> = data
        .cycles
        .iter()
        .map(|c| CycleChoice {
            name: c.clone(),
            selected: cycle_name.as_deref() == Some(c.as_str()),
        })
        .collect();
    choices.reverse();
    TeamViewPage {
        layout: Layout::new(viewer, format!("{title} — team view"), Section::Teams),
        heatmap: charts::heatmap(&labels, &rows, &scale, "team-heatmap", &caption, "Seller"),
        mean_sd: charts::mean_sd(&stats, &scale, "team-mean-sd"),
        mean_sd_numbers: charts::mean_sd_numbers(&stats).details_html("The chart in numbers"),
        distribution: charts::distribution(&stats, &scale, "team-distribution"),
        distribution_numbers: charts::distribution_numbers(&stats, &scale)
            .details_html("The chart in numbers"),
        title,
        team_href,
        href,
        cycle: cycle_name,
        choices,
        n_people: data.subjects.len(),
        n_rated: data.stats.n_subjects,
        weakest,
        most_uneven,
        summary,
        mindset_index: fmt_score(data.stats.mindset_index),
        behaviour_index: fmt_score(data.stats.behaviour_index),
        threshold: data.settings.anonymity_threshold,
        adjusted: None,
        adjusted_on: false,
    }
}

/// The link to a subject's profile in the cycle shown.
pub(crate) fn profile_href(p: &Person, cycle: Option<&Cycle>) -> String {
    let base = format!("/people/{}/profile", url_segment(p.id.as_str()));
    match cycle {
        Some(c) => format!("{base}?cycle={}", url_segment(c.name.as_str())),
        None => base,
    }
}
