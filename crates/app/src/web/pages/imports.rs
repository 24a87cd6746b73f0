//! The upload page: a ratings.csv, a people.csv or an outcomes.csv into the organisation,
//! whole file or nothing, with every bad row listed as `file:line: column: problem`.
//!
//! Admins only (PRODUCT.md: the admin handles "model, users, imports"). The form is
//! `multipart/form-data` with a file input, or the CSV pasted into a text area when no file is
//! chosen. A multipart body cannot go through [`crate::web::forms::CsrfForm`], so the handler
//! reads the form's `csrf` part and compares it with the session's token (constant time)
//! before it looks at anything else: the same check, made on the multipart field.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sellerq_domain::formats::RowProblem;

use crate::security::constant_time_eq;
use crate::transfer::{self, Progress, TransferError};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

/// The upload routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/imports", get(form).post(upload))
}

/// What the upload did, for the page.
#[derive(Debug, Default)]
struct Outcome {
    /// Lines of the success summary.
    summary: Vec<String>,
    /// The report's title line, when the file was refused.
    refused: Option<String>,
    /// Every bad row shown, as `file:line: column: problem`.
    problems: Vec<String>,
    /// Problems beyond those shown.
    more: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "import_form.html")]
struct ImportPage {
    layout: Layout,
    kind: String,
    outcome: Outcome,
}

fn page(viewer: &Viewer, kind: &str, outcome: Outcome) -> ImportPage {
    ImportPage {
        layout: Layout::new(viewer, "Import", Section::Imports),
        kind: kind.to_owned(),
        outcome,
    }
}

/// GET /imports
async fn form(viewer: Viewer) -> Result<ImportPage, AppError> {
    viewer.require(viewer.role.is_admin())?;
    Ok(page(&viewer, "ratings", Outcome::default()))
}

/// The upload's fields.
#[derive(Debug, Default)]
struct Upload {
    csrf: Option<String>,
    kind: String,
    file_name: String,
    file: Vec<u8>,
    pasted: String,
}

fn bad_upload(e: impl std::fmt::Display) -> AppError {
    AppError::BadRequest {
        field: None,
        message: format!("The upload could not be read: {e}"),
    }
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, AppError> {
    let mut up = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(bad_upload)? {
        match field.name().unwrap_or_default() {
            "csrf" => up.csrf = Some(field.text().await.map_err(bad_upload)?),
            "kind" => up.kind = field.text().await.map_err(bad_upload)?,
            "file" => {
                up.file_name = field.file_name().unwrap_or_default().to_owned();
                up.file = field.bytes().await.map_err(bad_upload)?.to_vec();
            }
            "pasted" => up.pasted = field.text().await.map_err(bad_upload)?,
            _ => {}
        }
    }
    Ok(up)
}

/// The file's name as messages show it: the uploaded name without any path, or the kind's
/// own name for pasted text.
fn source_name(up: &Upload, kind: &str) -> String {
    let base = up
        .file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim();
    if up.file.is_empty() || base.is_empty() {
        format!("{kind}.csv")
    } else {
        base.to_owned()
    }
}

/// POST /imports (multipart: `csrf`, `kind` = ratings | people | outcomes, `file` or
/// `pasted`).
async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let up = read_upload(multipart).await?;
    if !up
        .csrf
        .as_deref()
        .is_some_and(|given| constant_time_eq(given, &viewer.csrf))
    {
        return Err(AppError::Csrf);
    }
    viewer.require(viewer.role.is_admin())?;
    let kind = match up.kind.as_str() {
        k @ ("ratings" | "people" | "outcomes") => k,
        _ => {
            return Err(AppError::invalid(
                "kind",
                "choose ratings.csv, people.csv or outcomes.csv",
            ));
        }
    };
    let data: &[u8] = if up.file.is_empty() {
        up.pasted.as_bytes()
    } else {
        &up.file
    };
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::invalid("file", "choose a file or paste its text"));
    }
    let source = source_name(&up, kind);
    let actor = viewer.actor();
    let store = state.store.as_ref();
    let org = viewer.org.id;
    let done: Result<Vec<String>, TransferError> = if kind == "ratings" {
        match transfer::ratings::read(data, &source) {
            Ok((batch, problems)) => {
                transfer::ratings::import(store, org, &batch, problems, &actor, &Progress::hidden())
                    .await
                    .map(|s| {
                        let mut lines = vec![format!("{source}: {} ratings imported.", s.rows)];
                        for (cycle, n) in &s.per_cycle {
                            lines.push(format!("{cycle}: {n} ratings"));
                        }
                        if !s.cycles_created.is_empty() {
                            let names: Vec<String> =
                                s.cycles_created.iter().map(ToString::to_string).collect();
                            lines.push(format!("Cycles created (open): {}", names.join(", ")));
                        }
                        lines
                    })
            }
            Err(e) => Err(e),
        }
    } else if kind == "outcomes" {
        match transfer::outcomes::read(data, &source) {
            Ok((rows, problems)) => transfer::outcomes::import(store, org, rows, problems, &actor)
                .await
                .map(|s| {
                    let mut lines = vec![format!(
                        "{source}: {} outcomes created, {} updated.",
                        s.created, s.updated
                    )];
                    if s.metrics_created > 0 {
                        lines.push(format!(
                            "Metrics created: {} (name them under Settings → Metrics).",
                            s.metrics_created
                        ));
                    }
                    lines
                }),
            Err(e) => Err(e),
        }
    } else {
        match transfer::people::read(data, &source) {
            Ok((rows, problems)) => transfer::people::import(store, org, rows, problems, &actor)
                .await
                .map(|s| {
                    vec![format!(
                        "{source}: {} people created, {} updated, {} teams created.",
                        s.created, s.updated, s.teams_created
                    )]
                }),
            Err(e) => Err(e),
        }
    };
    let (status, outcome) = match done {
        Ok(summary) => (
            StatusCode::OK,
            Outcome {
                summary,
                ..Outcome::default()
            },
        ),
        Err(TransferError::Rejected { problems }) => {
            let shown: Vec<RowProblem> = problems.shown();
            let lines: Vec<String> = shown
                .iter()
                .map(|p| {
                    format!(
                        "{}:{}: {}: {}",
                        problems.source(),
                        p.line,
                        p.column,
                        p.message
                    )
                })
                .collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Outcome {
                    refused: Some(format!(
                        "{}: {} — nothing was imported.",
                        problems.source(),
                        match problems.total() {
                            1 => "1 problem".to_owned(),
                            n => format!("{n} problems"),
                        }
                    )),
                    more: problems.total() - lines.len(),
                    problems: lines,
                    ..Outcome::default()
                },
            )
        }
        Err(TransferError::Io { source_name, error }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Outcome {
                refused: Some(format!("{source_name}: {error} — nothing was imported.")),
                ..Outcome::default()
            },
        ),
        Err(TransferError::Store(e)) => return Err(e.into()),
    };
    Ok((status, page(&viewer, kind, outcome)).into_response())
}
