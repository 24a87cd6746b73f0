//! Sign in and sign out.
//!
//! The login form is protected against CSRF before any session exists by a double-submit
//! token: a random value in a short-lived HttpOnly cookie that the form must echo. Failed
//! attempts are limited per account and per client address; the answer never says whether
//! the account exists.

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sellerq_domain::Email;
use serde::Deserialize;

use crate::security;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::forms::{check_csrf, parse_form};
use crate::web::session::{self, LOGIN_CSRF_COOKIE, SESSION_COOKIE, Viewer};

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    email: String,
    error: Option<String>,
}

fn render(
    csrf: String,
    email: String,
    error: Option<String>,
    status: StatusCode,
    secure: bool,
) -> Response {
    let cookie = session::set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, secure);
    let mut resp = (status, LoginPage { csrf, email, error }).into_response();
    if let Ok(v) = cookie.parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp
}

/// GET /login
pub async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    // A signed-in user has nothing to do here.
    if let Some(tok) = session::cookie(&headers, SESSION_COOKIE)
        && let Ok(Some(_)) = state
            .store
            .session(&security::token_hash(tok), session::now())
            .await
    {
        return Redirect::to("/").into_response();
    }
    render(
        security::new_token(),
        String::new(),
        None,
        StatusCode::OK,
        state.config.https_cookies,
    )
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
}

/// The client's address when the server runs with connect info (tests via `oneshot` do not).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip()),
        ))
    }
}

/// POST /login
pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let expected = session::cookie(&headers, LOGIN_CSRF_COOKIE).ok_or(AppError::Csrf)?;
    check_csrf(&body, expected)?;
    let form: LoginForm = parse_form(&body)?;
    let secure = state.config.https_cookies;
    let again = |msg: &str, status| {
        render(
            security::new_token(),
            form.email.trim().to_owned(),
            Some(msg.to_owned()),
            status,
            secure,
        )
    };
    if let Some(wait) = state.limiter.blocked_for(&form.email, address) {
        let msg = AppError::TooManyRequests(wait).message();
        let mut resp = again(&msg, StatusCode::TOO_MANY_REQUESTS);
        if let Ok(v) = wait.as_secs().max(1).to_string().parse() {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(resp);
    }
    let found = match Email::parse(&form.email) {
        Ok(email) => state.store.user_by_email(&email).await?,
        Err(_) => None,
    };
    let user = match found {
        Some((user, hash)) if security::verify_password(&form.password, &hash) => user,
        Some(_) => {
            state.limiter.record_failure(&form.email, address);
            return Ok(again(
                "That e-mail and password do not match.",
                StatusCode::UNAUTHORIZED,
            ));
        }
        None => {
            // Spend the same time as a real check, so timing does not reveal accounts.
            let _ = security::verify_password(&form.password, security::dummy_hash());
            state.limiter.record_failure(&form.email, address);
            return Ok(again(
                "That e-mail and password do not match.",
                StatusCode::UNAUTHORIZED,
            ));
        }
    };
    state.limiter.record_success(&form.email);
    let memberships = state.store.memberships(user.id).await?;
    let Some(first) = memberships.first() else {
        return Ok(again(
            "Your account does not belong to any organisation yet. Ask an admin to add you.",
            StatusCode::FORBIDDEN,
        ));
    };
    let (token, _) = session::start(&state, user.id, Some(first.org.id)).await?;
    tracing::info!(user = %user.email, "signed in");
    let mut resp = Redirect::to("/").into_response();
    let headers = resp.headers_mut();
    for c in [
        session::set_cookie(SESSION_COOKIE, &token, state.config.session_ttl, secure),
        session::set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure),
    ] {
        if let Ok(v) = c.parse() {
            headers.append(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

/// POST /logout
pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    crate::web::forms::CsrfForm(_): crate::web::forms::CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, AppError> {
    state.store.delete_session(&viewer.session_hash).await?;
    let mut resp = Redirect::to("/login").into_response();
    if let Ok(v) = session::set_cookie(SESSION_COOKIE, "", 0, state.config.https_cookies).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}
