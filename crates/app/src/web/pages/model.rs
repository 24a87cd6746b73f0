//! The model page: the organisation's current model version, for every role.
//!
//! The eight qualities on the mindset→behaviour spectrum as an inline SVG chart (with its
//! contents in a table beside it), the rating scale, and one card per quality with its
//! definition, indicators, anchored levels, interview questions, coaching activities and
//! links. Admins also see the list of model versions (read only for now).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use sellerq_domain::model::{Model, Quality};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;
use crate::web::svg::{self, ChartQuality};

/// The model routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/model", get(show))
}

/// A reference to a quality on the page.
#[derive(Debug)]
struct QualityRef {
    key: String,
    name: String,
    side: &'static str,
}

/// One anchored level of a quality.
#[derive(Debug)]
struct LevelLine {
    value: u8,
    name: String,
    anchor: String,
}

/// A quality's card.
#[derive(Debug)]
struct Card {
    key: String,
    name: String,
    position: u8,
    side: &'static str,
    side_label: &'static str,
    definition: String,
    indicators: Vec<String>,
    levels: Vec<LevelLine>,
    questions: Vec<String>,
    activities: Vec<String>,
    links: Vec<QualityRef>,
    linked_from: Vec<QualityRef>,
}

/// A stored model version, for admins.
#[derive(Debug)]
struct VersionLine {
    label: String,
    created: String,
    in_use: bool,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "model.html")]
struct ModelPage {
    layout: Layout,
    name: String,
    version: String,
    description: String,
    chart: String,
    mindset_range: String,
    behaviour_range: String,
    scale: Vec<(u8, String)>,
    cards: Vec<Card>,
    versions: Option<Vec<VersionLine>>,
}

fn quality_ref(model: &Model, key: &str) -> QualityRef {
    let q = model.quality(key);
    QualityRef {
        key: key.to_owned(),
        name: q.map_or_else(|| key.to_owned(), |q| q.name.clone()),
        side: q.map_or("", |q| svg::side_class(q.side)),
    }
}

fn card(model: &Model, q: &Quality) -> Card {
    Card {
        key: q.key.as_str().to_owned(),
        name: q.name.clone(),
        position: q.position,
        side: svg::side_class(q.side),
        side_label: q.side.label(),
        definition: q.definition.clone(),
        indicators: q.indicators.clone(),
        levels: q
            .levels
            .iter()
            .map(|l| LevelLine {
                value: l.value,
                name: model
                    .scale
                    .level_name(l.value)
                    .unwrap_or_default()
                    .to_owned(),
                anchor: l.anchor.clone(),
            })
            .collect(),
        questions: q.interview_questions.clone(),
        activities: q.coaching_activities.clone(),
        links: q
            .links
            .iter()
            .map(|k| quality_ref(model, k.as_str()))
            .collect(),
        linked_from: model
            .linked_from(q.key.as_str())
            .map(|from| quality_ref(model, from.key.as_str()))
            .collect(),
    }
}

/// "1–4" for the positions on one side.
fn range(model: &Model, side: sellerq_domain::model::Side) -> String {
    let positions: Vec<u8> = model.side(side).map(|q| q.position).collect();
    match (positions.first(), positions.last()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => "none".into(),
    }
}

fn date(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|d| d.format(format_description!("[year]-[month]-[day]")).ok())
        .unwrap_or_default()
}

/// GET /model
async fn show(State(state): State<AppState>, viewer: Viewer) -> Result<ModelPage, AppError> {
    let model = crate::web::current_model(&state, viewer.org.id).await?;
    let current = state.store.current_model_version(viewer.org.id).await?;
    let versions = if viewer.role.is_admin() {
        let mut all = state.store.model_versions(viewer.org.id).await?;
        all.reverse(); // newest first
        Some(
            all.into_iter()
                .map(|v| VersionLine {
                    current: v.id == current.id,
                    label: v.label,
                    created: date(v.created_at),
                    in_use: v.in_use,
                })
                .collect(),
        )
    } else {
        None
    };
    use sellerq_domain::model::Side;
    Ok(ModelPage {
        layout: Layout::new(&viewer, "The model", Section::Model),
        name: model.name.clone(),
        version: current.label.clone(),
        description: model.description.clone(),
        chart: svg::spectrum(&ChartQuality::from_model(&model), "spectrum"),
        mindset_range: range(&model, Side::Mindset),
        behaviour_range: range(&model, Side::Behaviour),
        scale: model
            .scale
            .levels
            .iter()
            .map(|l| (l.value, l.name.clone()))
            .collect(),
        cards: model.qualities.iter().map(|q| card(&model, q)).collect(),
        versions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sellerq_domain::model::{Side, default_model};

    #[test]
    fn storytelling_names_the_five_qualities_it_draws_on() {
        let model = default_model();
        let story = model.quality("storytelling").map(|q| card(model, q));
        let links: Vec<String> = story
            .map(|c| c.links.into_iter().map(|r| r.name).collect())
            .unwrap_or_default();
        assert_eq!(links.len(), 5);
        assert!(links.contains(&"Belief".to_owned()));
    }

    #[test]
    fn the_sides_cover_their_positions() {
        let model = default_model();
        assert_eq!(range(model, Side::Mindset), "1–4");
        assert_eq!(range(model, Side::Behaviour), "5–8");
    }

    #[test]
    fn dates_read_as_iso_and_never_panic() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(i64::MAX), "");
    }
}
