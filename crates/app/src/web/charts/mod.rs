//! The charts of the seller profile and the team view (issue 3), as inline SVG and HTML built
//! on the server.
//!
//! Every chart is a pure function over plain data defined here ([`QualityPoint`],
//! [`TrendSeries`], [`HeatmapRow`], [`QualityStats`]) on a [`ChartScale`], so it is tested
//! without a database; the pages fill these structs from the domain's aggregation. Each chart
//! comes with a `*_numbers` function that returns the same figures as a [`NumbersTable`] for
//! the `<details class="numbers">` beside it ([`NumbersTable::details_html`]).
//!
//! | chart                | function             | numbers                  |
//! |----------------------|----------------------|--------------------------|
//! | others vs self radar | [`radar`]            | [`profile_numbers`]      |
//! | scores on spectrum   | [`profile_spectrum`] | [`profile_numbers`]      |
//! | trend of a quality   | [`trend`], [`trend_grid`] | [`trend_numbers`]   |
//! | team heatmap         | [`heatmap`] (an HTML table: it is its own numbers table) | — |
//! | distribution         | [`distribution`]     | [`distribution_numbers`] |
//! | mean ± SD            | [`mean_sd`]          | [`mean_sd_numbers`]      |
//!
//! # One visual language (STYLE.md)
//!
//! - Qualities always in spectrum order (the charts sort by [`QualityLabel::position`]
//!   themselves); mindset-side marks carry the class `mindset` (violet family), behaviour-side
//!   ones `behaviour` (teal family). In `app.css` those classes set a `--hue` custom property
//!   that the role classes (`others-dot`, `self-dot`, `trend-line`, …) paint with, so a mark's
//!   colour comes from its side and its shape from its role.
//! - Others' score (manager, peers, coach) = a **filled** mark (`others-*` classes); the self
//!   score = a **hollow** mark with a dashed line (`self-*` classes).
//! - Scores as colour (heatmap cells, distribution segments) use one sequential,
//!   colour-blind-safe ramp of seven blues, `heat-0` … `heat-6` ([`heat_class`]), with text
//!   colours chosen for WCAG AA contrast on each (a test checks the ratios in `app.css`).
//! - Leading indicators in the accent colour, trailing ones in grey: the `leading` and
//!   `trailing` classes are in `app.css` for the charts of issue 5.
//! - No inline `style` (the Content-Security-Policy forbids it): colours come from classes only.
//! - Missing figures are gaps (no mark, a broken line, a "–" cell), never zeros; a non-finite
//!   input counts as missing, so no `NaN` or `inf` reaches the markup.
//!
//! Every SVG chart has `data-chart`, `role="img"`, a `<title>` and `<desc>` it is labelled by,
//! and a `<title>` on every mark with its figures (except the trend's small multiples, whose
//! hundreds of dots leave their figures to [`trend_numbers`]); its `viewBox` is laid out for a
//! 360 px wide phone and scales up (each chart has a `max-width` in `app.css`).
//!
//! # Why the heatmap is an HTML table
//!
//! The team heatmap has to carry up to 500 subjects × 8 qualities with the number printed in
//! each cell. An HTML `<table>` with classed cells does that better than one SVG: screen readers
//! announce each cell with its row and column headers (`scope`) and let users move through the
//! grid, so the table *is* the accessible numbers table rather than a second copy of 4,000
//! figures; text stays real text that wraps, selects, copies and zooms; the header row and the
//! names column stay in view while scrolling (`position: sticky`); print breaks it across pages
//! by rows, which one tall SVG cannot do; and the markup is smaller (no coordinates, no
//! per-cell `<title>` elements: a cell's `title` attribute carries the two-decimal score).
//! The cost, horizontal scrolling on a phone, is softened by the sticky names column.

mod distribution;
mod heatmap;
mod profile_spectrum;
mod radar;
mod trend;

pub mod forest;
pub mod scatter;

#[cfg(test)]
mod preview;
#[cfg(test)]
mod testkit;

use sellerq_domain::model::{Model, Scale, Side};

