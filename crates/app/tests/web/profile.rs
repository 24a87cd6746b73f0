//! The seller profile (issue 3): aggregation through the API against hand-computed figures,
//! the anonymity threshold, and who may read whose profile — without ever seeing who gave
//! which rating.

use reqwest::StatusCode;
use sellerq_domain::assessment::{CycleName, RaterRole};
use sellerq_domain::formats::RowProblems;
use sellerq_domain::formats::ratings::RatingsBatch;
use sellerq_domain::{PersonId, QualityKey, Role};
use sellerq_store::{Actor, ImportOptions};
use serde_json::Value;

use crate::helpers::{TestApp, person, spawn_app};

/// One rating: (subject, rater, role, quality, score, evidence).
pub type Seed<'a> = (&'a str, &'a str, RaterRole, &'a str, Option<u8>, &'a str);

/// Stores submitted ratings of `cycle` (created if absent) in the first organisation.
pub async fn seed_ratings(app: &TestApp, cycle: &str, rows: &[Seed<'_>]) {
    let cycle = CycleName::parse(cycle).expect("a cycle name");
    let mut batch = RatingsBatch::new();
    let mut problems = RowProblems::new("test");
    for (i, (subject, rater, role, quality, score, evidence)) in rows.iter().enumerate() {
        assert!(
            batch.push(
                i as u64 + 2,
                &cycle,
                &PersonId::parse(subject).expect("subject id"),
                &PersonId::parse(rater).expect("rater id"),
                *role,
                &QualityKey::parse(quality).expect("quality key"),
                *score,
                evidence,
                &mut problems,
            ),
            "seed row {i}: {problems}"
        );
    }
    app.store
        .import_ratings(
            app.org_id,
            &batch,
            ImportOptions::default(),
            &Actor::system("test"),
            &|_| {},
        )
        .await
        .expect("the seed ratings import");
}

use RaterRole::{Coach, Manager, Peer, SelfRating};

const EVE: &str = person::EAST_INBOUND;
const WES: &str = person::WEST;
const WENDY: &str = person::WEST_2;
const MIA: &str = person::MANAGER;
const SAM: &str = person::SELLER;

/// Sam's 2026-H1 ratings: self, Mia (manager), three peers (Eve, Wes, Wendy), a coach on one
/// quality. Per quality: (quality, self, manager, [peers], coach).
#[allow(clippy::type_complexity)]
const SAM_H1: [(&str, u8, u8, [Option<u8>; 3], Option<u8>); 8] = [
    ("belief", 4, 3, [Some(4), Some(2), Some(3)], None),
    ("humility", 5, 2, [Some(3), Some(2), Some(2)], None),
    ("ownership", 3, 4, [Some(4), Some(4), Some(5)], None),
    // One peer did not observe it: two peer scores are below the threshold of three.
    ("perseverance", 3, 3, [Some(3), Some(4), None], None),
    ("trust_building", 4, 4, [Some(4), Some(4), Some(4)], None),
    ("process_mastery", 3, 2, [Some(3), Some(3), Some(2)], None),
    ("value_crafting", 3, 3, [Some(3), Some(3), Some(3)], None),
    ("storytelling", 4, 5, [Some(5), Some(4), Some(5)], Some(4)),
];

/// A note only managers, coaches, leaders and admins may read.
const NOTE: &str = "Told the customer's story with the numbers; the CFO repeated it.";

async fn seed_sam(app: &TestApp) {
    let mut rows: Vec<Seed> = Vec::new();
    for (q, s, m, peers, coach) in SAM_H1 {
        rows.push((SAM, SAM, SelfRating, q, Some(s), ""));
        let note = if m == 5 { NOTE } else { "" };
        rows.push((SAM, MIA, Manager, q, Some(m), note));
        for (rater, score) in [EVE, WES, WENDY].into_iter().zip(peers) {
            rows.push((SAM, rater, Peer, q, score, ""));
        }
        if let Some(c) = coach {
            rows.push((SAM, "ext-coach", Coach, q, Some(c), ""));
        }
    }
    seed_ratings(app, "2026-H1", &rows).await;
}

fn quality<'a>(profile: &'a Value, key: &str) -> &'a Value {
    profile["qualities"]
        .as_array()
        .expect("qualities")
        .iter()
        .find(|q| q["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {profile}"))
}

fn close(v: &Value, expected: f64, what: &str) {
    let x = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {v} is not a number"));
    assert!((x - expected).abs() < 1e-9, "{what}: {x} ≠ {expected}");
}

