//! Inline SVG charts, built on the server as strings.
//!
//! Charts speak one visual language (STYLE.md): mindset-side qualities in one hue family and
//! behaviour-side ones in another, always in spectrum order; colours come from CSS classes
//! (`mindset`, `behaviour`, `axis`, …) styled by `app.css`, never from inline styles (the
//! content security policy forbids them, and print and dark themes restyle classes). Every
//! chart carries `role="img"` with a `<title>` and `<desc>`, and every mark a `<title>` with
//! its figures, so a screen reader and a skeptic both get the numbers.
//!
//! [`Svg`] is a tiny writer that escapes every attribute value and text node it is given;
//! templates insert a chart with `|safe` only for strings built here. A new chart (the
//! profile's radar, the team heatmap) is a function over plain data that uses [`Svg`],
//! [`side_class`] and the layout constants the way [`spectrum`] does.

use std::fmt::Write as _;

use sellerq_domain::model::{Model, Side};

/// Escapes text for an XML attribute value or text node.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// Appends `s` to `out`, escaped for an XML attribute value or text node (as [`escape`]
/// does, without a string of its own: text without markup characters is copied whole).
pub fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The markup characters are ASCII, so `i` is always on a character boundary.
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// A coordinate or length, without needless decimals (`12`, `12.5`, `-3.25`).
pub fn num(v: f64) -> String {
    let mut s = String::with_capacity(8);
    push_num(&mut s, v);
    s
}

/// Appends `v` to `out` the way [`num`] writes it: rounded to two decimals, trailing zeros
/// and a lone point dropped, `0` for `-0`, `NaN` and infinities.
pub fn push_num(out: &mut String, v: f64) {
    if !v.is_finite() {
        out.push('0');
        return;
    }
    let hundredths = (v * 100.0).round();
    if hundredths.abs() >= 1e15 {
        // Far beyond any chart's coordinates: let the formatter spell it out.
        let rounded = hundredths / 100.0;
        let s = format!("{rounded:.2}");
        out.push_str(s.trim_end_matches('0').trim_end_matches('.'));
        return;
    }
    // |hundredths| < 1e15, so the cast is exact.
    #[allow(clippy::cast_possible_truncation)]
    let k = hundredths as i64;
    if k == 0 {
        out.push('0');
        return;
    }
    if k < 0 {
        out.push('-');
    }
    let k = k.unsigned_abs();
    push_uint(out, k / 100);
    let frac = k % 100;
    if frac != 0 {
        out.push('.');
        let (tenths, hundredths) = (frac / 10, frac % 10);
        out.push(char::from(b'0' + tenths as u8));
        if hundredths != 0 {
            out.push(char::from(b'0' + hundredths as u8));
        }
    }
}

/// Appends the decimal digits of `n`.
fn push_uint(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

/// The CSS class of a side: `mindset` or `behaviour` (fill colours in `app.css`).
pub fn side_class(side: Side) -> &'static str {
    side.as_str()
}

/// A writer of SVG markup that escapes whatever it is given.
///
/// Element and attribute names are `&'static str` (written by us); values and text are
/// escaped. Tags opened with [`Tag::open`] are closed by [`Svg::end`] or by [`Svg::finish`].
#[derive(Debug)]
pub struct Svg {
    buf: String,
    open: Vec<&'static str>,
}

/// An element being written; see [`Svg::el`].
#[derive(Debug)]
pub struct Tag<'a> {
    svg: &'a mut Svg,
    name: &'static str,
}

impl Svg {
    /// Starts a chart: the `<svg>` root with `data-chart="{kind}"`, a responsive `viewBox`,
    /// `role="img"`, and a `<title>`/`<desc>` with ids `{id}-title`/`{id}-desc` that
    /// `aria-labelledby` points at.
    pub fn chart(kind: &str, id: &str, width: f64, height: f64, title: &str, desc: &str) -> Self {
        let mut svg = Self {
            buf: String::with_capacity(8 * 1024),
            open: Vec::new(),
        };
        let title_id = format!("{id}-title");
        let desc_id = format!("{id}-desc");
        svg.el("svg")
            .attr("xmlns", "http://www.w3.org/2000/svg")
            .attr("class", &format!("chart chart-{kind}"))
            .attr("data-chart", kind)
            .attr("id", id)
            .attr("viewBox", &format!("0 0 {} {}", num(width), num(height)))
            .attr("preserveAspectRatio", "xMidYMid meet")
            .attr("role", "img")
            .attr("aria-labelledby", &format!("{title_id} {desc_id}"))
            .open();
        svg.el("title").attr("id", &title_id).text(title);
        svg.el("desc").attr("id", &desc_id).text(desc);
        svg
    }

