//! `/api/v1/assessments`: the caller's own sheets — the list ("my assessments"), one sheet,
//! and saving it as a draft or submitting it.
//!
//! Every user may call these; what they reach is only their own sheets (as the person with
//! their e-mail in the organisation). Any other sheet is a 404, so nobody learns who rates
//! whom. The body's rules are the rating form's ([`check_sheet`]): a draft may be
//! incomplete; `submit: true` needs every quality answered (a score, or `null` for "not
//! observed") and evidence for scores at either end of the scale. A submitted sheet, or one
//! in a cycle that is not open, is refused with 409.
//!
//! [`check_sheet`]: sellerq_domain::assessment::check_sheet

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use sellerq_domain::FieldErrors;
use sellerq_domain::assessment::{Score, SheetEntry};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiViewer, ErrorBody};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};
use crate::web::pages::assessments::{
    SheetContext, nominate_peer, quality_key, save_entries, sheet_context, spectrum,
};
use crate::web::pages::cycles::{own_person, today};

/// One sheet on the caller's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyAssessmentJson {
    pub cycle_id: i64,
    #[schema(example = "2026-H1")]
    pub cycle: String,
    #[schema(required = true, format = Date)]
    pub due_date: Option<String>,
    /// Not submitted and past the due date.
    pub overdue: bool,
    pub subject: String,
    pub subject_name: String,
    /// The caller's role for this subject: `self`, `manager`, `peer` or `coach`.
    pub role: String,
    /// `not_started`, `draft` or `submitted`.
    pub state: String,
    pub answered: u32,
    /// Qualities of the cycle's model.
    pub qualities: u32,
}

#[utoipa::path(
    get,
    path = "/assessments",
    tag = "assessments",
    operation_id = "list_my_assessments",
    responses(
        (status = 200, description = "The caller's sheets in open cycles, by due date (empty when the caller has no person record).", body = [MyAssessmentJson]),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: ApiViewer,
) -> Result<Json<Vec<MyAssessmentJson>>, ApiError> {
    let store = state.store.as_ref();
    let Some(me) = own_person(store, viewer.org.id, &viewer.user.email).await? else {
        return Ok(Json(Vec::new()));
    };
    let list = store.my_assessments(viewer.org.id, &me, today()).await?;
    Ok(Json(
        list.into_iter()
            .map(|a| MyAssessmentJson {
                cycle_id: a.cycle_id,
                cycle: a.cycle.to_string(),
                due_date: a.due_date.map(sellerq_domain::person::format_date),
                overdue: a.overdue,
                subject: a.subject.as_str().to_owned(),
                subject_name: a.subject_name,
                role: a.role.as_str().to_owned(),
                state: a.state.as_str().to_owned(),
                answered: a.answered,
                qualities: a.qualities,
            })
            .collect(),
    ))
}

/// One quality's answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingJson {
    /// A quality key of the cycle's model.
    #[schema(example = "trust_building")]
    pub quality: String,
    /// A level on the model's scale; `null` = not observed.
    #[serde(default)]
    #[schema(required = true, example = 4)]
    pub score: Option<i64>,
    /// What the rater saw (required at either end of the scale when submitting).
    #[serde(default)]
    pub evidence: String,
}

/// A rater's sheet.
#[derive(Debug, Serialize, ToSchema)]
pub struct SheetJson {
    pub cycle_id: i64,
    pub cycle: String,
    pub subject: String,
    pub subject_name: String,
    pub role: String,
    /// `not_started`, `draft` or `submitted`.
    pub state: String,
    /// True when nothing may change (submitted, or the cycle is not open).
    pub read_only: bool,
    /// The answers so far, in spectrum order.
    pub ratings: Vec<RatingJson>,
}

fn sheet_json(ctx: &SheetContext) -> SheetJson {
    let entries = ctx
        .sheet
        .as_ref()
        .map(|s| s.entries.as_slice())
        .unwrap_or_default();
    let ratings = spectrum(&ctx.model)
        .into_iter()
        .filter_map(|q| entries.iter().find(|e| e.quality == q.key))
        .map(|e| RatingJson {
            quality: e.quality.as_str().to_owned(),
            score: e.score.map(|s| i64::from(s.value())),
            evidence: e.evidence.clone(),
        })
        .collect();
    SheetJson {
        cycle_id: ctx.cycle.id,
        cycle: ctx.cycle.name.to_string(),
        subject: ctx.assignment.subject.as_str().to_owned(),
        subject_name: ctx.assignment.subject_name.clone(),
        role: ctx.assignment.role.as_str().to_owned(),
        state: ctx.state().as_str().to_owned(),
        read_only: ctx.read_only(),
        ratings,
    }
}