#[tokio::test]
async fn the_profile_api_gives_the_hand_computed_scores_gaps_counts_and_indexes() {
    // Arrange
    let app = spawn_app().await;
    seed_sam(&app).await;
    let api = app.api(Role::Manager).await;

    // Act
    let resp = api.get(&format!("/people/{SAM}/profile")).await;

    // Assert
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    let p = resp.json();
    assert_eq!(p["subject"], SAM);
    assert_eq!(
        p["cycle"], "2026-H1",
        "the latest cycle with ratings by default"
    );
    let keys: Vec<&str> = p["qualities"]
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
        ],
        "spectrum order"
    );
    // (key, others' score, self, gap) by hand: the mean of manager, peers and coach.
    for (key, score, self_, gap) in [
        ("belief", 12.0 / 4.0, 4.0, 1.0),
        ("humility", 9.0 / 4.0, 5.0, 2.75),
        ("ownership", 17.0 / 4.0, 3.0, -1.25),
        ("perseverance", 3.0, 3.0, 0.0),
        ("trust_building", 4.0, 4.0, 0.0),
        ("process_mastery", 10.0 / 4.0, 3.0, 0.5),
        ("value_crafting", 3.0, 3.0, 0.0),
        ("storytelling", 23.0 / 5.0, 4.0, -0.6),
    ] {
        let q = quality(&p, key);
        close(&q["score"], score, &format!("{key} score"));
        close(&q["self"], self_, &format!("{key} self"));
        close(&q["gap"], gap, &format!("{key} gap"));
    }
    let belief = &quality(&p, "belief")["n_by_role"];
    assert_eq!(
        (
            belief["manager"].as_u64(),
            belief["peer"].as_u64(),
            belief["coach"].as_u64(),
            belief["self"].as_u64()
        ),
        (Some(1), Some(3), Some(0), Some(1))
    );
    let perseverance = quality(&p, "perseverance");
    assert_eq!(
        perseverance["n_by_role"]["peer"], 0,
        "two peer scores are withheld"
    );
    assert_eq!(perseverance["peers_withheld"], true);
    assert_eq!(perseverance["not_observed"], 1);
    assert_eq!(quality(&p, "storytelling")["n_by_role"]["coach"], 1);
    close(
        &p["mindset_index"],
        (3.0 + 2.25 + 4.25 + 3.0) / 4.0,
        "mindset index",
    );
    close(
        &p["behaviour_index"],
        (4.0 + 2.5 + 3.0 + 4.6) / 4.0,
        "behaviour index",
    );
    assert_eq!(p["growth_focus"], "humility");
    assert_eq!(
        p["strengths"],
        serde_json::json!(["storytelling", "ownership"])
    );
    let blind: Vec<(&str, &str)> = p["blind_spots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["key"].as_str().unwrap(), b["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        blind,
        [
            ("belief", "overrated"),
            ("humility", "overrated"),
            ("ownership", "underrated")
        ]
    );
    let notes = p["evidence"]
        .as_array()
        .expect("the manager reads the notes");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["evidence"], NOTE);
    assert!(
        notes[0].get("rater").is_none(),
        "a note never names its rater"
    );
}

#[tokio::test]
async fn peer_scores_count_only_from_three_peers_on() {
    // Arrange: Eve has a manager score and two peer scores of belief.
    let app = spawn_app().await;
    seed_ratings(
        &app,
        "2026-H1",
        &[
            (EVE, MIA, Manager, "belief", Some(3), ""),
            (EVE, SAM, Peer, "belief", Some(5), ""),
            (EVE, WES, Peer, "belief", Some(5), ""),
        ],
    )
    .await;
    let api = app.api(Role::Admin).await;

    // Act / Assert: two peers are withheld, the score is the manager's alone.
    let two = api
        .get(&format!("/people/{EVE}/profile?cycle=2026-H1"))
        .await
        .json();
    let belief = quality(&two, "belief");
    close(&belief["score"], 3.0, "score with two peers");
    assert_eq!(belief["n_by_role"]["peer"], 0);
    assert_eq!(belief["peers_withheld"], true);
    assert_eq!(two["anonymity_threshold"], 3);

    // Act / Assert: a third peer makes all three count.
    seed_ratings(
        &app,
        "2026-H1",
        &[(EVE, WENDY, Peer, "belief", Some(2), "")],
    )
    .await;
    let three = api
        .get(&format!("/people/{EVE}/profile?cycle=2026-H1"))
        .await
        .json();
    let belief = quality(&three, "belief");
    close(
        &belief["score"],
        (3.0 + 5.0 + 5.0 + 2.0) / 4.0,
        "score with three peers",
    );
    assert_eq!(belief["n_by_role"]["peer"], 3);
    assert_eq!(belief["peers_withheld"], false);
}

