//! The reliability report page (`/analytics/reliability?cycle=NAME`): how far the ratings of a
//! cycle can be trusted. Leaders, admins and coaches; everyone else gets the app's 403 page.
//!
//! Per quality: Krippendorff's alpha (interval and ordinal), ICC(1,k) — the form to read when
//! each seller has different raters (FORMATS.md) — with the other five forms a click away,
//! raters per seller, raters needed for 0.70 and a good / fair / poor badge. Then Cronbach's
//! alpha of the model with alpha-if-dropped, the rater-effects table (leniency with its
//! interval, halo index, outliers explained) and self–other agreement tied to Humility.
//! The figures come from [`crate::evidence::reliability`]; a figure that cannot be computed
//! shows "—", and the notes below the tables say why.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use sellerq_domain::Role;

use super::profile::CycleQuery;
use super::validity::{self, indicator_name};
use crate::analyze::text::{FAIR, GOOD, MIN_COMPARED, SCALE_POINTS};
use crate::evidence::{self, Badge, ReliabilityView};
use crate::web::AppState;
use crate::web::charts::forest::{NONE, fmt_interval, fmt_r};
use crate::web::error::AppError;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

/// The reliability page's route.
pub fn router() -> Router<AppState> {
    Router::new().route("/analytics/reliability", get(show))
}

/// Who may read the reliability report.
pub(crate) fn may_read(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Leader | Role::Coach)
}

/// Raters listed in full up to this many; beyond, the outliers and the most lenient and most
/// severe [`RATERS_EACH_END`].
const RATERS_SHOWN: usize = 200;
const RATERS_EACH_END: usize = 50;

#[derive(Debug)]
struct CycleOpt {
    name: String,
    selected: bool,
}

#[derive(Debug)]
struct QualityRow {
    key: String,
    name: String,
    n: String,
    mean_raters: String,
    icc1k: String,
    icc_k: String,
    icc_n: String,
    alpha_interval: String,
    alpha_ordinal: String,
    raters_needed: String,
    badge: &'static str,
    /// The six ICC forms: ICC(1), ICC(2), ICC(3), ICC(1,k), ICC(2,k), ICC(3,k).
    icc_all: [String; 6],
}

#[derive(Debug)]
struct DropRow {
    name: String,
    alpha: String,
    change: String,
    raises: bool,
}

#[derive(Debug)]
struct RaterView {
    who: String,
    id: String,
    role: String,
    n: usize,
    leniency: String,
    interval: String,
    halo: String,
    outlier: bool,
    direction: &'static str,
}

#[derive(Debug)]
struct AgreementRow {
    key: String,
    name: String,
    n: usize,
    r: String,
    interval: String,
    over: String,
    under: String,
}

