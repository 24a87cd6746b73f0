//! The web application: server-rendered pages, the JSON API under `/api/v1`, sessions.
//!
//! [`router`] builds the whole application from an [`AppState`]; [`serve`] runs it with
//! graceful shutdown. Every route except login, health and static assets goes through the
//! [`session::Viewer`] (pages) or [`api::ApiViewer`] (API) extractor, which authenticates and
//! resolves the user's role and scope in the active organisation.

pub mod api;
pub mod charts;
pub mod error;
pub mod forms;
pub mod layout;
pub mod limiter;
pub mod pages;
pub mod session;
pub mod svg;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use sellerq_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// The server configuration.
    pub config: Arc<Config>,
    /// Failed-login counters.
    pub limiter: Arc<limiter::LoginLimiter>,
    /// Computed validity and reliability reports, per organisation and data version.
    pub evidence: Arc<crate::evidence::Cache>,
}

impl AppState {
    /// State over a store with a configuration.
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let limiter = Arc::new(limiter::LoginLimiter::new(
            config.login_attempts_per_account,
            config.login_attempts_per_address,
            std::time::Duration::from_secs(config.login_window),
        ));
        Self {
            store,
            config: Arc::new(config),
            limiter,
            evidence: Arc::new(crate::evidence::Cache::new()),
        }
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api_router, openapi) = api::router().split_for_parts();
    let openapi = std::sync::Arc::new(openapi);
    let api_router = api_router.route(
        "/openapi.json",
        get(move || {
            let doc = openapi.clone();
            async move { axum::Json(doc.as_ref().clone()) }
        }),
    );
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api_router)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/app.css", get(stylesheet))
        .route("/static/favicon.svg", get(favicon))
        .fallback(pages::not_found)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            16 * 1024 * 1024,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

const STYLESHEET: &str = include_str!("../../static/app.css");
const FAVICON: &str = include_str!("../../static/favicon.svg");

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
}

/// A CSV download: `body` as `text/csv`, saved as `<stem>.csv` with the stem's characters
/// other than ASCII letters, digits, `-` and `_` written as `_`.
pub(crate) fn csv_download(stem: &str, body: impl IntoResponse) -> axum::response::Response {
    let disposition = format!("attachment; filename=\"{}.csv\"", file_part(stem));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// Only characters that are safe in a file name.
fn file_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Runs the server until SIGTERM or Ctrl-C, then lets open requests finish.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let app = router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("server stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing open requests");
}

/// The organisation's current model, parsed.
pub async fn current_model(
    state: &AppState,
    org_id: i64,
) -> Result<std::sync::Arc<sellerq_domain::model::Model>, error::AppError> {
    // The store keeps parsed models (by id once in use, by text otherwise): parsing the TOML
    // on every page view repeated work the store already does once.
    let version = state.store.current_model_version(org_id).await?;
    Ok(state.store.model(org_id, version.id).await?)
}

#[cfg(test)]
mod tests {
    use super::file_part;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_part("2026 H1/\"x\""), "2026_H1__x_");
    }
}