#[tokio::test]
async fn a_seller_cannot_read_another_sellers_profile_through_the_api_or_the_pages() {
    // Arrange
    let app = spawn_app().await;
    seed_sam(&app).await;
    seed_ratings(
        &app,
        "2026-H1",
        &[(EVE, MIA, Manager, "belief", Some(4), "")],
    )
    .await;
    let api = app.api(Role::Seller).await;
    let browser = app.login_as(Role::Seller).await;

    // Act
    let other_api = api.get(&format!("/people/{EVE}/profile")).await;
    let other_page = browser.get(&format!("/people/{EVE}/profile")).await;
    let own_api = api.get(&format!("/people/{SAM}/profile")).await;

    // Assert
    assert_eq!(
        other_api.status,
        StatusCode::NOT_FOUND,
        "{}",
        other_api.text
    );
    assert_eq!(other_page.status, StatusCode::NOT_FOUND);
    assert!(!other_page.text.contains("Eve Inbound"));
    assert_eq!(own_api.status, StatusCode::OK);
    assert!(
        own_api.json().get("evidence").is_none(),
        "a seller never reads evidence notes"
    );
}

#[tokio::test]
async fn a_sellers_own_profile_shows_the_charts_but_no_rater_names_ids_or_notes() {
    // Arrange
    let app = spawn_app().await;
    seed_sam(&app).await;
    let browser = app.login_as(Role::Seller).await;

    // Act
    let page = browser.get(&format!("/people/{SAM}/profile")).await;
    let api = app
        .api(Role::Seller)
        .await
        .get(&format!("/people/{SAM}/profile"))
        .await;

    // Assert
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let html = &page.text;
    for chart in [
        "data-chart=\"radar\"",
        "data-chart=\"profile-spectrum\"",
        "data-chart=\"trend-grid\"",
    ] {
        assert!(html.contains(chart), "the profile has {chart}");
    }
    assert!(
        html.contains("<details class=\"numbers\">"),
        "charts come with their numbers"
    );
    assert!(
        html.contains("Humility"),
        "blind spots are tied to Humility"
    );
    assert!(html.contains("Self higher"), "blind spots are flagged");
    for who in [
        "Eve Inbound",
        "Wes West",
        "Wendy West",
        "Mia Manager",
        EVE,
        WES,
        WENDY,
        MIA,
        "ext-coach",
    ] {
        assert!(!html.contains(who), "the seller's profile page names {who}");
        assert!(
            !api.text.contains(who),
            "the seller's profile JSON names {who}"
        );
    }
    assert!(!html.contains(NOTE), "no evidence notes for the seller");
    assert!(!html.contains("Evidence notes"));
}

#[tokio::test]
async fn the_manager_reads_evidence_notes_on_the_page_without_rater_names() {
    // Arrange
    let app = spawn_app().await;
    seed_sam(&app).await;
    let browser = app.login_as(Role::Manager).await;

    // Act
    let page = browser
        .get(&format!("/people/{SAM}/profile?cycle=2026-H1"))
        .await;

    // Assert
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("Told the customer&#39;s story")
            || page.text.contains("Told the customer&#x27;s story")
    );
    for who in [
        "Eve Inbound",
        "Wes West",
        "Wendy West",
        EVE,
        WES,
        WENDY,
        "ext-coach",
    ] {
        assert!(!page.text.contains(who), "the manager's view names {who}");
    }
    assert!(page.text.contains("Suggested growth focus: Humility"));
}

