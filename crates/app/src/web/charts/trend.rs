//! A quality's trend across cycles: a small line chart with light axes (a grid line per level,
//! the cycle names below), the others' score as a solid line through filled dots and the self
//! score as a dashed line through hollow dots, both in the quality's side hue. A cycle without
//! a score breaks the line rather than bridging it. [`trend_grid`] lays out one chart per
//! quality as small multiples on the same scale, so their heights compare.
//!
//! The charts are kept lean, because a profile draws eight of them across every cycle (20
//! cycles: 320 dots): each line is one path, the grid one path, and the dots of a kind sit in
//! one `<g>` that carries their class, without a `<title>` each — the figures are in
//! [`trend_numbers`], the table the page shows beside the charts.

use std::fmt::Write as _;

use super::{
    ChartScale, NumbersRow, NumbersTable, QualityLabel, escape, finite, fmt_gap, fmt_score,
    id_part, in_spectrum_order, side, text_width,
};
use crate::web::svg::{Svg, push_num};

/// One cycle of a quality's trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// The cycle's name (`2026-H1`).
    pub cycle: String,
    /// The others' score in that cycle, if any.
    pub score: Option<f64>,
    /// The self score in that cycle, if any.
    pub self_score: Option<f64>,
}

/// A quality's scores across cycles, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendSeries {
    /// The quality.
    pub quality: QualityLabel,
    /// One point per cycle, in the order the cycles ran.
    pub points: Vec<TrendPoint>,
}

/// A cycle's name with a score in it.
type CycleScore<'a> = (&'a str, f64);

impl TrendSeries {
    /// The first and the last cycle with an others' score.
    fn first_and_last_score(&self) -> Option<(CycleScore<'_>, CycleScore<'_>)> {
        let mut scored = self
            .points
            .iter()
            .filter_map(|p| finite(p.score).map(|s| (p.cycle.as_str(), s)));
        let first = scored.next()?;
        Some((first, scored.next_back().unwrap_or(first)))
    }
}

mod layout {
    pub const W: f64 = 240.0;
    pub const H: f64 = 116.0;
    pub const LEFT: f64 = 24.0;
    pub const RIGHT: f64 = 232.0;
    /// Inset of the first and last cycle from the plot's edges.
    pub const PAD: f64 = 10.0;
    pub const TOP: f64 = 10.0;
    pub const BOTTOM: f64 = 86.0;
    pub const X_LABEL_Y: f64 = 104.0;
    pub const LABEL_PX: f64 = 11.5;
    pub const DOT_R: f64 = 3.5;
    pub const SELF_R: f64 = 4.5;
}

