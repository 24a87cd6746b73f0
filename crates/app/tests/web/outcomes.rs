//! Outcomes (issue 5): the metrics and outcomes API, the outcomes section of a seller's page,
//! the outcomes.csv upload and the admin's metrics page.

use reqwest::StatusCode;
use sellerq_domain::outcome::{DEFAULT_METRIC, OutcomeInput};
use sellerq_domain::{PersonId, Role};
use sellerq_store::{Actor, OutcomeFilter, OutcomeRecord};
use serde_json::{Value, json};

use crate::helpers::{TestApp, person, spawn_app, upload_csv};

// --- helpers ---------------------------------------------------------------------------------

fn pid(id: &str) -> PersonId {
    PersonId::parse(id).expect("a valid id")
}

/// Records an outcome straight in the store (the first organisation).
async fn record(app: &TestApp, subject: &str, period: &str, metric: &str, value: f64) {
    app.store
        .set_outcome(
            app.org_id,
            &OutcomeInput {
                subject: pid(subject),
                period: period.into(),
                metric: metric.into(),
                value,
            },
            &Actor::system("test"),
        )
        .await
        .expect("the store records an outcome");
}

/// A person's outcomes in an organisation, straight from the store.
async fn outcomes_of(app: &TestApp, org_id: i64, subject: &str) -> Vec<OutcomeRecord> {
    app.store
        .outcomes(
            org_id,
            &OutcomeFilter {
                subject: Some(pid(subject)),
                metric: None,
            },
        )
        .await
        .expect("the store reads outcomes")
}

/// Every outcome of the first organisation.
async fn all_outcomes(app: &TestApp) -> Vec<OutcomeRecord> {
    app.store
        .outcomes(app.org_id, &OutcomeFilter::default())
        .await
        .expect("the store reads outcomes")
}

fn outcome_body(period: &str, metric: &str, value: f64) -> Value {
    json!({"period": period, "metric": metric, "value": value})
}

// --- the API -----------------------------------------------------------------------------------

