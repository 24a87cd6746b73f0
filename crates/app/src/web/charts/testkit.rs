//! Sample data, a tiny PRNG and markup probes shared by the chart tests and the preview.

use sellerq_domain::model::Side;

use super::{
    ChartScale, HeatmapRow, LevelCount, QualityLabel, QualityPoint, QualityStats, TrendPoint,
    TrendSeries,
};

/// The default model's keys in spectrum order.
pub const KEYS: [&str; 8] = [
    "belief",
    "humility",
    "ownership",
    "perseverance",
    "trust_building",
    "process_mastery",
    "value_crafting",
    "storytelling",
];

const NAMES: [&str; 8] = [
    "Belief",
    "Humility",
    "Ownership",
    "Perseverance",
    "Trust Building",
    "Process Mastery",
    "Value Crafting",
    "Storytelling",
];

/// The eight qualities of the default model.
pub fn labels() -> Vec<QualityLabel> {
    (0..8)
        .map(|i| {
            let side = if i < 4 {
                Side::Mindset
            } else {
                Side::Behaviour
            };
            QualityLabel::new(KEYS[i], NAMES[i], i as u8 + 1, side)
        })
        .collect()
}

/// A profile with two over-rated blind spots (humility, process mastery), one under-rated
/// (storytelling), no self score on trust building and no others' score on value crafting.
pub fn profile() -> Vec<QualityPoint> {
    let scores = [
        (Some(11.0 / 3.0), Some(4.0)),
        (Some(7.0 / 3.0), Some(3.5)),
        (Some(3.5), Some(3.0)),
        (Some(4.0), Some(4.5)),
        (Some(3.25), None),
        (Some(2.75), Some(4.0)),
        (None, Some(3.0)),
        (Some(4.5), Some(3.0)),
    ];
    labels()
        .into_iter()
        .zip(scores)
        .map(|(q, (s, own))| QualityPoint::new(q, s, own))
        .collect()
}

/// Four cycles of growth, with a gap (a cycle without ratings) here and there.
pub fn trends() -> Vec<TrendSeries> {
    let cycles = ["2024-H2", "2025-H1", "2025-H2", "2026-H1"];
    let mut rng = Rng(42);
    labels()
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let base = 2.0 + (i % 3) as f64 * 0.4;
            let points = cycles
                .iter()
                .enumerate()
                .map(|(c, name)| {
                    let score = base + c as f64 * 0.35 + rng.unit() * 0.3;
                    let own = base + 0.8 + c as f64 * 0.15;
                    TrendPoint {
                        cycle: (*name).to_owned(),
                        score: (!(i == 6 && c == 1)).then_some((score * 100.0).round() / 100.0),
                        self_score: (c != 2 || i % 2 == 0).then_some(own.min(5.0).round()),
                    }
                })
                .collect();
            TrendSeries { quality: q, points }
        })
        .collect()
}

