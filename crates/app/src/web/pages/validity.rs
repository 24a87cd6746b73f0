//! The validity report page (`/analytics/validity`): do the qualities predict results, and do
//! they add anything over the résumé facts? Leaders and admins only; everyone else gets the
//! app's 403 page.
//!
//! A GET form picks the cycle, the outcome metric and the periods (checkboxes; none ticked =
//! every period), and `x=` the indicator of the scatter plot, so the page works without
//! JavaScript and every view has a URL. The figures come from [`crate::evidence::validity`]
//! (the same engine as `sellerq analyze`); this module only arranges them: the verdict first,
//! the forest plot, the hierarchical card, the out-of-sample check, the scatter plot, the
//! caveats, and links to the same figures as CSV and JSON.
//!
//! Empty states are pages, not errors: no submitted ratings yet, or no outcomes of the chosen
//! metric yet (with a pointer to the outcomes upload).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use sellerq_domain::outcome::RATIO_UNIT;
use sellerq_domain::{Role, TRAILING_INDICATORS};

use crate::analyze::report::Kind;
use crate::evidence::{self, Choices, EvidenceQuery, ValidityView};
use crate::web::AppState;
use crate::web::charts::forest::{self, ForestRow, IndicatorKind, NONE, fmt_r, p_phrase};
use crate::web::charts::scatter::{self, POINT_TITLES, ScatterPoint, ScatterSpec, ValueFormat};
use crate::web::error::AppError;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

/// The validity page's route.
pub fn router() -> Router<AppState> {
    Router::new().route("/analytics/validity", get(show))
}

/// Who may read the organisation-wide validity report.
pub(crate) fn may_read(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Leader)
}

/// The page's query: `cycle`, `metric`, `period` (repeatable) and `x` (the scatter's
/// indicator). Read as pairs because `period` repeats.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct PageQuery {
    pub cycle: Option<String>,
    pub metric: Option<String>,
    pub periods: Vec<String>,
    pub x: Option<String>,
}

impl PageQuery {
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut q = Self::default();
        let some = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        for (k, v) in pairs {
            match k.as_str() {
                "cycle" => q.cycle = some(v),
                "metric" => q.metric = some(v),
                "period" => {
                    if let Some(p) = some(v)
                        && !q.periods.contains(&p)
                    {
                        q.periods.push(p);
                    }
                }
                "x" => q.x = some(v),
                _ => {}
            }
        }
        q
    }
}

/// An option of a select.
#[derive(Debug)]
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// A period checkbox.
#[derive(Debug)]
struct PeriodBox {
    name: String,
    checked: bool,
}

/// A figure with its label and a line of explanation.
#[derive(Debug)]
struct Figure {
    label: String,
    value: String,
    note: String,
    key: &'static str,
}

/// What the page shows when there is a report.
#[derive(Debug)]
struct Report {
    verdict: String,
    n: usize,
    omitted: String,
    forest: String,
    forest_numbers: String,
    hierarchical: Vec<Figure>,
    hierarchical_sentence: String,
    cv: Vec<Figure>,
    cv_sentence: String,
    scatter: String,
    scatter_caption: String,
    scatter_numbers: String,
    x_options: Vec<Opt>,
    caveats: Vec<String>,
    csv_href: String,
    json_href: String,
    cycle: String,
    metric_label: String,
    periods_text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "validity.html")]
struct ValidityPage {
    layout: Layout,
    cycles: Vec<Opt>,
    metrics: Vec<Opt>,
    periods: Vec<PeriodBox>,
    /// Why there is no report (an empty state), if there is none.
    empty: Option<String>,
    /// True when the empty state is "no outcomes yet".
    no_outcomes: bool,
    /// A problem with the query (a period or cycle the data do not have).
    problem: Option<String>,
    is_admin: bool,
    report: Option<Report>,
    /// The query's hidden fields for the scatter form: (name, value).
    hidden: Vec<(String, String)>,
}

