//! `/api/v1/cycles`: assessment cycles, their participants and raters, and completion.
//!
//! The pages' rules (see [`crate::web::pages::cycles`]): admins and leaders run every cycle;
//! a manager sees the cycles that include their people (or none yet), manages participants
//! and raters of their own people only, and edits or changes the status of a cycle only when
//! every participant is theirs (403 otherwise); everyone else gets 403. A cycle the caller may
//! not see is a 404. Rater identities appear here only for those who run the cycle, never in
//! any seller-facing route.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sellerq_domain::assessment::{AssignmentStatus, CycleInput, CycleStatus, RaterRole};
use sellerq_domain::person::format_date;
use sellerq_domain::{FieldErrors, PersonId};
use sellerq_store::{
    Assignment, Completion, CompletionCounts, Cycle, NewAssignment, Participant, ParticipantRef,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiViewer, ErrorBody, path_param};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};
use crate::web::pages::cycles::{
    CycleView, check_participants, cycle_id, cycle_view, scoped_completion, today, visible_cycles,
};

/// A cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct CycleJson {
    pub id: i64,
    #[schema(example = "2026-H1")]
    pub name: String,
    /// `draft`, `open` or `closed`.
    #[schema(example = "open")]
    pub status: String,
    /// Frozen once the cycle leaves draft.
    pub model_version_id: i64,
    /// ISO date `YYYY-MM-DD`, or `null`.
    #[schema(required = true, format = Date)]
    pub due_date: Option<String>,
    /// The rater roles collected: `self`, `manager`, `peer`, `coach`.
    #[schema(example = json!(["self", "manager", "peer"]))]
    pub rater_roles: Vec<String>,
    /// True when the caller may edit it and change its status.
    pub manage: bool,
}

fn cycle_json(c: &Cycle, manage: bool) -> CycleJson {
    CycleJson {
        id: c.id,
        name: c.name.to_string(),
        status: c.status.as_str().to_owned(),
        model_version_id: c.model_version_id,
        due_date: c.due_date.map(format_date),
        rater_roles: c
            .rater_roles
            .roles()
            .map(|r| r.as_str().to_owned())
            .collect(),
        manage,
    }
}

/// A cycle to create, or the new settings of one (a closed cycle changes nothing; the model
/// version only while it is a draft without ratings). Unknown fields are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleBody {
    #[schema(example = "2026-H1", min_length = 1, max_length = 40)]
    pub name: String,
    /// Absent: the organisation's current version (create) or the cycle's own (replace).
    #[serde(default)]
    pub model_version_id: Option<i64>,
    /// ISO date `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(format = Date, example = "2026-06-30")]
    pub due_date: Option<String>,
    /// Absent: all four roles.
    #[serde(default)]
    #[schema(example = json!(["self", "manager", "peer", "coach"]))]
    pub rater_roles: Option<Vec<String>>,
}

impl CycleBody {
    fn into_input(self) -> Result<CycleInput, AppError> {
        let roles: Vec<String> = self.rater_roles.unwrap_or_else(|| {
            ["self", "manager", "peer", "coach"]
                .map(String::from)
                .to_vec()
        });
        let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
        CycleInput::parse(
            &self.name,
            self.model_version_id,
            self.due_date.as_deref().unwrap_or_default(),
            &roles,
        )
        .map_err(AppError::Invalid)
    }
}

async fn view(state: &AppState, viewer: &ApiViewer, raw: &str) -> Result<CycleView, ApiError> {
    Ok(cycle_view(
        state.store.as_ref(),
        viewer.org.id,
        viewer.role,
        &viewer.scope,
        cycle_id(raw)?,
    )
    .await?)
}

fn managed(v: &CycleView) -> Result<(), ApiError> {
    if v.manage {
        Ok(())
    } else {
        Err(ApiError(AppError::Forbidden))
    }
}

