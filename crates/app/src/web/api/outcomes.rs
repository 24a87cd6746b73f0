//! `/api/v1/metrics` and `/api/v1/people/{id}/outcomes`: the organisation's outcome metrics,
//! and each seller's outcomes per period and metric (outcomes.csv of FORMATS.md, one row at a
//! time).
//!
//! Who may do what: every member reads the metrics, admins define them. A person's outcomes are
//! read by whoever may see the person (a seller their own); admins, leaders and managers (for
//! the people they look after) record and delete them. A role that may not write gets a 403
//! before anything is looked up; a person outside the caller's scope, of another organisation
//! or not at all is a 404.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sellerq_domain::outcome::{
    Metric, OutcomeInput, can_manage_metrics, can_record_outcomes, check_metric_key, check_period,
};
use sellerq_domain::role::Reach;
use sellerq_domain::{FieldErrors, Person, PersonId};
use sellerq_store::{OutcomeFilter, OutcomeRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiViewer, ErrorBody, path_param};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};

/// An outcome metric of the organisation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MetricJson {
    /// Lower snake case: the `metric` column of outcomes.csv.
    #[schema(example = "quota_attainment")]
    pub key: String,
    #[schema(example = "Quota attainment")]
    pub label: String,
    /// `ratio` means 1.0 = 100 %.
    #[schema(example = "ratio")]
    pub unit: String,
    pub higher_is_better: bool,
}

impl From<&Metric> for MetricJson {
    fn from(m: &Metric) -> Self {
        Self {
            key: m.key.clone(),
            label: m.label.clone(),
            unit: m.unit.clone(),
            higher_is_better: m.higher_is_better,
        }
    }
}

/// A metric to create, or to replace the label, unit and direction of (by key).
/// Unknown fields are refused, naming them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricBody {
    /// `[a-z][a-z0-9_]{0,39}`.
    #[schema(example = "win_rate", pattern = "^[a-z][a-z0-9_]{0,39}$")]
    pub key: String,
    /// 1–80 characters.
    #[schema(example = "Win rate", min_length = 1, max_length = 80)]
    pub label: String,
    /// At most 20 characters; `ratio` shows values as percentages. Default: none.
    #[serde(default)]
    #[schema(example = "ratio", max_length = 20)]
    pub unit: String,
    /// Default: true.
    #[serde(default = "yes")]
    pub higher_is_better: bool,
}

fn yes() -> bool {
    true
}

/// One outcome of a person.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OutcomeJson {
    /// The person's id.
    #[schema(example = "p-0042")]
    pub subject: String,
    /// `YYYY-Qn`, `YYYY-Hn`, `YYYY-MM` or `YYYY`.
    #[schema(example = "2026-Q3")]
    pub period: String,
    /// A metric key.
    #[schema(example = "quota_attainment")]
    pub metric: String,
    #[schema(example = 0.93)]
    pub value: f64,
}

impl From<&OutcomeRecord> for OutcomeJson {
    fn from(r: &OutcomeRecord) -> Self {
        Self {
            subject: r.subject.as_str().to_owned(),
            period: r.period.clone(),
            metric: r.metric.clone(),
            value: r.value,
        }
    }
}

/// One outcome to record for the person in the path; replaces the value stored for the same
/// period and metric. Unknown fields are refused, naming them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// `YYYY-Qn`, `YYYY-Hn`, `YYYY-MM` or `YYYY`.
    #[schema(example = "2026-Q3")]
    pub period: String,
    /// One of the organisation's metric keys.
    #[schema(example = "quota_attainment")]
    pub metric: String,
    /// A finite number (`quota_attainment`: 1.0 = 100 %).
    #[schema(example = 0.93)]
    pub value: f64,
}

/// Filter of `GET /people/{id}/outcomes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutcomesQuery {
    /// Only this metric's outcomes.
    pub metric: Option<String>,
}

/// Which outcome `DELETE /people/{id}/outcomes` removes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutcomeKey {
    /// The outcome's period.
    pub period: Option<String>,
    /// The outcome's metric key.
    pub metric: Option<String>,
}

fn bad_query(e: QueryRejection) -> AppError {
    AppError::BadRequest {
        field: None,
        message: e.body_text(),
    }
}

/// A person id from the path; one that could never be valid names nobody.
fn person_id(raw: &str) -> Result<PersonId, ApiError> {
    PersonId::parse(raw).map_err(|_| ApiError(AppError::NotFound))
}

/// The person, if the viewer may see them.
async fn visible(state: &AppState, viewer: &ApiViewer, id: &PersonId) -> Result<Person, ApiError> {
    state
        .store
        .person(viewer.org.id, id)
        .await?
        .filter(|p| viewer.scope.sees_person(p))
        .ok_or_else(|| AppError::NotFound.into())
}

/// The organisation's metrics, by key.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "outcomes",
    operation_id = "list_metrics",
    responses(
        (status = 200, description = "Every metric of the organisation, `quota_attainment` always among them.", body = [MetricJson]),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
    )
)]
pub async fn list_metrics(
    State(state): State<AppState>,
    viewer: ApiViewer,
) -> Result<Json<Vec<MetricJson>>, ApiError> {
    let metrics = state.store.metrics(viewer.org.id).await?;
    Ok(Json(metrics.iter().map(MetricJson::from).collect()))
}

