//! `sellerq import …` and `sellerq export …`, run as a user would: the real binary on a fresh
//! database, files in a temporary directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sellerq_domain::assessment::{OrgSettings, profile};
use sellerq_store::Store;
use sellerq_store::sqlite::SqliteStore;

/// A fresh directory for one test's database and files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sellerq-transfer-{}-{}-{}",
        name,
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sellerq(dir: &Path, args: &[&str]) -> Output {
    sellerq_with_input(dir, args, None)
}

fn sellerq_with_input(dir: &Path, args: &[&str], input: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sellerq"))
        .arg("--db")
        .arg(dir.join("test.db"))
        .args(args)
        .current_dir(dir)
        .env_remove("SELLERQ_DB")
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sellerq binary runs");
    if let Some(text) = input {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn failed(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "should fail: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const PEOPLE: &str = "id,name,team,manager\n\
                      m-1,Mia Manager,West,\n\
                      p-1,Pat,West,m-1\n\
                      p-2,Pia,West,m-1\n\
                      p-3,Per,West,m-1\n\
                      p-4,Poe,West,m-1\n";

/// An organisation with the five people of [`PEOPLE`].
fn org_with_people(dir: &Path, org: &str) {
    ok(&sellerq(
        dir,
        &[
            "init",
            "--org",
            org,
            "--admin-email",
            &format!("admin@{org}.test"),
        ],
    ));
    write(dir, "people.csv", PEOPLE);
    ok(&sellerq(
        dir,
        &["import", "people", "people.csv", "--org", org],
    ));
}

/// Two cycles of ratings for p-1 and p-2: self, manager, three peers (one "not observed"), a
/// quoted evidence note with a comma and a line break.
fn ratings_file() -> String {
    let mut s = String::from("cycle,subject,rater,role,quality,score,evidence\n");
    for (cycle, base) in [("2025-H2", 2), ("2026-H1", 3)] {
        for subject in ["p-1", "p-2"] {
            for (i, q) in [
                "belief",
                "humility",
                "ownership",
                "perseverance",
                "trust_building",
                "process_mastery",
                "value_crafting",
                "storytelling",
            ]
            .iter()
            .enumerate()
            {
                let v = (base + i) % 5 + 1;
                s.push_str(&format!(
                    "{cycle},{subject},{subject},self,{q},{},\n",
                    (v % 5) + 1
                ));
                s.push_str(&format!(
                    "{cycle},{subject},m-1,manager,{q},{v},\"said \"\"yes\"\", then\nshipped\"\n"
                ));
                for (j, peer) in ["p-3", "p-4", "ext-9"].iter().enumerate() {
                    let score = if i == 7 && j == 2 {
                        String::new()
                    } else {
                        ((v + j) % 5 + 1).to_string()
                    };
                    s.push_str(&format!("{cycle},{subject},{peer},peer,{q},{score},\n"));
                }
            }
        }
    }
    s
}

/// Every profile of the organisation, per subject and cycle, as JSON text.
async fn profiles(store: &SqliteStore, org: &str) -> Vec<(String, String, String)> {
    let org = store.organisation_by_name(org).await.unwrap().unwrap();
    let mut out = Vec::new();
    for subject in ["p-1", "p-2"] {
        let id = sellerq_domain::PersonId::parse(subject).unwrap();
        for c in store.subject_ratings(org.id, &id).await.unwrap() {
            let model = store.model(org.id, c.cycle.model_version_id).await.unwrap();
            let p = profile(&model, &c.ratings, &OrgSettings::default());
            out.push((
                subject.to_owned(),
                c.cycle.name.to_string(),
                serde_json::to_string(&p).unwrap(),
            ));
        }
    }
    out
}

#[tokio::test]
async fn export_then_import_into_a_fresh_organisation_reproduces_every_profile() {
    let dir = temp_dir("roundtrip");
    org_with_people(&dir, "acme");
    org_with_people(&dir, "copy");
    write(&dir, "ratings.csv", &ratings_file());
    let imported = ok(&sellerq(
        &dir,
        &["import", "ratings", "ratings.csv", "--org", "acme"],
    ));
    assert!(
        imported.contains("Imported 160 ratings") && imported.contains("2025-H2, 2026-H1"),
        "{imported}"
    );

    let exported = ok(&sellerq(&dir, &["export", "ratings", "--org", "acme"]));
    write(&dir, "exported.csv", &exported);
    ok(&sellerq(
        &dir,
        &["import", "ratings", "exported.csv", "--org", "copy"],
    ));
    let again = ok(&sellerq(&dir, &["export", "ratings", "--org", "copy"]));

    assert_eq!(again, exported);
    assert_eq!(
        exported.lines().next(),
        Some("cycle,subject,rater,role,quality,score,evidence")
    );
    assert!(
        exported.contains("\"said \"\"yes\"\", then\nshipped\""),
        "quoted as RFC 4180"
    );
    let store = SqliteStore::open(&dir.join("test.db")).await.unwrap();
    let (acme, copy) = (
        profiles(&store, "acme").await,
        profiles(&store, "copy").await,
    );
    assert_eq!(acme.len(), 4, "two subjects, two cycles");
    assert_eq!(acme, copy);
}

#[test]
fn a_ratings_file_with_bad_rows_is_refused_whole_and_every_bad_row_is_named() {
    let dir = temp_dir("bad");
    org_with_people(&dir, "acme");
    write(
        &dir,
        "ratings.csv",
        "cycle,subject,rater,role,quality,score\n\
         2026-H1,p-1,m-1,manager,belief,3\n\
         2026-H1,p-1,m-1,boss,humility,3\n\
         2026-H1,ghost,m-1,manager,belief,3\n\
         2026-H1,p-2,m-1,manager,belief,9\n\
         2026-H1,p-2,p-3,self,belief,3\n\
         2026-H1,p-2,m-1,manager,charisma,3\n\
         2026-H1,p-1,m-1,manager,belief,4\n",
    );

    let err = failed(&sellerq(
        &dir,
        &["import", "ratings", "ratings.csv", "--org", "acme"],
    ));

    for want in [
        "ratings.csv: 6 problems — nothing was imported",
        "ratings.csv:3: role: \"boss\" is not a rater role",
        "ratings.csv:4: subject: no person with id ghost in this organisation",
        "ratings.csv:5: score: 9 is not on the scale 1–5",
        "ratings.csv:6: rater: a self rating's rater must be its subject (p-2), found p-3",
        "ratings.csv:7: quality: \"charisma\" is not a quality of model version 1",
        "ratings.csv:8: quality: appears twice: m-1 rated p-1 on belief in cycle 2026-H1 (first on line 2)",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{err}");
    }
    let exported = ok(&sellerq(&dir, &["export", "ratings", "--org", "acme"]));
    assert_eq!(
        exported.lines().count(),
        1,
        "only the header: nothing was written"
    );
}

#[test]
fn unknown_and_missing_columns_are_named_in_the_header() {
    let dir = temp_dir("header");
    org_with_people(&dir, "acme");
    write(
        &dir,
        "ratings.csv",
        "cycle,subject,rater,role,Score\n2026-H1,p-1,m-1,manager,3\n",
    );

    let err = failed(&sellerq(
        &dir,
        &["import", "ratings", "ratings.csv", "--org", "acme"],
    ));

    assert!(
        err.contains("ratings.csv:1: Score: unknown column"),
        "{err}"
    );
    assert!(
        err.contains("ratings.csv:1: quality: required column is missing"),
        "{err}"
    );
}

#[test]
fn a_report_lists_the_first_hundred_bad_rows_then_a_count() {
    let dir = temp_dir("hundred");
    org_with_people(&dir, "acme");
    let mut file = String::from("cycle,subject,rater,role,quality,score\n");
    for _ in 0..250 {
        file.push_str("2026-H1,p-1,m-1,manager,belief,seven\n");
    }
    write(&dir, "ratings.csv", &file);

    let err = failed(&sellerq(
        &dir,
        &["import", "ratings", "ratings.csv", "--org", "acme"],
    ));

    assert!(err.contains("ratings.csv:101: score:"), "{err}");
    assert!(!err.contains("ratings.csv:102: score:"), "{err}");
    assert!(err.contains("… and 150 more problems"), "{err}");
}

#[test]
fn a_byte_order_mark_crlf_lines_and_columns_in_any_order_are_accepted() {
    let dir = temp_dir("bom");
    org_with_people(&dir, "acme");
    write(
        &dir,
        "ratings.csv",
        "\u{feff}quality,score,role,rater,subject,cycle\r\n\
         belief,4,manager,m-1,p-1,2026-H1\r\n\
         humility,,peer,p-2,p-1,2026-H1\r\n",
    );

    ok(&sellerq(
        &dir,
        &["import", "ratings", "ratings.csv", "--org", "acme"],
    ));

    let exported = ok(&sellerq(&dir, &["export", "ratings", "--org", "acme"]));
    assert!(
        exported.contains("2026-H1,p-1,m-1,manager,belief,4,\n"),
        "{exported}"
    );
    assert!(
        exported.contains("2026-H1,p-1,p-2,peer,humility,,\n"),
        "{exported}"
    );
}

#[test]
fn export_of_one_cycle_goes_to_the_file_given() {
    let dir = temp_dir("cycle");
    org_with_people(&dir, "acme");
    write(&dir, "ratings.csv", &ratings_file());
    ok(&sellerq(
        &dir,
        &["import", "ratings", "ratings.csv", "--org", "acme"],
    ));

    let out = sellerq(
        &dir,
        &[
            "export", "ratings", "--org", "acme", "--cycle", "2026-H1", "--out", "h1.csv",
        ],
    );

    assert_eq!(ok(&out), "", "nothing on standard output");
    let text = std::fs::read_to_string(dir.join("h1.csv")).unwrap();
    let records = text.matches("\n2026-H1,").count() + usize::from(text.starts_with("2026-H1"));
    assert_eq!(records, 80);
    assert!(!text.contains("2025-H2"));
    let err = failed(&sellerq(
        &dir,
        &["export", "ratings", "--org", "acme", "--cycle", "2030-H1"],
    ));
    assert!(err.contains("--cycle"), "{err}");
}

#[test]
fn import_reads_standard_input_when_the_file_is_a_dash() {
    let dir = temp_dir("stdin");
    org_with_people(&dir, "acme");

    let out = sellerq_with_input(
        &dir,
        &["import", "ratings", "-", "--org", "acme"],
        Some("cycle,subject,rater,role,quality,score\n2026-H1,p-1,m-1,manager,belief,2\n"),
    );

    assert!(ok(&out).contains("Imported 1 ratings from <stdin>"));
    let bad = sellerq_with_input(
        &dir,
        &["import", "ratings", "-", "--org", "acme"],
        Some("cycle,subject,rater,role,quality,score\n2026-H1,p-1,m-1,manager,belief,2\n"),
    );
    assert!(failed(&bad).contains("<stdin>:2: quality: is already stored"));
}

#[test]
fn a_people_file_with_an_unknown_manager_is_refused_by_line_and_writes_nothing() {
    let dir = temp_dir("people");
    ok(&sellerq(
        &dir,
        &["init", "--org", "acme", "--admin-email", "admin@acme.test"],
    ));
    write(
        &dir,
        "people.csv",
        "id,name,manager,years_experience\n\
         p-1,Pat,m-9,3\n\
         p-2,Pia,p-1,-1\n\
         p-3,Per,p-1,2\n",
    );

    let err = failed(&sellerq(
        &dir,
        &["import", "people", "people.csv", "--org", "acme"],
    ));

    assert!(
        err.contains("people.csv:2: manager: no person with id m-9"),
        "{err}"
    );
    assert!(
        err.contains("people.csv:3: years_experience: must be at least 0"),
        "{err}"
    );
    write(&dir, "ok.csv", PEOPLE);
    let done = ok(&sellerq(
        &dir,
        &["import", "people", "ok.csv", "--org", "acme"],
    ));
    assert!(
        done.contains("5 created"),
        "{done}: nothing from the bad file was kept"
    );
}

#[test]
fn a_large_import_draws_no_progress_bar_when_standard_error_is_not_a_terminal() {
    let dir = temp_dir("quiet");
    org_with_people(&dir, "acme");
    let mut file = String::from("cycle,subject,rater,role,quality,score,evidence\n");
    let note = "x".repeat(60);
    for c in 0..2000 {
        for q in ["belief", "humility", "ownership", "perseverance"] {
            for (rater, role) in [("m-1", "manager"), ("p-2", "peer"), ("p-3", "peer")] {
                file.push_str(&format!("C-{c},p-1,{rater},{role},{q},3,{note}\n"));
            }
        }
    }
    assert!(file.len() > 1 << 20, "over the 1 MiB bar threshold");
    write(&dir, "ratings.csv", &file);

    let out = sellerq(&dir, &["import", "ratings", "ratings.csv", "--org", "acme"]);

    ok(&out);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "stderr stays clean"
    );
}

// --- outcomes.csv and the people export (issue 5) ----------------------------------------------

/// Outcomes of the five people of [`PEOPLE`]: two quarters of quota attainment, a win rate
/// first named by this file, and a value (0.1 + 0.2) whose shortest text has 17 digits.
const OUTCOMES: &str = "subject,period,metric,value\n\
                        p-1,2026-Q1,quota_attainment,0.9\n\
                        p-1,2026-Q2,quota_attainment,1.15\n\
                        p-2,2026-Q1,quota_attainment,0.30000000000000004\n\
                        p-2,2026-Q1,win_rate,0.25\n\
                        m-1,2026,quota_attainment,1\n";

#[test]
fn outcomes_export_then_import_into_a_fresh_organisation_reproduces_every_value() {
    let dir = temp_dir("outcomes-roundtrip");
    org_with_people(&dir, "acme");
    org_with_people(&dir, "copy");
    write(&dir, "outcomes.csv", OUTCOMES);

    let imported = ok(&sellerq(
        &dir,
        &["import", "outcomes", "outcomes.csv", "--org", "acme"],
    ));
    let exported = ok(&sellerq(&dir, &["export", "outcomes", "--org", "acme"]));
    write(&dir, "exported.csv", &exported);
    ok(&sellerq(
        &dir,
        &["import", "outcomes", "exported.csv", "--org", "copy"],
    ));
    let again = ok(&sellerq(&dir, &["export", "outcomes", "--org", "copy"]));
    let reimported = ok(&sellerq(
        &dir,
        &["import", "outcomes", "exported.csv", "--org", "copy"],
    ));
    ok(&sellerq(
        &dir,
        &[
            "export", "outcomes", "--org", "acme", "--metric", "win_rate", "--out", "win.csv",
        ],
    ));

    assert!(
        imported.contains("Imported 5 outcomes from outcomes.csv into \"acme\": 5 created, 0 updated, 1 metrics created."),
        "{imported}"
    );
    assert_eq!(again, exported);
    assert_eq!(
        exported,
        "subject,period,metric,value\n\
         m-1,2026,quota_attainment,1\n\
         p-1,2026-Q1,quota_attainment,0.9\n\
         p-1,2026-Q2,quota_attainment,1.15\n\
         p-2,2026-Q1,quota_attainment,0.30000000000000004\n\
         p-2,2026-Q1,win_rate,0.25\n",
        "by subject, metric and period; every value exact"
    );
    assert!(reimported.contains("0 created, 5 updated"), "{reimported}");
    assert_eq!(
        std::fs::read_to_string(dir.join("win.csv")).unwrap(),
        "subject,period,metric,value\np-2,2026-Q1,win_rate,0.25\n"
    );
}

#[test]
fn an_outcomes_file_with_one_bad_row_writes_nothing_and_every_bad_row_is_named() {
    let dir = temp_dir("outcomes-bad");
    org_with_people(&dir, "acme");
    write(
        &dir,
        "outcomes.csv",
        "subject,period,metric,value\n\
         p-1,2026-Q1,quota_attainment,0.9\n\
         p-9,2026-Q1,quota_attainment,0.8\n\
         p-2,2026-Q5,quota_attainment,0.7\n\
         p-1,2026-Q1,quota_attainment,1.0\n\
         p-3,2026-Q1,Win Rate,x\n",
    );
    write(
        &dir,
        "one-bad.csv",
        "subject,period,metric,value\np-1,2026-Q1,quota_attainment,0.9\np-9,2026-Q1,quota_attainment,0.8\n",
    );

    let err = failed(&sellerq(
        &dir,
        &["import", "outcomes", "outcomes.csv", "--org", "acme"],
    ));
    let one = failed(&sellerq(
        &dir,
        &["import", "outcomes", "one-bad.csv", "--org", "acme"],
    ));
    let header = failed(&sellerq_with_input(
        &dir,
        &["import", "outcomes", "-", "--org", "acme"],
        Some("subject,period,value,Metric\n"),
    ));

    for want in [
        "outcomes.csv: 5 problems — nothing was imported",
        "outcomes.csv:3: subject: no person with id p-9 in this organisation",
        "outcomes.csv:4: period: \"2026-Q5\" is not a period",
        "outcomes.csv:5: metric: appears twice: quota_attainment of p-1 in 2026-Q1 (first on line 2)",
        "outcomes.csv:6: metric: \"Win Rate\" is not a metric key",
        "outcomes.csv:6: value: \"x\" is not a number",
    ] {
        assert!(err.contains(want), "{want} in {err}");
    }
    assert!(
        one.contains("one-bad.csv:3: subject: no person with id p-9"),
        "{one}"
    );
    assert!(
        header.contains("<stdin>:1: Metric: unknown column"),
        "{header}"
    );
    assert!(
        header.contains("<stdin>:1: metric: required column is missing"),
        "{header}"
    );
    let exported = ok(&sellerq(&dir, &["export", "outcomes", "--org", "acme"]));
    assert_eq!(
        exported, "subject,period,metric,value\n",
        "nothing was written"
    );
}

#[test]
fn people_export_writes_the_formats_md_columns_and_round_trips() {
    let dir = temp_dir("people-export");
    ok(&sellerq(
        &dir,
        &["init", "--org", "acme", "--admin-email", "admin@acme.test"],
    ));
    ok(&sellerq(
        &dir,
        &["init", "--org", "copy", "--admin-email", "admin@acme.test"],
    ));
    write(
        &dir,
        "people.csv",
        "domain_expertise,id,name,email,team,manager,hire_date,years_experience,quota_track_record,tenure_years,vip_connections\n\
         4,p-2,\"Ruiz, Ana\",ana@acme.test,West,m-1,2022-03-01,4.5,0.30000000000000004,2,6\n\
         ,m-1,Mia Manager,,West,,,,,,\n\
         ,p-1,Pat,,,m-1,,,,,\n",
    );
    ok(&sellerq(
        &dir,
        &["import", "people", "people.csv", "--org", "acme"],
    ));

    let exported = ok(&sellerq(&dir, &["export", "people", "--org", "acme"]));
    write(&dir, "exported.csv", &exported);
    ok(&sellerq(
        &dir,
        &["import", "people", "exported.csv", "--org", "copy"],
    ));
    ok(&sellerq(
        &dir,
        &["export", "people", "--org", "copy", "--out", "again.csv"],
    ));

    assert_eq!(
        exported,
        "id,name,email,team,manager,hire_date,years_experience,quota_track_record,tenure_years,vip_connections,domain_expertise\n\
         m-1,Mia Manager,,West,,,,,,,\n\
         p-1,Pat,,,m-1,,,,,,\n\
         p-2,\"Ruiz, Ana\",ana@acme.test,West,m-1,2022-03-01,4.5,0.30000000000000004,2,6,4\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("again.csv")).unwrap(),
        exported
    );
}

#[test]
fn the_people_ratings_and_outcomes_exports_feed_analyze() {
    let dir = temp_dir("exports-analyze");
    org_with_people(&dir, "acme");
    write(&dir, "ratings.csv", &ratings_file());
    write(&dir, "outcomes.csv", OUTCOMES);
    ok(&sellerq(
        &dir,
        &["import", "ratings", "ratings.csv", "--org", "acme"],
    ));
    ok(&sellerq(
        &dir,
        &["import", "outcomes", "outcomes.csv", "--org", "acme"],
    ));
    for (what, file) in [
        ("people", "p.csv"),
        ("ratings", "r.csv"),
        ("outcomes", "o.csv"),
    ] {
        ok(&sellerq(
            &dir,
            &["export", what, "--org", "acme", "--out", file],
        ));
    }

    let json = ok(&sellerq(
        &dir,
        &[
            "analyze",
            "--people",
            "p.csv",
            "--ratings",
            "r.csv",
            "--outcomes",
            "o.csv",
            "--format",
            "json",
        ],
    ));

    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["input"]["people"], 5, "{json}");
    assert_eq!(report["input"]["ratings"], 160);
    assert_eq!(report["input"]["outcomes"], 5);
    assert_eq!(report["input"]["cycle"], "2026-H1");
}
