//! The team's spread per quality: [`distribution`] (how many subjects sit at each scale level,
//! as one stacked horizontal bar per quality, the levels shaded on the heatmap's blue ramp so
//! "a darker blue = a higher score" holds on every team chart) and [`mean_sd`] (the mean as a
//! filled dot with a ±1 SD whisker on the scale axis, and the self mean as a hollow ring).
//!
//! Bars share one length unit (the largest number of subjects), so a quality fewer people were
//! scored on has a visibly shorter bar rather than a stretched one.

use super::{
    ChartScale, NumbersRow, NumbersTable, QualityLabel, finite, fmt_score, heat_class,
    in_spectrum_order, side, text_width,
};
use crate::web::svg::Svg;

/// How many subjects have a score at one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelCount {
    /// The scale level.
    pub level: u8,
    /// Subjects whose score rounds to that level.
    pub count: u32,
}

/// A team's figures for one quality.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityStats {
    /// The quality.
    pub quality: QualityLabel,
    /// Subjects with a score.
    pub n: u32,
    /// Mean score, if any.
    pub mean: Option<f64>,
    /// Sample standard deviation, if n ≥ 2.
    pub sd: Option<f64>,
    /// Mean self score, if shown.
    pub self_mean: Option<f64>,
    /// Subjects per level (levels without anyone may be left out).
    pub counts: Vec<LevelCount>,
}

mod layout {
    pub const W: f64 = 360.0;
    /// Right edge of the quality names.
    pub const NAME_R: f64 = 116.0;
    pub const NAME_CHARS: usize = 16;
    pub const BAR_X0: f64 = 124.0;
    pub const BAR_X1: f64 = 320.0;
    pub const N_X: f64 = 352.0;
    pub const ROW_H: f64 = 26.0;
    pub const BAR_H: f64 = 16.0;
    pub const AXIS_X0: f64 = 134.0;
    pub const AXIS_X1: f64 = 336.0;
}

/// One stacked bar per quality (spectrum order, top to bottom): the subjects per level, the
/// count printed in each segment wide enough for it, and n at the end. `id` must be unique on
/// the page.
pub fn distribution(stats: &[QualityStats], scale: &ChartScale, id: &str) -> String {
    use layout::*;

    let rows = in_spectrum_order(stats, |s| &s.quality);
    let top = 40.0;
    let h = top + ROW_H * rows.len() as f64 + 6.0;
    let max_total = rows.iter().map(|s| total(s)).max().unwrap_or(0).max(1);
    let unit = (BAR_X1 - BAR_X0) / f64::from(max_total);
    let desc = format!(
        "For each of {} qualities, a bar split by scale level ({}) showing how many subjects' \
         scores round to each level; darker segments are higher levels. The count is printed \
         in each segment wide enough, and the number of subjects at the end of the bar.",
        rows.len(),
        scale.describe()
    );
    let mut svg = Svg::chart(
        "distribution",
        id,
        W,
        h,
        "Subjects per scale level and quality",
        &desc,
    );

    // Legend: a swatch per level, and the n column's heading.
    svg.el("g")
        .attr("class", "legend-marks")
        .attr("aria-hidden", "true")
        .open();
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", NAME_R)
        .num("y", 18.0)
        .attr("text-anchor", "end")
        .text("Level");
    let mut x = BAR_X0;
    for level in scale.levels() {
        svg.el("rect")
            .attr(
                "class",
                &format!("dist-seg {}", heat_class(Some(f64::from(level)), scale)),
            )
            .num("x", x)
            .num("y", 7.0)
            .num("width", 22.0)
            .num("height", 15.0)
            .num("rx", 2.0)
            .empty();
        svg.el("text")
            .attr(
                "class",
                &format!("dist-count {}", heat_class(Some(f64::from(level)), scale)),
            )
            .num("x", x + 11.0)
            .num("y", 18.5)
            .attr("text-anchor", "middle")
            .text(&level.to_string());
        x += 25.0;
        if x > BAR_X1 - 20.0 {
            break;
        }
    }
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", N_X)
        .num("y", 18.0)
        .attr("text-anchor", "end")
        .text("n");
    svg.end();

    for (r, s) in rows.iter().enumerate() {
        let y = top + ROW_H * r as f64;
        let q = &s.quality;
        let n = total(s);
        svg.el("g")
            .attr("class", "dist-row")
            .attr("data-key", &q.key)
            .open();
        name_label(&mut svg, q, y + BAR_H / 2.0 + 4.0);
        if n == 0 {
            svg.el("text")
                .attr("class", "empty-note")
                .num("x", BAR_X0)
                .num("y", y + BAR_H / 2.0 + 4.0)
                .text("no scores");
        }
        if n > 0 {
            svg.el("rect")
                .attr("class", "dist-frame")
                .attr("aria-hidden", "true")
                .num("x", BAR_X0)
                .num("y", y)
                .num("width", f64::from(n) * unit)
                .num("height", BAR_H)
                .empty();
        }
        let mut x = BAR_X0;
        let mut counts: Vec<LevelCount> =
            s.counts.iter().copied().filter(|c| c.count > 0).collect();
        counts.sort_by_key(|c| c.level);
        for c in counts {
            let w = f64::from(c.count) * unit;
            let class = heat_class(Some(f64::from(c.level)), scale);
            svg.el("rect")
                .attr("class", &format!("dist-seg {class}"))
                .attr("data-level", &c.level.to_string())
                .num("x", x)
                .num("y", y)
                .num("width", w)
                .num("height", BAR_H)
                .open();
            svg.title(&format!(
                "{}, level {}: {} of {n}",
                q.name,
                scale.level_label(c.level),
                c.count
            ));
            svg.end();
            let label = c.count.to_string();
            if w >= text_width(&label, 11.0) + 6.0 {
                svg.el("text")
                    .attr("class", &format!("dist-count {class}"))
                    .attr("aria-hidden", "true")
                    .num("x", x + w / 2.0)
                    .num("y", y + BAR_H / 2.0 + 4.0)
                    .attr("text-anchor", "middle")
                    .text(&label);
            }
            x += w;
        }
        svg.el("text")
            .attr("class", "dist-n")
            .num("x", N_X)
            .num("y", y + BAR_H / 2.0 + 4.0)
            .attr("text-anchor", "end")
            .open();
        svg.title(&format!("{}: {n} subjects scored", q.name));
        svg.el("tspan").text(&n.to_string());
        svg.end();
        svg.end();
    }
    svg.finish()
}

