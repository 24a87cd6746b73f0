//! `/analytics`: the validity report (JSON and CSV) and the reliability report of the
//! caller's organisation, computed by [`crate::evidence`].
//!
//! `GET /analytics/validity` returns the `validity` block of `sellerq analyze --format json`
//! (FORMATS.md) with the same keys and figures, plus `cycle`, `metric`, `periods`,
//! `cross_validation`, `delta_r2_interval`, `bootstrap_resamples`, `verdict` and `caveats`.
//! Leaders and admins only; the reliability report also for coaches. Every other role gets a
//! 403: these are organisation-wide figures.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::{ApiViewer, ErrorBody};
use crate::evidence::{
    self, CrossValidation, EvidenceQuery, Interval, ReliabilityView, ValidityView,
};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};

/// `?cycle=&metric=&period=&period=`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValidityParams {
    /// The cycle whose ratings give the quality scores (default: the latest closed cycle with
    /// ratings, else the latest cycle with ratings).
    #[param(example = "2026-H1")]
    pub cycle: Option<String>,
    /// The outcome metric (default `quota_attainment`).
    #[param(example = "quota_attainment")]
    pub metric: Option<String>,
    /// An outcome period to average over; repeat for several (default: every period).
    #[param(example = "2026-Q3")]
    pub period: Option<Vec<String>>,
}

/// `?cycle=`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReliabilityParams {
    /// The cycle (default: the latest closed cycle with ratings, else the latest with ratings).
    #[param(example = "2026-H1")]
    pub cycle: Option<String>,
}

/// Reads the query string; an unknown parameter is a 400 naming it, a repeated `cycle` or
/// `metric` too.
fn query(raw: Option<&str>, allowed: &[&str]) -> Result<EvidenceQuery, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|e| AppError::BadRequest {
            field: None,
            message: format!("the query string cannot be read: {e}"),
        })?;
    let mut q = EvidenceQuery::default();
    for (k, v) in pairs {
        if !allowed.contains(&k.as_str()) {
            return Err(AppError::BadRequest {
                field: Some(k.clone()),
                message: format!(
                    "unknown query parameter {k:?} (expected {})",
                    allowed.join(", ")
                ),
            });
        }
        let slot = match k.as_str() {
            "period" => {
                q.periods.push(v);
                continue;
            }
            "cycle" => &mut q.cycle,
            _ => &mut q.metric,
        };
        if slot.is_some() {
            return Err(AppError::BadRequest {
                field: Some(k.clone()),
                message: format!("{k} is given more than once"),
            });
        }
        *slot = Some(v);
    }
    Ok(q)
}

/// One indicator against the outcome (documentation of the JSON; the figures are analyze's).
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorJson {
    #[schema(example = "belief")]
    pub name: String,
    /// `leading` (a quality) or `trailing` (a résumé fact).
    #[schema(example = "leading")]
    pub kind: String,
    #[schema(required = true)]
    pub r: Option<f64>,
    #[schema(required = true)]
    pub ci_low: Option<f64>,
    #[schema(required = true)]
    pub ci_high: Option<f64>,
    #[schema(required = true)]
    pub p: Option<f64>,
    #[schema(required = true)]
    pub rho: Option<f64>,
    /// The indicator's SD over the n sellers.
    #[schema(required = true)]
    pub sd: Option<f64>,
    /// Share of the n sellers with its most common value.
    #[schema(required = true)]
    pub mode_share: Option<f64>,
}

/// Step 1 the trailing indicators, step 2 plus the qualities.
#[derive(Debug, Serialize, ToSchema)]
pub struct HierarchicalJson {
    #[schema(required = true)]
    pub r2_trailing: Option<f64>,
    #[schema(required = true)]
    pub r2_full: Option<f64>,
    #[schema(required = true)]
    pub delta_r2: Option<f64>,
    #[schema(required = true)]
    pub f_change: Option<f64>,
    #[schema(required = true)]
    pub df1: Option<u64>,
    #[schema(required = true)]
    pub df2: Option<u64>,
    #[schema(required = true)]
    pub p_change: Option<f64>,
}

/// The validity report: FORMATS.md's `validity` block, then what the app adds.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidityReport {
    /// Sellers with every indicator and an outcome.
    pub n: u64,
    /// Indicators left out because they have no value at all.
    pub omitted: Vec<String>,
    pub indicators: Vec<IndicatorJson>,
    pub hierarchical: HierarchicalJson,
    #[schema(example = "2026-H1")]
    pub cycle: String,
    /// The outcome metric's key.
    #[schema(example = "quota_attainment")]
    pub metric: String,
    /// The periods averaged into the outcome.
    pub periods: Vec<String>,
    pub cross_validation: CrossValidation,
    /// 95 % percentile bootstrap interval of ΔR².
    #[schema(required = true)]
    pub delta_r2_interval: Option<Interval>,
    pub bootstrap_resamples: u64,
    /// One plain-language sentence.
    pub verdict: String,
    pub caveats: Vec<String>,
}

/// The API's JSON of a validity view: analyze's block as it serializes, then the added keys.
pub fn validity_json(view: &ValidityView) -> Result<Value, AppError> {
    let mut v = serde_json::to_value(&view.validity)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("serializing validity: {e}")))?;
    let Some(map) = v.as_object_mut() else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "validity is not a JSON object"
        )));
    };
    let added = serde_json::json!({
        "cycle": view.cycle,
        "metric": view.metric.key,
        "periods": view.periods,
        "cross_validation": view.cross_validation,
        "delta_r2_interval": view.delta_r2_interval,
        "bootstrap_resamples": view.bootstrap_resamples,
        "verdict": view.verdict,
        "caveats": view.caveats,
    });
    if let Value::Object(added) = added {
        map.extend(added);
    }
    Ok(v)
}