#[tokio::test]
async fn every_member_reads_the_metrics_and_only_an_admin_defines_them() {
    // Arrange
    let app = spawn_app().await;
    let seller = app.api(Role::Seller).await;
    let admin = app.api(Role::Admin).await;
    let leader = app.api(Role::Leader).await;
    let win_rate = json!({"key": "win_rate", "label": "Win rate", "unit": "ratio"});

    // Act
    let listed = seller.get("/metrics").await;
    let created = admin.post("/metrics", &win_rate).await;
    let replaced = admin
        .post(
            "/metrics",
            &json!({"key": "win_rate", "label": "Win rate (deals)", "higher_is_better": false}),
        )
        .await;
    let by_leader = leader.post("/metrics", &win_rate).await;
    let unknown_field = admin
        .post(
            "/metrics",
            &json!({"key": "x", "label": "X", "colour": "red"}),
        )
        .await;
    let bad_key = admin
        .post("/metrics", &json!({"key": "Win Rate", "label": "X"}))
        .await;
    let delete_default = admin.delete(&format!("/metrics/{DEFAULT_METRIC}")).await;

    // Assert
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(
        listed.json(),
        json!([{"key": "quota_attainment", "label": "Quota attainment", "unit": "ratio",
                "higher_is_better": true}])
    );
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    assert_eq!(
        replaced.json()["unit"],
        "",
        "a replacement sets every field"
    );
    assert_eq!(replaced.json()["higher_is_better"], false);
    assert_eq!(by_leader.status, StatusCode::FORBIDDEN);
    assert_eq!(
        (unknown_field.status, unknown_field.error_field().as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("colour")),
        "{}",
        unknown_field.text
    );
    assert_eq!(
        (bad_key.status, bad_key.error_field().as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("key"))
    );
    assert_eq!(delete_default.status, StatusCode::CONFLICT);
    let keys: Vec<String> = admin
        .get("/metrics")
        .await
        .json()
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["key"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(keys, ["quota_attainment", "win_rate"]);
}

#[tokio::test]
async fn a_manager_records_replaces_and_deletes_an_outcome_of_a_seller_in_their_team() {
    // Arrange
    let app = spawn_app().await;
    let manager = app.api(Role::Manager).await;
    let path = format!("/people/{}/outcomes", person::SELLER);

    // Act
    let first = manager
        .put(&path, &outcome_body("2026-Q1", DEFAULT_METRIC, 0.9))
        .await;
    let again = manager
        .put(&path, &outcome_body("2026-Q1", DEFAULT_METRIC, 1.05))
        .await;
    let listed = manager.get(&path).await;
    let deleted = manager
        .delete(&format!("{path}?period=2026-Q1&metric={DEFAULT_METRIC}"))
        .await;
    let deleted_twice = manager
        .delete(&format!("{path}?period=2026-Q1&metric={DEFAULT_METRIC}"))
        .await;

    // Assert
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(
        first.json(),
        json!({"subject": "p-sam", "period": "2026-Q1", "metric": "quota_attainment", "value": 0.9})
    );
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(
        listed.json(),
        json!([{"subject": "p-sam", "period": "2026-Q1", "metric": "quota_attainment",
                "value": 1.05}]),
        "the second value replaced the first"
    );
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    assert_eq!(deleted_twice.status, StatusCode::NOT_FOUND);
    assert!(
        outcomes_of(&app, app.org_id, person::SELLER)
            .await
            .is_empty()
    );
    let log = app.store.audit_log(app.org_id, 3).await.expect("audit log");
    assert_eq!(
        log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["delete", "update", "create"],
        "every write has its audit row"
    );
}

#[tokio::test]
async fn a_seller_reads_their_own_outcomes_but_is_refused_writing() {
    // Arrange
    let app = spawn_app().await;
    record(&app, person::SELLER, "2026-Q1", DEFAULT_METRIC, 0.8).await;
    record(&app, person::WEST, "2026-Q1", DEFAULT_METRIC, 0.7).await;
    let seller = app.api(Role::Seller).await;
    let coach = app.api(Role::Coach).await;
    let own = format!("/people/{}/outcomes", person::SELLER);

    // Act
    let read_own = seller.get(&own).await;
    let write_own = seller
        .put(&own, &outcome_body("2026-Q2", DEFAULT_METRIC, 1.0))
        .await;
    let delete_own = seller
        .delete(&format!("{own}?period=2026-Q1&metric={DEFAULT_METRIC}"))
        .await;
    let read_other = seller
        .get(&format!("/people/{}/outcomes", person::WEST))
        .await;
    let coach_reads = coach
        .get(&format!("/people/{}/outcomes", person::WEST))
        .await;
    let coach_writes = coach
        .put(
            &format!("/people/{}/outcomes", person::WEST),
            &outcome_body("2026-Q2", DEFAULT_METRIC, 1.0),
        )
        .await;

    // Assert
    assert_eq!(read_own.status, StatusCode::OK);
    assert_eq!(read_own.json()[0]["value"], 0.8);
    assert_eq!(
        write_own.status,
        StatusCode::FORBIDDEN,
        "{}",
        write_own.text
    );
    assert_eq!(write_own.error_code().as_deref(), Some("forbidden"));
    assert_eq!(delete_own.status, StatusCode::FORBIDDEN);
    assert_eq!(read_other.status, StatusCode::NOT_FOUND);
    assert_eq!(
        coach_reads.status,
        StatusCode::OK,
        "a coach reads their teams'"
    );
    assert_eq!(
        coach_writes.status,
        StatusCode::FORBIDDEN,
        "a coach only reads"
    );
    assert_eq!(all_outcomes(&app).await.len(), 2, "nothing changed");
}

#[tokio::test]
async fn another_organisations_person_is_not_found_and_out_of_scope_people_too() {
    // Arrange
    let app = spawn_app().await;
    app.store
        .set_outcome(
            app.other_org_id,
            &OutcomeInput {
                subject: pid(person::OTHER_ORG),
                period: "2026-Q1".into(),
                metric: DEFAULT_METRIC.into(),
                value: 0.5,
            },
            &Actor::system("test"),
        )
        .await
        .expect("an outcome in the other organisation");
    let admin = app.api(Role::Admin).await;
    let manager = app.api(Role::Manager).await;
    let other = format!("/people/{}/outcomes", person::OTHER_ORG);

    // Act
    let read = admin.get(&other).await;
    let write = admin
        .put(&other, &outcome_body("2026-Q2", DEFAULT_METRIC, 1.0))
        .await;
    let delete = admin
        .delete(&format!("{other}?period=2026-Q1&metric={DEFAULT_METRIC}"))
        .await;
    let out_of_scope = manager
        .put(
            &format!("/people/{}/outcomes", person::WEST),
            &outcome_body("2026-Q2", DEFAULT_METRIC, 1.0),
        )
        .await;

    // Assert
    for (what, r) in [("read", &read), ("write", &write), ("delete", &delete)] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}: {}", r.text);
        assert_eq!(r.error_code().as_deref(), Some("not_found"), "{what}");
    }
    assert_eq!(
        out_of_scope.status,
        StatusCode::NOT_FOUND,
        "West is not the manager's"
    );
    assert_eq!(
        outcomes_of(&app, app.other_org_id, person::OTHER_ORG)
            .await
            .len(),
        1,
        "the other organisation's outcome is untouched"
    );
    assert!(all_outcomes(&app).await.is_empty());
}