fn total(s: &QualityStats) -> u32 {
    s.counts.iter().map(|c| c.count).sum()
}

/// A quality's name right-aligned before its row, in its side's hue.
fn name_label(svg: &mut Svg, q: &QualityLabel, y: f64) {
    use layout::*;
    let name = if q.name.chars().count() > NAME_CHARS {
        let mut s: String = q.name.chars().take(NAME_CHARS - 1).collect();
        s.push('…');
        s
    } else {
        q.name.clone()
    };
    svg.el("text")
        .attr("class", &format!("row-name side-text {}", side(q.side)))
        .num("x", NAME_R)
        .num("y", y)
        .attr("text-anchor", "end")
        .text(&name);
}

/// The subjects per level as a table: a column per level of the scale, then n.
pub fn distribution_numbers(stats: &[QualityStats], scale: &ChartScale) -> NumbersTable {
    let levels: Vec<String> = scale.levels().map(|l| scale.level_label(l)).collect();
    let mut columns: Vec<(&str, bool)> = levels.iter().map(|l| (l.as_str(), true)).collect();
    columns.push(("n", true));
    let mut t = NumbersTable::new("Subjects per scale level and quality", "Quality", &columns);
    for s in in_spectrum_order(stats, |s| &s.quality) {
        let mut cells: Vec<String> = scale
            .levels()
            .map(|l| {
                s.counts
                    .iter()
                    .filter(|c| c.level == l)
                    .map(|c| c.count)
                    .sum::<u32>()
                    .to_string()
            })
            .collect();
        cells.push(total(s).to_string());
        t.rows.push(NumbersRow {
            key: s.quality.key.clone(),
            label: s.quality.name.clone(),
            side: Some(s.quality.side),
            cells,
        });
    }
    t
}

