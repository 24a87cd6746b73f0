//! The user's own account: change password, switch organisation.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::security;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::forms::CsrfForm;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

#[derive(Template, WebTemplate)]
#[template(path = "account_password.html")]
pub struct PasswordPage {
    layout: Layout,
    errors: sellerq_domain::FieldErrors,
}

impl PasswordPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// GET /account/password
pub async fn password_form(viewer: Viewer, Query(q): Query<SavedQuery>) -> PasswordPage {
    let notice = q
        .saved
        .map(|_| "Your password was changed. Other sessions were signed out.".to_owned());
    PasswordPage {
        layout: Layout::new(&viewer, "Change password", Section::Account).with_notice(notice),
        errors: Default::default(),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// POST /account/password
pub async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let mut errors = sellerq_domain::FieldErrors::default();
    let hash = state
        .store
        .password_hash(viewer.user.id)
        .await?
        .unwrap_or_default();
    if !security::verify_password(&form.current, &hash) {
        errors.push("current", "is not your current password");
    }
    if let Err(m) = security::check_new_password(&form.new) {
        errors.push("new", m);
    } else if form.new == form.current {
        errors.push("new", "must differ from the current password");
    }
    if form.confirm != form.new {
        errors.push("confirm", "does not match the new password");
    }
    if !errors.is_empty() {
        let page = PasswordPage {
            layout: Layout::new(&viewer, "Change password", Section::Account),
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let new_hash = security::hash_password(&form.new)?;
    state
        .store
        .set_password(
            viewer.user.id,
            &new_hash,
            Some(&viewer.session_hash),
            &viewer.actor(),
        )
        .await?;
    Ok(Redirect::to("/account/password?saved=1").into_response())
}

#[derive(Deserialize)]
pub struct SwitchForm {
    org_id: i64,
}

/// POST /org/switch — only to an organisation the user belongs to.
pub async fn switch_org(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<SwitchForm>,
) -> Result<Redirect, AppError> {
    if !viewer.memberships.iter().any(|m| m.org.id == form.org_id) {
        return Err(AppError::Forbidden);
    }
    state
        .store
        .set_session_org(&viewer.session_hash, form.org_id)
        .await?;
    Ok(Redirect::to("/"))
}