/// A team of `n` sellers with scores spread over the scale and a few missing.
pub fn team(n: usize) -> Vec<HeatmapRow> {
    let first = [
        "Ada", "Bo", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun",
    ];
    let last = [
        "Okafor",
        "Lindqvist",
        "Moreau",
        "Tanaka",
        "Silva",
        "Novak",
        "Haddad",
    ];
    let mut rng = Rng(1234);
    (0..n)
        .map(|i| {
            let skill = 1.6 + rng.unit() * 2.8;
            HeatmapRow {
                name: format!("{} {}", first[i % first.len()], last[(i * 3) % last.len()]),
                href: Some(format!("/people/p-{i:04}")),
                values: (0..8)
                    .map(|_| {
                        (rng.unit() > 0.06).then(|| {
                            let v = skill + (rng.unit() - 0.5) * 1.6;
                            ((v.clamp(1.0, 5.0)) * 100.0).round() / 100.0
                        })
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Team statistics per quality, as the aggregation would give them for [`team`].
pub fn stats(team: &[HeatmapRow], scale: &ChartScale) -> Vec<QualityStats> {
    labels()
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let xs: Vec<f64> = team.iter().filter_map(|r| r.values[i]).collect();
            let n = xs.len();
            let mean = (n > 0).then(|| xs.iter().sum::<f64>() / n as f64);
            let sd = mean
                .filter(|_| n > 1)
                .map(|m| (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
            let counts = scale
                .levels()
                .map(|level| LevelCount {
                    level,
                    count: xs
                        .iter()
                        .filter(|x| (*x + 0.5).floor() as u8 == level)
                        .count() as u32,
                })
                .collect();
            QualityStats {
                quality: q,
                n: n as u32,
                mean,
                sd,
                self_mean: mean.map(|m| (m + 0.3 + i as f64 * 0.05).min(5.0)),
                counts,
            }
        })
        .collect()
}

/// SplitMix64: enough randomness for property-like loops, no dependency.
#[derive(Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// A score as real data and bad data give it: missing, NaN, ±inf, out of scale, the ends.
    pub fn score(&mut self) -> Option<f64> {
        match self.below(10) {
            0 => None,
            1 => Some(f64::NAN),
            2 => Some(if self.unit() < 0.5 {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            }),
            3 => Some(-3.0 + self.unit() * 20.0),
            4 => Some(1.0),
            5 => Some(5.0),
            _ => Some(1.0 + self.unit() * 4.0),
        }
    }
}

/// `n` qualities with random positions, sides, scores and awkward names.
pub fn random_points(rng: &mut Rng, n: usize) -> Vec<QualityPoint> {
    let names = [
        "A",
        "Trust Building",
        "<x> & \"y\"",
        "Ünïcødé name",
        "",
        "A rather long name indeed",
    ];
    (0..n)
        .map(|i| {
            let side = if rng.below(2) == 0 {
                Side::Mindset
            } else {
                Side::Behaviour
            };
            let q = QualityLabel::new(
                format!("q{i}"),
                names[rng.below(names.len())],
                rng.below(12) as u8,
                side,
            );
            QualityPoint::new(q, rng.score(), rng.score())
        })
        .collect()
}

/// A scale from the usual to the degenerate (max ≤ min).
pub fn random_scale(rng: &mut Rng) -> ChartScale {
    let min = rng.below(3) as u8;
    let max = (min + rng.below(12) as u8).saturating_sub(1);
    ChartScale::new(min, max)
}

/// The start tags `<tag …>` whose class list contains `class`.
pub fn elements<'a>(markup: &'a str, tag: &str, class: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    markup
        .match_indices(&open)
        .filter_map(|(i, _)| {
            let rest = &markup[i..];
            let end = rest.find('>')?;
            let start_tag = &rest[..=end];
            attr_values(start_tag, "class")
                .first()
                .is_some_and(|c| c.split_whitespace().any(|t| t == class))
                .then_some(start_tag)
        })
        .collect()
}

/// Like [`elements`], without the legend's sample marks.
pub fn marks<'a>(markup: &'a str, tag: &str, class: &str) -> Vec<&'a str> {
    elements(markup, tag, class)
        .into_iter()
        .filter(|e| !e.contains("legend-key"))
        .collect()
}

/// The values of `attr` on every element that has it, in document order.
pub fn attr_values(markup: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    markup
        .match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &markup[i + needle.len()..];
            rest.find('"').map(|end| rest[..end].to_owned())
        })
        .collect()
}

/// The texts of every `<title>` in document order.
pub fn titles(markup: &str) -> Vec<&str> {
    markup
        .split("<title>")
        .skip(1)
        .filter_map(|t| t.split("</title>").next())
        .collect()
}

/// True when no geometry attribute holds `NaN` or an infinity, every number in them parses
/// as a finite number, and the markup has no `NaN`/`inf` anywhere.
pub fn no_bad_numbers(markup: &str) -> bool {
    if markup.contains("NaN") || markup.contains("inf") {
        return false;
    }
    [
        "x",
        "y",
        "cx",
        "cy",
        "r",
        "x1",
        "y1",
        "x2",
        "y2",
        "width",
        "height",
        "d",
        "transform",
        "viewBox",
    ]
    .iter()
    .flat_map(|a| attr_values(markup, a))
    .all(|v| {
        v.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e'))
            .filter(|t| !t.is_empty() && *t != "-" && *t != "e")
            .all(|t| t.parse::<f64>().is_ok_and(f64::is_finite))
    })
}
