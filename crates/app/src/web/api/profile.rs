//! `GET /people/{id}/profile` (a seller's profile in one cycle), `GET /teams/{id}/view` (a
//! team's figures) and `GET /team-view` (the whole organisation, leaders and admins).
//!
//! Same loading and the same permission rules as the pages ([`crate::web::pages::profile`],
//! [`crate::web::pages::team_view`]): the figures follow FORMATS.md and the organisation's
//! anonymity rule, and no rater identity ever appears.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use sellerq_domain::assessment::{BlindSpotKind, QualityProfile, RoleCounts};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiViewer, ErrorBody, path_param};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};
use crate::web::pages::profile::{self as profile_page, Asker};
use crate::web::pages::team_view;

/// `?cycle=NAME`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CycleParam {
    /// The cycle's name; absent or empty: for a profile the latest cycle in which the person
    /// has ratings, for a team the latest cycle with ratings for its people.
    #[param(example = "2026-H1")]
    pub cycle: Option<String>,
}

fn cycle_of(query: Result<Query<CycleParam>, QueryRejection>) -> Result<String, ApiError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest {
        field: Some("cycle".into()),
        message: e.body_text(),
    })?;
    Ok(q.cycle.unwrap_or_default())
}

/// How many scores of each role went into a quality's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleCountsJson {
    pub manager: u32,
    /// Peer scores counted (0 when withheld by the anonymity rule).
    pub peer: u32,
    pub coach: u32,
    #[serde(rename = "self")]
    pub self_rating: u32,
}

impl From<RoleCounts> for RoleCountsJson {
    fn from(n: RoleCounts) -> Self {
        Self {
            manager: n.manager,
            peer: n.peer,
            coach: n.coach,
            self_rating: n.self_rating,
        }
    }
}

/// One quality of a profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct QualityScoreJson {
    #[schema(example = "humility")]
    pub key: String,
    #[schema(example = "Humility")]
    pub name: String,
    /// `mindset` or `behaviour`.
    #[schema(example = "mindset")]
    pub side: String,
    /// The others' score: the mean of manager, peer and coach scores.
    #[schema(required = true, example = 3.25)]
    pub score: Option<f64>,
    /// The self score.
    #[serde(rename = "self")]
    #[schema(required = true, example = 4.0)]
    pub self_score: Option<f64>,
    /// Self score − others' score.
    #[schema(required = true, example = 0.75)]
    pub gap: Option<f64>,
    pub n_by_role: RoleCountsJson,
    /// True when fewer peers than the anonymity threshold scored the quality, so their scores
    /// were left out.
    pub peers_withheld: bool,
    /// "Not observed" answers, all roles.
    pub not_observed: u32,
}

impl QualityScoreJson {
    fn of(q: &QualityProfile, name: String) -> Self {
        Self {
            key: q.key.as_str().to_owned(),
            name,
            side: q.side.as_str().to_owned(),
            score: q.score,
            self_score: q.self_score,
            gap: q.gap,
            n_by_role: q.n_by_role.into(),
            peers_withheld: q.peers_withheld,
            not_observed: q.not_observed,
        }
    }
}

/// A quality whose |gap| reaches the organisation's blind-spot threshold.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlindSpotJson {
    pub key: String,
    pub gap: f64,
    /// `overrated` (self higher) or `underrated` (self lower).
    #[schema(example = "overrated")]
    pub kind: String,
}

/// An evidence note, without the rater.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceJson {
    pub quality: String,
    /// The rater's role.
    #[schema(example = "manager")]
    pub role: String,
    /// The score (absent for "not observed", and for a peer's note where peers are withheld).
    pub score: Option<u8>,
    pub evidence: String,
}

/// A seller's profile in one cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileJson {
    /// The person's id.
    #[schema(example = "p-0042")]
    pub subject: String,
    pub subject_name: String,
    /// The cycle shown; null when the person has no ratings yet.
    #[schema(required = true, example = "2026-H1")]
    pub cycle: Option<String>,
    /// Every cycle in which the person has ratings, by name.
    pub cycles: Vec<String>,
    /// Every quality of the cycle's model, in spectrum order.
    pub qualities: Vec<QualityScoreJson>,
    /// Mean others' score of the mindset-side qualities.
    #[schema(required = true)]
    pub mindset_index: Option<f64>,
    /// Mean others' score of the behaviour-side qualities.
    #[schema(required = true)]
    pub behaviour_index: Option<f64>,
    #[schema(required = true)]
    pub self_mindset_index: Option<f64>,
    #[schema(required = true)]
    pub self_behaviour_index: Option<f64>,
    pub blind_spots: Vec<BlindSpotJson>,
    /// The two highest-scoring qualities (never the growth focus), best first.
    pub strengths: Vec<String>,
    /// The suggested growth focus: the lowest score, ties to the most negative gap.
    #[schema(required = true)]
    pub growth_focus: Option<String>,
    /// The organisation's anonymity threshold (peers needed per quality).
    pub anonymity_threshold: u32,
    /// The organisation's blind-spot threshold (scale points).
    pub blind_spot_threshold: f64,
    /// Evidence notes without rater names: present only for the subject's manager, coach,
    /// leaders and admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<EvidenceJson>>,
}

