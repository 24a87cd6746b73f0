//! The team heatmap: subjects (rows, in the caller's order) × qualities (columns, in spectrum
//! order), built as an HTML `<table>` (the module docs of [`super`] say why) with the score
//! printed in every cell to one decimal and the cell coloured by one of seven sequential blues.
//!
//! The colour band is chosen from the *printed* value, so a cell reading 3.3 and the legend's
//! "3.3–3.8" always agree: the scale's range is cut into seven equal bands whose edges are
//! rounded to tenths ([`heat_bands`]). Missing scores are hatched grey cells with a dash and a
//! visually hidden "no score".

use std::fmt::Write as _;

use super::{ChartScale, QualityLabel, escape, fmt_score, fmt_score1, id_part, side};

/// How many colour bands the heat ramp has (`heat-0` … `heat-6` in `app.css`).
pub const HEAT_CLASSES: usize = 7;

const CLASS_NAMES: [&str; HEAT_CLASSES] = [
    "heat-0", "heat-1", "heat-2", "heat-3", "heat-4", "heat-5", "heat-6",
];

/// The class of a missing value.
const NONE_CLASS: &str = "heat-none";

/// One subject's row of the heatmap.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapRow {
    /// The subject's display name (the row header).
    pub name: String,
    /// A link for the name (the subject's profile), if the viewer may open it.
    pub href: Option<String>,
    /// One score per quality, in the order of the `qualities` given to [`heatmap`];
    /// `None` (or a missing entry) = no score.
    pub values: Vec<Option<f64>>,
}

/// One band of the heat ramp: its class and the printed values it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatBand {
    /// `heat-0` … `heat-6`.
    pub class: &'static str,
    /// Lowest printed value in the band (`"3.3"`).
    pub low: String,
    /// Highest printed value in the band (`"3.8"`).
    pub high: String,
}

/// The scale in tenths, and the six inner band edges in tenths (a value of `t` tenths is in
/// band `k` when `k` edges are ≤ `t`).
fn edges(scale: &ChartScale) -> (i64, i64, [i64; HEAT_CLASSES - 1]) {
    let lo = (scale.lo() * 10.0).round() as i64;
    let hi = (scale.hi() * 10.0).round() as i64;
    let width = (hi - lo) as f64 / HEAT_CLASSES as f64;
    let mut e = [0i64; HEAT_CLASSES - 1];
    for (k, edge) in e.iter_mut().enumerate() {
        *edge = (lo as f64 + width * (k + 1) as f64).round() as i64;
    }
    (lo, hi, e)
}

fn tenths(t: i64) -> String {
    format!("{}.{}", t.div_euclid(10), t.rem_euclid(10))
}

/// The seven bands of `scale` with the printed values each covers (on 1–5: 1.0–1.5,
/// 1.6–2.0, …, 4.4–5.0), for legends.
pub fn heat_bands(scale: &ChartScale) -> Vec<HeatBand> {
    let (lo, hi, e) = edges(scale);
    (0..HEAT_CLASSES)
        .map(|k| HeatBand {
            class: CLASS_NAMES[k],
            low: tenths(if k == 0 { lo } else { e[k - 1] }),
            high: tenths(if k + 1 == HEAT_CLASSES { hi } else { e[k] - 1 }),
        })
        .collect()
}

/// The heat class of a score as printed to one decimal (`heat-0` … `heat-6`, clamped to the
/// scale), or `heat-none` when it is missing.
pub fn heat_class(value: Option<f64>, scale: &ChartScale) -> &'static str {
    let printed = fmt_score1(value);
    let Ok(v) = printed.parse::<f64>() else {
        return NONE_CLASS;
    };
    let (lo, hi, e) = edges(scale);
    let t = ((v * 10.0).round() as i64).clamp(lo, hi);
    CLASS_NAMES[e.iter().filter(|&&edge| edge <= t).count()]
}