#[utoipa::path(
    get,
    path = "/cycles",
    tag = "cycles",
    operation_id = "list_cycles",
    responses(
        (status = 200, description = "The cycles the caller sees, by name.", body = [CycleJson]),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role runs no cycles (coach, seller, interviewer).", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: ApiViewer,
) -> Result<Json<Vec<CycleJson>>, ApiError> {
    let cycles = visible_cycles(
        state.store.as_ref(),
        viewer.org.id,
        viewer.role,
        &viewer.scope,
    )
    .await?;
    Ok(Json(
        cycles.iter().map(|(c, _, m)| cycle_json(c, *m)).collect(),
    ))
}

#[utoipa::path(
    post,
    path = "/cycles",
    tag = "cycles",
    operation_id = "create_cycle",
    request_body = CycleBody,
    responses(
        (status = 201, description = "Created, as a draft.", body = CycleJson,
            headers(("Location" = String, description = "The new cycle's URL."))),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role runs no cycles.", body = ErrorBody),
        (status = 409, description = "The name is taken.", body = ErrorBody),
        (status = 422, description = "A field is invalid or unknown; `field` names it.", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: ApiViewer,
    ApiJson(body): ApiJson<CycleBody>,
) -> Result<Response, ApiError> {
    viewer.require(crate::web::pages::cycles::runs_cycles(viewer.role))?;
    let input = body.into_input()?;
    let c = state
        .store
        .create_cycle(viewer.org.id, &input, &viewer.actor())
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/cycles/{}", c.id))],
        Json(cycle_json(&c, true)),
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/cycles/{id}",
    tag = "cycles",
    operation_id = "get_cycle",
    params(("id" = i64, Path, description = "The cycle's id.")),
    responses(
        (status = 200, description = "The cycle.", body = CycleJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role runs no cycles.", body = ErrorBody),
        (status = 404, description = "No such cycle the caller may see.", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<CycleJson>, ApiError> {
    let v = view(&state, &viewer, &path_param(path)?).await?;
    Ok(Json(cycle_json(&v.cycle, v.manage)))
}

#[utoipa::path(
    put,
    path = "/cycles/{id}",
    tag = "cycles",
    operation_id = "update_cycle",
    params(("id" = i64, Path, description = "The cycle's id.")),
    request_body = CycleBody,
    responses(
        (status = 200, description = "The cycle as saved.", body = CycleJson),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The caller does not manage this cycle.", body = ErrorBody),
        (status = 404, description = "No such cycle the caller may see.", body = ErrorBody),
        (status = 409, description = "The name is taken, the cycle is closed, or the model version is frozen.", body = ErrorBody),
        (status = 422, description = "A field is invalid or unknown.", body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<CycleBody>,
) -> Result<Json<CycleJson>, ApiError> {
    let v = view(&state, &viewer, &path_param(path)?).await?;
    managed(&v)?;
    let input = body.into_input()?;
    let c = state
        .store
        .update_cycle(viewer.org.id, v.cycle.id, &input, &viewer.actor())
        .await?;
    Ok(Json(cycle_json(&c, true)))
}

/// Deletes a draft cycle that holds no ratings, with its participants and raters. The page's
/// rule (`POST /cycles/{id}/delete`): only those who manage the cycle, and a cycle that has
/// been opened or holds ratings is closed instead.
#[utoipa::path(
    delete,
    path = "/cycles/{id}",
    tag = "cycles",
    operation_id = "delete_cycle",
    params(("id" = i64, Path, description = "The cycle's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The caller does not manage this cycle.", body = ErrorBody),
        (status = 404, description = "No such cycle the caller may see.", body = ErrorBody),
        (status = 409, description = "Not a draft, or the cycle holds ratings: close it instead.", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let v = view(&state, &viewer, &path_param(path)?).await?;
    managed(&v)?;
    state
        .store
        .delete_cycle(viewer.org.id, v.cycle.id, &viewer.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// `open` (from draft, or reopening a closed cycle) or `closed`.
    #[schema(example = "open")]
    pub status: String,
}

#[utoipa::path(
    post,
    path = "/cycles/{id}/status",
    tag = "cycles",
    operation_id = "set_cycle_status",
    params(("id" = i64, Path, description = "The cycle's id.")),
    request_body = StatusBody,
    responses(
        (status = 200, description = "The cycle in its new status.", body = CycleJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The caller does not manage this cycle.", body = ErrorBody),
        (status = 404, description = "No such cycle the caller may see.", body = ErrorBody),
        (status = 422, description = "Not a status, or not a move the cycle can make.", body = ErrorBody),
    )
)]
pub async fn set_status(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<CycleJson>, ApiError> {
    let v = view(&state, &viewer, &path_param(path)?).await?;
    managed(&v)?;
    let status = body
        .status
        .parse::<CycleStatus>()
        .map_err(|m| AppError::invalid("status", m))?;
    let c = state
        .store
        .set_cycle_status(viewer.org.id, v.cycle.id, status, &viewer.actor())
        .await?;
    Ok(Json(cycle_json(&c, true)))
}

/// A participant (subject) of a cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantJson {
    pub subject: String,
    pub name: String,
    #[schema(required = true)]
    pub team: Option<String>,
}

impl From<&Participant> for ParticipantJson {
    fn from(p: &Participant) -> Self {
        Self {
            subject: p.subject.as_str().to_owned(),
            name: p.name.clone(),
            team: p.team.clone(),
        }
    }
}

/// People and whole teams to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantsBody {
    /// Person ids.
    #[serde(default)]
    pub people: Vec<String>,
    /// Team ids: their people and their sub-teams' people.
    #[serde(default)]
    pub teams: Vec<i64>,
}

/// How many were added.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedJson {
    pub added: u64,
}

#[utoipa::path(
    get,
    path = "/cycles/{id}/participants",
    tag = "cycles",
    operation_id = "list_cycle_participants",
    params(("id" = i64, Path, description = "The cycle's id.")),
    responses(
        (status = 200, description = "The participants the caller sees.", body = [ParticipantJson]),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role runs no cycles.", body = ErrorBody),
        (status = 404, description = "No such cycle the caller may see.", body = ErrorBody),
    )
)]
pub async fn participants(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<ParticipantJson>>, ApiError> {
    let v = view(&state, &viewer, &path_param(path)?).await?;
    let parts = state.store.participants(viewer.org.id, v.cycle.id).await?;
    Ok(Json(
        parts
            .iter()
            .filter(|p| v.sees(p.subject.as_str()))
            .map(ParticipantJson::from)
            .collect(),
    ))
}

#[utoipa::path(
    post,
    path = "/cycles/{id}/participants",
    tag = "cycles",
    operation_id = "add_cycle_participants",
    params(("id" = i64, Path, description = "The cycle's id.")),
    request_body = ParticipantsBody,
    responses(
        (status = 200, description = "Added (people already in are skipped).", body = AddedJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role runs no cycles.", body = ErrorBody),
        (status = 404, description = "No such cycle the caller may see.", body = ErrorBody),
        (status = 409, description = "The cycle is closed.", body = ErrorBody),
        (status = 422, description = "An unknown person or team, or (for a manager) one they do not look after.", body = ErrorBody),
    )
)]
pub async fn add_participants(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<ParticipantsBody>,
) -> Result<Json<AddedJson>, ApiError> {
    let v = view(&state, &viewer, &path_param(path)?).await?;
    let mut errs = FieldErrors::default();
    let mut who = Vec::new();
    for raw in &body.people {
        match PersonId::parse(raw) {
            Ok(p) => who.push(ParticipantRef::Person(p)),
            Err(m) => errs.push("people", m),
        }
    }
    who.extend(body.teams.iter().map(|t| ParticipantRef::Team(*t)));
    errs.into_result(()).map_err(AppError::Invalid)?;
    if who.is_empty() {
        return Err(AppError::invalid("people", "name people or teams to add").into());
    }
    check_participants(&v, &viewer.scope, &who)?;
    let added = state
        .store
        .add_participants(viewer.org.id, v.cycle.id, &who, &viewer.actor())
        .await?;
    Ok(Json(AddedJson { added }))
}

/// A rater assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentJson {
    pub subject: String,
    pub subject_name: String,
    pub rater: String,
    pub rater_name: String,
    /// `self`, `manager`, `peer` or `coach`.
    pub role: String,
    /// `nominated`, `approved` or `declined`.
    pub status: String,
    /// `not_started`, `draft` or `submitted`.
    pub state: String,
    /// Qualities answered so far.
    pub answered: u32,
}

impl From<&Assignment> for AssignmentJson {
    fn from(a: &Assignment) -> Self {
        Self {
            subject: a.subject.as_str().to_owned(),
            subject_name: a.subject_name.clone(),
            rater: a.rater.as_str().to_owned(),
            rater_name: a.rater_name.clone(),
            role: a.role.as_str().to_owned(),
            status: a.status.as_str().to_owned(),
            state: a.state.as_str().to_owned(),
            answered: a.answered,
        }
    }
}

/// A rater to assign to a participant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaterBody {
    /// The participant to rate.
    pub subject: String,
    /// A person id of the organisation.
    pub rater: String,
    /// `manager`, `peer` or `coach` (a role the cycle collects).
    pub role: String,
}

/// A decision on an assignment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `approved` or `declined`.
    pub status: String,
}