/// Mean ± 1 SD per quality (spectrum order, top to bottom) on the scale axis: the mean as a
/// filled dot, the SD as a whisker (cut at the ends of the scale), the self mean as a hollow
/// ring. `id` must be unique on the page.
pub fn mean_sd(stats: &[QualityStats], scale: &ChartScale, id: &str) -> String {
    use layout::*;

    let rows = in_spectrum_order(stats, |s| &s.quality);
    let top = 38.0;
    let legend_y = top + ROW_H * rows.len() as f64 + 14.0;
    let h = legend_y + 10.0;
    let x_of = |v: f64| AXIS_X0 + scale.fraction(v) * (AXIS_X1 - AXIS_X0);
    let desc = format!(
        "For each of {} qualities, the team's mean score as a filled dot with a whisker from one \
         standard deviation below to one above (cut at the ends of the scale, {}), and the mean \
         self score as a hollow ring.",
        rows.len(),
        scale.describe()
    );
    let mut svg = Svg::chart(
        "mean-sd",
        id,
        W,
        h,
        "Mean and standard deviation per quality",
        &desc,
    );

    // The scale axis on top, a light grid line per level through the rows.
    svg.el("g").attr("class", "score-axis").open();
    for level in scale.levels() {
        let x = x_of(f64::from(level));
        svg.el("line")
            .attr("class", "grid-line")
            .num("x1", x)
            .num("y1", top - 8.0)
            .num("x2", x)
            .num("y2", top + ROW_H * rows.len() as f64 - 6.0)
            .empty();
        svg.el("text")
            .attr("class", "tick-label")
            .num("x", x)
            .num("y", top - 14.0)
            .attr("text-anchor", "middle")
            .open();
        svg.title(&format!("Level {}", scale.level_label(level)));
        svg.el("tspan").text(&level.to_string());
        svg.end();
    }
    svg.end();

    for (r, s) in rows.iter().enumerate() {
        let y = top + ROW_H * r as f64 + 4.0;
        let q = &s.quality;
        let cls = side(q.side);
        svg.el("g")
            .attr("class", "mean-row")
            .attr("data-key", &q.key)
            .open();
        name_label(&mut svg, q, y + 4.0);
        let mean = finite(s.mean);
        let sd = finite(s.sd).map(f64::abs);
        if let (Some(m), Some(sd)) = (mean, sd) {
            let (a, b) = (x_of(m - sd), x_of(m + sd));
            svg.el("g")
                .attr("class", &format!("sd-whisker {cls}"))
                .open();
            svg.title(&format!(
                "{}: mean ± SD {} to {}",
                q.name,
                fmt_score(Some(m - sd)),
                fmt_score(Some(m + sd))
            ));
            svg.el("line")
                .num("x1", a)
                .num("y1", y)
                .num("x2", b)
                .num("y2", y)
                .empty();
            for x in [a, b] {
                svg.el("line")
                    .num("x1", x)
                    .num("y1", y - 5.0)
                    .num("x2", x)
                    .num("y2", y + 5.0)
                    .empty();
            }
            svg.end();
        }
        if let Some(m) = finite(s.self_mean) {
            svg.el("circle")
                .attr("class", &format!("self-dot {cls}"))
                .attr("data-key", &q.key)
                .num("cx", x_of(m))
                .num("cy", y)
                .num("r", 6.0)
                .open();
            svg.title(&format!("{}: self mean {}", q.name, fmt_score(Some(m))));
            svg.end();
        }
        match mean {
            Some(m) => {
                svg.el("circle")
                    .attr("class", &format!("others-dot {cls}"))
                    .attr("data-key", &q.key)
                    .num("cx", x_of(m))
                    .num("cy", y)
                    .num("r", 5.0)
                    .open();
                svg.title(&format!(
                    "{}: mean {}, SD {}, n {}",
                    q.name,
                    fmt_score(Some(m)),
                    fmt_score(sd),
                    s.n
                ));
                svg.end();
            }
            None => {
                svg.el("text")
                    .attr("class", "empty-note")
                    .num("x", AXIS_X0)
                    .num("y", y + 4.0)
                    .text("no scores");
            }
        }
        svg.end();
    }

    // Legend.
    let mut x = AXIS_X0 - 10.0;
    svg.el("g")
        .attr("class", "legend-marks")
        .attr("aria-hidden", "true")
        .open();
    svg.el("circle")
        .attr("class", "others-dot legend-key")
        .num("cx", x + 4.0)
        .num("cy", legend_y - 4.0)
        .num("r", 4.0)
        .empty();
    x += 12.0;
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", x)
        .num("y", legend_y)
        .text("Mean");
    x += text_width("Mean", 11.0) + 14.0;
    svg.el("g").attr("class", "sd-whisker legend-key").open();
    svg.el("line")
        .num("x1", x)
        .num("y1", legend_y - 4.0)
        .num("x2", x + 18.0)
        .num("y2", legend_y - 4.0)
        .empty();
    for xx in [x, x + 18.0] {
        svg.el("line")
            .num("x1", xx)
            .num("y1", legend_y - 8.0)
            .num("x2", xx)
            .num("y2", legend_y)
            .empty();
    }
    svg.end();
    x += 24.0;
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", x)
        .num("y", legend_y)
        .text("± 1 SD");
    x += text_width("± 1 SD", 11.0) + 14.0;
    svg.el("circle")
        .attr("class", "self-dot legend-key")
        .num("cx", x + 5.0)
        .num("cy", legend_y - 4.0)
        .num("r", 5.0)
        .empty();
    x += 14.0;
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", x)
        .num("y", legend_y)
        .text("Self mean");
    svg.end();
    svg.finish()
}

