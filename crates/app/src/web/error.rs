//! The web layer's one error type.
//!
//! Each variant knows its status. Pages render it as HTML (a sign-in redirect for
//! [`AppError::Unauthenticated`]); the API wraps it in [`ApiError`], which renders
//! `{"error": {"code", "message", "field"?}}`. A 500 never shows its cause: the cause is logged.

use std::time::Duration;

use askama::Template;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sellerq_domain::FieldErrors;
use sellerq_store::StoreError;
use serde_json::json;

/// Something a request could not do.
#[derive(Debug)]
pub enum AppError {
    /// No valid session or token: sign in first. (401 / redirect)
    Unauthenticated,
    /// Signed in, but the role or scope does not allow it. (403)
    Forbidden,
    /// No such thing — or not one the user may know exists. (404)
    NotFound,
    /// The input breaks rules; every field's problem. (422)
    Invalid(FieldErrors),
    /// A uniqueness or state rule. (409)
    Conflict { field: String, message: String },
    /// A form post without the right CSRF token. (403)
    Csrf,
    /// Too many failed logins; retry after the duration. (429)
    TooManyRequests(Duration),
    /// A malformed request (bad JSON, bad query). (400)
    BadRequest {
        field: Option<String>,
        message: String,
    },
    /// A bug or an outage; details go to the log only. (500)
    Internal(anyhow::Error),
}

impl AppError {
    /// A single field's problem.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(sellerq_domain::FieldError::new(field, message).into())
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Invalid(_) => "invalid",
            Self::Conflict { .. } => "conflict",
            Self::Csrf => "csrf",
            Self::TooManyRequests(_) => "too_many_requests",
            Self::BadRequest { .. } => "bad_request",
            Self::Internal(_) => "internal",
        }
    }

    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated => "Sign in to continue.".into(),
            Self::Forbidden => "Not allowed: your role does not give access to this.".into(),
            Self::NotFound => "Not found.".into(),
            Self::Invalid(errs) => errs.to_string(),
            Self::Conflict { field, message } => format!("{field}: {message}"),
            Self::Csrf => {
                "This form expired or did not come from sellerq. Reload the page and try again."
                    .into()
            }
            Self::TooManyRequests(d) => format!(
                "Too many failed sign-in attempts. Try again in {} minute(s).",
                d.as_secs().div_ceil(60).max(1)
            ),
            Self::BadRequest { message, .. } => message.clone(),
            Self::Internal(_) => "Something went wrong on our side. It has been logged.".into(),
        }
    }

    /// The field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(errs) => errs.0.first().map(|e| e.field.as_str()),
            Self::Conflict { field, .. } => Some(field),
            Self::BadRequest { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    fn log(&self) {
        if let Self::Internal(e) = self {
            tracing::error!(error = ?e, "internal error");
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => Self::NotFound,
            StoreError::Conflict { field, message } => Self::Conflict { field, message },
            StoreError::Invalid { field, message } => Self::invalid(&field, message),
            StoreError::Immutable(message) => Self::Conflict {
                field: "model_version".into(),
                message,
            },
            StoreError::Rejected(problems) => {
                let mut errs = FieldErrors::default();
                for p in problems.shown() {
                    errs.push(
                        &p.column,
                        format!("{}:{}: {}", problems.source(), p.line, p.message),
                    );
                }
                if problems.total() > problems.shown().len() {
                    errs.push(
                        "rows",
                        format!(
                            "… and {} more problems",
                            problems.total() - problems.shown().len()
                        ),
                    );
                }
                Self::Invalid(errs)
            }
            StoreError::Sink(message) => {
                Self::Internal(anyhow::anyhow!("export destination failed: {message}"))
            }
            other => Self::Internal(other.into()),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        Self::Invalid(e)
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        Self::Internal(e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if let Self::Unauthenticated = self {
            return Redirect::to("/login").into_response();
        }
        let status = self.status();
        let title = match status {
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::UNPROCESSABLE_ENTITY => "Please check your input",
            StatusCode::CONFLICT => "Conflict",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            StatusCode::BAD_REQUEST => "Bad request",
            _ => "Error",
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message: self.message(),
        };
        let body = page.render().unwrap_or_else(|_| title.to_owned());
        let mut resp = (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response();
        if let Self::TooManyRequests(d) = self
            && let Ok(v) = d.as_secs().max(1).to_string().parse()
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// An [`AppError`] rendered as the API's JSON error body.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let mut err = json!({ "code": e.code(), "message": e.message() });
        if let Some(f) = e.field() {
            err["field"] = json!(f);
        }
        if let AppError::Invalid(errs) = &e
            && errs.0.len() > 1
        {
            err["fields"] = errs
                .0
                .iter()
                .map(|fe| json!({ "field": fe.field, "message": fe.message }))
                .collect();
        }
        let mut resp = (e.status(), Json(json!({ "error": err }))).into_response();
        if let AppError::Unauthenticated = e {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}