#[utoipa::path(
    get,
    path = "/cycles/{id}/raters",
    tag = "cycles",
    operation_id = "list_cycle_raters",
    params(("id" = i64, Path, description = "The cycle's id.")),
    responses(
        (status = 200, description = "The assignments of the participants the caller sees.", body = [AssignmentJson]),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role runs no cycles.", body = ErrorBody),
        (status = 404, description = "No such cycle the caller may see.", body = ErrorBody),
    )
)]
pub async fn raters(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<AssignmentJson>>, ApiError> {
    let v = view(&state, &viewer, &path_param(path)?).await?;
    let all = state
        .store
        .assignments(viewer.org.id, v.cycle.id, None)
        .await?;
    Ok(Json(
        all.iter()
            .filter(|a| v.sees(a.subject.as_str()))
            .map(AssignmentJson::from)
            .collect(),
    ))
}

#[utoipa::path(
    post,
    path = "/cycles/{id}/raters",
    tag = "cycles",
    operation_id = "assign_cycle_rater",
    params(("id" = i64, Path, description = "The cycle's id.")),
    request_body = RaterBody,
    responses(
        (status = 201, description = "Assigned and approved.", body = AssignmentJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role runs no cycles.", body = ErrorBody),
        (status = 404, description = "No such cycle, or a subject the caller does not see.", body = ErrorBody),
        (status = 409, description = "The rater is already assigned to the subject.", body = ErrorBody),
        (status = 422, description = "A role the cycle does not collect, or a rater who is not a person of the organisation.", body = ErrorBody),
    )
)]
pub async fn assign(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<RaterBody>,
) -> Result<Response, ApiError> {
    let v = view(&state, &viewer, &path_param(path)?).await?;
    let subject = PersonId::parse(&body.subject)
        .ok()
        .filter(|s| v.sees(s.as_str()))
        .ok_or(AppError::NotFound)?;
    let rater = PersonId::parse(&body.rater).map_err(|m| AppError::invalid("rater", m))?;
    let role = body
        .role
        .parse::<RaterRole>()
        .map_err(|m| AppError::invalid("role", m))?;
    let a = state
        .store
        .assign_rater(
            viewer.org.id,
            v.cycle.id,
            &NewAssignment {
                subject,
                rater,
                role,
                status: AssignmentStatus::Approved,
            },
            &viewer.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(AssignmentJson::from(&a))).into_response())
}

