//! `sellerq analyze`: figures checked by hand on a tiny data set, every bad-input rule with its
//! exact message, the JSON keys of FORMATS.md, and the figures of the Python reference
//! (pandas, pingouin, statsmodels, krippendorff, scipy) on a generated data set to 1e-9.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sellerq::analyze::{
    self, LoadError, Options, OutcomesTable, PeopleTable, RaterRole, RatingsTable,
};
use sellerq_domain::model::default_model;
use serde_json::Value;

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/analyze_data")
        .join(dir)
}

/// Runs `sellerq analyze` in `dir` on its people/ratings/outcomes.csv with extra arguments.
fn analyze_in(dir: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sellerq"))
        .current_dir(dir)
        .args([
            "analyze",
            "--people",
            "people.csv",
            "--ratings",
            "ratings.csv",
        ])
        .args(["--outcomes", "outcomes.csv"])
        .args(extra)
        .env_remove("SELLERQ_DB")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("the sellerq binary runs")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "sellerq failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn small(extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    json_of(&analyze_in(&data("small"), &args))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

fn quality<'a>(doc: &'a Value, key: &str) -> &'a Value {
    doc["qualities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == key)
        .unwrap()
}

fn indicator<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["validity"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == name)
        .unwrap()
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    sxy / (sxx * syy).sqrt()
}

// --- figures checked by hand on tests/analyze_data/small ---------------------------------------

#[test]
fn the_default_cycle_is_the_one_whose_name_sorts_last_not_the_last_in_the_file() {
    let doc = small(&[]);
    assert_eq!(doc["input"]["cycle"], "2026-H1");
    // 25 data rows in all cycles, the two empty scores included.
    assert_eq!(doc["input"]["ratings"], 25);
    assert_eq!(doc["input"]["people"], 5);
    assert_eq!(doc["input"]["outcomes"], 13);
}

#[test]
fn rater_leniency_is_the_mean_deviation_from_the_other_raters_computed_by_hand() {
    // belief: p1 {m1 4, p2 3, p3 5}, p2 {m1 4, p1 2}, p3 {m1 3}, p4 {m1 5, p1 4, p2 4};
    // humility: p1 {m1 3, p2 3}, p2 {m1 2, p1 4}, p3 {m1 4, p4 4}, p4 {m1 3, p2 5}.
    // m1: 0, +2, +1 | 0, −2, 0, −2 → −1/7 over 7; p1: −2, −0.5 | +2 → −1/6 over 3;
    // p2: −1.5, −0.5 | 0, +2 → exactly 0 over 4; p3: +1.5 over 1; p4: 0 over 1.
    let doc = small(&[]);
    let raters = doc["raters"].as_array().unwrap();
    let got: Vec<(&str, &str, u64, f64)> = raters
        .iter()
        .map(|r| {
            (
                r["rater"].as_str().unwrap(),
                r["role"].as_str().unwrap(),
                r["n"].as_u64().unwrap(),
                f(&r["leniency"]),
            )
        })
        .collect();
    let want = [
        ("m1", "manager", 7, -1.0 / 7.0),
        ("p1", "peer", 3, -1.0 / 6.0),
        ("p2", "peer", 4, 0.0),
        ("p3", "peer", 1, 1.5),
        ("p4", "peer", 1, 0.0),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0, g.1, g.2), (w.0, w.1, w.2));
        assert!(close(g.3, w.3), "{}: {} vs {}", g.0, g.3, w.3);
    }
    // Exactly zero, not a rounding residue.
    assert_eq!(f(&raters[2]["leniency"]), 0.0);
}