pub use distribution::{
    LevelCount, QualityStats, distribution, distribution_numbers, mean_sd, mean_sd_numbers,
};
pub use heatmap::{HEAT_CLASSES, HeatBand, HeatmapRow, heat_bands, heat_class, heatmap};
pub use profile_spectrum::profile_spectrum;
pub use radar::radar;
pub use trend::{TrendPoint, TrendSeries, trend, trend_grid, trend_numbers};

use super::svg::{ChartQuality, escape, escape_into};

/// Which quality a figure belongs to, as the charts place and name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityLabel {
    /// The quality key (`data-key`).
    pub key: String,
    /// The display name.
    pub name: String,
    /// Spectrum position, 1 = most mindset; charts order by it.
    pub position: u8,
    /// Mindset or behaviour: the hue family of its marks.
    pub side: Side,
}

impl QualityLabel {
    /// A label from its parts.
    pub fn new(key: impl Into<String>, name: impl Into<String>, position: u8, side: Side) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            position,
            side,
        }
    }

    /// The model's qualities in spectrum order.
    pub fn from_model(model: &Model) -> Vec<Self> {
        let mut labels: Vec<Self> = model
            .qualities
            .iter()
            .map(|q| Self::new(q.key.as_str(), q.name.clone(), q.position, q.side))
            .collect();
        labels.sort_by_key(|q| q.position);
        labels
    }
}

impl From<&ChartQuality> for QualityLabel {
    fn from(q: &ChartQuality) -> Self {
        Self::new(q.key.clone(), q.name.clone(), q.position, q.side)
    }
}

/// The rating scale a chart draws on: whole levels from `min` to `max` (default 1–5), with
/// optional level names for the marks' titles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartScale {
    /// The lowest level.
    pub min: u8,
    /// The highest level.
    pub max: u8,
    /// Names of the levels from `min` up (may be empty or shorter than the scale).
    pub names: Vec<String>,
}

impl Default for ChartScale {
    fn default() -> Self {
        Self::new(1, 5)
    }
}

impl ChartScale {
    /// A scale without level names.
    pub fn new(min: u8, max: u8) -> Self {
        Self {
            min,
            max,
            names: Vec::new(),
        }
    }

    /// The model's scale with its level names.
    pub fn from_model(scale: &Scale) -> Self {
        Self {
            min: scale.min,
            max: scale.max,
            names: scale
                .values()
                .map(|v| scale.level_name(v).unwrap_or_default().to_owned())
                .collect(),
        }
    }

    /// Every level, ascending (one level when `max <= min`).
    pub fn levels(&self) -> std::ops::RangeInclusive<u8> {
        self.min..=self.max.max(self.min)
    }

    /// The name of a level, if the scale has one.
    pub fn level_name(&self, level: u8) -> Option<&str> {
        let i = usize::from(level.checked_sub(self.min)?);
        self.names
            .get(i)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// `"3"` or `"3 (Consistent)"`.
    pub(crate) fn level_label(&self, level: u8) -> String {
        match self.level_name(level) {
            Some(name) => format!("{level} ({name})"),
            None => level.to_string(),
        }
    }

    /// The lowest value as a number.
    pub(crate) fn lo(&self) -> f64 {
        f64::from(self.min)
    }

    /// The highest value as a number, always above [`Self::lo`] so that no chart divides by 0.
    pub(crate) fn hi(&self) -> f64 {
        if self.max > self.min {
            f64::from(self.max)
        } else {
            f64::from(self.min) + 1.0
        }
    }

    /// Where `v` lies on the scale, 0 at `min` and 1 at `max`, clamped.
    pub(crate) fn fraction(&self, v: f64) -> f64 {
        if !v.is_finite() {
            return 0.0;
        }
        ((v - self.lo()) / (self.hi() - self.lo())).clamp(0.0, 1.0)
    }

    /// `"from 1 to 5"`.
    pub(crate) fn describe(&self) -> String {
        format!("from {} to {}", self.min, self.max.max(self.min))
    }
}

/// One quality of one seller's profile: the others' score and the self score.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityPoint {
    /// The quality.
    pub quality: QualityLabel,
    /// The others' score (mean of manager, peer and coach scores), if any.
    pub score: Option<f64>,
    /// The self score, if any.
    pub self_score: Option<f64>,
}