#[utoipa::path(
    put,
    path = "/cycles/{id}/raters/{subject}/{rater}",
    tag = "cycles",
    operation_id = "decide_cycle_rater",
    params(
        ("id" = i64, Path, description = "The cycle's id."),
        ("subject" = String, Path, description = "The participant's person id."),
        ("rater" = String, Path, description = "The rater's person id."),
    ),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "The assignment with its new status.", body = AssignmentJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role runs no cycles.", body = ErrorBody),
        (status = 404, description = "No such cycle or assignment the caller may see.", body = ErrorBody),
        (status = 409, description = "The rater has already submitted.", body = ErrorBody),
        (status = 422, description = "Not a status.", body = ErrorBody),
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<(String, String, String)>, PathRejection>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<AssignmentJson>, ApiError> {
    let Path((raw, subject, rater)) = path.map_err(|_| AppError::NotFound)?;
    let v = view(&state, &viewer, &raw).await?;
    let subject = PersonId::parse(&subject)
        .ok()
        .filter(|s| v.sees(s.as_str()))
        .ok_or(AppError::NotFound)?;
    let rater = PersonId::parse(&rater).map_err(|_| AppError::NotFound)?;
    let status = body
        .status
        .parse::<AssignmentStatus>()
        .map_err(|m| AppError::invalid("status", m))?;
    let a = state
        .store
        .set_assignment_status(
            viewer.org.id,
            v.cycle.id,
            &subject,
            &rater,
            status,
            &viewer.actor(),
        )
        .await?;
    Ok(Json(AssignmentJson::from(&a)))
}