/// A seller's profile: per quality the others' score, the self score, the gap and the counts
/// per role, the mindset and behaviour indexes, blind spots, strengths and the growth focus.
#[utoipa::path(
    get,
    path = "/people/{id}/profile",
    tag = "profiles",
    operation_id = "get_profile",
    params(
        ("id" = String, Path, description = "The person's own id (people.csv `id`)."),
        CycleParam
    ),
    responses(
        (status = 200, description = "The profile (all figures null when there are no ratings).", body = ProfileJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role sees no people (interviewer).", body = ErrorBody),
        (status = 404, description = "No such person within the caller's scope (a seller sees only themselves), or no such cycle.", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<CycleParam>, QueryRejection>,
) -> Result<Json<ProfileJson>, ApiError> {
    let raw = path_param(path)?;
    let cycle = cycle_of(query)?;
    let asker = Asker {
        org_id: viewer.org.id,
        role: viewer.role,
        scope: &viewer.scope,
    };
    let data = profile_page::load(&state, asker, &raw, &cycle).await?;
    let p = &data.profile;
    let evidence = data.evidence.as_ref().map(|notes| {
        notes
            .iter()
            .map(|n| {
                let withheld = n.role == sellerq_domain::assessment::RaterRole::Peer
                    && p.quality(n.quality.as_str())
                        .is_some_and(|q| q.peers_withheld);
                EvidenceJson {
                    quality: n.quality.as_str().to_owned(),
                    role: n.role.as_str().to_owned(),
                    score: if withheld { None } else { n.score },
                    evidence: n.evidence.clone(),
                }
            })
            .collect()
    });
    Ok(Json(ProfileJson {
        subject: data.subject.id.as_str().to_owned(),
        subject_name: data.subject.name.clone(),
        cycle: data.cycle.as_ref().map(|c| c.name.as_str().to_owned()),
        cycles: data.cycles.clone(),
        qualities: p
            .qualities
            .iter()
            .map(|q| QualityScoreJson::of(q, data.quality_name(&q.key)))
            .collect(),
        mindset_index: p.mindset_index,
        behaviour_index: p.behaviour_index,
        self_mindset_index: p.self_mindset_index,
        self_behaviour_index: p.self_behaviour_index,
        blind_spots: p
            .blind_spots
            .iter()
            .map(|b| BlindSpotJson {
                key: b.key.as_str().to_owned(),
                gap: b.gap,
                kind: match b.kind {
                    BlindSpotKind::Overrated => "overrated",
                    BlindSpotKind::Underrated => "underrated",
                }
                .to_owned(),
            })
            .collect(),
        strengths: p.strengths.iter().map(|k| k.as_str().to_owned()).collect(),
        growth_focus: p.growth_focus.as_ref().map(|k| k.as_str().to_owned()),
        anonymity_threshold: data.settings.anonymity_threshold,
        blind_spot_threshold: data.settings.blind_spot_threshold,
        evidence,
    }))
}

// --- team view ---------------------------------------------------------------------------

/// Subjects whose score rounds to one level.
#[derive(Debug, Serialize, ToSchema)]
pub struct LevelCountJson {
    pub level: u8,
    pub count: u32,
}

/// One quality across the team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamQualityJson {
    pub key: String,
    pub name: String,
    pub side: String,
    /// Subjects with a score.
    pub n_subjects: u32,
    #[schema(required = true)]
    pub mean: Option<f64>,
    /// Sample SD (n − 1); null below two subjects.
    #[schema(required = true)]
    pub sd: Option<f64>,
    /// Subjects per scale level (scores rounded, halves up).
    pub distribution: Vec<LevelCountJson>,
}

/// One person's row of the heatmap.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamSubjectJson {
    pub id: String,
    pub name: String,
    /// The others' score per quality key (null: no score); empty when not rated in the cycle.
    pub scores: std::collections::BTreeMap<String, Option<f64>>,
    #[schema(required = true)]
    pub mindset_index: Option<f64>,
    #[schema(required = true)]
    pub behaviour_index: Option<f64>,
}