#[test]
fn quality_scores_are_means_of_non_self_ratings_with_self_beside_them() {
    let doc = small(&[]);
    let belief = quality(&doc, "belief");
    // Quality scores 4, 3, 3, 13/3; self 5, 3, 4 (p4 has none); gaps 1, 0, 1.
    let scores = [4.0, 3.0, 3.0, 13.0 / 3.0];
    let mean = scores.iter().sum::<f64>() / 4.0;
    let sd = (scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
    assert_eq!(belief["n_subjects"], 4);
    assert!(close(f(&belief["mean"]), mean));
    assert!(close(f(&belief["sd"]), sd));
    assert!(close(f(&belief["self_mean"]), 4.0));
    assert!(close(f(&belief["gap_mean"]), 2.0 / 3.0));
    assert!(close(f(&belief["mean_raters"]), 9.0 / 4.0));
    // ICC on the subjects with the most common count of raters: 3 (p1 and p4).
    assert_eq!(belief["icc"]["n_raters"], 3);
    assert_eq!(belief["icc"]["n_subjects"], 2);
    // A negative single-rater reliability: no number of raters reaches 0.70.
    assert!(belief["raters_needed"]["raters"].is_null());
}

#[test]
fn cronbach_alpha_is_over_the_subjects_with_every_quality_score() {
    let doc = small(&[]);
    let b = [4.0, 3.0, 3.0, 13.0 / 3.0];
    let h = [3.0, 3.0, 4.0, 4.0];
    let var = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
    };
    let total: Vec<f64> = b.iter().zip(&h).map(|(x, y)| x + y).collect();
    let alpha = 2.0 * (1.0 - (var(&b) + var(&h)) / var(&total));
    assert_eq!(doc["cronbach_alpha"]["n_subjects"], 4);
    assert!(close(f(&doc["cronbach_alpha"]["alpha"]), alpha));
}

#[test]
fn the_outcome_is_the_mean_over_the_chosen_periods() {
    let belief = [4.0, 3.0, 3.0, 13.0 / 3.0];
    let all = small(&[]);
    assert_eq!(
        all["input"]["periods"],
        serde_json::json!(["2026-Q1", "2026-Q2", "2026-Q3"])
    );
    let y_all = [1.2, 0.9, 0.9, 1.3];
    assert!(close(
        f(&indicator(&all, "belief")["r"]),
        pearson(&belief, &y_all)
    ));

    let q3 = small(&["--period", "2026-Q3"]);
    assert_eq!(q3["input"]["periods"], serde_json::json!(["2026-Q3"]));
    let y_q3 = [1.4, 1.0, 0.5, 1.1];
    assert!(close(
        f(&indicator(&q3, "belief")["r"]),
        pearson(&belief, &y_q3)
    ));
    let years = [5.0, 3.0, 8.0, 1.0];
    assert!(close(
        f(&indicator(&q3, "years_experience")["r"]),
        pearson(&years, &y_q3)
    ));
}

#[test]
fn a_trailing_indicator_without_any_value_is_omitted_and_named() {
    let doc = small(&[]);
    let omitted: Vec<&str> = doc["validity"]["omitted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for t in ["tenure_years", "vip_connections", "domain_expertise"] {
        assert!(omitted.contains(&t), "{t} should be omitted: {omitted:?}");
    }
    // Qualities nobody rated are left out the same way.
    assert!(omitted.contains(&"storytelling"));
    assert!(
        doc["validity"]["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["name"] != "tenure_years")
    );
    assert_eq!(indicator(&doc, "years_experience")["kind"], "trailing");
    assert_eq!(indicator(&doc, "belief")["kind"], "leading");
    assert_eq!(doc["validity"]["n"], 4);
}

#[test]
fn figures_that_cannot_be_computed_are_null_with_a_note() {
    let doc = small(&[]);
    let h = &doc["validity"]["hierarchical"];
    assert!(h["r2_full"].is_null() && h["f_change"].is_null() && h["p_change"].is_null());
    let notes: Vec<&str> = doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("hierarchical regression is null")),
        "{notes:?}"
    );
    assert!(quality(&doc, "storytelling")["mean"].is_null());
    assert!(
        notes.iter().any(|n| n.starts_with("storytelling:")),
        "{notes:?}"
    );
}

#[test]
fn another_cycle_metric_and_unknown_cycle() {
    let old = small(&["--cycle", "2025-H2"]);
    assert_eq!(old["input"]["cycle"], "2025-H2");
    assert!(close(f(&quality(&old, "belief")["mean"]), 1.5));

    let out = analyze_in(&data("small"), &["--cycle", "2024-H1"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no ratings in cycle \"2024-H1\" (the cycles are: 2025-H2, 2026-H1)"),
        "{err}"
    );
}

