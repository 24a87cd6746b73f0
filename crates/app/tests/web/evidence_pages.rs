//! The validity and reliability report pages (issue 5): what a leader sees (the verdict, the
//! forest plot, the hierarchical card, the scatter plot), who is refused, the empty states,
//! and that the form's choices change the figures.
//!
//! The seed adds 40 sellers to Acme Sales with every trailing indicator, one cycle of ratings
//! (the manager Mia, two peers among the sellers, self) and two outcome metrics over two
//! quarters: `quota_attainment`, which follows the sellers' latent skill, and `win_rate`, which
//! follows one quality and mostly noise — so the two metrics give different figures.

use reqwest::StatusCode;
use sellerq_domain::assessment::RaterRole;
use sellerq_domain::outcome::{Metric, OutcomeInput, RATIO_UNIT};
use sellerq_domain::{PersonId, Role};
use sellerq_store::Actor;

use crate::helpers::{TestApp, TestClient, person, person_input, spawn_app};
use crate::profile::{Seed, seed_ratings};

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
const CYCLE: &str = "2026-H1";
const SELLERS: usize = 40;

/// A small deterministic generator for the seed (SplitMix64).
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal, mean 0, SD 1 (sum of uniforms).
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }
}

fn seller_id(i: usize) -> String {
    format!("ev-{i:03}")
}

/// The sellers, their ratings in [`CYCLE`] and (with `outcomes`) both metrics' outcomes.
async fn seed_evidence(app: &TestApp, outcomes: bool) {
    let actor = Actor::system("test");
    let mut rng = Rng(2026);
    let mut skill = Vec::new();
    for i in 0..SELLERS {
        let mut p = person_input(
            &seller_id(i),
            &format!("Evidence Seller {i}"),
            Some("East"),
            Some(person::MANAGER),
        );
        p.years_experience = Some((2.0 + rng.unit() * 15.0).round());
        p.quota_track_record = Some(0.7 + rng.unit() * 0.5);
        p.tenure_years = Some((1.0 + rng.unit() * 6.0).round());
        p.vip_connections = Some((rng.unit() * 12.0).round());
        p.domain_expertise = Some((1.0 + rng.unit() * 4.0).round());
        app.store
            .create_person(app.org_id, &p, &actor)
            .await
            .expect("seed seller");
        skill.push(rng.normal() * 0.8);
    }

    let mut rows: Vec<(String, String, RaterRole, &str, Option<u8>)> = Vec::new();
    let score = |v: f64| Some((3.0 + v).round().clamp(1.0, 5.0) as u8);
    for (i, level) in skill.iter().enumerate() {
        let me = seller_id(i);
        let raters = [
            (person::MANAGER.to_owned(), RaterRole::Manager, 0.0),
            (seller_id((i + 1) % SELLERS), RaterRole::Peer, 0.3),
            (seller_id((i + 7) % SELLERS), RaterRole::Peer, -0.2),
        ];
        for (q, key) in QUALITIES.iter().enumerate() {
            let facet = level + 0.3 * rng.normal() + if q % 2 == 0 { 0.1 } else { -0.1 };
            for (rater, role, bias) in &raters {
                rows.push((
                    me.clone(),
                    rater.clone(),
                    *role,
                    key,
                    score(facet + bias + 0.4 * rng.normal()),
                ));
            }
            rows.push((
                me.clone(),
                me.clone(),
                RaterRole::SelfRating,
                key,
                score(facet + 0.4 + 0.5 * rng.normal()),
            ));
        }
    }
    let seeds: Vec<Seed> = rows
        .iter()
        .map(|(s, r, role, q, v)| (s.as_str(), r.as_str(), *role, *q, *v, ""))
        .collect();
    seed_ratings(app, CYCLE, &seeds).await;

    if !outcomes {
        return;
    }
    app.store
        .save_metric(
            app.org_id,
            &Metric {
                key: "win_rate".into(),
                label: "Win rate".into(),
                unit: RATIO_UNIT.into(),
                higher_is_better: true,
            },
            &actor,
        )
        .await
        .expect("the win_rate metric");
    let mut outcome_rows = Vec::new();
    let mut line = 2;
    for (i, s) in skill.iter().enumerate() {
        for period in ["2026-Q3", "2026-Q4"] {
            let attainment = 1.0 + 0.2 * s + 0.08 * rng.normal();
            let win_rate = (0.3 + 0.02 * s + 0.08 * rng.normal()).clamp(0.0, 1.0);
            for (metric, value) in [("quota_attainment", attainment), ("win_rate", win_rate)] {
                outcome_rows.push((
                    line,
                    OutcomeInput {
                        subject: PersonId::parse(&seller_id(i)).expect("an id"),
                        period: period.into(),
                        metric: metric.into(),
                        value: (value * 10_000.0).round() / 10_000.0,
                    },
                ));
                line += 1;
            }
        }
    }
    app.store
        .import_outcomes(app.org_id, &outcome_rows, &actor)
        .await
        .expect("the seed outcomes import");
}