/// The indicator figures as CSV: one row per indicator, in the report's order.
pub fn validity_csv(view: &ValidityView) -> Result<String, AppError> {
    let fail = |e: &dyn std::fmt::Display| AppError::Internal(anyhow::anyhow!("writing CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "indicator",
        "kind",
        "n",
        "r",
        "ci_low",
        "ci_high",
        "p",
        "rho",
        "sd",
        "mode_share",
    ])
    .map_err(|e| fail(&e))?;
    let f = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for ind in &view.validity.indicators {
        let kind = match ind.kind {
            crate::analyze::report::Kind::Leading => "leading",
            crate::analyze::report::Kind::Trailing => "trailing",
        };
        w.write_record([
            ind.name.clone(),
            kind.to_owned(),
            view.validity.n.to_string(),
            f(ind.r),
            f(ind.ci_low),
            f(ind.ci_high),
            f(ind.p),
            f(ind.rho),
            f(ind.sd),
            f(ind.mode_share),
        ])
        .map_err(|e| fail(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&e))?;
    String::from_utf8(bytes).map_err(|e| fail(&e))
}

/// The validity report of the caller's organisation.
#[utoipa::path(
    get,
    path = "/analytics/validity",
    tag = "analytics",
    operation_id = "get_validity",
    params(ValidityParams),
    responses(
        (status = 200, description = "The `validity` block of `sellerq analyze --format json` on the organisation's data, with the added keys.", body = ValidityReport),
        (status = 400, description = "An unknown or repeated query parameter.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "Only leaders and admins see the validity report.", body = ErrorBody),
        (status = 422, description = "A cycle without ratings, an unknown metric or a malformed period; `field` names it.", body = ErrorBody),
    )
)]
pub async fn validity(
    State(state): State<AppState>,
    viewer: ApiViewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    viewer.require(evidence::may_see_validity(viewer.role))?;
    let q = query(raw.as_deref(), &["cycle", "metric", "period"])?;
    let view = evidence::validity(&state, viewer.org.id, &q).await?;
    Ok(Json(validity_json(&view)?))
}

/// The validity report's indicator figures as CSV.
#[utoipa::path(
    get,
    path = "/analytics/validity.csv",
    tag = "analytics",
    operation_id = "get_validity_csv",
    params(ValidityParams),
    responses(
        (status = 200, description = "`indicator,kind,n,r,ci_low,ci_high,p,rho,sd,mode_share`, one row per indicator; empty cells are figures that cannot be computed.", body = String, content_type = "text/csv"),
        (status = 400, description = "An unknown or repeated query parameter.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "Only leaders and admins see the validity report.", body = ErrorBody),
        (status = 422, description = "A cycle without ratings, an unknown metric or a malformed period.", body = ErrorBody),
    )
)]
pub async fn validity_csv_file(
    State(state): State<AppState>,
    viewer: ApiViewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    viewer.require(evidence::may_see_validity(viewer.role))?;
    let q = query(raw.as_deref(), &["cycle", "metric", "period"])?;
    let view = evidence::validity(&state, viewer.org.id, &q).await?;
    let body = validity_csv(&view)?;
    Ok(crate::web::csv_download(
        &format!("validity-{}-{}", view.cycle, view.metric.key),
        body,
    ))
}

/// The reliability report of a cycle of the caller's organisation.
#[utoipa::path(
    get,
    path = "/analytics/reliability",
    tag = "analytics",
    operation_id = "get_reliability",
    params(ReliabilityParams),
    responses(
        (status = 200, description = "Per quality the figures of `sellerq analyze` (`qualities`) with a badge, Cronbach's alpha, the rater-effects table and self–other agreement.", body = ReliabilityView),
        (status = 400, description = "An unknown or repeated query parameter.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "Only leaders, admins and coaches see the reliability report.", body = ErrorBody),
        (status = 422, description = "A cycle without ratings.", body = ErrorBody),
    )
)]
pub async fn reliability(
    State(state): State<AppState>,
    viewer: ApiViewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<ReliabilityView>, ApiError> {
    viewer.require(evidence::may_see_reliability(viewer.role))?;
    let q = query(raw.as_deref(), &["cycle"])?;
    let view = evidence::reliability(&state, viewer.org.id, q.cycle.as_deref()).await?;
    Ok(Json(view.as_ref().clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_takes_repeated_periods_and_refuses_unknown_parameters() {
        let q = query(
            Some("cycle=2026-H1&period=2026-Q3&period=2026-Q4&metric=bookings"),
            &["cycle", "metric", "period"],
        )
        .unwrap();
        assert_eq!(q.cycle.as_deref(), Some("2026-H1"));
        assert_eq!(q.metric.as_deref(), Some("bookings"));
        assert_eq!(q.periods, vec!["2026-Q3", "2026-Q4"]);
        let e = query(Some("cylce=x"), &["cycle"]).unwrap_err();
        assert_eq!(e.field(), Some("cylce"));
        assert!(query(Some("cycle=a&cycle=b"), &["cycle"]).is_err());
        assert_eq!(query(None, &["cycle"]).unwrap(), EvidenceQuery::default());
    }
}
