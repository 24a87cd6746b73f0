//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document generated from the
//! handlers' declarations (utoipa) and served at `/api/v1/openapi.json`.
//!
//! Authentication: `Authorization: Bearer <token>` (from `sellerq token create`), or the web
//! session cookie — for which unsafe methods must also send the session's CSRF token in an
//! `X-CSRF-Token` header. Permission checks are the same as the pages': the role decides what
//! kind of access applies (403 when none), the scope which rows (an id outside it is a 404,
//! exactly like an id that does not exist or belongs to another organisation).
//!
//! Routes: [`model`] (`GET /model`), [`teams`] and [`people`] (list, create, get, replace,
//! delete). Paths in the document are relative to its server, `/api/v1`.

pub mod analytics;
pub mod assessments;
pub mod cycles;
pub mod model;
pub mod outcomes;
pub mod people;
pub mod profile;
pub mod teams;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use sellerq_domain::Role;
use sellerq_store::{Actor, Org, Scope, User};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, AppError};
use super::session::{self, SESSION_COOKIE};
use crate::security;

/// The OpenAPI document's fixed parts; paths and schemas come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "sellerq API",
        description = "Assess, coach and hire enterprise sellers on the eight qualities of the Seller Qualities Model.",
        license(name = "Apache-2.0")
    ),
    servers((url = "/api/v1", description = "This sellerq installation")),
    tags(
        (name = "model", description = "The organisation's current Seller Qualities Model version."),
        (name = "teams", description = "Teams, optionally nested under a parent team."),
        (name = "people", description = "Sellers and managers, with the columns of people.csv."),
        (name = "cycles", description = "Assessment cycles: participants, rater assignments, status and completion."),
        (name = "assessments", description = "The caller's own rating sheets: list, read, save as draft, submit."),
        (name = "outcomes", description = "Outcome metrics and each seller's outcomes per period (outcomes.csv)."),
        (name = "profiles", description = "Seller profiles and team views computed from submitted ratings; never a rater's identity."),
        (name = "analytics", description = "The validity and reliability reports of the organisation: the figures of `sellerq analyze` on its data, and more.")
    ),
    components(schemas(ErrorBody, ErrorDetail, FieldMessage)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every API route, with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(model::show))
        .routes(routes!(teams::list, teams::create))
        .routes(routes!(teams::show, teams::update, teams::delete))
        .routes(routes!(people::list, people::create))
        .routes(routes!(people::show, people::update, people::delete))
        .routes(routes!(outcomes::list_metrics, outcomes::save_metric))
        .routes(routes!(outcomes::delete_metric))
        .routes(routes!(outcomes::list, outcomes::set, outcomes::delete))
        .routes(routes!(cycles::list, cycles::create))
        .routes(routes!(cycles::show, cycles::update, cycles::delete))
        .routes(routes!(cycles::set_status))
        .routes(routes!(cycles::participants, cycles::add_participants))
        .routes(routes!(cycles::raters, cycles::assign))
        .routes(routes!(cycles::decide))
        .routes(routes!(cycles::completion))
        .routes(routes!(assessments::list))
        .routes(routes!(assessments::nominate))
        .routes(routes!(assessments::show, assessments::save))
        .routes(routes!(profile::show))
        .routes(routes!(profile::team))
        .routes(routes!(profile::organisation))
        .routes(routes!(analytics::validity))
        .routes(routes!(analytics::validity_csv_file))
        .routes(routes!(analytics::reliability))
}

/// The whole OpenAPI document (also served at `/api/v1/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().split_for_parts().1
}

/// The authenticated caller of an API route, in their organisation.
#[derive(Debug, Clone)]
pub struct ApiViewer {
    pub user: User,
    pub org: Org,
    pub role: Role,
    pub scope: Scope,
}

impl ApiViewer {
    /// `Ok` when `allowed`, else 403.
    pub fn require(&self, allowed: bool) -> Result<(), ApiError> {
        if allowed {
            Ok(())
        } else {
            Err(ApiError(AppError::Forbidden))
        }
    }

    /// The audit log's actor.
    pub fn actor(&self) -> Actor {
        Actor::user(self.user.id, self.user.email.as_str())
    }
}

impl FromRequestParts<AppState> for ApiViewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let now = session::now();
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let (user_id, org_id) = if let Some(token) = bearer {
            state
                .store
                .api_token(&security::token_hash(token), now)
                .await?
                .map(|(user, org)| (user, Some(org)))
                .ok_or(AppError::Unauthenticated)?
        } else if let Some(token) = session::cookie(&parts.headers, SESSION_COOKIE) {
            let s = state
                .store
                .session(&security::token_hash(token), now)
                .await?
                .ok_or(AppError::Unauthenticated)?;
            let unsafe_method =
                !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if unsafe_method {
                let given = parts
                    .headers
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok());
                if !given.is_some_and(|g| security::constant_time_eq(g, &s.csrf_token)) {
                    return Err(AppError::Csrf.into());
                }
            }
            (s.user_id, s.org_id)
        } else {
            return Err(AppError::Unauthenticated.into());
        };
        // One resolution of user, membership and scope, as the pages' Viewer does. A token
        // names its organisation, so falling back to another membership would be wrong.
        let (user, _, membership, scope) = session::resolve(state, user_id, org_id).await?;
        if bearer.is_some() && Some(membership.org.id) != org_id {
            return Err(AppError::Unauthenticated.into());
        }
        Ok(ApiViewer {
            user,
            org: membership.org,
            role: membership.role,
            scope,
        })
    }
}