/// Answers to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetBody {
    /// `true` makes the sheet final; `false` (the default) keeps it as a draft.
    #[serde(default)]
    pub submit: bool,
    /// Every answer given so far (replaces the draft's).
    pub ratings: Vec<RatingJson>,
}

async fn context(
    state: &AppState,
    viewer: &ApiViewer,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<SheetContext, ApiError> {
    let Path((cycle, subject)) = path.map_err(|_| AppError::NotFound)?;
    Ok(sheet_context(
        state.store.as_ref(),
        viewer.org.id,
        &viewer.user.email,
        &cycle,
        &subject,
    )
    .await?)
}

#[utoipa::path(
    get,
    path = "/assessments/{cycle}/{subject}",
    tag = "assessments",
    operation_id = "get_my_sheet",
    params(
        ("cycle" = i64, Path, description = "The cycle's id."),
        ("subject" = String, Path, description = "The subject's person id (the caller's own for a self-assessment)."),
    ),
    responses(
        (status = 200, description = "The caller's sheet for the subject.", body = SheetJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 404, description = "The caller is not an approved rater of this subject in this cycle.", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<SheetJson>, ApiError> {
    let ctx = context(&state, &viewer, path).await?;
    Ok(Json(sheet_json(&ctx)))
}

#[utoipa::path(
    put,
    path = "/assessments/{cycle}/{subject}",
    tag = "assessments",
    operation_id = "save_my_sheet",
    params(
        ("cycle" = i64, Path, description = "The cycle's id."),
        ("subject" = String, Path, description = "The subject's person id."),
    ),
    request_body = SheetBody,
    responses(
        (status = 200, description = "The sheet as saved.", body = SheetJson),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 404, description = "The caller is not an approved rater of this subject in this cycle.", body = ErrorBody),
        (status = 409, description = "The sheet is submitted, or the cycle is not open.", body = ErrorBody),
        (status = 422, description = "An unknown quality, a score off the scale, a missing answer or evidence; `fields` lists each as `score.<key>` / `evidence.<key>`.", body = ErrorBody),
    )
)]
pub async fn save(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<(String, String)>, PathRejection>,
    ApiJson(body): ApiJson<SheetBody>,
) -> Result<Json<SheetJson>, ApiError> {
    let ctx = context(&state, &viewer, path).await?;
    let mut errs = FieldErrors::default();
    let mut entries = Vec::new();
    for r in body.ratings {
        let key = match quality_key(&r.quality) {
            Ok(k) => k,
            Err(m) => {
                errs.push(&format!("score.{}", r.quality), m);
                continue;
            }
        };
        let score = match r.score {
            None => None,
            Some(v) => match Score::new(v, &ctx.model.scale) {
                Ok(s) => Some(s),
                Err(m) => {
                    errs.push(&format!("score.{key}"), m);
                    continue;
                }
            },
        };
        entries.push(SheetEntry {
            quality: key,
            score,
            evidence: r.evidence.trim().to_owned(),
        });
    }
    if !errs.is_empty() {
        crate::web::pages::assessments::check_writable(&ctx)?;
        return Err(AppError::Invalid(errs).into());
    }
    save_entries(
        state.store.as_ref(),
        viewer.org.id,
        &ctx,
        entries,
        body.submit,
        &viewer.actor(),
    )
    .await?;
    let ctx = sheet_context(
        state.store.as_ref(),
        viewer.org.id,
        &viewer.user.email,
        &ctx.cycle.id.to_string(),
        ctx.assignment.subject.as_str(),
    )
    .await?;
    Ok(Json(sheet_json(&ctx)))
}

/// A peer the caller proposes to rate them in a cycle they take part in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationBody {
    /// The cycle's id.
    pub cycle_id: i64,
    /// The colleague's person id or e-mail.
    #[schema(example = "p-0042")]
    pub peer: String,
}

#[utoipa::path(
    post,
    path = "/assessments/nominations",
    tag = "assessments",
    operation_id = "nominate_peer",
    request_body = NominationBody,
    responses(
        (status = 202, description = "Nominated: the manager decides. (Also the answer when the colleague was already asked: nobody learns who rates them.)"),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 404, description = "No such cycle with the caller as a participant.", body = ErrorBody),
        (status = 409, description = "The cycle is closed or collects no peer ratings.", body = ErrorBody),
        (status = 422, description = "The peer is not a colleague of the organisation, or is the caller.", body = ErrorBody),
    )
)]
pub async fn nominate(
    State(state): State<AppState>,
    viewer: ApiViewer,
    ApiJson(body): ApiJson<NominationBody>,
) -> Result<axum::http::StatusCode, ApiError> {
    nominate_peer(
        state.store.as_ref(),
        viewer.org.id,
        &viewer.user.email,
        &body.cycle_id.to_string(),
        &body.peer,
        &viewer.actor(),
    )
    .await?;
    Ok(axum::http::StatusCode::ACCEPTED)
}