/// GET /analytics/validity?cycle=&metric=&period=&x=
async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<ValidityPage, AppError> {
    viewer.require(may_read(viewer.role))?;
    let org = viewer.org.id;
    let q = PageQuery::from_pairs(&pairs);
    evidence::prefetch(&state, org, q.cycle.as_deref());
    let mut choices = evidence::choices(&state, org, q.metric.as_deref()).await?;
    // The metric: the one asked for if the organisation has it, else the default.
    let metric = choose_metric(&choices, q.metric.as_deref());
    if q.metric.is_some() && metric.is_some() && metric != q.metric {
        // The periods offered are those of the metric shown.
        choices = evidence::choices(&state, org, metric.as_deref()).await?;
    }

    let mut page = ValidityPage {
        layout: Layout::new(&viewer, "Validity report", Section::Evidence),
        cycles: Vec::new(),
        metrics: Vec::new(),
        periods: Vec::new(),
        empty: None,
        no_outcomes: false,
        problem: None,
        is_admin: viewer.role.is_admin(),
        report: None,
        hidden: Vec::new(),
    };

    if let (Some(asked), Some(m)) = (&q.metric, &metric)
        && asked != m
    {
        let label = choices
            .metrics
            .iter()
            .find(|c| &c.key == m)
            .map_or(m.as_str(), |c| c.label.as_str());
        page.problem = Some(format!(
            "There is no outcome metric \u{201c}{asked}\u{201d}: showing {label} instead."
        ));
    }
    // Periods: only those the metric has; none left = every period.
    let periods: Vec<String> = q
        .periods
        .iter()
        .filter(|p| choices.periods.contains(p))
        .cloned()
        .collect();
    let dropped: Vec<&String> = q
        .periods
        .iter()
        .filter(|p| !choices.periods.contains(p))
        .collect();
    if !dropped.is_empty() && !choices.periods.is_empty() {
        page.problem = Some(format!(
            "No outcomes of this metric in {}: {}.",
            dropped
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if periods.is_empty() {
                "showing every period"
            } else {
                "showing the other periods"
            }
        ));
    }
    let cycle = q
        .cycle
        .clone()
        .filter(|c| choices.cycles.contains(c))
        .or_else(|| choices.default_cycle.clone());
    if let Some(asked) = &q.cycle
        && !choices.cycles.contains(asked)
        && !choices.cycles.is_empty()
    {
        page.problem = Some(format!(
            "Cycle \u{201c}{asked}\u{201d} has no submitted ratings: showing {} instead.",
            cycle.as_deref().unwrap_or(NONE)
        ));
    }

    page.cycles = choices
        .cycles
        .iter()
        .rev()
        .map(|c| Opt {
            value: c.clone(),
            label: c.clone(),
            selected: cycle.as_ref() == Some(c),
        })
        .collect();
    page.metrics = choices
        .metrics
        .iter()
        .map(|m| Opt {
            value: m.key.clone(),
            label: m.label.clone(),
            selected: metric.as_ref() == Some(&m.key),
        })
        .collect();
    page.periods = choices
        .periods
        .iter()
        .map(|p| PeriodBox {
            name: p.clone(),
            checked: periods.contains(p),
        })
        .collect();

    if choices.cycles.is_empty() {
        page.empty = Some(
            "There are no submitted ratings yet. The validity report needs one cycle's quality \
             scores and, later, the sellers' results."
                .into(),
        );
        return Ok(page);
    }
    if choices.metrics.is_empty() || choices.periods.is_empty() {
        page.no_outcomes = true;
        page.empty = Some(format!(
            "No outcomes{} yet. The validity report compares the quality scores with later \
             results, so it needs each seller's outcomes per period (outcomes.csv: subject, \
             period, metric, value).",
            metric
                .as_ref()
                .and_then(|k| choices.metrics.iter().find(|m| &m.key == k))
                .map(|m| format!(" of {}", m.label))
                .unwrap_or_default()
        ));
        return Ok(page);
    }

    let query = EvidenceQuery {
        cycle: cycle.clone(),
        metric: metric.clone(),
        periods: periods.clone(),
    };
    let view = match evidence::validity(&state, org, &query).await {
        Ok(v) => v,
        Err(AppError::Invalid(errs)) => {
            page.problem = Some(format!("The report cannot be computed: {errs}"));
            return Ok(page);
        }
        Err(e) => return Err(e),
    };
    let names = quality_names(&state, org).await?;
    page.hidden = hidden_fields(&query);
    page.report = Some(report(&view, &query, q.x.as_deref(), &names));
    Ok(page)
}