#[derive(Debug)]
struct Report {
    cycle: String,
    qualities: Vec<QualityRow>,
    badge_sentence: String,
    cronbach_alpha: String,
    cronbach_n: usize,
    cronbach_sentence: String,
    drops: Vec<DropRow>,
    raters: Vec<RaterView>,
    raters_total: usize,
    raters_hidden: usize,
    outliers: usize,
    outlier_sentence: String,
    agreement: Vec<AgreementRow>,
    agreement_sentence: String,
    threshold: String,
    notes: Vec<String>,
    good: String,
    fair: String,
    json_href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reliability.html")]
struct ReliabilityPage {
    layout: Layout,
    cycles: Vec<CycleOpt>,
    shows_validity: bool,
    empty: Option<String>,
    problem: Option<String>,
    report: Option<Report>,
}

/// GET /analytics/reliability?cycle=NAME
async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<CycleQuery>,
) -> Result<ReliabilityPage, AppError> {
    viewer.require(may_read(viewer.role))?;
    let org = viewer.org.id;
    let asked = Some(query.cycle.trim()).filter(|c| !c.is_empty());
    evidence::prefetch(&state, org, asked);
    let choices = evidence::choices(&state, org, None).await?;
    let mut page = ReliabilityPage {
        layout: Layout::new(&viewer, "Reliability report", Section::Evidence),
        cycles: Vec::new(),
        shows_validity: validity::may_read(viewer.role),
        empty: None,
        problem: None,
        report: None,
    };
    if choices.cycles.is_empty() {
        page.empty = Some(
            "There are no submitted ratings yet. The reliability report appears once a cycle's \
             ratings are in: it needs several raters per seller."
                .into(),
        );
        return Ok(page);
    }
    let cycle = asked
        .filter(|c| choices.cycles.iter().any(|k| k == c))
        .map(str::to_owned)
        .or_else(|| choices.default_cycle.clone());
    if let Some(a) = asked
        && cycle.as_deref() != Some(a)
    {
        page.problem = Some(format!(
            "Cycle \u{201c}{a}\u{201d} has no submitted ratings: showing {} instead.",
            cycle.as_deref().unwrap_or(NONE)
        ));
    }
    page.cycles = choices
        .cycles
        .iter()
        .rev()
        .map(|c| CycleOpt {
            name: c.clone(),
            selected: cycle.as_ref() == Some(c),
        })
        .collect();
    let view = match evidence::reliability(&state, org, cycle.as_deref()).await {
        Ok(v) => v,
        Err(AppError::Invalid(errs)) => {
            page.problem = Some(format!("The report cannot be computed: {errs}"));
            return Ok(page);
        }
        Err(e) => return Err(e),
    };
    let model = crate::web::current_model(&state, org).await?;
    let names: Vec<(String, String)> = model
        .qualities
        .iter()
        .map(|q| (q.key.as_str().to_owned(), q.name.clone()))
        .collect();
    page.report = Some(report(&view, &names));
    Ok(page)
}

/// A reliability figure (alpha, ICC) with two decimals and a true minus sign, or "—".
fn fmt2(v: Option<f64>) -> String {
    fmt_r(v)
}

/// A share in whole per cent, or "—".
fn fmt_share(v: Option<f64>) -> String {
    match v.filter(|x| x.is_finite()) {
        Some(x) => format!("{:.0} %", x * 100.0),
        None => NONE.to_owned(),
    }
}

/// A leniency with two decimals and a sign (`+0.31`, `−0.12`), or "—".
fn fmt_signed(v: Option<f64>) -> String {
    match v.filter(|x| x.is_finite()) {
        Some(x) if x.abs() < 0.005 => "0.00".into(),
        Some(x) if x > 0.0 => format!("+{x:.2}"),
        Some(x) => format!("\u{2212}{:.2}", -x),
        None => NONE.to_owned(),
    }
}

