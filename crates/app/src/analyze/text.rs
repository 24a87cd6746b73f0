//! The text report of `sellerq analyze`, written for a sales leader: plain words first, the
//! figures beside them, and the caveats that decide how far to trust them.
//!
//! Everything here is derived from a [`Report`], so the web app can show the same words.
//!
//! Rules, documented once here and printed in the report where they apply:
//! - **Reliability** of a quality is ICC(1,k), the reliability of the mean of the k raters
//!   subjects actually have (the form to read when each seller has different raters):
//!   *good* ≥ 0.70, *fair* ≥ 0.50, *poor* below. "Raters for 0.70" is Spearman–Brown from
//!   ICC(1,1), rounded up.
//! - **Leniency outliers**: raters with at least [`MIN_COMPARED`] compared ratings whose
//!   leniency is more than 2 SD from the mean of all raters' leniencies *and* at least
//!   [`SCALE_POINTS`] scale points from zero: unusual among these raters and large enough to
//!   matter on the scale.
//! - **Caveats**: fewer than 30 sellers in the validity analysis; a quality with fewer than 3
//!   non-self raters per seller on average; an indicator that barely varies (90 % or more of the
//!   sellers share one value, or no variation at all).

use std::fmt::Write as _;

use sellerq_domain::TRAILING_INDICATORS;
use sellerq_domain::model::Model;

use super::report::{Kind, RaterReport, Report, TARGET_RELIABILITY};

/// Reliability at or above this is "good".
pub const GOOD: f64 = 0.70;
/// Reliability at or above this (and below [`GOOD`]) is "fair"; below, "poor".
pub const FAIR: f64 = 0.50;
/// An outlier's leniency is at least this many scale points from zero (either way).
pub const SCALE_POINTS: f64 = 0.5;
/// Raters with fewer compared ratings are not judged.
pub const MIN_COMPARED: usize = 10;
/// How many leniency outliers are listed.
const MAX_OUTLIERS: usize = 15;
/// Below this many sellers the validity figures get a caveat.
pub const MIN_N: usize = 30;
/// Below this many raters per seller a quality gets a caveat.
pub const MIN_RATERS: f64 = 3.0;
/// At or above this share of one value an indicator "barely varies".
pub const BARELY_VARIES: f64 = 0.90;

/// The word for a reliability.
pub fn verdict(reliability: f64) -> &'static str {
    if reliability >= GOOD {
        "good"
    } else if reliability >= FAIR {
        "fair"
    } else {
        "poor"
    }
}

fn num(x: Option<f64>, decimals: usize) -> String {
    match x {
        Some(v) => format!("{v:.decimals$}").replace('-', "−"),
        None => "—".to_owned(),
    }
}

fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "p < 0.001".to_owned(),
        Some(p) => format!("p = {p:.3}"),
        None => "p —".to_owned(),
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A display name for an indicator: the model's quality name or the trailing indicator's label.
fn label(model: &Model, name: &str) -> String {
    if let Some(q) = model.quality(name) {
        return q.name.clone();
    }
    TRAILING_INDICATORS
        .iter()
        .find(|t| t.key == name)
        .map_or_else(|| name.to_owned(), |t| t.label.to_owned())
}

/// Leniency outliers by the rule in the module docs, most extreme first.
pub fn leniency_outliers(raters: &[RaterReport]) -> Vec<&RaterReport> {
    let judged: Vec<(&RaterReport, f64)> = raters
        .iter()
        .filter(|r| r.n >= MIN_COMPARED)
        .filter_map(|r| r.leniency.map(|l| (r, l)))
        .collect();
    if judged.is_empty() {
        return Vec::new();
    }
    let values: Vec<f64> = judged.iter().map(|(_, l)| *l).collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let sd = sellerq_stats::descriptive::sd(&values).unwrap_or(0.0);
    let mut out: Vec<&RaterReport> = judged
        .iter()
        .filter(|(_, l)| sd > 0.0 && (l - mean).abs() > 2.0 * sd && l.abs() >= SCALE_POINTS)
        .map(|(r, _)| *r)
        .collect();
    out.sort_by(|a, b| {
        let (x, y) = (
            a.leniency.unwrap_or(0.0).abs(),
            b.leniency.unwrap_or(0.0).abs(),
        );
        y.total_cmp(&x).then_with(|| a.rater.cmp(&b.rater))
    });
    out
}

