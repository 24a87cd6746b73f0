//! The profile's radar: others' scores against self scores on every quality.
//!
//! The qualities go round the circle in spectrum order, counter-clockwise from the top, each
//! half a step off the vertical: with the default model the mindset side fills the left half
//! and the behaviour side the right half, as on the spectrum chart where mindset is on the
//! left, and the empty 12 o'clock spoke carries the level labels. Rings mark the scale levels;
//! the lowest level is the innermost ring rather than the centre, so a seller scored at the
//! bottom of the scale still has a visible shape.
//!
//! The others' shape is filled and the self shape a dashed outline, each drawn as one piece
//! per quality (from the centre to the midpoints of the edges to its neighbours), so each
//! quality's piece takes its side's hue and a missing score leaves a notch back to the centre
//! instead of a line that skips the quality. With fewer than three qualities there is no shape,
//! only the dots.

use std::f64::consts::TAU;

use super::{
    ChartScale, QualityPoint, finite, fmt_score, in_spectrum_order, side, text_width, wrap,
};
use crate::web::svg::{Svg, num};

mod layout {
    pub const W: f64 = 360.0;
    pub const H: f64 = 326.0;
    pub const CX: f64 = 180.0;
    pub const CY: f64 = 158.0;
    /// Radius of the outermost ring (the top level).
    pub const R: f64 = 94.0;
    /// Gap between the outer ring and the names.
    pub const NAME_GAP: f64 = 12.0;
    pub const NAME_PX: f64 = 12.0;
    pub const LINE_H: f64 = 13.0;
    pub const LINE_CHARS: usize = 13;
    pub const DOT_R: f64 = 4.5;
    pub const SELF_R: f64 = 6.5;
    pub const LEGEND_Y: f64 = 316.0;
}

type Pt = (f64, f64);

