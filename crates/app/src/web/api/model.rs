//! `GET /api/v1/model`: the organisation's current model version.
//!
//! The body is [`sellerq_domain::model::Model::to_json`], the one definition of this shape
//! (the CLI's `model show --format json` prints the same). The structs below only describe
//! it for the OpenAPI document; a test deserializes the default model's JSON into them with
//! unknown fields refused, so the document cannot drift from what is served.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiViewer, ErrorBody};
use crate::web::AppState;
use crate::web::error::ApiError;

/// A model version: its scale and its qualities in spectrum order (mindset first).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelJson {
    /// The version label, kept with every assessment made with it.
    #[schema(example = "1")]
    pub version: String,
    /// The model's display name.
    pub name: String,
    /// The rating scale every quality is anchored on.
    pub scale: ScaleJson,
    /// The qualities, ordered by `position`.
    pub qualities: Vec<QualityJson>,
}

/// The rating scale: whole numbers from `min` to `max`, each level named.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleJson {
    #[schema(example = 1)]
    pub min: u8,
    #[schema(example = 5)]
    pub max: u8,
    /// One entry per value, ascending.
    pub levels: Vec<ScaleLevelJson>,
}

/// One named level of the scale.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleLevelJson {
    #[schema(example = 3)]
    pub value: u8,
    #[schema(example = "Consistent")]
    pub name: String,
}

/// Which end of the spectrum a quality leans to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SideJson {
    /// How a seller thinks (qualities 1–4 of the default model).
    Mindset,
    /// How a seller acts (qualities 5–8).
    Behaviour,
}

/// One quality of the model.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualityJson {
    /// The stable key ratings refer to.
    #[schema(example = "trust_building")]
    pub key: String,
    pub name: String,
    /// Place on the spectrum, 1 = most mindset.
    pub position: u8,
    pub side: SideJson,
    pub definition: String,
    /// Observable indicators of the quality.
    pub indicators: Vec<String>,
    /// A behavioural anchor for every level of the scale, ascending.
    pub levels: Vec<LevelAnchorJson>,
    /// Behavioural interview questions.
    pub interview_questions: Vec<String>,
    /// Coaching activities.
    pub coaching_activities: Vec<String>,
    /// Keys of the qualities this one draws on.
    pub links: Vec<String>,
}

/// What a quality looks like at one level of the scale.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelAnchorJson {
    pub value: u8,
    /// The scale's name for the level.
    pub name: String,
    /// Observable behaviour at that level.
    pub anchor: String,
}

/// The organisation's current model version. Every role may read it.
#[utoipa::path(
    get,
    path = "/model",
    tag = "model",
    operation_id = "get_model",
    responses(
        (status = 200, description = "The current model version, qualities in spectrum order.", body = ModelJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: ApiViewer,
) -> Result<Json<serde_json::Value>, ApiError> {
    let model = crate::web::current_model(&state, viewer.org.id).await?;
    Ok(Json(model.to_json()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_schema_matches_the_served_json_exactly() {
        let json = sellerq_domain::model::default_model().to_json();
        let parsed: ModelJson = match serde_json::from_value(json.clone()) {
            Ok(m) => m,
            Err(e) => panic!("GET /api/v1/model's JSON no longer matches ModelJson: {e}"),
        };
        assert_eq!(
            serde_json::to_value(&parsed).ok(),
            Some(json),
            "a field would be lost"
        );
    }
}
