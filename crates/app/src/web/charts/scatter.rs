//! The validity report's scatter plot: the outcome of every seller against one indicator, with
//! the least-squares line through them and r in the caption ([`caption`]).
//!
//! Points are drawn half-transparent so that sellers on the same spot (quality scores are
//! means of a few whole levels) show as a darker mark rather than hiding each other; they take
//! the indicator's kind class (`leading` accent, `trailing` grey). Both axes get "nice" ticks
//! (steps of 1, 2 or 5 × 10ⁿ) around the data. An outcome whose unit is a share (quota
//! attainment, 1.0 = 100 %) is labelled in per cent. Up to [`POINT_TITLES`] points carry a
//! `<title>` with the seller's name and both values; beyond that the markup would grow with
//! every seller for little use, and the figures are in the table and the CSV download.

use super::forest::{IndicatorKind, NONE, fmt_r};
use super::{NumbersRow, NumbersTable, text_width};
use crate::web::svg::{Svg, num};

/// Charts with at most this many points give each point a `<title>`.
pub const POINT_TITLES: usize = 400;

/// One seller: the indicator (x) and the outcome (y).
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterPoint {
    /// The seller's name (or id).
    pub label: String,
    /// The indicator's value.
    pub x: f64,
    /// The outcome.
    pub y: f64,
}

/// How a value is printed on an axis and in titles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// A plain number.
    Number,
    /// A share, printed in per cent (1.04 → "104 %").
    Percent,
}

impl ValueFormat {
    /// The value with `decimals` decimals (per cent: two fewer, at least none); numbers from
    /// 10,000 up in whole units with thousands separated (`252,578`).
    pub fn format(self, v: f64, decimals: usize) -> String {
        let (v, decimals, suffix) = match self {
            Self::Number => (v, decimals, ""),
            Self::Percent => (v * 100.0, decimals.saturating_sub(2), " %"),
        };
        let big = v.abs() >= 10_000.0;
        let s = format!("{:.*}", if big { 0 } else { decimals }, v.abs());
        let zero = s.chars().all(|c| c == '0' || c == '.');
        let sign = if v < 0.0 && !zero { "\u{2212}" } else { "" };
        let s = if big { group_thousands(&s) } else { s };
        format!("{sign}{s}{suffix}")
    }

    /// The value with about `sig` significant digits (`50.2 %`, `0.140`, `1,731`).
    pub fn significant(self, v: f64, sig: usize) -> String {
        let shown = match self {
            Self::Number => v,
            Self::Percent => v * 100.0,
        };
        let mag = if shown.abs() > 0.0 && shown.is_finite() {
            shown.abs().log10().floor() as i64
        } else {
            0
        };
        let decimals = (sig as i64 - 1 - mag).clamp(0, 4) as usize;
        let extra = if self == Self::Percent { 2 } else { 0 };
        self.format(v, decimals + extra)
    }

    /// A tick label: like [`Self::format`], but numbers from 10,000 up short (`250k`, `1.5M`).
    fn tick(self, v: f64, decimals: usize, max_abs: f64) -> String {
        if self == Self::Percent || max_abs < 10_000.0 {
            return self.format(v, decimals);
        }
        let (div, unit) = if max_abs >= 10_000_000.0 {
            (1_000_000.0, "M")
        } else {
            (1_000.0, "k")
        };
        let x = v / div;
        let d = if (x - x.round()).abs() < 1e-9 { 0 } else { 1 };
        let s = format!("{:.*}", d, x.abs());
        let sign = if x < 0.0 && s.chars().any(|c| ('1'..='9').contains(&c)) {
            "\u{2212}"
        } else {
            ""
        };
        format!("{sign}{s}{unit}")
    }
}

/// `"252578"` → `"252,578"` (digits only, no sign or decimals).
fn group_thousands(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the axes show.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterSpec {
    /// The indicator's name (the x axis' title).
    pub x_label: String,
    /// The outcome's name (the y axis' title).
    pub y_label: String,
    /// Colours the points.
    pub kind: IndicatorKind,
    /// How the indicator is printed.
    pub x_format: ValueFormat,
    /// How the outcome is printed.
    pub y_format: ValueFormat,
}

/// The least-squares line `y = intercept + slope × x` and Pearson's r.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Points used (finite x and y).
    pub n: usize,
    pub slope: f64,
    pub intercept: f64,
    /// `None` when the outcome does not vary.
    pub r: Option<f64>,
}