/// The radar chart of one seller's profile. `id` must be unique on the page.
pub fn radar(points: &[QualityPoint], scale: &ChartScale, id: &str) -> String {
    use layout::*;

    let pts = in_spectrum_order(points, |p| &p.quality);
    let n = pts.len();
    let step = TAU / n.max(1) as f64;
    // Angle from the top, negative = counter-clockwise on screen.
    let angle = |i: usize| -(i as f64 + 0.5) * step;
    let at = |r: f64, phi: f64| -> Pt { (CX + r * phi.sin(), CY - r * phi.cos()) };
    let levels = scale.hi() - scale.lo() + 1.0;
    let radius = |v: f64| R * (1.0 + scale.fraction(v) * (levels - 1.0)) / levels;

    let others: Vec<Option<Pt>> = pts
        .iter()
        .enumerate()
        .map(|(i, p)| finite(p.score).map(|s| at(radius(s), angle(i))))
        .collect();
    let selfs: Vec<Option<Pt>> = pts
        .iter()
        .enumerate()
        .map(|(i, p)| finite(p.self_score).map(|s| at(radius(s), angle(i))))
        .collect();

    let left_side = side_left_of(&pts, &angle);
    let mut desc = format!(
        "Radar chart of {n} qualities in spectrum order, counter-clockwise from the top{}. \
         Rings mark the scale levels {}, the lowest innermost. The filled shape and filled dots \
         are others' scores (manager, peers, coach); the dashed outline and hollow dots are the \
         self scores.",
        match left_side {
            Some(l) => format!(
                ": the {} side on the left, the {} side on the right",
                l.as_str(),
                other_side(l).as_str()
            ),
            None => String::new(),
        },
        scale.describe()
    );
    let missing: Vec<&str> = pts
        .iter()
        .filter(|p| finite(p.score).is_none())
        .map(|p| p.quality.name.as_str())
        .collect();
    if !missing.is_empty() {
        desc.push_str(&format!(" No others' score: {}.", missing.join(", ")));
    }
    if (1..3).contains(&n) {
        desc.push_str(" With fewer than three qualities only the dots are drawn.");
    }

    let mut svg = Svg::chart(
        "radar",
        id,
        W,
        H,
        "Others' and self scores per quality",
        &desc,
    );
    if n == 0 {
        svg.el("text")
            .attr("class", "empty-note")
            .num("x", CX)
            .num("y", CY)
            .attr("text-anchor", "middle")
            .text("No qualities to show");
        return svg.finish();
    }

    // Side sectors behind everything, one wedge per run of same-side neighbours.
    svg.el("g")
        .attr("class", "sectors")
        .attr("aria-hidden", "true")
        .open();
    for (start, len, s) in cyclic_runs(&pts.iter().map(|p| p.quality.side).collect::<Vec<_>>()) {
        let r = R + 6.0;
        if len == n {
            svg.el("circle")
                .attr("class", &format!("sector {}-band", side(s)))
                .num("cx", CX)
                .num("cy", CY)
                .num("r", r)
                .empty();
            continue;
        }
        let (a0, a1) = (-(start as f64) * step, -((start + len) as f64) * step);
        let (p0, p1) = (at(r, a0), at(r, a1));
        let large = u8::from(len as f64 * step > std::f64::consts::PI);
        svg.el("path")
            .attr("class", &format!("sector {}-band", side(s)))
            .attr(
                "d",
                &format!(
                    "M{} {} L{} {} A{} {} 0 {large} 0 {} {} Z",
                    num(CX),
                    num(CY),
                    num(p0.0),
                    num(p0.1),
                    num(r),
                    num(r),
                    num(p1.0),
                    num(p1.1)
                ),
            )
            .empty();
    }
    svg.end();

    // Rings per level and spokes per quality.
    svg.el("g").attr("class", "rings").open();
    for level in scale.levels() {
        let outer = level == *scale.levels().end();
        svg.el("circle")
            .attr("class", if outer { "ring ring-outer" } else { "ring" })
            .num("cx", CX)
            .num("cy", CY)
            .num("r", radius(f64::from(level)))
            .open();
        svg.title(&format!("Level {}", scale.level_label(level)));
        svg.end();
    }
    for i in 0..n {
        let (x, y) = at(R, angle(i));
        svg.el("line")
            .attr("class", "spoke")
            .num("x1", CX)
            .num("y1", CY)
            .num("x2", x)
            .num("y2", y)
            .empty();
    }
    svg.end();

    // The others' shape: filled pieces with their outline; then the self outline, dashed.
    if n >= 3 {
        svg.el("g").attr("class", "others-shape").open();
        for (i, p) in pts.iter().enumerate() {
            let Some((a, c, b)) = piece(&others, i) else {
                continue;
            };
            let s = side(p.quality.side);
            svg.el("path")
                .attr("class", &format!("others-area {s}"))
                .attr("data-key", &p.quality.key)
                .attr(
                    "d",
                    &format!("M{} {} {} Z", num(CX), num(CY), line_to(&[a, c, b])),
                )
                .empty();
            svg.el("path")
                .attr("class", &format!("others-line {s}"))
                .attr(
                    "d",
                    &format!("M{} {} {}", num(a.0), num(a.1), line_to(&[c, b])),
                )
                .empty();
        }
        svg.end();
        svg.el("g").attr("class", "self-shape").open();
        for (i, p) in pts.iter().enumerate() {
            let Some((a, c, b)) = piece(&selfs, i) else {
                continue;
            };
            svg.el("path")
                .attr("class", &format!("self-line {}", side(p.quality.side)))
                .attr("data-key", &p.quality.key)
                .attr(
                    "d",
                    &format!("M{} {} {}", num(a.0), num(a.1), line_to(&[c, b])),
                )
                .empty();
        }
        svg.end();
    }

    // Level labels on the empty top spoke, over the shapes.
    svg.el("g")
        .attr("class", "ring-labels")
        .attr("aria-hidden", "true")
        .open();
    for level in scale.levels() {
        svg.el("text")
            .attr("class", "ring-label")
            .num("x", CX)
            .num("y", CY - radius(f64::from(level)) + 3.5)
            .attr("text-anchor", "middle")
            .text(&level.to_string());
    }
    svg.end();

    // Dots: self rings first, others' dots on top, so a dot inside a ring shows agreement.
    svg.el("g").attr("class", "marks").open();
    for (i, p) in pts.iter().enumerate() {
        let s = side(p.quality.side);
        if let (Some((x, y)), Some(v)) = (selfs[i], finite(p.self_score)) {
            svg.el("circle")
                .attr("class", &format!("self-dot {s}"))
                .attr("data-key", &p.quality.key)
                .num("cx", x)
                .num("cy", y)
                .num("r", SELF_R)
                .open();
            svg.title(&format!(
                "{}: self score {}",
                p.quality.name,
                fmt_score(Some(v))
            ));
            svg.end();
        }
        if let (Some((x, y)), Some(v)) = (others[i], finite(p.score)) {
            svg.el("circle")
                .attr("class", &format!("others-dot {s}"))
                .attr("data-key", &p.quality.key)
                .num("cx", x)
                .num("cy", y)
                .num("r", DOT_R)
                .open();
            svg.title(&format!(
                "{}: others' score {}",
                p.quality.name,
                fmt_score(Some(v))
            ));
            svg.end();
        }
    }
    svg.end();

    // Names outside the outer ring, anchored away from the centre.
    svg.el("g").attr("class", "names").open();
    for (i, p) in pts.iter().enumerate() {
        let phi = angle(i);
        let (x, y) = at(R + NAME_GAP, phi);
        let (sin, cos) = (phi.sin(), phi.cos());
        let anchor = if sin.abs() < 0.2 {
            "middle"
        } else if sin < 0.0 {
            "end"
        } else {
            "start"
        };
        let lines = wrap(&p.quality.name, LINE_CHARS, 2);
        let extra = (lines.len().max(1) - 1) as f64 * LINE_H;
        let first_y = if cos > 0.35 {
            y - extra
        } else if cos < -0.35 {
            y + NAME_PX * 0.8
        } else {
            y - extra / 2.0 + NAME_PX * 0.35
        };
        let mut class = format!("radar-name side-text {}", side(p.quality.side));
        if finite(p.score).is_none() {
            class.push_str(" no-score");
        }
        svg.el("text")
            .attr("class", &class)
            .attr("data-key", &p.quality.key)
            .num("x", x)
            .num("y", first_y)
            .attr("text-anchor", anchor)
            .open();
        for (k, line) in lines.iter().enumerate() {
            svg.el("tspan")
                .num("x", x)
                .num("y", first_y + k as f64 * LINE_H)
                .text(line);
        }
        svg.end();
    }
    svg.end();

    // Side names in the top corners, in their hue.
    if let Some(l) = left_side {
        for (s, x, anchor) in [(l, 8.0, "start"), (other_side(l), W - 8.0, "end")] {
            if pts.iter().any(|p| p.quality.side == s) {
                svg.el("text")
                    .attr("class", &format!("side-label side-text {}", side(s)))
                    .num("x", x)
                    .num("y", 18.0)
                    .attr("text-anchor", anchor)
                    .text(s.label());
            }
        }
    }

    legend(&mut svg);
    svg.finish()
}

