//! The validity and reliability reports through the real server (issue 5): their figures equal
//! `sellerq analyze` on the organisation's exported CSV files, only leaders and admins (and
//! coaches, for reliability) get them, and a change to the data is never served stale.
//!
//! These tests build their own server over a database file they know, so that the real
//! `sellerq` binary can import into and export from the same organisation.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use reqwest::StatusCode;
use sellerq::config::Config;
use sellerq::security;
use sellerq::web::{AppState, router};
use sellerq_domain::outcome::OutcomeInput;
use sellerq_domain::{Email, OrgName, PersonId, PersonInput, Role};
use sellerq_store::sqlite::SqliteStore;
use sellerq_store::{Actor, Store};
use serde_json::Value;

use crate::helpers::{ApiClient, password_hash};

const ORG: &str = "Evidence Test";
const QUALITIES: [&str; 8] = [
    "belief",
    "humility",
    "ownership",
    "perseverance",
    "trust_building",
    "process_mastery",
    "value_crafting",
    "storytelling",
];

/// A small deterministic generator (64-bit LCG) for the seed data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        ((self.next() * n as f64) as u64).min(n - 1)
    }
}

/// A server over a known database file, one organisation, and an API token per role.
struct EvidenceApp {
    address: String,
    store: Arc<dyn Store>,
    org_id: i64,
    db: PathBuf,
    dir: PathBuf,
    tokens: HashMap<Role, String>,
}

impl Drop for EvidenceApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl EvidenceApp {
    fn api(&self, role: Role) -> ApiClient {
        ApiClient {
            client: reqwest::Client::new(),
            address: self.address.clone(),
            token: self.tokens[&role].clone(),
        }
    }