/// The line through the finite points; `None` with fewer than two or when x does not vary.
pub fn fit(points: &[ScatterPoint]) -> Option<Fit> {
    let pts: Vec<(f64, f64)> = finite_points(points).collect();
    let n = pts.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / nf;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / nf;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (x, y) in &pts {
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
        sxy += (x - mx) * (y - my);
    }
    if sxx <= 1e-12 * nf * (1.0 + mx * mx) {
        return None;
    }
    let slope = sxy / sxx;
    let r = (syy > 0.0)
        .then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
        .filter(|r| r.is_finite());
    let intercept = my - slope * mx;
    (slope.is_finite() && intercept.is_finite()).then_some(Fit {
        n,
        slope,
        intercept,
        r,
    })
}

fn finite_points(points: &[ScatterPoint]) -> impl Iterator<Item = (f64, f64)> + '_ {
    points
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .map(|p| (p.x, p.y))
}

/// Ticks of a "nice" step covering `lo..=hi`: (first, last, step, decimals).
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (f64, f64, f64, usize) {
    let (lo, hi) = if hi - lo > 1e-9 * (1.0 + lo.abs()) {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag);
    let first = (lo / step + 1e-9).floor() * step;
    let last = (hi / step - 1e-9).ceil() * step;
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10() - 1e-9).ceil().max(0.0) as usize
    };
    (first, last, step, decimals)
}

mod layout {
    pub const W: f64 = 360.0;
    pub const H: f64 = 300.0;
    pub const PX0: f64 = 56.0;
    pub const PX1: f64 = 346.0;
    pub const PY0: f64 = 12.0;
    pub const PY1: f64 = 230.0;
}

