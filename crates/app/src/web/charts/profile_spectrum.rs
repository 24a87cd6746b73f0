//! The profile on the spectrum: every quality left to right from mindset to behaviour (as the
//! model page's spectrum chart), a vertical score axis with a grid line per scale level, the
//! others' score as a filled dot and the self score as a hollow ring, joined by a thin line
//! that shows the self–other gap. A blind spot (|gap| at or above the threshold) gets a heavier
//! connector in the warning colour, its signed gap printed beside it, and its name in bold.

use super::{
    ChartScale, QualityPoint, finite, fmt_gap, fmt_score, in_spectrum_order, side, text_width,
};
use crate::web::svg::{Svg, num};

mod layout {
    pub const STEP: f64 = 38.0;
    pub const LEFT: f64 = 44.0;
    pub const RIGHT: f64 = 12.0;
    pub const LEGEND_Y: f64 = 14.0;
    pub const BAND_TOP: f64 = 24.0;
    pub const SIDE_LABEL_Y: f64 = 40.0;
    pub const PLOT_TOP: f64 = 58.0;
    pub const PLOT_BOTTOM: f64 = 206.0;
    pub const NAME_Y: f64 = 226.0;
    pub const H: f64 = 330.0;
    pub const DOT_R: f64 = 5.5;
    pub const SELF_R: f64 = 7.5;
    pub const NAME_ANGLE: f64 = -55.0;
    pub const NAME_MAX: usize = 16;
}

