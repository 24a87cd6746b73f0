//! The model as plain text for a terminal, wrapped at [`WIDTH`] columns.

use std::fmt::Write as _;

use super::{Model, Side};

/// The column at which text wraps.
pub(super) const WIDTH: usize = 90;

/// Word-wraps `text` to `width` columns: the first line starts with `first`, later lines with
/// `rest`. A word longer than a line gets a line of its own. Ends with a newline.
pub(super) fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(first);
    let mut line_len = first.chars().count();
    let mut empty = true;
    for word in text.split_whitespace() {
        let word_len = word.chars().count();
        if !empty && line_len + 1 + word_len > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(rest);
            line_len = rest.chars().count();
            empty = true;
        }
        if !empty {
            line.push(' ');
            line_len += 1;
        }
        line.push_str(word);
        line_len += word_len;
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// `label` then `items` separated by ` · `, breaking lines only between items; later lines are
/// indented to line up after the label.
fn wrap_items(label: &str, items: &[String]) -> String {
    let indent = " ".repeat(label.chars().count());
    let mut out = String::new();
    let mut line = String::from(label);
    let mut first = true;
    for item in items {
        let sep = if first { "" } else { " · " };
        if !first && line.chars().count() + sep.chars().count() + item.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.clone();
        } else {
            line.push_str(sep);
        }
        line.push_str(item);
        first = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

fn heading(out: &mut String, title: &str) {
    out.push('\n');
    out.push_str(title);
    out.push('\n');
}

fn bullets(out: &mut String, items: &[String]) {
    for item in items {
        out.push_str(&wrap(item, WIDTH, "  - ", "    "));
    }
}

pub(super) fn render_text(model: &Model) -> String {
    let mut out = String::new();
    let title = format!("{} (version {})", model.name, model.version);
    out.push_str(&title);
    out.push('\n');
    out.push_str(&"=".repeat(title.chars().count()));
    out.push('\n');
    out.push_str(&wrap(&model.description, WIDTH, "", ""));

    let _ = write!(out, "\nScale {} to {}:", model.scale.min, model.scale.max);
    for level in &model.scale.levels {
        let _ = write!(out, "  {} {}", level.value, level.name);
    }
    out.push('\n');

    for side in [Side::Mindset, Side::Behaviour] {
        let items: Vec<String> = model
            .side(side)
            .map(|q| format!("{} {}", q.position, q.name))
            .collect();
        if !items.is_empty() {
            out.push_str(&wrap_items(
                &format!("{:<10} ", format!("{}:", side.label())),
                &items,
            ));
        }
    }

    let name_width = model
        .scale
        .levels
        .iter()
        .map(|l| l.name.chars().count())
        .max()
        .unwrap_or_default();
    let value_width = model.scale.max.to_string().len();

    for q in &model.qualities {
        out.push('\n');
        out.push_str(&"-".repeat(WIDTH));
        out.push('\n');
        let _ = writeln!(out, "{}. {} [{}] · {}", q.position, q.name, q.key, q.side);
        out.push_str(&"-".repeat(WIDTH));
        out.push('\n');
        out.push_str(&wrap(&q.definition, WIDTH, "", ""));

        heading(&mut out, "Indicators");
        bullets(&mut out, &q.indicators);

        heading(&mut out, "Levels");
        for level in &q.levels {
            let name = model.scale.level_name(level.value).unwrap_or_default();
            let label = format!("  {:>value_width$} {name:<name_width$}  ", level.value);
            let indent = " ".repeat(label.chars().count());
            out.push_str(&wrap(&level.anchor, WIDTH, &label, &indent));
        }

        heading(&mut out, "Interview questions");
        bullets(&mut out, &q.interview_questions);

        heading(&mut out, "Coaching activities");
        bullets(&mut out, &q.coaching_activities);

        let names = |keys: Vec<&str>| -> Vec<String> {
            keys.iter()
                .map(|k| match model.quality(k) {
                    Some(linked) => format!("{} ({k})", linked.name),
                    None => (*k).to_owned(),
                })
                .collect()
        };
        if !q.links.is_empty() {
            let keys = q.links.iter().map(|k| k.as_str()).collect();
            out.push('\n');
            out.push_str(&wrap_items("Draws on: ", &names(keys)));
        }
        let from: Vec<&str> = model
            .linked_from(q.key.as_str())
            .map(|l| l.key.as_str())
            .collect();
        if !from.is_empty() {
            out.push('\n');
            out.push_str(&wrap_items("Drawn on by: ", &names(from)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::default_model;

    #[test]
    fn wrapping_breaks_between_words_and_indents_later_lines() {
        let text = "one two three four five six";
        assert_eq!(
            wrap(text, 13, "- ", "  "),
            "- one two\n  three four\n  five six\n"
        );
    }

    #[test]
    fn item_lists_break_between_items_never_inside_one() {
        let items: Vec<String> = (1..=9).map(|i| format!("{i} Trust Building")).collect();
        let text = wrap_items("Links: ", &items);
        for line in text.lines() {
            assert!(line.chars().count() <= WIDTH, "{line:?}");
            assert!(
                line.trim_start()
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit() || c == 'L')
            );
        }
        assert!(
            text.lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("       5 Trust")),
            "{text}"
        );
    }

    #[test]
    fn a_word_longer_than_the_line_stands_alone() {
        assert_eq!(wrap("a abcdefghij b", 5, "", ""), "a\nabcdefghij\nb\n");
        assert_eq!(wrap("", 5, "> ", ""), ">\n");
    }

    #[test]
    fn the_text_view_lists_every_quality_in_spectrum_order_within_ninety_columns() {
        let text = default_model().render_text();
        let mut last = 0;
        for q in &default_model().qualities {
            let header = format!("{}. {} [{}] · {}", q.position, q.name, q.key, q.side);
            let at = text
                .find(&header)
                .unwrap_or_else(|| panic!("no header {header:?}"));
            assert!(at > last, "{} out of order", q.key);
            last = at;
        }
        for line in text.lines() {
            assert!(line.chars().count() <= WIDTH, "line too long: {line:?}");
        }
        assert!(text.contains("Draws on: Value Crafting (value_crafting) · Process Mastery"));
        assert!(text.contains("Mindset:   1 Belief · 2 Humility · 3 Ownership · 4 Perseverance\n"));
        assert!(text.contains("Drawn on by: Storytelling (storytelling)"));
        assert!(text.contains("  5 Exemplary   "));
    }
}