/// The scatter plot. `id` must be unique on the page.
pub fn scatter(points: &[ScatterPoint], spec: &ScatterSpec, id: &str) -> String {
    use layout::*;

    let pts: Vec<(usize, f64, f64)> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.x.is_finite() && p.y.is_finite())
        .map(|(i, p)| (i, p.x, p.y))
        .collect();
    let (xmin, xmax) = extent(pts.iter().map(|p| p.1));
    let (ymin, ymax) = extent(pts.iter().map(|p| p.2));
    let (x_lo, x_hi, x_step, x_dec) = nice_ticks(xmin, xmax, 5);
    let (y_lo, y_hi, y_step, y_dec) = nice_ticks(ymin, ymax, 5);
    let x_of = |v: f64| PX0 + (v - x_lo) / (x_hi - x_lo) * (PX1 - PX0);
    let y_of = |v: f64| PY1 - (v - y_lo) / (y_hi - y_lo) * (PY1 - PY0);
    let line = fit(points);

    let mut desc = format!(
        "Scatter plot of {} sellers: {} across, {} up, one half-transparent dot per seller",
        pts.len(),
        spec.x_label,
        spec.y_label
    );
    match line {
        Some(f) => desc.push_str(&format!(
            ", with the least-squares line (r {}, slope {} per unit of {}).",
            fmt_r(f.r),
            spec.y_format.significant(f.slope, 3),
            spec.x_label
        )),
        None => desc.push_str("; too few distinct values for a line."),
    }
    if pts.len() > POINT_TITLES {
        desc.push_str(" The individual values are in the CSV download.");
    }
    let mut svg = Svg::chart(
        "scatter",
        id,
        W,
        H,
        &format!("{} against {}", spec.y_label, spec.x_label),
        &desc,
    );

    // Grid, ticks and axis titles.
    svg.el("g")
        .attr("class", "scatter-axes")
        .attr("aria-hidden", "true")
        .open();
    svg.el("rect")
        .attr("class", "plot-frame")
        .num("x", PX0)
        .num("y", PY0)
        .num("width", PX1 - PX0)
        .num("height", PY1 - PY0)
        .empty();
    for v in steps(x_lo, x_hi, x_step) {
        let x = x_of(v);
        svg.el("line")
            .attr("class", "grid-line")
            .num("x1", x)
            .num("y1", PY0)
            .num("x2", x)
            .num("y2", PY1)
            .empty();
        svg.el("text")
            .attr("class", "tick-label")
            .num("x", x)
            .num("y", PY1 + 15.0)
            .attr("text-anchor", "middle")
            .text(&spec.x_format.tick(v, x_dec, x_lo.abs().max(x_hi.abs())));
    }
    for v in steps(y_lo, y_hi, y_step) {
        let y = y_of(v);
        svg.el("line")
            .attr("class", "grid-line")
            .num("x1", PX0)
            .num("y1", y)
            .num("x2", PX1)
            .num("y2", y)
            .empty();
        svg.el("text")
            .attr("class", "tick-label")
            .num("x", PX0 - 5.0)
            .num("y", y + 3.5)
            .attr("text-anchor", "end")
            .text(&spec.y_format.tick(v, y_dec, y_lo.abs().max(y_hi.abs())));
    }
    svg.el("text")
        .attr("class", "axis-title")
        .num("x", (PX0 + PX1) / 2.0)
        .num("y", PY1 + 33.0)
        .attr("text-anchor", "middle")
        .text(&spec.x_label);
    let (ty, tx) = ((PY0 + PY1) / 2.0, 13.0);
    svg.el("text")
        .attr("class", "axis-title")
        .num("x", tx)
        .num("y", ty)
        .attr("text-anchor", "middle")
        .attr("transform", &format!("rotate(-90 {} {})", num(tx), num(ty)))
        .text(&spec.y_label);
    svg.end();

    // The points.
    let radius = if pts.len() > 300 { 2.6 } else { 3.6 };
    let titled = pts.len() <= POINT_TITLES;
    svg.el("g")
        .attr("class", &format!("scatter-points {}", spec.kind.class()))
        .open();
    for (i, x, y) in &pts {
        let el = svg
            .el("circle")
            .attr("class", "scatter-dot")
            .num("cx", x_of(*x))
            .num("cy", y_of(*y))
            .num("r", radius);
        if titled {
            el.open();
            svg.title(&format!(
                "{}: {} {}, {} {}",
                points[*i].label,
                spec.x_label,
                spec.x_format.format(*x, x_dec + 2),
                spec.y_label,
                spec.y_format.format(*y, y_dec + 2)
            ));
            svg.end();
        } else {
            el.empty();
        }
    }
    svg.end();

    // The least-squares line, cut to the plot.
    if let Some(f) = line {
        let (a, b) = (xmin.max(x_lo), xmax.min(x_hi));
        let clamp_y = |v: f64| v.clamp(y_lo, y_hi);
        svg.el("line")
            .attr("class", &format!("ols-line {}", spec.kind.class()))
            .num("x1", x_of(a))
            .num("y1", y_of(clamp_y(f.intercept + f.slope * a)))
            .num("x2", x_of(b))
            .num("y2", y_of(clamp_y(f.intercept + f.slope * b)))
            .open();
        svg.title(&format!(
            "Least-squares line: {} (r {}, n {})",
            line_phrase(&f, spec),
            fmt_r(f.r),
            f.n
        ));
        svg.end();
    }

    // Legend.
    let ly = H - 12.0;
    svg.el("g")
        .attr("class", &format!("legend-marks {}", spec.kind.class()))
        .attr("aria-hidden", "true")
        .open();
    svg.el("circle")
        .attr("class", "scatter-dot")
        .num("cx", PX0 + 4.0)
        .num("cy", ly - 4.0)
        .num("r", 3.6)
        .empty();
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", PX0 + 12.0)
        .num("y", ly)
        .text("One seller");
    let x = PX0 + 12.0 + text_width("One seller", 11.0) + 16.0;
    svg.el("line")
        .attr("class", "ols-line")
        .num("x1", x)
        .num("y1", ly - 4.0)
        .num("x2", x + 20.0)
        .num("y2", ly - 4.0)
        .empty();
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", x + 25.0)
        .num("y", ly)
        .text("Least-squares line");
    svg.end();
    svg.finish()
}

fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    }
}

fn steps(lo: f64, hi: f64, step: f64) -> impl Iterator<Item = f64> {
    let n = ((hi - lo) / step + 1e-6).floor().clamp(0.0, 50.0) as usize;
    (0..=n).map(move |i| {
        let v = lo + step * i as f64;
        if v.abs() < step * 1e-6 { 0.0 } else { v }
    })
}

/// The caption under the chart: r, n and the line in words.
pub fn caption(points: &[ScatterPoint], spec: &ScatterSpec) -> String {
    match fit(points) {
        Some(f) => format!(
            "r = {} over {} sellers. Least-squares line: {}.",
            fmt_r(f.r),
            f.n,
            line_phrase(&f, spec)
        ),
        None => format!(
            "{} sellers: too few, or {} does not vary, so there is no line.",
            finite_points(points).count(),
            spec.x_label
        ),
    }
}