    /// Runs the real binary on this database; panics with its output when it fails.
    fn sellerq(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_sellerq"))
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .env_remove("SELLERQ_DB")
            .output()
            .expect("the sellerq binary runs");
        assert!(
            out.status.success(),
            "sellerq {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `sellerq export people|ratings|outcomes` then `sellerq analyze --format json` on the
    /// three files, with `extra` analyze arguments.
    fn analyze_exported(&self, extra: &[&str]) -> Value {
        let file = |name: &str| self.dir.join(name).to_string_lossy().into_owned();
        for what in ["people", "ratings", "outcomes"] {
            self.sellerq(&[
                "export",
                what,
                "--org",
                ORG,
                "--out",
                &file(&format!("{what}.csv")),
            ]);
        }
        let mut args = vec![
            "analyze".to_owned(),
            "--people".to_owned(),
            file("people.csv"),
            "--ratings".to_owned(),
            file("ratings.csv"),
            "--outcomes".to_owned(),
            file("outcomes.csv"),
            "--format".to_owned(),
            "json".to_owned(),
        ];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.sellerq(&refs);
        serde_json::from_str(&out).expect("analyze prints JSON")
    }
}

/// Sellers with trailing indicators (vip_connections nowhere, so it is omitted; some sellers
/// miss a value, so they drop out listwise), ratings of two cycles imported through
/// `sellerq import ratings` (manager, two or three peers, self, an external coach for some,
/// a few "not observed"), and quota_attainment and bookings outcomes over three quarters.
async fn spawn_evidence_app(sellers: usize) -> EvidenceApp {
    let dir = std::env::temp_dir().join(format!(
        "sellerq-analytics-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let db = dir.join("evidence.db");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db).await.expect("database opens"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = format!("http://{}", listener.local_addr().expect("an address"));
    let app = router(AppState::new(store.clone(), Config::new(db.clone())));
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });

    let actor = Actor::system("test");
    let org = store
        .create_organisation(&OrgName::parse(ORG).expect("name"), &actor)
        .await
        .expect("organisation");
    let mut tokens = HashMap::new();
    for role in Role::ALL {
        let user = store
            .create_user(
                &Email::parse(&format!("{}@evidence.test", role.as_str())).expect("e-mail"),
                role.label(),
                &password_hash("evidence-pass-phrase"),
            )
            .await
            .expect("user");
        store
            .set_membership(org.id, user.id, role, &[], &actor)
            .await
            .expect("membership");
        let token = security::new_token();
        store
            .create_api_token(org.id, user.id, &security::token_hash(&token), "t", &actor)
            .await
            .expect("token");
        tokens.insert(role, token);
    }

    let mut rng = Lcg(42);
    let managers = ["m-01", "m-02", "m-03"];
    let mut people: Vec<PersonInput> = managers
        .iter()
        .map(|id| person(id, &format!("Manager {id}"), None))
        .collect();
    let mut talent = Vec::new();
    for i in 0..sellers {
        let id = format!("s-{i:03}");
        let mut p = person(&id, &format!("Seller {i}"), Some(managers[i % 3]));
        let skip = rng.below(10) == 0;
        p.years_experience = (!skip).then(|| (rng.below(200) as f64) / 10.0);
        p.quota_track_record = Some(0.5 + rng.next());
        p.tenure_years = Some(rng.below(12) as f64);
        p.domain_expertise = Some(1.0 + rng.below(5) as f64);
        talent.push(rng.next());
        people.push(p);
    }
    store
        .import_people(org.id, &people, &actor)
        .await
        .expect("people");

    let mut csv = String::from("cycle,subject,rater,role,quality,score,evidence\n");
    for cycle in ["2025-H2", "2026-H1"] {
        for (i, t) in talent.iter().enumerate() {
            let subject = format!("s-{i:03}");
            let mut raters = vec![(managers[i % 3].to_owned(), "manager")];
            for k in 0..(2 + rng.below(2) as usize) {
                raters.push((format!("s-{:03}", (i + 1 + k * 7) % sellers), "peer"));
            }
            if i % 4 == 0 {
                raters.push(("ext-coach".to_owned(), "coach"));
            }
            raters.push((subject.clone(), "self"));
            for (rater, role) in &raters {
                let bias = if rater == "m-02" { 0.8 } else { 0.0 };
                for (q, quality) in QUALITIES.iter().enumerate() {
                    let raw = 1.0 + 4.0 * t + bias + (rng.next() - 0.5) * 2.0 + q as f64 * 0.05;
                    let score = if rng.below(25) == 0 {
                        String::new()
                    } else {
                        (raw.round() as i64).clamp(1, 5).to_string()
                    };
                    csv.push_str(&format!(
                        "{cycle},{subject},{rater},{role},{quality},{score},\n"
                    ));
                }
            }
        }
    }
    let ratings = dir.join("seed-ratings.csv");
    std::fs::write(&ratings, csv).expect("seed ratings written");

    let mut outcomes = Vec::new();
    for (i, t) in talent.iter().enumerate() {
        let subject = PersonId::parse(&format!("s-{i:03}")).expect("id");
        for period in ["2026-Q2", "2026-Q3", "2026-Q4"] {
            let noise = rng.next() - 0.5;
            for (metric, value) in [
                ("quota_attainment", 0.6 + 0.5 * t + 0.4 * noise),
                ("bookings", (100_000.0 * (0.5 + t + noise)).round()),
            ] {
                outcomes.push((
                    outcomes.len() as u64 + 2,
                    OutcomeInput {
                        subject: subject.clone(),
                        period: period.to_owned(),
                        metric: metric.to_owned(),
                        value,
                    },
                ));
            }
        }
    }
    store
        .import_outcomes(org.id, &outcomes, &actor)
        .await
        .expect("outcomes");

    let app = EvidenceApp {
        address,
        store,
        org_id: org.id,
        db,
        dir,
        tokens,
    };
    app.sellerq(&[
        "import",
        "ratings",
        &ratings.to_string_lossy(),
        "--org",
        ORG,
    ]);
    app
}

fn person(id: &str, name: &str, manager: Option<&str>) -> PersonInput {
    PersonInput {
        id: PersonId::parse(id).expect("id"),
        name: name.to_owned(),
        email: None,
        team: None,
        manager: manager.map(|m| PersonId::parse(m).expect("manager id")),
        hire_date: None,
        years_experience: None,
        quota_track_record: None,
        tenure_years: None,
        vip_connections: None,
        domain_expertise: None,
    }
}

/// Every key of `expected` is in `actual` with the same value: numbers to 1e-12 relative.
fn assert_same(path: &str, actual: &Value, expected: &Value) {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            assert!(
                a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs()),
                "{path}: API {a:e} vs analyze {b:e}"
            );
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, bv) in b {
                let av = a
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} is missing from the API's answer"));
                assert_same(&format!("{path}.{k}"), av, bv);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: lengths differ");
            for (i, (av, bv)) in a.iter().zip(b).enumerate() {
                assert_same(&format!("{path}[{i}]"), av, bv);
            }
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

#[tokio::test]
async fn the_validity_api_equals_sellerq_analyze_on_the_exported_files() {
    // Arrange
    let app = spawn_evidence_app(90).await;
    let leader = app.api(Role::Leader);

    // Act: defaults, then a chosen cycle, metric and periods.
    let default = leader.get("/analytics/validity").await;
    let chosen = leader
        .get("/analytics/validity?cycle=2025-H2&metric=bookings&period=2026-Q4&period=2026-Q3")
        .await;
    let cli_default = app.analyze_exported(&[]);
    let cli_chosen = app.analyze_exported(&[
        "--cycle", "2025-H2", "--metric", "bookings", "--period", "2026-Q3", "--period", "2026-Q4",
    ]);

    // Assert
    for (resp, cli) in [(&default, &cli_default), (&chosen, &cli_chosen)] {
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
        let api = resp.json();
        assert_same("validity", &api, &cli["validity"]);
        assert_eq!(api["cycle"], cli["input"]["cycle"]);
        assert_eq!(api["metric"], cli["input"]["metric"]);
        assert_eq!(api["periods"], cli["input"]["periods"]);
        assert!(api["verdict"].as_str().is_some_and(|v| v.ends_with('.')));
        assert!(api["caveats"].as_array().is_some_and(|c| c.len() >= 2));
        assert_eq!(api["cross_validation"]["folds"], 10);
        assert!(api["cross_validation"]["r2_full"].is_number());
        let (low, high) = (
            api["delta_r2_interval"]["low"].as_f64().unwrap_or(f64::NAN),
            api["delta_r2_interval"]["high"]
                .as_f64()
                .unwrap_or(f64::NAN),
        );
        assert!(low <= high, "{low} {high}");
    }
    assert_eq!(cli_default["validity"]["omitted"][0], "vip_connections");
    assert!(
        cli_default["validity"]["n"].as_u64() < Some(90),
        "sellers without years_experience drop out"
    );
    assert_eq!(default.json()["cycle"], "2026-H1");

    // The CSV carries the same figures.
    let csv = leader
        .get("/analytics/validity.csv?cycle=2025-H2&metric=bookings&period=2026-Q3&period=2026-Q4")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.text
            .starts_with("indicator,kind,n,r,ci_low,ci_high,p,rho,sd,mode_share\n")
    );
    let first = csv.text.lines().nth(1).unwrap_or_default();
    let r: f64 = first
        .split(',')
        .nth(3)
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    assert_eq!(
        Some(r),
        cli_chosen["validity"]["indicators"][0]["r"].as_f64()
    );
}