/// The trend chart of one quality. `id` must be unique on the page.
pub fn trend(series: &TrendSeries, scale: &ChartScale, id: &str) -> String {
    use layout::*;

    let q = &series.quality;
    let m = series.points.len();
    let s = side(q.side);
    let x_of = |i: usize| {
        if m <= 1 {
            (LEFT + RIGHT) / 2.0
        } else {
            LEFT + PAD + (RIGHT - LEFT - 2.0 * PAD) * i as f64 / (m - 1) as f64
        }
    };
    let y_of = |v: f64| BOTTOM - scale.fraction(v) * (BOTTOM - TOP);

    let mut desc = format!(
        "{} across {m} cycle{}{}, on the scale {}. ",
        q.name,
        if m == 1 { "" } else { "s" },
        match (series.points.first(), series.points.last()) {
            (Some(a), Some(b)) if m > 1 => format!(" from {} to {}", a.cycle, b.cycle),
            _ => String::new(),
        },
        scale.describe()
    );
    match series.first_and_last_score() {
        Some(((c0, v0), (c1, v1))) if c0 != c1 => {
            let _ = write!(
                desc,
                "Others' score {} in {c0}, {} in {c1} ({}). ",
                fmt_score(Some(v0)),
                fmt_score(Some(v1)),
                fmt_gap(Some(v1 - v0))
            );
        }
        Some(((c0, v0), _)) => {
            let _ = write!(desc, "Others' score {} in {c0}. ", fmt_score(Some(v0)));
        }
        None => desc.push_str("No others' score yet. "),
    }
    desc.push_str(
        "Solid line and filled dots: others' scores; dashed line and hollow dots: self scores.",
    );

    let mut svg = Svg::chart("trend", id, W, H, &format!("Trend of {}", q.name), &desc);

    // Light axes: a grid line per level (one path), labelled when there is room.
    let levels: Vec<u8> = scale.levels().collect();
    let label_every = levels.len().div_ceil(6).max(1);
    svg.el("g")
        .attr("class", "score-axis")
        .attr("aria-hidden", "true")
        .open();
    let mut grid = String::with_capacity(levels.len() * 16);
    for &level in &levels {
        grid.push('M');
        push_num(&mut grid, LEFT);
        grid.push(' ');
        push_num(&mut grid, y_of(f64::from(level)));
        grid.push('H');
        push_num(&mut grid, RIGHT);
    }
    svg.el("path")
        .attr("class", "grid-line")
        .attr("d", &grid)
        .empty();
    for (k, &level) in levels.iter().enumerate() {
        if k % label_every == 0 || k + 1 == levels.len() {
            svg.el("text")
                .attr("class", "tick-label")
                .num("x", LEFT - 6.0)
                .num("y", y_of(f64::from(level)) + 3.5)
                .attr("text-anchor", "end")
                .text(&level.to_string());
        }
    }
    svg.end();

    if m == 0 {
        svg.el("text")
            .attr("class", "empty-note")
            .num("x", (LEFT + RIGHT) / 2.0)
            .num("y", (TOP + BOTTOM) / 2.0 + 4.0)
            .attr("text-anchor", "middle")
            .text("No cycles yet");
        return svg.finish();
    }

    // Cycle names: all when they fit, else the first and the last.
    let widest = series
        .points
        .iter()
        .map(|p| text_width(&p.cycle, LABEL_PX))
        .fold(0.0, f64::max);
    let all_fit = m == 1 || widest + 6.0 <= (RIGHT - LEFT - 2.0 * PAD) / (m - 1) as f64;
    svg.el("g")
        .attr("class", "cycle-axis")
        .attr("aria-hidden", "true")
        .open();
    for (i, p) in series.points.iter().enumerate() {
        let (show, anchor) = match (all_fit, i) {
            (true, _) => (true, "middle"),
            (false, 0) => (true, "start"),
            (false, i) if i + 1 == m => (true, "end"),
            _ => (false, ""),
        };
        if show {
            // Centred under its point, but kept inside the chart.
            let half = text_width(&p.cycle, LABEL_PX) / 2.0;
            let x = match anchor {
                "start" => x_of(i) - PAD,
                "end" => x_of(i) + PAD,
                _ => x_of(i).clamp(half + 2.0, (W - half - 2.0).max(half + 2.0)),
            };
            svg.el("text")
                .attr("class", "tick-label")
                .num("x", x)
                .num("y", X_LABEL_Y)
                .attr("text-anchor", anchor)
                .text(&p.cycle);
        }
    }
    svg.end();

    // The marks in the quality's hue: each line one path, broken where a cycle has no score
    // (self first, so the others' line is on top), then the dots of each kind in one group.
    // The figures are in the numbers table beside the charts, not in a title per dot.
    let selfs: Vec<Option<f64>> = series.points.iter().map(|p| finite(p.self_score)).collect();
    let others: Vec<Option<f64>> = series.points.iter().map(|p| finite(p.score)).collect();
    svg.el("g").attr("class", s).open();
    for (values, class) in [(&selfs, "trend-self-line"), (&others, "trend-line")] {
        let d = line_path(values, &x_of, &y_of);
        if !d.is_empty() {
            svg.el("path").attr("class", class).attr("d", &d).empty();
        }
    }
    for (values, class, r) in [(&selfs, "self-dot", SELF_R), (&others, "others-dot", DOT_R)] {
        if values.iter().all(Option::is_none) {
            continue;
        }
        svg.el("g").attr("class", class).open();
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                svg.el("circle")
                    .num("cx", x_of(i))
                    .num("cy", y_of(*v))
                    .num("r", r)
                    .empty();
            }
        }
        svg.end();
    }
    svg.end();
    svg.finish()
}