/// The text of every element carrying `data-figure="{name}"`.
fn figures(html: &str, name: &str) -> Vec<String> {
    let needle = format!("data-figure=\"{name}\">");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest[..rest.find('<').unwrap_or(rest.len())]
                .trim()
                .to_owned()
        })
        .collect()
}

/// The `data-r` of every forest row, in the chart's order, by key.
fn forest_rs(html: &str) -> Vec<(String, String)> {
    html.split("<g class=\"forest-row ")
        .skip(1)
        .map(|g| {
            let attr = |a: &str| {
                g.split(&format!("{a}=\""))
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or_default()
                    .to_owned()
            };
            (attr("data-key"), attr("data-r"))
        })
        .collect()
}

async fn page(client: &TestClient, path: &str) -> String {
    let resp = client.get(path).await;
    assert_eq!(resp.status, StatusCode::OK, "GET {path}: {}", resp.text);
    resp.text
}

#[tokio::test]
async fn a_leader_sees_the_verdict_first_then_the_forest_plot_and_the_other_figures() {
    // Arrange
    let app = spawn_app().await;
    seed_evidence(&app, true).await;
    let leader = app.login_as(Role::Leader).await;

    // Act
    let html = page(&leader, "/analytics/validity").await;

    // Assert
    let verdict = figures(&html, "verdict");
    assert_eq!(verdict.len(), 1, "one verdict");
    assert!(verdict[0].len() > 40, "a sentence: {verdict:?}");
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("no {s} on the page"));
    assert!(
        at("data-figure=\"verdict\"") < at("data-chart=\"forest\""),
        "the verdict comes before the forest plot"
    );
    let rows = forest_rs(&html);
    assert_eq!(
        rows.len(),
        13,
        "8 qualities and 5 trailing indicators: {rows:?}"
    );
    let leading = html.matches("<g class=\"forest-row leading\"").count();
    assert_eq!(leading, 8, "the qualities are the leading indicators");
    let rs: Vec<f64> = rows.iter().filter_map(|(_, r)| r.parse().ok()).collect();
    assert!(rs.windows(2).all(|w| w[0] >= w[1]), "sorted by r: {rs:?}");
    assert!(html.contains("role=\"img\""));
    for key in [
        "r2_trailing",
        "r2_full",
        "delta_r2",
        "f_change",
        "cv_r2_full",
    ] {
        let f = figures(&html, key);
        assert_eq!(f.len(), 1, "{key} once");
        assert!(!f[0].contains("NaN"), "{key}: {f:?}");
    }
    assert!(
        figures(&html, "f_change")[0].starts_with("F("),
        "F(df1, df2)"
    );
    assert!(html.contains("data-chart=\"scatter\""), "the scatter plot");
    assert!(html.contains("Restricted range"), "the caveats");
    assert!(
        html.contains("/api/v1/analytics/validity.csv?cycle=2026-H1&#38;metric=quota_attainment")
    );
    assert!(html.contains("href=\"/api/v1/analytics/validity?cycle=2026-H1"));
    assert!(
        html.contains("<details class=\"numbers\">"),
        "numbers a click away"
    );
}

#[tokio::test]
async fn changing_the_metric_changes_the_figures() {
    // Arrange
    let app = spawn_app().await;
    seed_evidence(&app, true).await;
    let leader = app.login_as(Role::Leader).await;

    // Act
    let quota = page(&leader, "/analytics/validity?metric=quota_attainment").await;
    let wins = page(&leader, "/analytics/validity?metric=win_rate").await;

    // Assert
    assert!(quota.contains("<option value=\"quota_attainment\" selected>"));
    assert!(wins.contains("<option value=\"win_rate\" selected>"));
    assert_ne!(
        forest_rs(&quota),
        forest_rs(&wins),
        "the correlations differ"
    );
    assert_ne!(
        figures(&quota, "delta_r2"),
        figures(&wins, "delta_r2"),
        "ΔR² differs"
    );
    assert_ne!(figures(&quota, "verdict"), figures(&wins, "verdict"));
    assert!(
        wins.contains("metric=win_rate"),
        "the links follow the metric"
    );
}