/// Renders the text report.
pub fn render(report: &Report, model: &Model) -> String {
    let mut o = String::new();
    let i = &report.input;
    let periods = if i.periods.is_empty() {
        "no period".to_owned()
    } else {
        i.periods.join(", ")
    };
    let _ = writeln!(
        o,
        "sellerq analyze — cycle {}, outcome {} over {}",
        i.cycle, i.metric, periods
    );
    let _ = writeln!(
        o,
        "Read {} people, {} ratings and {} outcomes.\n",
        thousands(i.people),
        thousands(i.ratings),
        thousands(i.outcomes)
    );

    // --- Reliability -----------------------------------------------------------------------
    let _ = writeln!(o, "HOW FAR THE RATINGS CAN BE TRUSTED");
    let _ = writeln!(
        o,
        "Reliability = ICC(1,k) of the mean of the k raters sellers have: good ≥ {GOOD:.2}, fair ≥ {FAIR:.2}, poor below."
    );
    let _ = writeln!(
        o,
        "{:<17} {:>8} {:>11} {:>11}  {:<7} {:>10} {:>8} {:>12}",
        "Quality",
        "Sellers",
        "Raters each",
        "Reliability",
        "",
        "Raters for",
        "ICC(1,1)",
        "Kripp. alpha"
    );
    let _ = writeln!(
        o,
        "{:<17} {:>8} {:>11} {:>11}  {:<7} {:>10} {:>8} {:>12}",
        "",
        "",
        "(mean)",
        "(k raters)",
        "",
        format!("{TARGET_RELIABILITY:.2}"),
        "",
        "(interval)"
    );
    for q in &report.qualities {
        let word = q.icc.icc1k.map_or("—", verdict);
        let rel = match q.icc.icc1k {
            Some(v) => format!("{} (k={})", num(Some(v), 2), q.icc.n_raters),
            None => "—".to_owned(),
        };
        let _ = writeln!(
            o,
            "{:<17} {:>8} {:>11} {:>11}  {:<7} {:>10} {:>8} {:>12}",
            label(model, &q.key),
            thousands(q.n_subjects as u64),
            num(q.mean_raters, 1),
            rel,
            word,
            q.raters_needed
                .whole
                .map_or("—".to_owned(), |w| w.to_string()),
            num(q.icc.icc1, 2),
            num(q.krippendorff_alpha.interval, 2),
        );
    }
    let c = &report.cronbach_alpha;
    let _ = writeln!(
        o,
        "\nHow the qualities hang together: Cronbach's alpha = {} over {} sellers with every quality score.",
        num(c.alpha, 2),
        thousands(c.n_subjects as u64)
    );

    // --- Leniency --------------------------------------------------------------------------
    let _ = writeln!(o, "\nRATERS WHO SCORE HIGH OR LOW");
    let judged = report
        .raters
        .iter()
        .filter(|r| r.n >= MIN_COMPARED && r.leniency.is_some())
        .count();
    let outliers = leniency_outliers(&report.raters);
    let _ = writeln!(
        o,
        "Leniency = a rater's score minus the other raters' mean for the same seller and quality.\n\
         Outliers: more than 2 SD from the raters' mean leniency and at least ±{SCALE_POINTS} scale points\n\
         ({} raters with at least {MIN_COMPARED} compared ratings judged).",
        thousands(judged as u64)
    );
    if outliers.is_empty() {
        let _ = writeln!(o, "No rater stands out.");
    } else {
        for r in outliers.iter().take(MAX_OUTLIERS) {
            let l = r.leniency.unwrap_or(0.0);
            let _ = writeln!(
                o,
                "  {:<20} {:<11} {:>6} over {:>4} ratings  ({})",
                r.rater,
                r.role,
                format!("{l:+.2}").replace('-', "−"),
                r.n,
                if l > 0.0 { "lenient" } else { "severe" }
            );
        }
        if outliers.len() > MAX_OUTLIERS {
            let _ = writeln!(
                o,
                "  … and {} more (every rater is in --format json)",
                outliers.len() - MAX_OUTLIERS
            );
        }
    }

    // --- Validity --------------------------------------------------------------------------
    let v = &report.validity;
    let _ = writeln!(o, "\nWHAT PREDICTS {}", i.metric);
    let _ = writeln!(
        o,
        "Pearson r with its 95 % interval, over {} sellers with every indicator and an outcome.",
        thousands(v.n as u64)
    );
    let side = |kind: Kind| -> Vec<String> {
        v.indicators
            .iter()
            .filter(|x| x.kind == kind)
            .map(|x| {
                format!(
                    "{:<20} {:>5} [{:>5}, {:>5}]",
                    label(model, &x.name),
                    num(x.r, 2),
                    num(x.ci_low, 2),
                    num(x.ci_high, 2)
                )
            })
            .collect()
    };
    let (lead, trail) = (side(Kind::Leading), side(Kind::Trailing));
    let _ = writeln!(
        o,
        "{:<41}   Trailing: résumé facts",
        "Leading: the qualities"
    );
    for row in 0..lead.len().max(trail.len()) {
        let l = lead.get(row).map_or("", String::as_str);
        let t = trail.get(row).map_or("", String::as_str);
        let line = format!("{l:<41}   {t}");
        let _ = writeln!(o, "{}", line.trim_end());
    }
    if !v.omitted.is_empty() {
        let names: Vec<String> = v.omitted.iter().map(|n| label(model, n)).collect();
        let _ = writeln!(o, "Left out (no value in the data): {}.", names.join(", "));
    }
    let h = &v.hierarchical;
    match (h.delta_r2, h.f_change, h.df1, h.df2) {
        (Some(d), Some(f), Some(df1), Some(df2)) => {
            let gain = if h.p_change.is_some_and(|p| p < 0.05) {
                ""
            } else {
                ": not a reliable gain in this data"
            };
            let _ = writeln!(
                o,
                "\nVerdict: the qualities add ΔR² = {} over the trailing indicators (R² {} → {}), F({df1}, {df2}) = {:.1}, {}{gain}.",
                num(Some(d), 2),
                num(h.r2_trailing, 2),
                num(h.r2_full, 2),
                f,
                p_text(h.p_change)
            );
        }
        _ => {
            let _ = writeln!(
                o,
                "\nVerdict: the hierarchical regression could not be computed (see the notes)."
            );
        }
    }

    // --- Caveats ---------------------------------------------------------------------------
    let mut caveats = Vec::new();
    if v.n < MIN_N {
        caveats.push(format!(
            "Only {} sellers have every indicator and an outcome: below {MIN_N}, correlations and the regression are very uncertain.",
            v.n
        ));
    }
    for q in &report.qualities {
        if let Some(m) = q.mean_raters.filter(|m| *m < MIN_RATERS) {
            caveats.push(format!(
                "{} has {m:.1} non-self raters per seller on average: fewer than {MIN_RATERS:.0} make its score noisy.",
                label(model, &q.key)
            ));
        }
    }
    for x in &v.indicators {
        let flat =
            x.sd.is_some_and(|s| s == 0.0) || x.mode_share.is_some_and(|m| m >= BARELY_VARIES);
        if flat {
            caveats.push(format!(
                "{} barely varies ({} of sellers share one value): its correlation says little.",
                label(model, &x.name),
                x.mode_share
                    .map_or("all".to_owned(), |m| format!("{:.0} %", m * 100.0))
            ));
        }
    }
    if !caveats.is_empty() || !report.notes.is_empty() {
        let _ = writeln!(o, "\nCAVEATS");
        for c in caveats.iter().chain(&report.notes) {
            let _ = writeln!(o, "- {c}");
        }
    }
    o
}
