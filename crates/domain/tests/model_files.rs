//! Model files: the shipped default model, a table of broken files with the exact field path and
//! problem each must report, and diffs between versions.

use proptest::prelude::*;
use sellerq_domain::model::{
    AnchorChange, DEFAULT_MODEL_TOML, Model, ModelError, QualityChange, QualityKey, ScaleChange,
    Side, default_model, diff,
};

const SMALL: &str = include_str!("model_files/small.toml");

const DEFAULT_KEYS: [&str; 8] = [
    "belief",
    "humility",
    "ownership",
    "perseverance",
    "trust_building",
    "process_mastery",
    "value_crafting",
    "storytelling",
];

// ----- the default model ---------------------------------------------------------------------

#[test]
fn the_default_file_parses_into_the_embedded_default_model() {
    let parsed = Model::parse(DEFAULT_MODEL_TOML).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&parsed, default_model());
    assert_eq!(parsed.version, "1");
    assert!(!parsed.name.is_empty() && !parsed.description.is_empty());
}

#[test]
fn the_default_model_has_the_eight_qualities_in_spectrum_order() {
    let model = default_model();
    let keys: Vec<&str> = model.keys().map(QualityKey::as_str).collect();
    assert_eq!(keys, DEFAULT_KEYS);
    let positions: Vec<u8> = model.qualities.iter().map(|q| q.position).collect();
    assert_eq!(positions, [1, 2, 3, 4, 5, 6, 7, 8]);
}

#[test]
fn qualities_one_to_four_are_mindset_and_five_to_eight_behaviour() {
    let model = default_model();
    for q in &model.qualities {
        let expected = if q.position <= 4 {
            Side::Mindset
        } else {
            Side::Behaviour
        };
        assert_eq!(q.side, expected, "{}", q.key);
    }
    assert_eq!(model.mindset().count(), 4);
    assert_eq!(
        model.behaviour().map(|q| q.position).collect::<Vec<_>>(),
        [5, 6, 7, 8]
    );
}

#[test]
fn the_default_scale_runs_from_one_to_five_with_distinct_level_names() {
    let scale = &default_model().scale;
    assert_eq!((scale.min, scale.max), (1, 5));
    let names: Vec<&str> = scale.levels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        ["Limited", "Emerging", "Consistent", "Strong", "Exemplary"]
    );
}

#[test]
fn every_default_quality_anchors_every_level_with_its_own_text() {
    let model = default_model();
    let mut all = Vec::new();
    for q in &model.qualities {
        let values: Vec<u8> = q.levels.iter().map(|l| l.value).collect();
        assert_eq!(values, [1, 2, 3, 4, 5], "{}", q.key);
        for level in &q.levels {
            let n = sentences(&level.anchor);
            assert!(
                (1..=2).contains(&n),
                "{} level {}: {n} sentences",
                q.key,
                level.value
            );
            all.push(level.anchor.as_str());
        }
    }
    let distinct: std::collections::BTreeSet<_> = all.iter().collect();
    assert_eq!(distinct.len(), all.len(), "two anchors share the same text");
}

#[test]
fn every_default_quality_has_its_definition_indicators_questions_and_activities() {
    for q in &default_model().qualities {
        let n = sentences(&q.definition);
        assert!(
            (2..=3).contains(&n),
            "{}: definition has {n} sentences",
            q.key
        );
        assert!(
            (3..=5).contains(&q.indicators.len()),
            "{}: indicators",
            q.key
        );
        assert!(q.interview_questions.len() >= 3, "{}: questions", q.key);
        assert!(q.coaching_activities.len() >= 3, "{}: activities", q.key);
        for question in &q.interview_questions {
            let behavioural = ["Tell me about", "Walk me through", "Think of"]
                .iter()
                .any(|start| question.starts_with(start));
            assert!(
                behavioural,
                "{}: not a behavioural question: {question}",
                q.key
            );
        }
    }
}

#[test]
fn storytelling_draws_on_exactly_the_five_qualities_of_the_model_and_nothing_else_links() {
    let model = default_model();
    let story = model.quality("storytelling").expect("storytelling");
    let links: Vec<&str> = story.links.iter().map(QualityKey::as_str).collect();
    assert_eq!(
        links,
        [
            "value_crafting",
            "process_mastery",
            "trust_building",
            "ownership",
            "belief"
        ]
    );
    for q in model.qualities.iter().filter(|q| q.key != "storytelling") {
        assert!(
            q.links.is_empty(),
            "{} has links the model does not state",
            q.key
        );
    }
}