#[tokio::test]
async fn an_unknown_cycle_is_not_found_and_a_person_without_ratings_has_an_empty_profile() {
    // Arrange
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;

    // Act
    let empty = api.get(&format!("/people/{WES}/profile")).await;
    let unknown = api
        .get(&format!("/people/{WES}/profile?cycle=1999-H1"))
        .await;

    // Assert
    assert_eq!(empty.status, StatusCode::OK);
    let p = empty.json();
    assert_eq!(p["cycle"], Value::Null);
    assert!(
        p["qualities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|q| q["score"].is_null())
    );
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_trend_runs_through_every_cycle_up_to_the_one_shown_and_admins_read_the_notes() {
    // Arrange: Sam rated in 2025-H2 (self and manager on two qualities, a note on belief),
    // 2026-H1 (the full seed) and 2026-H2 (self only), imported out of order.
    let app = spawn_app().await;
    seed_ratings(
        &app,
        "2026-H2",
        &[(SAM, SAM, SelfRating, "belief", Some(5), "")],
    )
    .await;
    seed_sam(&app).await;
    seed_ratings(
        &app,
        "2025-H2",
        &[
            (SAM, SAM, SelfRating, "belief", Some(2), ""),
            (
                SAM,
                MIA,
                Manager,
                "belief",
                Some(1),
                "Lost heart after the Q3 miss.",
            ),
            (SAM, MIA, Manager, "humility", Some(3), ""),
        ],
    )
    .await;
    let admin = app.login_as(Role::Admin).await;
    let api = app.api(Role::Admin).await;

    // Act
    let page = admin
        .get(&format!("/people/{SAM}/profile?cycle=2026-H1"))
        .await;
    let json = api
        .get(&format!("/people/{SAM}/profile?cycle=2025-H2"))
        .await;

    // Assert
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let html = &page.text;
    assert_eq!(
        html.matches("data-chart=\"trend\"").count(),
        8,
        "a small chart per quality"
    );
    let trends = &html[html
        .find("data-chart=\"trend-grid\"")
        .expect("the trend grid")..];
    let numbers = &trends[trends
        .find("<details class=\"numbers\">")
        .expect("the trends in numbers")..];
    let numbers = &numbers[..numbers.find("</details>").expect("the end of the table")];
    assert!(
        numbers.find(">2025-H2</th>") < numbers.find(">2026-H1</th>")
            && numbers.contains(">2025-H2</th>"),
        "cycles in order: {numbers}"
    );
    assert!(
        !numbers.contains("2026-H2"),
        "the trend stops at the cycle shown"
    );
    // Belief in 2025-H2: others 1.00 (the manager), self 2.00.
    assert!(numbers.contains("<th scope=\"row\">Belief — others</th><td class=\"num\">1.00</td>"));
    assert!(numbers.contains("<th scope=\"row\">Belief — self</th><td class=\"num\">2.00</td>"));
    assert!(
        html.contains("<option value=\"2026-H2\">"),
        "every cycle is in the picker"
    );
    assert!(html.contains("Evidence notes") && html.contains("the CFO repeated it"));
    assert!(
        !html.contains("Lost heart"),
        "only the notes of the cycle shown"
    );

    assert_eq!(json.status, StatusCode::OK, "{}", json.text);
    let p = json.json();
    assert_eq!(
        p["cycles"],
        serde_json::json!(["2025-H2", "2026-H1", "2026-H2"])
    );
    let notes = p["evidence"]
        .as_array()
        .expect("admins read evidence notes");
    assert_eq!(notes.len(), 1, "{p}");
    assert_eq!(notes[0]["evidence"], "Lost heart after the Q3 miss.");
    assert_eq!(notes[0]["role"], "manager");
    close(&quality(&p, "belief")["score"], 1.0, "belief in 2025-H2");
}

/// Mia (manager) gives Sam's belief 4 where Nora (coach) gives 2; Nora and Wendy (coach) both
/// give Mia 3, all in 2026-H1. Leniencies (FORMATS.md): Mia +2 (4 − 2), Nora −1 ((2 − 4) and
/// (3 − 3) averaged), Wendy 0. Adjusted belief: Sam (4 − 2) and (2 + 1) → 2.5, Mia (3 + 1)
/// and (3 − 0) → 3.5; both raw scores are 3.
pub async fn seed_lenient_manager(app: &TestApp) {
    let rows = [
        (person::SELLER, person::MANAGER, Manager, 4),
        (person::SELLER, person::NO_TEAM, Coach, 2),
        (person::MANAGER, person::NO_TEAM, Coach, 3),
        (person::MANAGER, person::WEST_2, Coach, 3),
    ];
    let seeds: Vec<Seed<'_>> = rows
        .iter()
        .map(|&(subject, rater, role, score)| (subject, rater, role, "belief", Some(score), ""))
        .collect();
    seed_ratings(app, "2026-H1", &seeds).await;
}

#[tokio::test]
async fn the_switch_shows_the_leniency_adjusted_score_beside_the_raw_one() {
    // Arrange
    let app = spawn_app().await;
    seed_lenient_manager(&app).await;
    let browser = app.login_as(Role::Seller).await;
    let href = format!("/people/{}/profile", person::SELLER);

    // Act
    let raw = browser.get(&href).await;
    let adjusted = browser
        .get(&format!("{href}?cycle=2026-H1&adjusted=1"))
        .await;

    // Assert
    assert_eq!(raw.status, StatusCode::OK, "{}", raw.text);
    assert!(
        !raw.text.contains("data-figure=\"adjusted\""),
        "off by default"
    );
    assert_eq!(adjusted.status, StatusCode::OK, "{}", adjusted.text);
    let belief = adjusted
        .text
        .split_once("class=\"gap-table\"")
        .expect("the gap table")
        .1
        .split_once("<tr data-key=\"belief\"")
        .expect("the belief row")
        .1
        .split_once("</tr>")
        .unwrap()
        .0;
    // Raw (4 + 2) / 2 = 3; adjusted (4 − 2) and (2 + 1) → 2.5.
    assert!(belief.contains(">3.00<"), "{belief}");
    assert!(
        belief.contains("<td class=\"num\" data-figure=\"adjusted\">2.50</td>"),
        "{belief}"
    );
    assert!(!adjusted.text.contains("Nora"), "no rater is named");
}