#[tokio::test]
async fn outcome_bodies_are_checked_field_by_field() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.api(Role::Admin).await;
    let path = format!("/people/{}/outcomes", person::SELLER);
    let cases = [
        (
            json!({"period": "2026-Q1", "metric": "quota_attainment", "value": 1.0, "valu": 2}),
            "valu",
        ),
        (
            json!({"period": "2026-Q9", "metric": "quota_attainment", "value": 1.0}),
            "period",
        ),
        (
            json!({"period": "2026-Q1", "metric": "bookings", "value": 1.0}),
            "metric",
        ),
        (
            json!({"period": "2026-Q1", "metric": "Quota", "value": 1.0}),
            "metric",
        ),
        (
            json!({"period": "2026-Q1", "metric": "quota_attainment", "value": "high"}),
            "value",
        ),
        (
            json!({"period": "2026-Q1", "metric": "quota_attainment"}),
            "value",
        ),
    ];

    for (body, field) in cases {
        // Act
        let resp = admin.put(&path, &body).await;

        // Assert
        assert_eq!(
            (resp.status, resp.error_field().as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}: {}",
            resp.text
        );
        assert_eq!(resp.error_code().as_deref(), Some("invalid"));
    }
    let no_period = admin
        .delete(&format!("{path}?metric={DEFAULT_METRIC}"))
        .await;
    assert_eq!(
        (no_period.status, no_period.error_field().as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("period"))
    );
    assert!(all_outcomes(&app).await.is_empty());
}