/// `"Quota attainment = 42.0 % + 14.0 % × Belief"` (a true minus for a falling line).
fn line_phrase(f: &Fit, spec: &ScatterSpec) -> String {
    let sign = if f.slope < 0.0 { '\u{2212}' } else { '+' };
    format!(
        "{} = {} {sign} {} × {}",
        spec.y_label,
        spec.y_format.significant(f.intercept, 3),
        spec.y_format.significant(f.slope.abs(), 3),
        spec.x_label
    )
}

/// Every point as a row (name, indicator, outcome), sorted by the indicator.
pub fn scatter_numbers(points: &[ScatterPoint], spec: &ScatterSpec) -> NumbersTable {
    let mut t = NumbersTable::new(
        &format!("{} and {} of each seller", spec.x_label, spec.y_label),
        "Seller",
        &[(&spec.x_label, true), (&spec.y_label, true)],
    );
    let mut sorted: Vec<&ScatterPoint> = points.iter().collect();
    sorted.sort_by(|a, b| a.x.total_cmp(&b.x).then_with(|| a.label.cmp(&b.label)));
    let cell = |v: f64, f: ValueFormat| {
        if v.is_finite() {
            f.format(v, 2 + if f == ValueFormat::Percent { 1 } else { 0 })
        } else {
            NONE.to_owned()
        }
    };
    for p in sorted {
        t.rows.push(NumbersRow {
            key: String::new(),
            label: p.label.clone(),
            side: None,
            cells: vec![cell(p.x, spec.x_format), cell(p.y, spec.y_format)],
        });
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::charts::testkit::{self, attr_values, elements, no_bad_numbers, titles};

    fn spec() -> ScatterSpec {
        ScatterSpec {
            x_label: "Belief".into(),
            y_label: "Quota attainment".into(),
            kind: IndicatorKind::Leading,
            x_format: ValueFormat::Number,
            y_format: ValueFormat::Percent,
        }
    }

    fn pts(xy: &[(f64, f64)]) -> Vec<ScatterPoint> {
        xy.iter()
            .enumerate()
            .map(|(i, (x, y))| ScatterPoint {
                label: format!("Seller {i}"),
                x: *x,
                y: *y,
            })
            .collect()
    }

    #[test]
    fn the_line_is_the_least_squares_fit_with_pearsons_r() {
        // y = 0.5 + 0.1 x exactly, plus one point off the line.
        let p = pts(&[(1.0, 0.6), (2.0, 0.7), (3.0, 0.8), (4.0, 0.9), (5.0, 1.2)]);
        let f = fit(&p).unwrap();
        // Hand-computed: mean x 3, mean y 0.84, Sxx 10, Sxy 1.4, Syy 0.212.
        assert!((f.slope - 0.14).abs() < 1e-12);
        assert!((f.intercept - 0.42).abs() < 1e-12);
        assert!((f.r.unwrap() - 1.4 / (10.0_f64 * 0.212).sqrt()).abs() < 1e-12);
        assert_eq!(f.n, 5);
        let c = caption(&p, &spec());
        assert_eq!(
            c,
            "r = 0.96 over 5 sellers. Least-squares line: Quota attainment = 42.0 % + 14.0 % × Belief."
        );
    }

    #[test]
    fn no_line_without_variation_in_x_and_no_r_without_variation_in_y() {
        assert!(fit(&pts(&[(3.0, 1.0), (3.0, 2.0)])).is_none());
        assert!(fit(&pts(&[(3.0, 1.0)])).is_none());
        let flat = fit(&pts(&[(1.0, 1.0), (2.0, 1.0)])).unwrap();
        assert_eq!((flat.slope, flat.r), (0.0, None));
        let svg = scatter(&pts(&[(3.0, 1.0), (3.0, 2.0)]), &spec(), "s");
        assert!(!svg.contains("ols-line leading"));
        assert!(no_bad_numbers(&svg));
    }

    #[test]
    fn one_dot_per_finite_point_with_its_figures_in_a_title() {
        let mut p = pts(&[(1.0, 0.6), (2.5, 0.95), (4.0, 1.1)]);
        p.push(ScatterPoint {
            label: "Broken".into(),
            x: f64::NAN,
            y: 1.0,
        });
        let svg = scatter(&p, &spec(), "s");
        assert_eq!(
            elements(&svg, "circle", "scatter-dot").len(),
            3 + 1,
            "+ legend"
        );
        assert!(
            titles(&svg).contains(&"Seller 1: Belief 2.50, Quota attainment 95.0 %"),
            "{:?}",
            titles(&svg)
        );
        assert!(svg.contains("class=\"scatter-points leading\""));
        assert!(svg.contains("ols-line leading"));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<desc id=\"s-desc\">"));
        assert!(svg.contains("Scatter plot of 3 sellers"));
        assert!(!svg.contains("style="));
        let t = scatter_numbers(&p, &spec());
        assert_eq!(t.rows[0].cells, ["1.00", "60.0 %"]);
        assert_eq!(t.rows[3].cells, ["—", "100.0 %"], "NaN sorts last");
    }

    #[test]
    fn dots_sit_inside_the_plot_and_higher_outcomes_higher() {
        let p = pts(&[(1.2, 0.55), (4.8, 1.45)]);
        let svg = scatter(&p, &spec(), "s");
        let dots: Vec<&str> = elements(&svg, "circle", "scatter-dot");
        let cy: Vec<f64> = dots[..2]
            .iter()
            .map(|d| attr_values(d, "cy")[0].parse().unwrap())
            .collect();
        assert!(cy[1] < cy[0], "the higher outcome is drawn higher");
        for d in &dots[..2] {
            let cx: f64 = attr_values(d, "cx")[0].parse().unwrap();
            assert!((layout::PX0..=layout::PX1).contains(&cx));
        }
        assert!(svg.contains(">150 %</text>") || svg.contains(">140 %</text>"));
    }

    #[test]
    fn many_points_drop_their_titles() {
        let p: Vec<ScatterPoint> = (0..POINT_TITLES + 1)
            .map(|i| ScatterPoint {
                label: format!("S{i}"),
                x: (i % 40) as f64 / 10.0,
                y: (i % 17) as f64 / 10.0,
            })
            .collect();
        let svg = scatter(&p, &spec(), "s");
        assert_eq!(titles(&svg).len(), 1, "only the line's title");
        assert!(svg.contains("in the CSV download"));
    }

    #[test]
    fn ticks_are_nice() {
        assert_eq!(nice_ticks(1.3, 4.7, 5), (1.0, 5.0, 1.0, 0));
        assert_eq!(
            nice_ticks(0.0, 41.0, 5),
            (0.0, 50.0, 10.0, 0),
            "0 stays the first tick"
        );
        let (a, b, s, d) = nice_ticks(0.42, 1.38, 5);
        assert!((a - 0.4).abs() < 1e-9 && (b - 1.4).abs() < 1e-9 && (s - 0.2).abs() < 1e-9);
        assert_eq!(d, 1);
        let (a, b, _, _) = nice_ticks(3.0, 3.0, 5);
        assert!(a < 3.0 && b > 3.0);
        assert_eq!(ValueFormat::Percent.format(1.04, 2), "104 %");
        assert_eq!(ValueFormat::Number.format(-0.5, 1), "\u{2212}0.5");
        assert_eq!(ValueFormat::Number.format(-0.001, 1), "0.0");
        assert_eq!(ValueFormat::Number.format(252_577.574, 3), "252,578");
        assert_eq!(
            ValueFormat::Number.format(-1_234_567.0, 0),
            "\u{2212}1,234,567"
        );
        assert_eq!(ValueFormat::Number.significant(1730.517, 3), "1731");
        assert_eq!(ValueFormat::Number.significant(0.14, 3), "0.140");
        assert_eq!(ValueFormat::Percent.significant(0.502, 3), "50.2 %");
        assert_eq!(ValueFormat::Number.tick(250_000.0, 0, 400_000.0), "250k");
        assert_eq!(
            ValueFormat::Number.tick(1_500_000.0, 0, 12_000_000.0),
            "1.5M"
        );
        assert_eq!(ValueFormat::Number.tick(3.0, 0, 5.0), "3");
    }

    #[test]
    fn random_inputs_never_produce_nan_or_panic() {
        let mut rng = testkit::Rng(9);
        for round in 0..300 {
            let p: Vec<ScatterPoint> = (0..rng.below(30))
                .map(|i| ScatterPoint {
                    label: format!("<b>{i}</b>"),
                    x: rng.score().unwrap_or(f64::NAN),
                    y: rng.score().map_or(f64::INFINITY, |v| v * 1e3 - 7.0),
                })
                .collect();
            let svg = scatter(&p, &spec(), "s");
            assert!(no_bad_numbers(&svg), "round {round}: {svg}");
            assert!(!svg.contains("<b>"));
            let c = caption(&p, &spec());
            assert!(!c.contains("NaN") && !c.contains("inf"), "{c}");
        }
    }
}