#[tokio::test]
async fn the_reliability_api_equals_sellerq_analyze_on_the_exported_files() {
    let app = spawn_evidence_app(60).await;

    let resp = app
        .api(Role::Admin)
        .get("/analytics/reliability?cycle=2026-H1")
        .await;
    let cli = app.analyze_exported(&["--cycle", "2026-H1"]);

    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    let api = resp.json();
    let figures: Vec<Value> = api["qualities"]
        .as_array()
        .map(|qs| qs.iter().map(|q| q["figures"].clone()).collect())
        .unwrap_or_default();
    assert_same("qualities", &Value::Array(figures), &cli["qualities"]);
    assert_same("cronbach", &api["cronbach"], &cli["cronbach_alpha"]);
    let by_id: HashMap<&str, &Value> = api["raters"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| (r["rater"].as_str().unwrap_or_default(), r))
                .collect()
        })
        .unwrap_or_default();
    let cli_raters = cli["raters"].as_array().cloned().unwrap_or_default();
    assert_eq!(by_id.len(), cli_raters.len(), "every rater, once");
    for r in &cli_raters {
        let id = r["rater"].as_str().unwrap_or_default();
        assert_same(&format!("raters[{id}]"), by_id[id], r);
    }
    // Manager m-02 scores 0.8 points higher than the others: lenient, with an interval.
    let m02 = by_id["m-02"];
    assert!(m02["leniency"].as_f64() > Some(0.3), "{m02}");
    assert!(m02["ci_low"].as_f64() < m02["leniency"].as_f64());
    assert_eq!(m02["name"], "Manager m-02");
    assert_eq!(
        by_id["ext-coach"]["name"],
        Value::Null,
        "an external rater has no name"
    );
    assert_eq!(api["agreement"].as_array().map(Vec::len), Some(8));
    assert_eq!(api["alpha_if_dropped"].as_array().map(Vec::len), Some(8));
    let badge = api["qualities"][0]["badge"].as_str().unwrap_or_default();
    assert!(["good", "fair", "poor", "unknown"].contains(&badge));
}

