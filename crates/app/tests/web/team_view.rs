//! The team view (issue 3): a manager sees the heatmap of their own team only, with the
//! figures the domain computes; the organisation-wide view is for leaders and admins.

use reqwest::StatusCode;
use sellerq_domain::Role;
use sellerq_domain::assessment::RaterRole::{Manager, Peer, SelfRating};

use crate::helpers::{TestApp, person, spawn_app};
use crate::profile::{seed_lenient_manager, seed_ratings};

/// East has Mia and Sam; West has Wes and Wendy. Belief and humility are rated for Sam, Mia
/// (East) and Wes (West) by a manager; Sam also by himself.
async fn seed(app: &TestApp) {
    seed_ratings(
        app,
        "2026-H1",
        &[
            (
                person::SELLER,
                person::SELLER,
                SelfRating,
                "belief",
                Some(5),
                "",
            ),
            (
                person::SELLER,
                person::MANAGER,
                Manager,
                "belief",
                Some(2),
                "",
            ),
            (
                person::SELLER,
                person::MANAGER,
                Manager,
                "humility",
                Some(4),
                "",
            ),
            (
                person::MANAGER,
                person::NO_TEAM,
                Manager,
                "belief",
                Some(4),
                "",
            ),
            (
                person::MANAGER,
                person::NO_TEAM,
                Manager,
                "humility",
                Some(4),
                "",
            ),
            (person::WEST, person::WEST_2, Peer, "belief", Some(1), ""),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_manager_sees_the_heatmap_of_their_team_with_its_figures() {
    // Arrange
    let app = spawn_app().await;
    seed(&app).await;
    let browser = app.login_as(Role::Manager).await;
    let api = app.api(Role::Manager).await;

    // Act
    let page = browser
        .get(&format!("/teams/{}/view", app.teams.east))
        .await;
    let json = api.get(&format!("/teams/{}/view", app.teams.east)).await;

    // Assert
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("data-chart=\"heatmap\""));
    assert!(
        page.text.contains("data-chart=\"distribution\"")
            || page.text.contains("chart-distribution")
    );
    assert!(page.text.contains("Sam Seller") && page.text.contains("Mia Manager"));
    assert!(
        page.text
            .contains(&format!("/people/{}/profile?cycle=2026-H1", person::SELLER)),
        "each row links to the profile"
    );
    assert!(!page.text.contains("Wes West"), "no one from another team");
    assert!(page.text.contains("weakest quality"));

    assert_eq!(json.status, StatusCode::OK, "{}", json.text);
    let v = json.json();
    assert_eq!(v["cycle"], "2026-H1");
    assert_eq!(v["n_subjects"], 2);
    let belief = v["qualities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == "belief")
        .unwrap();
    assert_eq!(
        belief["mean"].as_f64(),
        Some(3.0),
        "(2 + 4) / 2; the self score stays out"
    );
    assert!((belief["sd"].as_f64().unwrap() - 2f64.sqrt()).abs() < 1e-12);
    assert_eq!(v["weakest"], "belief");
    let sam = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == person::SELLER)
        .unwrap();
    assert_eq!(sam["scores"]["belief"].as_f64(), Some(2.0));
}

#[tokio::test]
async fn a_manager_cannot_see_another_teams_view_nor_the_organisation_view() {
    // Arrange
    let app = spawn_app().await;
    seed(&app).await;
    let browser = app.login_as(Role::Manager).await;
    let api = app.api(Role::Manager).await;

    // Act / Assert
    let west = format!("/teams/{}/view", app.teams.west);
    assert_eq!(browser.get(&west).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.get(&west).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        browser.get("/team-view").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(api.get("/team-view").await.status, StatusCode::FORBIDDEN);
    let north = format!("/teams/{}/view", app.teams.north);
    assert_eq!(api.get(&north).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_leader_sees_the_whole_organisation_and_a_seller_no_team_view() {
    // Arrange
    let app = spawn_app().await;
    seed(&app).await;

    // Act
    let org = app.api(Role::Leader).await.get("/team-view").await;
    let seller = app
        .api(Role::Seller)
        .await
        .get(&format!("/teams/{}/view", app.teams.east))
        .await;

    // Assert
    assert_eq!(org.status, StatusCode::OK);
    assert_eq!(org.json()["n_subjects"], 3);
    assert_eq!(seller.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_switch_shows_leniency_adjusted_scores_beside_the_raw_ones() {
    // Arrange: Mia's leniency is +2, Nora's −1, Wendy's 0 (see `seed_lenient_manager`).
    let app = spawn_app().await;
    seed_lenient_manager(&app).await;
    let browser = app.login_as(Role::Manager).await;
    let view = format!("/teams/{}/view", app.teams.east);

    // Act
    let raw = browser.get(&view).await;
    let adjusted = browser.get(&format!("{view}?adjusted=1")).await;

    // Assert
    assert_eq!(raw.status, StatusCode::OK, "{}", raw.text);
    assert!(!raw.text.contains("id=\"adjusted\""), "off by default");
    assert_eq!(adjusted.status, StatusCode::OK, "{}", adjusted.text);
    let section = adjusted
        .text
        .split_once("id=\"adjusted\"")
        .expect("the adjusted section")
        .1;
    // Sam: (4 − 2) and (2 + 1) → 2.5; Mia: (3 + 1) and (3 − 0) → 3.5; both raw scores are 3.
    assert!(section.contains(">2.5<"), "{section}");
    assert!(section.contains(">3.5<"), "{section}");
    assert!(
        section.contains("Team means per quality, raw and leniency-adjusted"),
        "the comparison table"
    );
    assert!(
        adjusted
            .text
            .contains("name=\"adjusted\" value=\"1\" checked"),
        "the switch shows its state"
    );
    assert!(
        !section.contains(person::NO_TEAM) && !section.contains("Nora"),
        "no rater is named"
    );
}