#[tokio::test]
async fn the_openapi_document_describes_the_outcome_routes() {
    let app = spawn_app().await;
    let doc = app.api(Role::Admin).await.get("/openapi.json").await.json();

    for (path, method) in [
        ("/metrics", "get"),
        ("/metrics", "post"),
        ("/metrics/{key}", "delete"),
        ("/people/{id}/outcomes", "get"),
        ("/people/{id}/outcomes", "put"),
        ("/people/{id}/outcomes", "delete"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is documented");
        assert!(op["responses"]["401"].is_object(), "{method} {path}: 401");
    }
    for body in ["OutcomeBody", "MetricBody"] {
        assert_eq!(
            doc["components"]["schemas"][body]["additionalProperties"], false,
            "{body} refuses unknown fields"
        );
    }
}

// --- the seller's page -----------------------------------------------------------------------

#[tokio::test]
async fn the_sellers_page_shows_outcomes_in_their_units_and_a_form_only_to_writers() {
    // Arrange
    let app = spawn_app().await;
    app.store
        .save_metric(
            app.org_id,
            &sellerq_domain::Metric {
                key: "bookings".into(),
                label: "Bookings".into(),
                unit: "EUR".into(),
                higher_is_better: true,
            },
            &Actor::system("test"),
        )
        .await
        .expect("a metric");
    record(&app, person::SELLER, "2026-Q1", DEFAULT_METRIC, 0.955).await;
    record(&app, person::SELLER, "2026-Q2", "bookings", 125000.0).await;
    let manager = app.login_as(Role::Manager).await;
    let seller = app.login_as(Role::Seller).await;
    let page = format!("/people/{}", person::SELLER);

    // Act
    let by_manager = manager.get(&page).await;
    let by_seller = seller.get(&page).await;

    // Assert
    assert_eq!(by_manager.status, StatusCode::OK);
    let html = &by_manager.text;
    assert!(html.contains("id=\"outcomes\""), "an Outcomes section");
    assert!(html.contains("95.5 %"), "quota attainment as a percentage");
    assert!(html.contains("125000 EUR"), "bookings in their unit");
    assert!(html.contains("2026-Q1") && html.contains("2026-Q2"));
    assert!(
        html.contains("action=\"/people/p-sam/outcomes\""),
        "the form"
    );
    assert_eq!(by_seller.status, StatusCode::OK);
    assert!(by_seller.text.contains("95.5 %"), "a seller sees their own");
    assert!(
        !by_seller.text.contains("action=\"/people/p-sam/outcomes\""),
        "but gets no form"
    );
}

#[tokio::test]
async fn the_outcome_form_saves_deletes_and_reports_bad_fields_beside_their_inputs() {
    // Arrange
    let app = spawn_app().await;
    let manager = app.login_as(Role::Manager).await;
    let seller = app.login_as(Role::Seller).await;
    let action = format!("/people/{}/outcomes", person::SELLER);

    // Act
    let bad = manager
        .post_form(
            &action,
            &[
                ("period", "2026-Q9"),
                ("metric", DEFAULT_METRIC),
                ("value", "lots"),
                ("action", "save"),
            ],
        )
        .await;
    let saved = manager
        .post_form(
            &action,
            &[
                ("period", "2026-Q3"),
                ("metric", DEFAULT_METRIC),
                ("value", "0.93"),
                ("action", "save"),
            ],
        )
        .await;
    let after_save = all_outcomes(&app).await;
    let forged = manager
        .post_form_without_csrf(
            &action,
            &[
                ("period", "2026-Q4"),
                ("metric", DEFAULT_METRIC),
                ("value", "1"),
            ],
        )
        .await;
    let by_seller = seller
        .post_form(
            &action,
            &[
                ("period", "2026-Q4"),
                ("metric", DEFAULT_METRIC),
                ("value", "1"),
            ],
        )
        .await;
    let delete_missing = manager
        .post_form(
            &action,
            &[
                ("period", "2026-Q1"),
                ("metric", DEFAULT_METRIC),
                ("action", "delete"),
            ],
        )
        .await;
    let deleted = manager
        .post_form(
            &action,
            &[
                ("period", "2026-Q3"),
                ("metric", DEFAULT_METRIC),
                ("action", "delete"),
            ],
        )
        .await;

    // Assert
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(
        bad.text.contains("id=\"period-error\""),
        "period's message beside it"
    );
    assert!(
        bad.text.contains("id=\"value-error\""),
        "value's message beside it"
    );
    assert!(
        bad.text.contains("value=\"lots\""),
        "the typed value is kept"
    );
    assert!(saved.status.is_redirection(), "{}", saved.text);
    assert_eq!(
        saved.location(),
        Some("/people/p-sam?outcome_saved=1#outcomes")
    );
    assert_eq!(after_save.len(), 1);
    assert_eq!(after_save[0].value, 0.93);
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "no CSRF token, no write"
    );
    assert_eq!(
        by_seller.status,
        StatusCode::FORBIDDEN,
        "a seller does not write"
    );
    assert_eq!(delete_missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        delete_missing
            .text
            .contains("no quota_attainment outcome is recorded for 2026-Q1")
    );
    assert!(deleted.status.is_redirection(), "{}", deleted.text);
    assert!(all_outcomes(&app).await.is_empty());
}

// --- the upload page ---------------------------------------------------------------------------

