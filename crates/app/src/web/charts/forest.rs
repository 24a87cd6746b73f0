//! The validity report's forest plot: every indicator's correlation with the outcome.
//!
//! One row per indicator, sorted from the highest r to the lowest (indicators without an r
//! last): Pearson r as a mark with its 95 % interval as a line, on one axis with a vertical
//! line at r = 0, so an interval that crosses it reads "could be nothing". Leading indicators
//! (the qualities) are accent-blue circles and trailing ones (résumé facts) grey squares: the
//! two kinds differ in shape as well as colour, so the chart also reads in greyscale and for
//! colour-blind readers. The axis covers every interval and zero, at least 0.4 wide, inside
//! [−1, 1]. Each row's r is printed at its end, and [`forest_numbers`] gives the same figures
//! (with p and Spearman's rho) as a table in the same order.

use super::{NumbersRow, NumbersTable, finite, text_width};
use crate::web::svg::Svg;

/// What a missing figure shows in these charts' tables and labels.
pub const NONE: &str = "—";

/// Leading (a quality) or trailing (a résumé fact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorKind {
    /// A quality score: the thing sellerq claims predicts.
    Leading,
    /// A trailing indicator from people.csv (experience, track record, …).
    Trailing,
}

impl IndicatorKind {
    /// The CSS class (and `data-kind`): `leading` or `trailing`.
    pub fn class(self) -> &'static str {
        match self {
            Self::Leading => "leading",
            Self::Trailing => "trailing",
        }
    }

    /// `"Leading"` / `"Trailing"`, for tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Leading => "Leading",
            Self::Trailing => "Trailing",
        }
    }
}

/// One indicator against the outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    /// The indicator's key (`data-key`): a quality key or a trailing indicator's column.
    pub key: String,
    /// The display name.
    pub name: String,
    /// Leading or trailing.
    pub kind: IndicatorKind,
    /// Pearson r with the outcome.
    pub r: Option<f64>,
    /// Lower end of the 95 % interval.
    pub ci_low: Option<f64>,
    /// Upper end of the 95 % interval.
    pub ci_high: Option<f64>,
    /// Two-sided p of r.
    pub p: Option<f64>,
    /// Spearman's rho.
    pub rho: Option<f64>,
}

mod layout {
    pub const W: f64 = 360.0;
    /// Right edge of the indicator names.
    pub const NAME_R: f64 = 128.0;
    pub const NAME_CHARS: usize = 19;
    /// The r axis.
    pub const X0: f64 = 140.0;
    pub const X1: f64 = 312.0;
    /// Right edge of the printed r.
    pub const VALUE_R: f64 = 354.0;
    pub const TOP: f64 = 44.0;
    pub const ROW_H: f64 = 22.0;
    pub const DOT_R: f64 = 5.0;
    /// Between the legend's two lines.
    pub const LEGEND_LINE: f64 = 18.0;
    /// Tick labels closer than this to a labelled neighbour are left out.
    pub const TICK_GAP: f64 = 28.0;
}