/// The metric key to show: `asked` when the organisation has it, else the default metric if
/// it has that, else its first metric.
fn choose_metric(choices: &Choices, asked: Option<&str>) -> Option<String> {
    let has = |k: &str| choices.metrics.iter().any(|m| m.key == k);
    asked
        .filter(|k| has(k))
        .or(Some(sellerq_domain::DEFAULT_METRIC).filter(|k| has(k)))
        .map(str::to_owned)
        .or_else(|| choices.metrics.first().map(|m| m.key.clone()))
}

/// Display names of the current model's qualities, by key.
async fn quality_names(state: &AppState, org: i64) -> Result<Vec<(String, String)>, AppError> {
    let model = crate::web::current_model(state, org).await?;
    Ok(model
        .qualities
        .iter()
        .map(|q| (q.key.as_str().to_owned(), q.name.clone()))
        .collect())
}

/// An indicator's name for people: the quality's name, the trailing indicator's label, or the
/// key with spaces.
pub(crate) fn indicator_name(key: &str, names: &[(String, String)]) -> String {
    names
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, n)| n.clone())
        .or_else(|| {
            TRAILING_INDICATORS
                .iter()
                .find(|t| t.key == key)
                .map(|t| t.label.to_owned())
        })
        .unwrap_or_else(|| key.replace('_', " "))
}

fn kind_of(k: Kind) -> IndicatorKind {
    match k {
        Kind::Leading => IndicatorKind::Leading,
        Kind::Trailing => IndicatorKind::Trailing,
    }
}

/// The query string of a report (`cycle`, `metric`, each `period`).
fn query_string(q: &EvidenceQuery) -> String {
    let pairs = hidden_fields(q);
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

fn hidden_fields(q: &EvidenceQuery) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(c) = &q.cycle {
        pairs.push(("cycle".into(), c.clone()));
    }
    if let Some(m) = &q.metric {
        pairs.push(("metric".into(), m.clone()));
    }
    for p in &q.periods {
        pairs.push(("period".into(), p.clone()));
    }
    pairs
}

/// R² and ΔR² with three decimals, or "—".
fn fmt_r2(v: Option<f64>) -> String {
    match v.filter(|x| x.is_finite()) {
        Some(x) if x < 0.0 && x > -0.0005 => "0.000".into(),
        Some(x) if x < 0.0 => format!("\u{2212}{:.3}", -x),
        Some(x) => format!("{x:.3}"),
        None => NONE.to_owned(),
    }
}