/// The spectrum chart of one seller's profile; `blind_spot` is the |gap| from which a quality
/// counts as a blind spot (the organisation's setting, 1 scale point by default). `id` must be
/// unique on the page.
pub fn profile_spectrum(
    points: &[QualityPoint],
    scale: &ChartScale,
    blind_spot: f64,
    id: &str,
) -> String {
    use layout::*;

    let pts = in_spectrum_order(points, |p| &p.quality);
    let n = pts.len();
    let x_of = |i: usize| LEFT + STEP * (i as f64 + 0.5);
    let y_of = |v: f64| PLOT_BOTTOM - scale.fraction(v) * (PLOT_BOTTOM - PLOT_TOP);
    let width = (LEFT + STEP * n as f64 + RIGHT).max(240.0);
    let right = width - RIGHT;

    let blind: Vec<String> = pts
        .iter()
        .filter(|p| p.is_blind_spot(blind_spot))
        .map(|p| format!("{} ({})", p.quality.name, fmt_gap(p.gap())))
        .collect();
    let desc = format!(
        "{n} qualities left to right from mindset to behaviour; the vertical axis is the score \
         {}. Filled dots are others' scores (manager, peers, coach), hollow rings the self \
         scores, and a line joins the two to show the self–other gap. {}",
        scale.describe(),
        if blind.is_empty() {
            format!("No blind spot (a gap of {} or more).", num(blind_spot))
        } else {
            format!(
                "Blind spots (a gap of {} or more): {}.",
                num(blind_spot),
                blind.join(", ")
            )
        }
    );
    let mut svg = Svg::chart(
        "profile-spectrum",
        id,
        width,
        H,
        "Scores on the spectrum from mindset to behaviour",
        &desc,
    );

    legend(&mut svg, blind_spot);

    // Side bands with their names, which double as the ends of the spectrum.
    let runs = side_runs(&pts);
    for (k, &(a, b, s)) in runs.iter().enumerate() {
        let (x0, x1) = (x_of(a) - STEP / 2.0 + 1.0, x_of(b) + STEP / 2.0 - 1.0);
        svg.el("rect")
            .attr("class", &format!("band {}-band", side(s)))
            .num("x", x0)
            .num("y", BAND_TOP)
            .num("width", x1 - x0)
            .num("height", PLOT_BOTTOM + 10.0 - BAND_TOP)
            .num("rx", 6.0)
            .empty();
        let (x, anchor, label) = match (k == 0, k + 1 == runs.len()) {
            (true, true) => (x0 + 6.0, "start", s.label().to_owned()),
            (true, false) => (x0 + 6.0, "start", format!("← {}", s.label())),
            (false, true) => (x1 - 6.0, "end", format!("{} →", s.label())),
            (false, false) => ((x0 + x1) / 2.0, "middle", s.label().to_owned()),
        };
        svg.el("text")
            .attr("class", &format!("side-label side-text {}", side(s)))
            .num("x", x)
            .num("y", SIDE_LABEL_Y)
            .attr("text-anchor", anchor)
            .text(&label);
    }

    // The score axis: a grid line and a label per level.
    svg.el("g").attr("class", "score-axis").open();
    for level in scale.levels() {
        let y = y_of(f64::from(level));
        svg.el("line")
            .attr("class", "grid-line")
            .num("x1", LEFT - 4.0)
            .num("y1", y)
            .num("x2", right)
            .num("y2", y)
            .empty();
        svg.el("text")
            .attr("class", "tick-label")
            .num("x", LEFT - 8.0)
            .num("y", y + 4.0)
            .attr("text-anchor", "end")
            .open();
        svg.title(&format!("Level {}", scale.level_label(level)));
        svg.el("tspan").text(&level.to_string());
        svg.end();
    }
    let mid = (PLOT_TOP + PLOT_BOTTOM) / 2.0;
    svg.el("text")
        .attr("class", "axis-title")
        .num("x", 12.0)
        .num("y", mid)
        .attr("text-anchor", "middle")
        .attr("transform", &format!("rotate(-90 12 {})", num(mid)))
        .text("Score");
    svg.end();

    // Per quality: the gap line, then the others' dot and the self ring.
    svg.el("g").attr("class", "marks").open();
    for (i, p) in pts.iter().enumerate() {
        let x = x_of(i);
        let s = side(p.quality.side);
        let name = &p.quality.name;
        let is_blind = p.is_blind_spot(blind_spot);
        svg.el("g")
            .attr(
                "class",
                if is_blind {
                    "score-column blind-spot"
                } else {
                    "score-column"
                },
            )
            .attr("data-key", &p.quality.key)
            .open();
        if let (Some(o), Some(m), Some(gap)) = (finite(p.score), finite(p.self_score), p.gap()) {
            let class = if is_blind {
                format!("gap-line {s} blind-spot")
            } else {
                format!("gap-line {s}")
            };
            svg.el("line")
                .attr("class", &class)
                .num("x1", x)
                .num("y1", y_of(o))
                .num("x2", x)
                .num("y2", y_of(m))
                .open();
            svg.title(&format!(
                "{name}: gap {} (self minus others)",
                fmt_gap(Some(gap))
            ));
            svg.end();
            if is_blind {
                // Above the upper mark, or below the lower one when the top is too close.
                let (upper, lower) = (y_of(o).min(y_of(m)), y_of(o).max(y_of(m)));
                let y = if upper - SELF_R - 6.0 >= PLOT_TOP - 2.0 {
                    upper - SELF_R - 5.0
                } else {
                    lower + SELF_R + 12.0
                };
                svg.el("text")
                    .attr("class", "gap-label")
                    .attr("aria-hidden", "true")
                    .num("x", x)
                    .num("y", y)
                    .attr("text-anchor", "middle")
                    .text(&format!(
                        "{}{:.1}",
                        if gap > 0.0 { "+" } else { "\u{2212}" },
                        gap.abs()
                    ));
            }
        }
        if let Some(m) = finite(p.self_score) {
            svg.el("circle")
                .attr("class", &format!("self-dot {s}"))
                .attr("data-key", &p.quality.key)
                .num("cx", x)
                .num("cy", y_of(m))
                .num("r", SELF_R)
                .open();
            svg.title(&format!("{name}: self score {}", fmt_score(Some(m))));
            svg.end();
        }
        if let Some(o) = finite(p.score) {
            svg.el("circle")
                .attr("class", &format!("others-dot {s}"))
                .attr("data-key", &p.quality.key)
                .num("cx", x)
                .num("cy", y_of(o))
                .num("r", DOT_R)
                .open();
            svg.title(&format!("{name}: others' score {}", fmt_score(Some(o))));
            svg.end();
        }
        if finite(p.score).is_none() && finite(p.self_score).is_none() {
            svg.el("text")
                .attr("class", "no-score-mark")
                .num("x", x)
                .num("y", PLOT_BOTTOM - 6.0)
                .attr("text-anchor", "middle")
                .open();
            svg.title(&format!("{name}: no score"));
            svg.el("tspan").text(super::MISSING);
            svg.end();
        }
        let (nx, ny) = (x + 4.0, NAME_Y);
        let mut class = format!("score-name side-text {s}");
        if is_blind {
            class.push_str(" blind-spot");
        }
        svg.el("text")
            .attr("class", &class)
            .num("x", nx)
            .num("y", ny)
            .attr("text-anchor", "end")
            .attr(
                "transform",
                &format!("rotate({} {} {})", num(NAME_ANGLE), num(nx), num(ny)),
            )
            .text(&short(name));
        svg.end();
    }
    svg.end();
    svg.finish()
}