#[tokio::test]
async fn choosing_periods_and_an_indicator_keeps_them_in_the_form_and_the_links() {
    let app = spawn_app().await;
    seed_evidence(&app, true).await;
    let leader = app.login_as(Role::Leader).await;

    let html = page(
        &leader,
        "/analytics/validity?cycle=2026-H1&metric=quota_attainment&period=2026-Q3&x=tenure_years",
    )
    .await;
    let all = page(&leader, "/analytics/validity").await;

    assert!(html.contains("value=\"2026-Q3\" checked"));
    assert!(!html.contains("value=\"2026-Q4\" checked"));
    assert!(html.contains("<option value=\"tenure_years\" selected>"));
    assert!(html.contains("<input type=\"hidden\" name=\"period\" value=\"2026-Q3\">"));
    assert!(
        html.contains("period=2026-Q3"),
        "the CSV and JSON links carry the period"
    );
    assert!(html.contains("Tenure against") || html.contains("against Tenure"));
    assert_ne!(forest_rs(&html), forest_rs(&all), "one quarter is not two");
}

#[tokio::test]
async fn sellers_managers_and_interviewers_are_refused_both_reports() {
    let app = spawn_app().await;
    seed_evidence(&app, true).await;
    for role in [Role::Seller, Role::Manager, Role::Interviewer] {
        let client = app.login_as(role).await;
        for path in ["/analytics/validity", "/analytics/reliability"] {
            let resp = client.get(path).await;
            assert_eq!(resp.status, StatusCode::FORBIDDEN, "{role} on {path}");
            assert!(resp.text.contains("Not allowed"), "{role} on {path}");
            assert!(!resp.text.contains("data-chart"), "no figures leak");
        }
        let home = page(&client, "/").await;
        assert!(
            !home.contains("/analytics/"),
            "{role} has no Evidence entry"
        );
    }
}

#[tokio::test]
async fn a_coach_sees_the_reliability_report_but_not_the_validity_report() {
    let app = spawn_app().await;
    seed_evidence(&app, true).await;
    let coach = app.login_as(Role::Coach).await;

    let validity = coach.get("/analytics/validity").await;
    let reliability = page(&coach, "/analytics/reliability").await;

    assert_eq!(validity.status, StatusCode::FORBIDDEN);
    assert!(reliability.contains("data-table=\"qualities\""));
    assert!(
        !reliability.contains("href=\"/analytics/validity\""),
        "no link to a report the coach may not open"
    );
    let home = page(&coach, "/").await;
    assert!(home.contains("href=\"/analytics/reliability\">Evidence</a>"));
}

#[tokio::test]
async fn the_reliability_report_shows_every_quality_the_model_the_raters_and_self_other_agreement()
{
    let app = spawn_app().await;
    seed_evidence(&app, true).await;
    let admin = app.login_as(Role::Admin).await;

    let html = page(&admin, "/analytics/reliability").await;

    let table = html
        .split("data-table=\"qualities\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("the per-quality table");
    for q in QUALITIES {
        assert!(table.contains(&format!("data-key=\"{q}\"")), "{q}");
    }
    assert!(
        table.contains("class=\"badge badge-"),
        "a badge per quality"
    );
    assert_eq!(figures(&html, "icc1k").len(), 8);
    let cronbach = figures(&html, "cronbach");
    assert!(
        cronbach[0].starts_with("0."),
        "Cronbach's alpha {cronbach:?}"
    );
    assert!(html.contains("ICC(1,k)") && html.contains("Which ICC to read"));
    assert!(html.contains("data-table=\"raters\""));
    assert!(html.contains("Mia Manager"), "raters by name");
    assert!(html.contains("data-table=\"agreement\"") && html.contains("Humility"));
    assert!(!html.contains("NaN"));
}

#[tokio::test]
async fn without_outcomes_the_validity_page_points_to_the_upload_instead_of_failing() {
    let app = spawn_app().await;
    seed_evidence(&app, false).await;
    let admin = app.login_as(Role::Admin).await;

    let html = page(&admin, "/analytics/validity").await;

    assert!(html.contains("data-empty=\"outcomes\""), "{html}");
    assert!(html.contains("href=\"/imports\""));
    assert!(!html.contains("data-chart=\"forest\""));
    // The reliability report needs no outcomes.
    let reliability = page(&admin, "/analytics/reliability").await;
    assert!(reliability.contains("data-table=\"qualities\""));
}

#[tokio::test]
async fn without_ratings_both_pages_say_so() {
    let app = spawn_app().await;
    let leader = app.login_as(Role::Leader).await;

    for path in ["/analytics/validity", "/analytics/reliability"] {
        let html = page(&leader, path).await;
        assert!(html.contains("data-empty=\"ratings\""), "{path}");
        assert!(html.contains("no submitted ratings yet"), "{path}");
    }
    let home = page(&leader, "/").await;
    assert!(home.contains("href=\"/analytics/validity\">Evidence</a>"));
}