impl QualityPoint {
    /// A point from its parts.
    pub fn new(quality: QualityLabel, score: Option<f64>, self_score: Option<f64>) -> Self {
        Self {
            quality,
            score,
            self_score,
        }
    }

    /// The self–other gap: self score − others' score, when both exist.
    pub fn gap(&self) -> Option<f64> {
        Some(finite(self.self_score)? - finite(self.score)?)
    }

    /// True when |gap| reaches `threshold` (with a little slack for floating-point means).
    pub fn is_blind_spot(&self, threshold: f64) -> bool {
        self.gap()
            .is_some_and(|g| threshold.is_finite() && g.abs() >= threshold - 1e-9)
    }
}

/// A chart's figures as rows of a table, for the `<details class="numbers">` beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumbersTable {
    /// What the table shows (the `<caption>`).
    pub caption: String,
    /// The heading of the row-header column (`"Quality"`).
    pub row_header: String,
    /// The other columns.
    pub columns: Vec<NumbersColumn>,
    /// The rows, in the chart's order.
    pub rows: Vec<NumbersRow>,
}

/// A column of a [`NumbersTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumbersColumn {
    /// The heading.
    pub label: String,
    /// Right-aligned figures (`class="num"`).
    pub numeric: bool,
}

/// A row of a [`NumbersTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumbersRow {
    /// The quality key (`data-key`), or empty.
    pub key: String,
    /// The row header (a quality's name).
    pub label: String,
    /// The quality's side, when the row is a quality.
    pub side: Option<Side>,
    /// One formatted cell per column; `"–"` for a missing figure.
    pub cells: Vec<String>,
}

impl NumbersTable {
    pub(crate) fn new(caption: &str, row_header: &str, columns: &[(&str, bool)]) -> Self {
        Self {
            caption: caption.to_owned(),
            row_header: row_header.to_owned(),
            columns: columns
                .iter()
                .map(|(label, numeric)| NumbersColumn {
                    label: (*label).to_owned(),
                    numeric: *numeric,
                })
                .collect(),
            rows: Vec::new(),
        }
    }

    /// The table as escaped HTML (`<table class="numbers-table">`, caption visually hidden).
    pub fn to_html(&self) -> String {
        let mut h = String::with_capacity(256 + self.rows.len() * (48 + self.columns.len() * 28));
        self.write_html(&mut h);
        h
    }