/// Consecutive same-side qualities: (first index, last index, side).
fn side_runs(pts: &[&QualityPoint]) -> Vec<(usize, usize, sellerq_domain::model::Side)> {
    let mut runs: Vec<(usize, usize, sellerq_domain::model::Side)> = Vec::new();
    for (i, p) in pts.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if run.2 == p.quality.side => run.1 = i,
            _ => runs.push((i, i, p.quality.side)),
        }
    }
    runs
}

fn short(name: &str) -> String {
    use layout::NAME_MAX;
    if name.chars().count() <= NAME_MAX {
        name.to_owned()
    } else {
        let mut s: String = name.chars().take(NAME_MAX - 1).collect();
        s.push('…');
        s
    }
}

/// "● Others  ○ Self  ▬ Blind spot: gap ≥ 1", from the left edge.
fn legend(svg: &mut Svg, blind_spot: f64) {
    use layout::*;
    let px = 11.0;
    let y = LEGEND_Y;
    let mut x = 8.0;
    svg.el("g")
        .attr("class", "legend-marks")
        .attr("aria-hidden", "true")
        .open();
    svg.el("circle")
        .attr("class", "others-dot legend-key")
        .num("cx", x + 5.0)
        .num("cy", y - 4.0)
        .num("r", DOT_R - 1.0)
        .empty();
    x += 14.0;
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", x)
        .num("y", y)
        .text("Others");
    x += text_width("Others", px) + 14.0;
    svg.el("circle")
        .attr("class", "self-dot legend-key")
        .num("cx", x + 5.0)
        .num("cy", y - 4.0)
        .num("r", SELF_R - 2.5)
        .empty();
    x += 14.0;
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", x)
        .num("y", y)
        .text("Self");
    x += text_width("Self", px) + 14.0;
    svg.el("line")
        .attr("class", "gap-line blind-spot legend-key")
        .num("x1", x + 5.0)
        .num("y1", y - 10.0)
        .num("x2", x + 5.0)
        .num("y2", y + 2.0)
        .empty();
    x += 12.0;
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", x)
        .num("y", y)
        .text(&format!("Blind spot: gap ≥ {}", num(blind_spot)));
    svg.end();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::charts::testkit::{self, attr_values, elements, marks, no_bad_numbers};
    use crate::web::charts::{QualityLabel, profile_numbers};
    use sellerq_domain::model::Side;

    fn chart() -> String {
        profile_spectrum(&testkit::profile(), &ChartScale::default(), 1.0, "ps")
    }

    #[test]
    fn qualities_run_left_to_right_in_spectrum_order() {
        let mut points = testkit::profile();
        points.rotate_left(3);
        let svg = profile_spectrum(&points, &ChartScale::default(), 1.0, "ps");
        let groups = elements(&svg, "g", "score-column");
        let keys: Vec<String> = groups
            .iter()
            .map(|g| attr_values(g, "data-key")[0].clone())
            .collect();
        assert_eq!(keys, testkit::KEYS);
        let xs: Vec<f64> = elements(&svg, "circle", "self-dot")
            .iter()
            .filter(|c| !c.contains("legend-key"))
            .map(|c| attr_values(c, "cx")[0].parse().unwrap())
            .collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
    }

    #[test]
    fn higher_scores_sit_higher() {
        let svg = chart();
        let dots = elements(&svg, "circle", "others-dot");
        let y = |key: &str| -> f64 {
            let d = dots
                .iter()
                .find(|d| d.contains(&format!("data-key=\"{key}\"")))
                .unwrap();
            attr_values(d, "cy")[0].parse().unwrap()
        };
        assert!(y("storytelling") < y("belief") && y("belief") < y("humility"));
        // 5 is the top grid line, 1 the bottom one.
        assert!(
            (y("storytelling")
                - (layout::PLOT_TOP + (layout::PLOT_BOTTOM - layout::PLOT_TOP) / 8.0))
                .abs()
                < 0.01
        );
    }

    #[test]
    fn others_filled_self_hollow_and_gap_lines_between_them() {
        let svg = chart();
        assert_eq!(elements(&svg, "circle", "others-dot").len(), 7 + 1);
        assert_eq!(elements(&svg, "circle", "self-dot").len(), 7 + 1);
        // A gap line only where both scores exist: 8 − trust building − value crafting.
        let gaps: Vec<&str> = elements(&svg, "line", "gap-line")
            .into_iter()
            .filter(|l| !l.contains("legend"))
            .collect();
        assert_eq!(gaps.len(), 6);
        assert!(marks(&svg, "circle", "others-dot")[0].contains("others-dot mindset"));
        assert!(marks(&svg, "circle", "self-dot")[6].contains("self-dot behaviour"));
    }

    #[test]
    fn blind_spots_are_emphasised() {
        let svg = chart();
        let blind: Vec<String> = elements(&svg, "g", "blind-spot")
            .iter()
            .map(|g| attr_values(g, "data-key")[0].clone())
            .collect();
        assert_eq!(blind, ["humility", "process_mastery", "storytelling"]);
        assert_eq!(elements(&svg, "text", "gap-label").len(), 3);
        assert!(svg.contains(">+1.2</text>") && svg.contains(">\u{2212}1.5</text>"));
        assert!(svg.contains("Blind spots (a gap of 1 or more): Humility (+1.17)"));
        // A higher threshold leaves none.
        let none = profile_spectrum(&testkit::profile(), &ChartScale::default(), 2.0, "ps");
        assert!(elements(&none, "g", "blind-spot").is_empty());
        assert!(none.contains("No blind spot"));
    }

    #[test]
    fn every_mark_title_matches_the_numbers_table() {
        let points = testkit::profile();
        let svg = chart();
        for row in &profile_numbers(&points, 1.0).rows {
            let [others, own, gap, _] = &row.cells[..] else {
                panic!()
            };
            for (what, v) in [("others&#39; score", others), ("self score", own)] {
                if v != "–" {
                    assert!(
                        svg.contains(&format!("<title>{}: {what} {v}</title>", row.label)),
                        "{what} {v}"
                    );
                }
            }
            if gap != "–" {
                assert!(svg.contains(&format!(
                    "<title>{}: gap {gap} (self minus others)</title>",
                    row.label
                )));
            }
        }
    }

    #[test]
    fn the_axis_has_a_line_per_level_of_any_scale() {
        let svg = profile_spectrum(&testkit::profile(), &ChartScale::new(0, 10), 1.0, "ps");
        assert_eq!(elements(&svg, "line", "grid-line").len(), 11);
        assert!(no_bad_numbers(&svg));
    }

    #[test]
    fn a_quality_without_any_score_shows_a_dash() {
        let q = QualityLabel::new("belief", "Belief", 1, Side::Mindset);
        let svg = profile_spectrum(
            &[QualityPoint::new(q, None, None)],
            &ChartScale::default(),
            1.0,
            "p",
        );
        assert!(svg.contains("<title>Belief: no score</title>"));
    }

    #[test]
    fn random_inputs_never_produce_nan_or_panic() {
        let mut rng = testkit::Rng(99);
        for round in 0..300 {
            let n = rng.below(11);
            let points = testkit::random_points(&mut rng, n);
            let scale = testkit::random_scale(&mut rng);
            let svg = profile_spectrum(&points, &scale, 0.5 + rng.unit(), "p");
            assert!(no_bad_numbers(&svg), "round {round}: {svg}");
        }
    }

    #[test]
    fn names_are_escaped() {
        let q = QualityLabel::new("k", "Tom's <i>\"best\"</i> & co", 1, Side::Behaviour);
        let svg = profile_spectrum(
            &[QualityPoint::new(q, Some(2.0), Some(4.0))],
            &ChartScale::default(),
            1.0,
            "p",
        );
        assert!(!svg.contains("<i>"));
        assert!(
            svg.contains("Tom&#39;s &lt;i&gt;&quot;best&quot;&lt;/i&gt; &amp; co: self score 4.00")
        );
    }
}