#[tokio::test]
async fn an_outcomes_upload_with_one_bad_row_writes_nothing_and_lists_the_row() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.login_as(Role::Admin).await;
    let file = "subject,period,metric,value\n\
                p-sam,2026-Q1,quota_attainment,0.9\n\
                p-ghost,2026-Q1,quota_attainment,0.8\n\
                p-wes,2026-Q1,win_rate,0.3\n";

    // Act
    let form = admin.get("/imports").await;
    let csrf = admin.csrf.clone();
    let bad = upload_csv(&admin, "outcomes", "q1-outcomes.csv", file, csrf.as_deref()).await;
    let after_bad = all_outcomes(&app).await;
    let metrics_after_bad = app.store.metrics(app.org_id).await.expect("metrics");
    let good = upload_csv(
        &admin,
        "outcomes",
        "q1-outcomes.csv",
        &file.replace("p-ghost,2026-Q1,quota_attainment,0.8\n", ""),
        csrf.as_deref(),
    )
    .await;

    // Assert
    assert!(
        form.text.contains("value=\"outcomes\""),
        "outcomes.csv is offered"
    );
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(
        bad.text
            .contains("q1-outcomes.csv:3: subject: no person with id p-ghost in this organisation"),
        "{}",
        bad.text
    );
    assert!(bad.text.contains("nothing was imported"));
    assert!(after_bad.is_empty(), "nothing written");
    assert_eq!(metrics_after_bad.len(), 1, "not even the new metric");
    assert_eq!(good.status, StatusCode::OK, "{}", good.text);
    assert!(
        good.text.contains("2 outcomes created, 0 updated"),
        "{}",
        good.text
    );
    assert!(good.text.contains("Metrics created: 1"), "{}", good.text);
    assert_eq!(all_outcomes(&app).await.len(), 2);
}

// --- the metrics page --------------------------------------------------------------------------

#[tokio::test]
async fn an_admin_lists_adds_edits_and_deletes_metrics_on_the_settings_page() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.login_as(Role::Admin).await;
    let leader = app.login_as(Role::Leader).await;

    // Act
    let listed = admin.get("/settings/metrics").await;
    let bad = admin
        .post_form(
            "/settings/metrics",
            &[
                ("key", "Win Rate"),
                ("label", ""),
                ("unit", ""),
                ("direction", "higher"),
            ],
        )
        .await;
    let added = admin
        .post_form(
            "/settings/metrics",
            &[
                ("key", "win_rate"),
                ("label", "Win rate"),
                ("unit", "ratio"),
                ("direction", "higher"),
            ],
        )
        .await;
    let edit_form = admin.get("/settings/metrics?edit=win_rate").await;
    let edited = admin
        .post_form(
            "/settings/metrics",
            &[
                ("key", "win_rate"),
                ("label", "Deals won"),
                ("unit", "ratio"),
                ("direction", "lower"),
            ],
        )
        .await;
    record(&app, person::SELLER, "2026-Q1", "win_rate", 0.3).await;
    let delete_used = admin
        .post_form("/settings/metrics/win_rate/delete", &[])
        .await;
    let delete_default = admin
        .post_form("/settings/metrics/quota_attainment/delete", &[])
        .await;
    let forged = admin
        .post_form_without_csrf(
            "/settings/metrics",
            &[("key", "forged"), ("label", "Forged")],
        )
        .await;
    let by_leader = leader.get("/settings/metrics").await;
    let leader_posts = leader
        .post_form("/settings/metrics", &[("key", "x"), ("label", "X")])
        .await;

    // Assert
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert!(listed.text.contains("Quota attainment"));
    assert!(
        listed.text.contains("href=\"/settings/metrics\""),
        "in the navigation"
    );
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("id=\"key-error\"") && bad.text.contains("id=\"label-error\""));
    assert!(added.status.is_redirection(), "{}", added.text);
    assert!(
        edit_form.text.contains("value=\"Win rate\""),
        "the edit form is filled"
    );
    assert!(edited.status.is_redirection(), "{}", edited.text);
    let metrics = app.store.metrics(app.org_id).await.expect("metrics");
    let win = metrics
        .iter()
        .find(|m| m.key == "win_rate")
        .expect("win_rate");
    assert_eq!(
        (win.label.as_str(), win.higher_is_better),
        ("Deals won", false)
    );
    assert_eq!(
        delete_used.status,
        StatusCode::CONFLICT,
        "{}",
        delete_used.text
    );
    assert!(delete_used.text.contains("holds 1 outcomes"));
    assert_eq!(delete_default.status, StatusCode::CONFLICT);
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(by_leader.status, StatusCode::FORBIDDEN);
    assert_eq!(leader_posts.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.metrics(app.org_id).await.expect("metrics").len(),
        2
    );
}
