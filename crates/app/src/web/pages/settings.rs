//! Admin settings: the organisation's outcome metrics (`/settings/metrics`).
//!
//! Every organisation has `quota_attainment` (unit `ratio`, 1.0 = 100 %); an admin adds others
//! (bookings, win rate, …), each with a unit and whether higher is better, renames them, and
//! deletes those no outcome uses. An outcomes.csv that names an unknown metric creates it with
//! its key as label; this page is where it gets a proper name. Admins only; every form carries
//! the session's CSRF token; a rejected form comes back (422) with each message beside its
//! input, as on the people form.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sellerq_domain::outcome::{DEFAULT_METRIC, Metric, can_manage_metrics};
use sellerq_domain::{FieldError, FieldErrors};
use sellerq_store::StoreError;
use serde::Deserialize;

use super::people::{Choice, ErrorLine, FormField, Kind, attach_errors};
use super::url_segment;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::forms::CsrfForm;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

/// The settings routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/metrics", get(list).post(save))
        .route("/settings/metrics/{key}/delete", post(delete))
}

/// One metric in the table.
#[derive(Debug)]
struct MetricRow {
    key: String,
    label: String,
    unit: String,
    direction: &'static str,
    edit_href: String,
    delete_action: String,
    is_default: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings_metrics.html")]
struct MetricsPage {
    layout: Layout,
    rows: Vec<MetricRow>,
    /// Editing an existing metric (its key is fixed).
    editing: bool,
    fields: Vec<FormField>,
    summary: Vec<ErrorLine>,
    error: Option<String>,
}

/// The form body.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MetricForm {
    key: String,
    label: String,
    unit: String,
    /// `higher` or `lower`.
    direction: String,
}

impl MetricForm {
    fn of(m: &Metric) -> Self {
        Self {
            key: m.key.clone(),
            label: m.label.clone(),
            unit: m.unit.clone(),
            direction: if m.higher_is_better {
                "higher"
            } else {
                "lower"
            }
            .into(),
        }
    }

    fn metric(&self) -> Result<Metric, FieldErrors> {
        let mut errs = FieldErrors::default();
        let higher_is_better = match self.direction.trim() {
            "" | "higher" => true,
            "lower" => false,
            _ => {
                errs.push("direction", "choose higher or lower");
                true
            }
        };
        let m = Metric {
            key: self.key.trim().to_owned(),
            label: self.label.clone(),
            unit: self.unit.clone(),
            higher_is_better,
        }
        .trimmed();
        if let Err(more) = m.check() {
            errs.0.extend(more.0);
        }
        errs.into_result(m)
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    edit: Option<String>,
    saved: Option<String>,
    deleted: Option<String>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    form: &MetricForm,
    editing: bool,
    errors: &FieldErrors,
    notice: Option<String>,
    error: Option<String>,
) -> Result<MetricsPage, AppError> {
    let metrics = state.store.metrics(viewer.org.id).await?;
    let rows = metrics
        .iter()
        .map(|m| MetricRow {
            key: m.key.clone(),
            label: m.label.clone(),
            unit: m.unit.clone(),
            direction: if m.higher_is_better {
                "Higher is better"
            } else {
                "Lower is better"
            },
            edit_href: format!("/settings/metrics?edit={}", url_segment(&m.key)),
            delete_action: format!("/settings/metrics/{}/delete", url_segment(&m.key)),
            is_default: m.key == DEFAULT_METRIC,
        })
        .collect();
    let direction = if form.direction.trim() == "lower" {
        "lower"
    } else {
        "higher"
    };
    let mut key = FormField::new("key", "Key", Kind::Text, &form.key)
        .required()
        .autocomplete("off");
    key = if editing {
        key.hint("The metric column of outcomes.csv; it cannot change.")
    } else {
        key.hint("The metric column of outcomes.csv: lower case letters, digits and _, e.g. win_rate. Saving an existing key replaces that metric's name, unit and direction.")
    };
    let mut fields = vec![
        key,
        FormField::new("label", "Name", Kind::Text, &form.label)
            .required()
            .autocomplete("off")
            .hint("What people read, e.g. Win rate (up to 80 characters)."),
        FormField::new("unit", "Unit", Kind::Text, &form.unit)
            .autocomplete("off")
            .hint("Optional, e.g. EUR or deals. ratio means 1.0 = 100 % and shows values as percentages."),
        FormField::new("direction", "Direction", Kind::Select, direction).options(vec![
            Choice::new("higher", "Higher is better", direction),
            Choice::new("lower", "Lower is better", direction),
        ]),
    ];
    let summary = attach_errors(&mut fields, errors);
    Ok(MetricsPage {
        layout: Layout::new(viewer, "Metrics", Section::Settings).with_notice(notice),
        rows,
        editing,
        fields,
        summary,
        error,
    })
}

/// GET /settings/metrics?edit=KEY
async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> Result<MetricsPage, AppError> {
    viewer.require(can_manage_metrics(viewer.role))?;
    let notice = if query.deleted.is_some() {
        Some("Deleted.".to_owned())
    } else {
        query.saved.as_ref().map(|_| "Saved.".to_owned())
    };
    let editing = match query.edit.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(key) => Some(
            state
                .store
                .metrics(viewer.org.id)
                .await?
                .into_iter()
                .find(|m| m.key == key)
                .ok_or(AppError::NotFound)?,
        ),
    };
    let form = editing.as_ref().map(MetricForm::of).unwrap_or_default();
    page(
        &state,
        &viewer,
        &form,
        editing.is_some(),
        &FieldErrors::default(),
        notice,
        None,
    )
    .await
}

/// POST /settings/metrics
async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<MetricForm>,
) -> Result<Response, AppError> {
    viewer.require(can_manage_metrics(viewer.role))?;
    let editing = state
        .store
        .metrics(viewer.org.id)
        .await?
        .iter()
        .any(|m| m.key == form.key.trim());
    let errs = match form.metric() {
        Ok(metric) => match state
            .store
            .save_metric(viewer.org.id, &metric, &viewer.actor())
            .await
        {
            Ok(_) => return Ok(Redirect::to("/settings/metrics?saved=1").into_response()),
            Err(StoreError::Invalid { field, message }) => FieldError::new(field, message).into(),
            Err(e) => return Err(e.into()),
        },
        Err(errs) => errs,
    };
    let page = page(&state, &viewer, &form, editing, &errs, None, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// POST /settings/metrics/{key}/delete
async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(key): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, AppError> {
    viewer.require(can_manage_metrics(viewer.role))?;
    match state
        .store
        .delete_metric(viewer.org.id, key.trim(), &viewer.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to("/settings/metrics?deleted=1").into_response()),
        Err(StoreError::Conflict { message, .. }) => {
            let page = page(
                &state,
                &viewer,
                &MetricForm::default(),
                false,
                &FieldErrors::default(),
                None,
                Some(message),
            )
            .await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_names_every_bad_field() {
        let form = MetricForm {
            key: "Win Rate".into(),
            label: " ".into(),
            unit: "x".repeat(21),
            direction: "sideways".into(),
        };
        let errs = form.metric().unwrap_err();
        for f in ["key", "label", "unit", "direction"] {
            assert!(errs.get(f).is_some(), "{f} in {errs}");
        }
        let ok = MetricForm {
            key: " win_rate ".into(),
            label: "Win rate".into(),
            unit: "ratio".into(),
            direction: "lower".into(),
        }
        .metric()
        .unwrap();
        assert_eq!(ok.key, "win_rate");
        assert!(!ok.higher_is_better);
    }
}