/// The rows in the chart's order: r from highest to lowest, rows without r last (by name).
pub fn sorted(rows: &[ForestRow]) -> Vec<&ForestRow> {
    let mut v: Vec<&ForestRow> = rows.iter().collect();
    v.sort_by(|a, b| match (finite(a.r), finite(b.r)) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.name.cmp(&b.name)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
    v
}

/// The axis' ends and tick step: covers zero and every finite r and interval end, rounded out
/// to tenths, at least 0.4 wide, inside [−1, 1].
pub(crate) fn domain(rows: &[&ForestRow]) -> (f64, f64, f64) {
    let values = rows
        .iter()
        .flat_map(|r| [r.r, r.ci_low, r.ci_high])
        .filter_map(finite)
        .map(|v| v.clamp(-1.0, 1.0));
    let (mut lo, mut hi) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    lo = ((lo * 10.0 + 1e-9).floor() / 10.0).max(-1.0);
    hi = ((hi * 10.0 - 1e-9).ceil() / 10.0).min(1.0);
    while hi - lo < 0.4 - 1e-9 {
        if hi < 1.0 {
            hi = (hi + 0.1).min(1.0);
        } else {
            lo = (lo - 0.1).max(-1.0);
        }
    }
    let step = if hi - lo > 0.8 + 1e-9 { 0.2 } else { 0.1 };
    (lo, hi, step)
}

/// A correlation with two decimals and a true minus sign (`"0.31"`, `"−0.05"`), or `"—"`.
pub fn fmt_r(v: Option<f64>) -> String {
    match finite(v) {
        Some(x) if x.abs() < 0.005 => "0.00".into(),
        Some(x) if x < 0.0 => format!("\u{2212}{:.2}", -x),
        Some(x) => format!("{x:.2}"),
        None => NONE.to_owned(),
    }
}

/// A p-value for a reader: `"< 0.001"`, else three decimals (`"0.034"`), or `"—"`.
pub fn fmt_p(p: Option<f64>) -> String {
    match finite(p) {
        Some(p) if p < 0.001 => "< 0.001".into(),
        Some(p) => format!("{:.3}", p.min(1.0)),
        None => NONE.to_owned(),
    }
}

/// `"p < 0.001"` or `"p = 0.034"` (or `"p —"`), for sentences.
pub fn p_phrase(p: Option<f64>) -> String {
    match finite(p) {
        Some(x) if x < 0.001 => "p < 0.001".into(),
        Some(_) => format!("p = {}", fmt_p(p)),
        None => format!("p {NONE}"),
    }
}

/// `"0.22 to 0.38"`, or `"—"` when either end is missing.
pub fn fmt_interval(low: Option<f64>, high: Option<f64>) -> String {
    match (finite(low), finite(high)) {
        (Some(_), Some(_)) => format!("{} to {}", fmt_r(low), fmt_r(high)),
        _ => NONE.to_owned(),
    }
}

fn short(name: &str) -> String {
    if name.chars().count() > layout::NAME_CHARS {
        let mut s: String = name.chars().take(layout::NAME_CHARS - 1).collect();
        s.push('…');
        s
    } else {
        name.to_owned()
    }
}

/// The forest plot of `rows` (any order: the chart sorts them) over `n` subjects. `id` must
/// be unique on the page.
pub fn forest(rows: &[ForestRow], n: usize, id: &str) -> String {
    use layout::*;

    let rows = sorted(rows);
    let (lo, hi, step) = domain(&rows);
    let x_of = |v: f64| X0 + (v.clamp(lo, hi) - lo) / (hi - lo) * (X1 - X0);
    let bottom = TOP + ROW_H * rows.len() as f64;
    let legend_y = bottom + 22.0;
    let h = legend_y + LEGEND_LINE + 10.0;

    let count = |k: IndicatorKind| rows.iter().filter(|r| r.kind == k).count();
    let mut desc = format!(
        "Forest plot of {} indicators against the outcome over {n} sellers: each row is one \
         indicator's Pearson correlation r, a mark with its 95 % interval as a line, sorted from \
         the highest r to the lowest; a vertical line marks r = 0. The {} leading indicators \
         (qualities) are blue circles, the {} trailing indicators (résumé facts) grey squares.",
        rows.len(),
        count(IndicatorKind::Leading),
        count(IndicatorKind::Trailing),
    );
    if let Some(top) = rows.first().filter(|r| finite(r.r).is_some()) {
        desc.push_str(&format!(
            " Highest: {} ({}, r {}).",
            top.name,
            top.kind.class(),
            fmt_r(top.r)
        ));
    }
    let mut svg = Svg::chart(
        "forest",
        id,
        W,
        h,
        "Correlation of each indicator with the outcome",
        &desc,
    );

    // Axis title, tick labels and grid lines; the zero line drawn stronger.
    svg.el("text")
        .attr("class", "axis-title")
        .num("x", (X0 + X1) / 2.0)
        .num("y", 13.0)
        .attr("text-anchor", "middle")
        .text("Correlation r with the outcome");
    svg.el("text")
        .attr("class", "axis-title")
        .num("x", VALUE_R)
        .num("y", 31.0)
        .attr("text-anchor", "end")
        .text("r");
    svg.el("g")
        .attr("class", "r-axis")
        .attr("aria-hidden", "true")
        .open();
    let ticks: Vec<f64> = (0..=((hi - lo) / step + 1e-6).floor() as usize)
        .map(|i| {
            let v = lo + step * i as f64;
            if v.abs() < 1e-9 { 0.0 } else { v }
        })
        .collect();
    let labelled = labelled_ticks(&ticks, &x_of);
    for (v, show) in ticks.iter().zip(labelled) {
        let x = x_of(*v);
        let zero = *v == 0.0;
        svg.el("line")
            .attr("class", if zero { "zero-line" } else { "grid-line" })
            .num("x1", x)
            .num("y1", TOP - 8.0)
            .num("x2", x)
            .num("y2", bottom)
            .empty();
        if show {
            svg.el("text")
                .attr("class", "tick-label")
                .num("x", x)
                .num("y", 31.0)
                .attr("text-anchor", "middle")
                .text(&tick_label(*v));
        }
    }
    svg.end();

    for (i, row) in rows.iter().enumerate() {
        let y = TOP + ROW_H * i as f64 + ROW_H / 2.0 - 4.0;
        let kind = row.kind.class();
        let r = finite(row.r);
        svg.el("g")
            .attr("class", &format!("forest-row {kind}"))
            .attr("data-key", &row.key)
            .attr("data-kind", kind)
            .attr("data-r", &r.map(|v| format!("{v:.4}")).unwrap_or_default())
            .open();
        svg.el("text")
            .attr("class", "row-name side-text")
            .num("x", NAME_R)
            .num("y", y + 4.0)
            .attr("text-anchor", "end")
            .text(&short(&row.name));
        let Some(r) = r else {
            svg.el("text")
                .attr("class", "empty-note")
                .num("x", X0 + 4.0)
                .num("y", y + 4.0)
                .text("r cannot be computed");
            svg.end();
            continue;
        };
        if let (Some(a), Some(b)) = (finite(row.ci_low), finite(row.ci_high)) {
            let (a, b) = (a.min(b), a.max(b));
            svg.el("g").attr("class", "ci-line").open();
            svg.title(&format!(
                "{}: 95 % interval {}",
                row.name,
                fmt_interval(Some(a), Some(b))
            ));
            svg.el("line")
                .num("x1", x_of(a))
                .num("y1", y)
                .num("x2", x_of(b))
                .num("y2", y)
                .empty();
            for x in [x_of(a), x_of(b)] {
                svg.el("line")
                    .num("x1", x)
                    .num("y1", y - 4.0)
                    .num("x2", x)
                    .num("y2", y + 4.0)
                    .empty();
            }
            svg.end();
        }
        let title = format!(
            "{} ({}): r {}, 95 % interval {}, {}",
            row.name,
            kind,
            fmt_r(Some(r)),
            fmt_interval(row.ci_low, row.ci_high),
            p_phrase(row.p)
        );
        mark(
            &mut svg,
            row.kind,
            x_of(r),
            y,
            DOT_R,
            "r-mark",
            Some(&title),
        );
        svg.el("text")
            .attr("class", "forest-value")
            .num("x", VALUE_R)
            .num("y", y + 4.0)
            .attr("text-anchor", "end")
            .text(&fmt_r(Some(r)));
        svg.end();
    }

    // Legend: the two kinds on one line, the interval and the zero line on the next.
    svg.el("g")
        .attr("class", "legend-marks")
        .attr("aria-hidden", "true")
        .open();
    let mut x = 12.0;
    for (kind, label) in [
        (IndicatorKind::Leading, "Leading (a quality)"),
        (IndicatorKind::Trailing, "Trailing (a résumé fact)"),
    ] {
        svg.el("g").attr("class", kind.class()).open();
        mark(
            &mut svg,
            kind,
            x + 5.0,
            legend_y - 4.0,
            4.5,
            "r-mark legend-mark",
            None,
        );
        svg.end();
        svg.el("text")
            .attr("class", "legend-text")
            .num("x", x + 14.0)
            .num("y", legend_y)
            .text(label);
        x += 14.0 + text_width(label, 11.0) + 18.0;
    }
    let y2 = legend_y + LEGEND_LINE;
    svg.el("g").attr("class", "ci-line legend-key").open();
    svg.el("line")
        .num("x1", 12.0)
        .num("y1", y2 - 4.0)
        .num("x2", 32.0)
        .num("y2", y2 - 4.0)
        .empty();
    svg.end();
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", 37.0)
        .num("y", y2)
        .text("95 % interval");
    let x = 37.0 + text_width("95 % interval", 11.0) + 18.0;
    svg.el("line")
        .attr("class", "zero-line")
        .num("x1", x + 5.0)
        .num("y1", y2 - 11.0)
        .num("x2", x + 5.0)
        .num("y2", y2 + 2.0)
        .empty();
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", x + 14.0)
        .num("y", y2)
        .text("r = 0: no relation");
    svg.end();
    svg.finish()
}

/// A leading circle or a trailing square centred on (x, y), with its `<title>` if any.
fn mark(
    svg: &mut Svg,
    kind: IndicatorKind,
    x: f64,
    y: f64,
    r: f64,
    class: &str,
    title: Option<&str>,
) {
    let tag = match kind {
        IndicatorKind::Leading => svg
            .el("circle")
            .attr("class", class)
            .num("cx", x)
            .num("cy", y)
            .num("r", r),
        IndicatorKind::Trailing => svg
            .el("rect")
            .attr("class", class)
            .num("x", x - r * 0.9)
            .num("y", y - r * 0.9)
            .num("width", r * 1.8)
            .num("height", r * 1.8),
    };
    match title {
        Some(t) => {
            tag.open();
            svg.title(t);
            svg.end();
        }
        None => tag.empty(),
    }
}

/// Which ticks get a label: zero always, then outwards every tick at least
/// [`layout::TICK_GAP`] from the last labelled one.
fn labelled_ticks(ticks: &[f64], x_of: &impl Fn(f64) -> f64) -> Vec<bool> {
    let mut out = vec![false; ticks.len()];
    let Some(zero) = ticks.iter().position(|v| *v == 0.0) else {
        return out;
    };
    out[zero] = true;
    let mut last = x_of(0.0);
    for i in zero + 1..ticks.len() {
        if x_of(ticks[i]) - last >= layout::TICK_GAP {
            out[i] = true;
            last = x_of(ticks[i]);
        }
    }
    last = x_of(0.0);
    for i in (0..zero).rev() {
        if last - x_of(ticks[i]) >= layout::TICK_GAP {
            out[i] = true;
            last = x_of(ticks[i]);
        }
    }
    out
}

fn tick_label(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if v < 0.0 {
        format!("\u{2212}{:.1}", -v)
    } else {
        format!("{v:.1}")
    }
}

/// The forest plot's figures in the chart's order: kind, r, its interval, p and Spearman's rho.
pub fn forest_numbers(rows: &[ForestRow]) -> NumbersTable {
    let mut t = NumbersTable::new(
        "Correlation of each indicator with the outcome",
        "Indicator",
        &[
            ("Kind", false),
            ("r", true),
            ("95 % interval", true),
            ("p", true),
            ("Spearman ρ", true),
        ],
    );
    for row in sorted(rows) {
        t.rows.push(NumbersRow {
            key: row.key.clone(),
            label: row.name.clone(),
            side: None,
            cells: vec![
                row.kind.label().to_owned(),
                fmt_r(row.r),
                fmt_interval(row.ci_low, row.ci_high),
                fmt_p(row.p),
                fmt_r(row.rho),
            ],
        });
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::charts::testkit::{self, attr_values, elements, no_bad_numbers, titles};

    fn row(key: &str, kind: IndicatorKind, r: Option<f64>, lo: f64, hi: f64) -> ForestRow {
        ForestRow {
            key: key.into(),
            name: key.replace('_', " "),
            kind,
            r,
            ci_low: r.map(|_| lo),
            ci_high: r.map(|_| hi),
            p: r.map(|r| 0.5 - r.abs().min(0.5)),
            rho: r.map(|r| r - 0.01),
        }
    }

    fn sample() -> Vec<ForestRow> {
        use IndicatorKind::{Leading, Trailing};
        vec![
            row("years_experience", Trailing, Some(0.05), -0.04, 0.14),
            row("belief", Leading, Some(0.31), 0.22, 0.39),
            row("storytelling", Leading, Some(0.42), 0.34, 0.49),
            row("tenure_years", Trailing, Some(-0.08), -0.17, 0.01),
            row("humility", Leading, Some(0.18), 0.09, 0.27),
            row("vip_connections", Trailing, None, 0.0, 0.0),
        ]
    }

    fn keys(svg: &str) -> Vec<String> {
        elements(svg, "g", "forest-row")
            .iter()
            .map(|g| attr_values(g, "data-key")[0].clone())
            .collect()
    }

    #[test]
    fn one_row_per_indicator_sorted_by_r_with_missing_last() {
        let svg = forest(&sample(), 120, "f");
        assert_eq!(
            keys(&svg),
            [
                "storytelling",
                "belief",
                "humility",
                "years_experience",
                "tenure_years",
                "vip_connections"
            ]
        );
        assert!(svg.contains(">r cannot be computed</text>"));
        let t = forest_numbers(&sample());
        let order: Vec<&str> = t.rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(order, keys(&svg), "the table follows the chart's order");
    }

    #[test]
    fn leading_are_circles_and_trailing_squares_in_their_classes() {
        let svg = forest(&sample(), 120, "f");
        let rows = elements(&svg, "g", "forest-row");
        assert!(rows[0].contains("class=\"forest-row leading\""));
        assert!(rows[3].contains("class=\"forest-row trailing\""));
        let marks: Vec<&str> = elements(&svg, "circle", "r-mark")
            .into_iter()
            .filter(|m| !m.contains("legend"))
            .collect();
        assert_eq!(marks.len(), 3, "three leading circles");
        let squares: Vec<&str> = elements(&svg, "rect", "r-mark")
            .into_iter()
            .filter(|m| !m.contains("legend"))
            .collect();
        assert_eq!(squares.len(), 2, "two trailing squares with an r");
        assert!(svg.contains("Leading (a quality)") && svg.contains("Trailing (a résumé fact)"));
        assert!(!svg.contains("style="), "colours come from classes only");
    }

    #[test]
    fn marks_and_intervals_sit_where_their_values_are() {
        let svg = forest(&sample(), 120, "f");
        // Domain: −0.17 … 0.49 → −0.2 … 0.5, step 0.1.
        let zero: Vec<&str> = elements(&svg, "line", "zero-line");
        assert_eq!(zero.len(), 2, "the axis' and the legend's");
        let x0: f64 = attr_values(zero[0], "x1")[0].parse().unwrap();
        let expect = layout::X0 + 0.2 / 0.7 * (layout::X1 - layout::X0);
        assert!((x0 - expect).abs() < 0.01, "{x0} vs {expect}");
        let story = svg.split("data-key=\"storytelling\"").nth(1).unwrap();
        let cx: f64 = attr_values(story, "cx")[0].parse().unwrap();
        let want = layout::X0 + 0.62 / 0.7 * (layout::X1 - layout::X0);
        assert!((cx - want).abs() < 0.01, "{cx} vs {want}");
        // Ticks every 0.1 are 24.6 apart: every other one is labelled, outwards from zero.
        assert!(svg.contains(">0.4</text>") && svg.contains(">\u{2212}0.2</text>"));
        assert!(!svg.contains(">0.3</text>") && !svg.contains(">\u{2212}0.1</text>"));
    }

    #[test]
    fn every_mark_has_a_title_with_its_figures() {
        let svg = forest(&sample(), 120, "f");
        let t = titles(&svg);
        assert!(
            t.contains(&"storytelling (leading): r 0.42, 95 % interval 0.34 to 0.49, p = 0.080"),
            "{t:?}"
        );
        assert!(t.contains(&"tenure years: 95 % interval \u{2212}0.17 to 0.01"));
        assert!(
            svg.contains(r#"role="img""#) && svg.contains(r#"aria-labelledby="f-title f-desc""#)
        );
        assert!(svg.contains("over 120 sellers"));
        assert!(svg.contains("Highest: storytelling (leading, r 0.42)"));
    }

    #[test]
    fn the_axis_always_holds_zero_and_is_at_least_0_4_wide() {
        let only_high = [row("a", IndicatorKind::Leading, Some(0.9), 0.85, 0.95)];
        let (lo, hi, step) = domain(&only_high.iter().collect::<Vec<_>>());
        assert_eq!((lo, hi, step), (0.0, 1.0, 0.2));
        let tiny = [row("a", IndicatorKind::Leading, Some(0.01), -0.01, 0.03)];
        let (lo, hi, _) = domain(&tiny.iter().collect::<Vec<_>>());
        assert!(lo <= -0.1 + 1e-9 && hi - lo >= 0.4 - 1e-9, "{lo} {hi}");
        let (lo, hi, _) = domain(&[]);
        assert!(lo <= 0.0 && hi >= 0.4 - 1e-9);
    }

    #[test]
    fn figures_are_formatted_for_a_reader() {
        assert_eq!(fmt_r(Some(0.314)), "0.31");
        assert_eq!(fmt_r(Some(-0.056)), "\u{2212}0.06");
        assert_eq!(fmt_r(Some(-0.001)), "0.00");
        assert_eq!(fmt_r(None), "—");
        assert_eq!(fmt_p(Some(2e-9)), "< 0.001");
        assert_eq!(fmt_p(Some(0.0341)), "0.034");
        assert_eq!(fmt_p(Some(f64::NAN)), "—");
        assert_eq!(p_phrase(Some(1e-22)), "p < 0.001");
        assert_eq!(p_phrase(Some(0.2)), "p = 0.200");
        assert_eq!(fmt_interval(Some(0.1), None), "—");
        let t = forest_numbers(&sample());
        assert_eq!(
            t.rows[0].cells,
            ["Leading", "0.42", "0.34 to 0.49", "0.080", "0.41"]
        );
        assert_eq!(t.rows[5].cells, ["Trailing", "—", "—", "—", "—"]);
    }

    #[test]
    fn random_inputs_never_produce_nan_or_panic() {
        let mut rng = testkit::Rng(5);
        for round in 0..300 {
            let rows: Vec<ForestRow> = (0..rng.below(16))
                .map(|i| {
                    let kind = if rng.below(2) == 0 {
                        IndicatorKind::Leading
                    } else {
                        IndicatorKind::Trailing
                    };
                    let mut v = || rng.score().map(|s| (s - 3.0) / 2.5);
                    ForestRow {
                        key: format!("k{i}"),
                        name: "<x> & \"y\" a rather long name".into(),
                        kind,
                        r: v(),
                        ci_low: v(),
                        ci_high: v(),
                        p: v(),
                        rho: v(),
                    }
                })
                .collect();
            let svg = forest(&rows, rng.below(1000), "f");
            assert!(no_bad_numbers(&svg), "round {round}: {svg}");
            assert!(!svg.contains("<x>"));
            assert_eq!(elements(&svg, "g", "forest-row").len(), rows.len());
        }
    }
}