#[test]
fn the_default_file_keeps_trailing_indicators_out_of_the_model() {
    let model = default_model();
    for key in [
        "quota",
        "tenure",
        "vip",
        "domain_expertise",
        "years_of_experience",
    ] {
        assert!(model.quality(key).is_none(), "{key}");
    }
}

#[test]
fn the_json_form_has_exactly_the_api_fields() {
    let json = default_model().to_json();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&json), ["name", "qualities", "scale", "version"]);
    assert_eq!(keys(&json["scale"]), ["levels", "max", "min"]);
    assert_eq!(keys(&json["scale"]["levels"][0]), ["name", "value"]);
    let quality = &json["qualities"][0];
    assert_eq!(
        keys(quality),
        [
            "coaching_activities",
            "definition",
            "indicators",
            "interview_questions",
            "key",
            "levels",
            "links",
            "name",
            "position",
            "side"
        ]
    );
    assert_eq!(keys(&quality["levels"][0]), ["anchor", "name", "value"]);
    let keys_in_order: Vec<&str> = json["qualities"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|q| q["key"].as_str())
        .collect();
    assert_eq!(keys_in_order, DEFAULT_KEYS);
}

/// Sentences in prose: full stops, question and exclamation marks that end the text or are
/// followed by a space.
fn sentences(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len())
        .filter(|&i| {
            matches!(chars[i], '.' | '?' | '!')
                && chars.get(i + 1).is_none_or(|c| c.is_whitespace())
        })
        .count()
}

// ----- broken files ------------------------------------------------------------------------

/// One broken file: `edits` turn the small valid model into it, `errors` are what the parser
/// must report, exactly and in order.
struct Broken {
    what: &'static str,
    edits: &'static [(&'static str, &'static str)],
    errors: &'static [(&'static str, &'static str)],
}