/// The mean ± SD figures: n, mean, SD and self mean per quality.
pub fn mean_sd_numbers(stats: &[QualityStats]) -> NumbersTable {
    let mut t = NumbersTable::new(
        "Mean, standard deviation and mean self score per quality",
        "Quality",
        &[
            ("n", true),
            ("Mean", true),
            ("SD", true),
            ("Self mean", true),
        ],
    );
    for s in in_spectrum_order(stats, |s| &s.quality) {
        t.rows.push(NumbersRow {
            key: s.quality.key.clone(),
            label: s.quality.name.clone(),
            side: Some(s.quality.side),
            cells: vec![
                s.n.to_string(),
                fmt_score(s.mean),
                fmt_score(finite(s.sd).map(f64::abs)),
                fmt_score(s.self_mean),
            ],
        });
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::charts::testkit::{self, attr_values, elements, no_bad_numbers};
    use sellerq_domain::model::Side;

    fn stats() -> Vec<QualityStats> {
        testkit::stats(&testkit::team(24), &ChartScale::default())
    }

    #[test]
    fn rows_in_spectrum_order_with_one_segment_per_occupied_level() {
        let mut s = stats();
        s.reverse();
        let svg = distribution(&s, &ChartScale::default(), "d");
        let keys: Vec<String> = elements(&svg, "g", "dist-row")
            .iter()
            .map(|g| attr_values(g, "data-key")[0].clone())
            .collect();
        assert_eq!(keys, testkit::KEYS);
        let occupied: usize = s
            .iter()
            .map(|q| q.counts.iter().filter(|c| c.count > 0).count())
            .sum();
        let segments = elements(&svg, "rect", "dist-seg")
            .into_iter()
            .filter(|r| r.contains("data-level"))
            .count();
        assert_eq!(segments, occupied);
        assert!(svg.contains("class=\"row-name side-text mindset\""));
    }

    #[test]
    fn segments_are_shaded_by_level_and_widths_add_up_to_n() {
        let q = QualityLabel::new("belief", "Belief", 1, Side::Mindset);
        let counts = [(1, 1), (2, 0), (3, 4), (4, 5), (5, 2)]
            .map(|(level, count)| LevelCount { level, count })
            .to_vec();
        let s = QualityStats {
            quality: q,
            n: 12,
            mean: Some(3.5),
            sd: Some(1.0),
            self_mean: None,
            counts,
        };
        let svg = distribution(std::slice::from_ref(&s), &ChartScale::default(), "d");
        let segs: Vec<&str> = elements(&svg, "rect", "dist-seg")
            .into_iter()
            .filter(|r| r.contains("data-level"))
            .collect();
        let classes: Vec<String> = segs
            .iter()
            .map(|r| attr_values(r, "class")[0].clone())
            .collect();
        assert_eq!(
            classes,
            [
                "dist-seg heat-0",
                "dist-seg heat-3",
                "dist-seg heat-5",
                "dist-seg heat-6"
            ]
        );
        let width: f64 = segs
            .iter()
            .map(|r| attr_values(r, "width")[0].parse::<f64>().unwrap())
            .sum();
        assert!((width - (layout::BAR_X1 - layout::BAR_X0)).abs() < 0.05);
        assert!(svg.contains("<title>Belief, level 3: 4 of 12</title>"));
        // The counts are printed and match the numbers table.
        let t = distribution_numbers(&[s], &ChartScale::default());
        assert_eq!(t.rows[0].cells, ["1", "0", "4", "5", "2", "12"]);
        for (c, v) in t.columns.iter().zip(&t.rows[0].cells).take(5) {
            if v != "0" {
                assert!(svg.contains(&format!("Belief, level {}: {v} of 12", c.label)));
            }
        }
    }

    #[test]
    fn mean_sd_draws_a_filled_mean_a_whisker_and_a_hollow_self_mean() {
        let s = stats();
        let svg = mean_sd(&s, &ChartScale::default(), "m");
        assert_eq!(elements(&svg, "circle", "others-dot").len(), 8 + 1);
        assert_eq!(elements(&svg, "circle", "self-dot").len(), 8 + 1);
        assert_eq!(elements(&svg, "g", "sd-whisker").len(), 8 + 1);
        assert!(elements(&svg, "circle", "others-dot")[0].contains("others-dot mindset"));
        let t = mean_sd_numbers(&s);
        for row in &t.rows {
            let [n, mean, sd, own] = &row.cells[..] else {
                panic!()
            };
            assert!(svg.contains(&format!(
                "<title>{}: mean {mean}, SD {sd}, n {n}</title>",
                row.label
            )));
            assert!(svg.contains(&format!("<title>{}: self mean {own}</title>", row.label)));
        }
    }

    #[test]
    fn whiskers_are_cut_at_the_ends_of_the_scale() {
        let q = QualityLabel::new("b", "B", 1, Side::Mindset);
        let s = QualityStats {
            quality: q,
            n: 3,
            mean: Some(4.6),
            sd: Some(1.2),
            self_mean: None,
            counts: vec![],
        };
        let svg = mean_sd(&[s], &ChartScale::default(), "m");
        let whisker = svg.split("class=\"sd-whisker mindset\"").nth(1).unwrap();
        let x2: f64 = attr_values(whisker, "x2")[0].parse().unwrap();
        assert!((x2 - layout::AXIS_X1).abs() < 1e-9);
        assert!(svg.contains("mean ± SD 3.40 to 5.80"));
    }

    #[test]
    fn missing_means_and_empty_bars_say_no_scores() {
        let q = QualityLabel::new("b", "B", 1, Side::Behaviour);
        let s = QualityStats {
            quality: q,
            n: 0,
            mean: None,
            sd: None,
            self_mean: Some(f64::NAN),
            counts: vec![],
        };
        let d = distribution(std::slice::from_ref(&s), &ChartScale::default(), "d");
        let m = mean_sd(std::slice::from_ref(&s), &ChartScale::default(), "m");
        assert!(d.contains(">no scores</text>") && m.contains(">no scores</text>"));
        assert!(no_bad_numbers(&d) && no_bad_numbers(&m));
        assert_eq!(mean_sd_numbers(&[s]).rows[0].cells, ["0", "–", "–", "–"]);
    }

    #[test]
    fn random_inputs_never_produce_nan_or_panic() {
        let mut rng = testkit::Rng(11);
        for round in 0..300 {
            let scale = testkit::random_scale(&mut rng);
            let n = rng.below(10);
            let stats: Vec<QualityStats> = testkit::random_points(&mut rng, n)
                .into_iter()
                .map(|p| QualityStats {
                    quality: p.quality,
                    n: rng.below(600) as u32,
                    mean: p.score,
                    sd: rng.score(),
                    self_mean: p.self_score,
                    counts: (0..rng.below(7))
                        .map(|_| LevelCount {
                            level: rng.below(12) as u8,
                            count: rng.below(300) as u32,
                        })
                        .collect(),
                })
                .collect();
            let d = distribution(&stats, &scale, "d");
            let m = mean_sd(&stats, &scale, "m");
            assert!(no_bad_numbers(&d), "round {round}: {d}");
            assert!(no_bad_numbers(&m), "round {round}: {m}");
        }
    }

    #[test]
    fn names_are_escaped() {
        let q = QualityLabel::new("k", "A<b>&\"c\"'", 1, Side::Mindset);
        let s = QualityStats {
            quality: q,
            n: 2,
            mean: Some(3.0),
            sd: Some(0.5),
            self_mean: None,
            counts: vec![LevelCount { level: 3, count: 2 }],
        };
        for svg in [
            distribution(std::slice::from_ref(&s), &ChartScale::default(), "d"),
            mean_sd(&[s], &ChartScale::default(), "m"),
        ] {
            assert!(!svg.contains("<b>"));
            assert!(svg.contains("A&lt;b&gt;&amp;&quot;c&quot;&#39;"));
        }
    }
}