#[tokio::test]
async fn sellers_managers_and_interviewers_are_refused_the_organisation_wide_reports() {
    let app = spawn_evidence_app(12).await;
    for role in [Role::Seller, Role::Manager, Role::Interviewer] {
        let api = app.api(role);
        for path in [
            "/analytics/validity",
            "/analytics/validity.csv",
            "/analytics/reliability",
        ] {
            let resp = api.get(path).await;
            assert_eq!(resp.status, StatusCode::FORBIDDEN, "{role} on {path}");
            assert_eq!(resp.error_code().as_deref(), Some("forbidden"));
        }
    }
    let coach = app.api(Role::Coach);
    assert_eq!(
        coach.get("/analytics/reliability").await.status,
        StatusCode::OK,
        "a coach sees reliability in the organisations they coach"
    );
    assert_eq!(
        coach.get("/analytics/validity").await.status,
        StatusCode::FORBIDDEN
    );
    let anonymous = reqwest::Client::new()
        .get(format!("{}/api/v1/analytics/validity", app.address))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_choices_are_named_in_the_error() {
    let app = spawn_evidence_app(12).await;
    let leader = app.api(Role::Leader);
    for (query, field, status) in [
        ("cycle=1999-H1", "cycle", StatusCode::UNPROCESSABLE_ENTITY),
        ("metric=nps", "metric", StatusCode::UNPROCESSABLE_ENTITY),
        ("period=2026-Q5", "period", StatusCode::UNPROCESSABLE_ENTITY),
        ("perod=2026-Q3", "perod", StatusCode::BAD_REQUEST),
    ] {
        let resp = leader.get(&format!("/analytics/validity?{query}")).await;
        assert_eq!(resp.status, status, "{query}: {}", resp.text);
        assert_eq!(resp.error_field().as_deref(), Some(field), "{query}");
    }
}

#[tokio::test]
async fn a_changed_outcome_is_never_served_from_the_cache() {
    // Arrange: a first request fills the cache.
    let app = spawn_evidence_app(40).await;
    let leader = app.api(Role::Leader);
    let before = leader.get("/analytics/validity").await.json();
    let again = leader.get("/analytics/validity").await.json();
    assert_eq!(before, again, "the same data give the same figures");

    // Act: some sellers' results change.
    let changed: Vec<(u64, OutcomeInput)> = (0..40)
        .step_by(3)
        .map(|i| {
            (
                i + 2,
                OutcomeInput {
                    subject: PersonId::parse(&format!("s-{i:03}")).expect("id"),
                    period: "2026-Q3".to_owned(),
                    metric: "quota_attainment".to_owned(),
                    value: 9.5,
                },
            )
        })
        .collect();
    app.store
        .import_outcomes(app.org_id, &changed, &Actor::system("test"))
        .await
        .expect("outcomes replaced");
    let after = leader.get("/analytics/validity").await.json();

    // Assert: fresh figures, equal to analyze's on the changed data.
    assert_ne!(before["indicators"], after["indicators"]);
    let cli = app.analyze_exported(&[]);
    assert_same("validity", &after, &cli["validity"]);
}

#[tokio::test]
async fn the_reports_default_to_the_latest_closed_cycle_and_else_to_the_latest_rated_one() {
    // Arrange: both rated cycles are open.
    let app = spawn_evidence_app(30).await;
    let leader = app.api(Role::Leader);
    let while_open = (
        leader.get("/analytics/validity").await.json(),
        leader.get("/analytics/reliability").await.json(),
    );

    // Act: the earlier cycle closes (all its sheets are in); the later stays open.
    let closed = app
        .store
        .cycle_by_name(app.org_id, "2025-H2")
        .await
        .expect("cycles")
        .expect("2025-H2 exists");
    app.store
        .set_cycle_status(
            app.org_id,
            closed.id,
            sellerq_domain::assessment::CycleStatus::Closed,
            &Actor::system("test"),
        )
        .await
        .expect("the cycle closes");
    let validity = leader.get("/analytics/validity").await.json();
    let reliability = leader.get("/analytics/reliability").await.json();

    // Assert: without a closed cycle the latest rated one, then the closed one — with
    // analyze's figures for that cycle.
    assert_eq!(while_open.0["cycle"], "2026-H1");
    assert_eq!(while_open.1["cycle"], "2026-H1");
    assert_eq!(validity["cycle"], "2025-H2");
    assert_eq!(reliability["cycle"], "2025-H2");
    let cli = app.analyze_exported(&["--cycle", "2025-H2"]);
    assert_same("validity", &validity, &cli["validity"]);
    let open = leader.get("/analytics/validity?cycle=2026-H1").await.json();
    assert_eq!(
        open["cycle"], "2026-H1",
        "an open cycle can still be chosen"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_key_of_the_validity_report() {
    let app = spawn_evidence_app(12).await;
    let report = app
        .api(Role::Leader)
        .get("/analytics/validity")
        .await
        .json();
    let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", app.address))
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the document is JSON");

    let schema = &doc["components"]["schemas"]["ValidityReport"]["properties"];
    let documented: Vec<&String> = schema
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    let answered: Vec<&String> = report
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(documented, answered);
    let indicator = &doc["components"]["schemas"]["IndicatorJson"]["properties"];
    let documented: Vec<&String> = indicator
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    let answered: Vec<&String> = report["indicators"][0]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(documented, answered);
    for path in [
        "/analytics/validity",
        "/analytics/validity.csv",
        "/analytics/reliability",
    ] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{path} is documented"
        );
    }
}