    fn write_html(&self, h: &mut String) {
        h.push_str("<table class=\"numbers-table\"><caption class=\"visually-hidden\">");
        escape_into(h, &self.caption);
        h.push_str("</caption><thead><tr><th scope=\"col\">");
        escape_into(h, &self.row_header);
        h.push_str("</th>");
        for c in &self.columns {
            h.push_str(if c.numeric {
                "<th scope=\"col\" class=\"num\">"
            } else {
                "<th scope=\"col\">"
            });
            escape_into(h, &c.label);
            h.push_str("</th>");
        }
        h.push_str("</tr></thead><tbody>");
        for r in &self.rows {
            h.push_str("<tr");
            if !r.key.is_empty() {
                h.push_str(" data-key=\"");
                escape_into(h, &r.key);
                h.push('"');
            }
            h.push_str("><th scope=\"row\">");
            escape_into(h, &r.label);
            h.push_str("</th>");
            for (i, cell) in r.cells.iter().enumerate() {
                let numeric = self.columns.get(i).is_some_and(|c| c.numeric);
                h.push_str(if numeric {
                    "<td class=\"num\">"
                } else {
                    "<td>"
                });
                escape_into(h, cell);
                h.push_str("</td>");
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table>");
    }

    /// The table folded under a summary: `<details class="numbers">…</details>`.
    pub fn details_html(&self, summary: &str) -> String {
        let mut h = String::with_capacity(384 + self.rows.len() * (48 + self.columns.len() * 28));
        h.push_str("<details class=\"numbers\"><summary>");
        escape_into(&mut h, summary);
        h.push_str("</summary><div class=\"table-wrap\">");
        self.write_html(&mut h);
        h.push_str("</div></details>");
        h
    }
}

/// The profile's figures, the numbers of both [`radar`] and [`profile_spectrum`]: per quality
/// in spectrum order (the row's [`NumbersRow::side`] gives its side) the others' score, the
/// self score, the gap and whether it is a blind spot (|gap| ≥ `blind_spot`).
pub fn profile_numbers(points: &[QualityPoint], blind_spot: f64) -> NumbersTable {
    let mut t = NumbersTable::new(
        "Others' score, self score and self–other gap per quality",
        "Quality",
        &[
            ("Others", true),
            ("Self", true),
            ("Gap", true),
            ("Blind spot", false),
        ],
    );
    for p in in_spectrum_order(points, |p| &p.quality) {
        let blind = if p.is_blind_spot(blind_spot) {
            if p.gap().unwrap_or_default() > 0.0 {
                "Self higher"
            } else {
                "Self lower"
            }
        } else {
            ""
        };
        t.rows.push(NumbersRow {
            key: p.quality.key.clone(),
            label: p.quality.name.clone(),
            side: Some(p.quality.side),
            cells: vec![
                fmt_score(p.score),
                fmt_score(p.self_score),
                fmt_gap(p.gap()),
                blind.to_owned(),
            ],
        });
    }
    t
}

/// A value when it is a finite number; `NaN` and infinities count as missing.
pub(crate) fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// A score with two decimals (`"3.67"`), or `"–"` when missing.
pub fn fmt_score(v: Option<f64>) -> String {
    match finite(v) {
        Some(x) => format!("{:.2}", x + 0.0),
        None => MISSING.to_owned(),
    }
}

/// A score with one decimal (`"3.7"`), as printed in heatmap cells, or `"–"`.
pub fn fmt_score1(v: Option<f64>) -> String {
    match finite(v) {
        Some(x) => {
            let s = format!("{x:.1}");
            if s == "-0.0" { "0.0".into() } else { s }
        }
        None => MISSING.to_owned(),
    }
}

/// A signed gap with two decimals and a true minus sign (`"+0.50"`, `"−1.25"`, `"0.00"`).
pub fn fmt_gap(v: Option<f64>) -> String {
    match finite(v) {
        Some(x) if x.abs() < 0.005 => "0.00".into(),
        Some(x) if x > 0.0 => format!("+{x:.2}"),
        Some(x) => format!("\u{2212}{:.2}", -x),
        None => MISSING.to_owned(),
    }
}

/// What a missing figure shows.
pub const MISSING: &str = "–";

/// The items sorted by spectrum position (stable: equal positions keep the caller's order).
pub(crate) fn in_spectrum_order<T>(items: &[T], label: impl Fn(&T) -> &QualityLabel) -> Vec<&T> {
    let mut v: Vec<&T> = items.iter().collect();
    v.sort_by_key(|t| label(t).position);
    v
}

/// Rough width of a text in viewBox units (system-ui averages about 0.56 em a character);
/// used to lay out legends and keep labels inside the chart.
pub(crate) fn text_width(s: &str, font_px: f64) -> f64 {
    s.chars().count() as f64 * font_px * 0.56
}

/// A name in at most `max_lines` lines of about `line_chars` characters, broken at spaces;
/// the last line is cut with "…" if the name is longer.
pub(crate) fn wrap(name: &str, line_chars: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in name.split_whitespace() {
        if cur.is_empty() {
            cur = word.to_owned();
        } else if cur.chars().count() + 1 + word.chars().count() <= line_chars {
            cur.push(' ');
            cur.push_str(word);
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_owned();
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(rest);
    }
    for line in &mut lines {
        if line.chars().count() > line_chars {
            let mut s: String = line.chars().take(line_chars.saturating_sub(1)).collect();
            s.push('…');
            *line = s;
        }
    }
    lines
}

/// An id safe inside `id` attributes and fragment links: letters, digits, `-` and `_` kept,
/// anything else becomes `-`.
pub(crate) fn id_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The side's CSS class (`mindset` / `behaviour`).
pub(crate) fn side(s: Side) -> &'static str {
    super::svg::side_class(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sellerq_domain::model::default_model;

    #[test]
    fn scores_and_gaps_are_formatted_for_tables() {
        assert_eq!(fmt_score(Some(3.666_666)), "3.67");
        assert_eq!(fmt_score(Some(f64::NAN)), "–");
        assert_eq!(fmt_score(None), "–");
        assert_eq!(fmt_score1(Some(3.25)), "3.2");
        assert_eq!(fmt_score1(Some(-0.01)), "0.0");
        assert_eq!(fmt_gap(Some(0.5)), "+0.50");
        assert_eq!(fmt_gap(Some(-1.25)), "\u{2212}1.25");
        assert_eq!(fmt_gap(Some(-0.001)), "0.00");
        assert_eq!(fmt_gap(Some(f64::INFINITY)), "–");
    }

    #[test]
    fn names_wrap_at_spaces_into_at_most_two_lines() {
        assert_eq!(wrap("Process Mastery", 12, 2), ["Process", "Mastery"]);
        assert_eq!(wrap("Belief", 12, 2), ["Belief"]);
        assert_eq!(
            wrap("A very long quality name", 12, 2),
            ["A very long", "quality name"]
        );
        assert_eq!(
            wrap("One two three four five six", 10, 2),
            ["One two", "three fou…"]
        );
        assert_eq!(wrap("Supercalifragilistic", 8, 2), ["Superca…"]);
        assert!(wrap("", 8, 2).is_empty());
    }

    #[test]
    fn the_scale_comes_from_the_model_with_its_level_names() {
        let s = ChartScale::from_model(&default_model().scale);
        assert_eq!((s.min, s.max), (1, 5));
        assert_eq!(s.level_name(5), Some("Exemplary"));
        assert_eq!(s.level_name(0), None);
        assert_eq!(s.level_label(5), "5 (Exemplary)");
        assert_eq!(ChartScale::new(0, 10).level_label(7), "7");
    }

    #[test]
    fn a_degenerate_scale_never_divides_by_zero() {
        let s = ChartScale::new(3, 3);
        assert_eq!(s.levels().count(), 1);
        assert!(s.hi() > s.lo());
        assert_eq!(s.fraction(f64::NAN), 0.0);
        assert_eq!(s.fraction(9.0), 1.0);
    }

    #[test]
    fn blind_spots_reach_the_threshold_despite_rounding() {
        let q = QualityLabel::new("humility", "Humility", 2, Side::Mindset);
        let p = QualityPoint::new(q.clone(), Some(2.0 + 1.0 / 3.0), Some(3.0 + 1.0 / 3.0));
        assert!(p.is_blind_spot(1.0));
        assert!(!QualityPoint::new(q.clone(), Some(3.1), Some(4.0)).is_blind_spot(1.0));
        assert!(QualityPoint::new(q.clone(), Some(4.0), Some(2.5)).is_blind_spot(1.0));
        assert!(!QualityPoint::new(q, None, Some(2.5)).is_blind_spot(1.0));
    }

    #[test]
    fn the_profile_numbers_are_in_spectrum_order_with_blind_spots_named() {
        let mut points = testkit::profile();
        points.reverse();
        let t = profile_numbers(&points, 1.0);
        let keys: Vec<&str> = t.rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, testkit::KEYS);
        let humility = &t.rows[1];
        assert_eq!(humility.cells, ["2.33", "3.50", "+1.17", "Self higher"]);
        let html = t.to_html();
        assert!(html.contains("<th scope=\"row\">Humility</th><td class=\"num\">2.33</td>"));
        assert!(
            t.details_html("The chart in numbers")
                .starts_with("<details class=\"numbers\">")
        );
    }
}