#[test]
fn the_text_report_speaks_to_a_sales_leader_with_caveats() {
    let out = analyze_in(&data("small"), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "cycle 2026-H1",
        "HOW FAR THE RATINGS CAN BE TRUSTED",
        "Belief",
        "poor",
        "Leading: the qualities",
        "Trailing: résumé facts",
        "Years of experience",
        "Only 4 sellers have every indicator and an outcome",
        "Belief has 2.2 non-self raters per seller",
        "hierarchical regression could not be computed",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    // Silent on standard error when it is not a terminal (no progress bar).
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// --- the JSON document of FORMATS.md -------------------------------------------------------------

/// The example of FORMATS.md, copied: every key in it must be in the output.
const FORMATS_EXAMPLE: &str = r#"{
  "input":    {"people": 500, "ratings": 38391, "outcomes": 1500, "cycle": "2026-H1",
               "metric": "quota_attainment", "periods": ["2026-Q3", "2026-Q4"]},
  "qualities": [
    {"key": "belief", "n_subjects": 500, "mean": 3.1, "sd": 0.7,
     "self_mean": 3.5, "gap_mean": 0.4,
     "icc": {"n_subjects": 410, "n_raters": 4, "icc1": 0.5, "icc2": 0.5, "icc3": 0.6,
             "icc1k": 0.8, "icc2k": 0.8, "icc3k": 0.85},
     "krippendorff_alpha": {"interval": 0.38, "ordinal": 0.37}}
  ],
  "cronbach_alpha": {"n_subjects": 500, "alpha": 0.75},
  "raters": [{"rater": "p-0042", "role": "manager", "n": 40, "leniency": -0.31}],
  "validity": {
    "n": 497, "omitted": [],
    "indicators": [
      {"name": "belief", "kind": "leading", "r": 0.3, "ci_low": 0.22, "ci_high": 0.38,
       "p": 1e-11, "rho": 0.29},
      {"name": "quota_track_record", "kind": "trailing", "r": 0.2, "ci_low": 0.1,
       "ci_high": 0.28, "p": 1e-5, "rho": 0.19}
    ],
    "hierarchical": {"r2_trailing": 0.056, "r2_full": 0.259, "delta_r2": 0.203,
                     "f_change": 16.68, "df1": 8, "df2": 483, "p_change": 6.3e-22}
  },
  "notes": []
}"#;

fn same_shape(example: &Value, actual: &Value, path: &str) {
    match (example, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let got = a.get(k).unwrap_or_else(|| panic!("{path}/{k} is missing"));
                same_shape(v, got, &format!("{path}/{k}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(e0), Some(a0)) = (e.first(), a.first()) {
                for item in a {
                    same_shape(e0, item, &format!("{path}[]"));
                }
                let _ = a0;
            }
        }
        // A figure is a number or null, never a string.
        (Value::Number(_), got) => {
            assert!(
                got.is_number() || got.is_null(),
                "{path} should be a number or null: {got}"
            )
        }
        (Value::String(_), got) => assert!(got.is_string(), "{path} should be a string: {got}"),
        (e, a) => assert_eq!(
            std::mem::discriminant(e),
            std::mem::discriminant(a),
            "{path}"
        ),
    }
}

#[test]
fn the_json_has_every_key_of_formats_md_with_numbers_as_numbers() {
    let example: Value = serde_json::from_str(FORMATS_EXAMPLE).unwrap();
    let fixture = json_of(&analyze_in(&data("fixture"), &["--format", "json"]));
    same_shape(&example, &fixture, "");
    same_shape(&example, &small(&[]), "");
}

// --- the Python reference's figures on a generated data set --------------------------------------

/// Every number of `expected` (lists matched by key) within 1e-9 relative in `actual`; nulls
/// must match. Numbers that both underflow below 1e-300 are equal.
fn compare(
    expected: &Value,
    actual: &Value,
    path: &str,
    worst: &mut (f64, String),
    count: &mut usize,
) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                if k == "notes" {
                    continue;
                }
                let got = a.get(k).unwrap_or_else(|| panic!("{path}/{k} is missing"));
                compare(v, got, &format!("{path}/{k}"), worst, count);
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            let key = ["key", "rater", "name"]
                .into_iter()
                .find(|k| e.first().is_some_and(|x| x.get(*k).is_some()));
            assert_eq!(e.len(), a.len(), "{path}: lengths differ");
            for (i, x) in e.iter().enumerate() {
                let y = match key {
                    Some(k) => a
                        .iter()
                        .find(|y| y[k] == x[k])
                        .unwrap_or_else(|| panic!("{path}: no {}", x[k])),
                    None => &a[i],
                };
                compare(x, y, &format!("{path}[{i}]"), worst, count);
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            *count += 1;
            if x.abs() < 1e-300 && y.abs() < 1e-300 {
                return;
            }
            let d = (x - y).abs() / x.abs().max(y.abs());
            if d > worst.0 {
                *worst = (d, format!("{path}: {x} vs {y}"));
            }
        }
        (e, a) => assert_eq!(e, a, "{path}"),
    }
}