fn report(
    view: &ValidityView,
    q: &EvidenceQuery,
    x: Option<&str>,
    names: &[(String, String)],
) -> Report {
    let v = &view.validity;
    let rows: Vec<ForestRow> = v
        .indicators
        .iter()
        .map(|i| ForestRow {
            key: i.name.clone(),
            name: indicator_name(&i.name, names),
            kind: kind_of(i.kind),
            r: i.r,
            ci_low: i.ci_low,
            ci_high: i.ci_high,
            p: i.p,
            rho: i.rho,
        })
        .collect();

    // The hierarchical card.
    let h = &v.hierarchical;
    let delta_note = match &view.delta_r2_interval {
        Some(iv) => format!(
            "95 % bootstrap interval {} to {} ({} resamples of the sellers)",
            fmt_r2(Some(iv.low)),
            fmt_r2(Some(iv.high)),
            view.bootstrap_resamples
        ),
        None => "no bootstrap interval: too few sellers".into(),
    };
    let f_value = match (h.f_change, h.df1, h.df2) {
        (Some(f), Some(d1), Some(d2)) if f.is_finite() => {
            format!("F({d1}, {d2}) = {f:.2}")
        }
        _ => format!("F {NONE}"),
    };
    let hierarchical = vec![
        Figure {
            label: "Trailing indicators alone".into(),
            value: format!("R² {}", fmt_r2(h.r2_trailing)),
            note: "The share of the differences in results that the résumé facts explain.".into(),
            key: "r2_trailing",
        },
        Figure {
            label: "With the qualities".into(),
            value: format!("R² {}", fmt_r2(h.r2_full)),
            note: "Résumé facts and the quality scores together.".into(),
            key: "r2_full",
        },
        Figure {
            label: "Added by the qualities".into(),
            value: format!("ΔR² {}", fmt_r2(h.delta_r2)),
            note: delta_note,
            key: "delta_r2",
        },
        Figure {
            label: "Test of the addition".into(),
            value: format!("{f_value}, {}", p_phrase(h.p_change)),
            note: "F test of the change in R²; a small p means the gain is unlikely to be \
                   chance alone."
                .into(),
            key: "f_change",
        },
    ];
    let hierarchical_sentence = match (h.r2_trailing, h.r2_full, h.delta_r2) {
        (Some(t), Some(f), Some(d)) => format!(
            "The résumé facts alone explain {:.0} % of the differences in {}; with the quality \
             scores added, {:.0} %: {:+.1} percentage points from the qualities.",
            t * 100.0,
            view.metric.label.to_lowercase(),
            f * 100.0,
            d * 100.0
        ),
        _ => "The regression could not be computed on these data (see the notes below).".into(),
    };

    // Out of sample.
    let cv = &view.cross_validation;
    let cv_figures = vec![
        Figure {
            label: "Trailing indicators alone".into(),
            value: format!("R² {}", fmt_r2(cv.r2_trailing)),
            note: "Predicting sellers the model was not fitted on.".into(),
            key: "cv_r2_trailing",
        },
        Figure {
            label: "With the qualities".into(),
            value: format!("R² {}", fmt_r2(cv.r2_full)),
            note: "The same, with the quality scores added.".into(),
            key: "cv_r2_full",
        },
    ];
    let cv_sentence = format!(
        "{}-fold cross-validation (seed {}): each model is fitted on nine tenths of the sellers \
         and predicts the tenth left out, ten times over. Out-of-sample R² is lower than the \
         in-sample figures above, and can fall below zero when a model predicts worse than the \
         plain average.{}",
        cv.folds,
        cv.seed,
        match (cv.r2_trailing, cv.r2_full) {
            (Some(t), Some(f)) if f > t => format!(
                " Here the model with the qualities predicts new sellers better ({} against {}).",
                fmt_r2(Some(f)),
                fmt_r2(Some(t))
            ),
            (Some(t), Some(f)) => format!(
                " Here the qualities do not improve the prediction of new sellers ({} against {}).",
                fmt_r2(Some(f)),
                fmt_r2(Some(t))
            ),
            _ => String::new(),
        }
    );

    // The scatter plot: the indicator asked for, else the one with the highest r.
    let sorted = forest::sorted(&rows);
    let chosen = x
        .and_then(|k| rows.iter().position(|r| r.key == k))
        .or_else(|| {
            sorted
                .first()
                .and_then(|s| rows.iter().position(|r| r.key == s.key))
        });
    let y_format = if view.metric.unit == RATIO_UNIT {
        ValueFormat::Percent
    } else {
        ValueFormat::Number
    };
    let y_label = if view.metric.unit.is_empty() || view.metric.unit == RATIO_UNIT {
        view.metric.label.clone()
    } else {
        format!("{} ({})", view.metric.label, view.metric.unit)
    };
    let (scatter_svg, scatter_caption, scatter_numbers) = match chosen {
        Some(i) => {
            let row = &rows[i];
            let x_format = if row.key == "quota_track_record" {
                ValueFormat::Percent
            } else {
                ValueFormat::Number
            };
            let spec = ScatterSpec {
                x_label: row.name.clone(),
                y_label: y_label.clone(),
                kind: row.kind,
                x_format,
                y_format,
            };
            let points: Vec<ScatterPoint> = view
                .points
                .iter()
                .filter(|p| p.complete)
                .filter_map(|p| {
                    Some(ScatterPoint {
                        label: p.name.clone(),
                        x: (*p.values.get(i)?)?,
                        y: p.outcome,
                    })
                })
                .collect();
            let numbers = if points.len() <= POINT_TITLES {
                scatter::scatter_numbers(&points, &spec).details_html("The chart in numbers")
            } else {
                String::new()
            };
            (
                scatter::scatter(&points, &spec, "validity-scatter"),
                scatter::caption(&points, &spec),
                numbers,
            )
        }
        None => (String::new(), String::new(), String::new()),
    };
    let x_options = sorted
        .iter()
        .map(|r| Opt {
            value: r.key.clone(),
            label: format!("{} ({}, r {})", r.name, r.kind.class(), fmt_r(r.r)),
            selected: chosen.is_some_and(|i| rows[i].key == r.key),
        })
        .collect();

    let qs = query_string(q);
    let periods_text = if view.periods.is_empty() {
        "every period".to_owned()
    } else {
        view.periods.join(", ")
    };
    Report {
        verdict: view.verdict.clone(),
        n: v.n,
        omitted: v
            .omitted
            .iter()
            .map(|k| indicator_name(k, names))
            .collect::<Vec<_>>()
            .join(", "),
        forest: forest::forest(&rows, v.n, "validity-forest"),
        forest_numbers: forest::forest_numbers(&rows).details_html("The chart in numbers"),
        hierarchical,
        hierarchical_sentence,
        cv: cv_figures,
        cv_sentence,
        scatter: scatter_svg,
        scatter_caption,
        scatter_numbers,
        x_options,
        caveats: direction_caveat(&view.metric)
            .into_iter()
            .chain(view.caveats.iter().cloned())
            .collect(),
        csv_href: format!("/api/v1/analytics/validity.csv?{qs}"),
        json_href: format!("/api/v1/analytics/validity?{qs}"),
        cycle: view.cycle.clone(),
        metric_label: view.metric.label.clone(),
        periods_text,
    }
}

