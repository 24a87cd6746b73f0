//! `/api/v1/teams`: list, create, get, replace and delete teams.
//!
//! Reading needs a role that views teams (admin, leader, manager, coach) and a team within the
//! caller's scope; writing needs a role that manages teams (admin, leader). A team outside the
//! scope, of another organisation or unknown is a 404.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sellerq_domain::{Team, TeamInput};
use sellerq_store::TeamSummary;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiViewer, ErrorBody, path_param};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};

/// A team.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TeamJson {
    /// The team's number, assigned by sellerq.
    #[schema(example = 3)]
    pub id: i64,
    /// Unique within the organisation.
    #[schema(example = "East")]
    pub name: String,
    /// The parent team's id, for a sub-team.
    #[schema(required = true)]
    pub parent_id: Option<i64>,
    /// The id of the person who manages the team.
    #[schema(required = true, example = "p-0007")]
    pub manager: Option<String>,
    /// A free description (may be empty).
    pub description: String,
    /// How many people belong to the team itself (not counting sub-teams).
    #[schema(example = 8)]
    pub people: i64,
}

impl TeamJson {
    fn new(team: &Team, people: i64) -> Self {
        Self {
            id: team.id,
            name: team.name.clone(),
            parent_id: team.parent_id,
            manager: team.manager.as_ref().map(|m| m.as_str().to_owned()),
            description: team.description.clone(),
            people,
        }
    }
}

impl From<&TeamSummary> for TeamJson {
    fn from(s: &TeamSummary) -> Self {
        Self::new(&s.team, s.people)
    }
}

/// A team to create, or the full new state of one to replace. Unknown fields are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamBody {
    /// Required; unique within the organisation.
    #[schema(example = "East Inbound", min_length = 1, max_length = 100)]
    pub name: String,
    /// The parent team's id (a team of the same organisation; no cycles).
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// The id of the person who manages the team (a person of the organisation).
    #[serde(default)]
    pub manager: Option<String>,
    /// A free description, at most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

impl TeamBody {
    fn into_input(self) -> Result<TeamInput, AppError> {
        TeamInput::parse(
            &self.name,
            self.parent_id,
            self.manager.as_deref(),
            self.description.as_deref().unwrap_or_default(),
        )
        .map_err(AppError::Invalid)
    }
}

/// A team id from the path; anything but a number names no team.
fn team_id(raw: &str) -> Result<i64, ApiError> {
    raw.trim().parse().map_err(|_| ApiError(AppError::NotFound))
}

/// The team with its head count, if the viewer may see it.
async fn visible(state: &AppState, viewer: &ApiViewer, id: i64) -> Result<TeamJson, ApiError> {
    if !viewer.scope.sees_team(id) {
        return Err(AppError::NotFound.into());
    }
    let teams = state.store.list_teams(viewer.org.id, &viewer.scope).await?;
    teams
        .iter()
        .find(|s| s.team.id == id)
        .map(TeamJson::from)
        .ok_or_else(|| AppError::NotFound.into())
}

/// The teams the caller may see, ordered by name.
#[utoipa::path(
    get,
    path = "/teams",
    tag = "teams",
    operation_id = "list_teams",
    responses(
        (status = 200, description = "The teams within the caller's scope.", body = [TeamJson]),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role does not view teams (seller, interviewer).", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: ApiViewer,
) -> Result<Json<Vec<TeamJson>>, ApiError> {
    viewer.require(viewer.role.can_view_teams())?;
    let teams = state.store.list_teams(viewer.org.id, &viewer.scope).await?;
    Ok(Json(teams.iter().map(TeamJson::from).collect()))
}

/// Creates a team.
#[utoipa::path(
    post,
    path = "/teams",
    tag = "teams",
    operation_id = "create_team",
    request_body = TeamBody,
    responses(
        (status = 201, description = "Created.", body = TeamJson,
            headers(("Location" = String, description = "The new team's URL."))),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role does not manage teams.", body = ErrorBody),
        (status = 409, description = "The name is taken.", body = ErrorBody),
        (status = 422, description = "A field is invalid or unknown; `field` names it.", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: ApiViewer,
    ApiJson(body): ApiJson<TeamBody>,
) -> Result<Response, ApiError> {
    viewer.require(viewer.role.can_manage_teams())?;
    let input = body.into_input()?;
    let team = state
        .store
        .create_team(viewer.org.id, &input, &viewer.actor())
        .await?;
    let location = format!("/api/v1/teams/{}", team.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(TeamJson::new(&team, 0)),
    )
        .into_response())
}

/// One team.
#[utoipa::path(
    get,
    path = "/teams/{id}",
    tag = "teams",
    operation_id = "get_team",
    params(("id" = i64, Path, description = "The team's id.")),
    responses(
        (status = 200, description = "The team.", body = TeamJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role does not view teams.", body = ErrorBody),
        (status = 404, description = "No such team within the caller's scope.", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<TeamJson>, ApiError> {
    viewer.require(viewer.role.can_view_teams())?;
    let id = team_id(&path_param(path)?)?;
    visible(&state, &viewer, id).await.map(Json)
}

/// Replaces a team's fields.
#[utoipa::path(
    put,
    path = "/teams/{id}",
    tag = "teams",
    operation_id = "update_team",
    params(("id" = i64, Path, description = "The team's id.")),
    request_body = TeamBody,
    responses(
        (status = 200, description = "The team as saved.", body = TeamJson),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role does not manage teams.", body = ErrorBody),
        (status = 404, description = "No such team.", body = ErrorBody),
        (status = 409, description = "The name is taken.", body = ErrorBody),
        (status = 422, description = "A field is invalid or unknown (a parent that would make a cycle, too).", body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<TeamBody>,
) -> Result<Json<TeamJson>, ApiError> {
    viewer.require(viewer.role.can_manage_teams())?;
    let id = team_id(&path_param(path)?)?;
    visible(&state, &viewer, id).await?;
    let input = body.into_input()?;
    state
        .store
        .update_team(viewer.org.id, id, &input, &viewer.actor())
        .await?;
    visible(&state, &viewer, id).await.map(Json)
}

/// Deletes an empty team.
#[utoipa::path(
    delete,
    path = "/teams/{id}",
    tag = "teams",
    operation_id = "delete_team",
    params(("id" = i64, Path, description = "The team's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role does not manage teams.", body = ErrorBody),
        (status = 404, description = "No such team.", body = ErrorBody),
        (status = 409, description = "People or sub-teams still belong to the team.", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    viewer.require(viewer.role.can_manage_teams())?;
    let id = team_id(&path_param(path)?)?;
    visible(&state, &viewer, id).await?;
    state
        .store
        .delete_team(viewer.org.id, id, &viewer.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
