//! Sessions: the signed-in [`Viewer`] of a page, cookies, and who may see what.
//!
//! The session cookie holds a random token; the store holds only its SHA-256, the user, the
//! active organisation and the CSRF token that every form must echo. Extracting a [`Viewer`]
//! also leaves the CSRF token in the request's extensions for [`super::forms::CsrfForm`].

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use sellerq_domain::Role;
use sellerq_store::{Membership, Org, Scope, Session, User};

use super::AppState;
use super::error::AppError;
use crate::security;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sellerq_session";
/// The cookie that carries the login form's CSRF token before a session exists.
pub const LOGIN_CSRF_COOKIE: &str = "sellerq_login_csrf";

/// The CSRF token of the current session, left in request extensions by [`Viewer`].
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// The signed-in user of a page request, in their active organisation.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The account.
    pub user: User,
    /// The organisation they are working in.
    pub org: Org,
    /// Their role there.
    pub role: Role,
    /// What they may see there.
    pub scope: Scope,
    /// Every organisation they belong to (for the switcher).
    pub memberships: Vec<Membership>,
    /// The CSRF token their forms carry.
    pub csrf: String,
    /// The hash of their session token.
    pub session_hash: String,
}

impl Viewer {
    /// `Ok` when `allowed`, else [`AppError::Forbidden`].
    pub fn require(&self, allowed: bool) -> Result<(), AppError> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The audit log's actor for this viewer.
    pub fn actor(&self) -> sellerq_store::Actor {
        sellerq_store::Actor::user(self.user.id, self.user.email.as_str())
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, `Secure` when configured.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Unix seconds now.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Resolves a user's active organisation, role and scope. `preferred` is the organisation the
/// session last chose; when the user is no longer a member there, the first membership wins.
pub async fn resolve(
    state: &AppState,
    user_id: i64,
    preferred: Option<i64>,
) -> Result<(User, Vec<Membership>, Membership, Scope), AppError> {
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let memberships = state.store.memberships(user_id).await?;
    let active = preferred
        .and_then(|id| memberships.iter().find(|m| m.org.id == id))
        .or_else(|| memberships.first())
        .cloned()
        .ok_or(AppError::Forbidden)?;
    let scope = state.store.scope(active.org.id, user_id).await?;
    Ok((user, memberships, active, scope))
}

/// Creates a session for a user and returns (token, session).
pub async fn start(
    state: &AppState,
    user_id: i64,
    org_id: Option<i64>,
) -> Result<(String, Session), AppError> {
    let token = security::new_token();
    let now = now();
    let session = Session {
        token_hash: security::token_hash(&token),
        user_id,
        org_id,
        csrf_token: security::new_token(),
        created_at: now,
        expires_at: now + state.config.session_ttl,
    };
    state.store.create_session(&session).await?;
    Ok((token, session))
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(v) = parts.extensions.get::<Viewer>() {
            return Ok(v.clone());
        }
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
        let hash = security::token_hash(token);
        let session = state
            .store
            .session(&hash, now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let (user, memberships, active, scope) =
            resolve(state, session.user_id, session.org_id).await?;
        let viewer = Viewer {
            user,
            org: active.org,
            role: active.role,
            scope,
            memberships,
            csrf: session.csrf_token.clone(),
            session_hash: hash,
        };
        parts.extensions.insert(CsrfToken(session.csrf_token));
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_found_among_several_headers_and_pairs() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; sellerq_session=tok"),
        );
        h.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&h, "b"), Some("2"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn session_cookies_are_http_only_and_same_site() {
        let c = set_cookie(SESSION_COOKIE, "t", 60, false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(set_cookie(SESSION_COOKIE, "t", 60, true).ends_with("; Secure"));
    }
}
