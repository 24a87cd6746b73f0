//! The JSON API: the model, people and teams, its errors, and its OpenAPI document.

use reqwest::{Method, StatusCode};
use sellerq_domain::Role;
use serde_json::{Value, json};

use crate::helpers::{person, spawn_app};
use crate::permissions::rows;

/// The people.csv columns, in order (FORMATS.md).
const PEOPLE_CSV_COLUMNS: [&str; 11] = [
    "id",
    "name",
    "email",
    "team",
    "manager",
    "hire_date",
    "years_experience",
    "quota_track_record",
    "tenure_years",
    "vip_connections",
    "domain_expertise",
];

fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

// --- the model ---------------------------------------------------------------------------

#[tokio::test]
async fn the_model_has_eight_qualities_in_spectrum_order_with_named_anchored_levels() {
    // Arrange
    let app = spawn_app().await;
    let api = app.api(Role::Interviewer).await;

    // Act
    let resp = api.get("/model").await;

    // Assert
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    let model = resp.json();
    assert!(
        model["version"].as_str().is_some_and(|v| !v.is_empty()),
        "a version label"
    );
    let (min, max) = (
        model["scale"]["min"].as_u64(),
        model["scale"]["max"].as_u64(),
    );
    assert_eq!((min, max), (Some(1), Some(5)));
    let scale_names: Vec<&str> = model["scale"]["levels"]
        .as_array()
        .map(|a| a.iter().filter_map(|l| l["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(scale_names.len(), 5, "one named level per scale value");

    let qualities = model["qualities"].as_array().cloned().unwrap_or_default();
    assert_eq!(qualities.len(), 8);
    let keys: Vec<&str> = qualities.iter().filter_map(|q| q["key"].as_str()).collect();
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
        "spectrum order, mindset to behaviour"
    );
    for (i, q) in qualities.iter().enumerate() {
        let key = q["key"].as_str().unwrap_or("?");
        assert_eq!(
            q["position"].as_u64(),
            Some(i as u64 + 1),
            "{key}: position"
        );
        let side = if i < 4 { "mindset" } else { "behaviour" };
        assert_eq!(q["side"], side, "{key}: side");
        for field in ["name", "definition"] {
            assert!(
                q[field].as_str().is_some_and(|s| !s.is_empty()),
                "{key}: {field}"
            );
        }
        assert!(
            q["indicators"].as_array().is_some_and(|a| !a.is_empty()),
            "{key}: indicators"
        );
        assert!(q["links"].is_array(), "{key}: links");
        let levels = q["levels"].as_array().cloned().unwrap_or_default();
        assert_eq!(levels.len(), 5, "{key}: a level per scale value");
        for (j, level) in levels.iter().enumerate() {
            assert_eq!(
                level["value"].as_u64(),
                Some(j as u64 + 1),
                "{key}: level value"
            );
            assert_eq!(
                level["name"].as_str(),
                scale_names.get(j).copied(),
                "{key}: level name"
            );
            assert!(
                level["anchor"].as_str().is_some_and(|a| !a.is_empty()),
                "{key}: level {} has an anchor",
                j + 1
            );
        }
    }
    assert_eq!(
        model,
        sellerq_domain::model::default_model().to_json(),
        "the default model"
    );
}

// --- people ------------------------------------------------------------------------------

#[tokio::test]
async fn a_person_can_be_created_read_listed_replaced_and_deleted() {
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;
    let new = json!({
        "id": "p-100", "name": "Noor Newhire", "email": "noor@acme.test", "team": "West",
        "hire_date": "2025-01-15", "years_experience": 3, "quota_track_record": 1.05,
        "domain_expertise": 4
    });

    // Create
    let created = api.post("/people", &new).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.location(), Some("/api/v1/people/p-100"));
    assert_eq!(created.json()["team"], "West");

    // Read
    let read = api.get("/people/p-100").await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json(), created.json());

    // List and search
    let found = api.get("/people?q=newhire").await;
    assert_eq!(ids(&found.json()), ["p-100"], "{}", found.text);

    // Replace
    let replaced = api
        .put(
            "/people/p-100",
            &json!({"name": "Noor Newhire", "team": "East"}),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    let body = replaced.json();
    assert_eq!(body["team"], "East");
    assert_eq!(
        body["email"],
        Value::Null,
        "a replacement clears what it leaves out"
    );
    assert_eq!(
        app.person("p-100").await.and_then(|p| p.team).as_deref(),
        Some("East")
    );

    // Delete
    let deleted = api.delete("/people/p-100").await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/people/p-100").await.status, StatusCode::NOT_FOUND);
    assert!(app.person("p-100").await.is_none());
}

#[tokio::test]
async fn a_persons_json_has_exactly_the_people_csv_columns_with_numbers_and_nulls() {
    let app = spawn_app().await;
    let api = app.api(Role::Leader).await;

    let sam = api.get(&format!("/people/{}", person::SELLER)).await.json();
    let nora = api
        .get(&format!("/people/{}", person::NO_TEAM))
        .await
        .json();

    assert_eq!(keys(&sam), PEOPLE_CSV_COLUMNS, "{sam}");
    assert_eq!(sam["years_experience"], json!(4.5));
    assert_eq!(sam["quota_track_record"], json!(0.92));
    assert_eq!(sam["hire_date"], "2022-03-01");
    assert_eq!(sam["manager"], person::MANAGER);
    for column in &PEOPLE_CSV_COLUMNS[2..] {
        assert_eq!(nora[*column], Value::Null, "missing {column} is null");
    }
}

#[tokio::test]
async fn a_person_id_with_spaces_and_an_at_sign_works_in_the_url() {
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;

    let created = api
        .post("/people", &json!({"id": "ana ruiz@hq", "name": "Ana Ruiz"}))
        .await;
    let location = created.location().unwrap_or_default().to_owned();
    let read = api.get(location.trim_start_matches("/api/v1")).await;

    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(location, "/api/v1/people/ana%20ruiz%40hq");
    assert_eq!(read.json()["id"], "ana ruiz@hq");
}

#[tokio::test]
async fn the_people_list_filters_by_search_and_team() {
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;

    let west = api.get(&format!("/people?team={}", app.teams.west)).await;
    let search = api.get("/people?q=WEST").await;
    let both = api
        .get(&format!("/people?q=wendy&team={}", app.teams.west))
        .await;
    let bad_team = api.get("/people?team=west").await;

    assert_eq!(
        ids(&west.json()),
        [person::WEST_2, person::WEST],
        "ordered by name"
    );
    assert_eq!(
        ids(&search.json()),
        [person::WEST_2, person::WEST],
        "case-insensitive"
    );
    assert_eq!(ids(&both.json()), [person::WEST_2]);
    assert_eq!(bad_team.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_team.error_field().as_deref(), Some("team"));
}

#[tokio::test]
async fn an_unknown_field_is_refused_naming_it_and_nothing_is_written() {
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;
    let before = app.snapshot().await;

    let person = api
        .post("/people", &json!({"id": "p-typo", "nmae": "Typo"}))
        .await;
    let team = api
        .post("/teams", &json!({"name": "Typo", "parent": 1}))
        .await;
    let update = api
        .put(
            &format!("/people/{}", person::WEST),
            &json!({"name": "Wes", "tem": "East"}),
        )
        .await;

    for (resp, field) in [(&person, "nmae"), (&team, "parent"), (&update, "tem")] {
        assert_eq!(
            resp.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            resp.text
        );
        assert_eq!(resp.error_field().as_deref(), Some(field), "{}", resp.text);
        assert!(
            resp.json()["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(field))
        );
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_invalid_value_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;
    let cases = [
        (
            json!({"id": "p-1", "name": "A", "domain_expertise": 9}),
            "domain_expertise",
        ),
        (
            json!({"id": "p-1", "name": "A", "years_experience": -1}),
            "years_experience",
        ),
        (
            json!({"id": "p-1", "name": "A", "years_experience": "ten"}),
            "years_experience",
        ),
        (
            json!({"id": "p-1", "name": "A", "email": "not-an-address"}),
            "email",
        ),
        (
            json!({"id": "p-1", "name": "A", "hire_date": "2025-02-30"}),
            "hire_date",
        ),
        (
            json!({"id": "p-1", "name": "A", "manager": "nobody"}),
            "manager",
        ),
        (
            json!({"id": "p-1", "name": "A", "manager": "p-1"}),
            "manager",
        ),
        (json!({"id": "a/b", "name": "A"}), "id"),
        (json!({"name": "A"}), "id"),
        (json!({"id": "p-1", "name": "  "}), "name"),
        (json!({"id": "p-1"}), "name"),
    ];
    let before = app.snapshot().await;
    let mut wrong = Vec::new();

    for (body, field) in &cases {
        let resp = api.post("/people", body).await;
        if resp.status != StatusCode::UNPROCESSABLE_ENTITY
            || resp.error_field().as_deref() != Some(*field)
        {
            wrong.push(format!("{body} → {} {}", resp.status, resp.text));
        }
    }

    assert!(
        wrong.is_empty(),
        "expected 422 naming the field:\n  {}",
        wrong.join("\n  ")
    );
    assert_eq!(app.snapshot().await, before, "nothing was written");
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_a_400() {
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;

    let truncated = api
        .send_raw(Method::POST, "/people", "{\"id\": \"p-1\", ")
        .await;
    let array = api.send_raw(Method::POST, "/teams", "[]").await;
    let no_content_type = api
        .client
        .post(format!("{}/api/v1/teams", app.address))
        .bearer_auth(&api.token)
        .body("{\"name\": \"X\"}")
        .send()
        .await
        .map(|r| r.status());

    for (what, resp) in [("truncated", &truncated), ("array", &array)] {
        assert_eq!(
            resp.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            resp.text
        );
        assert_eq!(resp.error_code().as_deref(), Some("bad_request"), "{what}");
    }
    assert_eq!(no_content_type.ok(), Some(StatusCode::BAD_REQUEST));
    assert!(app.team_named("X").await.is_none());
}

#[tokio::test]
async fn a_taken_id_or_email_is_a_409_naming_the_field() {
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;

    let same_id = api
        .post("/people", &json!({"id": person::WEST, "name": "Clone"}))
        .await;
    let same_email = api
        .post(
            "/people",
            &json!({"id": "p-200", "name": "Clone", "email": "seller@acme.test"}),
        )
        .await;
    let renamed_onto = api
        .put(
            &format!("/people/{}", person::WEST_2),
            &json!({"id": person::WEST, "name": "Wendy"}),
        )
        .await;

    for (resp, field) in [
        (&same_id, "id"),
        (&same_email, "email"),
        (&renamed_onto, "id"),
    ] {
        assert_eq!(resp.status, StatusCode::CONFLICT, "{}", resp.text);
        assert_eq!(resp.error_field().as_deref(), Some(field), "{}", resp.text);
    }
}

#[tokio::test]
async fn a_manager_cannot_place_a_person_outside_what_they_look_after() {
    let app = spawn_app().await;
    let manager = app.api(Role::Manager).await;
    let before = app.snapshot().await;
    let eve = format!("/people/{}", person::EAST_INBOUND);

    let create = manager
        .post(
            "/people",
            &json!({"id": "p-300", "name": "Elsewhere", "team": "West"}),
        )
        .await;
    let no_team = manager
        .post("/people", &json!({"id": "p-301", "name": "Nowhere"}))
        .await;
    let move_out = manager
        .put(&eve, &json!({"name": "Eve", "team": "West"}))
        .await;
    let foreign_manager = manager
        .put(
            &eve,
            &json!({"name": "Eve", "team": "East Inbound", "manager": person::WEST}),
        )
        .await;

    for (resp, field) in [
        (&create, "team"),
        (&no_team, "team"),
        (&move_out, "team"),
        (&foreign_manager, "manager"),
    ] {
        assert_eq!(
            resp.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            resp.text
        );
        assert_eq!(resp.error_field().as_deref(), Some(field), "{}", resp.text);
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_manager_adds_and_edits_people_in_their_teams() {
    let app = spawn_app().await;
    let manager = app.api(Role::Manager).await;

    let created = manager
        .post(
            "/people",
            &json!({"id": "p-302", "name": "New East", "team": "East Inbound", "manager": person::MANAGER}),
        )
        .await;
    let edited = manager
        .put(
            "/people/p-302",
            &json!({"name": "New East", "team": "East", "vip_connections": 2}),
        )
        .await;

    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    assert_eq!(edited.json()["vip_connections"], json!(2.0));
}

#[tokio::test]
async fn ids_of_another_organisation_are_not_found() {
    let app = spawn_app().await;
    let admin = app.api(Role::Admin).await;
    let before = app.snapshot().await;
    let theirs = format!("/people/{}", person::OTHER_ORG);
    let their_team = format!("/teams/{}", app.teams.north);

    let answers = [
        admin.get(&theirs).await,
        admin.put(&theirs, &json!({"name": "Taken Over"})).await,
        admin.delete(&theirs).await,
        admin.get(&their_team).await,
        admin.put(&their_team, &json!({"name": "Taken Over"})).await,
        admin.delete(&their_team).await,
    ];

    for resp in &answers {
        assert_eq!(resp.status, StatusCode::NOT_FOUND, "{}", resp.text);
        assert_eq!(resp.error_code().as_deref(), Some("not_found"));
    }
    assert_eq!(app.snapshot().await, before);
}

// --- teams -------------------------------------------------------------------------------

#[tokio::test]
async fn a_team_can_be_created_read_listed_replaced_and_deleted() {
    let app = spawn_app().await;
    let api = app.api(Role::Leader).await;

    let created = api
        .post(
            "/teams",
            &json!({"name": "West Outbound", "parent_id": app.teams.west, "manager": person::WEST}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let team = created.json();
    let id = team["id"].as_i64().unwrap_or_default();
    assert_eq!(
        created.location(),
        Some(format!("/api/v1/teams/{id}").as_str())
    );
    assert_eq!(
        team,
        json!({"id": id, "name": "West Outbound", "parent_id": app.teams.west,
               "manager": person::WEST, "description": "", "people": 0})
    );

    let read = api.get(&format!("/teams/{id}")).await;
    assert_eq!(read.json(), team);
    let list = api.get("/teams").await.json();
    let names: Vec<&str> = list
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["East", "East Inbound", "West", "West Outbound"]);

    let replaced = api
        .put(
            &format!("/teams/{id}"),
            &json!({"name": "Outbound", "description": "New logos"}),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    assert_eq!(replaced.json()["parent_id"], Value::Null);
    assert_eq!(replaced.json()["description"], "New logos");

    assert_eq!(
        api.delete(&format!("/teams/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.get(&format!("/teams/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_team_reports_its_head_count() {
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;

    let west = api.get(&format!("/teams/{}", app.teams.west)).await.json();

    assert_eq!(west["people"], 2);
}

#[tokio::test]
async fn team_rules_give_409_and_422_naming_the_field() {
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;
    let east = format!("/teams/{}", app.teams.east);

    let taken = api.post("/teams", &json!({"name": "West"})).await;
    let unnamed = api.post("/teams", &json!({"name": " "})).await;
    let their_parent = api
        .post(
            "/teams",
            &json!({"name": "X", "parent_id": app.teams.north}),
        )
        .await;
    let cycle = api
        .put(
            &east,
            &json!({"name": "East", "parent_id": app.teams.east_inbound}),
        )
        .await;
    let not_empty = api.delete(&east).await;

    assert_eq!(
        (taken.status, taken.error_field()),
        (StatusCode::CONFLICT, Some("name".into()))
    );
    assert_eq!(
        (unnamed.status, unnamed.error_field()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("name".into()))
    );
    assert_eq!(
        (their_parent.status, their_parent.error_field()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("parent_id".into())),
        "a parent of another organisation does not exist here"
    );
    assert_eq!(
        (cycle.status, cycle.error_field()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("parent_id".into()))
    );
    assert_eq!(not_empty.status, StatusCode::CONFLICT, "{}", not_empty.text);
}

// --- the OpenAPI document ----------------------------------------------------------------

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_api_route_with_its_responses() {
    // Arrange
    let app = spawn_app().await;
    let visitor = crate::helpers::TestClient::anonymous(&app);

    // Act
    let resp = visitor.get_json("/api/v1/openapi.json").await;

    // Assert
    assert_eq!(resp.status, StatusCode::OK);
    let doc = resp.json();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1.")),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc["servers"][0]["url"], "/api/v1",
        "paths are relative to /api/v1"
    );
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(
        (scheme["type"].as_str(), scheme["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
    assert!(
        doc["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()))
    );

    let mut missing = Vec::new();
    for row in rows().iter().filter(|r| r.is_api()) {
        let path = row
            .path
            .trim_start_matches("/api/v1")
            .replace("{person}", "{id}")
            .replace("{team}", "{id}");
        let op = &doc["paths"][&path][row.method.as_str().to_lowercase()];
        let responses = keys(&op["responses"]);
        if op.is_null() {
            missing.push(format!("{} {path}: not in the document", row.method));
        } else if !responses.iter().any(|s| s.starts_with('2'))
            || !responses.iter().any(|s| s == "401")
        {
            missing.push(format!(
                "{} {path}: responses {responses:?} lack a 2xx or the 401",
                row.method
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    let schemas = &doc["components"]["schemas"];
    for body in ["PersonBody", "TeamBody"] {
        assert_eq!(
            schemas[body]["additionalProperties"], false,
            "{body} refuses unknown fields"
        );
    }
    let mut required: Vec<&str> = schemas["PersonJson"]["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    required.sort_unstable();
    let mut columns = PEOPLE_CSV_COLUMNS.to_vec();
    columns.sort_unstable();
    assert_eq!(
        required, columns,
        "every column is always present (null when missing)"
    );
    for schema in [
        "PersonJson",
        "PersonBody",
        "TeamJson",
        "TeamBody",
        "ModelJson",
        "ErrorBody",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema} is documented"
        );
    }
}

#[tokio::test]
async fn every_route_in_the_openapi_document_is_served() {
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;
    let doc = api.get("/openapi.json").await.json();
    let mut unserved = Vec::new();

    for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
        for method in keys(&item) {
            let concrete = path.replace("{id}", "no-such-id");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap_or(Method::GET);
            let resp = api.send(m, &concrete, Some(&json!({}))).await;
            // An unknown id is a JSON 404 from the handler; an unrouted path is not JSON.
            if resp.status == StatusCode::METHOD_NOT_ALLOWED
                || resp.error_code().is_none() && !resp.status.is_success()
            {
                unserved.push(format!("{method} {path}: {} {}", resp.status, resp.text));
            }
        }
    }

    assert!(unserved.is_empty(), "{}", unserved.join("\n"));
}

#[tokio::test]
async fn odd_input_gets_a_json_answer_and_never_a_server_error() {
    let app = spawn_app().await;
    let api = app.api(Role::Admin).await;
    let long = "x".repeat(10_000);
    let requests: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/people/%FF%FE".into(), None),
        (Method::GET, "/people/a%2Fb".into(), None),
        (Method::GET, "/teams/abc".into(), None),
        (Method::GET, "/teams/99999999999999999999".into(), None),
        (Method::GET, "/teams/-1".into(), None),
        (Method::GET, "/people?team=1e5".into(), None),
        (Method::GET, "/people?q=%25_%5C".into(), None),
        (
            Method::POST,
            "/people".into(),
            Some(json!({"id": 5, "name": "X"})),
        ),
        (
            Method::POST,
            "/people".into(),
            Some(json!({"id": "p-x", "name": long})),
        ),
        (
            Method::POST,
            "/people".into(),
            Some(json!({"id": "p-x", "name": "X", "team": "a\u{0}b"})),
        ),
        (
            Method::POST,
            "/people".into(),
            Some(json!({"id": "p-x", "name": "X", "years_experience": 1e300})),
        ),
        (Method::POST, "/people".into(), Some(json!(null))),
        (
            Method::POST,
            "/teams".into(),
            Some(json!({"name": "X", "parent_id": -1})),
        ),
        (
            Method::POST,
            "/teams".into(),
            Some(json!({"name": "X", "parent_id": 1.5})),
        ),
        (
            Method::POST,
            "/teams".into(),
            Some(json!({"name": "X", "manager": "nobody"})),
        ),
        (Method::PUT, "/teams/abc".into(), Some(json!({"name": "X"}))),
        (
            Method::PUT,
            format!("/people/{}", person::SELLER),
            Some(json!({"name": "X", "id": ""})),
        ),
    ];
    let mut wrong = Vec::new();

    for (method, path, body) in &requests {
        let resp = api.send(method.clone(), path, body.as_ref()).await;
        let json_answer = resp.json() != Value::Null;
        if resp.status.is_server_error() || !json_answer {
            wrong.push(format!("{method} {path}: {} {}", resp.status, resp.text));
        }
    }

    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