fn report(view: &ReliabilityView, names: &[(String, String)]) -> Report {
    let name = |k: &str| indicator_name(k, names);

    let qualities: Vec<QualityRow> = view
        .qualities
        .iter()
        .map(|q| {
            let f = &q.figures;
            let icc = &f.icc;
            QualityRow {
                key: f.key.clone(),
                name: name(&f.key),
                n: f.n_subjects.to_string(),
                mean_raters: f
                    .mean_raters
                    .filter(|x| x.is_finite())
                    .map_or_else(|| NONE.to_owned(), |x| format!("{x:.1}")),
                icc1k: fmt2(icc.icc1k),
                icc_k: icc.n_raters.to_string(),
                icc_n: icc.n_subjects.to_string(),
                alpha_interval: fmt2(f.krippendorff_alpha.interval),
                alpha_ordinal: fmt2(f.krippendorff_alpha.ordinal),
                raters_needed: match (f.raters_needed.whole, f.raters_needed.raters) {
                    (Some(w), Some(x)) => format!("{w} ({x:.1})"),
                    (Some(w), None) => w.to_string(),
                    _ => NONE.to_owned(),
                },
                badge: q.badge.word(),
                icc_all: [
                    fmt2(icc.icc1),
                    fmt2(icc.icc2),
                    fmt2(icc.icc3),
                    fmt2(icc.icc1k),
                    fmt2(icc.icc2k),
                    fmt2(icc.icc3k),
                ],
            }
        })
        .collect();
    let with = |b: Badge| -> Vec<String> {
        view.qualities
            .iter()
            .filter(|q| q.badge == b)
            .map(|q| name(&q.figures.key))
            .collect()
    };
    let (good, fair, poor) = (with(Badge::Good), with(Badge::Fair), with(Badge::Poor));
    let mut parts = Vec::new();
    if !good.is_empty() {
        parts.push(format!("good for {}", list(&good)));
    }
    if !fair.is_empty() {
        parts.push(format!("fair for {}", list(&fair)));
    }
    if !poor.is_empty() {
        parts.push(format!("poor for {}", list(&poor)));
    }
    let badge_sentence = if parts.is_empty() {
        "No quality has enough raters per seller for a reliability figure yet.".to_owned()
    } else {
        format!(
            "The mean of the raters' scores is {}.{}",
            parts.join("; "),
            if poor.is_empty() {
                String::new()
            } else {
                " Where it is poor, a seller's score says more about who rated them than about \
                 the seller: add raters (the table says how many) or calibrate raters on the \
                 anchors before reading individual scores."
                    .to_owned()
            }
        )
    };

    // Cronbach's alpha and alpha if a quality is dropped.
    let overall = view.cronbach.alpha.filter(|a| a.is_finite());
    let drops: Vec<DropRow> = view
        .alpha_if_dropped
        .iter()
        .map(|(k, a)| {
            let a = a.filter(|x| x.is_finite());
            let change = match (a, overall) {
                (Some(a), Some(o)) => a - o,
                _ => f64::NAN,
            };
            DropRow {
                name: name(k),
                alpha: fmt2(a),
                change: fmt_signed(Some(change)),
                raises: change > 0.005,
            }
        })
        .collect();
    let raisers: Vec<String> = drops
        .iter()
        .filter(|d| d.raises)
        .map(|d| d.name.clone())
        .collect();
    let cronbach_sentence = match overall {
        Some(a) => format!(
            "How consistently the quality scores move together across sellers: {} over \
             {} sellers. {}{}",
            fmt2(Some(a)),
            view.cronbach.n_subjects,
            if a >= 0.9 {
                "Very high: the qualities may be rated as one general impression (see the halo \
                 index below)."
            } else if a >= 0.7 {
                "They hang together as one model while still telling qualities apart."
            } else {
                "Low: the scores do not hang together much as one model."
            },
            if raisers.is_empty() {
                String::new()
            } else {
                format!(
                    " Leaving out {} would raise it: that quality behaves least like the others.",
                    list(&raisers)
                )
            }
        ),
        None => {
            "Cronbach's alpha cannot be computed: too few sellers have all quality scores.".into()
        }
    };

    // Rater effects.
    let total = view.raters.len();
    let shown: Vec<&evidence::RaterRow> = if total <= RATERS_SHOWN {
        view.raters.iter().collect()
    } else {
        view.raters
            .iter()
            .enumerate()
            .filter(|(i, r)| r.outlier || *i < RATERS_EACH_END || *i >= total - RATERS_EACH_END)
            .map(|(_, r)| r)
            .collect()
    };
    let raters: Vec<RaterView> = shown
        .iter()
        .map(|r| RaterView {
            who: r.name.clone().unwrap_or_else(|| r.rater.clone()),
            id: r.rater.clone(),
            role: r.role.to_owned(),
            n: r.n,
            leniency: fmt_signed(r.leniency),
            interval: fmt_interval(r.ci_low, r.ci_high),
            halo: fmt2(r.halo_index),
            outlier: r.outlier,
            direction: match r.leniency {
                Some(l) if l > 0.0 => "lenient",
                Some(_) => "severe",
                None => "",
            },
        })
        .collect();
    let outliers = view.raters.iter().filter(|r| r.outlier).count();
    let outlier_sentence = match outliers {
        0 => format!(
            "No rater stands out. An outlier would be a rater with at least {MIN_COMPARED} \
             compared ratings whose leniency is more than 2 SD from the raters' mean and at \
             least {SCALE_POINTS} scale points from zero."
        ),
        n => format!(
            "{n} {} flagged{}: their scores run clearly higher (lenient) or lower (severe) than the \
             other raters' scores of the same sellers — more than 2 SD from the raters' mean \
             leniency and at least {SCALE_POINTS} scale points, over at least {MIN_COMPARED} \
             compared ratings. This is not a verdict on the rater: talk it through, calibrate \
             on the anchors, and read the scores they gave with it in mind (profiles can show \
             leniency-adjusted scores).",
            if n == 1 { "rater is" } else { "raters are" },
            if n <= 10 {
                let who: Vec<String> = view
                    .raters
                    .iter()
                    .filter(|r| r.outlier)
                    .map(|r| r.name.clone().unwrap_or_else(|| r.rater.clone()))
                    .collect();
                format!(" ({})", list(&who))
            } else {
                String::new()
            }
        ),
    };

    // Self–other agreement.
    let agreement: Vec<AgreementRow> = view
        .agreement
        .iter()
        .map(|a| AgreementRow {
            key: a.key.clone(),
            name: name(&a.key),
            n: a.n,
            r: fmt_r(a.r),
            interval: fmt_interval(a.ci_low, a.ci_high),
            over: fmt_share(a.over_share),
            under: fmt_share(a.under_share),
        })
        .collect();
    let most_over = view
        .agreement
        .iter()
        .filter_map(|a| Some((a, a.over_share.filter(|x| x.is_finite())?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let agreement_sentence = match most_over {
        Some((a, share)) if share > 0.0 => format!(
            "Most over-raters on {}: {} of sellers rate themselves at least {} above what the \
             others see.",
            name(&a.key),
            fmt_share(Some(share)),
            fmt_threshold(view.blind_spot_threshold)
        ),
        _ => String::new(),
    };

    Report {
        cycle: view.cycle.clone(),
        qualities,
        badge_sentence,
        cronbach_alpha: fmt2(overall),
        cronbach_n: view.cronbach.n_subjects,
        cronbach_sentence,
        drops,
        raters,
        raters_total: total,
        raters_hidden: total - shown.len(),
        outliers,
        outlier_sentence,
        agreement,
        agreement_sentence,
        threshold: fmt_threshold(view.blind_spot_threshold),
        notes: view.notes.clone(),
        json_href: format!(
            "/api/v1/analytics/reliability?{}",
            serde_urlencoded::to_string([("cycle", view.cycle.as_str())]).unwrap_or_default()
        ),
        good: format!("{GOOD:.2}"),
        fair: format!("{FAIR:.2}"),
    }
}

/// The blind-spot threshold in words: `"1 point"`, `"1.5 points"`.
fn fmt_threshold(t: f64) -> String {
    if (t - 1.0).abs() < 1e-9 {
        "1 point".into()
    } else if (t - t.round()).abs() < 1e-9 {
        format!("{t:.0} points")
    } else {
        format!("{t:.1} points")
    }
}

/// "A", "A and B", "A, B and C".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_formatted_consistently() {
        assert_eq!(fmt_signed(Some(0.314)), "+0.31");
        assert_eq!(fmt_signed(Some(-0.12)), "\u{2212}0.12");
        assert_eq!(fmt_signed(Some(f64::NAN)), "—");
        assert_eq!(fmt_share(Some(0.125)), "12 %");
        assert_eq!(fmt_share(None), "—");
        assert_eq!(fmt_threshold(1.0), "1 point");
        assert_eq!(fmt_threshold(0.5), "0.5 points");
        assert_eq!(list(&["A".into(), "B".into(), "C".into()]), "A, B and C");
    }

    #[test]
    fn coaches_leaders_and_admins_read_it_and_no_one_else() {
        for role in Role::ALL {
            let want = matches!(role, Role::Admin | Role::Leader | Role::Coach);
            assert_eq!(may_read(role), want, "{role}");
        }
    }
}
