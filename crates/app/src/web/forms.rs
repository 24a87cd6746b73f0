//! Form posts with CSRF protection.
//!
//! [`CsrfForm`] reads an `application/x-www-form-urlencoded` body, refuses it unless its
//! `csrf` field equals the session's token (compared in constant time), then deserializes it.
//! It must come after a [`super::session::Viewer`] in a handler's arguments, because the
//! viewer extractor is what finds the session's token.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::AppError;
use super::session::CsrfToken;
use crate::security::constant_time_eq;

/// A form body whose CSRF token has been checked.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

/// Deserializes a urlencoded body; a malformed one is a 400 naming the problem.
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_urlencoded::from_bytes(bytes).map_err(|e| AppError::BadRequest {
        field: None,
        message: format!("The form could not be read: {e}"),
    })
}

/// Checks a form's `csrf` field against the expected token.
pub fn check_csrf(bytes: &[u8], expected: &str) -> Result<(), AppError> {
    let field: CsrfField = parse_form(bytes)?;
    match field.csrf {
        Some(given) if constant_time_eq(&given, expected) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let expected = req
            .extensions()
            .get::<CsrfToken>()
            .cloned()
            .ok_or(AppError::Csrf)?;
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest {
                field: None,
                message: format!("The form could not be read: {e}"),
            })?;
        check_csrf(&bytes, &expected.0)?;
        parse_form(&bytes).map(CsrfForm)
    }
}