/// The side whose qualities sit left of the centre on average, when the two sides split
/// left and right (both present, on opposite halves).
fn side_left_of(
    pts: &[&QualityPoint],
    angle: &impl Fn(usize) -> f64,
) -> Option<sellerq_domain::model::Side> {
    use sellerq_domain::model::Side;
    let mean_x = |s: Side| {
        let xs: Vec<f64> = pts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.quality.side == s)
            .map(|(i, _)| angle(i).sin())
            .collect();
        (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
    };
    match (mean_x(Side::Mindset), mean_x(Side::Behaviour)) {
        (Some(m), Some(b)) if m < b => Some(Side::Mindset),
        (Some(_), Some(_)) => Some(Side::Behaviour),
        (Some(_), None) => Some(Side::Mindset),
        (None, Some(_)) => Some(Side::Behaviour),
        (None, None) => None,
    }
}

fn other_side(s: sellerq_domain::model::Side) -> sellerq_domain::model::Side {
    use sellerq_domain::model::Side;
    match s {
        Side::Mindset => Side::Behaviour,
        Side::Behaviour => Side::Mindset,
    }
}

/// Quality `i`'s piece of a shape: (midpoint towards the previous quality, its own point,
/// midpoint towards the next), a missing neighbour replaced by the point itself; `None` when
/// the quality has no point or neither neighbour has one.
fn piece(points: &[Option<Pt>], i: usize) -> Option<(Pt, Pt, Pt)> {
    let n = points.len();
    let c = points[i]?;
    let mid = |j: usize| points[j].map(|q| ((q.0 + c.0) / 2.0, (q.1 + c.1) / 2.0));
    let (prev, next) = (mid((i + n - 1) % n), mid((i + 1) % n));
    if prev.is_none() && next.is_none() {
        return None;
    }
    Some((prev.unwrap_or(c), c, next.unwrap_or(c)))
}