fn check_against_reference(dir: &str, reference: &str, args: &[&str], min_figures: usize) {
    let dir = data(dir);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(reference)).unwrap()).unwrap();
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let actual = json_of(&analyze_in(&dir, &all));
    let (mut worst, mut count) = ((0.0, String::new()), 0);
    compare(&expected, &actual, "", &mut worst, &mut count);
    assert!(count >= min_figures, "only {count} figures compared");
    assert!(
        worst.0 <= 1e-9,
        "largest relative difference {:e} at {}",
        worst.0,
        worst.1
    );
}

#[test]
fn every_figure_equals_the_python_reference_to_1e_9() {
    check_against_reference("fixture", "reference.json", &[], 500);
}

#[test]
fn every_figure_equals_the_python_reference_for_another_cycle_metric_and_periods() {
    check_against_reference(
        "fixture",
        "reference_win_rate.json",
        &[
            "--cycle", "2025-H2", "--metric", "win_rate", "--period", "2026-Q2", "--period",
            "2026-Q4",
        ],
        500,
    );
}

#[test]
fn the_tiny_data_set_matches_the_python_reference_nulls_included() {
    // analyze_data/small/reference.json: reference.py on the hand-made files. Degenerate
    // figures (negative ICCs, two subjects per ICC, a regression with too few sellers) must be
    // the same numbers, or null on both sides.
    check_against_reference("small", "reference.json", &[], 80);
}

// --- bad input: every rule, with its exact message -----------------------------------------------

struct Files {
    people: Vec<u8>,
    ratings: Vec<u8>,
    outcomes: Vec<u8>,
}

fn small_files() -> Files {
    let read = |f: &str| std::fs::read(data("small").join(f)).unwrap();
    Files {
        people: read("people.csv"),
        ratings: read("ratings.csv"),
        outcomes: read("outcomes.csv"),
    }
}

/// The line a record appended to `content` will be on.
fn next_line(content: &[u8]) -> usize {
    content.iter().filter(|b| **b == b'\n').count() + 1
}

fn problems(files: &Files) -> Vec<String> {
    match analyze::load_readers(
        default_model(),
        ("people.csv", &files.people[..]),
        ("ratings.csv", &files.ratings[..]),
        ("outcomes.csv", &files.outcomes[..]),
    ) {
        Ok(_) => Vec::new(),
        Err(LoadError::Input(e)) => e.to_string().lines().map(str::to_owned).collect(),
        Err(e) => panic!("unexpected error: {e}"),
    }
}

#[test]
fn the_small_data_set_is_valid() {
    assert_eq!(problems(&small_files()), Vec::<String>::new());
}