    /// Begins element `name`; finish it with [`Tag::empty`], [`Tag::text`] or [`Tag::open`].
    pub fn el(&mut self, name: &'static str) -> Tag<'_> {
        self.buf.push('<');
        self.buf.push_str(name);
        Tag { svg: self, name }
    }

    /// Closes the innermost element opened with [`Tag::open`].
    pub fn end(&mut self) {
        if let Some(name) = self.open.pop() {
            self.buf.push_str("</");
            self.buf.push_str(name);
            self.buf.push('>');
        }
    }

    /// A `<title>` child (the tooltip and accessible name of the enclosing element).
    pub fn title(&mut self, text: &str) {
        self.el("title").text(text);
    }

    /// Closes every open element and returns the markup.
    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.end();
        }
        self.buf
    }
}

impl Tag<'_> {
    /// Adds an attribute; the value is escaped.
    pub fn attr(self, name: &'static str, value: &str) -> Self {
        let buf = &mut self.svg.buf;
        buf.push(' ');
        buf.push_str(name);
        buf.push_str("=\"");
        escape_into(buf, value);
        buf.push('"');
        self
    }

    /// Adds a numeric attribute.
    pub fn num(self, name: &'static str, value: f64) -> Self {
        let buf = &mut self.svg.buf;
        buf.push(' ');
        buf.push_str(name);
        buf.push_str("=\"");
        push_num(buf, value);
        buf.push('"');
        self
    }

    /// Ends the element without children: `<circle … />`.
    pub fn empty(self) {
        self.svg.buf.push_str("/>");
    }

    /// Ends the element with escaped text content: `<text …>Belief</text>`.
    pub fn text(self, text: &str) {
        let buf = &mut self.svg.buf;
        buf.push('>');
        escape_into(buf, text);
        buf.push_str("</");
        buf.push_str(self.name);
        buf.push('>');
    }

    /// Leaves the element open for children; close it with [`Svg::end`].
    pub fn open(self) {
        self.svg.buf.push('>');
        self.svg.open.push(self.name);
    }
}

/// A quality as the charts place it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartQuality {
    /// The quality key (`data-key`).
    pub key: String,
    /// The display name.
    pub name: String,
    /// Spectrum position, 1 = most mindset.
    pub position: u8,
    /// Mindset or behaviour.
    pub side: Side,
    /// Keys of the qualities this one draws on.
    pub links: Vec<String>,
}

impl ChartQuality {
    /// The model's qualities in spectrum order.
    pub fn from_model(model: &Model) -> Vec<Self> {
        let mut qualities: Vec<Self> = model
            .qualities
            .iter()
            .map(|q| Self {
                key: q.key.as_str().to_owned(),
                name: q.name.clone(),
                position: q.position,
                side: q.side,
                links: q.links.iter().map(|k| k.as_str().to_owned()).collect(),
            })
            .collect();
        qualities.sort_by_key(|q| q.position);
        qualities
    }
}

/// Geometry of the spectrum chart, in viewBox units. The chart is narrow on purpose: it is
/// scaled up on wide screens and stays legible when scaled down to a 360 px phone.
mod spectrum_layout {
    /// Distance between two neighbouring marks.
    pub const STEP: f64 = 44.0;
    /// Room left of the first mark (its rotated name runs down to the left).
    pub const LEFT: f64 = 64.0;
    /// Room right of the last mark.
    pub const RIGHT: f64 = 40.0;
    /// The spectrum line, through the marks.
    pub const AXIS_Y: f64 = 150.0;
    /// Mark radius.
    pub const R: f64 = 14.0;
    /// Top of the side bands.
    pub const BAND_TOP: f64 = 12.0;
    /// Total height.
    pub const HEIGHT: f64 = 300.0;
    /// Names are cut to this many characters in the chart (the full name is in the title).
    pub const NAME_MAX: usize = 16;
    /// Rotation of the names, degrees.
    pub const NAME_ANGLE: f64 = -55.0;
}

fn short_name(name: &str) -> String {
    use spectrum_layout::NAME_MAX;
    if name.chars().count() <= NAME_MAX {
        name.to_owned()
    } else {
        let mut s: String = name.chars().take(NAME_MAX - 1).collect();
        s.push('…');
        s
    }
}