fn line_to(points: &[Pt]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("L{} {}", num(*x), num(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Maximal runs of equal sides round the circle: (start, length, side). One run of length n
/// when every quality is on the same side.
fn cyclic_runs<T: Copy + PartialEq>(sides: &[T]) -> Vec<(usize, usize, T)> {
    let n = sides.len();
    let Some(start) = (0..n).find(|&i| sides[i] != sides[(i + n - 1) % n]) else {
        return sides.first().map(|&s| vec![(0, n, s)]).unwrap_or_default();
    };
    let mut runs: Vec<(usize, usize, T)> = Vec::new();
    for k in 0..n {
        let i = (start + k) % n;
        match runs.last_mut() {
            Some(run) if run.2 == sides[i] => run.1 += 1,
            _ => runs.push((i, 1, sides[i])),
        }
    }
    runs
}

/// "● Others (manager, peers, coach)   ○ Self", centred at the bottom.
fn legend(svg: &mut Svg) {
    use layout::*;
    let others = "Others (manager, peers, coach)";
    let own = "Self";
    let px = 11.0;
    let total = 14.0 + text_width(others, px) + 22.0 + 26.0 + text_width(own, px);
    let mut x = (W - total) / 2.0;
    svg.el("g")
        .attr("class", "legend-marks")
        .attr("aria-hidden", "true")
        .open();
    svg.el("circle")
        .attr("class", "others-dot legend-key")
        .num("cx", x + 4.5)
        .num("cy", LEGEND_Y - 4.0)
        .num("r", DOT_R)
        .empty();
    x += 14.0;
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", x)
        .num("y", LEGEND_Y)
        .text(others);
    x += text_width(others, px) + 22.0;
    svg.el("line")
        .attr("class", "self-line legend-key")
        .num("x1", x - 4.0)
        .num("y1", LEGEND_Y - 4.0)
        .num("x2", x + 18.0)
        .num("y2", LEGEND_Y - 4.0)
        .empty();
    svg.el("circle")
        .attr("class", "self-dot legend-key")
        .num("cx", x + 7.0)
        .num("cy", LEGEND_Y - 4.0)
        .num("r", SELF_R - 1.5)
        .empty();
    x += 26.0;
    svg.el("text")
        .attr("class", "legend-text")
        .num("x", x)
        .num("y", LEGEND_Y)
        .text(own);
    svg.end();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::charts::testkit::{self, attr_values, elements, marks, no_bad_numbers};
    use crate::web::charts::{QualityLabel, QualityPoint, profile_numbers};
    use sellerq_domain::model::Side;

    fn chart() -> String {
        radar(&testkit::profile(), &ChartScale::default(), "radar")
    }

    #[test]
    fn the_dots_go_round_in_spectrum_order_counter_clockwise_from_the_top() {
        let mut points = testkit::profile();
        points.reverse();
        let svg = radar(&points, &ChartScale::default(), "r");
        let dots = marks(&svg, "circle", "others-dot");
        let keys: Vec<String> = dots
            .iter()
            .map(|d| attr_values(d, "data-key")[0].clone())
            .collect();
        let expected: Vec<&str> = testkit::KEYS
            .iter()
            .copied()
            .filter(|k| *k != "value_crafting")
            .collect();
        assert_eq!(keys, expected, "value_crafting has no others' score");
        // First quality just left of the top, the mindset half on the left.
        let cx = |d: &str| attr_values(d, "cx")[0].parse::<f64>().unwrap();
        let cy = |d: &str| attr_values(d, "cy")[0].parse::<f64>().unwrap();
        assert!(cx(dots[0]) < layout::CX && cy(dots[0]) < layout::CY);
        assert!(dots[..4].iter().all(|d| cx(d) < layout::CX));
        assert!(dots[4..].iter().all(|d| cx(d) > layout::CX));
    }

    #[test]
    fn others_are_filled_and_self_is_hollow_with_the_side_hue() {
        let svg = chart();
        let others = elements(&svg, "circle", "others-dot");
        let selfs = elements(&svg, "circle", "self-dot");
        // Plus one legend key each.
        assert_eq!(others.len(), 7 + 1);
        assert_eq!(selfs.len(), 7 + 1);
        assert!(attr_values(others[0], "class")[0] == "others-dot mindset");
        assert!(attr_values(selfs[0], "class")[0] == "self-dot mindset");
        let last = attr_values(selfs[selfs.len() - 2], "class")[0].clone();
        assert_eq!(last, "self-dot behaviour");
        assert_eq!(elements(&svg, "path", "self-line").len(), 7);
        assert!(!svg.contains("style="));
    }

    #[test]
    fn a_missing_score_leaves_a_notch_not_a_skipped_vertex() {
        let svg = chart();
        // 8 qualities, value_crafting (7) without others' score: its piece is gone.
        let areas = elements(&svg, "path", "others-area");
        assert_eq!(areas.len(), 7);
        assert!(!areas.iter().any(|a| a.contains("value_crafting")));
        // Process mastery (6) and storytelling (8) keep half pieces ending at their own point.
        assert!(areas.iter().any(|a| a.contains("process_mastery")));
        // With every score present the shape is a full ring of pieces.
        let full: Vec<QualityPoint> = testkit::profile()
            .into_iter()
            .map(|mut p| {
                p.score = p.score.or(Some(3.0));
                p
            })
            .collect();
        let svg = radar(&full, &ChartScale::default(), "r");
        assert_eq!(elements(&svg, "path", "others-area").len(), 8);
    }

    #[test]
    fn rings_show_every_level_of_the_scale_with_labels() {
        let svg = radar(&testkit::profile(), &ChartScale::new(0, 10), "r");
        assert_eq!(elements(&svg, "circle", "ring").len(), 11);
        assert_eq!(elements(&svg, "text", "ring-label").len(), 11);
        assert!(svg.contains("<title>Level 10</title>"));
        let named = ChartScale::from_model(&sellerq_domain::model::default_model().scale);
        assert!(
            radar(&testkit::profile(), &named, "r").contains("<title>Level 5 (Exemplary)</title>")
        );
    }

    #[test]
    fn the_halves_are_named_in_their_hue() {
        let svg = chart();
        assert!(svg.contains(r#"class="side-label side-text mindset" x="8""#));
        assert!(svg.contains(">Mindset</text>") && svg.contains(">Behaviour</text>"));
        assert_eq!(elements(&svg, "path", "mindset-band").len(), 1);
        assert_eq!(elements(&svg, "path", "behaviour-band").len(), 1);
        assert!(svg.contains("the mindset side on the left"));
    }

    #[test]
    fn every_dot_title_matches_the_numbers_table() {
        let points = testkit::profile();
        let svg = radar(&points, &ChartScale::default(), "r");
        let table = profile_numbers(&points, 1.0);
        for row in &table.rows {
            let (others, own) = (&row.cells[0], &row.cells[1]);
            if others != "–" {
                assert!(svg.contains(&format!(
                    "<title>{}: others&#39; score {others}</title>",
                    row.label
                )));
            }
            if own != "–" {
                assert!(svg.contains(&format!("<title>{}: self score {own}</title>", row.label)));
            }
        }
    }

    #[test]
    fn fewer_than_three_qualities_give_dots_only_and_none_give_a_note() {
        for n in 0..3 {
            let points: Vec<QualityPoint> = testkit::profile().into_iter().take(n).collect();
            let svg = radar(&points, &ChartScale::default(), "r");
            assert!(no_bad_numbers(&svg), "{svg}");
            assert!(elements(&svg, "path", "others-area").is_empty());
            assert_eq!(
                elements(&svg, "circle", "others-dot").len(),
                n + usize::from(n > 0)
            );
        }
        assert!(radar(&[], &ChartScale::default(), "r").contains("No qualities to show"));
    }

    #[test]
    fn random_inputs_never_produce_nan_or_panic() {
        let mut rng = testkit::Rng(7);
        for round in 0..300 {
            let n = rng.below(11);
            let points = testkit::random_points(&mut rng, n);
            let scale = testkit::random_scale(&mut rng);
            let svg = radar(&points, &scale, &format!("r{round}"));
            assert!(no_bad_numbers(&svg), "round {round}: {svg}");
            assert!(svg.ends_with("</svg>"));
        }
    }

    #[test]
    fn names_are_escaped() {
        let q = QualityLabel::new("k\"<", "<b>Bold</b> & 'quoted'", 1, Side::Mindset);
        let points = vec![QualityPoint::new(q, Some(3.0), Some(4.0))];
        let svg = radar(&points, &ChartScale::default(), "r");
        assert!(!svg.contains("<b>"));
        assert!(
            svg.contains("&lt;b&gt;Bold&lt;/b&gt; &amp; &#39;quoted&#39;: others&#39; score 3.00")
        );
        assert!(svg.contains("data-key=\"k&quot;&lt;\""));
    }

    #[test]
    fn runs_wrap_round_the_circle() {
        assert_eq!(cyclic_runs(&[1, 1, 2, 2, 1]), [(2, 2, 2), (4, 3, 1)]);
        assert_eq!(cyclic_runs(&[1, 1]), [(0, 2, 1)]);
        assert!(cyclic_runs::<u8>(&[]).is_empty());
    }
}