const BROKEN: &[Broken] = &[
    Broken {
        what: "an anchor is missing from a level",
        edits: &[("anchor = \"Beta at level 2.\"\n", "")],
        errors: &[("qualities[1].levels[1].anchor", "missing")],
    },
    Broken {
        what: "a quality has no entry for one level",
        edits: &[(
            "[[qualities.levels]]\nvalue = 3\nanchor = \"Gamma at level 3.\"\n",
            "",
        )],
        errors: &[("qualities[2].levels", "no anchor for level 3")],
    },
    Broken {
        what: "an anchor is blank",
        edits: &[("anchor = \"Alpha at level 3.\"", "anchor = \"  \"")],
        errors: &[("qualities[0].levels[2].anchor", "must not be empty")],
    },
    Broken {
        what: "a level is anchored twice",
        edits: &[(
            "value = 2\nanchor = \"Alpha at level 2.\"",
            "value = 1\nanchor = \"Alpha again.\"",
        )],
        errors: &[
            (
                "qualities[0].levels[1].value",
                "duplicate anchor for level 1 (also qualities[0].levels[0].value)",
            ),
            ("qualities[0].levels", "no anchor for level 2"),
        ],
    },
    Broken {
        what: "an anchor's level is outside the scale",
        edits: &[(
            "value = 3\nanchor = \"Beta at level 3.\"",
            "value = 4\nanchor = \"Beta at level 3.\"",
        )],
        errors: &[
            (
                "qualities[1].levels[2].value",
                "4 is outside the scale (1 to 3)",
            ),
            ("qualities[1].levels", "no anchor for level 3"),
        ],
    },
    Broken {
        what: "two qualities share a key",
        edits: &[("key = \"beta\"", "key = \"alpha\"")],
        errors: &[
            (
                "qualities[1].key",
                "duplicate key `alpha` (also qualities[0].key)",
            ),
            ("qualities[2].links[1]", "unknown quality `beta`"),
        ],
    },
    Broken {
        what: "two qualities share a name",
        edits: &[("name = \"Gamma\"", "name = \"alpha\"")],
        errors: &[(
            "qualities[2].name",
            "duplicate name `alpha` (also qualities[0].name)",
        )],
    },
    Broken {
        what: "a key is not snake_case",
        edits: &[("key = \"gamma\"", "key = \"Gamma Ray\"")],
        errors: &[(
            "qualities[2].key",
            "a quality key starts with a lower-case letter a-z, found `G`",
        )],
    },
    Broken {
        what: "a key has a space in it",
        edits: &[("key = \"gamma\"", "key = \"gamma ray\"")],
        errors: &[(
            "qualities[2].key",
            "a quality key uses only a-z, 0-9 and `_` (lower snake_case), found ` `",
        )],
    },
    Broken {
        what: "positions leave a gap",
        edits: &[("position = 3", "position = 4")],
        errors: &[
            (
                "qualities[2].position",
                "must be from 1 to 3 (the number of qualities), found 4",
            ),
            ("qualities", "no quality at position 3"),
        ],
    },
    Broken {
        what: "two qualities share a position",
        edits: &[("position = 2", "position = 1")],
        errors: &[
            (
                "qualities[1].position",
                "duplicate position 1 (also qualities[0].position)",
            ),
            ("qualities", "no quality at position 2"),
        ],
    },
    Broken {
        what: "a position is not a number",
        edits: &[("position = 1", "position = \"first\"")],
        errors: &[(
            "qualities[0].position",
            "expected an integer, found a string",
        )],
    },
    Broken {
        what: "a side is neither mindset nor behaviour",
        edits: &[("side = \"behaviour\"", "side = \"behavior\"")],
        errors: &[(
            "qualities[2].side",
            "must be \"mindset\" or \"behaviour\", found \"behavior\"",
        )],
    },
    Broken {
        what: "a mindset quality sits after a behaviour quality",
        edits: &[
            ("position = 2", "position = 3"),
            (
                "position = 3\nside = \"behaviour\"",
                "position = 2\nside = \"behaviour\"",
            ),
        ],
        errors: &[(
            "qualities[1].side",
            "a mindset quality at position 3 comes after a behaviour quality at position 2; the \
             spectrum runs from mindset to behaviour",
        )],
    },
    Broken {
        what: "a link names an unknown quality",
        edits: &[(
            "links = [\"alpha\", \"beta\"]",
            "links = [\"alpha\", \"delta\"]",
        )],
        errors: &[("qualities[2].links[1]", "unknown quality `delta`")],
    },
    Broken {
        what: "a quality links to itself",
        edits: &[(
            "links = [\"alpha\", \"beta\"]",
            "links = [\"gamma\", \"beta\"]",
        )],
        errors: &[("qualities[2].links[0]", "a quality cannot link to itself")],
    },
    Broken {
        what: "a link is listed twice",
        edits: &[(
            "links = [\"alpha\", \"beta\"]",
            "links = [\"alpha\", \"beta\", \"alpha\"]",
        )],
        errors: &[(
            "qualities[2].links[2]",
            "duplicate link `alpha` (also qualities[2].links[0])",
        )],
    },
    Broken {
        what: "a quality has an unknown field",
        edits: &[("key = \"alpha\"", "key = \"alpha\"\ncolour = \"red\"")],
        errors: &[(
            "qualities[0].colour",
            "unknown field; expected one of: key, name, position, side, definition, indicators, levels, interview_questions, coaching_activities, links",
        )],
    },
    Broken {
        what: "the model has an unknown top-level field (trailing indicators are not part of it)",
        edits: &[(
            "version = \"test-1\"",
            "version = \"test-1\"\ntrailing_indicators = [\"tenure\"]",
        )],
        errors: &[(
            "trailing_indicators",
            "unknown field; expected one of: version, name, description, scale, qualities",
        )],
    },
    Broken {
        what: "a definition is empty",
        edits: &[(
            "definition = \"Beta is the second quality.\"",
            "definition = \"\"",
        )],
        errors: &[("qualities[1].definition", "must not be empty")],
    },
    Broken {
        what: "a definition is missing",
        edits: &[("definition = \"Beta is the second quality.\"\n", "")],
        errors: &[("qualities[1].definition", "missing")],
    },
    Broken {
        what: "a quality lists no indicator",
        edits: &[("indicators = [\"Shows alpha.\"]", "indicators = []")],
        errors: &[(
            "qualities[0].indicators",
            "must list at least one indicator",
        )],
    },
    Broken {
        what: "an interview question is not a string",
        edits: &[(
            "interview_questions = [\"Tell me about a time you showed beta.\"]",
            "interview_questions = [\"Tell me.\", 42]",
        )],
        errors: &[(
            "qualities[1].interview_questions[1]",
            "expected a string, found an integer",
        )],
    },
    Broken {
        what: "coaching activities are missing",
        edits: &[("coaching_activities = [\"Practise gamma.\"]\n", "")],
        errors: &[("qualities[2].coaching_activities", "missing")],
    },
    Broken {
        what: "the scale lacks a level",
        edits: &[("[[scale.levels]]\nvalue = 2\nname = \"Middle\"\n", "")],
        errors: &[("scale.levels", "no level 2")],
    },
    Broken {
        what: "a scale level is outside the scale",
        edits: &[("value = 3\nname = \"High\"", "value = 4\nname = \"High\"")],
        errors: &[
            ("scale.levels[2].value", "4 is outside the scale (1 to 3)"),
            ("scale.levels", "no level 3"),
        ],
    },
    Broken {
        what: "a scale level has no name",
        edits: &[("name = \"Low\"\n", "")],
        errors: &[("scale.levels[0].name", "missing")],
    },
    Broken {
        what: "two scale levels share a name, and the anchors are still checked against the range",
        edits: &[
            ("name = \"Middle\"", "name = \"low\""),
            (
                "value = 3\nanchor = \"Gamma at level 3.\"",
                "value = 7\nanchor = \"Gamma at level 3.\"",
            ),
        ],
        errors: &[
            (
                "scale.levels[1].name",
                "duplicate level name `low` (also scale.levels[0].name)",
            ),
            (
                "qualities[2].levels[2].value",
                "7 is outside the scale (1 to 3)",
            ),
            ("qualities[2].levels", "no anchor for level 3"),
        ],
    },
    Broken {
        what: "the scale's minimum is not below its maximum",
        edits: &[("min = 1", "min = 3")],
        errors: &[("scale.max", "must be greater than scale.min (3), found 3")],
    },
    Broken {
        what: "the scale's maximum is not a number",
        edits: &[("max = 3", "max = 3.5")],
        errors: &[("scale.max", "expected an integer, found a float")],
    },
    Broken {
        what: "the scale is far too wide",
        edits: &[("max = 3", "max = 50")],
        errors: &[(
            "scale.max",
            "a scale has at most 11 levels, 1 to 50 would have 50",
        )],
    },
    Broken {
        what: "the version label is a number, not a string",
        edits: &[("version = \"test-1\"", "version = 1")],
        errors: &[("version", "expected a string, found an integer")],
    },
    Broken {
        what: "the scale's bounds are missing (its levels alone are not enough)",
        edits: &[("[scale]\nmin = 1\nmax = 3\n", "")],
        errors: &[("scale.min", "missing"), ("scale.max", "missing")],
    },
    Broken {
        what: "the TOML has an unclosed string",
        edits: &[("name = \"Beta\"", "name = \"Beta")],
        errors: &[(
            "line 49, column 13",
            "invalid TOML: invalid basic string, expected `\"`",
        )],
    },
    Broken {
        what: "three unrelated mistakes are all reported, in file order",
        edits: &[
            ("name = \"Small model\"", "name = \"\""),
            (
                "side = \"mindset\"\ndefinition = \"Beta",
                "side = \"both\"\ndefinition = \"Beta",
            ),
            ("anchor = \"Gamma at level 1.\"\n", ""),
        ],
        errors: &[
            ("name", "must not be empty"),
            (
                "qualities[1].side",
                "must be \"mindset\" or \"behaviour\", found \"both\"",
            ),
            ("qualities[2].levels[0].anchor", "missing"),
        ],
    },
];