#[test]
fn every_bad_row_is_reported_as_file_line_column_problem() {
    enum Which {
        People,
        Ratings,
        Outcomes,
    }
    // (what is wrong, file, appended record, expected message with {line} for its line)
    let cases: &[(&str, Which, &str, &str)] = &[
        (
            "a score off the scale",
            Which::Ratings,
            "2026-H1,p3,p1,peer,humility,7,",
            "ratings.csv:{line}: score: 7 is outside the scale 1–5",
        ),
        (
            "a fractional score",
            Which::Ratings,
            "2026-H1,p3,p1,peer,humility,4.5,",
            "ratings.csv:{line}: score: \"4.5\" is not a whole number on the scale 1–5",
        ),
        (
            "an unknown quality",
            Which::Ratings,
            "2026-H1,p3,p1,peer,teamwork,4,",
            "ratings.csv:{line}: quality: \"teamwork\" is not a quality of the model (belief, humility, ownership, perseverance, trust_building, process_mastery, value_crafting, storytelling)",
        ),
        (
            "an unknown role",
            Which::Ratings,
            "2026-H1,p3,p1,boss,humility,4,",
            "ratings.csv:{line}: role: \"boss\" is not a rater role (self, manager, peer, coach or interviewer)",
        ),
        (
            "a self rating by someone else",
            Which::Ratings,
            "2026-H1,p3,p1,self,humility,3,",
            "ratings.csv:{line}: rater: a self rating needs rater = subject (p1 is not p3)",
        ),
        (
            "a repeated rating",
            Which::Ratings,
            "2026-H1,p1,m1,manager,belief,2,",
            "ratings.csv:{line}: rater: m1 already rated p1 on belief in cycle 2026-H1 (line 2)",
        ),
        (
            "a subject nobody knows",
            Which::Ratings,
            "2026-H1,p9,m1,manager,belief,3,",
            "ratings.csv:{line}: subject: p9 is not in people.csv",
        ),
        (
            "an empty required cell",
            Which::Ratings,
            "2026-H1,,m1,manager,belief,3,",
            "ratings.csv:{line}: subject: is required",
        ),
        (
            "too few fields",
            Which::Ratings,
            "2026-H1,p1,m1",
            "ratings.csv:{line}: row: has 3 fields, the header has 7",
        ),
        (
            "a repeated person",
            Which::People,
            "p2,Another Ben,East,m1,,,,,",
            "people.csv:{line}: id: p2 appears again (first on line 4)",
        ),
        (
            "an unknown manager",
            Which::People,
            "p5,Eve Stone,East,m9,,,,,",
            "people.csv:{line}: manager: m9 is not the id of a row of this file",
        ),
        (
            "a trailing indicator that is not a number",
            Which::People,
            "p5,Eve Stone,East,m1,ten,,,,",
            "people.csv:{line}: years_experience: \"ten\" is not a number (use . as the decimal point)",
        ),
        (
            "a domain expertise off its scale",
            Which::People,
            "p5,Eve Stone,East,m1,,,,,7",
            "people.csv:{line}: domain_expertise: must be between 1 and 5",
        ),
        (
            "a bad period",
            Which::Outcomes,
            "p1,2026-Q5,quota_attainment,1.0",
            "outcomes.csv:{line}: period: \"2026-Q5\" is not a period (use YYYY-Qn, YYYY-Hn, YYYY-MM or YYYY, e.g. 2026-Q3)",
        ),
        (
            "a decimal comma",
            Which::Outcomes,
            "p1,2026-Q1,win_rate,\"0,5\"",
            "outcomes.csv:{line}: value: \"0,5\" is not a number (use . as the decimal point)",
        ),
        (
            "a missing value",
            Which::Outcomes,
            "p1,2026-Q1,win_rate,",
            "outcomes.csv:{line}: value: is required",
        ),
        (
            "an outcome of nobody",
            Which::Outcomes,
            "p9,2026-Q1,quota_attainment,1.0",
            "outcomes.csv:{line}: subject: p9 is not in people.csv",
        ),
    ];
    for (what, which, record, expected) in cases {
        let mut files = small_files();
        let target = match which {
            Which::People => &mut files.people,
            Which::Ratings => &mut files.ratings,
            Which::Outcomes => &mut files.outcomes,
        };
        let line = next_line(target);
        target.extend_from_slice(record.as_bytes());
        target.push(b'\n');
        let want = expected.replace("{line}", &line.to_string());
        assert_eq!(problems(&files), vec![want], "{what}");
    }
}

#[test]
fn consecutive_rows_of_one_rater_are_each_checked() {
    // Rows that repeat the cycle, subject, rater and role of the row before take a shortcut;
    // a bad key must still be reported on every row, and a bad quality on its own row.
    let mut files = small_files();
    let line = next_line(&files.ratings);
    files.ratings.extend_from_slice(
        b"2026-H1,p3,p1,boss,humility,4,\n2026-H1,p3,p1,boss,belief,4,\n\
          2026-H1,p3,p1,peer,ownership,4,\n2026-H1,p3,p1,peer,teamwork,4,\n2026-H1,p3,p1,peer,storytelling,6,\n",
    );
    let role = "is not a rater role (self, manager, peer, coach or interviewer)";
    assert_eq!(
        problems(&files),
        vec![
            format!("ratings.csv:{line}: role: \"boss\" {role}"),
            format!("ratings.csv:{}: role: \"boss\" {role}", line + 1),
            format!(
                "ratings.csv:{}: quality: \"teamwork\" is not a quality of the model (belief, humility, ownership, perseverance, trust_building, process_mastery, value_crafting, storytelling)",
                line + 3
            ),
            format!(
                "ratings.csv:{}: score: 6 is outside the scale 1–5",
                line + 4
            ),
        ]
    );
}