/// Creates a metric, or replaces the label, unit and direction of the metric with that key.
#[utoipa::path(
    post,
    path = "/metrics",
    tag = "outcomes",
    operation_id = "save_metric",
    request_body = MetricBody,
    responses(
        (status = 200, description = "The metric existed and was replaced.", body = MetricJson),
        (status = 201, description = "Created.", body = MetricJson),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "Only admins define metrics.", body = ErrorBody),
        (status = 422, description = "A field is invalid or unknown; `field` names it.", body = ErrorBody),
    )
)]
pub async fn save_metric(
    State(state): State<AppState>,
    viewer: ApiViewer,
    ApiJson(body): ApiJson<MetricBody>,
) -> Result<Response, ApiError> {
    viewer.require(can_manage_metrics(viewer.role))?;
    let metric = Metric {
        key: body.key.trim().to_owned(),
        label: body.label,
        unit: body.unit,
        higher_is_better: body.higher_is_better,
    }
    .trimmed();
    metric.check().map_err(AppError::Invalid)?;
    let existed = state
        .store
        .metrics(viewer.org.id)
        .await?
        .iter()
        .any(|m| m.key == metric.key);
    let saved = state
        .store
        .save_metric(viewer.org.id, &metric, &viewer.actor())
        .await?;
    let status = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(MetricJson::from(&saved))).into_response())
}

/// Deletes a metric that no outcome uses (never `quota_attainment`).
#[utoipa::path(
    delete,
    path = "/metrics/{key}",
    tag = "outcomes",
    operation_id = "delete_metric",
    params(("key" = String, Path, description = "The metric's key.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "Only admins define metrics.", body = ErrorBody),
        (status = 404, description = "No such metric.", body = ErrorBody),
        (status = 409, description = "Outcomes use the metric, or it is the default metric.", body = ErrorBody),
    )
)]
pub async fn delete_metric(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    viewer.require(can_manage_metrics(viewer.role))?;
    let key = path_param(path)?;
    state
        .store
        .delete_metric(viewer.org.id, key.trim(), &viewer.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A person's outcomes, by metric then period.
#[utoipa::path(
    get,
    path = "/people/{id}/outcomes",
    tag = "outcomes",
    operation_id = "list_outcomes",
    params(
        ("id" = String, Path, description = "The person's own id (people.csv `id`)."),
        OutcomesQuery
    ),
    responses(
        (status = 200, description = "The person's outcomes.", body = [OutcomeJson]),
        (status = 400, description = "The query cannot be read.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role sees no people (interviewer).", body = ErrorBody),
        (status = 404, description = "No such person within the caller's scope (a seller sees only themselves).", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<OutcomesQuery>, QueryRejection>,
) -> Result<Json<Vec<OutcomeJson>>, ApiError> {
    viewer.require(viewer.role.reach() != Reach::Nothing)?;
    let id = person_id(&path_param(path)?)?;
    let Query(query) = query.map_err(bad_query)?;
    let person = visible(&state, &viewer, &id).await?;
    let filter = OutcomeFilter {
        subject: Some(person.id),
        metric: query
            .metric
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty()),
    };
    let records = state.store.outcomes(viewer.org.id, &filter).await?;
    Ok(Json(records.iter().map(OutcomeJson::from).collect()))
}

/// Records one outcome of a person, replacing the value stored for the same period and metric.
#[utoipa::path(
    put,
    path = "/people/{id}/outcomes",
    tag = "outcomes",
    operation_id = "set_outcome",
    params(("id" = String, Path, description = "The person's own id (people.csv `id`).")),
    request_body = OutcomeBody,
    responses(
        (status = 200, description = "The outcome as saved.", body = OutcomeJson),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role does not record outcomes (coach, seller, interviewer).", body = ErrorBody),
        (status = 404, description = "No such person within the caller's scope.", body = ErrorBody),
        (status = 422, description = "The period, metric or value is invalid, the metric unknown, or a field unknown; `field` names it.", body = ErrorBody),
    )
)]
pub async fn set(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<OutcomeBody>,
) -> Result<Json<OutcomeJson>, ApiError> {
    viewer.require(can_record_outcomes(viewer.role))?;
    let id = person_id(&path_param(path)?)?;
    let person = visible(&state, &viewer, &id).await?;
    let input = OutcomeInput {
        subject: person.id,
        period: body.period.trim().to_owned(),
        metric: body.metric.trim().to_owned(),
        value: body.value,
    };
    input.check().map_err(AppError::Invalid)?;
    let saved = state
        .store
        .set_outcome(viewer.org.id, &input, &viewer.actor())
        .await?;
    Ok(Json(OutcomeJson::from(&saved)))
}

/// Deletes one outcome of a person.
#[utoipa::path(
    delete,
    path = "/people/{id}/outcomes",
    tag = "outcomes",
    operation_id = "delete_outcome",
    params(
        ("id" = String, Path, description = "The person's own id (people.csv `id`)."),
        OutcomeKey
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, description = "The query cannot be read.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role does not record outcomes.", body = ErrorBody),
        (status = 404, description = "No such person within the caller's scope, or no such outcome.", body = ErrorBody),
        (status = 422, description = "`period` or `metric` is missing or malformed; `field` names it.", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<OutcomeKey>, QueryRejection>,
) -> Result<StatusCode, ApiError> {
    viewer.require(can_record_outcomes(viewer.role))?;
    let id = person_id(&path_param(path)?)?;
    let Query(key) = query.map_err(bad_query)?;
    let person = visible(&state, &viewer, &id).await?;
    let period = key.period.as_deref().map(str::trim).unwrap_or_default();
    let metric = key.metric.as_deref().map(str::trim).unwrap_or_default();
    let mut errs = FieldErrors::default();
    if period.is_empty() {
        errs.push("period", "is required");
    } else if let Err(m) = check_period(period) {
        errs.push("period", m);
    }
    if let Err(m) = check_metric_key(metric) {
        errs.push("metric", m);
    }
    errs.into_result(()).map_err(AppError::Invalid)?;
    state
        .store
        .delete_outcome(viewer.org.id, &person.id, period, metric, &viewer.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