/// Sheets per state.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsJson {
    /// Approved assignments.
    pub assigned: u32,
    pub submitted: u32,
    /// Not submitted, not yet due.
    pub outstanding: u32,
    /// Not submitted, past the due date.
    pub overdue: u32,
    /// Of the unsubmitted, how many have a draft.
    pub in_draft: u32,
}

impl From<CompletionCounts> for CountsJson {
    fn from(c: CompletionCounts) -> Self {
        Self {
            assigned: c.assigned,
            submitted: c.submitted,
            outstanding: c.outstanding,
            overdue: c.overdue,
            in_draft: c.in_draft,
        }
    }
}

/// One rater's or one subject's progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsLine {
    /// The person id.
    pub id: String,
    pub name: String,
    pub counts: CountsJson,
}

/// A cycle's completion today.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionJson {
    pub cycle_id: i64,
    #[schema(required = true, format = Date)]
    pub due_date: Option<String>,
    pub past_due: bool,
    pub totals: CountsJson,
    /// By rater name.
    pub raters: Vec<CountsLine>,
    /// By subject name.
    pub subjects: Vec<CountsLine>,
}

fn completion_json(c: &Completion) -> CompletionJson {
    CompletionJson {
        cycle_id: c.cycle_id,
        due_date: c.due_date.map(format_date),
        past_due: c.past_due,
        totals: c.totals.into(),
        raters: c
            .raters
            .iter()
            .map(|r| CountsLine {
                id: r.rater.as_str().to_owned(),
                name: r.name.clone(),
                counts: r.counts.into(),
            })
            .collect(),
        subjects: c
            .subjects
            .iter()
            .map(|s| CountsLine {
                id: s.subject.as_str().to_owned(),
                name: s.name.clone(),
                counts: s.counts.into(),
            })
            .collect(),
    }
}

#[utoipa::path(
    get,
    path = "/cycles/{id}/completion",
    tag = "cycles",
    operation_id = "get_cycle_completion",
    params(("id" = i64, Path, description = "The cycle's id.")),
    responses(
        (status = 200, description = "Submitted, outstanding and overdue sheets per rater and per subject (a manager: their people only).", body = CompletionJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role runs no cycles.", body = ErrorBody),
        (status = 404, description = "No such cycle the caller may see.", body = ErrorBody),
    )
)]
pub async fn completion(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<CompletionJson>, ApiError> {
    let v = view(&state, &viewer, &path_param(path)?).await?;
    let c = scoped_completion(state.store.as_ref(), viewer.org.id, &v, today()).await?;
    Ok(Json(completion_json(&c)))
}