#[test]
fn line_numbers_count_the_line_breaks_inside_quoted_cells() {
    // ratings.csv has a quoted evidence cell over two lines (lines 9–10): the next record is
    // on line 11.
    let mut files = small_files();
    let text = String::from_utf8(files.ratings.clone()).unwrap();
    files.ratings = text
        .replacen(
            "2026-H1,p2,p2,self,belief,3,",
            "2026-H1,p2,p2,self,belief,9,",
            1,
        )
        .into_bytes();
    assert_eq!(
        problems(&files),
        vec!["ratings.csv:11: score: 9 is outside the scale 1–5"]
    );
}

/// (what is wrong, people.csv, ratings.csv, outcomes.csv — empty = the small data set's —,
/// the problems expected).
type HeaderCase<'a> = (&'a str, &'a [u8], &'a [u8], &'a [u8], &'a [&'a str]);

#[test]
fn header_problems_name_the_column() {
    let cases: &[HeaderCase<'_>] = &[
        (
            "an unknown column",
            b"id,name,colour\np1,Ana,red\n",
            b"",
            b"",
            &[
                "people.csv:1: colour: unknown column (the columns are: id, name, email, team, manager, hire_date, years_experience, quota_track_record, tenure_years, vip_connections, domain_expertise)",
            ],
        ),
        (
            "a missing required column",
            b"",
            b"cycle,subject,rater,role,score\n2026-H1,p1,m1,manager,4\n",
            b"",
            &["ratings.csv:1: quality: required column is missing"],
        ),
        (
            "names are matched exactly",
            b"",
            b"",
            b"Subject,period,metric,value\n",
            &[
                "outcomes.csv:1: Subject: unknown column (the columns are: subject, period, metric, value)",
                "outcomes.csv:1: subject: required column is missing",
            ],
        ),
        (
            "a repeated column",
            b"",
            b"",
            b"subject,period,metric,value,value\n",
            &["outcomes.csv:1: value: appears twice in the header"],
        ),
    ];
    for (what, people, ratings, outcomes, want) in cases {
        let mut files = small_files();
        if !people.is_empty() {
            files.people = people.to_vec();
        }
        if !ratings.is_empty() {
            files.ratings = ratings.to_vec();
        }
        if !outcomes.is_empty() {
            files.outcomes = outcomes.to_vec();
        }
        let got = problems(&files);
        let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        // Other files may complain too (e.g. ratings of people no longer listed): compare the
        // file in question only.
        let file = want[0].split(':').next().unwrap();
        let got: Vec<String> = got.into_iter().filter(|g| g.starts_with(file)).collect();
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn an_empty_file_is_reported() {
    let mut files = small_files();
    files.outcomes = Vec::new();
    assert_eq!(
        problems(&files),
        vec!["outcomes.csv:1: header: the file is empty (a header row is expected)"]
    );
}

#[test]
fn a_byte_order_mark_and_any_column_order_are_accepted() {
    let mut files = small_files();
    let mut people = b"\xEF\xBB\xBF".to_vec();
    people.extend_from_slice(&files.people);
    files.people = people;
    files.outcomes = b"value,metric,period,subject\n1.0,quota_attainment,2026-Q1,p1\n".to_vec();
    assert_eq!(problems(&files), Vec::<String>::new());
}

#[test]
fn a_cell_that_is_not_utf8_is_named() {
    let mut files = small_files();
    files.people.extend_from_slice(b"p5,Ev\xFF,East,m1,,,,,\n");
    assert_eq!(
        problems(&files),
        vec!["people.csv:7: name: is not valid UTF-8"]
    );
}

#[test]
fn the_first_100_problems_are_listed_in_file_order_then_a_count() {
    let mut files = small_files();
    for _ in 0..150 {
        files
            .ratings
            .extend_from_slice(b"2026-H1,p1,m1,manager,belief,0,\n");
    }
    files
        .outcomes
        .extend_from_slice(b"p1,2026,quota_attainment,x\n");
    files.people.extend_from_slice(b"p6,,East,,,,,,\n");
    let lines = problems(&files);
    assert_eq!(lines.len(), 101);
    assert_eq!(lines[0], "people.csv:7: name: is required");
    assert!(
        lines[1].starts_with("ratings.csv:28: score: 0 is outside"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[100], "… and 52 more");
}

#[test]
fn bad_input_exits_non_zero_with_the_list_and_prints_nothing_on_stdout() {
    let dir = std::env::temp_dir().join(format!("sellerq-analyze-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files = small_files();
    std::fs::write(dir.join("people.csv"), &files.people).unwrap();
    let mut ratings = files.ratings.clone();
    ratings.extend_from_slice(b"2026-H1,p3,p1,peer,humility,6,\n");
    std::fs::write(dir.join("ratings.csv"), ratings).unwrap();
    std::fs::write(dir.join("outcomes.csv"), &files.outcomes).unwrap();
    let out = analyze_in(&dir, &["--format", "json"]);
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "nothing is computed from a half-read file"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the input has 1 problem; nothing was analysed"),
        "{err}"
    );
    assert!(
        err.contains("ratings.csv:28: score: 6 is outside the scale 1–5"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// --- the engine without CSV: what the web app will use ---------------------------------------------

#[test]
fn tables_filled_in_code_give_the_same_rules_and_a_tie_picks_the_larger_k() {
    let model = default_model();
    let mut people = PeopleTable::new("store");
    let mut ratings = RatingsTable::new("store", model);
    let outcomes = OutcomesTable::new("store");
    for (i, id) in ["s1", "s2", "s3", "s4", "r1", "r2", "r3"]
        .iter()
        .enumerate()
    {
        people.count_row();
        people.push(
            i as u64 + 1,
            analyze::dataset::PersonRow {
                id: sellerq_domain::PersonId::parse(id).unwrap(),
                manager: None,
                trailing: [None; 5],
            },
        );
    }
    // Two subjects with two raters, two with three: a tie, so k = 3.
    let mut line = 0;
    let mut rate = |subject: &str, rater: &str, score: u8| {
        line += 1;
        ratings.count_row();
        ratings.push(
            line,
            "2026-H1",
            subject,
            rater,
            RaterRole::Peer,
            "belief",
            Some(score),
        );
    };
    for (s, raters) in [("s1", 2), ("s2", 2), ("s3", 3), ("s4", 3)] {
        for (j, r) in ["r1", "r2", "r3"].iter().take(raters).enumerate() {
            rate(s, r, 2 + ((j + s.len()) % 3) as u8);
        }
    }
    let ds = analyze::Dataset::assemble(model, people, ratings, outcomes).unwrap();
    let report = analyze::compute(&ds, &Options::default()).unwrap();
    let belief = &report.qualities[0];
    assert_eq!((belief.icc.n_raters, belief.icc.n_subjects), (3, 2));
    assert_eq!(report.input.ratings, 10);
    // No outcomes: validity is null with a note, never NaN.
    assert_eq!(report.validity.n, 0);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("no rows with metric \"quota_attainment\""))
    );
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("NaN"));
}

#[test]
fn interviewer_ratings_enter_no_figure() {
    // FORMATS.md: a quality score is the mean of manager, peer and coach ratings; interviewer
    // scores belong to hiring. Add extreme interviewer ratings and expect identical figures.
    let dir = std::env::temp_dir().join(format!(
        "sellerq-analyze-interviewer-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["people.csv", "outcomes.csv"] {
        std::fs::copy(data("small").join(f), dir.join(f)).unwrap();
    }
    let mut ratings = std::fs::read_to_string(data("small").join("ratings.csv")).unwrap();
    if !ratings.ends_with('\n') {
        ratings.push('\n');
    }
    for q in ["belief", "humility", "storytelling"] {
        ratings.push_str(&format!("2026-H1,p1,ext-interviewer,interviewer,{q},1,\n"));
    }
    std::fs::write(dir.join("ratings.csv"), ratings).unwrap();
    let with = json_of(&analyze_in(&dir, &["--format", "json"]));
    let without = small(&[]);
    assert_eq!(with["qualities"], without["qualities"]);
    assert_eq!(with["raters"], without["raters"]);
    assert_eq!(with["validity"], without["validity"]);
    assert_eq!(
        f(&with["input"]["ratings"]),
        f(&without["input"]["ratings"]) + 3.0
    );
}