fn list_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The spectrum chart: every quality left to right from mindset to behaviour, the mindset
/// and behaviour sides as tinted bands, one mark per quality (`circle.quality-mark` with
/// `data-key`), the names rotated below, and each quality's links drawn as arcs to the
/// qualities it draws on. `id` must be unique on the page.
pub fn spectrum(qualities: &[ChartQuality], id: &str) -> String {
    use spectrum_layout::*;

    let n = qualities.len();
    let x_of = |i: usize| LEFT + STEP * i as f64;
    let last_x = x_of(n.saturating_sub(1));
    let width = last_x + RIGHT;

    let mut by_side: Vec<String> = Vec::new();
    for side in [Side::Mindset, Side::Behaviour] {
        let names: Vec<String> = qualities
            .iter()
            .filter(|q| q.side == side)
            .map(|q| format!("{} ({})", q.name, q.position))
            .collect();
        if !names.is_empty() {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let verb = if names.len() == 1 { "leans" } else { "lean" };
            by_side.push(format!(
                "{} {verb} to {}.",
                list_names(&names),
                side.as_str()
            ));
        }
    }
    let mut desc = format!(
        "{n} qualities on one line from mindset (how a seller thinks) on the left to behaviour \
         (how a seller acts) on the right. {}",
        by_side.join(" ")
    );
    for q in qualities.iter().filter(|q| !q.links.is_empty()) {
        let names: Vec<&str> = q
            .links
            .iter()
            .map(|k| {
                qualities
                    .iter()
                    .find(|t| &t.key == k)
                    .map_or(k.as_str(), |t| t.name.as_str())
            })
            .collect();
        let _ = write!(desc, " Arcs: {} draws on {}.", q.name, list_names(&names));
    }

    let mut svg = Svg::chart(
        "spectrum",
        id,
        width,
        HEIGHT,
        "The qualities on the spectrum from mindset to behaviour",
        &desc,
    );

    // Side bands with their labels, which double as the axis' end labels.
    for side in [Side::Mindset, Side::Behaviour] {
        let xs: Vec<f64> = qualities
            .iter()
            .enumerate()
            .filter(|(_, q)| q.side == side)
            .map(|(i, _)| x_of(i))
            .collect();
        let (Some(lo), Some(hi)) = (xs.first(), xs.last()) else {
            continue;
        };
        let (x0, x1) = (lo - STEP / 2.0, hi + STEP / 2.0);
        svg.el("rect")
            .attr("class", &format!("band {}-band", side_class(side)))
            .num("x", x0)
            .num("y", BAND_TOP)
            .num("width", x1 - x0)
            .num("height", AXIS_Y + R + 8.0 - BAND_TOP)
            .num("rx", 6.0)
            .empty();
        let (x, anchor, label) = match side {
            Side::Mindset => (x0 + 6.0, "start", "← Mindset"),
            Side::Behaviour => (x1 - 6.0, "end", "Behaviour →"),
        };
        svg.el("text")
            .attr("class", &format!("axis-label {}", side_class(side)))
            .num("x", x)
            .num("y", BAND_TOP + 18.0)
            .attr("text-anchor", anchor)
            .text(label);
    }

    // The spectrum line through the marks, with an arrowhead at each end.
    if n > 0 {
        let (a, b) = (x_of(0) - STEP / 2.0 + 4.0, last_x + STEP / 2.0 - 4.0);
        svg.el("g")
            .attr("class", "axis")
            .attr("aria-hidden", "true")
            .open();
        svg.el("line")
            .num("x1", a)
            .num("y1", AXIS_Y)
            .num("x2", b)
            .num("y2", AXIS_Y)
            .empty();
        svg.el("path")
            .attr(
                "d",
                &format!(
                    "M{} {} L{} {} L{} {} Z M{} {} L{} {} L{} {} Z",
                    num(a + 7.0),
                    num(AXIS_Y - 4.0),
                    num(a),
                    num(AXIS_Y),
                    num(a + 7.0),
                    num(AXIS_Y + 4.0),
                    num(b - 7.0),
                    num(AXIS_Y - 4.0),
                    num(b),
                    num(AXIS_Y),
                    num(b - 7.0),
                    num(AXIS_Y + 4.0)
                ),
            )
            .attr("class", "arrowhead")
            .empty();
        svg.end();
    }

    // Links as arcs above the line, drawn before the marks so the marks sit on top.
    svg.el("g").attr("class", "links").open();
    for (i, q) in qualities.iter().enumerate() {
        for target in &q.links {
            let Some((j, t)) = qualities.iter().enumerate().find(|(_, t)| &t.key == target) else {
                continue;
            };
            let (x0, x1) = (x_of(i), x_of(j));
            let y0 = AXIS_Y - R;
            let h = 16.0 + 0.45 * (x1 - x0).abs();
            svg.el("path")
                .attr("class", &format!("link-arc from-{}", side_class(q.side)))
                .attr("data-from", &q.key)
                .attr("data-to", &t.key)
                .attr(
                    "d",
                    &format!(
                        "M{} {} Q{} {} {} {}",
                        num(x0),
                        num(y0),
                        num((x0 + x1) / 2.0),
                        num(y0 - h),
                        num(x1),
                        num(y0)
                    ),
                )
                .open();
            svg.title(&format!("{} draws on {}", q.name, t.name));
            svg.end();
        }
    }
    svg.end();

    // One mark per quality, its position inside, its name below.
    svg.el("g").attr("class", "marks").open();
    for (i, q) in qualities.iter().enumerate() {
        let x = x_of(i);
        let side = side_class(q.side);
        svg.el("circle")
            .attr("class", &format!("quality-mark {side}"))
            .attr("data-key", &q.key)
            .attr("data-position", &q.position.to_string())
            .num("cx", x)
            .num("cy", AXIS_Y)
            .num("r", R)
            .open();
        svg.title(&format!("{}. {} — {}", q.position, q.name, q.side.as_str()));
        svg.end();
        svg.el("text")
            .attr("class", "mark-num")
            .attr("aria-hidden", "true")
            .num("x", x)
            .num("y", AXIS_Y + 4.5)
            .attr("text-anchor", "middle")
            .text(&q.position.to_string());
        let (nx, ny) = (x + 5.0, AXIS_Y + R + 12.0);
        svg.el("text")
            .attr("class", &format!("mark-name {side}-name"))
            .num("x", nx)
            .num("y", ny)
            .attr("text-anchor", "end")
            .attr(
                "transform",
                &format!("rotate({} {} {})", num(NAME_ANGLE), num(nx), num(ny)),
            )
            .text(&short_name(&q.name));
    }
    svg.end();
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sellerq_domain::model::default_model;

    fn default_spectrum() -> String {
        spectrum(&ChartQuality::from_model(default_model()), "spectrum")
    }

    /// The values of `attr` on every element that has it, in document order.
    fn attr_values(svg: &str, attr: &str) -> Vec<String> {
        let needle = format!(" {attr}=\"");
        svg.match_indices(&needle)
            .filter_map(|(i, _)| {
                let rest = &svg[i + needle.len()..];
                rest.find('"').map(|end| rest[..end].to_owned())
            })
            .collect()
    }

    fn marks(svg: &str) -> Vec<&str> {
        svg.split("<circle").skip(1).collect()
    }

    #[test]
    fn escape_covers_markup_and_both_quotes() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(escape("Trust Building"), "Trust Building");
    }

    #[test]
    fn numbers_are_written_compactly() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(1.0 / 3.0), "0.33");
        assert_eq!(num(f64::NAN), "0");
    }

    #[test]
    fn numbers_are_written_as_the_formatter_rounds_them() {
        // The way `num` was first written: format, then trim.
        fn reference(v: f64) -> String {
            if !v.is_finite() {
                return "0".into();
            }
            let rounded = (v * 100.0).round() / 100.0;
            let s = format!("{rounded:.2}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" { "0".into() } else { s.to_owned() }
        }
        let mut values: Vec<f64> = (-200_000..200_000).map(|i| f64::from(i) / 997.0).collect();
        values.extend((0..2000).map(|i| f64::from(i) * 0.005));
        values.extend([
            0.0,
            -0.0,
            0.004,
            -0.004,
            0.005,
            -0.005,
            0.015,
            2.675,
            0.995,
            -0.995,
            99.995,
            123_456.789,
            1e14,
            -1e14,
            9.999_999_999_999e12,
            1e16,
            -1e16,
            1e300,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]);
        for v in values {
            assert_eq!(num(v), reference(v), "{v:e}");
        }
        let mut s = String::from("M");
        push_num(&mut s, 12.5);
        s.push(' ');
        push_num(&mut s, -3.0);
        assert_eq!(s, "M12.5 -3");
    }

    #[test]
    fn escaping_appends_to_what_is_there() {
        let mut s = String::from("x=");
        escape_into(&mut s, "Ünï <b> & 'ü'");
        assert_eq!(s, "x=Ünï &lt;b&gt; &amp; &#39;ü&#39;");
        let mut plain = String::new();
        escape_into(&mut plain, "Trust Building");
        assert_eq!(plain, "Trust Building");
        escape_into(&mut plain, "");
        assert_eq!(plain, "Trust Building");
    }

    #[test]
    fn the_spectrum_has_eight_marks_in_spectrum_order() {
        let svg = default_spectrum();
        let keys: Vec<String> = marks(&svg)
            .iter()
            .filter_map(|m| attr_values(m, "data-key").into_iter().next())
            .collect();
        assert_eq!(
            keys,
            [
                "belief",
                "humility",
                "ownership",
                "perseverance",
                "trust_building",
                "process_mastery",
                "value_crafting",
                "storytelling"
            ]
        );
        let cx: Vec<f64> = attr_values(&svg, "cx")
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect();
        assert!(
            cx.windows(2).all(|w| w[0] < w[1]),
            "marks run left to right: {cx:?}"
        );
    }

    #[test]
    fn mindset_and_behaviour_marks_carry_their_side_class() {
        let svg = default_spectrum();
        let classes: Vec<String> = marks(&svg)
            .iter()
            .filter_map(|m| attr_values(m, "class").into_iter().next())
            .collect();
        assert_eq!(classes[..4], ["quality-mark mindset"; 4]);
        assert_eq!(classes[4..], ["quality-mark behaviour"; 4]);
        assert!(svg.contains("mindset-band") && svg.contains("behaviour-band"));
        assert!(!svg.contains("style="), "colours come from classes only");
    }

    #[test]
    fn every_mark_has_a_title_with_position_name_and_side() {
        let svg = default_spectrum();
        assert!(svg.contains("<title>1. Belief — mindset</title>"));
        assert!(svg.contains("<title>8. Storytelling — behaviour</title>"));
    }

    #[test]
    fn storytelling_draws_five_arcs() {
        let svg = default_spectrum();
        let from = attr_values(&svg, "data-from");
        assert_eq!(from.len(), 5);
        assert!(from.iter().all(|f| f == "storytelling"));
        let mut to = attr_values(&svg, "data-to");
        to.sort();
        assert_eq!(
            to,
            [
                "belief",
                "ownership",
                "process_mastery",
                "trust_building",
                "value_crafting"
            ]
        );
    }

    #[test]
    fn the_chart_is_labelled_for_assistive_technology() {
        let svg = default_spectrum();
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"data-chart="spectrum""#));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-labelledby="spectrum-title spectrum-desc""#));
        assert!(svg.contains(r#"<title id="spectrum-title">"#));
        assert!(svg.contains("Storytelling draws on Value Crafting, Process Mastery"));
        assert!(svg.contains("← Mindset") && svg.contains("Behaviour →"));
        assert_eq!(
            svg.matches("<title").count(),
            svg.matches("</title>").count()
        );
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
    }

    #[test]
    fn names_and_keys_from_an_edited_model_are_escaped() {
        let qualities = vec![
            ChartQuality {
                key: "a\"><script>".into(),
                name: "<b>Bold</b> & \"quoted\"".into(),
                position: 1,
                side: Side::Mindset,
                links: vec!["b".into()],
            },
            ChartQuality {
                key: "b".into(),
                name: "It's".into(),
                position: 2,
                side: Side::Behaviour,
                links: vec![],
            },
        ];
        let svg = spectrum(&qualities, "s");
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        assert!(svg.contains("1. &lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot; — mindset"));
        assert!(svg.contains("It&#39;s"));
        assert!(svg.contains(r#"data-key="a&quot;&gt;&lt;script&gt;""#));
    }

    #[test]
    fn long_names_are_shortened_in_the_chart_but_whole_in_the_title() {
        let q = ChartQuality {
            key: "k".into(),
            name: "An exceptionally long quality name".into(),
            position: 1,
            side: Side::Mindset,
            links: vec![],
        };
        let svg = spectrum(&[q], "s");
        assert!(svg.contains(">An exceptionall…</text>"));
        assert!(svg.contains("<title>1. An exceptionally long quality name — mindset</title>"));
    }

    #[test]
    fn an_empty_model_gives_an_empty_chart_without_panicking() {
        let svg = spectrum(&[], "s");
        assert!(svg.contains("data-chart=\"spectrum\"") && !svg.contains("<circle"));
    }

    #[test]
    fn the_writer_closes_what_it_opened() {
        let mut svg = Svg::chart("test", "t", 10.0, 10.0, "T", "D");
        svg.el("g").open();
        svg.el("rect").num("width", 1.0).empty();
        let out = svg.finish();
        assert!(out.ends_with("<rect width=\"1\"/></g></svg>"));
    }
}