/// The `d` of a line through the present values, one `M…L…` piece per run of two or more
/// consecutive values (a lone value between gaps is only a dot); empty when there is none.
fn line_path(
    values: &[Option<f64>],
    x_of: &impl Fn(usize) -> f64,
    y_of: &impl Fn(f64) -> f64,
) -> String {
    let mut d = String::new();
    for run in runs(values) {
        for (k, &(i, v)) in run.iter().enumerate() {
            d.push(if k == 0 { 'M' } else { 'L' });
            push_num(&mut d, x_of(i));
            d.push(' ');
            push_num(&mut d, y_of(v));
        }
    }
    d
}

/// Runs of consecutive present values: [(index, value), …] of length ≥ 2.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                if let Some(r) = out.last_mut() {
                    r.push((i, *v));
                }
            }
            None => out.push(Vec::new()),
        }
    }
    out.retain(|r| r.len() >= 2);
    out
}

/// One small trend chart per quality, in spectrum order and on the same scale, each in a
/// `<figure class="trend-cell">` whose caption names the quality and its latest others' score:
/// `<div class="trend-grid" data-chart="trend-grid">…</div>`. Chart ids are
/// `{id_prefix}-{key}`.
pub fn trend_grid(series: &[TrendSeries], scale: &ChartScale, id_prefix: &str) -> String {
    let mut h = String::with_capacity(series.len() * 6 * 1024);
    h.push_str("<div class=\"trend-grid\" data-chart=\"trend-grid\">");
    for s in in_spectrum_order(series, |s| &s.quality) {
        let q = &s.quality;
        let latest = match s.first_and_last_score() {
            Some(((c0, v0), (c1, v1))) if c0 != c1 => format!(
                "<span class=\"trend-latest\">{} <span class=\"trend-change\" title=\"Change \
                 since {c0}\">{}<span class=\"visually-hidden\"> since {c0}</span></span></span>",
                fmt_score(Some(v1)),
                escape(&fmt_gap(Some(v1 - v0))),
                c0 = escape(c0)
            ),
            Some((_, (_, v))) => {
                format!("<span class=\"trend-latest\">{}</span>", fmt_score(Some(v)))
            }
            None => "<span class=\"trend-latest muted\">no score</span>".to_owned(),
        };
        let _ = write!(
            h,
            "<figure class=\"trend-cell\" data-key=\"{}\"><figcaption><span class=\"trend-name \
             text-{}\">{}</span> {latest}</figcaption>{}</figure>",
            escape(&q.key),
            side(q.side),
            escape(&q.name),
            trend(
                s,
                scale,
                &format!("{}-{}", id_part(id_prefix), id_part(&q.key))
            )
        );
    }
    h.push_str("</div>");
    h
}

