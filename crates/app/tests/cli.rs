//! The `sellerq` command line, run as a user would: the real binary, a fresh database.

use std::path::PathBuf;
use std::process::{Command, Output};

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sellerq-cli-{}-{}-{}",
        name,
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("test.db")
}

fn sellerq(db: &PathBuf, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sellerq"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SELLERQ_DB")
        .output()
        .expect("the sellerq binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn model_file(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn model_show_prints_the_eight_qualities_in_spectrum_order() {
    let db = temp_db("show");
    let out = sellerq(&db, &["model", "show"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let names = [
        "Belief",
        "Humility",
        "Ownership",
        "Perseverance",
        "Trust Building",
        "Process Mastery",
        "Value Crafting",
        "Storytelling",
    ];
    let positions: Vec<usize> = names
        .iter()
        .map(|n| text.find(n).unwrap_or_else(|| panic!("{n} missing")))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "not in spectrum order: {positions:?}"
    );
    assert!(!db.exists(), "showing the default model needs no database");
}

#[test]
fn model_show_json_has_the_api_shape() {
    let db = temp_db("showjson");
    let out = sellerq(&db, &["model", "show", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["scale"]["min"], 1);
    assert_eq!(v["scale"]["max"], 5);
    let keys: Vec<&str> = v["qualities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["key"].as_str().unwrap())
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
    assert_eq!(v["qualities"][0]["levels"].as_array().unwrap().len(), 5);
}

#[test]
fn model_validate_names_the_field_path_of_a_broken_file() {
    let db = temp_db("validate");
    let dir = db.parent().unwrap();
    let good = model_file(dir, "good.toml", sellerq_domain::model::DEFAULT_MODEL_TOML);
    let out = sellerq(&db, &["model", "validate", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("valid"));

    // Misspell the anchor key of the third level of the fourth quality.
    let text = sellerq_domain::model::DEFAULT_MODEL_TOML;
    let q4 = text.match_indices("\n[[qualities]]").nth(3).unwrap().0;
    let l3 = q4
        + text[q4..]
            .match_indices("\n[[qualities.levels]]")
            .nth(2)
            .unwrap()
            .0;
    let a = l3 + text[l3..].find("anchor =").unwrap();
    let broken_text = format!("{}anchr ={}", &text[..a], &text[a + "anchor =".len()..]);
    let broken = model_file(dir, "broken.toml", &broken_text);
    let out = sellerq(&db, &["model", "validate", broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("qualities[3].levels[2].anchor"),
        "stderr was: {}",
        stderr(&out)
    );
}

#[test]
fn model_diff_reports_a_renamed_quality() {
    let db = temp_db("diff");
    let dir = db.parent().unwrap();
    let old = model_file(dir, "old.toml", sellerq_domain::model::DEFAULT_MODEL_TOML);
    let renamed = sellerq_domain::model::DEFAULT_MODEL_TOML.replacen(
        "name = \"Storytelling\"",
        "name = \"Narrative Selling\"",
        1,
    );
    let new = model_file(dir, "new.toml", &renamed);
    let out = sellerq(
        &db,
        &[
            "model",
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Narrative Selling"), "{text}");
    let same = sellerq(
        &db,
        &[
            "model",
            "diff",
            old.to_str().unwrap(),
            old.to_str().unwrap(),
        ],
    );
    assert!(stdout(&same).contains("No differences"));
}

#[test]
fn init_creates_an_organisation_and_prints_the_password_once() {
    let db = temp_db("init");
    let out = sellerq(
        &db,
        &["init", "--org", "Acme", "--admin-email", "Ops@Acme.example"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("ops@acme.example"), "{text}");
    assert!(text.contains("Password (shown once): "), "{text}");

    let again = sellerq(
        &db,
        &["init", "--org", "Acme", "--admin-email", "x@acme.example"],
    );
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already exists"));

    // A second organisation on the same database, same admin: no new password.
    let second = sellerq(
        &db,
        &[
            "init",
            "--org",
            "Globex",
            "--admin-email",
            "ops@acme.example",
        ],
    );
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(!stdout(&second).contains("Password"));
}

#[test]
fn user_add_and_token_create_work_and_refuse_bad_arguments() {
    let db = temp_db("user");
    assert!(
        sellerq(
            &db,
            &["init", "--org", "Acme", "--admin-email", "a@acme.example"]
        )
        .status
        .success()
    );
    let out = sellerq(
        &db,
        &[
            "user",
            "add",
            "--org",
            "Acme",
            "--email",
            "c@coach.example",
            "--name",
            "Cora Coach",
            "--role",
            "coach",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Password (shown once)"));

    let bad_role = sellerq(
        &db,
        &[
            "user",
            "add",
            "--org",
            "Acme",
            "--email",
            "d@acme.example",
            "--name",
            "D",
            "--role",
            "boss",
        ],
    );
    assert!(!bad_role.status.success());
    assert!(
        stderr(&bad_role).contains("--role"),
        "{}",
        stderr(&bad_role)
    );

    let bad_org = sellerq(
        &db,
        &[
            "user",
            "add",
            "--org",
            "Nope",
            "--email",
            "d@acme.example",
            "--name",
            "D",
            "--role",
            "seller",
        ],
    );
    assert!(stderr(&bad_org).contains("--org"), "{}", stderr(&bad_org));

    let bad_team = sellerq(
        &db,
        &[
            "user",
            "add",
            "--org",
            "Acme",
            "--email",
            "m@acme.example",
            "--name",
            "M",
            "--role",
            "manager",
            "--team",
            "Ghosts",
        ],
    );
    assert!(
        stderr(&bad_team).contains("--team"),
        "{}",
        stderr(&bad_team)
    );

    let token = sellerq(
        &db,
        &[
            "token",
            "create",
            "--org",
            "Acme",
            "--email",
            "c@coach.example",
        ],
    );
    assert!(token.status.success(), "{}", stderr(&token));
    assert_eq!(stdout(&token).trim().len(), 43);

    let stranger = sellerq(
        &db,
        &[
            "token",
            "create",
            "--org",
            "Acme",
            "--email",
            "zz@acme.example",
        ],
    );
    assert!(!stranger.status.success());
}

#[test]
fn migrate_lists_every_migration_up_to_the_outcomes() {
    let db = temp_db("migrate-list");
    let out = sellerq(&db, &["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in ["0001 foundation", "0002 assessment", "0003 outcomes"] {
        assert!(text.contains(line), "{line} in {text}");
    }
}

#[test]
fn exports_refuse_an_unknown_organisation_or_metric_naming_what_exists() {
    let db = temp_db("export-args");
    let init = sellerq(
        &db,
        &["init", "--org", "Acme", "--admin-email", "admin@acme.test"],
    );
    assert!(init.status.success(), "{}", stderr(&init));

    let no_org = sellerq(&db, &["export", "people", "--org", "Nope"]);
    let no_metric = sellerq(
        &db,
        &[
            "export", "outcomes", "--org", "Acme", "--metric", "bookings",
        ],
    );
    let empty = sellerq(&db, &["export", "outcomes", "--org", "Acme"]);

    assert!(!no_org.status.success());
    assert!(
        stderr(&no_org).contains("--org: there is no organisation named \"Nope\""),
        "{}",
        stderr(&no_org)
    );
    assert!(!no_metric.status.success());
    assert!(
        stderr(&no_metric).contains(
            "--metric: \"Acme\" has no metric \"bookings\" (its metrics: quota_attainment)"
        ),
        "{}",
        stderr(&no_metric)
    );
    assert!(empty.status.success(), "{}", stderr(&empty));
    assert_eq!(stdout(&empty), "subject,period,metric,value\n");
}

#[test]
fn migrate_is_idempotent() {
    let db = temp_db("migrate");
    let first = sellerq(&db, &["migrate"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let second = sellerq(&db, &["migrate"]);
    assert!(second.status.success());
    assert!(
        stdout(&second).contains("up to date"),
        "{}",
        stdout(&second)
    );
}

#[test]
fn an_unwritable_database_path_stops_with_a_message_naming_it() {
    let db = PathBuf::from("/proc/sellerq-cannot-write-here/x.db");
    let out = sellerq(&db, &["migrate"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("/proc/sellerq-cannot-write-here/x.db"),
        "{}",
        stderr(&out)
    );
}

/// Sends a GET over a plain TCP connection and returns the whole response.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serve_demo_prints_the_url_and_logins_answers_health_computes_the_reports_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let db = temp_db("serve");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sellerq"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env("SELLERQ_LOG", "info")
        .env("SELLERQ_LOG_FORMAT", "text")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The log, line by line, read on its own thread so that the pipe never fills.
    let (log_tx, log_rx) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if log_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let mut url = None;
    // Read until the closing line of the banner.
    for _ in 0..200 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if url.is_none()
            && let Some(rest) = line.split("running at http://").nth(1)
        {
            url = rest.split_whitespace().next().map(str::to_owned);
        }
        printed.push_str(&line);
        if line.contains("/login and sign in") {
            break;
        }
    }
    let addr = url.expect("the banner names the URL");
    for role in [
        "admin",
        "leader",
        "manager",
        "coach",
        "seller",
        "interviewer",
    ] {
        assert!(
            printed.lines().any(|l| l.trim_start().starts_with(role)),
            "no {role} login in:\n{printed}"
        );
    }
    assert!(http_get(&addr, "/healthz").starts_with("HTTP/1.1 200"));
    assert!(http_get(&addr, "/readyz").starts_with("HTTP/1.1 200"));
    let people = http_get(&addr, "/people");
    assert!(
        people.starts_with("HTTP/1.1 303") || people.starts_with("HTTP/1.1 302"),
        "{people}"
    );
    // The demo's validity and reliability reports are computed in the background at start.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut seen = Vec::new();
    let computed = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match log_rx.recv_timeout(left) {
            Ok(line) if line.contains("default reports computed in the background") => {
                break line;
            }
            Ok(line) => seen.push(line),
            Err(_) => panic!(
                "no background computation logged; the log:\n{}",
                seen.join("\n")
            ),
        }
    };
    // Both reports of every rated demo cycle (the demo has fewer than the cache keeps).
    let count = |field: &str| -> usize {
        computed
            .split_whitespace()
            .find_map(|w| w.strip_prefix(field))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    assert!(count("validity=") >= 2, "{computed}");
    assert_eq!(count("validity="), count("reliability="), "{computed}");

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "graceful shutdown exits 0, got {status:?}"
    );
}