/// The error body of every failed API request (documentation of [`ApiError`]'s JSON).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code: `unauthenticated`, `forbidden`, `not_found`,
    /// `invalid`, `conflict`, `csrf`, `bad_request`, `internal`.
    #[schema(example = "invalid")]
    pub code: String,
    /// A sentence for people.
    #[schema(example = "domain_expertise: must be between 1 and 5")]
    pub message: String,
    /// The request field the error is about (the first one, when several are wrong).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "domain_expertise")]
    pub field: Option<String>,
    /// Every field's problem, when more than one field is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldMessage>>,
}

/// One field's problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
}

/// A path parameter as text; a path that cannot be read (bad percent-encoding) names
/// nothing that exists, so it is a 404 in the API's error shape.
pub fn path_param(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    path.map(|Path(p)| p)
        .map_err(|_| ApiError(AppError::NotFound))
}

/// A JSON body whose errors come back in the API's error shape, naming the field when serde
/// can (unknown fields are refused by `#[serde(deny_unknown_fields)]` on the body types).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_error(rejection).into()),
        }
    }
}

/// Turns a JSON body rejection into the API's error: a body that is not JSON (or not an
/// object) is a 400; a value of the wrong type, a missing or an unknown field is a 422 naming
/// the field.
fn json_error(rejection: JsonRejection) -> AppError {
    let text = rejection.body_text();
    let detail = without_axum_prefix(&text);
    let (field, message) = split_field(detail);
    match (rejection, field) {
        (JsonRejection::JsonDataError(_), Some(field)) => {
            AppError::Invalid(sellerq_domain::FieldError::new(field, message).into())
        }
        (_, field) => AppError::BadRequest {
            field,
            message: detail.to_owned(),
        },
    }
}

/// serde's message without axum's sentence in front of it.
fn without_axum_prefix(text: &str) -> &str {
    for prefix in [
        "Failed to deserialize the JSON body into the target type: ",
        "Failed to parse the request body as JSON: ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return rest;
        }
    }
    text
}

/// Splits a serde message into the field it is about and the problem: `unknown field `x``,
/// `missing field `x``, or the path serde_path_to_error puts before the colon
/// (`years_experience: invalid type …`; `.` is the body itself, which names no field).
fn split_field(detail: &str) -> (Option<String>, String) {
    let (path, rest) = match detail.split_once(": ") {
        Some((p, rest)) if !p.is_empty() && !p.contains(char::is_whitespace) => (
            Some(p.trim_start_matches('.')).filter(|p| !p.is_empty()),
            rest,
        ),
        _ => (None, detail),
    };
    for marker in ["unknown field `", "missing field `"] {
        if let Some(name) = rest.split(marker).nth(1).and_then(|r| r.split('`').next()) {
            let name = match path {
                Some(parent) if marker.starts_with("missing") => format!("{parent}.{name}"),
                _ => name.to_owned(),
            };
            return (Some(name), rest.to_owned());
        }
    }
    (path.map(str::to_owned), rest.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{split_field, without_axum_prefix};

    fn field(text: &str) -> Option<String> {
        split_field(without_axum_prefix(text)).0
    }

    #[test]
    fn serde_messages_name_their_field() {
        assert_eq!(
            field("Failed to deserialize the JSON body into the target type: unknown field `nmae`, expected one of `id`, `name` at line 1 column 20").as_deref(),
            Some("nmae")
        );
        assert_eq!(
            field("Failed to deserialize the JSON body into the target type: nmae: unknown field `nmae`, expected `name`").as_deref(),
            Some("nmae")
        );
        assert_eq!(
            field("Failed to deserialize the JSON body into the target type: missing field `name` at line 1 column 14").as_deref(),
            Some("name")
        );
        assert_eq!(
            field("Failed to deserialize the JSON body into the target type: years_experience: invalid type: string \"x\", expected f64 at line 1 column 30").as_deref(),
            Some("years_experience")
        );
    }

    #[test]
    fn the_body_itself_names_no_field() {
        let (f, message) = split_field(without_axum_prefix(
            "Failed to deserialize the JSON body into the target type: invalid type: sequence, expected struct PersonBody at line 1 column 0",
        ));
        assert_eq!(f, None);
        assert!(message.starts_with("invalid type"));
        assert_eq!(
            field(
                "Failed to parse the request body as JSON: EOF while parsing an object at line 1 column 13"
            ),
            None
        );
    }

    #[test]
    fn the_problem_is_told_without_the_path() {
        let (f, message) =
            split_field("years_experience: invalid type: string \"ten\", expected f64");
        assert_eq!(f.as_deref(), Some("years_experience"));
        assert_eq!(message, "invalid type: string \"ten\", expected f64");
    }
}