/// A team's figures in one cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamViewJson {
    /// The team's id; null for the whole organisation.
    #[schema(required = true)]
    pub team: Option<i64>,
    pub team_name: String,
    #[schema(required = true, example = "2026-H1")]
    pub cycle: Option<String>,
    /// People in the team (rated or not).
    pub n_people: u32,
    /// People with ratings in the cycle.
    pub n_subjects: u32,
    /// Every quality of the cycle's model, in spectrum order.
    pub qualities: Vec<TeamQualityJson>,
    #[schema(required = true)]
    pub mindset_index: Option<f64>,
    #[schema(required = true)]
    pub behaviour_index: Option<f64>,
    /// The quality with the lowest mean.
    #[schema(required = true)]
    pub weakest: Option<String>,
    /// The quality with the largest SD.
    #[schema(required = true)]
    pub most_uneven: Option<String>,
    /// The heatmap rows, by name.
    pub subjects: Vec<TeamSubjectJson>,
}

fn team_json(data: &team_view::TeamData, org_name: &str) -> TeamViewJson {
    let s = &data.stats;
    TeamViewJson {
        team: data.team.as_ref().map(|t| t.id),
        team_name: data
            .team
            .as_ref()
            .map_or_else(|| org_name.to_owned(), |t| t.name.clone()),
        cycle: data.cycle.as_ref().map(|c| c.name.as_str().to_owned()),
        n_people: u32::try_from(data.subjects.len()).unwrap_or(u32::MAX),
        n_subjects: s.n_subjects,
        qualities: s
            .qualities
            .iter()
            .map(|q| TeamQualityJson {
                key: q.key.as_str().to_owned(),
                name: data.quality_name(&q.key),
                side: q.side.as_str().to_owned(),
                n_subjects: q.n_subjects,
                mean: q.mean,
                sd: q.sd,
                distribution: q
                    .distribution
                    .iter()
                    .map(|c| LevelCountJson {
                        level: c.level,
                        count: c.count,
                    })
                    .collect(),
            })
            .collect(),
        mindset_index: s.mindset_index,
        behaviour_index: s.behaviour_index,
        weakest: s.weakest.as_ref().map(|k| k.as_str().to_owned()),
        most_uneven: s.most_uneven.as_ref().map(|k| k.as_str().to_owned()),
        subjects: data
            .subjects
            .iter()
            .map(|(p, prof)| TeamSubjectJson {
                id: p.id.as_str().to_owned(),
                name: p.name.clone(),
                scores: prof
                    .as_ref()
                    .map(|pr| {
                        pr.qualities
                            .iter()
                            .map(|q| (q.key.as_str().to_owned(), q.score))
                            .collect()
                    })
                    .unwrap_or_default(),
                mindset_index: prof.as_ref().and_then(|pr| pr.mindset_index),
                behaviour_index: prof.as_ref().and_then(|pr| pr.behaviour_index),
            })
            .collect(),
    }
}

/// A team's figures: the heatmap rows (people × qualities), mean ± SD and the distribution
/// per quality, the weakest and the most uneven quality. Covers the team's own people (each
/// sub-team has its own view).
#[utoipa::path(
    get,
    path = "/teams/{id}/view",
    tag = "profiles",
    operation_id = "get_team_view",
    params(("id" = i64, Path, description = "The team's id."), CycleParam),
    responses(
        (status = 200, description = "The team's figures.", body = TeamViewJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role sees no teams (seller, interviewer).", body = ErrorBody),
        (status = 404, description = "No such team within the caller's scope, or no such cycle.", body = ErrorBody),
    )
)]
pub async fn team(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<CycleParam>, QueryRejection>,
) -> Result<Json<TeamViewJson>, ApiError> {
    let raw = path_param(path)?;
    let cycle = cycle_of(query)?;
    let data = team_view::load(
        &state,
        viewer.org.id,
        viewer.role,
        &viewer.scope,
        Some(&raw),
        &cycle,
    )
    .await?;
    Ok(Json(team_json(&data, &viewer.org.name)))
}

/// The whole organisation's figures, like a team's (leaders and admins).
#[utoipa::path(
    get,
    path = "/team-view",
    tag = "profiles",
    operation_id = "get_organisation_view",
    params(CycleParam),
    responses(
        (status = 200, description = "The organisation's figures.", body = TeamViewJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "Only leaders and admins see the whole organisation.", body = ErrorBody),
        (status = 404, description = "No such cycle.", body = ErrorBody),
    )
)]
pub async fn organisation(
    State(state): State<AppState>,
    viewer: ApiViewer,
    query: Result<Query<CycleParam>, QueryRejection>,
) -> Result<Json<TeamViewJson>, ApiError> {
    let cycle = cycle_of(query)?;
    let data = team_view::load(
        &state,
        viewer.org.id,
        viewer.role,
        &viewer.scope,
        None,
        &cycle,
    )
    .await?;
    Ok(Json(team_json(&data, &viewer.org.name)))
}