/// The trends' figures: a column per cycle (in the order the series list them), two rows per
/// quality (others' score, then self score), qualities in spectrum order.
pub fn trend_numbers(series: &[TrendSeries]) -> NumbersTable {
    let mut cycles: Vec<&str> = Vec::new();
    for s in series {
        for p in &s.points {
            if !cycles.contains(&p.cycle.as_str()) {
                cycles.push(&p.cycle);
            }
        }
    }
    let columns: Vec<(&str, bool)> = cycles.iter().map(|c| (*c, true)).collect();
    let mut t = NumbersTable::new("Scores per quality and cycle", "Quality", &columns);
    for s in in_spectrum_order(series, |s| &s.quality) {
        let q = &s.quality;
        for (suffix, pick) in [
            (
                "others",
                (|p: &TrendPoint| p.score) as fn(&TrendPoint) -> Option<f64>,
            ),
            ("self", |p: &TrendPoint| p.self_score),
        ] {
            t.rows.push(NumbersRow {
                key: q.key.clone(),
                label: format!("{} — {suffix}", q.name),
                side: Some(q.side),
                cells: cycles
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        // Every series usually lists every cycle in the same order.
                        let point = s
                            .points
                            .get(i)
                            .filter(|p| p.cycle == *c)
                            .or_else(|| s.points.iter().find(|p| p.cycle == *c));
                        fmt_score(point.and_then(pick))
                    })
                    .collect(),
            });
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::charts::testkit::{self, attr_values, elements, no_bad_numbers};
    use sellerq_domain::model::Side;

    fn belief() -> TrendSeries {
        testkit::trends().remove(0)
    }

    /// The `(cx, cy)` of the circles in the chart's `<g class="{class}">`.
    fn dots(svg: &str, class: &str) -> Vec<(f64, f64)> {
        let open = format!("<g class=\"{class}\">");
        let Some(i) = svg.find(&open) else {
            return Vec::new();
        };
        let group = &svg[i..];
        let group = &group[..group.find("</g>").unwrap()];
        group
            .split("<circle")
            .skip(1)
            .map(|c| {
                (
                    attr_values(c, "cx")[0].parse().unwrap(),
                    attr_values(c, "cy")[0].parse().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn one_dot_per_scored_cycle_left_to_right() {
        let s = belief();
        let svg = trend(&s, &ChartScale::default(), "t");
        let others = dots(&svg, "others-dot");
        assert_eq!(others.len(), 4);
        assert!(others.windows(2).all(|w| w[0].0 < w[1].0));
        let selfs = dots(&svg, "self-dot");
        assert_eq!(
            selfs.len(),
            s.points.iter().filter(|p| p.self_score.is_some()).count()
        );
        // The marks take the quality's side hue from their group.
        assert!(svg.contains("<g class=\"mindset\"><path class=\"trend-self-line\""));
        assert_eq!(elements(&svg, "path", "trend-line").len(), 1);
        assert!(!svg.contains("style="), "colours come from classes only");
    }

    #[test]
    fn a_missing_cycle_breaks_the_line() {
        // Value crafting has no others' score in 2025-H1: runs [0] and [2, 3] → one segment.
        let s = testkit::trends().remove(6);
        let svg = trend(&s, &ChartScale::default(), "t");
        assert_eq!(dots(&svg, "others-dot").len(), 3);
        let lines = elements(&svg, "path", "trend-line");
        assert_eq!(lines.len(), 1);
        let d = &attr_values(lines[0], "d")[0];
        assert_eq!((d.matches('M').count(), d.matches('L').count()), (1, 1));
        // Humility has no self score in 2025-H2: a line over the first two cycles, a lone dot.
        let s = testkit::trends().remove(1);
        let svg = trend(&s, &ChartScale::default(), "t");
        let lines = elements(&svg, "path", "trend-self-line");
        assert_eq!(lines.len(), 1);
        assert_eq!(attr_values(lines[0], "d")[0].matches('L').count(), 1);
        assert_eq!(dots(&svg, "self-dot").len(), 3);
    }

    #[test]
    fn two_gaps_give_one_path_of_two_pieces() {
        let q = QualityLabel::new("belief", "Belief", 1, Side::Mindset);
        let scores = [
            Some(2.0),
            Some(3.0),
            None,
            Some(4.0),
            Some(4.5),
            None,
            Some(5.0),
        ];
        let points = scores
            .iter()
            .enumerate()
            .map(|(i, &score)| TrendPoint {
                cycle: format!("c{i}"),
                score,
                self_score: None,
            })
            .collect();
        let svg = trend(
            &TrendSeries { quality: q, points },
            &ChartScale::default(),
            "t",
        );
        let lines = elements(&svg, "path", "trend-line");
        assert_eq!(lines.len(), 1);
        let d = &attr_values(lines[0], "d")[0];
        assert_eq!((d.matches('M').count(), d.matches('L').count()), (2, 2));
        assert_eq!(dots(&svg, "others-dot").len(), 5);
        assert!(dots(&svg, "self-dot").is_empty());
        assert!(elements(&svg, "path", "trend-self-line").is_empty());
    }

    #[test]
    fn dot_heights_match_the_numbers_table() {
        use layout::{BOTTOM, TOP};
        let series = testkit::trends();
        let table = trend_numbers(&series);
        assert_eq!(table.columns.len(), 4);
        assert_eq!(table.rows.len(), 16);
        // Back from a dot's height to its score on the default 1–5 scale.
        let score = |cy: f64| 1.0 + 4.0 * (BOTTOM - cy) / (BOTTOM - TOP);
        for (k, s) in series.iter().enumerate() {
            let svg = trend(s, &ChartScale::default(), "t");
            for (row, class) in [
                (&table.rows[2 * k], "others-dot"),
                (&table.rows[2 * k + 1], "self-dot"),
            ] {
                let cells: Vec<f64> = row.cells.iter().filter_map(|c| c.parse().ok()).collect();
                let marks = dots(&svg, class);
                assert_eq!(marks.len(), cells.len(), "{} {class}", s.quality.name);
                for ((_, cy), cell) in marks.iter().zip(&cells) {
                    assert!(
                        (score(*cy) - cell).abs() < 0.01,
                        "{} {class}: dot at {cy} is {}, the table says {cell}",
                        s.quality.name,
                        score(*cy)
                    );
                }
            }
        }
    }

    #[test]
    fn cycle_names_that_do_not_fit_show_only_the_ends() {
        let q = QualityLabel::new("belief", "Belief", 1, Side::Mindset);
        let points: Vec<TrendPoint> = (0..20)
            .map(|i| TrendPoint {
                cycle: format!("{}-H{}", 2016 + i / 2, 1 + i % 2),
                score: Some(3.0),
                self_score: None,
            })
            .collect();
        let svg = trend(
            &TrendSeries { quality: q, points },
            &ChartScale::default(),
            "t",
        );
        let labels: Vec<&str> = svg.split("class=\"tick-label\"").skip(1).collect();
        // 5 level labels + the first and last cycle.
        assert_eq!(labels.len(), 7);
        assert!(svg.contains(">2016-H1</text>") && svg.contains(">2025-H2</text>"));
    }

    #[test]
    fn the_grid_has_one_chart_per_quality_in_spectrum_order() {
        let mut series = testkit::trends();
        series.reverse();
        let html = trend_grid(&series, &ChartScale::default(), "trend");
        let keys: Vec<String> = elements(&html, "figure", "trend-cell")
            .iter()
            .map(|f| attr_values(f, "data-key")[0].clone())
            .collect();
        assert_eq!(keys, testkit::KEYS);
        assert_eq!(html.matches("data-chart=\"trend\"").count(), 8);
        assert!(html.contains("id=\"trend-storytelling\""));
        assert!(html.contains("<span class=\"trend-name text-behaviour\">Storytelling</span>"));
        assert!(html.contains("<span class=\"visually-hidden\"> since 2024-H2</span>"));
    }

    #[test]
    fn random_inputs_never_produce_nan_or_panic() {
        let mut rng = testkit::Rng(3);
        for round in 0..300 {
            let points: Vec<TrendPoint> = (0..rng.below(9))
                .map(|i| TrendPoint {
                    cycle: format!("c{i}"),
                    score: rng.score(),
                    self_score: rng.score(),
                })
                .collect();
            let q = QualityLabel::new("q", "Q", 1, Side::Behaviour);
            let svg = trend(
                &TrendSeries { quality: q, points },
                &testkit::random_scale(&mut rng),
                "t",
            );
            assert!(no_bad_numbers(&svg), "round {round}: {svg}");
        }
        let empty = TrendSeries {
            quality: QualityLabel::new("q", "Q", 1, Side::Mindset),
            points: vec![],
        };
        assert!(trend(&empty, &ChartScale::default(), "t").contains("No cycles yet"));
    }

    #[test]
    fn names_and_cycles_are_escaped() {
        let q = QualityLabel::new("k&", "<Q> & 'x'", 1, Side::Mindset);
        let points = vec![TrendPoint {
            cycle: "\"2026\"<".into(),
            score: Some(2.0),
            self_score: None,
        }];
        let series = [TrendSeries { quality: q, points }];
        let html = trend_grid(&series, &ChartScale::default(), "a b");
        assert!(!html.contains("<Q>") && !html.contains("\"2026\"<"));
        assert!(
            html.contains(
                "<title id=\"a-b-k--title\">Trend of &lt;Q&gt; &amp; &#39;x&#39;</title>"
            )
        );
        assert!(html.contains(">&quot;2026&quot;&lt;</text>"));
        assert!(html.contains("id=\"a-b-k-\""));
    }
}