fn apply(edits: &[(&str, &str)], what: &str) -> String {
    let mut text = SMALL.to_owned();
    for (from, to) in edits {
        assert_eq!(
            text.matches(from).count(),
            1,
            "{what}: edit target {from:?} must occur once"
        );
        text = text.replacen(from, to, 1);
    }
    text
}

#[test]
fn the_small_fixture_is_valid_and_ordered() {
    let model = Model::parse(SMALL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        model.keys().map(QualityKey::as_str).collect::<Vec<_>>(),
        ["alpha", "beta", "gamma"]
    );
}

#[test]
fn each_broken_file_reports_exactly_its_field_path_and_problem() {
    assert!(BROKEN.len() >= 12);
    let mut failures = Vec::new();
    for case in BROKEN {
        let text = apply(case.edits, case.what);
        let expected: Vec<ModelError> = case
            .errors
            .iter()
            .map(|(path, problem)| ModelError::new(*path, *problem))
            .collect();
        match Model::parse(&text) {
            Ok(_) => failures.push(format!("{}: parsed without error", case.what)),
            Err(errors) if errors.0 != expected => failures.push(format!(
                "{}:\n  expected {expected:?}\n  got      {:?}",
                case.what, errors.0
            )),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_error_report_prints_one_problem_per_line() {
    let text = apply(BROKEN.last().expect("cases").edits, "report");
    let report = Model::parse(&text).expect_err("broken").to_string();
    assert_eq!(
        report,
        "name: must not be empty\n\
         qualities[1].side: must be \"mindset\" or \"behaviour\", found \"both\"\n\
         qualities[2].levels[0].anchor: missing"
    );
}

#[test]
fn an_empty_file_reports_every_missing_top_level_field() {
    let errors = Model::parse("").expect_err("empty");
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        ["version", "name", "description", "scale", "qualities"]
    );
    assert!(errors.iter().all(|e| e.problem == "missing"));
}

#[test]
fn qualities_written_out_of_order_come_back_in_spectrum_order() {
    let text = apply(
        &[
            (
                "key = \"alpha\"\nname = \"Alpha\"\nposition = 1",
                "key = \"alpha\"\nname = \"Alpha\"\nposition = 2",
            ),
            (
                "key = \"beta\"\nname = \"Beta\"\nposition = 2",
                "key = \"beta\"\nname = \"Beta\"\nposition = 1",
            ),
        ],
        "swap",
    );
    let model = Model::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        model.keys().map(QualityKey::as_str).collect::<Vec<_>>(),
        ["beta", "alpha", "gamma"]
    );
}

#[test]
fn prose_may_be_wrapped_over_several_lines() {
    let text = apply(
        &[(
            "definition = \"Alpha is the first quality.\"",
            "definition = \"\"\"\nAlpha is\n   the first\nquality.\n\"\"\"",
        )],
        "wrapped",
    );
    let model = Model::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(model.qualities[0].definition, "Alpha is the first quality.");
}

// ----- diffs -------------------------------------------------------------------------------

#[test]
fn a_model_compared_with_itself_has_no_differences() {
    let d = diff(default_model(), default_model());
    assert!(d.is_empty());
    assert_eq!(d.to_string(), "no differences\n");
}

#[test]
fn a_renamed_quality_is_reported_as_renamed_not_removed_and_added() {
    let old = default_model();
    let mut new = old.clone();
    new.qualities[1].name = "Self-knowledge".into();
    let d = diff(old, &new);
    assert!(d.added.is_empty() && d.removed.is_empty());
    assert_eq!(
        d.renamed,
        [QualityChange {
            key: "humility".parse().expect("key"),
            old: "Humility".into(),
            new: "Self-knowledge".into()
        }]
    );
    assert_eq!(
        d.to_string(),
        "renamed: humility \"Humility\" → \"Self-knowledge\"\n"
    );
}

#[test]
fn an_added_quality_is_reported_with_its_position() {
    let old = Model::parse(SMALL).expect("small");
    let mut new = old.clone();
    let mut delta = new.qualities[2].clone();
    delta.key = "delta".parse().expect("key");
    delta.name = "Delta".into();
    delta.position = 4;
    new.qualities.push(delta);
    let d = diff(&old, &new);
    assert_eq!(d.added.len(), 1);
    assert_eq!((d.added[0].key.as_str(), d.added[0].position), ("delta", 4));
    assert!(d.removed.is_empty() && d.renamed.is_empty() && d.moved.is_empty());
    assert_eq!(
        d.to_string(),
        "added: delta \"Delta\" at position 4 (behaviour)\n"
    );
}

#[test]
fn a_removed_quality_is_reported_and_the_rest_that_moved_too() {
    let old = Model::parse(SMALL).expect("small");
    let mut new = old.clone();
    new.qualities.remove(0);
    new.qualities[0].position = 1;
    new.qualities[1].position = 2;
    new.qualities[1].links.retain(|k| k != "alpha");
    let d = diff(&old, &new);
    assert_eq!(d.removed.len(), 1);
    assert_eq!(d.removed[0].key, "alpha");
    assert_eq!(d.moved.len(), 2);
    assert_eq!(d.lists_changed.len(), 1);
    let report = d.to_string();
    assert!(
        report.starts_with("removed: alpha \"Alpha\" (was at position 1)\n"),
        "{report}"
    );
    assert!(report.contains("moved: beta position 2 → 1\n"), "{report}");
    assert!(
        report.contains("links changed: gamma\n    - alpha\n"),
        "{report}"
    );
}

#[test]
fn a_changed_anchor_is_reported_with_its_level_and_both_texts() {
    let old = default_model();
    let edited = DEFAULT_MODEL_TOML.replacen(
        "For most accounts can explain why",
        "In most accounts can explain why",
        1,
    );
    assert_ne!(edited, DEFAULT_MODEL_TOML, "the edit must hit the file");
    let new = Model::parse(&edited).unwrap_or_else(|e| panic!("{e}"));
    let d = diff(old, &new);
    assert_eq!(d.anchors_changed.len(), 1);
    let AnchorChange {
        key,
        value,
        old: before,
        new: after,
    } = &d.anchors_changed[0];
    assert_eq!((key.as_str(), *value), ("belief", 3));
    assert!(before.as_deref().is_some_and(|a| a.starts_with("For most")));
    assert!(after.as_deref().is_some_and(|a| a.starts_with("In most")));
    let report = d.to_string();
    assert!(
        report.starts_with("anchor changed: belief level 3\n    - For most"),
        "{report}"
    );
    assert!(report.contains("\n    + In most"), "{report}");
}

#[test]
fn a_shrunk_scale_reports_the_range_the_level_and_the_anchors_that_went() {
    let old = Model::parse(SMALL).expect("small");
    let mut new = old.clone();
    new.scale.max = 2;
    new.scale.levels.pop();
    for q in &mut new.qualities {
        q.levels.pop();
    }
    let d = diff(&old, &new);
    assert_eq!(
        d.scale[0],
        ScaleChange::Range {
            old: (1, 3),
            new: (1, 2)
        }
    );
    assert_eq!(
        d.scale[1],
        ScaleChange::LevelRemoved {
            value: 3,
            name: "High".into()
        }
    );
    assert_eq!(d.anchors_changed.len(), 3);
    assert!(
        d.anchors_changed
            .iter()
            .all(|a| a.value == 3 && a.new.is_none())
    );
}

#[test]
fn a_changed_definition_and_version_are_reported() {
    let old = default_model();
    let mut new = old.clone();
    new.version = "2".into();
    new.qualities[7].definition = "Telling true stories.".into();
    let d = diff(old, &new);
    assert_eq!(d.version.as_ref().map(|c| c.new.as_str()), Some("2"));
    assert_eq!(d.definition_changed.len(), 1);
    assert_eq!(d.definition_changed[0].key, "storytelling");
    assert!(
        d.to_string()
            .starts_with("version: \"1\" → \"2\"\ndefinition changed: storytelling\n")
    );
}

// ----- bad input never panics --------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsing_arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = Model::parse(&text);
    }

    #[test]
    fn parsing_the_default_file_with_a_slice_cut_out_never_panics(start in 0usize..25_000, len in 0usize..400) {
        let text = DEFAULT_MODEL_TOML;
        let mut start = start.min(text.len());
        while !text.is_char_boundary(start) { start -= 1; }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        let cut = format!("{}{}", &text[..start], &text[end..]);
        if let Err(errors) = Model::parse(&cut) {
            prop_assert!(!errors.is_empty());
        }
    }

    #[test]
    fn parsing_the_small_file_with_one_line_dropped_reports_or_accepts_but_never_panics(line in 0usize..120) {
        let text: String = SMALL.lines().enumerate().filter(|(i, _)| *i != line).map(|(_, l)| format!("{l}\n")).collect();
        if let Err(errors) = Model::parse(&text) {
            prop_assert!(errors.iter().all(|e| !e.path.is_empty() && !e.problem.is_empty()));
        }
    }
}