/// The heatmap with its legend: `<div class="heatmap" data-chart="heatmap" id="{id}">`
/// holding the legend and a scrolling, keyboard-focusable region with the table. `caption`
/// says what the table shows; `row_header` heads the names column (`"Seller"`).
pub fn heatmap(
    qualities: &[QualityLabel],
    rows: &[HeatmapRow],
    scale: &ChartScale,
    id: &str,
    caption: &str,
    row_header: &str,
) -> String {
    let id = id_part(id);
    // Column order: spectrum order, remembering where each value sits in a row.
    let mut cols: Vec<(usize, &QualityLabel)> = qualities.iter().enumerate().collect();
    cols.sort_by_key(|(_, q)| q.position);
    let cell_names: Vec<String> = cols.iter().map(|(_, q)| escape(&q.name)).collect();

    let mut h = String::with_capacity(2048 + rows.len() * (120 + cols.len() * 60));
    let _ = write!(
        h,
        "<div class=\"heatmap\" data-chart=\"heatmap\" id=\"{id}\">"
    );

    // Legend: the bands as an ordered list, then the missing-value swatch.
    let _ = write!(
        h,
        "<div class=\"heat-legend\" id=\"{id}-legend\"><span class=\"heat-legend-title\">Score \
         {}</span><ol class=\"heat-scale\">",
        escape(&scale.describe())
    );
    for b in heat_bands(scale) {
        let _ = write!(
            h,
            "<li class=\"heat-swatch {}\">{}–{}</li>",
            b.class, b.low, b.high
        );
    }
    let _ = write!(
        h,
        "</ol><span class=\"heat-swatch {NONE_CLASS}\"><span aria-hidden=\"true\">–</span> no \
         score</span></div>"
    );

    let _ = write!(
        h,
        "<div class=\"table-wrap heat-wrap\" tabindex=\"0\" role=\"region\" \
         aria-labelledby=\"{id}-caption\"><table class=\"heat-table\" \
         aria-describedby=\"{id}-legend\"><caption id=\"{id}-caption\">{}</caption><colgroup><col \
         class=\"heat-col-subject\"></colgroup><colgroup><col span=\"{}\" \
         class=\"heat-col\"></colgroup><thead>",
        escape(caption),
        cols.len().max(1)
    );

    // Side groups over the quality columns.
    h.push_str("<tr class=\"heat-sides\"><td class=\"heat-corner\"></td>");
    let mut k = 0;
    while k < cols.len() {
        let s = cols[k].1.side;
        let span = cols[k..].iter().take_while(|(_, q)| q.side == s).count();
        let _ = write!(
            h,
            "<th scope=\"colgroup\" colspan=\"{span}\" class=\"heat-side {}\">{}</th>",
            side(s),
            s.label()
        );
        k += span;
    }
    let _ = write!(
        h,
        "</tr><tr><th scope=\"col\" class=\"heat-subject-head\">{}</th>",
        escape(row_header)
    );
    for (k, (_, q)) in cols.iter().enumerate() {
        let _ = write!(
            h,
            "<th scope=\"col\" class=\"heat-head {}\" data-key=\"{}\" title=\"{}. {} — \
             {}\"><span class=\"heat-pos\">{}</span>{}</th>",
            side(q.side),
            escape(&q.key),
            q.position,
            cell_names[k],
            side(q.side),
            q.position,
            cell_names[k]
        );
    }
    h.push_str("</tr></thead><tbody>");

    for row in rows {
        h.push_str("<tr><th scope=\"row\" class=\"heat-subject\">");
        match &row.href {
            Some(href) => {
                let _ = write!(h, "<a href=\"{}\">{}</a>", escape(href), escape(&row.name));
            }
            None => h.push_str(&escape(&row.name)),
        }
        h.push_str("</th>");
        for (k, (i, _)) in cols.iter().enumerate() {
            let v = row
                .values
                .get(*i)
                .copied()
                .flatten()
                .filter(|v| v.is_finite());
            let class = heat_class(v, scale);
            match v {
                Some(v) => {
                    let _ = write!(
                        h,
                        "<td class=\"heat {class}\" title=\"{}: {}\">{}</td>",
                        cell_names[k],
                        fmt_score(Some(v)),
                        fmt_score1(Some(v))
                    );
                }
                None => {
                    let _ = write!(
                        h,
                        "<td class=\"heat {class}\" title=\"{}: no score\"><span \
                         aria-hidden=\"true\">–</span><span class=\"visually-hidden\">no \
                         score</span></td>",
                        cell_names[k]
                    );
                }
            }
        }
        h.push_str("</tr>");
    }
    if rows.is_empty() {
        let _ = write!(
            h,
            "<tr><td class=\"empty\" colspan=\"{}\">No one to show.</td></tr>",
            cols.len() + 1
        );
    }
    h.push_str("</tbody></table></div></div>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::charts::testkit::{self, attr_values, elements};
    use sellerq_domain::model::Side;

    fn scale() -> ChartScale {
        ChartScale::default()
    }

    #[test]
    fn bands_cover_the_scale_in_tenths_without_gaps() {
        let bands = heat_bands(&scale());
        let labels: Vec<String> = bands
            .iter()
            .map(|b| format!("{}–{}", b.low, b.high))
            .collect();
        assert_eq!(
            labels,
            [
                "1.0–1.5",
                "1.6–2.0",
                "2.1–2.6",
                "2.7–3.2",
                "3.3–3.8",
                "3.9–4.3",
                "4.4–5.0"
            ]
        );
        for scale in [
            ChartScale::new(0, 10),
            ChartScale::new(1, 7),
            ChartScale::new(0, 1),
            ChartScale::new(4, 4),
        ] {
            let bands = heat_bands(&scale);
            for w in bands.windows(2) {
                let hi: f64 = w[0].high.parse().unwrap();
                let lo: f64 = w[1].low.parse().unwrap();
                assert!((lo - hi - 0.1).abs() < 1e-9, "{scale:?}: {bands:?}");
                let (l, h): (f64, f64) = (w[1].low.parse().unwrap(), w[1].high.parse().unwrap());
                assert!(l <= h, "{bands:?}");
            }
        }
    }

    #[test]
    fn the_class_follows_the_printed_value_band() {
        let cases = [
            (1.0, "heat-0"),
            (1.54, "heat-0"),
            (1.55, "heat-1"),
            (2.0, "heat-1"),
            (2.06, "heat-2"),
            (3.0, "heat-3"),
            (3.26, "heat-4"),
            (3.84, "heat-4"),
            (4.0, "heat-5"),
            (4.36, "heat-6"),
            (2.05, "heat-1"), // printed 2.0: the class follows the printed figure
            (5.0, "heat-6"),
            (7.0, "heat-6"),
            (-2.0, "heat-0"),
        ];
        for (v, class) in cases {
            assert_eq!(heat_class(Some(v), &scale()), class, "value {v}");
        }
        assert_eq!(heat_class(None, &scale()), "heat-none");
        assert_eq!(heat_class(Some(f64::NAN), &scale()), "heat-none");
    }

    #[test]
    fn every_printed_value_falls_in_the_band_its_class_names() {
        let bands = heat_bands(&scale());
        let mut rng = testkit::Rng(5);
        for _ in 0..2000 {
            let v = 1.0 + rng.unit() * 4.0;
            let printed: f64 = fmt_score1(Some(v)).parse().unwrap();
            let class = heat_class(Some(v), &scale());
            let band = bands.iter().find(|b| b.class == class).unwrap();
            let (lo, hi): (f64, f64) = (band.low.parse().unwrap(), band.high.parse().unwrap());
            assert!(
                lo - 1e-9 <= printed && printed <= hi + 1e-9,
                "{v} printed {printed} in {band:?}"
            );
        }
    }

    #[test]
    fn columns_in_spectrum_order_with_side_headers_and_values_follow_them() {
        let mut qualities = testkit::labels();
        qualities.swap(0, 7); // storytelling first, belief last in the caller's order
        let row = HeatmapRow {
            name: "Ada".into(),
            href: None,
            values: vec![
                Some(4.5),
                Some(2.0),
                None,
                None,
                None,
                None,
                None,
                Some(1.0),
            ],
        };
        let html = heatmap(&qualities, &[row], &scale(), "h", "Team", "Seller");
        let heads: Vec<String> = elements(&html, "th", "heat-head")
            .iter()
            .map(|t| attr_values(t, "data-key")[0].clone())
            .collect();
        assert_eq!(heads, testkit::KEYS);
        assert!(html.contains(
            "<th scope=\"colgroup\" colspan=\"4\" class=\"heat-side mindset\">Mindset</th>\
             <th scope=\"colgroup\" colspan=\"4\" class=\"heat-side behaviour\">Behaviour</th>"
        ));
        let cells = elements(&html, "td", "heat");
        assert_eq!(cells.len(), 8);
        assert!(cells[0].contains("heat-0") && cells[0].contains("title=\"Belief: 1.00\""));
        assert!(cells[7].contains("heat-6") && cells[7].contains("title=\"Storytelling: 4.50\""));
        assert!(html.contains(">4.5</td>") && html.contains(">1.0</td>"));
        assert_eq!(elements(&html, "td", "heat-none").len(), 5);
        assert!(html.contains("<span class=\"visually-hidden\">no score</span>"));
    }

    #[test]
    fn rows_keep_the_callers_order_and_five_hundred_render() {
        let team = testkit::team(500);
        let html = heatmap(
            &testkit::labels(),
            &team,
            &scale(),
            "team",
            "Team",
            "Seller",
        );
        assert_eq!(html.matches("<th scope=\"row\"").count(), 500);
        assert_eq!(elements(&html, "td", "heat").len(), 4000);
        let first = html.find(&format!(">{}</a>", team[0].name)).unwrap();
        let last = html.rfind(&format!(">{}</a>", team[499].name)).unwrap();
        assert!(first < last);
        assert!(html.len() < 600_000, "{} bytes", html.len());
        // Every cell's number and class agree with the row's value.
        let cells = elements(&html, "td", "heat");
        for (k, cell) in cells.iter().take(80).enumerate() {
            let v = team[k / 8].values[k % 8];
            assert!(cell.contains(heat_class(v, &scale())), "{cell}");
        }
    }

    #[test]
    fn names_links_and_captions_are_escaped() {
        let q = QualityLabel::new("k\"", "<Q>&", 1, Side::Mindset);
        let row = HeatmapRow {
            name: "O'Neil <script>".into(),
            href: Some("/p?a=1&b=\"2\"".into()),
            values: vec![Some(3.0)],
        };
        let html = heatmap(&[q], &[row], &scale(), "x y", "<cap>", "Who & what");
        assert!(!html.contains("<script>") && !html.contains("<Q>") && !html.contains("<cap>"));
        assert!(html.contains("O&#39;Neil &lt;script&gt;"));
        assert!(html.contains("href=\"/p?a=1&amp;b=&quot;2&quot;\""));
        assert!(html.contains("data-key=\"k&quot;\""));
        assert!(html.contains("id=\"x-y\""));
        assert!(html.contains("Who &amp; what"));
    }

    #[test]
    fn an_empty_team_says_so() {
        let html = heatmap(&testkit::labels(), &[], &scale(), "h", "Team", "Seller");
        assert!(html.contains("colspan=\"9\">No one to show."));
    }

    /// WCAG relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let c = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// The `#rrggbb` after `prop:` in the CSS rule for `selector`.
    fn css_colour(css: &str, selector: &str, prop: &str) -> String {
        let rule = css
            .lines()
            .find(|l| l.trim_start().starts_with(selector))
            .unwrap_or_else(|| panic!("no rule {selector}"));
        let i = rule
            .find(&format!("{prop}:"))
            .unwrap_or_else(|| panic!("no {prop} in {rule}"));
        let hash = rule[i..].find('#').unwrap() + i;
        rule[hash..hash + 7].to_owned()
    }

    #[test]
    fn the_ramp_in_app_css_darkens_steadily_and_its_text_meets_wcag_aa() {
        let css = include_str!("../../../static/app.css");
        let mut last = f64::INFINITY;
        for class in CLASS_NAMES {
            let sel = format!(".heat-{} {{", &class[5..]);
            let bg = css_colour(css, &sel, "--heat-bg");
            let fg = css_colour(css, &sel, "--heat-ink");
            let (l, c) = (luminance(&bg), contrast(&bg, &fg));
            assert!(l < last, "{class} is darker than the band before it");
            assert!(c >= 4.5, "{class}: contrast {c:.2} of {fg} on {bg}");
            last = l;
        }
        let bg = css_colour(css, ".heat-none {", "--heat-bg");
        let fg = css_colour(css, ".heat-none {", "--heat-ink");
        assert!(contrast(&bg, &fg) >= 4.5);
    }
}