/// For a metric where lower is better (days to close, churn), a helpful indicator correlates
/// negatively: the reader is told before reading the forest plot the wrong way round.
fn direction_caveat(metric: &evidence::MetricChoice) -> Option<String> {
    (!metric.higher_is_better).then(|| {
        format!(
            "Lower is better for {}: a negative r means the indicator goes with better results. \
             ΔR² and the verdict do not depend on the direction.",
            metric.label
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lower_is_better_metric_warns_that_negative_r_is_good() {
        let mut metric = evidence::MetricChoice {
            key: "days_to_close".into(),
            label: "Days to close".into(),
            unit: "days".into(),
            higher_is_better: false,
        };
        let caveat = direction_caveat(&metric).expect("a caveat");
        assert!(caveat.starts_with("Lower is better for Days to close: a negative r"));
        metric.higher_is_better = true;
        assert_eq!(direction_caveat(&metric), None);
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_query_keeps_repeated_periods_once_and_ignores_blanks() {
        let q = PageQuery::from_pairs(&pairs(&[
            ("cycle", " 2026-H1 "),
            ("metric", ""),
            ("period", "2026-Q1"),
            ("period", "2026-Q2"),
            ("period", "2026-Q1"),
            ("x", "belief"),
            ("other", "ignored"),
        ]));
        assert_eq!(q.cycle.as_deref(), Some("2026-H1"));
        assert_eq!(q.metric, None);
        assert_eq!(q.periods, ["2026-Q1", "2026-Q2"]);
        assert_eq!(q.x.as_deref(), Some("belief"));
    }

    #[test]
    fn links_carry_the_whole_query() {
        let q = EvidenceQuery {
            cycle: Some("2026-H1".into()),
            metric: Some("win_rate".into()),
            periods: vec!["2026-Q1".into(), "2026 Q2".into()],
        };
        assert_eq!(
            query_string(&q),
            "cycle=2026-H1&metric=win_rate&period=2026-Q1&period=2026+Q2"
        );
    }

    #[test]
    fn indicators_are_named_for_people() {
        let names = vec![("belief".to_owned(), "Belief".to_owned())];
        assert_eq!(indicator_name("belief", &names), "Belief");
        assert_eq!(
            indicator_name("quota_track_record", &names),
            "Quota track record"
        );
        assert_eq!(indicator_name("odd_key", &names), "odd key");
        assert_eq!(fmt_r2(Some(0.2034)), "0.203");
        assert_eq!(fmt_r2(Some(-0.05)), "\u{2212}0.050");
        assert_eq!(fmt_r2(None), "—");
    }
}
